/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Gateway endpoints (SPEC §8): a route to "pl:NAME" installed by a
 * gateway endpoint sends the packet, untranslated, to the endpoint's next
 * hop on its own port, after the source ENI's egress security groups and the
 * subnet's outbound NACL; what comes back on that port from an address of
 * the endpoint's prefix list is routed by the VPC's local route (inbound
 * NACL, destination ENI's security groups: the stateful return passes).
 *
 * struct dp_vpce is part of a table generation (dp_tables.vpce): built and
 * freed by the control thread with the rest, read-only for the workers.
 */
#ifndef VPCGW_DP_VPCE_H
#define VPCGW_DP_VPCE_H

#include <stdbool.h>

#include <rte_mbuf.h>

#include "dp/dp.h"
#include "dp/dp_pipe.h"
#include "dp/dp_pkt.h"
#include "dp/stats_writer.h"

struct dp_vpce {
	/* per port with endpoints: source address -> endpoint index; none = n */
	struct dp_lpm src[DP_MAX_PORTS];
	bool has_src[DP_MAX_PORTS];
	uint32_t none;
};

/* Control thread: the tables of t->cfg's endpoints (t->vpce stays NULL
 * without any). 0 or -ENOMEM. */
int dp_vpce_build(struct dp_tables *t);
void dp_vpce_free(struct dp_tables *t);

/* ip_input, a packet on a DP_ROLE_VPCE port: from the prefix list of an
 * endpoint on that port (c->in = DP_IN_VPCE, counted) or dropped. */
bool dp_vpce_ingress(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c);

/* The route target CFG_TARGET_VPCE (r->ref: the endpoint). */
void dp_vpce_target(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c, struct dp_flow *f,
		    int dir, const struct dp_route *r);

/* The route target CFG_TARGET_PCX (r->ref: the peering; dp/vpc.c). */
void dp_pcx_target(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c, struct dp_flow *f,
		   int dir, const struct dp_route *r);

/* Counters: section "gateway_endpoints" (only when some are configured). */
extern const struct dp_stats_section dp_vpce_stats_section;

#endif /* VPCGW_DP_VPCE_H */
