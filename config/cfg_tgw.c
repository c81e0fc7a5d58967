/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration section of SPEC §8: transit gateways (its table row is in
 * config/cfg_vpc.c), and the VPC route target "tgw:NAME".
 *
 *  transit_gateways = ( { name = "tgw-a";
 *      attachments = ( { name = "att-prod"; vpc = "prod"; subnets = [ "tgw-prod-a" ];
 *                        route_table = "tgw-main"; propagate = [ "tgw-main" ]; },
 *                      { name = "att-onprem"; port = "onprem"; next_hop = "192.0.2.1";
 *                        route_table = "tgw-main"; } );
 *      route_tables = ( { name = "tgw-main";
 *          routes = ( { destination = "172.16.0.0/12"; attachment = "att-onprem"; },
 *                     { destination = "10.99.0.0/16"; target = "blackhole"; } ); } ); } );
 *
 * Names of transit gateways are global (pass 1, so route targets "tgw:NAME"
 * resolve while route_tables load); attachment and route table names are
 * per transit gateway. Everything else loads last (position 150), when
 * ports, subnets, the internet gateway, GWLBs, gateway endpoints and the VPC
 * route tables are known: a port attachment needs a port of its own, and a
 * route "tgw:NAME" is resolved to the attachment of its table's VPC
 * (cfg_route.ref2: its gid), which must exist. docs/config.md "Transit gateways".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg.h"
#include "config/cfg_ld.h"

/* ---- pass 1 and route targets ----------------------------------------- */

void
ld_names_tgws(struct ld *ld)
{
	struct cfg *c = ld->cfg;

	LD_NAMES(ld, ld->root, "", "transit_gateways", "transit gateway", c->tgws, c->n_tgws);
}

int
ld_tgw_ref(struct ld *ld, const struct fld *f, const char *name, int *idx)
{
	const struct cfg *c = ld->cfg;

	*idx = LD_FIND(c->tgws, c->n_tgws, name);
	if (*idx < 0) {
		ld_error(ld, f->s, f->path, "unknown transit gateway \"%s\"", name);
		return -1;
	}
	return 1;
}

/* ---- attachments ------------------------------------------------------ */

/* A port attachment's port: known, and carrying nothing else of vpcgw's
 * (its packets are told apart by the port they arrive on). */
static void
att_port_check(struct ld *ld, const struct fld *f, int ti, int ai)
{
	const struct cfg *c = ld->cfg;
	int port = c->tgws[ti].atts[ai].port;
	const char *what = NULL;
	char other[2 * CFG_NAME_MAX + 64];

	for (int i = 0; i < c->n_subnets && what == NULL; i++)
		if (c->subnets[i].port == port)
			what = "subnets";
	if (what == NULL && c->igw.present && c->igw.port == port)
		what = "the internet gateway";
	for (int i = 0; i < c->n_gwlbs && what == NULL; i++)
		if (c->gwlbs[i].port == port)
			what = "GWLB appliances";
	for (int i = 0; i < c->n_gateway_endpoints && what == NULL; i++)
		if (c->gateway_endpoints[i].port == port)
			what = "a gateway endpoint";
	for (int t = 0; t <= ti && what == NULL; t++)
		for (int a = 0; a < (t < ti ? c->tgws[t].n_atts : ai) && what == NULL; a++)
			if (c->tgws[t].atts[a].vpc < 0 && c->tgws[t].atts[a].port == port) {
				snprintf(other, sizeof(other), "attachment \"%s\" of transit gateway "
					 "\"%s\"", c->tgws[t].atts[a].name, c->tgws[t].name);
				what = other;
			}
	if (what != NULL)
		ld_error(ld, f->s, f->path, "port \"%s\" carries %s: a port attachment needs a port "
			 "of its own (its traffic is told apart by port)", c->ports[port].name, what);
}

static void
att_subnets(struct ld *ld, const config_setting_t *e, const char *p,
	    struct cfg_tgw_attachment *a)
{
	const struct cfg *c = ld->cfg;
	char q[PATH_LEN];
	struct fld f;
	int n, sn;

