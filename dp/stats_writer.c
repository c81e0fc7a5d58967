/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The emitter (dp/stats_writer.h): one walk of the counters, three formats.
 *   JSON        nested objects, keys in the order written
 *   telemetry   one flat dict, keys "section/object/counter"
 *   Prometheus  "vpcgw_<path>_<counter>{labels} value"; the named objects of
 *               a collection (prom_collection_label) become labels
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_telemetry.h>

#include "dp/stats_writer.h"

#define EM_DEPTH 8

struct emitter {
	enum em_kind kind;
	/* JSON */
	char *buf;
	size_t len, cap;
	bool first[EM_DEPTH];
	int depth;
	/* telemetry */
	struct rte_tel_data *tel[EM_DEPTH];
	/* prometheus and telemetry: name prefix of the current object */
	char path[EM_DEPTH][96];
	/* prometheus: objects become labels, e.g. {nat_gateway="nat-a"} */
	char labels[EM_DEPTH][256];
	const char *collection[EM_DEPTH];   /* label name of the children, or NULL */
};

const struct dp_stats_section *dp_stats_sections[DP_STATS_MAX_SECTIONS];
unsigned dp_stats_n_sections;

int
dp_stats_register(const struct dp_stats_section *sec)
{
	if (dp_stats_n_sections == DP_STATS_MAX_SECTIONS)
		return -ENOSPC;
	dp_stats_sections[dp_stats_n_sections++] = sec;
	return 0;
}

/* Collections whose children are named objects, and the label they get: the
 * core's, then those of the registered sections. */
static const char *
prom_collection_label(const char *key)
{
	static const struct dp_stats_label core[] = {
		{ "ports", "port" }, { "by_service", "service" }, { NULL, NULL },
	};
	const struct dp_stats_label *l;

	for (l = core; l->collection != NULL; l++)
		if (strcmp(l->collection, key) == 0)
			return l->label;
	for (unsigned i = 0; i < dp_stats_n_sections; i++)
		for (l = dp_stats_sections[i]->labels; l != NULL && l->collection != NULL; l++)
			if (strcmp(l->collection, key) == 0)
				return l->label;
	return NULL;
}

static void
em_printf(struct emitter *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
em_printf(struct emitter *e, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(e->buf + e->len, e->cap - e->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < e->cap - e->len) {
			e->len += (size_t)n;
			return;
		}
		e->cap = (e->cap + (size_t)n) * 2;
		e->buf = realloc(e->buf, e->cap);
		if (e->buf == NULL)
			abort();
	}
}

static void
em_key(struct emitter *e, const char *key)
{
	if (!e->first[e->depth])
		em_printf(e, ",");
	e->first[e->depth] = false;
	em_printf(e, "\"%s\":", key);
}

static void
em_path(struct emitter *e, const char *sep, const char *key)
{
	char tmp[sizeof(e->path[0])];

	snprintf(tmp, sizeof(tmp), "%s%s%s", e->path[e->depth], e->path[e->depth][0] ? sep : "",
		 key ? key : "");
	memcpy(e->path[e->depth + 1], tmp, sizeof(tmp));
}

void
em_open(struct emitter *e, const char *key)
{
	if (e->kind == EM_JSON) {
		if (key != NULL)
			em_key(e, key);
		em_printf(e, "{");
	} else if (e->kind == EM_TEL) {
		/* DPDK telemetry dicts are flat here (see tel_key) */
		em_path(e, "/", key);
	} else if (e->collection[e->depth] != NULL) {
		/* a named object: a label, not part of the metric name */
		char tmp[sizeof(e->labels[0])];

		snprintf(tmp, sizeof(tmp), "%s%s%s=\"%s\"", e->labels[e->depth],
			 e->labels[e->depth][0] ? "," : "", e->collection[e->depth], key ? key : "");
		memcpy(e->labels[e->depth + 1], tmp, sizeof(tmp));
		memcpy(e->path[e->depth + 1], e->path[e->depth], sizeof(e->path[0]));
		e->collection[e->depth + 1] = NULL;
		e->depth++;
		e->first[e->depth] = true;
		return;
	} else {
		em_path(e, "_", key);
		memcpy(e->labels[e->depth + 1], e->labels[e->depth], sizeof(e->labels[0]));
		e->collection[e->depth + 1] = key ? prom_collection_label(key) : NULL;
	}
	e->depth++;
	e->first[e->depth] = true;
}

void
em_close(struct emitter *e)
{
	if (e->kind == EM_JSON)
		em_printf(e, "}");
	e->depth--;
}

