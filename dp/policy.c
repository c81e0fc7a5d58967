/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The policy stage (SPEC §3 steps 2–6 for what the fast stages cannot
 * decide alone): known flows the first time under a table generation, new
 * flows, fragments, ICMP errors, expired flows. In the order of SPEC §3: the
 * flow's state, then the route table of where the packet entered, then the
 * route target. The core owns the local route and blackholes; every other
 * target is a service's handler (dp_route_target_register), and security
 * policy is reached through dp_pipe_ops: this file names no service.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "dp/csum.h"
#include "dp/ct_tcp.h"
#include "dp/dp.h"
#include "dp/dp_flow.h"
#include "dp/dp_pipe.h"
#include "dp/dp_pkt.h"
#include "dp/dp_graph.h"
#include "dp/dp_worker.h"
#include "dp/ip_input.h"

#define ROUTE_TARGET_KINDS 16

struct dp_pipe_ops dp_pipe_ops;
static dp_route_target_fn route_targets[ROUTE_TARGET_KINDS];

void
dp_route_target_register(uint8_t kind, dp_route_target_fn fn)
{
	RTE_VERIFY(kind < ROUTE_TARGET_KINDS);
	route_targets[kind] = fn;
}

/* ------------------------------------------------------------ flows */

struct dp_flow *
dp_flow_new_keyed(struct rte_mbuf *m, const struct dp_pctx *c, const struct dp_flow_key *k,
		  uint8_t tcp_state)
{
	struct dp_flow *f = dp_flow_alloc();

	if (f == NULL) {
		dp_drop(m, DP_DROP_conntrack_allowance_exceeded);
		return NULL;
	}
	f->key[0] = *k;
	f->key[1] = dp_flow_key_mirror(k);
	f->key[1].zone = k->zone;   /* the mirror keeps no zone (IPv4's is 0) */
	f->last_ms = c->now;
	f->tcp_state = tcp_state;
	return f;
}

struct dp_flow *
dp_flow_new(struct rte_mbuf *m, struct dp_meta *md, const struct dp_pctx *c)
{
	if (md->proto == IPPROTO_TCP && !fw_ct_tcp_can_open(md->tcp_flags)) {
		dp_drop(m, DP_DROP_ct_not_syn);
		return NULL;
	}
	return dp_flow_new_keyed(m, c, &md->key, md->proto != IPPROTO_TCP ? FW_CT_TCP_NONE :
				 fw_ct_tcp_next(FW_CT_TCP_NONE, 0, md->tcp_flags, NULL));
}

/*
 * A packet leaving the VPC through a gateway (internet gateway, gateway
 * endpoint): on a new flow the source ENI's egress security groups, then the
 * subnet's outbound network ACL; tracked (an SG flow) when a rule tracks it.
 * false: dropped.
 */
bool
dp_egress_policy(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c, struct dp_flow *f)
{
	const struct dp_pipe_ops *ops = &dp_pipe_ops;
	bool new_flow = f == NULL && !c->policy_done && c->in == DP_IN_VPC &&
			!(md->flags & DP_M_ICMP_ERR);
	uint16_t es, ed;
	int tr = 0;

	if (new_flow) {
		tr = ops->sg_eval(c, m, md, true, false, &es, &ed);
		if (tr < 0)
			return false;
	}
	if (!c->policy_done && c->in == DP_IN_VPC &&
	    !ops->nacl_allows(c, m, md, c->src_subnet, DP_DIR_EGRESS))
		return false;
	if (!new_flow)
		return true;
	if (tr > 0 && ops->sg_can_track(md)) {
		f = dp_flow_new(m, md, c);
		if (f == NULL)
			return false;
		f->kind = DP_FLOW_SG;
		f->eni[0] = es;
		f->flags |= DP_FLOW_F_SG_OK;
		ops->sg_timeouts(c, f);
		if (dp_flow_publish(m, f, c) < 0)
			return false;
	} else {
		dp_stats_self()->untracked++;
	}
	return true;
}

