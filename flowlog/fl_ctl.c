/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VPC flow logs, the control side (docs/ARCHITECTURE.md "Flow logs"):
 * drains the workers' record rings (dp/dp_flowlog.h), reads accepted
 * traffic from the flows' own counters, aggregates per flow log over its
 * interval by the dp clock (capture time under --clock packet) and writes
 * AWS's text format, one file per log and hour. Control thread only, but
 * flow_deleted (the lcore that deletes a flow: into its ring).
 *
 * Accepted traffic costs the packet path nothing: at each interval's end
 * the control thread walks the flow table and logs, per flow and
 * direction, what its counters gained since the last walk (fl_seen, one
 * per flow slot); a flow deleted in between hands its final counters over
 * in a FLOW_END record. Rejects are recorded per packet where fw/ decides
 * them, and summed here.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "dp/dp.h"
#include "dp/dp_flow.h"
#include "dp/dp_flowlog.h"
#include "flowlog/fl.h"
#include "flowlog/fl_agg.h"
#include "flowlog/fl_format.h"

#define FL_TICK_S 60            /* every interval (60, 600) is a multiple */

struct fl_log {
	struct cfg_flow_log c;      /* a copy: the tables it came with may go */
	struct fl_agg agg;
	uint64_t win_start;         /* Unix s; the window is [win_start, + interval) */
	FILE *fp;
	uint64_t fp_hour;           /* Unix hour of fp's file */
	uint64_t written;           /* lines written */
	uint64_t windows;
};

/* What the last walk saw of a flow slot's counters. */
struct fl_seen {
	struct dp_flow_key k0;
	uint64_t created;
	uint64_t pkts[2], bytes[2];
};

static struct {
	struct fl_log *logs;
	int n_logs;
	struct fl_seen *seen;       /* per flow slot, while logs exist */
	uint32_t n_seen;
	int64_t offset_ms;          /* Unix ms - dp clock ms */
	uint64_t next_tick;         /* Unix s of the next walk */
	uint64_t skipped_seen;      /* rings' skipped counts at the last window */
	uint64_t skip_window;       /* skipped since the last window's lines */
	struct fl_stats st;
	const struct cfg *cfg;      /* of the published tables */
} fl;

/* per log, by index (the first FL_STATS_LOGS): what telemetry reads
 * without touching fl.logs, which a reload frees */
static struct fl_log_stats fl_ls[FL_STATS_LOGS];
static char fl_names[FL_STATS_LOGS][CFG_NAME_MAX];
static int fl_ls_n;

const struct fl_stats *
fl_stats(void)
{
	return &fl.st;
}

int
fl_n_logs(void)
{
	return __atomic_load_n(&fl_ls_n, __ATOMIC_RELAXED);
}

struct fl_log_stats
fl_log_stats(int i)
{
	return (struct fl_log_stats){ .name = fl_names[i],
		.written = __atomic_load_n(&fl_ls[i].written, __ATOMIC_RELAXED),
		.windows = __atomic_load_n(&fl_ls[i].windows, __ATOMIC_RELAXED) };
}

static void
count(uint64_t *c)
{
	__atomic_store_n(c, *c + 1, __ATOMIC_RELAXED);
}

/* ------------------------------------------------------------ where */

/* The subnet holding host-order address a, or -1. */
static int
subnet_of(uint32_t a)
{
	const struct cfg *c = fl.cfg;

	for (int i = 0; i < c->n_subnets; i++) {
		uint32_t m = c->subnets[i].cidr.len ? UINT32_MAX << (32 - c->subnets[i].cidr.len) : 0;

		if ((a & m) == c->subnets[i].cidr.addr)
			return i;
	}
	return -1;
}

static bool
log_covers(const struct fl_log *l, uint32_t a, int sn)
{
	switch (l->c.resource) {
	case CFG_FL_VPC:
		return sn >= 0;
	case CFG_FL_SUBNET:
		return sn == l->c.subnet;
	default:
		return a == l->c.eni_addr;
	}
}

