/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Maglev table construction and the NLB flow hash. See maglev.h.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "lb/maglev.h"

#define MAGLEV_EMPTY UINT32_MAX

/* Distinct seeds so that h1 and h2 of one key are unrelated. */
#define MAGLEV_SEED_OFFSET 0x6a09e667f3bcc908ull
#define MAGLEV_SEED_SKIP   0xbb67ae8584caa73bull
#define FLOW_SEED          0x3c6ef372fe94f82bull

/* One target's walk through its permutation, in the builder's temporary array. */
struct maglev_walk {
	uint64_t key;
	uint64_t credit;   /* accumulated weight not yet spent on slots */
	uint32_t target;   /* index into the caller's arrays */
	uint32_t pos;      /* next slot to try: offset + k * skip (mod size) */
	uint32_t skip;
	uint32_t weight;
};

/*
 * 64-bit finalizer with full avalanche (the splitmix64 output function): every input bit flips
 * each output bit with probability close to 1/2, so keys that differ in one bit (neighbouring
 * addresses or ports) get unrelated offsets and skips.
 */
static inline uint64_t
mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

static bool
is_prime(uint64_t v)
{
	uint64_t d;

	if (v < 2)
		return false;
	if (v % 2 == 0)
		return v == 2;
	for (d = 3; d * d <= v; d += 2)
		if (v % d == 0)
			return false;
	return true;
}

uint32_t
lb_maglev_size(uint32_t n_targets)
{
	uint64_t v = (uint64_t)n_targets * 100;

	if (v < LB_MAGLEV_MIN_SIZE)
		v = LB_MAGLEV_MIN_SIZE;
	while (!is_prime(v))
		v++;
	return v > UINT32_MAX ? 0 : (uint32_t)v;
}

static int
walk_cmp(const void *a, const void *b)
{
	const struct maglev_walk *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->target < y->target ? -1 : x->target > y->target;
}

/* Place one slot for w: the first empty slot along its permutation. */
static inline void
walk_place(struct maglev_walk *w, uint32_t *table, uint32_t size)
{
	/* Terminates: skip is in 1..size-1 and size is prime, so the walk visits every slot. */
	while (table[w->pos] != MAGLEV_EMPTY) {
		w->pos += w->skip;
		if (w->pos >= size || w->pos < w->skip)  /* second test: 32-bit wrap */
			w->pos -= size;
	}
	table[w->pos] = w->target;
}

int
lb_maglev_build(uint32_t *table, uint32_t size, const uint64_t *keys, const uint32_t *weights,
		const bool *usable, uint32_t n)
{
	struct maglev_walk *walks;
	uint32_t i, m = 0, filled = 0, wmax = 0;

	if (table == NULL || keys == NULL || usable == NULL || n == 0 || size < n ||
	    !is_prime(size))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (weights != NULL && weights[i] == 0)
			return -EINVAL;
		m += usable[i];
	}
	if (m == 0)
		return -ENOENT;

	walks = malloc(sizeof(*walks) * m);
	if (walks == NULL)
		return -ENOMEM;
	m = 0;
	for (i = 0; i < n; i++) {
		struct maglev_walk *w;

		if (!usable[i])
			continue;
		w = &walks[m++];
		w->key = keys[i];
		w->target = i;
		w->credit = 0;
		w->weight = weights != NULL ? weights[i] : 1;
		w->pos = mix64(keys[i] ^ MAGLEV_SEED_OFFSET) % size;
		/* size 2 is prime: skip is then 1, still a full walk. */
		w->skip = mix64(keys[i] ^ MAGLEV_SEED_SKIP) % (size - 1) + 1;
		if (w->weight > wmax)
			wmax = w->weight;
	}
	/* Turn order by key: the table must not depend on where a target sits in the arrays. */
	qsort(walks, m, sizeof(*walks), walk_cmp);

	for (i = 0; i < size; i++)
		table[i] = MAGLEV_EMPTY;
	for (;;) {
		for (i = 0; i < m; i++) {
			struct maglev_walk *w = &walks[i];

			w->credit += w->weight;
			while (w->credit >= wmax) {
				w->credit -= wmax;
				walk_place(w, table, size);
				if (++filled == size)
					goto out;
			}
		}
	}
out:
	free(walks);
	return 0;
}

uint32_t
lb_flow_hash(uint8_t proto, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
	     uint32_t seq)
{
	uint64_t h;

	/* Chain the mixer over the three words so each field avalanches into the result. */
	h = mix64(FLOW_SEED ^ proto);
	h = mix64(h ^ (((uint64_t)src << 32) | dst));
	h = mix64(h ^ (((uint64_t)sport << 48) | ((uint64_t)dport << 32) | seq));
	return (uint32_t)(h ^ (h >> 32));
}
