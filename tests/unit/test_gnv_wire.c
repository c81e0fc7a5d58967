/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of geneve/gnv_wire.c. Expected bytes come from RFC 8926 §3.4/3.5
 * and the AWS GWLB option list (SPEC §4), assembled by hand or by the small
 * RFC-layout builder below, never by gnv_aws_write().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "geneve/gnv_wire.h"

#define EP_ID 0xa1b2c3d4e5f60718ULL       /* vpce-0a1b2c3d4e5f60718 */
#define ATT_ID 0x1122334455667788ULL
#define COOKIE 0xdeadbeefU

/*
 * The AWS header for the three values above, written out from the RFC and
 * SPEC §4: byte 0 = Ver 0 << 6 | Opt Len 8; byte 1 = O 0, C 0; protocol
 * 0x0800 (the payload is an IPv4 packet, no inner Ethernet header); VNI 0 +
 * reserved; then per option Class 0x0108, Type, R = 0 | Length (data words),
 * data big-endian.
 */
static const uint8_t aws_expected[GNV_AWS_HDR_LEN] = {
	0x08, 0x00, 0x08, 0x00,
	0x00, 0x00, 0x00, 0x00,
	0x01, 0x08, 0x01, 0x02,
	0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0x07, 0x18,
	0x01, 0x08, 0x02, 0x02,
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
	0x01, 0x08, 0x03, 0x01,
	0xde, 0xad, 0xbe, 0xef,
};

/* The same for an IPv6 payload: protocol 0x86DD, nothing else differs. */
static const uint8_t aws_expected_v6[GNV_AWS_HDR_LEN] = {
	0x08, 0x00, 0x86, 0xdd,
	0x00, 0x00, 0x00, 0x00,
	0x01, 0x08, 0x01, 0x02,
	0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0x07, 0x18,
	0x01, 0x08, 0x02, 0x02,
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
	0x01, 0x08, 0x03, 0x01,
	0xde, 0xad, 0xbe, 0xef,
};

/* One option for build(): class, type byte, Length byte as sent, data size. */
struct topt {
	uint16_t cls;
	uint8_t type;
	uint8_t len_byte;     /* R bits | Length, written as is */
	size_t data_len;      /* bytes actually appended (may disagree with len_byte) */
	uint8_t fill;         /* data byte value */
};

#define OPT(c, t, words) { (c), (t), (words), (size_t)(words) * 4, (uint8_t)(0x10 + (t)) }
#define AWS_EP OPT(GNV_AWS_OPT_CLASS, 1, 2)
#define AWS_ATT OPT(GNV_AWS_OPT_CLASS, 2, 2)
#define AWS_CK OPT(GNV_AWS_OPT_CLASS, 3, 1)

/* Lay out an RFC 8926 header with options opts; Opt Len = the bytes appended. */
static size_t
build(uint8_t *buf, const struct topt *opts, int n)
{
	size_t off = 8;
	int i;

	for (i = 0; i < n; i++) {
		buf[off] = opts[i].cls >> 8;
		buf[off + 1] = opts[i].cls & 0xff;
		buf[off + 2] = opts[i].type;
		buf[off + 3] = opts[i].len_byte;
		off += 4;
		memset(buf + off, opts[i].fill, opts[i].data_len);
		off += opts[i].data_len;
	}
	assert_true((off - 8) % 4 == 0 && (off - 8) / 4 <= 63);
	buf[0] = (uint8_t)((off - 8) / 4);
	buf[1] = 0;
	buf[2] = 0x08;
	buf[3] = 0x00;
	memset(buf + 4, 0, 4);
	return off;
}

static int
parse_opts(const struct topt *opts, int n, struct gnv_aws_opts *o, size_t *hl)
{
	uint8_t buf[512];
	size_t len = build(buf, opts, n);
	uint16_t proto;

	return gnv_aws_parse(buf, len, o, &proto, hl);
}

