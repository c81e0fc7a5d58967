/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Security-group evaluator (fw/sg.c) against SPEC §4 "Security group".
 * Each test builds its own small struct cfg in C.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config/cfg.h"
#include "fw/sg.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

#define TCP 6
#define UDP 17
#define ICMP 1
#define GRE 47
#define ALL CFG_PROTO_ALL

static struct cfg_rule
rule_cidr(uint16_t proto, uint16_t lo, uint16_t hi, uint32_t addr, uint8_t len)
{
	struct cfg_rule r = {
		.proto = proto, .port_lo = lo, .port_hi = hi, .icmp_type = -1, .icmp_code = -1,
		.cidr = { .addr = addr, .len = len }, .sg = -1, .allow = true,
	};
	return r;
}

static struct cfg_rule
rule_sg(uint16_t proto, uint16_t lo, uint16_t hi, int sg)
{
	struct cfg_rule r = rule_cidr(proto, lo, hi, 0, 0);

	r.sg = sg;
	return r;
}

static struct cfg_rule
rule_icmp(int16_t type, int16_t code, uint32_t addr, uint8_t len)
{
	struct cfg_rule r = rule_cidr(ICMP, 0, 65535, addr, len);

	r.icmp_type = type;
	r.icmp_code = code;
	return r;
}

static void
sg_set(struct cfg_sg *sg, struct cfg_rule *in, int nin, struct cfg_rule *out, int nout)
{
	memset(sg, 0, sizeof(*sg));
	sg->ingress = in;
	sg->n_ingress = nin;
	sg->egress = out;
	sg->n_egress = nout;
	sg->timeouts.tcp_established = 432000;
	sg->timeouts.udp = 30;
	sg->timeouts.udp_stream = 180;
	sg->timeouts.other = 600;
}

static void
eni_set(struct cfg_eni *e, uint32_t addr, int n, const int *sgs)
{
	memset(e, 0, sizeof(*e));
	e->addr = addr;
	e->n_sgs = n;
	if (n > 0)
		memcpy(e->sgs, sgs, n * sizeof(int));
}

static struct fw_sg_pkt
pkt(uint8_t proto, uint32_t peer, uint16_t dport)
{
	struct fw_sg_pkt p = { .proto = proto, .peer = peer, .dport = dport };
	return p;
}

static struct fw_sg_pkt
pkt_icmp(uint32_t peer, uint8_t type, uint8_t code)
{
	struct fw_sg_pkt p = { .proto = ICMP, .peer = peer, .icmp_type = type, .icmp_code = code };
	return p;
}

static int
chk(const struct fw_sg_ctx *ctx, int eni, enum fw_dir dir, struct fw_sg_pkt p)
{
	return fw_sg_check(ctx, eni, dir, &p);
}

/* One ENI 10.0.1.10 with one group, given ingress and egress rules. */
static struct fw_sg_ctx *
one_eni(struct cfg *cfg, struct cfg_sg *sg, struct cfg_eni *eni,
	struct cfg_rule *in, int nin, struct cfg_rule *out, int nout)
{
	static const int g0[] = { 0 };

	memset(cfg, 0, sizeof(*cfg));
	sg_set(sg, in, nin, out, nout);
	eni_set(eni, IP(10, 0, 1, 10), 1, g0);
	cfg->sgs = sg;
	cfg->n_sgs = 1;
	cfg->enis = eni;
	cfg->n_enis = 1;
	return fw_sg_build(cfg);
}

