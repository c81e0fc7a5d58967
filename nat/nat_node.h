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

extern const struct dp_service nat_service;

#endif /* VPCGW_NAT_NODE_H */
