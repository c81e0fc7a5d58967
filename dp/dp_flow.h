/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shared flow table (DESIGN.md "Flow table").
 *
 * One rte_hash (RW_CONCURRENCY_LF | MULTI_WRITER_ADD) maps each of a flow's
 * two keys to the flow object, tagged with the direction in the pointer's
 * low bit. Flow objects live in one preallocated array; free slots circulate
 * through an MPMC ring with a per-worker cache.
 *
 * Writers: workers add (dp_flow_insert) and update mutable fields of a flow
 * (last_ms, tcp_state, flags) with relaxed atomics. The control thread
 * deletes idle flows (dp_flow_sweep) and a worker deletes a flow it finds
 * expired (dp_flow_kill); deleted key slots and flows go through an RCU QSBR
 * defer queue (ours: rte_hash frees nothing on delete in LF mode): a key slot and its
 * flow are recycled only after every worker has reported quiescent, so a
 * worker holding a flow pointer from a lookup in its current burst can
 * always dereference it. No worker ever waits for a grace period.
 */
#ifndef VPCGW_DP_FLOW_H
#define VPCGW_DP_FLOW_H

#include "dp/dp.h"
#include "dp/ct_tcp.h"

struct rte_rcu_qsbr;

int dp_flow_init(uint32_t capacity, int socket, struct rte_rcu_qsbr *rcu);
void dp_flow_fini(void);
/* An upper bound of what dp_flow_init(capacity) takes from its socket's heap. */
size_t dp_flow_mem_bytes(uint32_t capacity);

/* Is any flow in the table? (A burst with none to find skips the lookup.) */
bool dp_flow_any(void);
/* Look up md->key of each packet; sets md->flow (tagged pointer) or NULL. */
void dp_flow_lookup_burst(struct rte_mbuf **pkts, uint16_t n);

static inline struct dp_flow *
dp_flow_ptr(void *tagged)
{
	return (struct dp_flow *)((uintptr_t)tagged & ~(uintptr_t)1);
}

static inline int
dp_flow_dir(void *tagged)
{
	return (int)((uintptr_t)tagged & 1);
}

/*
 * Per-flow counters, beside the flows (the 128-byte flow has no room): what
 * the flow listing shows and flow logs report. A direction's packets reach
 * one worker (RSS, one port per worker on vdevs), so each counter has one
 * writer and is bumped without an atomic read-modify-write; a reader (the
 * telemetry thread) may see a count a packet old.
 */
struct dp_flow_cnt {
	uint64_t pkts[2];           /* by direction: 0 the one that opened it */
	uint64_t bytes[2];          /* from the IP header on */
};

/* counters - flows / 4 (modulo 2^64), the two arrays of dp_flow.c: see
 * dp_flow_cnt_of() */
extern uintptr_t dp_flow_cnt_bias;

/* The counters of f: 32 bytes for its 128, found by a shift and an add.
 * counters + (f - flows) / 4 is f / 4 + dp_flow_cnt_bias: both
 * addresses are multiples of 4 (the flows are cache-aligned, 128 bytes each),
 * so the quarter of their difference is the difference of their quarters. */
static inline struct dp_flow_cnt *
dp_flow_cnt_of(const struct dp_flow *f)
{
	RTE_BUILD_BUG_ON(sizeof(struct dp_flow) != 4 * sizeof(struct dp_flow_cnt));
	return (struct dp_flow_cnt *)(((uintptr_t)f >> 2) + dp_flow_cnt_bias);
}

static inline void
dp_flow_set_created(struct dp_flow *f, uint64_t now_ms)
{
	f->created_lo = (uint32_t)now_ms;
	f->created_hi = (uint16_t)(now_ms >> 32);
}

static inline uint64_t
dp_flow_created_ms(const struct dp_flow *f)
{
	return (uint64_t)f->created_hi << 32 | f->created_lo;
}

/* One packet of bytes bytes of flow f in direction d. */
static inline void
dp_flow_pkt(const struct dp_flow *f, int d, uint32_t bytes)
{
	struct dp_flow_cnt *c = dp_flow_cnt_of(f);

	__atomic_store_n(&c->pkts[d], __atomic_load_n(&c->pkts[d], __ATOMIC_RELAXED) + 1,
			 __ATOMIC_RELAXED);
	__atomic_store_n(&c->bytes[d], __atomic_load_n(&c->bytes[d], __ATOMIC_RELAXED) + bytes,
			 __ATOMIC_RELAXED);
}

/* A zeroed flow (and zeroed counters) from the calling worker's cache, or
 * NULL when the table is full. */