	if (ld_get_list(ld, e, p, "subnets", true, T_SEQ, &f) <= 0)
		return;
	n = ld_list_len(&f);
	if (n == 0) {
		ld_error(ld, f.s, f.path, "a VPC attachment needs at least one subnet");
		return;
	}
	a->subnets = ld_calloc(ld, (size_t)n, sizeof(*a->subnets));
	if (a->subnets == NULL)
		return;
	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(f.s, i);
		int j;

		ld_path_idx(q, f.path, i);
		if (ld_ref_of(ld, s, q, REF_SUBNET, &sn) <= 0)
			continue;
		if (a->vpc >= 0 && c->subnets[sn].vpc != a->vpc) {
			ld_error(ld, s, q, "subnet \"%s\" is in VPC \"%s\", not in the attachment's "
				 "VPC \"%s\"", c->subnets[sn].name, c->vpcs[c->subnets[sn].vpc].name,
				 c->vpcs[a->vpc].name);
			continue;
		}
		for (j = 0; j < a->n_subnets && a->subnets[j] != sn; j++)
			;
		if (j < a->n_subnets) {
			ld_error(ld, s, q, "subnet \"%s\" is listed twice", c->subnets[sn].name);
			continue;
		}
		a->subnets[a->n_subnets++] = sn;
	}
}

/* Attachment a's route_table (association) and propagate (route tables of g). */
static void
att_tables(struct ld *ld, const config_setting_t *e, const char *p, const struct cfg_tgw *g,
	   struct cfg_tgw_attachment *a)
{
	char q[PATH_LEN];
	struct fld f;
	const char *v;
	int k;

	if (ld_get_str(ld, e, p, "route_table", false, &f, &v) > 0) {
		a->route_table = LD_FIND(g->rtables, g->n_rtables, v);
		if (a->route_table < 0)
			ld_error(ld, f.s, f.path, "unknown route table \"%s\" of transit gateway "
				 "\"%s\"", v, g->name);
	}
	if (ld_get_list(ld, e, p, "propagate", false, T_SEQ, &f) <= 0)
		return;
	for (int i = 0; i < ld_list_len(&f); i++) {
		const config_setting_t *s = config_setting_get_elem(f.s, i);

		ld_path_idx(q, f.path, i);
		if (ld_str_of(ld, s, q, &v) < 0)
			continue;
		k = LD_FIND(g->rtables, g->n_rtables, v);
		if (k < 0 || k >= CFG_MAX_TGW_RTABLES)
			ld_error(ld, s, q, "unknown route table \"%s\" of transit gateway \"%s\"", v,
				 g->name);
		else if (a->propagate & (1ull << k))
			ld_error(ld, s, q, "route table \"%s\" is listed twice", v);
		else
			a->propagate |= 1ull << k;
	}
}

static void
load_att(struct ld *ld, const config_setting_t *e, const char *p, int ti, int ai)
{
	static const char *const keys[] = {
		"name", "vpc", "subnets", "route_table", "propagate", "port", "next_hop", NULL
	};
	struct cfg *c = ld->cfg;
	struct cfg_tgw *g = &c->tgws[ti];
	struct cfg_tgw_attachment *a = &g->atts[ai];
	bool has_vpc, has_port;
	struct fld f;

	a->vpc = a->port = a->route_table = -1;
	a->gid = c->n_tgw_atts++;
	if (!ld_group(ld, e, p, keys))
		return;
	has_vpc = config_setting_get_member(e, "vpc") != NULL;
	has_port = config_setting_get_member(e, "port") != NULL;
	if (has_vpc && has_port) {
		ld_fld_get(ld, e, p, "port", true, &f);
		ld_error(ld, f.s, f.path, "an attachment is to a VPC (vpc, subnets) or to a port "
			 "(port, next_hop), not both");
		return;
	}
	if (!has_vpc && !has_port) {
		ld_error(ld, e, p, "an attachment needs vpc (and subnets) or port (and next_hop)");
		return;
	}
	if (has_vpc) {
		a->vpc = ld_vpc_ref(ld, e, p);
		if (ld_fld_get(ld, e, p, "next_hop", false, &f))
			ld_error(ld, f.s, f.path, "next_hop is for a port attachment");
		att_subnets(ld, e, p, a);
		for (int j = 0; j < ai && a->vpc >= 0; j++)
			if (g->atts[j].vpc == a->vpc) {
				ld_fld_get(ld, e, p, "vpc", true, &f);
				ld_error(ld, f.s, f.path, "VPC \"%s\" is already attached to transit "
					 "gateway \"%s\" (attachment \"%s\")", c->vpcs[a->vpc].name,
					 g->name, g->atts[j].name);
				break;
			}
	} else {
		if (ld_fld_get(ld, e, p, "subnets", false, &f))
			ld_error(ld, f.s, f.path, "subnets are for a VPC attachment");
		if (ld_get_ref(ld, e, p, "port", true, REF_PORT, &f, &a->port) > 0) {
			struct fld nh;

			att_port_check(ld, &f, ti, ai);
			if (ld_get_ipv4(ld, e, p, "next_hop", true, &nh, &a->next_hop) > 0)
				ld_check_on_port(ld, a->port, a->next_hop, &nh);
		} else {
			a->port = -1;
		}
	}
	att_tables(ld, e, p, g, a);
}

