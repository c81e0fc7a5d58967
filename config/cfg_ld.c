/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration loader toolkit (config/cfg_ld.h): messages in file order,
 * typed access to libconfig settings with paths, name lookups and references,
 * and the groups several sections share (address registries and checks:
 * config/cfg_addr.c). Used
 * by config/cfg_load.c and by each service's configuration part.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libconfig.h>

#include "config/cfg.h"
#include "config/cfg_ld.h"

/* Lookups by name read the name at offset 0 of every named structure. */
_Static_assert(offsetof(struct cfg_port, name) == 0, "name first");
_Static_assert(offsetof(struct cfg_subnet, name) == 0, "name first");
_Static_assert(offsetof(struct cfg_route_table, name) == 0, "name first");
_Static_assert(offsetof(struct cfg_nacl, name) == 0, "name first");
_Static_assert(offsetof(struct cfg_sg, name) == 0, "name first");
_Static_assert(offsetof(struct cfg_nat_gateway, name) == 0, "name first");
_Static_assert(offsetof(struct cfg_nlb, name) == 0, "name first");
_Static_assert(offsetof(struct cfg_target_group, name) == 0, "name first");
_Static_assert(offsetof(struct cfg_gwlb, name) == 0, "name first");
_Static_assert(offsetof(struct cfg_gwlb_endpoint, name) == 0, "name first");

static const char *const ref_what[] = {
	[REF_PORT] = "port",
	[REF_SUBNET] = "subnet",
	[REF_RT] = "route table",
	[REF_NACL] = "network ACL",
	[REF_SG] = "security group",
	[REF_NAT] = "NAT gateway",
	[REF_TG] = "target group",
	[REF_EIGW] = "egress-only internet gateway",
};

/* ---- messages and memory ---------------------------------------------- */

/*
 * Messages are kept until the end and given in file order, whatever the
 * order the sections were checked in, so that `--check` reads top down.
 */
void
ld_emit(struct ld *ld, const char *file, int line, const char *msg)
{
	struct ld_msg *m;
	int i;

	ld->n_err++;
	if (ld->n_msgs == ld->cap_msgs) {
		int cap = ld->cap_msgs == 0 ? 16 : ld->cap_msgs * 2;

		m = realloc(ld->msgs, (size_t)cap * sizeof(*m));
		if (m == NULL)
			goto direct;
		ld->msgs = m;
		ld->cap_msgs = cap;
	}
	m = &ld->msgs[ld->n_msgs];
	m->text = strdup(msg);
	if (m->text == NULL)
		goto direct;
	/* Files in order of first appearance (several with @include). */
	for (i = 0; i < ld->n_files; i++)
		if (strcmp(ld->files[i], file) == 0)
			break;
	if (i == ld->n_files && ld->n_files < LD_MAX_FILES)
		ld->files[ld->n_files++] = file;
	m->file = i;
	m->line = line;
	m->seq = ld->n_msgs++;
	return;
direct:
	if (ld->err != NULL)
		ld->err(ld->arg, msg);
	else
		fprintf(stderr, "%s\n", msg);
}

static int
msg_cmp(const void *a, const void *b)
{
	const struct ld_msg *x = a, *y = b;

	if (x->file != y->file)
		return x->file - y->file;
	if (x->line != y->line)
		return x->line - y->line;
	return x->seq - y->seq;
}

void
ld_flush(struct ld *ld)
{
	int i;

	if (ld->n_msgs > 1)
		qsort(ld->msgs, (size_t)ld->n_msgs, sizeof(*ld->msgs), msg_cmp);
	for (i = 0; i < ld->n_msgs; i++) {
		if (ld->err != NULL)
			ld->err(ld->arg, ld->msgs[i].text);
		else
			fprintf(stderr, "%s\n", ld->msgs[i].text);
		free(ld->msgs[i].text);
	}
	free(ld->msgs);
	ld->msgs = NULL;
	ld->n_msgs = 0;
}