/* r (iface, addresses, ports, counts set) into every log that covers its
 * interface and action. */
static void
emit(struct fl_record *r)
{
	const struct cfg *c = fl.cfg;
	int sn = subnet_of(r->iface);
	uint32_t vm = c->vpc_cidr.len ? UINT32_MAX << (32 - c->vpc_cidr.len) : 0;

	if (sn < 0)
		return;
	if (r->proto != IPPROTO_TCP && r->proto != IPPROTO_UDP)
		r->sport = r->dport = 0;
	r->vpc = c->vpc_cidr.addr;
	r->subnet = c->subnets[sn].cidr.addr;
	if (r->egress && !r->traffic_path)
		r->traffic_path = (r->dst & vm) == c->vpc_cidr.addr ? 1 : 8;
	for (int i = 0; i < fl.n_logs; i++) {
		struct fl_log *l = &fl.logs[i];

		if (!(r->accept ? l->c.accept : l->c.reject) || !log_covers(l, r->iface, sn))
			continue;
		if (fl_agg_add(&l->agg, r) < 0)
			count(&fl.st.nomem);
	}
}

/* ------------------------------------------------------------ accepted */

static uint8_t
tcp_flags_of(uint8_t state, int d, bool first)
{
	uint8_t x = 0;

	if (first)
		x |= d == 0 ? FW_CT_TCP_F_SYN : state >= FW_CT_TCP_SYN_RECV ?
			FW_CT_TCP_F_SYN | FW_CT_TCP_F_ACK : 0;
	if (state == FW_CT_TCP_TIME_WAIT ||
	    state == (d == 0 ? FW_CT_TCP_FIN_WAIT_ORIG : FW_CT_TCP_FIN_WAIT_REPLY))
		x |= FW_CT_TCP_F_FIN;
	return x;
}

/* A flow's direction d gained pkts/bytes: its lines at both ends that are
 * interfaces of a subnet. key: the flow's keys; times dp ms. */
static void
accepted(const struct dp_flow_key *key, int d, uint64_t pkts, uint64_t bytes,
	 uint64_t created, uint64_t last, uint8_t state, int kind)
{
	uint64_t w0 = fl.next_tick - FL_TICK_S;
	uint64_t start = (uint64_t)((int64_t)created + fl.offset_ms) / 1000;
	uint64_t end = (uint64_t)((int64_t)last + fl.offset_ms) / 1000;
	bool first = start >= w0;

	start = RTE_MAX(start, w0);
	end = RTE_MAX(end, start);
	for (int side = 0; side < 2; side++) {
		const struct dp_flow_key *k = &key[side];
		/* side 0 sends direction 0, side 1 direction 1 */
		bool out = side == d;
		struct fl_record r = {
			.iface = rte_be_to_cpu_32(k->src), .proto = k->proto, .accept = 1,
			.egress = out, .packets = pkts, .bytes = bytes, .start = start, .end = end,
		};

		if (side == 1 && k->src == key[0].src)
			continue;
		r.src = rte_be_to_cpu_32(out ? k->src : k->dst);
		r.dst = rte_be_to_cpu_32(out ? k->dst : k->src);
		r.sport = rte_be_to_cpu_16(out ? k->sport : k->dport);
		r.dport = rte_be_to_cpu_16(out ? k->dport : k->sport);
		if (k->proto == IPPROTO_TCP)
			r.tcp_flags = tcp_flags_of(state, d, first);
		if (out && kind == DP_FLOW_NAT)
			r.traffic_path = 1;     /* to the NAT gateway, in the VPC */
		emit(&r);
	}
}

/* What flow slot idx counted beyond what the last walk saw. */
static void
flow_delta(uint32_t idx, const struct dp_flow_key *key, uint64_t created, uint64_t last,
	   const uint64_t *pkts, const uint64_t *bytes, uint8_t state, int kind)
{
	struct fl_seen *s = &fl.seen[idx];

	if (key[0].zone != 0)
		return;                 /* IPv6: not yet (docs/config.md) */
	if (s->created != created || memcmp(&s->k0, &key[0], sizeof(s->k0)) != 0) {
		memset(s, 0, sizeof(*s));
		s->k0 = key[0];
		s->created = created;
	}
	for (int d = 0; d < 2; d++) {
		if (pkts[d] <= s->pkts[d])
			continue;
		accepted(key, d, pkts[d] - s->pkts[d], bytes[d] - s->bytes[d], created, last,
			 state, kind);
		s->pkts[d] = pkts[d];
		s->bytes[d] = bytes[d];
	}
}

