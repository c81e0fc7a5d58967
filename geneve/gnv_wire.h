/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * GENEVE wire format (RFC 8926) as AWS Gateway Load Balancer uses it, and the
 * symmetric flow hash that picks an appliance (SPEC §4 "Gateway Load
 * Balancer"). Pure C, no DPDK: every function works on a plain byte buffer.
 *
 * Base header (RFC 8926 §3.4), 8 bytes, network byte order:
 *
 *    0                   1                   2                   3
 *   |Ver|  Opt Len  |O|C|    Rsvd.  |          Protocol Type        |
 *   |        Virtual Network Identifier (VNI)       |    Reserved   |
 *
 * followed by Opt Len 4-byte words of options, each (§3.5):
 *
 *   |          Option Class         |      Type     |R|R|R| Length  |
 *   |        Option data: Length 4-byte words (header excluded)     |
 *
 * The high bit of Type is the option's critical bit.
 *
 * What AWS sends and what gnv_aws_write() writes (40 bytes):
 *   version 0, Opt Len 8 (32 bytes of options), O = 0, C = 0,
 *   protocol 0x0800 (the payload is an IPv4 packet) or 0x86DD (an IPv6
 *   packet), VNI 0, then three options of class 0x0108:
 *     type 1 endpoint ID   (8 bytes, Length 2)  - the vpce id's 64-bit value
 *     type 2 attachment ID (8 bytes, Length 2)
 *     type 3 flow cookie   (4 bytes, Length 1)
 *   in that order. None is marked critical and C stays 0: AWS does not mark
 *   them critical, an appliance that does not know class 0x0108 must still
 *   forward the packet, and it returns the options unchanged.
 * With the outer IPv4 (20) and UDP (8) headers that is GNV_AWS_OUTER_LEN = 68,
 * and the inner IP header follows at once: there is no inner Ethernet header
 * (AWS's appliance software, aws-gateway-load-balancer-tunnel-handler, refuses
 * any other protocol type, 0x6558 "Transparent Ethernet Bridging" included).
 *
 * gnv_aws_parse() accepts protocol types 0x0800 and 0x86DD and VNI 0 only
 * (an appliance returns the header unchanged); the options in any order and
 * among other options, as the RFC allows; the reserved fields, the R bits and the C bit are
 * ignored on receipt (RFC 8926 §3.4: C is a hint, we walk every option
 * anyway). The type byte is compared whole, so class 0x0108 type 0x81 (type 1
 * with the critical bit) is an unknown critical option, not the endpoint ID.
 */
#ifndef VPCGW_GNV_WIRE_H
#define VPCGW_GNV_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define GNV_UDP_PORT 6081
#define GNV_PROTO_IPV4 0x0800        /* payload: an IPv4 packet */
#define GNV_PROTO_IPV6 0x86DD        /* payload: an IPv6 packet */
#define GNV_VERSION 0
#define GNV_BASE_LEN 8               /* header without options */
#define GNV_OPT_HDR_LEN 4

#define GNV_FLAG_OAM 0x80            /* byte 1: O, control packet */
#define GNV_FLAG_CRIT 0x40           /* byte 1: C, critical options present */
#define GNV_OPT_TYPE_CRIT 0x80       /* option type: critical bit */

#define GNV_AWS_OPT_CLASS 0x0108
#define GNV_AWS_OPT_ENDPOINT 1       /* 8 bytes */
#define GNV_AWS_OPT_ATTACHMENT 2     /* 8 bytes */
#define GNV_AWS_OPT_COOKIE 3         /* 4 bytes */
#define GNV_AWS_HDR_LEN 40           /* 8 + (4 + 8) + (4 + 8) + (4 + 4) */
#define GNV_AWS_OUTER_LEN (20 + 8 + GNV_AWS_HDR_LEN)   /* IPv4 + UDP + GENEVE = 68 */

/* Values of the three AWS options, in host byte order. */
struct gnv_aws_opts {
	uint64_t endpoint_id;
	uint64_t attachment_id;
	uint32_t flow_cookie;
};

/*
 * Parse errors, negative. The names (gnv_err_str) are drop-reason counter
 * names, so keep them stable. SHORT is about the buffer (the fixed header or
 * the options area Opt Len announces does not fit in it); OPT_TRUNC is about
 * the options area itself (an option's header or data runs past its end).
 */
#define GNV_ERR_LIST(X) \
	X(GNV_ERR_SHORT,       -1, "geneve_short") \
	X(GNV_ERR_VERSION,     -2, "geneve_bad_version") \
	X(GNV_ERR_OAM,         -3, "geneve_oam") \
	X(GNV_ERR_PROTO,       -4, "geneve_bad_protocol") \
	X(GNV_ERR_OPT_TRUNC,   -5, "geneve_opt_truncated") \
	X(GNV_ERR_OPT_LEN,     -6, "geneve_opt_bad_length") \
	X(GNV_ERR_OPT_DUP,     -7, "geneve_opt_duplicate") \
	X(GNV_ERR_CRITICAL,    -8, "geneve_opt_unknown_critical") \
	X(GNV_ERR_OPT_MISSING, -9, "geneve_opt_missing") \
	X(GNV_ERR_VNI,        -10, "geneve_bad_vni")

enum gnv_err {
	GNV_OK = 0,
#define GNV_ERR_ENUM(sym, val, name) sym = val,
	GNV_ERR_LIST(GNV_ERR_ENUM)
#undef GNV_ERR_ENUM
};

#define GNV_ERR_COUNT 10    /* number of negative codes, -1 .. -GNV_ERR_COUNT */

/*
 * The GENEVE protocol type of an IP packet whose first byte is b0 (version in
 * the high nibble).
 * @return GNV_PROTO_IPV4, GNV_PROTO_IPV6, or 0 for any other version.
 */
static inline uint16_t
gnv_proto_of_ip(uint8_t b0)
{
	switch (b0 >> 4) {
	case 4:
		return GNV_PROTO_IPV4;
	case 6:
		return GNV_PROTO_IPV6;
	default:
		return 0;
	}
}

/*
 * Write the 40-byte GENEVE header, protocol type proto (GNV_PROTO_IPV4 or
 * GNV_PROTO_IPV6: what gnv_proto_of_ip() says of the payload), VNI 0, and the
 * three AWS options for o to buf, in network byte order. buf needs
 * GNV_AWS_HDR_LEN bytes; no alignment needed.
 * @return GNV_AWS_HDR_LEN.
 */
size_t
gnv_aws_write(uint8_t *buf, uint16_t proto, const struct gnv_aws_opts *o);

/* The per-packet fields of a header gnv_aws_write() wrote (a template):
 * the protocol type and the flow cookie (the last 4 bytes), network order. */
static inline void
gnv_aws_set(uint8_t *hdr, uint16_t proto, uint32_t cookie)
{
	hdr[2] = (uint8_t)(proto >> 8);
	hdr[3] = (uint8_t)proto;
	hdr[GNV_AWS_HDR_LEN - 4] = (uint8_t)(cookie >> 24);
	hdr[GNV_AWS_HDR_LEN - 3] = (uint8_t)(cookie >> 16);
	hdr[GNV_AWS_HDR_LEN - 2] = (uint8_t)(cookie >> 8);
	hdr[GNV_AWS_HDR_LEN - 1] = (uint8_t)cookie;
}

/*
 * Parse the GENEVE header at buf, len bytes available (no alignment needed).
 * Checks, in this order: len >= 8 (SHORT); version 0 (VERSION); O bit clear
 * (OAM); protocol 0x0800 or 0x86DD (PROTO); VNI 0 (VNI); the options area fits
 * in len (SHORT); then
 * for each option: its header and data fit in the options area (OPT_TRUNC);
 * a known AWS option has exactly its length (OPT_LEN) and appears once
 * (OPT_DUP); an unknown option with the critical bit is refused (CRITICAL),
 * one without is skipped. Finally all three AWS options must be present
 * (OPT_MISSING).
 * The payload itself is not looked at: the caller checks that it is an IP
 * packet of the version the protocol type names.
 * @return 0 with *o, *proto and *hdr_len (8 + options length: the offset of
 *   the inner IP packet) filled, or a negative enum gnv_err with *o, *proto
 *   and *hdr_len untouched.
 */
int
gnv_aws_parse(const uint8_t *buf, size_t len, struct gnv_aws_opts *o, uint16_t *proto,
	      size_t *hdr_len);

/*
 * @return the stable snake_case name of err ("ok" for 0, "geneve_unknown" for
 *   a value outside enum gnv_err). Never NULL.
 */
const char *
gnv_err_str(int err);

/*
 * Symmetric flow hash for appliance selection: the same value for (a, pa) ->
 * (b, pb) and for (b, pb) -> (a, pa), so both directions of a flow reach the
 * same appliance. mode (enum cfg_stickiness values):
 *   5: protocol, both addresses, both ports;
 *   3: protocol and both addresses (ports ignored);
 *   2: both addresses (protocol and ports ignored).
 * Any other mode is treated as 5, the default. Addresses and ports in host
 * byte order (any fixed order works as long as the caller is consistent).
 */
uint32_t
gnv_sym_hash(int mode, uint8_t proto, uint32_t a, uint32_t b, uint16_t pa, uint16_t pb);

/* The same for IPv6 flows (SPEC §7): the full 128-bit addresses (as on the
 * wire) in place of a and b, seeded apart from the IPv4 values. */
uint32_t
gnv_sym_hash6(int mode, uint8_t proto, const uint8_t a[16], const uint8_t b[16], uint16_t pa,
	      uint16_t pb);

#endif /* VPCGW_GNV_WIRE_H */
