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

/*
 * Expiry: one timer wheel per lcore that creates flows (docs/ARCHITECTURE.md
 * "Flow expiry"). A flow sits in one list of its creator's wheel, the slot
 * of the tick after its deadline (last packet + timeout + grace). The owner
 * visits the slots as its clock passes them, a bounded slice per loop
 * (dp_flow_expire): a flow past its deadline is deleted, one that saw
 * packets since (or whose deadline is more than a revolution ahead) is
 * linked again at its current deadline. Only the owner writes the lists and
 * gives an armed flow's slot back, so a list is never changed under it;
 * other lcores that end or re-time a flow hand it over through the owner's
 * MPSC ring. Nothing walks the whole table.
 */
#define TW_BITS 12
#define TW_SLOTS (1u << TW_BITS)
#define TW_TICK_MS 64               /* 4,096 x 64 ms: a revolution is 262 s */
#define TW_PEND TW_SLOTS            /* the list being visited */
#define TW_NIL UINT32_MAX
#define TW_HEAD 0x80000000u         /* tw_prev of a first element: TW_HEAD | list */
#define TW_HANDOFF 4096             /* ring entries per wheel */
#define TW_HANDOFF_BURST 32

struct flow_wheel {
	uint32_t *head;             /* TW_SLOTS + 1 lists; NULL: lcore has no wheel */
	struct rte_ring *handoff;   /* flow indices from other lcores (MP, SC) */
	uint64_t cur;               /* next tick to visit */
	bool on;                    /* the owner has started expiring */
	struct dp_flow_expiry_stats st;
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
	struct flow_wheel tw[RTE_MAX_LCORE];
} ft;

/* A deleted flow's key slots, and the flow's slot when it goes back too. */
struct flow_dq_ent {
	int32_t pos[2];             /* hash key positions, -1: none */
	uint32_t flow;              /* flow index */
	uint32_t release;           /* 1: the flow's slot goes back too */
};

static void
flow_dq_free(void *p, void *e, unsigned int n)
{
	struct flow_dq_ent *d = e;

	(void)p;
	for (unsigned int i = 0; i < n; i++) {
		for (int k = 0; k < 2; k++)
			if (d[i].pos[k] >= 0)
				rte_hash_free_key_with_position(ft.hash, d[i].pos[k]);
		if (d[i].release) {
			__atomic_store_n(&ft.flows[d[i].flow].flags, 0, __ATOMIC_RELAXED);
			rte_ring_mp_enqueue_elem(ft.free, &d[i].flow, sizeof(uint32_t));
		}
	}
}

