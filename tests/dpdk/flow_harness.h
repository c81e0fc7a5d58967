/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The flow table tests' harness (test_flow.c, test_flow_mt.c): keys, flows
 * made and looked up as the data plane would, fixtures and the EAL setup.
 * The tests play the data plane's roles themselves: they register RCU
 * reader thread ids, report quiescent states where a worker would (between
 * "bursts"), and point the per-lcore counter pointer at a zeroed struct
 * dp_lcore_stats, which dp_flow_deleted() (dp/dp_ctl.c) counts into.
 */
#ifndef VPCGW_TEST_FLOW_HARNESS_H
#define VPCGW_TEST_FLOW_HARNESS_H

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>

#include "dp/dp.h"
#include "dp/dp_flow.h"
#include "fw/ct_tcp.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define RCU_THREADS 4
#define RD_MAIN 0           /* RCU thread id of the main lcore */
#define RD_PEER 1           /* RCU thread id of the second lcore */

static struct dp_lcore_stats *stats;    /* one per lcore id */
static struct rte_mempool *pool;

static __rte_unused void
use_stats(void)
{
	RTE_PER_LCORE(dp_stats_p) = &stats[rte_lcore_id()];
}

static __rte_unused double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------ keys */

/*
 * Flow i: 10.x.y.z:sport -> 172.16.0.1:dport, proto; the reply key is the
 * mirror image (a security-group flow) or, with nat, comes back to a
 * translated address and port (as a NAT flow's would).
 */
static __rte_unused struct dp_flow_key
key_of(uint32_t i, uint8_t proto)
{
	struct dp_flow_key k;

	memset(&k, 0, sizeof(k));
	k.src = htonl(0x0a000000u | (i >> 8));
	k.dst = htonl(0xac100001u);
	k.sport = htons((uint16_t)(1024 + (i & 0xff)));
	k.dport = htons(443);
	k.proto = proto;
	return k;
}

static __rte_unused struct dp_flow_key
mirror(const struct dp_flow_key *k)
{
	struct dp_flow_key m;

	memset(&m, 0, sizeof(m));
	m.src = k->dst;
	m.dst = k->src;
	m.sport = k->dport;
	m.dport = k->sport;
	m.proto = k->proto;
	return m;
}

static __rte_unused void
fill(struct dp_flow *f, uint32_t i, uint8_t proto, bool nat)
{
	f->key[0] = key_of(i, proto);
	f->key[1] = mirror(&f->key[0]);
	if (nat) {
		f->key[1].dst = htonl(0xc6336400u | (i & 0xff));   /* 198.51.100.x */
		f->key[1].dport = htons((uint16_t)(1024 + (i >> 8)));
	}
	/* the kind only matters to dp_flow_deleted(); NAT's would need NAT tables */
	f->kind = DP_FLOW_SG;
	f->idle_s = 600;
}

/* Insert flow i; the flow or NULL. */
static __rte_unused struct dp_flow *
add(uint32_t i, uint8_t proto, bool nat)
{
	struct dp_flow *f = dp_flow_alloc();

	if (f == NULL)
		return NULL;
	fill(f, i, proto, nat);
	if (dp_flow_insert(f) != 0)
		return NULL;
	return f;
}

/* dp_flow_lookup_burst() for one key: the tagged pointer or NULL. */
static __rte_unused void *
lookup(struct rte_mbuf *m, const struct dp_flow_key *k)
{
	struct dp_meta *md = dp_meta(m);

	md->key = *k;
	md->flow = (void *)(uintptr_t)0xdead;
	dp_flow_lookup_burst(&m, 1);
	return md->flow;
}

/*
 * Let the deletions made so far finish their grace period: report the main
 * reader quiescent, then delete throw-away flows (one key each): the hash
 * reclaims its RCU defer queue from deletions, up to 256 entries each time
 * it holds 32 or more (trigger_reclaim_limit in dp_flow.c). The last
 * throw-away deletions (fewer than 32) stay parked until later deletions.
 * Returns the number of throw-away flows deleted, or -1 when no slot could
 * be had at the start.
 */
#define DRAIN_ROUNDS 2048

static __rte_unused int
drain(void)
{
	for (int r = 0; r < DRAIN_ROUNDS; r++) {
		struct dp_flow *f;

		rte_rcu_qsbr_quiescent(dp_g.rcu, RD_MAIN);
		f = dp_flow_alloc();
		if (f == NULL)
			return -1;
		fill(f, 0xf00000u + (uint32_t)r, 99, false);
		f->key[1] = f->key[0];      /* one key: one deletion per round */
		if (dp_flow_insert(f) != 0)
			return -1;
		dp_flow_kill(f);
	}
	rte_rcu_qsbr_quiescent(dp_g.rcu, RD_MAIN);
	/* what the control loop does every tick: free what all readers passed */
	dp_flow_reclaim(dp_g.rcu, false);
	return DRAIN_ROUNDS;
}

/* Allocate every slot that can be had now into got[], give them back; how many. */
static __rte_unused uint32_t
grab_all(struct dp_flow **got, uint32_t max)
{
	uint32_t n = 0;

	while (n < max && (got[n] = dp_flow_alloc()) != NULL)
		n++;
	assert_null(n < max ? NULL : dp_flow_alloc());
	for (uint32_t i = 0; i < n; i++)
		dp_flow_abandon(got[i]);
	return n;
}

