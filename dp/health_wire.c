/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The health-check engine's wire (dp/health.h): the TCP SYN probes the
 * control thread sends, and the answers workers receive, in both families.
 *
 * IPv4: from the address the client gives (an NLB target's subnet .1, the
 * appliance port's address), through ARP for the target. IPv6: from the
 * target's subnet router address (::1 of its /64, an address of vpcgw's),
 * through ND for the target (dp_nd6_output). Both: TTL / hop limit 64, the
 * sequence number of the record's probe, window 65535, no options. An
 * answer is a segment to vpcgw's address and the probe's source port (IPv4:
 * ip_input; IPv6: ip6_input, local addresses): hc_answer() in dp/health.c
 * recognises it; a SYN-ACK gets a RST out of the port it came in by
 * (RFC 9293 3.10.7.3: in SYN-SENT, seq = the SYN-ACK's ACK), as a TCP stack
 * that never wanted the connection would answer.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "dp/dp.h"
#include "dp/dp_worker.h"
#include "dp/health.h"
#include "dp/health_int.h"
#include "dp/ip6.h"

#define HC_PROBE_LEN (RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr) + \
		      sizeof(struct rte_tcp_hdr))
#define HC_PROBE6_LEN (RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv6_hdr) + \
		       sizeof(struct rte_tcp_hdr))

/* A bare TCP header at th; the checksum is the caller's. */
static void
tcp_hdr(struct rte_tcp_hdr *th, uint16_t sport, uint16_t dport, uint32_t seq, uint8_t flags,
	uint16_t win)
{
	memset(th, 0, sizeof(*th));
	th->src_port = sport;
	th->dst_port = dport;
	th->sent_seq = seq;
	th->data_off = 5 << 4;
	th->tcp_flags = flags;
	th->rx_win = rte_cpu_to_be_16(win);
}

static void
frame_meta(struct rte_mbuf *m, uint16_t l4, uint8_t flags)
{
	struct dp_meta *md = dp_meta(m);

	memset(md, 0, sizeof(*md));
	md->l3 = RTE_ETHER_HDR_LEN;
	md->l4 = l4;
	md->proto = IPPROTO_TCP;
	md->tcp_flags = flags;
}

/* Fill Ethernet (addresses left to the caller), IPv4 and a bare TCP header. */
static void
tcp_frame(struct rte_mbuf *m, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
	  uint32_t seq, uint8_t flags, uint16_t win)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);

	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + sizeof(*th));
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = src;
	ip->dst_addr = dst;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	tcp_hdr(th, sport, dport, seq, flags, win);
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	frame_meta(m, RTE_ETHER_HDR_LEN + sizeof(*ip), flags);
}

/* The same over IPv6: traffic class and flow label 0, hop limit 64. */
static void
tcp_frame6(struct rte_mbuf *m, const uint8_t src[16], const uint8_t dst[16], uint16_t sport,
	   uint16_t dport, uint32_t seq, uint8_t flags, uint16_t win)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(eth + 1);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);

	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
	ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16(sizeof(*th));
	ip->proto = IPPROTO_TCP;
	ip->hop_limits = 64;
	memcpy(ip->src_addr, src, 16);
	memcpy(ip->dst_addr, dst, 16);
	tcp_hdr(th, sport, dport, seq, flags, win);
	th->cksum = dp_ip6_l4_csum(ip, th, sizeof(*th), IPPROTO_TCP);
	frame_meta(m, RTE_ETHER_HDR_LEN + sizeof(*ip), flags);
}

