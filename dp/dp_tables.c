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
#include <rte_fib.h>

#include "dp/dp.h"
#include "dp/dp_service.h"
#include "dp/ip6.h"

#define FIB_RULES 4096

/*
 * Route tables are rte_fib DIR24_8 with the smallest next-hop size that
 * holds their route count: a table of up to 127 routes costs a 16 MB tbl24
 * (1-byte entries) instead of rte_lpm's fixed 64 MB. A next hop of
 * DP_FIB_NONE means no route.
 */

static struct rte_fib *
fib_new(uint64_t gen, const char *what, int idx, uint32_t n_nh)
{
	struct rte_fib_conf c = {
		.type = RTE_FIB_DIR24_8,
		.default_nh = DP_FIB_NONE(n_nh),
		.max_routes = FIB_RULES,
		.dir24_8 = {
			.nh_sz = n_nh < 127 ? RTE_FIB_DIR24_8_1B :
				 n_nh < 32767 ? RTE_FIB_DIR24_8_2B : RTE_FIB_DIR24_8_4B,
			/* tbl8 groups are indexed by the next-hop field too */
			.num_tbl8 = n_nh < 127 ? 100 : 1024,
		},
	};
	char name[64];

	snprintf(name, sizeof(name), "%s%d_%" PRIu64, what, idx, gen);
	return rte_fib_create(name, (int)rte_socket_id(), &c);
}

static int
rtable_build(struct dp_rtable *rt, const struct cfg *cfg, const struct cfg_route_table *ct,
	     uint64_t gen, int idx)
{
	int n = ct != NULL ? ct->n_routes : 0;

	rt->fib = fib_new(gen, "rt", idx, (uint32_t)n + 1);
	rt->routes = calloc((size_t)n + 1, sizeof(*rt->routes));
	if (rt->fib == NULL || rt->routes == NULL)
		return -ENOMEM;
	rt->none = DP_FIB_NONE((uint32_t)n + 1);
	/* route 0: the implicit local route of the VPC */
	rt->routes[0].kind = CFG_TARGET_LOCAL;
	if (rte_fib_add(rt->fib, cfg->vpc_cidr.addr, cfg->vpc_cidr.len, 0) < 0)
		return -ENOSPC;
	for (int i = 0; i < n; i++) {
		const struct cfg_route *r = &ct->routes[i];

		rt->routes[i + 1].kind = (uint8_t)r->kind;
		rt->routes[i + 1].ref = (uint16_t)r->ref;
		rt->routes[i + 1].ref2 = (uint16_t)r->ref2;
		if (rte_fib_add(rt->fib, r->dst.addr, r->dst.len, (uint64_t)i + 1) < 0)
			return -ENOSPC;
	}
	rt->n_routes = (uint32_t)n + 1;
	return 0;
}

static void
rtable_free(struct dp_rtable *rt)
{
	rte_fib_free(rt->fib);
	free(rt->routes);
}

int
dp_subnet_lookup_fib(const struct dp_tables *t, uint32_t addr_host)
{
	uint64_t nh;

	rte_fib_lookup_bulk(t->subnet_fib, &addr_host, &nh, 1);
	return nh == t->subnet_none ? -1 : (int)nh;
}

/*
 * Subnets tile the VPC CIDR, so the subnet of an address is one array read:
 * one entry per block of the longest subnet prefix. Used when that array has
 * at most 2^16 entries (a /16 VPC with subnets up to /28, AWS's range);
 * otherwise the FIB answers.
 */
#define SUBNET_ARR_MAX_BITS 16

static int
subnet_arr_build(struct dp_tables *t, const struct cfg *cfg)
{
	unsigned longest = cfg->vpc_cidr.len, bits;

	for (int i = 0; i < cfg->n_subnets; i++)
		longest = RTE_MAX(longest, (unsigned)cfg->subnets[i].cidr.len);
	bits = longest - cfg->vpc_cidr.len;
	if (bits > SUBNET_ARR_MAX_BITS || cfg->n_subnets > INT16_MAX)
		return 0;
	t->subnet_arr = malloc(sizeof(*t->subnet_arr) << bits);
	if (t->subnet_arr == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < 1u << bits; i++)
		t->subnet_arr[i] = -1;
	/* longest prefixes last: a longer subnet inside a shorter one wins
	 * (the loader refuses overlaps; this only keeps LPM semantics) */
	for (unsigned len = cfg->vpc_cidr.len; len <= longest; len++)
		for (int i = 0; i < cfg->n_subnets; i++) {
			const struct cfg_prefix *p = &cfg->subnets[i].cidr;
			uint32_t first, n;

			if (p->len != len)
				continue;
			first = (p->addr - cfg->vpc_cidr.addr) >> (32 - longest);
			n = 1u << (longest - len);
			for (uint32_t j = 0; j < n; j++)
				t->subnet_arr[first + j] = (int16_t)i;
		}
	t->subnet_base = cfg->vpc_cidr.addr;
	t->subnet_span = (uint32_t)(1ull << (32 - cfg->vpc_cidr.len));
	t->subnet_shift = (uint8_t)(32 - longest);
	return 0;
}

