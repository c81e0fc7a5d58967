/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The input stages (SPEC §3 steps 1, 4, 5): Ethernet (parse and validate,
 * ARP aside, 802.1Q untagged), and IPv4 ingress: the addresses vpcgw owns
 * (echo, health-check replies), the internet gateway's 1:1 translation of
 * elastic IPs and NLB public addresses, NAT gateway addresses, what comes
 * back from appliances (through dp_pipe_ops), and where the packet entered
 * the VPC's routing.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dp/dp.h"
#include "dp/dp_flow.h"
#include "dp/dp_graph.h"
#include "dp/dp_parse.h"
#include "dp/dp_pipe.h"
#include "dp/dp_pkt.h"
#include "dp/dp_worker.h"
#include "dp/flow_fast.h"
#include "dp/health.h"
#include "dp/ip6.h"
#include "dp/ip_input.h"
#include "dp/vpce.h"

#define ICMP_ECHO_REQUEST 8

/*
 * A packet to one of vpcgw's addresses (v: its DP_LOCAL_VAL): answered here
 * (echo, health-check replies), or translated and handed on (NAT gateway,
 * elastic IP and NLB public addresses from the internet). Returns 0 when
 * consumed, 1 when it continues to the flow lookup, -1 when it goes on like
 * any packet (the source check below; an NLB's private address).
 */
static int
ingress_local(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c, uint32_t v,
	      uint8_t roles)
{
	const struct cfg *cfg = c->t->cfg;
	struct rte_ipv4_hdr *ip = dp_ip_hdr(m, md);

	switch (DP_LOCAL_KIND(v)) {
	case DP_LOCAL_ROUTER:
		if (md->proto == IPPROTO_ICMP && !(md->flags & DP_M_FRAG) &&
		    dp_l4_hdr(m, md)[0] == ICMP_ECHO_REQUEST) {
			dp_answer_echo(m, md);
			return 0;
		}
		if (md->proto == IPPROTO_TCP && dp_health_input(m)) {
			dp_stats_self()->port[md->in_port].local++;
			rte_pktmbuf_free(m);
			return 0;
		}
		dp_drop(m, DP_DROP_local_unhandled);
		return 0;
	case DP_LOCAL_NAT:
		if (!(roles & DP_ROLE_INTERNET))
			break;
		c->in = DP_IN_INTERNET;
		md->nh = DP_LOCAL_NAT;
		md->ep = (uint16_t)(DP_LOCAL_REF(v) / CFG_MAX_NAT_ADDRS);
		if (md->flags & DP_M_LATER_FRAG)
			return 1;
		if ((md->flags & DP_M_FRAG) && md->proto != IPPROTO_UDP) {
			/* the IPv4 NAT translates UDP fragments only; NAT64 TCP
			 * ones too (nat/nat64_node.c takes its connections', and
			 * drops and counts the ICMP ones itself) */
			if (dp_pipe_ops.nat64_reply != NULL && dp_pipe_ops.nat64_reply(m, md, c))
				return 0;
			dp_stats_self()->nat[md->ep].drop++;
			dp_drop(m, DP_DROP_nat_fragment);
			return 0;
		}
		return 1;
	case DP_LOCAL_EIP:
		if (!(roles & DP_ROLE_INTERNET))
			break;
		c->in = DP_IN_INTERNET;
		dp_set_addr(m, md, false,
			    dp_hton_addr(cfg->igw.eips[DP_LOCAL_REF(v)].private_addr));
		md->key.dst = ip->dst_addr;
		return 1;
	case DP_LOCAL_NLB_PUBLIC:
		if (!(roles & DP_ROLE_INTERNET))
			break;
		c->in = DP_IN_INTERNET;
		c->nlb = (int)DP_LOCAL_REF(v);
		dp_set_addr(m, md, false, dp_hton_addr(cfg->nlbs[c->nlb].addr));
		md->key.dst = ip->dst_addr;
		return 1;
	case DP_LOCAL_NLB:
		c->nlb = (int)DP_LOCAL_REF(v);
		break;
	}
	return -1;
}

