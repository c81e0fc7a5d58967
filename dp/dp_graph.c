/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_telemetry.h>

#include "dp/dp_graph.h"
#include "dp/dp_trace.h"
#include "dp/dp_worker.h"

static struct dp_node nodes[DP_NODE_MAX];
static unsigned n_nodes;
static uint8_t n_edges[DP_NODE_MAX];    /* edges 0 .. n_edges - 1 are set */
uint8_t dp_graph_edge[DP_NODE_MAX][DP_NODE_EDGES];

void
dp_graph_reset(void)
{
	n_nodes = 0;
	memset(dp_graph_edge, 0, sizeof(dp_graph_edge));
	memset(n_edges, 0, sizeof(n_edges));
}

int
dp_graph_add(const struct dp_node *n)
{
	if (n_nodes == DP_NODE_MAX)
		return -ENOSPC;
	nodes[n_nodes] = *n;
	return (int)n_nodes++;
}

static int
find(const char *name)
{
	for (unsigned i = 0; i < n_nodes; i++)
		if (strcmp(nodes[i].name, name) == 0)
			return (int)i;
	return -1;
}

int
dp_graph_finalize(char *err, size_t errlen)
{
	for (unsigned i = 0; i < n_nodes; i++) {
		for (unsigned e = 0; e < DP_NODE_EDGES; e++) {
			int to;

			if (nodes[i].next[e] == NULL) {
				dp_graph_edge[i][e] = 0;
				continue;
			}
			to = find(nodes[i].next[e]);
			if (to < 0 || (unsigned)to <= i) {
				snprintf(err, errlen, "stage %s: edge %u to %s: %s", nodes[i].name,
					 e, nodes[i].next[e],
					 to < 0 ? "no such stage" : "not a later stage");
				return -EINVAL;
			}
			dp_graph_edge[i][e] = (uint8_t)to;
			n_edges[i] = (uint8_t)(e + 1);
		}
	}
	return 0;
}

unsigned
dp_graph_count(void)
{
	return n_nodes;
}

const struct dp_node *
dp_graph_node(unsigned i)
{
	return i < n_nodes ? &nodes[i] : NULL;
}

void
dp_graph_dot(FILE *f)
{
	fprintf(f, "digraph vpcgw {\n\trankdir=LR;\n\tnode [shape=box, fontname=\"monospace\"];\n");
	fprintf(f, "\t\"rx\" [shape=oval];\n\t\"rx\" -> \"%s\";\n", n_nodes ? nodes[0].name : "?");
	for (unsigned i = 0; i < n_nodes; i++) {
		fprintf(f, "\t\"%s\" [tooltip=\"%s\"];\n", nodes[i].name,
			nodes[i].help != NULL ? nodes[i].help : "");
		for (unsigned e = 0; e < DP_NODE_EDGES; e++)
			if (nodes[i].next[e] != NULL)
				fprintf(f, "\t\"%s\" -> \"%s\";\n", nodes[i].name, nodes[i].next[e]);
	}
	/* what any stage sends waits for ip_output, which sends it in arrival order */
	fprintf(f, "\t\"ip_output\" [tooltip=\"transmissions of the burst in arrival order\"];\n");
	for (unsigned i = 0; i < n_nodes; i++)
		if (nodes[i].next[0] == NULL || strcmp(nodes[i].name, "flow_fast") == 0 ||
		    strcmp(nodes[i].name, "ip_route") == 0 || strcmp(nodes[i].name, "ip_input") == 0)
			fprintf(f, "\t\"%s\" -> \"ip_output\" [style=dashed];\n", nodes[i].name);
	fprintf(f, "\t\"tx\" [shape=oval];\n\t\"ip_output\" -> \"tx\";\n}\n");
}

#ifndef DP_GRAPH_RTE      /* -Dstage_framework=rte_graph: dp/dp_graph_rte.c */
/* Put a vector filled by several stage runs back in arrival order (one run
 * keeps the order of its input): slots are unique within a burst. */
static void
vec_sort(struct dp_vec *v)
{
	struct rte_mbuf *by_slot[DP_BURST];
	uint32_t present = 0;
	uint16_t i, k = 0;

	RTE_BUILD_BUG_ON(DP_BURST > 32);
	for (i = 1; i < v->n; i++)
		if (dp_meta(v->pkts[i])->slot < dp_meta(v->pkts[i - 1])->slot)
			break;
	if (i >= v->n)
		return;
	for (i = 0; i < v->n; i++) {
		uint8_t s = dp_meta(v->pkts[i])->slot;

		by_slot[s] = v->pkts[i];
		present |= 1u << s;
	}
	while (present != 0) {
		v->pkts[k++] = by_slot[__builtin_ctz(present)];
		present &= present - 1;
	}
}

