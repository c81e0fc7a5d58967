/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Transit gateways (SPEC §8; docs/ARCHITECTURE.md "Transit gateways").
 *
 * A packet a VPC routes to "tgw:NAME" (route target CFG_TARGET_TGW: ref the
 * transit gateway, ref2 the attachment of the table's VPC to it, resolved by
 * config/cfg_tgw.c) or that arrives on a port attachment's port is looked up
 * in the route table associated with its source attachment: a compact LPM
 * (dp/dp_lpm.h) whose value is the destination attachment (its gid), or
 * TGW_BLACKHOLE. Propagated routes are put in before the static ones, so at
 * an equal prefix the static route wins (the later of equal prefixes wins in
 * dp_lpm_build); the LPM decides first. A VPC attachment delivers through the
 * VPC's local route (dp_deliver_local: the subnet's inbound NACL, the ENI's
 * security groups), a port attachment outputs to its next hop.
 *
 * struct tgw_state is part of a table generation (dp_tables.tgw): built and
 * freed by the control thread (the service's build/free hooks), read-only for
 * the workers. Counters: dp_lcore_stats.tgw[gid], per lcore, single writer.
 */
#ifndef VPCGW_TGW_H
#define VPCGW_TGW_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "dp/dp.h"
#include "dp/dp_lpm.h"
#include "dp/dp_pipe.h"
#include "dp/dp_pkt.h"
#include "dp/dp_service.h"
#include "dp/stats_writer.h"

#define TGW_BLACKHOLE CFG_MAX_TGW_ATTACHMENTS           /* an LPM value */
#define TGW_NONE (CFG_MAX_TGW_ATTACHMENTS + 1)          /* no route */

struct tgw_att_rt {                 /* one attachment, by gid */
	const struct dp_lpm *rt;    /* its associated route table; NULL: none */
	int16_t vpc;                /* a VPC attachment's VPC; -1: a port attachment */
	uint16_t port;              /* a port attachment's port and next hop */
	uint32_t nh;
};

struct tgw_state {
	struct dp_lpm *tables;      /* every TGW's route tables, TGW by TGW */
	int n_tables;
	uint16_t *base;             /* per TGW: the gid of its first attachment */
	int16_t port_att[DP_MAX_PORTS];     /* the port attachment on a port (gid), -1 */
	struct tgw_att_rt att[CFG_MAX_TGW_ATTACHMENTS];
};

/* tgw_ctl.c: the service (tables of each generation) */
extern const struct dp_service tgw_service;

/* tgw_node.c: the route target, a port attachment's ingress, ip_route's path */
void tgw_target(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c, struct dp_flow *f,
		int dir, const struct dp_route *r);
bool tgw_ingress(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c);
int tgw_route(const struct dp_tables *t, const struct dp_route *r, int src, struct rte_mbuf *m,
	      const struct dp_meta *md, uint32_t dst);

/* tgw_stats.c: section "tgw" of the outputs, telemetry /vpcgw/tgw */
extern const struct dp_stats_section tgw_stats_section;

#endif /* VPCGW_TGW_H */
