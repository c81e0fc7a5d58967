/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The flow table (dp/dp_flow.c): both keys of a flow, expiry by sweep and by
 * kill, capacity, slot recycling only after an RCU grace period, a stress
 * run of millions of insert/expire cycles and two lcores racing on the two
 * directions of the same flows. Needs the EAL (rte_hash, rte_ring, mbufs);
 * runs without hugepages or devices on lcores 0 and 1.
 *
 * The test plays the data plane's roles itself: it registers RCU reader
 * thread ids, reports quiescent states where a worker would (between
 * "bursts"), and points the per-lcore counter pointer at a zeroed struct
 * dp_lcore_stats, which dp_flow_deleted() (dp/dp_ctl.c) counts into.
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

static void
use_stats(void)
{
	RTE_PER_LCORE(dp_stats_p) = &stats[rte_lcore_id()];
}

static double
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

static struct dp_flow_key
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

static void
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
static struct dp_flow *
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
static void *
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

static int
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
static uint32_t
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

static int
ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

/* Flow i of key_of(); the inverse of key_of() on a key it built. */
static uint32_t
id_of(const struct dp_flow_key *k)
{
	return (ntohl(k->src) & 0xffffffu) << 8 | (uint32_t)(ntohs(k->sport) - 1024);
}

/* Every slot of the table, taken right after dp_flow_init(). */
static struct dp_flow **universe;
static uint32_t universe_n;

static void
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
static void
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
static uint32_t
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

static int
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

static int
setup_small(void **state)
{
	(void)state;
	return setup_cap(state, 256);
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

/* ------------------------------------------------------------ tests */

/* Both keys find the flow, tagged with their direction; a duplicate key is refused. */
static void
test_insert_lookup(void **state)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct dp_flow *f, *g, *self;
	struct dp_flow_key k;
	void *t;

	(void)state;
	assert_non_null(m);
	assert_int_equal(dp_flow_count(), 0);
	assert_int_equal(dp_flow_capacity(), 256);

	f = add(7, IPPROTO_TCP, false);
	assert_non_null(f);
	t = lookup(m, &f->key[0]);
	assert_ptr_equal(dp_flow_ptr(t), f);
	assert_int_equal(dp_flow_dir(t), 0);
	t = lookup(m, &f->key[1]);
	assert_ptr_equal(dp_flow_ptr(t), f);
	assert_int_equal(dp_flow_dir(t), 1);
	assert_true(f->flags & DP_FLOW_F_LIVE);

	/* a NAT flow: the reply key is not the mirror image */
	g = add(8, IPPROTO_UDP, true);
	assert_non_null(g);
	t = lookup(m, &g->key[1]);
	assert_ptr_equal(dp_flow_ptr(t), g);
	assert_int_equal(dp_flow_dir(t), 1);
	k = mirror(&g->key[0]);
	assert_null(lookup(m, &k));
	assert_false(dp_flow_key_exists(&k));
	assert_true(dp_flow_key_exists(&g->key[0]));
	assert_true(dp_flow_key_exists(&g->key[1]));

	/* other protocol, same addresses and ports: another flow */
	k = f->key[0];
	k.proto = IPPROTO_UDP;
	assert_null(lookup(m, &k));
	assert_int_equal(dp_flow_count(), 2);

	/* a second flow with either key of an existing one: -EEXIST, nothing changes */
	self = dp_flow_alloc();
	assert_non_null(self);
	fill(self, 7, IPPROTO_TCP, false);
	assert_int_equal(dp_flow_insert(self), -EEXIST);
	self = dp_flow_alloc();
	assert_non_null(self);
	self->key[0] = f->key[1];
	self->key[1] = key_of(1000, IPPROTO_TCP);
	assert_int_equal(dp_flow_insert(self), -EEXIST);
	assert_false(dp_flow_key_exists(&self->key[1]));
	assert_ptr_equal(dp_flow_ptr(lookup(m, &f->key[1])), f);
	self = dp_flow_alloc();
	assert_non_null(self);
	self->key[0] = key_of(1001, IPPROTO_TCP);
	self->key[1] = f->key[0];
	assert_int_equal(dp_flow_insert(self), -EEXIST);
	assert_false(dp_flow_key_exists(&self->key[0]));
	t = lookup(m, &f->key[0]);
	assert_ptr_equal(dp_flow_ptr(t), f);
	assert_int_equal(dp_flow_dir(t), 0);
	assert_int_equal(dp_flow_count(), 2);

	/* a flow to itself: one key, found as direction 0 */
	self = dp_flow_alloc();
	assert_non_null(self);
	fill(self, 9, 47, false);
	self->key[1] = self->key[0];
	assert_int_equal(dp_flow_insert(self), 0);
	t = lookup(m, &self->key[0]);
	assert_ptr_equal(dp_flow_ptr(t), self);
	assert_int_equal(dp_flow_dir(t), 0);
	assert_int_equal(dp_flow_count(), 3);
	assert_true(dp_flow_kill(self));
	assert_false(dp_flow_key_exists(&self->key[0]));
	assert_int_equal(dp_flow_count(), 2);
	rte_pktmbuf_free(m);
}