static void
test_write_exact_bytes(void **state)
{
	struct gnv_aws_opts o = { EP_ID, ATT_ID, COOKIE };
	uint8_t buf[GNV_AWS_HDR_LEN + 2];

	memset(buf, 0xa5, sizeof(buf));
	/* Odd offset: the writer must not assume alignment. */
	assert_int_equal(gnv_aws_write(buf + 1, GNV_PROTO_IPV4, &o), GNV_AWS_HDR_LEN);
	assert_memory_equal(buf + 1, aws_expected, GNV_AWS_HDR_LEN);
	assert_int_equal(buf[0], 0xa5);
	assert_int_equal(buf[GNV_AWS_HDR_LEN + 1], 0xa5);
	assert_int_equal(gnv_aws_write(buf + 1, GNV_PROTO_IPV6, &o), GNV_AWS_HDR_LEN);
	assert_memory_equal(buf + 1, aws_expected_v6, GNV_AWS_HDR_LEN);
	assert_int_equal(buf[0], 0xa5);
	assert_int_equal(buf[GNV_AWS_HDR_LEN + 1], 0xa5);
	/* SPEC §4: 20 IPv4 + 8 UDP + 8 GENEVE + 32 options before the inner IP header */
	assert_int_equal(GNV_AWS_HDR_LEN, 8 + 32);
	assert_int_equal(GNV_AWS_OUTER_LEN, 68);
	assert_int_equal(GNV_UDP_PORT, 6081);
	assert_int_equal(GNV_PROTO_IPV4, 0x0800);
	assert_int_equal(GNV_PROTO_IPV6, 0x86dd);
}

/* The protocol type comes from the version nibble of the inner IP header. */
static void
test_proto_of_ip(void **state)
{
	int v;

	for (v = 0; v < 16; v++) {
		uint16_t want = v == 4 ? 0x0800 : v == 6 ? 0x86dd : 0;

		assert_int_equal(gnv_proto_of_ip((uint8_t)(v << 4)), want);
		assert_int_equal(gnv_proto_of_ip((uint8_t)(v << 4 | 0xf)), want);
	}
	assert_int_equal(gnv_proto_of_ip(0x45), 0x0800);      /* IPv4, IHL 5 */
	assert_int_equal(gnv_proto_of_ip(0x60), 0x86dd);      /* IPv6, traffic class 0 */
}

static void
test_parse_expected_bytes(void **state)
{
	struct gnv_aws_opts o;
	uint16_t proto = 0;
	size_t hl = 0;

	assert_int_equal(gnv_aws_parse(aws_expected, sizeof(aws_expected), &o, &proto, &hl),
			 GNV_OK);
	assert_int_equal(hl, GNV_AWS_HDR_LEN);
	assert_int_equal(proto, 0x0800);
	assert_true(o.endpoint_id == EP_ID);
	assert_true(o.attachment_id == ATT_ID);
	assert_int_equal(o.flow_cookie, COOKIE);

	memset(&o, 0, sizeof(o));
	hl = 0;
	assert_int_equal(gnv_aws_parse(aws_expected_v6, sizeof(aws_expected_v6), &o, &proto,
				       &hl), GNV_OK);
	assert_int_equal(hl, GNV_AWS_HDR_LEN);
	assert_int_equal(proto, 0x86dd);
	assert_true(o.endpoint_id == EP_ID);
	assert_true(o.attachment_id == ATT_ID);
	assert_int_equal(o.flow_cookie, COOKIE);
}

static void
test_round_trip(void **state)
{
	static const struct gnv_aws_opts vals[] = {
		{ 0, 0, 0 },
		{ UINT64_MAX, UINT64_MAX, UINT32_MAX },
		{ 0x0102030405060708ULL, 0x8070605040302010ULL, 0x01020304 },
		{ EP_ID, ATT_ID, COOKIE },
	};
	static const uint16_t protos[] = { GNV_PROTO_IPV4, GNV_PROTO_IPV6 };
	uint8_t buf[GNV_AWS_HDR_LEN + 64 + 3];
	size_t i, hl;
	uint16_t proto;

	for (i = 0; i < 2 * sizeof(vals) / sizeof(vals[0]); i++) {
		const struct gnv_aws_opts *v = &vals[i / 2];
		struct gnv_aws_opts o;
		uint8_t *p = buf + (i % 4);    /* vary alignment */

		memset(buf, 0x5a, sizeof(buf));   /* inner packet after the header */
		assert_int_equal(gnv_aws_write(p, protos[i % 2], v), GNV_AWS_HDR_LEN);
		hl = 0;
		proto = 0;
		assert_int_equal(gnv_aws_parse(p, GNV_AWS_HDR_LEN + 64, &o, &proto, &hl), GNV_OK);
		assert_int_equal(hl, GNV_AWS_HDR_LEN);
		assert_int_equal(proto, protos[i % 2]);
		assert_true(o.endpoint_id == v->endpoint_id);
		assert_true(o.attachment_id == v->attachment_id);
		assert_int_equal(o.flow_cookie, v->flow_cookie);
		/* Exactly the header is enough. */
		assert_int_equal(gnv_aws_parse(p, GNV_AWS_HDR_LEN, &o, &proto, &hl), GNV_OK);
	}
}