/* ---- route tables ----------------------------------------------------- */

static void
load_tgw_route(struct ld *ld, const config_setting_t *e, const char *p, const struct cfg_tgw *g,
	       struct cfg_tgw_rtable *t)
{
	static const char *const keys[] = { "destination", "attachment", "target", NULL };
	struct cfg_tgw_route *r = &t->routes[t->n_routes];
	char a[CFG_NAME_MAX];
	struct fld d, f;
	const char *v;
	bool has_att, has_tgt;

	if (!ld_group(ld, e, p, keys))
		return;
	if (ld_get_str(ld, e, p, "destination", true, &d, &v) <= 0)
		return;
	if (strchr(v, ':') != NULL) {
		ld_error(ld, d.s, d.path, "\"%s\": IPv6 through a transit gateway is not built yet",
			 v);
		return;
	}
	if (ld_prefix_str(ld, d.s, d.path, v, &r->dst) < 0)
		return;
	has_att = config_setting_get_member(e, "attachment") != NULL;
	has_tgt = config_setting_get_member(e, "target") != NULL;
	if (has_att == has_tgt) {
		ld_error(ld, e, p, has_att ? "a route has attachment or target, not both" :
			 "a route needs attachment = NAME or target = \"blackhole\"");
		return;
	}
	if (has_tgt) {
		if (ld_get_str(ld, e, p, "target", true, &f, &v) <= 0)
			return;
		if (strcmp(v, "blackhole") != 0) {
			ld_error(ld, f.s, f.path, "bad target \"%s\" (a transit gateway route goes to "
				 "an attachment, or to target \"blackhole\")", v);
			return;
		}
		r->att = -1;
	} else {
		if (ld_get_str(ld, e, p, "attachment", true, &f, &v) <= 0)
			return;
		r->att = LD_FIND(g->atts, g->n_atts, v);
		if (r->att < 0) {
			ld_error(ld, f.s, f.path, "unknown attachment \"%s\" of transit gateway \"%s\"",
				 v, g->name);
			return;
		}
	}
	for (int j = 0; j < t->n_routes; j++)
		if (t->routes[j].dst.addr == r->dst.addr && t->routes[j].dst.len == r->dst.len) {
			ld_prefix_fmt(a, sizeof(a), r->dst.addr, r->dst.len);
			ld_error(ld, d.s, d.path, "duplicate destination %s (first at line %d)", a,
				 t->routes[j].line);
			return;
		}
	r->line = ld_line(e);
	t->n_routes++;
}

static void
load_tgw_rtable(struct ld *ld, const config_setting_t *e, const char *p, const struct cfg_tgw *g,
		struct cfg_tgw_rtable *t)
{
	static const char *const keys[] = { "name", "routes", NULL };
	char q[PATH_LEN];
	struct fld f;

	if (!ld_group(ld, e, p, keys) || ld_get_list(ld, e, p, "routes", false, T_LIST, &f) <= 0)
		return;
	t->routes = ld_calloc(ld, (size_t)ld_list_len(&f), sizeof(*t->routes));
	for (int i = 0; t->routes != NULL && i < ld_list_len(&f); i++) {
		ld_path_idx(q, f.path, i);
		load_tgw_route(ld, config_setting_get_elem(f.s, i), q, g, t);
	}
}

/* ---- checks over everything ------------------------------------------- */

