/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The flow table's index (docs/ARCHITECTURE.md "Flow table"): maps each of
 * a flow's two keys to the flow, in place of librte_hash.
 *
 * Open addressing over 64-byte buckets: 7 entries of 8 bytes (the key's
 * 32-bit hash above a 32-bit reference: flow index * 2 + direction + 1, 0
 * for an empty entry) and an overflow count, the number of entries whose
 * home bucket this is but that sit in one of the FIDX_PROBE - 1 buckets
 * from a second place the hash gives (a second choice rather than the next
 * buckets: linear probing's runs of full buckets made a table 38 % full
 * refuse keys). The keys themselves are only in the flows: a lookup compares
 * hashes in the bucket, then the flow's key.
 *
 * Writers (any lcore): fidx_add() takes an empty entry by compare-and-swap;
 * fidx_del() empties an entry by compare-and-swap from the exact value it
 * removes, so two deleters or a deleter and an adder never undo each
 * other. An entry can be reused at once: a reader that loaded the old value
 * holds a flow that RCU keeps (dp_flow.c gives a flow's slot back only
 * after a grace period) and compares that flow's key, so it never returns
 * a flow under a key it does not have. Readers take no lock and write
 * nothing.
 *
 * Uniqueness (dp_flow_insert): an adder adds, then looks for another live
 * flow with the same key (fidx_find_other). Both are sequentially
 * consistent, so of two adders of one key at least one sees the other;
 * dp_flow.c decides which one stays.
 */
#ifndef VPCGW_DP_FLOW_INDEX_H
#define VPCGW_DP_FLOW_INDEX_H

#include <stdint.h>
#include <string.h>

#include <rte_common.h>
#include <rte_prefetch.h>

#include "dp/dp.h"

#define FIDX_SLOTS 7                /* entries per bucket; the 8th word is the overflow count */
#define FIDX_PROBE 4                /* buckets a key may sit in: its home, 3 from its second place */
#define FIDX_REF_MAX 0xfffffffeu

struct fidx_bucket {
	uint64_t e[FIDX_SLOTS];     /* hash << 32 | ref; 0: empty */
	uint64_t over;              /* entries of this home in later buckets (may read
				     * transiently negative: only != 0 matters) */
} __rte_cache_aligned;

struct fidx {
	struct fidx_bucket *b;
	const struct dp_flow *flows;
	uint32_t nb;                /* buckets (any number: the hash is scaled) */
};

static_assert(sizeof(struct fidx_bucket) == 64, "a bucket is one cache line");

/* Buckets for n entries at most half full. */
static inline uint32_t
fidx_buckets(uint64_t n)
{
	return (uint32_t)RTE_MAX((2 * n + FIDX_SLOTS - 1) / FIDX_SLOTS, (uint64_t)FIDX_PROBE);
}

static inline uint32_t
fidx_ref(uint32_t flow, int dir)
{
	return flow * 2 + (uint32_t)dir + 1;
}

/* The hash scaled to the buckets (its high bits: the entries of a bucket
 * differ in the low ones). */
static inline uint32_t
fidx_home(const struct fidx *x, uint32_t h)
{
	return (uint32_t)(((uint64_t)h * x->nb) >> 32);
}

/* Probe p of hash h (home: fidx_home()): p = 0 the home, then the buckets
 * from the second place on. */
static inline struct fidx_bucket *
fidx_bucket_at(const struct fidx *x, uint32_t h, uint32_t home, uint32_t p)
{
	uint32_t i;

	if (p == 0)
		return &x->b[home];
	/* the hash's bits in another order, scaled */
	i = (uint32_t)(((uint64_t)(((h << 16) | (h >> 16)) * 0x9e3779b1u) * x->nb) >> 32) + p - 1;
	return &x->b[i >= x->nb ? i - x->nb : i];
}

static inline const struct dp_flow *
fidx_flow(const struct fidx *x, uint32_t ref)
{
	return &x->flows[(ref - 1) >> 1];
}