/* Timeouts by protocol and state; expiry by sweep (with grace) and by kill. */
static void
test_expiry(void **state)
{
	struct dp_lcore_stats *st = dp_stats_self();
	struct dp_flow *u, *t, *o;
	uint64_t base = 1000000;

	(void)state;
	u = dp_flow_alloc();
	assert_non_null(u);
	fill(u, 1, IPPROTO_UDP, false);
	u->idle_s = 180;
	u->short_s = 30;
	u->last_ms = base;
	u->eni[0] = 3;                  /* ENI index 2 */
	assert_int_equal(dp_flow_insert(u), 0);

	t = dp_flow_alloc();
	assert_non_null(t);
	fill(t, 2, IPPROTO_TCP, false);
	t->idle_s = 432000;
	t->tcp_state = FW_CT_TCP_SYN_SENT;
	t->last_ms = base;
	assert_int_equal(dp_flow_insert(t), 0);

	o = dp_flow_alloc();
	assert_non_null(o);
	fill(o, 3, 47, false);
	o->idle_s = 600;
	o->last_ms = base;
	assert_int_equal(dp_flow_insert(o), 0);

	/* UDP one way: 30 s; a stream: 180 s */
	assert_int_equal(dp_flow_timeout_ms(u), 30000);
	assert_false(dp_flow_expired(u, base + 30000));
	assert_true(dp_flow_expired(u, base + 30001));
	u->flags |= DP_FLOW_F_UDP_STREAM;
	assert_int_equal(dp_flow_timeout_ms(u), 180000);
	assert_false(dp_flow_expired(u, base + 180000));
	assert_true(dp_flow_expired(u, base + 180001));
	/* TCP follows its state */
	assert_int_equal(dp_flow_timeout_ms(t), 30000);
	t->tcp_state = FW_CT_TCP_ESTABLISHED;
	assert_int_equal(dp_flow_timeout_ms(t), 432000000ull);
	t->tcp_state = FW_CT_TCP_CLOSED;
	assert_int_equal(dp_flow_timeout_ms(t), 10000);
	assert_int_equal(dp_flow_timeout_ms(o), 600000);
	/* a packet moves last_ms forward, never back */
	dp_flow_touch(o, base + 5000);
	assert_int_equal(o->last_ms, base + 5000);
	dp_flow_touch(o, base + 10);
	assert_int_equal(o->last_ms, base + 5000);

	/* sweep at base + 15 s, grace 1 s: nothing is older than timeout + grace */
	assert_int_equal(dp_flow_sweep(base + 11000, 256, 1000), 0);
	assert_int_equal(dp_flow_count(), 3);
	/* just past the CLOSED timeout + grace: the TCP flow goes, alone */
	assert_int_equal(dp_flow_sweep(base + 11001, 256, 1000), 1);
	assert_int_equal(dp_flow_count(), 2);
	assert_false(dp_flow_key_exists(&t->key[0]));
	assert_false(dp_flow_key_exists(&t->key[1]));
	assert_true(dp_flow_key_exists(&u->key[0]));
	assert_int_equal(st->flows_deleted[DP_FLOW_SG], 1);

	/* a worker meets the expired UDP flow: the first kill wins */
	assert_true(dp_flow_expired(u, base + 200000));
	assert_true(dp_flow_kill(u));
	assert_false(dp_flow_kill(u));
	assert_false(dp_flow_key_exists(&u->key[0]));
	assert_false(dp_flow_key_exists(&u->key[1]));
	assert_int_equal(dp_flow_count(), 1);
	assert_int_equal(st->flows_deleted[DP_FLOW_SG], 2);
	assert_int_equal(st->eni[2].flows_deleted, 1);
	/* the sweeper does not count it again */
	assert_int_equal(dp_flow_sweep(base + 200000, 256, 0), 0);
	assert_int_equal(dp_flow_count(), 1);

	/* the sweep resumes where it stopped: a budget of 1 per call still reaches o */
	{
		uint32_t n = 0;

		for (int i = 0; i < 256; i++)
			n += dp_flow_sweep(base + 700000, 1, 0);
		assert_int_equal(n, 1);
	}
	assert_int_equal(dp_flow_count(), 0);
	assert_int_equal(st->flows_deleted[DP_FLOW_SG], 3);
}

