/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * LCU arithmetic and the LCU meter (dp/lcu.h): dimensions, seconds and hours, partial hours,
 * clock jumps, retention. Expected values are worked out by hand from the LCU table in SPEC §4.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dp/lcu.h"

#define EPS 1e-9
#define H LCU_MS_PER_HOUR

/* cmocka 1.1 compares floats only (24-bit mantissa): too coarse for 1.23456 or 4.5e9. */
#define assert_dbl_eq(a, b, eps) check_dbl((a), (b), (eps), #a, __FILE__, __LINE__)

static void
check_dbl(double a, double b, double eps, const char *expr, const char *file, int line)
{
	if (a - b <= eps && b - a <= eps)
		return;
	print_error("%s = %.17g, expected %.17g\n", expr, a, b);
	_fail(file, line);
}

static void
test_lcu_of(void **state)
{
	(void)state;
	/* NLB TCP: 800/s, 100,000, 1e9 B/h; each dimension dominating in turn. */
	assert_dbl_eq(lcu_of(LCU_NLB_TCP, 1600, 1000, 1e8), 2.0, EPS);
	assert_dbl_eq(lcu_of(LCU_NLB_TCP, 100, 250000, 1e8), 2.5, EPS);
	assert_dbl_eq(lcu_of(LCU_NLB_TCP, 100, 1000, 3e9), 3.0, EPS);
	/* NLB UDP: 400/s, 50,000. */
	assert_dbl_eq(lcu_of(LCU_NLB_UDP, 1000, 1000, 1e8), 2.5, EPS);
	assert_dbl_eq(lcu_of(LCU_NLB_UDP, 100, 150000, 1e8), 3.0, EPS);
	assert_dbl_eq(lcu_of(LCU_NLB_UDP, 100, 1000, 5e8), 0.5, EPS);
	/* GWLB: 600/s, 60,000. */
	assert_dbl_eq(lcu_of(LCU_GWLB, 1800, 1000, 1e8), 3.0, EPS);
	assert_dbl_eq(lcu_of(LCU_GWLB, 100, 90000, 1e8), 1.5, EPS);
	assert_dbl_eq(lcu_of(LCU_GWLB, 100, 1000, 2e9), 2.0, EPS);
	/* One usage, three kinds: the per-kind denominators differ. */
	assert_dbl_eq(lcu_of(LCU_NLB_TCP, 1200, 0, 0), 1.5, EPS);
	assert_dbl_eq(lcu_of(LCU_NLB_UDP, 1200, 0, 0), 3.0, EPS);
	assert_dbl_eq(lcu_of(LCU_GWLB, 1200, 0, 0), 2.0, EPS);
	assert_dbl_eq(lcu_of(LCU_NLB_TCP, 0, 300000, 0), 3.0, EPS);
	assert_dbl_eq(lcu_of(LCU_NLB_UDP, 0, 300000, 0), 6.0, EPS);
	assert_dbl_eq(lcu_of(LCU_GWLB, 0, 300000, 0), 5.0, EPS);
	assert_dbl_eq(lcu_of(LCU_GWLB, 0, 0, 0), 0.0, EPS);
}

struct dim_case {
	enum lcu_kind kind;
	uint64_t new_flows;   /* in one second */
	uint64_t active;
	uint64_t bytes;       /* in one second */
	double lcu_new, lcu_active, lcu_bytes, lcus;
};

/* One completed second per case; bytes x 3600 per hour. */
static const struct dim_case dim_cases[] = {
	{ LCU_NLB_TCP, 2000, 100000, 250000, 2.5, 1.0, 0.9, 2.5 },
	{ LCU_NLB_TCP, 400, 350000, 250000, 0.5, 3.5, 0.9, 3.5 },
	{ LCU_NLB_TCP, 400, 100000, 1250000, 0.5, 1.0, 4.5, 4.5 },
	{ LCU_NLB_UDP, 1000, 50000, 250000, 2.5, 1.0, 0.9, 2.5 },
	{ LCU_NLB_UDP, 200, 175000, 250000, 0.5, 3.5, 0.9, 3.5 },
	{ LCU_NLB_UDP, 200, 50000, 1250000, 0.5, 1.0, 4.5, 4.5 },
	{ LCU_GWLB, 1500, 60000, 250000, 2.5, 1.0, 0.9, 2.5 },
	{ LCU_GWLB, 300, 210000, 250000, 0.5, 3.5, 0.9, 3.5 },
	{ LCU_GWLB, 300, 60000, 1250000, 0.5, 1.0, 4.5, 4.5 },
};

