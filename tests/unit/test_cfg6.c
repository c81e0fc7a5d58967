/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the IPv6 configuration keys (config/cfg_ip6.c, SPEC §7):
 * what a valid dual-stack configuration loads to, and the exact
 * "file:line: path: problem" of each mistake.
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

static void
test_v6_valid(void **state)
{
	struct cfg *c;
	uint8_t a[16];

	(void)state;
	c = load_ok(BASE6
		"neighbors = ( { port = \"inet\"; address = \"2001:db8:ffff::1\"; mac = \"02:00:00:00:01:fe\"; },\n"
		"  { port = \"vpc\"; address = \"2600:1f18:a:b00::10\"; mac = \"0a:00:00:00:00:0a\"; },\n"
		"  { port = \"vpc\"; address = \"fe80::1\"; mac = \"0a:00:00:00:00:0b\"; },\n"
		"  { port = \"inet\"; address = \"198.51.100.254\"; mac = \"02:00:00:00:01:fe\"; } );\n"
		"route_tables = ( { name = \"t\"; routes = (\n"
		"  { destination = \"0.0.0.0/0\"; target = \"igw\"; },\n"
		"  { destination = \"::/0\"; target = \"igw\"; },\n"
		"  { destination = \"2600:1f18:a:b00::/60\"; target = \"blackhole\"; },\n"
		"  { destination = \"2001:db8::/32\"; target = \"blackhole\"; } ); } );\n");
	assert_true(c->has_vpc6);
	assert_int_equal(c->vpc_cidr6.len, 56);
	assert_int_equal(cfg_parse_ipv6("2600:1f18:a:b00::", a), 0);
	assert_memory_equal(c->vpc_cidr6.addr, a, 16);
	assert_true(c->subnets[0].has_v6);
	assert_false(c->subnets[1].has_v6);
	assert_int_equal(c->subnets[0].cidr6.len, 64);
	assert_false(c->ports[0].has_addr6);
	assert_true(c->ports[1].has_addr6);
	assert_int_equal(c->ports[1].plen6, 64);
	assert_true(c->igw.has_next_hop6);
	assert_int_equal(cfg_parse_ipv6("2001:db8:ffff::1", a), 0);
	assert_memory_equal(c->igw.next_hop6, a, 16);
	assert_int_equal(c->n_neighbors, 4);
	assert_true(c->neighbors[0].v6 && c->neighbors[1].v6 && c->neighbors[2].v6);
	assert_false(c->neighbors[3].v6);
	assert_int_equal(c->route_tables[0].n_routes, 4);
	assert_false(c->route_tables[0].routes[0].v6);
	assert_true(c->route_tables[0].routes[1].v6);
	assert_int_equal(c->route_tables[0].routes[1].dst6.len, 0);
	assert_int_equal(c->route_tables[0].routes[1].kind, CFG_TARGET_IGW);
	assert_int_equal(c->route_tables[0].routes[2].dst6.len, 60);
	cfg_free(c);
}

static void
test_v6_parse(void **state)
{
	struct cfg_prefix6 p;
	uint8_t a[16];

	(void)state;
	assert_int_equal(cfg_parse_ipv6("::1", a), 0);
	assert_int_equal(cfg_parse_ipv6("10.0.0.1", a), -EINVAL);
	assert_int_equal(cfg_parse_ipv6("fe80::1%eth0", a), -EINVAL);
	assert_int_equal(cfg_parse_ipv6("2001:db8::g", a), -EINVAL);
	assert_int_equal(cfg_parse_prefix6("2001:db8::/32", &p), 0);
	assert_int_equal(p.len, 32);
	assert_int_equal(cfg_parse_prefix6("2001:db8::1/32", &p), -EDOM);
	assert_int_equal(cfg_parse_prefix6("2001:db8::/129", &p), -EINVAL);
	assert_int_equal(cfg_parse_prefix6("2001:db8::/032", &p), -EINVAL);
	assert_int_equal(cfg_parse_prefix6("2001:db8::", &p), -EINVAL);
	assert_int_equal(cfg_parse_prefix6("::/0", &p), 0);
	assert_int_equal(cfg_parse_prefix6("2600:1f18:a:b00::/56", &p), 0);
	assert_int_equal(cfg_parse_ipv6("2600:1f18:a:bff::5", a), 0);
	assert_true(cfg_prefix6_contains(&p, a));
	assert_int_equal(cfg_parse_ipv6("2600:1f18:a:c00::5", a), 0);
	assert_false(cfg_prefix6_contains(&p, a));
}

