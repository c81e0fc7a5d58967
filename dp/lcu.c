/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * LCU meter: cumulative counters → per-second and per-hour usage. See lcu.h for the rules.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dp/lcu.h"

#define S_PER_HOUR (LCU_MS_PER_HOUR / LCU_MS_PER_S)

struct lcu_dims {
	double new_flows_per_s;
	double active_flows;
};

static const struct lcu_dims lcu_dims[] = {
	[LCU_NLB_TCP] = { 800, 100000 },
	[LCU_NLB_UDP] = { 400, 50000 },
	[LCU_GWLB] = { 600, 60000 },
};

static inline uint64_t
max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static inline double
max_d(double a, double b)
{
	return a > b ? a : b;
}

static const struct lcu_dims *
dims_of(enum lcu_kind kind)
{
	/* An out-of-range kind is a caller bug: bill it as the strictest (UDP), do not crash. */
	if ((unsigned int)kind >= sizeof(lcu_dims) / sizeof(lcu_dims[0]))
		kind = LCU_NLB_UDP;
	return &lcu_dims[kind];
}

double
lcu_of(enum lcu_kind kind, double new_flows_per_s, uint64_t active_flows, double bytes_per_hour)
{
	const struct lcu_dims *d = dims_of(kind);

	return max_d(max_d(new_flows_per_s / d->new_flows_per_s,
			   (double)active_flows / d->active_flows),
		     bytes_per_hour / LCU_BYTES_PER_HOUR);
}

static void
hour_fill(const struct lcu_meter *m, struct lcu_hour *h, uint64_t index, uint64_t peak_new,
	  uint64_t peak_active, uint64_t bytes)
{
	h->hour_index = index;
	h->peak_new_flows_per_s = (double)peak_new;
	h->peak_active_flows = peak_active;
	h->bytes = bytes;
	h->lcus = lcu_of(m->kind, (double)peak_new, peak_active, (double)bytes);
}

static void
hours_push(struct lcu_meter *m, uint64_t index, uint64_t peak_new, uint64_t peak_active,
	   uint64_t bytes)
{
	unsigned int slot;

	if (m->hours_count < LCU_HOURS_KEPT) {
		slot = (m->hours_head + m->hours_count) % LCU_HOURS_KEPT;
		m->hours_count++;
	} else {
		slot = m->hours_head;
		m->hours_head = (m->hours_head + 1) % LCU_HOURS_KEPT;
	}
	hour_fill(m, &m->hours[slot], index, peak_new, peak_active, bytes);
}

/*
 * Close the open hour and open hour `to` (> hour_index). Hours strictly between saw only skipped
 * seconds: no flows, no bytes, gap_active flows held. Only the last LCU_HOURS_KEPT matter.
 */
static void
hour_advance(struct lcu_meter *m, uint64_t to, uint64_t gap_active)
{
	uint64_t h;

	hours_push(m, m->hour_index, m->hour_peak_new_flows, m->hour_peak_active, m->hour_bytes);
	h = m->hour_index + 1;
	if (to - h > LCU_HOURS_KEPT)
		h = to - LCU_HOURS_KEPT;
	for (; h < to; h++)
		hours_push(m, h, 0, gap_active, 0);
	m->hour_index = to;
	m->hour_peak_new_flows = 0;
	m->hour_peak_active = 0;
	m->hour_bytes = 0;
}

/* Fold one completed second, which lies in the open hour, into it. */
static void
second_close(struct lcu_meter *m, uint64_t index, uint64_t new_flows, uint64_t bytes,
	     uint64_t active)
{
	m->hour_peak_new_flows = max_u64(m->hour_peak_new_flows, new_flows);
	m->hour_peak_active = max_u64(m->hour_peak_active, active);
	m->hour_bytes += bytes;
	m->last_valid = true;
	m->last_index = index;
	m->last_new_flows = new_flows;
	m->last_bytes = bytes;
	m->last_active = active;
}

void
lcu_meter_init(struct lcu_meter *m, enum lcu_kind kind, uint64_t now_ms)
{
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->sec_index = now_ms / LCU_MS_PER_S;
	m->hour_index = m->sec_index / S_PER_HOUR;
}

