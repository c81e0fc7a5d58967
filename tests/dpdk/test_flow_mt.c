/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The flow table (dp/dp_flow.c) under load: a stress run of millions of
 * insert/expire cycles and two lcores racing on the two directions of the
 * same flows. Needs the EAL; runs without hugepages or devices on lcores 0
 * and 1 (flow_harness.h). test_flow.c: the single-lcore behaviour.
 */
#include "flow_harness.h"

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
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stress, setup_stress, teardown),
		cmocka_unit_test_setup_teardown(test_two_lcores, setup_race, teardown),
	};

	return flow_harness_main(argc, argv, "test_flow_mt", tests, NELEM(tests));
}