static void
test_eni_find(void **state)
{
	struct cfg cfg = { 0 };
	struct cfg_sg sg;
	struct cfg_eni enis[7];
	const uint32_t addrs[] = { IP(10, 0, 2, 5), IP(10, 0, 1, 10), IP(192, 168, 0, 1),
				   IP(10, 0, 1, 11), IP(0, 0, 0, 1), IP(255, 255, 255, 254),
				   IP(10, 0, 1, 9) };
	static const int g0[] = { 0 };
	struct fw_sg_ctx *ctx;
	int i;

	sg_set(&sg, NULL, 0, NULL, 0);
	for (i = 0; i < NELEM(enis); i++)
		eni_set(&enis[i], addrs[i], 1, g0);
	cfg.sgs = &sg;
	cfg.n_sgs = 1;
	cfg.enis = enis;
	cfg.n_enis = NELEM(enis);
	ctx = fw_sg_build(&cfg);
	assert_non_null(ctx);
	for (i = 0; i < NELEM(enis); i++)
		assert_int_equal(fw_sg_eni_find(ctx, addrs[i]), i);
	assert_int_equal(fw_sg_eni_find(ctx, IP(10, 0, 1, 12)), -1);
	assert_int_equal(fw_sg_eni_find(ctx, 0), -1);
	assert_int_equal(fw_sg_eni_find(ctx, UINT32_MAX), -1);
	assert_int_equal(fw_sg_eni_find(ctx, IP(10, 0, 2, 4)), -1);
	/* Out-of-range ENI index: deny, never crash. */
	assert_int_equal(chk(ctx, -1, FW_DIR_INGRESS, pkt(TCP, 1, 80)), FW_SG_DENY);
	assert_int_equal(chk(ctx, NELEM(enis), FW_DIR_INGRESS, pkt(TCP, 1, 80)), FW_SG_DENY);
	fw_sg_free(ctx);

	/* No ENI at all. */
	memset(&cfg, 0, sizeof(cfg));
	ctx = fw_sg_build(&cfg);
	assert_non_null(ctx);
	assert_int_equal(fw_sg_eni_find(ctx, IP(10, 0, 1, 10)), -1);
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt(TCP, 1, 80)), FW_SG_DENY);
	fw_sg_free(ctx);
}

static void
test_ports(void **state)
{
	struct cfg cfg;
	struct cfg_sg sg;
	struct cfg_eni eni;
	struct cfg_rule in[] = {
		rule_cidr(TCP, 80, 80, 0, 0),
		rule_cidr(TCP, 8000, 8080, 0, 0),
		rule_cidr(UDP, 53, 53, 0, 0),
	};
	struct fw_sg_ctx *ctx = one_eni(&cfg, &sg, &eni, in, NELEM(in), NULL, 0);
	uint32_t peer = IP(203, 0, 113, 7);

	assert_non_null(ctx);
	assert_int_not_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt(TCP, peer, 80)), FW_SG_DENY);
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt(TCP, peer, 79)), FW_SG_DENY);
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt(TCP, peer, 81)), FW_SG_DENY);
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt(TCP, peer, 7999)), FW_SG_DENY);
	assert_int_not_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt(TCP, peer, 8000)), FW_SG_DENY);
	assert_int_not_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt(TCP, peer, 8042)), FW_SG_DENY);
	assert_int_not_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt(TCP, peer, 8080)), FW_SG_DENY);
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt(TCP, peer, 8081)), FW_SG_DENY);
	/* Protocols do not mix: UDP 80 and TCP 53 are not allowed. */
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt(UDP, peer, 80)), FW_SG_DENY);
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt(TCP, peer, 53)), FW_SG_DENY);
	assert_int_not_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt(UDP, peer, 53)), FW_SG_DENY);
	/* Ingress rules say nothing about egress; no egress rule: all egress denied. */
	assert_int_equal(chk(ctx, 0, FW_DIR_EGRESS, pkt(TCP, peer, 80)), FW_SG_DENY);
	assert_int_equal(chk(ctx, 0, FW_DIR_EGRESS, pkt(UDP, peer, 53)), FW_SG_DENY);
	fw_sg_free(ctx);
}

static void
test_protocols(void **state)
{
	struct cfg cfg;
	struct cfg_sg sg;
	struct cfg_eni eni;
	struct cfg_rule in[] = {
		rule_cidr(GRE, 0, 65535, IP(198, 51, 100, 0), 24),
		rule_cidr(ALL, 0, 65535, IP(10, 9, 0, 0), 16),
	};
	struct cfg_rule out[] = {
		/* ports of a non-TCP/UDP rule are ignored */
		rule_cidr(50, 0, 0, 0, 0),
	};
	struct fw_sg_ctx *ctx = one_eni(&cfg, &sg, &eni, in, NELEM(in), out, NELEM(out));
	uint32_t net = IP(198, 51, 100, 9), lan = IP(10, 9, 3, 4);

	assert_non_null(ctx);
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt(GRE, net, 0)), FW_SG_ALLOW_TRACKED);
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt(51, net, 0)), FW_SG_DENY);
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt(TCP, net, 0)), FW_SG_DENY);
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt_icmp(net, 8, 0)), FW_SG_DENY);
	/* "all" matches every protocol and every port / type. */
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt(TCP, lan, 1)), FW_SG_ALLOW_TRACKED);
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt(TCP, lan, 65535)), FW_SG_ALLOW_TRACKED);
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt(UDP, lan, 0)), FW_SG_ALLOW_TRACKED);
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt_icmp(lan, 3, 4)), FW_SG_ALLOW_TRACKED);
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt(GRE, lan, 0)), FW_SG_ALLOW_TRACKED);
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt(132, lan, 0)), FW_SG_ALLOW_TRACKED);
	assert_int_equal(chk(ctx, 0, FW_DIR_EGRESS, pkt(50, net, 1234)), FW_SG_ALLOW_TRACKED);
	assert_int_equal(chk(ctx, 0, FW_DIR_EGRESS, pkt(51, net, 0)), FW_SG_DENY);
	fw_sg_free(ctx);
}