bool
dp_ip_ingress(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c)
{
	const struct dp_tables *t = c->t;
	const struct cfg *cfg = t->cfg;
	uint8_t roles = dp_g.ports[md->in_port].roles;
	struct rte_ipv4_hdr *ip = dp_ip_hdr(m, md);
	uint32_t dst = rte_be_to_cpu_32(ip->dst_addr), v = 0;
	int is_local;

	md->nh = 0;
	if ((roles & DP_ROLE_APPLIANCE) && dp_pipe_ops.appliance_input != NULL) {
		int r = dp_pipe_ops.appliance_input(m, md, c);

		if (r >= 0)
			return r > 0;
	}
	is_local = dp_local_maybe(t, dst) &&
		   dp_map_get(&t->local, dp_local_key(dst, md->key.zone), &v);
	/* TTL before any translation, so the ICMP error quotes what was sent;
	 * vpcgw's own addresses answer even with TTL 1 */
	if (ip->time_to_live <= 1 && !(is_local && DP_LOCAL_KIND(v) == DP_LOCAL_ROUTER)) {
		dp_send_time_exceeded(m, md, c);
		dp_drop(m, DP_DROP_ttl_expired);
		return false;
	}
	if (is_local) {
		int r = ingress_local(m, md, c, v, roles);

		if (r >= 0)
			return r > 0;
	}
	if (roles & DP_ROLE_VPCE)       /* a gateway endpoint's own port */
		return dp_vpce_ingress(m, md, c);
	if (roles & DP_ROLE_TGW)        /* a transit gateway's port attachment */
		return dp_pipe_ops.tgw_ingress(m, md, c);
	if (roles & DP_ROLE_VPC) {
		int sn = dp_subnet_lookup_zone(t, md->key.zone, rte_be_to_cpu_32(ip->src_addr));

		if (sn >= 0 && cfg->subnets[sn].port == md->in_port) {
			c->in = DP_IN_VPC;
			c->src_subnet = sn;
			return true;
		}
		if (!(roles & DP_ROLE_INTERNET)) {
			dp_drop(m, DP_DROP_src_not_in_vpc);
			return false;
		}
	}
	if ((roles & DP_ROLE_INTERNET) && c->nlb < 0) {
		dp_drop(m, DP_DROP_dst_unknown);
		return false;
	}
	if (c->nlb >= 0) {
		c->in = DP_IN_INTERNET;
		return true;
	}
	dp_drop(m, DP_DROP_dst_unknown);
	return false;
}

/* Does the port carry subnets only (no internet, no appliances)? */
static inline bool
port_vpc_only(uint16_t port)
{
	return (dp_g.ports[port].roles & (DP_ROLE_VPC | DP_ROLE_INTERNET | DP_ROLE_APPLIANCE)) ==
	       DP_ROLE_VPC;
}

/* The parse of a packet dp_parse_fast() did not take: drop, ARP, or on. */
static bool
eth_input_slow(struct dp_graph_run *g, struct rte_mbuf *m, struct dp_meta *md)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	int r;

	if (rte_pktmbuf_data_len(m) >= sizeof(*eth) &&
	    eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV6)) {
		/* untagged IPv6: what dp_parse() says of it, without its IPv4 walk */
		md->l3 = sizeof(*eth);
		md->flags = 0;
		md->tcp_flags = 0;
		md->flow = NULL;
		memset(&md->key, 0, sizeof(md->key));
		r = DP_DROP_ipv6_unsupported;
	} else {
		r = dp_parse(m, md);
	}

	if (r == DP_PARSE_ARP) {
		dp_graph_next(g, ETH_INPUT_NEXT_ARP, m);
		return false;
	}
	if (r == DP_DROP_ipv6_unsupported) {
		/* ethertype 0x86DD: ip6_input (which drops it so without IPv6);
		 * it runs after the IPv4 stages: what they send waits for it */
		if (md->slot < g->policy_min_slot)
			g->policy_min_slot = md->slot;
		dp_graph_next(g, ETH_INPUT_NEXT_IP6, m);
		return false;
	}
	if (r >= 0) {
		dp_drop(m, (enum dp_drop)r);
		return false;
	}
	if (md->l3 != sizeof(struct rte_ether_hdr)) {
		/* 802.1Q: forwarded untagged */
		memmove(rte_pktmbuf_mtod_offset(m, uint8_t *, 4),
			rte_pktmbuf_mtod(m, uint8_t *), 2 * RTE_ETHER_ADDR_LEN);
		rte_pktmbuf_adj(m, 4);
		md->l3 -= 4;
		md->l4 -= 4;
	}
	return true;
}