/* The prefixes attachment a of g propagates: its VPC's cidr, or (a port
 * attachment) the destinations of the static routes to it in any table of g. */
static int
att_prefixes(const struct cfg *c, const struct cfg_tgw *g, int a, struct cfg_prefix *out,
	     int max)
{
	int n = 0;

	if (g->atts[a].vpc >= 0) {
		out[0] = c->vpcs[g->atts[a].vpc].cidr;
		return 1;
	}
	for (int k = 0; k < g->n_rtables; k++)
		for (int j = 0; j < g->rtables[k].n_routes && n < max; j++) {
			const struct cfg_tgw_route *r = &g->rtables[k].routes[j];
			int x;

			if (r->att != a)
				continue;
			for (x = 0; x < n && (out[x].addr != r->dst.addr || out[x].len != r->dst.len);
			     x++)
				;
			if (x == n)
				out[n++] = r->dst;
		}
	return n;
}

static bool
rtable_has_static(const struct cfg_tgw_rtable *t, const struct cfg_prefix *x)
{
	for (int j = 0; j < t->n_routes; j++)
		if (t->routes[j].dst.addr == x->addr && t->routes[j].dst.len == x->len)
			return true;
	return false;
}

#define TGW_PROP_MAX 256

/* Two attachments propagating one prefix into one table, which has no
 * static route for it: which one wins would be a guess. */
static void
propagation_check(struct ld *ld, const config_setting_t *atl, const char *p, int ti)
{
	const struct cfg *c = ld->cfg;
	const struct cfg_tgw *g = &c->tgws[ti];
	struct cfg_prefix pi[TGW_PROP_MAX], pj[TGW_PROP_MAX];
	char q[PATH_LEN], r[PATH_LEN], a[CFG_NAME_MAX];

	for (int k = 0; k < g->n_rtables && k < CFG_MAX_TGW_RTABLES; k++)
		for (int j = 0; j < g->n_atts; j++) {
			int nj, ni, hit = 0;

			if (!(g->atts[j].propagate & (1ull << k)))
				continue;
			nj = att_prefixes(c, g, j, pj, TGW_PROP_MAX);
			for (int i = 0; i < j && !hit; i++) {
				if (!(g->atts[i].propagate & (1ull << k)))
					continue;
				ni = att_prefixes(c, g, i, pi, TGW_PROP_MAX);
				for (int x = 0; x < nj && !hit; x++)
					for (int y = 0; y < ni && !hit; y++) {
						if (pj[x].addr != pi[y].addr || pj[x].len != pi[y].len ||
						    rtable_has_static(&g->rtables[k], &pj[x]))
							continue;
						hit = 1;
						ld_path_idx(r, p, j);
						ld_path_key(q, r, "propagate");
						ld_prefix_fmt(a, sizeof(a), pj[x].addr, pj[x].len);
						ld_error(ld, config_setting_get_member(
							 config_setting_get_elem(atl, j), "propagate"), q,
							 "%s is propagated into route table \"%s\" by "
							 "\"%s\" and \"%s\": add a static route for it",
							 a, g->rtables[k].name, g->atts[i].name,
							 g->atts[j].name);
					}
			}
		}
}

static const config_setting_t *
vpc_route_target(const config_setting_t *tables, int t, int j)
{
	return config_setting_get_member(config_setting_get_elem(config_setting_get_member(
		config_setting_get_elem(tables, t), "routes"), j), "target");
}

/* Every VPC route "tgw:NAME": its table's VPC has an attachment to NAME,
 * which becomes the route's source attachment (ref2). */