int
dp_flow_publish(struct rte_mbuf *m, struct dp_flow *f, const struct dp_pctx *c)
{
	struct dp_lcore_stats *st = dp_stats_self();
	int rc = dp_flow_insert_meta(f, dp_meta(m));

	if (rc == 0)
		*c->burst_new |= dp_flow_key_bit(&f->key[0]) | dp_flow_key_bit(&f->key[1]);
	if (rc < 0) {
		dp_drop(m, DP_DROP_conntrack_allowance_exceeded);
		return -1;
	}
	st->flows_created[f->kind]++;
	/* the packet that opened it (dp_flow_alloc zeroed the counters) */
	dp_flow_set_created(f, c->now);
	dp_flow_pkt(f, 0, rte_pktmbuf_pkt_len(m) - dp_meta(m)->l3);
	for (int i = 0; i < 2; i++)
		if (f->eni[i])
			st->eni[f->eni[i] - 1].flows_created++;
	return 0;
}

/* ------------------------------------------------------------ output */

static inline uint16_t
fold(uint64_t s)
{
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)((s & 0xffff) + (s >> 16));
}

/*
 * The packet of known flow c->nf leaves through port/nh after the rewrite
 * c->act_op: keep that as the direction's action for the fast stage
 * (flow_fast.c), unless another writer holds it.
 */
void
dp_act_fill(const struct dp_pctx *c, const struct dp_meta *md, uint16_t port, uint32_t nh)
{
	struct dp_flow *f = c->nf;
	struct dp_flow_act *a = &f->act[c->nd];
	uint32_t g = __atomic_load_n(&a->gen, __ATOMIC_RELAXED), gen = c->t->generation + 1;

	if (g == gen || g == DP_ACT_GEN_BUSY || gen == DP_ACT_GEN_BUSY || gen == 0 ||
	    !(__atomic_load_n(&f->flags, __ATOMIC_RELAXED) & DP_FLOW_F_SG_OK))
		return;
	if (!__atomic_compare_exchange_n(&a->gen, &g, DP_ACT_GEN_BUSY, false, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED))
		return;
	a->nh = nh;
	a->port = port;
	/* an encapsulation checks the MTU of the port it names itself: the
	 * fast path's check (flow_fast.c) never stops its packets */
	a->mtu = c->act_op == DP_ACT_ENCAP ? UINT16_MAX : dp_g.ports[port].mtu;
	a->op = c->act_op;
	a->acct = c->act_acct;
	a->in_port = md->in_port;
	a->pub = c->act_pub;
	a->ip_delta = a->l4_delta = 0;
	if (c->act_op == DP_ACT_XLATE) {
		const struct dp_flow_key *o = &f->key[c->nd];
		struct dp_flow_key n = dp_flow_key_mirror(&f->key[1 - c->nd]);
		uint64_t da = csum_diff32(o->src, n.src) + csum_diff32(o->dst, n.dst);

		a->ip_delta = fold(da);
		a->l4_delta = fold(da + csum_diff16(o->sport, n.sport) +
				   csum_diff16(o->dport, n.dport));
	} else if (c->act_op == DP_ACT_SNAT_SRC) {
		a->ip_delta = a->l4_delta = fold(csum_diff32(f->key[c->nd].src, c->act_pub));
	}
	/* the fast stage applies the TTL's decrement with the rewrite's
	 * (one's complement sums: the order of the addends does not matter) */
	a->ip_delta = fold((uint64_t)a->ip_delta + CSUM_TTL_DEC_DIFF);
	/* pairs with the acquire loads of flow_fast.c */
	__atomic_store_n(&a->gen, gen, __ATOMIC_RELEASE);
}