void
ld_error(struct ld *ld, const config_setting_t *s, const char *path, const char *fmt, ...)
{
	char problem[MSG_LEN / 2];
	char msg[MSG_LEN];
	const char *file = NULL;
	int line = 0;
	va_list ap;

	if (s != NULL) {
		file = config_setting_source_file(s);
		line = config_setting_source_line(s);
	}
	if (file == NULL)
		file = ld->name;
	/* The root group has no line of its own; its keys start the file. */
	if (line == 0)
		line = 1;
	va_start(ap, fmt);
	vsnprintf(problem, sizeof(problem), fmt, ap);
	va_end(ap);
	snprintf(msg, sizeof(msg), "%s:%d: %s: %s", file, line, path, problem);
	ld_emit(ld, file, line, msg);
}

/* Reported once: every later allocation failure is a consequence. */
void
ld_nomem(struct ld *ld)
{
	char msg[MSG_LEN];

	if (ld->nomem)
		return;
	ld->nomem = true;
	snprintf(msg, sizeof(msg), "%s: out of memory", ld->name);
	ld_emit(ld, ld->name, 0, msg);
}

void *
ld_calloc(struct ld *ld, size_t n, size_t size)
{
	void *p;

	if (n == 0)
		return NULL;
	p = calloc(n, size);
	if (p == NULL)
		ld_nomem(ld);
	return p;
}

void
ld_path_key(char *buf, const char *parent, const char *key)
{
	/* as snprintf(buf, PATH_LEN, "%.*s.%s", PATH_LEN / 2, parent, key), without
	 * printf: one path a setting, millions of settings at AWS's quotas */
	size_t lp = strnlen(parent, PATH_LEN / 2), lk = strlen(key);

	if (lp != 0)
		buf[lp++] = '.';
	memmove(buf, parent, lp != 0 ? lp - 1 : 0);
	if (lk > PATH_LEN - 1 - lp)
		lk = PATH_LEN - 1 - lp;
	memcpy(buf + lp, key, lk);
	buf[lp + lk] = '\0';
}

void
ld_path_idx(char *buf, const char *parent, int i)
{
	size_t lp = strnlen(parent, PATH_LEN - 16);
	char d[16], *q = d + sizeof(d);
	unsigned u = i < 0 ? 0u - (unsigned)i : (unsigned)i;

	/* as snprintf(buf, PATH_LEN, "%.*s[%d]", PATH_LEN - 16, parent, i) */
	*--q = ']';
	do
		*--q = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (i < 0)
		*--q = '-';
	*--q = '[';
	memmove(buf, parent, lp);
	memcpy(buf + lp, q, (size_t)(d + sizeof(d) - q));
	buf[lp + (size_t)(d + sizeof(d) - q)] = '\0';
}

/* ---- types, keys, values ---------------------------------------------- */

static const char *
type_name(int type)
{
	switch (type) {
	case CONFIG_TYPE_GROUP:
		return "a group";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "an integer";
	case CONFIG_TYPE_FLOAT:
		return "a float";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "a boolean";
	case CONFIG_TYPE_ARRAY:
		return "an array";
	case CONFIG_TYPE_LIST:
		return "a list";
	}
	return "nothing";
}

