/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The flow table's index (docs/ARCHITECTURE.md "Flow table"): maps each of
 * a flow's two keys to the flow, in place of librte_hash.
 *
 * Open addressing over 64-byte buckets of 8 entries: 8 16-bit signatures
 * (the hash's low bits; the home bucket comes from its high bits), then 8
 * 32-bit references (flow index * 2 + direction + 1, 0 for an empty entry),
 * and an overflow count, the number of entries whose home bucket this is
 * but that sit in one of the FIDX_PROBE - 1 buckets from a second place the
 * hash gives (a second choice rather than the next buckets: linear
 * probing's runs of full buckets made a table 38 % full refuse keys). One
 * SSE compare finds the entries of a signature in a bucket. The keys themselves are only in the flows: a lookup compares
 * hashes in the bucket, then the flow's key.
 *
 * Writers (any lcore): fidx_add() takes an empty entry by compare-and-swap
 * of its reference, then stores its signature; fidx_del() empties an entry
 * by compare-and-swap from the exact reference it removes, so two deleters
 * or a deleter and an adder never undo each other. A signature may be
 * stale (an entry being taken, or emptied and taken again): the flow's key
 * decides, a signature only filters. An entry can be reused at once: a reader that loaded the old value
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

#include <emmintrin.h>

#include <rte_common.h>
#include <rte_hash_crc.h>
#include <rte_prefetch.h>
#if defined(RTE_ARCH_X86_64) && defined(__SSE4_2__)
#include <nmmintrin.h>
#endif

#include "dp/dp.h"

#define FIDX_SLOTS 8                /* entries per bucket */
#define FIDX_PROBE 4                /* buckets a key may sit in: its home, 3 from its second place */
#define FIDX_REF_MAX 0xfffffffeu

struct fidx_bucket {
	uint16_t sig[FIDX_SLOTS];   /* low 16 bits of the key's hash */
	uint32_t ref[FIDX_SLOTS];   /* flow * 2 + direction + 1; 0: empty */
	int32_t over;               /* entries of this home elsewhere (may read
				     * transiently negative: only != 0 matters) */
	uint32_t pad[3];
} __rte_cache_aligned;

struct fidx {
	struct fidx_bucket *b;
	const struct dp_flow *flows;
	uint32_t nb;                /* buckets (any number: the hash is scaled) */
};

static_assert(sizeof(struct fidx_bucket) == 64, "a bucket is one cache line");

/* The table's hash of a key: rte_hash_crc(k, 16, 0), the CRC32-C of its two
 * words. With SSE4.2 (every x86 build: -march=corei7) the two crc32q
 * themselves: rte_hash_crc() tests the CRC method it picked at start-up
 * before each word, on the way from a packet's key to its bucket. */
static inline uint32_t
fidx_key_hash(const struct dp_flow_key *k)
{
#if defined(RTE_ARCH_X86_64) && defined(__SSE4_2__)
	uint64_t a, b;

	RTE_BUILD_BUG_ON(sizeof(*k) != 16);
	memcpy(&a, k, 8);
	memcpy(&b, (const uint8_t *)k + 8, 8);
	return (uint32_t)_mm_crc32_u64(_mm_crc32_u64(0, a), b);
#else
	return rte_hash_crc(k, sizeof(*k), 0);
#endif
}

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

/* Ask for the home bucket of hash h; returns it (fidx_home()). */
static inline uint32_t
fidx_ask(const struct fidx *x, uint32_t h)
{
	uint32_t home = fidx_home(x, h);

	rte_prefetch0(&x->b[home]);
	return home;
}

static inline void
fidx_prefetch(const struct fidx *x, uint32_t h)
{
	(void)fidx_ask(x, h);
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

/*
 * Bits 2s and 2s + 1 set for each entry s of bk whose signature is that of
 * hash h (empty ones too: the reference tells). One 16-byte load: on x86 it
 * is ordered after the caller's earlier locked instructions as a
 * sequentially consistent load would be (fidx_add_unique relies on it).
 */
static inline uint32_t
fidx_sig_mask(const struct fidx_bucket *bk, uint32_t h)
{
	__m128i v = _mm_load_si128((const __m128i *)(const void *)bk->sig);

	return (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi16(v, _mm_set1_epi16((short)h)));
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
 * A bulk lookup in three steps, so that the misses of a burst overlap:
 * every home bucket asked for (fidx_home(), fidx_prefetch()), then each
 * bucket's first candidate found and its flow asked for
 * (fidx_bulk_candidates()), then each candidate's key compared
 * (fidx_bulk_confirm()). fidx_lookup_bulk() is the three in a row.
 */

/* ref[i]: the first entry of home bucket home[i] taken under hash h[i]'s
 * signature, 0 if none; bit i % 64 of the result: look in the later
 * buckets too. */
static inline uint64_t
fidx_bulk_candidates(const struct fidx *x, const uint32_t *h, const uint32_t *home,
		     uint32_t n, uint32_t *ref)
{
	uint64_t slow = 0;

	for (uint32_t i = 0; i < n; i++) {
		const struct fidx_bucket *bk = &x->b[home[i]];
		uint32_t m = fidx_sig_mask(bk, h[i]) & 0x5555u, r = 0;

		/* the first entry taken under the signature (another key's,
		 * or changed since: the key compare sends it the slow way);
		 * acquire pairs with the adder's compare-and-swap: the flow's
		 * key was written before */
		while (m != 0 &&
		       (r = __atomic_load_n(&bk->ref[__builtin_ctz(m) >> 1], __ATOMIC_ACQUIRE)) == 0)
			m &= m - 1;     /* an emptied entry's signature stays: the next */
		if (r != 0)
			rte_prefetch0(fidx_flow(x, r));
		else if (__atomic_load_n(&bk->over, __ATOMIC_RELAXED) != 0)
			slow |= 1ull << (i & 63);
		ref[i] = r;
	}
	return slow;
}

/* The reference of k (hash h) from its candidate r and slow bit. */
static inline uint32_t
fidx_bulk_confirm(const struct fidx *x, const struct dp_flow_key *k, uint32_t h, uint32_t r,
		  bool slow)
{
	/* a hash shared by two keys, or a key in a later bucket */
	if ((r != 0 && !fidx_match(x, r, k)) || (r == 0 && slow))
		return fidx_find(x, k, h);
	return r;
}

/* Look up n keys with their hashes: ref[i] set to the reference or 0. */
static inline void
fidx_lookup_bulk(const struct fidx *x, const struct dp_flow_key *const *keys,
		 const uint32_t *h, uint32_t n, uint32_t *ref)
{
	uint32_t home[n];
	uint64_t slow;

	for (uint32_t i = 0; i < n; i++)
		home[i] = fidx_ask(x, h[i]);
	slow = fidx_bulk_candidates(x, h, home, n, ref);
	for (uint32_t i = 0; i < n; i++)
		ref[i] = fidx_bulk_confirm(x, keys[i], h[i], ref[i], (slow >> (i & 63)) & 1);
}

#endif /* VPCGW_DP_FLOW_INDEX_H */