static void
test_meter_dimensions(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(dim_cases) / sizeof(dim_cases[0]); i++) {
		const struct dim_case *c = &dim_cases[i];
		uint64_t t0 = 5 * H + 42000;   /* second 18042 */
		struct lcu_meter m;
		struct lcu_rate r;
		struct lcu_hour ph;

		lcu_meter_init(&m, c->kind, t0);
		lcu_meter_update(&m, t0 + 10, 7, 70, 1);
		/* Second 18043: the usage of the case, in two readings. */
		lcu_meter_update(&m, t0 + 1000, 7 + c->new_flows / 2, 70 + c->bytes / 2, c->active);
		lcu_meter_update(&m, t0 + 1999, 7 + c->new_flows, 70 + c->bytes, c->active / 2);
		lcu_meter_current(&m, &r);
		/* Second 18043 not complete yet: the current rate is second 18042's. */
		assert_dbl_eq(r.new_flows_per_s, 7, EPS);
		assert_int_equal(r.active_flows, 1);
		assert_dbl_eq(r.bytes_per_hour, 70 * 3600, EPS);

		lcu_meter_update(&m, t0 + 2000, 7 + c->new_flows, 70 + c->bytes, 5);
		lcu_meter_current(&m, &r);
		assert_dbl_eq(r.new_flows_per_s, (double)c->new_flows, EPS);
		assert_int_equal(r.active_flows, c->active);
		assert_dbl_eq(r.bytes_per_hour, (double)c->bytes * 3600, EPS);
		assert_dbl_eq(r.lcu_new_flows, c->lcu_new, EPS);
		assert_dbl_eq(r.lcu_active_flows, c->lcu_active, EPS);
		assert_dbl_eq(r.lcu_bytes, c->lcu_bytes, EPS);
		assert_dbl_eq(r.lcus, c->lcus, EPS);
		assert_dbl_eq(r.lcus, lcu_of(c->kind, r.new_flows_per_s, r.active_flows,
					     r.bytes_per_hour), EPS);

		/* The hour so far: peaks of the seconds, bytes as they are (not x 3600). */
		lcu_meter_partial_hour(&m, &ph);
		assert_int_equal(ph.hour_index, 5);
		assert_dbl_eq(ph.peak_new_flows_per_s, (double)c->new_flows, EPS);
		assert_int_equal(ph.peak_active_flows, c->active);
		assert_int_equal(ph.bytes, 70 + c->bytes);
		assert_dbl_eq(ph.lcus, lcu_of(c->kind, (double)c->new_flows, c->active,
					      70.0 + c->bytes), EPS);
	}
}

static void
test_before_first_second(void **state)
{
	struct lcu_meter m;
	struct lcu_rate r;
	struct lcu_hour h, hs[4];

	(void)state;
	lcu_meter_init(&m, LCU_NLB_TCP, 12 * H + 999);
	lcu_meter_current(&m, &r);
	assert_dbl_eq(r.lcus, 0, EPS);
	assert_int_equal(r.active_flows, 0);
	assert_int_equal(lcu_meter_hours(&m, hs, 4), 0);
	lcu_meter_partial_hour(&m, &h);
	assert_int_equal(h.hour_index, 12);
	assert_int_equal(h.bytes, 0);
	assert_dbl_eq(h.lcus, 0, EPS);

	/* Readings in the open second show in the partial hour but not in the current rate. */
	lcu_meter_update(&m, 12 * H + 999, 80, 1000, 20000);
	lcu_meter_current(&m, &r);
	assert_dbl_eq(r.lcus, 0, EPS);
	lcu_meter_partial_hour(&m, &h);
	assert_dbl_eq(h.peak_new_flows_per_s, 80, EPS);
	assert_int_equal(h.peak_active_flows, 20000);
	assert_dbl_eq(h.lcus, 0.2, EPS);
}

/* Several updates in one second add their deltas; the active count is the largest reading. */
static void
test_same_second(void **state)
{
	struct lcu_meter m;
	struct lcu_rate r;

	(void)state;
	lcu_meter_init(&m, LCU_NLB_UDP, 0);
	lcu_meter_update(&m, 100, 5, 500, 10);
	lcu_meter_update(&m, 400, 11, 1100, 30);
	lcu_meter_update(&m, 999, 18, 1800, 20);
	lcu_meter_update(&m, 1000, 18, 1800, 1);
	lcu_meter_current(&m, &r);
	assert_dbl_eq(r.new_flows_per_s, 18, EPS);
	assert_int_equal(r.active_flows, 30);
	assert_dbl_eq(r.bytes_per_hour, 1800.0 * 3600, EPS);
}

