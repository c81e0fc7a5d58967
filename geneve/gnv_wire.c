/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * GENEVE (RFC 8926) header writer/parser for the AWS GWLB options, and the
 * symmetric appliance hash. See gnv_wire.h for the layout.
 *
 * Bytes are assembled one at a time: the header follows an IPv4 + UDP header
 * of arbitrary alignment inside an mbuf, and the option data is not 8-byte
 * aligned (the 64-bit values start at offsets 12 and 24).
 */
#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "geneve/gnv_wire.h"

/* Option data lengths, and the Length field (4-byte words) that carries them. */
#define GNV_AWS_ENDPOINT_LEN 8
#define GNV_AWS_ATTACHMENT_LEN 8
#define GNV_AWS_COOKIE_LEN 4
#define GNV_AWS_OPTS_LEN (3 * GNV_OPT_HDR_LEN + GNV_AWS_ENDPOINT_LEN + \
			  GNV_AWS_ATTACHMENT_LEN + GNV_AWS_COOKIE_LEN)

static_assert(GNV_AWS_HDR_LEN == GNV_BASE_LEN + GNV_AWS_OPTS_LEN, "AWS GENEVE header is 40 bytes");
static_assert(GNV_AWS_OPTS_LEN % 4 == 0 && GNV_AWS_OPTS_LEN / 4 <= 0x3f,
	      "options length must fit the 6-bit Opt Len field");
static_assert(GNV_AWS_OUTER_LEN == 68, "outer IPv4 + UDP + GENEVE is 68 bytes");
static_assert(GNV_ERR_VNI == -GNV_ERR_COUNT, "GNV_ERR_COUNT must match the list");

static inline void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static inline void
put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static inline void
put64(uint8_t *p, uint64_t v)
{
	put32(p, v >> 32);
	put32(p + 4, v);
}

static inline uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static inline uint64_t
get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

/* Write one option header; returns the position of its data. */
static uint8_t *
put_opt_hdr(uint8_t *p, uint8_t type, unsigned int data_len)
{
	put16(p, GNV_AWS_OPT_CLASS);
	p[2] = type;                  /* critical bit clear: see gnv_wire.h */
	p[3] = data_len / 4;          /* R bits zero */
	return p + GNV_OPT_HDR_LEN;
}

size_t
gnv_aws_write(uint8_t *buf, uint16_t proto, const struct gnv_aws_opts *o)
{
	uint8_t *p = buf;

	p[0] = GNV_VERSION << 6 | GNV_AWS_OPTS_LEN / 4;
	p[1] = 0;                     /* O = 0, C = 0, reserved */
	put16(p + 2, proto);
	put32(p + 4, 0);              /* VNI 0, reserved */
	p += GNV_BASE_LEN;

	p = put_opt_hdr(p, GNV_AWS_OPT_ENDPOINT, GNV_AWS_ENDPOINT_LEN);
	put64(p, o->endpoint_id);
	p += GNV_AWS_ENDPOINT_LEN;
	p = put_opt_hdr(p, GNV_AWS_OPT_ATTACHMENT, GNV_AWS_ATTACHMENT_LEN);
	put64(p, o->attachment_id);
	p += GNV_AWS_ATTACHMENT_LEN;
	p = put_opt_hdr(p, GNV_AWS_OPT_COOKIE, GNV_AWS_COOKIE_LEN);
	put32(p, o->flow_cookie);

	return GNV_AWS_HDR_LEN;
}