struct dp_flow *dp_flow_alloc(void);
/* Give back a flow that was never inserted. */
void dp_flow_abandon(struct dp_flow *f);
/*
 * Publish f under key[1] then key[0]. Returns 0, -EEXIST when a key is
 * already present (f abandoned), -ENOSPC when the hash is full (f abandoned).
 */
/* The same, reusing the hash of md->key when it is f->key[0] (md may be NULL). */
int dp_flow_insert_meta(struct dp_flow *f, const struct dp_meta *md);

static inline int
dp_flow_insert(struct dp_flow *f)
{
	return dp_flow_insert_meta(f, NULL);
}
/* One lookup of md->key (with its hash when the bulk lookup left one). */
void *dp_flow_lookup_meta(const struct dp_meta *md);

/*
 * A 64-bit filter of the flows a burst created: a packet that missed in the
 * bulk lookup looks again only if its key's bit is set.
 */
static inline uint64_t
dp_flow_key_bit(const struct dp_flow_key *k)
{
	uint32_t x = k->src ^ k->dst ^ ((uint32_t)k->sport << 16 | k->dport) ^ k->proto;

	x ^= x >> 16;
	x ^= x >> 8;
	return 1ull << (x & 63);
}

/* One lookup: the tagged flow pointer or NULL. */
void *dp_flow_lookup(const struct dp_flow_key *k);
/* The key of the opposite direction: addresses and ports swapped. */
static inline struct dp_flow_key
dp_flow_key_mirror(const struct dp_flow_key *k)
{
	return (struct dp_flow_key){ .src = k->dst, .dst = k->src, .sport = k->dport,
				     .dport = k->sport, .proto = k->proto };
}

/* Rewrite a packet of flow f arriving in direction d to the mirror image of
 * f->key[1 - d] (NAT/NLB translation, checksums updated; dp_node.c). */
void dp_flow_xlate(struct rte_mbuf *m, struct dp_meta *md, const struct dp_flow *f, int d);
/* Is this key in the table? (NAT port allocation) */
static inline bool
dp_flow_key_exists(const struct dp_flow_key *k)
{
	return dp_flow_lookup(k) != NULL;
}
/* Ask for the index line that dp_flow_key_exists(k) will read first. */
void dp_flow_key_prefetch(const struct dp_flow_key *k);

/* Idle timeout of f in ms, from its kind, protocol and TCP state. */
uint64_t dp_flow_timeout_ms(const struct dp_flow *f);

/*
 * Has f been idle for longer than its timeout? The common cases inline (the
 * packet path asks for every known packet): idle for less than the idle
 * timeout of an established TCP connection, a UDP stream or another
 * protocol; the rest (short-lived TCP states, UDP before a reply) from
 * dp_flow_timeout_ms(), which decides the same for all.
 */
static inline bool
dp_flow_expired(const struct dp_flow *f, uint64_t now_ms)
{
	uint64_t last = __atomic_load_n(&f->last_ms, __ATOMIC_RELAXED);

	if (now_ms <= last)
		return false;
	if (f->key[0].proto == IPPROTO_TCP ?
		    __atomic_load_n(&f->tcp_state, __ATOMIC_RELAXED) == FW_CT_TCP_ESTABLISHED :
		    f->key[0].proto != IPPROTO_UDP || f->short_s == 0 ||
			    (__atomic_load_n(&f->flags, __ATOMIC_RELAXED) & DP_FLOW_F_UDP_STREAM))
		return now_ms - last > (uint64_t)f->idle_s * 1000;
	return now_ms - last > dp_flow_timeout_ms(f);
}

static inline void
dp_flow_touch(struct dp_flow *f, uint64_t now_ms)
{
	/* avoid dirtying a line shared by two workers when nothing changes */
	if (__atomic_load_n(&f->last_ms, __ATOMIC_RELAXED) < now_ms)
		__atomic_store_n(&f->last_ms, now_ms, __ATOMIC_RELAXED);
}

/*
 * Remove f from the table (any lcore; the first caller wins). Counts the
 * deletion in the calling lcore's counters. Returns true if this call did it.
 */
bool dp_flow_kill(struct dp_flow *f);
/* Counter hook called once per deleted flow, on the deleting lcore (dp_node.c). */
void dp_flow_deleted(const struct dp_flow *f);

/*
 * Expiry by deadline (dp_flow.c "timer wheel"): a flow is deleted once idle
 * for longer than its timeout plus DP_FLOW_GRACE_MS (a packet in the grace
 * finds it expired: idle RST). A worker's first dp_flow_expire() starts its
 * wheel; from then on the flows it creates are in it, and it deletes them
 * itself.
 */
