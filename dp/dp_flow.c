/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "dp/dp_flow.h"
#include "dp/ct_tcp.h"
#include "dp/flow_index.h"

#define FLOW_CACHE 64
/* flow slots per RCU defer entry: a worker's deletions go to the defer
 * queue in batches (the slot of each, nothing of the index) */
#define FLOW_DQ_BATCH 7

/* A deleted flows' slots waiting for a grace period. */
struct flow_dq_ent {
	uint32_t n;
	uint32_t flow[FLOW_DQ_BATCH];
};

struct flow_cache {
	uint32_t n;
	uint32_t idx[FLOW_CACHE * 2];
	struct flow_dq_ent dq;      /* this lcore's batch being filled */
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
	struct fidx idx;            /* both keys of every flow -> the flow */
	struct dp_flow *flows;      /* capacity entries */
	struct dp_flow_cnt *cnts;   /* their counters, one each (dp_flow_cnt_of) */
	struct rte_ring *free;      /* free flow indices */
	struct rte_rcu_qsbr_dq *dq; /* deleted flows' slots waiting for a grace period */
	uint32_t capacity;
	uint32_t live;              /* inserted and not yet deleted (__atomic builtins) */
	struct flow_cache cache[RTE_MAX_LCORE];
	struct flow_wheel tw[RTE_MAX_LCORE];
} ft;

uintptr_t dp_flow_cnt_bias;

static void
flow_dq_free(void *p, void *e, unsigned int n)
{
	struct flow_dq_ent *d = e;

	(void)p;
	for (unsigned int i = 0; i < n; i++) {
		for (uint32_t j = 0; j < d[i].n; j++)
			__atomic_store_n(&ft.flows[d[i].flow[j]].flags, 0, __ATOMIC_RELAXED);
		rte_ring_mp_enqueue_bulk_elem(ft.free, d[i].flow, sizeof(uint32_t), d[i].n, NULL);
	}
}

static void
flow_dq_put(struct flow_dq_ent *d)
{
	/* sized for one entry per flow: it cannot be full */
	if (rte_rcu_qsbr_dq_enqueue(ft.dq, d) != 0)
		RTE_ASSERT(0);
}

/* This lcore's batch of deleted flows into the defer queue. */
static void
flow_defer_flush(void)
{
	unsigned me = rte_lcore_id();
	struct flow_dq_ent *d;

	if (me >= RTE_MAX_LCORE || ft.cache[me].dq.n == 0)
		return;
	d = &ft.cache[me].dq;
	flow_dq_put(d);
	d->n = 0;
}

/*
 * Give flow slot idx back after a grace period. Its index entries are gone
 * already (reusable at once, dp/flow_index.h); readers may still hold the
 * flow. Batched on an lcore that runs a wheel (a worker): the batch goes
 * to the queue when full and once per loop (dp_flow_expire), before its
 * reclaim. Elsewhere (control thread, tools) one entry at once: the next
 * deletions' enqueues reclaim it.
 */
static void
flow_defer(uint32_t idx)
{
	unsigned me = rte_lcore_id();
	struct flow_dq_ent *d;

	if (me >= RTE_MAX_LCORE || !ft.tw[me].on) {
		struct flow_dq_ent one = { .n = 1, .flow = { idx } };

		flow_dq_put(&one);
		return;
	}
	d = &ft.cache[me].dq;
	d->flow[d->n++] = idx;
	if (d->n == FLOW_DQ_BATCH) {
		flow_dq_put(d);
		d->n = 0;
	}
}