static void
prom_name(char *out, size_t len, const char *a, const char *b)
{
	size_t w = 0;

	for (const char *s = a; *s && w + 1 < len; s++)
		out[w++] = (char)((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
				  (*s >= '0' && *s <= '9') ? *s : '_');
	if (w + 1 < len && w)
		out[w++] = '_';
	for (const char *s = b; *s && w + 1 < len; s++)
		out[w++] = (char)((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
				  (*s >= '0' && *s <= '9') ? *s : '_');
	out[w] = '\0';
}

/* DPDK telemetry names allow only [A-Za-z0-9_/]: "section/object/counter",
 * other characters (dots of addresses, colons) become '_'. */
static void
tel_key(const struct emitter *e, const char *key, char *out, size_t len)
{
	size_t n = len > RTE_TEL_MAX_STRING_LEN ? RTE_TEL_MAX_STRING_LEN : len;

	snprintf(out, n, "%s%s%s", e->path[e->depth], e->path[e->depth][0] ? "/" : "", key);
	for (char *c = out; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '/'))
			*c = '_';
}

void
em_u64(struct emitter *e, const char *key, uint64_t v)
{
	char n[256];

	switch (e->kind) {
	case EM_JSON:
		em_key(e, key);
		em_printf(e, "%" PRIu64, v);
		break;
	case EM_TEL:
		tel_key(e, key, n, sizeof(n));
		rte_tel_data_add_dict_u64(e->tel[0], n, v);
		break;
	case EM_PROM:
		if (strcmp(e->path[e->depth], "drops") == 0) {
			/* one metric, the reason a label */
			em_printf(e, "vpcgw_drops_total{reason=\"%s\"} %" PRIu64 "\n", key, v);
			break;
		}
		prom_name(n, sizeof(n), e->path[e->depth], key);
		em_printf(e, "vpcgw_%s{%s} %" PRIu64 "\n", n, e->labels[e->depth], v);
		break;
	}
}

void
em_dbl(struct emitter *e, const char *key, double v)
{
	char n[256];

	switch (e->kind) {
	case EM_JSON:
		em_key(e, key);
		em_printf(e, "%.6f", v);
		break;
	case EM_TEL: {
		char s[64];

		snprintf(s, sizeof(s), "%.6f", v);
		tel_key(e, key, n, sizeof(n));
		rte_tel_data_add_dict_string(e->tel[0], n, s);
		break;
	}
	case EM_PROM:
		prom_name(n, sizeof(n), e->path[e->depth], key);
		em_printf(e, "vpcgw_%s{%s} %.6f\n", n, e->labels[e->depth], v);
		break;
	}
}

void
em_str(struct emitter *e, const char *key, const char *v)
{
	char n[256];

	switch (e->kind) {
	case EM_JSON:
		em_key(e, key);
		em_printf(e, "\"%s\"", v);
		break;
	case EM_TEL:
		tel_key(e, key, n, sizeof(n));
		rte_tel_data_add_dict_string(e->tel[0], n, v);
		break;
	case EM_PROM:
		break;          /* strings are not metrics */
	}
}

void
em_lcu(struct emitter *e, const struct lcu_meter *m)
{
	struct lcu_rate r;
	struct lcu_hour h[4];
	unsigned nh;

	lcu_meter_current(m, &r);
	em_open(e, "lcu");
	em_dbl(e, "new_flows_per_s", r.new_flows_per_s);
	em_u64(e, "active_flows", r.active_flows);
	em_dbl(e, "bytes_per_hour", r.bytes_per_hour);
	em_dbl(e, "lcu_new_flows", r.lcu_new_flows);
	em_dbl(e, "lcu_active_flows", r.lcu_active_flows);
	em_dbl(e, "lcu_processed_bytes", r.lcu_bytes);
	em_dbl(e, "ConsumedLCUs", r.lcus);
	lcu_meter_partial_hour(m, &h[0]);
	em_open(e, "current_hour");
	em_u64(e, "hour", h[0].hour_index);
	em_dbl(e, "peak_new_flows_per_s", h[0].peak_new_flows_per_s);
	em_u64(e, "peak_active_flows", h[0].peak_active_flows);
	em_u64(e, "bytes", h[0].bytes);
	em_dbl(e, "ConsumedLCUs", h[0].lcus);
	em_close(e);
	nh = lcu_meter_hours(m, h, 1);
	if (nh) {
		em_open(e, "last_hour");
		em_u64(e, "hour", h[0].hour_index);
		em_dbl(e, "peak_new_flows_per_s", h[0].peak_new_flows_per_s);
		em_u64(e, "peak_active_flows", h[0].peak_active_flows);
		em_u64(e, "bytes", h[0].bytes);
		em_dbl(e, "ConsumedLCUs", h[0].lcus);
		em_close(e);
	}
	em_close(e);
}

/* ------------------------------------------------------------ life cycle */

struct emitter *
em_new(enum em_kind kind, struct rte_tel_data *d)
{
	struct emitter *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return NULL;
	e->kind = kind;
	e->tel[0] = d;
	e->first[0] = true;
	return e;
}

void
em_raw(struct emitter *e, const char *text)
{
	em_printf(e, "%s", text);
}

char *
em_finish(struct emitter *e, size_t *len)
{
	char *text;

	if (e == NULL)
		return NULL;
	text = e->buf;
	if (len != NULL)
		*len = e->len;
	free(e);
	return text;
}
