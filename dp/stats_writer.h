/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one writer behind every counter output: --stats-json, the Prometheus
 * text exposition (--prometheus-file), DPDK telemetry (/vpcgw/...) and the
 * exit summary. A section writes objects and values through an emitter
 * (opaque: the format is the writer's business) and never knows which
 * format it feeds.
 *
 * Each service writes its own counters: it fills a struct dp_stats_section
 * and dp/pipeline.c registers it (dp_stats_register) before telemetry
 * starts. The core's sections (totals, ports, drops, flows) come first, then
 * the registered ones in their order of registration; that order is part of
 * the output (tests compare keys in order). Control and telemetry threads
 * only; sections are registered once, before either reads them.
 */
#ifndef VPCGW_STATS_WRITER_H
#define VPCGW_STATS_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_telemetry.h>

#include "config/cfg.h"
#include "dp/dp.h"
#include "dp/lcu.h"

struct emitter;
struct rte_tel_data;

/* An object named key (NULL: no name) holding what follows up to em_close. */
void em_open(struct emitter *e, const char *key);
void em_close(struct emitter *e);
/* A counter: only grows (Prometheus "counter", "_total" appended). */
void em_u64(struct emitter *e, const char *key, uint64_t v);
/* A level that goes up and down (active flows, healthy hosts; "gauge"). */
void em_gauge(struct emitter *e, const char *key, uint64_t v);
/* A rate or a fraction (a gauge). */
void em_dbl(struct emitter *e, const char *key, double v);
/* A string: JSON and telemetry only (not a Prometheus metric). */
void em_str(struct emitter *e, const char *key, const char *v);
/* The object "lcu" of one LCU meter (dp/lcu.h): rates and hours. */
void em_lcu(struct emitter *e, const struct lcu_meter *m);

/* Sums of all lcores' counters, and the configuration they count. */
typedef void (*dp_stats_emit_fn)(struct emitter *e, const struct dp_lcore_stats *s,
				 const struct cfg *cfg);
typedef void (*dp_stats_print_fn)(FILE *f, const struct dp_lcore_stats *s,
				  const struct cfg *cfg);

/* Prometheus: the children of the collection (an object key, e.g. "nat")
 * are named objects and become a label (e.g. nat_gateway="nat-a"). */
struct dp_stats_label {
	const char *collection;
	const char *label;
};

struct dp_stats_section {
	const char *name;
	/* its part of --stats-json and --prometheus-file */
	dp_stats_emit_fn emit;
	/* emit is also part of /vpcgw/stats */
	bool in_stats;
	/* its own telemetry command answering emit, or NULL */
	const char *tel_cmd;
	const char *tel_help;
	/* its part of /vpcgw/lcu, or NULL */
	dp_stats_emit_fn lcu;
	/* its lines of the exit summary, or NULL */
	dp_stats_print_fn print;
	/* its collections of named objects, ended by { NULL }; or NULL */
	const struct dp_stats_label *labels;
};

/* Before dp_telemetry_init (dp/pipeline.c). -ENOSPC: too many sections. */
int dp_stats_register(const struct dp_stats_section *sec);

/* ---- the core's side (dp/dp_stats.c) */

#define DP_STATS_MAX_SECTIONS 16

extern const struct dp_stats_section *dp_stats_sections[DP_STATS_MAX_SECTIONS];
extern unsigned dp_stats_n_sections;

enum em_kind { EM_JSON, EM_TEL, EM_PROM };

/* Prometheus: a label node="NAME" on every sample ("" or NULL: none). Main
 * thread, before the first emitter (dp/dp_node.c, from node.name). */
void em_prom_node(const char *name);

/* A new emitter (NULL: no memory). */
struct emitter *em_new(enum em_kind kind);
/* What one telemetry reply holds at most: DPDK 22.11 keeps 256 entries of a
 * dict and sends 16 kB (MAX_OUTPUT_LEN); 3 entries are the page's own. */
#define EM_TEL_PAGE_ENTRIES (RTE_TEL_MAX_DICT_ENTRIES - 3)
#define EM_TEL_PAGE_BYTES (16384 - 512)
/* EM_TEL: page `page` of the entries written so far whose key starts with
 * "only/" (NULL: all) into d, with "page", "pages" and "entries" (of all
 * pages); *n_pages. A page past the last holds only those three.
 * -ENOENT: no entry starts with "only/". */
int em_tel_page(struct emitter *e, struct rte_tel_data *d, const char *only, unsigned page,
		unsigned *n_pages);
/* Text as is (JSON braces, a Prometheus comment). */
void em_raw(struct emitter *e, const char *text);
/* Frees e (NULL: nothing); returns its text (JSON, Prometheus; the caller
 * frees it) and its length. */
char *em_finish(struct emitter *e, size_t *len);

#endif /* VPCGW_STATS_WRITER_H */
