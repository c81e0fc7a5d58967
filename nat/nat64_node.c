/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NAT64 on the NAT gateway (SPEC §7; RFC 6052 address mapping, RFC 7915
 * header translation). A route { destination inside 64:ff9b::/96; target
 * nat-gateway:G } sends an IPv6 packet from the VPC here (the IPv6 stage,
 * dp/ip6_input.c, through dp_pipe_ops.nat64_target): it is translated to
 * IPv4 from one of G's addresses and a port of the same allocation as IPv4
 * SNAT (nat/nat.c: per worker share, per destination cap, addresses in
 * order), to the IPv4 address in the last 32 bits of its destination, and
 * sent to the internet gateway's next hop.
 *
 * The flow is an IPv6 flow of the shared table (dp/flow6.c), kind nat,
 * service G: key[0] the client's (zone DP_FLOW_ZONE_IP6, folded addresses,
 * the full ones in the side array), key[1] the IPv4 reply (server → NAT
 * address:port) in zone NAT_ZONE_NAT64, so no IPv4 lookup meets it. A
 * reply, an IPv4 packet to a NAT address that finds no IPv4 flow, reaches
 * the policy stage's no-session path, which asks nat64_reply
 * (dp_pipe_ops.nat64_reply) before dropping it as nat_no_session: looked up
 * in that zone, translated back (from 64:ff9b::<server>, to the client and
 * its port) and sent to the client. ICMPv4 errors about a NAT64
 * connection's packets (their key is the quoted packet's, mirrored: the
 * same zone lookup) become ICMPv6 errors with the quoted packet translated.
 *
 * Checks, as for IPv4 SNAT (nat/nat_node.c): a new connection meets the
 * client ENI's egress security groups and its subnet's outbound NACL (IPv6
 * rules), a known one the NACL again; a reply the client subnet's inbound
 * NACL. Counters: the gateway's CloudWatch counters (bytes in from the
 * source are IPv6 bytes, out to the destination IPv4 bytes, and the other
 * way back), ConnectionAttempt/Established, ErrorPortAllocation,
 * IdleTimeoutCount, PacketsDropCount.
 *
 * Fragments (RFC 7915 §4.1, §5.1.1), TCP and UDP: a first fragment carries
 * the ports and is translated with its connection (an IPv4 fragment with the
 * identification's low 16 bits, offset and MF copied, DF clear; an IPv6 one
 * with a Fragment header; the upper-layer checksum, in the first fragment
 * only, adjusted for the pseudo-header's new addresses and the new port),
 * recording the translation for the later ones (dp/frag6.c), which follow it
 * with no upper-layer header to touch. A later fragment with no first to
 * follow: nat64_frag_orphan (an IPv4 one: nat_fragment, it may be the IPv4
 * NAT's). ICMP fragments: nat64_fragment (frag_ok). TCP without SYN for no
 * connection gets a RST (dp_send_rst6), as IPv4 SNAT's.
 *
 * A client's ICMPv6 errors about replies become ICMPv4 errors to the server
 * (err64, RFC 7915 §5.2).
 */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_hash_crc.h>
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
#include "nat/nat.h"
#include "nat/nat_node.h"

#define ICMP6_ECHO_REQUEST 128

/*
 * The fragments NAT64 translates: TCP and UDP, whose checksum covers a
 * pseudo-header of addresses (and a length and protocol that stay the same):
 * the first fragment's checksum is adjusted for the new addresses and port
 * (RFC 1624) without the rest of the datagram. Not ICMP: an ICMPv6 checksum's
 * pseudo-header holds the whole message's length, which no first fragment
 * tells, and an ICMPv4 one has none to take away or add; translating them
 * would need the datagram reassembled (vpcgw holds no packets).
 */
static inline bool
frag_ok(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP;
}

/* RFC 6052 §2.1: the well-known prefix 64:ff9b::/96. */
static const uint8_t wkp[12] = { 0x00, 0x64, 0xff, 0x9b };

/* A known packet of NAT64 flow f in direction d: false when dropped, *gone
 * when the flow timed out (ended here). TCP state as for IPv4 NAT (a lone
 * SYN on a closed connection reopens it: the mapping is kept, RFC 6146). */
static bool
known(struct rte_mbuf *m, const struct dp_meta *md, struct dp_flow *f, int d, uint64_t now,
      struct dp_nat_stats *ns, bool *gone)
{
	*gone = false;
	if (dp_flow_expired(f, now)) {
		dp_flow_kill(f);
		*gone = true;
		return true;
	}
	if (md->proto == IPPROTO_TCP) {
		uint8_t st, nst;

		if (d == 0 && fw_ct_tcp_can_open(md->tcp_flags)) {
			st = __atomic_load_n(&f->tcp_state, __ATOMIC_RELAXED);
			if (st == FW_CT_TCP_CLOSED || st == FW_CT_TCP_TIME_WAIT)
				ns->conn_attempt++;
		}
		if (!dp_flow_tcp_step(f, d, md->tcp_flags, &st, &nst)) {
			ns->drop++;
			dp_drop(m, DP_DROP_ct_invalid);
			return false;
		}
		if (nst != st && nst == FW_CT_TCP_ESTABLISHED)
			ns->conn_established++;
	} else if (md->proto == IPPROTO_UDP && d == 1 &&
		   !(__atomic_load_n(&f->flags, __ATOMIC_RELAXED) & DP_FLOW_F_UDP_STREAM)) {
		__atomic_fetch_or(&f->flags, DP_FLOW_F_UDP_STREAM, __ATOMIC_RELAXED);
	}
	dp_flow_touch(f, now);
	return true;
}

/* A new NAT64 connection of key k through gateway g to dst4; NULL: m dropped. */
static struct dp_flow *
nat64_new(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c, int g,
	  const struct dp_flow_key *k, uint32_t dst4)
{
	const struct dp_tables *t = c->t;
	struct dp_nat_stats *ns = &dp_stats_self()->nat[g];
	const struct dp_pipe_ops *ops = &dp_pipe_ops;
	uint8_t proto4 = md->proto == IPPROTO_ICMPV6 ? IPPROTO_ICMP : md->proto;
	struct dp_flow_key k1;
	struct dp_flow *f;
	uint16_t es = 0, x;
	int rc;

	if (ops->sg6_eval(t, m, md, true, false, &es, &x) < 0)
		return NULL;
	if (!ops->nacl6_allows(t, m, md, c->src_subnet, DP_DIR_EGRESS))
		return NULL;
	if (md->proto == IPPROTO_TCP && !fw_ct_tcp_can_open(md->tcp_flags)) {
		/* a connection the gateway does not know (timed out, or never
		 * seen): a RST to the client, never a FIN, as IPv4 SNAT */
		if (!(md->tcp_flags & RTE_TCP_RST_FLAG)) {
			ns->idle_timeout++;
			dp_send_rst6(m, md);
		}
		ns->drop++;
		dp_drop(m, DP_DROP_nat_idle_timeout);
		return NULL;
	}
	ns->conn_attempt += md->proto != IPPROTO_TCP || (md->tcp_flags & RTE_TCP_SYN_FLAG);
	f = dp_ip6_flow_new(m, md, c, k);
	if (f == NULL) {
		ns->drop++;
		return NULL;
	}
	f->eni[0] = es;
	f->flags |= DP_FLOW_F_SG_OK;
	rc = nat64_flow_init(t, g, f, dst4, proto4 == IPPROTO_ICMP ? 0 : md->key.dport, proto4,
			     dp_worker_self()->id, dp_g.n_workers);
	if (rc != 0) {
		dp_flow_abandon(f);
		ns->err_port_alloc++;
		ns->drop++;
		dp_drop(m, (enum dp_drop)rc);
		return NULL;
	}
	k1 = f->key[1];
	rc = dp_ip6_flow_publish(m, md, f, true);
	if (rc != 0) {
		/* f is abandoned: give back the destination slot it took */
		struct dp_flow gone = { .key = { *k, k1 } };

		nat_flow_deleted(&gone);
		ns->drop++;
		if (rc == -EEXIST)      /* another worker's packet opened it first */
			dp_drop(m, DP_DROP_ct_invalid);
		return NULL;
	}
	ns->conn_created++;
	return f;
}

/*
 * vpcgw never fragments: Packet Too Big with the MTU an IPv6 packet of
 * bytes6 bytes may have to fit once translated for port (RFC 7915 §5.1: the
 * IPv4 MTU + 20, less any extension headers that go); true: m dropped.
 * *len4: its IPv4 length.
 */
static bool
too_big64(struct rte_mbuf *m, struct dp_meta *md, const struct dp_pctx *c,
	  struct dp_nat_stats *ns, uint32_t bytes6, uint16_t port, uint32_t *len4)
{
	uint32_t mtu = dp_g.ports[port].mtu;

	*len4 = bytes6 - (md->l4 - md->l3) + 20;
	if (*len4 <= mtu)
		return false;
	dp_nd6_too_big(m, md, c->t, c->now, mtu + (md->l4 - md->l3) - 20);
	ns->drop++;
	dp_drop(m, DP_DROP_mtu_exceeded);
	return true;
}

/* The translation of first fragment ip (identification id6) from nat4 to
 * dst4, for its later fragments (dp/frag6.c). */
static void
record64(const struct rte_ipv6_hdr *ip, uint32_t id6, uint8_t proto, uint32_t nat4,
	 uint32_t dst4, uint64_t now)
{
	uint8_t n4s[16], n4d[16];

	dp_ip6_mapped(n4s, nat4);
	dp_ip6_mapped(n4d, dst4);
	dp_frag6_record(ip->src_addr, ip->dst_addr, id6, proto, n4s, n4d, now);
}

/* Translate m to IPv4 (source src:sport, destination dst:dport, network
 * order; ports 0: kept) and send it to the internet gateway's next hop,
 * counted in ns (bytes6 as it came, len4 once translated). */
static void
send4(struct rte_mbuf *m, struct dp_meta *md, const struct dp_pctx *c, struct dp_nat_stats *ns,
      uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, uint8_t ttl, uint32_t bytes6,
      uint32_t len4, uint16_t port)
{
	int rc = dp_xlate_6to4(m, md, src, dst, sport, dport, ttl);

	if (rc != 0) {
		ns->drop++;
		dp_drop(m, (enum dp_drop)rc);
		return;
	}
	ns->pkts_in_src++;
	ns->bytes_in_src += bytes6;
	ns->pkts_in_src6++;
	ns->bytes_in_src6 += bytes6;
	ns->pkts_out_dst++;
	ns->bytes_out_dst += len4;
	dp_neigh_xmit(m, port, c->t->cfg->igw.next_hop, c->now);
}

/*
 * A later IPv6 fragment from a client (RFC 7915 §5.1.1): it follows the
 * translation of its datagram's first fragment (dp_frag6_follow), whose
 * checks it passed (no NACL again, as IPv4's later fragments), translated
 * to an IPv4 fragment and sent to the internet; none: nat64_frag_orphan
 * (ICMP: nat64_fragment, frag_ok).
 */
static void
later6(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c, struct dp_nat_stats *ns)
{
	const struct cfg *cfg = c->t->cfg;
	const struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *,
								md->l3);
	uint32_t bytes6 = rte_pktmbuf_pkt_len(m) - md->l3, len4, id, a[2];
	uint16_t port = (uint16_t)cfg->igw.port;
	uint8_t n4s[16], n4d[16];

	if (!frag_ok(md->proto) || !dp_ip6_frag_id(m, md, &id)) {
		ns->drop++;
		dp_drop(m, DP_DROP_nat64_fragment);
		return;
	}
	if (!dp_frag6_follow(ip->src_addr, ip->dst_addr, id, md->proto, c->now, n4s, n4d)) {
		ns->drop++;
		dp_drop(m, DP_DROP_nat64_frag_orphan);
		return;
	}
	if (too_big64(m, md, c, ns, bytes6, port, &len4))
		return;
	memcpy(&a[0], n4s + 12, 4);
	memcpy(&a[1], n4d + 12, 4);
	send4(m, md, c, ns, a[0], a[1], 0, 0, (uint8_t)(ip->hop_limits - 1), bytes6, len4, port);
}

/*
 * A client's ICMPv6 error (RFC 4443) about a reply of a NAT64 connection:
 * related by its quote (the reply as vpcgw sent it, from 64:ff9b::<server>
 * to the client), through the client subnet's outbound NACL as the
 * connection's packets, translated (RFC 7915 §5.2) to an ICMPv4 error from
 * the connection's NAT address to the server, quoting the reply as the
 * server sent it, and sent to the internet. No connection: nat64_unsupported.
 */
static void
err64(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c, struct dp_nat_stats *ns, int g)
{
	const struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *,
								md->l3);
	const uint8_t *h = rte_pktmbuf_mtod_offset(m, const uint8_t *, md->l4);
	const struct rte_ipv6_hdr *q = (const struct rte_ipv6_hdr *)(h + 8);
	uint32_t bytes6 = rte_pktmbuf_pkt_len(m) - md->l3, dst4;
	struct dp_flow *f = NULL;
	struct dp_flow_key k;
	int d = 0, rc;

	if (md->l4 + 8 + sizeof(*q) + 4 <= rte_pktmbuf_data_len(m) &&
	    (q->proto == IPPROTO_TCP || q->proto == IPPROTO_UDP) && dp_flow_any()) {
		memset(&k, 0, sizeof(k));
		k.src = dp_flow6_fold(q->dst_addr);
		k.dst = dp_flow6_fold(q->src_addr);
		k.proto = q->proto;
		k.zone = DP_FLOW_ZONE_IP6;
		memcpy(&k.sport, (const uint8_t *)(q + 1) + 2, 2);
		memcpy(&k.dport, (const uint8_t *)(q + 1), 2);
		f = dp_flow6_find_addrs(&k, q->dst_addr, q->src_addr, &d);
	}
	if (f == NULL || f->kind != DP_FLOW_NAT || d != 0 || f->svc != g) {
		ns->drop++;
		dp_drop(m, DP_DROP_nat64_unsupported);
		return;
	}
	if (!dp_pipe_ops.nacl6_allows(c->t, m, md, c->src_subnet, DP_DIR_EGRESS))
		return;
	memcpy(&dst4, ip->dst_addr + 12, 4);
	rc = dp_xlate_err_6to4(m, md, f->key[1].dst, dst4, f->key[1].src, f->key[1].dst,
			       f->key[1].sport, f->key[1].dport, (uint8_t)(ip->hop_limits - 1));
	if (rc != 0) {
		ns->drop++;
		dp_drop(m, (enum dp_drop)rc);
		return;
	}
	dp_flow_pkt(f, 0, bytes6);
	ns->pkts_in_src++;
	ns->bytes_in_src += bytes6;
	ns->pkts_in_src6++;
	ns->bytes_in_src6 += bytes6;
	ns->pkts_out_dst++;
	ns->bytes_out_dst += rte_pktmbuf_pkt_len(m) - md->l3;
	dp_neigh_xmit(m, (uint16_t)c->t->cfg->igw.port, c->t->cfg->igw.next_hop, c->now);
}