static void
vpc_routes_check(struct ld *ld)
{
	struct cfg *c = ld->cfg;
	const config_setting_t *l = config_setting_get_member(ld->root, "route_tables");
	char path[PATH_LEN];

	for (int t = 0; t < c->n_route_tables; t++) {
		struct cfg_route_table *rt = &c->route_tables[t];
		int v = ld_rt_vpc(c, rt);

		for (int j = 0; j < rt->n_routes; j++) {
			struct cfg_route *r = &rt->routes[j];
			const struct cfg_tgw *g;

			if (r->kind != CFG_TARGET_TGW || r->ref < 0)
				continue;
			g = &c->tgws[r->ref];
			r->ref2 = -1;
			snprintf(path, sizeof(path), "route_tables[%d].routes[%d].target", t, j);
			if (r->v6) {
				ld_error(ld, vpc_route_target(l, t, j), path, "IPv6 through a transit "
					 "gateway is not built yet");
				continue;
			}
			if (c->igw.present && c->igw.route_table == t) {
				ld_error(ld, vpc_route_target(l, t, j), path, "route table \"%s\" is the "
					 "internet gateway's: a gateway route table cannot route to a "
					 "transit gateway", rt->name);
				continue;
			}
			if (v < 0)
				v = 0;      /* a table no subnet uses: the first VPC's (dp_tables.c) */
			for (int a = 0; a < g->n_atts && r->ref2 < 0; a++)
				if (g->atts[a].vpc == v)
					r->ref2 = g->atts[a].gid;
			if (r->ref2 < 0)
				ld_error(ld, vpc_route_target(l, t, j), path, "VPC \"%s\" of route table "
					 "\"%s\" has no attachment to transit gateway \"%s\"",
					 c->vpcs[v].name, rt->name, g->name);
		}
	}
}

/* ---- the section ------------------------------------------------------ */

static void
load_tgw(struct ld *ld, const config_setting_t *e, const char *p, int ti)
{
	static const char *const keys[] = { "name", "attachments", "route_tables", NULL };
	struct cfg_tgw *g = &ld->cfg->tgws[ti];
	char q[PATH_LEN];
	struct fld fa, fr;

	if (!ld_group(ld, e, p, keys))
		return;
	/* names of both lists first: attachments name tables, routes name attachments */
	if (ld_get_list(ld, e, p, "route_tables", false, T_LIST, &fr) > 0)
		LD_NAMES(ld, e, p, "route_tables", "route table", g->rtables, g->n_rtables);
	if (ld_get_list(ld, e, p, "attachments", false, T_LIST, &fa) > 0)
		LD_NAMES(ld, e, p, "attachments", "attachment", g->atts, g->n_atts);
	if (g->n_rtables > CFG_MAX_TGW_RTABLES)
		ld_error(ld, fr.s, fr.path, "too many route tables (%d, max %d)", g->n_rtables,
			 CFG_MAX_TGW_RTABLES);
	for (int i = 0; i < g->n_rtables; i++) {
		ld_path_idx(q, fr.path, i);
		load_tgw_rtable(ld, config_setting_get_elem(fr.s, i), q, g, &g->rtables[i]);
	}
	for (int i = 0; i < g->n_atts; i++) {
		ld_path_idx(q, fa.path, i);
		load_att(ld, config_setting_get_elem(fa.s, i), q, ti, i);
	}
	/* routes were read before the attachments' names could be checked
	 * against anything else: now the propagations */
	if (g->n_atts > 0)
		propagation_check(ld, fa.s, fa.path, ti);
}

void
ld_load_tgws(struct ld *ld)
{
	struct cfg *c = ld->cfg;
	char p[PATH_LEN];
	struct fld f;

	if (ld_get_list(ld, ld->root, "", "transit_gateways", false, T_LIST, &f) > 0) {
		for (int i = 0; i < c->n_tgws; i++) {
			ld_path_idx(p, f.path, i);
			load_tgw(ld, config_setting_get_elem(f.s, i), p, i);
		}
		if (c->n_tgw_atts > CFG_MAX_TGW_ATTACHMENTS)
			ld_error(ld, f.s, f.path, "too many transit gateway attachments (%d, max %d)",
				 c->n_tgw_atts, CFG_MAX_TGW_ATTACHMENTS);
	}
	vpc_routes_check(ld);
}

void
cfg_tgw_free(struct cfg *cfg)
{
	for (int i = 0; i < cfg->n_tgws; i++) {
		struct cfg_tgw *g = &cfg->tgws[i];

		for (int j = 0; g->atts != NULL && j < g->n_atts; j++)
			free(g->atts[j].subnets);
		for (int j = 0; g->rtables != NULL && j < g->n_rtables; j++)
			free(g->rtables[j].routes);
		free(g->atts);
		free(g->rtables);
	}
	free(cfg->tgws);
	cfg->tgws = NULL;
	cfg->n_tgws = 0;
}