static __rte_unused int
ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

/* Flow i of key_of(); the inverse of key_of() on a key it built. */
static __rte_unused uint32_t
id_of(const struct dp_flow_key *k)
{
	return (ntohl(k->src) & 0xffffffu) << 8 | (uint32_t)(ntohs(k->sport) - 1024);
}

/* Every slot of the table, taken right after dp_flow_init(). */
static struct dp_flow **universe;
static uint32_t universe_n;

static __rte_unused void
take_universe(uint32_t cap)
{
	free(universe);
	universe = calloc(cap + 1, sizeof(*universe));
	assert_non_null(universe);
	universe_n = grab_all(universe, cap + 1);
	assert_int_equal(universe_n, cap);
	qsort(universe, universe_n, sizeof(*universe), ptr_cmp);
}

/*
 * No slot is lost: after a drain, every slot can be allocated again but
 * the few whose deletion is still parked in the defer queue, and those
 * must be drain's last throw-away flows (the most recent deletions).
 */
static __rte_unused void
assert_all_reusable(void)
{
	struct dp_flow **got = calloc(universe_n + 1, sizeof(*got));
	uint32_t n, missing = 0, j = 0;

	assert_non_null(got);
	assert_int_equal(dp_flow_count(), 0);
	assert_true(drain() > 0);
	n = grab_all(got, universe_n + 1);
	qsort(got, n, sizeof(*got), ptr_cmp);
	for (uint32_t i = 0; i < universe_n; i++) {
		struct dp_flow *u = universe[i];

		if (j < n && got[j] == u) {
			j++;
			continue;
		}
		missing++;
		if ((u->flags & DP_FLOW_F_LIVE) || u->key[0].proto != 99 ||
		    id_of(&u->key[0]) < 0xf00000u + DRAIN_ROUNDS - 32)
			fail_msg("slot %p lost: flags %#x proto %u flow %#x", (void *)u, u->flags,
				 u->key[0].proto, id_of(&u->key[0]));
	}
	assert_int_equal(j, n);             /* nothing outside the table */
	assert_true(missing < 32);
	assert_int_equal(dp_flow_count(), 0);
	free(got);
}

/* How many slots can be had now (given back after). */
static __rte_unused uint32_t
allocatable(uint32_t max)
{
	struct dp_flow **got = calloc(max + 1, sizeof(*got));
	uint32_t n;

	assert_non_null(got);
	n = grab_all(got, max + 1);
	free(got);
	return n;
}

/* ------------------------------------------------------------ fixtures */

static __rte_unused int
setup_cap(void **state, uint32_t cap)
{
	(void)state;
	memset(stats, 0, sizeof(*stats) * RTE_MAX_LCORE);
	use_stats();
	if (dp_flow_init(cap, SOCKET_ID_ANY, dp_g.rcu) != 0)
		return -1;
	take_universe(cap);
	return 0;
}

static __rte_unused int
setup_small(void **state)
{
	(void)state;
	return setup_cap(state, 256);
}

static __rte_unused int
teardown(void **state)
{
	(void)state;
	rte_rcu_qsbr_quiescent(dp_g.rcu, RD_MAIN);
	dp_flow_worker_flush();
	dp_flow_fini();
	return 0;
}

/* Run tests (n of them) as program name: EAL on lcores 0 and 1, no hugepages. */
static __rte_unused int
flow_harness_main(int argc, char **argv, const char *name, const struct CMUnitTest *tests,
		  size_t n)
{
	char prefix[64];
	char *eal[] = { "test", "-l", "0,1", "--no-huge", "-m", "512", "--no-pci",
			"--file-prefix", prefix, "--log-level", "error" };
	size_t sz;
	int ret;

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);    /* e.g. test_flow_mt test_stress */
	snprintf(prefix, sizeof(prefix), "%s_%d", name, (int)getpid());
	if (rte_eal_init(NELEM(eal), eal) < 0) {
		fprintf(stderr, "rte_eal_init failed\n");
		return 1;
	}
	stats = rte_zmalloc("test_flow_stats", sizeof(*stats) * RTE_MAX_LCORE, RTE_CACHE_LINE_SIZE);
	sz = rte_rcu_qsbr_get_memsize(RCU_THREADS);
	dp_g.rcu = rte_zmalloc("test_flow_rcu", sz, RTE_CACHE_LINE_SIZE);
	dp_g.stats = stats;
	pool = rte_pktmbuf_pool_create("test_flow_mb", 63, 0,
				       RTE_ALIGN(sizeof(struct dp_meta), RTE_MBUF_PRIV_ALIGN),
				       RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (stats == NULL || dp_g.rcu == NULL || pool == NULL ||
	    rte_rcu_qsbr_init(dp_g.rcu, RCU_THREADS) != 0 ||
	    rte_rcu_qsbr_thread_register(dp_g.rcu, RD_MAIN) != 0 ||
	    rte_rcu_qsbr_thread_register(dp_g.rcu, RD_PEER) != 0) {
		fprintf(stderr, "test setup failed\n");
		return 1;
	}
	rte_rcu_qsbr_thread_online(dp_g.rcu, RD_MAIN);
	ret = _cmocka_run_group_tests(name, tests, n, NULL, NULL);
	rte_rcu_qsbr_thread_offline(dp_g.rcu, RD_MAIN);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return ret;
}

#endif /* VPCGW_TEST_FLOW_HARNESS_H */
