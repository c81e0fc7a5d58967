/* SPDX-License-Identifier: BSD-3-Clause */
/* The NLB's new-flow stage (nlb_node.c), for dp/pipeline.c. */
#ifndef VPCGW_NLB_NODE_H
#define VPCGW_NLB_NODE_H

#include "dp/dp_pipe.h"
#include "dp/dp_service.h"

void lb_nlb_new(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c);

extern const struct dp_service lb_service;

/* nlb_node6.c: dualstack NLBs (dp_pipe_ops.nlb6_input, nlb6_reply) */
int lb_nlb6_input(struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md, int nlb);
int lb_nlb6_reply(struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md);
/* An IPv4 reply of a target of an ipv4 group to an IPv6 client's flow:
 * translated to IPv6 and routed (true, m consumed); false: not one. */
bool lb_nlb64_reply(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c);

#endif /* VPCGW_NLB_NODE_H */
