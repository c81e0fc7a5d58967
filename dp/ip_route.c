/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ip-route: the vector routing stage for packets with no flow. One
 * dp_rt_lookup_bulk() per route table per burst; a packet whose route is
 * the local one and whose path meets no NACL and no security group (the
 * configuration has no ENI, the subnets on its path no NACL) is forwarded
 * here: TTL, checksum, output. Everything else, and every packet that an
 * earlier packet of the burst could have made a flow for, goes to the
 * policy stage, which decides it as before.
 */
#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dp/csum.h"
#include "dp/dp.h"
#include "dp/dp_graph.h"
#include "dp/dp_parse.h"
#include "dp/dp_pipe.h"
#include "dp/dp_pkt.h"
#include "dp/dp_tgw.h"
#include "dp/dp_worker.h"
#include "dp/flow_fast.h"


/* May a packet from subnet src to subnet ds skip the policy stage? Only
 * within one subnet or between subnets with no network ACL. */
static inline bool
route_nacl_free(const struct dp_subnet_rt *srt, bool any_nacl, int src, int ds)
{
	return !any_nacl || ds == src || (!srt[ds].nacl && (src < 0 || !srt[src].nacl));
}

/* dp_route_fused's transit gateway hop into a VPC (dp_tgw_hop): the subnet delivered to, the
 * next hop's MAC in *mac, counted into acc; -1: not here, nothing counted. */
static __rte_always_inline int
fused_tgw(const struct dp_tables *t, const struct dp_worker_ctx *w, const struct dp_route *r,
	  int sn, uint32_t dst, const struct rte_mbuf *m, uint64_t *mac, struct dp_tgw_acc *acc)
{
	const struct dp_subnet_rt *srt = t->subnet_rt;
	uint32_t att;
	int ds = dp_tgw_hop(t, srt, t->any_subnet_nacl, r, sn, dst, &att);

	if (ds < 0 || !dp_neigh_mac_fast(w, m, srt[ds].port, dst, mac))
		return -1;
	dp_tgw_count(acc, r, att, rte_pktmbuf_pkt_len(m) - (uint32_t)sizeof(struct rte_ether_hdr));
	return ds;
}

/*
 * Routing fused into the input stage (eth_input calls it first, see
 * dp_eth_input_node): a burst of a port of subnets with no flow in the
 * table, no ENI, nothing emitted yet and no packet waiting for ARP. Each
 * packet meets the checks eth_input (dp_parse_fast_ok), ip_input
 * (ingress_vpc_fast) and this stage's direct path (the local route, or a
 * transit gateway's hop into a VPC: dp_tgw_hop) make, in their order; one
 * that passes them all is routed and buffered for its port here, with no
 * stage metadata but what the transmission reads (flags, in_port). At the
 * first packet a check refuses, untouched, it stops: that packet and the
 * rest take the stages, which send after these. Returns how many it sent.
 */
uint16_t
dp_route_fused(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t n)
{
	const struct dp_tables *t = g->b.t;
	const struct dp_subnet_rt *srt = t->subnet_rt;
	const bool any_nacl = t->any_subnet_nacl;
	const uint16_t in_port = g->b.in_port;
	struct dp_worker_ctx *w = dp_worker_self();
	struct dp_tgw_acc tgw = { 0 };
	uint16_t i;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
								  sizeof(struct rte_ether_hdr));
		const struct dp_rtable *rt;
		const struct dp_route *r;
		struct dp_meta *md;
		uint32_t dst;
		uint64_t nh, mac;
		uint8_t tcp_flags;
		int sn, ds;

		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		if (unlikely(!dp_parse_fast_ok(m, &tcp_flags) || ip->time_to_live <= 1))
			break;
		dst = rte_be_to_cpu_32(ip->dst_addr);
		if (dp_local_maybe(t, dst))
			break;
		sn = dp_subnet_lookup(t, rte_be_to_cpu_32(ip->src_addr));
		if (sn < 0 || srt[sn].port != in_port)
			break;
		rt = srt[sn].rt;
		nh = dp_lpm_lookup(&rt->lpm, dst);
		if (nh == rt->none)
			break;
		r = &rt->routes[nh];
		if (likely(r->kind == CFG_TARGET_LOCAL)) {
			ds = dp_subnet_lookup(t, dst);
			if (ds < 0 || !route_nacl_free(srt, any_nacl, sn, ds) ||
			    !dp_neigh_mac_fast(w, m, srt[ds].port, dst, &mac))
				break;
		} else if (unlikely(r->kind != CFG_TARGET_TGW) ||     /* transit gateway into a VPC */
			   unlikely((ds = fused_tgw(t, w, r, sn, dst, m, &mac, &tgw)) < 0)) {
			break;
		}
		md = dp_meta(m);
		md->flags = 0;
		md->in_port = (uint8_t)in_port;
		ip->time_to_live--;
		ip->hdr_checksum = csum_ttl_dec(ip->hdr_checksum);
		dp_neigh_xmit_mac(w, m, srt[ds].port, mac);
	}
	if (i != 0)
		dp_stats_self()->untracked += i;
	dp_tgw_acc_flush(&tgw);
	return i;
}

