/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IP/ICMP translation between IPv6 and IPv4 (RFC 7915), in place in the
 * first segment of an mbuf, for the services that translate families (the
 * NAT gateway's NAT64, nat/nat64_node.c). Core code: no service state, the
 * caller gives the addresses and ports. See dp/dp_xlate6.h.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dp/dp.h"
#include "dp/dp_xlate6.h"
#include "dp/ip6.h"

#define ICMP4_ECHO_REPLY 0
#define ICMP4_UNREACH 3
#define ICMP4_ECHO_REQUEST 8
#define ICMP4_TIME_EXCEEDED 11
#define ICMP4_PARAM_PROBLEM 12
#define ICMP6_UNREACH 1
#define ICMP6_TOO_BIG 2
#define ICMP6_TIME_EXCEEDED 3
#define ICMP6_PARAM_PROBLEM 4
#define ICMP6_ECHO_REQUEST 128
#define ICMP6_ECHO_REPLY 129
#define ICMP6_ERR_MAX 1280          /* RFC 4443 §2.4 (c): an error fits the minimum MTU */

/*
 * RFC 7915 §5.1.1: the IPv4 fragment fields of IPv6 fragment m: offset and
 * MF from its Fragment header, DF clear, identification the low 16 bits of
 * its own. Only TCP/UDP (an ICMPv4 checksum has no pseudo-header to adjust:
 * it would need the whole message), and only a Fragment header that the
 * upper layer (or the later fragment's data) directly follows.
 */
static int
frag_6to4(const struct rte_mbuf *m, const struct dp_meta *md, uint16_t *frag, uint16_t *id)
{
	int off = dp_ip6_frag_hdr(m, md);
	const uint8_t *fh;
	uint16_t fo;
	uint32_t id6;

	if (off < 0 || (md->proto != IPPROTO_TCP && md->proto != IPPROTO_UDP))
		return DP_DROP_nat64_fragment;
	fh = rte_pktmbuf_mtod_offset(m, const uint8_t *, off);
	fo = (uint16_t)(fh[2] << 8 | fh[3]);
	memcpy(&id6, fh + 4, 4);
	*frag = rte_cpu_to_be_16((uint16_t)(fo >> 3 | ((fo & 1) ? RTE_IPV4_HDR_MF_FLAG : 0)));
	*id = rte_cpu_to_be_16((uint16_t)rte_be_to_cpu_32(id6));
	return 0;
}

/* ICMPv4 checksum of len bytes at p (no pseudo-header). */
static uint16_t
icmp4_csum(const void *p, uint32_t len)
{
	return (uint16_t)~rte_raw_cksum(p, len);
}

int
dp_xlate_6to4(struct rte_mbuf *m, struct dp_meta *md, uint32_t src4, uint32_t dst4,
	      uint16_t sport, uint16_t dport, uint8_t ttl)
{
	const struct rte_ipv6_hdr *ip6 = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *,
								 md->l3);
	uint8_t tc = (uint8_t)(rte_be_to_cpu_32(ip6->vtc_flow) >> 20), proto = md->proto;
	uint32_t end = md->l3 + sizeof(*ip6) + rte_be_to_cpu_16(ip6->payload_len);
	uint32_t l4len = end - md->l4, a[2] = { src4, dst4 };
	uint8_t *l4 = rte_pktmbuf_mtod_offset(m, uint8_t *, md->l4);
	uint16_t c, frag = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG), id = 0;
	struct rte_ether_hdr eth;
	struct rte_ipv4_hdr *ip;

	if (md->l4 < md->l3 + sizeof(*ip6) + 0u || l4len + sizeof(*ip) > UINT16_MAX ||
	    end > rte_pktmbuf_data_len(m))
		return DP_DROP_nat64_unsupported;
	if (unlikely(md->flags & DP_M_FRAG)) {
		int r = frag_6to4(m, md, &frag, &id);

		if (r != 0)
			return r;
	}
	if (md->flags & DP_M_LATER_FRAG) {
		/* no upper-layer header: the first fragment's checksum covers it */
	} else if (proto == IPPROTO_TCP || proto == IPPROTO_UDP) {
		dp_l4_readdress(l4, proto, dp_csum_words(ip6->src_addr, 32), dp_csum_words(a, 8), sport, dport);
	} else if (proto == IPPROTO_ICMPV6 && l4len >= 8 &&
		   (l4[0] == ICMP6_ECHO_REQUEST || l4[0] == ICMP6_ECHO_REPLY)) {
		/* RFC 7915 §5.2: echo types 128/129 become 8/0; the identifier
		 * is the translated "port"; ICMPv4 has no pseudo-header: the
		 * checksum is computed again over the message */
		proto = IPPROTO_ICMP;
		l4[0] = l4[0] == ICMP6_ECHO_REQUEST ? ICMP4_ECHO_REQUEST : ICMP4_ECHO_REPLY;
		l4[1] = 0;
		memcpy(l4 + 4, l4[0] == ICMP4_ECHO_REQUEST ? &sport : &dport, 2);
		memset(l4 + 2, 0, 2);
		c = icmp4_csum(l4, l4len);
		memcpy(l4 + 2, &c, 2);
	} else {
		return DP_DROP_nat64_unsupported;
	}
	/* the extension headers go (RFC 7915 §5.1): 40 + their bytes of
	 * header become 20, the upper layer stays where it is */
	memcpy(&eth, rte_pktmbuf_mtod(m, const void *), sizeof(eth));
	if (rte_pktmbuf_adj(m, (uint16_t)(md->l4 - sizeof(*ip) - md->l3)) == NULL)
		return DP_DROP_nat64_unsupported;
	eth.ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	memcpy(rte_pktmbuf_mtod(m, void *), &eth, sizeof(eth));
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
	*ip = (struct rte_ipv4_hdr){
		.version_ihl = RTE_IPV4_VHL_DEF, .type_of_service = tc,
		.total_length = rte_cpu_to_be_16((uint16_t)(l4len + sizeof(*ip))),
		.packet_id = id, .fragment_offset = frag,
		.time_to_live = ttl, .next_proto_id = proto,
		.src_addr = src4, .dst_addr = dst4,
	};
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	md->l3 = RTE_ETHER_HDR_LEN;
	md->l4 = RTE_ETHER_HDR_LEN + sizeof(*ip);
	md->proto = proto;
	md->flags &= ~DP_M_ICMP_ERR;
	md->key = (struct dp_flow_key){ .src = src4, .dst = dst4, .proto = proto };
	return 0;
}