/* TTL, checksum, and out through the neighbor of nh. */
void
dp_output(struct rte_mbuf *m, struct dp_meta *md, uint16_t port, uint32_t nh, struct dp_pctx *c)
{
	struct rte_ipv4_hdr *ip = dp_ip_hdr(m, md);

	if (unlikely(rte_pktmbuf_pkt_len(m) - md->l3 > dp_g.ports[port].mtu)) {
		dp_drop_too_big(m, md, dp_g.ports[port].mtu, c);    /* never fragmented */
		return;
	}
	if (c->nf != NULL) {
		if (dp_pipe_ops.nacl_cache_set != NULL)
			dp_pipe_ops.nacl_cache_set(c);
		if (c->act_op != DP_ACT_NONE)
			dp_act_fill(c, md, port, nh);
	}
	/* TTL: checked before any translation decision was sent anywhere */
	ip->time_to_live--;
	ip->hdr_checksum = csum_ttl_dec(ip->hdr_checksum);
	dp_neigh_xmit(m, port, nh, c->now);
}

/* Record the translation of a first fragment for the later ones. */
void
dp_frag_record(struct rte_mbuf *m, struct dp_meta *md, uint32_t osrc, uint32_t odst, uint64_t now)
{
	struct dp_worker_ctx *w = dp_worker_self();
	const struct rte_ipv4_hdr *ip = dp_ip_hdr(m, md);
	uint32_t h = (osrc ^ odst ^ ip->packet_id * 2654435761u) % DP_FRAG_SLOTS;
	struct dp_frag_ent *e = &w->frag[h];

	e->src = osrc;
	e->dst = odst;
	e->ip_id = ip->packet_id;
	e->proto = md->proto;
	e->new_src = ip->src_addr;
	e->new_dst = ip->dst_addr;
	e->since_ms = now;
	e->used = 1;
}

static bool
frag_follow(struct rte_mbuf *m, struct dp_meta *md, uint64_t now)
{
	struct dp_worker_ctx *w = dp_worker_self();
	const struct rte_ipv4_hdr *ip = dp_ip_hdr(m, md);
	uint32_t h = (ip->src_addr ^ ip->dst_addr ^ ip->packet_id * 2654435761u) % DP_FRAG_SLOTS;
	struct dp_frag_ent *e = &w->frag[h];

	if (!e->used || e->src != ip->src_addr || e->dst != ip->dst_addr ||
	    e->ip_id != ip->packet_id || e->proto != md->proto || now - e->since_ms > DP_FRAG_MS)
		return false;
	dp_set_addr(m, md, true, e->new_src);
	dp_set_addr(m, md, false, e->new_dst);
	md->key.src = e->new_src;
	md->key.dst = e->new_dst;
	return true;
}

/* ------------------------------------------------------------ routing */

static const struct dp_rtable *
route_table_of(const struct dp_pctx *c)
{
	const struct cfg *cfg = c->t->cfg;
	int rt = -1;

	switch (c->in) {
	case DP_IN_VPC:
	case DP_IN_APPLIANCE:
		if (c->src_subnet >= 0)     /* its table, or its VPC's local-only one */
			return c->t->subnet_rt[c->src_subnet].rt;
		break;
	case DP_IN_INTERNET:
		rt = cfg->igw.route_table;
		break;
	case DP_IN_VPCE:        /* back from a gateway endpoint: the local route */
	case DP_IN_TGW:         /* from a TGW port attachment: into the VPC it chose */
		break;
	}
	return rt >= 0 ? &c->t->rtables[rt] : &c->t->local_rt;
}

/* Route a packet whose header is final for this hop (flows applied). */
static void
route(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c, struct dp_flow *f, int dir)
{
	const struct dp_rtable *rt = route_table_of(c);
	uint32_t dst = rte_be_to_cpu_32(dp_ip_hdr(m, md)->dst_addr);
	const struct dp_route *r;
	uint64_t nhid;

	dp_rt_lookup_bulk(rt, &dst, &nhid, 1);
	if (nhid == rt->none) {
		dp_drop(m, DP_DROP_no_route);
		return;
	}
	r = &rt->routes[nhid];
	if (c->frag_orphan) {
		/* no first fragment to follow: the NAT gateway names it its own way */
		if (r->kind == CFG_TARGET_NAT) {
			dp_stats_self()->nat[r->ref].drop++;
			dp_drop(m, DP_DROP_nat_fragment);
		} else {
			dp_drop(m, DP_DROP_ip_fragment);
		}
		return;
	}
	switch (r->kind) {
	case CFG_TARGET_LOCAL:
		dp_deliver_local(m, md, c, f);
		return;
	case CFG_TARGET_BLACKHOLE:
		dp_drop(m, DP_DROP_route_blackhole);
		return;
	default:
		if (r->kind < ROUTE_TARGET_KINDS && route_targets[r->kind] != NULL) {
			route_targets[r->kind](m, md, c, f, dir, r);
			return;
		}
	}
	dp_drop(m, DP_DROP_no_route);
}

