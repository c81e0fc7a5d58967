/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Traffic mirroring (docs/config.md "traffic_mirror_sessions[]"): copies of
 * what a source ENI sends and receives, in VXLAN to each session's target.
 *
 * The core knows only dp_tables.mirror (NULL: no session, and the hooks of
 * dp/pipeline.c cost one test per burst). The control thread builds a
 * struct mr_state per table generation (mirror/mr_ctl.c, freed with its
 * tables after the RCU grace period); workers read it through their tables.
 *
 * Per burst, on a worker (mirror/mr_dp.c):
 *   mr_outbound_burst  before the stages: frames the ENI sent, as received
 *   mr_inbound_burst   after the stages, before dp_emit_flush: frames the
 *                      burst delivers to the ENI, as they will leave
 *   mr_send            after dp_emit_flush: production first, then copies
 * Copies come from dp_g.pool (rte_pktmbuf_copy); none is made when the
 * pool is low, and a copy the transmit queue cannot take at once is dropped;
 * each loss is counted by reason.
 */
#ifndef VPCGW_MR_H
#define VPCGW_MR_H

#include <stdint.h>

#include "dp/dp_service.h"
#include "dp/stats_writer.h"
#include "mirror/mr_cfg.h"

struct rte_mbuf;
struct mr_state;


enum mr_drop {
	MR_DROP_NO_MBUF = 0,        /* pool low (under its reserve) or the copy failed */
	MR_DROP_TX_FULL,            /* the transmit queue short or refusing */
	MR_DROP_TARGET_UNRESOLVED,  /* target.address has no MAC yet (ARP sent) */
	MR_DROP_ENI_UNRESOLVED,     /* inbound: the ENI's MAC unknown, its frame waits for ARP */
	MR_DROP_OVERFLOW,           /* more copies in one burst than the worker holds */
	MR_DROP_MAX
};

/* One session's counters on one lcore (single writer: that lcore). */
struct mr_ctr {
	uint64_t pkts;              /* copies sent */
	uint64_t bytes;             /* their bytes, outer headers included */
	uint64_t in, out;           /* copies made: inbound, outbound packets */
	uint64_t drop[MR_DROP_MAX];
};

/* Worker: the hooks of dp_process_burst (s = t->mirror, not NULL). */
void mr_outbound_burst(const struct mr_state *s, struct rte_mbuf **pkts, uint16_t n,
		       uint16_t in_port);
void mr_inbound_burst(const struct mr_state *s);
void mr_send(const struct mr_state *s);

/* Control / telemetry: session i's counters summed over lcores. */
struct mr_ctr mr_counters(int i);

extern const struct dp_service mr_service;
extern const struct dp_stats_section mr_stats_section;

#endif /* VPCGW_MR_H */