bool
ld_type(struct ld *ld, const config_setting_t *s, const char *path, enum ld_type want)
{
	static const char *const want_name[] = {
		[T_STR] = "a string",
		[T_INT] = "an integer",
		[T_BOOL] = "a boolean",
		[T_GROUP] = "a group",
		[T_LIST] = "a list",
		[T_SEQ] = "a list or an array",
	};
	int t = config_setting_type(s);
	bool ok = false;

	switch (want) {
	case T_STR:
		ok = t == CONFIG_TYPE_STRING;
		break;
	case T_INT:
		ok = t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64;
		break;
	case T_BOOL:
		ok = t == CONFIG_TYPE_BOOL;
		break;
	case T_GROUP:
		ok = t == CONFIG_TYPE_GROUP;
		break;
	case T_LIST:
		/* "[]" is an empty array to libconfig: accept it as an empty list. */
		ok = t == CONFIG_TYPE_LIST ||
			(t == CONFIG_TYPE_ARRAY && config_setting_length(s) == 0);
		break;
	case T_SEQ:
		ok = t == CONFIG_TYPE_LIST || t == CONFIG_TYPE_ARRAY;
		break;
	}
	if (!ok)
		ld_error(ld, s, path, "expected %s, got %s", want_name[want], type_name(t));
	return ok;
}

/* Check that S is a group whose keys are all in KEYS (NULL-terminated). */
bool
ld_group(struct ld *ld, const config_setting_t *s, const char *path, const char *const *keys)
{
	char p[PATH_LEN];
	int i, k, n;

	if (!ld_type(ld, s, path, T_GROUP))
		return false;
	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		const config_setting_t *c = config_setting_get_elem(s, i);
		const char *name = config_setting_name(c);

		for (k = 0; keys[k] != NULL; k++)
			if (strcmp(keys[k], name) == 0)
				break;
		if (keys[k] == NULL) {
			ld_path_key(p, path, name);
			ld_error(ld, c, p, "unknown key");
		}
	}
	return true;
}

/* Look KEY up in group G; a required key that is absent is an error. */
bool
ld_fld_get(struct ld *ld, const config_setting_t *g, const char *path, const char *key, bool req,
	   struct fld *f)
{
	ld_path_key(f->path, path, key);
	f->s = config_setting_get_member(g, key);
	if (f->s == NULL && req)
		ld_error(ld, g, f->path, "required key is missing");
	return f->s != NULL;
}

/*
 * Value converters: 1 on success, -1 after reporting an error.
 * ld_get_*() combine them with ld_fld_get(): 1 found and valid, 0 absent
 * (optional key), -1 error reported.
 */
int
ld_str_of(struct ld *ld, const config_setting_t *s, const char *path, const char **v)
{
	if (!ld_type(ld, s, path, T_STR))
		return -1;
	*v = config_setting_get_string(s);
	return 1;
}

int
ld_int_of(struct ld *ld, const config_setting_t *s, const char *path, long long lo, long long hi,
	  long long *v)
{
	long long x;

	if (!ld_type(ld, s, path, T_INT))
		return -1;
	x = config_setting_get_int64(s);
	if (x < lo || x > hi) {
		ld_error(ld, s, path, "%lld is out of range %lld..%lld", x, lo, hi);
		return -1;
	}
	*v = x;
	return 1;
}

int
ld_ipv4_of(struct ld *ld, const config_setting_t *s, const char *path, uint32_t *a)
{
	const char *v;

	if (ld_str_of(ld, s, path, &v) < 0)
		return -1;
	if (cfg_parse_ipv4(v, a) < 0) {
		ld_error(ld, s, path, "bad IPv4 address \"%s\"", v);
		return -1;
	}
	return 1;
}

int
ld_prefix_str(struct ld *ld, const config_setting_t *s, const char *path, const char *v,
	      struct cfg_prefix *p)
{
	char net[CFG_NAME_MAX];
	int rc;

	rc = cfg_parse_prefix(v, p);
	if (rc == -EDOM) {
		struct cfg_prefix q;
		const char *slash = strchr(v, '/');
		char addr[32];
		uint32_t a;
		unsigned int len = (unsigned int)atoi(slash + 1);

		snprintf(addr, sizeof(addr), "%.*s", (int)(slash - v), v);
		cfg_parse_ipv4(addr, &a);
		q.addr = len == 0 ? 0 : a & (UINT32_MAX << (32 - len));
		ld_error(ld, s, path, "bad CIDR \"%s\": host bits set (network is %s/%u)", v,
			 cfg_ipv4_str(q.addr, net, sizeof(net)), len);
		return -1;
	}
	if (rc < 0) {
		ld_error(ld, s, path, "bad CIDR \"%s\"", v);
		return -1;
	}
	return 1;
}

