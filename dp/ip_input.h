/* SPDX-License-Identifier: BSD-3-Clause */
/* The input stages (ip_input.c) and the policy stage (policy.c). */
#ifndef VPCGW_DP_IP_INPUT_H
#define VPCGW_DP_IP_INPUT_H

#include "dp/dp_graph.h"

enum { ETH_INPUT_NEXT_IP, ETH_INPUT_NEXT_ARP, ETH_INPUT_NEXT_IP6, ETH_INPUT_NEXT_FLOW,
       ETH_INPUT_NEXT_ROUTE };
void dp_eth_input_node(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t n);
void dp_arp_input_node(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t n);

enum { IP_INPUT_NEXT_FLOW, IP_INPUT_NEXT_ROUTE, IP_INPUT_NEXT_POLICY };
void dp_ip_input_node(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t n);
/* IPv6 routing fused into eth_input, from slot i: the slot it stopped at (ip6_input.c). */
uint16_t dp_route6_fused(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t i, uint16_t n);

/* The ingress of VPC-port packets the flow lookup came before (g->early). */
enum { VPC_INGRESS_NEXT_ROUTE, VPC_INGRESS_NEXT_POLICY };
void dp_vpc_ingress_node(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t n);

void dp_policy_node(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t n);

#endif /* VPCGW_DP_IP_INPUT_H */