static void
walk_one(const struct dp_flow *f, void *arg)
{
	const struct dp_flow_cnt *c = dp_flow_cnt_of(f);
	uint64_t p[2], b[2];

	if (__atomic_load_n(&f->flags, __ATOMIC_RELAXED) & DP_FLOW_F_DEAD)
		return;                 /* its FLOW_END record (or the next walk) has it */
	for (int d = 0; d < 2; d++) {
		p[d] = __atomic_load_n(&c->pkts[d], __ATOMIC_RELAXED);
		b[d] = __atomic_load_n(&c->bytes[d], __ATOMIC_RELAXED);
	}
	flow_delta(dp_flow_index(f), f->key, dp_flow_created_ms(f),
		   __atomic_load_n(&f->last_ms, __ATOMIC_RELAXED), p, b,
		   __atomic_load_n(&f->tcp_state, __ATOMIC_RELAXED), f->kind);
}

/* ------------------------------------------------------------ records */

static void
rejected(const struct dp_flowlog_rec *x)
{
	uint64_t t = (uint64_t)((int64_t)x->ms + fl.offset_ms) / 1000;
	bool out = x->type == DP_FL_REJECT_EGRESS;
	struct fl_record r = {
		.src = rte_be_to_cpu_32(x->key[0].src), .dst = rte_be_to_cpu_32(x->key[0].dst),
		.sport = rte_be_to_cpu_16(x->key[0].sport),
		.dport = rte_be_to_cpu_16(x->key[0].dport), .proto = x->key[0].proto,
		.egress = out, .tcp_flags = x->tcp_flags, .packets = 1, .bytes = x->len,
		.start = t, .end = t,
	};

	r.iface = out ? r.src : r.dst;
	emit(&r);
}

static void
drain(void)
{
	struct dp_flowlog_rec b[32];
	uint64_t skipped = 0;
	unsigned lc, n;

	RTE_LCORE_FOREACH(lc) {
		struct dp_flowlog_ring *q = &dp_flowlog_rings[lc];

		if (q->r == NULL)
			continue;
		skipped += __atomic_load_n(&q->skipped, __ATOMIC_RELAXED);
		while ((n = rte_ring_sc_dequeue_burst_elem(q->r, b, sizeof(b[0]), RTE_DIM(b),
							   NULL)) != 0) {
			for (unsigned i = 0; i < n; i++) {
				count(&fl.st.records);
				if (fl.n_logs == 0)
					continue;
				if (b[i].type == DP_FL_FLOW_END)
					flow_delta(b[i].idx, b[i].key, b[i].ms, b[i].last_ms, b[i].pkts,
						   b[i].bytes, b[i].tcp_state, b[i].kind);
				else
					rejected(&b[i]);
			}
		}
	}
	if (skipped > fl.skipped_seen) {
		fl.skip_window += skipped - fl.skipped_seen;
		__atomic_store_n(&fl.st.skipped, skipped, __ATOMIC_RELAXED);
		fl.skipped_seen = skipped;
	}
}

/* ------------------------------------------------------------ files */

static int
open_hour(struct fl_log *l, uint64_t hour)
{
	char path[CFG_FL_PATH_MAX + CFG_NAME_MAX + 64], hdr[512];
	time_t t = (time_t)(hour * 3600);
	struct tm tm;
	long pos;

	if (l->fp != NULL && l->fp_hour == hour)
		return 0;
	if (l->fp != NULL)
		fclose(l->fp);
	gmtime_r(&t, &tm);
	snprintf(path, sizeof(path), "%s/%s-%04d%02d%02dT%02dZ.log", l->c.dir, l->c.name,
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour);
	l->fp = fopen(path, "a");
	if (l->fp == NULL) {
		count(&fl.st.write_errors);
		return -1;
	}
	l->fp_hour = hour;
	pos = ftell(l->fp);
	if (pos == 0) {
		fl_format_header(l->c.fields, l->c.n_fields, hdr, sizeof(hdr));
		fprintf(l->fp, "%s\n", hdr);
	}
	return 0;
}