/*
 * RFC 7915 §4.1: an IPv4 fragment's Fragment header after the IPv6 header at
 * ip6 (next header proto, offset and M copied, identification the IPv4 one
 * in the low 16 bits).
 */
static void
frag_hdr46(struct rte_ipv6_hdr *ip6, const struct rte_ipv4_hdr *ip, uint8_t proto)
{
	uint16_t fo = rte_be_to_cpu_16(ip->fragment_offset);
	uint8_t *fh = (uint8_t *)(ip6 + 1);
	uint16_t off6 = (uint16_t)((fo & RTE_IPV4_HDR_OFFSET_MASK) << 3 |
				   ((fo & RTE_IPV4_HDR_MF_FLAG) ? 1 : 0));
	uint32_t id = rte_cpu_to_be_32(rte_be_to_cpu_16(ip->packet_id));

	ip6->proto = IPPROTO_FRAGMENT;
	fh[0] = proto;
	fh[1] = 0;
	off6 = rte_cpu_to_be_16(off6);
	memcpy(fh + 2, &off6, 2);
	memcpy(fh + 4, &id, 4);
}

/* The IPv6 header at h from the IPv4 fields given (RFC 7915 §4.1: traffic
 * class = TOS, flow label 0, hop limit = TTL, ICMP as ICMPv6). */