/* Second 0..3599 is hour 0; an hour closes when an update falls in a later hour. */
static void
test_hour_boundary(void **state)
{
	struct lcu_meter m;
	struct lcu_hour hs[4], ph;
	uint64_t flows = 0, bytes = 0;

	(void)state;
	lcu_meter_init(&m, LCU_NLB_TCP, 0);
	for (uint64_t s = 0; s < 3600; s++) {
		flows += s == 1234 ? 900 : 10;
		bytes += 1000;
		lcu_meter_update(&m, s * 1000 + 300, flows, bytes, s == 2000 ? 123456 : 5000);
	}
	/* Last millisecond of hour 0: still hour 0. */
	bytes += 1;
	lcu_meter_update(&m, H - 1, flows, bytes, 5000);
	assert_int_equal(lcu_meter_hours(&m, hs, 4), 0);
	lcu_meter_partial_hour(&m, &ph);
	assert_int_equal(ph.hour_index, 0);
	assert_int_equal(ph.bytes, 3600 * 1000 + 1);

	/* First millisecond of hour 1: hour 0 is complete, this reading belongs to hour 1. */
	flows += 801;
	bytes += 7;
	lcu_meter_update(&m, H, flows, bytes, 10);
	assert_int_equal(lcu_meter_hours(&m, hs, 4), 1);
	assert_int_equal(hs[0].hour_index, 0);
	assert_dbl_eq(hs[0].peak_new_flows_per_s, 900, EPS);
	assert_int_equal(hs[0].peak_active_flows, 123456);
	assert_int_equal(hs[0].bytes, 3600 * 1000 + 1);
	assert_dbl_eq(hs[0].lcus, 1.23456, EPS);   /* active dominates: 123456 / 1e5 */

	lcu_meter_partial_hour(&m, &ph);
	assert_int_equal(ph.hour_index, 1);
	assert_dbl_eq(ph.peak_new_flows_per_s, 801, EPS);
	assert_int_equal(ph.peak_active_flows, 10);
	assert_int_equal(ph.bytes, 7);
	assert_dbl_eq(ph.lcus, 801.0 / 800, EPS);
}

/* An hour the meter saw only part of (started, or stands, inside it) is billed as a full hour. */
static void
test_partial_hour(void **state)
{
	struct lcu_meter m;
	struct lcu_hour hs[4], ph;

	(void)state;
	lcu_meter_init(&m, LCU_GWLB, 7 * H + H / 2 + 500);    /* half way through hour 7 */
	lcu_meter_update(&m, 7 * H + H / 2 + 700, 60, 1000000000, 30000);
	lcu_meter_update(&m, 7 * H + H / 2 + 1500, 60, 1000000000, 30000);
	lcu_meter_partial_hour(&m, &ph);
	assert_int_equal(ph.hour_index, 7);
	assert_int_equal(ph.bytes, 1000000000);
	/* 1 GB in the (half, then ongoing) hour: 1 LCU, neither 0.5 nor 2. */
	assert_dbl_eq(ph.lcus, 1.0, EPS);
	assert_int_equal(ph.peak_active_flows, 30000);
	assert_dbl_eq(ph.peak_new_flows_per_s, 60, EPS);

	/* Same figures once hour 7 is complete. */
	lcu_meter_update(&m, 8 * H + 5, 60, 1000000000, 0);
	assert_int_equal(lcu_meter_hours(&m, hs, 4), 1);
	assert_int_equal(hs[0].hour_index, 7);
	assert_int_equal(hs[0].bytes, 1000000000);
	assert_dbl_eq(hs[0].lcus, 1.0, EPS);
	assert_int_equal(hs[0].peak_active_flows, 30000);

	/* Hour 8 has seen 5 ms with no usage: billed, at 0 LCU. */
	lcu_meter_partial_hour(&m, &ph);
	assert_int_equal(ph.hour_index, 8);
	assert_int_equal(ph.bytes, 0);
	assert_dbl_eq(ph.lcus, 0, EPS);
}

/*
 * No update during seconds 2..4: what was counted since 1.5 s is read at 5.2 s and belongs to
 * second 5; seconds 2..4 have no flows nor bytes and hold the last active reading.
 */
