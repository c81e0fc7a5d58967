/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dualstack NLBs: ICMP errors about a flow's packets (split from
 * nlb_node6.c, whose header comment describes the flows; the helpers both
 * use are in lb/nlb6_int.h).
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dp/dp.h"
#include "dp/dp_flow.h"
#include "dp/dp_pipe.h"
#include "dp/dp_pkt.h"
#include "dp/dp_xlate6.h"
#include "dp/ip6.h"
#include "lb/lb.h"
#include "lb/nlb6_int.h"

/*
 * ICMP errors about a flow's packets (RFC 4443; RFC 7915 §4.2). An error
 * quotes a packet vpcgw sent: it is related to the flow by the quote, its
 * quote is translated back to what the other side sent or received, and it
 * goes where the flow's packets go in the error's direction, through the
 * same NACLs. A target's ICMPv6 error to the client keeps its source (as
 * IPv4's, dp/dp_xlate.c), an IPv4 target's ICMPv4 error becomes an ICMPv6
 * one from the NLB's address6 (lb_nlb64_reply); an error to the NLB's
 * address6 (a client's, or a router's on the way to it) reaches the
 * target with the target's address in its destination and quote.
 */

/* ICMPv6 error m (types 1-4): the quoted IPv6 header, TCP or UDP after it,
 * the whole message (*len bytes) in the first segment; NULL: not an error
 * vpcgw relates to a flow. */
static struct rte_ipv6_hdr *
err6_quote(struct rte_mbuf *m, const struct dp_meta *md, uint32_t *len)
{
	const struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *,
								md->l3);
	const uint8_t *h = rte_pktmbuf_mtod_offset(m, const uint8_t *, md->l4);
	uint32_t ext = md->l4 - md->l3 - (uint32_t)sizeof(*ip);
	uint32_t plen = rte_be_to_cpu_16(ip->payload_len);
	struct rte_ipv6_hdr *q;

	if (md->proto != IPPROTO_ICMPV6 || (md->flags & (DP_M_FRAG | DP_M_LATER_FRAG)) ||
	    plen < ext + 8 + sizeof(*q) + 8 || md->l4 + plen - ext > rte_pktmbuf_data_len(m) ||
	    h[0] < 1 || h[0] > 4)
		return NULL;
	q = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, md->l4 + 8);
	if (q->proto != IPPROTO_TCP && q->proto != IPPROTO_UDP)
		return NULL;
	*len = plen - ext;
	return q;
}

/* The NLB flow quote q is a packet of, the error travelling back (*d: 0 to
 * the target, 1 to the client), or NULL. */
static struct dp_flow *
err6_flow(const struct rte_ipv6_hdr *q, int *d)
{
	const uint8_t *l4 = (const uint8_t *)(q + 1);
	struct dp_flow_key k;
	struct dp_flow *f;

	memset(&k, 0, sizeof(k));
	k.src = dp_flow6_fold(q->dst_addr);
	k.dst = dp_flow6_fold(q->src_addr);
	k.proto = q->proto;
	k.zone = DP_FLOW_ZONE_IP6;
	memcpy(&k.sport, l4 + 2, 2);
	memcpy(&k.dport, l4, 2);
	f = dp_flow6_find_addrs(&k, q->dst_addr, q->src_addr, d);
	return f != NULL && f->kind == DP_FLOW_NLB ? f : NULL;
}

/* Error m (len bytes of ICMPv6 from md->l4, quote q): the quote's source
 * (src) or destination by a and port, the outer destination by odst (NULL:
 * kept); the ICMPv6 checksum, checked first, computed anew. false: dropped. */
static bool
err6_rewrite(struct rte_mbuf *m, const struct dp_meta *md, struct rte_ipv6_hdr *q,
	     uint32_t len, bool src, const uint8_t a[16], uint16_t port, const uint8_t *odst)
{
	struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, md->l3);
	uint8_t *h = rte_pktmbuf_mtod_offset(m, uint8_t *, md->l4);
	uint16_t c;

	if (dp_ip6_l4_csum(ip, h, len, IPPROTO_ICMPV6) != 0) {
		dp_drop(m, DP_DROP_icmp6_checksum);
		return false;
	}
	nlb6_readdr(q, (uint8_t *)(q + 1), q->proto, len - 8 - (uint32_t)sizeof(*q), src, a, port);
	if (odst != NULL)
		memcpy(ip->dst_addr, odst, 16);
	memset(h + 2, 0, 2);
	c = dp_ip6_l4_csum(ip, h, len, IPPROTO_ICMPV6);
	memcpy(h + 2, &c, 2);
	return true;
}

/* An ICMPv6 error to the NLB's address6 about what it sent the client of
 * flow f to an ipv4 group: through the client's NACLs into the NLB subnet
 * ns, then an ICMPv4 error (RFC 7915 §5.2) from the NLB's private address
 * to the target, quoting the target's packet as it sent it, through the
 * IPv4 leg's NACLs (leg64) to the target (len: the ICMPv6 message's
 * length, its checksum checked first). Consumes m. */
