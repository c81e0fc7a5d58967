/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a configuration needs beyond being valid (issue #22): vpcgw's fixed
 * limits, and the DPDK memory (-m) it will take. `--check` reports both, so
 * that a configuration --check passes also starts; dp_tables_build() runs
 * the same limit checks at start and reload. No EAL: --check runs before it.
 *
 * The memory figures are bounds, measured and then rounded up (the figures
 * and how they were measured: docs/config.md "Limits and memory"); vpcgw
 * prints what it uses at start beside the bound.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp/dp.h"
#include "dp/dp_check.h"
#include "dp/dp_flow.h"
#include "dp/dp_flowlog.h"
#include "dp/dp_worker.h"

#define MB (1024.0 * 1024.0)

/* "file:line: path: message" through fn, as the loader reports */
static void
report(cfg_error_fn fn, void *arg, const struct cfg *cfg, int line, const char *fmt, ...)
{
	char msg[1100], body[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	if (line < 0)           /* not from the file: the command line */
		snprintf(msg, sizeof(msg), "%s: %s", cfg->file, body);
	else
		snprintf(msg, sizeof(msg), "%s:%d: %s", cfg->file, line > 0 ? line : 1, body);
	if (fn != NULL)
		fn(arg, msg);
	else
		fprintf(stderr, "%s\n", msg);
}

#define OVER(line, ...) do { report(fn, arg, cfg, (line), __VA_ARGS__); n++; } while (0)

int
dp_limits_check(const struct cfg *cfg, unsigned workers, cfg_error_fn fn, void *arg)
{
	int n = 0, listeners = 0, targets = 0, appliances = 0, endpoints = 0, rxq = 0;

	if (workers > DP_MAX_WORKERS)
		OVER(cfg->dpdk.line, "dpdk.workers: %u workers, vpcgw's limit is %d (DP_MAX_WORKERS)",
		     workers, DP_MAX_WORKERS);
	for (int i = 0; i < cfg->n_ports; i++) {
		if (cfg->ports[i].vlan != 0)    /* a VLAN port: its device's queues */
			continue;
		rxq += cfg->ports[i].rx_queues > 0 ? cfg->ports[i].rx_queues : 1;
		if (rxq > DP_MAX_SOURCES) {
			OVER(cfg->ports[i].line, "ports[%d].rx_queues: more than %d rx queues over all "
			     "ports (DP_MAX_SOURCES)", i, DP_MAX_SOURCES);
			break;
		}
	}
	n += dp_vpcs_check(cfg, fn, arg);      /* SPEC §8: what the data plane runs yet */
	if (cfg->n_neighbors > DP_NEIGH_MAX)
		OVER(cfg->neighbors[DP_NEIGH_MAX].line, "neighbors[%d]: more than %d neighbors, "
		     "static and learned together (DP_NEIGH_MAX)", DP_NEIGH_MAX, DP_NEIGH_MAX);
	if (cfg->n_enis > DP_MAX_ENIS)
		OVER(cfg->enis[DP_MAX_ENIS].line, "interfaces[%d]: more than %d interfaces "
		     "(DP_MAX_ENIS)", DP_MAX_ENIS, DP_MAX_ENIS);
	if (cfg->n_sgs > DP_MAX_SGS)
		OVER(cfg->sgs[DP_MAX_SGS].line, "security_groups[%d]: more than %d security groups "
		     "(DP_MAX_SGS)", DP_MAX_SGS, DP_MAX_SGS);
	if (cfg->n_nat_gateways > DP_MAX_NATGW)
		OVER(cfg->nat_gateways[DP_MAX_NATGW].line, "nat_gateways[%d]: more than %d NAT "
		     "gateways (DP_MAX_NATGW)", DP_MAX_NATGW, DP_MAX_NATGW);
	if (cfg->n_nlbs > DP_MAX_NLB)
		OVER(cfg->nlbs[DP_MAX_NLB].line, "network_load_balancers[%d]: more than %d network "
		     "load balancers (DP_MAX_NLB)", DP_MAX_NLB, DP_MAX_NLB);
	for (int i = 0; i < cfg->n_nlbs && listeners <= DP_MAX_LISTENERS; i++)
		for (int j = 0; j < cfg->nlbs[i].n_listeners; j++)
			if (++listeners == DP_MAX_LISTENERS + 1) {
				OVER(cfg->nlbs[i].listeners[j].line, "network_load_balancers[%d]."
				     "listeners[%d]: more than %d listeners over all NLBs "
				     "(DP_MAX_LISTENERS)", i, j, DP_MAX_LISTENERS);
				break;
			}
	if (cfg->n_target_groups > DP_MAX_TARGETS)
		OVER(cfg->target_groups[DP_MAX_TARGETS].line, "target_groups[%d]: more than %d "
		     "target groups (DP_MAX_TARGETS)", DP_MAX_TARGETS, DP_MAX_TARGETS);
	for (int i = 0; i < cfg->n_target_groups && targets <= DP_MAX_TARGETS; i++)
		for (int j = 0; j < cfg->target_groups[i].n_targets; j++)
			if (++targets == DP_MAX_TARGETS + 1) {
				OVER(cfg->target_groups[i].targets[j].line, "target_groups[%d].targets[%d]: "
				     "more than %d targets over all target groups (DP_MAX_TARGETS)",
				     i, j, DP_MAX_TARGETS);
				break;
			}
	if (cfg->n_gwlbs > DP_MAX_GWLB)
		OVER(cfg->gwlbs[DP_MAX_GWLB].line, "gateway_load_balancers[%d]: more than %d gateway "
		     "load balancers (DP_MAX_GWLB)", DP_MAX_GWLB, DP_MAX_GWLB);
	for (int i = 0; i < cfg->n_gwlbs && appliances <= DP_MAX_APPLIANCES; i++)
		for (int j = 0; j < cfg->gwlbs[i].n_appliances; j++)
			if (++appliances == DP_MAX_APPLIANCES + 1) {
				OVER(cfg->gwlbs[i].appliances[j].line, "gateway_load_balancers[%d]."
				     "appliances[%d]: more than %d appliances over all GWLBs "
				     "(DP_MAX_APPLIANCES)", i, j, DP_MAX_APPLIANCES);
				break;
			}
	for (int i = 0; i < cfg->n_gwlbs && endpoints <= DP_MAX_GWLB_ENDPOINTS; i++)
		for (int j = 0; j < cfg->gwlbs[i].n_endpoints; j++)
			if (++endpoints == DP_MAX_GWLB_ENDPOINTS + 1) {
				OVER(cfg->gwlbs[i].endpoints[j].line, "gateway_load_balancers[%d]."
				     "endpoints[%d]: more than %d GWLB endpoints over all GWLBs "
				     "(DP_MAX_GWLB_ENDPOINTS)", i, j, DP_MAX_GWLB_ENDPOINTS);
				break;
			}
	return n;
}

/* ------------------------------------------------------------ memory */

unsigned
dp_mbuf_data_room(const struct cfg *cfg)
{
	unsigned mtu = 1500;

	for (int i = 0; i < cfg->n_ports; i++)
		mtu = RTE_MAX(mtu, (unsigned)cfg->ports[i].mtu);
	/* a frame at the MTU plus VLAN, and tail room for the 82 bytes of outer
	 * GENEVE headers should the head room not take them (gnv.c make_room) */
	return RTE_PKTMBUF_HEADROOM + RTE_MAX(2048u, mtu + 18 + 4 + 82);
}

/*
 * One mbuf in the pool: mempool header, the mbuf, its private area (struct
 * dp_meta) and data room, cache-line aligned, with a line of padding
 * (rte_mempool spreads objects over memory channels). With 4 KB pages
 * (--no-huge) an object never straddles a page it could fit in: one of up
 * to 4 KB takes 4096 / (4096 / size) bytes, a larger one whole pages.
 */
static uint64_t
mbuf_bytes(const struct cfg *cfg, bool small_pages)
{
	uint64_t obj = RTE_CACHE_LINE_SIZE +
		       RTE_ALIGN_CEIL(sizeof(struct rte_mbuf) +
				      RTE_ALIGN(sizeof(struct dp_meta), RTE_MBUF_PRIV_ALIGN) +
				      dp_mbuf_data_room(cfg), RTE_CACHE_LINE_SIZE) +
		       RTE_CACHE_LINE_SIZE;

	if (!small_pages)
		return obj;
	return obj <= 4096 ? 4096 / (4096 / obj) : RTE_ALIGN_CEIL(obj, 4096);
}

/*
 * The flow table (dp_flow.c): flow objects, and the rte_hash of 2 keys a
 * flow (key store, buckets and the extendable buckets), the free-slot rings,
 * the RCU defer queue; every ring and table rounded to a power of two, so
 * they are counted at the power of two above 2 x flows + 65: 64 bytes each.
 * Measured: 337.6 bytes a flow at 65,536 and at 1,048,576 flows; this gives
 * 384.
 */
static uint64_t
flow_bytes(uint32_t flows)
{
	uint64_t p2 = 1;

	while (p2 < 2ull * flows + 65)
		p2 <<= 1;
	return (uint64_t)flows * (sizeof(struct dp_flow) + sizeof(struct dp_flow_cnt)) + p2 * 64;
}

/* One rte_acl context of n rules (a NACL direction): measured 10 KB for 1
 * rule, 20 KB for 20, 45 KB for 100, 110 KB for 300 (mixed protocols,
 * port ranges and prefixes); counted at 16 KB + 1 KB a rule. */
static uint64_t
acl_bytes(int rules)
{
	return rules > 0 ? 16384 + 1024 * (uint64_t)rules : 0;
}

/* A NACL direction: one context for its IPv4 rules, one for its IPv6 ones
 * (fw/nacl6.c; 11 fields instead of 5: counted at twice the bytes). */
static uint64_t
acl_dir_bytes(const struct cfg_rule *r, int n)
{
	int n6 = 0;

	for (int i = 0; i < n; i++)
		n6 += r[i].v6;
	return acl_bytes(n - n6) + 2 * acl_bytes(n6);
}

void
dp_mem_need(const struct cfg *cfg, unsigned workers, bool small_pages, struct dp_mem_need *m)
{
	memset(m, 0, sizeof(*m));
	/* EAL, telemetry, neighbors, the NAT destination counters (4 MB), tx
	 * handoff rings; measured 7 to 9 MB */
	m->base = 16ull << 20;
	for (int i = 0; i < cfg->n_ports; i++)      /* queues, rings (a VLAN port: its device's) */
		m->base += cfg->ports[i].vlan == 0 ? 1ull << 20 : 0;
	m->per_lcore = (uint64_t)(workers + 1) *
		       (sizeof(struct dp_lcore_stats) + sizeof(struct dp_worker_ctx));
	if (cfg->n_flow_logs > 0)   /* a flow-log ring each (dp/dp_flowlog.h) */
		m->per_lcore += (uint64_t)(workers + 1) *
				(DP_FLOWLOG_RING * sizeof(struct dp_flowlog_rec) + 4096);
	m->mbuf_size = mbuf_bytes(cfg, small_pages);
	m->mbufs = m->mbuf_size * cfg->dpdk.mbufs;
	m->flows = flow_bytes(cfg->dpdk.flow_table_size);
	for (int i = 0; i < cfg->n_nacls; i++)
		m->nacl += acl_dir_bytes(cfg->nacls[i].ingress, cfg->nacls[i].n_ingress) +
			   acl_dir_bytes(cfg->nacls[i].egress, cfg->nacls[i].n_egress);
	/* a reload builds the new tables while the running ones and the ones
	 * before them (freed one reload later, dp_ctl.c) still exist */
	m->heap = m->base + m->per_lcore + m->mbufs + m->flows + 3 * m->nacl;

	/* outside the DPDK heap (malloc): the route tables and the subnet map */
	for (int i = 0; i <= cfg->n_route_tables; i++) {
		const struct cfg_route_table *rt = i < cfg->n_route_tables ? &cfg->route_tables[i]
									  : NULL;
		struct dp_lpm_prefix p[1] = { { 0, cfg->vpc_cidr.len, 0 } };

		m->route_tables += dp_lpm_bound(p, 1);
		for (int j = 0; rt != NULL && j < rt->n_routes; j++) {
			const struct cfg_route *r = &rt->routes[j];
			const struct cfg_prefix_list *pl = r->has_pl ? &cfg->prefix_lists[r->pl]
								     : NULL;

			for (int k = 0; k < (pl != NULL ? pl->n_cidrs : 1); k++) {
				p[0].len = pl != NULL ? pl->cidrs[k].len : r->dst.len;
				m->route_tables += dp_lpm_bound(p, 1) - 1024;
			}
		}
	}
}

/* -m / --socket-mem of the EAL arguments vpcgw will use, in MB; 0: not given */
static uint64_t
eal_mem_mb(const struct cfg *cfg, const struct dp_opts *o, bool *no_huge)
{
	char *const *argv = o->eal_argc > 0 ? o->eal_argv : cfg->dpdk.eal_args;
	int argc = o->eal_argc > 0 ? o->eal_argc : cfg->dpdk.n_eal_args;
	uint64_t mb = 0;

	*no_huge = false;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = NULL;

		if (strcmp(a, "--no-huge") == 0)
			*no_huge = true;
		else if (strcmp(a, "-m") == 0 || strcmp(a, "--socket-mem") == 0)
			v = i + 1 < argc ? argv[++i] : NULL;
		else if (strncmp(a, "-m", 2) == 0)
			v = a + 2;
		else if (strncmp(a, "--socket-mem=", 13) == 0)
			v = a + 13;
		if (v == NULL)
			continue;
		/* --socket-mem is per socket, comma separated: the sum */
		mb = 0;
		for (const char *p = v; *p != '\0';) {
			char *end;

			mb += strtoull(p, &end, 10);
			p = *end == ',' ? end + 1 : (*end == '\0' ? end : "");
		}
	}
	/* EAL's own default without hugepages (MEMSIZE_IF_NO_HUGE_PAGE) */
	if (mb == 0 && *no_huge)
		mb = 64;
	return mb;
}

int
dp_check(const struct cfg *cfg, const struct dp_opts *o, cfg_error_fn fn, void *arg)
{
	unsigned workers = o->workers > 0 ? (unsigned)o->workers : cfg->dpdk.workers;
	struct dp_mem_need m;
	bool no_huge;
	uint64_t have = eal_mem_mb(cfg, o, &no_huge);
	int n = dp_limits_check(cfg, workers, fn, arg);

	dp_mem_need(cfg, workers, no_huge, &m);
	printf("%s: DPDK memory needed at most %.0f MB (-m %s%" PRIu64 " MB): mbufs %.1f MB "
	       "(%u of %" PRIu64 " bytes), flow table %.1f MB (%u flows), NACLs %.1f MB x 3 "
	       "(running, previous and reloaded), per lcore %.1f MB, EAL and ports %.1f MB; "
	       "route tables %.2f MB outside it\n",
	       cfg->file, (double)m.heap / MB, have != 0 ? "" : "not given: ", have,
	       (double)m.mbufs / MB, cfg->dpdk.mbufs, m.mbuf_size, (double)m.flows / MB,
	       cfg->dpdk.flow_table_size, (double)m.nacl / MB, (double)m.per_lcore / MB,
	       (double)m.base / MB, (double)m.route_tables / MB);
	if (have != 0 && m.heap > have << 20) {
		report(fn, arg, cfg, o->eal_argc > 0 ? -1 :
		       cfg->dpdk.eal_line > 0 ? cfg->dpdk.eal_line : cfg->dpdk.line,
		       "%s: -m %" PRIu64 " MB is less than the %.0f MB of DPDK memory "
		       "this configuration needs (mbufs %.0f MB, flow table %.0f MB, NACLs %.0f MB): "
		       "raise -m or lower dpdk.mbufs / dpdk.flow_table_size",
		       o->eal_argc > 0 ? "EAL arguments after --" : "dpdk.eal_args", have,
		       (double)m.heap / MB, (double)m.mbufs / MB, (double)m.flows / MB,
		       (double)(3 * m.nacl) / MB);
		n++;
	}
	return n;
}
