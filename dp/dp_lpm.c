/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Build of the compact LPM table (dp_lpm.h). Control thread only.
 *
 * Prefixes go in by ascending length: a prefix then only ever overwrites
 * leaves (every node below its level was made by a longer prefix, and none is
 * in yet), and a node made for a longer prefix starts as a copy of the leaf
 * it replaces (leaf pushing), so the longest match is what a lookup reads.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dp/dp_lpm.h"

static unsigned
extra_nodes(uint8_t len)
{
	return len > 8 ? (len - 1u) / 8 : 0;
}

uint64_t
dp_lpm_bound(const struct dp_lpm_prefix *p, unsigned n)
{
	uint64_t nodes = 1;

	for (unsigned i = 0; i < n; i++)
		nodes += extra_nodes(p[i].len);
	return nodes * 256 * sizeof(uint32_t);
}

static int
by_len(const void *a, const void *b)
{
	const struct dp_lpm_prefix *x = *(const struct dp_lpm_prefix *const *)a;
	const struct dp_lpm_prefix *y = *(const struct dp_lpm_prefix *const *)b;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	/* equal length: input order (the later one wins) */
	return x < y ? -1 : x > y;
}

static void
insert(struct dp_lpm *l, const struct dp_lpm_prefix *p)
{
	uint32_t base = 0;          /* first entry of the current node */
	unsigned level = 0;         /* the node's bits are addr >> (24 - 8 * level) */
	uint32_t start, span;

	while (p->len > 8 * (level + 1)) {
		uint32_t *e = &l->node[base | ((p->addr >> (24 - 8 * level)) & 0xff)];

		if (!(*e & 1)) {
			uint32_t nb = l->n_nodes++ << 8;

			for (unsigned i = 0; i < 256; i++)
				l->node[nb + i] = *e;
			*e = nb | 1;
		}
		base = DP_LPM_LINK(*e);
		level++;
	}
	span = 1u << (8 * (level + 1) - p->len);
	start = ((p->addr >> (24 - 8 * level)) & 0xff) & ~(span - 1);
	for (uint32_t i = 0; i < span; i++)
		l->node[base + start + i] = p->val << 1;
}

int
dp_lpm_build(struct dp_lpm *l, const struct dp_lpm_prefix *p, unsigned n, uint32_t none)
{
	const struct dp_lpm_prefix **order = malloc(((size_t)n + 1) * sizeof(*order));
	uint32_t *shrunk;

	l->n_nodes = 0;
	l->node = malloc(dp_lpm_bound(p, n));
	if (order == NULL || l->node == NULL) {
		free(order);
		free(l->node);
		l->node = NULL;
		return -ENOMEM;
	}
	for (unsigned i = 0; i < n; i++)
		order[i] = &p[i];
	qsort(order, n, sizeof(*order), by_len);
	l->n_nodes = 1;
	for (unsigned i = 0; i < 256; i++)
		l->node[i] = none << 1;
	for (unsigned i = 0; i < n; i++)
		insert(l, order[i]);
	free(order);
	/* the bound counted shared nodes once per prefix: give the rest back */
	shrunk = realloc(l->node, dp_lpm_bytes(l));
	if (shrunk != NULL)
		l->node = shrunk;
	return 0;
}

void
dp_lpm_free(struct dp_lpm *l)
{
	free(l->node);
	l->node = NULL;
	l->n_nodes = 0;
}
