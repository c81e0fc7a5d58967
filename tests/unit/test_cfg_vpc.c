/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of SPEC §8's configuration sections (config/cfg_vpc.c):
 * prefix lists, routes to "pl:NAME", gateway endpoints. Error tests assert
 * the exact messages, lines and paths (the user interface of --check).
 * BASE is five lines; a test's own text starts at line 6.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "config/cfg.h"

#include "cfg_test.h"

#define BASE \
	"ports = ( { name = \"vpc\"; devargs = \"net_null0\"; address = \"10.0.0.1/16\"; },\n" \
	"  { name = \"inet\"; devargs = \"net_null1\"; address = \"198.51.100.1/24\"; },\n" \
	"  { name = \"bb\"; devargs = \"net_null2\"; address = \"192.0.2.1/24\"; } );\n" \
	"vpc = { cidr = \"10.0.0.0/16\"; subnets = ( { name = \"a\"; cidr = \"10.0.0.0/24\"; port = \"vpc\"; route_table = \"rt\"; } ); };\n" \
	"internet_gateway = { port = \"inet\"; next_hop = \"198.51.100.254\"; };\n"

static void
test_valid(void **state)
{
	struct cfg *c;
	const struct cfg_route_table *t;

	(void)state;
	c = load_ok(BASE
		    "prefix_lists = ( { name = \"pl-s3\"; cidrs = [ \"52.216.0.0/15\", \"54.231.0.0/16\" ]; },\n"
		    "  { name = \"pl-x\"; cidrs = [ \"203.0.113.0/24\" ]; } );\n"
		    "route_tables = ( { name = \"rt\"; routes = (\n"
		    "  { destination = \"0.0.0.0/0\"; target = \"blackhole\"; },\n"
		    "  { destination = \"pl:pl-x\"; target = \"igw\"; } ); } );\n"
		    "gateway_endpoints = ( { name = \"vpce-s3\"; vpc = \"default\"; prefix_list = \"pl-s3\";\n"
		    "  port = \"bb\"; next_hop = \"192.0.2.9\"; route_tables = [ \"rt\" ]; } );\n");
	assert_int_equal(c->n_prefix_lists, 2);
	assert_int_equal(c->prefix_lists[0].n_cidrs, 2);
	assert_int_equal(c->prefix_lists[0].cidrs[1].addr, ip("54.231.0.0"));
	assert_int_equal(c->prefix_lists[0].cidrs[1].len, 16);
	assert_int_equal(c->n_gateway_endpoints, 1);
	assert_int_equal(c->gateway_endpoints[0].prefix_list, 0);
	assert_int_equal(c->gateway_endpoints[0].port, 2);
	assert_int_equal(c->gateway_endpoints[0].next_hop, ip("192.0.2.9"));
	t = &c->route_tables[0];
	/* the endpoint installed its route after the table's own two */
	assert_int_equal(t->n_routes, 3);
	assert_false(t->routes[0].has_pl);
	assert_true(t->routes[1].has_pl);
	assert_int_equal(t->routes[1].pl, 1);
	assert_int_equal(t->routes[1].kind, CFG_TARGET_IGW);
	assert_true(t->routes[2].has_pl);
	assert_int_equal(t->routes[2].pl, 0);
	assert_int_equal(t->routes[2].kind, CFG_TARGET_VPCE);
	assert_int_equal(t->routes[2].ref, 0);
	assert_int_equal(t->routes[2].line, 12);
	cfg_free(c);
}

static void
test_prefix_list_errors(void **state)
{
	(void)state;
	EXPECT(BASE
	       "route_tables = ( { name = \"rt\"; routes = (); } );\n"
	       "prefix_lists = ( { name = \"p1\"; cidrs = [ \"52.216.0.1/15\", \"bogus\",\n"
	       "  \"2600::/64\", \"1.2.3.0/24\", \"1.2.3.0/24\" ]; },\n"
	       "  { name = \"p2\"; cidrs = []; }, { name = \"p1\"; cidrs = [ \"1.0.0.0/8\" ]; } );\n",
	       "t.cfg:7: prefix_lists[0].cidrs[0]: bad CIDR \"52.216.0.1/15\": host bits set "
	       "(network is 52.216.0.0/15)",
	       "t.cfg:7: prefix_lists[0].cidrs[1]: bad CIDR \"bogus\"",
	       "t.cfg:8: prefix_lists[0].cidrs[2]: \"2600::/64\": IPv6 prefix lists are not "
	       "supported yet",
	       "t.cfg:8: prefix_lists[0].cidrs[4]: duplicate CIDR 1.2.3.0/24 in prefix list \"p1\"",
	       "t.cfg:9: prefix_lists[2].name: duplicate prefix list name \"p1\" (first at line 7)",
	       "t.cfg:9: prefix_lists[1].cidrs: a prefix list needs at least one CIDR");
}

