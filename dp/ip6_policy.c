/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IPv6 policy (SPEC §7): network ACLs and security groups with IPv6
 * rules, conntrack of IPv6 flows, the egress-only internet gateway. Called
 * by the IPv6 stage (ip6_input.c) for a packet that leaves or enters a
 * subnet with a NACL or ENIs, or goes through an egress-only gateway; the
 * rules themselves are fw's (dp_pipe_ops.nacl6_allows, sg6_eval).
 *
 * As for IPv4 (dp/policy.c), in SPEC §3 order: the source ENI's egress
 * security groups, the source subnet's outbound NACL, the destination
 * subnet's inbound NACL, the destination ENI's ingress security groups. A
 * packet of a known flow skips the security groups (stateful) but not the
 * NACLs (stateless: evaluated on every IPv6 packet; the IPv4 verdict cache
 * in the flow is not used for IPv6). Flows: dp/flow6.c, the same table,
 * TCP state machine (ct_tcp.c), timeouts and counters as IPv4 SG flows.
 *
 * Egress-only internet gateway: a packet routed to egress-only-igw:E leaves
 * through the internet gateway's port, untranslated, and opens a flow (even
 * without ENI). From the internet, a packet to a subnet whose route back to
 * the source is egress-only-igw:E came in through E: it passes only on a
 * flow an outbound packet opened (TCP: whatever state the flow is in, the
 * state machine judges it), else it is dropped as eigw_unsolicited.
 */
#include <errno.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dp/ct_tcp.h"
#include "dp/dp.h"
#include "dp/dp_flow.h"
#include "dp/dp_graph.h"
#include "dp/dp_pipe.h"
#include "dp/ip6.h"

/* A known flow f, packet in direction d: false when dropped; *gone when the
 * flow ended and the packet is to be judged as a new one (a SYN reopening a
 * closed or idle SG flow; reopen false: a packet an appliance returns, whose
 * SYN was judged on its way there). */
bool
dp_ip6_known(struct rte_mbuf *m, struct dp_meta *md, struct dp_flow *f, int d, uint64_t now,
	     bool reopen, bool *gone)
{
	*gone = false;
	if (dp_flow_expired(f, now)) {
		dp_flow_kill(f);
		*gone = true;
		return true;
	}
	if (md->proto == IPPROTO_TCP) {
		uint8_t st = __atomic_load_n(&f->tcp_state, __ATOMIC_RELAXED), ns;

		if (reopen && d == 0 && fw_ct_tcp_can_open(md->tcp_flags) &&
		    (st == FW_CT_TCP_CLOSED || st == FW_CT_TCP_TIME_WAIT)) {
			dp_flow_kill(f);            /* a new connection: checked again */
			*gone = true;
			return true;
		}
		if (!dp_flow_tcp_step(f, d, md->tcp_flags, &st, &ns)) {
			dp_drop(m, DP_DROP_ct_invalid);
			return false;
		}
	} else if (md->proto == IPPROTO_UDP && d == 1 &&
		   !(__atomic_load_n(&f->flags, __ATOMIC_RELAXED) & DP_FLOW_F_UDP_STREAM)) {
		__atomic_fetch_or(&f->flags, DP_FLOW_F_UDP_STREAM, __ATOMIC_RELAXED);
	}
	dp_flow_touch(f, now);
	return true;
}

struct dp_flow *
dp_ip6_flow_new(struct rte_mbuf *m, const struct dp_meta *md, const struct dp_pctx *c,
		const struct dp_flow_key *k)
{
	if (md->proto == IPPROTO_TCP && !fw_ct_tcp_can_open(md->tcp_flags)) {
		dp_drop(m, DP_DROP_ct_not_syn);
		return NULL;
	}
	return dp_flow_new_keyed(m, c, k, md->proto != IPPROTO_TCP ? FW_CT_TCP_NONE :
				 fw_ct_tcp_next(FW_CT_TCP_NONE, 0, md->tcp_flags, NULL));
}

int
dp_ip6_flow_publish(struct rte_mbuf *m, const struct dp_meta *md, struct dp_flow *f, bool bind)
{
	struct dp_lcore_stats *st = dp_stats_self();
	int rc;

	if (bind && !dp_flow6_bind(f, m, md)) {
		dp_flow_abandon(f);
		return -EEXIST;
	}
	rc = dp_flow_insert(f);
	if (rc == -EEXIST)
		return -EEXIST;
	if (rc < 0) {
		dp_drop(m, DP_DROP_conntrack_allowance_exceeded);
		return -1;
	}
	st->flows_created[f->kind]++;
	for (int i = 0; i < 2; i++)
		if (f->eni[i])
			st->eni[f->eni[i] - 1].flows_created++;
	return 0;
}

