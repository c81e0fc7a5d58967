/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The flow table's index (dp/flow_index.[ch]) on its own: both keys of a
 * flow, the bulk lookup, deletion, keys sharing a hash, full buckets and
 * the overflow to the second place, two lcores adding into the same
 * buckets at once, and a reader looking up while another lcore deletes and
 * re-adds (flow slots reused only after an RCU grace period, as dp_flow.c
 * does). Needs the EAL (rte_malloc, lcores, RCU); no hugepages, no devices.
 */
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
#include <rte_hash_crc.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "dp/dp.h"
#include "dp/flow_index.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define NFLOWS 65536u

static struct dp_flow *flows;
static struct fidx x;

static struct dp_flow_key
key_of(uint32_t id, int dir)
{
	/* both halves of the key depend on id: no two keys share one */
	struct dp_flow_key k = {
		.src = 0x0a000000u + id, .dst = 0xc0a80000u + (id * 7u),
		.sport = (uint16_t)(1024 + (id & 0x7fff)), .dport = (uint16_t)(80 + dir),
		.proto = IPPROTO_UDP,
	};

	if (dir) {
		uint32_t t = k.src;

		k.src = k.dst;
		k.dst = t;
	}
	return k;
}

static uint32_t
hash_of(const struct dp_flow_key *k)
{
	return rte_hash_crc(k, sizeof(*k), 0);
}

/* Flow id with both keys, live. */
static void
make(uint32_t id)
{
	memset(&flows[id], 0, sizeof(flows[id]));
	flows[id].key[0] = key_of(id, 0);
	flows[id].key[1] = key_of(id, 1);
	flows[id].flags = DP_FLOW_F_LIVE;
}

static int
setup_n(uint64_t entries)
{
	if (flows == NULL)
		flows = rte_zmalloc("test_fidx_flows", sizeof(*flows) * NFLOWS, 64);
	memset(flows, 0, sizeof(*flows) * NFLOWS);
	return flows == NULL ? -1 : fidx_init(&x, entries, flows, SOCKET_ID_ANY);
}

static int
setup(void **state)
{
	(void)state;
	return setup_n(2 * NFLOWS);
}

static int
setup_tiny(void **state)
{
	(void)state;
	return setup_n(1000);
}

static int
teardown(void **state)
{
	(void)state;
	fidx_fini(&x);
	return 0;
}

/* Entries in use, over the whole table. */
static uint32_t
entries_used(void)
{
	uint32_t n = 0;

	for (uint32_t b = 0; b < x.nb; b++)
		for (int s = 0; s < FIDX_SLOTS; s++)
			n += x.b[b].ref[s] != 0;
	return n;
}

/* ------------------------------------------------------------ basics */

/* Both keys of each flow lead to it in their direction; the bulk lookup
 * agrees with the single one, misses included. */
static void
test_both_keys(void **state)
{
	const uint32_t n = 5000;

	(void)state;
	for (uint32_t i = 0; i < n; i++) {
		make(i);
		assert_int_equal(fidx_add(&x, hash_of(&flows[i].key[1]), fidx_ref(i, 1)), 0);
		assert_int_equal(fidx_add(&x, hash_of(&flows[i].key[0]), fidx_ref(i, 0)), 0);
	}
	assert_int_equal(entries_used(), 2 * n);
	for (uint32_t i = 0; i < n; i++)
		for (int d = 0; d < 2; d++) {
			struct dp_flow_key k = key_of(i, d);

			assert_int_equal(fidx_find(&x, &k, hash_of(&k)), fidx_ref(i, d));
		}
	/* bursts of 32: even ids present, odd ones beyond n absent */
	for (uint32_t base = 0; base < 2 * n; base += 32) {
		struct dp_flow_key k[32];
		const struct dp_flow_key *kp[32];
		uint32_t h[32], ref[32];

		for (uint32_t j = 0; j < 32; j++) {
			uint32_t id = (j & 1) ? n + base + j : (base + j) % n;

			k[j] = key_of(id, (int)((base / 32 + j) & 1));
			kp[j] = &k[j];
			h[j] = hash_of(&k[j]);
		}
		fidx_lookup_bulk(&x, kp, h, 32, ref);
		for (uint32_t j = 0; j < 32; j++) {
			uint32_t id = (j & 1) ? n + base + j : (base + j) % n;

			assert_int_equal(ref[j], (j & 1) ? 0 : fidx_ref(id, (int)((base / 32 + j) & 1)));
		}
	}
}