static void
write_line(struct fl_log *l, const struct fl_record *r)
{
	char line[1024];

	if (fl_record_line(r, &l->c, line, sizeof(line)) < 0 || fputs(line, l->fp) < 0) {
		count(&fl.st.write_errors);
		return;
	}
	l->written++;
	if (l - fl.logs < FL_STATS_LOGS)
		count(&fl_ls[l - fl.logs].written);
}

/* Write l's window ending at end_s (its records, or one SKIPDATA line). */
static void
flush_window(struct fl_log *l, uint64_t end_s, bool skip)
{
	if (l->agg.n == 0 && !skip)
		return;
	if (open_hour(l, l->win_start / 3600) < 0) {
		fl_agg_clear(&l->agg);
		return;
	}
	fl_agg_sort(&l->agg);
	for (uint32_t i = 0; i < l->agg.n; i++) {
		l->agg.recs[i].skipdata = skip;
		write_line(l, &l->agg.recs[i]);
	}
	if (l->agg.n == 0) {
		struct fl_record r = { .nodata = 1, .skipdata = 1, .start = l->win_start,
				       .end = end_s - 1, .vpc = fl.cfg->vpc_cidr.addr };

		if (l->c.resource == CFG_FL_ENI)
			r.iface = l->c.eni_addr;
		write_line(l, &r);
	}
	fflush(l->fp);
	fl_agg_clear(&l->agg);
	l->windows++;
	if (l - fl.logs < FL_STATS_LOGS)
		count(&fl_ls[l - fl.logs].windows);
}

/* ------------------------------------------------------------ service */

static uint64_t
unix_s(uint64_t now_ms)
{
	return (uint64_t)((int64_t)now_ms + fl.offset_ms) / 1000;
}

/* The interval [.., now_s) is over: walk the flows, write ended windows. */
static void
tick(uint64_t now_s, bool all)
{
	bool skip;

	drain();
	dp_flow_foreach(walk_one, NULL);
	skip = fl.skip_window != 0;
	for (int i = 0; i < fl.n_logs; i++) {
		struct fl_log *l = &fl.logs[i];

		if (!all && now_s < l->win_start + l->c.interval_s)
			continue;
		flush_window(l, RTE_MIN(now_s, l->win_start + l->c.interval_s), skip);
		l->win_start = now_s - now_s % l->c.interval_s;
	}
	fl.skip_window = 0;
	fl.next_tick = now_s - now_s % FL_TICK_S + FL_TICK_S;
}

static void
fl_poll(struct dp_tables *t, uint64_t now_ms)
{
	uint64_t now_s;

	if (fl.n_logs == 0) {
		drain();
		return;
	}
	now_s = unix_s(now_ms);
	if (fl.next_tick == 0) {
		fl.next_tick = now_s - now_s % FL_TICK_S + FL_TICK_S;
		for (int i = 0; i < fl.n_logs; i++)
			fl.logs[i].win_start = now_s - now_s % fl.logs[i].c.interval_s;
	}
	if (now_s >= fl.next_tick)
		tick(now_s, false);
	else
		drain();
}

static uint64_t
fl_next_ms(void)
{
	if (fl.n_logs == 0 || fl.next_tick == 0)
		return UINT64_MAX;
	return (uint64_t)((int64_t)fl.next_tick * 1000 - fl.offset_ms);
}

static void
close_logs(void)
{
	for (int i = 0; i < fl.n_logs; i++) {
		if (fl.logs[i].fp != NULL)
			fclose(fl.logs[i].fp);
		fl_agg_free(&fl.logs[i].agg);
	}
	free(fl.logs);
	fl.logs = NULL;
	fl.n_logs = 0;
}

