/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packets vpcgw builds on the packet path: ICMP time exceeded and
 * fragmentation needed (rate limited), TCP RST after an idle timeout (IPv4, IPv6), ICMP
 * echo replies. Each leaves through dp_tx_generated() and is counted apart
 * from forwarded packets.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "dp/csum.h"
#include "dp/dp.h"
#include "dp/dp_pipe.h"
#include "dp/dp_pkt.h"
#include "dp/ip6.h"

#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8
#define ICMP_TIME_EXCEEDED 11
#define ICMP_DEST_UNREACH 3
#define ICMP_FRAG_NEEDED 4          /* code of ICMP_DEST_UNREACH (RFC 1191) */
#define ICMP_RATE_PER_S 100

static uint64_t icmp_tokens_ms[RTE_MAX_LCORE];

/* A token of this lcore's ICMP error budget: ICMP_RATE_PER_S a second. */
static bool
icmp_token(uint64_t now)
{
	unsigned lc = rte_lcore_id() % RTE_MAX_LCORE;

	if (now * ICMP_RATE_PER_S < icmp_tokens_ms[lc])
		return false;
	if (icmp_tokens_ms[lc] + 1000 < now * ICMP_RATE_PER_S)
		icmp_tokens_ms[lc] = now * ICMP_RATE_PER_S - 1000;
	icmp_tokens_ms[lc] += 1000;
	return true;
}

/*
 * The quote q (hl bytes of IPv4 header, quote bytes in all) as its sender
 * sent it: addresses src/dst, orig's TCP/UDP ports when given, the IPv4
 * header checksum and a quoted UDP checksum updated to match.
 */
static void
quote_restore(struct rte_ipv4_hdr *q, uint32_t hl, uint32_t quote, uint32_t src, uint32_t dst,
	      const struct dp_flow_key *orig)
{
	uint8_t *l4 = (uint8_t *)q + hl;
	bool first = !(q->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_OFFSET_MASK));
	uint64_t d = csum_diff32(q->src_addr, src) + csum_diff32(q->dst_addr, dst);
	bool changed = q->src_addr != src || q->dst_addr != dst;
	uint16_t port, ck;

	if (changed) {
		q->src_addr = src;
		q->dst_addr = dst;
		q->hdr_checksum = 0;
		q->hdr_checksum = rte_ipv4_cksum(q);
	}
	if (!first || quote < hl + 8 ||
	    (q->next_proto_id != IPPROTO_TCP && q->next_proto_id != IPPROTO_UDP))
		return;
	if (orig != NULL && orig->proto == q->next_proto_id &&
	    (memcmp(l4, &orig->sport, 2) != 0 || memcmp(l4 + 2, &orig->dport, 2) != 0)) {
		changed = true;
		memcpy(&port, l4, 2);
		d += csum_diff16(port, orig->sport);
		memcpy(&port, l4 + 2, 2);
		d += csum_diff16(port, orig->dport);
		memcpy(l4, &orig->sport, 2);
		memcpy(l4 + 2, &orig->dport, 2);
	}
	memcpy(&ck, l4 + 6, 2);
	if (changed && q->next_proto_id == IPPROTO_UDP && ck != 0) {     /* TCP's is not quoted */
		ck = csum_apply(ck, d);
		memcpy(l4 + 6, &ck, 2);
	}
}

/*
 * ICMP error type/code back to the sender of m, out of the port it came in,
 * from the sender's subnet's .1 when that subnet is on that port (the address
 * it routed through), else from the port's address. word: the 4 bytes after
 * the checksum (RFC 1191: next-hop MTU in the low 16 bits). The quote is m's
 * IP header and 8 bytes (RFC 792); orig, when given, puts back the addresses
 * (and TCP/UDP ports) the sender used, so that it finds its connection after
 * vpcgw translated the packet; an elastic IP's private address, from the
 * internet, is put back to the elastic IP. Rate-limited (icmp_token).
 */
