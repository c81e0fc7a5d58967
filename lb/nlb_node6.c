/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dualstack NLBs (SPEC §7): an IPv6 client of a listener whose target group
 * is "ipv6" reaches an IPv6 target with its own address preserved (only the
 * destination address and port are translated); the target's replies are
 * translated back to the NLB's address6 and the listener's port. Called by
 * the IPv6 stage through dp_pipe_ops.nlb6_input / nlb6_reply (dp/ip6_input.c),
 * which then routes the translated packet (hop limit, MTU, ND).
 *
 * The flow is an IPv6 flow of the shared table (dp/flow6.c), kind nlb:
 * key[0] client → NLB address6, key[1] target → client (folded addresses;
 * the side array holds the client, the NLB address and the target, so a
 * reply is matched on its full addresses). Its target comes from the
 * listener group's Maglev table by a hash of the full addresses (lb.c
 * lb_flow_init6). Checks, as for IPv4 (nlb_node.c): a new flow meets the
 * client ENI's egress security groups, the client subnet's outbound NACL and
 * the NLB subnet's inbound NACL, then, translated, the NLB subnet's outbound
 * NACL, the target subnet's inbound NACL and the target ENI's ingress
 * security groups; a known client packet meets the NACLs again (NACLs are
 * stateless), a reply the target subnet's outbound NACL.
 *
 * IPv6 clients of an "ipv4" group (preserve_client_ip false, as the
 * configuration demands): the packet is translated to IPv4 (RFC 7915 header
 * translation, no extension headers) from the NLB's private IPv4 address and
 * a source port of the NLB's allocation (lb.c snat_port), and sent to the
 * target; the target's reply, an IPv4 packet to the NLB's address whose key
 * lives in a zone of its own (LB_ZONE_NLB64, never met by IPv4 lookups), is
 * found by lb_nlb_new (the NLB's new-flow hook, where an IPv4 packet to an
 * NLB address without a flow goes) and translated back to IPv6. The
 * translated leg meets IPv4's checks (leg64: the NLB subnet's outbound and
 * the target subnet's inbound NACL, the target ENI's security groups on a
 * new flow; a reply the target subnet's outbound and the NLB subnet's
 * inbound NACL), as an IPv4 client's packet would (nlb_node.c).
 *
 * TCP data for no flow, or on a timed-out one, gets a RST (dp_send_rst6;
 * a target's IPv4 reply dp_send_rst), counted as IPv4's.
 *
 * ICMP errors about a flow's packets: lb/nlb_err6.c. Fragments are
 * dropped (ip_fragment), as IPv4's NLB drops them (nlb_node.c).
 */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "dp/ct_tcp.h"
#include "dp/dp.h"
#include "dp/dp_flow.h"
#include "dp/dp_pipe.h"
#include "dp/dp_pkt.h"
#include "dp/dp_worker.h"
#include "dp/dp_xlate6.h"
#include "dp/ip6.h"
#include "lb/lb.h"
#include "lb/nlb_node.h"
#include "lb/nlb6_int.h"

/* TCP data (not SYN, not RST): what a RST answers once its flow is gone. */
static inline bool
idle_data(const struct dp_meta *md)
{
	return md->proto == IPPROTO_TCP &&
	       !(md->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_RST_FLAG));
}

/* A target's packet m on timed-out NLB flow f (ended): TCP data gets a RST
 * as from the client (v6: m is IPv6, else the IPv4 reply of an IPv6 client
 * of an ipv4 group), counted as IPv4's flow_expired does; dropped. */
static void
idle_reset(struct rte_mbuf *m, struct dp_meta *md, const struct dp_flow *f, bool v6)
{
	struct dp_lcore_stats *st = dp_stats_self();

	if (idle_data(md)) {
		st->listener[f->svc].resets++;
		st->target[f->target].resets++;
		if (v6)
			dp_send_rst6(m, md);
		else
			dp_send_rst(m, md);
	}
	dp_drop(m, DP_DROP_nlb_idle_timeout);
}

/* Known flow f of m (direction d): when its target was deregistered and its
 * delay is over, the flow ends; a client's SYN (d 0) may then open a new one
 * (true, *f NULL), anything else is dropped (nlb_deregistered), as IPv4's
 * (dp/policy.c flow_reuse). false: m consumed. */
