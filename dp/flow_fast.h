/* SPDX-License-Identifier: BSD-3-Clause */
/* The flow-lookup, flow-fast and ip-route stages (flow_fast.c, ip_route.c). */
#ifndef VPCGW_DP_FLOW_FAST_H
#define VPCGW_DP_FLOW_FAST_H

#include "dp/dp_graph.h"

/* A packet with no flow the routing stage may try (else: the policy stage). */
static inline bool
dp_flow_route_ok(const struct dp_burst *b, const struct dp_meta *md)
{
	const struct dp_pctx *c = &b->ctx[md->slot];

	return !(md->flags & (DP_M_FRAG | DP_M_ICMP_ERR | DP_M_FROM_APPLIANCE)) &&
	       c->in == DP_IN_VPC && c->nlb < 0;
}

/* m goes to the policy stage through edge e: later packets of its flow, and
 * packets without a flow after it, follow it there (order of decisions). */
void dp_to_policy(struct dp_graph_run *g, unsigned e, struct rte_mbuf *m);

enum { FLOW_LOOKUP_NEXT_FAST, FLOW_LOOKUP_NEXT_ROUTE, FLOW_LOOKUP_NEXT_POLICY,
       FLOW_LOOKUP_NEXT_INGRESS };
void dp_flow_lookup_node(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t n);

enum { FLOW_FAST_NEXT_POLICY, FLOW_FAST_NEXT_INGRESS };
void dp_flow_fast_node(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t n);
/* The flow stages fused into eth_input: the burst's leading known packets
 * sent; returns how many packets it parsed, the unsent ones in fl (flow_fast.c). */
uint16_t dp_flow_fused(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t n,
		       struct dp_vec *fl);

enum { IP_ROUTE_NEXT_POLICY };
void dp_ip_route_node(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t n);
/* The routing stage's direct path fused into eth_input: packets sent (ip_route.c). */
uint16_t dp_route_fused(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t n);

#endif /* VPCGW_DP_FLOW_FAST_H */