void
lcu_meter_rebase(struct lcu_meter *m, uint64_t new_flows_total, uint64_t bytes_total)
{
	m->base_new_flows = new_flows_total;
	m->base_bytes = bytes_total;
}

/* Close the open second and every skipped one before second t (> sec_index); open t. */
static void
seconds_advance(struct lcu_meter *m, uint64_t t)
{
	uint64_t s = m->sec_index, held = m->held_active;

	second_close(m, s, m->sec_new_flows, m->sec_bytes, m->sec_read ? m->sec_active : held);
	if (t - s > 1) {
		/* Skipped seconds s+1 .. t-1: held active flows, nothing else. */
		if ((s + 1) / S_PER_HOUR != m->hour_index)
			hour_advance(m, (s + 1) / S_PER_HOUR, held);
		m->hour_peak_active = max_u64(m->hour_peak_active, held);
		if ((t - 1) / S_PER_HOUR != m->hour_index)
			hour_advance(m, (t - 1) / S_PER_HOUR, held);
		second_close(m, t - 1, 0, 0, held);
	}
	if (t / S_PER_HOUR != m->hour_index)
		hour_advance(m, t / S_PER_HOUR, held);
	m->sec_index = t;
	m->sec_new_flows = 0;
	m->sec_bytes = 0;
	m->sec_active = 0;
	m->sec_read = false;
}

void
lcu_meter_update(struct lcu_meter *m, uint64_t now_ms, uint64_t new_flows_total,
		 uint64_t bytes_total, uint64_t active_flows)
{
	uint64_t t = now_ms / LCU_MS_PER_S;

	if (t > m->sec_index)
		seconds_advance(m, t);
	/* else: same second, or the clock went back and is taken as standing still. */

	m->sec_new_flows += new_flows_total >= m->base_new_flows ?
		new_flows_total - m->base_new_flows : new_flows_total;
	m->sec_bytes += bytes_total >= m->base_bytes ? bytes_total - m->base_bytes : bytes_total;
	m->base_new_flows = new_flows_total;
	m->base_bytes = bytes_total;
	m->sec_active = m->sec_read ? max_u64(m->sec_active, active_flows) : active_flows;
	m->sec_read = true;
	m->held_active = active_flows;
}

void
lcu_meter_current(const struct lcu_meter *m, struct lcu_rate *out)
{
	const struct lcu_dims *d = dims_of(m->kind);

	memset(out, 0, sizeof(*out));
	if (!m->last_valid)
		return;
	out->new_flows_per_s = (double)m->last_new_flows;
	out->active_flows = m->last_active;
	out->bytes_per_hour = (double)m->last_bytes * S_PER_HOUR;
	out->lcu_new_flows = out->new_flows_per_s / d->new_flows_per_s;
	out->lcu_active_flows = (double)out->active_flows / d->active_flows;
	out->lcu_bytes = out->bytes_per_hour / LCU_BYTES_PER_HOUR;
	out->lcus = max_d(max_d(out->lcu_new_flows, out->lcu_active_flows), out->lcu_bytes);
}

unsigned int
lcu_meter_hours(const struct lcu_meter *m, struct lcu_hour *out, unsigned int max)
{
	unsigned int n = m->hours_count < max ? m->hours_count : max;
	unsigned int skip = m->hours_count - n;

	for (unsigned int i = 0; i < n; i++)
		out[i] = m->hours[(m->hours_head + skip + i) % LCU_HOURS_KEPT];
	return n;
}

void
lcu_meter_partial_hour(const struct lcu_meter *m, struct lcu_hour *out)
{
	uint64_t peak_new = m->hour_peak_new_flows, peak_active = m->hour_peak_active;

	/* The open second is in the open hour: count what it has so far. */
	peak_new = max_u64(peak_new, m->sec_new_flows);
	peak_active = max_u64(peak_active, m->sec_read ? m->sec_active : m->held_active);
	hour_fill(m, out, m->hour_index, peak_new, peak_active, m->hour_bytes + m->sec_bytes);
}
