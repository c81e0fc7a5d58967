/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NACL classifier (fw/nacl.c) against SPEC §4 "Network ACL". Needs the EAL
 * (rte_acl allocates from DPDK memory); runs without hugepages or devices.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_memory.h>

#include "config/cfg.h"
#include "fw/nacl.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

#define TCP 6
#define UDP 17
#define ICMP 1
#define GRE 47
#define ALL CFG_PROTO_ALL

static unsigned int tag_seq;

static struct cfg_rule
rule(uint16_t number, bool allow, uint16_t proto, uint16_t lo, uint16_t hi, uint32_t addr,
     uint8_t len)
{
	struct cfg_rule r = {
		.number = number, .proto = proto, .port_lo = lo, .port_hi = hi,
		.icmp_type = -1, .icmp_code = -1, .cidr = { .addr = addr, .len = len },
		.sg = -1, .allow = allow,
	};
	return r;
}

static struct cfg_rule
rule_icmp(uint16_t number, bool allow, int16_t type, int16_t code)
{
	struct cfg_rule r = rule(number, allow, ICMP, 0, 65535, 0, 0);

	r.icmp_type = type;
	r.icmp_code = code;
	return r;
}

/* Host-order arguments; the key is in network order, as the data plane builds it. */
static struct fw_acl_key
key(uint8_t proto, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport)
{
	struct fw_acl_key k;

	memset(&k, 0, sizeof(k));
	k.proto = proto;
	k.src = htonl(src);
	k.dst = htonl(dst);
	k.sport = htons(sport);
	k.dport = htons(dport);
	return k;
}

static struct fw_nacl_ctx *
build(struct cfg *cfg, struct cfg_nacl *nacl, int n_nacls)
{
	struct fw_nacl_ctx *ctx;
	int err = 1;

	memset(cfg, 0, sizeof(*cfg));
	cfg->nacls = nacl;
	cfg->n_nacls = n_nacls;
	ctx = fw_nacl_build(cfg, SOCKET_ID_ANY, ++tag_seq, &err);
	if (ctx == NULL)
		fail_msg("fw_nacl_build: %d", err);
	assert_int_equal(err, 0);
	return ctx;
}

static struct fw_nacl_ctx *
build_one(struct cfg *cfg, struct cfg_nacl *nacl, struct cfg_rule *in, int nin,
	  struct cfg_rule *out, int nout)
{
	memset(nacl, 0, sizeof(*nacl));
	nacl->ingress = in;
	nacl->n_ingress = nin;
	nacl->egress = out;
	nacl->n_egress = nout;
	return build(cfg, nacl, 1);
}

static int
one(const struct fw_nacl_ctx *ctx, int nacl, enum fw_dir dir, struct fw_acl_key k)
{
	const struct fw_acl_key *kp = &k;
	uint8_t v = 0xaa;

	fw_nacl_classify(ctx, nacl, dir, &kp, &v, 1);
	assert_true(v == 0 || v == 1);
	return v;
}

#define IN(ctx, k) one(ctx, 0, FW_DIR_INGRESS, k)
#define OUT(ctx, k) one(ctx, 0, FW_DIR_EGRESS, k)

static const uint32_t ext = IP(203, 0, 113, 9);
static const uint32_t me = IP(10, 0, 1, 10);

static void
test_lowest_number_wins(void **state)
{
	struct cfg cfg;
	struct cfg_nacl nacl;
	/* Deliberately not sorted: the number, not the position, decides. */
	struct cfg_rule in[] = {
		rule(100, true, ALL, 0, 65535, 0, 0),
		rule(90, false, TCP, 22, 22, 0, 0),
		rule(80, true, TCP, 22, 22, IP(192, 168, 0, 0), 16),
	};
	struct fw_nacl_ctx *ctx = build_one(&cfg, &nacl, in, NELEM(in), NULL, 0);

	assert_int_equal(IN(ctx, key(TCP, ext, me, 40000, 22)), 0);
	assert_int_equal(IN(ctx, key(TCP, IP(192, 168, 3, 3), me, 40000, 22)), 1);
	assert_int_equal(IN(ctx, key(TCP, ext, me, 40000, 23)), 1);
	assert_int_equal(IN(ctx, key(UDP, ext, me, 40000, 22)), 1);
	fw_nacl_free(ctx);
}