static void
test_jump_seconds(void **state)
{
	struct lcu_meter m;
	struct lcu_rate r;
	struct lcu_hour ph;

	(void)state;
	lcu_meter_init(&m, LCU_NLB_TCP, 1000);
	lcu_meter_update(&m, 1500, 10, 100, 7);
	lcu_meter_update(&m, 5200, 50, 500, 9);
	lcu_meter_current(&m, &r);   /* second 4, skipped */
	assert_dbl_eq(r.new_flows_per_s, 0, EPS);
	assert_dbl_eq(r.bytes_per_hour, 0, EPS);
	assert_int_equal(r.active_flows, 7);
	lcu_meter_partial_hour(&m, &ph);
	assert_dbl_eq(ph.peak_new_flows_per_s, 40, EPS);
	assert_int_equal(ph.peak_active_flows, 9);
	assert_int_equal(ph.bytes, 500);

	lcu_meter_update(&m, 6000, 50, 500, 3);
	lcu_meter_current(&m, &r);   /* second 5: the whole delta read at 5.2 s */
	assert_dbl_eq(r.new_flows_per_s, 40, EPS);
	assert_dbl_eq(r.bytes_per_hour, 400.0 * 3600, EPS);
	assert_int_equal(r.active_flows, 9);

	lcu_meter_update(&m, 7000, 50, 500, 3);
	lcu_meter_current(&m, &r);   /* second 6 */
	assert_dbl_eq(r.new_flows_per_s, 0, EPS);
	assert_int_equal(r.active_flows, 3);

	/* The held active count is the last reading, not the largest of the closed second. */
	lcu_meter_update(&m, 7100, 50, 500, 100);
	lcu_meter_update(&m, 7200, 50, 500, 2);
	lcu_meter_update(&m, 9500, 50, 500, 0);
	lcu_meter_current(&m, &r);   /* second 8, skipped after second 7's readings 100, 2 */
	assert_int_equal(r.active_flows, 2);
}

/*
 * Jump from hour 0 into hour 3: hour 0 closes with its own usage, hours 1 and 2 (no update) are
 * complete hours with no flows or bytes and the held active count, and the delta read in hour 3
 * belongs to hour 3.
 */
static void
test_jump_hours(void **state)
{
	struct lcu_meter m;
	struct lcu_hour hs[8], ph;
	struct lcu_rate r;

	(void)state;
	lcu_meter_init(&m, LCU_NLB_TCP, 0);
	lcu_meter_update(&m, H - 500, 800, 2000000000, 50000);
	lcu_meter_update(&m, 3 * H + 2500, 2400, 2500000000, 1000);
	assert_int_equal(lcu_meter_hours(&m, hs, 8), 3);
	assert_int_equal(hs[0].hour_index, 0);
	assert_dbl_eq(hs[0].peak_new_flows_per_s, 800, EPS);
	assert_int_equal(hs[0].peak_active_flows, 50000);
	assert_int_equal(hs[0].bytes, 2000000000);
	assert_dbl_eq(hs[0].lcus, 2.0, EPS);
	for (int i = 1; i <= 2; i++) {
		assert_int_equal(hs[i].hour_index, i);
		assert_dbl_eq(hs[i].peak_new_flows_per_s, 0, EPS);
		assert_int_equal(hs[i].peak_active_flows, 50000);
		assert_int_equal(hs[i].bytes, 0);
		assert_dbl_eq(hs[i].lcus, 0.5, EPS);
	}
	/* Hour 3: skipped seconds 10800, 10801 hold 50,000; second 10802 read 1600 new flows. */
	lcu_meter_partial_hour(&m, &ph);
	assert_int_equal(ph.hour_index, 3);
	assert_dbl_eq(ph.peak_new_flows_per_s, 1600, EPS);
	assert_int_equal(ph.peak_active_flows, 50000);
	assert_int_equal(ph.bytes, 500000000);
	assert_dbl_eq(ph.lcus, 2.0, EPS);
	lcu_meter_current(&m, &r);   /* second 10801, skipped */
	assert_dbl_eq(r.new_flows_per_s, 0, EPS);
	assert_int_equal(r.active_flows, 50000);
	assert_dbl_eq(r.lcus, 0.5, EPS);
}