static bool
target_check(const struct dp_pctx *c, struct rte_mbuf *m, const struct dp_meta *md,
	     struct dp_flow **f, int d)
{
	if (!lb_flow_target_gone(c->t, *f, c->now))
		return true;
	dp_flow_kill(*f);
	*f = NULL;
	if (d == 0 && md->proto == IPPROTO_TCP && fw_ct_tcp_can_open(md->tcp_flags))
		return true;
	dp_drop(m, DP_DROP_nlb_deregistered);
	return false;
}

/* Replace the source (src) or destination address of IPv6 header ip by a
 * and that side's TCP/UDP port (l4, proto; network order) by port, the L4
 * checksum updated (RFC 1624; IPv6 has no header checksum) when the first
 * avail bytes at l4 hold it (a quote inside an ICMPv6 error may not). */
void
nlb6_readdr(struct rte_ipv6_hdr *ip, uint8_t *l4, uint8_t proto, uint32_t avail, bool src,
	    const uint8_t a[16], uint16_t port)
{
	uint8_t *addr = src ? ip->src_addr : ip->dst_addr;
	/* the checksum field: bytes 16-17 of TCP, 6-7 of UDP (0: none) */
	uint32_t co = proto == IPPROTO_TCP ? 16 : 6;
	uint8_t *ck = avail >= co + 2 ? l4 + co : NULL;
	uint16_t ow, nw, c = 0;
	uint32_t sum = 0;

	if (ck != NULL)
		memcpy(&c, ck, 2);
	if (proto == IPPROTO_UDP && c == 0)
		ck = NULL;
	if (ck != NULL)
		sum = (uint16_t)~c;
	for (int i = 0; i < 16; i += 2) {
		memcpy(&ow, addr + i, 2);
		memcpy(&nw, a + i, 2);
		sum += (uint16_t)~ow + (uint32_t)nw;
	}
	memcpy(addr, a, 16);
	/* the port: bytes 0-1 (source) or 2-3 (destination) of TCP and UDP */
	memcpy(&ow, l4 + (src ? 0 : 2), 2);
	sum += (uint16_t)~ow + (uint32_t)port;
	memcpy(l4 + (src ? 0 : 2), &port, 2);
	if (ck == NULL)
		return;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	c = (uint16_t)~sum;
	if (c == 0 && proto == IPPROTO_UDP)
		c = 0xffff;             /* 0 means "no checksum" for UDP */
	memcpy(ck, &c, 2);
}

/* m's source (src) or destination address by a, that side's port by port. */
static void
rewrite6(struct rte_mbuf *m, const struct dp_meta *md, bool src, const uint8_t a[16],
	 uint16_t port)
{
	nlb6_readdr(rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, md->l3),
		rte_pktmbuf_mtod_offset(m, uint8_t *, md->l4), md->proto, UINT32_MAX, src, a, port);
}

/* RFC 7915 §5.1: m's IPv6 header (no extension header) becomes an IPv4 one
 * from src4 to dst4 (network order), hop limit - 1 as TTL, DF set; the ports
 * become sport/dport. 0, or a drop reason. */