static void
test_icmp(void **state)
{
	struct cfg cfg;
	struct cfg_sg sg;
	struct cfg_eni eni;
	struct cfg_rule in[] = {
		rule_icmp(8, -1, 0, 0),               /* echo request, any code */
		rule_icmp(3, 4, 0, 0),                /* frag needed only */
		rule_icmp(-1, -1, IP(10, 0, 0, 0), 8),  /* any ICMP from 10/8 */
	};
	struct fw_sg_ctx *ctx = one_eni(&cfg, &sg, &eni, in, NELEM(in), NULL, 0);
	uint32_t peer = IP(203, 0, 113, 7);

	assert_non_null(ctx);
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt_icmp(peer, 8, 0)), FW_SG_ALLOW_TRACKED);
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt_icmp(peer, 8, 7)), FW_SG_ALLOW_TRACKED);
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt_icmp(peer, 0, 0)), FW_SG_DENY);
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt_icmp(peer, 3, 4)), FW_SG_ALLOW_TRACKED);
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt_icmp(peer, 3, 3)), FW_SG_DENY);
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt_icmp(peer, 11, 0)), FW_SG_DENY);
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt_icmp(IP(10, 1, 2, 3), 11, 0)),
			 FW_SG_ALLOW_TRACKED);
	/* ICMP rules do not open TCP, whatever the port. */
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt(TCP, peer, 8)), FW_SG_DENY);
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt(TCP, IP(10, 1, 2, 3), 0)), FW_SG_DENY);
	fw_sg_free(ctx);
}

static void
test_cidr(void **state)
{
	struct cfg cfg;
	struct cfg_sg sg;
	struct cfg_eni eni;
	struct cfg_rule in[] = {
		rule_cidr(TCP, 22, 22, IP(192, 168, 10, 0), 24),
		rule_cidr(TCP, 22, 22, IP(172, 16, 0, 5), 32),
	};
	struct cfg_rule out[] = {
		rule_cidr(TCP, 443, 443, IP(10, 0, 0, 0), 8),
	};
	struct fw_sg_ctx *ctx = one_eni(&cfg, &sg, &eni, in, NELEM(in), out, NELEM(out));

	assert_non_null(ctx);
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt(TCP, IP(192, 168, 10, 0), 22)),
			 FW_SG_ALLOW_TRACKED);
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt(TCP, IP(192, 168, 10, 255), 22)),
			 FW_SG_ALLOW_TRACKED);
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt(TCP, IP(192, 168, 11, 0), 22)),
			 FW_SG_DENY);
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt(TCP, IP(192, 168, 9, 255), 22)),
			 FW_SG_DENY);
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt(TCP, IP(172, 16, 0, 5), 22)),
			 FW_SG_ALLOW_TRACKED);
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt(TCP, IP(172, 16, 0, 4), 22)),
			 FW_SG_DENY);
	/* Egress matches the destination against the rule CIDR. */
	assert_int_equal(chk(ctx, 0, FW_DIR_EGRESS, pkt(TCP, IP(10, 200, 1, 1), 443)),
			 FW_SG_ALLOW_TRACKED);
	assert_int_equal(chk(ctx, 0, FW_DIR_EGRESS, pkt(TCP, IP(11, 0, 0, 1), 443)), FW_SG_DENY);
	fw_sg_free(ctx);
}