/* Any order, R bits set, C bit set, a reserved byte set: all accepted. */
static void
test_parse_tolerant(void **state)
{
	const struct topt reordered[] = {
		OPT(GNV_AWS_OPT_CLASS, 3, 1), OPT(GNV_AWS_OPT_CLASS, 1, 2),
		OPT(GNV_AWS_OPT_CLASS, 2, 2),
	};
	struct topt rbits[] = { AWS_EP, AWS_ATT, AWS_CK };
	struct gnv_aws_opts o;
	uint8_t buf[64];
	uint16_t pt;
	size_t hl;

	assert_int_equal(parse_opts(reordered, 3, &o, &hl), GNV_OK);
	assert_true(o.endpoint_id == 0x1111111111111111ULL);
	assert_true(o.attachment_id == 0x1212121212121212ULL);
	assert_int_equal(o.flow_cookie, 0x13131313);

	rbits[0].len_byte |= 0xe0;
	assert_int_equal(parse_opts(rbits, 3, &o, &hl), GNV_OK);

	memcpy(buf, aws_expected, sizeof(aws_expected));
	buf[1] = 0x40 | 0x3f;         /* C bit and reserved bits */
	buf[7] = 0xff;                /* reserved byte after the VNI */
	assert_int_equal(gnv_aws_parse(buf, sizeof(aws_expected), &o, &pt, &hl), GNV_OK);
	assert_int_equal(pt, 0x0800);
}

static void
test_short(void **state)
{
	struct gnv_aws_opts o = { 1, 2, 3 };
	size_t hl = 77, len;
	uint16_t pt = 0x1234;

	for (len = 0; len < 8; len++)
		assert_int_equal(gnv_aws_parse(aws_expected, len, &o, &pt, &hl), GNV_ERR_SHORT);
	/* Opt Len says 32 bytes of options; any shorter buffer is short. */
	for (len = 8; len < GNV_AWS_HDR_LEN; len++)
		assert_int_equal(gnv_aws_parse(aws_expected, len, &o, &pt, &hl), GNV_ERR_SHORT);
	/* Outputs untouched on error. */
	assert_true(o.endpoint_id == 1 && o.attachment_id == 2 && o.flow_cookie == 3);
	assert_int_equal(hl, 77);
	assert_int_equal(pt, 0x1234);
}

static void
test_opt_len_beyond_buffer(void **state)
{
	uint8_t buf[GNV_AWS_HDR_LEN + 4];
	struct gnv_aws_opts o;
	uint16_t pt;
	size_t hl;

	memcpy(buf, aws_expected, GNV_AWS_HDR_LEN);
	memset(buf + GNV_AWS_HDR_LEN, 0, 4);
	buf[0] = 0x3f;                /* 252 bytes of options */
	assert_int_equal(gnv_aws_parse(buf, sizeof(buf), &o, &pt, &hl), GNV_ERR_SHORT);
	buf[0] = 0x0a;                /* 40 bytes: 4 past a 44-byte buffer */
	assert_int_equal(gnv_aws_parse(buf, sizeof(buf), &o, &pt, &hl), GNV_ERR_SHORT);
	/* 9 words with a trailing zero-length unknown option: fits, parses. */
	buf[0] = 0x09;
	assert_int_equal(gnv_aws_parse(buf, sizeof(buf), &o, &pt, &hl), GNV_OK);
	assert_int_equal(hl, GNV_AWS_HDR_LEN + 4);
}

static void
test_version(void **state)
{
	uint8_t buf[GNV_AWS_HDR_LEN];
	struct gnv_aws_opts o;
	uint16_t pt;
	size_t hl;
	int v;

	for (v = 1; v < 4; v++) {
		memcpy(buf, aws_expected, sizeof(buf));
		buf[0] |= v << 6;
		assert_int_equal(gnv_aws_parse(buf, sizeof(buf), &o, &pt, &hl), GNV_ERR_VERSION);
	}
}

