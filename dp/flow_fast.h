/* SPDX-License-Identifier: BSD-3-Clause */
/* The flow-lookup, flow-fast and ip-route stages (flow_fast.c, ip_route.c). */
#ifndef VPCGW_DP_FLOW_FAST_H
#define VPCGW_DP_FLOW_FAST_H

#include "dp/dp_graph.h"

enum { FLOW_LOOKUP_NEXT_FAST, FLOW_LOOKUP_NEXT_ROUTE, FLOW_LOOKUP_NEXT_POLICY };
void dp_flow_lookup_node(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t n);

enum { FLOW_FAST_NEXT_POLICY };
void dp_flow_fast_node(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t n);

enum { IP_ROUTE_NEXT_POLICY };
void dp_ip_route_node(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t n);

#endif /* VPCGW_DP_FLOW_FAST_H */