static void
test_v6_subnet_errors(void **state)
{
	(void)state;
	EXPECT("ports = ( { name = \"vpc\"; devargs = \"net_null0\"; address = \"10.0.0.1/16\"; } );\n"
	       "vpc = { cidr = \"10.0.0.0/16\"; ipv6_cidr = \"2600:1f18:a:b00::/56\";\n"
	       "  subnets = ( { name = \"a\"; cidr = \"10.0.0.0/24\"; port = \"vpc\";\n"
	       "                ipv6_cidr = \"2600:1f18:a:c00::/64\"; },\n"
	       "              { name = \"b\"; cidr = \"10.0.1.0/24\"; port = \"vpc\";\n"
	       "                ipv6_cidr = \"2600:1f18:a:b00::/60\"; },\n"
	       "              { name = \"c\"; cidr = \"10.0.2.0/24\"; port = \"vpc\";\n"
	       "                ipv6_cidr = \"2600:1f18:a:b01::1/64\"; },\n"
	       "              { name = \"d\"; cidr = \"10.0.3.0/24\"; port = \"vpc\";\n"
	       "                ipv6_cidr = \"2600:1f18:a:b02::/64\"; },\n"
	       "              { name = \"e\"; cidr = \"10.0.4.0/24\"; port = \"vpc\";\n"
	       "                ipv6_cidr = \"2600:1f18:a:b02::/64\"; } ); };\n",
	       "t.cfg:4: vpc.subnets[0].ipv6_cidr: 2600:1f18:a:c00::/64 is outside the VPC "
	       "ipv6_cidr 2600:1f18:a:b00::/56",
	       "t.cfg:6: vpc.subnets[1].ipv6_cidr: 2600:1f18:a:b00::/60: a subnet's IPv6 CIDR is "
	       "a /64 of the VPC's 2600:1f18:a:b00::/56, as in AWS",
	       "t.cfg:8: vpc.subnets[2].ipv6_cidr: bad IPv6 CIDR \"2600:1f18:a:b01::1/64\": host "
	       "bits set (network is 2600:1f18:a:b01::/64)",
	       "t.cfg:12: vpc.subnets[4].ipv6_cidr: 2600:1f18:a:b02::/64 overlaps subnet \"d\" "
	       "(2600:1f18:a:b02::/64)");
	EXPECT("ports = ( { name = \"vpc\"; devargs = \"net_null0\"; address = \"10.0.0.1/16\"; } );\n"
	       "vpc = { cidr = \"10.0.0.0/16\"; ipv6_cidr = \"2600:1f18:a::/48\";\n"
	       "  subnets = ( { name = \"a\"; cidr = \"10.0.0.0/24\"; port = \"vpc\";\n"
	       "                ipv6_cidr = \"2600:1f18:a:b00::/64\"; } ); };\n",
	       "t.cfg:2: vpc.ipv6_cidr: prefix length /48: a VPC's IPv6 CIDR is a /56, as in AWS",
	       "t.cfg:4: vpc.subnets[0].ipv6_cidr: 2600:1f18:a:b00::/64 but the VPC has no valid "
	       "ipv6_cidr");
}