static void
test_route_errors(void **state)
{
	(void)state;
	EXPECT(BASE
	       "prefix_lists = ( { name = \"pl-x\"; cidrs = [ \"203.0.113.0/24\" ]; },\n"
	       "  { name = \"pl-in\"; cidrs = [ \"8.8.8.0/24\", \"10.0.3.0/24\" ]; } );\n"
	       "route_tables = ( { name = \"rt\"; routes = (\n"
	       "  { destination = \"pl:nope\"; target = \"igw\"; },\n"
	       "  { destination = \"pl:pl-x\"; target = \"igw\"; },\n"
	       "  { destination = \"pl:pl-x\"; target = \"blackhole\"; },\n"
	       "  { destination = \"pl:pl-in\"; target = \"blackhole\"; } ); },\n"
	       "  { name = \"rt2\"; routes = ( { destination = \"pl:pl-x\"; target = \"local\"; } ); } );\n",
	       "t.cfg:9: route_tables[0].routes[0].destination: unknown prefix list \"nope\"",
	       "t.cfg:11: route_tables[0].routes[2].destination: duplicate destination pl:pl-x "
	       "(first at line 10)",
	       "t.cfg:12: route_tables[0].routes[3].destination: prefix list \"pl-in\" holds "
	       "10.0.3.0/24, inside the VPC cidr: the local route owns it",
	       "t.cfg:13: route_tables[1].routes[0].target: target \"local\" cannot take a prefix "
	       "list destination");
}

static void
test_endpoint_errors(void **state)
{
	(void)state;
	EXPECT(BASE
	       "prefix_lists = ( { name = \"pl-s3\"; cidrs = [ \"52.216.0.0/15\" ]; },\n"
	       "  { name = \"pl-b\"; cidrs = [ \"52.217.0.0/16\" ]; } );\n"
	       "route_tables = ( { name = \"rt\"; routes = ( { destination = \"pl:pl-s3\"; target = \"igw\"; } ); } );\n"
	       "gateway_endpoints = (\n"
	       "  { name = \"e0\"; vpc = \"prod\"; prefix_list = \"nope\"; port = \"bb\"; next_hop = \"192.0.2.9\"; },\n"
	       "  { name = \"e1\"; prefix_list = \"pl-s3\"; port = \"bb\"; next_hop = \"192.0.3.9\";\n"
	       "    route_tables = [ \"rt\", \"missing\" ]; },\n"
	       "  { name = \"e2\"; prefix_list = \"pl-b\"; port = \"vpc\"; next_hop = \"10.0.0.9\"; },\n"
	       "  { name = \"e3\"; prefix_list = \"pl-b\"; port = \"bb\"; next_hop = \"192.0.2.10\"; } );\n",
	       "t.cfg:10: gateway_endpoints[0].vpc: unknown VPC \"prod\"",
	       "t.cfg:10: gateway_endpoints[0].prefix_list: unknown prefix list \"nope\"",
	       "t.cfg:11: gateway_endpoints[1].next_hop: 192.0.3.9 is not on port \"bb\" "
	       "(192.0.2.1/24)",
	       "t.cfg:12: gateway_endpoints[1].route_tables[0]: route table \"rt\" already has a "
	       "route to pl:pl-s3 (line 8)",
	       "t.cfg:12: gateway_endpoints[1].route_tables[1]: unknown route table \"missing\"",
	       "t.cfg:13: gateway_endpoints[2].port: port \"vpc\" carries subnets: a gateway "
	       "endpoint needs a port of its own (its return traffic is told apart by port)",
	       "t.cfg:14: gateway_endpoints[3].prefix_list: prefix list \"pl-b\" overlaps \"pl-s3\" of "
	       "gateway endpoint \"e1\" on the same port");
}

