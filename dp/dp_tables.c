/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Build the immutable lookup tables of one configuration generation.
 * Control thread only; the result is published by pointer swap (dp_ctl.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_lcore.h>

#include "dp/dp.h"
#include "dp/dp_service.h"
#include "dp/dp_check.h"
#include "dp/ip6.h"
#include "dp/vpce.h"

/*
 * Route tables and the subnet of an address are compact LPM tables
 * (dp_lpm.h): memory in proportion to the prefixes, so a VPC at AWS's quota
 * of 200 route tables of 50 routes costs a few MB, not 200 rte_fib DIR24_8
 * of 16 MB each.
 */

/* LPM entries route r takes: one per CIDR of its prefix list, none for an
 * IPv6 route (dp/ip6_tables.c), else one. */
static unsigned
route_prefixes(const struct cfg *cfg, const struct cfg_route *r)
{
	return r->has_pl ? (unsigned)cfg->prefix_lists[r->pl].n_cidrs : r->v6 ? 0 : 1;
}

/*
 * The VPC whose local route route table i holds (SPEC §8): that of the
 * subnets using it; -1 (every VPC) for the internet gateway's edge table,
 * which delivers into any VPC; the first VPC for a table nothing uses.
 */
static int
rtable_vpc(const struct cfg *cfg, int i)
{
	for (int j = 0; j < cfg->n_subnets; j++)
		if (cfg->subnets[j].route_table == i)
			return cfg->subnets[j].vpc;
	return cfg->igw.present && cfg->igw.route_table == i ? -1 : 0;
}

/* Route table ct (NULL: local only) whose local route covers VPC vpc's cidr
 * (-1: every VPC's; the VPCs the data plane runs do not overlap). */
static int
rtable_build(struct dp_rtable *rt, const struct cfg *cfg, const struct cfg_route_table *ct,
	     int vpc)
{
	int n = ct != NULL ? ct->n_routes : 0;
	unsigned n_loc = vpc < 0 && cfg->n_vpcs > 1 ? (unsigned)cfg->n_vpcs : 1;
	unsigned np = n_loc, k = 0;
	struct dp_lpm_prefix *p;
	int rc;

	for (int i = 0; i < n; i++)
		np += route_prefixes(cfg, &ct->routes[i]);
	p = calloc(np, sizeof(*p));
	rt->routes = calloc((size_t)n + 1, sizeof(*rt->routes));
	if (p == NULL || rt->routes == NULL) {
		free(p);
		return -ENOMEM;
	}
	/* route 0: the implicit local route of the VPC */
	rt->routes[0].kind = CFG_TARGET_LOCAL;
	if (cfg->n_vpcs <= 1)
		p[k++] = (struct dp_lpm_prefix){ cfg->vpc_cidr.addr, cfg->vpc_cidr.len, 0 };
	else
		for (int v = 0; v < cfg->n_vpcs; v++)
			if (vpc < 0 || v == vpc)
				p[k++] = (struct dp_lpm_prefix){ cfg->vpcs[v].cidr.addr,
								 cfg->vpcs[v].cidr.len, 0 };
	for (int i = 0; i < n; i++) {
		const struct cfg_route *r = &ct->routes[i];

		rt->routes[i + 1].kind = (uint8_t)r->kind;
		rt->routes[i + 1].ref = (uint16_t)r->ref;
		rt->routes[i + 1].ref2 = (uint16_t)r->ref2;
	}
	/* prefix lists first: of equal prefixes the later wins (dp_lpm_build),
	 * so a CIDR route beats a prefix list's entry for the same prefix */
	for (int i = 0; i < n; i++) {
		const struct cfg_route *r = &ct->routes[i];
		const struct cfg_prefix_list *pl = r->has_pl ? &cfg->prefix_lists[r->pl] : NULL;

		for (int j = 0; pl != NULL && j < pl->n_cidrs; j++)
			p[k++] = (struct dp_lpm_prefix){ pl->cidrs[j].addr, pl->cidrs[j].len,
							 (uint32_t)i + 1 };
	}
	for (int i = 0; i < n; i++) {
		const struct cfg_route *r = &ct->routes[i];

		if (!r->has_pl && !r->v6)
			p[k++] = (struct dp_lpm_prefix){ r->dst.addr, r->dst.len, (uint32_t)i + 1 };
	}
	rt->n_routes = (uint32_t)n + 1;
	rt->none = rt->n_routes;
	rc = dp_lpm_build(&rt->lpm, p, k, rt->n_routes);
	free(p);
	return rc;
}

static void
rtable_free(struct dp_rtable *rt)
{
	dp_lpm_free(&rt->lpm);
	free(rt->routes);
}

int
dp_subnet_lookup_fib(const struct dp_tables *t, uint32_t addr_host)
{
	uint32_t v = dp_lpm_lookup(&t->subnet_lpm, addr_host);

	return v == (uint32_t)t->cfg->n_subnets ? -1 : (int)v;
}

/*
 * Subnets tile the VPC CIDR, so the subnet of an address is one array read:
 * one entry per block of the longest subnet prefix. Used when that array has
 * at most 2^16 entries (a /16 VPC with subnets up to /28, AWS's range);
 * otherwise the LPM answers. Several VPCs (that do not overlap): one array
 * over the span from the lowest VPC cidr to the end of the highest, when
 * that span holds at most 2^16 blocks (VPCs next to each other, as
 * 10.0.0.0/16 and 10.1.0.0/16 with /24 subnets: 512 entries).
 */
#define SUBNET_ARR_MAX_BITS 16

static int
subnet_arr_build(struct dp_tables *t, const struct cfg *cfg)
{
	unsigned longest = cfg->vpc_cidr.len, shortest = cfg->vpc_cidr.len;
	uint64_t lo = cfg->vpc_cidr.addr, hi = lo + (1ull << (32 - cfg->vpc_cidr.len)), blocks;

	for (int i = 0; i < cfg->n_subnets; i++)
		longest = RTE_MAX(longest, (unsigned)cfg->subnets[i].cidr.len);
	for (int v = 0; cfg->n_vpcs > 1 && v < cfg->n_vpcs; v++) {
		if (cfg->vpcs[v].zone != 0)
			continue;           /* its own table (dp/vlan.c) */
		lo = RTE_MIN(lo, (uint64_t)cfg->vpcs[v].cidr.addr);
		hi = RTE_MAX(hi, cfg->vpcs[v].cidr.addr + (1ull << (32 - cfg->vpcs[v].cidr.len)));
		shortest = RTE_MIN(shortest, (unsigned)cfg->vpcs[v].cidr.len);
		longest = RTE_MAX(longest, (unsigned)cfg->vpcs[v].cidr.len);
	}
	blocks = (hi - lo) >> (32 - longest);
	if (blocks > 1u << SUBNET_ARR_MAX_BITS || hi - lo > UINT32_MAX ||
	    cfg->n_subnets > INT16_MAX)
		return 0;
	t->subnet_arr = malloc(sizeof(*t->subnet_arr) * blocks);
	if (t->subnet_arr == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < blocks; i++)
		t->subnet_arr[i] = -1;
	/* longest prefixes last: a longer subnet inside a shorter one wins
	 * (the loader refuses overlaps; this only keeps LPM semantics) */
	for (unsigned len = shortest; len <= longest; len++)
		for (int i = 0; i < cfg->n_subnets; i++) {
			const struct cfg_prefix *p = &cfg->subnets[i].cidr;
			uint32_t first, n;

			if (p->len != len || dp_subnet_zone(cfg, i) != 0)
				continue;
			first = (uint32_t)((p->addr - lo) >> (32 - longest));
			n = 1u << (longest - len);
			for (uint32_t j = 0; j < n; j++)
				t->subnet_arr[first + j] = (int16_t)i;
		}
	t->subnet_base = (uint32_t)lo;
	t->subnet_span = (uint32_t)(hi - lo);
	t->subnet_shift = (uint8_t)(32 - longest);
	return 0;
}

/* Several VPCs: the local-only table of each (subnets with no route table). */
static int
vpc_rt_build(struct dp_tables *t, const struct cfg *cfg)
{
	if (cfg->n_vpcs <= 1)
		return 0;
	t->vpc_rt = calloc((size_t)cfg->n_vpcs, sizeof(*t->vpc_rt));
	if (t->vpc_rt == NULL)
		return -ENOMEM;
	for (int v = 0; v < cfg->n_vpcs; v++)
		if (rtable_build(&t->vpc_rt[v], cfg, NULL, v) < 0)
			return -ENOMEM;
	return 0;
}

static int
subnet_lpm_build(struct dp_tables *t, const struct cfg *cfg)
{
	struct dp_lpm_prefix *p = calloc((size_t)cfg->n_subnets + 1, sizeof(*p));
	unsigned k = 0;
	int rc;

	if (p == NULL)
		return -ENOMEM;
	/* an overlapping VPC's subnets are in its zone's table (dp/vlan.c) */
	for (int i = 0; i < cfg->n_subnets; i++)
		if (dp_subnet_zone(cfg, i) == 0)
			p[k++] = (struct dp_lpm_prefix){ cfg->subnets[i].cidr.addr,
							 cfg->subnets[i].cidr.len, (uint32_t)i };
	rc = dp_lpm_build(&t->subnet_lpm, p, k, (uint32_t)cfg->n_subnets);
	free(p);
	return rc;
}

/* the first limit exceeded, into err (dp_limits_check() reports them all
 * at start and reload before the tables are built; this is the safety net) */
static void
first_error(void *arg, const char *msg)
{
	char *err = arg;

	if (err[0] == '\0')
		snprintf(err, 512, "%s", msg);
}

static int
check_limits(const struct cfg *cfg, char *err, size_t errlen)
{
	char first[512] = "";

	if (dp_limits_check(cfg, 0, first_error, first) == 0)
		return 0;
	snprintf(err, errlen, "%s", first);
	return -E2BIG;
}

/*
 * Build one generation of tables from cfg. Long (~90 lines) because it is
 * the list of what a generation holds, built in dependency order with one
 * unwind path; each item is a call.
 */
struct dp_tables *
dp_tables_build(struct cfg *cfg, uint64_t gen, char *err, size_t errlen)
{
	struct dp_tables *t;
	uint32_t n_local;

	if (check_limits(cfg, err, errlen) < 0)
		return NULL;
	/* the first tables need the stages that will read them (once) */
	if (dp_pipeline_init(err, errlen) < 0)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		goto nomem;
	t->cfg = cfg;
	t->generation = gen;

	if (subnet_lpm_build(t, cfg) < 0 || subnet_arr_build(t, cfg) < 0)
		goto nomem;

	t->rtables = calloc((size_t)cfg->n_route_tables + 1, sizeof(*t->rtables));
	if (t->rtables == NULL)
		goto nomem;
	for (int i = 0; i < cfg->n_route_tables; i++)
		if (rtable_build(&t->rtables[i], cfg, &cfg->route_tables[i], rtable_vpc(cfg, i)) < 0)
			goto nomem;
	if (rtable_build(&t->local_rt, cfg, NULL, -1) < 0 || vpc_rt_build(t, cfg) < 0)
		goto nomem;

	/* local addresses */
	n_local = (uint32_t)(cfg->n_ports + cfg->n_subnets + cfg->igw.n_eips + 2 * cfg->n_nlbs +
			     DP_MAX_NAT_ADDRS);
	if (dp_map_init(&t->local, n_local) < 0 ||
	    dp_map_init(&t->eip_by_private, (uint32_t)cfg->igw.n_eips) < 0 ||
	    dp_map_init(&t->nlb_by_private, (uint32_t)cfg->n_nlbs) < 0)
		goto nomem;
	for (int i = 0; i < cfg->n_ports; i++)
		if (cfg->ports[i].vlan == 0)    /* a VLAN port answers for its subnets' */
			dp_map_set(&t->local, cfg->ports[i].addr,
				   DP_LOCAL_VAL(DP_LOCAL_ROUTER, i, 0));
	for (int i = 0; i < cfg->n_subnets; i++)
		dp_map_set(&t->local, dp_local_key(cfg->subnets[i].cidr.addr + 1,
						   dp_subnet_zone(cfg, i)),
			   DP_LOCAL_VAL(DP_LOCAL_ROUTER, cfg->subnets[i].port, 0));
	if (cfg->igw.present) {
		for (int i = 0; i < cfg->n_nat_gateways; i++)
			for (int a = 0; a < cfg->nat_gateways[i].n_addrs; a++)
				dp_map_set(&t->local, cfg->nat_gateways[i].addrs[a],
					   DP_LOCAL_VAL(DP_LOCAL_NAT, cfg->igw.port,
							(uint32_t)(i * CFG_MAX_NAT_ADDRS + a)));
		for (int i = 0; i < cfg->igw.n_eips; i++) {
			dp_map_set(&t->local, cfg->igw.eips[i].public_addr,
				   DP_LOCAL_VAL(DP_LOCAL_EIP, cfg->igw.port, i));
			dp_map_set(&t->eip_by_private, cfg->igw.eips[i].private_addr, (uint32_t)i);
		}
	}
	for (int i = 0; i < cfg->n_nlbs; i++) {
		const struct cfg_nlb *nlb = &cfg->nlbs[i];

		dp_map_set(&t->local, nlb->addr,
			   DP_LOCAL_VAL(DP_LOCAL_NLB, cfg->subnets[nlb->subnet].port, i));
		if (nlb->public_addr != 0 && cfg->igw.present) {
			dp_map_set(&t->local, nlb->public_addr,
				   DP_LOCAL_VAL(DP_LOCAL_NLB_PUBLIC, cfg->igw.port, i));
			dp_map_set(&t->nlb_by_private, nlb->addr, (uint32_t)i);
		}
	}

	for (uint32_t i = 0; i <= t->local.mask; i++)
		if (t->local.keys[i] != DP_MAP_EMPTY) {
			uint32_t b = dp_local_bit((uint32_t)t->local.keys[i]);

			t->local_filter[b >> 6] |= 1ull << (b & 63);
		}
	t->subnet_rt = calloc((size_t)cfg->n_subnets + 1, sizeof(*t->subnet_rt));
	if (t->subnet_rt == NULL)
		goto nomem;
	for (int i = 0; i < cfg->n_subnets; i++) {
		int rt = cfg->subnets[i].route_table;

		t->subnet_rt[i].rt = rt >= 0 ? &t->rtables[rt] :
				     t->vpc_rt != NULL ? &t->vpc_rt[cfg->subnets[i].vpc] : &t->local_rt;
		t->subnet_rt[i].port = (uint16_t)cfg->subnets[i].port;
		t->subnet_rt[i].nacl = cfg->subnets[i].nacl >= 0;
		t->subnet_rt[i].vpc = (int16_t)cfg->subnets[i].vpc;
		t->any_subnet_nacl |= t->subnet_rt[i].nacl;
	}

	if (dp_zone_tables_build(t, cfg) < 0 || dp_ip6_tables_build(t, cfg, gen) < 0)
		goto nomem;
	if (dp_vpce_build(t) < 0)
		goto nomem;
	if (dp_services_build(t, err, errlen) < 0) {
		dp_tables_free(t);
		return NULL;
	}
	return t;
nomem:
	snprintf(err, errlen, "%s: out of memory building tables", cfg->file);
	dp_tables_free(t);
	return NULL;
}

void
dp_tables_free(struct dp_tables *t)
{
	if (t == NULL)
		return;
	dp_services_free(t);
	dp_ip6_tables_free(t);
	dp_vpce_free(t);
	dp_map_free(&t->local);
	dp_zone_tables_free(t);
	free(t->subnet_rt);
	dp_map_free(&t->eip_by_private);
	dp_map_free(&t->nlb_by_private);
	if (t->rtables != NULL)
		for (int i = 0; i < t->cfg->n_route_tables; i++)
			rtable_free(&t->rtables[i]);
	free(t->rtables);
	rtable_free(&t->local_rt);
	for (int i = 0; t->vpc_rt != NULL && i < t->cfg->n_vpcs; i++)
		rtable_free(&t->vpc_rt[i]);
	free(t->vpc_rt);
	dp_lpm_free(&t->subnet_lpm);
	free(t->subnet_arr);
	free(t);
}