int
ld_prefix_of(struct ld *ld, const config_setting_t *s, const char *path, struct cfg_prefix *p)
{
	const char *v;

	if (ld_str_of(ld, s, path, &v) < 0)
		return -1;
	return ld_prefix_str(ld, s, path, v, p);
}

/* ---- names and references --------------------------------------------- */

int
ld_find_name(const void *arr, int n, size_t stride, const char *name)
{
	const char *p = arr;
	int i;

	if (name[0] == '\0')
		return -1;
	for (i = 0; i < n; i++, p += stride)
		if (strcmp(p, name) == 0)
			return i;
	return -1;
}

#define LD_FIND_IDX(arr, n, name) ld_find_name_idx(ld, (arr), (n), sizeof(*(arr)), (name))

static int
ref_find(struct ld *ld, enum ld_ref k, const char *name)
{
	const struct cfg *c = ld->cfg;

	switch (k) {
	case REF_PORT:
		return LD_FIND_IDX(c->ports, c->n_ports, name);
	case REF_SUBNET:
		return LD_FIND_IDX(c->subnets, c->n_subnets, name);
	case REF_RT:
		return LD_FIND_IDX(c->route_tables, c->n_route_tables, name);
	case REF_NACL:
		return LD_FIND_IDX(c->nacls, c->n_nacls, name);
	case REF_SG:
		return LD_FIND_IDX(c->sgs, c->n_sgs, name);
	case REF_NAT:
		return LD_FIND_IDX(c->nat_gateways, c->n_nat_gateways, name);
	case REF_TG:
		return LD_FIND_IDX(c->target_groups, c->n_target_groups, name);
	case REF_EIGW:
		return LD_FIND_IDX(c->eigws, c->n_eigws, name);
	}
	return -1;
}

int
ld_ref_str(struct ld *ld, const config_setting_t *s, const char *path, enum ld_ref k,
	   const char *name, int *idx)
{
	int i = ref_find(ld, k, name);

	if (i < 0) {
		ld_error(ld, s, path, "unknown %s \"%s\"", ref_what[k], name);
		return -1;
	}
	*idx = i;
	return 1;
}

int
ld_ref_of(struct ld *ld, const config_setting_t *s, const char *path, enum ld_ref k, int *idx)
{
	const char *v;

	if (ld_str_of(ld, s, path, &v) < 0)
		return -1;
	return ld_ref_str(ld, s, path, k, v, idx);
}

/* GWLB endpoint names are one name space over every GWLB. */
bool
ld_endpoint_find(const struct cfg *c, const char *name, int *g, int *e)
{
	int i, j;

	for (i = 0; i < c->n_gwlbs; i++) {
		j = LD_FIND(c->gwlbs[i].endpoints, c->gwlbs[i].n_endpoints, name);
		if (j >= 0) {
			*g = i;
			*e = j;
			return true;
		}
	}
	return false;
}

int
ld_get_str(struct ld *ld, const config_setting_t *g, const char *path, const char *key, bool req,
	   struct fld *f, const char **v)
{
	if (!ld_fld_get(ld, g, path, key, req, f))
		return req ? -1 : 0;
	return ld_str_of(ld, f->s, f->path, v);
}

int
ld_get_int(struct ld *ld, const config_setting_t *g, const char *path, const char *key, bool req,
	   long long lo, long long hi, long long *v)
{
	struct fld f;

	if (!ld_fld_get(ld, g, path, key, req, &f))
		return req ? -1 : 0;
	return ld_int_of(ld, f.s, f.path, lo, hi, v);
}