void
nat64_target(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c,
	     const struct dp_route *r)
{
	const struct dp_tables *t = c->t;
	const struct cfg *cfg = t->cfg;
	struct dp_nat_stats *ns = &dp_stats_self()->nat[r->ref];
	const struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *,
								md->l3);
	const uint8_t *l4 = rte_pktmbuf_mtod_offset(m, const uint8_t *, md->l4);
	uint32_t dst4, bytes6 = rte_pktmbuf_pkt_len(m) - md->l3, len4, id6 = 0;
	uint16_t port = (uint16_t)cfg->igw.port;
	struct dp_flow_key k;
	struct dp_flow *f = NULL;
	bool gone;
	int d = 0;

	if (c->in != DP_IN_VPC || !cfg->igw.present || t->nat == NULL ||
	    memcmp(ip->dst_addr, wkp, sizeof(wkp)) != 0) {
		dp_drop(m, DP_DROP_no_route);
		return;
	}
	if (md->flags & DP_M_LATER_FRAG) {
		later6(m, md, c, ns);
		return;
	}
	/* a first fragment: TCP or UDP (frag_ok) */
	if ((md->flags & DP_M_FRAG) && (!frag_ok(md->proto) || !dp_ip6_frag_id(m, md, &id6))) {
		ns->drop++;
		dp_drop(m, DP_DROP_nat64_fragment);
		return;
	}
	if (md->proto == IPPROTO_ICMPV6 && l4[0] >= 1 && l4[0] <= 4 &&
	    !(md->flags & DP_M_FRAG)) {
		err64(m, md, c, ns, r->ref);
		return;
	}
	if ((md->proto != IPPROTO_TCP && md->proto != IPPROTO_UDP &&
	     md->proto != IPPROTO_ICMPV6) ||
	    (md->proto == IPPROTO_ICMPV6 && l4[0] != ICMP6_ECHO_REQUEST)) {
		ns->drop++;
		dp_drop(m, DP_DROP_nat64_unsupported);
		return;
	}
	memcpy(&dst4, ip->dst_addr + 12, 4);
	if (!dp_flow6_key(m, md, &k)) {
		ns->drop++;
		dp_drop(m, DP_DROP_nat64_unsupported);
		return;
	}
	if (dp_flow_any())
		f = dp_flow6_find(&k, m, md, &d);
	if (f != NULL && (f->kind != DP_FLOW_NAT || d != 0 || f->svc != r->ref)) {
		ns->drop++;
		dp_drop(m, DP_DROP_ct_invalid);
		return;
	}
	if (f != NULL) {
		if (!known(m, md, f, 0, c->now, ns, &gone))
			return;
		if (gone)
			f = NULL;
		else if (!dp_pipe_ops.nacl6_allows(t, m, md, c->src_subnet, DP_DIR_EGRESS))
			return;
	}
	if (f == NULL && (f = nat64_new(m, md, c, r->ref, &k, dst4)) == NULL)
		return;
	if (too_big64(m, md, c, ns, bytes6, port, &len4))
		return;
	dp_flow_pkt(f, 0, bytes6);
	if (unlikely(md->flags & DP_M_FRAG))    /* the later fragments follow it */
		record64(ip, id6, md->proto, f->key[1].dst, dst4, c->now);
	send4(m, md, c, ns, f->key[1].dst, dst4, f->key[1].dport, f->key[1].sport,
	      (uint8_t)(ip->hop_limits - 1), bytes6, len4, port);
}

