/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flow-lookup and flow-fast: one bulk lookup of the burst's packets in the
 * flow table, then the known-flow fast path (docs/ARCHITECTURE.md
 * "Datapath v2"). A known packet whose direction has a valid cached action
 * (dp_flow_act, filled by the policy stage under the same table generation)
 * costs: TCP state, idle time, service counters, the cached rewrite with
 * precomputed checksum deltas, TTL, output. Anything the action cannot
 * answer alone goes to the policy stage, which decides as for any packet.
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
#include "dp/dp_graph.h"
#include "dp/dp_parse.h"
#include "dp/dp_pipe.h"
#include "dp/dp_pkt.h"
#include "dp/dp_worker.h"
#include "dp/flow_fast.h"
#include "dp/ip_input.h"

static inline uint64_t
flow_bit(const struct dp_flow *f)
{
	return 1ull << (((uintptr_t)f >> 7) & 63);
}

void
dp_to_policy(struct dp_graph_run *g, unsigned edge, struct rte_mbuf *m)
{
	struct dp_meta *md = dp_meta(m);

	if (md->flow != NULL)
		g->slow_flows |= flow_bit(dp_flow_ptr(md->flow));
	if (md->slot < g->policy_min_slot)
		g->policy_min_slot = md->slot;
	dp_graph_next(g, edge, m);
}

void
dp_flow_lookup_node(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t n)
{
	struct dp_vec *fast = dp_graph_out(g, FLOW_LOOKUP_NEXT_FAST);
	struct dp_vec *route = dp_graph_out(g, FLOW_LOOKUP_NEXT_ROUTE);
	const struct dp_burst *b = &g->b;

	dp_flow_lookup_burst(pkts, n);
	g->fast_alone = false;
	for (uint16_t i = 0; i < n; i++) {
		struct dp_meta *md = dp_meta(pkts[i]);

		if (md->flow != NULL)
			dp_vec_push(fast, pkts[i]);
		else if (g->early)  /* ingress checks still to do */
			dp_graph_next(g, FLOW_LOOKUP_NEXT_INGRESS, pkts[i]);
		else if (dp_flow_route_ok(b, md))
			dp_vec_push(route, pkts[i]);
		else
			dp_to_policy(g, FLOW_LOOKUP_NEXT_POLICY, pkts[i]);
	}
	/* the whole burst is known flows: nothing else will be sent */
	g->fast_alone = fast->n == n && g->policy_min_slot == DP_BURST;
}

/* Apply the rewrite of action a (read under gen) to m of flow f, direction d
 * (the IPv4 header checksum: with the TTL, by the caller). */
static inline void
act_apply(struct rte_ipv4_hdr *ip, uint16_t *ports, uint8_t proto,
	  const struct dp_flow *f, int d, uint8_t op, uint16_t l4_delta, uint32_t pub)
{
	uint16_t *l4c = ports + (proto == IPPROTO_TCP ? 8 : 3);

	if (proto == IPPROTO_TCP) {
		*l4c = csum_apply16(*l4c, l4_delta);
	} else if (*l4c != 0) {     /* UDP: 0 means no checksum */
		uint16_t c = csum_apply16(*l4c, l4_delta);

		*l4c = c == 0 ? 0xffff : c;
	}
	if (op == DP_ACT_XLATE) {
		const struct dp_flow_key *k = &f->key[1 - d];

		ip->src_addr = k->dst;
		ip->dst_addr = k->src;
		ports[0] = k->dport;
		ports[1] = k->sport;
	} else {
		ip->src_addr = pub;
	}
}

/* The TCP state of f after this packet; false when it is invalid (dropped). */
static inline bool
fast_tcp(struct rte_mbuf *m, struct dp_meta *md, struct dp_flow *f, int d)
{
	uint8_t st, ns;

	if (!dp_flow_tcp_step(f, d, md->tcp_flags, &st, &ns)) {
		dp_drop(m, DP_DROP_ct_invalid);
		return false;
	}
	if (ns != st && ns == FW_CT_TCP_ESTABLISHED && f->kind == DP_FLOW_NAT)
		dp_stats_self()->nat[f->svc].conn_established++;
	return true;
}