static void
test_oam(void **state)
{
	uint8_t buf[GNV_AWS_HDR_LEN];
	struct gnv_aws_opts o;
	uint16_t pt;
	size_t hl;

	memcpy(buf, aws_expected, sizeof(buf));
	buf[1] = 0x80;
	assert_int_equal(gnv_aws_parse(buf, sizeof(buf), &o, &pt, &hl), GNV_ERR_OAM);
}

/*
 * SPEC §4: protocol type 0x0800 or 0x86DD only. 0x6558 (an inner Ethernet
 * frame, what vpcgw once sent and AWS's appliance software refuses) is
 * refused like any other, and so are byte-swapped and near-miss values.
 */
static void
test_protocol(void **state)
{
	static const uint16_t bad[] = {
		0x6558, 0x5865, 0x0000, 0x0008, 0xdd86, 0x0801, 0x86dc, 0x86de, 0x0806, 0x8100,
		0xffff,
	};
	static const uint16_t good[] = { 0x0800, 0x86dd };
	uint8_t buf[GNV_AWS_HDR_LEN];
	struct gnv_aws_opts o = { 1, 2, 3 };
	uint16_t pt = 0x1234;
	size_t hl = 77, i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(buf, aws_expected, sizeof(buf));
		buf[2] = bad[i] >> 8;
		buf[3] = bad[i] & 0xff;
		assert_int_equal(gnv_aws_parse(buf, sizeof(buf), &o, &pt, &hl), GNV_ERR_PROTO);
	}
	assert_true(o.endpoint_id == 1 && o.attachment_id == 2 && o.flow_cookie == 3);
	assert_int_equal(pt, 0x1234);
	assert_int_equal(hl, 77);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		memcpy(buf, aws_expected, sizeof(buf));
		buf[2] = good[i] >> 8;
		buf[3] = good[i] & 0xff;
		assert_int_equal(gnv_aws_parse(buf, sizeof(buf), &o, &pt, &hl), GNV_OK);
		assert_int_equal(pt, good[i]);
	}
}

/* GWLB sends VNI 0 and appliances return it unchanged: any other VNI is refused. */
static void
test_vni(void **state)
{
	uint8_t buf[GNV_AWS_HDR_LEN];
	struct gnv_aws_opts o;
	uint16_t pt;
	size_t hl;
	int b;

	for (b = 4; b < 7; b++) {
		memcpy(buf, aws_expected, sizeof(buf));
		buf[b] = 0x01;
		assert_int_equal(gnv_aws_parse(buf, sizeof(buf), &o, &pt, &hl), GNV_ERR_VNI);
		buf[b] = 0x80;
		assert_int_equal(gnv_aws_parse(buf, sizeof(buf), &o, &pt, &hl), GNV_ERR_VNI);
	}
}

/* An option whose Length runs past the end of the options area. */
static void
test_opt_trunc(void **state)
{
	struct topt last_long[] = { AWS_EP, AWS_ATT, AWS_CK };
	struct topt first_long[] = { AWS_EP, AWS_ATT, AWS_CK };
	struct gnv_aws_opts o;
	size_t hl;

	last_long[2].len_byte = 2;    /* claims 8 bytes, 4 remain */
	assert_int_equal(parse_opts(last_long, 3, &o, &hl), GNV_ERR_OPT_TRUNC);
	first_long[0].len_byte = 0x1f;
	assert_int_equal(parse_opts(first_long, 3, &o, &hl), GNV_ERR_OPT_TRUNC);
}

static void
test_unknown_critical(void **state)
{
	const struct topt other_class[] = {
		AWS_EP, OPT(0x0000, 0x80 | 5, 1), AWS_ATT, AWS_CK,
	};
	const struct topt aws_class[] = {
		AWS_EP, AWS_ATT, AWS_CK, OPT(GNV_AWS_OPT_CLASS, 0x84, 0),
	};
	/* Type 1 with the critical bit is another type, and unknown. */
	const struct topt crit_type1[] = {
		OPT(GNV_AWS_OPT_CLASS, 0x81, 2), AWS_EP, AWS_ATT, AWS_CK,
	};
	struct gnv_aws_opts o;
	size_t hl;

	assert_int_equal(parse_opts(other_class, 4, &o, &hl), GNV_ERR_CRITICAL);
	assert_int_equal(parse_opts(aws_class, 4, &o, &hl), GNV_ERR_CRITICAL);
	assert_int_equal(parse_opts(crit_type1, 4, &o, &hl), GNV_ERR_CRITICAL);
}