/* A full table: alloc returns NULL, a refused insert gives its slot back. */
static void
test_capacity(void **state)
{
	struct dp_flow *flows[256], *f;
	uint32_t i;

	(void)state;
	for (i = 0; i < 256; i++) {
		flows[i] = add(i, IPPROTO_UDP, false);
		assert_non_null(flows[i]);
	}
	assert_int_equal(dp_flow_count(), 256);
	assert_null(dp_flow_alloc());
	assert_null(dp_flow_alloc());
	/* every flow is still reachable */
	for (i = 0; i < 256; i++)
		assert_true(dp_flow_key_exists(&flows[i]->key[1]));

	/* free 40: their slots stay out of reach while the reader may hold them */
	rte_rcu_qsbr_quiescent(dp_g.rcu, RD_MAIN);
	for (i = 0; i < 40; i++)
		assert_true(dp_flow_kill(flows[i]));
	assert_int_equal(dp_flow_count(), 216);
	assert_null(dp_flow_alloc());
	/* the reader passes a quiescent state; the next deletion reclaims them */
	rte_rcu_qsbr_quiescent(dp_g.rcu, RD_MAIN);
	assert_true(dp_flow_kill(flows[40]));
	assert_int_equal(allocatable(256), 40);

	/* refused insert: the slot comes back at once */
	f = dp_flow_alloc();
	assert_non_null(f);
	fill(f, 100, IPPROTO_UDP, false);       /* flow 100 is live */
	assert_int_equal(dp_flow_insert(f), -EEXIST);
	assert_int_equal(dp_flow_count(), 215);
	assert_int_equal(allocatable(256), 40);
	for (i = 0; i < 40; i++)
		assert_non_null(add(1000 + i, IPPROTO_UDP, false));
	assert_null(dp_flow_alloc());
	assert_int_equal(dp_flow_count(), 255);
	for (i = 41; i < 256; i++)
		assert_true(dp_flow_kill(flows[i]));
	rte_rcu_qsbr_quiescent(dp_g.rcu, RD_MAIN);
	assert_int_equal(dp_flow_sweep(UINT64_MAX / 2, 256, 0), 40);
	assert_int_equal(dp_flow_count(), 0);
	assert_all_reusable();
}

/*
 * No leak, and no early reuse: a deleted flow's slot comes back only after
 * the reader reported quiescent; once every deletion's grace period is
 * over, every slot is reusable and the count is back to 0.
 */