static int
check_limits(const struct cfg *cfg, char *err, size_t errlen)
{
	int targets = 0, listeners = 0, appliances = 0;

	for (int i = 0; i < cfg->n_target_groups; i++)
		targets += cfg->target_groups[i].n_targets;
	for (int i = 0; i < cfg->n_nlbs; i++)
		listeners += cfg->nlbs[i].n_listeners;
	for (int i = 0; i < cfg->n_gwlbs; i++)
		appliances += cfg->gwlbs[i].n_appliances;
	if (cfg->n_nat_gateways > DP_MAX_NATGW || cfg->n_nlbs > DP_MAX_NLB ||
	    listeners > DP_MAX_LISTENERS || targets > DP_MAX_TARGETS ||
	    cfg->n_gwlbs > DP_MAX_GWLB || appliances > DP_MAX_APPLIANCES ||
	    cfg->n_enis > DP_MAX_ENIS || cfg->n_sgs > DP_MAX_SGS) {
		snprintf(err, errlen,
			 "%s: over a built-in limit (NAT gateways %d, NLBs %d, listeners %d, "
			 "targets %d, GWLBs %d, appliances %d, interfaces %d, security groups %d)",
			 cfg->file, DP_MAX_NATGW, DP_MAX_NLB, DP_MAX_LISTENERS, DP_MAX_TARGETS,
			 DP_MAX_GWLB, DP_MAX_APPLIANCES, DP_MAX_ENIS, DP_MAX_SGS);
		return -E2BIG;
	}
	return 0;
}

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

	t->subnet_fib = fib_new(gen, "sn", 0, (uint32_t)cfg->n_subnets);
	if (t->subnet_fib == NULL)
		goto nomem;
	t->subnet_none = DP_FIB_NONE((uint32_t)cfg->n_subnets);
	for (int i = 0; i < cfg->n_subnets; i++)
		if (rte_fib_add(t->subnet_fib, cfg->subnets[i].cidr.addr, cfg->subnets[i].cidr.len,
				(uint64_t)i) < 0)
			goto nomem;
	if (subnet_arr_build(t, cfg) < 0)
		goto nomem;

	t->rtables = calloc((size_t)cfg->n_route_tables + 1, sizeof(*t->rtables));
	if (t->rtables == NULL)
		goto nomem;
	for (int i = 0; i < cfg->n_route_tables; i++)
		if (rtable_build(&t->rtables[i], cfg, &cfg->route_tables[i], gen, i) < 0)
			goto nomem;
	if (rtable_build(&t->local_rt, cfg, NULL, gen, 999) < 0)
		goto nomem;

	/* local addresses */
	n_local = (uint32_t)(cfg->n_ports + cfg->n_subnets + cfg->igw.n_eips + 2 * cfg->n_nlbs +
			     DP_MAX_NAT_ADDRS);
	if (dp_map_init(&t->local, n_local) < 0 ||
	    dp_map_init(&t->eip_by_private, (uint32_t)cfg->igw.n_eips) < 0 ||
	    dp_map_init(&t->nlb_by_private, (uint32_t)cfg->n_nlbs) < 0)
		goto nomem;
	for (int i = 0; i < cfg->n_ports; i++)
		dp_map_set(&t->local, cfg->ports[i].addr, DP_LOCAL_VAL(DP_LOCAL_ROUTER, i, 0));
	for (int i = 0; i < cfg->n_subnets; i++)
		dp_map_set(&t->local, cfg->subnets[i].cidr.addr + 1,
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

		t->subnet_rt[i].rt = rt >= 0 ? &t->rtables[rt] : &t->local_rt;
		t->subnet_rt[i].port = (uint16_t)cfg->subnets[i].port;
		t->subnet_rt[i].nacl = cfg->subnets[i].nacl >= 0;
		t->any_subnet_nacl |= t->subnet_rt[i].nacl;
	}

	if (dp_ip6_tables_build(t, cfg, gen) < 0)
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
	dp_map_free(&t->local);
	free(t->subnet_rt);
	dp_map_free(&t->eip_by_private);
	dp_map_free(&t->nlb_by_private);
	if (t->rtables != NULL)
		for (int i = 0; i < t->cfg->n_route_tables; i++)
			rtable_free(&t->rtables[i]);
	free(t->rtables);
	rtable_free(&t->local_rt);
	rte_fib_free(t->subnet_fib);
	free(t->subnet_arr);
	free(t);
}