void
dp_flow_reclaim(struct rte_rcu_qsbr *rcu, bool wait)
{
	unsigned int freed, pending = 0, avail;

	flow_defer_flush();
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
		flow_defer(idx);
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
		/* flows far apart, most deleted under churn: the next one's index
		 * buckets (it was asked for a visit ago), then the one after it */
		if (f->tw_next != TW_NIL) {
			const struct dp_flow *nx = &ft.flows[f->tw_next];

			fidx_prefetch(&ft.idx, fidx_key_hash(&nx->key[0]));
			fidx_prefetch(&ft.idx, fidx_key_hash(&nx->key[1]));
			if (nx->tw_next != TW_NIL)
				rte_prefetch0(&ft.flows[nx->tw_next]);
		}
		tw_unlink(w, f);
		visits++;
		deleted += tw_visit(w, f, i, now_ms);
	}
	w->st.visits += visits;
	flow_defer_flush();
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
	flow_defer_flush();
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
	/* the defer queue holds deleted flows' slots only (the index frees
	 * its entries at once); one entry per flow at most, a batch of up to
	 * FLOW_DQ_BATCH in each */
	struct rte_rcu_qsbr_dq_parameters dp = {
		.name = "vpcgw_flow_dq",
		.size = capacity + 64,
		.esize = sizeof(struct flow_dq_ent),
		/* a worker enqueues a batch at a time, and reclaims once a
		 * loop (dp_flow_expire) */
		.trigger_reclaim_limit = 32,
		.max_reclaim_size = 256,
		.free_fn = flow_dq_free,
		.v = rcu,
	};
	uint32_t ring_size = rte_align32pow2(capacity + 1);

	if (capacity == 0 || capacity > FIDX_REF_MAX / 2)
		return -EINVAL;
	ft.capacity = capacity;
	ft.dq = rte_rcu_qsbr_dq_create(&dp);
	if (ft.dq == NULL)
		return -rte_errno ? -rte_errno : -ENOMEM;
	ft.flows = rte_zmalloc_socket("vpcgw_flow_objs", sizeof(struct dp_flow) * capacity,
				      RTE_CACHE_LINE_SIZE, socket);
	ft.cnts = rte_zmalloc_socket("vpcgw_flow_cnts", sizeof(struct dp_flow_cnt) * capacity,
				     RTE_CACHE_LINE_SIZE, socket);
	dp_flow_cnt_bias = (uintptr_t)ft.cnts - ((uintptr_t)ft.flows >> 2);
	ft.free = rte_ring_create_elem("vpcgw_flow_free", sizeof(uint32_t), ring_size, socket, 0);
	if (ft.flows == NULL || ft.free == NULL || ft.cnts == NULL ||
	    fidx_init(&ft.idx, (uint64_t)capacity * 2, ft.flows, socket) != 0)
		return -ENOMEM;
	for (uint32_t i = 0; i < capacity; i++)
		rte_ring_enqueue_elem(ft.free, &i, sizeof(i));
	return wheels_init(socket);
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
	fidx_fini(&ft.idx);
	rte_free(ft.flows);
	rte_free(ft.cnts);
	dp_flow_cnt_bias = 0;
	rte_ring_free(ft.free);
	memset(&ft, 0, sizeof(ft));
}

/* The tagged flow pointer of an index reference (NULL for 0). */
static inline void *
flow_tagged(uint32_t ref)
{
	if (ref == 0)
		return NULL;
	/* the index's flows (ft.idx.flows == ft.flows): the same address as the
	 * key compare's fidx_flow(), computed once */
	return (void *)((uintptr_t)fidx_flow(&ft.idx, ref) | ((ref - 1) & 1));
}