#define VPCS_PORTS \
	"ports = ( { name = \"p1\"; devargs = \"net_null0\"; address = \"192.168.1.1/24\"; },\n" \
	"  { name = \"p2\"; devargs = \"net_null1\"; address = \"192.168.2.1/24\"; } );\n"

static void
test_vpcs_valid(void **state)
{
	struct cfg *c;

	(void)state;
	c = load_ok(VPCS_PORTS
		    "vpcs = ( { name = \"prod\"; cidr = \"10.0.0.0/16\"; subnets = (\n"
		    "    { name = \"pa\"; cidr = \"10.0.1.0/24\"; port = \"p1\"; route_table = \"rp\"; vlan = 10; } ); },\n"
		    "  { name = \"dev\"; cidr = \"10.0.0.0/16\"; subnets = (\n"
		    "    { name = \"da\"; cidr = \"10.0.1.0/24\"; port = \"p1\"; route_table = \"rd\"; vlan = 20; },\n"
		    "    { name = \"db\"; cidr = \"10.0.2.0/24\"; port = \"p2\"; } ); } );\n"
		    "route_tables = ( { name = \"rp\"; routes = ( { destination = \"10.0.1.0/24\"; target = \"local\"; } ); },\n"
		    "  { name = \"rd\"; routes = (); } );\n");
	assert_int_equal(c->n_vpcs, 2);
	assert_string_equal(c->vpcs[1].name, "dev");
	assert_int_equal(c->n_subnets, 3);
	assert_int_equal(c->subnets[0].vpc, 0);
	assert_int_equal(c->subnets[0].vlan, 10);
	assert_int_equal(c->subnets[1].vpc, 1);
	assert_int_equal(c->subnets[1].vlan, 20);
	assert_int_equal(c->subnets[2].vpc, 1);
	assert_int_equal(c->subnets[2].vlan, 0);
	assert_string_equal(c->subnets[2].name, "db");
	assert_int_equal(c->vpc_cidr.addr, ip("10.0.0.0"));
	cfg_free(c);
	/* one VPC of the list dual stack: its /56 and its subnets' /64s */
	c = load_ok(VPCS_PORTS
		    "vpcs = ( { name = \"v4\"; cidr = \"10.0.0.0/16\"; subnets = (\n"
		    "    { name = \"a\"; cidr = \"10.0.1.0/24\"; port = \"p1\"; } ); },\n"
		    "  { name = \"ds\"; cidr = \"10.1.0.0/16\"; ipv6_cidr = \"2600:1f18:a:b00::/56\"; subnets = (\n"
		    "    { name = \"b\"; cidr = \"10.1.1.0/24\"; ipv6_cidr = \"2600:1f18:a:b01::/64\"; port = \"p2\"; } ); } );\n");
	assert_true(c->has_vpc6);
	assert_int_equal(c->vpc6, 1);
	assert_false(c->subnets[0].has_v6);
	assert_true(c->subnets[1].has_v6);
	cfg_free(c);
	/* `vpc = {...}` is one VPC named "default" */
	c = load_ok(BASE "route_tables = ( { name = \"rt\"; routes = (); } );\n");
	assert_int_equal(c->n_vpcs, 1);
	assert_string_equal(c->vpcs[0].name, "default");
	assert_int_equal(c->vpcs[0].cidr.addr, ip("10.0.0.0"));
	assert_int_equal(c->vpcs[0].cidr.len, 16);
	assert_int_equal(c->subnets[0].vpc, 0);
	cfg_free(c);
}