static void
ip6_hdr(struct rte_ipv6_hdr *h, uint8_t tos, uint16_t plen, uint8_t proto, uint8_t hlim,
	const uint8_t src6[16], const uint8_t dst6[16])
{
	h->vtc_flow = rte_cpu_to_be_32(6u << 28 | (uint32_t)tos << 20);
	h->payload_len = rte_cpu_to_be_16(plen);
	h->proto = proto == IPPROTO_ICMP ? IPPROTO_ICMPV6 : proto;
	h->hop_limits = hlim;
	memcpy(h->src_addr, src6, 16);
	memcpy(h->dst_addr, dst6, 16);
}

int
dp_xlate_4to6(struct rte_mbuf *m, struct dp_meta *md, const uint8_t src6[16],
	      const uint8_t dst6[16], uint16_t sport, uint16_t dport, uint8_t hlim)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
								md->l3);
	uint8_t tos = ip->type_of_service, proto = ip->next_proto_id;
	uint16_t plen = (uint16_t)(rte_be_to_cpu_16(ip->total_length) - sizeof(*ip));
	uint8_t *l4 = rte_pktmbuf_mtod_offset(m, uint8_t *, md->l4);
	bool full = false;           /* the L4 checksum computed whole at the end */
	uint16_t c, grow = 20;       /* IPv6 header - IPv4 header (+ 8: Fragment header) */
	struct rte_ipv4_hdr ip4;
	struct rte_ipv6_hdr *ip6;
	struct rte_ether_hdr eth;

	if (md->l3 != RTE_ETHER_HDR_LEN || md->l4 != md->l3 + sizeof(*ip) ||
	    md->l4 + (uint32_t)plen > rte_pktmbuf_data_len(m))
		return DP_DROP_nat64_unsupported;
	if (unlikely(md->flags & DP_M_FRAG)) {
		/* RFC 7915 §4.1: a Fragment header; TCP/UDP only (see frag_6to4) */
		if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
			return DP_DROP_nat64_fragment;
		grow += 8;
		memcpy(&ip4, ip, sizeof(ip4));
	}
	if (md->flags & DP_M_LATER_FRAG) {
		/* no upper-layer header */
	} else if (proto == IPPROTO_TCP || proto == IPPROTO_UDP) {
		memcpy(&c, l4 + 6, 2);
		if (proto == IPPROTO_UDP && c == 0 && (md->flags & DP_M_FRAG)) {
			/* no checksum, and not the whole datagram to compute one over
			 * (RFC 7915 §4.5 lets a translator drop it) */
			return DP_DROP_nat64_fragment;
		} else if (proto == IPPROTO_UDP && c == 0) {
			/* no checksum: IPv6 needs one (RFC 7915 §4.5) */
			memcpy(l4, &sport, 2);
			memcpy(l4 + 2, &dport, 2);
			full = true;
		} else {
			dp_l4_readdress(l4, proto, dp_csum_words(&ip->src_addr, 8),
				     dp_csum_fold32(dp_csum_words(src6, 16) + dp_csum_words(dst6, 16)), sport, dport);
		}
	} else if (proto == IPPROTO_ICMP && plen >= 8 &&
		   (l4[0] == ICMP4_ECHO_REQUEST || l4[0] == ICMP4_ECHO_REPLY)) {
		l4[0] = l4[0] == ICMP4_ECHO_REQUEST ? ICMP6_ECHO_REQUEST : ICMP6_ECHO_REPLY;
		l4[1] = 0;
		memcpy(l4 + 4, l4[0] == ICMP6_ECHO_REQUEST ? &sport : &dport, 2);
		full = true;
	} else {
		return DP_DROP_nat64_unsupported;
	}
	memcpy(&eth, rte_pktmbuf_mtod(m, const void *), sizeof(eth));
	if (rte_pktmbuf_prepend(m, grow) == NULL)
		return DP_DROP_nat64_unsupported;
	eth.ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
	memcpy(rte_pktmbuf_mtod(m, void *), &eth, sizeof(eth));
	ip6 = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, RTE_ETHER_HDR_LEN);
	ip6_hdr(ip6, tos, (uint16_t)(plen + grow - 20), proto, hlim, src6, dst6);
	md->l3 = RTE_ETHER_HDR_LEN;
	md->l4 = RTE_ETHER_HDR_LEN + sizeof(*ip6) + grow - 20;
	md->proto = ip6->proto;
	if (grow != 20)
		frag_hdr46(ip6, &ip4, proto);
	if (full) {
		unsigned off = md->proto == IPPROTO_UDP ? 6 : 2;

		l4 = rte_pktmbuf_mtod_offset(m, uint8_t *, md->l4);
		memset(l4 + off, 0, 2);
		c = dp_ip6_l4_csum(ip6, l4, plen, md->proto);
		if (c == 0 && md->proto == IPPROTO_UDP)
			c = 0xffff;
		memcpy(l4 + off, &c, 2);
	}
	return 0;
}