static void
test_implicit_deny(void **state)
{
	struct cfg cfg;
	struct cfg_nacl nacl;
	struct cfg_rule in[] = { rule(100, true, TCP, 80, 80, 0, 0) };
	struct cfg_rule out[] = { rule(100, true, UDP, 53, 53, IP(10, 0, 0, 2), 32) };
	struct fw_nacl_ctx *ctx = build_one(&cfg, &nacl, in, 1, out, 1);

	assert_int_equal(IN(ctx, key(TCP, ext, me, 1234, 80)), 1);
	assert_int_equal(IN(ctx, key(TCP, ext, me, 1234, 81)), 0);
	assert_int_equal(IN(ctx, key(UDP, ext, me, 1234, 80)), 0);
	assert_int_equal(IN(ctx, key(ICMP, ext, me, 8, 0)), 0);
	assert_int_equal(OUT(ctx, key(UDP, me, IP(10, 0, 0, 2), 1234, 53)), 1);
	assert_int_equal(OUT(ctx, key(UDP, me, IP(10, 0, 0, 3), 1234, 53)), 0);
	assert_int_equal(OUT(ctx, key(TCP, me, IP(10, 0, 0, 2), 1234, 53)), 0);
	fw_nacl_free(ctx);
}

static void
test_ports(void **state)
{
	struct cfg cfg;
	struct cfg_nacl nacl;
	struct cfg_rule in[] = {
		rule(100, true, TCP, 1024, 65535, 0, 0),
		rule(110, true, UDP, 256, 256, 0, 0),   /* 0x0100: catches swapped bytes */
		rule(120, true, TCP, 0, 0, 0, 0),
	};
	struct fw_nacl_ctx *ctx = build_one(&cfg, &nacl, in, NELEM(in), NULL, 0);

	assert_int_equal(IN(ctx, key(TCP, ext, me, 80, 1023)), 0);
	assert_int_equal(IN(ctx, key(TCP, ext, me, 80, 1024)), 1);
	assert_int_equal(IN(ctx, key(TCP, ext, me, 80, 65535)), 1);
	assert_int_equal(IN(ctx, key(TCP, ext, me, 80, 0)), 1);
	assert_int_equal(IN(ctx, key(TCP, ext, me, 80, 1)), 0);
	/* The source port is not what a NACL port range matches. */
	assert_int_equal(IN(ctx, key(TCP, ext, me, 5000, 80)), 0);
	assert_int_equal(IN(ctx, key(UDP, ext, me, 5000, 256)), 1);
	assert_int_equal(IN(ctx, key(UDP, ext, me, 256, 1)), 0);
	assert_int_equal(IN(ctx, key(UDP, ext, me, 5000, 255)), 0);
	assert_int_equal(IN(ctx, key(UDP, ext, me, 5000, 257)), 0);
	assert_int_equal(IN(ctx, key(UDP, ext, me, 5000, 1)), 0);
	fw_nacl_free(ctx);
}

static void
test_icmp(void **state)
{
	struct cfg cfg;
	struct cfg_nacl nacl;
	struct cfg_rule in[] = {
		rule_icmp(100, true, 8, -1),   /* echo request, any code */
		rule_icmp(110, true, 3, 4),    /* fragmentation needed */
		rule_icmp(120, false, 3, -1),  /* other unreachables */
		rule_icmp(130, true, -1, -1),  /* the rest of ICMP */
	};
	struct fw_nacl_ctx *ctx = build_one(&cfg, &nacl, in, NELEM(in), NULL, 0);

	assert_int_equal(IN(ctx, key(ICMP, ext, me, 8, 0)), 1);
	assert_int_equal(IN(ctx, key(ICMP, ext, me, 8, 9)), 1);
	assert_int_equal(IN(ctx, key(ICMP, ext, me, 3, 4)), 1);
	assert_int_equal(IN(ctx, key(ICMP, ext, me, 3, 3)), 0);
	assert_int_equal(IN(ctx, key(ICMP, ext, me, 3, 1)), 0);
	assert_int_equal(IN(ctx, key(ICMP, ext, me, 0, 0)), 1);
	assert_int_equal(IN(ctx, key(ICMP, ext, me, 11, 1)), 1);
	/* ICMP rules never match TCP, even with "type" 8 in the port field. */
	assert_int_equal(IN(ctx, key(TCP, ext, me, 8, 0)), 0);
	fw_nacl_free(ctx);

	/* Without the catch-all: only the listed type/code pairs. */
	ctx = build_one(&cfg, &nacl, in, 2, NULL, 0);
	assert_int_equal(IN(ctx, key(ICMP, ext, me, 8, 0)), 1);
	assert_int_equal(IN(ctx, key(ICMP, ext, me, 0, 0)), 0);
	assert_int_equal(IN(ctx, key(ICMP, ext, me, 3, 4)), 1);
	assert_int_equal(IN(ctx, key(ICMP, ext, me, 4, 3)), 0);
	assert_int_equal(IN(ctx, key(ICMP, ext, me, 3, 5)), 0);
	fw_nacl_free(ctx);
}

