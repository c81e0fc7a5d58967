/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet trace (issue #17): `/vpcgw/trace,N[,FILTER]` arms the workers to
 * record the next N packets that match FILTER: their headers as received,
 * the stages they went through, and how they ended (dropped and why, sent on
 * which port to which next hop with which headers, or consumed by vpcgw).
 * `/vpcgw/trace` returns what was recorded. Off, it costs one load and a
 * branch per burst (and on the drop path); the workers never lock.
 */
#ifndef VPCGW_DP_TRACE_H
#define VPCGW_DP_TRACE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#define DP_TRACE_MAX 64             /* records of one arming */
#define DP_TRACE_STAGES 12

/* Packets still to claim (0: off). Workers read it once per burst. */
extern uint32_t dp_trace_armed;
/* Some worker holds traced packets in its current burst (the drop hook). */
extern uint32_t dp_trace_busy;

struct dp_worker_ctx;
struct dp_emit;

/* Worker: claim the burst's packets that match (dp_trace_armed != 0). */
void dp_trace_burst_begin(struct dp_worker_ctx *w, struct rte_mbuf **pkts, uint16_t n,
			  uint16_t in_port);
/* Worker: stage st ran over pkts[0..n). */
void dp_trace_stage(struct dp_worker_ctx *w, unsigned st, struct rte_mbuf **pkts, uint16_t n);
/* Worker: transmission e leaves (dp_emit_flush). */
void dp_trace_emit(struct dp_worker_ctx *w, const struct dp_emit *e);
/* Any path: m is dropped for reason (dp_drop, when dp_trace_busy). */
void dp_trace_drop(struct rte_mbuf *m, unsigned reason);
/* Worker: the burst is done; publish its records. */
void dp_trace_burst_end(struct dp_worker_ctx *w);

/* Control thread: register /vpcgw/trace. */
int dp_trace_telemetry_init(void);
/* Parse "N[,key=value...]" and arm (tests, telemetry). 0 or -EINVAL with err set. */
int dp_trace_arm(const char *params, char *err, size_t errlen);

#endif /* VPCGW_DP_TRACE_H */