/* The next hop a burst's loop last resolved and its MAC (dp_neigh_mac_get):
 * a burst's packets mostly go to a few next hops. A MAC a neighbor update
 * changes during the burst is used until its end, as if the update came
 * after it. */
struct nh_memo {
	uint64_t mac;
	uint32_t nh;
	uint16_t port;              /* UINT16_MAX: none yet */
};

/*
 * One known packet m (flow md->flow) on the fast path: true, it is done
 * (buffered for its port, sent on, or dropped as invalid); false, untouched,
 * it is for the policy stage. direct: send now, in arrival order (nothing
 * emitted before it waits); else through the emit list. slow_flows: the
 * filter of flows some earlier packet of the burst took to the policy stage.
 * parsed: md is dp_parse_fast()'s (no flag but DP_M_HASHED). memo: the
 * calling loop's.
 * Long (~90 lines) because it is the per-packet body of the hottest stage:
 * the action's checks, its fields read under its generation, the TCP state,
 * accounting, rewrite and output in one pass; calls between them would cost
 * every established packet.
 */
static __rte_always_inline bool
flow_fast_one(const struct dp_burst *b, struct dp_worker_ctx *w, struct rte_mbuf *m,
	      struct dp_meta *md, uint64_t slow_flows, bool direct, bool parsed,
	      struct nh_memo *memo)
{
	struct dp_flow *f = dp_flow_ptr(md->flow);
	int d = dp_flow_dir(md->flow);
	struct dp_flow_act *a = &f->act[d], ac;
	/* dp_parse_fast()'s packets: untagged, a 20-byte IPv4 header */
	const uint16_t l3 = parsed ? RTE_ETHER_HDR_LEN : md->l3;
	const uint16_t l4 = parsed ? RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr) : md->l4;
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(p + l3);
	uint32_t gen = __atomic_load_n(&a->gen, __ATOMIC_ACQUIRE), nh, bytes;
	uint16_t port;
	uint64_t mac;
	uint8_t fl;

	/* the action line was asked for by the lookup (dp_flow_lookup_burst) */
	fl = __atomic_load_n(&f->flags, __ATOMIC_RELAXED);
	if (gen != b->fast_gen || a->in_port != (parsed ? (uint8_t)b->in_port : md->in_port) ||
	    (!parsed && (md->flags & (DP_M_FRAG | DP_M_ICMP_ERR | DP_M_FROM_APPLIANCE))) ||
	    ip->time_to_live <= 1 || !(fl & DP_FLOW_F_LIVE) ||
	    /* a SYN may open a new connection on the 5-tuple (policy decides) */
	    (md->tcp_flags & RTE_TCP_SYN_FLAG) ||
	    (slow_flows & flow_bit(f)) || dp_flow_expired(f, b->now) ||
	    (f->kind == DP_FLOW_NLB && b->t->flows_gone &&
	     dp_pipe_ops.flow_gone(b->t, f, b->now)))
		return false;
	/* the whole action in two loads; its fields used from the copy */
	memcpy(&ac, a, sizeof(ac));
	/* pairs with the release store of act_fill(): the fields read
	 * belong to gen if gen is still there */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (__atomic_load_n(&a->gen, __ATOMIC_RELAXED) != gen)
		return false;
	/* over the egress MTU: the policy stage tells the sender */
	if (unlikely(rte_pktmbuf_pkt_len(m) - l3 > ac.mtu))   /* DP_ACT_ENCAP's: 65535 */
		return false;
	if (md->proto == IPPROTO_TCP) {
		if (!fast_tcp(m, md, f, d))
			return true;
	} else if (d == 1 && !(fl & DP_FLOW_F_UDP_STREAM)) {
		__atomic_fetch_or(&f->flags, DP_FLOW_F_UDP_STREAM, __ATOMIC_RELAXED);
	}
	dp_flow_touch(f, b->now);
	bytes = rte_pktmbuf_pkt_len(m) - l3;
	dp_flow_account(f, d, bytes);
	port = ac.port;
	nh = ac.nh;
	if (ac.op == DP_ACT_ENCAP) {
		int rc = dp_pipe_ops.encap(m, b->t, f, &port, &nh);

		if (rc != 0) {
			dp_drop(m, (enum dp_drop)rc);
			return true;
		}
		goto out;
	}
	if (ac.op != DP_ACT_FWD)
		act_apply(ip, (uint16_t *)(p + l4), md->proto, f, d, ac.op, ac.l4_delta, ac.pub);
	if (ac.acct == DP_ACCT_NAT_OUT) {
		struct dp_nat_stats *ns = &dp_stats_self()->nat[f->svc];

		ns->pkts_in_src++;
		ns->bytes_in_src += bytes;
		ns->pkts_out_dst++;
		ns->bytes_out_dst += bytes;
	}
	/* ipd: the rewrite's delta and the TTL's (dp_act_fill) */
	ip->time_to_live--;
	ip->hdr_checksum = csum_apply16(ip->hdr_checksum, ac.ip_delta);
