/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Route targets of the NAT module (SPEC §3–4): the internet gateway (1:1
 * translation of elastic IPs and NLB public addresses, outbound) and the NAT
 * gateway (source translation of new connections from the VPC, and of the
 * packets of known ones the first time under a table generation; the fast
 * stage repeats the rest). Installed by dp/pipeline.c.
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
#include "nat/nat.h"
#include "nat/nat_node.h"

void
nat_igw_target(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c, struct dp_flow *f,
	       int dir, const struct dp_route *r)
{
	const struct cfg *cfg = c->t->cfg;
	uint32_t src = rte_be_to_cpu_32(dp_ip_hdr(m, md)->src_addr), pub, v;

	if (c->in == DP_IN_INTERNET || !cfg->igw.present) {
		dp_drop(m, DP_DROP_no_route);
		return;
	}
	if (dp_map_get(&c->t->eip_by_private, src, &v))
		pub = cfg->igw.eips[v].public_addr;
	else if (dp_map_get(&c->t->nlb_by_private, src, &v))
		pub = cfg->nlbs[v].public_addr;
	else {
		dp_drop(m, DP_DROP_igw_no_public_ip);
		return;
	}
	if (!dp_egress_policy(m, md, c, f))
		return;
	dp_set_addr(m, md, true, dp_hton_addr(pub));
	/* one rewrite per cached action: an NLB reply (translated, then 1:1) is not */
	if (c->act_op == DP_ACT_FWD) {
		c->act_op = DP_ACT_SNAT_SRC;
		c->act_pub = dp_hton_addr(pub);
	} else {
		c->act_op = DP_ACT_NONE;
	}
	if ((md->flags & (DP_M_FRAG | DP_M_LATER_FRAG)) == DP_M_FRAG)
		dp_frag_record(m, md, c->osrc, c->odst, c->now);
	dp_output(m, md, (uint16_t)cfg->igw.port, cfg->igw.next_hop, c);
}

/* A new connection through NAT gateway g; NULL when m was dropped. */
static struct dp_flow *
nat_new(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c, int g)
{
	struct dp_nat_stats *ns = &dp_stats_self()->nat[g];
	const struct dp_pipe_ops *ops = &dp_pipe_ops;
	struct dp_flow *f;
	uint16_t es, ed;
	int rc;

	if ((md->flags & DP_M_FRAG) && md->proto != IPPROTO_UDP) {
		ns->drop++;
		dp_drop(m, DP_DROP_nat_fragment);
		return NULL;
	}
	if (md->flags & DP_M_ICMP_ERR) {
		ns->drop++;
		dp_drop(m, DP_DROP_nat_no_session);
		return NULL;
	}
	if (ops->sg_eval(c, m, md, true, false, &es, &ed) < 0)
		return NULL;
	if (!ops->nacl_allows(c, m, md, c->src_subnet, DP_DIR_EGRESS))
		return NULL;
	if (md->proto == IPPROTO_TCP && !fw_ct_tcp_can_open(md->tcp_flags)) {
		/* a connection the gateway no longer knows: RST, never FIN (AWS);
		 * a timed-out one and one never seen look the same once the flow
		 * is gone */
		if (!(md->tcp_flags & RTE_TCP_RST_FLAG)) {
			ns->idle_timeout++;
			dp_send_rst(m, md);
		}
		ns->drop++;
		dp_drop(m, DP_DROP_nat_idle_timeout);
		return NULL;
	}
	ns->conn_attempt += md->proto != IPPROTO_TCP || (md->tcp_flags & RTE_TCP_SYN_FLAG);
	f = dp_flow_new(m, md, c);
	if (f == NULL) {
		ns->drop++;
		return NULL;
	}
	f->eni[0] = es;
	f->flags |= DP_FLOW_F_SG_OK;
	rc = nat_flow_init(c->t, g, f, dp_worker_self()->id, dp_g.n_workers);
	if (rc != 0) {
		dp_flow_abandon(f);
		ns->err_port_alloc++;
		ns->drop++;
		dp_drop(m, (enum dp_drop)rc);
		return NULL;
	}
	if (dp_flow_publish(m, f, c) < 0) {
		/* give back the destination slot nat_flow_init took */
		nat_flow_deleted(f);
		ns->drop++;
		return NULL;
	}
	ns->conn_created++;
	return f;
}

void
nat_gw_target(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c, struct dp_flow *f,
	      int dir, const struct dp_route *r)
{
	const struct cfg *cfg = c->t->cfg;
	struct dp_nat_stats *ns = &dp_stats_self()->nat[r->ref];
	uint32_t bytes;

	if (c->in != DP_IN_VPC || !cfg->igw.present) {
		dp_drop(m, DP_DROP_no_route);
		return;
	}
	if (md->flags & DP_M_LATER_FRAG) {
		/* the policy stage applied the first fragment's translation */
	} else if (f == NULL) {
		f = nat_new(m, md, c, r->ref);
		if (f == NULL)
			return;
		dp_flow_xlate(m, md, f, 0);
	} else {
		if (!dp_pipe_ops.nacl_allows(c, m, md, c->src_subnet, DP_DIR_EGRESS))
			return;
		dp_flow_xlate(m, md, f, dir);
		if (c->act_op != DP_ACT_NONE) {
			c->act_op = DP_ACT_XLATE;
			c->act_acct = DP_ACCT_NAT_OUT;
		}
	}
	bytes = rte_pktmbuf_pkt_len(m) - md->l3;
	ns->pkts_in_src++;
	ns->bytes_in_src += bytes;
	ns->pkts_out_dst++;
	ns->bytes_out_dst += bytes;
	if ((md->flags & (DP_M_FRAG | DP_M_LATER_FRAG)) == DP_M_FRAG)
		dp_frag_record(m, md, c->osrc, c->odst, c->now);
	dp_output(m, md, (uint16_t)cfg->igw.port, cfg->igw.next_hop, c);
}
