/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Transit gateways (SPEC §8; docs/ARCHITECTURE.md "Transit gateways").
 *
 * A packet a VPC routes to "tgw:NAME" (route target CFG_TARGET_TGW: ref the
 * transit gateway, ref2 the attachment of the table's VPC to it, resolved by
 * config/cfg_tgw.c: its gid) or that arrives on a port attachment's port is looked up
 * in the route table associated with its source attachment: a compact LPM
 * (dp/dp_lpm.h) whose value is the destination attachment (its gid), or
 * TGW_BLACKHOLE. Propagated routes are put in before the static ones, so at
 * an equal prefix the static route wins (the later of equal prefixes wins in
 * dp_lpm_build); the LPM decides first. A VPC attachment delivers through the
 * VPC's local route (dp_deliver_local: the subnet's inbound NACL, the ENI's
 * security groups), a port attachment outputs to its next hop.
 *
 * struct dp_tgw (dp/dp_tgw.h: ip_route reads it too) is part of a table generation (dp_tables.tgw): built and
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
#include "dp/dp_tgw.h"
#include "dp/stats_writer.h"

#define TGW_BLACKHOLE DP_TGW_BLACKHOLE
#define TGW_NONE DP_TGW_NONE

/* tgw_ctl.c: the service (tables of each generation) */
extern const struct dp_service tgw_service;

/* tgw_node.c: the route target, a port attachment's ingress */
void tgw_target(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c, struct dp_flow *f,
		int dir, const struct dp_route *r);
bool tgw_ingress(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c);

/* tgw_stats.c: section "tgw" of the outputs, telemetry /vpcgw/tgw */
extern const struct dp_stats_section tgw_stats_section;

#endif /* VPCGW_TGW_H */
