/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IPv6 stage (SPEC §7, dp/ip6.h), in two parts:
 *
 * input: parse and validate (dp/ip6_parse.c); ICMPv6 to vpcgw or to the
 *   Neighbor Discovery groups to dp/nd6.c; hop limit; where the packet
 *   entered (a subnet of its port, or the internet gateway's port).
 * route: the route table of the source's subnet (the local route only
 *   for subnets without one and from the internet), longest prefix match
 *   with rte_fib6, targets local (the destination subnet's port, next hop
 *   the destination), igw (untranslated, to next_hop6) and blackhole; hop
 *   limit decrement, MTU, Ethernet rewrite through Neighbor Discovery.
 *
 * Then the policy (dp/ip6_policy.c): NACLs, security groups, conntrack and
 * the egress-only internet gateway (target egress-only-igw: the internet
 * gateway's port and next hop, stateful).
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_fib6.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dp/dp.h"
#include "dp/dp_graph.h"
#include "dp/dp_pipe.h"
#include "dp/dp_pkt.h"
#include "dp/dp_worker.h"
#include "dp/health.h"
#include "dp/ip6.h"

/* Which multicast groups vpcgw listens to: all nodes, all routers, and the
 * solicited-node groups (ff02::1:ffXX:XXXX) of its addresses. */
static bool
nd_group(const uint8_t a[16])
{
	static const uint8_t all[15] = { 0xff, 0x02 };
	static const uint8_t sol[13] = { 0xff, 0x02, [11] = 0x01, [12] = 0xff };

	if (memcmp(a, all, 15) == 0)
		return a[15] == 1 || a[15] == 2;
	return memcmp(a, sol, 13) == 0;
}

/* Where an IPv6 packet to route comes from: the subnet of its source on the
 * port it came in (c->src_subnet), or the internet gateway (-1). false:
 * dropped. */
static __rte_always_inline bool
ingress6(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c, const struct dp_tables *t,
	 const struct rte_ipv6_hdr *ip)
{
	const struct dp_ip6 *x = t->ip6;
	uint8_t roles = dp_g.ports[md->in_port].roles;
	int sn;

	if (dp_ip6_is_mcast(ip->src_addr) || dp_ip6_is_ll(ip->src_addr) ||
	    dp_ip6_is_unspec(ip->src_addr)) {
		dp_drop(m, DP_DROP_ip6_src_invalid);
		return false;
	}
	sn = dp_ip6_subnet(x, ip->src_addr);
	if (sn >= 0 && t->subnet_rt[sn].port == md->in_port) {
		c->in = DP_IN_VPC;
		c->src_subnet = sn;
		return true;
	}
	if ((roles & DP_ROLE_INTERNET) && x->igw6 && md->in_port == x->igw_port &&
	    dp_ip6_subnet(x, ip->dst_addr) >= 0) {
		c->in = DP_IN_INTERNET;
		c->src_subnet = -1;
		return true;
	}
	dp_drop(m, (roles & DP_ROLE_VPC) && !(roles & DP_ROLE_INTERNET) ?
		DP_DROP_src_not_in_vpc : DP_DROP_dst_unknown);
	return false;
}

/* To the address6 of dualstack NLB nlb: the NLB's (lb/nlb_node6.c), after
 * the same ingress and hop-limit checks as a routed packet; true: translated
 * to a target, to be routed with its checks done. */
static bool
nlb6_in(struct dp_graph_run *g, struct rte_mbuf *m, struct dp_meta *md, int nlb)
{
	const struct dp_tables *t = g->b.t;
	struct dp_pctx *c = &g->b.ctx[md->slot];
	const struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *,
								md->l3);

	if (!ingress6(m, md, c, t, ip))
		return false;
	if (ip->hop_limits <= 1) {
		dp_nd6_time_exceeded(m, md, t, g->b.now);
		dp_drop(m, DP_DROP_ip6_hop_limit);
		return false;
	}
	return dp_pipe_ops.nlb6_input(c, m, md, nlb) == 1;
}

/* TCP to vpcgw's own address: the answer to a health probe of an IPv6 target
 * (dp/health_wire.c) is consumed (true); anything else is not (false). Out of
 * line: the forwarding path does not pay for it. */
