/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The GWLB's parts of the pipeline (SPEC §3 steps 3 and 5): the route target
 * gwlb-endpoint (a new flow chooses its appliance; every packet of the flow
 * is encapsulated to it), and what comes back from an appliance port
 * (GENEVE from a registered appliance is decapsulated and continues from the
 * endpoint subnet's route table). Installed by dp/pipeline.c.
 */
#include <rte_byteorder.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "dp/ct_tcp.h"
#include "dp/dp.h"
#include "dp/dp_flow.h"
#include "dp/dp_pipe.h"
#include "dp/dp_pkt.h"
#include "dp/dp_worker.h"
#include "dp/flow_pickup.h"
#include "dp/ip6.h"
#include "geneve/gnv.h"
#include "geneve/gwlb_node.h"

/* A new flow to endpoint ep (global index); NULL when m was dropped. */
static struct dp_flow *
gwlb_new(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c, int ep)
{
	const struct dp_pipe_ops *ops = &dp_pipe_ops;
	struct dp_flow *f;
	uint16_t es, ed;
	bool picked;
	int rc;

	if (md->flags & DP_M_ICMP_ERR) {
		dp_drop(m, DP_DROP_gwlb_no_flow);
		return NULL;
	}
	if (c->in == DP_IN_VPC && ops->sg_eval(c, m, md, true, false, &es, &ed) < 0)
		return NULL;
	if (c->in == DP_IN_VPC && !ops->nacl_allows(c, m, md, c->src_subnet, DP_DIR_EGRESS))
		return NULL;
	/* node.mid_flow = "place": a connection another node opened is picked
	 * up; the appliance hash is the same on every node (docs/SCALE-OUT.md) */
	picked = md->proto == IPPROTO_TCP && !fw_ct_tcp_can_open(md->tcp_flags) &&
		 !(md->tcp_flags & RTE_TCP_RST_FLAG) && c->t->cfg->node.mid_flow_place;
	f = picked ? dp_flow_pickup(m, md, c) : dp_flow_new(m, md, c);
	if (f == NULL)
		return NULL;
	if (c->in == DP_IN_VPC) {
		f->eni[0] = es;
		f->flags |= DP_FLOW_F_SG_OK;
	}
	rc = gnv_flow_init(c->t, ep, f);
	if (rc != 0) {
		dp_flow_abandon(f);
		dp_drop(m, (enum dp_drop)rc);
		return NULL;
	}
	if (dp_flow_publish(m, f, c) < 0)
		return NULL;
	if (picked)
		dp_stats_self()->gwlb[f->svc].midflow_placed++;
	return f;           /* its packets are counted by gnv_encap, once sent */
}

void
gwlb_endpoint_target(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c, struct dp_flow *f,
		     int dir, const struct dp_route *r)
{
	int ep = gnv_ep_index(c->t, r->ref, r->ref2);
	uint16_t port;
	uint32_t nh;
	int rc;

	if (c->in == DP_IN_APPLIANCE) {        /* would loop back to the appliance */
		dp_drop(m, DP_DROP_no_route);
		return;
	}
	if (md->flags & DP_M_FRAG) {
		dp_drop(m, DP_DROP_ip_fragment);
		return;
	}
	if (f == NULL) {
		f = gwlb_new(m, md, c, ep);
		if (f == NULL)
			return;
	} else if (f->kind != DP_FLOW_GWLB) {
		/* a flow of another service routed to an endpoint: not chained */
		dp_drop(m, DP_DROP_no_route);
		return;
	} else if (c->in == DP_IN_VPC &&
		   !dp_pipe_ops.nacl_allows(c, m, md, c->src_subnet, DP_DIR_EGRESS)) {
		return;
	} else if (c->act_op == DP_ACT_FWD) {
		/* a known packet: its direction's later packets are encapsulated
		 * by the fast stage (the appliance is chosen there, per packet) */
		if (dp_pipe_ops.nacl_cache_set != NULL)
			dp_pipe_ops.nacl_cache_set(c);
		c->act_op = DP_ACT_ENCAP;
		dp_act_fill(c, md, 0, 0);
	}
	rc = gnv_encap(m, c->t, f, &port, &nh);
	if (rc != 0) {
		dp_drop(m, (enum dp_drop)rc);
		return;
	}
	dp_neigh_xmit(m, port, nh, c->now);
}

int
gwlb_appliance_input(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c)
{
	const struct dp_tables *t = c->t;
	uint32_t cookie;
	int app, rc;

	if (md->proto == IPPROTO_UDP &&
	    (md->key.dport == RTE_BE16(6081) || md->key.sport == RTE_BE16(6081)) &&
	    !gnv_is_geneve(m, md, t) && !(md->flags & DP_M_FRAG)) {
		dp_drop(m, DP_DROP_gwlb_not_appliance);
		return 0;
	}
	if (!gnv_is_geneve(m, md, t))
		return -1;
	rc = gnv_decap(m, md, t, &cookie, &app);
	if (rc != 0) {
		dp_drop(m, (enum dp_drop)rc);
		return 0;
	}
	c->in = DP_IN_APPLIANCE;
	c->src_subnet = t->gnv->ep[md->ep].subnet;
	md->flags |= DP_M_FROM_APPLIANCE;
	md->nh = cookie;
	if (*rte_pktmbuf_mtod_offset(m, const uint8_t *, md->l3) >> 4 == 6) {
		/* IPv6 inside: checked against its flow and routed here */
		dp_ip6_appliance_input(c, m, md);
		return 0;
	}
	return 1;
}
