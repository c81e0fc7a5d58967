/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The stages on DPDK's rte_graph in place of dp_graph_walk's own pass: built
 * only with `meson setup -Dstage_framework=rte_graph`, to measure the two
 * frameworks with the same stages (docs/PERFORMANCE.md "rte_graph or our
 * walk, session 13"). The default build does not compile this file.
 *
 * Each stage of dp/pipeline.c becomes an rte_node "vpcgw_<stage>" with the
 * stage's edges; a source node "vpcgw_rx" hands the worker's received burst
 * to the first stage (the worker loop, its rx and its counters stay as
 * they are). A node's process function runs the stage unchanged: the stage
 * fills the vectors at the ends of its edges (dp_graph_out), and the node
 * passes each to its edge with one rte_node_enqueue() (a copy of the
 * pointers: the cost of running unchanged stages) before it returns.
 *
 * rte_graph runs a node when its turn in the pending queue comes, in the
 * order nodes were first given packets, not in the stages' topological
 * order; a stage reached by two edges can run twice in one burst. The
 * stages' order rules (policy_min_slot, arrival order of the emit list)
 * assume the topological pass: of the pcap suite, the cases of a burst
 * mixing IPv4 and IPv6 fail here (their packets leave out of arrival order),
 * the rest pass (tests/variants.sh runs the IPv4 groups on this build). So
 * this build is for measuring. Each worker makes its graph on its first
 * burst (registering the nodes once, under a spin lock: allocations, once);
 * a failure there is a panic. Per-stage calls and packets are counted as in
 * dp_graph.c; cycles are not.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_graph.h>
#include <rte_graph_worker.h>
#include <rte_lcore.h>
#include <rte_per_lcore.h>

#include "dp/dp_graph.h"
#include "dp/dp_worker.h"

#define RTE_PREFIX "vpcgw_"

struct rte_walk {
	struct rte_graph *graph;
	struct dp_graph_run *g;     /* the burst being walked */
	struct rte_mbuf **pkts;
	uint16_t n;
};

static RTE_DEFINE_PER_LCORE(struct rte_walk, rw);
static atomic_flag reg_lock = ATOMIC_FLAG_INIT;
static bool registered;

/* The stage an rte_node runs: its index, kept in the node's context. */
static inline unsigned
node_stage(const struct rte_node *node)
{
	return node->ctx[0];
}

static int
stage_init(const struct rte_graph *graph, struct rte_node *node)
{
	for (unsigned i = 0; i < dp_graph_count(); i++) {
		char name[RTE_NODE_NAMESIZE];

		snprintf(name, sizeof(name), RTE_PREFIX "%s", dp_graph_node(i)->name);
		if (strcmp(name, node->name) == 0) {
			node->ctx[0] = (uint8_t)i;
			return 0;
		}
	}
	return -ENOENT;
}

static uint16_t
stage_process(struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct dp_graph_run *g = RTE_PER_LCORE(rw).g;
	struct dp_node_stats *st = dp_stats_self()->node;
	unsigned i = node_stage(node);
	const struct dp_node *d = dp_graph_node(i);

	g->cur = (uint8_t)i;
	d->fn(g, (struct rte_mbuf **)objs, n);
	st[i].calls++;
	st[i].pkts += n;
	for (unsigned e = 0; e < DP_NODE_EDGES && d->next[e] != NULL; e++) {
		struct dp_vec *v = &g->vec[dp_graph_edge[i][e]];

		if (v->n != 0) {
			rte_node_enqueue(graph, node, (rte_edge_t)e, (void **)v->pkts, v->n);
			v->n = 0;
		}
	}
	return n;
}

/* The source: the worker's burst, to the first stage. */
static uint16_t
rx_process(struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct rte_walk *w = &RTE_PER_LCORE(rw);
	uint16_t k = w->n;

	if (k != 0) {
		rte_node_enqueue(graph, node, 0, (void **)w->pkts, k);
		w->n = 0;
	}
	return k;
}

/* Register one node: name, flags, process and init functions, edges to the stages named. */
static int
register_node(const char *name, uint64_t flags, rte_node_process_t process, rte_node_init_t init,
	      const char *const next[], unsigned n_next)
{
	struct rte_node_register *r = calloc(1, sizeof(*r) + DP_NODE_EDGES * sizeof(char *));
	char (*names)[RTE_NODE_NAMESIZE] = calloc(DP_NODE_EDGES, RTE_NODE_NAMESIZE);
	rte_node_t id;

	if (r == NULL || names == NULL) {
		free(r);
		free(names);
		return -ENOMEM;
	}
	snprintf(r->name, sizeof(r->name), RTE_PREFIX "%s", name);
	r->flags = flags;
	r->process = process;
	r->init = init;
	for (unsigned e = 0; e < n_next; e++) {
		snprintf(names[e], RTE_NODE_NAMESIZE, RTE_PREFIX "%s", next[e]);
		r->next_nodes[e] = names[e];
	}
	r->nb_edges = (rte_edge_t)n_next;
	id = __rte_node_register(r);     /* copies the names */
	free(r);
	free(names);
	return id == RTE_NODE_ID_INVALID ? -rte_errno : 0;
}

static int
register_nodes(void)
{
	const char *first = dp_graph_node(0)->name;
	int rc = register_node("rx", RTE_NODE_SOURCE_F, rx_process, NULL, &first, 1);

	for (unsigned i = 0; rc == 0 && i < dp_graph_count(); i++) {
		const struct dp_node *d = dp_graph_node(i);
		unsigned ne = 0;

		while (ne < DP_NODE_EDGES && d->next[ne] != NULL)
			ne++;
		rc = register_node(d->name, 0, stage_process, stage_init, d->next, ne);
	}
	return rc;
}

/* This lcore's graph, made on its first burst (registering the nodes once). */
static struct rte_graph *
lcore_graph(void)
{
	static const char *patterns[] = { RTE_PREFIX "*" };
	struct rte_graph_param prm = {
		.socket_id = (int)rte_socket_id(),
		.nb_node_patterns = 1,
		.node_patterns = patterns,
	};
	char name[RTE_GRAPH_NAMESIZE];
	rte_graph_t id;
	int rc = 0;

	while (atomic_flag_test_and_set(&reg_lock))
		;
	if (!registered) {
		rc = register_nodes();
		registered = rc == 0;
	}
	atomic_flag_clear(&reg_lock);
	if (rc != 0)
		rte_panic("rte_graph: registering the stages: %s\n", rte_strerror(-rc));
	snprintf(name, sizeof(name), "vpcgw-%u", rte_lcore_id());
	while (atomic_flag_test_and_set(&reg_lock))
		;
	id = rte_graph_create(name, &prm);
	atomic_flag_clear(&reg_lock);
	if (id == RTE_GRAPH_ID_INVALID)
		rte_panic("rte_graph: creating %s: %s\n", name, rte_strerror(rte_errno));
	return rte_graph_lookup(name);
}

void
dp_graph_walk(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t n)
{
	struct rte_walk *w = &RTE_PER_LCORE(rw);

	if (unlikely(w->graph == NULL))
		w->graph = lcore_graph();
	for (unsigned i = 1; i < dp_graph_count(); i++) {
		g->vec[i].n = 0;
		g->vec[i].fills = 0;
	}
	g->policy_min_slot = DP_BURST;
	g->slow_flows = 0;
	g->timed = false;
	w->g = g;
	w->pkts = pkts;
	w->n = n;
	rte_graph_walk(w->graph);
}