/* Run stage i on pkts; note which vectors it added to. Returns how many. */
static inline unsigned
run_stage(struct dp_graph_run *g, unsigned i, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t before[DP_NODE_EDGES] = { 0 };
	unsigned ne = n_edges[i], grew = 0;

	/* stage 0 runs first: every vector is empty (dp_graph_walk zeroed them) */
	if (i != 0)
		for (unsigned e = 0; e < ne; e++)
			before[e] = g->vec[dp_graph_edge[i][e]].n;
	g->cur = (uint8_t)i;
	nodes[i].fn(g, pkts, n);
	if (unlikely(g->trace))
		dp_trace_stage(dp_worker_self(), i, pkts, n);
	for (unsigned e = 0; e < ne; e++) {
		struct dp_vec *v = &g->vec[dp_graph_edge[i][e]];

		v->fills += v->n != before[e];
		grew += v->n != before[e];
	}
	return grew;
}

#endif

/* Count n packets as one call of stage i. */
static inline void
credit_stage(unsigned i, uint16_t n)
{
	struct dp_node_stats *st = &dp_stats_self()->node[i];

	st->calls++;
	st->pkts += n;
}

void
dp_graph_credit(struct dp_graph_run *g, unsigned e, uint16_t n)
{
	credit_stage(dp_graph_edge[g->cur][e], n);
}

void
dp_graph_credit_path(struct dp_graph_run *g, unsigned e, unsigned e2, uint16_t n)
{
	unsigned a = dp_graph_edge[g->cur][e];

	credit_stage(a, n);
	credit_stage(dp_graph_edge[a][e2], n);
}

#ifndef DP_GRAPH_RTE
void
dp_graph_walk(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t n)
{
	struct dp_node_stats *st = dp_stats_self()->node;
	uint64_t t0 = 0, t1;
	unsigned grew;

	for (unsigned i = 1; i < n_nodes; i++) {
		g->vec[i].n = 0;
		g->vec[i].fills = 0;
	}
	g->policy_min_slot = DP_BURST;
	g->slow_flows = 0;
	g->timed = st[0].calls % DP_GRAPH_TIMED == 0;
	if (g->timed)
		t0 = rte_rdtsc();
	grew = run_stage(g, 0, pkts, n);
	st[0].calls++;
	st[0].pkts += n;
	if (g->timed) {
		t1 = rte_rdtsc();
		st[0].cycles += t1 - t0;
		st[0].timed_pkts += n;
		t0 = t1;
	}
	/* the first stage kept the whole burst (its fused paths sent it, or it
	 * was consumed): no later stage has a packet */
	if (grew == 0)
		return;
	for (unsigned i = 1; i < n_nodes; i++) {
		struct dp_vec *v = &g->vec[i];

		if (v->n == 0)
			continue;
		if (v->fills > 1)
			vec_sort(v);
		run_stage(g, i, v->pkts, v->n);
		st[i].calls++;
		st[i].pkts += v->n;
		if (g->timed) {
			t1 = rte_rdtsc();
			st[i].cycles += t1 - t0;
			st[i].timed_pkts += v->n;
			t0 = t1;
		}
	}
}
#endif

/* ------------------------------------------------------------ telemetry */

/* /vpcgw/stages: per stage, all lcores summed: calls, packets, packets per
 * call (the vector size), TSC cycles per packet (measured on one burst in
 * DP_GRAPH_TIMED: "cycles" over "timed_packets"). */
static int
tel_stages(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct dp_lcore_stats *s = malloc(sizeof(*s));

	if (s == NULL)
		return -ENOMEM;
	dp_stats_sum(s);
	rte_tel_data_start_dict(d);
	for (unsigned i = 0; i <= n_nodes; i++) {
		const struct dp_node_stats *ns = &s->node[i];
		struct rte_tel_data *o = rte_tel_data_alloc();

		if (o == NULL)
			break;
		rte_tel_data_start_dict(o);
		rte_tel_data_add_dict_u64(o, "calls", ns->calls);
		rte_tel_data_add_dict_u64(o, "packets", ns->pkts);
		rte_tel_data_add_dict_u64(o, "cycles", ns->cycles);
		rte_tel_data_add_dict_u64(o, "timed_packets", ns->timed_pkts);
		rte_tel_data_add_dict_u64(o, "packets_per_call",
					  ns->calls ? ns->pkts / ns->calls : 0);
		rte_tel_data_add_dict_u64(o, "cycles_per_packet",
					  ns->timed_pkts ? ns->cycles / ns->timed_pkts : 0);
		rte_tel_data_add_dict_container(d, i < n_nodes ? nodes[i].name : "ip_output", o, 0);
	}
	free(s);
	return 0;
}

int
dp_graph_telemetry_init(void)
{
	return rte_telemetry_register_cmd("/vpcgw/stages", tel_stages,
					  "Pipeline stages: calls, packets, cycles per packet.");
}
