/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A compact IPv4 longest-prefix-match table: a multibit trie of 8-bit
 * strides (8-8-8-8) with leaf pushing, all of its nodes in one array
 * (issue #22). Node 0 is the root; every node is 256 entries of 4 bytes.
 * An entry is a leaf (value << 1) or a link to a node (index << 8 | 1).
 *
 * Memory is 1 KB for the root and 1 KB per node below it: a prefix of length
 * L adds at most ceil(L / 8) - 1 nodes, and prefixes share their nodes (the
 * VPC CIDR and a default route fit in the root and one node). A route table
 * of 50 routes is a few KB where an rte_fib DIR24_8 was 16 MB or more.
 *
 * Lookup: one read for a prefix of /8 or shorter, two up to /16, three up to
 * /24, four beyond; the nodes a burst touches stay in L1.
 *
 * Immutable once built: any number of readers, no synchronisation. Built and
 * freed by the control thread only. Pure C (no EAL): unit tests use it as is.
 */
#ifndef VPCGW_DP_LPM_H
#define VPCGW_DP_LPM_H

#include <stdint.h>

struct dp_lpm {
	uint32_t *node;             /* n_nodes * 256 entries */
	uint32_t n_nodes;
};

struct dp_lpm_prefix {
	uint32_t addr;              /* host order, host bits zero */
	uint8_t len;                /* 0..32 */
	uint32_t val;               /* < 2^31 */
};

/* Bytes of the table holding these prefixes, before it is built (an upper
 * bound: the nodes prefixes would share are counted for each). */
uint64_t dp_lpm_bound(const struct dp_lpm_prefix *p, unsigned n);

/*
 * Build the table of n prefixes; an address no prefix covers gives none.
 * Of two prefixes equal in address and length, the later one wins.
 * Returns 0 or -ENOMEM (then l holds nothing to free).
 */
int dp_lpm_build(struct dp_lpm *l, const struct dp_lpm_prefix *p, unsigned n, uint32_t none);
void dp_lpm_free(struct dp_lpm *l);
/* Bytes the built table uses. */
static inline uint64_t
dp_lpm_bytes(const struct dp_lpm *l)
{
	return (uint64_t)l->n_nodes * 256 * sizeof(uint32_t);
}

#define DP_LPM_LINK(e) ((e) - 1)   /* first entry of the node e links to (index << 8 | 1) */

static inline uint32_t
dp_lpm_lookup(const struct dp_lpm *l, uint32_t addr)
{
	const uint32_t *n = l->node;
	uint32_t e = n[addr >> 24];

	if (__builtin_expect(e & 1, 1)) {
		e = n[DP_LPM_LINK(e) | ((addr >> 16) & 0xff)];
		if (__builtin_expect(e & 1, 0)) {
			e = n[DP_LPM_LINK(e) | ((addr >> 8) & 0xff)];
			if (e & 1)
				e = n[DP_LPM_LINK(e) | (addr & 0xff)];
		}
	}
	return e >> 1;
}

static inline void
dp_lpm_lookup_bulk(const struct dp_lpm *l, const uint32_t *addr, uint64_t *val, unsigned cnt)
{
	for (unsigned i = 0; i < cnt; i++)
		val[i] = dp_lpm_lookup(l, addr[i]);
}

#endif /* VPCGW_DP_LPM_H */
