/* SPDX-License-Identifier: BSD-3-Clause */
/* The GWLB's pipeline functions (gwlb_node.c), for dp/pipeline.c. */
#ifndef VPCGW_GWLB_NODE_H
#define VPCGW_GWLB_NODE_H

#include "dp/dp_pipe.h"
#include "dp/dp_service.h"

void gwlb_endpoint_target(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c,
			  struct dp_flow *f, int dir, const struct dp_route *r);
/* gwlb_node6.c: the target for IPv6 destinations (dp_pipe_ops.gwlb6_target) */
void gwlb6_endpoint_target(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c,
			   const struct dp_route *r);
int gwlb_appliance_input(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c);

extern const struct dp_service gwlb_service;

#endif /* VPCGW_GWLB_NODE_H */
