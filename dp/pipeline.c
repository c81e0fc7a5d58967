/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pipeline, assembled (docs/ARCHITECTURE.md "Datapath v2"): which
 * stages run in what order, which service answers which route target and
 * hook. With dp/main.c, the only core files that include services (each
 * service registers its configuration sections itself: config/cfg_section.h).
 *
 *   eth_input ─┬─> arp_input
 *              └─> ip_input ──> flow_lookup ─┬─> flow_fast ───┐
 *                     │                      ├─> ip_route ────┤──> policy
 *                     │   (no flow in table) └────────────────┘
 *                     └──> ip_route, policy
 *   eth_input ──> flow_lookup (a port of subnets, flows in the table: known
 *                 packets skip the ingress checks; a->in_port stands for them)
 *                   ├─> flow_fast ──> (handed on) vpc_ingress ──> policy
 *                   └─> vpc_ingress (misses: ip_input's checks) ──> ip_route, policy
 *   eth_input ──> ip6_input (IPv6: parse, ND, route; dp/ip6.h)
 *   then ip_output: every transmission of the burst, in arrival order
 *   (docs/pipeline.svg is drawn from this table by tools/vpcgw-pipeline-dot).
 */
#include <stdatomic.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "dp/dp.h"
#include "dp/dp_graph.h"
#include "dp/dp_pipe.h"
#include "dp/dp_pkt.h"
#include "dp/dp_trace.h"
#include "dp/dp_worker.h"
#include "dp/flow_fast.h"
#include "dp/health.h"
#include "dp/ip6.h"
#include "dp/ip_input.h"
#include "dp/stats_writer.h"
#include "flowlog/fl.h"
#include "dp/vlan.h"
#include "dp/vpce.h"
#include "fw/fw_node.h"
#include "fw/fw_stats.h"
#include "geneve/gnv.h"
#include "geneve/gwlb_node.h"
#include "geneve/gwlb_stats.h"
#include "lb/lb.h"
#include "lb/lb_stats.h"
#include "lb/nlb_node.h"
#include "mirror/mr.h"
#include "nat/nat_node.h"
#include "nat/nat_stats.h"
#include "tgw/tgw.h"

static const struct dp_node stages[] = {
	{ .name = "eth_input", .fn = dp_eth_input_node,
	  .next = { [ETH_INPUT_NEXT_IP] = "ip_input", [ETH_INPUT_NEXT_ARP] = "arp_input",
		    [ETH_INPUT_NEXT_IP6] = "ip6_input", [ETH_INPUT_NEXT_FLOW] = "flow_lookup",
		    [ETH_INPUT_NEXT_ROUTE] = "ip_route" },
	  .help = "parse and validate Ethernet, 802.1Q, IPv4, TCP/UDP/ICMP" },
	{ .name = "arp_input", .fn = dp_arp_input_node,
	  .help = "ARP for vpcgw's addresses, neighbor learning" },
	{ .name = "ip_input", .fn = dp_ip_input_node,
	  .next = { [IP_INPUT_NEXT_FLOW] = "flow_lookup", [IP_INPUT_NEXT_ROUTE] = "ip_route",
		    [IP_INPUT_NEXT_POLICY] = "policy" },
	  .help = "own addresses, IGW 1:1 and NAT/NLB addresses, GENEVE from appliances" },
	{ .name = "flow_lookup", .fn = dp_flow_lookup_node,
	  .next = { [FLOW_LOOKUP_NEXT_FAST] = "flow_fast",
		    [FLOW_LOOKUP_NEXT_ROUTE] = "ip_route",
		    [FLOW_LOOKUP_NEXT_POLICY] = "policy",
		    [FLOW_LOOKUP_NEXT_INGRESS] = "vpc_ingress" },
	  .help = "bulk flow table lookup, NACLs of the burst classified together" },
	{ .name = "flow_fast", .fn = dp_flow_fast_node,
	  .next = { [FLOW_FAST_NEXT_POLICY] = "policy", [FLOW_FAST_NEXT_INGRESS] = "vpc_ingress" },
	  .help = "known flows: the cached action of their direction" },
	{ .name = "vpc_ingress", .fn = dp_vpc_ingress_node,
	  .next = { [VPC_INGRESS_NEXT_ROUTE] = "ip_route", [VPC_INGRESS_NEXT_POLICY] = "policy" },
	  .help = "ip_input's checks for what a port of subnets sent and the flow lookup did not answer" },
	{ .name = "ip_route", .fn = dp_ip_route_node,
	  .next = { [IP_ROUTE_NEXT_POLICY] = "policy" },
	  .help = "no flow: bulk FIB lookup, local route without NACL/SG" },
	{ .name = "policy", .fn = dp_policy_node,
	  .help = "route tables, NACL, SG, new flows, NAT, NLB, GWLB, fragments, ICMP errors" },
	{ .name = "ip6_input", .fn = dp_ip6_input_node,
	  .help = "IPv6: extension headers, ND, RS/RA, echo, hop limit, rte_fib6 routes (dp/ip6.h)" },
};

/* Each service's counters, in the order of the outputs (after the core's
 * totals, ports, drops and flows). */
static const struct dp_stats_section *const stats_sections[] = {
	&fw_stats_section,
	&nat_stats_section,
	&lb_stats_section,
	&gwlb_stats_section,
	&fl_stats_section,
	&dp_vpce_stats_section,
	&tgw_stats_section,
	&mr_stats_section,
};

/* The health-check engine's clients, in the order of its probe records. */
static struct dp_health_client *const health_clients[] = {
	&lb_health_client,
	&gwlb_health_client,
};

static bool
nlb_flow_gone(const struct dp_tables *t, const struct dp_flow *f, uint64_t now_ms)
{
	return lb_flow_target_gone(t, f, now_ms);
}

int
dp_pipeline_init(char *err, size_t errlen)
{
	static bool done;

	if (done)
		return 0;
	for (unsigned i = 0; i < RTE_DIM(stages); i++)
		if (dp_graph_add(&stages[i]) < 0) {
			snprintf(err, errlen, "too many pipeline stages");
			return -ENOSPC;
		}
	if (dp_graph_finalize(err, errlen) < 0)
		return -EINVAL;
	dp_pipe_ops = (struct dp_pipe_ops){
		.nacl_allows = fw_nacl_allows,
		.sg_eval = fw_sg_eval,
		.sg_can_track = fw_sg_can_track,
		.sg_timeouts = fw_sg_flow_timeouts,
		.nacl_prefetch = fw_nacl_prefetch,
		.nacl_cache_set = fw_nacl_cache_set,
		.nacl6_allows = fw_nacl6_allows,
		.sg6_eval = fw_sg6_eval,
		.nlb_new = lb_nlb_new,
		.flow_gone = nlb_flow_gone,
		.appliance_input = gwlb_appliance_input,
		.gwlb6_target = gwlb6_endpoint_target,
		.nlb6_input = lb_nlb6_input,
		.nlb6_reply = lb_nlb6_reply,
		.nat64_target = nat64_target,
		.nat64_reply = nat64_reply,
		.encap = gnv_encap,
		.tgw_ingress = tgw_ingress,
	};
	/* control side: table build order, and free in reverse */
	if (dp_service_register(&fw_service) < 0 || dp_service_register(&nat_service) < 0 ||
	    dp_service_register(&lb_service) < 0 || dp_service_register(&gwlb_service) < 0 ||
	    dp_service_register(&fl_service) < 0 || dp_service_register(&tgw_service) < 0 ||
	    dp_service_register(&mr_service) < 0) {
		snprintf(err, errlen, "too many services");
		return -ENOSPC;
	}
	dp_route_target_register(CFG_TARGET_IGW, nat_igw_target);
	dp_route_target_register(CFG_TARGET_NAT, nat_gw_target);
	dp_route_target_register(CFG_TARGET_GWLBE, gwlb_endpoint_target);
	dp_route_target_register(CFG_TARGET_VPCE, dp_vpce_target);
	dp_route_target_register(CFG_TARGET_PCX, dp_pcx_target);
	dp_route_target_register(CFG_TARGET_TGW, tgw_target);
	/* health checks: NLB targets, then GWLB appliances (probe records in that order) */
	for (unsigned i = 0; i < RTE_DIM(health_clients); i++)
		if (dp_health_register(health_clients[i]) < 0) {
			snprintf(err, errlen, "health-check clients: no room for %s",
				 health_clients[i]->type);
			return -ENOSPC;
		}
	/* counters: their order is the order of the outputs' sections */
	for (unsigned i = 0; i < RTE_DIM(stats_sections); i++)
		if (dp_stats_register(stats_sections[i]) < 0) {
			snprintf(err, errlen, "too many stats sections (%s)", stats_sections[i]->name);
			return -ENOSPC;
		}
	done = true;
	return 0;
}

void
dp_process_burst(struct rte_mbuf **pkts, uint16_t n, uint16_t in_port, uint64_t now_ms)
{
	if (unlikely(dp_g.ports[in_port].has_vlans))
		dp_vlan_burst(pkts, n, in_port, now_ms);
	else
		dp_process_run(pkts, n, in_port, now_ms);
}

void
dp_process_run(struct rte_mbuf **pkts, uint16_t n, uint16_t in_port, uint64_t now_ms)
{
	struct dp_worker_ctx *w = dp_worker_self();
	struct dp_graph_run g;
	struct dp_node_stats *out;
	uint16_t n_out;
	uint64_t t0;

	g.b.t = atomic_load_explicit(&dp_g.tables, memory_order_acquire);
	g.b.now = now_ms;
	g.b.burst_new = 0;
	g.b.fast_gen = (uint32_t)(g.b.t->generation + 1);
	g.b.in_port = in_port;
	g.b.zone = g.b.t->port_zone[in_port];
	/* eth_input numbers the packets (dp_meta.slot) and sets in_port */
	w->emit_on = true;
	w->emit_sorted = true;
	w->n_emit = 0;
	w->emit_now = now_ms;
	if (unlikely(__atomic_load_n(&dp_trace_armed, __ATOMIC_RELAXED) != 0))
		dp_trace_burst_begin(w, pkts, n, in_port);
	g.trace = w->trace_mask != 0;
	g.no_direct = g.trace || g.b.t->mirror != NULL;
	/* traffic mirroring: the ENIs' frames as received, before any stage */
	if (unlikely(g.b.t->mirror != NULL))
		mr_outbound_burst(g.b.t->mirror, pkts, n, in_port);
	dp_graph_walk(&g, pkts, n);
	/* ip-output */
	out = &dp_stats_self()->node[dp_graph_count()];
	n_out = w->n_emit;
	out->calls++;
	out->pkts += n_out;
	t0 = g.timed ? rte_rdtsc() : 0;
	if (unlikely(g.b.t->mirror != NULL))
		mr_inbound_burst(g.b.t->mirror);     /* frames to the ENIs, as they will leave */
	dp_emit_flush(w);
	w->emit_on = false;
	if (unlikely(g.b.t->mirror != NULL))
		mr_send(g.b.t->mirror);              /* after the burst's production packets */
	if (g.timed) {
		out->cycles += rte_rdtsc() - t0;
		out->timed_pkts += n_out;
	}
	if (unlikely(g.trace))
		dp_trace_burst_end(w);
}