static void
test_protocol_numbers(void **state)
{
	struct cfg cfg;
	struct cfg_nacl nacl;
	struct cfg_rule in[] = {
		rule(10, true, GRE, 0, 65535, 0, 0),
		rule(20, false, 50, 0, 65535, 0, 0),
		rule(30, true, 0, 0, 65535, 0, 0),       /* protocol 0 is a number, not "all" */
		rule(40, true, 255, 0, 65535, 0, 0),
	};
	struct fw_nacl_ctx *ctx = build_one(&cfg, &nacl, in, NELEM(in), NULL, 0);

	assert_int_equal(IN(ctx, key(GRE, ext, me, 0, 0)), 1);
	assert_int_equal(IN(ctx, key(50, ext, me, 0, 0)), 0);
	assert_int_equal(IN(ctx, key(51, ext, me, 0, 0)), 0);
	assert_int_equal(IN(ctx, key(0, ext, me, 0, 0)), 1);
	assert_int_equal(IN(ctx, key(255, ext, me, 0, 0)), 1);
	assert_int_equal(IN(ctx, key(254, ext, me, 0, 0)), 0);
	assert_int_equal(IN(ctx, key(TCP, ext, me, 1, 80)), 0);
	assert_int_equal(IN(ctx, key(GRE | 0x80, ext, me, 0, 0)), 0);
	fw_nacl_free(ctx);
}

static void
test_all(void **state)
{
	struct cfg cfg;
	struct cfg_nacl nacl;
	struct cfg_rule in[] = {
		rule(50, false, ALL, 0, 65535, IP(198, 51, 100, 0), 24),
		rule(100, true, ALL, 0, 65535, 0, 0),
	};
	struct fw_nacl_ctx *ctx = build_one(&cfg, &nacl, in, NELEM(in), NULL, 0);
	const uint8_t protos[] = { 0, ICMP, TCP, UDP, GRE, 50, 132, 255 };
	int i;

	for (i = 0; i < NELEM(protos); i++) {
		assert_int_equal(IN(ctx, key(protos[i], ext, me, 0, 0)), 1);
		assert_int_equal(IN(ctx, key(protos[i], ext, me, 65535, 65535)), 1);
		assert_int_equal(IN(ctx, key(protos[i], ext, me, 12345, 7)), 1);
		assert_int_equal(IN(ctx, key(protos[i], IP(198, 51, 100, 200), me, 0, 0)), 0);
		assert_int_equal(IN(ctx, key(protos[i], IP(198, 51, 100, 200), me, 9, 9)), 0);
	}
	fw_nacl_free(ctx);
}

static void
test_cidr_specificity_irrelevant(void **state)
{
	struct cfg cfg;
	struct cfg_nacl nacl;
	struct cfg_rule in[] = {
		rule(100, true, ALL, 0, 65535, IP(10, 0, 0, 0), 8),
		rule(200, false, ALL, 0, 65535, IP(10, 1, 2, 3), 32),   /* shadowed by 100 */
		rule(300, false, ALL, 0, 65535, IP(172, 16, 0, 0), 12),
		rule(310, true, ALL, 0, 65535, IP(172, 16, 5, 0), 24),  /* shadowed by 300 */
		rule(400, true, ALL, 0, 65535, 0, 0),
	};
	struct fw_nacl_ctx *ctx = build_one(&cfg, &nacl, in, NELEM(in), NULL, 0);

	assert_int_equal(IN(ctx, key(TCP, IP(10, 1, 2, 3), me, 1, 2)), 1);
	assert_int_equal(IN(ctx, key(TCP, IP(172, 16, 5, 5), me, 1, 2)), 0);
	assert_int_equal(IN(ctx, key(TCP, IP(172, 31, 255, 255), me, 1, 2)), 0);
	assert_int_equal(IN(ctx, key(TCP, IP(172, 32, 0, 0), me, 1, 2)), 1);
	assert_int_equal(IN(ctx, key(TCP, IP(11, 0, 0, 0), me, 1, 2)), 1);
	fw_nacl_free(ctx);
}

