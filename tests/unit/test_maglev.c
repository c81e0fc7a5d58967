/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Property tests of the Maglev builder and the NLB flow hash (lb/maglev.h), Katran style: balance,
 * disruption on removal, weights, determinism, independence from array order.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lb/maglev.h"

#define MAX_T 64

/*
 * Share of the remaining targets' slots that change owner when one target goes: measured worst
 * 0.395 % (mean 0.26 %) over every removal for N = 2..16 at size 65537; bound with some margin.
 */
#define DISRUPTION_BOUND 0.01

static uint32_t *
table_new(uint32_t size)
{
	uint32_t *t = malloc(sizeof(*t) * size);

	assert_non_null(t);
	return t;
}

/* Targets 10.0.0.(i + 1):80, keyed as (addr << 16) | port. */
static void
make_keys(uint64_t *keys, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		keys[i] = ((uint64_t)(0x0a000001u + i) << 16) | 80;
}

static void
count_slots(const uint32_t *table, uint32_t size, uint32_t *counts, uint32_t n)
{
	memset(counts, 0, sizeof(*counts) * n);
	for (uint32_t s = 0; s < size; s++) {
		assert_true(table[s] < n);
		counts[table[s]]++;
	}
}

static bool
slow_is_prime(uint32_t v)
{
	if (v < 2)
		return false;
	for (uint32_t d = 2; (uint64_t)d * d <= v; d++)
		if (v % d == 0)
			return false;
	return true;
}

static void
test_size(void **state)
{
	static const uint32_t ns[] = { 0, 1, 2, 100, 655, 656, 1000, 5000, 100000 };

	(void)state;
	assert_int_equal(lb_maglev_size(0), 65537);
	assert_int_equal(lb_maglev_size(1), 65537);
	assert_int_equal(lb_maglev_size(655), 65537);     /* 65500 < 65537 */
	assert_int_equal(lb_maglev_size(656), 65609);     /* first prime >= 65600 */
	assert_int_equal(lb_maglev_size(1000), 100003);
	assert_int_equal(lb_maglev_size(10000), 1000003);
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		uint32_t lo = (uint64_t)ns[i] * 100 > 65537 ? ns[i] * 100 : 65537;
		uint32_t s = lb_maglev_size(ns[i]);

		assert_true(s >= lo);
		assert_true(slow_is_prime(s));
		for (uint32_t v = lo; v < s; v++)
			assert_false(slow_is_prime(v));
	}
	/* 100 * n does not fit: no 32-bit answer. */
	assert_int_equal(lb_maglev_size(UINT32_MAX), 0);
	assert_int_equal(lb_maglev_size(42949673), 0);
	assert_int_equal(lb_maglev_size(42949672), 4294967231u);  /* 2^32 - 65 */
}

static void
test_bad_args(void **state)
{
	uint64_t keys[4];
	bool usable[4] = { true, true, true, true };
	bool none[4] = { false, false, false, false };
	uint32_t w0[4] = { 1, 0, 1, 1 };
	uint32_t table[13];

	(void)state;
	make_keys(keys, 4);
	assert_int_equal(lb_maglev_build(NULL, 13, keys, NULL, usable, 4), -EINVAL);
	assert_int_equal(lb_maglev_build(table, 13, NULL, NULL, usable, 4), -EINVAL);
	assert_int_equal(lb_maglev_build(table, 13, keys, NULL, NULL, 4), -EINVAL);
	assert_int_equal(lb_maglev_build(table, 13, keys, NULL, usable, 0), -EINVAL);
	/* 12: not prime. */
	assert_int_equal(lb_maglev_build(table, 12, keys, NULL, usable, 4), -EINVAL);
	assert_int_equal(lb_maglev_build(table, 3, keys, NULL, usable, 4), -EINVAL);  /* < n */
	assert_int_equal(lb_maglev_build(table, 13, keys, w0, usable, 4), -EINVAL);
	/* No usable target: -ENOENT and the table keeps its contents. */
	memset(table, 0xab, sizeof(table));
	assert_int_equal(lb_maglev_build(table, 13, keys, NULL, none, 4), -ENOENT);
	for (int i = 0; i < 13; i++)
		assert_int_equal(table[i], 0xabababab);
	/* Small tables work too. */
	assert_int_equal(lb_maglev_build(table, 13, keys, NULL, usable, 4), 0);
	assert_int_equal(lb_maglev_build(table, 2, keys, NULL, usable, 1), 0);
	assert_int_equal(table[0], 0);
	assert_int_equal(table[1], 0);
}