/* Out to client (its subnet's inbound NACL first). */
static void
out6(struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md, const uint8_t client[16],
     struct dp_nat_stats *ns, uint32_t bytes4, bool nacl)
{
	const struct dp_tables *t = c->t;
	int ds = dp_ip6_subnet(t->ip6, client);
	uint32_t bytes6 = rte_pktmbuf_pkt_len(m) - md->l3;
	uint16_t port;

	if (ds < 0) {
		ns->drop++;
		dp_drop(m, DP_DROP_no_route);
		return;
	}
	if (nacl && !dp_pipe_ops.nacl6_allows(t, m, md, ds, DP_DIR_INGRESS))
		return;
	port = t->subnet_rt[ds].port;
	if (bytes6 > dp_g.ports[port].mtu) {
		ns->drop++;
		dp_drop(m, DP_DROP_mtu_exceeded);
		return;
	}
	ns->pkts_in_dst++;
	ns->bytes_in_dst += bytes4;
	ns->pkts_out_src++;
	ns->bytes_out_src += bytes6;
	ns->pkts_out_src6++;
	ns->bytes_out_src6 += bytes6;
	dp_nd6_output(m, port, client, c->now);
}

/*
 * A later IPv4 fragment of a reply (RFC 7915 §4.1): it follows its first
 * fragment's translation (no NACL again, as IPv4's later fragments) to an
 * IPv6 fragment to the client; false: not one of NAT64's (the caller drops
 * it as nat_fragment: it may be an IPv4 NAT connection's).
 */