/* The local route: to a subnet of the VPC, through its inbound NACL and
 * the destination ENI's security groups. */
void
dp_deliver_local(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c, struct dp_flow *f)
{
	const struct dp_pipe_ops *ops = &dp_pipe_ops;
	const struct cfg *cfg = c->t->cfg;
	uint32_t dst = rte_be_to_cpu_32(dp_ip_hdr(m, md)->dst_addr);
	int ds = dp_subnet_lookup_zone(c->t, md->key.zone, dst);
	bool new_flow = f == NULL && !(md->flags & DP_M_LATER_FRAG);
	uint16_t es = 0, ed = 0, x;
	int tr = 0;

	if (ds < 0) {
		dp_drop(m, DP_DROP_no_route);
		return;
	}
	/* SPEC §3 order: source ENI egress SG, outbound NACL, inbound NACL,
	 * destination ENI ingress SG */
	if (new_flow && c->in == DP_IN_VPC) {
		tr = ops->sg_eval(c, m, md, true, false, &es, &x);
		if (tr < 0)
			return;
	}
	if (!c->policy_done) {
		if (c->in == DP_IN_VPC && ds != c->src_subnet &&
		    !ops->nacl_allows(c, m, md, c->src_subnet, DP_DIR_EGRESS))
			return;
		if ((c->in != DP_IN_VPC || ds != c->src_subnet) &&
		    !ops->nacl_allows(c, m, md, ds, DP_DIR_INGRESS))
			return;
	}
	if (md->flags & DP_M_LATER_FRAG) {
		if (!c->policy_done) {
			dp_drop(m, DP_DROP_ip_fragment);
			return;
		}
	} else if (f == NULL) {
		int td = ops->sg_eval(c, m, md, false, true, &x, &ed);

		if (td < 0)
			return;
		tr |= td;
		if (tr > 0 && ops->sg_can_track(md)) {
			f = dp_flow_new(m, md, c);
			if (f == NULL)
				return;
			/* across zones (a transit gateway's hop between overlapping
			 * VPCs' zones): the source's side keyed in its own */
			if (unlikely(c->zone_cross))
				f->key[0].zone = c->from_zone;
			f->kind = DP_FLOW_SG;
			f->eni[0] = es;
			f->eni[1] = ed;
			f->flags |= DP_FLOW_F_SG_OK;
			ops->sg_timeouts(c, f);
			if (dp_flow_publish(m, f, c) < 0)
				return;
		} else {
			dp_stats_self()->untracked++;
		}
	} else if (!(f->flags & DP_FLOW_F_SG_OK)) {
		/* GWLB flow from the internet: the delivery leg meets the SG once */
		c->act_op = DP_ACT_NONE;
		tr = ops->sg_eval(c, m, md, false, true, &es, &ed);
		if (tr < 0)
			return;
		f->eni[1] = ed;
		__atomic_fetch_or(&f->flags, DP_FLOW_F_SG_OK, __ATOMIC_RELAXED);
	}
	if ((md->flags & (DP_M_FRAG | DP_M_LATER_FRAG)) == DP_M_FRAG)
		dp_frag_record(m, md, c->osrc, c->odst, c->now);
	dp_output(m, md, (uint16_t)cfg->subnets[ds].port, dst, c);
}

/* ------------------------------------------------------------ known flows */

