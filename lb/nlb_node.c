/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The NLB's new-flow stage (SPEC §4 "Network Load Balancer"): a packet to a
 * listener with no flow opens one through the client's SG and the NACLs of
 * the NLB's subnet, chooses its target by Maglev, is translated, and meets
 * the target's NACL and SG. Installed into dp_pipe_ops by dp/pipeline.c.
 */
#include <rte_byteorder.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "dp/ct_tcp.h"
#include "dp/dp.h"
#include "dp/dp_flow.h"
#include "dp/dp_pipe.h"
#include "dp/dp_pkt.h"
#include "dp/flow_pickup.h"
#include "lb/lb.h"
#include "lb/nlb_node.h"

/*
 * The flow of a packet to listener l that has none: a SYN (or UDP) opens it;
 * other TCP is reset, as after an idle timeout, unless node.mid_flow =
 * "place" picks it up (docs/SCALE-OUT.md). NULL when m was consumed.
 */
static struct dp_flow *
nlb_flow_open(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c, int l)
{
	struct dp_lcore_stats *st = dp_stats_self();
	struct dp_flow *f;

	if (md->proto != IPPROTO_TCP || fw_ct_tcp_can_open(md->tcp_flags))
		return dp_flow_new(m, md, c);
	if (c->t->cfg->node.mid_flow_place && !(md->tcp_flags & RTE_TCP_RST_FLAG)) {
		/* a connection another node opened: the 5-tuple hash places it
		 * where that node did */
		f = dp_flow_pickup(m, md, c);
		if (f != NULL)
			st->listener[l].midflow_placed++;
		return f;
	}
	/* data for no flow (timed out long ago, or never seen): the NLB resets
	 * it, as after an idle timeout */
	if (!(md->tcp_flags & RTE_TCP_RST_FLAG)) {
		st->listener[l].resets++;
		dp_send_rst(m, md);
	}
	dp_drop(m, DP_DROP_nlb_idle_timeout);
	return NULL;
}

void
lb_nlb_new(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c)
{
	const struct cfg *cfg = c->t->cfg;
	struct dp_lcore_stats *st = dp_stats_self();
	const struct rte_tcp_hdr *th = (const struct rte_tcp_hdr *)dp_l4_hdr(m, md);
	int l = lb_listener_find(c->t, md->key.dst, md->proto, md->key.dport);
	int nlb_subnet = cfg->nlbs[c->nlb].subnet;
	struct dp_flow *f;
	uint16_t es, ed;
	int rc;

	/* a target's reply to an IPv6 client (dualstack NLB, ipv4 group) */
	if (unlikely(c->t->lb->has64) && lb_nlb64_reply(m, md, c))
		return;
	if (l < 0 || (md->flags & DP_M_FRAG) || (md->flags & DP_M_ICMP_ERR)) {
		dp_drop(m, l < 0 ? DP_DROP_nlb_no_listener : DP_DROP_ip_fragment);
		return;
	}
	/* the client's SG, then into the NLB's subnet */
	if (c->in == DP_IN_VPC && dp_pipe_ops.sg_eval(c, m, md, true, false, &es, &ed) < 0)
		return;
	if (c->in == DP_IN_VPC && c->src_subnet != nlb_subnet &&
	    !dp_pipe_ops.nacl_allows(c, m, md, c->src_subnet, DP_DIR_EGRESS))
		return;
	if ((c->in != DP_IN_VPC || c->src_subnet != nlb_subnet) &&
	    !dp_pipe_ops.nacl_allows(c, m, md, nlb_subnet, DP_DIR_INGRESS))
		return;
	f = nlb_flow_open(m, md, c, l);
	if (f == NULL)
		return;
	rc = lb_flow_init(c->t, l, f, md->proto == IPPROTO_TCP ? th->sent_seq : 0);
	if (rc != 0) {
		dp_flow_abandon(f);
		dp_drop(m, (enum dp_drop)rc);
		return;
	}
	/* the target's SG sees the translated packet (client IP when preserved) */
	dp_flow_xlate(m, md, f, 0);
	{
		int ds = dp_subnet_lookup(c->t, rte_be_to_cpu_32(md->key.dst));

		if (ds != nlb_subnet &&
		    !dp_pipe_ops.nacl_allows(c, m, md, nlb_subnet, DP_DIR_EGRESS)) {
			dp_flow_abandon(f);
			return;
		}
		if (ds >= 0 && ds != nlb_subnet &&
		    !dp_pipe_ops.nacl_allows(c, m, md, ds, DP_DIR_INGRESS)) {
			dp_flow_abandon(f);
			return;
		}
	}
	if (dp_pipe_ops.sg_eval(c, m, md, false, true, &es, &ed) < 0) {
		dp_flow_abandon(f);
		return;
	}
	f->eni[1] = ed;
	f->flags |= DP_FLOW_F_SG_OK;
	if (dp_flow_publish(m, f, c) < 0)
		return;
	st->listener[f->svc].flows_created++;
	st->target[f->target].flows_created++;
	st->listener[f->svc].packets++;
	st->listener[f->svc].bytes += rte_pktmbuf_pkt_len(m) - md->l3;
	st->target[f->target].packets++;
	st->target[f->target].bytes += rte_pktmbuf_pkt_len(m) - md->l3;
	c->policy_done = true;
	dp_deliver_local(m, md, c, f);
}
