/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * geneve's configuration section (config/cfg_section.h):
 * gateway_load_balancers (appliances, health check, endpoints), into
 * cfg.gwlbs. Registered with config/ at the end of this file.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config/cfg.h"
#include "config/cfg_ld.h"
#include "config/cfg_section.h"

static void
gwlb_cfg_names(struct ld *ld)
{
	struct cfg *c = ld->cfg;
	const config_setting_t *gl = config_setting_get_member(ld->root, "gateway_load_balancers");
	char p[PATH_LEN];
	int i, j, g2, e2;

	LD_NAMES(ld, ld->root, "", "gateway_load_balancers", "gateway load balancer", c->gwlbs,
		 c->n_gwlbs);
	for (i = 0; i < c->n_gwlbs; i++) {
		struct cfg_gwlb *gw = &c->gwlbs[i];
		const config_setting_t *e = config_setting_get_elem(gl, i);

		ld_path_idx(p, "gateway_load_balancers", i);
		LD_NAMES(ld, e, p, "endpoints", "endpoint", gw->endpoints, gw->n_endpoints);
		/* Route targets name an endpoint alone: unique over every GWLB. */
		for (j = 0; j < gw->n_endpoints; j++) {
			struct cfg_gwlb_endpoint *ep = &gw->endpoints[j];
			const config_setting_t *list, *name;
			char ep_path[PATH_LEN], n_path[PATH_LEN];

			if (ep->name[0] == '\0' || !ld_endpoint_find(c, ep->name, &g2, &e2) ||
			    g2 == i)
				continue;
			ld_path_key(ep_path, p, "endpoints");
			ld_path_idx(n_path, ep_path, j);
			ld_path_key(ep_path, n_path, "name");
			list = config_setting_get_member(e, "endpoints");
			name = config_setting_get_member(config_setting_get_elem(list, j), "name");
			ld_error(ld, name, ep_path,
				 "duplicate endpoint name \"%s\" (first at line %d)", ep->name,
				 c->gwlbs[g2].endpoints[e2].line);
			ep->name[0] = '\0';
		}
	}
}

/* "vpce-" and exactly 17 hex digits whose value fits in 64 bits. */
static int
endpoint_id_of(struct ld *ld, const struct fld *f, struct cfg_gwlb_endpoint *ep)
{
	static const char pfx[] = "vpce-";
	const char *v, *h;
	uint64_t x = 0;
	int i;

	if (ld_str_of(ld, f->s, f->path, &v) < 0)
		return -1;
	if (strncmp(v, pfx, sizeof(pfx) - 1) != 0 || strlen(v) != sizeof(pfx) - 1 + 17)
		goto bad;
	h = v + sizeof(pfx) - 1;
	for (i = 0; i < 17; i++) {
		int d;

		if (h[i] >= '0' && h[i] <= '9')
			d = h[i] - '0';
		else if (h[i] >= 'a' && h[i] <= 'f')
			d = h[i] - 'a' + 10;
		else if (h[i] >= 'A' && h[i] <= 'F')
			d = h[i] - 'A' + 10;
		else
			goto bad;
		/* 17 digits are 68 bits: the first must be 0 for the value to fit. */
		if (i == 0 && d != 0) {
			ld_error(ld, f->s, f->path, "endpoint id \"%s\" does not fit in 64 bits", v);
			return -1;
		}
		x = x << 4 | (uint64_t)d;
	}
	snprintf(ep->id, sizeof(ep->id), "%s", v);
	ep->id_value = x;
	return 1;
bad:
	ld_error(ld, f->s, f->path, "bad endpoint id \"%s\" (expected vpce- and 17 hex digits)", v);
	return -1;
}