static bool
reply_later(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c)
{
	const struct rte_ipv4_hdr *ip = dp_ip_hdr(m, md);
	uint32_t bytes4 = rte_pktmbuf_pkt_len(m) - md->l3;
	uint8_t s[16], d[16], src6[16], client[16];
	struct dp_nat_stats *ns;
	int rc;

	if (!frag_ok(md->proto) || md->nh != DP_LOCAL_NAT)
		return false;
	dp_ip6_mapped(s, ip->src_addr);
	dp_ip6_mapped(d, ip->dst_addr);
	if (!dp_frag6_follow(s, d, rte_be_to_cpu_16(ip->packet_id), md->proto, c->now, src6,
			     client))
		return false;
	ns = &dp_stats_self()->nat[md->ep];
	rc = dp_xlate_4to6(m, md, src6, client, 0, 0, (uint8_t)(ip->time_to_live - 1));
	if (rc != 0) {
		ns->drop++;
		dp_drop(m, (enum dp_drop)rc);
		return true;
	}
	out6(c, m, md, client, ns, bytes4, false);
	return true;
}

bool
nat64_reply(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c)
{
	const struct dp_tables *t = c->t;
	const struct rte_ipv4_hdr *ip = dp_ip_hdr(m, md);
	uint8_t client[16], dst6[16], src6[16];
	uint32_t bytes4 = rte_pktmbuf_pkt_len(m) - md->l3;
	struct dp_flow_key k = md->key;
	struct dp_nat_stats *ns;
	struct dp_flow *f;
	bool gone;
	void *e;
	int rc;

	if (t->nat == NULL || !t->nat->any64 || t->ip6 == NULL)
		return false;
	if (md->flags & DP_M_LATER_FRAG)
		return reply_later(m, md, c);
	k.zone = NAT_ZONE_NAT64;
	e = dp_flow_lookup(&k);
	if (e == NULL || dp_flow_dir(e) != 1)
		return false;
	f = dp_flow_ptr(e);
	if (f->kind != DP_FLOW_NAT || !dp_flow6_addrs(f, client, dst6, NULL))
		return false;
	ns = &dp_stats_self()->nat[f->svc];
	if ((md->flags & DP_M_FRAG) && !frag_ok(md->proto)) {
		ns->drop++;
		dp_drop(m, DP_DROP_nat64_fragment);
		return true;
	}
	if (md->flags & DP_M_ICMP_ERR) {
		/* from the IPv4 router that sent it, as RFC 6052 maps it */
		memcpy(src6, wkp, sizeof(wkp));
		memcpy(src6 + 12, &ip->src_addr, 4);
		rc = dp_xlate_err_4to6(m, md, src6, client, client, dst6, f->key[0].sport,
				       f->key[0].dport);
		if (rc != 0) {
			ns->drop++;
			dp_drop(m, (enum dp_drop)rc);
			return true;
		}
		out6(c, m, md, client, ns, bytes4, true);
		return true;
	}
	if (!known(m, md, f, 1, c->now, ns, &gone))
		return true;
	if (gone) {
		ns->drop++;
		dp_drop(m, DP_DROP_nat_no_session);
		return true;
	}
	dp_flow_pkt(f, 1, bytes4);
	if (unlikely(md->flags & DP_M_FRAG)) {
		uint8_t s[16], d[16];

		/* the later fragments follow this translation */
		dp_ip6_mapped(s, ip->src_addr);
		dp_ip6_mapped(d, ip->dst_addr);
		dp_frag6_record(s, d, rte_be_to_cpu_16(ip->packet_id), md->proto, dst6, client,
				c->now);
	}
	/* from 64:ff9b::<server> and its port to the client and its port (its
	 * echo identifier); TTL - 1 as hop limit: vpcgw is a router hop */
	rc = dp_xlate_4to6(m, md, dst6, client, f->key[0].dport, f->key[0].sport,
			   (uint8_t)(ip->time_to_live - 1));
	if (rc != 0) {
		ns->drop++;
		dp_drop(m, (enum dp_drop)rc);
		return true;
	}
	out6(c, m, md, client, ns, bytes4, true);
	return true;
}
