/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Name lookups of the loader through a hash index per array of named objects
 * (issue #22): a VPC at AWS's quotas refers to 2,500 security groups 5,000
 * times, and a scan per reference was a third of its load time. Control
 * thread only; the indexes live in struct ld for one load.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg_ld.h"

static uint32_t
name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s != '\0')
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

static int
idx_put(struct ld_name_idx *x, int i)
{
	const char *name = x->arr + (size_t)i * x->stride;
	uint32_t h;

	if (name[0] == '\0')
		return 0;
	for (h = name_hash(name) & (x->cap - 1); x->slot[h] != 0; h = (h + 1) & (x->cap - 1))
		if (strcmp(x->arr + (size_t)(x->slot[h] - 1) * x->stride, name) == 0)
			return 0;       /* the first of equal names stays */
	x->slot[h] = i + 1;
	return 0;
}

static int
idx_grow(struct ld_name_idx *x, int n)
{
	uint32_t cap = 64;

	while (cap < 2u * (uint32_t)n)
		cap *= 2;
	if (cap <= x->cap)
		return 0;
	free(x->slot);
	x->slot = calloc(cap, sizeof(*x->slot));
	if (x->slot == NULL) {
		x->arr = NULL;
		x->cap = 0;
		return -1;
	}
	x->cap = cap;
	for (int i = 0; i < x->n; i++)
		idx_put(x, i);
	return 0;
}

int
ld_find_name_idx(struct ld *ld, const void *arr, int n, size_t stride, const char *name)
{
	struct ld_name_idx *x = NULL;
	uint32_t h;

	if (name[0] == '\0' || n <= 0)
		return -1;
	for (int i = 0; i < LD_NAME_IDX && x == NULL; i++)
		if (ld->names[i].arr == arr && ld->names[i].stride == stride)
			x = &ld->names[i];
	if (x == NULL) {
		x = &ld->names[ld->names_next++ % LD_NAME_IDX];
		free(x->slot);
		*x = (struct ld_name_idx){ .arr = arr, .stride = stride };
	}
	if (n > x->n) {
		if (idx_grow(x, n) < 0)
			return ld_find_name(arr, n, stride, name);
		for (; x->n < n; x->n++)
			idx_put(x, x->n);
	}
	for (h = name_hash(name) & (x->cap - 1); x->slot[h] != 0; h = (h + 1) & (x->cap - 1)) {
		int j = x->slot[h] - 1;

		if (strcmp(x->arr + (size_t)j * stride, name) == 0)
			return j < n ? j : -1;
	}
	return -1;
}

void
ld_names_free(struct ld *ld)
{
	for (int i = 0; i < LD_NAME_IDX; i++) {
		free(ld->names[i].slot);
		ld->names[i] = (struct ld_name_idx){ 0 };
	}
}