/* A packet on an idle-expired flow. Returns true when it was consumed. */
static bool
flow_expired(struct rte_mbuf *m, struct dp_meta *md, struct dp_flow *f, int d)
{
	struct dp_lcore_stats *st = dp_stats_self();

	dp_flow_kill(f);
	if (md->proto != IPPROTO_TCP || (md->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_RST_FLAG)))
		return false;
	/* data on a timed-out connection: RST to the inside (never a FIN) */
	if (f->kind == DP_FLOW_NAT && d == 0) {
		st->nat[f->svc].idle_timeout++;
		st->nat[f->svc].drop++;
		dp_send_rst(m, md);
		dp_drop(m, DP_DROP_nat_idle_timeout);
		return true;
	}
	if (f->kind == DP_FLOW_NLB) {
		st->listener[f->svc].resets++;
		st->target[f->target].resets++;
		dp_send_rst(m, md);
		dp_drop(m, DP_DROP_nlb_idle_timeout);
		return true;
	}
	return false;
}

/* What flow_reuse() decided for a packet of a known flow. */
enum flow_reuse_verdict {
	FLOW_KEEP = 0,              /* the packet belongs to the flow */
	FLOW_ENDED,                 /* the flow was ended: the packet opens a new one */
	FLOW_CONSUMED,              /* dropped */
};

/*
 * Does this packet start a new connection on the 5-tuple of known flow f
 * (docs/RELIABILITY.md §6)? A lone SYN from the originator
 * after the connection ended (TIME_WAIT after FIN/FIN, CLOSED after a RST):
 * clients reuse ports soon after a close. So does a SYN on an NLB flow whose
 * target's deregistration delay is over (any other packet of such a flow is
 * dropped). The flow is ended here, by the worker, as an expired one is
 * (dp_flow_kill: its keys leave the hash at once, its slot after a grace
 * period), and the packet takes its service's new-flow path: placement over
 * the targets or appliances healthy now, counters, SG and NACLs. The NAT
 * gateway keeps its mapping (RFC 5382 REQ-1: same external port for the
 * same internal endpoint and destination): the state machine reopens the
 * flow in place, the source ENI's SG is checked again and the attempt is
 * counted. A SYN on a flow in any other state is a retransmission or meets
 * a stale entry, and stays on the flow (an NLB keeps existing flows on an
 * unhealthy target). The fast stage sends every SYN here.
 */
static enum flow_reuse_verdict
flow_reuse(struct rte_mbuf *m, struct dp_meta *md, struct dp_flow *f, int d,
	   const struct dp_pctx *c)
{
	bool syn = d == 0 && md->proto == IPPROTO_TCP &&
		   !(md->flags & (DP_M_ICMP_ERR | DP_M_FROM_APPLIANCE)) &&
		   fw_ct_tcp_can_open(md->tcp_flags);
	uint16_t es, ed;
	uint8_t st;

	if (f->kind == DP_FLOW_NLB && dp_pipe_ops.flow_gone != NULL &&
	    dp_pipe_ops.flow_gone(c->t, f, c->now)) {
		dp_flow_kill(f);
		if (syn)
			return FLOW_ENDED;
		dp_drop(m, DP_DROP_nlb_deregistered);
		return FLOW_CONSUMED;
	}
	if (!syn)
		return FLOW_KEEP;
	st = __atomic_load_n(&f->tcp_state, __ATOMIC_RELAXED);
	if (st != FW_CT_TCP_TIME_WAIT && st != FW_CT_TCP_CLOSED)
		return FLOW_KEEP;
	if (f->kind != DP_FLOW_NAT) {
		dp_flow_kill(f);
		return FLOW_ENDED;
	}
	if (c->in == DP_IN_VPC && dp_pipe_ops.sg_eval(c, m, md, true, false, &es, &ed) < 0) {
		dp_stats_self()->nat[f->svc].drop++;
		dp_flow_kill(f);
		return FLOW_CONSUMED;
	}
	dp_stats_self()->nat[f->svc].conn_attempt++;
	return FLOW_KEEP;
}