int
gnv_aws_parse(const uint8_t *buf, size_t len, struct gnv_aws_opts *o, uint16_t *proto,
	      size_t *hdr_len)
{
	/* Data length each known type must have, indexed by type (0 = unknown). */
	static const uint8_t aws_len[4] = {
		[GNV_AWS_OPT_ENDPOINT] = GNV_AWS_ENDPOINT_LEN,
		[GNV_AWS_OPT_ATTACHMENT] = GNV_AWS_ATTACHMENT_LEN,
		[GNV_AWS_OPT_COOKIE] = GNV_AWS_COOKIE_LEN,
	};
	struct gnv_aws_opts v = { 0 };
	unsigned int seen = 0;        /* bit per known type */
	size_t opts_len, off, end;
	uint16_t pt;

	if (len < GNV_BASE_LEN)
		return GNV_ERR_SHORT;
	if (buf[0] >> 6 != GNV_VERSION)
		return GNV_ERR_VERSION;
	/* An OAM frame is for the tunnel endpoint's control plane, not data. */
	if (buf[1] & GNV_FLAG_OAM)
		return GNV_ERR_OAM;
	/* AWS's L3 encapsulation only: 0x6558 (an inner Ethernet frame) is not it */
	pt = get16(buf + 2);
	if (pt != GNV_PROTO_IPV4 && pt != GNV_PROTO_IPV6)
		return GNV_ERR_PROTO;
	/* GWLB sends VNI 0 and the appliance returns the header unchanged */
	if ((get32(buf + 4) >> 8) != 0)
		return GNV_ERR_VNI;
	opts_len = (size_t)(buf[0] & 0x3f) * 4;
	if (opts_len > len - GNV_BASE_LEN)
		return GNV_ERR_SHORT;

	end = GNV_BASE_LEN + opts_len;
	for (off = GNV_BASE_LEN; off < end; ) {
		uint16_t cls;
		uint8_t type;
		size_t dlen;
		const uint8_t *d;

		if (end - off < GNV_OPT_HDR_LEN)
			return GNV_ERR_OPT_TRUNC;
		cls = get16(buf + off);
		type = buf[off + 2];
		dlen = (size_t)(buf[off + 3] & 0x1f) * 4;
		off += GNV_OPT_HDR_LEN;
		if (dlen > end - off)
			return GNV_ERR_OPT_TRUNC;
		d = buf + off;
		off += dlen;

		if (cls != GNV_AWS_OPT_CLASS || type >= sizeof(aws_len) || aws_len[type] == 0) {
			if (type & GNV_OPT_TYPE_CRIT)
				return GNV_ERR_CRITICAL;
			continue;
		}
		if (dlen != aws_len[type])
			return GNV_ERR_OPT_LEN;
		if (seen & 1u << type)
			return GNV_ERR_OPT_DUP;
		seen |= 1u << type;
		switch (type) {
		case GNV_AWS_OPT_ENDPOINT:
			v.endpoint_id = get64(d);
			break;
		case GNV_AWS_OPT_ATTACHMENT:
			v.attachment_id = get64(d);
			break;
		default:
			v.flow_cookie = get32(d);
			break;
		}
	}

	if (seen != (1u << GNV_AWS_OPT_ENDPOINT | 1u << GNV_AWS_OPT_ATTACHMENT |
		     1u << GNV_AWS_OPT_COOKIE))
		return GNV_ERR_OPT_MISSING;
	*o = v;
	*proto = pt;
	*hdr_len = end;
	return GNV_OK;
}

const char *
gnv_err_str(int err)
{
	switch (err) {
	case GNV_OK:
		return "ok";
#define GNV_ERR_CASE(sym, val, name) case sym: return name;
	GNV_ERR_LIST(GNV_ERR_CASE)
#undef GNV_ERR_CASE
	}
	return "geneve_unknown";
}

/*
 * 32-bit mixing in the style of MurmurHash3 (public domain algorithm;
 * written from its description): each word is scrambled and folded into the
 * state, and a final avalanche spreads every input bit over the output, so
 * appliance choice (hash % n) is even for small n.
 */
static inline uint32_t
rotl32(uint32_t x, int r)
{
	return x << r | x >> (32 - r);
}

static inline uint32_t
mix_word(uint32_t h, uint32_t k)
{
	k *= 0xcc9e2d51;
	k = rotl32(k, 15);
	k *= 0x1b873593;
	h ^= k;
	h = rotl32(h, 13);
	return h * 5 + 0xe6546b64;
}

static inline uint32_t
mix_final(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return h;
}

uint32_t
gnv_sym_hash(int mode, uint8_t proto, uint32_t a, uint32_t b, uint16_t pa, uint16_t pb)
{
	uint32_t h, lo, hi;
	uint16_t plo, phi;

	if (mode != 3 && mode != 2)
		mode = 5;
	h = (uint32_t)mode;           /* seed: the modes do not share values */

	/* Order the two endpoints (address, port) so both directions hash alike. */
	if (a < b || (a == b && pa <= pb)) {
		lo = a; plo = pa; hi = b; phi = pb;
	} else {
		lo = b; plo = pb; hi = a; phi = pa;
	}

	h = mix_word(h, lo);
	h = mix_word(h, hi);
	if (mode == 5)
		h = mix_word(h, (uint32_t)plo << 16 | phi);
	if (mode != 2)
		h = mix_word(h, proto);
	return mix_final(h);
}

uint32_t
gnv_sym_hash6(int mode, uint8_t proto, const uint8_t a[16], const uint8_t b[16], uint16_t pa,
	      uint16_t pb)
{
	const uint8_t *lo, *hi;
	uint16_t plo, phi;
	uint32_t h, w;
	int c = memcmp(a, b, 16);

	if (mode != 3 && mode != 2)
		mode = 5;
	h = (uint32_t)mode | 0x600;   /* seed: not the IPv4 modes' */
	if (c < 0 || (c == 0 && pa <= pb)) {
		lo = a; plo = pa; hi = b; phi = pb;
	} else {
		lo = b; plo = pb; hi = a; phi = pa;
	}
	for (int i = 0; i < 16; i += 4) {
		memcpy(&w, lo + i, 4);
		h = mix_word(h, w);
	}
	for (int i = 0; i < 16; i += 4) {
		memcpy(&w, hi + i, 4);
		h = mix_word(h, w);
	}
	if (mode == 5)
		h = mix_word(h, (uint32_t)plo << 16 | phi);
	if (mode != 2)
		h = mix_word(h, proto);
	return mix_final(h);
}
