/* SPDX-License-Identifier: BSD-3-Clause */
/* Aggregation of one flow log's window (flowlog/fl_agg.h). */
#include <stdlib.h>
#include <string.h>

#include "flowlog/fl_agg.h"

static uint32_t
key_hash(const struct fl_record *r)
{
	uint64_t h = 1469598103934665603ull;
	uint32_t w[5] = { r->iface, r->src, r->dst, (uint32_t)r->sport << 16 | r->dport,
			  (uint32_t)r->proto << 16 | (uint32_t)r->accept << 8 | r->egress };

	for (int i = 0; i < 5; i++)
		h = (h ^ w[i]) * 1099511628211ull;
	return (uint32_t)(h ^ (h >> 32));
}

static int
key_eq(const struct fl_record *a, const struct fl_record *b)
{
	return a->iface == b->iface && a->src == b->src && a->dst == b->dst &&
	       a->sport == b->sport && a->dport == b->dport && a->proto == b->proto &&
	       a->accept == b->accept && a->egress == b->egress;
}

static int
grow(struct fl_agg *a)
{
	uint32_t ns = a->n_slots ? a->n_slots * 2 : 256, *s = calloc(ns, sizeof(*s));
	struct fl_record *r;

	if (s == NULL)
		return -1;
	r = realloc(a->recs, (size_t)ns / 2 * sizeof(*r));
	if (r == NULL) {
		free(s);
		return -1;
	}
	a->recs = r;
	a->cap = ns / 2;
	for (uint32_t i = 0; i < a->n; i++) {
		uint32_t h = key_hash(&a->recs[i]) & (ns - 1);

		while (s[h] != 0)
			h = (h + 1) & (ns - 1);
		s[h] = i + 1;
	}
	free(a->slot);
	a->slot = s;
	a->n_slots = ns;
	return 0;
}

int
fl_agg_add(struct fl_agg *a, const struct fl_record *r)
{
	uint32_t h;

	if (a->n + 1 > a->n_slots / 2 && grow(a) < 0)
		return -1;
	for (h = key_hash(r) & (a->n_slots - 1); a->slot[h] != 0; h = (h + 1) & (a->n_slots - 1)) {
		struct fl_record *x = &a->recs[a->slot[h] - 1];

		if (!key_eq(x, r))
			continue;
		x->packets += r->packets;
		x->bytes += r->bytes;
		x->start = r->start < x->start ? r->start : x->start;
		x->end = r->end > x->end ? r->end : x->end;
		x->tcp_flags |= r->tcp_flags;
		return 0;
	}
	a->recs[a->n] = *r;
	a->slot[h] = ++a->n;
	return 0;
}

static int
cmp(const void *pa, const void *pb)
{
	const struct fl_record *a = pa, *b = pb;
	uint64_t ka[] = { a->start, a->iface, a->src, a->dst, a->sport, a->dport, a->proto,
			  a->accept, a->egress };
	uint64_t kb[] = { b->start, b->iface, b->src, b->dst, b->sport, b->dport, b->proto,
			  b->accept, b->egress };

	for (unsigned i = 0; i < sizeof(ka) / sizeof(ka[0]); i++)
		if (ka[i] != kb[i])
			return ka[i] < kb[i] ? -1 : 1;
	return 0;
}

void
fl_agg_sort(struct fl_agg *a)
{
	if (a->n > 1)
		qsort(a->recs, a->n, sizeof(*a->recs), cmp);
}

void
fl_agg_clear(struct fl_agg *a)
{
	a->n = 0;
	if (a->slot != NULL)
		memset(a->slot, 0, (size_t)a->n_slots * sizeof(*a->slot));
}

void
fl_agg_free(struct fl_agg *a)
{
	free(a->recs);
	free(a->slot);
	memset(a, 0, sizeof(*a));
}