/* Equal weights: max - min <= 1 slot (round robin), so well within 1 % of the mean. */
static void
test_balance(void **state)
{
	uint32_t size = 65537, counts[MAX_T];
	uint32_t *table = table_new(size);
	uint64_t keys[MAX_T];
	bool usable[MAX_T];

	(void)state;
	make_keys(keys, MAX_T);
	for (uint32_t i = 0; i < MAX_T; i++)
		usable[i] = true;
	for (uint32_t n = 1; n <= 32; n++) {
		uint32_t lo = UINT32_MAX, hi = 0;
		double mean = (double)size / n;

		assert_int_equal(lb_maglev_build(table, size, keys, NULL, usable, n), 0);
		count_slots(table, size, counts, n);
		for (uint32_t i = 0; i < n; i++) {
			lo = counts[i] < lo ? counts[i] : lo;
			hi = counts[i] > hi ? counts[i] : hi;
		}
		assert_true(hi - lo <= 1);
		assert_true((hi - lo) <= 0.01 * mean);
	}
	/* Larger n with the recommended size. */
	{
		uint32_t n = 1000, lo = UINT32_MAX, hi = 0;
		uint32_t sz = lb_maglev_size(n);
		uint32_t *big = table_new(sz), *cnt = calloc(n, sizeof(*cnt));
		uint64_t *k = malloc(sizeof(*k) * n);
		bool *u = malloc(n);

		assert_non_null(cnt);
		assert_non_null(k);
		assert_non_null(u);
		make_keys(k, n);
		memset(u, 1, n);
		assert_int_equal(lb_maglev_build(big, sz, k, NULL, u, n), 0);
		count_slots(big, sz, cnt, n);
		for (uint32_t i = 0; i < n; i++) {
			lo = cnt[i] < lo ? cnt[i] : lo;
			hi = cnt[i] > hi ? cnt[i] : hi;
		}
		assert_true(hi - lo <= 1);
		free(big);
		free(cnt);
		free(k);
		free(u);
	}
	free(table);
}

/*
 * Remove target r of n (usable[r] = false): every slot of r goes to another target, and slots of
 * the others rarely move. Removing it from the arrays instead (indices shift) gives the same
 * owners by key. Marking it usable again restores the first table exactly.
 */
static void
test_disruption(void **state)
{
	uint32_t size = 65537;
	uint32_t *full = table_new(size), *less = table_new(size), *again = table_new(size);
	uint32_t *packed = table_new(size);
	uint64_t keys[16], pkeys[16];
	bool usable[16];
	double worst = 0, sum = 0;
	unsigned runs = 0;

	(void)state;
	make_keys(keys, 16);
	for (uint32_t n = 2; n <= 16; n++) {
		for (uint32_t r = 0; r < n; r++) {
			uint32_t moved = 0, kept_total = 0, m = 0;
			double frac;

			for (uint32_t i = 0; i < n; i++)
				usable[i] = true;
			assert_int_equal(lb_maglev_build(full, size, keys, NULL, usable, n), 0);
			usable[r] = false;
			assert_int_equal(lb_maglev_build(less, size, keys, NULL, usable, n), 0);
			for (uint32_t s = 0; s < size; s++) {
				assert_int_not_equal(less[s], r);
				if (full[s] == r)
					continue;
				kept_total++;
				moved += less[s] != full[s];
			}
			frac = (double)moved / kept_total;
			worst = frac > worst ? frac : worst;
			sum += frac;
			runs++;
			assert_true(frac <= DISRUPTION_BOUND);

			/* Same targets packed into n - 1 entries: same owner keys slot by slot. */
			for (uint32_t i = 0; i < n; i++)
				if (i != r)
					pkeys[m++] = keys[i];
			for (uint32_t i = 0; i < m; i++)
				usable[i] = true;
			assert_int_equal(lb_maglev_build(packed, size, pkeys, NULL, usable, m), 0);
			for (uint32_t s = 0; s < size; s++)
				assert_true(pkeys[packed[s]] == keys[less[s]]);

			for (uint32_t i = 0; i < n; i++)
				usable[i] = true;
			assert_int_equal(lb_maglev_build(again, size, keys, NULL, usable, n), 0);
			assert_memory_equal(again, full, sizeof(*full) * size);
		}
	}
	print_message("maglev removal disruption (slots of remaining targets that moved), "
		      "N=2..16, size 65537: worst %.3f %%, mean %.3f %% over %u removals\n",
		      worst * 100, sum / runs * 100, runs);
	free(full);
	free(less);
	free(again);
	free(packed);
}