bool
hc_wire_probe(const struct hc_probe *p, uint64_t now)
{
	struct rte_mbuf *m = dp_pkt_alloc();
	struct rte_ether_hdr *eth;

	if (m == NULL || rte_pktmbuf_append(m, p->v6 ? HC_PROBE6_LEN : HC_PROBE_LEN) == NULL) {
		rte_pktmbuf_free(m);
		dp_stats_self()->port[p->out_port].gen_drop++;
		return false;
	}
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	memset(eth, 0, sizeof(*eth));   /* the neighbor output writes both addresses */
	if (p->v6)
		tcp_frame6(m, p->src6, p->dst6, rte_cpu_to_be_16(p->sport),
			   rte_cpu_to_be_16(p->dport), rte_cpu_to_be_32(p->seq), RTE_TCP_SYN_FLAG,
			   0xffff);
	else
		tcp_frame(m, rte_cpu_to_be_32(p->src), rte_cpu_to_be_32(p->dst),
			  rte_cpu_to_be_16(p->sport), rte_cpu_to_be_16(p->dport),
			  rte_cpu_to_be_32(p->seq), RTE_TCP_SYN_FLAG, 0xffff);
	dp_meta(m)->in_port = (uint8_t)p->out_port;
	dp_meta(m)->flags = DP_M_GENERATED;   /* counted as generated, not forwarded */
	if (p->v6)
		dp_nd6_output(m, p->out_port, p->dst6, now);
	else
		dp_neigh_output(m, p->out_port, p->dst, now);
	return true;
}

/* Worker: RST for the SYN-ACK m (IPv4 or IPv6), out of the port it came in on. */
static void
probe_reset(struct rte_mbuf *m, const struct dp_meta *md, bool v6)
{
	const struct rte_ether_hdr *oeth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_tcp_hdr *oth = rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *,
								 md->l4);
	struct rte_mbuf *r = dp_pkt_alloc();
	struct rte_ether_hdr *eth;

	if (r == NULL || rte_pktmbuf_append(r, v6 ? HC_PROBE6_LEN : HC_PROBE_LEN) == NULL) {
		rte_pktmbuf_free(r);
		dp_stats_self()->drops[DP_DROP_no_mbuf]++;
		return;
	}
	eth = rte_pktmbuf_mtod(r, struct rte_ether_hdr *);
	eth->dst_addr = oeth->src_addr;
	eth->src_addr = dp_g.ports[md->in_port].mac;
	/* RFC 9293 3.10.7.3: in SYN-SENT, a RST for an unwanted SYN-ACK takes seq = its ACK */
	if (v6) {
		const struct rte_ipv6_hdr *oip =
			rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, md->l3);

		tcp_frame6(r, oip->dst_addr, oip->src_addr, oth->dst_port, oth->src_port,
			   oth->recv_ack, RTE_TCP_RST_FLAG, 0);
	} else {
		const struct rte_ipv4_hdr *oip =
			rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, md->l3);

		tcp_frame(r, oip->dst_addr, oip->src_addr, oth->dst_port, oth->src_port,
			  oth->recv_ack, RTE_TCP_RST_FLAG, 0);
	}
	dp_meta(r)->in_port = md->in_port;
	dp_tx_generated(r, md->in_port);
}

/* An answer from key to m's TCP destination port; resets a SYN-ACK. */
static bool
answer(struct rte_mbuf *m, const struct dp_meta *md, uint64_t key, bool v6)
{
	const struct rte_tcp_hdr *th = rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *,
								md->l4);
	bool synack;

	if (!hc_answer(rte_be_to_cpu_16(th->dst_port), key, th->tcp_flags,
		       rte_be_to_cpu_32(th->recv_ack), &synack))
		return false;
	if (synack)
		probe_reset(m, md, v6);
	return true;
}

bool
dp_health_input(struct rte_mbuf *m)
{
	const struct dp_meta *md = dp_meta(m);
	const struct rte_ipv4_hdr *ip;
	const struct rte_tcp_hdr *th;

	if (md->proto != IPPROTO_TCP || (md->flags & (DP_M_FRAG | DP_M_ICMP_ERR)))
		return false;
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, md->l3);
	th = rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *, md->l4);
	return answer(m, md, hc_key(rte_be_to_cpu_32(ip->src_addr),
				    rte_be_to_cpu_16(th->src_port)), false);
}

bool
dp_health_input6(struct rte_mbuf *m, const struct dp_meta *md)
{
	const struct rte_ipv6_hdr *ip;
	const struct rte_tcp_hdr *th;

	/* dp_ip6_parse() checked that the whole TCP header is in the first segment */
	if (md->proto != IPPROTO_TCP || (md->flags & DP_M_FRAG))
		return false;
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, md->l3);
	th = rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *, md->l4);
	return answer(m, md, HC_KEY_V6 | hc_key(dp_health_fold6(ip->src_addr),
						rte_be_to_cpu_16(th->src_port)), true);
}