/* Keys with one hash: the flow's key decides, in the bulk lookup too. */
static void
test_same_hash(void **state)
{
	const uint32_t h = 0x12345678u;
	const struct dp_flow_key *kp[6];
	struct dp_flow_key k[6];
	uint32_t hs[6], ref[6];

	(void)state;
	for (uint32_t i = 0; i < 5; i++) {
		make(i);
		assert_int_equal(fidx_add(&x, h, fidx_ref(i, 0)), 0);
	}
	for (uint32_t i = 0; i < 6; i++) {
		k[i] = key_of(i, 0);    /* key 5: same hash, no flow */
		kp[i] = &k[i];
		hs[i] = h;
		assert_int_equal(fidx_find(&x, &k[i], h), i < 5 ? fidx_ref(i, 0) : 0);
	}
	fidx_lookup_bulk(&x, kp, hs, 6, ref);
	for (uint32_t i = 0; i < 6; i++)
		assert_int_equal(ref[i], i < 5 ? fidx_ref(i, 0) : 0);
	/* the other live flow of a key (the adders' check) */
	assert_int_equal(fidx_find_other(&x, &k[2], h, fidx_ref(2, 0)), 0);
	assert_int_equal(fidx_find_other(&x, &k[2], h, 0), fidx_ref(2, 0));
	flows[2].flags = 0;
	assert_int_equal(fidx_find_other(&x, &k[2], h, 0), 0);
}

/* The table's hash is DPDK's rte_hash_crc() of the 16-byte key, on keys of
 * every shape (random words, one bit set, all ones). */
static void
test_key_hash(void **state)
{
	struct dp_flow_key k;
	uint8_t b[16];

	(void)state;
	srand(14);
	for (int i = 0; i < 20000; i++) {
		for (int j = 0; j < 16; j++)
			b[j] = i < 128 ? (uint8_t)(i / 8 == j ? 1u << (i % 8) : 0) :
			       i == 128 ? 0xff : (uint8_t)rand();
		memcpy(&k, b, sizeof(k));
		assert_int_equal(fidx_key_hash(&k), rte_hash_crc(&k, sizeof(k), 0));
	}
}

/* A delete takes out exactly its entry, once; the entry is reused. */
static void
test_delete(void **state)
{
	const uint32_t h = 0x9abcdef0u;
	struct dp_flow_key k0 = key_of(0, 0), k1 = key_of(1, 0);

	(void)state;
	make(0);
	make(1);
	assert_int_equal(fidx_add(&x, h, fidx_ref(0, 0)), 0);
	assert_int_equal(fidx_add(&x, h, fidx_ref(1, 0)), 0);
	assert_false(fidx_del(&x, h, fidx_ref(2, 0)));      /* not there */
	assert_false(fidx_del(&x, h ^ 0x80000000u, fidx_ref(0, 0)));  /* not where that hash leads */
	assert_true(fidx_del(&x, h, fidx_ref(0, 0)));
	assert_false(fidx_del(&x, h, fidx_ref(0, 0)));
	assert_int_equal(fidx_find(&x, &k0, h), 0);
	assert_int_equal(fidx_find(&x, &k1, h), fidx_ref(1, 0));
	assert_int_equal(entries_used(), 1);
	/* the emptied entry before it keeps its signature: the bulk lookup
	 * goes on to the next one */
	{
		const struct dp_flow_key *kp[2] = { &k1, &k0 };
		uint32_t hs[2] = { h, h }, ref[2];

		fidx_lookup_bulk(&x, kp, hs, 2, ref);
		assert_int_equal(ref[0], fidx_ref(1, 0));
		assert_int_equal(ref[1], 0);
	}
	assert_int_equal(fidx_add(&x, h, fidx_ref(0, 1)), 0);
	assert_int_equal(entries_used(), 2);
	assert_true(fidx_del(&x, h, fidx_ref(1, 0)));
	assert_true(fidx_del(&x, h, fidx_ref(0, 1)));
	assert_int_equal(entries_used(), 0);
}

