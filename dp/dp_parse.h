/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet parsing and validation (SPEC §3 step 1). Header-only DPDK use
 * (inline mbuf accessors), so unit tests run it on stack mbufs without EAL.
 */
#ifndef VPCGW_DP_PARSE_H
#define VPCGW_DP_PARSE_H

#include <stddef.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "dp/csum.h"
#include "dp/dp.h"

enum dp_parse_result {
	DP_PARSE_IPV4 = -1,         /* valid IPv4, meta filled */
	DP_PARSE_ARP = -2,          /* ARP: dp_arp_input validates the rest */
};

/*
 * Validate the frame in m (first segment holds the headers) and fill md.
 * Returns DP_PARSE_IPV4, DP_PARSE_ARP, or a drop reason (enum dp_drop >= 0).
 * Never reads past rte_pktmbuf_data_len(m). Trims Ethernet padding beyond the
 * IPv4 total length.
 */
int dp_parse(struct rte_mbuf *m, struct dp_meta *md);

/*
 * The checks of dp_parse_fast(), without metadata: untagged IPv4 with a
 * 20-byte header, not a fragment, UDP or TCP, every length consistent and
 * the checksum right; trims Ethernet padding. true: the packet is one
 * dp_parse_fast() takes (*tcp_flags: a TCP segment's flags, else 0).
 */
static inline bool
dp_parse_fast_ok(struct rte_mbuf *m, uint8_t *tcp_flags)
{
	const uint32_t off = sizeof(struct rte_ether_hdr);
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(p + off);
	const uint8_t *l4 = p + off + sizeof(*ip);
	uint32_t len = rte_pktmbuf_data_len(m), tot, avail;

	if (unlikely(len < off + sizeof(*ip) + sizeof(struct rte_udp_hdr) ||
		     ((const struct rte_ether_hdr *)p)->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
		     ip->version_ihl != RTE_IPV4_VHL_DEF ||
		     (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_MF_FLAG |
						     RTE_IPV4_HDR_OFFSET_MASK)) != 0))
		return false;
	tot = rte_be_to_cpu_16(ip->total_length);
	/* 28 <= tot <= len - 14: room for the UDP header, within the frame */
	if (unlikely(tot - (uint32_t)(sizeof(*ip) + sizeof(struct rte_udp_hdr)) >
		     len - (off + sizeof(*ip) + sizeof(struct rte_udp_hdr)) ||
		     !csum_ipv4_hdr20_ok(ip)))
		return false;
	avail = tot - (uint32_t)sizeof(*ip);
	*tcp_flags = 0;
	if (ip->next_proto_id == IPPROTO_UDP) {
		if (unlikely(rte_be_to_cpu_16(((const struct rte_udp_hdr *)l4)->dgram_len) != avail))
			return false;
	} else if (likely(ip->next_proto_id == IPPROTO_TCP)) {
		const struct rte_tcp_hdr *th = (const struct rte_tcp_hdr *)l4;

		if (unlikely(avail < sizeof(*th) || (th->data_off >> 4) < 5 ||
			     (th->data_off >> 4) * 4u > avail))
			return false;
		*tcp_flags = th->tcp_flags;
	} else {
		return false;
	}
	if (unlikely(off + tot < rte_pktmbuf_pkt_len(m)))
		rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - off - tot));
	return true;
}

/*
 * The common case of dp_parse(), inline for the input stage: what
 * dp_parse_fast_ok() takes. true: md is filled as dp_parse() fills it;
 * false: call dp_parse(), which names what is wrong (or handles the rest).
 */
static inline bool
dp_parse_fast(struct rte_mbuf *m, struct dp_meta *md)
{
	const uint32_t off = sizeof(struct rte_ether_hdr);
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(p + off);
	uint32_t ports;
	uint8_t tcp_flags;

	if (!dp_parse_fast_ok(m, &tcp_flags))
		return false;
	md->l3 = off;
	md->l4 = off + sizeof(*ip);
	md->proto = ip->next_proto_id;
	md->flags = 0;
	md->tcp_flags = tcp_flags;
	md->flow = NULL;
	/* src, dst and the ports side by side in the headers and in the key */
	RTE_BUILD_BUG_ON(offsetof(struct dp_flow_key, dst) != 4 ||
			 offsetof(struct dp_flow_key, sport) != 8 ||
			 offsetof(struct dp_flow_key, dport) != 10);
	memcpy(&md->key, &ip->src_addr, 8);
	memcpy(&ports, ip + 1, 4);
	memcpy((uint8_t *)&md->key + 8, &ports, 4);
	md->key.proto = ip->next_proto_id;
	md->key.zone = 0;
	md->key.pad = 0;
	return true;
}

/* Packet i of a received burst pkts[0..n): the next one's data asked for,
 * its arrival slot and input port set, then dp_parse_fast(). */
static inline bool
dp_parse_fast_slot(struct rte_mbuf **pkts, uint16_t i, uint16_t n, uint8_t in_port)
{
	struct rte_mbuf *m = pkts[i];
	struct dp_meta *md = dp_meta(m);

	if (i + 1 < n)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
	md->slot = (uint8_t)i;
	md->in_port = in_port;
	return dp_parse_fast(m, md);
}

/* Fill md->key from the (already validated) headers; used again after decap. */
void dp_parse_key(struct rte_mbuf *m, struct dp_meta *md);

#endif /* VPCGW_DP_PARSE_H */