static int
xlate64(struct rte_mbuf *m, struct dp_meta *md, uint32_t src4, uint32_t dst4, uint16_t sport,
	uint16_t dport)
{
	const struct rte_ipv6_hdr *ip6 = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *,
								 md->l3);
	uint8_t tc = (uint8_t)(rte_be_to_cpu_32(ip6->vtc_flow) >> 20);
	uint8_t hlim = ip6->hop_limits, proto = ip6->proto;
	uint16_t plen = rte_be_to_cpu_16(ip6->payload_len);
	struct rte_ether_hdr eth;
	struct rte_ipv4_hdr *ip;
	uint32_t osum, a[2] = { src4, dst4 };

	if (md->l3 != RTE_ETHER_HDR_LEN || md->l4 != md->l3 + sizeof(*ip6) ||
	    (uint32_t)plen + sizeof(struct rte_ipv4_hdr) > UINT16_MAX)
		return DP_DROP_nlb_family;      /* extension headers: not translated */
	osum = dp_csum_words(ip6->src_addr, 32);
	dp_l4_readdress(rte_pktmbuf_mtod_offset(m, uint8_t *, md->l4), proto, osum, dp_csum_words(a, 8),
		     sport, dport);
	memcpy(&eth, rte_pktmbuf_mtod(m, const void *), sizeof(eth));
	/* 40 bytes of header become 20: the front moves 20 bytes on */
	if (rte_pktmbuf_adj(m, 20) == NULL)
		return DP_DROP_nlb_family;
	eth.ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	memcpy(rte_pktmbuf_mtod(m, void *), &eth, sizeof(eth));
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
	*ip = (struct rte_ipv4_hdr){
		.version_ihl = RTE_IPV4_VHL_DEF, .type_of_service = tc,
		.total_length = rte_cpu_to_be_16((uint16_t)(plen + sizeof(*ip))),
		.fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG),
		.time_to_live = (uint8_t)(hlim - 1), .next_proto_id = proto,
		.src_addr = src4, .dst_addr = dst4,
	};
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	md->l3 = RTE_ETHER_HDR_LEN;
	md->l4 = RTE_ETHER_HDR_LEN + sizeof(*ip);
	md->key.src = src4;
	md->key.dst = dst4;
	md->key.sport = sport;
	md->key.dport = dport;
	md->key.zone = 0;
	return 0;
}

/* RFC 7915 §4.1: m's IPv4 header (no options) becomes an IPv6 one from src6
 * to dst6, TTL as hop limit (the IPv6 routing decrements it), traffic class
 * from the TOS; ports sport/dport. 0, or a drop reason. */
static int
xlate46(struct rte_mbuf *m, struct dp_meta *md, const uint8_t src6[16], const uint8_t dst6[16],
	uint16_t sport, uint16_t dport)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
								md->l3);
	uint8_t tos = ip->type_of_service, ttl = ip->time_to_live, proto = ip->next_proto_id;
	uint16_t plen = (uint16_t)(rte_be_to_cpu_16(ip->total_length) - sizeof(*ip));
	uint8_t *l4 = rte_pktmbuf_mtod_offset(m, uint8_t *, md->l4);
	struct rte_ipv6_hdr *ip6;
	struct rte_ether_hdr eth;
	uint16_t c;

	if (md->l3 != RTE_ETHER_HDR_LEN || md->l4 != md->l3 + sizeof(*ip))
		return DP_DROP_nlb_family;
	memcpy(&c, l4 + 6, 2);
	if (proto == IPPROTO_UDP && c == 0) {
		/* no checksum: IPv6 needs one, computed whole below */
		memcpy(l4, &sport, 2);
		memcpy(l4 + 2, &dport, 2);
	} else {
		dp_l4_readdress(l4, proto, dp_csum_words(&ip->src_addr, 8),
			     dp_csum_fold32(dp_csum_words(src6, 16) + dp_csum_words(dst6, 16)), sport, dport);
	}
	memcpy(&eth, rte_pktmbuf_mtod(m, const void *), sizeof(eth));
	if (rte_pktmbuf_prepend(m, 20) == NULL)
		return DP_DROP_nlb_family;
	eth.ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
	memcpy(rte_pktmbuf_mtod(m, void *), &eth, sizeof(eth));
	ip6 = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, RTE_ETHER_HDR_LEN);
	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28 | (uint32_t)tos << 20);
	ip6->payload_len = rte_cpu_to_be_16(plen);
	ip6->proto = proto;
	ip6->hop_limits = ttl;
	memcpy(ip6->src_addr, src6, 16);
	memcpy(ip6->dst_addr, dst6, 16);
	md->l3 = RTE_ETHER_HDR_LEN;
	md->l4 = RTE_ETHER_HDR_LEN + sizeof(*ip6);
	if (proto == IPPROTO_UDP && c == 0) {
		l4 = rte_pktmbuf_mtod_offset(m, uint8_t *, md->l4);
		if (rte_pktmbuf_data_len(m) < md->l4 + (uint32_t)plen)
			return DP_DROP_nlb_family;
		c = dp_ip6_l4_csum(ip6, l4, plen, proto);
		c = c == 0 ? 0xffff : c;
		memcpy(l4 + 6, &c, 2);
	}
	return 0;
}