/* Groups: 0 web, 1 bastion, 2 db; ENIs: .10 web, .11 bastion, .12 none(db only), .13 web+db. */
static void
test_sg_reference(void **state)
{
	struct cfg cfg = { 0 };
	struct cfg_sg sgs[3];
	struct cfg_eni enis[4];
	struct cfg_rule web_in[] = { rule_sg(TCP, 22, 22, 1), rule_cidr(TCP, 80, 80, 0, 0) };
	struct cfg_rule web_out[] = { rule_sg(TCP, 5432, 5432, 2) };
	struct cfg_rule db_in[] = { rule_sg(TCP, 5432, 5432, 0) };
	static const int gw[] = { 0 }, gb[] = { 1 }, gd[] = { 2 }, gwd[] = { 0, 2 };
	struct fw_sg_ctx *ctx;
	int web, bastion, db, both;

	sg_set(&sgs[0], web_in, NELEM(web_in), web_out, NELEM(web_out));
	sg_set(&sgs[1], NULL, 0, NULL, 0);
	sg_set(&sgs[2], db_in, NELEM(db_in), NULL, 0);
	eni_set(&enis[0], IP(10, 0, 1, 10), 1, gw);
	eni_set(&enis[1], IP(10, 0, 1, 11), 1, gb);
	eni_set(&enis[2], IP(10, 0, 1, 12), 1, gd);
	eni_set(&enis[3], IP(10, 0, 1, 13), 2, gwd);
	cfg.sgs = sgs;
	cfg.n_sgs = 3;
	cfg.enis = enis;
	cfg.n_enis = 4;
	ctx = fw_sg_build(&cfg);
	assert_non_null(ctx);
	web = fw_sg_eni_find(ctx, IP(10, 0, 1, 10));
	bastion = fw_sg_eni_find(ctx, IP(10, 0, 1, 11));
	db = fw_sg_eni_find(ctx, IP(10, 0, 1, 12));
	both = fw_sg_eni_find(ctx, IP(10, 0, 1, 13));
	assert_int_equal(web, 0);
	assert_int_equal(bastion, 1);

	/* SSH to web only from an ENI holding "bastion". */
	assert_int_equal(chk(ctx, web, FW_DIR_INGRESS, pkt(TCP, IP(10, 0, 1, 11), 22)),
			 FW_SG_ALLOW_TRACKED);
	assert_int_equal(chk(ctx, web, FW_DIR_INGRESS, pkt(TCP, IP(10, 0, 1, 12), 22)),
			 FW_SG_DENY);
	assert_int_equal(chk(ctx, web, FW_DIR_INGRESS, pkt(TCP, IP(10, 0, 1, 14), 22)),
			 FW_SG_DENY);
	/* A sg: rule is not a 0.0.0.0/0 rule, even though its cidr field is zero. */
	assert_int_equal(chk(ctx, web, FW_DIR_INGRESS, pkt(TCP, IP(8, 8, 8, 8), 22)),
			 FW_SG_DENY);
	assert_int_equal(chk(ctx, web, FW_DIR_INGRESS, pkt(TCP, IP(10, 0, 1, 11), 23)),
			 FW_SG_DENY);
	/* db accepts 5432 from any ENI holding web: .10, and .13 which also holds db. */
	assert_int_equal(chk(ctx, db, FW_DIR_INGRESS, pkt(TCP, IP(10, 0, 1, 10), 5432)),
			 FW_SG_ALLOW_TRACKED);
	assert_int_equal(chk(ctx, db, FW_DIR_INGRESS, pkt(TCP, IP(10, 0, 1, 13), 5432)),
			 FW_SG_ALLOW_TRACKED);
	assert_int_equal(chk(ctx, db, FW_DIR_INGRESS, pkt(TCP, IP(10, 0, 1, 11), 5432)),
			 FW_SG_DENY);
	/* Self reference: .13 holds web, so it may reach itself. */
	assert_int_equal(chk(ctx, both, FW_DIR_INGRESS, pkt(TCP, IP(10, 0, 1, 13), 5432)),
			 FW_SG_ALLOW_TRACKED);
	/* Egress sg: rule matches the destination ENI. */
	assert_int_equal(chk(ctx, web, FW_DIR_EGRESS, pkt(TCP, IP(10, 0, 1, 12), 5432)),
			 FW_SG_ALLOW_TRACKED);
	assert_int_equal(chk(ctx, web, FW_DIR_EGRESS, pkt(TCP, IP(10, 0, 1, 13), 5432)),
			 FW_SG_ALLOW_TRACKED);
	assert_int_equal(chk(ctx, web, FW_DIR_EGRESS, pkt(TCP, IP(10, 0, 1, 11), 5432)),
			 FW_SG_DENY);
	fw_sg_free(ctx);
}

