/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of dp/csum.h: the fast forms (five 32-bit words for an IPv4
 * header, several fields updated at once) against the Internet checksum
 * computed from scratch, RFC 1071 style, by the reference below — a plain
 * sum of big-endian 16-bit words, written here and not taken from csum.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dp/csum.h"

/* RFC 1071: one's-complement sum of big-endian 16-bit words, inverted; the
 * result as a host-order number (0x1234 means bytes 12 34 in the packet). */
static uint16_t
ref_csum(const uint8_t *p, size_t len)
{
	uint64_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint32_t seed = 12345;

static uint32_t
rnd(void)
{
	seed = seed * 1103515245u + 12345u;
	return seed >> 1 ^ seed << 17;
}

static void
random_hdr(uint8_t *h)
{
	for (int i = 0; i < 20; i++)
		h[i] = (uint8_t)rnd();
	h[0] = 0x45;
	h[10] = h[11] = 0;
}

static void
test_ipv4_hdr20(void **state)
{
	(void)state;
	for (int n = 0; n < 100000; n++) {
		uint8_t h[20];
		uint16_t c, want;

		random_hdr(h);
		if (n == 0)
			memset(h + 1, 0, 19);           /* sums to 0x4500 */
		if (n == 1)
			memset(h + 1, 0xff, 9), memset(h + 12, 0xff, 8);
		want = ref_csum(h, 20);
		c = csum_ipv4_hdr20(h);
		memcpy(h + 10, &c, 2);              /* as the data path stores it */
		assert_int_equal(get16(h + 10), want);
		assert_true(csum_ipv4_hdr20_ok(h));
		assert_int_equal(ref_csum(h, 20), 0);
		/* any single corrupted byte is caught */
		h[rnd() % 20] ^= (uint8_t)(1 + rnd() % 255);
		assert_false(csum_ipv4_hdr20_ok(h));
		/* any header, its checksum field random or right: the reference decides */
		random_hdr(h);
		if (n % 2 == 0) {
			c = csum_ipv4_hdr20(h);
			memcpy(h + 10, &c, 2);
		} else {
			h[10] = (uint8_t)rnd();
			h[11] = (uint8_t)rnd();
		}
		assert_int_equal(csum_ipv4_hdr20_ok(h), ref_csum(h, 20) == 0);
	}
}

/* TTL - 1 with csum_ttl_dec() gives the checksum computed from scratch, and
 * the same as the general word update (what the stages used before). */
static void
test_ttl_dec(void **state)
{
	(void)state;
	for (int n = 0; n < 100000; n++) {
		uint8_t h[20];
		uint16_t c0, c, old, upd;

		random_hdr(h);
		if (h[8] < 2)
			h[8] = 2;
		c0 = csum_ipv4_hdr20(h);
		memcpy(h + 10, &c0, 2);             /* as the data path stores it */
		memcpy(&old, h + 8, 2);
		h[8]--;
		memcpy(&upd, h + 8, 2);
		c = csum_ttl_dec(c0);
		assert_int_equal(c, csum_update16(c0, old, upd));
		memcpy(h + 10, &c, 2);
		assert_int_equal(ref_csum(h, 20), 0);
	}
}

/*
 * A UDP/TCP packet's addresses and ports rewritten at once with
 * csum_diff32/csum_diff16/csum_apply (what dp_flow_xlate does) give the
 * checksums computed from scratch over the new packet.
 */
struct pkt {
	uint8_t ip[20];
	uint8_t l4[28];                     /* TCP header (20) + 8 bytes of data */
};

static uint16_t
ref_l4(const struct pkt *p, bool tcp)
{
	uint8_t b[12 + sizeof(p->l4)];
	size_t l4len = tcp ? sizeof(p->l4) : 16;

	memcpy(b, p->ip + 12, 8);
	b[8] = 0;
	b[9] = tcp ? 6 : 17;
	put16(b + 10, (uint16_t)l4len);
	memcpy(b + 12, p->l4, l4len);
	return ref_csum(b, 12 + l4len);
}

static void
test_multi_update(void **state)
{
	(void)state;
	for (int n = 0; n < 50000; n++) {
		struct pkt p;
		bool tcp = n & 1;
		unsigned coff = tcp ? 16 : 6;
		uint32_t os, od, ns = rnd(), nd = rnd();
		uint16_t osp, odp, nsp = (uint16_t)rnd(), ndp = (uint16_t)rnd(), c;
		uint64_t da, dl;

		random_hdr(p.ip);
		for (size_t i = 0; i < sizeof(p.l4); i++)
			p.l4[i] = (uint8_t)rnd();
		put16(p.ip + 10, 0);
		put16(p.ip + 10, ref_csum(p.ip, 20));
		put16(p.l4 + coff, 0);
		if (!tcp)
			put16(p.l4 + 4, 16);        /* UDP length */
		put16(p.l4 + coff, ref_l4(&p, tcp));
		if (n % 7 == 0)
			memcpy(&ns, p.ip + 12, 4);  /* an address that stays */

		memcpy(&os, p.ip + 12, 4);
		memcpy(&od, p.ip + 16, 4);
		memcpy(&osp, p.l4, 2);
		memcpy(&odp, p.l4 + 2, 2);
		da = csum_diff32(os, ns) + csum_diff32(od, nd);
		dl = da + csum_diff16(osp, nsp) + csum_diff16(odp, ndp);
		memcpy(&c, p.ip + 10, 2);
		c = csum_apply(c, da);
		memcpy(p.ip + 10, &c, 2);
		memcpy(&c, p.l4 + coff, 2);
		c = csum_apply(c, dl);
		memcpy(p.l4 + coff, &c, 2);
		memcpy(p.ip + 12, &ns, 4);
		memcpy(p.ip + 16, &nd, 4);
		memcpy(p.l4, &nsp, 2);
		memcpy(p.l4 + 2, &ndp, 2);

		/* the updated fields verify: the sum over each is zero */
		assert_int_equal(ref_csum(p.ip, 20), 0);
		{
			uint16_t got = get16(p.l4 + coff), want;

			put16(p.l4 + coff, 0);
			want = ref_l4(&p, tcp);
			/* one's complement has two zeros: 0x0000 and 0xffff are the same sum */
			if (!(got == want || (got == 0xffff && want == 0) || (got == 0 && want == 0xffff)))
				fail_msg("packet %d: L4 checksum %04x, from scratch %04x", n, got, want);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_hdr20),
		cmocka_unit_test(test_ttl_dec),
		cmocka_unit_test(test_multi_update),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