/*
 * The IPv4 leg of IPv6 client flow f to an ipv4 group: m translated (RFC
 * 7915 §5.1) from the NLB's private address and f's port to the target,
 * then the IPv4 checks an IPv4 client's packet meets there (nlb_node.c):
 * the NLB subnet's outbound and the target subnet's inbound NACL (IPv4
 * rules; none between a subnet and itself) and, for a new flow (ed not
 * NULL), the target ENI's ingress security groups (*ed its ENI). false:
 * dropped.
 */
static bool
leg64(struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md, const struct dp_flow *f,
      uint16_t *ed)
{
	const struct dp_tables *t = c->t;
	const struct lb_state *lb = t->lb;
	const struct dp_pipe_ops *ops = &dp_pipe_ops;
	uint32_t dst = f->key[1].src;   /* the flow's target, whatever a reload renumbered */
	int ds = dp_subnet_lookup(t, rte_be_to_cpu_32(dst)), rc;
	int ns = t->cfg->nlbs[lb->listeners[f->svc].nlb].subnet;
	struct dp_pctx c4 = *c;
	uint16_t x;

	rc = xlate64(m, md, lb->listeners[f->svc].nlb_addr, dst, f->key[1].dport, f->key[1].sport);
	if (rc != 0 || ds < 0) {
		dp_drop(m, rc != 0 ? (enum dp_drop)rc : DP_DROP_no_route);
		return false;
	}
	/* the IPv6 stage's context: no IPv4 flow, no burst-classified verdicts */
	c4.nf = NULL;
	c4.pre.nacl[0] = -1;
	c4.pre.nacl[1] = -1;
	if (ds != ns && (!ops->nacl_allows(&c4, m, md, ns, DP_DIR_EGRESS) ||
			 !ops->nacl_allows(&c4, m, md, ds, DP_DIR_INGRESS)))
		return false;
	return ed == NULL || ops->sg_eval(&c4, m, md, false, true, &x, ed) >= 0;
}

/* The translated packet m of f out to its target. */
void
nlb6_out64(struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md, const struct dp_flow *f)
{
	const struct dp_tables *t = c->t;
	uint32_t dst = f->key[1].src;
	uint16_t port = (uint16_t)t->cfg->subnets[dp_subnet_lookup(t, rte_be_to_cpu_32(dst))].port;

	if (rte_pktmbuf_pkt_len(m) - md->l3 > dp_g.ports[port].mtu) {
		dp_drop(m, DP_DROP_mtu_exceeded);
		return;
	}
	dp_neigh_xmit(m, port, rte_be_to_cpu_32(dst), c->now);
}

/* New flow f of an IPv6 client to an ipv4 group (key[1] set by
 * lb_flow_init6; es: the client's ENI): its IPv4 leg checked on the
 * translated packet, then published and sent. Consumes m. */
static void
new64(struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md, struct dp_flow *f, uint16_t es)
{
	struct dp_lcore_stats *st = dp_stats_self();
	uint32_t bytes6 = rte_pktmbuf_pkt_len(m) - md->l3;
	uint16_t ed = 0;
	int rc;

	if (!leg64(c, m, md, f, &ed)) {
		dp_flow_abandon(f);
		return;
	}
	f->eni[0] = es;
	f->eni[1] = ed;
	f->flags |= DP_FLOW_F_SG_OK;
	rc = dp_ip6_flow_publish(m, md, f, false);
	if (rc != 0) {
		if (rc == -EEXIST)
			dp_drop(m, DP_DROP_ct_invalid);
		return;
	}
	st->listener[f->svc].flows_created++;
	st->target[f->target].flows_created++;
	dp_flow_account(f, 0, bytes6);
	nlb6_out64(c, m, md, f);
}

/* The subnet of IPv6 address a, or -1. */
int
nlb6_subnet(const struct dp_tables *t, const uint8_t a[16])
{
	return dp_ip6_subnet(t->ip6, a);
}