/*
 * RFC 7915 §4.2: the ICMPv6 type and code (and MTU or pointer, in *aux) of
 * an ICMPv4 error; false: not translated (silently dropped, as the RFC says).
 */
static bool
err_type46(const uint8_t *icmp, uint16_t mtu4, uint8_t *t6, uint8_t *c6, uint32_t *aux)
{
	/* Figure 3: the IPv4 header field's offset to the IPv6 one's */
	static const int8_t ptr46[20] = {
		0, 1, 4, 4, -1, -1, -1, -1, 7, 6, -1, -1, 8, 8, 8, 8, 24, 24, 24, 24,
	};
	uint8_t type = icmp[0], code = icmp[1];

	*aux = 0;
	if (type == ICMP4_PARAM_PROBLEM) {
		/* pointer problem, or bad length: the pointer mapped */
		*t6 = ICMP6_PARAM_PROBLEM;
		*c6 = 0;
		if ((code != 0 && code != 2) || icmp[4] >= RTE_DIM(ptr46) || ptr46[icmp[4]] < 0)
			return false;
		*aux = (uint32_t)ptr46[icmp[4]];
		return true;
	}
	if (type == ICMP4_TIME_EXCEEDED) {
		*t6 = ICMP6_TIME_EXCEEDED;
		*c6 = code;
		return code <= 1;
	}
	if (type != ICMP4_UNREACH)
		return false;
	*t6 = ICMP6_UNREACH;
	switch (code) {
	case 0: case 1: case 5: case 6: case 7: case 8: case 11: case 12:
		*c6 = 0;        /* no route to destination */
		return true;
	case 9: case 10: case 13: case 15:
		*c6 = 1;        /* communication administratively prohibited */
		return true;
	case 3:
		*c6 = 4;        /* port unreachable */
		return true;
	case 2:
		*t6 = ICMP6_PARAM_PROBLEM;  /* unrecognized next header, at byte 6 */
		*c6 = 1;
		*aux = 6;
		return true;
	case 4:
		/* fragmentation needed: Packet Too Big, MTU + 20 for the
		 * larger header (§4.2; a zero MTU field: the IPv6 minimum) */
		*t6 = ICMP6_TOO_BIG;
		*c6 = 0;
		*aux = mtu4 == 0 ? 1280 : (uint32_t)mtu4 + 20;
		if (*aux < 1280)
			*aux = 1280;
		return true;
	default:
		return false;
	}
}

/* The upper layer of a quoted packet (rest bytes at l4, protocol proto):
 * ports (an echo request's identifier: sport) replaced and, when the quote
 * holds it, the TCP/UDP checksum updated for the pseudo-header addresses
 * summing osum replaced by ones summing nsum (RFC 7915 §4.2 asks for the
 * inner header translated); an echo request becomes type 128 (its checksum
 * is the caller's). false: not a quote NAT64 translates. */
