/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 parsing (SPEC §7): the fixed header, the extension-header chain
 * (hop-by-hop, routing, fragment, destination options) to the upper layer,
 * and the upper layer's own lengths. Every byte read is inside the first
 * segment and inside the payload length: what is not is dropped under its
 * reason, never read. Header-only DPDK use (inline mbuf accessors).
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "dp/dp.h"
#include "dp/ip6.h"

#define NH_HOPOPTS 0
#define NH_ROUTING 43
#define NH_FRAGMENT 44
#define NH_DSTOPTS 60
#define NH_ICMPV6 58

/* The upper layer's header: lengths against what the payload holds. */
static int
parse_upper(const uint8_t *p, uint32_t off, uint32_t end, uint32_t seg, struct dp_meta *md)
{
	uint32_t avail = end - off;

	switch (md->proto) {
	case IPPROTO_TCP: {
		const struct rte_tcp_hdr *th = (const struct rte_tcp_hdr *)(p + off);
		uint32_t doff;

		if (avail < sizeof(*th))
			return DP_DROP_tcp_truncated;
		if (off + sizeof(*th) > seg)
			return DP_DROP_ip6_ext_too_long;
		doff = (th->data_off >> 4) * 4u;
		if (doff < sizeof(*th) || doff > avail)
			return DP_DROP_tcp_doff;
		md->tcp_flags = th->tcp_flags;
		md->key.sport = th->src_port;
		md->key.dport = th->dst_port;
		break;
	}
	case IPPROTO_UDP: {
		const struct rte_udp_hdr *uh = (const struct rte_udp_hdr *)(p + off);
		uint32_t ulen;

		if (avail < sizeof(*uh))
			return DP_DROP_udp_truncated;
		if (off + sizeof(*uh) > seg)
			return DP_DROP_ip6_ext_too_long;
		ulen = rte_be_to_cpu_16(uh->dgram_len);
		/* a first fragment carries only part of the datagram */
		if (ulen < sizeof(*uh) || (!(md->flags & DP_M_FRAG) && ulen != avail) ||
		    ((md->flags & DP_M_FRAG) && ulen < avail))
			return DP_DROP_udp_len;
		md->key.sport = uh->src_port;
		md->key.dport = uh->dst_port;
		break;
	}
	case NH_ICMPV6:
		/* type, code, checksum and the 4 bytes every message has */
		if (avail < 8)
			return DP_DROP_icmp_truncated;
		if (off + 8 > seg)
			return DP_DROP_ip6_ext_too_long;
		break;
	default:
		break;
	}
	return -1;
}

/*
 * The chain from next header nh at off to the upper layer. Hop-by-hop only
 * first (RFC 8200 §4.1), routing type 0 with segments left refused (RFC
 * 5095), a fragment header whose offset is not 0 ends the walk (a later
 * fragment has no upper-layer header); at most DP_IP6_MAX_EXT headers.
 */
static int
parse_chain(const uint8_t *p, uint32_t off, uint32_t end, uint32_t seg, uint8_t nh,
	    struct dp_meta *md)
{
	for (unsigned n = 0;; n++) {
		uint32_t hl;

		if (nh != NH_HOPOPTS && nh != NH_ROUTING && nh != NH_DSTOPTS && nh != NH_FRAGMENT)
			break;
		if (n == DP_IP6_MAX_EXT)
			return DP_DROP_ip6_ext_too_long;
		if (nh == NH_HOPOPTS && n != 0)
			return DP_DROP_ip6_ext_malformed;
		if (off + 8 > end)
			return DP_DROP_ip6_ext_malformed;
		if (off + 8 > seg)
			return DP_DROP_ip6_ext_too_long;
		if (nh == NH_FRAGMENT) {
			uint16_t fo = (uint16_t)(p[off + 2] << 8 | p[off + 3]);

			/* reserved bits (the byte after next header, 2 bits of fo) */
			if (p[off + 1] != 0 || (fo & 0x6) != 0)
				return DP_DROP_ip6_ext_malformed;
			nh = p[off];
			off += 8;
			/* offset 0 without M: an atomic fragment (RFC 6946), whole */
			if ((fo & 0xfff9) == 0)
				continue;
			md->flags |= DP_M_FRAG;
			if (fo & 0xfff8) {
				md->flags |= DP_M_LATER_FRAG;
				md->proto = nh;
				md->l4 = (uint16_t)off;
				return -2;
			}
			continue;
		}
		hl = (p[off + 1] + 1u) * 8u;
		if (off + hl > end)
			return DP_DROP_ip6_ext_malformed;
		if (off + hl > seg)
			return DP_DROP_ip6_ext_too_long;
		if (nh == NH_ROUTING && p[off + 2] == 0 && p[off + 3] != 0)
			return DP_DROP_ip6_ext_malformed;
		nh = p[off];
		off += hl;
	}
	md->proto = nh;
	md->l4 = (uint16_t)off;
	return -1;
}

int
dp_ip6_parse(struct rte_mbuf *m, struct dp_meta *md)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t seg = rte_pktmbuf_data_len(m), off = md->l3, end;
	const struct rte_ipv6_hdr *ip;
	int r;

	md->flags = 0;
	md->tcp_flags = 0;
	md->flow = NULL;
	memset(&md->key, 0, sizeof(md->key));
	if (seg < off + sizeof(*ip))
		return DP_DROP_ip6_truncated;
	ip = (const struct rte_ipv6_hdr *)(p + off);
	if ((p[off] >> 4) != 6)
		return DP_DROP_ip6_version;
	end = off + (uint32_t)sizeof(*ip) + rte_be_to_cpu_16(ip->payload_len);
	if (end > rte_pktmbuf_pkt_len(m))
		return DP_DROP_ip6_payload_len;
	if (end < rte_pktmbuf_pkt_len(m))
		rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - end));
	if (seg > end)
		seg = end;
	r = parse_chain(p, off + (uint32_t)sizeof(*ip), end, seg, ip->proto, md);
	if (r == -2)
		return -1;          /* later fragment */
	if (r >= 0)
		return r;
	md->key.proto = md->proto;
	return parse_upper(p, md->l4, end, seg, md);
}

uint16_t
dp_ip6_l4_csum(const struct rte_ipv6_hdr *ip, const void *l4, uint32_t len, uint8_t proto)
{
	const uint8_t ph[8] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
				(uint8_t)len, 0, 0, 0, proto };
	uint32_t s;

	s = __rte_raw_cksum(ip->src_addr, 32, 0);
	s = __rte_raw_cksum(ph, sizeof(ph), s);
	s = __rte_raw_cksum(l4, len, s);
	return (uint16_t)~__rte_raw_cksum_reduce(s);
}