static void
test_v6_route_errors(void **state)
{
	(void)state;
	EXPECT(BASE6
	       "nat_gateways = ( { name = \"n\"; subnet = \"a\"; addresses = [ \"198.51.100.10\" ]; } );\n"
	       "route_tables = ( { name = \"t\"; routes = (\n"
	       "  { destination = \"::/0\"; target = \"igw\"; },\n"
	       "  { destination = \"::/0\"; target = \"blackhole\"; },\n"
	       "  { destination = \"2600:1f18:a:b00::/56\"; target = \"blackhole\"; },\n"
	       "  { destination = \"2600:1f18:a:b00::/64\"; target = \"igw\"; },\n"
	       "  { destination = \"2001:db8::/32\"; target = \"local\"; },\n"
	       "  { destination = \"2001:db8:64::/96\"; target = \"nat-gateway:n\"; },\n"
	       "  { destination = \"2001:db8::1/32\"; target = \"blackhole\"; } ); } );\n",
	       "t.cfg:11: route_tables[0].routes[1].destination: duplicate destination ::/0 (first "
	       "at line 10)",
	       "t.cfg:12: route_tables[0].routes[2].destination: 2600:1f18:a:b00::/56 is the VPC "
	       "ipv6_cidr: only the implicit local route may use it",
	       "t.cfg:13: route_tables[0].routes[3].target: igw cannot be the target of "
	       "2600:1f18:a:b00::/64, inside the VPC ipv6_cidr 2600:1f18:a:b00::/56",
	       "t.cfg:14: route_tables[0].routes[4].target: target \"local\" needs a destination "
	       "inside the VPC ipv6_cidr 2600:1f18:a:b00::/56",
	       "t.cfg:15: route_tables[0].routes[5].target: target nat-gateway for IPv6 "
	       "destination 2001:db8:64::/96: NAT64 translates destinations inside "
	       "64:ff9b::/96 only (RFC 6052 well-known prefix)",
	       "t.cfg:16: route_tables[0].routes[6].destination: bad IPv6 CIDR \"2001:db8::1/32\": "
	       "host bits set (network is 2001:db8::/32)");
	/* an IPv6 route to igw needs next_hop6 */
	EXPECT("ports = ( { name = \"vpc\"; devargs = \"net_null0\"; address = \"10.0.0.1/16\"; },\n"
	       "  { name = \"inet\"; devargs = \"net_null1\"; address = \"198.51.100.1/24\"; } );\n"
	       "vpc = { cidr = \"10.0.0.0/16\"; };\n"
	       "internet_gateway = { port = \"inet\"; next_hop = \"198.51.100.254\"; };\n"
	       "route_tables = ( { name = \"t\"; routes = (\n"
	       "  { destination = \"::/0\"; target = \"igw\"; } ); } );\n",
	       "t.cfg:6: route_tables[0].routes[0].target: target \"igw\" for IPv6 destination ::/0 "
	       "needs internet_gateway.next_hop6");
}

/* NAT64 (SPEC §7): nat-gateway is a target for IPv6 destinations inside
 * 64:ff9b::/96 (the whole /96 or a longer prefix of it), for no other. */