static bool
quote_l4_46(uint8_t *l4, uint32_t rest, uint8_t proto, uint32_t osum, uint32_t nsum,
	    uint16_t sport, uint16_t dport)
{
	uint16_t c;

	if (proto == IPPROTO_TCP || proto == IPPROTO_UDP) {
		memcpy(&c, l4 + 6, 2);
		if (rest >= (proto == IPPROTO_TCP ? 18u : 8u) && !(proto == IPPROTO_UDP && c == 0)) {
			dp_l4_readdress(l4, proto, osum, nsum, sport, dport);
		} else {
			memcpy(l4, &sport, 2);
			memcpy(l4 + 2, &dport, 2);
		}
		return true;
	}
	if (proto != IPPROTO_ICMP || l4[0] != ICMP4_ECHO_REQUEST)
		return false;
	l4[0] = ICMP6_ECHO_REQUEST;
	memcpy(l4 + 4, &sport, 2);
	return true;
}

int
dp_xlate_err_4to6(struct rte_mbuf *m, struct dp_meta *md, const uint8_t src6[16],
		  const uint8_t dst6[16], const uint8_t isrc6[16], const uint8_t idst6[16],
		  uint16_t isport, uint16_t idport)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
								md->l3);
	const uint8_t *icmp = rte_pktmbuf_mtod_offset(m, const uint8_t *, md->l4);
	const struct rte_ipv4_hdr *in = (const struct rte_ipv4_hdr *)(icmp + 8);
	uint32_t ihl = (in->version_ihl & 0xf) * 4u, aux, rest, ilen;
	uint16_t tot = rte_be_to_cpu_16(ip->total_length), mtu4, c;
	uint8_t tos = ip->type_of_service, ttl = ip->time_to_live, t6, c6;
	uint8_t itos = in->type_of_service, ittl = in->time_to_live, iproto = in->next_proto_id;
	struct rte_ipv6_hdr *o6, *i6;
	struct rte_ether_hdr eth;
	uint8_t *p;

	if (md->l3 != RTE_ETHER_HDR_LEN || md->l4 != md->l3 + sizeof(*ip) ||
	    md->l3 + (uint32_t)tot > rte_pktmbuf_data_len(m) ||
	    tot < sizeof(*ip) + 8 + ihl + 8 || ihl < 20)
		return DP_DROP_nat64_unsupported;
	memcpy(&mtu4, icmp + 6, 2);
	if (!err_type46(icmp, rte_be_to_cpu_16(mtu4), &t6, &c6, &aux))
		return DP_DROP_nat64_unsupported;
	/* bytes of the quoted packet after its IPv4 header, and its length as sent */
	rest = tot - (uint32_t)sizeof(*ip) - 8 - ihl;
	ilen = rte_be_to_cpu_16(in->total_length);
	ilen = ilen > ihl ? ilen - ihl : 0;
	if (!quote_l4_46((uint8_t *)(uintptr_t)(icmp + 8 + ihl), rest, iproto,
			 dp_csum_words(&in->src_addr, 8), dp_csum_fold32(dp_csum_words(isrc6, 16) + dp_csum_words(idst6, 16)),
			 isport, idport))
		return DP_DROP_nat64_unsupported;
	/* 20 + 8 + ihl bytes of headers become 40 + 8 + 40: prepended, the
	 * quote's payload stays where it is */
	memcpy(&eth, rte_pktmbuf_mtod(m, const void *), sizeof(eth));
	if (rte_pktmbuf_prepend(m, (uint16_t)(60 - ihl)) == NULL)
		return DP_DROP_nat64_unsupported;
	eth.ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
	memcpy(rte_pktmbuf_mtod(m, void *), &eth, sizeof(eth));
	if (rest + 88 > ICMP6_ERR_MAX) {      /* cut to fit the IPv6 minimum MTU */
		rte_pktmbuf_trim(m, (uint16_t)(rest + 88 - ICMP6_ERR_MAX));
		rest = ICMP6_ERR_MAX - 88;
	}
	o6 = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, RTE_ETHER_HDR_LEN);
	p = (uint8_t *)(o6 + 1);
	i6 = (struct rte_ipv6_hdr *)(p + 8);
	ip6_hdr(o6, tos, (uint16_t)(8 + 40 + rest), IPPROTO_ICMP, (uint8_t)(ttl - 1), src6, dst6);
	ip6_hdr(i6, itos, (uint16_t)ilen, iproto, ittl, isrc6, idst6);
	p[0] = t6;
	p[1] = c6;
	memset(p + 2, 0, 6);
	aux = rte_cpu_to_be_32(aux);
	memcpy(p + 4, &aux, 4);
	md->l3 = RTE_ETHER_HDR_LEN;
	md->l4 = RTE_ETHER_HDR_LEN + sizeof(*o6);
	md->proto = IPPROTO_ICMPV6;
	if (iproto == IPPROTO_ICMP && rest >= 8) {
		/* the quoted echo request's checksum, when it is whole */
		uint8_t *l4 = (uint8_t *)(i6 + 1);

		memset(l4 + 2, 0, 2);
		c = rest >= ilen ? dp_ip6_l4_csum(i6, l4, ilen, IPPROTO_ICMPV6) : 0;
		memcpy(l4 + 2, &c, 2);
	}
	c = dp_ip6_l4_csum(o6, p, 8 + 40 + rest, IPPROTO_ICMPV6);
	memcpy(p + 2, &c, 2);
	return 0;
}

