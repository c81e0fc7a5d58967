/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Counters summed over lcores, written as JSON (--stats-json), as a
 * Prometheus text exposition, as a one-line summary, and served through DPDK
 * telemetry. One emitter (dp/stats_writer.c) walks the counters for every
 * output format: the core's sections here, then each service's, registered
 * by dp/pipeline.c (struct dp_stats_section). No service header here; what
 * the core still knows of the services is the flow kinds, the LCU meters of
 * NLB listeners and GWLBs (dp_lcu) and the configuration's counts.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_telemetry.h>

#include "dp/dp.h"
#include "dp/dp_flow.h"
#include "dp/dp_graph.h"
#include "dp/dp_show.h"
#include "dp/dp_stats.h"
#include "dp/dp_trace.h"
#include "dp/lcu.h"
#include "dp/ct_tcp.h"
#include "dp/stats_writer.h"

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
		/* per family (SPEC §7): IPv6 counted on its paths, IPv4 the rest
		 * (rx: with the few ARP and other frames a port receives) */
		em_u64(e, "rx_ipv4", p->rx - p->rx6);
		em_u64(e, "rx_ipv4_bytes", p->rx_bytes - p->rx6_bytes);
		em_u64(e, "rx_ipv6", p->rx6);
		em_u64(e, "rx_ipv6_bytes", p->rx6_bytes);
		em_u64(e, "tx_ipv4", p->tx - p->tx6);
		em_u64(e, "tx_ipv4_bytes", p->tx_bytes - p->tx6_bytes);
		em_u64(e, "tx_ipv6", p->tx6);
		em_u64(e, "tx_ipv6_bytes", p->tx6_bytes);
		if (cfg->ports[i].vlan != 0) {
			/* a VLAN port (dp/vlan.c): its frames, on its device's wire */
			em_u64(e, "vlan", cfg->ports[i].vlan);
			em_close(e);
			continue;
		}
		/* what the device dropped before vpcgw saw it (ring full, no mbuf) */
		{
			struct rte_eth_stats es;
			struct rte_eth_link l;

			if (i < dp_g.n_ports && rte_eth_stats_get(dp_g.ports[i].port_id, &es) == 0) {
				em_u64(e, "nic_missed", es.imissed);
				em_u64(e, "nic_rx_nombuf", es.rx_nombuf);
				em_u64(e, "nic_rx_errors", es.ierrors);
				em_u64(e, "nic_tx_errors", es.oerrors);
			}
			if (i < dp_g.n_ports &&
			    rte_eth_link_get_nowait(dp_g.ports[i].port_id, &l) == 0) {
				em_gauge(e, "link_up", l.link_status);
				em_gauge(e, "link_speed_mbps",
					 l.link_speed == RTE_ETH_SPEED_NUM_UNKNOWN ? 0 : l.link_speed);
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
	em_gauge(e, "in_flight", in_flight);
	/* held for ARP, buffered for tx, in flight: 0 at exit, or mbufs leaked */
	em_gauge(e, "mbufs_in_use", dp_g.pool != NULL ? rte_mempool_in_use_count(dp_g.pool) : 0);
	if (dp_g.idle_sleep_us > 0)
		em_u64(e, "idle_sleeps", s->idle_sleeps);
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

/* kind: one service's flows (enum dp_flow_kind), or -1: all */
static void
sec_flows_of(struct emitter *e, const struct dp_lcore_stats *s, int kind)
{
	em_open(e, "flows");
	em_gauge(e, "active", dp_flow_count());
	em_gauge(e, "capacity", dp_flow_capacity());
	em_u64(e, "untracked_packets", s->untracked);
	em_open(e, "by_service");
	for (int k = 0; k < 4; k++) {
		if (kind >= 0 && k != kind)
			continue;
		em_open(e, kind_names[k]);
		em_gauge(e, "active", s->flows_created[k] - s->flows_deleted[k]);
		em_u64(e, "created", s->flows_created[k]);
		em_u64(e, "deleted", s->flows_deleted[k]);
		em_close(e);
	}
	em_close(e);
	em_close(e);
}

static void
sec_flows(struct emitter *e, const struct dp_lcore_stats *s)
{
	sec_flows_of(e, s, -1);
}

/* IPv6 (SPEC §7): only in a configuration with IPv6 */
static void
sec_ipv6(struct emitter *e, const struct dp_lcore_stats *s, const struct cfg *cfg)
{
	if (!cfg->has_vpc6)
		return;
	em_open(e, "ipv6");
	em_u64(e, "flow_fold_collisions", s->flow6_fold_collision);
	em_close(e);
	em_open(e, "egress_only_internet_gateways");
	for (int i = 0; i < cfg->n_eigws && i < DP_MAX_EIGW; i++) {
		const struct dp_eigw_stats *g = &s->eigw[i];

		em_open(e, cfg->eigws[i].name);
		em_u64(e, "packets_out", g->pkts_out);
		em_u64(e, "bytes_out", g->bytes_out);
		em_u64(e, "packets_in", g->pkts_in);
		em_u64(e, "bytes_in", g->bytes_in);
		em_u64(e, "unsolicited", g->unsolicited);
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
	sec_ipv6(e, s, cfg);
	for (unsigned i = 0; i < dp_stats_n_sections; i++)
		dp_stats_sections[i]->emit(e, s, cfg);
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
	struct emitter *e = em_new(EM_JSON);

	if (s == NULL || e == NULL) {
		free(s);
		free(em_finish(e, NULL));
		return NULL;
	}
	em_raw(e, "{");
	em_u64(e, "time_ms", dp_g.opts.clock == DP_CLOCK_PACKET ?
	       atomic_load(&dp_g.pkt_now_us) / 1000 : rte_rdtsc() / (dp_g.tsc_hz / 1000));
	emit_all(e, s, dp_g.cfg);
	em_raw(e, "}\n");
	free(s);
	return em_finish(e, len);
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
	struct emitter *e = em_new(EM_PROM);
	char *text;
	size_t len;
	int rc;

	if (s == NULL || e == NULL) {
		free(s);
		free(em_finish(e, NULL));
		return -ENOMEM;
	}
	em_raw(e, "# vpcgw counters; names: docs/OBSERVABILITY.md\n");
	emit_all(e, s, dp_g.cfg);
	free(s);
	text = em_finish(e, &len);
	rc = write_atomically(file, text, len);
	free(text);
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
	for (unsigned i = 0; i < dp_stats_n_sections; i++)
		if (dp_stats_sections[i]->print != NULL)
			dp_stats_sections[i]->print(f, s, cfg);
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

/*
 * Every command answers at most one page (stats_writer.h: 253 entries and
 * 16 kB), with "page", "pages" and "entries". Parameters: "[SECTION][,PAGE]":
 * SECTION the first part of the keys (interfaces, security_groups, drops,
 * nat, target_groups, ...; eni and sg are short for the first two), PAGE from
 * 0. A client reads pages until "pages".
 */
static int
tel_params(const char *params, char *only, size_t len, unsigned *page)
{
	static const struct { const char *alias, *section; } alias[] = {
		{ "eni", "interfaces" }, { "enis", "interfaces" }, { "sg", "security_groups" },
		{ "sgs", "security_groups" },
	};
	char buf[128], *comma, *end;
	const char *sec = buf;
	unsigned long pg = 0;

	only[0] = '\0';
	*page = 0;
	if (params == NULL || params[0] == '\0')
		return 0;
	if (strlen(params) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, params);
	comma = strchr(buf, ',');
	if (comma != NULL) {
		*comma = '\0';
		pg = strtoul(comma + 1, &end, 10);
		if (comma[1] == '\0' || *end != '\0' || pg > 1000000)
			return -EINVAL;
	} else if (buf[0] >= '0' && buf[0] <= '9') {
		pg = strtoul(buf, &end, 10);
		if (*end != '\0' || pg > 1000000)
			return -EINVAL;
		sec = NULL;
	}
	*page = (unsigned)pg;
	if (sec == NULL)
		return 0;
	for (const char *c = sec; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '_'))
			return -EINVAL;
	for (size_t i = 0; i < RTE_DIM(alias); i++)
		if (strcmp(sec, alias[i].alias) == 0)
			sec = alias[i].section;
	snprintf(only, len, "%s", sec);
	return 0;
}

static int
tel_section(const char *params, struct rte_tel_data *d,
	    void (*fn)(struct emitter *, const struct dp_lcore_stats *, const struct cfg *))
{
	struct dp_lcore_stats *s;
	struct emitter *e;
	char only[128];
	unsigned page, pages;
	int rc = tel_params(params, only, sizeof(only), &page);

	if (rc < 0)
		return rc;
	s = sum_alloc();
	e = em_new(EM_TEL);
	if (s == NULL || e == NULL) {
		free(s);
		free(em_finish(e, NULL));
		return -ENOMEM;
	}
	fn(e, s, dp_g.cfg);
	rc = em_tel_page(e, d, only[0] ? only : NULL, page, &pages);
	free(em_finish(e, NULL));
	free(s);
	return rc;
}

static void
t_stats(struct emitter *e, const struct dp_lcore_stats *s, const struct cfg *cfg)
{
	sec_totals(e, s, cfg);
	sec_drops(e, s);
	sec_flows(e, s);
	sec_ipv6(e, s, cfg);
	for (unsigned i = 0; i < dp_stats_n_sections; i++)
		if (dp_stats_sections[i]->in_stats)
			dp_stats_sections[i]->emit(e, s, cfg);
}

static void
t_ports(struct emitter *e, const struct dp_lcore_stats *s, const struct cfg *cfg)
{
	sec_ports(e, s, cfg);
}

static void
t_lcu(struct emitter *e, const struct dp_lcore_stats *s, const struct cfg *cfg)
{
	for (unsigned i = 0; i < dp_stats_n_sections; i++)
		if (dp_stats_sections[i]->lcu != NULL)
			dp_stats_sections[i]->lcu(e, s, cfg);
}

/* /vpcgw/flows[,SERVICE]: SERVICE (security_group or sg, nat, nlb, gwlb)
 * limits by_service and tcp_states to that service's flows. */
static int
tel_flows(const char *cmd, const char *params, struct rte_tel_data *d)
{
	static const char *const alias[4] = { "sg", "nat", "nlb", "gwlb" };
	struct dp_lcore_stats *s;
	struct emitter *e;
	unsigned pages;
	int kind = -1, rc;

	(void)cmd;
	if (params != NULL && params[0] != '\0') {
		for (int k = 0; k < 4; k++)
			if (strcmp(params, kind_names[k]) == 0 || strcmp(params, alias[k]) == 0)
				kind = k;
		if (kind < 0)
			return -EINVAL;
	}
	s = sum_alloc();
	e = em_new(EM_TEL);
	if (s == NULL || e == NULL) {
		free(s);
		free(em_finish(e, NULL));
		return -ENOMEM;
	}
	sec_flows_of(e, s, kind);
	em_open(e, "tcp_states");
	for (int st = 1; st < FW_CT_TCP_NSTATES; st++)
		em_gauge(e, fw_ct_tcp_state_name((uint8_t)st),
			 dp_flow_count_state_kind((uint8_t)st, kind));
	em_close(e);
	rc = em_tel_page(e, d, NULL, 0, &pages);
	free(em_finish(e, NULL));
	free(s);
	return rc;
}

/* The command of a registered section. */
static int
tel_service(const char *cmd, const char *params, struct rte_tel_data *d)
{
	for (unsigned i = 0; i < dp_stats_n_sections; i++)
		if (dp_stats_sections[i]->tel_cmd != NULL &&
		    strcmp(dp_stats_sections[i]->tel_cmd, cmd) == 0)
			return tel_section(params, d, dp_stats_sections[i]->emit);
	return -EINVAL;
}

#define TEL_CB(fn) \
	static int tel_##fn(const char *cmd, const char *params, struct rte_tel_data *d) \
	{ (void)cmd; return tel_section(params, d, t_##fn); }
TEL_CB(stats)
TEL_CB(ports)
TEL_CB(lcu)

static int
tel_config(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct cfg *cfg = dp_g.cfg;
	const struct dp_tables *t = atomic_load(&dp_g.tables);

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	{
		/* DPDK 22.11 writes strings into its JSON unescaped */
		char file[RTE_TEL_MAX_STRING_LEN];

		snprintf(file, sizeof(file), "%.*s", (int)sizeof(file) - 1, cfg->file);
		for (char *c = file; *c; c++)
			if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20)
				*c = '_';
		rte_tel_data_add_dict_string(d, "file", file);
	}
	rte_tel_data_add_dict_u64(d, "generation", t->generation);
	rte_tel_data_add_dict_u64(d, "workers", dp_g.n_workers);
	rte_tel_data_add_dict_u64(d, "idle_sleep_us", dp_g.idle_sleep_us);
	rte_tel_data_add_dict_string(d, "clock", dp_g.opts.clock == DP_CLOCK_PACKET ? "packet" : "tsc");
	rte_tel_data_add_dict_u64(d, "ports", (uint64_t)cfg->n_ports);
	rte_tel_data_add_dict_u64(d, "vpcs", (uint64_t)cfg->n_vpcs);
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
		{ "/vpcgw/stats", tel_stats, "Totals, drops by reason, flows, interfaces, security "
		  "groups. Params: [SECTION][,PAGE], e.g. eni,2 or sg or 1." },
		{ "/vpcgw/ports", tel_ports, "Per-port counters. Params: [,PAGE]." },
		{ "/vpcgw/flows", tel_flows, "Flow counts by service and TCP state. Params: "
		  "[security_group|sg|nat|nlb|gwlb]." },
		{ NULL, NULL, NULL },       /* the registered sections' commands */
		{ "/vpcgw/lcu", tel_lcu, "LCU usage per listener and GWLB. Params: [SECTION][,PAGE]." },
		{ "/vpcgw/config", tel_config, "Configuration summary." },
	};

	for (size_t i = 0; i < RTE_DIM(cmds); i++) {
		if (cmds[i].cmd != NULL) {
			if (rte_telemetry_register_cmd(cmds[i].cmd, cmds[i].fn, cmds[i].help) != 0)
				return -EINVAL;
			continue;
		}
		for (unsigned j = 0; j < dp_stats_n_sections; j++) {
			const struct dp_stats_section *sec = dp_stats_sections[j];

			if (sec->tel_cmd != NULL &&
			    rte_telemetry_register_cmd(sec->tel_cmd, tel_service, sec->tel_help) != 0)
				return -EINVAL;
		}
	}
	if (dp_trace_telemetry_init() < 0 || dp_flow_list_telemetry_init() < 0 ||
	    dp_show_telemetry_init() < 0)
		return -1;
	return dp_graph_telemetry_init();
}

int
dp_tel_kv(const char *params, int (*fn)(char *key, char *value, void *arg, char *err,
					size_t errlen),
	  void *arg, char *err, size_t errlen)
{
	char buf[256], *save = NULL, *tok;

	if (params == NULL || *params == '\0')
		return 0;
	if (strlen(params) >= sizeof(buf)) {
		snprintf(err, errlen, "parameters too long");
		return -EINVAL;
	}
	strcpy(buf, params);
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		char *v = strchr(tok, '=');
		int rc;

		if (v == NULL) {
			snprintf(err, errlen, "\"%s\": expected key=value", tok);
			return -EINVAL;
		}
		*v++ = '\0';
		rc = fn(tok, v, arg, err, errlen);
		if (rc < 0)
			return rc;
	}
	return 0;
}