/* Optional integer key with a default, stored in a uint32_t. */
void
ld_get_u32(struct ld *ld, const config_setting_t *g, const char *path, const char *key,
	   long long lo, long long hi, uint32_t def, uint32_t *out)
{
	long long v;

	*out = def;
	if (ld_get_int(ld, g, path, key, false, lo, hi, &v) > 0)
		*out = (uint32_t)v;
}

int
ld_get_bool(struct ld *ld, const config_setting_t *g, const char *path, const char *key, bool *v)
{
	struct fld f;

	if (!ld_fld_get(ld, g, path, key, false, &f))
		return 0;
	if (!ld_type(ld, f.s, f.path, T_BOOL))
		return -1;
	*v = config_setting_get_bool(f.s) != 0;
	return 1;
}

int
ld_get_ipv4(struct ld *ld, const config_setting_t *g, const char *path, const char *key, bool req,
	    struct fld *f, uint32_t *a)
{
	if (!ld_fld_get(ld, g, path, key, req, f))
		return req ? -1 : 0;
	return ld_ipv4_of(ld, f->s, f->path, a);
}

int
ld_get_prefix(struct ld *ld, const config_setting_t *g, const char *path, const char *key, bool req,
	      struct fld *f, struct cfg_prefix *p)
{
	if (!ld_fld_get(ld, g, path, key, req, f))
		return req ? -1 : 0;
	return ld_prefix_of(ld, f->s, f->path, p);
}

int
ld_get_mac(struct ld *ld, const config_setting_t *g, const char *path, const char *key, bool req,
	   uint8_t mac[6])
{
	struct fld f;
	const char *v;

	if (ld_get_str(ld, g, path, key, req, &f, &v) <= 0)
		return f.s == NULL && !req ? 0 : -1;
	if (cfg_parse_mac(v, mac) < 0) {
		ld_error(ld, f.s, f.path, "bad MAC address \"%s\"", v);
		return -1;
	}
	return 1;
}

int
ld_get_ref(struct ld *ld, const config_setting_t *g, const char *path, const char *key, bool req,
	   enum ld_ref k, struct fld *f, int *idx)
{
	if (!ld_fld_get(ld, g, path, key, req, f))
		return req ? -1 : 0;
	return ld_ref_of(ld, f->s, f->path, k, idx);
}

/* A list key: its setting and length, or 0 when absent or invalid. */
int
ld_get_list(struct ld *ld, const config_setting_t *g, const char *path, const char *key, bool req,
	    enum ld_type type, struct fld *f)
{
	if (!ld_fld_get(ld, g, path, key, req, f))
		return req ? -1 : 0;
	if (!ld_type(ld, f->s, f->path, type)) {
		f->s = NULL;
		return -1;
	}
	return 1;
}

/* ---- pass 1: names ---------------------------------------------------- */

/*
 * Allocate one element per entry of the list KEY of group G and copy each
 * entry's name. Type errors of the list and its entries are left to pass 2.
 */