static void
test_rcu_recycle(void **state)
{
	struct dp_lcore_stats *st = dp_stats_self();
	struct dp_flow *flows[256];
	uint32_t i;
	int d;

	(void)state;
	rte_rcu_qsbr_quiescent(dp_g.rcu, RD_MAIN);
	for (i = 0; i < 256; i++) {
		flows[i] = add(i, IPPROTO_TCP, i & 1);
		assert_non_null(flows[i]);
	}
	/* the reader has not been quiescent since: nothing may be recycled,
	 * however many deletions are made (each one tries to reclaim) */
	for (i = 0; i < 255; i++)
		assert_true(dp_flow_kill(flows[i]));
	assert_int_equal(dp_flow_count(), 1);
	assert_null(dp_flow_alloc());
	/* a reader that took the pointer before the kill can still read it */
	for (i = 0; i < 255; i++) {
		assert_int_equal(flows[i]->key[0].proto, IPPROTO_TCP);
		assert_int_equal(flows[i]->key[0].src, key_of(i, IPPROTO_TCP).src);
	}
	/* quiescent: the next deletion lets the slots come back */
	rte_rcu_qsbr_quiescent(dp_g.rcu, RD_MAIN);
	assert_true(dp_flow_kill(flows[255]));
	assert_int_equal(dp_flow_count(), 0);
	assert_true(allocatable(256) >= 100);
	d = drain();
	assert_true(d > 0);
	assert_int_equal(st->flows_deleted[DP_FLOW_SG] + st->flows_deleted[DP_FLOW_NAT],
			 256 + (uint64_t)d);
	/* the old keys are gone; new flows take the slots */
	for (i = 0; i < 256; i++) {
		assert_false(dp_flow_key_exists(&flows[i]->key[0]));
		assert_false(dp_flow_key_exists(&flows[i]->key[1]));
	}
	for (i = 0; i < 200; i++)
		assert_non_null(add(5000 + i, IPPROTO_TCP, false));
	assert_int_equal(dp_flow_count(), 200);
	rte_rcu_qsbr_quiescent(dp_g.rcu, RD_MAIN);
	assert_int_equal(dp_flow_sweep(UINT64_MAX / 2, 256, 0), 200);
	assert_all_reusable();
}

/*
 * Millions of insert/expire cycles on one lcore: flow i is inserted at
 * "time" i ms, every third flow is killed by a worker at age 4 s, the
 * sweeper (a slice per step) removes the others after their 16 s timeout.
 * The reader reports quiescent every 64 steps, as a worker does per burst.
 */
#define STRESS_CAP 65536u
#define STRESS_N 3000000u
#define STRESS_MAX_S 15.0

static void
test_stress(void **state)
{
	struct dp_flow **ring = calloc(STRESS_CAP, sizeof(*ring));
	struct dp_lcore_stats *st = dp_stats_self();
	uint32_t *born = calloc(STRESS_CAP, sizeof(*born));
	uint64_t killed = 0, swept = 0, inserted = 0;
	double t0 = now_s(), dt;
	uint32_t i, live;

	(void)state;
	assert_non_null(ring);
	assert_non_null(born);
	for (i = 0; i < STRESS_N; i++) {
		struct dp_flow *f;
		uint32_t j;

		if ((i & 63) == 0)
			rte_rcu_qsbr_quiescent(dp_g.rcu, RD_MAIN);
		f = dp_flow_alloc();
		if (f == NULL)
			fail_msg("table full at step %u (live %u)", i, dp_flow_count());
		fill(f, i, (uint8_t)(i % 3 == 2 ? IPPROTO_UDP : 47), (i & 4) != 0);
		f->idle_s = 16;
		f->short_s = 16;
		f->last_ms = i;
		if (dp_flow_insert(f) != 0)
			fail_msg("insert %u refused", i);
		inserted++;
		ring[i % STRESS_CAP] = f;
		born[i % STRESS_CAP] = i;
		/* a worker kills every third flow at age 4000 */
		if (i >= 4000 && (i - 4000) % 3 == 0) {
			j = i - 4000;
			if (!dp_flow_kill(ring[j % STRESS_CAP]))
				fail_msg("kill of %u lost", j);
			killed++;
		}
		swept += dp_flow_sweep(i, 8, 0);
		if ((i & 0xfffff) == 0 && now_s() - t0 > STRESS_MAX_S)
			break;
	}
	dt = now_s() - t0;
	live = dp_flow_count();
	print_message("stress: %" PRIu64 " insert+delete cycles in %.2f s: %.2f M cycles/s "
		      "(%" PRIu64 " killed, %" PRIu64 " swept, %u live)\n",
		      inserted, dt, inserted / dt / 1e6, killed, swept, live);
	assert_true(inserted >= 1000000);
	assert_int_equal(inserted - killed - swept, live);
	/* nothing older than timeout + one sweep pass is left, nothing young was swept */
	assert_true(live < 16001 + STRESS_CAP / 8 + 64);
	/* the 3000 youngest flows (none killed or timed out yet) are all there */
	for (uint32_t k = 0; k < 3000; k++) {
		uint32_t j = (uint32_t)inserted - 1 - k;
		struct dp_flow *f = ring[j % STRESS_CAP];

		assert_int_equal(born[j % STRESS_CAP], j);
		assert_true(dp_flow_key_exists(&f->key[0]));
		assert_true(dp_flow_key_exists(&f->key[1]));
	}
	/* flows killed at age 4000 are gone */
	for (uint32_t j = (uint32_t)inserted - 4001 - 3000; j < (uint32_t)inserted - 4001; j++) {
		struct dp_flow_key k = key_of(j, 47);

		if (j % 3 == 0)
			assert_false(dp_flow_key_exists(&k));
	}
	assert_int_equal(st->flows_deleted[DP_FLOW_SG] + st->flows_deleted[DP_FLOW_NAT],
			 killed + swept);
	/* everything expires; every slot comes back */
	assert_int_equal(dp_flow_sweep(UINT64_MAX / 2, STRESS_CAP, 0), live);
	assert_int_equal(dp_flow_count(), 0);
	assert_all_reusable();
	free(ring);
	free(born);
}