static void
test_vpcs_errors(void **state)
{
	(void)state;
	EXPECT(VPCS_PORTS
	       "vpc = { cidr = \"10.9.0.0/16\"; };\n"
	       "vpcs = ( { name = \"x\"; cidr = \"10.0.0.0/16\"; } );\n",
	       "t.cfg:4: vpcs: both `vpc` and `vpcs`: `vpc = {...}` is the one VPC \"default\"; "
	       "list it in `vpcs` instead");
	EXPECT(VPCS_PORTS
	       "vpcs = ( { name = \"prod\"; cidr = \"10.0.0.0/16\"; subnets = (\n"
	       "    { name = \"pa\"; cidr = \"10.0.1.0/24\"; port = \"p1\"; route_table = \"rt\"; network_acl = \"n\"; vlan = 10; },\n"
	       "    { name = \"pb\"; cidr = \"10.0.2.0/24\"; port = \"p1\"; vlan = 4095; } ); },\n"
	       "  { name = \"dev\"; cidr = \"10.0.0.0/16\"; ipv6_cidr = \"2600:1f18:a:b00::/56\"; subnets = (\n"
	       "    { name = \"da\"; cidr = \"10.0.1.0/24\"; port = \"p1\"; vlan = 10; },\n"
	       "    { name = \"pa\"; cidr = \"10.0.5.0/24\"; port = \"p2\"; route_table = \"rt\"; network_acl = \"n\"; } ); } );\n"
	       "route_tables = ( { name = \"rt\"; routes = ( { destination = \"0.0.0.0/0\"; target = \"nat-gateway:ng\"; } ); } );\n"
	       "network_acls = ( { name = \"n\"; ingress = (); egress = (); } );\n"
	       "security_groups = ( { name = \"sg\"; ingress = (); egress = (); } );\n"
	       "interfaces = ( { address = \"10.0.1.10\"; security_groups = [ \"sg\" ]; },\n"
	       "  { address = \"10.0.5.10\"; security_groups = [ \"sg\" ]; } );\n"
	       "nat_gateways = ( { name = \"ng\"; subnet = \"da\"; addresses = [ \"203.0.113.1\" ]; } );\n",
	       "t.cfg:5: vpcs[0].subnets[1].vlan: 4095 is out of range 1..4094",
	       "t.cfg:6: vpcs[1].ipv6_cidr: VPC \"dev\" overlaps another: IPv6 in an overlapping VPC "
	       "is not built yet",
	       "t.cfg:7: vpcs[1].subnets[0].cidr: 10.0.1.0/24 overlaps subnet \"pa\" (10.0.1.0/24)",
	       "t.cfg:8: vpcs[1].subnets[1].name: duplicate subnet name \"pa\" (first at line 4): "
	       "names are global over the VPCs",
	       "t.cfg:8: vpcs[1].subnets[1].route_table: route table \"rt\" belongs to VPC \"prod\" "
	       "(used there first), not to VPC \"dev\": an object belongs to one VPC",
	       "t.cfg:8: vpcs[1].subnets[1].network_acl: network ACL \"n\" belongs to VPC \"prod\" "
	       "(used there first), not to VPC \"dev\": an object belongs to one VPC",
	       "t.cfg:9: route_tables[0].routes[0].target: target in VPC \"dev\", but route table "
	       "\"rt\" belongs to VPC \"prod\"",
	       "t.cfg:13: interfaces[1].security_groups[0]: security group \"sg\" belongs to VPC "
	       "\"prod\" (used there first), not to VPC \"dev\": an object belongs to one VPC",
	       "t.cfg:14: nat_gateways[0]: a NAT gateway needs an internet_gateway");
}

/* A public address inside any VPC of `vpcs`, not only the first */
static void
test_vpcs_public_errors(void **state)
{
	(void)state;
	EXPECT(VPCS_PORTS
	       "vpcs = ( { name = \"a\"; cidr = \"10.0.0.0/16\"; subnets = (\n"
	       "    { name = \"sa\"; cidr = \"10.0.1.0/24\"; port = \"p1\"; route_table = \"rt\"; } ); },\n"
	       "  { name = \"b\"; cidr = \"172.20.0.0/16\"; subnets = (\n"
	       "    { name = \"sb\"; cidr = \"172.20.1.0/24\"; port = \"p2\"; } ); } );\n"
	       "route_tables = ( { name = \"rt\"; routes = ( { destination = \"0.0.0.0/0\"; target = \"igw\"; } ); } );\n"
	       "internet_gateway = { port = \"p2\"; next_hop = \"192.168.2.254\";\n"
	       "  elastic_ips = ( { public = \"172.20.9.9\"; private = \"10.0.1.10\"; },\n"
	       "                  { public = \"10.0.200.1\"; private = \"10.0.1.11\"; } ); };\n",
	       "t.cfg:9: internet_gateway.elastic_ips[0].public: public address 172.20.9.9 is "
	       "inside the cidr of VPC \"b\"",
	       "t.cfg:10: internet_gateway.elastic_ips[1].public: public address 10.0.200.1 is "
	       "inside the cidr of VPC \"a\"");
}