static void
icmp4_error(struct rte_mbuf *m, const struct dp_meta *md, const struct dp_tables *t, uint64_t now,
	    uint8_t type, uint8_t code, uint32_t word, const struct dp_flow_key *orig)
{
	const struct dp_port_rt *p = &dp_g.ports[md->in_port];
	const struct rte_ether_hdr *oeth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *oip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
								 md->l3);
	uint32_t hl = (uint32_t)(oip->version_ihl & 0x0f) * 4u;
	uint32_t quote = RTE_MIN(RTE_MIN((uint32_t)rte_be_to_cpu_16(oip->total_length), hl + 8u),
				 (uint32_t)rte_pktmbuf_data_len(m) - md->l3);
	uint32_t dst = orig != NULL ? orig->src : oip->src_addr, src = p->addr, v;
	uint32_t qdst = orig != NULL ? orig->dst : oip->dst_addr;
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip, *q;
	struct rte_icmp_hdr *ih;
	struct rte_mbuf *r;
	int sn;

	if (!icmp_token(now))
		return;
	r = dp_pkt_alloc();
	if (r == NULL)
		return;
	sn = dp_subnet_lookup_zone(t, md->key.zone, rte_be_to_cpu_32(dst));
	if (sn >= 0 && t->cfg->subnets[sn].port == md->in_port)
		src = t->cfg->subnets[sn].cidr.addr + 1;
	else if ((p->roles & DP_ROLE_INTERNET) &&
		 dp_map_get(&t->eip_by_private, rte_be_to_cpu_32(qdst), &v))
		/* from the internet to an elastic IP: the sender named that */
		qdst = rte_cpu_to_be_32(t->cfg->igw.eips[v].public_addr);
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(r, sizeof(*eth) + sizeof(*ip) +
							 sizeof(*ih) + quote);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	ih = (struct rte_icmp_hdr *)(ip + 1);
	eth->dst_addr = oeth->src_addr;
	eth->src_addr = p->mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + sizeof(*ih) + quote));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = dst;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	ih->icmp_type = type;
	ih->icmp_code = code;
	ih->icmp_cksum = 0;
	word = rte_cpu_to_be_32(word);
	memcpy(&ih->icmp_ident, &word, 4);
	q = (struct rte_ipv4_hdr *)(ih + 1);
	memcpy(q, oip, quote);
	if (quote >= hl)
		quote_restore(q, hl, quote, dst, qdst, orig);
	ih->icmp_cksum = (uint16_t)~rte_raw_cksum(ih, sizeof(*ih) + quote);
	dp_meta(r)->in_port = md->in_port;
	dp_tx_generated(r, md->in_port);
}

/* ICMP time exceeded back to the sender, out of the port it came in. */
void
dp_send_time_exceeded(struct rte_mbuf *m, struct dp_meta *md, const struct dp_pctx *c)
{
	icmp4_error(m, md, c->t, c->now, ICMP_TIME_EXCEEDED, 0, 0, NULL);
}

bool
dp_mtu_too_big(struct rte_mbuf *m, const struct dp_meta *md, const struct dp_tables *t,
	       uint64_t now, uint32_t mtu, const struct dp_flow_key *orig)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
								md->l3);

	if (rte_pktmbuf_pkt_len(m) - md->l3 <= mtu)
		return false;
	/* not for what vpcgw made itself, nor for a later fragment */
	if ((ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG)) &&
	    !(md->flags & (DP_M_GENERATED | DP_M_ICMP_ERR)))
		icmp4_error(m, md, t, now, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, mtu, orig);
	return true;
}

void
dp_drop_too_big(struct rte_mbuf *m, struct dp_meta *md, uint32_t mtu, const struct dp_pctx *c)
{
	const struct rte_ipv4_hdr *ip = dp_ip_hdr(m, md);
	const struct dp_flow_key *orig = NULL;
	struct dp_flow_key k;

	/* the sender's view: its flow's key, else the addresses it used */
	if (c->nf != NULL) {
		orig = &c->nf->key[c->nd];
	} else if (ip->src_addr != c->osrc || ip->dst_addr != c->odst) {
		memset(&k, 0, sizeof(k));
		k.src = c->osrc;
		k.dst = c->odst;
		orig = &k;
	}
	/* back from an appliance: its sender is beyond the appliance */
	if (!(md->flags & DP_M_FROM_APPLIANCE))
		dp_mtu_too_big(m, md, c->t, c->now, mtu, orig);
	dp_drop(m, DP_DROP_mtu_exceeded);
}

/* The TCP header of a RST answering oth, whose segment carries seg_len bytes:
 * RFC 793 / RFC 9293 3.10.7.1: if the segment has ACK, RST seq = its ack;
 * else RST+ACK acknowledging it (its SYN and FIN count). */
static void
rst_tcp(struct rte_tcp_hdr *th, const struct rte_tcp_hdr *oth, uint32_t seg_len)
{
	memset(th, 0, sizeof(*th));
	th->src_port = oth->dst_port;
	th->dst_port = oth->src_port;
	th->data_off = 5 << 4;
	if (oth->tcp_flags & RTE_TCP_ACK_FLAG) {
		th->sent_seq = oth->recv_ack;
		th->tcp_flags = RTE_TCP_RST_FLAG;
	} else {
		uint32_t ack = rte_be_to_cpu_32(oth->sent_seq) + seg_len +
			       ((oth->tcp_flags & RTE_TCP_SYN_FLAG) ? 1 : 0) +
			       ((oth->tcp_flags & RTE_TCP_FIN_FLAG) ? 1 : 0);

		th->recv_ack = rte_cpu_to_be_32(ack);
		th->tcp_flags = RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG;
	}
}