/*
 * One hash for every key: its home fills (8), then the three buckets of its
 * second place (24); the next add is refused. Everything added is found,
 * by both lookups; a delete makes room; with all gone the overflow count
 * is back to 0.
 */
static void
test_full(void **state)
{
	const uint32_t h = 0x40000000u;
	uint32_t home = fidx_home(&x, h), n = 0, room;
	struct fidx_bucket *seen[FIDX_PROBE];

	(void)state;
	for (uint32_t p = 0; p < FIDX_PROBE; p++) {
		seen[p] = fidx_bucket_at(&x, h, home, p);
		for (uint32_t q = 0; q < p; q++)
			assert_ptr_not_equal(seen[p], seen[q]);     /* 4 distinct buckets */
	}
	room = FIDX_PROBE * FIDX_SLOTS;
	for (uint32_t i = 0; i < room + 5; i++) {
		make(i);
		if (fidx_add(&x, h, fidx_ref(i, 0)) == 0)
			n++;
		else
			assert_true(i >= room);
	}
	assert_int_equal(n, room);
	assert_int_equal(x.b[home].over, room - FIDX_SLOTS);
	for (uint32_t base = 0; base < room + 5; base += 11) {
		const struct dp_flow_key *kp[11];
		struct dp_flow_key k[11];
		uint32_t hs[11], ref[11], m = RTE_MIN(11u, room + 5 - base);

		for (uint32_t j = 0; j < m; j++) {
			k[j] = key_of(base + j, 0);
			kp[j] = &k[j];
			hs[j] = h;
		}
		fidx_lookup_bulk(&x, kp, hs, m, ref);
		for (uint32_t j = 0; j < m; j++) {
			uint32_t want = base + j < room ? fidx_ref(base + j, 0) : 0;

			assert_int_equal(ref[j], want);
			assert_int_equal(fidx_find(&x, &k[j], h), want);
		}
	}
	assert_int_equal(fidx_add(&x, h, fidx_ref(room, 0)), -ENOSPC);
	assert_true(fidx_del(&x, h, fidx_ref(room - 1, 0)));
	assert_int_equal(fidx_add(&x, h, fidx_ref(room, 0)), 0);
	assert_true(fidx_del(&x, h, fidx_ref(room, 0)));
	for (uint32_t i = 0; i + 1 < room; i++)
		assert_true(fidx_del(&x, h, fidx_ref(i, 0)));
	assert_int_equal(x.b[home].over, 0);
	assert_int_equal(entries_used(), 0);
}

/* ------------------------------------------------------------ two lcores */

#define RACE_PER 20000u

struct adder {
	uint32_t first;             /* flow ids first .. first + RACE_PER - 1 */
	uint32_t refused;
};

/* The i-th flow of both adders has the same hash: they race for the same
 * entries of the same buckets. */
static uint32_t
race_hash(uint32_t i)
{
	return i * 2654435761u;
}

static int
adder_run(void *arg)
{
	struct adder *a = arg;

	for (uint32_t i = 0; i < RACE_PER; i++)
		if (fidx_add(&x, race_hash(i), fidx_ref(a->first + i, 0)) != 0)
			a->refused++;
	return 0;
}

/* Two lcores adding into the same buckets at once: no entry lost or
 * written twice. */