/* attachment_id: a non-negative integer or a string of 1..16 hex digits (0x optional). */
static void
attachment_of(struct ld *ld, const struct fld *f, uint64_t *out)
{
	const char *v, *h;
	uint64_t x = 0;
	long long i;
	int n;

	if (config_setting_type(f->s) != CONFIG_TYPE_STRING) {
		if (ld_int_of(ld, f->s, f->path, 0, INT64_MAX, &i) > 0)
			*out = (uint64_t)i;
		return;
	}
	v = config_setting_get_string(f->s);
	h = strncasecmp(v, "0x", 2) == 0 ? v + 2 : v;
	for (n = 0; h[n] != '\0'; n++) {
		char ch = h[n];
		int d;

		if (ch >= '0' && ch <= '9')
			d = ch - '0';
		else if (ch >= 'a' && ch <= 'f')
			d = ch - 'a' + 10;
		else if (ch >= 'A' && ch <= 'F')
			d = ch - 'A' + 10;
		else
			break;
		x = x << 4 | (uint64_t)d;
	}
	if (n == 0 || n > 16 || h[n] != '\0') {
		ld_error(ld, f->s, f->path,
			 "bad attachment_id \"%s\" (expected an integer or 1..16 hex digits)", v);
		return;
	}
	*out = x;
}

/* The id goes on the wire (GENEVE option 1): it must name one endpoint. */
static void
check_endpoint_id(struct ld *ld, const struct fld *f, int g, int e)
{
	const struct cfg *c = ld->cfg;
	const struct cfg_gwlb_endpoint *ep = &c->gwlbs[g].endpoints[e];
	int m, k;

	for (m = 0; m <= g; m++) {
		for (k = 0; k < (m == g ? e : c->gwlbs[m].n_endpoints); k++) {
			const struct cfg_gwlb_endpoint *o = &c->gwlbs[m].endpoints[k];

			if (o->id[0] == '\0' || o->id_value != ep->id_value)
				continue;
			ld_error(ld, f->s, f->path, "duplicate endpoint id \"%s\" (first at line %d)",
				 ep->id, o->line);
			return;
		}
	}
}

static void
load_appliances(struct ld *ld, const config_setting_t *e, const char *p, struct cfg_gwlb *gw,
		bool port_ok)
{
	static const char *const a_keys[] = { "address", NULL };
	char q[PATH_LEN], a[CFG_NAME_MAX];
	struct fld f, l;
	int j, k;

	if (ld_get_list(ld, e, p, "appliances", false, T_LIST, &l) > 0) {
		gw->appliances = ld_calloc(ld, (size_t)ld_list_len(&l), sizeof(*gw->appliances));
		gw->n_appliances = gw->appliances == NULL ? 0 : ld_list_len(&l);
	}
	for (j = 0; j < gw->n_appliances; j++) {
		const config_setting_t *s = config_setting_get_elem(l.s, j);
		struct cfg_appliance *ap = &gw->appliances[j];

		ap->line = ld_line(s);
		ld_path_idx(q, l.path, j);
		if (!ld_group(ld, s, q, a_keys) ||
		    ld_get_ipv4(ld, s, q, "address", true, &f, &ap->addr) <= 0)
			continue;
		if (port_ok)
			ld_check_on_port(ld, gw->port, ap->addr, &f);
		for (k = 0; k < j; k++) {
			if (gw->appliances[k].addr != ap->addr)
				continue;
			ld_error(ld, f.s, f.path, "duplicate appliance %s (first at line %d)",
				 cfg_ipv4_str(ap->addr, a, sizeof(a)), gw->appliances[k].line);
			break;
		}
	}
}