/* A new SG flow for m (key k), ENIs es/ed; false: dropped. A key already
 * taken (another worker's packet of the same flow, or a folded-key
 * collision) leaves m untracked. */
static bool
track(struct rte_mbuf *m, struct dp_meta *md, const struct dp_pctx *c,
      const struct dp_flow_key *k, uint16_t es, uint16_t ed)
{
	struct dp_flow *f = dp_flow_alloc();
	int rc;

	if (f == NULL) {
		dp_drop(m, DP_DROP_conntrack_allowance_exceeded);
		return false;
	}
	f->key[0] = *k;
	f->key[1] = dp_flow_key_mirror(k);
	f->key[1].zone = k->zone;
	f->last_ms = c->now;
	f->kind = DP_FLOW_SG;
	f->eni[0] = es;
	f->eni[1] = ed;
	f->flags |= DP_FLOW_F_SG_OK;
	if (md->proto == IPPROTO_TCP)
		f->tcp_state = fw_ct_tcp_next(FW_CT_TCP_NONE, 0, md->tcp_flags, NULL);
	dp_pipe_ops.sg_timeouts(c, f);
	rc = dp_ip6_flow_publish(m, md, f, true);
	if (rc == -EEXIST) {
		dp_stats_self()->untracked++;
		return true;
	}
	return rc == 0;
}

/*
 * A packet an appliance returned, of GWLB flow c->nf (dp_ip6_appliance_input
 * checked it), on its way to subnet ds (-1: out of the VPC): the
 * destination subnet's inbound NACL, and, once per flow (the delivery leg
 * of a flow from the internet), the destination ENI's ingress security
 * groups, as for IPv4 (dp/policy.c).
 */
static bool
appliance_policy(struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md, int ds)
{
	struct dp_flow *f = c->nf;
	uint16_t x, ed;

	if (ds < 0)
		return true;
	if (!dp_pipe_ops.nacl6_allows(c->t, m, md, ds, DP_DIR_INGRESS))
		return false;
	if (f != NULL && !(__atomic_load_n(&f->flags, __ATOMIC_RELAXED) & DP_FLOW_F_SG_OK)) {
		if (dp_pipe_ops.sg6_eval(c->t, m, md, false, true, &x, &ed) < 0)
			return false;
		f->eni[1] = ed;
		__atomic_fetch_or(&f->flags, DP_FLOW_F_SG_OK, __ATOMIC_RELAXED);
	}
	return true;
}

/*
 * IPv6 fragments through a security group or an egress-only gateway (SPEC
 * §7): the first fragment (it carries the ports) is decided on the rules and
 * tracked as any packet; when it passes, its datagram (source, destination,
 * identification, upper layer) is recorded in the worker's fragment table
 * (dp/frag6.c, the translators' table: a datagram passed untranslated is
 * recorded with its own addresses), and its later fragments, which have no
 * ports, follow it for DP_FRAG_MS instead of meeting the rules again (as
 * IPv4's later fragments follow their first: dp/policy.c). RSS keeps a
 * datagram's fragments on one worker (the addresses are its hash).
 */
static void
frag6_pass(const struct rte_mbuf *m, const struct dp_meta *md, const struct rte_ipv6_hdr *ip,
	   uint64_t now)
{
	uint32_t id;

	if ((md->flags & (DP_M_FRAG | DP_M_LATER_FRAG)) == DP_M_FRAG && dp_ip6_frag_id(m, md, &id))
		dp_frag6_record(ip->src_addr, ip->dst_addr, id, md->proto, ip->src_addr,
				ip->dst_addr, now);
}

/* Does later fragment m follow a first fragment that passed (frag6_pass)? */
static bool
frag6_follows(const struct rte_mbuf *m, const struct dp_meta *md,
	      const struct rte_ipv6_hdr *ip, uint64_t now)
{
	uint8_t s[16], d[16];
	uint32_t id;

	return dp_ip6_frag_id(m, md, &id) &&
	       dp_frag6_follow(ip->src_addr, ip->dst_addr, id, md->proto, now, s, d) &&
	       memcmp(s, ip->src_addr, 16) == 0 && memcmp(d, ip->dst_addr, 16) == 0;
}

/* An egress-only gateway's traffic: out through gateway ref (the route's
 * target is one), or in through gateway eigw_in (>= 0). */