/*
 * RFC 7915 §5.2: the ICMPv4 type and code (and the 4 bytes after the
 * checksum, network order, in aux4) of an ICMPv6 error; false: not
 * translated (dropped, as the RFC says: parameter problem code 2, pointers
 * with no IPv4 counterpart, other codes).
 */
static bool
err_type64(const uint8_t *icmp6, uint8_t *t4, uint8_t *c4, uint8_t aux4[4])
{
	/* Figure 6: the IPv6 header field's offset to the IPv4 one's */
	static const int8_t ptr64[40] = {
		0, 1, -1, -1, 2, 2, 9, 8,
		12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12,
		16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	};
	uint32_t v;

	memset(aux4, 0, 4);
	memcpy(&v, icmp6 + 4, 4);
	v = rte_be_to_cpu_32(v);
	switch (icmp6[0]) {
	case ICMP6_UNREACH:
		*t4 = ICMP4_UNREACH;
		switch (icmp6[1]) {
		case 0: case 2: case 3:
			*c4 = 1;        /* host unreachable */
			return true;
		case 1:
			*c4 = 10;       /* communication with host administratively prohibited */
			return true;
		case 4:
			*c4 = 3;        /* port unreachable */
			return true;
		default:
			return false;
		}
	case ICMP6_TOO_BIG:
		/* fragmentation needed, the MTU less the larger header */
		*t4 = ICMP4_UNREACH;
		*c4 = 4;
		v = v > 0xffff + 20u ? 0xffff : v < 68 + 20u ? 68 : v - 20;
		aux4[2] = (uint8_t)(v >> 8);
		aux4[3] = (uint8_t)v;
		return true;
	case ICMP6_TIME_EXCEEDED:
		*t4 = ICMP4_TIME_EXCEEDED;
		*c4 = icmp6[1];
		return icmp6[1] <= 1;
	case ICMP6_PARAM_PROBLEM:
		if (icmp6[1] == 1) {        /* unrecognized next header */
			*t4 = ICMP4_UNREACH;
			*c4 = 2;            /* protocol unreachable */
			return true;
		}
		if (icmp6[1] != 0 || v >= RTE_DIM(ptr64) || ptr64[v] < 0)
			return false;
		*t4 = ICMP4_PARAM_PROBLEM;
		*c4 = 0;
		aux4[0] = (uint8_t)ptr64[v];
		return true;
	default:
		return false;
	}
}