/*
 * Two lcores see the two directions of the same flows: lcore A the packets
 * as the opener sends them, lcore B the replies. Whoever finds no flow
 * creates it, from its own direction; the other must then find that flow,
 * in the right direction. No flow may be lost (a key that finds nothing
 * after a refused insert), duplicated (two flows for one connection) or
 * leaked (count or slots off at the end).
 */
#define RACE_N 100000u
#define RACE_CAP 131072u
#define RACE_ROUNDS 5

struct race {
	int side;                   /* 0: opener's direction, 1: replies */
	uint32_t round;
	uint64_t created, found, lost, wrong;
	struct dp_flow **made;      /* RACE_N: the flow this side created, or NULL */
};

static struct rte_mbuf *race_mbuf[2];

static int
race_side(void *arg)
{
	struct race *r = arg;
	struct rte_mbuf *m = race_mbuf[r->side];
	unsigned rd = r->side == 0 ? RD_MAIN : RD_PEER;

	use_stats();
	for (uint32_t i = 0; i < RACE_N; i++) {
		uint32_t id = r->round * RACE_N + i;
		struct dp_flow_key k0 = key_of(id, IPPROTO_UDP), k1 = mirror(&k0);
		const struct dp_flow_key *mine = r->side == 0 ? &k0 : &k1;
		void *t;

		if ((i & 31) == 0)
			rte_rcu_qsbr_quiescent(dp_g.rcu, rd);
		r->made[i] = NULL;
		t = lookup(m, mine);
		if (t == NULL) {
			struct dp_flow *f = dp_flow_alloc();
			int rc;

			if (f == NULL) {
				r->lost++;
				continue;
			}
			f->key[0] = *mine;
			f->key[1] = mirror(mine);
			f->kind = DP_FLOW_SG;
			f->idle_s = 600;
			rc = dp_flow_insert(f);
			if (rc == 0) {
				r->created++;
				r->made[i] = f;
				continue;
			}
			if (rc != -EEXIST) {
				r->lost++;
				continue;
			}
			/* the other side won: its flow must be there now */
			t = lookup(m, mine);
			if (t == NULL) {
				r->lost++;
				continue;
			}
		}
		r->found++;
		/* found through my key: its key[dir] must be my key */
		if (memcmp(&dp_flow_ptr(t)->key[dp_flow_dir(t)], mine, sizeof(*mine)) != 0)
			r->wrong++;
	}
	rte_rcu_qsbr_quiescent(dp_g.rcu, rd);
	dp_flow_worker_flush();
	return 0;
}

