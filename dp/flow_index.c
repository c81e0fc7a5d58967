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

uint32_t
fidx_find(const struct fidx *x, const struct dp_flow_key *k, uint32_t h)
{
	uint32_t home = fidx_home(x, h), np = probe_count(x, home, false);
	uint64_t want = (uint64_t)h << 32;

	for (uint32_t p = 0; p < np; p++) {
		const struct fidx_bucket *bk = fidx_bucket_at(x, h, home, p);

		for (int s = 0; s < FIDX_SLOTS; s++) {
			uint64_t e = __atomic_load_n(&bk->e[s], __ATOMIC_ACQUIRE);

			if ((e & 0xffffffff00000000ull) == want && (uint32_t)e != 0 &&
			    fidx_match(x, (uint32_t)e, k))
				return (uint32_t)e;
		}
	}
	return 0;
}

uint32_t
fidx_find_other(const struct fidx *x, const struct dp_flow_key *k, uint32_t h, uint32_t ref)
{
	uint32_t home = fidx_home(x, h), np = probe_count(x, home, false);
	uint64_t want = (uint64_t)h << 32;

	for (uint32_t p = 0; p < np; p++) {
		const struct fidx_bucket *bk = fidx_bucket_at(x, h, home, p);

		for (int s = 0; s < FIDX_SLOTS; s++) {
			/* sequentially consistent: ordered after the caller's
			 * own add (see the header, "Uniqueness") */
			uint64_t e = __atomic_load_n(&bk->e[s], __ATOMIC_SEQ_CST);
			uint32_t r = (uint32_t)e;

			if ((e & 0xffffffff00000000ull) == want && r != 0 && r != ref &&
			    fidx_match(x, r, k) &&
			    (__atomic_load_n(&fidx_flow(x, r)->flags, __ATOMIC_ACQUIRE) &
			     DP_FLOW_F_LIVE))
				return r;
		}
	}
	return 0;
}

int
fidx_add(struct fidx *x, uint32_t h, uint32_t ref)
{
	uint32_t home = fidx_home(x, h);
	uint64_t v = (uint64_t)h << 32 | ref;

	for (uint32_t p = 0; p < FIDX_PROBE; p++) {
		struct fidx_bucket *bk = fidx_bucket_at(x, h, home, p);

		for (int s = 0; s < FIDX_SLOTS; s++) {
			uint64_t e = __atomic_load_n(&bk->e[s], __ATOMIC_RELAXED);

			/* pairs with the readers' acquire loads: the flow
			 * (its key) is written before it can be found */
			if (e == 0 && __atomic_compare_exchange_n(&bk->e[s], &e, v, false,
								  __ATOMIC_SEQ_CST,
								  __ATOMIC_RELAXED)) {
				if (p != 0)
					__atomic_fetch_add(&x->b[home].over, 1, __ATOMIC_SEQ_CST);
				return 0;
			}
		}
	}
	return -ENOSPC;
}

bool
fidx_del(struct fidx *x, uint32_t h, uint32_t ref)
{
	uint32_t home = fidx_home(x, h);
	uint64_t v = (uint64_t)h << 32 | ref;

	/* its home first: a key overflowed only from a full bucket */
	for (uint32_t p = 0; p < FIDX_PROBE; p++) {
		struct fidx_bucket *bk = fidx_bucket_at(x, h, home, p);

		for (int s = 0; s < FIDX_SLOTS; s++) {
			uint64_t e = v;

			if (__atomic_load_n(&bk->e[s], __ATOMIC_RELAXED) == v &&
			    __atomic_compare_exchange_n(&bk->e[s], &e, 0, false, __ATOMIC_SEQ_CST,
							__ATOMIC_RELAXED)) {
				if (p != 0)
					__atomic_fetch_sub(&x->b[home].over, 1, __ATOMIC_SEQ_CST);
				return true;
			}
		}
	}
	return false;
}