static inline void
eigw_count(struct dp_lcore_stats *st, uint8_t kind, uint16_t ref, int eigw_in, uint32_t bytes)
{
	if (kind == CFG_TARGET_EIGW) {
		st->eigw[ref].pkts_out++;
		st->eigw[ref].bytes_out += bytes;
	} else if (eigw_in >= 0) {
		st->eigw[eigw_in].pkts_in++;
		st->eigw[eigw_in].bytes_in += bytes;
	}
}

bool
dp_ip6_policy(struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md, int ds,
	      uint8_t kind, uint16_t ref)
{
	const struct dp_pipe_ops *ops = &dp_pipe_ops;
	const struct dp_tables *t = c->t;
	const struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *,
								md->l3);
	struct dp_lcore_stats *st = dp_stats_self();
	uint32_t bytes = rte_pktmbuf_pkt_len(m) - md->l3;
	struct dp_flow_key k;
	struct dp_flow *f = NULL;
	uint16_t es = 0, ed = 0, x;
	int eigw_in = -1, d = 0, ts = 0, td;
	bool keyed = dp_flow6_key(m, md, &k), gone, follows;

	if (c->in == DP_IN_APPLIANCE)
		return appliance_policy(c, m, md, ds);
	if (c->in == DP_IN_INTERNET && ds >= 0 && t->ip6->subnet_eigw[ip->dst_addr[7]]) {
		const struct dp_route *r = dp_ip6_route(t, ds, ip->src_addr);

		if (r != NULL && r->kind == CFG_TARGET_EIGW)
			eigw_in = r->ref;
	}
	if (keyed && dp_flow_any()) {
		f = dp_flow6_find(&k, m, md, &d);
		if (f != NULL) {
			if (!dp_ip6_known(m, md, f, d, c->now, true, &gone))
				return false;
			if (gone)
				f = NULL;
		}
	} else if (!keyed && dp_flow_any()) {
		/* an ICMPv6 error about a packet of a flow (Packet Too Big, ...):
		 * related, passes as the flow's traffic does, changes nothing */
		f = dp_flow6_find_error(m, md);
	}
	/* a later fragment whose first passed: decided with it (its NACLs
	 * below see ports 0, as for IPv4) */
	follows = f == NULL && (md->flags & DP_M_LATER_FRAG) && frag6_follows(m, md, ip, c->now);
	if (f == NULL && !follows && eigw_in >= 0) {
		st->eigw[eigw_in].unsolicited++;
		dp_drop(m, DP_DROP_eigw_unsolicited);
		return false;
	}
	/* SPEC §3 order; a known flow passed its security groups when it opened */
	if (f == NULL && !follows && c->in == DP_IN_VPC &&
	    (ts = ops->sg6_eval(t, m, md, true, false, &es, &x)) < 0)
		return false;
	if (c->in == DP_IN_VPC && ds != c->src_subnet &&
	    !ops->nacl6_allows(t, m, md, c->src_subnet, DP_DIR_EGRESS))
		return false;
	if (ds >= 0 && (c->in != DP_IN_VPC || ds != c->src_subnet) &&
	    !ops->nacl6_allows(t, m, md, ds, DP_DIR_INGRESS))
		return false;
	/* a later fragment through a security group (the source's ENI, or an ENI
	 * of the destination's subnet) or an egress-only gateway whose first
	 * fragment did not pass (or was not seen): it cannot be matched to rules */
	if (f == NULL && !follows && (md->flags & DP_M_LATER_FRAG) &&
	    (kind == CFG_TARGET_EIGW || eigw_in >= 0 || es != 0 ||
	     (ds >= 0 && t->ip6->subnet_eni6[ip->dst_addr[7]]))) {
		dp_drop(m, DP_DROP_ip6_filter_unsupported);
		return false;
	}
	if (follows) {
		st->untracked++;
	} else if (f == NULL) {
		if (ds >= 0 && (td = ops->sg6_eval(t, m, md, false, true, &x, &ed)) < 0)
			return false;
		ts |= ds >= 0 ? td : 0;
		if ((ts > 0 || kind == CFG_TARGET_EIGW) && keyed && ops->sg_can_track(md)) {
			if (!track(m, md, c, &k, es, ed))
				return false;
		} else {
			st->untracked++;
		}
	}
	eigw_count(st, kind, ref, eigw_in, bytes);
	if (unlikely(md->flags & DP_M_FRAG))
		frag6_pass(m, md, ip, c->now);
	return true;
}