/* Ingress matches the source address, egress the destination. */
static void
test_direction_address(void **state)
{
	struct cfg cfg;
	struct cfg_nacl nacl;
	struct cfg_rule in[] = { rule(100, true, ALL, 0, 65535, IP(192, 0, 2, 0), 24) };
	struct cfg_rule out[] = { rule(100, true, ALL, 0, 65535, IP(198, 51, 100, 0), 24) };
	struct fw_nacl_ctx *ctx = build_one(&cfg, &nacl, in, 1, out, 1);

	assert_int_equal(IN(ctx, key(UDP, IP(192, 0, 2, 7), me, 1, 2)), 1);
	assert_int_equal(IN(ctx, key(UDP, me, IP(192, 0, 2, 7), 1, 2)), 0);
	assert_int_equal(OUT(ctx, key(UDP, me, IP(198, 51, 100, 7), 1, 2)), 1);
	assert_int_equal(OUT(ctx, key(UDP, IP(198, 51, 100, 7), me, 1, 2)), 0);
	/* Byte order: 2.0.192.x must not pass for 192.0.2.x. */
	assert_int_equal(IN(ctx, key(UDP, IP(7, 2, 0, 192), me, 1, 2)), 0);
	fw_nacl_free(ctx);
}

static void
test_empty_direction(void **state)
{
	struct cfg cfg;
	struct cfg_nacl nacls[3];
	struct cfg_rule in[] = { rule(100, true, ALL, 0, 65535, 0, 0) };
	struct cfg_rule out[] = { rule(100, true, ALL, 0, 65535, 0, 0) };
	struct fw_nacl_ctx *ctx;

	memset(nacls, 0, sizeof(nacls));
	nacls[0].ingress = in;   /* egress empty */
	nacls[0].n_ingress = 1;
	nacls[1].egress = out;   /* ingress empty */
	nacls[1].n_egress = 1;
	/* nacls[2]: no rule at all */
	ctx = build(&cfg, nacls, 3);
	assert_int_equal(fw_nacl_count(ctx), 3);
	assert_int_equal(one(ctx, 0, FW_DIR_INGRESS, key(TCP, ext, me, 1, 80)), 1);
	assert_int_equal(one(ctx, 0, FW_DIR_EGRESS, key(TCP, me, ext, 1, 80)), 0);
	assert_int_equal(one(ctx, 1, FW_DIR_INGRESS, key(TCP, ext, me, 1, 80)), 0);
	assert_int_equal(one(ctx, 1, FW_DIR_EGRESS, key(TCP, me, ext, 1, 80)), 1);
	assert_int_equal(one(ctx, 2, FW_DIR_INGRESS, key(ICMP, ext, me, 8, 0)), 0);
	assert_int_equal(one(ctx, 2, FW_DIR_EGRESS, key(UDP, me, ext, 1, 53)), 0);
	/* Out-of-range index: deny. */
	assert_int_equal(one(ctx, 3, FW_DIR_INGRESS, key(TCP, ext, me, 1, 80)), 0);
	assert_int_equal(one(ctx, -1, FW_DIR_INGRESS, key(TCP, ext, me, 1, 80)), 0);
	fw_nacl_free(ctx);

	/* A configuration without NACL builds too. */
	ctx = build(&cfg, NULL, 0);
	assert_int_equal(fw_nacl_count(ctx), 0);
	assert_int_equal(one(ctx, 0, FW_DIR_INGRESS, key(TCP, ext, me, 1, 80)), 0);
	fw_nacl_free(ctx);
}