static void
flow_defer(int32_t pos0, int32_t pos1, uint32_t flow, bool release)
{
	struct flow_dq_ent d = { .pos = { pos0, pos1 }, .flow = flow, .release = release };

	/* sized for two entries per flow (the keys, then the slot when its
	 * owner lets it go): it cannot be full */
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

/* A wheel for every lcore EAL runs (any may create flows): its lists and
 * hand-off ring, allocated here, not on the packet path. */
static int
wheels_init(int socket)
{
	unsigned l;

	RTE_LCORE_FOREACH(l) {
		struct flow_wheel *w = &ft.tw[l];
		char name[RTE_RING_NAMESIZE];

		w->head = rte_malloc_socket("vpcgw_flow_wheel", sizeof(uint32_t) * (TW_SLOTS + 1),
					    RTE_CACHE_LINE_SIZE, socket);
		snprintf(name, sizeof(name), "vpcgw_tw_%u", l);
		w->handoff = rte_ring_create_elem(name, sizeof(uint32_t), TW_HANDOFF, socket,
						  RING_F_SC_DEQ);
		if (w->head == NULL || w->handoff == NULL)
			return -ENOMEM;
		memset(w->head, 0xff, sizeof(uint32_t) * (TW_SLOTS + 1));   /* TW_NIL */
		w->on = false;
		memset(&w->st, 0, sizeof(w->st));
	}
	return 0;
}

/* ------------------------------------------------------------ expiry */

static inline uint32_t *
tw_prev_next(struct flow_wheel *w, uint32_t prev)
{
	return (prev & TW_HEAD) ? &w->head[prev & ~TW_HEAD] : &ft.flows[prev].tw_next;
}

static inline void
tw_link(struct flow_wheel *w, struct dp_flow *f, uint32_t idx, uint32_t list)
{
	uint32_t first = w->head[list];

	f->tw_next = first;
	f->tw_prev = TW_HEAD | list;
	if (first != TW_NIL)
		ft.flows[first].tw_prev = idx;
	w->head[list] = idx;
}

static inline void
tw_unlink(struct flow_wheel *w, struct dp_flow *f)
{
	*tw_prev_next(w, f->tw_prev) = f->tw_next;
	if (f->tw_next != TW_NIL)
		ft.flows[f->tw_next].tw_prev = f->tw_prev;
}

/* The tick after f's deadline (last packet + timeout + grace), not before cur. */
static inline uint64_t
tw_due(const struct flow_wheel *w, const struct dp_flow *f)
{
	uint64_t dl = __atomic_load_n(&f->last_ms, __ATOMIC_RELAXED) + dp_flow_timeout_ms(f) +
		      DP_FLOW_GRACE_MS;

	return RTE_MAX(dl / TW_TICK_MS + 1, w->cur);
}

static inline void
tw_link_due(struct flow_wheel *w, struct dp_flow *f, uint32_t idx)
{
	tw_link(w, f, idx, (uint32_t)(tw_due(w, f) & (TW_SLOTS - 1)));
}

/* Before f is published: into the calling lcore's wheel, if it runs one. */
static void
tw_arm(struct dp_flow *f)
{
	unsigned me = rte_lcore_id();
	struct flow_wheel *w;

	if (me >= RTE_MAX_LCORE || !(w = &ft.tw[me])->on)
		return;
	f->tw_owner = (uint8_t)(me + 1);
	tw_link_due(w, f, (uint32_t)(f - ft.flows));
	w->st.armed++;
}

/* A flow that was never published leaves the wheel it was armed in. */
static void
tw_disarm(struct dp_flow *f)
{
	if (f->tw_owner == 0)
		return;
	tw_unlink(&ft.tw[f->tw_owner - 1], f);
	f->tw_owner = 0;
}

/* Tell f's owner (not me) about it; false when its ring is full. */
static bool
tw_handoff(struct dp_flow *f, uint32_t idx)
{
	struct flow_wheel *o = &ft.tw[f->tw_owner - 1];

	return rte_ring_mp_enqueue_elem(o->handoff, &idx, sizeof(idx)) == 0;
}

/*
 * f was just ended by lcore me (its keys leave the hash now): may the
 * caller give its slot back with the keys? Yes when no wheel holds it or
 * the caller owns that wheel (then it leaves the list, unless the visit took
 * it off already); else its owner will, once told (tw_gone, hand-off).
 */
static bool
tw_let_go(struct dp_flow *f, uint8_t owner, unsigned me, bool unlinked)
{
	if (owner == 0)
		return true;
	if (owner == me + 1) {
		if (!unlinked)
			tw_unlink(&ft.tw[me], f);
		f->tw_owner = 0;
		return true;
	}
	return false;
}

static void
tw_gone(struct dp_flow *f, uint32_t idx)
{
	/* after the keys' deferral: the owner's release comes later in the queue */
	__atomic_store_n(&f->tw_gone, 1, __ATOMIC_RELEASE);
	if (!tw_handoff(f, idx))
		ft.tw[f->tw_owner - 1].st.handoff_full++;   /* the owner's visit will do */
}

static bool flow_kill(struct dp_flow *f, bool unlinked);

/* The owner meets f (off its list): give it back, delete it or relink it. */
static uint32_t
tw_visit(struct flow_wheel *w, struct dp_flow *f, uint32_t idx, uint64_t now_ms)
{
	uint8_t fl = __atomic_load_n(&f->flags, __ATOMIC_ACQUIRE);

	if (fl & DP_FLOW_F_LIVE) {
		uint64_t last = __atomic_load_n(&f->last_ms, __ATOMIC_RELAXED);

		if (!(fl & DP_FLOW_F_DEAD) &&
		    (now_ms <= last || now_ms - last <= dp_flow_timeout_ms(f) + DP_FLOW_GRACE_MS)) {
			tw_link_due(w, f, idx);
			return 0;
		}
		if (flow_kill(f, true)) {
			w->st.expired++;
			return 1;
		}
		/* another lcore ended it a moment ago */
	}
	if (__atomic_load_n(&f->tw_gone, __ATOMIC_ACQUIRE)) {
		f->tw_owner = 0;
		flow_defer(-1, -1, idx, true);
	} else {
		/* its killer is still deleting the keys: next tick */
		tw_link(w, f, idx, (uint32_t)(w->cur & (TW_SLOTS - 1)));
	}
	return 0;
}

/* Flows other lcores ended or re-timed. */
static void
tw_drain_handoff(struct flow_wheel *w, unsigned me, uint64_t now_ms)
{
	uint32_t idx[TW_HANDOFF_BURST];
	unsigned n = rte_ring_sc_dequeue_burst_elem(w->handoff, idx, sizeof(uint32_t),
						    TW_HANDOFF_BURST, NULL);

	for (unsigned i = 0; i < n; i++) {
		struct dp_flow *f = &ft.flows[idx[i]];

		/* stale: given back since (and maybe someone else's now) */
		if (f->tw_owner != me + 1)
			continue;
		tw_unlink(w, f);
		w->st.handoffs++;
		tw_visit(w, f, idx[i], now_ms);
	}
}

uint32_t
dp_flow_expire(uint64_t now_ms, uint32_t budget)
{
	unsigned me = rte_lcore_id();
	struct flow_wheel *w = me < RTE_MAX_LCORE ? &ft.tw[me] : NULL;
	uint64_t now_tick = now_ms / TW_TICK_MS;
	uint32_t visits = 0, deleted = 0, moved = 0;

	if (w == NULL || w->head == NULL)
		return 0;
	if (!w->on) {
		w->on = true;
		w->cur = now_tick;
	}
	tw_drain_handoff(w, me, now_ms);
	while (visits < budget) {
		uint32_t i = w->head[TW_PEND];
		struct dp_flow *f;

		if (i == TW_NIL) {
			if (w->cur > now_tick)
				break;
			if (moved == TW_SLOTS) {
				/* the clock jumped a revolution or more: every
				 * list has been visited against now */
				w->cur = now_tick + 1;
				break;
			}
			i = w->head[w->cur & (TW_SLOTS - 1)];
			w->head[w->cur & (TW_SLOTS - 1)] = TW_NIL;
			w->head[TW_PEND] = i;
			if (i != TW_NIL)
				ft.flows[i].tw_prev = TW_HEAD | TW_PEND;
			w->cur++;
			moved++;
			continue;
		}
		f = &ft.flows[i];
		/* the next one may be far in memory: ask for it now */
		if (f->tw_next != TW_NIL)
			rte_prefetch0(&ft.flows[f->tw_next]);
		tw_unlink(w, f);
		visits++;
		deleted += tw_visit(w, f, i, now_ms);
	}
	w->st.visits += visits;
	/* give back the slots whose grace period is over, as many as this
	 * call could have deleted: deletions do not outrun the free list */
	if (visits != 0 || rte_ring_count(ft.free) < FLOW_CACHE) {
		unsigned int freed, pending, avail;

		rte_rcu_qsbr_dq_reclaim(ft.dq, RTE_MAX(budget, 32u), &freed, &pending, &avail);
	}
	return deleted;
}

void
dp_flow_expire_sync(uint64_t now_ms, struct rte_rcu_qsbr *rcu, unsigned rcu_id)
{
	unsigned int freed, pending = 0, avail;

	dp_flow_expire(now_ms, UINT32_MAX);
	rte_rcu_qsbr_dq_reclaim(ft.dq, UINT32_MAX, &freed, &pending, &avail);
	if (pending == 0)
		return;
	/* offline while waiting: two workers doing this at once must not
	 * wait for each other */
	rte_rcu_qsbr_thread_offline(rcu, rcu_id);
	rte_rcu_qsbr_synchronize(rcu, RTE_QSBR_THRID_INVALID);
	rte_rcu_qsbr_thread_online(rcu, rcu_id);
	rte_rcu_qsbr_dq_reclaim(ft.dq, UINT32_MAX, &freed, &pending, &avail);
}

void
dp_flow_retime(struct dp_flow *f)
{
	unsigned me = rte_lcore_id();
	uint8_t owner = __atomic_load_n(&f->tw_owner, __ATOMIC_RELAXED);
	uint32_t idx = (uint32_t)(f - ft.flows);

	if (owner == 0 || me >= RTE_MAX_LCORE)
		return;
	if (owner == me + 1) {
		struct flow_wheel *w = &ft.tw[me];

		tw_unlink(w, f);
		tw_link_due(w, f, idx);
	} else if (!tw_handoff(f, idx)) {
		ft.tw[owner - 1].st.handoff_full++;     /* expires at its old deadline */
	}
}

const struct dp_flow_expiry_stats *
dp_flow_expiry_stats(unsigned lcore)
{
	return lcore < RTE_MAX_LCORE && ft.tw[lcore].head != NULL ? &ft.tw[lcore].st : NULL;
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
		/* one entry per deleted flow (was two: one per key) */
		.trigger_reclaim_limit = 32,
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
	return wheels_init(socket);
}

size_t
dp_flow_mem_bytes(uint32_t capacity)
{
	/* flows 128, hash keys and buckets ~160, rings ~24 (test_expire
	 * measures the total, defer queue included: 357 at 2^17 flows; the
	 * defer queue, 96, is not taken from this socket) */
	return (size_t)capacity * 384 + (64u << 20);
}

void
dp_flow_fini(void)
{
	for (unsigned l = 0; l < RTE_MAX_LCORE; l++) {
		rte_free(ft.tw[l].head);
		rte_ring_free(ft.tw[l].handoff);
	}
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

	tw_disarm(f);

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

	/* in the wheel before anyone can find it (and end it) */
	tw_arm(f);
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
		int32_t pos = two ? rte_hash_del_key_with_hash(ft.hash, &f->key[1], h1) : -1;

		/* key[1] may have been seen by a reader: the slot comes
		 * back after a grace period, never counted as a flow */
		__atomic_store_n(&f->flags, DP_FLOW_F_DEAD, __ATOMIC_RELEASE);
		tw_disarm(f);
		flow_defer(pos, -1, (uint32_t)(f - ft.flows), true);
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

/*
 * Take f out of the table. unlinked: the owner's wheel has already taken it
 * off its list (a visit). Whoever holds the slot gives it back: the caller
 * for a flow in no wheel or its owner's; else the owner, told through its
 * hand-off ring (or at its next visit of the flow, should the ring be full).
 */
static bool
flow_kill(struct dp_flow *f, bool unlinked)
{
	uint8_t fl = __atomic_load_n(&f->flags, __ATOMIC_RELAXED);
	uint32_t idx = (uint32_t)(f - ft.flows);
	int32_t pos0, pos1 = -1;
	unsigned me = rte_lcore_id();
	/* read before the CAS: only the owner clears it, after the flow left
	 * the table, and a live flow's slot cannot be recycled under a reader */
	uint8_t owner = __atomic_load_n(&f->tw_owner, __ATOMIC_RELAXED);
	bool release;

	do {
		if (!(fl & DP_FLOW_F_LIVE))
			return false;
	} while (!__atomic_compare_exchange_n(&f->flags, &fl, (uint8_t)(fl & ~DP_FLOW_F_LIVE),
					      false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
	if (!(fl & DP_FLOW_F_DEAD))
		dp_flow_deleted(f);
	/* both keys leave in one grace period: when it ends, no reader can
	 * hold the flow through either */
	if (memcmp(&f->key[0], &f->key[1], sizeof(f->key[0])) != 0)
		pos1 = rte_hash_del_key(ft.hash, &f->key[1]);
	pos0 = rte_hash_del_key(ft.hash, &f->key[0]);
	release = tw_let_go(f, owner, me, unlinked);
	flow_defer(pos0, pos1, idx, release);
	if (!release)
		tw_gone(f, idx);
	__atomic_fetch_sub(&ft.live, 1, __ATOMIC_RELAXED);
	return true;
}

bool
dp_flow_kill(struct dp_flow *f)
{
	return flow_kill(f, false);
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

uint32_t
dp_flow_index(const struct dp_flow *f)
{
	return (uint32_t)(f - ft.flows);
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
