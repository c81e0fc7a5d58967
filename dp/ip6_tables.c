/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IPv6 tables of one configuration generation (struct dp_ip6), built on
 * the control thread beside the IPv4 ones (dp/dp_tables.c).
 *
 * Route tables are rte_fib6 TRIE. A trie costs a 2^24-entry tbl24 (32 MB
 * with 2-byte next hops), so only a route table with IPv6 routes of its own
 * gets one; every other table holds only the implicit local route (the
 * VPC's /56), which ip6_input checks with a compare.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_fib6.h>
#include <rte_lcore.h>

#include "dp/dp.h"
#include "dp/ip6.h"

#define FIB6_RULES 1024
#define FIB6_NONE 0x7fff            /* no route: the largest 2-byte trie next hop */

/* fe80::/64 with the modified EUI-64 of mac (RFC 4291 appendix A). */
void
dp_ip6_link_local(uint8_t out[16], const struct rte_ether_addr *mac)
{
	const uint8_t *b = mac->addr_bytes;

	memset(out, 0, 16);
	out[0] = 0xfe;
	out[1] = 0x80;
	out[8] = b[0] ^ 0x02;
	out[9] = b[1];
	out[10] = b[2];
	out[11] = 0xff;
	out[12] = 0xfe;
	out[13] = b[3];
	out[14] = b[4];
	out[15] = b[5];
}

static int
rtable6_build(struct dp_rtable6 *rt, const struct cfg *cfg, const struct cfg_route_table *ct,
	      uint64_t gen, int idx)
{
	struct rte_fib6_conf c = {
		.type = RTE_FIB6_TRIE,
		.default_nh = FIB6_NONE,
		.max_routes = FIB6_RULES,
		.trie = { .nh_sz = RTE_FIB6_TRIE_2B, .num_tbl8 = 512 },
	};
	uint32_t n6 = 0, k = 1;
	char name[64];

	for (int i = 0; ct != NULL && i < ct->n_routes; i++)
		n6 += ct->routes[i].v6;
	if (n6 + 1 >= FIB6_NONE)
		return -E2BIG;
	rt->routes = calloc(n6 + 1, sizeof(*rt->routes));
	if (rt->routes == NULL)
		return -ENOMEM;
	rt->routes[0].kind = CFG_TARGET_LOCAL;
	rt->n_routes = n6 + 1;
	rt->none = FIB6_NONE;
	if (n6 == 0)
		return 0;
	snprintf(name, sizeof(name), "rt6_%d_%" PRIu64, idx, gen);
	rt->fib = rte_fib6_create(name, (int)rte_socket_id(), &c);
	if (rt->fib == NULL)
		return -ENOMEM;
	if (cfg->has_vpc6 && rte_fib6_add(rt->fib, cfg->vpc_cidr6.addr, cfg->vpc_cidr6.len, 0) < 0)
		return -ENOSPC;
	for (int i = 0; i < ct->n_routes; i++) {
		const struct cfg_route *r = &ct->routes[i];

		if (!r->v6)
			continue;
		rt->routes[k].kind = (uint8_t)r->kind;
		rt->routes[k].ref = (uint16_t)r->ref;
		rt->routes[k].ref2 = (uint16_t)r->ref2;
		if (rte_fib6_add(rt->fib, r->dst6.addr, r->dst6.len, k) < 0)
			return -ENOSPC;
		k++;
	}
	return 0;
}

static void
rtable6_free(struct dp_rtable6 *rt)
{
	rte_fib6_free(rt->fib);
	free(rt->routes);
}

/* A subnet whose IPv6 traffic would need NACL or security-group checks. */
static bool
subnet_filtered(const struct cfg *cfg, int sn)
{
	if (cfg->subnets[sn].nacl >= 0)
		return true;
	for (int i = 0; i < cfg->n_enis; i++)
		if (cfg->enis[i].subnet == sn)
			return true;
	return false;
}

/* A subnet whose route table sends some IPv6 destination to an egress-only
 * internet gateway: what comes back from there must belong to a flow. */
static bool
subnet_eigw(const struct cfg *cfg, int sn)
{
	int rt = cfg->subnets[sn].route_table;

	for (int i = 0; rt >= 0 && i < cfg->route_tables[rt].n_routes; i++)
		if (cfg->route_tables[rt].routes[i].v6 &&
		    cfg->route_tables[rt].routes[i].kind == CFG_TARGET_EIGW)
			return true;
	return false;
}

int
dp_ip6_tables_build(struct dp_tables *t, const struct cfg *cfg, uint64_t gen)
{
	struct dp_ip6 *x;
	bool any = false;
	int rc;

	for (int i = 0; i < cfg->n_ports; i++)
		any |= cfg->ports[i].has_addr6;
	if (!cfg->has_vpc6 && !any)
		return 0;           /* IPv4 only: IPv6 stays ipv6_unsupported */
	RTE_BUILD_BUG_ON(CFG_MAX_EIGW > DP_MAX_EIGW);
	x = calloc(1, sizeof(*x));
	if (x == NULL || dp_flow6_init() < 0) {
		free(x);
		return -ENOMEM;
	}
	t->ip6 = x;
	x->vpc6 = cfg->has_vpc6;
	memcpy(x->vpc, cfg->vpc_cidr6.addr, 16);
	memcpy(&x->vpc_w, x->vpc, 8);
	for (int i = 0; i < 256; i++)
		x->subnet[i] = -1;
	for (int i = 0; i < cfg->n_ports && i < DP_MAX_PORTS; i++) {
		x->port_on[i] = cfg->ports[i].has_addr6;
		dp_ip6_link_local(x->ll[i], &dp_g.ports[i].mac);
		if (cfg->ports[i].has_addr6)
			x->iid_filter |= dp_ip6_iid_bit(cfg->ports[i].addr6);
	}
	for (int i = 0; i < cfg->n_subnets; i++) {
		const struct cfg_subnet *sn = &cfg->subnets[i];

		if (!sn->has_v6)
			continue;
		x->subnet[sn->cidr6.addr[7]] = (int16_t)i;
		x->subnet_filtered[sn->cidr6.addr[7]] = subnet_filtered(cfg, i);
		x->subnet_eigw[sn->cidr6.addr[7]] = subnet_eigw(cfg, i);
		for (int e = 0; e < cfg->n_enis; e++)
			x->subnet_eni6[sn->cidr6.addr[7]] |= cfg->enis[e].subnet == i &&
							      cfg->enis[e].has_addr6;
		x->port_on[sn->port] = true;
	}
	/* dualstack NLBs: their address6 is vpcgw's (ND, the NLB stage); the
	 * subnets of IPv6 targets send replies that an NLB translates back */
	for (int i = 0; i < cfg->n_nlbs && x->n_nlb6 < DP_MAX_NLB; i++) {
		if (!cfg->nlbs[i].dualstack)
			continue;
		memcpy(x->nlb6[x->n_nlb6].addr, cfg->nlbs[i].addr6, 16);
		x->nlb6[x->n_nlb6].nlb = (int16_t)i;
		x->nlb6[x->n_nlb6].port = (uint16_t)cfg->subnets[cfg->nlbs[i].subnet].port;
		x->iid_filter |= dp_ip6_iid_bit(cfg->nlbs[i].addr6);
		x->n_nlb6++;
	}
	for (int g = 0; g < cfg->n_target_groups; g++)
		for (int j = 0; cfg->target_groups[g].ipv6 && j < cfg->target_groups[g].n_targets; j++)
			x->subnet_nlbt[cfg->target_groups[g].targets[j].addr6[7]] = true;
	if (cfg->igw.present && cfg->igw.has_next_hop6) {
		x->igw6 = true;
		x->igw_port = (uint16_t)cfg->igw.port;
		memcpy(x->igw_nh, cfg->igw.next_hop6, 16);
	}
	x->rtables = calloc((size_t)cfg->n_route_tables + 1, sizeof(*x->rtables));
	if (x->rtables == NULL)
		return -ENOMEM;
	x->n_rtables = cfg->n_route_tables;
	for (int i = 0; i < cfg->n_route_tables; i++) {
		rc = rtable6_build(&x->rtables[i], cfg, &cfg->route_tables[i], gen, i);
		if (rc < 0)
			return rc;
	}
	for (int i = 0; i < cfg->n_subnets; i++)
		if (cfg->subnets[i].has_v6)
			x->rt7[cfg->subnets[i].cidr6.addr[7]] = cfg->subnets[i].route_table >= 0 ?
				&x->rtables[cfg->subnets[i].route_table] : &x->local_rt;
	return rtable6_build(&x->local_rt, cfg, NULL, gen, 999);
}

void
dp_ip6_tables_free(struct dp_tables *t)
{
	struct dp_ip6 *x = t->ip6;

	if (x == NULL)
		return;
	if (x->rtables != NULL)
		for (int i = 0; i < x->n_rtables; i++)
			rtable6_free(&x->rtables[i]);
	free(x->rtables);
	rtable6_free(&x->local_rt);
	free(x);
	t->ip6 = NULL;
}

bool
dp_ip6_is_local(const struct dp_tables *t, uint16_t port, const uint8_t a[16])
{
	const struct dp_ip6 *x = t->ip6;
	const struct cfg *cfg = t->cfg;
	static const uint8_t one[8] = { 0, 0, 0, 0, 0, 0, 0, 1 };
	int sn;

	/* the routed packet's case: a global address whose interface ID is
	 * neither a subnet router's (::1) nor any port's address6 */
	if (!dp_ip6_is_ll(a) && memcmp(a + 8, one, 8) != 0 && !(x->iid_filter & dp_ip6_iid_bit(a)))
		return false;
	if (memcmp(a, x->ll[port], 16) == 0)
		return true;
	sn = dp_ip6_subnet(x, a);
	if (sn >= 0 && memcmp(a + 8, one, 8) == 0)
		return true;
	for (int i = 0; i < cfg->n_ports; i++)
		if (cfg->ports[i].has_addr6 && memcmp(cfg->ports[i].addr6, a, 16) == 0)
			return true;
	/* a dualstack NLB's address6, on the port of its subnet (ND, echo) */
	for (int i = 0; x->n_nlb6 != 0 && i < x->n_nlb6; i++)
		if (memcmp(x->nlb6[i].addr, a, 16) == 0)
			return x->nlb6[i].port == port;
	return false;
}

int
dp_ip6_nlb(const struct dp_tables *t, const uint8_t a[16])
{
	const struct dp_ip6 *x = t->ip6;

	if (x->n_nlb6 == 0 || !(x->iid_filter & dp_ip6_iid_bit(a)))
		return -1;
	for (int i = 0; i < x->n_nlb6; i++)
		if (memcmp(x->nlb6[i].addr, a, 16) == 0)
			return x->nlb6[i].nlb;
	return -1;
}

const uint8_t *
dp_ip6_src_for(const struct dp_tables *t, uint16_t port, const uint8_t a[16])
{
	static uint8_t router[RTE_MAX_LCORE][16];
	const struct dp_ip6 *x = t->ip6;
	int sn = dp_ip6_subnet(x, a);

	if (sn >= 0 && t->cfg->subnets[sn].port == port) {
		uint8_t *r = router[rte_lcore_id() % RTE_MAX_LCORE];

		memcpy(r, a, 8);
		memset(r + 8, 0, 8);
		r[15] = 1;
		return r;
	}
	if (t->cfg->ports[port].has_addr6 && !dp_ip6_is_ll(a))
		return t->cfg->ports[port].addr6;
	return x->ll[port];
}