static void
test_build_errors(void **state)
{
	struct cfg cfg;
	struct cfg_nacl nacl;
	struct cfg_rule bad_proto[] = { rule(100, true, 300, 0, 65535, 0, 0) };
	struct cfg_rule bad_number[] = { rule(32767, true, TCP, 0, 65535, 0, 0) };
	struct cfg_rule ok[] = { rule(100, true, TCP, 0, 65535, 0, 0) };
	struct fw_nacl_ctx *a, *b;
	int err;

	memset(&cfg, 0, sizeof(cfg));
	memset(&nacl, 0, sizeof(nacl));
	cfg.nacls = &nacl;
	cfg.n_nacls = 1;
	nacl.ingress = bad_proto;
	nacl.n_ingress = 1;
	err = 0;
	assert_null(fw_nacl_build(&cfg, SOCKET_ID_ANY, ++tag_seq, &err));
	assert_int_equal(err, -EINVAL);
	nacl.ingress = bad_number;
	err = 0;
	assert_null(fw_nacl_build(&cfg, SOCKET_ID_ANY, ++tag_seq, &err));
	assert_int_equal(err, -EINVAL);

	/* Two generations alive at once need distinct tags. */
	nacl.ingress = ok;
	a = fw_nacl_build(&cfg, SOCKET_ID_ANY, ++tag_seq, &err);
	assert_non_null(a);
	err = 0;
	b = fw_nacl_build(&cfg, SOCKET_ID_ANY, tag_seq, &err);
	assert_null(b);
	assert_int_equal(err, -EEXIST);
	b = fw_nacl_build(&cfg, SOCKET_ID_ANY, ++tag_seq, &err);
	assert_non_null(b);
	assert_int_equal(one(a, 0, FW_DIR_INGRESS, key(TCP, ext, me, 1, 80)), 1);
	assert_int_equal(one(b, 0, FW_DIR_INGRESS, key(TCP, ext, me, 1, 80)), 1);
	fw_nacl_free(a);
	fw_nacl_free(b);
	/* Freed names can be used again. */
	a = fw_nacl_build(&cfg, SOCKET_ID_ANY, tag_seq, &err);
	assert_non_null(a);
	fw_nacl_free(a);
}

/* Straightforward first-match evaluation of SPEC §4, to compare rte_acl with. */
static int
ref_eval(const struct cfg_rule *rules, int n, enum fw_dir dir, uint8_t proto, uint32_t src,
	 uint32_t dst, uint16_t sport, uint16_t dport)
{
	const struct cfg_rule *best = NULL;
	int i;

	for (i = 0; i < n; i++) {
		const struct cfg_rule *r = &rules[i];
		uint32_t a = dir == FW_DIR_INGRESS ? src : dst;
		uint32_t mask = r->cidr.len == 0 ? 0 : UINT32_MAX << (32 - r->cidr.len);

		if (best != NULL && best->number < r->number)
			continue;
		if ((a & mask) != r->cidr.addr)
			continue;
		if (r->proto != ALL) {
			if (r->proto != proto)
				continue;
			if ((proto == TCP || proto == UDP) && (dport < r->port_lo || dport > r->port_hi))
				continue;
			if (proto == ICMP && ((r->icmp_type >= 0 && r->icmp_type != sport) ||
					      (r->icmp_code >= 0 && r->icmp_code != dport)))
				continue;
		}
		best = r;
	}
	return best != NULL && best->allow;
}