/* A later fragment: the first fragment's translation, or the route's drop. */
static void
later_fragment(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c)
{
	if (frag_follow(m, md, c->now)) {
		c->policy_done = true;
		if (c->in == DP_IN_INTERNET && md->nh == DP_LOCAL_NAT) {
			struct dp_nat_stats *ns = &dp_stats_self()->nat[md->ep];
			uint32_t bytes = rte_pktmbuf_pkt_len(m) - md->l3;

			ns->pkts_in_dst++;
			ns->bytes_in_dst += bytes;
			ns->pkts_out_src++;
			ns->bytes_out_src += bytes;
		}
	} else if (c->in == DP_IN_INTERNET && md->nh == DP_LOCAL_NAT) {
		/* NAT64's reply fragments follow their first in nat/nat64_node.c */
		if (dp_pipe_ops.nat64_reply != NULL && dp_pipe_ops.nat64_reply(m, md, c))
			return;
		dp_stats_self()->nat[md->ep].drop++;
		dp_drop(m, DP_DROP_nat_fragment);
		return;
	} else {
		c->frag_orphan = true;     /* route() names the drop */
	}
	if (c->in == DP_IN_INTERNET || c->nlb >= 0)
		c->in = DP_IN_INTERNET;
	route(m, md, c, NULL, 0);
}

/* A packet of known flow f in direction d: state, then the flow's service. */
static void
known_flow(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c, struct dp_flow *f, int d)
{
	if (md->proto == IPPROTO_TCP && !(md->flags & DP_M_ICMP_ERR)) {
		uint8_t st, ns;

		if (!dp_flow_tcp_step(f, d, md->tcp_flags, &st, &ns)) {
			dp_drop(m, DP_DROP_ct_invalid);
			return;
		}
		if (ns != st && ns == FW_CT_TCP_ESTABLISHED && f->kind == DP_FLOW_NAT)
			dp_stats_self()->nat[f->svc].conn_established++;
	} else if (d == 1 && md->proto == IPPROTO_UDP &&
		   !(f->flags & DP_FLOW_F_UDP_STREAM)) {
		__atomic_fetch_or(&f->flags, DP_FLOW_F_UDP_STREAM, __ATOMIC_RELAXED);
	}
	dp_flow_touch(f, c->now);
	c->nf = f;
	c->nd = d;
	/* what the fast stage may repeat: plain TCP/UDP of a flow it can finish */
	if (!(md->flags & (DP_M_ICMP_ERR | DP_M_FRAG | DP_M_FROM_APPLIANCE)) &&
	    (md->proto == IPPROTO_TCP || md->proto == IPPROTO_UDP))
		c->act_op = DP_ACT_FWD;
	/* a GWLB flow's packet is counted once, on its way to the appliance */
	if (!(md->flags & DP_M_FROM_APPLIANCE))
		dp_flow_account(f, d, rte_pktmbuf_pkt_len(m) - md->l3);
	switch (f->kind) {
	case DP_FLOW_NAT:
		if (d == 0) {
			route(m, md, c, f, 0);     /* egress NACL + translation there */
			return;
		}
		dp_flow_xlate(m, md, f, 1);
		if (c->act_op != DP_ACT_NONE)
			c->act_op = DP_ACT_XLATE;
		c->in = DP_IN_INTERNET;
		dp_deliver_local(m, md, c, f);
		return;
	case DP_FLOW_NLB:
		dp_flow_xlate(m, md, f, d);
		if (c->act_op != DP_ACT_NONE)
			c->act_op = DP_ACT_XLATE;
		if (d == 0) {
			dp_deliver_local(m, md, c, f);
			return;
		}
		/* reply from the target: out as the NLB (local, or IGW 1:1) */
		c->in = DP_IN_VPC;
		c->src_subnet = dp_subnet_lookup(c->t, rte_be_to_cpu_32(md->key.src));
		route(m, md, c, f, d);
		return;
	default:
		/* GWLB: to the endpoint (encapsulation) or back from the appliance */
		route(m, md, c, f, d);
		return;
	}
}