static void
test_two_adders(void **state)
{
	unsigned peer = rte_get_next_lcore(rte_get_main_lcore(), 1, 0);
	struct adder a[2] = { { .first = 0 }, { .first = RACE_PER } };
	uint32_t *count;

	(void)state;
	assert_true(peer < RTE_MAX_LCORE);
	for (uint32_t i = 0; i < 2 * RACE_PER; i++)
		make(i);
	assert_int_equal(rte_eal_remote_launch(adder_run, &a[1], peer), 0);
	adder_run(&a[0]);
	assert_int_equal(rte_eal_wait_lcore(peer), 0);
	/* 40,000 entries in 32,768 buckets of 8: every one fits */
	assert_int_equal(a[0].refused + a[1].refused, 0);
	assert_int_equal(entries_used(), 2 * RACE_PER);
	count = calloc(2 * RACE_PER, sizeof(*count));
	assert_non_null(count);
	for (uint32_t b = 0; b < x.nb; b++)
		for (int s = 0; s < FIDX_SLOTS; s++) {
			uint32_t r = x.b[b].ref[s];

			if (r != 0)
				count[(r - 1) >> 1]++;
		}
	for (uint32_t i = 0; i < 2 * RACE_PER; i++) {
		struct dp_flow_key k = key_of(i, 0);

		assert_int_equal(count[i], 1);
		assert_int_equal(fidx_find(&x, &k, race_hash(i % RACE_PER)), fidx_ref(i, 0));
	}
	free(count);
}

#define HOT_FLOWS 10u
#define HOT_ROUNDS 200000u
#define HOT_HASH 0x77777777u

struct hot {
	uint32_t first;
	uint32_t bad;               /* an add refused, or an entry gone before its delete */
};

/* Add and delete its own flows, all of one hash: the other lcore does the
 * same in the same four buckets. */
static int
hot_run(void *arg)
{
	struct hot *a = arg;

	for (uint32_t r = 0; r < HOT_ROUNDS; r++) {
		for (uint32_t i = 0; i < HOT_FLOWS; i++)
			a->bad += fidx_add(&x, HOT_HASH, fidx_ref(a->first + i, 0)) != 0;
		for (uint32_t i = 0; i < HOT_FLOWS; i++)
			a->bad += !fidx_del(&x, HOT_HASH, fidx_ref(a->first + i, 0));
	}
	return 0;
}

/* Two lcores taking and emptying the entries of the same buckets, over and
 * over (20 flows, room for 28): each finds its own entries intact. */
static void
test_two_adders_hot(void **state)
{
	unsigned peer = rte_get_next_lcore(rte_get_main_lcore(), 1, 0);
	struct hot a[2] = { { .first = 0 }, { .first = HOT_FLOWS } };

	(void)state;
	for (uint32_t i = 0; i < 2 * HOT_FLOWS; i++)
		make(i);
	assert_int_equal(rte_eal_remote_launch(hot_run, &a[1], peer), 0);
	hot_run(&a[0]);
	assert_int_equal(rte_eal_wait_lcore(peer), 0);
	assert_int_equal(a[0].bad + a[1].bad, 0);
	assert_int_equal(entries_used(), 0);
	assert_int_equal(x.b[fidx_home(&x, HOT_HASH)].over, 0);
}

#define STABLE 2000u
#define CHURN 2000u
#define CHURN_ROUNDS 300u

static struct rte_rcu_qsbr *rcu;
static volatile int reader_stop;

struct reader {
	uint64_t lookups, lost, wrong, churn_found, churn_missed;
};

/* Looks up the stable flows (always there) and the churned ones (there or
 * not) in bursts, reporting quiescent between bursts as a worker does. */
static int
reader_run(void *arg)
{
	struct reader *r = arg;
	uint32_t round = 0;

	rte_rcu_qsbr_thread_online(rcu, 1);
	while (!__atomic_load_n(&reader_stop, __ATOMIC_ACQUIRE)) {
		const struct dp_flow_key *kp[32];
		struct dp_flow_key k[32];
		uint32_t h[32], ref[32];

		for (uint32_t j = 0; j < 32; j++) {
			uint32_t id = (j & 1) ? STABLE + (round * 32 + j) % CHURN :
						(round * 32 + j) % STABLE;

			k[j] = key_of(id, (int)(j >> 1) & 1);
			kp[j] = &k[j];
			h[j] = hash_of(&k[j]);
		}
		fidx_lookup_bulk(&x, kp, h, 32, ref);
		for (uint32_t j = 0; j < 32; j++) {
			if (ref[j] != 0 &&
			    !fidx_key_eq(&flows[(ref[j] - 1) >> 1].key[(ref[j] - 1) & 1], &k[j]))
				r->wrong++;
			if ((j & 1) && ref[j] != 0)
				r->churn_found++;
			else if (j & 1)
				r->churn_missed++;
			else if (ref[j] == 0)
				r->lost++;
		}
		r->lookups += 32;
		round++;
		rte_rcu_qsbr_quiescent(rcu, 1);
	}
	rte_rcu_qsbr_thread_offline(rcu, 1);
	return 0;
}