int
dp_xlate_err_6to4(struct rte_mbuf *m, struct dp_meta *md, uint32_t src4, uint32_t dst4,
		  uint32_t isrc4, uint32_t idst4, uint16_t isport, uint16_t idport, uint8_t ttl)
{
	const struct rte_ipv6_hdr *o6 = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *,
								md->l3);
	const uint8_t *icmp6 = rte_pktmbuf_mtod_offset(m, const uint8_t *, md->l4);
	const struct rte_ipv6_hdr *i6 = (const struct rte_ipv6_hdr *)(icmp6 + 8);
	uint32_t plen = rte_be_to_cpu_16(o6->payload_len), rest, a[2] = { isrc4, idst4 };
	uint8_t tc, itc, ihlim, iproto, t4, c4, aux4[4];
	struct rte_ipv4_hdr *ip, *in;
	struct rte_ether_hdr eth;
	uint16_t ilen, c;
	uint8_t *icmp;

	if (md->l3 != RTE_ETHER_HDR_LEN || md->l4 != md->l3 + sizeof(*o6) ||
	    plen < 8 + sizeof(*i6) + 8 || md->l4 + plen > rte_pktmbuf_data_len(m) ||
	    (i6->proto != IPPROTO_TCP && i6->proto != IPPROTO_UDP) ||
	    !err_type64(icmp6, &t4, &c4, aux4))
		return DP_DROP_nat64_unsupported;
	tc = (uint8_t)(rte_be_to_cpu_32(o6->vtc_flow) >> 20);
	itc = (uint8_t)(rte_be_to_cpu_32(i6->vtc_flow) >> 20);
	ihlim = i6->hop_limits;
	iproto = i6->proto;
	ilen = (uint16_t)RTE_MIN(rte_be_to_cpu_16(i6->payload_len) + 20u, (uint32_t)UINT16_MAX);
	rest = plen - 8 - (uint32_t)sizeof(*i6);
	quote_l4_46((uint8_t *)(uintptr_t)(i6 + 1), rest, iproto, dp_csum_words(i6->src_addr, 32),
		    dp_csum_words(a, 8), isport, idport);
	/* 40 + 8 + 40 bytes of headers become 20 + 8 + 20: the front moves 40
	 * bytes on, the quote's upper layer stays where it is */
	memcpy(&eth, rte_pktmbuf_mtod(m, const void *), sizeof(eth));
	if (rte_pktmbuf_adj(m, 40) == NULL)
		return DP_DROP_nat64_unsupported;
	eth.ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	memcpy(rte_pktmbuf_mtod(m, void *), &eth, sizeof(eth));
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
	icmp = (uint8_t *)(ip + 1);
	in = (struct rte_ipv4_hdr *)(icmp + 8);
	/* RFC 7915 §5.1: DF clear on a packet of 1260 bytes or less (all of these) */
	*ip = (struct rte_ipv4_hdr){
		.version_ihl = RTE_IPV4_VHL_DEF, .type_of_service = tc,
		.total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + 8 + sizeof(*in) + rest)),
		.time_to_live = ttl, .next_proto_id = IPPROTO_ICMP,
		.src_addr = src4, .dst_addr = dst4,
	};
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	/* the quoted header as it was sent: DF set (what the translation of a
	 * whole packet sets), identification unknown (0) */
	*in = (struct rte_ipv4_hdr){
		.version_ihl = RTE_IPV4_VHL_DEF, .type_of_service = itc,
		.total_length = rte_cpu_to_be_16(ilen),
		.fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG),
		.time_to_live = ihlim, .next_proto_id = iproto,
		.src_addr = isrc4, .dst_addr = idst4,
	};
	in->hdr_checksum = rte_ipv4_cksum(in);
	icmp[0] = t4;
	icmp[1] = c4;
	memset(icmp + 2, 0, 2);
	memcpy(icmp + 4, aux4, 4);
	c = icmp4_csum(icmp, 8 + (uint32_t)sizeof(*in) + rest);
	memcpy(icmp + 2, &c, 2);
	md->l3 = RTE_ETHER_HDR_LEN;
	md->l4 = RTE_ETHER_HDR_LEN + sizeof(*ip);
	md->proto = IPPROTO_ICMP;
	md->flags |= DP_M_ICMP_ERR;
	/* as the IPv4 parse keys an error: its quote's key, mirrored */
	md->key = (struct dp_flow_key){ .src = idst4, .dst = isrc4, .sport = idport,
					.dport = isport, .proto = iproto };
	return 0;
}