/* IPv6 in `vpcs`: one dual-stack VPC; a subnet /64 only in it */
static void
test_vpcs6_errors(void **state)
{
	(void)state;
	EXPECT(VPCS_PORTS
	       "vpcs = ( { name = \"a\"; cidr = \"10.0.0.0/16\"; ipv6_cidr = \"2600:1f18:a:b00::/56\"; subnets = (\n"
	       "    { name = \"sa\"; cidr = \"10.0.1.0/24\"; ipv6_cidr = \"2600:1f18:a:b01::/64\"; port = \"p1\"; } ); },\n"
	       "  { name = \"b\"; cidr = \"10.1.0.0/16\"; ipv6_cidr = \"2600:1f18:a:c00::/56\"; subnets = (\n"
	       "    { name = \"sb\"; cidr = \"10.1.1.0/24\"; ipv6_cidr = \"2600:1f18:a:c01::/64\"; port = \"p2\"; } ); },\n"
	       "  { name = \"c\"; cidr = \"10.2.0.0/16\"; subnets = (\n"
	       "    { name = \"sc\"; cidr = \"10.2.1.0/24\"; ipv6_cidr = \"2600:1f18:a:b02::/64\"; port = \"p2\"; } ); } );\n",
	       "t.cfg:5: vpcs[1].ipv6_cidr: VPC \"a\" is dual stack already: IPv6 in more than one VPC "
	       "of `vpcs` is not built yet",
	       "t.cfg:6: vpcs[1].subnets[0].ipv6_cidr: 2600:1f18:a:c01::/64 but the VPC has no valid "
	       "ipv6_cidr",
	       "t.cfg:8: vpcs[2].subnets[0].ipv6_cidr: 2600:1f18:a:b02::/64 but the VPC has no valid "
	       "ipv6_cidr");
}

static void
test_peering_errors(void **state)
{
	(void)state;
	EXPECT(VPCS_PORTS
	       "vpcs = ( { name = \"a\"; cidr = \"10.0.0.0/16\"; subnets = (\n"
	       "    { name = \"sa\"; cidr = \"10.0.1.0/24\"; port = \"p1\"; route_table = \"ra\"; } ); },\n"
	       "  { name = \"b\"; cidr = \"10.0.0.0/8\"; },\n"
	       "  { name = \"c\"; cidr = \"172.16.0.0/16\"; },\n"
	       "  { name = \"d\"; cidr = \"172.17.0.0/16\"; } );\n"
	       "vpc_peering_connections = ( { name = \"ab\"; vpcs = [ \"a\", \"b\" ]; },\n"
	       "  { name = \"cd\"; vpcs = [ \"c\", \"d\" ]; }, { name = \"aa\"; vpcs = [ \"a\", \"a\" ]; },\n"
	       "  { name = \"ax\"; vpcs = [ \"a\", \"x\" ]; }, { name = \"a3\"; vpcs = [ \"a\" ]; } );\n"
	       "route_tables = ( { name = \"ra\"; routes = (\n"
	       "  { destination = \"172.17.0.0/16\"; target = \"pcx:cd\"; },\n"
	       "  { destination = \"172.18.0.0/16\"; target = \"pcx:nope\"; } ); } );\n",
	       "t.cfg:8: vpc_peering_connections[0].vpcs: VPC \"a\" (10.0.0.0/16) overlaps VPC "
	       "\"b\" (10.0.0.0/8): peered VPCs must not overlap",
	       "t.cfg:9: vpc_peering_connections[2].vpcs: a VPC cannot peer with itself",
	       "t.cfg:10: vpc_peering_connections[3].vpcs[1]: unknown VPC \"x\"",
	       "t.cfg:10: vpc_peering_connections[4].vpcs: a peering connection joins exactly two VPCs",
	       "t.cfg:12: route_tables[0].routes[0].target: peering connection \"cd\" does not join "
	       "VPC \"a\" of route table \"ra\"",
	       "t.cfg:13: route_tables[0].routes[1].target: unknown peering connection \"nope\"");
}


/* Overlapping VPCs (issue #18): a zone each, a VLAN port per (port, VLAN) of
 * the subnets, an interface naming its VPC. */
