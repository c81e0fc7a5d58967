/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A small immutable open-addressing map from a 64-bit key to a 32-bit value.
 * Built once by the control thread (dp_map_build), read by workers without
 * synchronisation because it never changes after publication. Used for the
 * few-thousand-entry lookups of the data plane: local addresses, elastic IPs,
 * NLB listeners, appliances. Pure C: no EAL needed.
 */
#ifndef VPCGW_DP_MAP_H
#define VPCGW_DP_MAP_H

#include <stdint.h>
#include <stdlib.h>

#define DP_MAP_EMPTY UINT64_MAX

struct dp_map {
	uint32_t mask;          /* slots - 1, slots a power of two */
	uint32_t n;
	uint64_t *keys;         /* DP_MAP_EMPTY marks a free slot */
	uint32_t *vals;
};

static inline uint32_t
dp_map_hash(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return (uint32_t)k;
}

/* Capacity for up to n entries at <= 50% load. Returns 0 or -ENOMEM. */
static inline int
dp_map_init(struct dp_map *m, uint32_t n)
{
	uint32_t slots = 16;

	while (slots < 2 * n)
		slots <<= 1;
	m->mask = slots - 1;
	m->n = 0;
	m->keys = malloc(sizeof(*m->keys) * slots);
	m->vals = calloc(slots, sizeof(*m->vals));
	if (m->keys == NULL || m->vals == NULL) {
		free(m->keys);
		free(m->vals);
		m->keys = NULL;
		m->vals = NULL;
		return -12;
	}
	for (uint32_t i = 0; i < slots; i++)
		m->keys[i] = DP_MAP_EMPTY;
	return 0;
}

/* Insert or replace. The map must have been sized for it. */
static inline void
dp_map_set(struct dp_map *m, uint64_t key, uint32_t val)
{
	uint32_t i = dp_map_hash(key) & m->mask;

	while (m->keys[i] != DP_MAP_EMPTY && m->keys[i] != key)
		i = (i + 1) & m->mask;
	if (m->keys[i] == DP_MAP_EMPTY)
		m->n++;
	m->keys[i] = key;
	m->vals[i] = val;
}

/* Returns 1 and sets *val when found, else 0. */
static inline int
dp_map_get(const struct dp_map *m, uint64_t key, uint32_t *val)
{
	uint32_t i;

	if (m->keys == NULL)
		return 0;
	i = dp_map_hash(key) & m->mask;
	for (;;) {
		uint64_t k = m->keys[i];

		if (k == key) {
			*val = m->vals[i];
			return 1;
		}
		if (k == DP_MAP_EMPTY)
			return 0;
		i = (i + 1) & m->mask;
	}
}

static inline void
dp_map_free(struct dp_map *m)
{
	free(m->keys);
	free(m->vals);
	m->keys = NULL;
	m->vals = NULL;
}

#endif /* VPCGW_DP_MAP_H */
