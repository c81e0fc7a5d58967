/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packets vpcgw builds on the packet path: ICMP time exceeded (rate
 * limited), TCP RST after an idle timeout, ICMP echo replies. Each leaves
 * through dp_tx_generated() and is counted apart from forwarded packets.
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

#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8
#define ICMP_TIME_EXCEEDED 11
#define ICMP_RATE_PER_S 100

static uint64_t icmp_tokens_ms[RTE_MAX_LCORE];

/* ICMP time exceeded back to the sender, out of the port it came in. */
void
dp_send_time_exceeded(struct rte_mbuf *m, struct dp_meta *md, const struct dp_pctx *c)
{
	struct dp_port_rt *p = &dp_g.ports[md->in_port];
	unsigned lc = rte_lcore_id();
	struct rte_mbuf *r;
	struct rte_ether_hdr *eth, *oeth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip, *oip = dp_ip_hdr(m, md);
	struct rte_icmp_hdr *ih;
	uint32_t quote = RTE_MIN((uint32_t)rte_be_to_cpu_16(oip->total_length), 28u);
	uint32_t src = p->addr;
	int sn;

	/* token bucket: ICMP_RATE_PER_S per lcore */
	if (c->now * ICMP_RATE_PER_S < icmp_tokens_ms[lc])
		return;
	if (icmp_tokens_ms[lc] + 1000 < c->now * ICMP_RATE_PER_S)
		icmp_tokens_ms[lc] = c->now * ICMP_RATE_PER_S - 1000;
	icmp_tokens_ms[lc] += 1000;
	r = dp_pkt_alloc();
	if (r == NULL)
		return;
	sn = dp_subnet_lookup(c->t, rte_be_to_cpu_32(oip->src_addr));
	if (sn >= 0 && c->t->cfg->subnets[sn].port == md->in_port)
		src = c->t->cfg->subnets[sn].cidr.addr + 1;
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
	ip->dst_addr = oip->src_addr;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	memset(ih, 0, sizeof(*ih));
	ih->icmp_type = ICMP_TIME_EXCEEDED;
	memcpy(ih + 1, oip, quote);
	ih->icmp_cksum = (uint16_t)~rte_raw_cksum(ih, sizeof(*ih) + quote);
	dp_meta(r)->in_port = md->in_port;
	dp_tx_generated(r, md->in_port);
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
	memset(th, 0, sizeof(*th));
	th->src_port = oth->dst_port;
	th->dst_port = oth->src_port;
	th->data_off = 5 << 4;
	/* RFC 793: if the segment has ACK, RST seq = its ack; else ack it */
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
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
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
