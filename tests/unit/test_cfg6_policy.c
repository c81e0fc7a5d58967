/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the IPv6 policy keys (SPEC §7): NACL and security-group
 * rules with IPv6 CIDRs and icmpv6, interfaces[].address6, egress-only
 * internet gateways: what loads, the exact "file:line: path: problem" of
 * each mistake, and the IPv6 security-group evaluator (fw/sg6.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/cfg.h"
#include "fw/sg.h"

#include "cfg_test.h"

/* Lines 1..7, dual stack; a test's own text starts at line 8. */
#define BASE6 \
	"ports = ( { name = \"vpc\"; devargs = \"net_null0\"; address = \"10.0.0.1/16\"; },\n" \
	"  { name = \"inet\"; devargs = \"net_null1\"; address = \"198.51.100.1/24\";\n" \
	"    address6 = \"2001:db8:ffff::2/64\"; } );\n" \
	"vpc = { cidr = \"10.0.0.0/16\"; ipv6_cidr = \"2600:1f18:a:b00::/56\";\n" \
	"  subnets = ( { name = \"a\"; cidr = \"10.0.0.0/24\"; ipv6_cidr = \"2600:1f18:a:b00::/64\"; port = \"vpc\"; },\n" \
	"              { name = \"b\"; cidr = \"10.0.1.0/24\"; port = \"vpc\"; } ); };\n" \
	"internet_gateway = { port = \"inet\"; next_hop = \"198.51.100.254\"; next_hop6 = \"2001:db8:ffff::1\"; };\n"

/* Lines 8..: a NACL, a group and two interfaces with IPv6 parts. */
#define POLICY6 \
	"network_acls = ( { name = \"n\";\n" \
	"  ingress = ( { rule = 100; protocol = \"icmpv6\"; icmp_type = 128; cidr = \"::/0\"; action = \"allow\"; },\n" \
	"              { rule = 110; protocol = \"tcp\"; ports = \"22\"; cidr = \"2001:db8::/32\"; action = \"deny\"; },\n" \
	"              { rule = 120; protocol = \"all\"; cidr = \"0.0.0.0/0\"; action = \"allow\"; } ); } );\n" \
	"security_groups = ( { name = \"web\";\n" \
	"  ingress = ( { protocol = \"tcp\"; ports = \"80\"; source = \"::/0\"; },\n" \
	"              { protocol = \"icmpv6\"; source = \"2600:1f18:a:b00::/64\"; },\n" \
	"              { protocol = \"udp\"; ports = \"53\"; source = \"sg:web\"; },\n" \
	"              { protocol = \"tcp\"; ports = \"22\"; source = \"10.0.0.0/16\"; } );\n" \
	"  egress = ( { protocol = \"all\"; destination = \"::/0\"; } ); } );\n" \
	"interfaces = ( { address = \"10.0.0.10\"; address6 = \"2600:1f18:a:b00::10\"; security_groups = [ \"web\" ]; },\n" \
	"               { address = \"10.0.0.11\"; address6 = \"2600:1f18:a:b00::11\"; security_groups = [ \"web\" ]; } );\n" \
	"egress_only_internet_gateways = ( { name = \"e\"; } );\n" \
	"route_tables = ( { name = \"t\"; routes = ( { destination = \"::/0\"; target = \"egress-only-igw:e\"; } ); } );\n"

static void
test_policy6_valid(void **state)
{
	struct cfg *c;
	uint8_t a[16];

	(void)state;
	c = load_ok(BASE6 POLICY6);
	assert_int_equal(c->nacls[0].n_ingress, 3);
	assert_true(c->nacls[0].ingress[0].v6);
	assert_int_equal(c->nacls[0].ingress[0].proto, 58);
	assert_int_equal(c->nacls[0].ingress[0].icmp_type, 128);
	assert_int_equal(c->nacls[0].ingress[0].cidr6.len, 0);
	assert_true(c->nacls[0].ingress[1].v6);
	assert_int_equal(c->nacls[0].ingress[1].cidr6.len, 32);
	assert_false(c->nacls[0].ingress[2].v6);
	assert_true(c->sgs[0].ingress[0].v6);
	assert_false(c->sgs[0].ingress[2].v6);      /* sg:NAME: both families */
	assert_int_equal(c->sgs[0].ingress[2].sg, 0);
	assert_false(c->sgs[0].ingress[3].v6);
	assert_true(c->enis[0].has_addr6);
	assert_int_equal(cfg_parse_ipv6("2600:1f18:a:b00::10", a), 0);
	assert_memory_equal(c->enis[0].addr6, a, 16);
	assert_int_equal(c->n_eigws, 1);
	assert_string_equal(c->eigws[0].name, "e");
	assert_true(c->route_tables[0].routes[0].v6);
	assert_int_equal(c->route_tables[0].routes[0].kind, CFG_TARGET_EIGW);
	assert_int_equal(c->route_tables[0].routes[0].ref, 0);
	cfg_free(c);
}

static uint8_t *
a6(const char *s)
{
	static uint8_t buf[4][16];
	static int i;
	uint8_t *a = buf[i++ % 4];

	assert_int_equal(cfg_parse_ipv6(s, a), 0);
	return a;
}

/* fw/sg6.c on the configuration above: IPv6 rules for IPv6 only, ICMPv6,
 * sg:NAME by the peer's address6, ::/0 both ways untracked or not. */
static void
test_sg6_eval(void **state)
{
	struct cfg *c = load_ok(BASE6 POLICY6);
	struct fw_sg_ctx *ctx = fw_sg_build(c);
	const struct fw_sg6_ctx *x;
	struct fw_sg6_pkt p = { .proto = 6, .dport = 80 };
	int e, g = -1;

	(void)state;
	assert_non_null(ctx);
	x = fw_sg_v6(ctx);
	e = fw_sg6_eni_find(x, a6("2600:1f18:a:b00::11"));
	assert_int_equal(e, 1);
	assert_int_equal(fw_sg6_eni_find(x, a6("2600:1f18:a:b00::12")), -1);
	p.peer = a6("2001:db8::5");
	/* TCP 80 from ::/0 and egress all to ::/0: untracked, as for IPv4 */
	assert_int_equal(fw_sg6_check(x, e, FW_DIR_INGRESS, &p, &g), FW_SG_ALLOW_UNTRACKED);
	assert_int_equal(g, 0);
	p.dport = 22;       /* the TCP 22 rule is IPv4 (10.0.0.0/16) */
	assert_int_equal(fw_sg6_check(x, e, FW_DIR_INGRESS, &p, NULL), FW_SG_DENY);
	p.proto = 17;
	p.dport = 53;       /* sg:web: the peer is ENI 0 by its address6 */
	assert_int_equal(fw_sg6_check(x, e, FW_DIR_INGRESS, &p, NULL), FW_SG_DENY);
	p.peer = a6("2600:1f18:a:b00::10");
	assert_int_equal(fw_sg6_check(x, e, FW_DIR_INGRESS, &p, NULL), FW_SG_ALLOW_TRACKED);
	p.proto = 58;
	p.icmp_type = 128;
	assert_int_equal(fw_sg6_check(x, e, FW_DIR_INGRESS, &p, NULL), FW_SG_ALLOW_TRACKED);
	p.peer = a6("2600:1f18:a:b01::10");  /* outside b00::/64 */
	assert_int_equal(fw_sg6_check(x, e, FW_DIR_INGRESS, &p, NULL), FW_SG_DENY);
	/* egress all to ::/0 */
	p.proto = 17;
	assert_int_equal(fw_sg6_check(x, e, FW_DIR_EGRESS, &p, NULL), FW_SG_ALLOW_TRACKED);
	fw_sg_free(ctx);
	cfg_free(c);
}

static void
test_policy6_errors(void **state)
{
	(void)state;
	EXPECT(BASE6
		"network_acls = ( { name = \"n\";\n"
		"  ingress = ( { rule = 100; protocol = \"all\"; cidr = \"2600::/200\"; action = \"allow\"; },\n"
		"              { rule = 110; protocol = \"all\"; cidr = \"2600:1f18::1/32\"; action = \"allow\"; },\n"
		"              { rule = 120; protocol = \"icmpv6\"; cidr = \"0.0.0.0/0\"; action = \"allow\"; },\n"
		"              { rule = 130; protocol = \"icmp\"; cidr = \"::/0\"; action = \"allow\"; } ); } );\n"
		"security_groups = ( { name = \"s\"; ingress = ( { protocol = \"tcp\"; source = \"2600::zz/64\"; } );\n"
		"  egress = ( { protocol = \"icmpv6\"; destination = \"10.0.0.0/8\"; } ); } );\n"
		"interfaces = ( { address = \"10.0.0.10\"; address6 = \"2600:1f18:a:b09::10\"; security_groups = [ \"s\" ]; },\n"
		"  { address = \"10.0.1.10\"; address6 = \"2600:1f18:a:b00::10\"; security_groups = [ \"s\" ]; },\n"
		"  { address = \"10.0.0.11\"; address6 = \"2600:1f18:a:b00::1\"; security_groups = [ \"s\" ]; },\n"
		"  { address = \"10.0.0.12\"; address6 = \"2600:1f18:a:b00::12\"; security_groups = [ \"s\" ]; },\n"
		"  { address = \"10.0.0.13\"; address6 = \"2600:1f18:a:b00::12\"; security_groups = [ \"s\" ]; } );\n"
		"egress_only_internet_gateways = ( { name = \"e\"; } );\n"
		"route_tables = ( { name = \"t\"; routes = ( { destination = \"::/0\"; target = \"egress-only-igw:x\"; },\n"
		"  { destination = \"0.0.0.0/0\"; target = \"egress-only-igw:e\"; },\n"
		"  { destination = \"2600:1f18:a:b00::/64\"; target = \"egress-only-igw:e\"; } ); } );\n",
		"t.cfg:9: network_acls[0].ingress[0].cidr: bad IPv6 CIDR \"2600::/200\"",
		"t.cfg:10: network_acls[0].ingress[1].cidr: bad IPv6 CIDR \"2600:1f18::1/32\": host bits set (network is 2600:1f18::/32)",
		"t.cfg:11: network_acls[0].ingress[2].cidr: protocol icmpv6 needs an IPv6 CIDR",
		"t.cfg:12: network_acls[0].ingress[3].cidr: protocol icmp needs an IPv4 CIDR (icmpv6 for IPv6)",
		"t.cfg:13: security_groups[0].ingress[0].source: bad IPv6 CIDR \"2600::zz/64\"",
		"t.cfg:14: security_groups[0].egress[0].destination: protocol icmpv6 needs an IPv6 CIDR",
		"t.cfg:15: interfaces[0].address6: address6 2600:1f18:a:b09::10 is in no subnet's ipv6_cidr",
		"t.cfg:16: interfaces[1].address6: address6 2600:1f18:a:b00::10 is in subnet \"a\", address in \"b\": an interface belongs to one subnet",
		"t.cfg:17: interfaces[2].address6: address6 2600:1f18:a:b00::1 is reserved (the subnet's network or router address)",
		"t.cfg:19: interfaces[4].address6: address6 2600:1f18:a:b00::12 is already used by interface at line 18",
		"t.cfg:21: route_tables[0].routes[0].target: unknown egress-only internet gateway \"x\"",
		"t.cfg:22: route_tables[0].routes[1].target: an egress-only internet gateway carries IPv6 only: not a target for an IPv4 destination",
		"t.cfg:23: route_tables[0].routes[2].target: egress-only-igw cannot be the target of 2600:1f18:a:b00::/64, inside the VPC ipv6_cidr 2600:1f18:a:b00::/56");
}

/* an egress-only gateway sends through the internet gateway to next_hop6 */
static void
test_eigw_needs_next_hop6(void **state)
{
	(void)state;
	EXPECT("ports = ( { name = \"vpc\"; devargs = \"net_null0\"; address = \"10.0.0.1/16\"; },\n"
		"  { name = \"inet\"; devargs = \"net_null1\"; address = \"198.51.100.1/24\"; } );\n"
		"vpc = { cidr = \"10.0.0.0/16\"; ipv6_cidr = \"2600:1f18:a:b00::/56\";\n"
		"  subnets = ( { name = \"a\"; cidr = \"10.0.0.0/24\"; ipv6_cidr = \"2600:1f18:a:b00::/64\"; port = \"vpc\"; } ); };\n"
		"internet_gateway = { port = \"inet\"; next_hop = \"198.51.100.254\"; };\n"
		"egress_only_internet_gateways = ( { name = \"e\"; } );\n"
		"route_tables = ( { name = \"t\"; routes = ( { destination = \"::/0\"; target = \"egress-only-igw:e\"; } ); } );\n",
		"t.cfg:6: egress_only_internet_gateways: egress-only internet gateways send through the internet gateway: internet_gateway.next_hop6 is required",
		"t.cfg:7: route_tables[0].routes[0].target: target \"egress-only-igw\" for IPv6 destination ::/0 needs internet_gateway.next_hop6");
}

/* examples/ipv6.cfg loads without a message (the unit tests run in the source root) */
static void
test_example_ipv6(void **state)
{
	struct errs e = { 0 };
	struct cfg *c = NULL;

	(void)state;
	assert_int_equal(cfg_load("examples/ipv6.cfg", &c, collect, &e), 0);
	assert_non_null(c);
	assert_int_equal(c->n_eigws, 1);
	assert_true(c->enis[0].has_addr6);
	cfg_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy6_valid),
		cmocka_unit_test(test_sg6_eval),
		cmocka_unit_test(test_policy6_errors),
		cmocka_unit_test(test_eigw_needs_next_hop6),
		cmocka_unit_test(test_example_ipv6),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