/* More than 64 groups: the membership bitmap spans several words. */
static void
test_sg_reference_many_groups(void **state)
{
	struct cfg cfg = { 0 };
	struct cfg_sg sgs[130];
	struct cfg_eni enis[3];
	struct cfg_rule in[] = { rule_sg(UDP, 0, 65535, 129), rule_sg(UDP, 9, 9, 64) };
	static const int g0[] = { 0 }, ghi[] = { 1, 129 }, g64[] = { 64 };
	struct fw_sg_ctx *ctx;
	int i;

	for (i = 0; i < NELEM(sgs); i++)
		sg_set(&sgs[i], NULL, 0, NULL, 0);
	sg_set(&sgs[0], in, NELEM(in), NULL, 0);
	eni_set(&enis[0], IP(10, 0, 0, 20), 1, g0);
	eni_set(&enis[1], IP(10, 0, 0, 21), 2, ghi);
	eni_set(&enis[2], IP(10, 0, 0, 22), 1, g64);
	cfg.sgs = sgs;
	cfg.n_sgs = NELEM(sgs);
	cfg.enis = enis;
	cfg.n_enis = NELEM(enis);
	ctx = fw_sg_build(&cfg);
	assert_non_null(ctx);
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt(UDP, IP(10, 0, 0, 21), 7)),
			 FW_SG_ALLOW_TRACKED);
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt(UDP, IP(10, 0, 0, 22), 7)), FW_SG_DENY);
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt(UDP, IP(10, 0, 0, 22), 9)),
			 FW_SG_ALLOW_TRACKED);
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt(UDP, IP(10, 0, 0, 20), 9)), FW_SG_DENY);
	fw_sg_free(ctx);
}

/* An ENI with 5 groups is allowed what any one of them allows. */
static void
test_five_groups_union(void **state)
{
	struct cfg cfg = { 0 };
	struct cfg_sg sgs[6];
	struct cfg_eni enis[2];
	struct cfg_rule in[6][1];
	struct cfg_rule out[6][1];
	static const int five[] = { 0, 1, 2, 3, 4 }, sixth[] = { 5 };
	struct fw_sg_ctx *ctx;
	uint32_t peer = IP(100, 64, 0, 1);
	int i;

	for (i = 0; i < 6; i++) {
		in[i][0] = rule_cidr(TCP, 1000 + i, 1000 + i, 0, 0);
		out[i][0] = rule_cidr(UDP, 2000 + i, 2000 + i, IP(100, 64, 0, 0), 10);
		sg_set(&sgs[i], in[i], 1, out[i], 1);
		sgs[i].timeouts.tcp_established = 1000 + 10 * i;
		sgs[i].timeouts.udp = 30 + i;
		sgs[i].timeouts.udp_stream = 180 - i;
		sgs[i].timeouts.other = i == 2 ? 600 : 60;
	}
	eni_set(&enis[0], IP(10, 0, 3, 1), 5, five);
	eni_set(&enis[1], IP(10, 0, 3, 2), 1, sixth);
	cfg.sgs = sgs;
	cfg.n_sgs = 6;
	cfg.enis = enis;
	cfg.n_enis = 2;
	ctx = fw_sg_build(&cfg);
	assert_non_null(ctx);
	for (i = 0; i < 5; i++) {
		assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt(TCP, peer, 1000 + i)),
				 FW_SG_ALLOW_TRACKED);
		assert_int_equal(chk(ctx, 0, FW_DIR_EGRESS, pkt(UDP, peer, 2000 + i)),
				 FW_SG_ALLOW_TRACKED);
	}
	/* The sixth group is not the ENI's. */
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt(TCP, peer, 1005)), FW_SG_DENY);
	assert_int_equal(chk(ctx, 0, FW_DIR_EGRESS, pkt(UDP, peer, 2005)), FW_SG_DENY);
	assert_int_equal(chk(ctx, 1, FW_DIR_INGRESS, pkt(TCP, peer, 1005)), FW_SG_ALLOW_TRACKED);
	assert_int_equal(chk(ctx, 1, FW_DIR_INGRESS, pkt(TCP, peer, 1000)), FW_SG_DENY);

	/* Timeouts: per field, the largest over the ENI's groups. */
	const struct cfg_sg_timeouts *to = fw_sg_timeouts(ctx, 0);

	assert_non_null(to);
	assert_int_equal(to->tcp_established, 1040);
	assert_int_equal(to->udp, 34);
	assert_int_equal(to->udp_stream, 180);
	assert_int_equal(to->other, 600);
	to = fw_sg_timeouts(ctx, 1);
	assert_int_equal(to->tcp_established, 1050);
	assert_int_equal(to->udp, 35);
	assert_int_equal(to->udp_stream, 175);
	assert_int_equal(to->other, 60);
	fw_sg_free(ctx);
}