#define DP_FLOW_GRACE_MS 1000
/* flows a worker visits per loop at most: above the arrival rate per loop */
#define DP_FLOW_EXPIRE_BUDGET 256

struct dp_flow_expiry_stats {
	uint64_t armed;             /* flows put in the wheel */
	uint64_t visits;            /* flows looked at (due, or a revolution ahead) */
	uint64_t expired;           /* deleted by the wheel */
	uint64_t handoffs;          /* flows other lcores ended or re-timed */
	uint64_t handoff_full;      /* hand-offs refused: the visit catches them */
};

/*
 * Worker, once per loop: visit the flows of this lcore's wheel due by
 * now_ms, at most budget of them (the rest next call), and take in what
 * other lcores handed over. Returns the number deleted.
 */
uint32_t dp_flow_expire(uint64_t now_ms, uint32_t budget);
/*
 * Packet clock (replays, tests), before a run of packets at now_ms: every
 * flow due deleted, and its slot back (a grace period waited for), as the
 * control thread's sweep and reclaim at each event used to: what the next
 * packets find does not depend on thread timing.
 */
void dp_flow_expire_sync(uint64_t now_ms, struct rte_rcu_qsbr *rcu, unsigned rcu_id);
/* f's timeout got shorter (a TCP state): move it to its earlier deadline. */
void dp_flow_retime(struct dp_flow *f);
/* This lcore's wheel counters, NULL if it has none. */
const struct dp_flow_expiry_stats *dp_flow_expiry_stats(unsigned lcore);

/* After a TCP state change of f from st to ns. */
static inline void
dp_flow_tcp_moved(struct dp_flow *f, uint8_t st, uint8_t ns)
{
	if (fw_ct_tcp_timeout(ns, f->idle_s) < fw_ct_tcp_timeout(st, f->idle_s))
		dp_flow_retime(f);
}

/*
 * f's TCP state after a segment of direction d with flags: false when the
 * segment is invalid in that state (the caller drops it, ct_invalid). The
 * change is a compare-and-swap from the state it was computed from: two
 * workers moving one flow at once (one direction each: a FIN each way) never
 * lose a transition, which would make a later segment look invalid. *from,
 * *to: the transition made (equal: none; dp_flow_tcp_moved() done).
 */
static inline bool
dp_flow_tcp_step(struct dp_flow *f, int d, uint8_t flags, uint8_t *from, uint8_t *to)
{
	uint8_t st = __atomic_load_n(&f->tcp_state, __ATOMIC_RELAXED), ns;
	bool valid = true;

	do {
		ns = fw_ct_tcp_next(st, d, flags, &valid);
		if (!valid)
			return false;
		if (ns == st)
			break;
	} while (!__atomic_compare_exchange_n(&f->tcp_state, &st, ns, false, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	*from = st;
	*to = ns;
	if (ns != st)
		dp_flow_tcp_moved(f, st, ns);
	return true;
}

/*
 * Tests, tools: visit up to budget flow slots from where the last call
 * stopped; delete flows dead or idle for longer than their timeout plus
 * grace_ms. Returns the number deleted.
 */
uint32_t dp_flow_sweep(uint64_t now_ms, uint32_t budget, uint64_t grace_ms);
uint32_t dp_flow_count(void);
uint32_t dp_flow_capacity(void);
/* Flow slot i < dp_flow_capacity(), live or not (walks of the table). */
struct dp_flow *dp_flow_slot(uint32_t i);
/* f's place in the flow array, 0..capacity-1 (side tables: dp/flow6.c). */
uint32_t dp_flow_index(const struct dp_flow *f);
/* /vpcgw/flows/list (dp_flow_list.c). */
int dp_flow_list_telemetry_init(void);
/* Visit every live flow (control thread, telemetry). */
void dp_flow_foreach(void (*fn)(const struct dp_flow *f, void *arg), void *arg);
/* Live TCP flows in a state (telemetry; walks the table). */
uint64_t dp_flow_count_state(uint8_t tcp_state);
/* The same, of one kind (enum dp_flow_kind) only; kind < 0: every kind. */
uint64_t dp_flow_count_state_kind(uint8_t tcp_state, int kind);
/* Control thread: free what every worker has passed (deleted keys, flows);
 * with wait, first wait for every worker to pass a quiescent state. */
void dp_flow_reclaim(struct rte_rcu_qsbr *rcu, bool wait);
/* Worker: hand back cached free slots and queue its batch of deleted ones (at exit). */
void dp_flow_worker_flush(void);

#endif /* VPCGW_DP_FLOW_H */