/* NACLs of a client packet on its way in: the client subnet's outbound
 * (from another subnet of the VPC) and the NLB subnet's inbound. */
bool
nlb6_nacls_in(const struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md, int ns)
{
	const struct dp_pipe_ops *ops = &dp_pipe_ops;

	if (c->in == DP_IN_VPC && c->src_subnet != ns &&
	    !ops->nacl6_allows(c->t, m, md, c->src_subnet, DP_DIR_EGRESS))
		return false;
	return (c->in == DP_IN_VPC && c->src_subnet == ns) ||
	       ops->nacl6_allows(c->t, m, md, ns, DP_DIR_INGRESS);
}

/* ... and translated, on its way to the target in subnet ds. */
bool
nlb6_nacls_out(const struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md, int ns, int ds)
{
	const struct dp_pipe_ops *ops = &dp_pipe_ops;

	if (ds == ns)
		return true;
	return ops->nacl6_allows(c->t, m, md, ns, DP_DIR_EGRESS) &&
	       (ds < 0 || ops->nacl6_allows(c->t, m, md, ds, DP_DIR_INGRESS));
}

/* A reply (or an error) m leaving the NLB's subnet ns for a client inside
 * the VPC, in another subnet: ns's outbound and the client subnet's inbound
 * NACL, as an IPv4 NLB's reply meets them (dp/policy.c dp_deliver_local).
 * false: dropped. */
bool
nlb6_nacls_back(const struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md, int ns)
{
	const struct dp_pipe_ops *ops = &dp_pipe_ops;
	const struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *,
								md->l3);
	int cs = nlb6_subnet(c->t, ip->dst_addr);

	return cs < 0 || cs == ns || (ops->nacl6_allows(c->t, m, md, ns, DP_DIR_EGRESS) &&
				      ops->nacl6_allows(c->t, m, md, cs, DP_DIR_INGRESS));
}

/* A new flow of key k to listener l; 1: translated, 0: dropped. */
static int
nlb6_new(struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md, int l,
	 const struct dp_flow_key *k)
{
	const struct dp_tables *t = c->t;
	const struct lb_state *lb = t->lb;
	struct dp_lcore_stats *st = dp_stats_self();
	const struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *,
								md->l3);
	const struct rte_tcp_hdr *th = rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *,
							       md->l4);
	int ns = t->cfg->nlbs[lb->listeners[l].nlb].subnet, ds, rc;
	uint16_t es = 0, ed = 0, x;
	struct dp_flow *f;
	const uint8_t *ta;

	if (md->proto == IPPROTO_TCP && !fw_ct_tcp_can_open(md->tcp_flags)) {
		/* data for no flow (timed out, or never seen): a RST, as IPv4's */
		if (!(md->tcp_flags & RTE_TCP_RST_FLAG)) {
			st->listener[l].resets++;
			dp_send_rst6(m, md);
		}
		dp_drop(m, DP_DROP_nlb_idle_timeout);
		return 0;
	}
	if (c->in == DP_IN_VPC && dp_pipe_ops.sg6_eval(t, m, md, true, false, &es, &x) < 0)
		return 0;
	if (!nlb6_nacls_in(c, m, md, ns))
		return 0;
	f = dp_ip6_flow_new(m, md, c, k);
	if (f == NULL)
		return 0;
	rc = lb_flow_init6(t, l, f, md->proto == IPPROTO_TCP ? th->sent_seq : 0, ip->src_addr,
			   ip->dst_addr);
	if (rc != 0 || !dp_flow6_bind(f, m, md)) {
		dp_flow_abandon(f);
		dp_drop(m, rc != 0 ? (enum dp_drop)rc : DP_DROP_conntrack_allowance_exceeded);
		return 0;
	}
	if (!lb->tgs[lb->listeners[l].tg].ipv6) {
		new64(c, m, md, f, es);
		return 0;
	}
	ta = lb->target_addr6[f->target];
	dp_flow6_bind_reply(f, ta);
	f->key[1] = (struct dp_flow_key){ .src = dp_flow6_fold(ta), .dst = k->src,
					  .sport = lb->target_port[f->target], .dport = k->sport,
					  .proto = k->proto, .zone = DP_FLOW_ZONE_IP6 };
	/* the target's NACLs and security groups see the translated packet */
	rewrite6(m, md, false, ta, lb->target_port[f->target]);
	ds = nlb6_subnet(t, ta);
	if (!nlb6_nacls_out(c, m, md, ns, ds) ||
	    dp_pipe_ops.sg6_eval(t, m, md, false, true, &x, &ed) < 0) {
		dp_flow_abandon(f);
		return 0;
	}
	f->eni[0] = es;
	f->eni[1] = ed;
	f->flags |= DP_FLOW_F_SG_OK;
	rc = dp_ip6_flow_publish(m, md, f, false);
	if (rc != 0) {
		if (rc == -EEXIST)      /* another worker's packet opened it first */
			dp_drop(m, DP_DROP_ct_invalid);
		return 0;
	}
	st->listener[l].flows_created++;
	st->target[f->target].flows_created++;
	dp_flow_account(f, 0, rte_pktmbuf_pkt_len(m) - md->l3);
	c->policy_done = true;
	return 1;
}

