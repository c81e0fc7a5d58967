/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration sections of SPEC §8: prefix lists and gateway endpoints
 * (their table rows are in config/cfg_vpc.c).
 *
 *  prefix_lists = ( { name = "pl-s3"; cidrs = [ "52.216.0.0/15", ... ]; } );
 *  gateway_endpoints = ( { name = "vpce-s3"; vpc = "prod"; prefix_list = "pl-s3";
 *                          port = "backbone"; next_hop = "192.0.2.9";
 *                          route_tables = [ "private" ]; } );
 *
 * A route destination "pl:NAME" (any target but local) stands for every CIDR
 * of the list. A gateway endpoint installs, as AWS does when an endpoint is
 * associated with a route table, the route "pl:<its list> -> the endpoint" in
 * each of its route_tables: routes never name an endpoint themselves.
 * docs/config.md "Prefix lists and gateway endpoints".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg.h"
#include "config/cfg_ld.h"

#define PL_PREFIX "pl:"

/* ---- pass 1: names ---------------------------------------------------- */

void
ld_names_prefix_lists(struct ld *ld)
{
	struct cfg *c = ld->cfg;

	LD_NAMES(ld, ld->root, "", "prefix_lists", "prefix list", c->prefix_lists,
		 c->n_prefix_lists);
}

void
ld_names_gateway_endpoints(struct ld *ld)
{
	struct cfg *c = ld->cfg;

	LD_NAMES(ld, ld->root, "", "gateway_endpoints", "gateway endpoint",
		 c->gateway_endpoints, c->n_gateway_endpoints);
}

/* ---- prefix lists ----------------------------------------------------- */

static void
load_prefix_list(struct ld *ld, const config_setting_t *e, const char *p,
		 struct cfg_prefix_list *pl)
{
	static const char *const keys[] = { "name", "cidrs", NULL };
	char q[PATH_LEN], a[CFG_NAME_MAX];
	const char *v;
	struct fld f;
	int n;

	if (!ld_group(ld, e, p, keys) || ld_get_list(ld, e, p, "cidrs", true, T_SEQ, &f) <= 0)
		return;
	n = ld_list_len(&f);
	if (n == 0) {
		ld_error(ld, f.s, f.path, "a prefix list needs at least one CIDR");
		return;
	}
	pl->cidrs = ld_calloc(ld, (size_t)n, sizeof(*pl->cidrs));
	if (pl->cidrs == NULL)
		return;
	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(f.s, i);
		struct cfg_prefix x;
		int j;

		ld_path_idx(q, f.path, i);
		if (ld_str_of(ld, s, q, &v) < 0)
			continue;
		if (strchr(v, ':') != NULL) {
			ld_error(ld, s, q, "\"%s\": IPv6 prefix lists are not supported yet", v);
			continue;
		}
		if (ld_prefix_str(ld, s, q, v, &x) < 0)
			continue;
		for (j = 0; j < pl->n_cidrs; j++)
			if (pl->cidrs[j].addr == x.addr && pl->cidrs[j].len == x.len)
				break;
		if (j < pl->n_cidrs) {
			ld_prefix_fmt(a, sizeof(a), x.addr, x.len);
			ld_error(ld, s, q, "duplicate CIDR %s in prefix list \"%s\"", a, pl->name);
			continue;
		}
		pl->cidrs[pl->n_cidrs++] = x;
	}
}

void
ld_load_prefix_lists(struct ld *ld)
{
	struct cfg *c = ld->cfg;
	char p[PATH_LEN];
	struct fld f;

	if (ld_get_list(ld, ld->root, "", "prefix_lists", false, T_LIST, &f) <= 0)
		return;
	for (int i = 0; i < c->n_prefix_lists; i++) {
		ld_path_idx(p, f.path, i);
		load_prefix_list(ld, config_setting_get_elem(f.s, i), p, &c->prefix_lists[i]);
	}
}

/* ---- routes to a prefix list ------------------------------------------ */

bool
ld_pl_is(const config_setting_t *e)
{
	const char *v;

	return config_setting_lookup_string(e, "destination", &v) == CONFIG_TRUE &&
	       strncmp(v, PL_PREFIX, sizeof(PL_PREFIX) - 1) == 0;
}

/*
 * A CIDR of list pl that the VPC's local route owns (inside the VPC cidr):
 * -1 when there is none. A prefix list route may not take VPC addresses
 * from the local route.
 */
static int
pl_inside_vpc(const struct ld *ld, const struct cfg_prefix_list *pl, const struct cfg_prefix *vpc)
{
	if (!ld->vpc_ok)
		return -1;
	for (int i = 0; i < pl->n_cidrs; i++)
		if (pl->cidrs[i].len >= vpc->len && cfg_prefix_contains(vpc, pl->cidrs[i].addr))
			return i;
	return -1;
}