/* Random rule sets and random bursts (longer than one internal chunk): rte_acl == reference. */
static void
test_random_vs_reference(void **state)
{
	enum { N_RULES = 300, N_KEYS = 1000 };
	static struct cfg_rule rules[N_RULES];
	static struct fw_acl_key keys[N_KEYS];
	static const struct fw_acl_key *kp[N_KEYS];
	static uint8_t verdict[N_KEYS];
	static const uint8_t protos[] = { TCP, UDP, ICMP, GRE };
	uint32_t host[N_KEYS][2];
	struct cfg cfg;
	struct cfg_nacl nacl;
	struct fw_nacl_ctx *ctx;
	int round, i, allowed;

	srand(12345);
	for (round = 0; round < 4; round++) {
		enum fw_dir dir = round & 1 ? FW_DIR_EGRESS : FW_DIR_INGRESS;
		uint16_t number_perm[N_RULES];

		for (i = 0; i < N_RULES; i++)
			number_perm[i] = i + 1;
		for (i = N_RULES - 1; i > 0; i--) {
			int j = rand() % (i + 1);
			uint16_t t = number_perm[i];

			number_perm[i] = number_perm[j];
			number_perm[j] = t;
		}
		for (i = 0; i < N_RULES; i++) {
			int kind = rand() % 6;
			uint8_t len = 8 + rand() % 25;
			uint32_t addr = IP(10, rand() % 4, rand() % 4, rand() % 256);
			uint16_t lo = rand() % 2048, hi = lo + rand() % 512;

			addr &= UINT32_MAX << (32 - len);
			switch (kind) {
			case 0:
				rules[i] = rule(0, rand() & 1, ALL, 0, 65535, addr, len);
				break;
			case 1:
			case 2:
				rules[i] = rule(0, rand() & 1, TCP, lo, hi, addr, len);
				break;
			case 3:
				rules[i] = rule(0, rand() & 1, UDP, lo, hi, addr, len);
				break;
			case 4:
				rules[i] = rule_icmp(0, rand() & 1, rand() % 3 ? rand() % 12 : -1,
						     rand() % 2 ? rand() % 5 : -1);
				rules[i].cidr.addr = addr;
				rules[i].cidr.len = len;
				break;
			default:
				rules[i] = rule(0, rand() & 1, GRE, 0, 65535, addr, len);
				break;
			}
			rules[i].number = number_perm[i] * 100;
		}
		/* One catch-all rule in two rounds, none in the others (implicit deny). */
		if (round < 2)
			rules[N_RULES - 1] = rule(32766, true, ALL, 0, 65535, 0, 0);
		memset(&nacl, 0, sizeof(nacl));
		if (dir == FW_DIR_INGRESS) {
			nacl.ingress = rules;
			nacl.n_ingress = N_RULES;
		} else {
			nacl.egress = rules;
			nacl.n_egress = N_RULES;
		}
		ctx = build(&cfg, &nacl, 1);

		for (i = 0; i < N_KEYS; i++) {
			uint8_t proto = protos[rand() % 4];
			uint16_t sp = proto == ICMP ? rand() % 12 : rand() % 65536;
			uint16_t dp = proto == ICMP ? rand() % 5 : rand() % 2600;

			host[i][0] = IP(10, rand() % 4, rand() % 4, rand() % 256);
			host[i][1] = IP(10, rand() % 4, rand() % 4, rand() % 256);
			if (proto == GRE)
				sp = dp = 0;
			keys[i] = key(proto, host[i][0], host[i][1], sp, dp);
			kp[i] = &keys[i];
		}
		memset(verdict, 0xaa, sizeof(verdict));
		fw_nacl_classify(ctx, 0, dir, kp, verdict, N_KEYS);
		allowed = 0;
		for (i = 0; i < N_KEYS; i++) {
			int want = ref_eval(rules, N_RULES, dir, keys[i].proto, host[i][0],
					    host[i][1], ntohs(keys[i].sport), ntohs(keys[i].dport));

			if (verdict[i] != want)
				fail_msg("round %d key %d proto %u: got %u want %d", round, i,
					 keys[i].proto, verdict[i], want);
			allowed += want;
		}
		/* The data must exercise both outcomes for the comparison to mean anything. */
		assert_true(allowed > N_KEYS / 20 && allowed < N_KEYS - N_KEYS / 20);
		fw_nacl_free(ctx);
	}
}

int
main(int argc, char **argv)
{
	char prefix[64];
	char *eal[] = { "test", "--no-huge", "-m", "128", "--no-pci", "--file-prefix", prefix,
			"--log-level", "error" };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lowest_number_wins),
		cmocka_unit_test(test_implicit_deny),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_icmp),
		cmocka_unit_test(test_protocol_numbers),
		cmocka_unit_test(test_all),
		cmocka_unit_test(test_cidr_specificity_irrelevant),
		cmocka_unit_test(test_direction_address),
		cmocka_unit_test(test_empty_direction),
		cmocka_unit_test(test_build_errors),
		cmocka_unit_test(test_random_vs_reference),
	};
	int ret;

	snprintf(prefix, sizeof(prefix), "test_nacl_%d", (int)getpid());
	if (rte_eal_init(NELEM(eal), eal) < 0) {
		fprintf(stderr, "rte_eal_init failed\n");
		return 1;
	}
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	rte_eal_cleanup();
	return ret;
}
