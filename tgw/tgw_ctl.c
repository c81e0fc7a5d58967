/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Transit gateways, control side (tgw/tgw.h): the route tables of one table
 * generation, with their propagated and static routes. Control thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg.h"
#include "dp/dp.h"
#include "dp/dp_lpm.h"
#include "dp/dp_service.h"
#include "tgw/tgw.h"

/* Prefixes of route table k of g: what its attachments propagate into it
 * first, then its static routes (of equal prefixes the later wins). n is the
 * room in p; returns the count. */
static unsigned
table_prefixes(const struct cfg *cfg, const struct cfg_tgw *g, int base, int k,
	       struct dp_lpm_prefix *p)
{
	unsigned n = 0;

	for (int a = 0; a < g->n_atts; a++) {
		const struct cfg_tgw_attachment *at = &g->atts[a];

		if (!(at->propagate & (1ull << k)))
			continue;
		if (at->vpc >= 0) {
			p[n++] = (struct dp_lpm_prefix){ cfg->vpcs[at->vpc].cidr.addr,
							 cfg->vpcs[at->vpc].cidr.len,
							 (uint32_t)(base + a) };
			continue;
		}
		/* a port attachment propagates its static routes (SPEC §8) */
		for (int t = 0; t < g->n_rtables; t++)
			for (int j = 0; j < g->rtables[t].n_routes; j++)
				if (g->rtables[t].routes[j].att == a)
					p[n++] = (struct dp_lpm_prefix){
						g->rtables[t].routes[j].dst.addr,
						g->rtables[t].routes[j].dst.len, (uint32_t)(base + a) };
	}
	for (int j = 0; j < g->rtables[k].n_routes; j++) {
		const struct cfg_tgw_route *r = &g->rtables[k].routes[j];

		p[n++] = (struct dp_lpm_prefix){ r->dst.addr, r->dst.len,
						 r->att < 0 ? TGW_BLACKHOLE : (uint32_t)(base + r->att) };
	}
	return n;
}

/*
 * The hop row of table tb (its n prefixes p) over the subnets (dp_tgw_att.hop):
 * for a subnet of a VPC with no zone, the VPC attachment its whole range
 * goes to when that attachment holds it and the subnet has no NACL;
 * DP_TGW_HOP_LPM when a route of the table is longer than the subnet and
 * inside it (its addresses may go apart); DP_TGW_HOP_NO otherwise
 * (blackhole, no route, another VPC, a port attachment, a NACL: the policy
 * stage decides and counts).
 */
static void
hop_row(const struct cfg *cfg, const struct dp_tgw *s, const struct dp_lpm *tb,
	const struct dp_lpm_prefix *p, unsigned n, uint16_t *row)
{
	for (int i = 0; i < cfg->n_subnets; i++) {
		const struct cfg_prefix *c = &cfg->subnets[i].cidr;
		uint32_t mask = c->len == 0 ? 0 : ~0u << (32 - c->len), d;
		bool split = false;

		for (unsigned j = 0; j < n && !split; j++)
			split = p[j].len > c->len && (p[j].addr & mask) == c->addr;
		d = dp_lpm_lookup(tb, c->addr);
		if (split)
			row[i] = DP_TGW_HOP_LPM;
		else if (dp_subnet_zone(cfg, i) != 0 || d >= TGW_BLACKHOLE ||
			 s->att[d].vpc != cfg->subnets[i].vpc || cfg->subnets[i].nacl >= 0)
			row[i] = DP_TGW_HOP_NO;
		else
			row[i] = (uint16_t)d;
	}
}

static void
tgw_free(struct dp_tables *t)
{
	struct dp_tgw *s = t->tgw;

	if (s == NULL)
		return;
	for (int i = 0; s->tables != NULL && i <= s->n_tables; i++)
		dp_lpm_free(&s->tables[i]);
	free(s->tables);
	free(s->hops);
	free(s);
	t->tgw = NULL;
}

