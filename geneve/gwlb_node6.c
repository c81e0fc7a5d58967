/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * GWLB with IPv6 inner packets (SPEC §7): the route target gwlb-endpoint for
 * IPv6 destinations, called by the IPv6 stage (dp_pipe_ops.gwlb6_target),
 * and the IPv6 half of the appliance input. The outer header stays IPv4
 * (gnv_encap, protocol type 0x86DD); the flow is an IPv6 flow of the shared
 * table (dp/flow6.c) of kind DP_FLOW_GWLB, its appliance and cookie from the
 * full IPv6 addresses (gnv.c). As for IPv4 (gwlb_node.c): a new flow from the
 * VPC meets the source ENI's egress security groups and the source subnet's
 * outbound NACL (every packet from the VPC meets the NACL); a flow from the
 * internet meets the destination's security groups once, on the delivery leg
 * after the appliance (dp/ip6_policy.c). Fragments are dropped (ip_fragment).
 */
#include <errno.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dp/dp.h"
#include "dp/dp_flow.h"
#include "dp/dp_pipe.h"
#include "dp/dp_pkt.h"
#include "dp/dp_worker.h"
#include "dp/ip6.h"
#include "geneve/gnv.h"
#include "geneve/gwlb_node.h"

/* A new IPv6 flow of key k to endpoint ep; NULL when m was dropped. */
static struct dp_flow *
gwlb6_new(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c, int ep,
	  const struct dp_flow_key *k)
{
	const struct dp_pipe_ops *ops = &dp_pipe_ops;
	struct dp_flow *f;
	uint16_t es = 0, ed;
	int rc, d;

	if (c->in == DP_IN_VPC && ops->sg6_eval(c->t, m, md, true, false, &es, &ed) < 0)
		return NULL;
	if (c->in == DP_IN_VPC && !ops->nacl6_allows(c->t, m, md, c->src_subnet, DP_DIR_EGRESS))
		return NULL;
	f = dp_ip6_flow_new(m, md, c, k);
	if (f == NULL)
		return NULL;
	if (c->in == DP_IN_VPC) {
		f->eni[0] = es;
		f->flags |= DP_FLOW_F_SG_OK;
	}
	f->kind = DP_FLOW_GWLB;
	/* the appliance and cookie hash the full addresses: bound first */
	if (!dp_flow6_bind(f, m, md)) {
		dp_flow_abandon(f);
		dp_drop(m, DP_DROP_gwlb_no_flow);
		return NULL;
	}
	rc = gnv_flow_init(c->t, ep, f);
	if (rc != 0) {
		dp_flow_abandon(f);
		dp_drop(m, (enum dp_drop)rc);
		return NULL;
	}
	rc = dp_ip6_flow_publish(m, md, f, false);
	if (rc == -EEXIST) {
		/* another worker's packet opened it first (or a folded-key
		 * collision): that flow, if it is this one */
		f = dp_flow6_find(k, m, md, &d);
		if (f == NULL || f->kind != DP_FLOW_GWLB) {
			dp_drop(m, DP_DROP_gwlb_no_flow);
			return NULL;
		}
	} else if (rc < 0) {
		return NULL;
	}
	return f;
}

void
gwlb6_endpoint_target(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c,
		      const struct dp_route *r)
{
	int ep = gnv_ep_index(c->t, r->ref, r->ref2), d = 0;
	struct dp_flow_key k;
	struct dp_flow *f = NULL;
	uint16_t port;
	uint32_t nh;
	bool keyed, gone;
	int rc;

	if (md->flags & (DP_M_FRAG | DP_M_LATER_FRAG)) {
		dp_drop(m, DP_DROP_ip_fragment);
		return;
	}
	keyed = dp_flow6_key(m, md, &k);
	if (!keyed) {
		/* an ICMPv6 error: the flow of the packet it quotes, or none */
		f = dp_flow_any() ? dp_flow6_find_error(m, md) : NULL;
		if (f == NULL || f->kind != DP_FLOW_GWLB) {
			dp_drop(m, DP_DROP_gwlb_no_flow);
			return;
		}
		d = -1;
	} else if (dp_flow_any()) {
		f = dp_flow6_find(&k, m, md, &d);
		if (f != NULL) {
			if (!dp_ip6_known(m, md, f, d, c->now, true, &gone))
				return;
			if (gone)
				f = NULL;
		}
	}
	if (f == NULL) {
		f = gwlb6_new(m, md, c, ep, &k);
		if (f == NULL)
			return;
	} else if (f->kind != DP_FLOW_GWLB) {
		/* a flow of another service routed to an endpoint: not chained */
		dp_drop(m, DP_DROP_no_route);
		return;
	} else if (c->in == DP_IN_VPC &&
		   !dp_pipe_ops.nacl6_allows(c->t, m, md, c->src_subnet, DP_DIR_EGRESS)) {
		return;
	}
	if (d >= 0)
		dp_flow_account(f, d, rte_pktmbuf_pkt_len(m) - md->l3);
	rc = gnv_encap(m, c->t, f, &port, &nh);
	if (rc != 0) {
		dp_drop(m, (enum dp_drop)rc);
		return;
	}
	dp_neigh_xmit(m, port, nh, c->now);
}