int
lb_nlb6_input(struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md, int nlb)
{
	const struct dp_tables *t = c->t;
	const struct lb_state *lb = t->lb;
	uint8_t cl[16], nl[16], ta[16];
	struct dp_flow_key k;
	struct dp_flow *f = NULL;
	bool gone;
	int l, d = 0, ns, ds;

	if (lb != NULL && md->proto == IPPROTO_ICMPV6)
		return nlb6_err_to_nlb(c, m, md, nlb);
	if (lb == NULL || (md->proto != IPPROTO_TCP && md->proto != IPPROTO_UDP) ||
	    (l = lb_listener_find6(t, nlb, md->proto, md->key.dport)) < 0) {
		dp_drop(m, DP_DROP_nlb_no_listener);
		return 0;
	}
	if (md->flags & (DP_M_FRAG | DP_M_LATER_FRAG)) {
		dp_drop(m, DP_DROP_ip_fragment);
		return 0;
	}
	if (!lb->tgs[lb->listeners[l].tg].ipv6 && lb->tgs[lb->listeners[l].tg].preserve_client_ip) {
		dp_drop(m, DP_DROP_nlb_family);     /* the configuration refuses it */
		return 0;
	}
	if (!dp_flow6_key(m, md, &k)) {
		dp_drop(m, DP_DROP_nlb_no_listener);
		return 0;
	}
	if (dp_flow_any())
		f = dp_flow6_find(&k, m, md, &d);
	if (f != NULL && (f->kind != DP_FLOW_NLB || d != 0 || f->svc != l)) {
		dp_drop(m, DP_DROP_ct_invalid);
		return 0;
	}
	if (f != NULL && !target_check(c, m, md, &f, 0))
		return 0;
	if (f != NULL) {
		if (!dp_ip6_known(m, md, f, 0, c->now, true, &gone))
			return 0;
		/* data on a timed-out flow: nlb6_new resets it (as IPv4's flow_expired) */
		if (gone && idle_data(md))
			dp_stats_self()->target[f->target].resets++;
		if (gone)
			f = NULL;
	}
	if (f == NULL)
		return nlb6_new(c, m, md, l, &k);
	ns = t->cfg->nlbs[nlb].subnet;
	if (!nlb6_nacls_in(c, m, md, ns))
		return 0;
	if (!lb->tgs[lb->listeners[l].tg].ipv6) {
		dp_flow_account(f, 0, rte_pktmbuf_pkt_len(m) - md->l3);
		if (leg64(c, m, md, f, NULL))
			nlb6_out64(c, m, md, f);
		return 0;
	}
	/* the flow's target (its replies' source), whatever a reload renumbered */
	if (!dp_flow6_addrs(f, cl, nl, ta)) {
		dp_drop(m, DP_DROP_ct_invalid);
		return 0;
	}
	rewrite6(m, md, false, ta, f->key[1].sport);
	ds = nlb6_subnet(t, ta);
	if (!nlb6_nacls_out(c, m, md, ns, ds))
		return 0;
	dp_flow_account(f, 0, rte_pktmbuf_pkt_len(m) - md->l3);
	c->policy_done = true;
	return 1;
}