static void
load_endpoints(struct ld *ld, const config_setting_t *e, const char *p, int i)
{
	static const char *const e_keys[] = { "name", "id", "subnet", "attachment_id", NULL };
	struct cfg_gwlb *gw = &ld->cfg->gwlbs[i];
	char q[PATH_LEN];
	struct fld f, l;
	int j;

	/* gw->endpoints was allocated by pass 1; an invalid list left it empty. */
	if (ld_get_list(ld, e, p, "endpoints", false, T_LIST, &l) <= 0)
		return;
	for (j = 0; j < gw->n_endpoints; j++) {
		const config_setting_t *s = config_setting_get_elem(l.s, j);
		struct cfg_gwlb_endpoint *ep = &gw->endpoints[j];

		ep->subnet = -1;
		ld_path_idx(q, l.path, j);
		if (!ld_group(ld, s, q, e_keys))
			continue;
		ld_get_ref(ld, s, q, "subnet", true, REF_SUBNET, &f, &ep->subnet);
		if (ld_fld_get(ld, s, q, "id", true, &f) && endpoint_id_of(ld, &f, ep) > 0)
			check_endpoint_id(ld, &f, i, j);
		if (ld_fld_get(ld, s, q, "attachment_id", false, &f))
			attachment_of(ld, &f, &ep->attachment_id);
	}
}

static void
load_gwlb(struct ld *ld, const config_setting_t *e, const char *p, int i)
{
	static const char *const keys[] = {
		"name", "port", "stickiness", "target_failover", "tcp_idle_timeout",
		"health_check", "appliances", "endpoints", NULL
	};
	struct cfg_gwlb *gw = &ld->cfg->gwlbs[i];
	struct cfg_health_check *h = &gw->health;
	struct fld f;
	const char *v;
	bool port_ok;

	gw->stickiness = CFG_STICKY_5;
	gw->tcp_idle_timeout = 350;
	h->proto = CFG_L4_TCP;
	h->port = 80;
	h->interval = 10;
	h->timeout = 5;
	h->healthy_threshold = 5;
	h->unhealthy_threshold = 2;
	h->enabled = true;
	gw->port = -1;
	if (!ld_group(ld, e, p, keys))
		return;
	port_ok = ld_get_ref(ld, e, p, "port", true, REF_PORT, &f, &gw->port) > 0;
	if (ld_get_str(ld, e, p, "stickiness", false, &f, &v) > 0) {
		if (strcmp(v, "5-tuple") == 0)
			gw->stickiness = CFG_STICKY_5;
		else if (strcmp(v, "3-tuple") == 0)
			gw->stickiness = CFG_STICKY_3;
		else if (strcmp(v, "2-tuple") == 0)
			gw->stickiness = CFG_STICKY_2;
		else
			ld_error(ld, f.s, f.path,
				 "bad stickiness \"%s\" (expected 5-tuple, 3-tuple or 2-tuple)", v);
	}
	if (ld_get_str(ld, e, p, "target_failover", false, &f, &v) > 0) {
		if (strcmp(v, "rebalance") == 0)
			gw->rebalance = true;
		else if (strcmp(v, "no_rebalance") != 0)
			ld_error(ld, f.s, f.path,
				 "bad target_failover \"%s\" (expected no_rebalance or rebalance)",
				 v);
	}
	ld_get_u32(ld, e, p, "tcp_idle_timeout", 60, 6000, 350, &gw->tcp_idle_timeout);
	ld_health(ld, e, p, false, h);

	load_appliances(ld, e, p, gw, port_ok);
	load_endpoints(ld, e, p, i);
}

static void
gwlb_cfg_load(struct ld *ld)
{
	struct cfg *c = ld->cfg;
	char p[PATH_LEN];
	struct fld f;
	int i;

	if (ld_get_list(ld, ld->root, "", "gateway_load_balancers", false, T_LIST, &f) <= 0)
		return;
	for (i = 0; i < c->n_gwlbs; i++) {
		ld_path_idx(p, f.path, i);
		load_gwlb(ld, config_setting_get_elem(f.s, i), p, i);
	}
}

/* ---- the sections, registered with config/ (config/cfg_section.h) ---- */

static const struct cfg_section gwlb_cfg_sections[] = {
	{ .key = "gateway_load_balancers", .names_order = 90, .order = 130,
	  .names = gwlb_cfg_names, .load = gwlb_cfg_load },
	{ .key = NULL },
};

CFG_SECTIONS_REGISTER(gwlb_cfg_sections)
