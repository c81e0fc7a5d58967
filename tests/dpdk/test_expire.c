/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow table v2 (issue #15): EAL memory faulted in at start (dp/dp_mem.c),
 * and expiry by deadline in the creating lcore's timer wheel
 * (dp_flow_expire): flows go when idle past timeout + grace and not before,
 * a call visits only what is due (never the whole table), a slice is
 * bounded, a shorter TCP timeout moves a flow earlier, and flows another
 * lcore ends or re-times reach their owner through its hand-off ring, with
 * no slot lost or freed twice. Runs without hugepages on lcores 0 and 1.
 */
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
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "dp/dp.h"
#include "dp/dp_flow.h"
#include "dp/dp_mem.h"
#include "fw/ct_tcp.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define RD_MAIN 0
#define RD_PEER 1
#define CAP 4096u
#define BASE 1000000000ull          /* ms; the wheel starts here */
#define GRACE DP_FLOW_GRACE_MS

static struct dp_lcore_stats *stats;

static void
use_stats(void)
{
	RTE_PER_LCORE(dp_stats_p) = &stats[rte_lcore_id()];
}

static struct dp_flow_key
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

/* Flow i, idle timeout idle_s, last packet at last_ms. */
static struct dp_flow *
add(uint32_t i, uint8_t proto, uint32_t idle_s, uint64_t last_ms)
{
	struct dp_flow *f = dp_flow_alloc();

	assert_non_null(f);
	f->key[0] = key_of(i, proto);
	f->key[1] = dp_flow_key_mirror(&f->key[0]);
	f->kind = DP_FLOW_SG;
	f->idle_s = idle_s;
	f->last_ms = last_ms;
	if (proto == IPPROTO_TCP)
		f->tcp_state = FW_CT_TCP_SYN_SENT;
	assert_int_equal(dp_flow_insert(f), 0);
	return f;
}

static uint64_t
visits(void)
{
	return dp_flow_expiry_stats(rte_lcore_id())->visits;
}

/* Every slot comes back once the grace periods are over. */
static void
assert_all_back(void)
{
	struct dp_flow *got[CAP + 1];
	uint32_t n = 0;

	for (int r = 0; r < 4; r++) {
		rte_rcu_qsbr_quiescent(dp_g.rcu, RD_MAIN);
		dp_flow_reclaim(dp_g.rcu, false);
	}
	while (n <= CAP && (got[n] = dp_flow_alloc()) != NULL)
		n++;
	for (uint32_t i = 0; i < n; i++)
		dp_flow_abandon(got[i]);
	assert_int_equal(n, CAP);
}

static int
setup(void **state)
{
	(void)state;
	memset(stats, 0, sizeof(*stats) * RTE_MAX_LCORE);
	use_stats();
	if (dp_flow_init(CAP, SOCKET_ID_ANY, dp_g.rcu) != 0)
		return -1;
	/* the main lcore plays a worker: its first call starts its wheel */
	dp_flow_expire(BASE, 0);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	rte_rcu_qsbr_quiescent(dp_g.rcu, RD_MAIN);
	dp_flow_worker_flush();
	dp_flow_fini();
	return 0;
}

/* ------------------------------------------------------------ memory */

/* EAL leaves --no-huge memory to fault in page by page; after
 * dp_mem_prefault() nothing rte_malloc hands out is missing. */
static void
test_prefault(void **state)
{
	size_t len = 16u << 20;
	void *before = rte_malloc("test_pf_a", len, 4096), *after;
	const struct dp_mem_report *r;

	(void)state;
	assert_non_null(before);
	assert_true(dp_mem_missing_pages(before, len) > len / 4096 / 2);
	assert_int_equal(dp_mem_prefault(), 0);
	r = dp_mem_report();
	assert_int_equal(r->method, 1);
	assert_true(r->bytes >= 96u << 20);     /* all of -m 128 but what EAL keeps apart */
	assert_int_equal(dp_mem_missing_pages(before, len), 0);
	after = rte_malloc("test_pf_b", len, 4096);
	assert_non_null(after);
	assert_int_equal(dp_mem_missing_pages(after, len), 0);
	print_message("prefault: %" PRIu64 " MB in %.3f s, %" PRIu64 " MB in huge pages\n",
		      r->bytes >> 20, r->seconds, r->thp_bytes >> 20);
	rte_free(before);
	rte_free(after);
}

/* The flow table's own heap (huge pages where THP allows): allocations from
 * it are present from the start, and the table can be built on it. */
static void
test_table_heap(void **state)
{
	int s = dp_mem_table_socket(48u << 20, 0);
	void *p;

	(void)state;
	assert_true(s >= RTE_MAX_NUMA_NODES);       /* an external heap's socket id */
	p = rte_malloc_socket("test_th", 16u << 20, 4096, s);
	assert_non_null(p);
	assert_int_equal(dp_mem_missing_pages(p, 16u << 20), 0);
	rte_free(p);
	assert_int_equal(dp_flow_init(8192, s, dp_g.rcu), 0);
	dp_flow_fini();
	print_message("table heap: socket %d, %" PRIu64 " MB in huge pages\n", s,
		      dp_mem_report()->thp_bytes >> 20);
}

/* What a flow costs in EAL memory, everything counted: the 128-byte object
 * (both keys inside), its two hash entries, free ring, defer queue. */
static void
test_memory(void **state)
{
	struct rte_malloc_socket_stats a, b;
	const uint32_t n = 1u << 17;
	int socket = (int)rte_socket_id();
	double per;

	(void)state;
	assert_int_equal(sizeof(struct dp_flow), 128);
	assert_int_equal(rte_malloc_get_socket_stats(socket, &a), 0);
	assert_int_equal(dp_flow_init(n, socket, dp_g.rcu), 0);
	assert_int_equal(rte_malloc_get_socket_stats(socket, &b), 0);
	per = (double)(b.heap_allocsz_bytes - a.heap_allocsz_bytes) / n;
	print_message("memory: %.1f bytes per flow (%u flows; object %zu)\n", per, n,
		      sizeof(struct dp_flow));
	dp_flow_fini();
	assert_true(per >= 128.0);
	assert_true(per <= 384.0);
}

/* ------------------------------------------------------------ expiry */

/* Deleted once idle for more than timeout + grace, not a millisecond before;
 * a packet moves the deadline; the calls before a deadline visit nothing. */
static void
test_deadline(void **state)
{
	struct dp_lcore_stats *st = &stats[rte_lcore_id()];
	struct dp_flow *f[8];
	uint64_t v0, t30 = BASE + 30000 + GRACE;

	(void)state;
	for (uint32_t i = 0; i < 8; i++)
		f[i] = add(i, IPPROTO_UDP, 30, BASE);
	dp_flow_touch(f[7], BASE + 20000);          /* a later packet */
	v0 = visits();
	for (uint64_t t = BASE; t < BASE + 30000; t += 50)
		assert_int_equal(dp_flow_expire(t, 256), 0);
	assert_int_equal(visits(), v0);             /* nothing due: nothing read */
	/* idle exactly timeout + grace: still there (a packet now gets the idle RST) */
	assert_int_equal(dp_flow_expire(t30, 256), 0);
	assert_int_equal(dp_flow_count(), 8);
	/* the first tick after the deadline: the seven go, the touched one stays */
	assert_int_equal(dp_flow_expire(t30 + 64, 256), 7);
	assert_int_equal(dp_flow_count(), 1);
	assert_int_equal(st->flows_deleted[DP_FLOW_SG], 7);
	for (uint32_t i = 0; i < 7; i++)
		assert_false(dp_flow_key_exists(&f[i]->key[0]));
	assert_true(dp_flow_key_exists(&f[7]->key[1]));
	assert_int_equal(dp_flow_expire(t30 + 20000, 256), 0);
	assert_int_equal(dp_flow_expire(t30 + 20000 + 64, 256), 1);
	assert_int_equal(dp_flow_count(), 0);
	assert_int_equal(dp_flow_expiry_stats(rte_lcore_id())->expired, 8);
	assert_all_back();
}

/* Only due flows are read: 10 short flows among 3,000 long ones cost ~10
 * visits, not a pass over the table. */
static void
test_no_sweep(void **state)
{
	uint64_t v0;

	(void)state;
	for (uint32_t i = 0; i < 3000; i++)
		add(i, IPPROTO_UDP, i < 10 ? 5 : 200, BASE);
	v0 = visits();
	assert_int_equal(dp_flow_expire(BASE + 5000 + GRACE + 64, 4096), 10);
	assert_int_equal(dp_flow_count(), 2990);
	assert_true(visits() - v0 <= 10);
	/* after a revolution of the wheel (262 s) the rest are due: all go */
	assert_int_equal(dp_flow_expire(BASE + 300000, 4096), 2990);
	assert_int_equal(dp_flow_count(), 0);
	assert_all_back();
}

/* A call visits at most its budget; the rest waits for the next calls. */
static void
test_budget(void **state)
{
	uint32_t n, calls = 0, total = 0;

	(void)state;
	for (uint32_t i = 0; i < 2000; i++)
		add(i, IPPROTO_UDP, 10, BASE);
	do {
		n = dp_flow_expire(BASE + 12000, 256);
		assert_true(n <= 256);
		total += n;
		calls++;
	} while (n > 0);
	assert_int_equal(total, 2000);
	assert_int_equal(calls, 2000 / 256 + 2);
	assert_int_equal(dp_flow_count(), 0);
	/* a clock jump of days: every list visited once, nothing left behind */
	for (uint32_t i = 0; i < 100; i++)
		add(i, IPPROTO_UDP, 600, BASE + 12000);
	assert_int_equal(dp_flow_expire(BASE + 86400000ull * 3, 4096), 100);
	assert_int_equal(dp_flow_count(), 0);
	assert_all_back();
}

/* SYN_SENT (30 s) reset to CLOSED (10 s): the flow moves to the earlier deadline. */
static void
test_retime(void **state)
{
	struct dp_flow *f;

	(void)state;
	f = add(1, IPPROTO_TCP, 350, BASE);
	assert_int_equal(dp_flow_timeout_ms(f), 30000);
	f->tcp_state = FW_CT_TCP_CLOSED;
	dp_flow_tcp_moved(f, FW_CT_TCP_SYN_SENT, FW_CT_TCP_CLOSED);
	assert_int_equal(dp_flow_expire(BASE + 10000 + GRACE, 256), 0);
	assert_int_equal(dp_flow_expire(BASE + 10000 + GRACE + 64, 256), 1);
	assert_int_equal(dp_flow_count(), 0);
	assert_all_back();
}

/* ------------------------------------------------------------ another lcore */

struct peer_job {
	struct dp_flow **f;
	uint32_t n;
	int op;                     /* 0: kill, 1: reset to CLOSED */
	uint32_t done;
};

static int
peer(void *arg)
{
	struct peer_job *j = arg;

	use_stats();
	for (uint32_t i = 0; i < j->n; i++) {
		if (j->op == 0) {
			j->done += dp_flow_kill(j->f[i]);
		} else {
			__atomic_store_n(&j->f[i]->tcp_state, FW_CT_TCP_CLOSED, __ATOMIC_RELAXED);
			dp_flow_tcp_moved(j->f[i], FW_CT_TCP_SYN_SENT, FW_CT_TCP_CLOSED);
			j->done++;
		}
	}
	return 0;
}

static void
run_peer(struct peer_job *j)
{
	unsigned l = rte_get_next_lcore(rte_get_main_lcore(), 1, 0);

	assert_true(l < RTE_MAX_LCORE);
	assert_int_equal(rte_eal_remote_launch(peer, j, l), 0);
	assert_int_equal(rte_eal_wait_lcore(l), 0);
}

/*
 * Flows of this lcore's wheel ended by another: their keys go at once, the
 * slots come back through the owner (never twice, never lost, counted
 * once); flows re-timed by another move earlier all the same.
 */
static void
test_handoff(void **state)
{
	static struct dp_flow *f[600];
	struct peer_job kill = { .f = f, .n = 300, .op = 0 };
	struct peer_job reset = { .f = f + 300, .n = 300, .op = 1 };
	uint64_t deleted;

	(void)state;
	for (uint32_t i = 0; i < 600; i++)
		f[i] = add(i, IPPROTO_TCP, 350, BASE);
	run_peer(&kill);
	assert_int_equal(kill.done, 300);
	assert_int_equal(dp_flow_count(), 300);
	for (uint32_t i = 0; i < 300; i++)
		assert_false(dp_flow_key_exists(&f[i]->key[0]));
	/* not given back by the killer: the owner has them linked */
	for (uint32_t i = 0; i < 300; i++)
		assert_int_equal(f[i]->tw_owner, rte_lcore_id() + 1);
	run_peer(&reset);
	/* the owner takes both in on its next call (32 per call) */
	for (int c = 0; c < 40; c++)
		assert_int_equal(dp_flow_expire(BASE + 1000, 256), 0);
	assert_int_equal(dp_flow_expiry_stats(rte_lcore_id())->handoffs, 600);
	assert_int_equal(dp_flow_expiry_stats(rte_lcore_id())->handoff_full, 0);
	for (uint32_t i = 0; i < 300; i++)
		assert_int_equal(f[i]->tw_owner, 0);
	/* the reset ones go at 11 s, not 31 s */
	assert_int_equal(dp_flow_expire(BASE + 10000 + GRACE + 64, 256), 256);
	assert_int_equal(dp_flow_expire(BASE + 10000 + GRACE + 64, 256), 44);
	assert_int_equal(dp_flow_count(), 0);
	deleted = stats[rte_lcore_id()].flows_deleted[DP_FLOW_SG];
	for (unsigned l = 0; l < RTE_MAX_LCORE; l++)
		if (l != rte_lcore_id())
			deleted += stats[l].flows_deleted[DP_FLOW_SG];
	assert_int_equal(deleted, 600);
	assert_all_back();
}

int
main(int argc, char **argv)
{
	char prefix[64];
	char *eal[] = { "test", "-l", "0,1", "--no-huge", "-m", "128", "--no-pci",
			"--file-prefix", prefix, "--log-level", "error" };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefault),
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_table_heap),
		cmocka_unit_test_setup_teardown(test_deadline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_sweep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_budget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retime, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handoff, setup, teardown),
	};
	int ret;

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	snprintf(prefix, sizeof(prefix), "test_expire_%d", (int)getpid());
	if (rte_eal_init(NELEM(eal), eal) < 0) {
		fprintf(stderr, "rte_eal_init failed\n");
		return 1;
	}
	stats = rte_zmalloc("test_expire_stats", sizeof(*stats) * RTE_MAX_LCORE,
			    RTE_CACHE_LINE_SIZE);
	dp_g.rcu = rte_zmalloc("test_expire_rcu", rte_rcu_qsbr_get_memsize(2),
			       RTE_CACHE_LINE_SIZE);
	dp_g.stats = stats;
	if (stats == NULL || dp_g.rcu == NULL || rte_rcu_qsbr_init(dp_g.rcu, 2) != 0 ||
	    rte_rcu_qsbr_thread_register(dp_g.rcu, RD_MAIN) != 0) {
		fprintf(stderr, "test setup failed\n");
		return 1;
	}
	rte_rcu_qsbr_thread_online(dp_g.rcu, RD_MAIN);
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	rte_rcu_qsbr_thread_offline(dp_g.rcu, RD_MAIN);
	rte_eal_cleanup();
	return ret;
}
