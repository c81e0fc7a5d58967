/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The stage framework (dp/dp_graph.c): edges are resolved by name and only
 * point forward; a burst visits each stage once with everything that reached
 * it; a stage fed by several stages sees its packets in arrival order again
 * (the pipeline's order rules rest on it); per-stage counters count calls and
 * packets; a stage nothing reached is not called.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dp/dp.h"
#include "dp/dp_graph.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static struct dp_lcore_stats *stats;
static struct rte_mempool *pool;
static uint8_t seen[DP_BURST];      /* slots the sink saw, in its order */
static unsigned n_seen;

enum { SPLIT_ODD, SPLIT_EVEN };

/* odd slots through "detour", even ones straight to "sink" */
static void
split(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		dp_graph_next(g, dp_meta(pkts[i])->slot & 1 ? SPLIT_ODD : SPLIT_EVEN, pkts[i]);
}

static void
detour(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		dp_graph_next(g, 0, pkts[i]);
}

static void
sink(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t n)
{
	(void)g;
	for (uint16_t i = 0; i < n; i++) {
		seen[n_seen++] = dp_meta(pkts[i])->slot;
		rte_pktmbuf_free(pkts[i]);
	}
}

static void
never(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t n)
{
	(void)g;
	(void)pkts;
	(void)n;
	fail_msg("a stage nothing reached was called");
}

static const struct dp_node st_split = { .name = "split", .fn = split,
	.next = { [SPLIT_ODD] = "detour", [SPLIT_EVEN] = "sink" } };
static const struct dp_node st_detour = { .name = "detour", .fn = detour, .next = { "sink" } };
static const struct dp_node st_idle = { .name = "idle", .fn = never };
static const struct dp_node st_sink = { .name = "sink", .fn = sink };

static void
test_unknown_edge(void **state)
{
	static const struct dp_node a = { .name = "a", .fn = sink, .next = { "nowhere" } };
	char err[128] = "";

	(void)state;
	dp_graph_reset();
	assert_int_equal(dp_graph_add(&a), 0);
	assert_int_equal(dp_graph_finalize(err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "no such stage"));
}

static void
test_backward_edge(void **state)
{
	static const struct dp_node a = { .name = "a", .fn = sink };
	static const struct dp_node b = { .name = "b", .fn = sink, .next = { "a" } };
	char err[128] = "";

	(void)state;
	dp_graph_reset();
	assert_int_equal(dp_graph_add(&a), 0);
	assert_int_equal(dp_graph_add(&b), 1);
	assert_int_equal(dp_graph_finalize(err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not a later stage"));
}

static void
test_walk_order_and_counters(void **state)
{
	struct rte_mbuf *pkts[DP_BURST];
	struct dp_graph_run g;
	char err[128];

	(void)state;
	dp_graph_reset();
	assert_int_equal(dp_graph_add(&st_split), 0);
	assert_int_equal(dp_graph_add(&st_detour), 1);
	assert_int_equal(dp_graph_add(&st_idle), 2);
	assert_int_equal(dp_graph_add(&st_sink), 3);
	assert_int_equal(dp_graph_finalize(err, sizeof(err)), 0);
	memset(stats, 0, sizeof(*stats) * RTE_MAX_LCORE);
	assert_int_equal(rte_pktmbuf_alloc_bulk(pool, pkts, DP_BURST), 0);
	for (unsigned i = 0; i < DP_BURST; i++)
		dp_meta(pkts[i])->slot = (uint8_t)i;
	n_seen = 0;
	memset(&g, 0, sizeof(g));
	dp_graph_walk(&g, pkts, DP_BURST);
	/* the sink got the even slots from split and the odd ones later from
	 * detour: it must see them in arrival order */
	assert_int_equal(n_seen, DP_BURST);
	for (unsigned i = 0; i < DP_BURST; i++)
		assert_int_equal(seen[i], i);
	assert_int_equal(stats[rte_lcore_id()].node[0].calls, 1);
	assert_int_equal(stats[rte_lcore_id()].node[0].pkts, DP_BURST);
	assert_int_equal(stats[rte_lcore_id()].node[1].pkts, DP_BURST / 2);
	assert_int_equal(stats[rte_lcore_id()].node[2].calls, 0);
	assert_int_equal(stats[rte_lcore_id()].node[3].calls, 1);
	assert_int_equal(stats[rte_lcore_id()].node[3].pkts, DP_BURST);
	assert_int_equal(rte_mempool_in_use_count(pool), 0);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_edge),
		cmocka_unit_test(test_backward_edge),
		cmocka_unit_test(test_walk_order_and_counters),
	};
	char prefix[64];
	char *eal[] = { "test_graph", "--no-huge", "-m", "64", "--no-pci", "--no-telemetry",
			"-l", "0", "--log-level", "error", "--file-prefix", prefix };
	int ret;

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	snprintf(prefix, sizeof(prefix), "test_graph_%d", (int)getpid());
	if (rte_eal_init(NELEM(eal), eal) < 0) {
		fprintf(stderr, "rte_eal_init failed\n");
		return 1;
	}
	stats = rte_zmalloc("test_graph_stats", sizeof(*stats) * RTE_MAX_LCORE,
			    RTE_CACHE_LINE_SIZE);
	pool = rte_pktmbuf_pool_create("test_graph_mb", 63, 0,
				       RTE_ALIGN(sizeof(struct dp_meta), RTE_MBUF_PRIV_ALIGN),
				       RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (stats == NULL || pool == NULL) {
		fprintf(stderr, "test setup failed\n");
		return 1;
	}
	dp_g.stats = stats;
	RTE_PER_LCORE(dp_stats_p) = &stats[rte_lcore_id()];
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return ret;
}