/* Adding a target takes slots from the others only (those slots were theirs), few else move. */
static void
test_add(void **state)
{
	uint32_t size = 65537, n = 8;
	uint32_t *before = table_new(size), *after = table_new(size);
	uint64_t keys[9];
	bool usable[9];
	uint32_t moved_other = 0, to_new = 0;

	(void)state;
	make_keys(keys, 9);
	for (uint32_t i = 0; i < 9; i++)
		usable[i] = true;
	assert_int_equal(lb_maglev_build(before, size, keys, NULL, usable, n), 0);
	assert_int_equal(lb_maglev_build(after, size, keys, NULL, usable, n + 1), 0);
	for (uint32_t s = 0; s < size; s++) {
		if (after[s] == n)
			to_new++;
		else if (after[s] != before[s])
			moved_other++;
	}
	assert_in_range(to_new, size / (n + 1) - 1, size / (n + 1) + 1);
	print_message("maglev add 9th target: %u slots of the others changed owner (%.3f %%)\n",
		      moved_other, 100.0 * moved_other / size);
	assert_true(moved_other <= DISRUPTION_BOUND * size);
	free(before);
	free(after);
}

static void
test_unusable(void **state)
{
	uint32_t size = 65537, counts[10];
	uint32_t *table = table_new(size);
	uint64_t keys[10];
	bool usable[10] = { true, false, true, false, false, true, true, false, true, false };

	(void)state;
	make_keys(keys, 10);
	assert_int_equal(lb_maglev_build(table, size, keys, NULL, usable, 10), 0);
	count_slots(table, size, counts, 10);
	for (int i = 0; i < 10; i++) {
		if (usable[i])
			assert_in_range(counts[i], size / 5, size / 5 + 1);
		else
			assert_int_equal(counts[i], 0);
	}
	free(table);
}

static void
test_weights(void **state)
{
	uint32_t size = 65537, counts[6];
	uint32_t *table = table_new(size);
	uint64_t keys[6];
	bool usable[6] = { true, true, true, true, true, true };
	uint32_t w21[2] = { 2, 1 };
	uint32_t wmix[6] = { 2, 1, 2, 1, 3, 7 };
	uint32_t wsame[6] = { 5, 5, 5, 5, 5, 5 };
	uint32_t *plain = table_new(size);
	double ratio;

	(void)state;
	make_keys(keys, 6);
	assert_int_equal(lb_maglev_build(table, size, keys, w21, usable, 2), 0);
	count_slots(table, size, counts, 2);
	ratio = (double)counts[0] / counts[1];
	assert_true(ratio > 2 * 0.98 && ratio < 2 * 1.02);

	/* Each share within 2 % (relative) of weight / sum. */
	assert_int_equal(lb_maglev_build(table, size, keys, wmix, usable, 6), 0);
	count_slots(table, size, counts, 6);
	for (int i = 0; i < 6; i++) {
		double want = (double)size * wmix[i] / 16;

		assert_true(counts[i] > want * 0.98 && counts[i] < want * 1.02);
	}

	/* Equal non-unit weights are the unweighted table. */
	assert_int_equal(lb_maglev_build(table, size, keys, wsame, usable, 6), 0);
	assert_int_equal(lb_maglev_build(plain, size, keys, NULL, usable, 6), 0);
	assert_memory_equal(table, plain, sizeof(*plain) * size);
	free(table);
	free(plain);
}

