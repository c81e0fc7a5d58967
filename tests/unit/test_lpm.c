/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of dp/dp_lpm.c (route tables, issue #22): the trie against a
 * longest-prefix match written here as a plain scan of the prefixes, over
 * random tables (prefix lengths 0..32, nested and overlapping) and random
 * addresses plus the edges of every prefix; and the memory it uses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dp/dp_lpm.h"

#define NONE 0x7fffffu

static uint32_t
mask(uint8_t len)
{
	return len == 0 ? 0 : ~0u << (32 - len);
}

/* the longest prefix holding a; of equal ones the later */
static uint32_t
ref_lookup(const struct dp_lpm_prefix *p, unsigned n, uint32_t a)
{
	int best = -1;

	for (unsigned i = 0; i < n; i++)
		if ((a & mask(p[i].len)) == p[i].addr && (best < 0 || p[i].len >= p[best].len))
			best = (int)i;
	return best < 0 ? NONE : p[best].val;
}

static uint32_t
rnd32(void)
{
	return (uint32_t)rand() << 16 ^ (uint32_t)rand();
}

static void
check_table(const struct dp_lpm_prefix *p, unsigned n)
{
	struct dp_lpm l;
	uint32_t addr[64];
	uint64_t got[64];

	assert_int_equal(dp_lpm_build(&l, p, n, NONE), 0);
	assert_true(dp_lpm_bytes(&l) <= dp_lpm_bound(p, n));
	for (unsigned i = 0; i < n; i++) {
		uint32_t first = p[i].addr, last = p[i].addr | ~mask(p[i].len);
		uint32_t edge[4] = { first, last, first - 1, last + 1 };

		for (int k = 0; k < 4; k++)
			assert_int_equal(dp_lpm_lookup(&l, edge[k]), ref_lookup(p, n, edge[k]));
	}
	for (int r = 0; r < 200; r++) {
		for (int k = 0; k < 64; k++) {
			/* near some prefix most of the time: inside nested ones */
			uint32_t a = rnd32();

			if (n != 0 && k % 4 != 0)
				a = p[(unsigned)rand() % n].addr | (a & ~mask(p[(unsigned)rand() % n].len));
			addr[k] = a;
		}
		dp_lpm_lookup_bulk(&l, addr, got, 64);
		for (int k = 0; k < 64; k++)
			assert_int_equal(got[k], ref_lookup(p, n, addr[k]));
	}
	dp_lpm_free(&l);
}

static void
test_random_tables(void **state)
{
	struct dp_lpm_prefix p[300];

	(void)state;
	srand(22);
	for (int t = 0; t < 300; t++) {
		unsigned n = (unsigned)rand() % 300;
		uint32_t base = rnd32();

		for (unsigned i = 0; i < n; i++) {
			uint8_t len = (uint8_t)(rand() % 33);
			/* half of them share the first 8 to 20 bits: nested, shared nodes */
			uint32_t a = rand() % 2 ? (base & mask((uint8_t)(8 + rand() % 13))) |
							  (rnd32() & ~mask((uint8_t)(8 + rand() % 13)))
						: rnd32();

			p[i] = (struct dp_lpm_prefix){ a & mask(len), len, (uint32_t)i * 7 + 1 };
		}
		check_table(p, n);
	}
}

static void
test_edges(void **state)
{
	/* default route, host routes at both ends, the VPC and a subnet of it,
	 * a prefix repeated (the later wins) */
	const struct dp_lpm_prefix p[] = {
		{ 0, 0, 1 }, { 0, 32, 2 }, { 0xffffffff, 32, 3 }, { 0x0a000000, 16, 4 },
		{ 0x0a000100, 24, 5 }, { 0x0a000180, 25, 6 }, { 0x0a000100, 24, 7 },
		{ 0x0a0001ff, 32, 8 }, { 0x80000000, 1, 9 }, { 0x0a000000, 8, 10 },
	};
	struct dp_lpm l;

	(void)state;
	check_table(p, sizeof(p) / sizeof(p[0]));
	assert_int_equal(dp_lpm_build(&l, p, sizeof(p) / sizeof(p[0]), NONE), 0);
	assert_int_equal(dp_lpm_lookup(&l, 0x0a000101), 7);
	assert_int_equal(dp_lpm_lookup(&l, 0x0a0001ff), 8);
	assert_int_equal(dp_lpm_lookup(&l, 0x0a0001fe), 6);
	assert_int_equal(dp_lpm_lookup(&l, 0x0a00ff00), 4);
	assert_int_equal(dp_lpm_lookup(&l, 0x0a010000), 10);
	assert_int_equal(dp_lpm_lookup(&l, 0x0b000000), 1);
	assert_int_equal(dp_lpm_lookup(&l, 0xfffffffe), 9);
	dp_lpm_free(&l);
	/* no prefix at all: none everywhere, one node */
	assert_int_equal(dp_lpm_build(&l, NULL, 0, NONE), 0);
	assert_int_equal(dp_lpm_lookup(&l, 0x0a000001), NONE);
	assert_int_equal(dp_lpm_bytes(&l), 1024);
	dp_lpm_free(&l);
}

/* memory in proportion to the routes: a route table as AWS's quota allows
 * (VPC /16, default route, 48 routes of /24 and /32, one /8) */
static void
test_memory(void **state)
{
	struct dp_lpm_prefix p[51];
	struct dp_lpm l;

	(void)state;
	p[0] = (struct dp_lpm_prefix){ 0x0a000000, 16, 0 };
	p[1] = (struct dp_lpm_prefix){ 0, 0, 1 };
	p[2] = (struct dp_lpm_prefix){ 0xac000000, 8, 2 };
	for (unsigned i = 3; i < 51; i++)
		p[i] = (struct dp_lpm_prefix){ i % 2 ? 0x64400000 | i << 8 : 0xc0a80000 | i,
					       (uint8_t)(i % 2 ? 24 : 32), i };
	check_table(p, 51);
	assert_int_equal(dp_lpm_build(&l, p, 51, NONE), 0);
	/* root, 10/8, 100/8, 100.64/16, 192/8, 192.168/16, 192.168.0/24 */
	assert_int_equal(l.n_nodes, 7);
	assert_true(dp_lpm_bytes(&l) <= 8 * 1024);
	dp_lpm_free(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_random_tables),
		cmocka_unit_test(test_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