out:
	if (direct) {
		/* the MTU checked above (an encapsulated packet's by the
		 * encap hook, against the port it names) */
		if (likely(w->arpq_n == 0)) {
			if (nh == memo->nh && port == memo->port) {
				dp_neigh_xmit_mac(w, m, port, memo->mac);
				return true;
			}
			if (dp_neigh_mac_get(w, port, nh, &mac)) {
				*memo = (struct nh_memo){ .mac = mac, .nh = nh, .port = port };
				dp_neigh_xmit_mac(w, m, port, mac);
				return true;
			}
		}
		w->emit_on = false;
		dp_neigh_output(m, port, nh, b->now);
		w->emit_on = true;
	} else {
		dp_emit_add(w, m, port, nh, md->slot);
	}
	return true;
}

/* The known-flow fast path. */
void
dp_flow_fast_node(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t n)
{
	const struct dp_burst *b = &g->b;
	struct dp_worker_ctx *w = dp_worker_self();
	/* nothing sent yet and no other packet of the burst still to decide:
	 * send in arrival order now, until a packet leaves for the policy stage */
	bool direct = w->n_emit == 0 && g->fast_alone && !g->no_direct;
	struct nh_memo memo = { .port = UINT16_MAX };

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (flow_fast_one(b, w, m, dp_meta(m), g->slow_flows, direct, false, &memo))
			continue;
		direct = false;
		/* early: through vpc_ingress's checks on its way to the policy stage */
		dp_to_policy(g, g->early ? FLOW_FAST_NEXT_INGRESS : FLOW_FAST_NEXT_POLICY, m);
	}
}

/*
 * The flow stages fused into the input stage (eth_input calls it first for
 * a burst of a port of subnets, in zone 0, with flows in the table, nothing
 * emitted yet and every output sent directly): the burst's leading packets
 * that dp_parse_fast() takes are parsed as eth_input parses them and looked
 * up in one bulk call; then, in arrival order, each known packet the fast
 * path takes is sent as flow_fast would send it. At the first packet it
 * does not take (unknown, or for the policy stage), untouched, it stops: the
 * parsed packets from there go to flow_lookup (fl) as eth_input would hand
 * them on, and the stages send them after these. Returns how many packets
 * it parsed (eth_input goes on from there).
 */
uint16_t
dp_flow_fused(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t n, struct dp_vec *fl)
{
	const struct dp_burst *b = &g->b;
	struct dp_worker_ctx *w = dp_worker_self();
	uint8_t in_port = (uint8_t)b->in_port;
	struct nh_memo memo = { .port = UINT16_MAX };
	uint16_t i, k;

	for (k = 0; k < n; k++)
		if (unlikely(!dp_parse_fast_slot(pkts, k, n, in_port)))
			break;
	if (k == 0)
		return 0;
	dp_flow_lookup_burst(pkts, k);
	for (i = 0; i < k; i++) {
		struct rte_mbuf *m = pkts[i];
		struct dp_meta *md = dp_meta(m);

		if (md->flow == NULL || !flow_fast_one(b, w, m, md, 0, true, true, &memo))
			break;
	}
	if (i != 0)
		dp_graph_credit_path(g, ETH_INPUT_NEXT_FLOW, FLOW_LOOKUP_NEXT_FAST, i);
	for (; i < k; i++)
		dp_vec_push(fl, pkts[i]);
	return k;
}