static void
test_unknown_skipped(void **state)
{
	const struct topt opts[] = {
		OPT(0x0000, 5, 1),                 /* before, with data */
		AWS_EP,
		OPT(GNV_AWS_OPT_CLASS, 4, 3),      /* unknown AWS type */
		AWS_ATT,
		OPT(0xffff, 0x7f, 0),              /* empty */
		AWS_CK,
		OPT(GNV_AWS_OPT_CLASS, 0, 2),
	};
	struct gnv_aws_opts o;
	size_t hl = 0;

	assert_int_equal(parse_opts(opts, 7, &o, &hl), GNV_OK);
	assert_int_equal(hl, 8 + (4 + 4) + 12 + (4 + 12) + 12 + 4 + 8 + (4 + 8));
	assert_true(o.endpoint_id == 0x1111111111111111ULL);
	assert_true(o.attachment_id == 0x1212121212121212ULL);
	assert_int_equal(o.flow_cookie, 0x13131313);
}

static void
test_wrong_length(void **state)
{
	/* For each AWS type, every Length other than its own, that still fits. */
	static const uint8_t good[4] = { 0, 2, 2, 1 };
	struct gnv_aws_opts o;
	size_t hl;
	int t;
	uint8_t w;

	for (t = 1; t <= 3; t++) {
		for (w = 0; w <= 4; w++) {
			struct topt opts[] = { AWS_EP, AWS_ATT, AWS_CK };

			if (w == good[t])
				continue;
			opts[t - 1] = (struct topt)OPT(GNV_AWS_OPT_CLASS, t, w);
			assert_int_equal(parse_opts(opts, 3, &o, &hl), GNV_ERR_OPT_LEN);
		}
	}
}

static void
test_duplicate(void **state)
{
	struct gnv_aws_opts o;
	size_t hl;
	int t;

	for (t = 0; t < 3; t++) {
		struct topt opts[4] = { AWS_EP, AWS_ATT, AWS_CK };

		opts[3] = opts[t];
		assert_int_equal(parse_opts(opts, 4, &o, &hl), GNV_ERR_OPT_DUP);
	}
}

static void
test_missing(void **state)
{
	const struct topt all[] = { AWS_EP, AWS_ATT, AWS_CK };
	struct gnv_aws_opts o;
	size_t hl;
	int t, i, n;

	for (t = 0; t < 3; t++) {
		struct topt opts[3];

		for (i = 0, n = 0; i < 3; i++)
			if (i != t)
				opts[n++] = all[i];
		assert_int_equal(parse_opts(opts, n, &o, &hl), GNV_ERR_OPT_MISSING);
		/* The missing one replaced by an unknown non-critical option. */
		opts[n++] = (struct topt)OPT(GNV_AWS_OPT_CLASS, 9, 1);
		assert_int_equal(parse_opts(opts, n, &o, &hl), GNV_ERR_OPT_MISSING);
	}
	assert_int_equal(parse_opts(all, 0, &o, &hl), GNV_ERR_OPT_MISSING);
}

static void
test_err_str(void **state)
{
	const char *names[GNV_ERR_COUNT + 1];
	int i, j;

	assert_string_equal(gnv_err_str(GNV_OK), "ok");
	assert_string_equal(gnv_err_str(GNV_ERR_SHORT), "geneve_short");
	assert_string_equal(gnv_err_str(GNV_ERR_OPT_MISSING), "geneve_opt_missing");
	assert_string_equal(gnv_err_str(GNV_ERR_PROTO), "geneve_bad_protocol");
	assert_string_equal(gnv_err_str(GNV_ERR_VNI), "geneve_bad_vni");
	assert_string_equal(gnv_err_str(-GNV_ERR_COUNT - 1), "geneve_unknown");
	assert_string_equal(gnv_err_str(1), "geneve_unknown");
	for (i = 0; i <= GNV_ERR_COUNT; i++) {
		const char *s;

		names[i] = gnv_err_str(-i);
		assert_non_null(names[i]);
		for (s = names[i]; *s != '\0'; s++)
			assert_true((*s >= 'a' && *s <= 'z') || *s == '_');
		for (j = 0; j < i; j++)
			assert_string_not_equal(names[i], names[j]);
	}
}

static uint32_t
rnd32(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (uint32_t)(*s >> 16);
}