/* Is there a route to prefix list pl in t before route i (counted ones only)? */
static int
pl_route_dup(const struct cfg_route_table *t, int i, int pl)
{
	for (int j = 0; j < i; j++)
		if (t->routes[j].has_pl && t->routes[j].pl == pl && t->routes[j].line > 0)
			return t->routes[j].line;
	return 0;
}

void
ld_pl_route(struct ld *ld, const struct fld *d, const char *v, const struct fld *tg,
	    bool tgt_ok, struct cfg_route_table *t, int i)
{
	struct cfg *c = ld->cfg;
	struct cfg_route *rt = &t->routes[i];
	char a[CFG_NAME_MAX];
	int dup, in;

	rt->has_pl = true;
	rt->pl = LD_FIND(c->prefix_lists, c->n_prefix_lists, v + sizeof(PL_PREFIX) - 1);
	if (rt->pl < 0) {
		ld_error(ld, d->s, d->path, "unknown prefix list \"%s\"", v + sizeof(PL_PREFIX) - 1);
		return;
	}
	dup = pl_route_dup(t, i, rt->pl);
	if (dup != 0) {
		ld_error(ld, d->s, d->path, "duplicate destination %s (first at line %d)", v, dup);
		return;
	}
	rt->line = -rt->line;
	if (!tgt_ok)
		return;
	if (rt->kind == CFG_TARGET_LOCAL || rt->kind == CFG_TARGET_EIGW) {
		ld_error(ld, tg->s, tg->path, "target \"%s\" cannot take a prefix list destination",
			 rt->kind == CFG_TARGET_LOCAL ? "local" : "egress-only-igw");
		return;
	}
	in = pl_inside_vpc(ld, &c->prefix_lists[rt->pl], ld_rt_vpc_cidr(ld, t));
	if (in >= 0) {
		ld_prefix_fmt(a, sizeof(a), c->prefix_lists[rt->pl].cidrs[in].addr,
			      c->prefix_lists[rt->pl].cidrs[in].len);
		ld_error(ld, d->s, d->path, "prefix list \"%s\" holds %s, inside the VPC cidr: "
			 "the local route owns it", c->prefix_lists[rt->pl].name, a);
	}
}

/* ---- gateway endpoints ------------------------------------------------ */

/* The endpoint's port: a known port that carries nothing else of vpcgw's. */
static void
vpce_port_check(struct ld *ld, const struct fld *f, int port)
{
	const struct cfg *c = ld->cfg;
	const char *what = NULL;

	for (int i = 0; i < c->n_subnets && what == NULL; i++)
		if (c->subnets[i].port == port)
			what = "subnets";
	if (c->igw.present && c->igw.port == port)
		what = "the internet gateway";
	for (int i = 0; i < c->n_gwlbs && what == NULL; i++)
		if (c->gwlbs[i].port == port)
			what = "GWLB appliances";
	if (what != NULL)
		ld_error(ld, f->s, f->path, "port \"%s\" carries %s: a gateway endpoint needs a "
			 "port of its own (its return traffic is told apart by port)",
			 c->ports[port].name, what);
}

/* Two endpoints on one port: their prefix lists must not overlap (the
 * source of a return packet names its endpoint). */
static void
vpce_overlap_check(struct ld *ld, const struct fld *f, int ep)
{
	const struct cfg *c = ld->cfg;
	const struct cfg_gateway_endpoint *e = &c->gateway_endpoints[ep];
	const struct cfg_prefix_list *a = &c->prefix_lists[e->prefix_list];

	for (int j = 0; j < ep; j++) {
		const struct cfg_gateway_endpoint *o = &c->gateway_endpoints[j];
		const struct cfg_prefix_list *b;

		if (o->port != e->port || o->prefix_list < 0)
			continue;
		b = &c->prefix_lists[o->prefix_list];
		for (int x = 0; x < a->n_cidrs; x++)
			for (int y = 0; y < b->n_cidrs; y++)
				if (cfg_prefix_overlap(&a->cidrs[x], &b->cidrs[y])) {
					ld_error(ld, f->s, f->path, "prefix list \"%s\" overlaps "
						 "\"%s\" of gateway endpoint \"%s\" on the same port",
						 a->name, b->name, o->name);
					return;
				}
	}
}

/* Install "pl:<list> -> endpoint ep" in route table rt (AWS's association). */
static void
vpce_route_add(struct ld *ld, const struct fld *f, int ep, int rt)
{
	struct cfg *c = ld->cfg;
	struct cfg_route_table *t = &c->route_tables[rt];
	const struct cfg_gateway_endpoint *e = &c->gateway_endpoints[ep];
	struct cfg_route *r;
	int dup;

	dup = pl_route_dup(t, t->n_routes, e->prefix_list);
	if (dup != 0) {
		ld_error(ld, f->s, f->path, "route table \"%s\" already has a route to pl:%s "
			 "(line %d)", t->name, c->prefix_lists[e->prefix_list].name, dup);
		return;
	}
	r = realloc(t->routes, ((size_t)t->n_routes + 1) * sizeof(*r));
	if (r == NULL) {
		ld_nomem(ld);
		return;
	}
	t->routes = r;
	r = &t->routes[t->n_routes++];
	memset(r, 0, sizeof(*r));
	r->has_pl = true;
	r->pl = e->prefix_list;
	r->kind = CFG_TARGET_VPCE;
	r->ref = ep;
	r->ref2 = -1;
	r->line = ld_line(f->s);
}