static __rte_noinline bool
local_tcp(struct rte_mbuf *m, struct dp_meta *md, const struct rte_ipv6_hdr *ip)
{
	if (dp_ip6_is_mcast(ip->dst_addr) || !dp_health_input6(m, md))
		return false;
	dp_stats_self()->port[md->in_port].local++;
	rte_pktmbuf_free(m);
	return true;
}

/* An ICMPv6 error message (RFC 4443 types 1-4), not a fragment? */
static inline bool
icmp6_err(const struct rte_mbuf *m, const struct dp_meta *md)
{
	return !(md->flags & (DP_M_FRAG | DP_M_LATER_FRAG)) &&
	       *rte_pktmbuf_mtod_offset(m, const uint8_t *, md->l4) - 1u < 4u;
}

/* The input part, one packet: true when it goes on to be routed. */
static bool
ip6_input_one(struct dp_graph_run *g, struct rte_mbuf *m, struct dp_meta *md)
{
	const struct dp_tables *t = g->b.t;
	struct dp_pctx *c = &g->b.ctx[md->slot];
	const struct rte_ipv6_hdr *ip;
	int r;

	if (t->ip6 == NULL || !t->ip6->port_on[md->in_port]) {
		dp_drop(m, DP_DROP_ipv6_unsupported);
		return false;
	}
	if (md->l3 != sizeof(struct rte_ether_hdr)) {
		/* 802.1Q: handled untagged, as IPv4 */
		memmove(rte_pktmbuf_mtod_offset(m, uint8_t *, 4), rte_pktmbuf_mtod(m, uint8_t *),
			2 * RTE_ETHER_ADDR_LEN);
		rte_pktmbuf_adj(m, 4);
		md->l3 -= 4;
	}
	if (!dp_ip6_parse_fast(m, md) && (r = dp_ip6_parse(m, md)) >= 0) {
		dp_drop(m, (enum dp_drop)r);
		return false;
	}
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, md->l3);
	/* to a dualstack NLB: TCP and UDP, and ICMPv6 errors (about what it
	 * sent a client); its echo and ND are vpcgw's (below) */
	if (unlikely(t->ip6->n_nlb6 != 0) && (md->proto != IPPROTO_ICMPV6 || icmp6_err(m, md)) &&
	    dp_pipe_ops.nlb6_input != NULL && (r = dp_ip6_nlb(t, ip->dst_addr)) >= 0)
		return nlb6_in(g, m, md, r);
	if (dp_ip6_is_mcast(ip->dst_addr) || dp_ip6_is_local(t, md->in_port, ip->dst_addr)) {
		if (md->proto == IPPROTO_ICMPV6 && !(md->flags & DP_M_LATER_FRAG) &&
		    (!dp_ip6_is_mcast(ip->dst_addr) || nd_group(ip->dst_addr)))
			dp_nd6_icmp_input(m, md, t);
		else if (md->proto != IPPROTO_TCP || !local_tcp(m, md, ip))
			dp_drop(m, dp_ip6_is_mcast(ip->dst_addr) ? DP_DROP_ip6_dst_invalid :
				DP_DROP_local_unhandled);
		return false;
	}
	if (dp_ip6_is_ll(ip->dst_addr)) {
		dp_drop(m, DP_DROP_ip6_dst_invalid);
		return false;
	}
	if (!ingress6(m, md, c, t, ip))
		return false;
	if (ip->hop_limits <= 1) {
		dp_nd6_time_exceeded(m, md, t, g->b.now);
		dp_drop(m, DP_DROP_ip6_hop_limit);
		return false;
	}
	return true;
}

/* The route of dst in rt: its index, or rt->none. */
static uint64_t
route6(const struct dp_ip6 *x, const struct dp_rtable6 *rt, const uint8_t dst[16])
{
	uint8_t a[1][16];
	uint64_t nh;

	if (rt->fib == NULL)
		return dp_ip6_in_vpc(x, dst) ? 0 : rt->none;
	memcpy(a[0], dst, 16);
	rte_fib6_lookup_bulk(rt->fib, a, &nh, 1);
	return nh;
}

const struct dp_route *
dp_ip6_route(const struct dp_tables *t, int sn, const uint8_t a[16])
{
	const struct dp_ip6 *x = t->ip6;
	const struct dp_rtable6 *rt = &x->local_rt;
	uint64_t r;

	if (sn >= 0 && t->cfg->subnets[sn].route_table >= 0)
		rt = &x->rtables[t->cfg->subnets[sn].route_table];
	r = route6(x, rt, a);
	return r == rt->none ? NULL : &rt->routes[r];
}

