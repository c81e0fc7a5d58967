/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The stage framework of the pipeline (docs/ARCHITECTURE.md "Datapath v2").
 *
 * A stage (node) takes a vector of packets and gives each a next stage
 * through one of its named edges, or consumes it (drop, ARP, local). Stages
 * are registered in topological order (dp/pipeline.c): an edge only points
 * to a later stage, so one pass over the stages in order runs a burst to its
 * end, each stage called once with everything that reached it, like a VPP
 * frame or an rte_graph walk. The node shape, `fn(run, pkts, n)` plus an
 * enum of edges, is rte_node's, so moving a stage to rte_graph is mechanical.
 *
 * The framework counts per stage and per lcore: calls, packets and TSC
 * cycles (telemetry /vpcgw/stages). Registration happens on the control
 * thread before the workers start; the table is read-only afterwards.
 */
#ifndef VPCGW_DP_GRAPH_H
#define VPCGW_DP_GRAPH_H

#include <stdint.h>
#include <stdio.h>

#include <rte_mbuf.h>

#include "dp/dp.h"
#include "dp/dp_pkt.h"

#define DP_NODE_EDGES 5

struct dp_graph_run;

typedef void (*dp_node_fn)(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t n);

struct dp_node {
	const char *name;
	dp_node_fn fn;
	const char *next[DP_NODE_EDGES];    /* edge i leads to the stage named next[i] */
	const char *help;                   /* one line, for /vpcgw/stages and the picture */
};

/* Stages are timed (two TSC reads) on one burst in DP_GRAPH_TIMED. */
#define DP_GRAPH_TIMED 8

struct dp_vec {
	uint16_t n;
	uint8_t fills;              /* stage runs that added packets: > 1, order to restore */
	struct rte_mbuf *pkts[DP_BURST];
};

/* One burst's walk through the stages (on the worker's stack). */
struct dp_graph_run {
	struct dp_burst b;
	uint8_t cur;                /* the running stage */
	uint8_t policy_min_slot;    /* first slot sent to a stage that may create flows */
	uint64_t slow_flows;        /* filter of the flows some packet took to the slow stage */
	bool fast_alone;            /* flow_fast has every packet left in the burst */
	bool timed;                 /* this burst's stages are timed */
	bool trace;                 /* the burst holds traced packets (dp_trace.h) */
	bool no_direct;             /* trace, or traffic mirroring: every output through
				     * the emit list (mirror/ reads it), none sent directly */
	bool early;                 /* flow lookup before the ingress checks (eth_input) */
	struct dp_vec vec[DP_NODE_MAX];
};

/* Resolved edges: stage index of edge e of stage i. */
extern uint8_t dp_graph_edge[DP_NODE_MAX][DP_NODE_EDGES];

/* Forget every stage (tests; before the workers start). */
void dp_graph_reset(void);
/* Control thread, before the workers start. Returns the stage's index or -errno. */
int dp_graph_add(const struct dp_node *n);
/* Resolve the edges by name; -EINVAL (with a message in err) when an edge names
 * no stage or points backwards. */
int dp_graph_finalize(char *err, size_t errlen);
unsigned dp_graph_count(void);
const struct dp_node *dp_graph_node(unsigned i);
/* Graphviz dot of the stages and their edges. */
void dp_graph_dot(FILE *f);

/* Register /vpcgw/stages (control thread). */
int dp_graph_telemetry_init(void);

/* Run a received burst from stage 0. */
void dp_graph_walk(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t n);

/* n packets the stage at the end of edge e of the running stage would have
 * had, handled by the running one in its place (dp_route_fused): counted
 * as a call of that stage. */
void dp_graph_credit(struct dp_graph_run *g, unsigned e, uint16_t n);
/* The same for the stage at the end of edge e2 of that stage too (two
 * stages done in the running one's place: dp_flow_fused). */
void dp_graph_credit_path(struct dp_graph_run *g, unsigned e, unsigned e2, uint16_t n);

/* The vector at the end of edge e of the running stage. */
static inline struct dp_vec *
dp_graph_out(struct dp_graph_run *g, unsigned e)
{
	return &g->vec[dp_graph_edge[g->cur][e]];
}

static inline void
dp_vec_push(struct dp_vec *v, struct rte_mbuf *m)
{
	v->pkts[v->n++] = m;
}

/* Hand m to the stage at the end of edge e of the running stage. */
static inline void
dp_graph_next(struct dp_graph_run *g, unsigned e, struct rte_mbuf *m)
{
	dp_vec_push(dp_graph_out(g, e), m);
}

#endif /* VPCGW_DP_GRAPH_H */
