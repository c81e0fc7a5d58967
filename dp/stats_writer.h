/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one writer behind every counter output: --stats-json, the Prometheus
 * text exposition (--prometheus-file), DPDK telemetry (/vpcgw/...) and the
 * exit summary. A section writes objects and values through an emitter
 * (opaque: the format is the writer's business) and never knows which
 * format it feeds.
 *
 * Control and telemetry threads only.
 */
#ifndef VPCGW_STATS_WRITER_H
#define VPCGW_STATS_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config/cfg.h"
#include "dp/dp.h"
#include "dp/lcu.h"

struct emitter;
struct rte_tel_data;

/* An object named key (NULL: no name) holding what follows up to em_close. */
void em_open(struct emitter *e, const char *key);
void em_close(struct emitter *e);
void em_u64(struct emitter *e, const char *key, uint64_t v);
void em_dbl(struct emitter *e, const char *key, double v);
/* A string: JSON and telemetry only (not a Prometheus metric). */
void em_str(struct emitter *e, const char *key, const char *v);
/* The object "lcu" of one LCU meter (dp/lcu.h): rates and hours. */
void em_lcu(struct emitter *e, const struct lcu_meter *m);

/* ---- the core's side (dp/dp_stats.c) */

enum em_kind { EM_JSON, EM_TEL, EM_PROM };

/* A new emitter (NULL: no memory); EM_TEL writes into the dict d. */
struct emitter *em_new(enum em_kind kind, struct rte_tel_data *d);
/* Text as is (JSON braces, a Prometheus comment). */
void em_raw(struct emitter *e, const char *text);
/* Frees e (NULL: nothing); returns its text (JSON, Prometheus; the caller
 * frees it) and its length. */
char *em_finish(struct emitter *e, size_t *len);

#endif /* VPCGW_STATS_WRITER_H */