void
dp_policy_input(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c)
{
	struct rte_ipv4_hdr *ip = dp_ip_hdr(m, md);
	struct dp_flow *f = NULL;
	int d = 0;

	c->act_op = DP_ACT_NONE;
	c->act_acct = DP_ACCT_NONE;
	c->act_pub = 0;
	if (ip->time_to_live <= 1) {
		dp_send_time_exceeded(m, md, c);
		dp_drop(m, DP_DROP_ttl_expired);
		return;
	}
	c->osrc = ip->src_addr;
	c->odst = ip->dst_addr;
	/* a packet of a flow that an earlier packet of this burst created */
	if (md->flow == NULL && *c->burst_new != 0 &&
	    (*c->burst_new & dp_flow_key_bit(&md->key)))
		md->flow = dp_flow_lookup_meta(md);
	if (md->flags & DP_M_LATER_FRAG) {
		later_fragment(m, md, c);
		return;
	}
	if (md->flow != NULL) {
		f = dp_flow_ptr(md->flow);
		d = dp_flow_dir(md->flow);
		if (dp_flow_expired(f, c->now) && flow_expired(m, md, f, d))
			return;
		if (!(__atomic_load_n(&f->flags, __ATOMIC_RELAXED) & DP_FLOW_F_LIVE)) {
			/* ended since the burst's lookup (expired, or replaced by a
			 * new connection on its 5-tuple): the key may lead to the
			 * flow that replaced it; none: a new flow */
			md->flow = dp_flow_lookup_meta(md);
			f = md->flow != NULL ? dp_flow_ptr(md->flow) : NULL;
			d = dp_flow_dir(md->flow);
			if (f != NULL && !(__atomic_load_n(&f->flags, __ATOMIC_RELAXED) &
					   DP_FLOW_F_LIVE))
				f = NULL;
		}
	}
	if (md->flags & DP_M_FROM_APPLIANCE) {
		/* what an appliance returns must belong to a flow we sent it */
		if (f == NULL) {
			dp_drop(m, DP_DROP_gwlb_no_flow);
			return;
		}
		if (f->kind != DP_FLOW_GWLB || f->cookie != md->nh || f->aux != md->ep) {
			dp_drop(m, DP_DROP_gwlb_cookie_mismatch);
			return;
		}
	}
	if (f != NULL) {
		enum flow_reuse_verdict v = flow_reuse(m, md, f, d, c);

		if (v == FLOW_CONSUMED)
			return;
		if (v == FLOW_KEEP) {
			known_flow(m, md, c, f, d);
			return;
		}
	}
	if (c->nlb >= 0) {
		if (dp_pipe_ops.nlb_new != NULL)
			dp_pipe_ops.nlb_new(m, md, c);
		else
			dp_drop(m, DP_DROP_nlb_no_listener);
		return;
	}
	if (c->in == DP_IN_INTERNET && md->nh == DP_LOCAL_NAT) {
		if (dp_pipe_ops.nat64_reply != NULL && dp_pipe_ops.nat64_reply(m, md, c))
			return;         /* a NAT64 connection's (nat/nat64_node.c) */
		dp_stats_self()->nat[md->ep].drop++;
		dp_drop(m, DP_DROP_nat_no_session);
		return;
	}
	route(m, md, c, NULL, 0);
}

void
dp_policy_node(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t n)
{
	struct dp_worker_ctx *w = dp_worker_self();

	for (uint16_t i = 0; i < n; i++)
		dp_pctx_burst(dp_pctx(&g->b, pkts[i]), &g->b);
	/* the NACLs the burst's packets without a flow will meet, classified together */
	if (dp_pipe_ops.nacl_prefetch != NULL)
		dp_pipe_ops.nacl_prefetch(pkts, &g->b, n);
	for (uint16_t i = 0; i < n; i++) {
		struct dp_meta *md = dp_meta(pkts[i]);

		w->cur_slot = md->slot;
		dp_policy_input(pkts[i], md, &g->b.ctx[md->slot]);
	}
}