/* A jump that lands on the first second of an hour: that hour has no skipped second. */
static void
test_jump_to_hour_start(void **state)
{
	struct lcu_meter m;
	struct lcu_hour hs[8], ph;

	(void)state;
	lcu_meter_init(&m, LCU_NLB_UDP, 0);
	lcu_meter_update(&m, 10, 1, 10, 40000);
	lcu_meter_update(&m, 2 * H, 2, 20, 100);
	assert_int_equal(lcu_meter_hours(&m, hs, 8), 2);
	assert_int_equal(hs[0].peak_active_flows, 40000);
	assert_dbl_eq(hs[0].peak_new_flows_per_s, 1, EPS);
	assert_int_equal(hs[1].hour_index, 1);
	assert_int_equal(hs[1].peak_active_flows, 40000);
	assert_dbl_eq(hs[1].lcus, 0.8, EPS);
	lcu_meter_partial_hour(&m, &ph);
	assert_int_equal(ph.hour_index, 2);
	assert_int_equal(ph.peak_active_flows, 100);
	assert_int_equal(ph.bytes, 10);
	assert_dbl_eq(ph.peak_new_flows_per_s, 1, EPS);

	/* A jump from the last second of an hour to the first of the next skips nothing. */
	lcu_meter_update(&m, 3 * H - 1, 2, 20, 5);
	lcu_meter_update(&m, 3 * H, 2, 20, 6);
	assert_int_equal(lcu_meter_hours(&m, hs, 8), 3);
	assert_int_equal(hs[2].hour_index, 2);
	assert_int_equal(hs[2].peak_active_flows, 100);
}

/* A jump over more hours than are kept costs little and keeps the latest 48, in order. */
static void
test_jump_far(void **state)
{
	struct lcu_meter m;
	struct lcu_hour hs[LCU_HOURS_KEPT + 8], ph;
	uint64_t epoch_ms = 1700000000000ull;   /* Nov 2023: hour 472222 */
	unsigned int n;

	(void)state;
	lcu_meter_init(&m, LCU_GWLB, 0);
	lcu_meter_update(&m, 500, 3, 3000, 6000);
	lcu_meter_update(&m, epoch_ms, 9, 9000, 12000);
	n = lcu_meter_hours(&m, hs, LCU_HOURS_KEPT + 8);
	assert_int_equal(n, LCU_HOURS_KEPT);
	for (unsigned int i = 0; i < n; i++) {
		assert_int_equal(hs[i].hour_index, epoch_ms / H - LCU_HOURS_KEPT + i);
		assert_int_equal(hs[i].peak_active_flows, 6000);
		assert_int_equal(hs[i].bytes, 0);
		assert_dbl_eq(hs[i].lcus, 0.1, EPS);
	}
	lcu_meter_partial_hour(&m, &ph);
	assert_int_equal(ph.hour_index, epoch_ms / H);
	assert_int_equal(ph.bytes, 6000);
	assert_int_equal(ph.peak_active_flows, 12000);   /* 6000 held in earlier seconds */
	assert_dbl_eq(ph.peak_new_flows_per_s, 6, EPS);
}

/* Hour by hour for 60 hours: the latest 48 are kept; max limits to the most recent ones. */
static void
test_retention(void **state)
{
	struct lcu_meter m;
	struct lcu_hour hs[64];
	uint64_t bytes = 0;
	unsigned int n;

	(void)state;
	lcu_meter_init(&m, LCU_NLB_TCP, 0);
	for (uint64_t h = 0; h <= 60; h++) {
		bytes += (h + 1) * 1000000;
		lcu_meter_update(&m, h * H + 1000, h, bytes, h);
	}
	/* Hours 0..59 complete; 12..59 kept. */
	n = lcu_meter_hours(&m, hs, 64);
	assert_int_equal(n, LCU_HOURS_KEPT);
	for (unsigned int i = 0; i < n; i++) {
		uint64_t h = 12 + i;

		assert_int_equal(hs[i].hour_index, h);
		assert_int_equal(hs[i].bytes, (h + 1) * 1000000);
		assert_int_equal(hs[i].peak_active_flows, h);
		assert_dbl_eq(hs[i].peak_new_flows_per_s, h == 0 ? 0 : 1, EPS);
	}
	n = lcu_meter_hours(&m, hs, 3);
	assert_int_equal(n, 3);
	assert_int_equal(hs[0].hour_index, 57);
	assert_int_equal(hs[2].hour_index, 59);
	assert_int_equal(lcu_meter_hours(&m, hs, 0), 0);
}