int
lb_nlb6_reply(struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md)
{
	const struct dp_tables *t = c->t;
	const struct lb_state *lb = t->lb;
	const struct lb_listener_rt *l;
	struct dp_flow_key k;
	struct dp_flow *f;
	bool gone;
	int d, ns;

	if (lb != NULL && md->proto == IPPROTO_ICMPV6 && dp_flow_any())
		return nlb6_err_from_target(c, m, md);
	if (lb == NULL || !dp_flow6_key(m, md, &k) || (md->flags & DP_M_LATER_FRAG) ||
	    (md->proto != IPPROTO_TCP && md->proto != IPPROTO_UDP))
		return -1;
	f = dp_flow6_find(&k, m, md, &d);
	if (f == NULL || f->kind != DP_FLOW_NLB || d != 1)
		return -1;
	if (!target_check(c, m, md, &f, 1))
		return 0;
	if (!dp_ip6_known(m, md, f, 1, c->now, false, &gone))
		return 0;
	if (gone) {
		idle_reset(m, md, f, true);
		return 0;
	}
	l = &lb->listeners[f->svc];
	ns = t->cfg->nlbs[l->nlb].subnet;
	if (c->src_subnet != ns &&
	    !dp_pipe_ops.nacl6_allows(t, m, md, c->src_subnet, DP_DIR_EGRESS))
		return 0;
	dp_flow_account(f, 1, rte_pktmbuf_pkt_len(m) - md->l3);
	/* out as the NLB: its address6 and the listener's port, from its subnet */
	rewrite6(m, md, true, t->cfg->nlbs[l->nlb].addr6, l->port);
	if (!nlb6_nacls_back(c, m, md, ns))
		return 0;
	c->src_subnet = ns;
	c->policy_done = true;
	return 1;
}

bool
lb_nlb64_reply(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c)
{
	const struct dp_tables *t = c->t;
	const struct lb_state *lb = t->lb;
	const struct lb_listener_rt *l;
	struct dp_flow_key k = md->key;
	uint8_t client[16], nlb6[16];
	struct dp_flow *f;
	bool gone;
	void *e;
	int rc, ns;

	/* an ICMP error's key is its quote's, reversed (dp/dp_parse.c) */
	if ((md->flags & DP_M_FRAG) || (k.proto != IPPROTO_TCP && k.proto != IPPROTO_UDP))
		return false;
	k.zone = LB_ZONE_NLB64;
	e = dp_flow_lookup(&k);
	if (e == NULL || dp_flow_dir(e) != 1)
		return false;
	f = dp_flow_ptr(e);
	if (f->kind != DP_FLOW_NLB || !dp_flow6_addrs(f, client, nlb6, NULL))
		return false;
	if (md->flags & DP_M_ICMP_ERR) {
		nlb6_err46(c, m, md, f, client, nlb6);
		return true;
	}
	if (!target_check(c, m, md, &f, 1))
		return true;
	if (!dp_ip6_known(m, md, f, 1, c->now, false, &gone))
		return true;
	if (gone) {
		idle_reset(m, md, f, false);
		return true;
	}
	l = &lb->listeners[f->svc];
	/* from the target's subnet into the NLB's: their NACLs (IPv4 rules) */
	ns = t->cfg->nlbs[l->nlb].subnet;
	if (c->in == DP_IN_VPC && c->src_subnet != ns &&
	    (!dp_pipe_ops.nacl_allows(c, m, md, c->src_subnet, DP_DIR_EGRESS) ||
	     !dp_pipe_ops.nacl_allows(c, m, md, ns, DP_DIR_INGRESS)))
		return true;
	dp_flow_account(f, 1, rte_pktmbuf_pkt_len(m) - md->l3);
	/* from the NLB's address6 and the listener's port to the client */
	rc = xlate46(m, md, nlb6, client, l->port, f->key[0].sport);
	if (rc != 0) {
		dp_drop(m, (enum dp_drop)rc);
		return true;
	}
	if (nlb6_nacls_back(c, m, md, ns))
		dp_ip6_forward(c, m, md, ns);
	return true;
}
