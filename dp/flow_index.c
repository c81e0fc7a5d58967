/* SPDX-License-Identifier: BSD-3-Clause */
/* The flow table's index: see dp/flow_index.h. */
#include <errno.h>

#include <rte_malloc.h>

#include "dp/flow_index.h"

int
fidx_init(struct fidx *x, uint64_t entries, const struct dp_flow *flows, int socket)
{
	x->nb = fidx_buckets(entries);
	x->flows = flows;
	/* zeroed, i.e. written: every page faulted in here, not on the packet path */
	x->b = rte_zmalloc_socket("vpcgw_flow_index", sizeof(struct fidx_bucket) * x->nb,
				  RTE_CACHE_LINE_SIZE, socket);
	return x->b == NULL ? -ENOMEM : 0;
}

void
fidx_fini(struct fidx *x)
{
	rte_free(x->b);
	x->b = NULL;
	x->nb = 0;
}

size_t
fidx_mem_bytes(uint64_t entries)
{
	return (size_t)fidx_buckets(entries) * sizeof(struct fidx_bucket);
}

/* Visit the buckets k may be in (only its home while nothing overflowed
 * from there); fn returns true to stop. */
static inline uint32_t
probe_count(const struct fidx *x, uint32_t home, bool all)
{
	return all || __atomic_load_n(&x->b[home].over, __ATOMIC_SEQ_CST) != 0 ? FIDX_PROBE : 1;
}

/* The reference under k in bucket bk, 0 if none; if other, of a live flow
 * without a flag of skip, other than not (0: any). */
static inline uint32_t
scan(const struct fidx *x, const struct fidx_bucket *bk, const struct dp_flow_key *k,
     uint32_t h, bool other, uint32_t not, uint8_t skip)
{
	/* for the adders' check (see the header, "Uniqueness"): after their
	 * own add, see fidx_sig_mask() */
	uint32_t m = fidx_sig_mask(bk, h) & 0x5555u;

	while (m != 0) {
		int s = __builtin_ctz(m) >> 1;
		uint32_t r = __atomic_load_n(&bk->ref[s], __ATOMIC_ACQUIRE);

		m &= m - 1;
		if (r == 0 || !fidx_match(x, r, k))
			continue;
		if (!other)
			return r;
		if (r != not &&
		    (__atomic_load_n(&fidx_flow(x, r)->flags, __ATOMIC_ACQUIRE) &
		     (DP_FLOW_F_LIVE | skip)) == DP_FLOW_F_LIVE)
			return r;
	}
	return 0;
}

uint32_t
fidx_find(const struct fidx *x, const struct dp_flow_key *k, uint32_t h)
{
	uint32_t home = fidx_home(x, h), np = probe_count(x, home, false), r;

	for (uint32_t p = 0; p < np; p++)
		if ((r = scan(x, fidx_bucket_at(x, h, home, p), k, h, false, 0, 0)) != 0)
			return r;
	return 0;
}

static uint32_t
find_other(const struct fidx *x, const struct dp_flow_key *k, uint32_t h, uint32_t ref,
	   uint8_t skip)
{
	uint32_t home = fidx_home(x, h), np = probe_count(x, home, false), r;

	for (uint32_t p = 0; p < np; p++)
		if ((r = scan(x, fidx_bucket_at(x, h, home, p), k, h, true, ref, skip)) != 0)
			return r;
	return 0;
}

uint32_t
fidx_find_other(const struct fidx *x, const struct dp_flow_key *k, uint32_t h, uint32_t ref)
{
	return find_other(x, k, h, ref, 0);
}

/* Take an empty entry of bk for ref under hash h: its slot, or -1 when bk
 * is full. */
static inline int
take(struct fidx_bucket *bk, uint32_t h, uint32_t ref)
{
	for (int s = 0; s < FIDX_SLOTS; s++) {
		uint32_t e = __atomic_load_n(&bk->ref[s], __ATOMIC_RELAXED);

		/* pairs with the readers' acquire loads: the flow (its key)
		 * is written before it can be found */
		if (e == 0 && __atomic_compare_exchange_n(&bk->ref[s], &e, ref, false,
							  __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
			/* a locked store: the adder's check reads after it */
			__atomic_store_n(&bk->sig[s], (uint16_t)h, __ATOMIC_SEQ_CST);
			return s;
		}
	}
	return -1;
}

int
fidx_add_unique(struct fidx *x, const struct dp_flow_key *k, uint32_t h, uint32_t ref)
{
	uint32_t home = fidx_home(x, h);
	struct fidx_bucket *bk = &x->b[home];

	/* a flow in for good has k: refused before anything is added (one
	 * still being added is the caller's to contend with, after its add);
	 * the usual case in one line: nothing overflowed from the home, a
	 * free entry in it */
	if (__atomic_load_n(&bk->over, __ATOMIC_SEQ_CST) == 0) {
		if (scan(x, bk, k, h, true, 0, DP_FLOW_F_PENDING) != 0)
			return -EEXIST;
		if (take(bk, h, ref) >= 0)
			return 0;
	} else if (find_other(x, k, h, 0, DP_FLOW_F_PENDING) != 0) {
		return -EEXIST;
	}
	return fidx_add(x, h, ref);
}

int
fidx_add(struct fidx *x, uint32_t h, uint32_t ref)
{
	uint32_t home = fidx_home(x, h);

	if (take(&x->b[home], h, ref) >= 0)
		return 0;
	for (uint32_t p = 1; p < FIDX_PROBE; p++) {
		struct fidx_bucket *bk = fidx_bucket_at(x, h, home, p);

		/* a later place that is the home itself: an entry there would
		 * be found (and deleted) as a home entry, never counted back */
		if (bk == &x->b[home])
			continue;
		/* counted before it can be found (and deleted, which uncounts):
		 * the count may be high for a moment, never low, so a lookup
		 * never skips the later buckets while a key sits there */
		__atomic_fetch_add(&x->b[home].over, 1, __ATOMIC_SEQ_CST);
		if (take(bk, h, ref) >= 0)
			return 0;
		__atomic_fetch_sub(&x->b[home].over, 1, __ATOMIC_SEQ_CST);
	}
	return -ENOSPC;
}

bool
fidx_del(struct fidx *x, uint32_t h, uint32_t ref)
{
	uint32_t home = fidx_home(x, h);

	/* its home first: a key overflowed only from a full bucket; by
	 * reference, not signature (the adder may not have stored it yet) */
	for (uint32_t p = 0; p < FIDX_PROBE; p++) {
		struct fidx_bucket *bk = fidx_bucket_at(x, h, home, p);

		if (p != 0 && bk == &x->b[home])
			continue;       /* fidx_add() never places one there */
		for (int s = 0; s < FIDX_SLOTS; s++) {
			uint32_t e = ref;

			if (__atomic_load_n(&bk->ref[s], __ATOMIC_RELAXED) == ref &&
			    __atomic_compare_exchange_n(&bk->ref[s], &e, 0, false, __ATOMIC_SEQ_CST,
							__ATOMIC_RELAXED)) {
				if (p != 0)
					__atomic_fetch_sub(&x->b[home].over, 1, __ATOMIC_SEQ_CST);
				return true;
			}
		}
	}
	return false;
}
