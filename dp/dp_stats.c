/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Counters summed over lcores, written as JSON (--stats-json), as a
 * Prometheus text exposition, as a one-line summary, and served through DPDK
 * telemetry. One emitter walks the counters for every output format.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_telemetry.h>

#include "dp/dp.h"
#include "dp/dp_flow.h"
#include "dp/dp_stats.h"
#include "dp/lcu.h"
#include "fw/ct_tcp.h"
#include "geneve/gnv.h"
#include "lb/lb.h"
#include "nat/nat.h"

const char *const dp_drop_names[DP_DROP_MAX] = {
#define DP_X_NAME(n, d) #n,
	DP_DROP_REASONS(DP_X_NAME)
#undef DP_X_NAME
};

const char *const dp_drop_descr[DP_DROP_MAX] = {
#define DP_X_DESCR(n, d) d,
	DP_DROP_REASONS(DP_X_DESCR)
#undef DP_X_DESCR
};

struct dp_lcu_state dp_lcu;

void
dp_stats_sum(struct dp_lcore_stats *out)
{
	const uint64_t *src;
	uint64_t *dst = (uint64_t *)out;
	size_t words = sizeof(*out) / sizeof(uint64_t);

	memset(out, 0, sizeof(*out));
	for (unsigned l = 0; l <= dp_g.n_workers; l++) {
		src = (const uint64_t *)&dp_g.stats[l];
		for (size_t i = 0; i < words; i++)
			dst[i] += __atomic_load_n(&src[i], __ATOMIC_RELAXED);
	}
}

/* ------------------------------------------------------------ emitter */

enum em_kind { EM_JSON, EM_TEL, EM_PROM };

#define EM_DEPTH 8

struct emitter {
	enum em_kind kind;
	/* JSON */
	char *buf;
	size_t len, cap;
	bool first[EM_DEPTH];
	int depth;
	/* telemetry */
	struct rte_tel_data *tel[EM_DEPTH];
	/* prometheus and telemetry: name prefix of the current object */
	char path[EM_DEPTH][96];
	/* prometheus: objects become labels, e.g. {nat_gateway="nat-a"} */
	char labels[EM_DEPTH][256];
	const char *collection[EM_DEPTH];   /* label name of the children, or NULL */
};

/* Collections whose children are named objects, and the label they get. */
static const char *
prom_collection_label(const char *key)
{
	static const char *const map[][2] = {
		{ "ports", "port" }, { "interfaces", "interface" }, { "security_groups", "group" }, { "nat", "nat_gateway" },
		{ "nlb", "nlb" }, { "listeners", "listener" }, { "target_groups", "target_group" },
		{ "targets", "target" }, { "gwlb", "gwlb" }, { "appliances", "appliance" },
		{ "by_service", "service" },
	};

	for (size_t i = 0; i < RTE_DIM(map); i++)
		if (strcmp(map[i][0], key) == 0)
			return map[i][1];
	return NULL;
}

static void
em_printf(struct emitter *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
em_printf(struct emitter *e, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(e->buf + e->len, e->cap - e->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < e->cap - e->len) {
			e->len += (size_t)n;
			return;
		}
		e->cap = (e->cap + (size_t)n) * 2;
		e->buf = realloc(e->buf, e->cap);
		if (e->buf == NULL)
			abort();
	}
}

static void
em_key(struct emitter *e, const char *key)
{
	if (!e->first[e->depth])
		em_printf(e, ",");
	e->first[e->depth] = false;
	em_printf(e, "\"%s\":", key);
}

static void
em_path(struct emitter *e, const char *sep, const char *key)
{
	char tmp[sizeof(e->path[0])];

	snprintf(tmp, sizeof(tmp), "%s%s%s", e->path[e->depth], e->path[e->depth][0] ? sep : "",
		 key ? key : "");
	memcpy(e->path[e->depth + 1], tmp, sizeof(tmp));
}

static void
em_open(struct emitter *e, const char *key)
{
	if (e->kind == EM_JSON) {
		if (key != NULL)
			em_key(e, key);
		em_printf(e, "{");
	} else if (e->kind == EM_TEL) {
		/* DPDK telemetry dicts are flat here (see tel_key) */
		em_path(e, "/", key);
	} else if (e->collection[e->depth] != NULL) {
		/* a named object: a label, not part of the metric name */
		char tmp[sizeof(e->labels[0])];

		snprintf(tmp, sizeof(tmp), "%s%s%s=\"%s\"", e->labels[e->depth],
			 e->labels[e->depth][0] ? "," : "", e->collection[e->depth], key ? key : "");
		memcpy(e->labels[e->depth + 1], tmp, sizeof(tmp));
		memcpy(e->path[e->depth + 1], e->path[e->depth], sizeof(e->path[0]));
		e->collection[e->depth + 1] = NULL;
		e->depth++;
		e->first[e->depth] = true;
		return;
	} else {
		em_path(e, "_", key);
		memcpy(e->labels[e->depth + 1], e->labels[e->depth], sizeof(e->labels[0]));
		e->collection[e->depth + 1] = key ? prom_collection_label(key) : NULL;
	}
	e->depth++;
	e->first[e->depth] = true;
}