/* TCP RST to the sender of m, as if from its destination (NAT/NLB idle timeout). */
void
dp_send_rst(struct rte_mbuf *m, struct dp_meta *md)
{
	struct rte_mbuf *r = dp_pkt_alloc();
	struct rte_ether_hdr *eth, *oeth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip, *oip = dp_ip_hdr(m, md);
	struct rte_tcp_hdr *th, *oth = (struct rte_tcp_hdr *)dp_l4_hdr(m, md);
	uint32_t seg_len = rte_be_to_cpu_16(oip->total_length) - (md->l4 - md->l3) -
			   (oth->data_off >> 4) * 4u;

	if (r == NULL) {
		dp_stats_self()->drops[DP_DROP_no_mbuf]++;
		return;
	}
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(r, sizeof(*eth) + sizeof(*ip) +
							 sizeof(*th));
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	th = (struct rte_tcp_hdr *)(ip + 1);
	eth->dst_addr = oeth->src_addr;
	eth->src_addr = dp_g.ports[md->in_port].mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + sizeof(*th));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = oip->dst_addr;
	ip->dst_addr = oip->src_addr;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	rst_tcp(th, oth, seg_len);
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	dp_meta(r)->in_port = md->in_port;
	dp_tx_generated(r, md->in_port);
}

/* The same for an IPv6 segment m (dp_ip6_parse()'s md: the TCP header is in
 * the first segment): traffic class and flow label 0, hop limit 64, no
 * extension headers; out of the port m came in by, to the MAC it came from. */
void
dp_send_rst6(struct rte_mbuf *m, const struct dp_meta *md)
{
	struct rte_mbuf *r = dp_pkt_alloc();
	const struct rte_ether_hdr *oeth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv6_hdr *oip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *,
								  md->l3);
	const struct rte_tcp_hdr *oth = rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *,
								 md->l4);
	/* the payload length covers the extension headers between l3 + 40 and l4 */
	uint32_t seg_len = rte_be_to_cpu_16(oip->payload_len) + sizeof(*oip) -
			   (md->l4 - md->l3) - (oth->data_off >> 4) * 4u;
	struct rte_ether_hdr *eth;
	struct rte_ipv6_hdr *ip;
	struct rte_tcp_hdr *th;

	if (r == NULL || (eth = (struct rte_ether_hdr *)rte_pktmbuf_append(r, sizeof(*eth) +
			  sizeof(*ip) + sizeof(*th))) == NULL) {
		rte_pktmbuf_free(r);
		dp_stats_self()->drops[DP_DROP_no_mbuf]++;
		return;
	}
	ip = (struct rte_ipv6_hdr *)(eth + 1);
	th = (struct rte_tcp_hdr *)(ip + 1);
	eth->dst_addr = oeth->src_addr;
	eth->src_addr = dp_g.ports[md->in_port].mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
	ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16(sizeof(*th));
	ip->proto = IPPROTO_TCP;
	ip->hop_limits = 64;
	memcpy(ip->src_addr, oip->dst_addr, 16);
	memcpy(ip->dst_addr, oip->src_addr, 16);
	rst_tcp(th, oth, seg_len);
	th->cksum = dp_ip6_l4_csum(ip, th, sizeof(*th), IPPROTO_TCP);
	dp_meta(r)->in_port = md->in_port;
	dp_tx_generated(r, md->in_port);
}

void
dp_answer_echo(struct rte_mbuf *m, struct dp_meta *md)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = dp_ip_hdr(m, md);
	struct rte_icmp_hdr *ih = (struct rte_icmp_hdr *)dp_l4_hdr(m, md);
	uint32_t a = ip->src_addr;

	eth->dst_addr = eth->src_addr;
	eth->src_addr = dp_g.ports[md->in_port].mac;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = a;
	ip->time_to_live = 64;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	ih->icmp_type = ICMP_ECHO_REPLY;
	ih->icmp_cksum = csum_update16(ih->icmp_cksum, rte_cpu_to_be_16(ICMP_ECHO_REQUEST << 8),
				       rte_cpu_to_be_16(ICMP_ECHO_REPLY << 8));
	dp_stats_self()->port[md->in_port].local++;
	dp_tx_generated(m, md->in_port);
}