static void
test_v6_nat64(void **state)
{
	struct cfg *c;

	(void)state;
	c = load_ok(BASE6
		"nat_gateways = ( { name = \"n\"; subnet = \"a\"; addresses = [ \"198.51.100.10\" ]; } );\n"
		"route_tables = ( { name = \"t\"; routes = (\n"
		"  { destination = \"64:ff9b::/96\"; target = \"nat-gateway:n\"; },\n"
		"  { destination = \"64:ff9b::c633:6400/120\"; target = \"nat-gateway:n\"; },\n"
		"  { destination = \"0.0.0.0/0\"; target = \"nat-gateway:n\"; } ); } );\n");
	assert_true(c->route_tables[0].routes[0].v6);
	assert_int_equal(c->route_tables[0].routes[0].kind, CFG_TARGET_NAT);
	assert_int_equal(c->route_tables[0].routes[0].ref, 0);
	assert_int_equal(c->route_tables[0].routes[0].dst6.len, 96);
	assert_int_equal(c->route_tables[0].routes[1].kind, CFG_TARGET_NAT);
	assert_int_equal(c->route_tables[0].routes[1].dst6.len, 120);
	cfg_free(c);
	EXPECT(BASE6
	       "nat_gateways = ( { name = \"n\"; subnet = \"a\"; addresses = [ \"198.51.100.10\" ]; } );\n"
	       "route_tables = ( { name = \"t\"; routes = (\n"
	       "  { destination = \"::/0\"; target = \"nat-gateway:n\"; },\n"
	       "  { destination = \"64:ff9b::/64\"; target = \"nat-gateway:n\"; },\n"
	       "  { destination = \"64:ff9b:1::/96\"; target = \"nat-gateway:n\"; },\n"
	       "  { destination = \"64:ff9b::/96\"; target = \"nat-gateway:m\"; } ); } );\n",
	       "t.cfg:10: route_tables[0].routes[0].target: target nat-gateway for IPv6 "
	       "destination ::/0: NAT64 translates destinations inside 64:ff9b::/96 only (RFC "
	       "6052 well-known prefix)",
	       "t.cfg:11: route_tables[0].routes[1].target: target nat-gateway for IPv6 "
	       "destination 64:ff9b::/64: NAT64 translates destinations inside 64:ff9b::/96 "
	       "only (RFC 6052 well-known prefix)",
	       "t.cfg:12: route_tables[0].routes[2].target: target nat-gateway for IPv6 "
	       "destination 64:ff9b:1::/96: NAT64 translates destinations inside 64:ff9b::/96 "
	       "only (RFC 6052 well-known prefix)",
	       "t.cfg:13: route_tables[0].routes[3].target: unknown NAT gateway \"m\"");
}

static void
test_v6_port_neighbor_errors(void **state)
{
	(void)state;
	EXPECT("ports = ( { name = \"vpc\"; devargs = \"net_null0\"; address = \"10.0.0.1/16\";\n"
	       "    address6 = \"fe80::1/64\"; },\n"
	       "  { name = \"inet\"; devargs = \"net_null1\"; address = \"198.51.100.1/24\";\n"
	       "    address6 = \"2001:db8:ffff::/64\"; },\n"
	       "  { name = \"x\"; devargs = \"net_null2\"; address = \"192.168.0.1/24\";\n"
	       "    address6 = \"2001:db8::2\"; } );\n"
	       "neighbors = ( { port = \"vpc\"; address = \"2001:db8:5::1\"; mac = \"02:00:00:00:00:09\"; },\n"
	       "  { port = \"vpc\"; address = \"ff02::1\"; mac = \"02:00:00:00:00:09\"; } );\n"
	       "vpc = { cidr = \"10.0.0.0/16\"; ipv6_cidr = \"2600:1f18:a:b00::/56\"; };\n"
	       "internet_gateway = { port = \"x\"; next_hop = \"192.168.0.254\"; next_hop6 = \"2001:db8::1\"; };\n",
	       "t.cfg:2: ports[0].address6: fe80::1/64 is link-local: not a port address",
	       "t.cfg:4: ports[1].address6: 2001:db8:ffff::/64 is the subnet-router anycast address "
	       "of its prefix",
	       "t.cfg:6: ports[2].address6: bad interface address \"2001:db8::2\" (expected an IPv6 "
	       "address/len)",
	       "t.cfg:7: neighbors[0].address: 2001:db8:5::1 is not on port \"vpc\" (neither "
	       "link-local, on its address6 prefix, nor in an IPv6 subnet of the port)",
	       "t.cfg:8: neighbors[1].address: ff02::1 is multicast: not a neighbor address",
	       "t.cfg:10: internet_gateway.next_hop6: next_hop6 but port \"x\" has no address6");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v6_valid),
		cmocka_unit_test(test_v6_parse),
		cmocka_unit_test(test_v6_subnet_errors),
		cmocka_unit_test(test_v6_route_errors),
		cmocka_unit_test(test_v6_nat64),
		cmocka_unit_test(test_v6_port_neighbor_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