void *
ld_names_list(struct ld *ld, const config_setting_t *g, const char *path, const char *key,
	      const char *what, size_t size, size_t line_off, int *n_out)
{
	char lp[PATH_LEN], ep[PATH_LEN];
	const config_setting_t *list;
	struct fld f;
	char *arr;
	int i, j, n;

	*n_out = 0;
	if (g == NULL || !config_setting_is_group(g))
		return NULL;
	list = config_setting_get_member(g, key);
	if (list == NULL || !config_setting_is_list(list))
		return NULL;
	n = config_setting_length(list);
	arr = ld_calloc(ld, (size_t)n, size);
	if (arr == NULL)
		return NULL;
	*n_out = n;
	ld_path_key(lp, path, key);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(list, i);
		char *name = arr + (size_t)i * size;
		const char *v;

		*(int *)(name + line_off) = ld_line(e);
		if (!config_setting_is_group(e))
			continue;
		ld_path_idx(ep, lp, i);
		if (ld_get_str(ld, e, ep, "name", true, &f, &v) <= 0)
			continue;
		if (v[0] == '\0') {
			ld_error(ld, f.s, f.path, "empty name");
			continue;
		}
		{
			size_t at = 0;
			const char *why = cfg_name_problem(v, &at);

			if (why != NULL) {
				ld_error(ld, f.s, f.path, "name has %s (byte %zu, 0x%02x): names are "
					 "UTF-8 text without control characters", why, at + 1,
					 (unsigned char)v[at]);
				continue;
			}
		}
		if (strlen(v) >= CFG_NAME_MAX) {
			ld_error(ld, f.s, f.path, "name \"%s\" is too long (max %d characters)", v,
				 CFG_NAME_MAX - 1);
			continue;
		}
		j = ld_find_name_idx(ld, arr, i, size, v);
		if (j >= 0) {
			ld_error(ld, f.s, f.path, "duplicate %s name \"%s\" (first at line %d)", what,
				 v, *(int *)(arr + (size_t)j * size + line_off));
			continue;
		}
		snprintf(name, CFG_NAME_MAX, "%s", v);
	}
	return arr;
}

/* ---- shared groups ---------------------------------------------------- */

/*
 * Health check: defaults already in *h. traffic_port: whether "traffic-port"
 * means something (NLB target groups; a GWLB has no traffic port).
 */
void
ld_health(struct ld *ld, const config_setting_t *g, const char *path, bool traffic_port,
	    struct cfg_health_check *h)
{
	static const char *const keys[] = {
		"enabled", "protocol", "port", "interval", "timeout", "healthy_threshold",
		"unhealthy_threshold", NULL
	};
	struct fld f, t;
	const char *v;
	long long x;

	if (!ld_fld_get(ld, g, path, "health_check", false, &f) || !ld_group(ld, f.s, f.path, keys))
		return;
	ld_get_bool(ld, f.s, f.path, "enabled", &h->enabled);
	if (ld_get_str(ld, f.s, f.path, "protocol", false, &t, &v) > 0 && strcasecmp(v, "tcp") != 0)
		ld_error(ld, t.s, t.path,
			 "health check protocol \"%s\" is not supported: only \"tcp\" health "
			 "checks are supported", v);
	if (ld_fld_get(ld, f.s, f.path, "port", false, &t)) {
		if (config_setting_type(t.s) == CONFIG_TYPE_STRING) {
			v = config_setting_get_string(t.s);
			if (strcmp(v, "traffic-port") != 0)
				ld_error(ld, t.s, t.path,
					 "bad port \"%s\" (expected \"traffic-port\" or 1..65535)", v);
			else if (!traffic_port)
				ld_error(ld, t.s, t.path, "a gateway load balancer has no traffic "
					 "port: give a port number");
			else
				h->port = 0;
		} else if (ld_int_of(ld, t.s, t.path, 1, 65535, &x) > 0) {
			h->port = (uint16_t)x;
		}
	}
	ld_get_u32(ld, f.s, f.path, "interval", 5, 300, h->interval, &h->interval);
	ld_get_u32(ld, f.s, f.path, "timeout", 2, 120, h->timeout, &h->timeout);
	ld_get_u32(ld, f.s, f.path, "healthy_threshold", 2, 10, h->healthy_threshold,
		   &h->healthy_threshold);
	ld_get_u32(ld, f.s, f.path, "unhealthy_threshold", 2, 10, h->unhealthy_threshold,
		   &h->unhealthy_threshold);
	if (h->timeout >= h->interval) {
		if (!ld_fld_get(ld, f.s, f.path, "timeout", false, &t))
			ld_fld_get(ld, f.s, f.path, "interval", false, &t);
		ld_error(ld, t.s, t.path, "timeout %u must be less than interval %u", h->timeout,
			 h->interval);
	}
}
