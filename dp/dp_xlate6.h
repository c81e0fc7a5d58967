/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IP/ICMP translation between the families (RFC 7915), in place in the
 * first segment of an mbuf whose headers md describes. Core code for the
 * services that translate (NAT64: nat/nat64_node.c); they give the
 * addresses, ports and hop limits. Each returns 0, or a drop reason (the
 * packet is then left as it was, or partly rewritten: the caller drops it).
 * Addresses and ports in network order.
 */
#ifndef VPCGW_DP_XLATE6_H
#define VPCGW_DP_XLATE6_H

#include <stdint.h>
#include <string.h>

#include <rte_mbuf.h>

#include "dp/dp.h"

/* Checksum pieces the translators share (NAT64 here, the dualstack NLB in
 * lb/nlb_node6.c). */
static inline uint32_t
dp_csum_fold32(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

/* The one's-complement sum of the 16-bit words of n bytes at p (n a
 * multiple of 4: addresses and port pairs), 32 bits at a time (the sum of
 * 32-bit words folded is the sum of their 16-bit halves: 2^16 = 1 mod
 * 0xffff). */
static inline uint32_t
dp_csum_words(const void *p, int n)
{
	const uint8_t *b = p;
	uint64_t s = 0;
	uint32_t w;

	for (int i = 0; i < n; i += 4) {
		memcpy(&w, b + i, 4);
		s += w;
	}
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffffffff) + (s >> 32);
	return dp_csum_fold32((uint32_t)(s & 0xffff) + (uint32_t)(s >> 16));
}

/* The TCP/UDP header at l4: pseudo-header addresses summing osum replaced by
 * ones summing nsum (the length and protocol words are the same in both
 * families' pseudo-headers), ports set to sport/dport, checksum adjusted
 * (RFC 1624). */
static inline void
dp_l4_readdress(uint8_t *l4, uint8_t proto, uint32_t osum, uint32_t nsum, uint16_t sport,
	     uint16_t dport)
{
	uint8_t *ck = l4 + (proto == IPPROTO_TCP ? 16 : 6);
	uint32_t pold = dp_csum_words(l4, 4), pnew;
	uint16_t c;

	memcpy(l4, &sport, 2);
	memcpy(l4 + 2, &dport, 2);
	pnew = dp_csum_words(l4, 4);
	memcpy(&c, ck, 2);
	c = (uint16_t)~dp_csum_fold32((uint16_t)~c + (uint16_t)~osum + nsum + (uint16_t)~pold + pnew);
	if (c == 0 && proto == IPPROTO_UDP)
		c = 0xffff;
	memcpy(ck, &c, 2);
}

/*
 * IPv6 (any extension headers, which go) to IPv4 from src4 to dst4 (RFC
 * 7915 §5.1): TOS = traffic class, DF set, identification 0, TTL ttl,
 * protocol = the upper layer's; TCP/UDP ports become sport/dport with the
 * checksum updated for the IPv4 pseudo-header; ICMPv6 echo request/reply
 * becomes ICMPv4 echo (8/0) with identifier sport (request) or dport
 * (reply), checksum computed anew (no pseudo-header). md->l3/l4/proto/key
 * describe the IPv4 packet afterwards. Other ICMPv6: nat64_unsupported.
 */
int dp_xlate_6to4(struct rte_mbuf *m, struct dp_meta *md, uint32_t src4, uint32_t dst4,
		  uint16_t sport, uint16_t dport, uint8_t ttl);
/*
 * IPv4 (no options) to IPv6 from src6 to dst6 (RFC 7915 §4.1): traffic
 * class = TOS, flow label 0, hop limit hlim; TCP/UDP ports sport/dport,
 * checksum updated (a zero UDP checksum computed); ICMPv4 echo (8/0)
 * becomes ICMPv6 echo (128/129), identifier sport/dport, checksum computed
 * with the IPv6 pseudo-header.
 */
int dp_xlate_4to6(struct rte_mbuf *m, struct dp_meta *md, const uint8_t src6[16],
		  const uint8_t dst6[16], uint16_t sport, uint16_t dport, uint8_t hlim);
/*
 * An ICMPv4 error (destination unreachable, time exceeded) to an ICMPv6
 * one from src6 to dst6 (RFC 7915 §4.2): types and codes mapped (fragmentation
 * needed: Packet Too Big with MTU + 20, at least 1280; protocol unreachable:
 * parameter problem, pointer 6), hop limit = TTL - 1 (a router hop; the
 * caller made sure TTL > 1); the quoted IPv4 packet
 * becomes an IPv6 header from isrc6 to idst6 with ports (or echo
 * identifier, isport) isport/idport, its TCP/UDP checksum updated when the
 * quote holds it; the whole cut to 1280 bytes; ICMPv6 checksum computed.
 * Parameter problem, source quench, redirects, other codes:
 * nat64_unsupported (RFC 7915 drops them too).
 */
int dp_xlate_err_4to6(struct rte_mbuf *m, struct dp_meta *md, const uint8_t src6[16],
		      const uint8_t dst6[16], const uint8_t isrc6[16], const uint8_t idst6[16],
		      uint16_t isport, uint16_t idport);
/*
 * An ICMPv6 error (destination unreachable, Packet Too Big, time exceeded,
 * parameter problem) to an ICMPv4 one from src4 to dst4 (RFC 7915 §5.2):
 * types and codes mapped (Packet Too Big: fragmentation needed with the MTU
 * - 20; parameter problem: its pointer by Figure 6, code 1 protocol
 * unreachable), TTL ttl, DF clear; the quoted IPv6 packet (TCP or UDP, no
 * extension header) becomes an IPv4 header from isrc4 to idst4 (DF set,
 * identification 0, TTL its hop limit) with ports isport/idport, its
 * TCP/UDP checksum updated when the quote holds it; ICMPv4 checksum
 * computed. md then describes an IPv4 ICMP error (DP_M_ICMP_ERR, the
 * quote's key mirrored). Other messages and quotes: nat64_unsupported.
 */
int dp_xlate_err_6to4(struct rte_mbuf *m, struct dp_meta *md, uint32_t src4, uint32_t dst4,
		      uint32_t isrc4, uint32_t idst4, uint16_t isport, uint16_t idport,
		      uint8_t ttl);

#endif /* VPCGW_DP_XLATE6_H */