static void
test_timeouts_default(void **state)
{
	struct cfg cfg = { 0 };
	struct cfg_eni eni;
	struct fw_sg_ctx *ctx;
	const struct cfg_sg_timeouts *to;

	eni_set(&eni, IP(10, 0, 0, 5), 0, NULL);
	cfg.enis = &eni;
	cfg.n_enis = 1;
	ctx = fw_sg_build(&cfg);
	assert_non_null(ctx);
	to = fw_sg_timeouts(ctx, 0);
	assert_int_equal(to->tcp_established, 432000);
	assert_int_equal(to->udp, 30);
	assert_int_equal(to->udp_stream, 180);
	assert_int_equal(to->other, 600);
	/* No group: nothing allowed. */
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt(TCP, 1, 1)), FW_SG_DENY);
	assert_int_equal(chk(ctx, 0, FW_DIR_EGRESS, pkt(TCP, 1, 1)), FW_SG_DENY);
	fw_sg_free(ctx);
}

struct untracked_case {
	const char *name;
	struct cfg_rule in[3];
	int nin;
	struct cfg_rule out[3];
	int nout;
	enum fw_dir dir;
	struct fw_sg_pkt p;
	int want;
};

static void
test_untracked(void **state)
{
	const uint32_t inet = IP(203, 0, 113, 50);
	const struct untracked_case cases[] = {
		{ "in tcp 80 from 0/0, out all to 0/0",
		  { rule_cidr(TCP, 80, 80, 0, 0) }, 1, { rule_cidr(ALL, 0, 65535, 0, 0) }, 1,
		  FW_DIR_INGRESS, { TCP, inet, 80 }, FW_SG_ALLOW_UNTRACKED },
		{ "in udp 53 from 0/0, out all to 0/0",
		  { rule_cidr(UDP, 53, 53, 0, 0) }, 1, { rule_cidr(ALL, 0, 65535, 0, 0) }, 1,
		  FW_DIR_INGRESS, { UDP, inet, 53 }, FW_SG_ALLOW_UNTRACKED },
		{ "in tcp 80 from 10/8 (not 0/0), out all to 0/0",
		  { rule_cidr(TCP, 80, 80, IP(10, 0, 0, 0), 8) }, 1,
		  { rule_cidr(ALL, 0, 65535, 0, 0) }, 1,
		  FW_DIR_INGRESS, { TCP, IP(10, 1, 1, 1), 80 }, FW_SG_ALLOW_TRACKED },
		{ "in tcp 80 from 0/0, out tcp 0-65535 to 0/0",
		  { rule_cidr(TCP, 80, 80, 0, 0) }, 1, { rule_cidr(TCP, 0, 65535, 0, 0) }, 1,
		  FW_DIR_INGRESS, { TCP, inet, 80 }, FW_SG_ALLOW_UNTRACKED },
		{ "in udp 53 from 0/0, out tcp 0-65535 only: udp tracked",
		  { rule_cidr(UDP, 53, 53, 0, 0) }, 1, { rule_cidr(TCP, 0, 65535, 0, 0) }, 1,
		  FW_DIR_INGRESS, { UDP, inet, 53 }, FW_SG_ALLOW_TRACKED },
		{ "in tcp 80 from 0/0, out tcp 1-65535 (not all ports)",
		  { rule_cidr(TCP, 80, 80, 0, 0) }, 1, { rule_cidr(TCP, 1, 65535, 0, 0) }, 1,
		  FW_DIR_INGRESS, { TCP, inet, 80 }, FW_SG_ALLOW_TRACKED },
		{ "in tcp 80 from 0/0, out tcp 0-65534 (not all ports)",
		  { rule_cidr(TCP, 80, 80, 0, 0) }, 1, { rule_cidr(TCP, 0, 65534, 0, 0) }, 1,
		  FW_DIR_INGRESS, { TCP, inet, 80 }, FW_SG_ALLOW_TRACKED },
		{ "in tcp 80 from 0/0, out all to 10/8 (not 0/0)",
		  { rule_cidr(TCP, 80, 80, 0, 0) }, 1,
		  { rule_cidr(ALL, 0, 65535, IP(10, 0, 0, 0), 8) }, 1,
		  FW_DIR_INGRESS, { TCP, inet, 80 }, FW_SG_ALLOW_TRACKED },
		{ "in tcp 80 from 0/0, out all to sg:0 (not 0/0)",
		  { rule_cidr(TCP, 80, 80, 0, 0) }, 1, { rule_sg(ALL, 0, 65535, 0) }, 1,
		  FW_DIR_INGRESS, { TCP, inet, 80 }, FW_SG_ALLOW_TRACKED },
		{ "in tcp 80 from 0/0, no egress rule",
		  { rule_cidr(TCP, 80, 80, 0, 0) }, 1, { { 0 } }, 0,
		  FW_DIR_INGRESS, { TCP, inet, 80 }, FW_SG_ALLOW_TRACKED },
		{ "in icmp from 0/0, out all to 0/0: ICMP always tracked",
		  { rule_icmp(-1, -1, 0, 0) }, 1, { rule_cidr(ALL, 0, 65535, 0, 0) }, 1,
		  FW_DIR_INGRESS, { ICMP, inet, 0, 8, 0 }, FW_SG_ALLOW_TRACKED },
		{ "in all from 0/0, out all to 0/0: GRE always tracked",
		  { rule_cidr(ALL, 0, 65535, 0, 0) }, 1, { rule_cidr(ALL, 0, 65535, 0, 0) }, 1,
		  FW_DIR_INGRESS, { GRE, inet, 0 }, FW_SG_ALLOW_TRACKED },
		{ "in all from 0/0, out all to 0/0: TCP untracked",
		  { rule_cidr(ALL, 0, 65535, 0, 0) }, 1, { rule_cidr(ALL, 0, 65535, 0, 0) }, 1,
		  FW_DIR_INGRESS, { TCP, inet, 5555 }, FW_SG_ALLOW_UNTRACKED },
		{ "in: 10/8 rule listed before a 0/0 rule, both match: untracked",
		  { rule_cidr(TCP, 80, 80, IP(203, 0, 0, 0), 8), rule_cidr(TCP, 0, 65535, 0, 0) }, 2,
		  { rule_cidr(ALL, 0, 65535, 0, 0) }, 1,
		  FW_DIR_INGRESS, { TCP, inet, 80 }, FW_SG_ALLOW_UNTRACKED },
		{ "in: sg rule listed before a 0/0 rule, both match: untracked",
		  { rule_sg(TCP, 80, 80, 0), rule_cidr(TCP, 80, 80, 0, 0) }, 2,
		  { rule_cidr(ALL, 0, 65535, 0, 0) }, 1,
		  FW_DIR_INGRESS, { TCP, IP(10, 0, 1, 10), 80 }, FW_SG_ALLOW_UNTRACKED },
		{ "in: 0/0 rule on another port, packet matched by 10/8 only: tracked",
		  { rule_cidr(TCP, 443, 443, 0, 0), rule_cidr(TCP, 80, 80, IP(10, 0, 0, 0), 8) }, 2,
		  { rule_cidr(ALL, 0, 65535, 0, 0) }, 1,
		  FW_DIR_INGRESS, { TCP, IP(10, 2, 2, 2), 80 }, FW_SG_ALLOW_TRACKED },
		{ "egress tcp 443 to 0/0, in all from 0/0",
		  { rule_cidr(ALL, 0, 65535, 0, 0) }, 1, { rule_cidr(TCP, 443, 443, 0, 0) }, 1,
		  FW_DIR_EGRESS, { TCP, inet, 443 }, FW_SG_ALLOW_UNTRACKED },
		{ "egress udp 123 to 0/0, in udp 0-65535 from 0/0",
		  { rule_cidr(UDP, 0, 65535, 0, 0) }, 1, { rule_cidr(UDP, 123, 123, 0, 0) }, 1,
		  FW_DIR_EGRESS, { UDP, inet, 123 }, FW_SG_ALLOW_UNTRACKED },
		{ "egress tcp 443 to 0/0, in all from 10/8",
		  { rule_cidr(ALL, 0, 65535, IP(10, 0, 0, 0), 8) }, 1,
		  { rule_cidr(TCP, 443, 443, 0, 0) }, 1,
		  FW_DIR_EGRESS, { TCP, inet, 443 }, FW_SG_ALLOW_TRACKED },
		{ "egress tcp 443 to 0/0, in udp all ports 0/0 (other protocol)",
		  { rule_cidr(UDP, 0, 65535, 0, 0) }, 1, { rule_cidr(TCP, 443, 443, 0, 0) }, 1,
		  FW_DIR_EGRESS, { TCP, inet, 443 }, FW_SG_ALLOW_TRACKED },
		{ "egress all to 0/0, in tcp 80 from 0/0: the egress flow is tracked "
		  "(ingress does not allow all ports)",
		  { rule_cidr(TCP, 80, 80, 0, 0) }, 1, { rule_cidr(ALL, 0, 65535, 0, 0) }, 1,
		  FW_DIR_EGRESS, { TCP, inet, 80 }, FW_SG_ALLOW_TRACKED },
		{ "denied stays denied",
		  { rule_cidr(TCP, 80, 80, 0, 0) }, 1, { rule_cidr(ALL, 0, 65535, 0, 0) }, 1,
		  FW_DIR_INGRESS, { TCP, inet, 81 }, FW_SG_DENY },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct untracked_case *c = &cases[i];
		struct cfg_rule in[3], out[3];
		struct cfg cfg;
		struct cfg_sg sg;
		struct cfg_eni eni;
		struct fw_sg_ctx *ctx;
		int got;

		memcpy(in, c->in, sizeof(in));
		memcpy(out, c->out, sizeof(out));
		ctx = one_eni(&cfg, &sg, &eni, in, c->nin, out, c->nout);
		assert_non_null(ctx);
		got = fw_sg_check(ctx, 0, c->dir, &c->p);
		if (got != c->want)
			fail_msg("case %zu \"%s\": got %d, want %d", i, c->name, got, c->want);
		fw_sg_free(ctx);
	}
}

