/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Transit gateways, packet side (tgw/tgw.h): the VPC route target
 * "tgw:NAME" (policy stage) and the ingress of a port attachment's port
 * (ip_input). ip_route's vector path for a VPC to VPC hop that meets no
 * NACL and no security group is inline in the core: dp/dp_tgw.h.
 *
 * Counters (CloudWatch's, per attachment): a packet the transit gateway
 * receives from an attachment is PacketsIn/BytesIn of it, dropped there as
 * PacketDropCountBlackhole or PacketDropCountNoRoute of it, else
 * PacketsOut/BytesOut of the attachment it goes to. Bytes are of the IP
 * packet. Packets toward a transit gateway never get a cached action (the
 * fast stage counts nothing of ours): each is decided here.
 */
#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dp/dp.h"
#include "dp/dp_flow.h"
#include "dp/dp_pipe.h"
#include "dp/dp_pkt.h"
#include "tgw/tgw.h"

/* A drop at the transit gateway, on attachment src's counters. */
static void
tgw_drop(struct rte_mbuf *m, struct dp_tgw_stats *st, uint32_t to)
{
	if (to == TGW_BLACKHOLE) {
		st->drop_blackhole++;
		dp_drop(m, DP_DROP_tgw_blackhole);
	} else {
		st->drop_no_route++;
		dp_drop(m, DP_DROP_tgw_no_route);
	}
}

/* Does VPC attachment to hold destination subnet ds? If not, m is dropped:
 * vpcgw delivers into the attachment's VPC and never routes the packet
 * again there (SPEC §8: a packet from a transit gateway never leaves over a
 * peering of that VPC, as in AWS, where a peering carries no traffic of a
 * transit gateway's: peering_not_transitive; anything else: no_route). */
static bool
tgw_into_vpc(struct rte_mbuf *m, const struct dp_tables *t, int vpc, int ds)
{
	const struct cfg *cfg = t->cfg;
	int w = ds >= 0 ? cfg->subnets[ds].vpc : -1;

	if (likely(w == vpc))
		return true;
	for (int i = 0; w >= 0 && i < cfg->n_peerings; i++)
		if ((cfg->peerings[i].vpc[0] == vpc && cfg->peerings[i].vpc[1] == w) ||
		    (cfg->peerings[i].vpc[1] == vpc && cfg->peerings[i].vpc[0] == w)) {
			dp_drop(m, DP_DROP_peering_not_transitive);
			return false;
		}
	dp_drop(m, DP_DROP_no_route);
	return false;
}

void
tgw_target(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c, struct dp_flow *f,
	   int dir, const struct dp_route *r)
{
	const struct dp_tgw *s = c->t->tgw;
	struct dp_lcore_stats *ls = dp_stats_self();
	uint32_t dst = rte_be_to_cpu_32(dp_ip_hdr(m, md)->dst_addr);
	uint32_t bytes = rte_pktmbuf_pkt_len(m) - md->l3;
	const struct dp_tgw_att *to;
	unsigned src;
	uint32_t d;

	RTE_SET_USED(dir);
	/* what a subnet sent (or an appliance returns for it), from a VPC with
	 * an attachment to this transit gateway (config/cfg_tgw.c) */
	if ((c->in != DP_IN_VPC && c->in != DP_IN_APPLIANCE) || c->src_subnet < 0 || s == NULL ||
	    r->ref2 == UINT16_MAX) {
		dp_drop(m, DP_DROP_no_route);
		return;
	}
	src = r->ref2;
	ls->tgw[src].pkts_in++;
	ls->tgw[src].bytes_in += bytes;
	d = dp_tgw_lookup(s, src, dst);
	if (d >= TGW_BLACKHOLE) {
		tgw_drop(m, &ls->tgw[src], d);
		return;
	}
	to = &s->att[d];
	c->act_op = DP_ACT_NONE;        /* counted here, packet by packet */
	if (to->vpc >= 0) {
		/* sent to the attachment: what the VPC does with it is its own */
		uint8_t z = c->t->cfg->vpcs[to->vpc].zone;

		ls->tgw[d].pkts_out++;
		ls->tgw[d].bytes_out += bytes;
		if (!tgw_into_vpc(m, c->t, to->vpc, dp_subnet_lookup_zone(c->t, z, dst)))
			return;
		/* into another zone (an overlapping VPC's, or out of one): the
		 * packet is that VPC's now; a flow made for it keeps its source
		 * side in the zone it came from (dp_deliver_local) */
		if (unlikely(z != md->key.zone)) {
			c->zone_cross = true;
			c->from_zone = md->key.zone;
			md->key.zone = z;
		}
		dp_deliver_local(m, md, c, f);
		return;
	}
	/* out of the VPC to the port attachment's next hop */
	if (!dp_egress_policy(m, md, c, f))
		return;
	ls->tgw[d].pkts_out++;
	ls->tgw[d].bytes_out += bytes;
	if ((md->flags & (DP_M_FRAG | DP_M_LATER_FRAG)) == DP_M_FRAG)
		dp_frag_record(m, md, c->osrc, c->odst, c->now);
	dp_output(m, md, to->port, to->nh, c);
}

bool
tgw_ingress(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c)
{
	const struct dp_tgw *s = c->t->tgw;
	struct dp_lcore_stats *ls = dp_stats_self();
	struct rte_ipv4_hdr *ip = dp_ip_hdr(m, md);
	uint32_t dst = rte_be_to_cpu_32(ip->dst_addr);
	uint32_t bytes = rte_pktmbuf_pkt_len(m) - md->l3;
	const struct dp_tgw_att *to;
	int src = s != NULL ? s->port_att[md->in_port] : -1;
	uint32_t d;

	if (src < 0) {
		dp_drop(m, DP_DROP_dst_unknown);
		return false;
	}
	ls->tgw[src].pkts_in++;
	ls->tgw[src].bytes_in += bytes;
	d = dp_tgw_lookup(s, (unsigned)src, dst);
	if (d >= TGW_BLACKHOLE) {
		tgw_drop(m, &ls->tgw[src], d);
		return false;
	}
	to = &s->att[d];
	if (to->vpc >= 0) {
		uint8_t z = c->t->cfg->vpcs[to->vpc].zone;

		ls->tgw[d].pkts_out++;
		ls->tgw[d].bytes_out += bytes;
		if (!tgw_into_vpc(m, c->t, to->vpc, dp_subnet_lookup_zone(c->t, z, dst)))
			return false;
		/* an overlapping VPC's: the packet, and its flow both ways, are
		 * in that VPC's zone from here on (no flow was looked up yet) */
		md->key.zone = z;
		c->in = DP_IN_TGW;      /* the local route: that subnet's NACL, its ENI's SG */
		c->src_subnet = -1;
		return true;
	}
	/* port attachment to port attachment: nothing of a VPC on the way */
	ls->tgw[d].pkts_out++;
	ls->tgw[d].bytes_out += bytes;
	c->osrc = ip->src_addr;
	c->odst = ip->dst_addr;
	c->act_op = DP_ACT_NONE;
	dp_output(m, md, to->port, to->nh, c);
	return false;
}