/* The route table a packet from c takes: its source subnet's, the internet
 * gateway's (edge association) from the internet, else the local route. */
static const struct dp_rtable6 *
table6_of(const struct dp_tables *t, const struct dp_pctx *c)
{
	const struct dp_ip6 *x = t->ip6;
	int rt = -1;

	if (c->src_subnet >= 0)
		rt = t->cfg->subnets[c->src_subnet].route_table;
	else if (c->in == DP_IN_INTERNET)
		rt = t->cfg->igw.route_table;
	return rt >= 0 ? &x->rtables[rt] : &x->local_rt;
}

/* The routing part, one packet (c->t, c->now set): out or dropped. Inline in
 * the stage's loop (the appliance's returns call it too). Long (~80 lines)
 * because it is the per-packet body of the IPv6 route stage: the route's
 * target switched on once, each arm a few lines, then the checks and output. */
static __rte_always_inline void
ip6_route_one(struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md)
{
	const struct dp_tables *t = c->t;
	const struct dp_ip6 *x = t->ip6;
	struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, md->l3);
	/* from a subnet (ingress6): its source is in the /56, its table by byte 7 */
	const struct dp_rtable6 *rt = c->in == DP_IN_VPC && c->src_subnet >= 0 ?
				      x->rt7[ip->src_addr[7]] : table6_of(t, c);
	const uint8_t *nh;
	uint64_t r;
	uint16_t port;
	int ds;

	/* a reply of an IPv6 NLB target: the NLB's translation back first */
	if (unlikely(x->subnet_nlbt[ip->src_addr[7]]) && c->in == DP_IN_VPC && !c->policy_done &&
	    dp_pipe_ops.nlb6_reply != NULL && dp_flow_any()) {
		int v = dp_pipe_ops.nlb6_reply(c, m, md);

		if (v == 0)
			return;
		if (v == 1)
			rt = table6_of(t, c);   /* from the NLB's subnet now */
	}
	r = route6(x, rt, ip->dst_addr);
	if (r == rt->none) {
		dp_drop(m, DP_DROP_no_route);
		return;
	}
	switch (rt->routes[r].kind) {
	case CFG_TARGET_LOCAL:
		ds = dp_ip6_subnet(x, ip->dst_addr);
		if (ds < 0) {
			dp_drop(m, DP_DROP_no_route);
			return;
		}
		port = t->subnet_rt[ds].port;
		nh = ip->dst_addr;
		break;
	case CFG_TARGET_IGW:
	case CFG_TARGET_EIGW:
		ds = -1;
		port = x->igw_port;
		nh = x->igw_nh;
		break;
	case CFG_TARGET_GWLBE:
		/* to an appliance in GENEVE (geneve/gwlb_node6.c); what an
		 * appliance returned would loop back to it */
		if (c->in == DP_IN_APPLIANCE || dp_pipe_ops.gwlb6_target == NULL)
			dp_drop(m, DP_DROP_no_route);
		else
			dp_pipe_ops.gwlb6_target(m, md, c, &rt->routes[r]);
		return;
	case CFG_TARGET_NAT:
		/* NAT64 (nat/nat64_node.c): translated to IPv4 there */
		if (dp_pipe_ops.nat64_target == NULL)
			dp_drop(m, DP_DROP_no_route);
		else
			dp_pipe_ops.nat64_target(m, md, c, &rt->routes[r]);
		return;
	case CFG_TARGET_BLACKHOLE:
		dp_drop(m, DP_DROP_route_blackhole);
		return;
	default:
		dp_drop(m, DP_DROP_no_route);
		return;
	}
	if (c->policy_done) {
		/* an NLB's translation: its own checks are done */
	} else if ((x->subnet_filtered[ip->dst_addr[7]] && ds >= 0) ||
	    (c->in == DP_IN_VPC && x->subnet_filtered[ip->src_addr[7]]) ||
	    rt->routes[r].kind == CFG_TARGET_EIGW ||
	    (c->in == DP_IN_INTERNET && x->subnet_eigw[ip->dst_addr[7]])) {
		if (!dp_ip6_policy(c, m, md, ds, rt->routes[r].kind, rt->routes[r].ref))
			return;
	}
	/* never fragments IPv6: Packet Too Big to the sender (RFC 8201) */
	if (rte_pktmbuf_pkt_len(m) - md->l3 > dp_g.ports[port].mtu) {
		dp_nd6_too_big(m, md, t, c->now, dp_g.ports[port].mtu);
		dp_drop(m, DP_DROP_mtu_exceeded);
		return;
	}
	ip->hop_limits--;
	dp_nd6_output(m, port, nh, c->now);
}