/* The reverse-direction rule may come from another group of the same ENI. */
static void
test_untracked_across_groups(void **state)
{
	struct cfg cfg = { 0 };
	struct cfg_sg sgs[3];
	struct cfg_eni enis[2];
	struct cfg_rule web_in[] = { rule_cidr(TCP, 443, 443, 0, 0) };
	struct cfg_rule open_out[] = { rule_cidr(ALL, 0, 65535, 0, 0) };
	static const int both[] = { 0, 1 }, web_only[] = { 0 };
	struct fw_sg_ctx *ctx;

	sg_set(&sgs[0], web_in, 1, NULL, 0);
	sg_set(&sgs[1], NULL, 0, open_out, 1);
	sg_set(&sgs[2], NULL, 0, NULL, 0);
	eni_set(&enis[0], IP(10, 0, 0, 10), 2, both);
	eni_set(&enis[1], IP(10, 0, 0, 11), 1, web_only);
	cfg.sgs = sgs;
	cfg.n_sgs = 3;
	cfg.enis = enis;
	cfg.n_enis = 2;
	ctx = fw_sg_build(&cfg);
	assert_non_null(ctx);
	assert_int_equal(chk(ctx, 0, FW_DIR_INGRESS, pkt(TCP, IP(1, 2, 3, 4), 443)),
			 FW_SG_ALLOW_UNTRACKED);
	assert_int_equal(chk(ctx, 1, FW_DIR_INGRESS, pkt(TCP, IP(1, 2, 3, 4), 443)),
			 FW_SG_ALLOW_TRACKED);
	assert_int_equal(chk(ctx, 0, FW_DIR_EGRESS, pkt(UDP, IP(1, 2, 3, 4), 53)),
			 FW_SG_ALLOW_TRACKED);
	assert_int_equal(chk(ctx, 1, FW_DIR_EGRESS, pkt(UDP, IP(1, 2, 3, 4), 53)), FW_SG_DENY);
	fw_sg_free(ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eni_find),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_protocols),
		cmocka_unit_test(test_icmp),
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_sg_reference),
		cmocka_unit_test(test_sg_reference_many_groups),
		cmocka_unit_test(test_five_groups_union),
		cmocka_unit_test(test_timeouts_default),
		cmocka_unit_test(test_untracked),
		cmocka_unit_test(test_untracked_across_groups),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
