/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "dp/csum.h"
#include "dp/dp_parse.h"

#define ICMP_ECHO_REPLY 0
#define ICMP_DEST_UNREACH 3
#define ICMP_ECHO_REQUEST 8
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAM_PROBLEM 12

/* Key of an ICMP error: the inner header, mirrored, so it finds the flow of
 * the packet that caused the error as if it were that flow's reply. */
static int
parse_icmp_error(const uint8_t *icmp, uint32_t avail, struct dp_meta *md)
{
	const struct rte_ipv4_hdr *in;
	uint32_t ihl;

	if (avail < 8 + sizeof(*in))
		return DP_DROP_icmp_truncated;
	in = (const struct rte_ipv4_hdr *)(icmp + 8);
	if ((in->version_ihl >> 4) != 4)
		return DP_DROP_icmp_unsupported;
	ihl = (in->version_ihl & 0xf) * 4u;
	if (ihl < 20 || avail < 8 + ihl + 8)
		return DP_DROP_icmp_truncated;
	md->flags |= DP_M_ICMP_ERR;
	md->key.src = in->dst_addr;
	md->key.dst = in->src_addr;
	md->key.proto = in->next_proto_id;
	if (in->next_proto_id == IPPROTO_TCP || in->next_proto_id == IPPROTO_UDP) {
		const uint16_t *p = (const uint16_t *)(icmp + 8 + ihl);

		md->key.sport = p[1];
		md->key.dport = p[0];
	} else if (in->next_proto_id == IPPROTO_ICMP) {
		const struct rte_icmp_hdr *ii = (const struct rte_icmp_hdr *)(icmp + 8 + ihl);

		/* the inner packet is an echo request we sent: its reply key */
		if (ii->icmp_type != ICMP_ECHO_REQUEST)
			return DP_DROP_icmp_unsupported;
		md->key.sport = 0;
		md->key.dport = ii->icmp_ident;
	} else {
		return DP_DROP_icmp_unsupported;
	}
	return DP_PARSE_IPV4;
}

/*
 * The general parser: every header in wire order, each malformed kind named
 * by its drop reason. Long (~120 lines) because it is one pass down the
 * headers (Ethernet, 802.1Q, IPv4, fragments, ICMP/TCP/UDP) where each check
 * needs the offsets the previous ones established; split, every piece would
 * take and return the same half-dozen offsets.
 */
static int
parse_full(struct rte_mbuf *m, struct dp_meta *md)
{
	uint32_t len = rte_pktmbuf_data_len(m);
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)p;
	const struct rte_ipv4_hdr *ip;
	uint16_t et;
	uint32_t off = sizeof(*eth), ihl, tot, avail;
	uint16_t frag;

	md->flags = 0;
	md->tcp_flags = 0;
	md->flow = NULL;
	memset(&md->key, 0, sizeof(md->key));
	if (len < sizeof(*eth))
		return DP_DROP_eth_truncated;
	et = eth->ether_type;
	if (et == rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN)) {
		if (len < off + sizeof(struct rte_vlan_hdr))
			return DP_DROP_vlan_truncated;
		et = ((const struct rte_vlan_hdr *)(p + off))->eth_proto;
		off += sizeof(struct rte_vlan_hdr);
	}
	md->l3 = (uint16_t)off;
	if (et == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP))
		return DP_PARSE_ARP;
	if (et == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6))
		return DP_DROP_ipv6_unsupported;
	if (et != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		return DP_DROP_non_ip_ethertype;
	if (len < off + sizeof(*ip))
		return DP_DROP_ip_truncated;
	ip = (const struct rte_ipv4_hdr *)(p + off);
	if ((ip->version_ihl >> 4) != 4)
		return DP_DROP_ip_version;
	ihl = (ip->version_ihl & 0xf) * 4u;
	if (ihl < sizeof(*ip))
		return DP_DROP_ip_ihl;
	if (len < off + ihl)
		return DP_DROP_ip_truncated;
	tot = rte_be_to_cpu_16(ip->total_length);
	if (tot < ihl || off + tot > len)
		return DP_DROP_ip_total_len;
	if (likely(ihl == sizeof(*ip)) ? !csum_ipv4_hdr20_ok(ip) :
	    csum_fold(csum_partial(ip, ihl, 0)) != 0xffff)
		return DP_DROP_ip_checksum;
	if (ihl != sizeof(*ip))
		return DP_DROP_ip_options;
	if (off + tot < rte_pktmbuf_pkt_len(m))
		rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - off - tot));

	md->proto = ip->next_proto_id;
	md->l4 = (uint16_t)(off + ihl);
	md->key.src = ip->src_addr;
	md->key.dst = ip->dst_addr;
	md->key.proto = ip->next_proto_id;
	frag = rte_be_to_cpu_16(ip->fragment_offset);
	if (frag & (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) {
		md->flags |= DP_M_FRAG;
		if (frag & RTE_IPV4_HDR_OFFSET_MASK) {
			md->flags |= DP_M_LATER_FRAG;
			return DP_PARSE_IPV4;
		}
	}
	avail = tot - ihl;
	p += md->l4;
	switch (ip->next_proto_id) {
	case IPPROTO_TCP: {
		const struct rte_tcp_hdr *th = (const struct rte_tcp_hdr *)p;
		uint32_t doff;

		if (avail < sizeof(*th))
			return DP_DROP_tcp_truncated;
		doff = (th->data_off >> 4) * 4u;
		if (doff < sizeof(*th) || doff > avail)
			return DP_DROP_tcp_doff;
		md->tcp_flags = th->tcp_flags;
		md->key.sport = th->src_port;
		md->key.dport = th->dst_port;
		break;
	}
	case IPPROTO_UDP: {
		const struct rte_udp_hdr *uh = (const struct rte_udp_hdr *)p;
		uint32_t ulen;

		if (avail < sizeof(*uh))
			return DP_DROP_udp_truncated;
		ulen = rte_be_to_cpu_16(uh->dgram_len);
		/* a first fragment carries only part of the datagram */
		if (ulen < sizeof(*uh) || (!(md->flags & DP_M_FRAG) && ulen != avail) ||
		    ((md->flags & DP_M_FRAG) && ulen < avail))
			return DP_DROP_udp_len;
		md->key.sport = uh->src_port;
		md->key.dport = uh->dst_port;
		break;
	}
	case IPPROTO_ICMP: {
		const struct rte_icmp_hdr *ih = (const struct rte_icmp_hdr *)p;

		if (avail < sizeof(*ih))
			return DP_DROP_icmp_truncated;
		switch (ih->icmp_type) {
		case ICMP_ECHO_REQUEST:
			md->key.sport = ih->icmp_ident;
			break;
		case ICMP_ECHO_REPLY:
			md->key.dport = ih->icmp_ident;
			break;
		case ICMP_DEST_UNREACH:
		case ICMP_TIME_EXCEEDED:
		case ICMP_PARAM_PROBLEM:
			if (md->flags & DP_M_FRAG)
				return DP_DROP_icmp_unsupported;
			return parse_icmp_error(p, avail, md);
		default:
			/* other ICMP: tracked by addresses only */
			break;
		}
		break;
	}
	default:
		break;
	}
	return DP_PARSE_IPV4;
}

int
dp_parse(struct rte_mbuf *m, struct dp_meta *md)
{
	if (likely(dp_parse_fast(m, md)))
		return DP_PARSE_IPV4;
	return parse_full(m, md);
}

void
dp_parse_key(struct rte_mbuf *m, struct dp_meta *md)
{
	(void)dp_parse(m, md);
}