/* Write what the windows hold: at exit and before a reload changes the logs. */
static void
flush_all(void)
{
	uint64_t now_s;

	if (fl.n_logs == 0 || fl.next_tick == 0)
		return;
	now_s = dp_g.opts.clock == DP_CLOCK_PACKET ? unix_s(dp_now_ms()) :
		unix_s(rte_rdtsc() / (dp_g.tsc_hz / 1000));
	/* end (exclusive) of the window: at least a second after its records */
	tick(RTE_MAX(now_s + 1, fl.logs[0].win_start + 1), true);
}

static void
fl_publish(struct dp_tables *t, struct dp_tables *old)
{
	const struct cfg *c = t->cfg;
	int rc;

	if (old != NULL)
		flush_all();
	close_logs();
	fl.cfg = c;
	fl.next_tick = 0;
	if (c->n_flow_logs == 0) {
		__atomic_store_n(&fl_ls_n, 0, __ATOMIC_RELAXED);
		dp_flowlog_stop();
		return;
	}
	if (fl.seen == NULL) {
		fl.n_seen = dp_flow_capacity();
		fl.seen = calloc(fl.n_seen, sizeof(*fl.seen));
		if (fl.seen == NULL) {
			count(&fl.st.nomem);
			return;
		}
	}
	fl.logs = calloc((size_t)c->n_flow_logs, sizeof(*fl.logs));
	if (fl.logs == NULL) {
		count(&fl.st.nomem);
		return;
	}
	for (int i = 0; i < c->n_flow_logs; i++) {
		fl.logs[i].c = c->flow_logs[i];
		if (i < FL_STATS_LOGS) {
			snprintf(fl_names[i], sizeof(fl_names[i]), "%s", c->flow_logs[i].name);
			fl_ls[i].written = fl_ls[i].windows = 0;
		}
	}
	fl.n_logs = c->n_flow_logs;
	__atomic_store_n(&fl_ls_n, RTE_MIN(fl.n_logs, FL_STATS_LOGS), __ATOMIC_RELAXED);
	if (dp_g.opts.clock == DP_CLOCK_PACKET) {
		fl.offset_ms = 0;
	} else {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		fl.offset_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 -
			       (int64_t)(rte_rdtsc() / (dp_g.tsc_hz / 1000));
	}
	rc = dp_flowlog_start(DP_FLOWLOG_RING);
	if (rc < 0)
		count(&fl.st.nomem);
}

static void
fl_flow_deleted(const struct dp_flow *f)
{
	const struct dp_flow_cnt *c = dp_flow_cnt_of(f);
	struct dp_flowlog_rec r;

	if (!__atomic_load_n(&dp_flowlog_on, __ATOMIC_RELAXED) || f->key[0].zone != 0)
		return;
	memset(&r, 0, sizeof(r));
	r.type = DP_FL_FLOW_END;
	r.key[0] = f->key[0];
	r.key[1] = f->key[1];
	r.ms = dp_flow_created_ms(f);
	r.last_ms = __atomic_load_n(&f->last_ms, __ATOMIC_RELAXED);
	for (int d = 0; d < 2; d++) {
		r.pkts[d] = __atomic_load_n(&c->pkts[d], __ATOMIC_RELAXED);
		r.bytes[d] = __atomic_load_n(&c->bytes[d], __ATOMIC_RELAXED);
	}
	r.idx = dp_flow_index(f);
	r.kind = f->kind;
	r.tcp_state = __atomic_load_n(&f->tcp_state, __ATOMIC_RELAXED);
	dp_flowlog_put(&r);
}

static void
fl_stop(void)
{
	flush_all();
	close_logs();
	dp_flowlog_stop();
}

const struct dp_service fl_service = {
	.name = "flowlog",
	.publish = fl_publish,
	.poll = fl_poll,
	.next_ms = fl_next_ms,
	.flow_deleted = fl_flow_deleted,
	.stop = fl_stop,
};
