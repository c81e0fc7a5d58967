/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The registry of configuration sections and the walk over them
 * (config/cfg_section.h): the root group's keys checked against every
 * registered section's, then pass 1 (names) and pass 2 (values) in their
 * positions' order.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "config/cfg.h"
#include "config/cfg_ld.h"
#include "config/cfg_section.h"

/* The tables, in registration order (constructors: the order of linking). */
#define MAX_TABLES 16
static const struct cfg_section *section_tables[MAX_TABLES];
static size_t n_tables;
static bool tables_checked;

void
cfg_sections_register(const struct cfg_section *table)
{
	if (n_tables == MAX_TABLES) {
		fprintf(stderr, "config: more than %d tables of sections (config/cfg_section.c)\n",
			MAX_TABLES);
		abort();
	}
	section_tables[n_tables++] = table;
}

static int
sections_count(void)
{
	const struct cfg_section *s;
	size_t t;
	int n = 0;

	for (t = 0; t < n_tables; t++)
		for (s = section_tables[t]; s->key != NULL; s++)
			n++;
	return n;
}

static int
section_pos(const struct cfg_section *s, bool names)
{
	return names ? s->names_order : s->order;
}

/* Sort V by pass-1 (names) or pass-2 position; insertion sort, V is short. */
static void
sections_sort(const struct cfg_section **v, int n, bool names)
{
	const struct cfg_section *s;
	int i, j;

	for (i = 1; i < n; i++) {
		s = v[i];
		for (j = i; j > 0 && section_pos(v[j - 1], names) > section_pos(s, names); j--)
			v[j] = v[j - 1];
		v[j] = s;
	}
}

/*
 * Once: no two sections share a key or a position in a pass, so that the
 * order of messages never depends on the order in which tables registered.
 * V is sorted by NAMES; a breach is a bug in a table, not in the file.
 */
static void
sections_check(const struct cfg_section **v, int n, bool names)
{
	const char *what;
	int i, j;

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (strcmp(v[i]->key, v[j]->key) == 0) {
				what = "key";
				goto bug;
			}
	for (i = 0, j = 1; j < n; i++, j++)
		if (section_pos(v[i], names) == section_pos(v[j], names) &&
		    (!names || (v[i]->names != NULL && v[j]->names != NULL))) {
			what = names ? "names_order" : "order";
			goto bug;
		}
	return;
bug:
	fprintf(stderr, "config: sections %s and %s have the same %s (config/cfg_section.h)\n",
		v[i]->key, v[j]->key, what);
	abort();
}

static void
load_sections(struct ld *ld, const struct cfg_section **v, int n)
{
	struct cfg *c = ld->cfg;
	int i;

	/* Pass 1: names, so that any section may refer to any other. */
	sections_sort(v, n, true);
	if (!tables_checked)
		sections_check(v, n, true);
	for (i = 0; i < n; i++)
		if (v[i]->names != NULL)
			v[i]->names(ld);
	ld->port_ok = ld_calloc(ld, (size_t)c->n_ports + 1, sizeof(bool));
	ld->subnet_ok = ld_calloc(ld, (size_t)c->n_subnets + 1, sizeof(bool));
	if (ld->nomem)
		return;
	/* Pass 2, in dependency order: what a check looks at is parsed before it. */
	sections_sort(v, n, false);
	if (!tables_checked)
		sections_check(v, n, false);
	tables_checked = true;
	for (i = 0; i < n; i++)
		v[i]->load(ld);
}

void
ld_load_sections(struct ld *ld, config_t *lc)
{
	const struct cfg_section **v, *s;
	const char **keys;
	size_t t;
	int n = sections_count(), i = 0;

	ld->root = config_root_setting(lc);
	v = ld_calloc(ld, (size_t)n, sizeof(*v));
	keys = ld_calloc(ld, (size_t)n + 1, sizeof(*keys));
	if (v != NULL && keys != NULL) {
		for (t = 0; t < n_tables; t++)
			for (s = section_tables[t]; s->key != NULL; s++, i++) {
				v[i] = s;
				keys[i] = s->key;
			}
		ld_group(ld, ld->root, "", keys);
		load_sections(ld, v, n);
	}
	free(v);
	free(keys);
}
