/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>
#include <rte_spinlock.h>

#include "dp/dp_flow.h"
#include "dp/ct_tcp.h"

static_assert(sizeof(struct dp_flow_key) == 16, "flow key is 16 bytes");
static_assert(sizeof(struct dp_flow) == 128, "a flow is two cache lines: state, then actions");
static_assert(offsetof(struct dp_flow, act) == 64, "the actions start the second line");
static_assert(offsetof(struct dp_meta, key) % 8 == 0, "rte_hash_crc reads 8 bytes at a time");

#define FLOW_HASH_INIT 0

#define FLOW_CACHE 64

struct flow_cache {
	uint32_t n;
	uint32_t idx[FLOW_CACHE * 2];
} __rte_cache_aligned;

static struct {
	struct rte_hash *hash;
	struct dp_flow *flows;      /* capacity entries */
	struct rte_ring *free;      /* free flow indices */
	struct rte_rcu_qsbr_dq *dq; /* deleted keys and flows waiting for a grace period */
	uint32_t capacity;
	uint32_t sweep_pos;
	uint32_t live;              /* inserted and not yet deleted (__atomic builtins) */
	/* makes "both keys absent, then add both" atomic between workers:
	 * rte_hash_add_key_data replaces an existing key's data silently */
	rte_spinlock_t insert_lock;
	struct flow_cache cache[RTE_MAX_LCORE];
} ft;

/* A deleted key's hash slot, and the flow when its last key goes. */
struct flow_dq_ent {
	int32_t pos;                /* hash key position, -1: none */
	uint32_t flow;              /* flow index */
	uint32_t release;           /* 1: the flow's slot goes back too */
	uint32_t pad;
};

static void
flow_dq_free(void *p, void *e, unsigned int n)
{
	struct flow_dq_ent *d = e;

	(void)p;
	for (unsigned int i = 0; i < n; i++) {
		if (d[i].pos >= 0)
			rte_hash_free_key_with_position(ft.hash, d[i].pos);
		if (d[i].release) {
			__atomic_store_n(&ft.flows[d[i].flow].flags, 0, __ATOMIC_RELAXED);
			rte_ring_mp_enqueue_elem(ft.free, &d[i].flow, sizeof(uint32_t));
		}
	}
}

static void
flow_defer(int32_t pos, uint32_t flow, bool release)
{
	struct flow_dq_ent d = { .pos = pos, .flow = flow, .release = release };

	/* sized for two entries per flow: it cannot be full */
	if (rte_rcu_qsbr_dq_enqueue(ft.dq, &d) != 0)
		RTE_ASSERT(0);
}

void
dp_flow_reclaim(struct rte_rcu_qsbr *rcu, bool wait)
{
	unsigned int freed, pending = 0, avail;

	rte_rcu_qsbr_dq_reclaim(ft.dq, UINT32_MAX, &freed, &pending, &avail);
	if (wait && pending != 0) {
		/* the packet clock runs ahead of the workers' wall-clock
		 * quiescent reports: wait for one, then free what it covers */
		rte_rcu_qsbr_synchronize(rcu, RTE_QSBR_THRID_INVALID);
		rte_rcu_qsbr_dq_reclaim(ft.dq, UINT32_MAX, &freed, &pending, &avail);
	}
}