static void
test_vrf_valid(void **state)
{
	struct cfg *c;

	(void)state;
	c = load_ok(VPCS_PORTS
		    "vpcs = ( { name = \"blue\"; cidr = \"10.0.0.0/16\"; subnets = (\n"
		    "    { name = \"b1\"; cidr = \"10.0.1.0/24\"; port = \"p1\"; vlan = 10; },\n"
		    "    { name = \"b2\"; cidr = \"10.0.2.0/24\"; port = \"p1\"; vlan = 10; } ); },\n"
		    "  { name = \"red\"; cidr = \"10.0.0.0/16\"; subnets = (\n"
		    "    { name = \"r1\"; cidr = \"10.0.1.0/24\"; port = \"p1\"; vlan = 20; },\n"
		    "    { name = \"r2\"; cidr = \"10.0.2.0/24\"; port = \"p2\"; } ); },\n"
		    "  { name = \"other\"; cidr = \"172.16.0.0/16\"; subnets = (\n"
		    "    { name = \"o1\"; cidr = \"172.16.1.0/24\"; port = \"p1\"; vlan = 30; } ); } );\n"
		    "security_groups = ( { name = \"sb\"; ingress = (); egress = (); },\n"
		    "  { name = \"sr\"; ingress = (); egress = (); }, { name = \"so\"; ingress = (); egress = (); } );\n"
		    "interfaces = ( { address = \"10.0.1.10\"; vpc = \"blue\"; security_groups = [ \"sb\" ]; },\n"
		    "  { address = \"10.0.1.10\"; vpc = \"red\"; security_groups = [ \"sr\" ]; },\n"
		    "  { address = \"172.16.1.10\"; security_groups = [ \"so\" ]; } );\n"
		    "neighbors = ( { port = \"p1\"; vlan = 20; address = \"10.0.1.10\"; mac = \"0a:00:00:00:00:01\"; },\n"
		    "  { port = \"p1\"; vlan = 10; address = \"10.0.1.10\"; mac = \"0a:00:00:00:00:02\"; },\n"
		    "  { port = \"p1\"; address = \"192.168.1.20\"; mac = \"0a:00:00:00:00:03\"; } );\n");
	assert_int_equal(c->vpcs[0].zone, CFG_ZONE_VPC | 0);
	assert_int_equal(c->vpcs[1].zone, CFG_ZONE_VPC | 1);
	assert_int_equal(c->vpcs[2].zone, 0);
	/* p1, p2, then one VLAN port per (port, VLAN) in the order of the subnets */
	assert_int_equal(c->n_dev_ports, 2);
	assert_int_equal(c->n_ports, 5);
	assert_string_equal(c->ports[2].name, "p1.10");
	assert_int_equal(c->ports[2].vlan, 10);
	assert_int_equal(c->ports[2].parent, 0);
	assert_int_equal(c->ports[2].addr, ip("192.168.1.1"));
	assert_string_equal(c->ports[3].name, "p1.20");
	assert_string_equal(c->ports[4].name, "p1.30");
	assert_int_equal(c->ports[0].vlan, 0);
	assert_int_equal(c->subnets[0].port, 2);
	assert_int_equal(c->subnets[1].port, 2);
	assert_int_equal(c->subnets[2].port, 3);
	assert_int_equal(c->subnets[3].port, 1);    /* untagged on p2 */
	assert_int_equal(c->subnets[4].port, 4);
	/* a static neighbor on a VLAN: its VLAN port */
	assert_int_equal(c->neighbors[0].port, 3);
	assert_int_equal(c->neighbors[1].port, 2);
	assert_int_equal(c->neighbors[2].port, 0);
	/* one address, an interface in each VPC */
	assert_int_equal(c->enis[0].subnet, 0);
	assert_int_equal(c->enis[1].subnet, 2);
	assert_int_equal(c->enis[2].subnet, 4);
	cfg_free(c);
	/* VPCs that do not overlap keep zone 0 and, untagged, the ports of the file */
	c = load_ok(VPCS_PORTS
		    "vpcs = ( { name = \"a\"; cidr = \"10.0.0.0/16\"; subnets = (\n"
		    "    { name = \"sa\"; cidr = \"10.0.1.0/24\"; port = \"p1\"; } ); },\n"
		    "  { name = \"b\"; cidr = \"10.1.0.0/16\"; subnets = (\n"
		    "    { name = \"sb\"; cidr = \"10.1.1.0/24\"; port = \"p1\"; } ); } );\n");
	assert_int_equal(c->vpcs[0].zone, 0);
	assert_int_equal(c->vpcs[1].zone, 0);
	assert_int_equal(c->n_ports, 2);
	assert_int_equal(c->subnets[1].port, 0);
	cfg_free(c);
}