static inline bool
fidx_key_eq(const struct dp_flow_key *a, const struct dp_flow_key *b)
{
	uint64_t a0, a1, b0, b1;

	memcpy(&a0, a, 8);
	memcpy(&a1, (const char *)a + 8, 8);
	memcpy(&b0, b, 8);
	memcpy(&b1, (const char *)b + 8, 8);
	return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

static inline bool
fidx_match(const struct fidx *x, uint32_t ref, const struct dp_flow_key *k)
{
	return fidx_key_eq(&fidx_flow(x, ref)->key[(ref - 1) & 1], k);
}

/* Bit s set for each entry s of bk under hash h (empty ones too when h is
 * 0: the reference tells). Loads of any order: callers re-read the entry
 * they pick with the order they need. */
static inline uint32_t
fidx_sig_mask(const struct fidx_bucket *bk, uint32_t h, int order)
{
	uint32_t m = 0;

	for (int s = 0; s < FIDX_SLOTS; s++)
		m |= (uint32_t)((uint32_t)(__atomic_load_n(&bk->e[s], order) >> 32) == h) << s;
	return m;
}

int fidx_init(struct fidx *x, uint64_t entries, const struct dp_flow *flows, int socket);
void fidx_fini(struct fidx *x);
/* Bytes fidx_init() takes for that many entries. */
size_t fidx_mem_bytes(uint64_t entries);

/* The reference of k (hash h), 0 if absent. */
uint32_t fidx_find(const struct fidx *x, const struct dp_flow_key *k, uint32_t h);
/* A reference other than ref under k, of a live flow; 0 if none. (adders' check) */
uint32_t fidx_find_other(const struct fidx *x, const struct dp_flow_key *k, uint32_t h,
		     uint32_t ref);
/* Add ref under hash h: 0, or -ENOSPC when the probed buckets are full. */
int fidx_add(struct fidx *x, uint32_t h, uint32_t ref);
/* fidx_add() of ref's key k unless another live flow, not DP_FLOW_F_PENDING,
 * has k (-EEXIST, nothing added): one pass over the buckets for both. */
int fidx_add_unique(struct fidx *x, const struct dp_flow_key *k, uint32_t h, uint32_t ref);
/* Remove ref under hash h: true if this call removed it. */
bool fidx_del(struct fidx *x, uint32_t h, uint32_t ref);

/*
 * Look up n keys with their hashes: ref[i] set to the reference or 0.
 * Every bucket is asked for before the first is read, and every flow found
 * before its key is compared: the misses of a burst overlap.
 */
static inline void
fidx_lookup_bulk(const struct fidx *x, const struct dp_flow_key *const *keys,
		 const uint32_t *h, uint32_t n, uint32_t *ref)
{
	uint32_t home[n];
	uint64_t slow = 0;      /* bit i % 64: look in the later buckets too */

	for (uint32_t i = 0; i < n; i++) {
		home[i] = fidx_home(x, h[i]);
		rte_prefetch0(&x->b[home[i]]);
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct fidx_bucket *bk = &x->b[home[i]];
		uint32_t m = fidx_sig_mask(bk, h[i], __ATOMIC_RELAXED), r = 0;

		/* the first entry under the hash (another one, or an entry
		 * changed since: the key compare below sends it the slow way);
		 * acquire pairs with the adder's compare-and-swap: the flow's
		 * key was written before */
		if (m != 0)
			r = (uint32_t)__atomic_load_n(&bk->e[__builtin_ctz(m)], __ATOMIC_ACQUIRE);
		if (r != 0)
			rte_prefetch0(fidx_flow(x, r));
		else if (__atomic_load_n(&bk->over, __ATOMIC_RELAXED) != 0)
			slow |= 1ull << (i & 63);
		ref[i] = r;
	}
	for (uint32_t i = 0; i < n; i++) {
		/* a hash shared by two keys, or a key in a later bucket */
		if ((ref[i] != 0 && !fidx_match(x, ref[i], keys[i])) ||
		    (ref[i] == 0 && ((slow >> (i & 63)) & 1)))
			ref[i] = fidx_find(x, keys[i], h[i]);
	}
}

#endif /* VPCGW_DP_FLOW_INDEX_H */
