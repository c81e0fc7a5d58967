/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Load balancer capacity units (SPEC §4 "LCU counters") for NLB and GWLB.
 *
 * One LCU is, per dimension:
 *
 *               new flows/s   active flows   processed bytes
 *   NLB TCP         800         100,000        1e9 per hour
 *   NLB UDP         400          50,000        1e9 per hour
 *   GWLB            600          60,000        1e9 per hour
 *
 * and the LCUs consumed are the largest of the three ratios (fractional, not rounded).
 *
 * A struct lcu_meter turns cumulative counters into per-second and per-hour usage. It reads no
 * clock: the caller passes a millisecond time (TSC time or, with --clock packet, packet time), so
 * a replayed capture gives the same figures on every run. Second s covers [1000 s, 1000 s + 1000)
 * ms of that clock and hour h covers [3600000 h, 3600000 (h + 1)) ms.
 *
 * Attribution (exact, and a function of the sequence of update() arguments only):
 *
 *  - Each update reads counter deltas: new flows and bytes since the previous update (the
 *    baseline is zero at lcu_meter_init(), see lcu_meter_rebase()). The whole delta belongs to the
 *    second that contains now_ms, the second in which it was read, however long ago the previous
 *    update was. Several updates in one second add up.
 *  - A second's active flow count is the largest active_flows reading taken during it.
 *  - A second with no update (skipped: the control loop stalled, or the packet clock jumped over
 *    a gap in a capture) has zero new flows and zero bytes, and its active flow count is the last
 *    reading before it (a gauge holds its value until read again; 0 before the first reading).
 *    Whole hours skipped that way are recorded as completed hours with those values.
 *  - A second is complete once an update falls in a later second; an hour once an update falls
 *    in a later hour. Everything is closed in time order by the update that passes the boundary.
 *  - A clock that goes backwards is taken as standing still: the delta joins the open second.
 *  - A cumulative counter that goes backwards is taken as restarted from zero: its delta is the
 *    new total.
 *
 * Current rate (lcu_meter_current()): the last completed second; bytes per hour is that second's
 * bytes x 3600. All zero until a second has completed.
 *
 * Hour as billed: the largest per-second new flow count in the hour, the largest per-second
 * active flow count, and the hour's total bytes (per hour, so / 1e9 LCU); LCUs = the largest
 * ratio. A partial hour (the meter started, or stands, inside it) counts as a full hour: its
 * usage so far is billed, not prorated nor extrapolated.
 *
 * Threads: one writer (the control thread); readers on other threads must copy the struct under
 * the caller's own lock. Skipping over n hours costs O(min(n, LCU_HOURS_KEPT)).
 */
#ifndef VPCGW_DP_LCU_H
#define VPCGW_DP_LCU_H

#include <stdbool.h>
#include <stdint.h>

/* Completed hours the meter keeps (the oldest are dropped). */
#define LCU_HOURS_KEPT 48

#define LCU_MS_PER_S 1000ull
#define LCU_MS_PER_HOUR 3600000ull
/* Bytes per hour in one LCU (1 GB, decimal). */
#define LCU_BYTES_PER_HOUR 1e9

enum lcu_kind {
	LCU_NLB_TCP,
	LCU_NLB_UDP,
	LCU_GWLB,
};

struct lcu_rate {
	double new_flows_per_s;
	uint64_t active_flows;
	double bytes_per_hour;
	double lcu_new_flows;
	double lcu_active_flows;
	double lcu_bytes;
	double lcus;               /* max of the three */
};

struct lcu_hour {
	uint64_t hour_index;       /* now_ms / 3600000 */
	double peak_new_flows_per_s;
	uint64_t peak_active_flows;
	uint64_t bytes;
	double lcus;
};

/* Caller-allocated; all fields private to lcu.c. */
struct lcu_meter {
	enum lcu_kind kind;
	/* Cumulative totals at the previous update (the delta baseline). */
	uint64_t base_new_flows;
	uint64_t base_bytes;
	uint64_t held_active;      /* latest active_flows reading */

	/* The open second. */
	uint64_t sec_index;
	uint64_t sec_new_flows;
	uint64_t sec_bytes;
	uint64_t sec_active;
	bool sec_read;             /* an update fell in it (else sec_active is not meaningful) */

	/* The last completed second. */
	bool last_valid;
	uint64_t last_index;
	uint64_t last_new_flows;
	uint64_t last_bytes;
	uint64_t last_active;

	/* The open hour, completed seconds only. */
	uint64_t hour_index;
	uint64_t hour_peak_new_flows;
	uint64_t hour_peak_active;
	uint64_t hour_bytes;

	/* Completed hours, a ring: the oldest at hours[hours_head]. */
	struct lcu_hour hours[LCU_HOURS_KEPT];
	unsigned int hours_head;
	unsigned int hours_count;
};

/** LCUs for a usage: max(new_flows_per_s / F, active_flows / A, bytes_per_hour / 1e9). */
double
lcu_of(enum lcu_kind kind, double new_flows_per_s, uint64_t active_flows, double bytes_per_hour);

/** Start metering at now_ms: the open second and hour are those of now_ms, delta baselines 0. */
void
lcu_meter_init(struct lcu_meter *m, enum lcu_kind kind, uint64_t now_ms);

/**
 * Set the delta baselines to the given totals without counting them, e.g. when the meter starts
 * after the counters did, or after a listener's counters were cleared.
 */
void
lcu_meter_rebase(struct lcu_meter *m, uint64_t new_flows_total, uint64_t bytes_total);

/**
 * Feed cumulative totals and the current active flow count read at now_ms; closes every second
 * and hour that ended before now_ms (see the attribution rules above).
 */
void
lcu_meter_update(struct lcu_meter *m, uint64_t now_ms, uint64_t new_flows_total,
		 uint64_t bytes_total, uint64_t active_flows);

/** Usage and LCUs of the last completed second (all zero before the first one completes). */
void
lcu_meter_current(const struct lcu_meter *m, struct lcu_rate *out);

/**
 * Copy up to max completed hours, the most recent last (the latest max of them when more are
 * kept).
 *
 * @return the number copied.
 */
unsigned int
lcu_meter_hours(const struct lcu_meter *m, struct lcu_hour *out, unsigned int max);

/**
 * The open hour as billed so far, including the open second's usage up to the last update (its
 * new flows so far count as that second's rate). Counts as a full hour.
 */
void
lcu_meter_partial_hour(const struct lcu_meter *m, struct lcu_hour *out);

#endif /* VPCGW_DP_LCU_H */
