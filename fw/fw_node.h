/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The security policy stage functions (fw_node.c), installed into
 * dp_pipe_ops by dp/pipeline.c. Worker lcores only.
 */
#ifndef VPCGW_FW_NODE_H
#define VPCGW_FW_NODE_H

#include <stdbool.h>
#include <stdint.h>

#include "dp/dp_pipe.h"
#include "dp/dp_service.h"
#include "fw/sg.h"

bool fw_nacl_allows(const struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md, int subnet,
		    enum dp_dir dir);
int fw_sg_eval(const struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md, bool check_src,
	       bool check_dst, uint16_t *eni_src, uint16_t *eni_dst);
bool fw_sg_can_track(const struct dp_meta *md);
void fw_sg_flow_timeouts(const struct dp_pctx *c, struct dp_flow *f);
void fw_nacl_prefetch(struct rte_mbuf **pkts, struct dp_burst *b, uint16_t n);
void fw_nacl_cache_set(const struct dp_pctx *c);

/* IPv6 (fw_node6.c) */
bool fw_nacl6_allows(const struct dp_tables *t, struct rte_mbuf *m, const struct dp_meta *md,
		     int subnet, enum dp_dir dir);
int fw_sg6_eval(const struct dp_tables *t, struct rte_mbuf *m, const struct dp_meta *md,
		bool check_src, bool check_dst, uint16_t *eni_src, uint16_t *eni_dst);

/* An ENI's security-group verdict v (group g), counted: -1 (m dropped), 0
 * allowed untracked, 1 allowed and to be tracked; *eni_out = e + 1. */
static inline int
fw_sg_verdict(struct dp_lcore_stats *st, struct rte_mbuf *m, int e, int g, int v,
	      enum fw_dir dir, uint16_t *eni_out)
{
	if (v == FW_SG_DENY) {
		st->eni[e].denied++;
		dp_drop(m, dir == FW_DIR_EGRESS ? DP_DROP_sg_deny_egress : DP_DROP_sg_deny_ingress);
		return -1;
	}
	st->eni[e].allowed++;
	st->sg_allowed[g]++;
	*eni_out = (uint16_t)(e + 1);
	return v == FW_SG_ALLOW_TRACKED;
}

extern const struct dp_service fw_service;

#endif /* VPCGW_FW_NODE_H */
