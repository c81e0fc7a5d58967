/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internet checksum helpers, pure C. Incremental updates follow RFC 1624
 * (HC' = ~(~HC + ~m + m')). All values are in network byte order as they sit
 * in the packet; the arithmetic is byte-order independent.
 */
#ifndef VPCGW_CSUM_H
#define VPCGW_CSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint16_t
csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* One's-complement sum of a buffer (not inverted). */
static inline uint32_t
csum_partial(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *p = buf;

	while (len > 1) {
		sum += (uint32_t)((p[0] << 8) | p[1]);
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (uint32_t)(p[0] << 8);
	return sum;
}

/* One's-complement sum of a 20-byte IPv4 header, folded to 16 bits. */
static inline uint16_t
csum_hdr20_sum(const void *hdr)
{
	uint32_t w[5];
	uint64_t s;

	memcpy(w, hdr, sizeof(w));
	s = (uint64_t)w[0] + w[1] + w[2] + w[3] + w[4];
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffffffff) + (s >> 32);
	return csum_fold((uint32_t)s);
}

/* The checksum field of a 20-byte IPv4 header whose checksum field is 0,
 * as it sits in the packet. */
static inline uint16_t
csum_ipv4_hdr20(const void *hdr)
{
	return (uint16_t)~csum_hdr20_sum(hdr);
}

/*
 * Is the checksum of a 20-byte IPv4 header right (its one's-complement sum
 * 0xffff)? 2^16 = 1 modulo 65535 and 65535 divides 2^64 - 1, so the sum of
 * its 8-, 8- and 4-byte words with end-around carry (two add-with-carry) is
 * congruent to the sum of its 16-bit words modulo 65535, and the folded sum
 * of a header that is not all zero (version 4 is not) is 0xffff exactly when
 * that sum is a multiple of 65535. 65535 is odd: s is a multiple of it
 * exactly when s times its inverse modulo 2^64 is at most (2^64 - 1) / 65535
 * (one multiplication, Granlund and Montgomery's divisibility test).
 */
_Static_assert(65535ull * 0xfffefffefffeffffull == 1, "the inverse of 65535 modulo 2^64");

static inline bool
csum_ipv4_hdr20_ok(const void *hdr)
{
	uint64_t a, b, s;
	uint32_t c;

	memcpy(&a, hdr, 8);
	memcpy(&b, (const uint8_t *)hdr + 8, 8);
	memcpy(&c, (const uint8_t *)hdr + 16, 4);
	s = a + b;
	s += s < a;          /* end-around carry: s <= 2^64 - 2 after a carry */
	s += c;
	s += s < c;
	return s * 0xfffefffefffeffffull <= 0x1000100010001ull;  /* s % 65535 == 0 */
}

/* RFC 1624 eqn. 3: replace 16-bit field old by new in checksum *c. */
static inline uint16_t
csum_update16(uint16_t c, uint16_t old, uint16_t new)
{
	uint32_t sum = (uint16_t)~c;

	sum += (uint16_t)~old;
	sum += new;
	return (uint16_t)~csum_fold(sum);
}

/*
 * Several fields at once: add the csum_diff* of each change, then apply.
 * A 32-bit field is one word of a 32-bit one's-complement sum: folded to 16
 * bits at the end, that is the sum of its two 16-bit halves (RFC 1071), with
 * no splitting per field.
 */
static inline uint64_t
csum_diff32(uint32_t old, uint32_t new)
{
	return (uint64_t)(uint32_t)~old + new;
}

static inline uint64_t
csum_diff16(uint16_t old, uint16_t new)
{
	return (uint64_t)(uint16_t)~old + new;
}

static inline uint16_t
csum_apply(uint16_t c, uint64_t diff)
{
	uint64_t s = (uint16_t)~c + diff;

	/* a few words of at most 32 bits: two folds bring it under 2^32 */
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffffffff) + (s >> 32);
	return (uint16_t)~csum_fold((uint32_t)s);
}

/* c after a folded 16-bit delta d (a dp_flow_act's): one fold is enough. */
static inline uint16_t
csum_apply16(uint16_t c, uint16_t d)
{
	uint32_t s = (uint32_t)(uint16_t)~c + d;

	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static inline uint16_t
csum_update32(uint16_t c, uint32_t old, uint32_t new)
{
	return csum_apply(c, csum_diff32(old, new));
}

/*
 * The IPv4 header checksum c (as stored) after the TTL went down by one:
 * RFC 1624 eqn 3, ~(~HC + ~m + m'), where the word m = TTL << 8 | protocol
 * becomes m - 0x100, so ~m + m' is 0xfeff whatever the word; two 16-bit
 * addends need one fold. The same result as csum_update16(c, m, m').
 */
/* 0xfeff as the packet holds it, read as a host-order word like c */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define CSUM_TTL_DEC_DIFF 0xfffeu
#else
#define CSUM_TTL_DEC_DIFF 0xfeffu
#endif

static inline uint16_t
csum_ttl_dec(uint16_t c)
{
	uint32_t s = (uint32_t)(uint16_t)~c + CSUM_TTL_DEC_DIFF;

	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

#endif /* VPCGW_CSUM_H */