void
dp_flow_lookup_burst(struct rte_mbuf **pkts, uint16_t n)
{
	uint32_t sig[DP_BURST], home[DP_BURST], ref[DP_BURST];
	uint64_t slow;

	/* an empty table (plain routing, untracked traffic) has nothing to find */
	if (n == 0 || __atomic_load_n(&ft.live, __ATOMIC_RELAXED) == 0) {
		for (uint16_t i = 0; i < n; i++)
			dp_meta(pkts[i])->flow = NULL;
		return;
	}
	/* hashed here, kept in the meta (a new flow's insert reuses it); every
	 * home bucket asked for before the first is read */
	for (uint16_t i = 0; i < n; i++) {
		struct dp_meta *md = dp_meta(pkts[i]);

		sig[i] = md->key_hash = fidx_key_hash(&md->key);
		md->flags |= DP_M_HASHED;
		home[i] = fidx_ask(&ft.idx, sig[i]);
	}
	slow = fidx_bulk_candidates(&ft.idx, sig, home, n, ref);
	/* the fast path reads the found flow's second line (its actions) and
	 * writes its counters: asked for here, the burst's misses overlap */
	for (uint16_t i = 0; i < n; i++) {
		struct dp_meta *md = dp_meta(pkts[i]);
		void *t = flow_tagged(fidx_bulk_confirm(&ft.idx, &md->key, sig[i], ref[i],
							(slow >> (i & 63)) & 1));

		md->flow = t;
		if (t != NULL) {
			rte_prefetch0(&dp_flow_ptr(t)->act[0]);
			rte_prefetch0(dp_flow_cnt_of(dp_flow_ptr(t)));
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
	uint32_t h = (md->flags & DP_M_HASHED) ? md->key_hash : fidx_key_hash(&md->key);

	return flow_tagged(fidx_find(&ft.idx, &md->key, h));
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
	memset(dp_flow_cnt_of(f), 0, sizeof(struct dp_flow_cnt));
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
	flow_defer_flush();     /* its batch of deleted flows too */
}

void *
dp_flow_lookup(const struct dp_flow_key *k)
{
	return flow_tagged(fidx_find(&ft.idx, k, fidx_key_hash(k)));
}

void
dp_flow_key_prefetch(const struct dp_flow_key *k)
{
	fidx_prefetch(&ft.idx, fidx_key_hash(k));
}

/* Take f's entries out of the index (those present). */
static void
flow_unindex(struct dp_flow *f, uint32_t idx, bool two)
{
	if (two)
		fidx_del(&ft.idx, fidx_key_hash(&f->key[1]), fidx_ref(idx, 1));
	fidx_del(&ft.idx, fidx_key_hash(&f->key[0]), fidx_ref(idx, 0));
}

/*
 * f was added under key k: may it stay? Not if another live flow has k and
 * is in for good (not DP_FLOW_F_PENDING), or is pending and came first (a
 * lower index); a pending flow that came later is made to back out (its
 * flags CASed from pending to dead: its adder or f's, whoever is first,
 * wins). Of two adders of one key at least one sees the other (dp/flow_index.h):
 * exactly one stays.
 */
static bool
flow_contend(uint32_t idx, const struct dp_flow_key *k, uint32_t h, uint32_t ref)
{
	uint32_t o;

	while ((o = fidx_find_other(&ft.idx, k, h, ref)) != 0) {
		struct dp_flow *g = &ft.flows[(o - 1) >> 1];
		uint8_t gf = __atomic_load_n(&g->flags, __ATOMIC_ACQUIRE);

		if (!(gf & DP_FLOW_F_LIVE))
			continue;               /* it just left: look again */
		if (!(gf & DP_FLOW_F_PENDING) || (o - 1) >> 1 < idx)
			return false;
		/* pairs with the CAS of its commit (dp_flow_insert_meta) */
		__atomic_compare_exchange_n(&g->flags, &gf,
					    (uint8_t)((gf & ~(DP_FLOW_F_LIVE | DP_FLOW_F_PENDING)) |
						      DP_FLOW_F_DEAD),
					    false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
	}
	return true;
}

/*
 * Publish f: both keys added, each by compare-and-swap into an empty entry,
 * then checked for another flow under the same key (flow_contend), then f
 * is in for good by one CAS of its flags. Once an entry was added a reader
 * may hold f: backing out gives its slot back after a grace period.
 */
int
dp_flow_insert_meta(struct dp_flow *f, const struct dp_meta *md)
{
	/* key[0] usually is the packet's key, hashed by the bulk lookup */
	uint32_t h0 = md != NULL && (md->flags & DP_M_HASHED) &&
		      fidx_key_eq(&md->key, &f->key[0]) ? md->key_hash : fidx_key_hash(&f->key[0]);
	uint32_t idx = (uint32_t)(f - ft.flows);
	bool two = !fidx_key_eq(&f->key[0], &f->key[1]);
	uint32_t h1 = two ? fidx_key_hash(&f->key[1]) : h0;
	/* NAT's promise: key[1] is a port of the worker's own share, probed */
	bool check1 = two && !(f->flags & DP_FLOW_F_KEY1_FREE);
	uint32_t r0 = fidx_ref(idx, 0), r1 = fidx_ref(idx, 1);
	uint8_t fl;
	int rc = 0;

	f->flags &= (uint8_t)~DP_FLOW_F_KEY1_FREE;
	/* in the wheel before anyone can find it (and end it) */
	tw_arm(f);
	f->flags |= DP_FLOW_F_LIVE | DP_FLOW_F_PENDING;
	if (two) {
		rc = check1 ? fidx_add_unique(&ft.idx, &f->key[1], h1, r1) :
			      fidx_add(&ft.idx, h1, r1);
		if (rc != 0) {
			/* nothing added: no one saw it */
			f->flags &= (uint8_t)~(DP_FLOW_F_LIVE | DP_FLOW_F_PENDING);
			dp_flow_abandon(f);
			return rc;
		}
	}
	__atomic_fetch_add(&ft.live, 1, __ATOMIC_RELAXED);
	rc = fidx_add_unique(&ft.idx, &f->key[0], h0, r0);
	if (rc == 0 && (!flow_contend(idx, &f->key[0], h0, r0) ||
			(check1 && !flow_contend(idx, &f->key[1], h1, r1))))
		rc = -EEXIST;
	fl = __atomic_load_n(&f->flags, __ATOMIC_ACQUIRE);
	do {
		if (!(fl & DP_FLOW_F_PENDING))
			break;                  /* another adder made it back out */
		if (!(fl & DP_FLOW_F_LIVE)) {
			/* ended meanwhile by another lcore, whose the slot is;
			 * it may have missed an entry added after its delete */
			flow_unindex(f, idx, two);
			return 0;
		}
	} while (!__atomic_compare_exchange_n(&f->flags, &fl,
					      (uint8_t)(rc == 0 ? fl & ~DP_FLOW_F_PENDING :
							DP_FLOW_F_DEAD),
					      false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
	if (rc == 0 && (fl & DP_FLOW_F_PENDING))
		return 0;
	flow_unindex(f, idx, two);
	__atomic_fetch_sub(&ft.live, 1, __ATOMIC_RELAXED);
	tw_disarm(f);
	flow_defer(idx);
	return rc != 0 ? rc : -EEXIST;
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
	/* both entries leave now (reusable at once); the slot after a grace
	 * period, when no reader can hold the flow through either */
	flow_unindex(f, idx, !fidx_key_eq(&f->key[0], &f->key[1]));
	release = tw_let_go(f, owner, me, unlinked);
	if (release)
		flow_defer(idx);
	else
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

struct dp_flow *
dp_flow_slot(uint32_t i)
{
	return &ft.flows[i];
}