void
dp_ip6_forward(struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md, int src_subnet)
{
	if (c->t->ip6 == NULL) {
		dp_drop(m, DP_DROP_ipv6_unsupported);
		return;
	}
	c->in = DP_IN_VPC;
	c->src_subnet = src_subnet;
	c->policy_done = true;
	ip6_route_one(c, m, md);
}

void
dp_ip6_appliance_input(struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md)
{
	const struct dp_tables *t = c->t;
	const struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *,
								md->l3);
	struct dp_flow_key k;
	struct dp_flow *f;
	bool keyed, gone = false;
	int d = 0;

	if (t->ip6 == NULL) {
		dp_drop(m, DP_DROP_ipv6_unsupported);
		return;
	}
	if (dp_ip6_is_mcast(ip->src_addr) || dp_ip6_is_ll(ip->src_addr) ||
	    dp_ip6_is_unspec(ip->src_addr)) {
		dp_drop(m, DP_DROP_ip6_src_invalid);
		return;
	}
	if (dp_ip6_is_mcast(ip->dst_addr) || dp_ip6_is_ll(ip->dst_addr)) {
		dp_drop(m, DP_DROP_ip6_dst_invalid);
		return;
	}
	/* what an appliance returns must belong to a flow vpcgw sent it */
	keyed = dp_flow6_key(m, md, &k);
	f = keyed ? dp_flow6_find(&k, m, md, &d) : dp_flow6_find_error(m, md);
	if (f == NULL) {
		dp_drop(m, DP_DROP_gwlb_no_flow);
		return;
	}
	if (f->kind != DP_FLOW_GWLB || f->cookie != md->nh || f->aux != md->ep) {
		dp_drop(m, DP_DROP_gwlb_cookie_mismatch);
		return;
	}
	if (keyed && !dp_ip6_known(m, md, f, d, c->now, false, &gone))
		return;
	if (keyed && gone) {            /* idle past its timeout while away */
		dp_drop(m, DP_DROP_gwlb_no_flow);
		return;
	}
	if (ip->hop_limits <= 1) {
		dp_nd6_time_exceeded(m, md, t, c->now);
		dp_drop(m, DP_DROP_ip6_hop_limit);
		return;
	}
	c->nf = f;
	c->nd = d;
	c->policy_done = false;
	c->zone_cross = false;
	ip6_route_one(c, m, md);
}

/* k IPv6 frames of bytes bytes received on port p: its IPv6 part of rx (per
 * family, SPEC §7), with the 802.1Q tag a VLAN port's frames had, as
 * rx_bytes counted them (dp/vlan.c). */
static inline void
count_rx6(struct dp_port_stats *ps, uint16_t p, uint64_t k, uint64_t bytes)
{
	ps[p].rx6 += k;
	ps[p].rx6_bytes += bytes + (dp_g.ports[p].vlan != 0 ? 4 * k : 0);
}

/*
 * IPv6 routing fused into the input stage, as dp_route_fused() for IPv4
 * (dp/ip_route.c: the same conditions on the burst; here also no dualstack
 * NLB). From slot i on, each untagged IPv6 packet with no extension header
 * (dp_ip6_parse_fast), to a global address that cannot be vpcgw's own
 * (ip6_input_one's checks), from a subnet of this port (ingress6), hop
 * limit over 1, that its subnet's table routes by the local route into a
 * subnet, with no NACL or ENI on either subnet (ip6_route_one's policy
 * condition) and within the port's MTU, leaves through dp_nd6_output().
 * Stops untouched at the first other packet, and after one that made the
 * burst's output ordered (a neighbor to solicit). Counts the IPv6 rx of
 * what it takes (dp_ip6_input_node counts the rest). Returns the slot it
 * stopped at.
 */