/* Each packet's route table (its source subnet's, or the local one) and
 * destination; one bulk lookup per run of packets of one table. */
static inline void
route_lookup_bulk(const struct dp_burst *b, struct rte_mbuf **pkts, uint16_t n,
		  const struct dp_rtable **rts, uint32_t *dst, uint64_t *nhid)
{
	const struct dp_tables *t = b->t;
	uint16_t i, j;

	for (i = 0; i < n; i++) {
		const struct dp_meta *md = dp_meta(pkts[i]);
		int sn = b->ctx[md->slot].src_subnet;

		rts[i] = sn >= 0 ? t->subnet_rt[sn].rt : &t->local_rt;
		/* dp_flow_route_ok(): whole, untranslated, not an ICMP error: the
		 * key's dst is the header's */
		dst[i] = rte_be_to_cpu_32(md->key.dst);
	}
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && rts[j] == rts[i]; j++)
			;
		dp_rt_lookup_bulk(rts[i], &dst[i], &nhid[i], j - i);
	}
}

void
dp_ip_route_node(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t n)
{
	const struct dp_burst *b = &g->b;
	const struct dp_tables *t = b->t;
	const struct dp_subnet_rt *srt = t->subnet_rt;
	const bool any_nacl = t->any_subnet_nacl;
	struct dp_worker_ctx *w = dp_worker_self();
	struct dp_vec *policy = dp_graph_out(g, IP_ROUTE_NEXT_POLICY);
	uint8_t min_slot = g->policy_min_slot;
	uint64_t untracked = 0;
	struct dp_tgw_acc tgw = { 0 };
	const struct dp_rtable *rts[DP_BURST];
	uint32_t dst[DP_BURST];
	uint64_t nhid[DP_BURST];
	uint16_t i;
	/* nothing sent yet, and what the policy stage sends comes after these
	 * packets (policy_min_slot): their order is arrival order already */
	bool direct = w->n_emit == 0 && !g->no_direct;
	bool arp_idle = w->arpq_n == 0;     /* packets waiting for ARP leave first */

	/* with ENIs every packet meets its security groups: the policy stage;
	 * so does a burst of an overlapping VPC (its zone's subnets: dp/vlan.c),
	 * which keeps the zone out of the loop below */
	if (t->cfg->n_enis != 0 || unlikely(b->zone != 0)) {
		for (i = 0; i < n; i++)
			dp_vec_push(policy, pkts[i]);
		if (n != 0 && dp_meta(pkts[0])->slot < g->policy_min_slot)
			g->policy_min_slot = dp_meta(pkts[0])->slot;
		return;
	}
	route_lookup_bulk(b, pkts, n, rts, dst, nhid);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct dp_meta *md = dp_meta(m);
		int src = b->ctx[md->slot].src_subnet;
		const struct dp_route *r;
		struct rte_ipv4_hdr *ip;
		uint32_t att;
		int ds;

		if (md->slot > min_slot || nhid[i] == rts[i]->none)
			goto slow;
		r = &rts[i]->routes[nhid[i]];
		if (likely(r->kind == CFG_TARGET_LOCAL)) {
			ds = dp_subnet_lookup(t, dst[i]);
			if (ds < 0 || !route_nacl_free(srt, any_nacl, src, ds))
				goto slow;
		} else if (r->kind != CFG_TARGET_TGW ||     /* transit gateway into a VPC */
			   (ds = dp_tgw_hop(t, srt, any_nacl, r, src, dst[i], &att)) < 0) {
			goto slow;
		} else {
			dp_tgw_count(&tgw, r, att, rte_pktmbuf_pkt_len(m) - md->l3);
		}
		ip = dp_ip_hdr(m, md);
		if (ip->time_to_live <= 1)
			goto slow;
		untracked++;
		ip->time_to_live--;
		ip->hdr_checksum = csum_ttl_dec(ip->hdr_checksum);
		if (direct) {
			if (likely(arp_idle && dp_neigh_xmit_fast(w, m, srt[ds].port, dst[i])))
				continue;
			w->emit_on = false;
			dp_neigh_output(m, srt[ds].port, dst[i], b->now);
			w->emit_on = true;
			arp_idle = w->arpq_n == 0;
		} else {
			dp_emit_add(w, m, srt[ds].port, dst[i], md->slot);
		}
		continue;
slow:
		if (md->slot < min_slot)
			min_slot = md->slot;
		dp_vec_push(policy, m);
	}
	g->policy_min_slot = min_slot;
	dp_stats_self()->untracked += untracked;
	dp_tgw_acc_flush(&tgw);
}