int
dp_flow_init(uint32_t capacity, int socket, struct rte_rcu_qsbr *rcu)
{
	struct rte_hash_parameters hp = {
		.name = "vpcgw_flows",
		.entries = capacity * 2,
		.key_len = sizeof(struct dp_flow_key),
		.hash_func = rte_hash_crc,
		.hash_func_init_val = FLOW_HASH_INIT,
		.socket_id = socket,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_MULTI_WRITER_ADD |
			      RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	/* our own defer queue rather than rte_hash's: 22.11 reclaims that one
	 * only inside later deletes, so a quiet table would keep its freed
	 * slots; this one the control loop also reclaims (dp_flow_reclaim) */
	struct rte_rcu_qsbr_dq_parameters dp = {
		.name = "vpcgw_flow_dq",
		.size = capacity * 2 + 64,
		.esize = sizeof(struct flow_dq_ent),
		.trigger_reclaim_limit = 64,
		.max_reclaim_size = 256,
		.free_fn = flow_dq_free,
		.v = rcu,
	};
	uint32_t ring_size = rte_align32pow2(capacity + 1);

	ft.capacity = capacity;
	rte_spinlock_init(&ft.insert_lock);
	ft.hash = rte_hash_create(&hp);
	if (ft.hash == NULL)
		return -rte_errno ? -rte_errno : -ENOMEM;
	ft.dq = rte_rcu_qsbr_dq_create(&dp);
	if (ft.dq == NULL)
		return -rte_errno ? -rte_errno : -ENOMEM;
	ft.flows = rte_zmalloc_socket("vpcgw_flow_objs", sizeof(struct dp_flow) * capacity,
				      RTE_CACHE_LINE_SIZE, socket);
	ft.free = rte_ring_create_elem("vpcgw_flow_free", sizeof(uint32_t), ring_size, socket, 0);
	if (ft.flows == NULL || ft.free == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < capacity; i++)
		rte_ring_enqueue_elem(ft.free, &i, sizeof(i));
	return 0;
}

void
dp_flow_fini(void)
{
	if (ft.dq != NULL)
		rte_rcu_qsbr_dq_delete(ft.dq);
	rte_hash_free(ft.hash);
	rte_free(ft.flows);
	rte_ring_free(ft.free);
	memset(&ft, 0, sizeof(ft));
}

/* The table's hash function (rte_hash_hash() without the call). */
static inline hash_sig_t
flow_hash(const struct dp_flow_key *k)
{
	return rte_hash_crc(k, sizeof(*k), FLOW_HASH_INIT);
}

void
dp_flow_lookup_burst(struct rte_mbuf **pkts, uint16_t n)
{
	const void *keys[DP_BURST];
	hash_sig_t sig[DP_BURST];
	void *data[DP_BURST];
	uint64_t hits = 0;

	/* an empty table (plain routing, untracked traffic) has nothing to find */
	if (n == 0 || __atomic_load_n(&ft.live, __ATOMIC_RELAXED) == 0) {
		for (uint16_t i = 0; i < n; i++)
			dp_meta(pkts[i])->flow = NULL;
		return;
	}
	/* hashed here, kept in the meta: a new flow's insert reuses it */
	for (uint16_t i = 0; i < n; i++) {
		struct dp_meta *md = dp_meta(pkts[i]);

		keys[i] = &md->key;
		sig[i] = md->key_hash = flow_hash(&md->key);
		md->flags |= DP_M_HASHED;
	}
	rte_hash_lookup_with_hash_bulk_data(ft.hash, keys, sig, n, &hits, data);
	for (uint16_t i = 0; i < n; i++) {
		if ((hits >> i) & 1) {
			/* the flow is read before the burst's first packet is
			 * done: with a large table it is not in the cache */
			rte_prefetch0(dp_flow_ptr(data[i]));
			dp_meta(pkts[i])->flow = data[i];
		} else {
			dp_meta(pkts[i])->flow = NULL;
		}
	}
}

bool
dp_flow_any(void)
{
	return __atomic_load_n(&ft.live, __ATOMIC_RELAXED) != 0;
}

void *
dp_flow_lookup_meta(const struct dp_meta *md)
{
	void *d;

	if (md->flags & DP_M_HASHED)
		return rte_hash_lookup_with_hash_data(ft.hash, &md->key, md->key_hash, &d) >= 0 ?
		       d : NULL;
	return rte_hash_lookup_data(ft.hash, &md->key, &d) >= 0 ? d : NULL;
}

struct dp_flow *
dp_flow_alloc(void)
{
	struct flow_cache *c = &ft.cache[rte_lcore_id()];
	struct dp_flow *f;

	if (c->n == 0) {
		c->n = rte_ring_mc_dequeue_burst_elem(ft.free, c->idx, sizeof(uint32_t),
						      FLOW_CACHE, NULL);
		if (c->n == 0)
			return NULL;
	}
	f = &ft.flows[c->idx[--c->n]];
	memset(f, 0, sizeof(*f));
	return f;
}

void
dp_flow_abandon(struct dp_flow *f)
{
	struct flow_cache *c = &ft.cache[rte_lcore_id()];
	uint32_t idx = (uint32_t)(f - ft.flows);

	if (c->n < RTE_DIM(c->idx))
		c->idx[c->n++] = idx;
	else
		rte_ring_mp_enqueue_elem(ft.free, &idx, sizeof(idx));
}

void
dp_flow_worker_flush(void)
{
	struct flow_cache *c = &ft.cache[rte_lcore_id()];

	if (c->n)
		rte_ring_mp_enqueue_bulk_elem(ft.free, c->idx, sizeof(uint32_t), c->n, NULL);
	c->n = 0;
}

void *
dp_flow_lookup(const struct dp_flow_key *k)
{
	void *d;

	return rte_hash_lookup_data(ft.hash, k, &d) >= 0 ? d : NULL;
}

bool
dp_flow_key_exists(const struct dp_flow_key *k)
{
	return rte_hash_lookup(ft.hash, k) >= 0;
}

static int insert_locked(struct dp_flow *f, hash_sig_t h0, hash_sig_t h1);

int
dp_flow_insert(struct dp_flow *f)
{
	return dp_flow_insert_meta(f, NULL);
}

int
dp_flow_insert_meta(struct dp_flow *f, const struct dp_meta *md)
{
	/* each key hashed once, outside the lock, for both checks and adds;
	 * key[0] usually is the packet's key, hashed by the bulk lookup */
	hash_sig_t h0 = md != NULL && (md->flags & DP_M_HASHED) &&
			memcmp(&md->key, &f->key[0], sizeof(md->key)) == 0 ?
			md->key_hash : flow_hash(&f->key[0]);
	hash_sig_t h1 = flow_hash(&f->key[1]);
	int rc;

	/* new flows only; lookups never take it (see ARCHITECTURE.md) */
	rte_spinlock_lock(&ft.insert_lock);
	rc = insert_locked(f, h0, h1);
	rte_spinlock_unlock(&ft.insert_lock);
	return rc;
}

static int
insert_locked(struct dp_flow *f, hash_sig_t h0, hash_sig_t h1)
{
	bool two = memcmp(&f->key[0], &f->key[1], sizeof(f->key[0])) != 0;
	bool check1 = two && !(f->flags & DP_FLOW_F_KEY1_FREE);
	int rc;

	f->flags &= (uint8_t)~DP_FLOW_F_KEY1_FREE;
	if (rte_hash_lookup_with_hash(ft.hash, &f->key[0], h0) >= 0 ||
	    (check1 && rte_hash_lookup_with_hash(ft.hash, &f->key[1], h1) >= 0)) {
		dp_flow_abandon(f);
		return -EEXIST;
	}
	f->flags |= DP_FLOW_F_LIVE;
	/* same key both ways (a flow to itself): one entry suffices */
	if (two) {
		rc = rte_hash_add_key_with_hash_data(ft.hash, &f->key[1], h1,
						     (void *)((uintptr_t)f | 1));
		if (rc < 0) {
			dp_flow_abandon(f);
			return -ENOSPC;
		}
	}
	rc = rte_hash_add_key_with_hash_data(ft.hash, &f->key[0], h0, f);
	if (rc < 0) {
		if (two) {
			int32_t pos = rte_hash_del_key_with_hash(ft.hash, &f->key[1], h1);

			if (pos >= 0)
				flow_defer(pos, 0, false);
		}
		/* key[1] may have been seen by a reader: let the sweeper
		 * recycle the slot later instead of reusing it now */
		__atomic_store_n(&f->flags, DP_FLOW_F_LIVE | DP_FLOW_F_DEAD, __ATOMIC_RELEASE);
		__atomic_fetch_add(&ft.live, 1, __ATOMIC_RELAXED);
		return -ENOSPC;
	}
	__atomic_fetch_add(&ft.live, 1, __ATOMIC_RELAXED);
	return 0;
}

uint64_t
dp_flow_timeout_ms(const struct dp_flow *f)
{
	uint8_t st = __atomic_load_n(&f->tcp_state, __ATOMIC_RELAXED);
	uint32_t s;

	switch (f->key[0].proto) {
	case IPPROTO_TCP:
		s = fw_ct_tcp_timeout(st, f->idle_s);
		break;
	case IPPROTO_UDP:
		s = (f->short_s != 0 &&
		     !(__atomic_load_n(&f->flags, __ATOMIC_RELAXED) & DP_FLOW_F_UDP_STREAM)) ?
			    f->short_s : f->idle_s;
		break;
	default:
		s = f->idle_s;
		break;
	}
	return (uint64_t)s * 1000;
}

bool
dp_flow_kill(struct dp_flow *f)
{
	uint8_t fl = __atomic_load_n(&f->flags, __ATOMIC_RELAXED);

	do {
		if (!(fl & DP_FLOW_F_LIVE))
			return false;
	} while (!__atomic_compare_exchange_n(&f->flags, &fl, (uint8_t)(fl & ~DP_FLOW_F_LIVE),
					      false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
	if (!(fl & DP_FLOW_F_DEAD))
		dp_flow_deleted(f);
	{
		uint32_t idx = (uint32_t)(f - ft.flows);
		int32_t pos;

		/* key[1] first: when key[0]'s grace period ends, no reader
		 * can hold the flow through either key */
		if (memcmp(&f->key[0], &f->key[1], sizeof(f->key[0])) != 0) {
			pos = rte_hash_del_key(ft.hash, &f->key[1]);
			if (pos >= 0)
				flow_defer(pos, idx, false);
		}
		pos = rte_hash_del_key(ft.hash, &f->key[0]);
		/* pos < 0: insert failed half-way; the slot still waits */
		flow_defer(pos >= 0 ? pos : -1, idx, true);
	}
	__atomic_fetch_sub(&ft.live, 1, __ATOMIC_RELAXED);
	return true;
}

uint32_t
dp_flow_sweep(uint64_t now_ms, uint32_t budget, uint64_t grace_ms)
{
	uint32_t deleted = 0;

	if (ft.capacity == 0)
		return 0;
	for (uint32_t i = 0; i < budget; i++) {
		struct dp_flow *f = &ft.flows[ft.sweep_pos];
		uint8_t fl = __atomic_load_n(&f->flags, __ATOMIC_RELAXED);

		if (++ft.sweep_pos == ft.capacity)
			ft.sweep_pos = 0;
		if (!(fl & DP_FLOW_F_LIVE))
			continue;
		if (!(fl & DP_FLOW_F_DEAD)) {
			uint64_t last = __atomic_load_n(&f->last_ms, __ATOMIC_RELAXED);

			if (now_ms <= last || now_ms - last <= dp_flow_timeout_ms(f) + grace_ms)
				continue;
		}
		deleted += dp_flow_kill(f);
	}
	return deleted;
}

uint32_t
dp_flow_count(void)
{
	return __atomic_load_n(&ft.live, __ATOMIC_RELAXED);
}

uint32_t
dp_flow_capacity(void)
{
	return ft.capacity;
}

void
dp_flow_foreach(void (*fn)(const struct dp_flow *f, void *arg), void *arg)
{
	for (uint32_t i = 0; i < ft.capacity; i++) {
		const struct dp_flow *f = &ft.flows[i];

		if (__atomic_load_n(&f->flags, __ATOMIC_RELAXED) & DP_FLOW_F_LIVE)
			fn(f, arg);
	}
}

uint64_t
dp_flow_count_state_kind(uint8_t tcp_state, int kind)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < ft.capacity; i++) {
		const struct dp_flow *f = &ft.flows[i];

		if ((__atomic_load_n(&f->flags, __ATOMIC_RELAXED) & DP_FLOW_F_LIVE) &&
		    f->key[0].proto == IPPROTO_TCP &&
		    __atomic_load_n(&f->tcp_state, __ATOMIC_RELAXED) == tcp_state &&
		    (kind < 0 || f->kind == kind))
			n++;
	}
	return n;
}

uint64_t
dp_flow_count_state(uint8_t tcp_state)
{
	return dp_flow_count_state_kind(tcp_state, -1);
}