uint16_t
dp_route6_fused(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t i, uint16_t n)
{
	const struct dp_tables *t = g->b.t;
	const struct dp_ip6 *x = t->ip6;
	const uint8_t in_port = (uint8_t)g->b.in_port;
	struct dp_worker_ctx *w = dp_worker_self();
	static const uint8_t one[8] = { 0, 0, 0, 0, 0, 0, 0, 1 };
	uint64_t k = 0, bytes = 0;      /* rx per family, as dp_ip6_input_node counts */

	for (; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct dp_meta *md = dp_meta(m);
		const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(eth + 1);
		const struct dp_rtable6 *rt;
		uint16_t port;
		uint64_t r;
		int sn, ds;

		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		md->l3 = sizeof(*eth);
		/* no Ethernet padding either: what the parse would trim would
		 * be missing from rx_ipv6_bytes if a later check refused it */
		if (rte_pktmbuf_data_len(m) < sizeof(*eth) + sizeof(*ip) ||
		    eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV6) ||
		    sizeof(*eth) + sizeof(*ip) + rte_be_to_cpu_16(ip->payload_len) !=
		    rte_pktmbuf_pkt_len(m) || !dp_ip6_parse_fast(m, md))
			break;
		/* dp_ip6_is_local()'s quick answer, and not multicast */
		if (dp_ip6_is_mcast(ip->dst_addr) || dp_ip6_is_ll(ip->dst_addr) ||
		    memcmp(ip->dst_addr + 8, one, 8) == 0 ||
		    (x->iid_filter & dp_ip6_iid_bit(ip->dst_addr)))
			break;
		/* a source in a subnet of this port is neither multicast,
		 * link-local nor unspecified */
		sn = dp_ip6_subnet(x, ip->src_addr);
		if (sn < 0 || t->subnet_rt[sn].port != in_port || ip->hop_limits <= 1 ||
		    x->subnet_nlbt[ip->src_addr[7]])
			break;
		rt = x->rt7[ip->src_addr[7]];
		r = route6(x, rt, ip->dst_addr);
		if (r == rt->none || rt->routes[r].kind != CFG_TARGET_LOCAL)
			break;
		ds = dp_ip6_subnet(x, ip->dst_addr);
		if (ds < 0 || x->subnet_filtered[ip->dst_addr[7]] ||
		    x->subnet_filtered[ip->src_addr[7]])
			break;
		port = t->subnet_rt[ds].port;
		if (rte_pktmbuf_pkt_len(m) - sizeof(*eth) > dp_g.ports[port].mtu)
			break;
		md->slot = (uint8_t)i;
		md->in_port = in_port;
		ip->hop_limits--;
		k++;
		bytes += rte_pktmbuf_pkt_len(m);
		dp_nd6_output(m, port, ip->dst_addr, g->b.now);
		if (unlikely(w->n_emit != 0 || w->arpq_n != 0)) {
			i++;
			break;
		}
	}
	if (k != 0)
		count_rx6(w->stats->port, in_port, k, bytes);
	return i;
}

/*
 * One stage for both parts: a stage costs every burst a few instructions in
 * the walk (dp/dp_graph.c) even when it has nothing to do, and the IPv4
 * routing path must not pay for IPv6 (docs/PERFORMANCE.md). Every frame
 * eth_input sends here is counted as it came, per run of one port's.
 */
void
dp_ip6_input_node(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t n)
{
	struct dp_worker_ctx *w = dp_worker_self();
	uint64_t k = 0, bytes = 0;
	uint16_t in = n != 0 ? dp_meta(pkts[0])->in_port : 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct dp_meta *md = dp_meta(m);
		struct dp_pctx *c = &g->b.ctx[md->slot];

		if (unlikely(md->in_port != in)) {
			count_rx6(w->stats->port, in, k, bytes);
			in = md->in_port;
			k = 0;
			bytes = 0;
		}
		k++;
		bytes += rte_pktmbuf_pkt_len(m);
		w->cur_slot = md->slot;
		c->t = g->b.t;
		c->now = g->b.now;
		c->nf = NULL;
		c->policy_done = false;
		c->zone_cross = false;
		if (ip6_input_one(g, m, md))
			ip6_route_one(c, m, md);
	}
	if (k != 0)
		count_rx6(w->stats->port, in, k, bytes);
}