static int
tgw_build(struct dp_tables *t, char *err, size_t errlen)
{
	const struct cfg *cfg = t->cfg;
	struct dp_lpm_prefix *p = NULL;
	struct dp_tgw *s;
	unsigned room = 0;
	int k = 0, gid = 0;
	bool rows;

	if (cfg->n_tgws == 0)
		return 0;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		goto nomem;
	t->tgw = s;
	for (int i = 0; i < cfg->n_tgws; i++) {
		const struct cfg_tgw *g = &cfg->tgws[i];
		unsigned r = 0;

		s->n_tables += g->n_rtables;
		for (int j = 0; j < g->n_rtables; j++)
			r += (unsigned)g->rtables[j].n_routes;
		/* every table: static routes, VPC cidrs, port attachments' routes */
		room = RTE_MAX(room, 2 * r + (unsigned)g->n_atts);
	}
	s->tables = calloc((size_t)s->n_tables + 1, sizeof(*s->tables));
	p = calloc((size_t)room + 1, sizeof(*p));
	if (s->tables == NULL || p == NULL)
		goto nomem;
	for (int i = 0; i < DP_MAX_PORTS; i++)
		s->port_att[i] = -1;
	/* the last table is empty: what an attachment without a route table uses */
	if (dp_lpm_build(&s->tables[s->n_tables], p, 0, TGW_NONE) < 0)
		goto nomem;
	/* the hop rows: one per table, the empty one's included (all "no");
	 * too many: one row for all, every entry "look it up" */
	rows = (uint64_t)(s->n_tables + 1) * (uint64_t)cfg->n_subnets <= DP_TGW_HOP_MAX;
	s->hops = malloc(((rows ? (size_t)s->n_tables : 0) + 1) * (size_t)(cfg->n_subnets + 1) *
			 sizeof(*s->hops));
	if (s->hops == NULL)
		goto nomem;
	for (int i = 0; i < cfg->n_subnets; i++)
		s->hops[(rows ? (size_t)s->n_tables : 0) * (size_t)cfg->n_subnets + (size_t)i] =
			rows ? DP_TGW_HOP_NO : DP_TGW_HOP_LPM;
	for (int i = 0; i < cfg->n_tgws; i++) {
		const struct cfg_tgw *g = &cfg->tgws[i];
		int first = k;

		/* the attachments' VPCs first: the hop rows read them */
		for (int a = 0; a < g->n_atts; a++)
			s->att[gid + a].vpc = (int16_t)g->atts[a].vpc;
		for (int j = 0; j < g->n_rtables; j++, k++) {
			unsigned n = table_prefixes(cfg, g, gid, j, p);

			if (dp_lpm_build(&s->tables[k], p, n, TGW_NONE) < 0)
				goto nomem;
			if (rows)
				hop_row(cfg, s, &s->tables[k], p, n,
					&s->hops[(size_t)k * (size_t)cfg->n_subnets]);
		}
		for (int a = 0; a < g->n_atts; a++, gid++) {
			const struct cfg_tgw_attachment *at = &g->atts[a];
			struct dp_tgw_att *x = &s->att[gid];
			int tb = at->route_table >= 0 ? first + at->route_table : s->n_tables;

			x->rt = s->tables[tb];      /* a copy */
			x->hop = &s->hops[rows ? (size_t)tb * (size_t)cfg->n_subnets : 0];
			if (at->port >= 0) {
				x->port = (uint16_t)at->port;
				x->nh = at->next_hop;
				s->port_att[at->port] = (int16_t)gid;
			}
		}
	}
	free(p);
	return 0;
nomem:
	free(p);
	tgw_free(t);
	snprintf(err, errlen, "%s: out of memory building the transit gateways' tables", cfg->file);
	return -ENOMEM;
}

const struct dp_service tgw_service = {
	.name = "tgw",
	.build = tgw_build,
	.free = tgw_free,
};