static void
test_two_lcores(void **state)
{
	unsigned peer = rte_get_next_lcore(rte_get_main_lcore(), 1, 0);
	struct race r[2];
	uint64_t total_created = 0, dup = 0, split = 0, created[2] = { 0, 0 }, swept = 0;

	(void)state;
	assert_true(peer < RTE_MAX_LCORE);
	race_mbuf[0] = rte_pktmbuf_alloc(pool);
	race_mbuf[1] = rte_pktmbuf_alloc(pool);
	assert_non_null(race_mbuf[0]);
	assert_non_null(race_mbuf[1]);
	memset(r, 0, sizeof(r));
	for (int s = 0; s < 2; s++) {
		r[s].side = s;
		r[s].made = calloc(RACE_N, sizeof(*r[s].made));
		assert_non_null(r[s].made);
	}
	for (uint32_t round = 0; round < RACE_ROUNDS; round++) {
		for (int s = 0; s < 2; s++) {
			r[s].round = round;
			r[s].created = r[s].found = 0;
		}
		rte_rcu_qsbr_thread_online(dp_g.rcu, RD_PEER);
		assert_int_equal(rte_eal_remote_launch(race_side, &r[1], peer), 0);
		race_side(&r[0]);
		assert_int_equal(rte_eal_wait_lcore(peer), 0);
		/* the peer holds no flow pointer any more */
		rte_rcu_qsbr_thread_offline(dp_g.rcu, RD_PEER);
		use_stats();
		for (uint32_t i = 0; i < RACE_N; i++) {
			uint32_t id = round * RACE_N + i;
			struct dp_flow_key k0 = key_of(id, IPPROTO_UDP), k1 = mirror(&k0);
			struct dp_flow *a = r[0].made[i], *b = r[1].made[i];
			void *t0 = lookup(race_mbuf[0], &k0), *t1 = lookup(race_mbuf[0], &k1);

			if (a != NULL && b != NULL)
				dup++;          /* both inserts "succeeded": two flows */
			if (t0 == NULL || t1 == NULL || dp_flow_ptr(t0) != dp_flow_ptr(t1) ||
			    dp_flow_dir(t0) == dp_flow_dir(t1))
				split++;        /* the two keys do not lead to one flow */
		}
		/* end of the round: every flow of the round expires and its slot
		 * comes back (the reclaim rides on later deletions: drain) */
		rte_rcu_qsbr_quiescent(dp_g.rcu, RD_MAIN);
		swept += dp_flow_sweep(UINT64_MAX / 2, RACE_CAP, 0);
		assert_true(drain() > 0);
		total_created += r[0].created + r[1].created;
		created[0] += r[0].created;
		created[1] += r[1].created;
	}
	print_message("two lcores: %u flows x %d rounds; created by A %" PRIu64 ", by B %" PRIu64
		      "; duplicates %" PRIu64 ", split %" PRIu64 ", lost %" PRIu64
		      ", wrong direction %" PRIu64 "; swept %" PRIu64 "\n",
		      RACE_N, RACE_ROUNDS, created[0], created[1], dup, split,
		      r[0].lost + r[1].lost, r[0].wrong + r[1].wrong, swept);
	assert_int_equal(r[0].lost + r[1].lost, 0);
	assert_int_equal(r[0].wrong + r[1].wrong, 0);
	assert_int_equal(dup, 0);
	assert_int_equal(split, 0);
	assert_int_equal(total_created, (uint64_t)RACE_N * RACE_ROUNDS);
	assert_int_equal(swept, total_created);
	/* both lcores really raced: each created some flows */
	assert_true(created[0] > 0 && created[1] > 0);
	assert_int_equal(dp_flow_count(), 0);
	assert_all_reusable();
	for (int s = 0; s < 2; s++)
		free(r[s].made);
	rte_pktmbuf_free(race_mbuf[0]);
	rte_pktmbuf_free(race_mbuf[1]);
}

static int
setup_stress(void **state)
{
	return setup_cap(state, STRESS_CAP);
}

static int
setup_race(void **state)
{
	return setup_cap(state, RACE_CAP);
}

int
main(int argc, char **argv)
{
	char prefix[64];
	char *eal[] = { "test", "-l", "0,1", "--no-huge", "-m", "512", "--no-pci",
			"--file-prefix", prefix, "--log-level", "error" };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_insert_lookup, setup_small, teardown),
		cmocka_unit_test_setup_teardown(test_expiry, setup_small, teardown),
		cmocka_unit_test_setup_teardown(test_capacity, setup_small, teardown),
		cmocka_unit_test_setup_teardown(test_rcu_recycle, setup_small, teardown),
		cmocka_unit_test_setup_teardown(test_stress, setup_stress, teardown),
		cmocka_unit_test_setup_teardown(test_two_lcores, setup_race, teardown),
	};
	size_t sz;
	int ret;

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);    /* e.g. test_flow test_stress */
	snprintf(prefix, sizeof(prefix), "test_flow_%d", (int)getpid());
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
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	rte_rcu_qsbr_thread_offline(dp_g.rcu, RD_MAIN);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return ret;
}