/* The clock going back is the clock standing still; counters going back restarted from 0. */
static void
test_backwards(void **state)
{
	struct lcu_meter m;
	struct lcu_rate r;

	(void)state;
	lcu_meter_init(&m, LCU_NLB_TCP, 0);
	lcu_meter_update(&m, 5500, 100, 1000, 1);
	lcu_meter_update(&m, 4200, 130, 1300, 2);
	lcu_meter_update(&m, 6000, 130, 1300, 2);
	lcu_meter_current(&m, &r);   /* second 5 */
	assert_dbl_eq(r.new_flows_per_s, 130, EPS);
	assert_dbl_eq(r.bytes_per_hour, 1300.0 * 3600, EPS);
	assert_int_equal(r.active_flows, 2);

	/* Counters reset to 0, then 20 flows and 200 bytes. */
	lcu_meter_update(&m, 6500, 20, 200, 2);
	lcu_meter_update(&m, 7000, 25, 250, 2);
	lcu_meter_current(&m, &r);   /* second 6 */
	assert_dbl_eq(r.new_flows_per_s, 20, EPS);
	assert_dbl_eq(r.bytes_per_hour, 200.0 * 3600, EPS);

	/* Rebase: totals accumulated before the meter started are not counted. */
	lcu_meter_init(&m, LCU_NLB_TCP, 0);
	lcu_meter_rebase(&m, 1000000, 999999999);
	lcu_meter_update(&m, 10, 1000005, 1000000009, 0);
	lcu_meter_update(&m, 1000, 1000005, 1000000009, 0);
	lcu_meter_current(&m, &r);
	assert_dbl_eq(r.new_flows_per_s, 5, EPS);
	assert_dbl_eq(r.bytes_per_hour, 10.0 * 3600, EPS);
}

/* A replay: the same update sequence gives the same figures, bit for bit. */
static void
test_replay(void **state)
{
	struct lcu_meter a, b;
	struct lcu_hour ha[LCU_HOURS_KEPT], hb[LCU_HOURS_KEPT], pa, pb;
	struct lcu_rate ra, rb;
	uint64_t x = 88172645463325252ull, t = 123456789, nf = 0, by = 0;

	(void)state;
	lcu_meter_init(&a, LCU_NLB_UDP, t);
	lcu_meter_init(&b, LCU_NLB_UDP, t);
	for (int i = 0; i < 20000; i++) {
		/* xorshift: irregular steps from 0 ms to ~20 min, some counts. */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		t += (x % 8 == 0) ? x % 1200000 : x % 1500;
		nf += x % 50;
		by += x % 100000;
		lcu_meter_update(&a, t, nf, by, x % 70000);
		lcu_meter_update(&b, t, nf, by, x % 70000);
	}
	assert_int_equal(lcu_meter_hours(&a, ha, LCU_HOURS_KEPT),
			 lcu_meter_hours(&b, hb, LCU_HOURS_KEPT));
	assert_memory_equal(ha, hb, sizeof(ha));
	lcu_meter_current(&a, &ra);
	lcu_meter_current(&b, &rb);
	assert_memory_equal(&ra, &rb, sizeof(ra));
	lcu_meter_partial_hour(&a, &pa);
	lcu_meter_partial_hour(&b, &pb);
	assert_memory_equal(&pa, &pb, sizeof(pa));
	/* Every byte lands in exactly one hour. */
	{
		struct lcu_meter c;
		struct lcu_hour hc[LCU_HOURS_KEPT], pc;
		uint64_t sum = 0;
		unsigned int n;

		lcu_meter_init(&c, LCU_NLB_UDP, 0);
		for (uint64_t s = 0; s < 40; s++) {
			uint64_t t = s * (H / 7) + (s * 7919) % 1000;

			lcu_meter_update(&c, t, s * s, s * s * 1000, s);
		}
		n = lcu_meter_hours(&c, hc, LCU_HOURS_KEPT);
		for (unsigned int i = 0; i < n; i++)
			sum += hc[i].bytes;
		lcu_meter_partial_hour(&c, &pc);
		assert_int_equal(sum + pc.bytes, 39 * 39 * 1000);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lcu_of),
		cmocka_unit_test(test_meter_dimensions),
		cmocka_unit_test(test_before_first_second),
		cmocka_unit_test(test_same_second),
		cmocka_unit_test(test_hour_boundary),
		cmocka_unit_test(test_partial_hour),
		cmocka_unit_test(test_jump_seconds),
		cmocka_unit_test(test_jump_hours),
		cmocka_unit_test(test_jump_to_hour_start),
		cmocka_unit_test(test_jump_far),
		cmocka_unit_test(test_retention),
		cmocka_unit_test(test_backwards),
		cmocka_unit_test(test_replay),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
