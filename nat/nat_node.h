/* SPDX-License-Identifier: BSD-3-Clause */
/* Route-target handlers of the NAT module (nat_node.c), for dp/pipeline.c. */
#ifndef VPCGW_NAT_NODE_H
#define VPCGW_NAT_NODE_H

#include "dp/dp_pipe.h"
#include "dp/dp_service.h"

void nat_igw_target(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c, struct dp_flow *f,
		    int dir, const struct dp_route *r);
void nat_gw_target(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c, struct dp_flow *f,
		   int dir, const struct dp_route *r);

/* NAT64 (nat64_node.c): an IPv6 packet routed to nat-gateway r (the IPv6
 * stage), and an IPv4 packet to a NAT address without an IPv4 flow (the
 * policy stage): true when it was a NAT64 connection's (consumed). */
void nat64_target(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c,
		  const struct dp_route *r);
bool nat64_reply(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c);

extern const struct dp_service nat_service;

#endif /* VPCGW_NAT_NODE_H */
