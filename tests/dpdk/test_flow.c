/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The flow table (dp/dp_flow.c): both keys of a flow, expiry by sweep and by
 * kill, capacity, slot recycling only after an RCU grace period. Needs the
 * EAL (rte_hash, rte_ring, mbufs); runs without hugepages or devices on
 * lcores 0 and 1 (flow_harness.h). test_flow_mt.c: the stress and race runs.
 */
#include "flow_harness.h"

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

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_insert_lookup, setup_small, teardown),
		cmocka_unit_test_setup_teardown(test_expiry, setup_small, teardown),
		cmocka_unit_test_setup_teardown(test_capacity, setup_small, teardown),
		cmocka_unit_test_setup_teardown(test_rcu_recycle, setup_small, teardown),
	};

	return flow_harness_main(argc, argv, "test_flow", tests, NELEM(tests));
}