static void
test_sym_hash_symmetric(void **state)
{
	static const int modes[] = { 5, 3, 2, 0 };
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	int i, m;

	for (i = 0; i < 2000; i++) {
		uint32_t a = rnd32(&s), b = rnd32(&s);
		uint16_t pa = rnd32(&s), pb = rnd32(&s);
		uint8_t proto = rnd32(&s);

		if (i % 10 == 0)
			b = a;                /* same address both sides */
		for (m = 0; m < 4; m++)
			assert_int_equal(gnv_sym_hash(modes[m], proto, a, b, pa, pb),
					 gnv_sym_hash(modes[m], proto, b, a, pb, pa));
		/* Unknown modes behave as the 5-tuple default. */
		assert_int_equal(gnv_sym_hash(0, proto, a, b, pa, pb),
				 gnv_sym_hash(5, proto, a, b, pa, pb));
	}
}

static void
test_sym_hash_fields(void **state)
{
	const uint32_t a = 0x0a000105, b = 0xcb007101;
	uint32_t h5 = gnv_sym_hash(5, 6, a, b, 40000, 443);
	uint32_t h3 = gnv_sym_hash(3, 6, a, b, 40000, 443);
	uint32_t h2 = gnv_sym_hash(2, 6, a, b, 40000, 443);

	/* Ports: part of the 5-tuple only. */
	assert_int_not_equal(h5, gnv_sym_hash(5, 6, a, b, 40001, 443));
	assert_int_not_equal(h5, gnv_sym_hash(5, 6, a, b, 40000, 444));
	/* Swapping one side's port is not the reverse direction. */
	assert_int_not_equal(h5, gnv_sym_hash(5, 6, a, b, 443, 40000));
	assert_int_equal(h3, gnv_sym_hash(3, 6, a, b, 40001, 80));
	assert_int_equal(h2, gnv_sym_hash(2, 6, a, b, 1, 2));
	/* Protocol: part of the 5- and 3-tuple, not the 2-tuple. */
	assert_int_not_equal(h5, gnv_sym_hash(5, 17, a, b, 40000, 443));
	assert_int_not_equal(h3, gnv_sym_hash(3, 17, a, b, 40000, 443));
	assert_int_equal(h2, gnv_sym_hash(2, 17, a, b, 40000, 443));
	/* Addresses: part of every mode. */
	assert_int_not_equal(h5, gnv_sym_hash(5, 6, a + 1, b, 40000, 443));
	assert_int_not_equal(h3, gnv_sym_hash(3, 6, a, b + 1, 40000, 443));
	assert_int_not_equal(h2, gnv_sym_hash(2, 6, a + 1, b, 40000, 443));
}

/* hash % n picks the appliance: it must spread flows evenly. */
static void
test_sym_hash_spread(void **state)
{
	enum { N = 8, FLOWS = 16000 };
	unsigned int cnt5[N] = { 0 }, cnt2[N] = { 0 };
	int i;

	/*
	 * Structured flows that differ only in bits a weak hash would drop
	 * modulo N: clients one per /24, source ports in steps of 8.
	 */
	for (i = 0; i < FLOWS; i++) {
		uint32_t client = 0x0a000000 + ((uint32_t)(i % 64) << 8);

		cnt5[gnv_sym_hash(5, 6, client, 0xc6336401, 1024 + (i / 64) * 8, 443) % N]++;
		cnt2[gnv_sym_hash(2, 6, 0x0a000000 + ((uint32_t)i << 12), 0xc6336401, 0, 0) % N]++;
	}
	for (i = 0; i < N; i++) {
		assert_in_range(cnt5[i], FLOWS / N * 85 / 100, FLOWS / N * 115 / 100);
		assert_in_range(cnt2[i], FLOWS / N * 85 / 100, FLOWS / N * 115 / 100);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_exact_bytes),
		cmocka_unit_test(test_proto_of_ip),
		cmocka_unit_test(test_parse_expected_bytes),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_parse_tolerant),
		cmocka_unit_test(test_short),
		cmocka_unit_test(test_opt_len_beyond_buffer),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_oam),
		cmocka_unit_test(test_protocol),
		cmocka_unit_test(test_vni),
		cmocka_unit_test(test_opt_trunc),
		cmocka_unit_test(test_unknown_critical),
		cmocka_unit_test(test_unknown_skipped),
		cmocka_unit_test(test_wrong_length),
		cmocka_unit_test(test_duplicate),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_err_str),
		cmocka_unit_test(test_sym_hash_symmetric),
		cmocka_unit_test(test_sym_hash_fields),
		cmocka_unit_test(test_sym_hash_spread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