/*
 * The common case of dp_ip_ingress(), for a port of the VPC's subnets only:
 * a whole, routable packet (TTL > 1) from an address of a subnet on the port
 * it came in, to an address that is not vpcgw's own. It goes on as from the
 * VPC (the routing stage may take it). false: dp_ip_ingress() decides.
 */
static inline bool
ingress_vpc_fast(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c,
		 const struct dp_tables *t, uint16_t in_port)
{
	const struct rte_ipv4_hdr *ip = dp_ip_hdr(m, md);
	int sn;

	if (md->flags != 0 || ip->time_to_live <= 1 ||
	    dp_local_maybe(t, rte_be_to_cpu_32(ip->dst_addr)))
		return false;
	sn = dp_subnet_lookup(t, rte_be_to_cpu_32(ip->src_addr));
	if (sn < 0 || t->subnet_rt[sn].port != in_port)
		return false;
	/* what the stages after ip_input read (the policy stage sets the rest:
	 * dp_pctx_burst) */
	c->in = DP_IN_VPC;
	c->src_subnet = sn;
	c->nlb = -1;
	md->nh = 0;
	return true;
}

/* The zone of an overlapping VPC's port into the flow keys of n packets
 * (apart: the common loop keeps its registers). */
static __rte_noinline void
eth_zone_set(struct rte_mbuf **pkts, uint16_t n, uint8_t zone)
{
	for (uint16_t i = 0; i < n; i++)
		dp_meta(pkts[i])->key.zone = zone;
}

/* eth_input's loop, from packet i on. */
static inline void
eth_input_run(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t i, uint16_t n,
	      struct dp_vec *ip)
{
	uint8_t in_port = (uint8_t)g->b.in_port;
	uint16_t k = ip->n;

	for (; i < n; i++)
		if (likely(dp_parse_fast_slot(pkts, i, n, in_port)) ||
		    eth_input_slow(g, pkts[i], dp_meta(pkts[i])))
			ip->pkts[k++] = pkts[i];
	/* an overlapping VPC's port: its zone in the flow keys (dp/vlan.c) */
	if (unlikely(g->b.zone != 0))
		eth_zone_set(&ip->pkts[ip->n], k - ip->n, g->b.zone);
	ip->n = k;
}

/*
 * With no flow to look up, a burst of a port of subnets: its leading run of
 * plain packets that pass ip_input's checks here (ingress_vpc_fast) goes
 * straight to the routing stage; from the first other packet on (parsed
 * again by eth_input_run), every packet takes ip_input, which feeds
 * ip_route after them: arrival order.
 */
static inline uint16_t
eth_input_to_route(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t i, uint16_t n,
		   struct dp_vec *route)
{
	uint16_t in_port = g->b.in_port, r = route->n;

	for (; i < n; i++) {
		if (unlikely(!dp_parse_fast_slot(pkts, i, n, (uint8_t)in_port) ||
			     !ingress_vpc_fast(pkts[i], dp_meta(pkts[i]), &g->b.ctx[i], g->b.t,
					       in_port)))
			break;
		route->pkts[r++] = pkts[i];
	}
	route->n = r;
	return i;
}

/*
 * The burst's leading packets that the fused routing loops take: IPv4
 * (dp_route_fused) and IPv6 (dp_route6_fused, without dualstack NLBs) in
 * turns while nothing is emitted and no packet waits for a neighbor. The
 * slot of the first packet neither takes.
 */
static uint16_t
eth_input_fused(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t n)
{
	const struct dp_worker_ctx *w = dp_worker_self();
	const struct dp_ip6 *x = g->b.t->ip6;
	bool v6 = x != NULL && x->port_on[g->b.in_port] && x->n_nlb6 == 0;
	uint16_t i = 0, k4 = 0, k6 = 0, k;

	while (i < n && w->n_emit == 0 && w->arpq_n == 0) {
		k = dp_route_fused(g, pkts + i, n - i);
		k4 += k;
		i += k;
		if (!v6 || i == n)
			break;
		k = dp_route6_fused(g, pkts, i, n) - i;
		if (k == 0)
			break;
		k6 += k;
		i += k;
	}
	if (k4 != 0)
		dp_graph_credit(g, ETH_INPUT_NEXT_ROUTE, k4);
	if (k6 != 0)
		dp_graph_credit(g, ETH_INPUT_NEXT_IP6, k6);
	return i;
}

/* -Dfused=false (measuring builds): every packet takes the stages. */
#ifdef DP_NO_FUSED
#define DP_FUSED false
#else
#define DP_FUSED true
#endif