static void
em_close(struct emitter *e)
{
	if (e->kind == EM_JSON)
		em_printf(e, "}");
	e->depth--;
}

static void
prom_name(char *out, size_t len, const char *a, const char *b)
{
	size_t w = 0;

	for (const char *s = a; *s && w + 1 < len; s++)
		out[w++] = (char)((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
				  (*s >= '0' && *s <= '9') ? *s : '_');
	if (w + 1 < len && w)
		out[w++] = '_';
	for (const char *s = b; *s && w + 1 < len; s++)
		out[w++] = (char)((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
				  (*s >= '0' && *s <= '9') ? *s : '_');
	out[w] = '\0';
}

/* DPDK telemetry names allow only [A-Za-z0-9_/]: "section/object/counter",
 * other characters (dots of addresses, colons) become '_'. */
static void
tel_key(const struct emitter *e, const char *key, char *out, size_t len)
{
	size_t n = len > RTE_TEL_MAX_STRING_LEN ? RTE_TEL_MAX_STRING_LEN : len;

	snprintf(out, n, "%s%s%s", e->path[e->depth], e->path[e->depth][0] ? "/" : "", key);
	for (char *c = out; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '/'))
			*c = '_';
}

static void
em_u64(struct emitter *e, const char *key, uint64_t v)
{
	char n[256];

	switch (e->kind) {
	case EM_JSON:
		em_key(e, key);
		em_printf(e, "%" PRIu64, v);
		break;
	case EM_TEL:
		tel_key(e, key, n, sizeof(n));
		rte_tel_data_add_dict_u64(e->tel[0], n, v);
		break;
	case EM_PROM:
		if (strcmp(e->path[e->depth], "drops") == 0) {
			/* one metric, the reason a label */
			em_printf(e, "vpcgw_drops_total{reason=\"%s\"} %" PRIu64 "\n", key, v);
			break;
		}
		prom_name(n, sizeof(n), e->path[e->depth], key);
		em_printf(e, "vpcgw_%s{%s} %" PRIu64 "\n", n, e->labels[e->depth], v);
		break;
	}
}

static void
em_dbl(struct emitter *e, const char *key, double v)
{
	char n[256];

	switch (e->kind) {
	case EM_JSON:
		em_key(e, key);
		em_printf(e, "%.6f", v);
		break;
	case EM_TEL: {
		char s[64];

		snprintf(s, sizeof(s), "%.6f", v);
		tel_key(e, key, n, sizeof(n));
		rte_tel_data_add_dict_string(e->tel[0], n, s);
		break;
	}
	case EM_PROM:
		prom_name(n, sizeof(n), e->path[e->depth], key);
		em_printf(e, "vpcgw_%s{%s} %.6f\n", n, e->labels[e->depth], v);
		break;
	}
}

static void
em_str(struct emitter *e, const char *key, const char *v)
{
	char n[256];

	switch (e->kind) {
	case EM_JSON:
		em_key(e, key);
		em_printf(e, "\"%s\"", v);
		break;
	case EM_TEL:
		tel_key(e, key, n, sizeof(n));
		rte_tel_data_add_dict_string(e->tel[0], n, v);
		break;
	case EM_PROM:
		break;          /* strings are not metrics */
	}
}

/* ------------------------------------------------------------ sections */

static void
sec_ports(struct emitter *e, const struct dp_lcore_stats *s, const struct cfg *cfg)
{
	em_open(e, "ports");
	for (int i = 0; i < cfg->n_ports; i++) {
		const struct dp_port_stats *p = &s->port[i];

		em_open(e, cfg->ports[i].name);
		em_u64(e, "rx", p->rx);
		em_u64(e, "rx_bytes", p->rx_bytes);
		em_u64(e, "forwarded", p->fwd);
		em_u64(e, "local", p->local);
		em_u64(e, "dropped", p->drop);
		em_u64(e, "tx", p->tx);
		em_u64(e, "tx_bytes", p->tx_bytes);
		em_u64(e, "generated", p->gen);
		em_u64(e, "generated_dropped", p->gen_drop);
		/* what the device dropped before vpcgw saw it (ring full, no mbuf) */
		{
			struct rte_eth_stats es;

			if (i < dp_g.n_ports && rte_eth_stats_get(dp_g.ports[i].port_id, &es) == 0) {
				em_u64(e, "nic_missed", es.imissed);
				em_u64(e, "nic_rx_nombuf", es.rx_nombuf);
				em_u64(e, "nic_rx_errors", es.ierrors);
				em_u64(e, "nic_tx_errors", es.oerrors);
			}
		}
		em_close(e);
	}
	em_close(e);
}

static void
sec_totals(struct emitter *e, const struct dp_lcore_stats *s, const struct cfg *cfg)
{
	uint64_t rx = 0, fwd = 0, local = 0, drop = 0, tx = 0, gen = 0, in_flight;

	for (int i = 0; i < cfg->n_ports; i++) {
		rx += s->port[i].rx;
		fwd += s->port[i].fwd;
		local += s->port[i].local;
		drop += s->port[i].drop;
		tx += s->port[i].tx;
		gen += s->port[i].gen;
	}
	in_flight = rx - fwd - local - drop;
	em_open(e, "totals");
	em_u64(e, "rx", rx);
	em_u64(e, "tx", tx);
	em_u64(e, "forwarded", fwd);
	em_u64(e, "local", local);
	em_u64(e, "drops", drop);
	em_u64(e, "generated", gen);
	em_u64(e, "in_flight", in_flight);
	/* held for ARP, buffered for tx, in flight: 0 at exit, or mbufs leaked */
	em_u64(e, "mbufs_in_use", dp_g.pool != NULL ? rte_mempool_in_use_count(dp_g.pool) : 0);
	em_close(e);
}

static void
sec_drops(struct emitter *e, const struct dp_lcore_stats *s)
{
	em_open(e, "drops");
	for (int i = 0; i < DP_DROP_MAX; i++)
		em_u64(e, dp_drop_names[i], s->drops[i]);
	em_close(e);
}

static const char *const kind_names[4] = { "security_group", "nat", "nlb", "gwlb" };

static void
sec_flows(struct emitter *e, const struct dp_lcore_stats *s)
{
	em_open(e, "flows");
	em_u64(e, "active", dp_flow_count());
	em_u64(e, "capacity", dp_flow_capacity());
	em_u64(e, "untracked_packets", s->untracked);
	em_open(e, "by_service");
	for (int k = 0; k < 4; k++) {
		em_open(e, kind_names[k]);
		em_u64(e, "active", s->flows_created[k] - s->flows_deleted[k]);
		em_u64(e, "created", s->flows_created[k]);
		em_u64(e, "deleted", s->flows_deleted[k]);
		em_close(e);
	}
	em_close(e);
	em_close(e);
}

static void
sec_enis(struct emitter *e, const struct dp_lcore_stats *s, const struct cfg *cfg)
{
	char ip[16];

	em_open(e, "interfaces");
	for (int i = 0; i < cfg->n_enis && i < DP_MAX_ENIS; i++) {
		em_open(e, cfg_ipv4_str(cfg->enis[i].addr, ip, sizeof(ip)));
		em_u64(e, "active_flows", s->eni[i].flows_created - s->eni[i].flows_deleted);
		em_u64(e, "flows_created", s->eni[i].flows_created);
		em_u64(e, "allowed", s->eni[i].allowed);
		em_u64(e, "denied", s->eni[i].denied);
		em_close(e);
	}
	em_close(e);
}

static void
sec_sgs(struct emitter *e, const struct dp_lcore_stats *s, const struct cfg *cfg)
{
	em_open(e, "security_groups");
	for (int i = 0; i < cfg->n_sgs && i < DP_MAX_SGS; i++) {
		uint64_t enis = 0;

		for (int j = 0; j < cfg->n_enis; j++)
			for (int k = 0; k < cfg->enis[j].n_sgs; k++)
				enis += cfg->enis[j].sgs[k] == i;
		em_open(e, cfg->sgs[i].name);
		em_u64(e, "allowed", s->sg_allowed[i]);
		em_u64(e, "interfaces", enis);
		em_close(e);
	}
	em_close(e);
}

static void
sec_nat(struct emitter *e, const struct dp_lcore_stats *s, const struct cfg *cfg)
{
	em_open(e, "nat");
	for (int i = 0; i < cfg->n_nat_gateways && i < DP_MAX_NATGW; i++) {
		const struct dp_nat_stats *n = &s->nat[i];

		em_open(e, cfg->nat_gateways[i].name);
		em_u64(e, "ActiveConnectionCount", n->conn_created - n->conn_deleted);
		em_u64(e, "ConnectionAttemptCount", n->conn_attempt);
		em_u64(e, "ConnectionEstablishedCount", n->conn_established);
		em_u64(e, "ErrorPortAllocation", n->err_port_alloc);
		em_u64(e, "IdleTimeoutCount", n->idle_timeout);
		em_u64(e, "PacketsDropCount", n->drop);
		em_u64(e, "BytesInFromSource", n->bytes_in_src);
		em_u64(e, "BytesOutToDestination", n->bytes_out_dst);
		em_u64(e, "BytesInFromDestination", n->bytes_in_dst);
		em_u64(e, "BytesOutToSource", n->bytes_out_src);
		em_u64(e, "PacketsInFromSource", n->pkts_in_src);
		em_u64(e, "PacketsOutToDestination", n->pkts_out_dst);
		em_u64(e, "PacketsInFromDestination", n->pkts_in_dst);
		em_u64(e, "PacketsOutToSource", n->pkts_out_src);
		em_close(e);
	}
	em_close(e);
}

static void
lb_counters(struct emitter *e, const struct dp_lb_stats *l, bool resets)
{
	em_u64(e, "ActiveFlowCount", l->flows_created - l->flows_deleted);
	em_u64(e, "NewFlowCount", l->flows_created);
	em_u64(e, "ProcessedBytes", l->bytes);
	em_u64(e, "ProcessedPackets", l->packets);
	if (resets) {
		em_u64(e, "TCP_ELB_Reset_Count", l->resets);
		em_u64(e, "PortAllocationErrorCount", l->port_alloc_err);
	}
}

static void
lcu_emit(struct emitter *e, const struct lcu_meter *m)
{
	struct lcu_rate r;
	struct lcu_hour h[4];
	unsigned nh;

	lcu_meter_current(m, &r);
	em_open(e, "lcu");
	em_dbl(e, "new_flows_per_s", r.new_flows_per_s);
	em_u64(e, "active_flows", r.active_flows);
	em_dbl(e, "bytes_per_hour", r.bytes_per_hour);
	em_dbl(e, "lcu_new_flows", r.lcu_new_flows);
	em_dbl(e, "lcu_active_flows", r.lcu_active_flows);
	em_dbl(e, "lcu_processed_bytes", r.lcu_bytes);
	em_dbl(e, "ConsumedLCUs", r.lcus);
	lcu_meter_partial_hour(m, &h[0]);
	em_open(e, "current_hour");
	em_u64(e, "hour", h[0].hour_index);
	em_dbl(e, "peak_new_flows_per_s", h[0].peak_new_flows_per_s);
	em_u64(e, "peak_active_flows", h[0].peak_active_flows);
	em_u64(e, "bytes", h[0].bytes);
	em_dbl(e, "ConsumedLCUs", h[0].lcus);
	em_close(e);
	nh = lcu_meter_hours(m, h, 1);
	if (nh) {
		em_open(e, "last_hour");
		em_u64(e, "hour", h[0].hour_index);
		em_dbl(e, "peak_new_flows_per_s", h[0].peak_new_flows_per_s);
		em_u64(e, "peak_active_flows", h[0].peak_active_flows);
		em_u64(e, "bytes", h[0].bytes);
		em_dbl(e, "ConsumedLCUs", h[0].lcus);
		em_close(e);
	}
	em_close(e);
}

static void
sec_nlb(struct emitter *e, const struct dp_lcore_stats *s, const struct cfg *cfg)
{
	char name[64], ip[16];
	int l = 0;

	em_open(e, "nlb");
	for (int i = 0; i < cfg->n_nlbs; i++) {
		const struct cfg_nlb *nlb = &cfg->nlbs[i];
		struct dp_lb_stats sum = { 0 };
		double lcus = 0;

		em_open(e, nlb->name);
		em_open(e, "listeners");
		for (int j = 0; j < nlb->n_listeners && l < DP_MAX_LISTENERS; j++, l++) {
			const struct dp_lb_stats *ls = &s->listener[l];
			struct lcu_rate r;

			snprintf(name, sizeof(name), "%s:%u",
				 nlb->listeners[j].proto == CFG_L4_TCP ? "tcp" : "udp",
				 nlb->listeners[j].port);
			em_open(e, name);
			lb_counters(e, ls, true);
			if (l < dp_lcu.n_listeners) {
				lcu_emit(e, &dp_lcu.listener[l]);
				lcu_meter_current(&dp_lcu.listener[l], &r);
				lcus += r.lcus;
			}
			em_close(e);
			sum.flows_created += ls->flows_created;
			sum.flows_deleted += ls->flows_deleted;
			sum.bytes += ls->bytes;
			sum.packets += ls->packets;
			sum.resets += ls->resets;
			sum.port_alloc_err += ls->port_alloc_err;
		}
		em_close(e);
		lb_counters(e, &sum, true);
		em_dbl(e, "ConsumedLCUs", lcus);
		em_close(e);
	}
	em_close(e);
	em_open(e, "target_groups");
	for (int g = 0, ti = 0; g < cfg->n_target_groups; g++) {
		const struct cfg_target_group *tg = &cfg->target_groups[g];
		unsigned healthy = 0, unhealthy = 0;

		lb_health_counts(g, false, &healthy, &unhealthy);
		em_open(e, tg->name);
		em_u64(e, "HealthyHostCount", healthy);
		em_u64(e, "UnHealthyHostCount", unhealthy);
		em_open(e, "targets");
		for (int j = 0; j < tg->n_targets && ti < DP_MAX_TARGETS; j++, ti++) {
			snprintf(name, sizeof(name), "%s:%u",
				 cfg_ipv4_str(tg->targets[j].addr, ip, sizeof(ip)),
				 tg->targets[j].port ? tg->targets[j].port : tg->port);
			em_open(e, name);
			lb_counters(e, &s->target[ti], true);
			em_str(e, "health", lb_target_healthy(ti) ? "healthy" : "unhealthy");
			em_close(e);
		}
		em_close(e);
		em_close(e);
	}
	em_close(e);
}

static void
sec_gwlb(struct emitter *e, const struct dp_lcore_stats *s, const struct cfg *cfg)
{
	char ip[16];
	int ai = 0;

	em_open(e, "gwlb");
	for (int i = 0; i < cfg->n_gwlbs && i < DP_MAX_GWLB; i++) {
		const struct cfg_gwlb *g = &cfg->gwlbs[i];
		unsigned healthy = 0, unhealthy = 0;

		lb_health_counts(i, true, &healthy, &unhealthy);
		em_open(e, g->name);
		lb_counters(e, &s->gwlb[i], false);
		em_u64(e, "HealthyHostCount", healthy);
		em_u64(e, "UnHealthyHostCount", unhealthy);
		if (i < dp_lcu.n_gwlb)
			lcu_emit(e, &dp_lcu.gwlb[i]);
		em_open(e, "appliances");
		for (int j = 0; j < g->n_appliances && ai < DP_MAX_APPLIANCES; j++, ai++) {
			em_open(e, cfg_ipv4_str(g->appliances[j].addr, ip, sizeof(ip)));
			lb_counters(e, &s->appliance[ai], false);
			em_str(e, "health", gnv_appliance_healthy(ai) ? "healthy" : "unhealthy");
			em_close(e);
		}
		em_close(e);
		em_close(e);
	}
	em_close(e);
}

static void
emit_all(struct emitter *e, const struct dp_lcore_stats *s, const struct cfg *cfg)
{
	sec_totals(e, s, cfg);
	sec_ports(e, s, cfg);
	sec_drops(e, s);
	sec_flows(e, s);
	sec_enis(e, s, cfg);
	sec_sgs(e, s, cfg);
	sec_nat(e, s, cfg);
	sec_nlb(e, s, cfg);
	sec_gwlb(e, s, cfg);
}

static struct dp_lcore_stats *
sum_alloc(void)
{
	struct dp_lcore_stats *s = aligned_alloc(RTE_CACHE_LINE_SIZE, sizeof(*s));

	if (s != NULL)
		dp_stats_sum(s);
	return s;
}

static int
write_atomically(const char *file, const char *data, size_t len)
{
	char tmp[1024];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", file);
	f = fopen(tmp, "w");
	if (f == NULL)
		return -errno;
	if (fwrite(data, 1, len, f) != len) {
		fclose(f);
		return -EIO;
	}
	if (fclose(f) != 0)
		return -errno;
	return rename(tmp, file) == 0 ? 0 : -errno;
}

/* The JSON object of all counters; time_ms is the data-plane clock. */
static char *
stats_json_text(size_t *len)
{
	struct dp_lcore_stats *s = sum_alloc();
	struct emitter e = { .kind = EM_JSON };

	if (s == NULL)
		return NULL;
	e.first[0] = true;
	em_printf(&e, "{");
	e.depth = 0;
	em_u64(&e, "time_ms", dp_g.opts.clock == DP_CLOCK_PACKET ?
	       atomic_load(&dp_g.pkt_now_us) / 1000 : rte_rdtsc() / (dp_g.tsc_hz / 1000));
	emit_all(&e, s, dp_g.cfg);
	em_printf(&e, "}\n");
	free(s);
	*len = e.len;
	return e.buf;
}

int
dp_stats_write_json(const char *file)
{
	size_t len;
	char *text = stats_json_text(&len);
	int rc;

	if (text == NULL)
		return -ENOMEM;
	rc = write_atomically(file, text, len);
	free(text);
	return rc;
}

int
dp_stats_append_json(const char *file)
{
	size_t len;
	char *text = stats_json_text(&len);
	FILE *f;
	int rc = 0;

	if (text == NULL)
		return -ENOMEM;
	f = fopen(file, "a");
	if (f == NULL || fwrite(text, 1, len, f) != len)
		rc = -EIO;
	if (f != NULL && fclose(f) != 0)
		rc = -EIO;
	free(text);
	return rc;
}

int
dp_stats_write_prometheus(const char *file)
{
	struct dp_lcore_stats *s = sum_alloc();
	struct emitter e = { .kind = EM_PROM };
	int rc;

	if (s == NULL)
		return -ENOMEM;
	em_printf(&e, "# vpcgw counters; names: docs/OBSERVABILITY.md\n");
	emit_all(&e, s, dp_g.cfg);
	rc = write_atomically(file, e.buf, e.len);
	free(e.buf);
	free(s);
	return rc;
}

void
dp_stats_print(FILE *f)
{
	struct dp_lcore_stats *s = sum_alloc();
	const struct cfg *cfg = dp_g.cfg;
	uint64_t rx = 0, tx = 0, drop = 0, local = 0, fwd = 0, gen = 0;

	if (s == NULL)
		return;
	fprintf(f, "%-12s %12s %12s %12s %12s %12s %12s\n", "port", "rx", "forwarded", "local",
		"dropped", "tx", "generated");
	for (int i = 0; i < cfg->n_ports; i++) {
		const struct dp_port_stats *p = &s->port[i];

		fprintf(f, "%-12s %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64
			" %12" PRIu64 "\n", cfg->ports[i].name, p->rx, p->fwd, p->local, p->drop, p->tx,
			p->gen);
		rx += p->rx;
		tx += p->tx;
		drop += p->drop;
		local += p->local;
		fwd += p->fwd;
		gen += p->gen;
	}
	fprintf(f, "%-12s %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64
		" %12" PRIu64 "\n", "total", rx, fwd, local, drop, tx, gen);
	fprintf(f, "accounting: rx %" PRIu64 " = forwarded %" PRIu64 " + local %" PRIu64
		" + dropped %" PRIu64 " : %s\n", rx, fwd, local, drop,
		rx == fwd + local + drop ? "ok" : "MISMATCH");
	for (int i = 0; i < DP_DROP_MAX; i++)
		if (s->drops[i])
			fprintf(f, "  drop %-30s %12" PRIu64 "  (%s)\n", dp_drop_names[i], s->drops[i],
				dp_drop_descr[i]);
	fprintf(f, "flows: %u active of %u; created sg %" PRIu64 " nat %" PRIu64 " nlb %" PRIu64
		" gwlb %" PRIu64 "\n", dp_flow_count(), dp_flow_capacity(), s->flows_created[0],
		s->flows_created[1], s->flows_created[2], s->flows_created[3]);
	for (int i = 0; i < cfg->n_nat_gateways; i++)
		fprintf(f, "nat %s: active %" PRIu64 " attempts %" PRIu64 " port-errors %" PRIu64
			" idle-timeouts %" PRIu64 " drops %" PRIu64 "\n", cfg->nat_gateways[i].name,
			s->nat[i].conn_created - s->nat[i].conn_deleted, s->nat[i].conn_attempt,
			s->nat[i].err_port_alloc, s->nat[i].idle_timeout, s->nat[i].drop);
	for (int i = 0, l = 0; i < cfg->n_nlbs; i++) {
		for (int j = 0; j < cfg->nlbs[i].n_listeners && l < DP_MAX_LISTENERS; j++, l++) {
			const struct dp_lb_stats *ls = &s->listener[l];

			fprintf(f, "nlb %s %s:%u: active %" PRIu64 " new %" PRIu64 " bytes %" PRIu64
				" resets %" PRIu64 "\n", cfg->nlbs[i].name,
				cfg->nlbs[i].listeners[j].proto == CFG_L4_TCP ? "tcp" : "udp",
				cfg->nlbs[i].listeners[j].port, ls->flows_created - ls->flows_deleted,
				ls->flows_created, ls->bytes, ls->resets);
		}
	}
	for (int i = 0, t = 0; i < cfg->n_target_groups; i++) {
		for (int j = 0; j < cfg->target_groups[i].n_targets && t < DP_MAX_TARGETS; j++, t++) {
			char ip[16];

			fprintf(f, "  target %s %s: new flows %" PRIu64 ", %s\n",
				cfg->target_groups[i].name,
				cfg_ipv4_str(cfg->target_groups[i].targets[j].addr, ip, sizeof(ip)),
				s->target[t].flows_created,
				lb_target_healthy(t) ? "healthy" : "unhealthy");
		}
	}
	for (int i = 0, a = 0; i < cfg->n_gwlbs && i < DP_MAX_GWLB; i++) {
		fprintf(f, "gwlb %s: active %" PRIu64 " new %" PRIu64 " bytes %" PRIu64 "\n",
			cfg->gwlbs[i].name, s->gwlb[i].flows_created - s->gwlb[i].flows_deleted,
			s->gwlb[i].flows_created, s->gwlb[i].bytes);
		for (int j = 0; j < cfg->gwlbs[i].n_appliances && a < DP_MAX_APPLIANCES; j++, a++) {
			char ip[16];

			fprintf(f, "  appliance %s: new flows %" PRIu64 ", %s\n",
				cfg_ipv4_str(cfg->gwlbs[i].appliances[j].addr, ip, sizeof(ip)),
				s->appliance[a].flows_created,
				gnv_appliance_healthy(a) ? "healthy" : "unhealthy");
		}
	}
	free(s);
}

void
dp_stats_line(FILE *f, double interval_s)
{
	static struct dp_lcore_stats *prev;
	struct dp_lcore_stats *s = sum_alloc();
	uint64_t rx = 0, tx = 0, drop = 0, prx = 0, ptx = 0, pdrop = 0;
	double lcus = 0;

	if (s == NULL)
		return;
	for (int i = 0; i < dp_g.n_ports; i++) {
		rx += s->port[i].rx;
		tx += s->port[i].tx;
		drop += s->port[i].drop;
		if (prev != NULL) {
			prx += prev->port[i].rx;
			ptx += prev->port[i].tx;
			pdrop += prev->port[i].drop;
		}
	}
	for (int i = 0; i < dp_lcu.n_listeners; i++) {
		struct lcu_rate r;

		lcu_meter_current(&dp_lcu.listener[i], &r);
		lcus += r.lcus;
	}
	for (int i = 0; i < dp_lcu.n_gwlb; i++) {
		struct lcu_rate r;

		lcu_meter_current(&dp_lcu.gwlb[i], &r);
		lcus += r.lcus;
	}
	fprintf(f, "vpcgw: in %.0f pps, out %.0f pps, drops %.0f/s; flows sg %" PRIu64 " nat %" PRIu64
		" nlb %" PRIu64 " gwlb %" PRIu64 "; LCUs %.3f\n",
		(double)(rx - prx) / interval_s, (double)(tx - ptx) / interval_s,
		(double)(drop - pdrop) / interval_s,
		s->flows_created[0] - s->flows_deleted[0], s->flows_created[1] - s->flows_deleted[1],
		s->flows_created[2] - s->flows_deleted[2], s->flows_created[3] - s->flows_deleted[3],
		lcus);
	fflush(f);
	free(prev);
	prev = s;
}

/* ------------------------------------------------------------ LCU windows */

void
dp_lcu_init(const struct cfg *cfg, uint64_t now_ms)
{
	struct dp_lcore_stats *s;
	int l = 0;

	memset(&dp_lcu, 0, sizeof(dp_lcu));
	for (int i = 0; i < cfg->n_nlbs; i++)
		for (int j = 0; j < cfg->nlbs[i].n_listeners && l < DP_MAX_LISTENERS; j++, l++)
			lcu_meter_init(&dp_lcu.listener[l],
				       cfg->nlbs[i].listeners[j].proto == CFG_L4_TCP ? LCU_NLB_TCP :
				       LCU_NLB_UDP, now_ms);
	dp_lcu.n_listeners = l;
	for (int i = 0; i < cfg->n_gwlbs && i < DP_MAX_GWLB; i++)
		lcu_meter_init(&dp_lcu.gwlb[i], LCU_GWLB, now_ms);
	dp_lcu.n_gwlb = cfg->n_gwlbs < DP_MAX_GWLB ? cfg->n_gwlbs : DP_MAX_GWLB;
	/* count from now on: what the counters hold already is not this window's */
	s = sum_alloc();
	if (s != NULL) {
		for (int i = 0; i < dp_lcu.n_listeners; i++)
			lcu_meter_rebase(&dp_lcu.listener[i], s->listener[i].flows_created,
					 s->listener[i].bytes);
		for (int i = 0; i < dp_lcu.n_gwlb; i++)
			lcu_meter_rebase(&dp_lcu.gwlb[i], s->gwlb[i].flows_created, s->gwlb[i].bytes);
		free(s);
	}
	dp_lcu.started = true;
}

void
dp_lcu_update(uint64_t now_ms)
{
	struct dp_lcore_stats *s;

	if (!dp_lcu.started)
		return;
	s = sum_alloc();
	if (s == NULL)
		return;
	for (int i = 0; i < dp_lcu.n_listeners; i++)
		lcu_meter_update(&dp_lcu.listener[i], now_ms, s->listener[i].flows_created,
				 s->listener[i].bytes,
				 s->listener[i].flows_created - s->listener[i].flows_deleted);
	for (int i = 0; i < dp_lcu.n_gwlb; i++)
		lcu_meter_update(&dp_lcu.gwlb[i], now_ms, s->gwlb[i].flows_created, s->gwlb[i].bytes,
				 s->gwlb[i].flows_created - s->gwlb[i].flows_deleted);
	free(s);
}

/* ------------------------------------------------------------ telemetry */

static int
tel_section(struct rte_tel_data *d, void (*fn)(struct emitter *, const struct dp_lcore_stats *,
					      const struct cfg *))
{
	struct dp_lcore_stats *s = sum_alloc();
	struct emitter e = { .kind = EM_TEL };

	if (s == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(d);
	e.tel[0] = d;
	e.depth = 0;
	fn(&e, s, dp_g.cfg);
	free(s);
	return 0;
}

static void
t_stats(struct emitter *e, const struct dp_lcore_stats *s, const struct cfg *cfg)
{
	sec_totals(e, s, cfg);
	sec_drops(e, s);
	sec_flows(e, s);
	sec_enis(e, s, cfg);
	sec_sgs(e, s, cfg);
}

static void
t_ports(struct emitter *e, const struct dp_lcore_stats *s, const struct cfg *cfg)
{
	sec_ports(e, s, cfg);
}

static void
t_flows(struct emitter *e, const struct dp_lcore_stats *s, const struct cfg *cfg)
{
	uint64_t by_state[4][FW_CT_TCP_NSTATES + 1];

	memset(by_state, 0, sizeof(by_state));
	sec_flows(e, s);
	em_open(e, "tcp_states");
	(void)by_state;
	for (int st = 1; st < FW_CT_TCP_NSTATES; st++)
		em_u64(e, fw_ct_tcp_state_name((uint8_t)st), dp_flow_count_state((uint8_t)st));
	em_close(e);
}

static void
t_nat(struct emitter *e, const struct dp_lcore_stats *s, const struct cfg *cfg)
{
	sec_nat(e, s, cfg);
}

static void
t_nlb(struct emitter *e, const struct dp_lcore_stats *s, const struct cfg *cfg)
{
	sec_nlb(e, s, cfg);
}

static void
t_gwlb(struct emitter *e, const struct dp_lcore_stats *s, const struct cfg *cfg)
{
	sec_gwlb(e, s, cfg);
}

static void
t_lcu(struct emitter *e, const struct dp_lcore_stats *s, const struct cfg *cfg)
{
	int l = 0;

	em_open(e, "nlb");
	for (int i = 0; i < cfg->n_nlbs; i++) {
		em_open(e, cfg->nlbs[i].name);
		for (int j = 0; j < cfg->nlbs[i].n_listeners && l < dp_lcu.n_listeners; j++, l++) {
			char name[32];

			snprintf(name, sizeof(name), "%s:%u",
				 cfg->nlbs[i].listeners[j].proto == CFG_L4_TCP ? "tcp" : "udp",
				 cfg->nlbs[i].listeners[j].port);
			em_open(e, name);
			lcu_emit(e, &dp_lcu.listener[l]);
			em_close(e);
		}
		em_close(e);
	}
	em_close(e);
	em_open(e, "gwlb");
	for (int i = 0; i < dp_lcu.n_gwlb; i++) {
		em_open(e, cfg->gwlbs[i].name);
		lcu_emit(e, &dp_lcu.gwlb[i]);
		em_close(e);
	}
	em_close(e);
}

#define TEL_CB(fn) \
	static int tel_##fn(const char *cmd, const char *params, struct rte_tel_data *d) \
	{ (void)cmd; (void)params; return tel_section(d, t_##fn); }
TEL_CB(stats)
TEL_CB(ports)
TEL_CB(flows)
TEL_CB(nat)
TEL_CB(nlb)
TEL_CB(gwlb)
TEL_CB(lcu)

static int
tel_config(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct cfg *cfg = dp_g.cfg;
	const struct dp_tables *t = atomic_load(&dp_g.tables);

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "file", cfg->file);
	rte_tel_data_add_dict_u64(d, "generation", t->generation);
	rte_tel_data_add_dict_u64(d, "workers", dp_g.n_workers);
	rte_tel_data_add_dict_string(d, "clock", dp_g.opts.clock == DP_CLOCK_PACKET ? "packet" : "tsc");
	rte_tel_data_add_dict_u64(d, "ports", (uint64_t)cfg->n_ports);
	rte_tel_data_add_dict_u64(d, "subnets", (uint64_t)cfg->n_subnets);
	rte_tel_data_add_dict_u64(d, "route_tables", (uint64_t)cfg->n_route_tables);
	rte_tel_data_add_dict_u64(d, "network_acls", (uint64_t)cfg->n_nacls);
	rte_tel_data_add_dict_u64(d, "security_groups", (uint64_t)cfg->n_sgs);
	rte_tel_data_add_dict_u64(d, "interfaces", (uint64_t)cfg->n_enis);
	rte_tel_data_add_dict_u64(d, "nat_gateways", (uint64_t)cfg->n_nat_gateways);
	rte_tel_data_add_dict_u64(d, "network_load_balancers", (uint64_t)cfg->n_nlbs);
	rte_tel_data_add_dict_u64(d, "gateway_load_balancers", (uint64_t)cfg->n_gwlbs);
	rte_tel_data_add_dict_u64(d, "flow_table_size", cfg->dpdk.flow_table_size);
	rte_tel_data_add_dict_u64(d, "neighbors", dp_neigh_count());
	return 0;
}

int
dp_telemetry_init(void)
{
	static const struct {
		const char *cmd;
		telemetry_cb fn;
		const char *help;
	} cmds[] = {
		{ "/vpcgw/stats", tel_stats, "All counters and drops by reason." },
		{ "/vpcgw/ports", tel_ports, "Per-port counters." },
		{ "/vpcgw/flows", tel_flows, "Flow counts by service and TCP state." },
		{ "/vpcgw/nat", tel_nat, "NAT gateway counters (CloudWatch names)." },
		{ "/vpcgw/nlb", tel_nlb, "NLB listener and target counters." },
		{ "/vpcgw/gwlb", tel_gwlb, "GWLB and appliance counters." },
		{ "/vpcgw/lcu", tel_lcu, "LCU usage per listener and GWLB." },
		{ "/vpcgw/config", tel_config, "Configuration summary." },
	};

	for (size_t i = 0; i < RTE_DIM(cmds); i++)
		if (rte_telemetry_register_cmd(cmds[i].cmd, cmds[i].fn, cmds[i].help) != 0)
			return -EINVAL;
	return 0;
}
