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

/* Is the checksum of a 20-byte IPv4 header (no options) right? Five 32-bit
 * adds instead of ten 16-bit ones: the one's-complement sum does not depend
 * on the order of the words or on the byte order. */
static inline bool
csum_ipv4_hdr20_ok(const void *hdr)
{
	return csum_hdr20_sum(hdr) == 0xffff;
}

/* Full checksum of a buffer, as written into a header (network order). */
static inline uint16_t
csum_buf(const void *buf, size_t len)
{
	uint16_t c = (uint16_t)~csum_fold(csum_partial(buf, len, 0));

	return (uint16_t)((c >> 8) | (c << 8));   /* host → network order */
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

static inline uint16_t
csum_update32(uint16_t c, uint32_t old, uint32_t new)
{
	uint32_t sum = (uint16_t)~c;

	sum += (uint16_t)~(old >> 16);
	sum += (uint16_t)~(old & 0xffff);
	sum += new >> 16;
	sum += new & 0xffff;
	return (uint16_t)~csum_fold(sum);
}

/* Several fields at once: add the csum_diff* of each change, then apply. */
static inline uint32_t
csum_diff32(uint32_t old, uint32_t new)
{
	return (uint32_t)(uint16_t)~(old >> 16) + (uint16_t)~(old & 0xffff) +
	       (new >> 16) + (new & 0xffff);
}

static inline uint32_t
csum_diff16(uint16_t old, uint16_t new)
{
	return (uint32_t)(uint16_t)~old + new;
}

static inline uint16_t
csum_apply(uint16_t c, uint32_t diff)
{
	return (uint16_t)~csum_fold((uint16_t)~c + diff);
}

#endif /* VPCGW_CSUM_H */