static void
test_vrf_errors(void **state)
{
	(void)state;
	EXPECT(VPCS_PORTS
	       "vpcs = ( { name = \"blue\"; cidr = \"10.0.0.0/16\"; subnets = (\n"
	       "    { name = \"b1\"; cidr = \"10.0.1.0/24\"; port = \"p1\"; vlan = 10; } ); },\n"
	       "  { name = \"red\"; cidr = \"10.0.0.0/16\"; subnets = (\n"
	       "    { name = \"r1\"; cidr = \"10.0.1.0/24\"; port = \"p1\"; vlan = 20; } ); } );\n"
	       "security_groups = ( { name = \"s\"; ingress = (); egress = (); } );\n"
	       "interfaces = ( { address = \"10.0.1.10\"; security_groups = [ \"s\" ]; },\n"
	       "  { address = \"10.0.1.11\"; vpc = \"blue\"; security_groups = [ \"s\" ]; },\n"
	       "  { address = \"10.0.1.11\"; vpc = \"blue\"; security_groups = [ \"s\" ]; },\n"
	       "  { address = \"10.0.9.11\"; vpc = \"red\"; security_groups = [ \"s\" ]; },\n"
	       "  { address = \"10.0.1.12\"; vpc = \"green\"; security_groups = [ \"s\" ]; } );\n",
	       "t.cfg:8: interfaces[0].address: 10.0.1.10 is inside subnets of VPC \"blue\" and VPC "
	       "\"red\", which overlap: an interface names its VPC (`vpc`); nothing else is built "
	       "at such an address",
	       "t.cfg:10: interfaces[2].address: 10.0.1.11 is already used by interfaces[1].address "
	       "(line 9)",
	       "t.cfg:11: interfaces[3].address: 10.0.9.11 is not inside any subnet of VPC \"red\"",
	       "t.cfg:12: interfaces[4].vpc: unknown VPC \"green\"");
	/* a neighbor on a VLAN: of a subnet on that VLAN of the port */
	EXPECT(VPCS_PORTS
	       "vpcs = ( { name = \"blue\"; cidr = \"10.0.0.0/16\"; subnets = (\n"
	       "    { name = \"b1\"; cidr = \"10.0.1.0/24\"; port = \"p1\"; vlan = 10; } ); } );\n"
	       "neighbors = ( { port = \"p1\"; vlan = 11; address = \"10.0.1.10\"; mac = \"0a:00:00:00:00:01\"; },\n"
	       "  { port = \"p1\"; vlan = 10; address = \"10.0.2.10\"; mac = \"0a:00:00:00:00:02\"; },\n"
	       "  { port = \"p1\"; vlan = 10; address = \"10.0.1.11\"; mac = \"0a:00:00:00:00:03\"; } );\n",
	       "t.cfg:5: neighbors[0].vlan: no subnet is on VLAN 11 of port \"p1\"",
	       "t.cfg:6: neighbors[1].address: 10.0.2.10 is in no subnet on VLAN 10 of port \"p1\"");
	EXPECT(VPCS_PORTS
	       "vpcs = ( { name = \"blue\"; cidr = \"10.0.0.0/16\"; subnets = (\n"
	       "    { name = \"b1\"; cidr = \"10.0.1.0/24\"; port = \"p1\"; vlan = 10; } ); } );\n"
	       "neighbors = ( { port = \"p1\"; vlan = 10; address = \"10.0.1.11\"; mac = \"0a:00:00:00:00:03\"; },\n"
	       "  { port = \"p1\"; vlan = 10; address = \"10.0.1.11\"; mac = \"0a:00:00:00:00:04\"; },\n"
	       "  { port = \"p1\"; vlan = 5000; address = \"10.0.1.12\"; mac = \"0a:00:00:00:00:05\"; } );\n",
	       "t.cfg:6: neighbors[1].address: duplicate neighbor 10.0.1.11 on port \"p1\" (first at "
	       "line 5)",
	       "t.cfg:7: neighbors[2].vlan: 5000 is out of range 1..4094");
	/* a port and VLAN of an overlapping VPC carries that VPC only */
	EXPECT(VPCS_PORTS
	       "vpcs = ( { name = \"blue\"; cidr = \"10.0.0.0/16\"; subnets = (\n"
	       "    { name = \"b1\"; cidr = \"10.0.1.0/24\"; port = \"p1\"; vlan = 10; } ); },\n"
	       "  { name = \"red\"; cidr = \"10.0.0.0/16\"; subnets = (\n"
	       "    { name = \"r1\"; cidr = \"10.0.1.0/24\"; port = \"p2\"; } ); },\n"
	       "  { name = \"other\"; cidr = \"172.16.0.0/16\"; subnets = (\n"
	       "    { name = \"o1\"; cidr = \"172.16.1.0/24\"; port = \"p1\"; vlan = 10; } ); } );\n",
	       "t.cfg:4: vpcs[0].subnets[0].port: subnet \"b1\" of VPC \"blue\" shares port \"p1.10\" "
	       "with subnet \"o1\" of VPC \"other\": a port (and VLAN) that carries a VPC which "
	       "overlaps another carries that VPC only");
	/* at most CFG_MAX_PORTS ports and VLAN ports */
	EXPECT(VPCS_PORTS
	       "vpcs = ( { name = \"v\"; cidr = \"10.0.0.0/16\"; subnets = (\n"
	       "    { name = \"s1\"; cidr = \"10.0.1.0/24\"; port = \"p1\"; vlan = 1; },\n"
	       "    { name = \"s2\"; cidr = \"10.0.2.0/24\"; port = \"p1\"; vlan = 2; },\n"
	       "    { name = \"s3\"; cidr = \"10.0.3.0/24\"; port = \"p1\"; vlan = 3; },\n"
	       "    { name = \"s4\"; cidr = \"10.0.4.0/24\"; port = \"p1\"; vlan = 4; },\n"
	       "    { name = \"s5\"; cidr = \"10.0.5.0/24\"; port = \"p1\"; vlan = 5; },\n"
	       "    { name = \"s6\"; cidr = \"10.0.6.0/24\"; port = \"p1\"; vlan = 6; },\n"
	       "    { name = \"s7\"; cidr = \"10.0.7.0/24\"; port = \"p1\"; vlan = 7; },\n"
	       "    { name = \"s8\"; cidr = \"10.0.8.0/24\"; port = \"p1\"; vlan = 8; },\n"
	       "    { name = \"s9\"; cidr = \"10.0.9.0/24\"; port = \"p1\"; vlan = 9; },\n"
	       "    { name = \"s10\"; cidr = \"10.0.10.0/24\"; port = \"p1\"; vlan = 10; },\n"
	       "    { name = \"s11\"; cidr = \"10.0.11.0/24\"; port = \"p1\"; vlan = 11; },\n"
	       "    { name = \"s12\"; cidr = \"10.0.12.0/24\"; port = \"p1\"; vlan = 12; },\n"
	       "    { name = \"s13\"; cidr = \"10.0.13.0/24\"; port = \"p1\"; vlan = 13; },\n"
	       "    { name = \"s14\"; cidr = \"10.0.14.0/24\"; port = \"p1\"; vlan = 14; },\n"
	       "    { name = \"s15\"; cidr = \"10.0.15.0/24\"; port = \"p1\"; vlan = 15; } ); } );\n",
	       "t.cfg:18: vpcs[0].subnets[14].vlan: too many (port, VLAN) pairs: ports and VLAN "
	       "ports together at most 16");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_prefix_list_errors),
		cmocka_unit_test(test_route_errors),
		cmocka_unit_test(test_endpoint_errors),
		cmocka_unit_test(test_vpcs_valid),
		cmocka_unit_test(test_vpcs_errors),
		cmocka_unit_test(test_vpcs_public_errors),
		cmocka_unit_test(test_vpcs6_errors),
		cmocka_unit_test(test_peering_errors),
		cmocka_unit_test(test_vrf_valid),
		cmocka_unit_test(test_vrf_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