static void
err64(struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md, const struct dp_flow *f, int ns,
      uint32_t len)
{
	const struct dp_tables *t = c->t;
	const struct dp_pipe_ops *ops = &dp_pipe_ops;
	const struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *,
								md->l3);
	uint32_t dst = f->key[1].src;
	int ds = dp_subnet_lookup(t, rte_be_to_cpu_32(dst)), rc;
	struct dp_pctx c4 = *c;

	if (dp_ip6_l4_csum(ip, rte_pktmbuf_mtod_offset(m, const uint8_t *, md->l4), len,
			   IPPROTO_ICMPV6) != 0) {
		dp_drop(m, DP_DROP_icmp6_checksum);
		return;
	}
	if (!nlb6_nacls_in(c, m, md, ns))
		return;
	rc = dp_xlate_err_6to4(m, md, f->key[1].dst, dst, f->key[1].src, f->key[1].dst,
			       f->key[1].sport, f->key[1].dport, (uint8_t)(ip->hop_limits - 1));
	if (rc != 0 || ds < 0) {
		dp_drop(m, rc != 0 ? (enum dp_drop)rc : DP_DROP_no_route);
		return;
	}
	c4.nf = NULL;
	c4.pre.nacl[0] = -1;
	c4.pre.nacl[1] = -1;
	if (ds != ns && (!ops->nacl_allows(&c4, m, md, ns, DP_DIR_EGRESS) ||
			 !ops->nacl_allows(&c4, m, md, ds, DP_DIR_INGRESS)))
		return;
	nlb6_out64(c, m, md, f);
}

/* An ICMPv6 error to the address6 of NLB nlb: about a packet the NLB sent a
 * client, it goes to that flow's target (1, routed), or is dropped (0). */
int
nlb6_err_to_nlb(struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md, int nlb)
{
	const struct dp_tables *t = c->t;
	uint8_t cl[16], nl[16], ta[16];
	struct rte_ipv6_hdr *q;
	struct dp_flow *f = NULL;
	uint32_t len;
	int d = 0, ns = t->cfg->nlbs[nlb].subnet;

	q = err6_quote(m, md, &len);
	if (q != NULL && dp_flow_any())
		f = err6_flow(q, &d);
	if (f == NULL || d != 0 || !dp_flow6_addrs(f, cl, nl, ta)) {
		dp_drop(m, DP_DROP_icmp_unsupported);
		return 0;
	}
	if (!t->lb->tgs[t->lb->listeners[f->svc].tg].ipv6) {
		err64(c, m, md, f, ns, len);
		return 0;
	}
	if (!nlb6_nacls_in(c, m, md, ns) || !nlb6_nacls_out(c, m, md, ns, nlb6_subnet(t, ta)) ||
	    !err6_rewrite(m, md, q, len, true, ta, f->key[1].sport, ta))
		return 0;
	c->policy_done = true;
	return 1;
}

/* An ICMPv6 error from a target (m, from a subnet with IPv6 targets) about
 * a packet the NLB sent it: out to the client as from the NLB's subnet (1),
 * dropped (0), or not an NLB flow's (-1). */
int
nlb6_err_from_target(struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md)
{
	const struct dp_tables *t = c->t;
	uint8_t cl[16], nl[16], ta[16];
	struct rte_ipv6_hdr *q;
	struct dp_flow *f;
	uint32_t len;
	int d, ns;

	q = err6_quote(m, md, &len);
	if (q == NULL || (f = err6_flow(q, &d)) == NULL || d != 1 ||
	    !dp_flow6_addrs(f, cl, nl, ta))
		return -1;
	ns = t->cfg->nlbs[t->lb->listeners[f->svc].nlb].subnet;
	if (c->src_subnet != ns &&
	    !dp_pipe_ops.nacl6_allows(t, m, md, c->src_subnet, DP_DIR_EGRESS))
		return 0;
	if (!err6_rewrite(m, md, q, len, false, nl, f->key[0].dport, NULL) ||
	    !nlb6_nacls_back(c, m, md, ns))
		return 0;
	c->src_subnet = ns;
	c->policy_done = true;
	return 1;
}

/* An IPv4 target's ICMPv4 error m about a translated packet of IPv6 client
 * flow f: through the NACLs a reply meets, then an ICMPv6 error from the
 * NLB's address6 (nlb6) to the client, quoting what the client sent (RFC
 * 7915 §4.2: Packet Too Big for fragmentation needed, MTU + 20), routed from
 * the NLB's subnet. */
void
nlb6_err46(struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md, struct dp_flow *f,
	   const uint8_t client[16], const uint8_t nlb6[16])
{
	const struct dp_tables *t = c->t;
	int ns = t->cfg->nlbs[t->lb->listeners[f->svc].nlb].subnet, rc;
	uint8_t ttl = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, md->l3)->time_to_live;

	if (c->in == DP_IN_VPC && c->src_subnet != ns &&
	    (!dp_pipe_ops.nacl_allows(c, m, md, c->src_subnet, DP_DIR_EGRESS) ||
	     !dp_pipe_ops.nacl_allows(c, m, md, ns, DP_DIR_INGRESS)))
		return;
	dp_flow_account(f, 1, rte_pktmbuf_pkt_len(m) - md->l3);
	rc = dp_xlate_err_4to6(m, md, nlb6, client, client, nlb6, f->key[0].sport,
			       f->key[0].dport);
	if (rc != 0) {
		dp_drop(m, (enum dp_drop)rc);
		return;
	}
	/* the TTL as hop limit: the IPv6 routing takes the hop off */
	rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, md->l3)->hop_limits = ttl;
	if (nlb6_nacls_back(c, m, md, ns))
		dp_ip6_forward(c, m, md, ns);
}