/* Same input, same table; the order of the arrays does not change who owns a slot. */
static void
test_determinism(void **state)
{
	uint32_t size = 65537, n = 12;
	uint32_t *a = table_new(size), *b = table_new(size);
	uint64_t keys[12], rkeys[12];
	uint32_t w[12], rw[12];
	bool usable[12], rusable[12];

	(void)state;
	make_keys(keys, n);
	for (uint32_t i = 0; i < n; i++) {
		w[i] = 1 + i % 3;
		usable[i] = i != 4;
	}
	assert_int_equal(lb_maglev_build(a, size, keys, w, usable, n), 0);
	assert_int_equal(lb_maglev_build(b, size, keys, w, usable, n), 0);
	assert_memory_equal(a, b, sizeof(*a) * size);

	/* Reversed arrays. */
	for (uint32_t i = 0; i < n; i++) {
		rkeys[i] = keys[n - 1 - i];
		rw[i] = w[n - 1 - i];
		rusable[i] = usable[n - 1 - i];
	}
	assert_int_equal(lb_maglev_build(b, size, rkeys, rw, rusable, n), 0);
	for (uint32_t s = 0; s < size; s++)
		assert_true(rkeys[b[s]] == keys[a[s]]);

	/* Different keys give a different table (the keys matter, not just the count). */
	keys[0] ^= 1;
	assert_int_equal(lb_maglev_build(b, size, keys, w, usable, n), 0);
	assert_memory_not_equal(a, b, sizeof(*a) * size);
	free(a);
	free(b);
}

static void
test_flow_hash(void **state)
{
	uint32_t size = 65537, n = 4, counts[4] = { 0 };
	uint32_t *table = table_new(size);
	uint64_t keys[4];
	bool usable[4] = { true, true, true, true };
	uint32_t h[1000];
	uint32_t src = 0xc0a80a05, dst = 0x0a000064;
	uint64_t pairs = 0, differ = 0;
	uint32_t base;

	(void)state;
	make_keys(keys, n);
	assert_int_equal(lb_maglev_build(table, size, keys, NULL, usable, n), 0);

	/* Identical inputs, identical hash. */
	base = lb_flow_hash(6, src, dst, 40000, 80, 12345);
	assert_int_equal(lb_flow_hash(6, src, dst, 40000, 80, 12345), base);
	/* Every field matters. */
	assert_int_not_equal(lb_flow_hash(17, src, dst, 40000, 80, 12345), base);
	assert_int_not_equal(lb_flow_hash(6, src + 1, dst, 40000, 80, 12345), base);
	assert_int_not_equal(lb_flow_hash(6, src, dst + 1, 40000, 80, 12345), base);
	assert_int_not_equal(lb_flow_hash(6, src, dst, 40001, 80, 12345), base);
	assert_int_not_equal(lb_flow_hash(6, src, dst, 40000, 81, 12345), base);
	assert_int_not_equal(lb_flow_hash(6, src, dst, 40000, 80, 12346), base);
	/* Swapped directions are distinct flows for the NLB (not a symmetric hash). */
	assert_int_not_equal(lb_flow_hash(6, dst, src, 80, 40000, 12345), base);

	/* Same 5-tuple, 1000 SYN sequence numbers. */
	for (uint32_t i = 0; i < 1000; i++) {
		h[i] = lb_flow_hash(6, src, dst, 40000, 80, i * 2654435761u);
		counts[table[h[i] % size]]++;
	}
	for (uint32_t i = 0; i < 1000; i++)
		for (uint32_t j = i + 1; j < 1000; j++) {
			pairs++;
			differ += h[i] != h[j];
		}
	assert_true(differ * 10 > pairs * 9);
	/* The target choice varies: every target is picked, none takes most flows. */
	for (uint32_t i = 0; i < n; i++)
		assert_in_range(counts[i], 150, 350);
	/* Consecutive sequence numbers too (a client's ISNs may be close). */
	memset(counts, 0, sizeof(counts));
	for (uint32_t i = 0; i < 1000; i++)
		counts[table[lb_flow_hash(6, src, dst, 40000, 80, 1000000 + i) % size]]++;
	for (uint32_t i = 0; i < n; i++)
		assert_in_range(counts[i], 150, 350);
	free(table);
}

/* The low bits of the hash (used modulo the table size) are balanced across source ports. */
static void
test_flow_hash_spread(void **state)
{
	uint32_t buckets[64] = { 0 };

	(void)state;
	for (uint32_t p = 0; p < 64000; p++) {
		uint32_t h = lb_flow_hash(17, 0x0a000001, 0x0a000002, (uint16_t)(1024 + p), 53, 0);

		buckets[h % 64]++;
	}
	for (int i = 0; i < 64; i++)
		assert_in_range(buckets[i], 1000 - 200, 1000 + 200);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_balance),
		cmocka_unit_test(test_disruption),
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_unusable),
		cmocka_unit_test(test_weights),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_flow_hash),
		cmocka_unit_test(test_flow_hash_spread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