static void
vpce_route_tables(struct ld *ld, const config_setting_t *e, const char *p, int ep)
{
	struct cfg *c = ld->cfg;
	char q[PATH_LEN];
	struct fld f;
	int rt, in, v;

	if (ld_get_list(ld, e, p, "route_tables", false, T_SEQ, &f) <= 0)
		return;
	in = pl_inside_vpc(ld, &c->prefix_lists[c->gateway_endpoints[ep].prefix_list],
			   c->gateway_endpoints[ep].vpc >= 0 ? &c->vpcs[c->gateway_endpoints[ep].vpc].cidr
							      : &c->vpc_cidr);
	if (in >= 0) {
		ld_error(ld, f.s, f.path, "prefix list \"%s\" reaches inside the VPC cidr: "
			 "the local route owns it",
			 c->prefix_lists[c->gateway_endpoints[ep].prefix_list].name);
		return;
	}
	for (int i = 0; i < ld_list_len(&f); i++) {
		struct fld g = { .s = config_setting_get_elem(f.s, i) };

		ld_path_idx(q, f.path, i);
		snprintf(g.path, sizeof(g.path), "%s", q);
		if (ld_ref_of(ld, g.s, q, REF_RT, &rt) <= 0)
			continue;
		v = ld_rt_vpc(c, &c->route_tables[rt]);
		if (v >= 0 && c->gateway_endpoints[ep].vpc >= 0 && v != c->gateway_endpoints[ep].vpc)
			ld_error(ld, g.s, q, "route table \"%s\" belongs to VPC \"%s\", not to the "
				 "endpoint's VPC \"%s\"", c->route_tables[rt].name, c->vpcs[v].name,
				 c->vpcs[c->gateway_endpoints[ep].vpc].name);
		else
			vpce_route_add(ld, &g, ep, rt);
	}
}

static void
load_gateway_endpoint(struct ld *ld, const config_setting_t *e, const char *p, int ep)
{
	static const char *const keys[] = {
		"name", "vpc", "prefix_list", "port", "next_hop", "route_tables", NULL
	};
	struct cfg_gateway_endpoint *g = &ld->cfg->gateway_endpoints[ep];
	bool port_ok, pl_ok;
	struct fld f, nh, pf;
	const char *v;

	g->prefix_list = -1;
	g->port = -1;
	if (!ld_group(ld, e, p, keys))
		return;
	g->vpc = ld_vpc_ref(ld, e, p);
	if (ld_get_str(ld, e, p, "prefix_list", true, &pf, &v) > 0) {
		g->prefix_list = LD_FIND(ld->cfg->prefix_lists, ld->cfg->n_prefix_lists, v);
		if (g->prefix_list < 0)
			ld_error(ld, pf.s, pf.path, "unknown prefix list \"%s\"", v);
	}
	pl_ok = g->prefix_list >= 0;
	port_ok = ld_get_ref(ld, e, p, "port", true, REF_PORT, &f, &g->port) > 0;
	if (port_ok)
		vpce_port_check(ld, &f, g->port);
	if (ld_get_ipv4(ld, e, p, "next_hop", true, &nh, &g->next_hop) > 0 && port_ok)
		ld_check_on_port(ld, g->port, g->next_hop, &nh);
	if (!pl_ok)
		return;
	if (port_ok)
		vpce_overlap_check(ld, &pf, ep);
	vpce_route_tables(ld, e, p, ep);
}

void
ld_load_gateway_endpoints(struct ld *ld)
{
	struct cfg *c = ld->cfg;
	char p[PATH_LEN];
	struct fld f;

	ld_vpc_scope_check(ld);      /* last of all sections: every reference is known */
	ld_vpc_vrf(ld);
	if (ld_get_list(ld, ld->root, "", "gateway_endpoints", false, T_LIST, &f) <= 0)
		return;
	if (c->n_gateway_endpoints > CFG_MAX_GATEWAY_ENDPOINTS)
		ld_error(ld, f.s, f.path, "too many gateway endpoints (%d, max %d)",
			 c->n_gateway_endpoints, CFG_MAX_GATEWAY_ENDPOINTS);
	for (int i = 0; i < c->n_gateway_endpoints; i++) {
		ld_path_idx(p, f.path, i);
		load_gateway_endpoint(ld, config_setting_get_elem(f.s, i), p, i);
	}
}