/*
 * A reader during deletes: the main lcore deletes the churned flows' entries,
 * waits for a grace period, gives their slots new keys (flow ids reused with
 * other keys, as dp_flow.c recycles slots) and adds them again, many times
 * over, while the reader looks up. The reader never loses a stable flow
 * and never gets a flow whose key is not the one it asked for.
 */
static void
test_reader_during_delete(void **state)
{
	unsigned peer = rte_get_next_lcore(rte_get_main_lcore(), 1, 0);
	struct reader r = { 0 };
	uint32_t gen = 0;

	(void)state;
	for (uint32_t i = 0; i < STABLE + CHURN; i++) {
		make(i);
		for (int d = 0; d < 2; d++)
			assert_int_equal(fidx_add(&x, hash_of(&flows[i].key[d]), fidx_ref(i, d)), 0);
	}
	reader_stop = 0;
	assert_int_equal(rte_eal_remote_launch(reader_run, &r, peer), 0);
	for (uint32_t round = 0; round < CHURN_ROUNDS; round++) {
		for (uint32_t i = STABLE; i < STABLE + CHURN; i++)
			for (int d = 0; d < 2; d++)
				assert_true(fidx_del(&x, hash_of(&flows[i].key[d]), fidx_ref(i, d)));
		rte_rcu_qsbr_synchronize(rcu, RTE_QSBR_THRID_INVALID);
		gen++;
		for (uint32_t i = STABLE; i < STABLE + CHURN; i++) {
			/* odd generations: the slot holds another flow's keys */
			uint32_t id = (gen & 1) ? i + NFLOWS / 2 : i;

			flows[i].key[0] = key_of(id, 0);
			flows[i].key[1] = key_of(id, 1);
			for (int d = 0; d < 2; d++)
				assert_int_equal(fidx_add(&x, hash_of(&flows[i].key[d]),
							  fidx_ref(i, d)), 0);
		}
	}
	__atomic_store_n(&reader_stop, 1, __ATOMIC_RELEASE);
	assert_int_equal(rte_eal_wait_lcore(peer), 0);
	print_message("reader: %" PRIu64 " lookups, churned found %" PRIu64 " missed %" PRIu64
		      ", lost %" PRIu64 ", wrong %" PRIu64 "\n", r.lookups, r.churn_found,
		      r.churn_missed, r.lost, r.wrong);
	assert_int_equal(r.lost, 0);
	assert_int_equal(r.wrong, 0);
	/* the two really overlapped */
	assert_true(r.churn_found > 0 && r.churn_missed > 0);
}

int
main(int argc, char **argv)
{
	char prefix[64];
	char *eal[] = { "test", "-l", "0,1", "--no-huge", "-m", "256", "--no-pci",
			"--file-prefix", prefix, "--log-level", "error" };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_both_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_hash, setup, teardown),
		cmocka_unit_test(test_key_hash),
		cmocka_unit_test_setup_teardown(test_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full, setup_tiny, teardown),
		cmocka_unit_test_setup_teardown(test_two_adders, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_adders_hot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reader_during_delete, setup, teardown),
	};
	int ret;

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	snprintf(prefix, sizeof(prefix), "test_fidx_%d", (int)getpid());
	if (rte_eal_init(NELEM(eal), eal) < 0) {
		fprintf(stderr, "rte_eal_init failed\n");
		return 1;
	}
	rcu = rte_zmalloc("test_fidx_rcu", rte_rcu_qsbr_get_memsize(2), 64);
	if (rcu == NULL || rte_rcu_qsbr_init(rcu, 2) != 0 ||
	    rte_rcu_qsbr_thread_register(rcu, 1) != 0) {
		fprintf(stderr, "test setup failed\n");
		return 1;
	}
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	rte_free(flows);
	rte_eal_cleanup();
	return ret;
}