/* The first stage: it receives the burst in arrival order and numbers it. */
void
dp_eth_input_node(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t n)
{
	/* a burst of a port of subnets only, with flows in the table: the flow
	 * lookup first (nothing on such a port is translated before it), the
	 * ingress checks only for what it does not answer (vpc_ingress). A
	 * traced burst shows every check: ip_input first (same verdicts). */
	bool vpc = port_vpc_only(g->b.in_port) && !g->trace;
	uint16_t i = 0;

	g->early = false;
	if (vpc) {
		/* (an overlapping VPC's burst, zone != 0, takes ip_input: its
		 * subnets are looked up in its zone) */
		if (!dp_flow_any() && g->b.zone == 0) {
			/* with nothing to keep order with, the routing stages'
			 * direct paths first, fused in here */
			if (DP_FUSED && g->b.t->cfg->n_enis == 0 && !g->no_direct)
				i = eth_input_fused(g, pkts, n);
			if (i < n)
				i = eth_input_to_route(g, pkts, i, n,
						       dp_graph_out(g, ETH_INPUT_NEXT_ROUTE));
		} else {
			g->early = true;
			/* the flow stages fused in, while every output can be
			 * sent in arrival order as it is decided */
			if (DP_FUSED && g->b.zone == 0 && !g->no_direct &&
			    dp_worker_self()->n_emit == 0)
				i = dp_flow_fused(g, pkts, n, dp_graph_out(g, ETH_INPUT_NEXT_FLOW));
		}
	}
	if (i < n)
		eth_input_run(g, pkts, i, n, dp_graph_out(g, g->early ? ETH_INPUT_NEXT_FLOW :
							ETH_INPUT_NEXT_IP));
}

void
dp_arp_input_node(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t n)
{
	struct dp_worker_ctx *w = dp_worker_self();

	for (uint16_t i = 0; i < n; i++) {
		w->cur_slot = dp_meta(pkts[i])->slot;
		dp_arp_input(pkts[i], g->b.in_port, g->b.t);
	}
}

/*
 * Ingress (dp_ip_ingress) of a vector: ip_input before the flow lookup, or
 * vpc_ingress after it (looked_up: md->flow is the lookup's answer; a known
 * packet here is one flow_fast handed on, for the policy stage).
 */
static inline void
ip_ingress_run(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t n, bool looked_up,
	       struct dp_vec *flow, struct dp_vec *route, unsigned policy_edge)
{
	struct dp_worker_ctx *w = dp_worker_self();
	struct dp_burst *b = &g->b;
	/* with no flow in the table there is nothing to look up */
	bool lookup = !looked_up && dp_flow_any();
	struct dp_vec *next = lookup ? flow : route;
	/* all of a burst came in on one port; an overlapping VPC's (zone) takes
	 * dp_ip_ingress, which looks its subnets up in the zone (dp/vlan.c) */
	bool vpc_only = port_vpc_only(b->in_port) && b->zone == 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct dp_meta *md = dp_meta(m);
		struct dp_pctx *c = &b->ctx[md->slot];

		if (likely(vpc_only) && ingress_vpc_fast(m, md, c, b->t, b->in_port)) {
			if (!looked_up || md->flow == NULL)
				dp_vec_push(next, m);
			else
				dp_graph_next(g, policy_edge, m);
			continue;
		}
		dp_pctx_burst(c, b);
		c->nlb = -1;
		c->src_subnet = -1;
		w->cur_slot = md->slot;
		if (!dp_ip_ingress(m, md, c))
			continue;
		if (lookup)
			dp_vec_push(flow, m);
		else if (looked_up && md->flow != NULL)
			dp_graph_next(g, policy_edge, m);
		else if (dp_flow_route_ok(b, md))
			dp_vec_push(route, m);
		else
			dp_to_policy(g, policy_edge, m);
	}
}

void
dp_ip_input_node(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t n)
{
	ip_ingress_run(g, pkts, n, false, dp_graph_out(g, IP_INPUT_NEXT_FLOW),
		       dp_graph_out(g, IP_INPUT_NEXT_ROUTE), IP_INPUT_NEXT_POLICY);
}

void
dp_vpc_ingress_node(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t n)
{
	ip_ingress_run(g, pkts, n, true, NULL, dp_graph_out(g, VPC_INGRESS_NEXT_ROUTE),
		       VPC_INGRESS_NEXT_POLICY);
}
