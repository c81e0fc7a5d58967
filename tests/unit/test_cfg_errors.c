/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the configuration loader's messages (config/cfg_load.c,
 * cfg_util.c); test_cfg.c has the parsers and the valid configurations.
 *
 * Every error test gives a small configuration and asserts the exact list of
 * messages, line numbers and paths included: the messages are the user
 * interface of `vpcgw --check`. Most tests append to BASE, a valid six-line
 * configuration, so their own text starts at line 7.
 */
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

#include "config/cfg.h"

#include "cfg_demo.h"
#include "cfg_test.h"

/* ---- errors ----------------------------------------------------------- */

static void
test_base_is_valid(void **state)
{
	(void)state;
	cfg_free(load_ok(BASE));
}

static void
test_syntax_error(void **state)
{
	(void)state;
	EXPECT("a = 1;\nb = ;\nc = 2;\n", "t.cfg:2: syntax error");
}

static void
test_unknown_keys(void **state)
{
	(void)state;
	EXPECT(BASE
	       "dpdk = { workers = 2; cores = 3; };\n"
	       "colour = \"red\";\n"
	       "route_tables = ( { name = \"r\"; routes = (\n"
	       "  { destination = \"1.0.0.0/8\"; target = \"blackhole\"; via = 1; } ); } );\n",
	       "t.cfg:7: dpdk.cores: unknown key",
	       "t.cfg:8: colour: unknown key",
	       "t.cfg:10: route_tables[0].routes[0].via: unknown key");
}

static void
test_wrong_types(void **state)
{
	(void)state;
	EXPECT(BASE
	       "dpdk = { workers = \"2\"; mbufs = 1.5; eal_args = [ 1 ]; };\n"
	       "neighbors = { port = \"inet\"; };\n"
	       "security_groups = ( 5 );\n"
	       "target_groups = ( { name = \"t\"; protocol = \"tcp\"; port = 80;\n"
	       "                    preserve_client_ip = 1; } );\n"
	       "network_acls = \"none\";\n",
	       "t.cfg:7: dpdk.workers: expected an integer, got a string",
	       "t.cfg:7: dpdk.mbufs: expected an integer, got a float",
	       "t.cfg:7: dpdk.eal_args[0]: expected a string, got an integer",
	       "t.cfg:8: neighbors: expected a list, got a group",
	       "t.cfg:9: security_groups[0]: expected a group, got an integer",
	       "t.cfg:11: target_groups[0].preserve_client_ip: expected a boolean, got an integer",
	       "t.cfg:12: network_acls: expected a list, got a string");
}

static void
test_missing_keys(void **state)
{
	(void)state;
	EXPECT("ports = ( { name = \"p\"; address = \"10.0.0.1/16\"; } );\n"
	       "vpc = { subnets = ( { cidr = \"10.0.0.0/24\"; port = \"p\"; } ); };\n"
	       "route_tables = ( { name = \"r\"; routes = ( { target = \"blackhole\"; } ); } );\n"
	       "security_groups = ( { name = \"s\"; } );\n"
	       "interfaces = ( { security_groups = [ \"s\" ]; } );\n",
	       "t.cfg:1: ports[0].devargs: required key is missing",
	       "t.cfg:2: vpc.subnets[0].name: required key is missing",
	       "t.cfg:2: vpc.cidr: required key is missing",
	       "t.cfg:3: route_tables[0].routes[0].destination: required key is missing",
	       "t.cfg:5: interfaces[0].address: required key is missing");
	EXPECT("", "t.cfg:1: ports: required key is missing",
	       "t.cfg:1: vpc: required key is missing");
}

static void
test_bad_ipv4(void **state)
{
	(void)state;
	EXPECT(BASE
	       "neighbors = ( { port = \"inet\"; address = \"198.51.100.256\"; mac = \"02:00:00:00:00:09\"; } );\n"
	       "nat_gateways = ( { name = \"n\"; subnet = \"a\"; addresses = [ \"198.51.100.10\", \"198.51.100\" ]; } );\n",
	       "t.cfg:7: neighbors[0].address: bad IPv4 address \"198.51.100.256\"",
	       "t.cfg:8: nat_gateways[0].addresses[1]: bad IPv4 address \"198.51.100\"");
}

static void
test_bad_cidr(void **state)
{
	(void)state;
	EXPECT(BASE
	       "route_tables = ( { name = \"r\"; routes = (\n"
	       "  { destination = \"10.9.0.0/33\"; target = \"blackhole\"; },\n"
	       "  { destination = \"10.9.0.0\"; target = \"blackhole\"; },\n"
	       "  { destination = \"10.9.0.1/16\"; target = \"blackhole\"; } ); } );\n"
	       "security_groups = ( { name = \"s\";\n"
	       "  ingress = ( { protocol = \"tcp\"; source = \"0.0.0.0/0.0\"; } ); } );\n",
	       "t.cfg:8: route_tables[0].routes[0].destination: bad CIDR \"10.9.0.0/33\"",
	       "t.cfg:9: route_tables[0].routes[1].destination: bad CIDR \"10.9.0.0\"",
	       "t.cfg:10: route_tables[0].routes[2].destination: bad CIDR \"10.9.0.1/16\": "
	       "host bits set (network is 10.9.0.0/16)",
	       "t.cfg:12: security_groups[0].ingress[0].source: bad CIDR \"0.0.0.0/0.0\"");
	/* The VPC itself, and an interface address (host bits expected). */
	EXPECT("ports = ( { name = \"p\"; devargs = \"x\"; address = \"10.0.0.1\"; } );\n"
	       "vpc = { cidr = \"10.0.0.1/16\"; };\n",
	       "t.cfg:1: ports[0].address: bad interface address \"10.0.0.1\" "
	       "(expected a.b.c.d/len)",
	       "t.cfg:2: vpc.cidr: bad CIDR \"10.0.0.1/16\": host bits set (network is 10.0.0.0/16)");
}

static void
test_bad_mac(void **state)
{
	(void)state;
	EXPECT("ports = ( { name = \"p\"; devargs = \"x\"; address = \"10.0.0.1/16\";\n"
	       "            mac = \"02:00:00:00:00\"; } );\n"
	       "vpc = { cidr = \"10.0.0.0/16\"; };\n"
	       "neighbors = ( { port = \"p\"; address = \"10.0.0.9\"; mac = \"02:00:00:00:00:0g\"; } );\n",
	       "t.cfg:2: ports[0].mac: bad MAC address \"02:00:00:00:00\"",
	       "t.cfg:4: neighbors[0].mac: bad MAC address \"02:00:00:00:00:0g\"");
}

static void
test_duplicate_names(void **state)
{
	(void)state;
	EXPECT(BASE
	       "route_tables = ( { name = \"r\"; }, { name = \"r\"; } );\n"
	       "network_acls = ( { name = \"n\"; },\n"
	       "  { name = \"n\"; } );\n"
	       "security_groups = ( { name = \"s\"; }, { name = \"s\"; } );\n"
	       "nat_gateways = ( { name = \"g\"; subnet = \"a\"; addresses = [ \"198.51.100.10\" ]; },\n"
	       "  { name = \"g\"; subnet = \"a\"; addresses = [ \"198.51.100.11\" ]; } );\n"
	       "target_groups = ( { name = \"t\"; protocol = \"tcp\"; port = 80; },\n"
	       "  { name = \"t\"; protocol = \"tcp\"; port = 81; } );\n"
	       "network_load_balancers = ( { name = \"l\"; subnet = \"a\"; address = \"10.0.0.5\"; },\n"
	       "  { name = \"l\"; subnet = \"a\"; address = \"10.0.0.6\"; } );\n"
	       "gateway_load_balancers = ( { name = \"w\"; port = \"inet\";\n"
	       "    endpoints = ( { name = \"e\"; id = \"vpce-00000000000000001\"; subnet = \"a\"; } ); },\n"
	       "  { name = \"w\"; port = \"inet\";\n"
	       "    endpoints = ( { name = \"e\"; id = \"vpce-00000000000000002\"; subnet = \"a\"; },\n"
	       "                  { name = \"e\"; id = \"vpce-00000000000000003\"; subnet = \"a\"; } ); } );\n",
	       "t.cfg:7: route_tables[1].name: duplicate route table name \"r\" (first at line 7)",
	       "t.cfg:9: network_acls[1].name: duplicate network ACL name \"n\" (first at line 8)",
	       "t.cfg:10: security_groups[1].name: duplicate security group name \"s\" "
	       "(first at line 10)",
	       "t.cfg:12: nat_gateways[1].name: duplicate NAT gateway name \"g\" (first at line 11)",
	       "t.cfg:14: target_groups[1].name: duplicate target group name \"t\" "
	       "(first at line 13)",
	       "t.cfg:16: network_load_balancers[1].name: duplicate network load balancer name "
	       "\"l\" (first at line 15)",
	       "t.cfg:19: gateway_load_balancers[1].name: duplicate gateway load balancer name "
	       "\"w\" (first at line 17)",
	       "t.cfg:20: gateway_load_balancers[1].endpoints[0].name: duplicate endpoint name "
	       "\"e\" (first at line 18)",
	       "t.cfg:21: gateway_load_balancers[1].endpoints[1].name: duplicate endpoint name "
	       "\"e\" (first at line 20)");
	EXPECT("ports = ( { name = \"p\"; devargs = \"x\"; address = \"10.0.0.1/16\"; },\n"
	       "  { name = \"p\"; devargs = \"y\"; address = \"10.1.0.1/16\"; } );\n"
	       "vpc = { cidr = \"10.0.0.0/16\";\n"
	       "  subnets = ( { name = \"a\"; cidr = \"10.0.0.0/24\"; port = \"p\"; },\n"
	       "    { name = \"a\"; cidr = \"10.0.1.0/24\"; port = \"p\"; },\n"
	       "    { name = \"\"; cidr = \"10.0.2.0/24\"; port = \"p\"; } ); };\n",
	       "t.cfg:2: ports[1].name: duplicate port name \"p\" (first at line 1)",
	       "t.cfg:5: vpc.subnets[1].name: duplicate subnet name \"a\" (first at line 4)",
	       "t.cfg:6: vpc.subnets[2].name: empty name");
}

static void
test_duplicate_addresses(void **state)
{
	(void)state;
	EXPECT(BASE
	       "security_groups = ( { name = \"s\"; } );\n"
	       "interfaces = ( { address = \"10.0.0.10\"; security_groups = [ \"s\" ]; },\n"
	       "  { address = \"10.0.0.10\"; security_groups = [ \"s\" ]; } );\n"
	       "network_load_balancers = ( { name = \"l\"; subnet = \"a\"; address = \"10.0.0.10\";\n"
	       "  public_address = \"198.51.100.20\"; } );\n"
	       "neighbors = ( { port = \"inet\"; address = \"198.51.100.9\"; mac = \"02:00:00:00:00:09\"; },\n"
	       "  { port = \"inet\"; address = \"198.51.100.9\"; mac = \"02:00:00:00:00:0a\"; } );\n"
	       "nat_gateways = ( { name = \"n\"; subnet = \"a\";\n"
	       "  addresses = [ \"198.51.100.20\", \"198.51.100.21\", \"198.51.100.21\" ]; } );\n",
	       "t.cfg:9: interfaces[1].address: 10.0.0.10 is already used by interfaces[0].address "
	       "(line 8)",
	       "t.cfg:10: network_load_balancers[0].address: 10.0.0.10 is already used by "
	       "interfaces[0].address (line 8)",
	       "t.cfg:11: network_load_balancers[0].public_address: 198.51.100.20 is already used "
	       "by nat_gateways[0].addresses[0] (line 15)",
	       "t.cfg:13: neighbors[1].address: duplicate neighbor 198.51.100.9 on port \"inet\" "
	       "(first at line 12)",
	       "t.cfg:15: nat_gateways[0].addresses[2]: 198.51.100.21 is already used by "
	       "nat_gateways[0].addresses[1] (line 15)");
}

static void
test_subnets(void **state)
{
	(void)state;
	EXPECT("ports = ( { name = \"vpc\"; devargs = \"x\"; address = \"10.0.0.1/16\"; } );\n"
	       "vpc = { cidr = \"10.0.0.0/16\"; subnets = (\n"
	       "  { name = \"a\"; cidr = \"10.0.0.0/24\"; port = \"vpc\"; },\n"
	       "  { name = \"b\"; cidr = \"10.0.0.128/25\"; port = \"vpc\"; },\n"
	       "  { name = \"c\"; cidr = \"10.1.0.0/24\"; port = \"vpc\"; },\n"
	       "  { name = \"d\"; cidr = \"10.0.0.0/8\"; port = \"vpc\"; },\n"
	       "  { name = \"e\"; cidr = \"10.0.9.0/31\"; port = \"vpc\"; } ); };\n",
	       "t.cfg:4: vpc.subnets[1].cidr: 10.0.0.128/25 overlaps subnet \"a\" (10.0.0.0/24)",
	       "t.cfg:5: vpc.subnets[2].cidr: 10.1.0.0/24 is outside the VPC cidr 10.0.0.0/16",
	       "t.cfg:6: vpc.subnets[3].cidr: 10.0.0.0/8 is outside the VPC cidr 10.0.0.0/16",
	       "t.cfg:7: vpc.subnets[4].cidr: 10.0.9.0/31 is too small (longest prefix /30)");
}

static void
test_address_consistency(void **state)
{
	(void)state;
	EXPECT(BASE
	       "security_groups = ( { name = \"s\"; } );\n"
	       "interfaces = ( { address = \"10.0.5.10\"; security_groups = [ \"s\" ]; },\n"
	       "  { address = \"10.0.1.1\"; security_groups = [ \"s\" ]; } );\n"
	       "target_groups = ( { name = \"t\"; protocol = \"tcp\"; port = 80;\n"
	       "  targets = ( { address = \"10.0.7.7\"; } ); } );\n"
	       "network_load_balancers = ( { name = \"l\"; subnet = \"a\"; address = \"10.0.1.20\"; } );\n"
	       "neighbors = ( { port = \"inet\"; address = \"198.51.101.1\"; mac = \"02:00:00:00:00:09\"; } );\n"
	       "gateway_load_balancers = ( { name = \"w\"; port = \"inet\";\n"
	       "  appliances = ( { address = \"10.0.0.50\"; } ); } );\n",
	       "t.cfg:8: interfaces[0].address: 10.0.5.10 is not inside any subnet",
	       "t.cfg:9: interfaces[1].address: 10.0.1.1 is the router address of subnet \"b\"",
	       "t.cfg:11: target_groups[0].targets[0].address: 10.0.7.7 is not inside any subnet",
	       "t.cfg:12: network_load_balancers[0].address: 10.0.1.20 is not inside subnet \"a\" "
	       "(10.0.0.0/24)",
	       "t.cfg:13: neighbors[0].address: 198.51.101.1 is not on port \"inet\" "
	       "(198.51.100.1/24)",
	       "t.cfg:15: gateway_load_balancers[0].appliances[0].address: 10.0.0.50 is not on "
	       "port \"inet\" (198.51.100.1/24)");
	EXPECT("ports = ( { name = \"p\"; devargs = \"x\"; address = \"10.0.0.1/16\"; } );\n"
	       "vpc = { cidr = \"10.0.0.0/16\";\n"
	       "  subnets = ( { name = \"a\"; cidr = \"10.0.0.0/24\"; port = \"p\"; } ); };\n"
	       "internet_gateway = { port = \"p\"; next_hop = \"10.1.0.1\";\n"
	       "  elastic_ips = ( { public = \"10.0.0.20\"; private = \"10.0.0.255\"; },\n"
	       "                  { public = \"198.51.100.20\"; private = \"10.0.0.10\"; },\n"
	       "                  { public = \"198.51.100.21\"; private = \"10.0.0.10\"; } ); };\n",
	       "t.cfg:4: internet_gateway.next_hop: 10.1.0.1 is not on port \"p\" (10.0.0.1/16)",
	       "t.cfg:5: internet_gateway.elastic_ips[0].public: public address 10.0.0.20 is inside "
	       "the VPC cidr",
	       "t.cfg:5: internet_gateway.elastic_ips[0].private: 10.0.0.255 is the broadcast "
	       "address of subnet \"a\"",
	       "t.cfg:7: internet_gateway.elastic_ips[2].private: 10.0.0.10 is already used by "
	       "internet_gateway.elastic_ips[1].private (line 6)");
}

static void
test_unknown_references(void **state)
{
	(void)state;
	EXPECT("ports = ( { name = \"vpc\"; devargs = \"x\"; address = \"10.0.0.1/16\"; },\n"
	       "  { name = \"inet\"; devargs = \"y\"; address = \"198.51.100.1/24\"; } );\n"
	       "neighbors = ( { port = \"wan\"; address = \"198.51.100.254\"; mac = \"02:00:00:00:00:09\"; } );\n"
	       "vpc = { cidr = \"10.0.0.0/16\"; subnets = (\n"
	       "  { name = \"a\"; cidr = \"10.0.0.0/24\"; port = \"lan\"; route_table = \"rt-x\"; network_acl = \"acl-x\"; } ); };\n"
	       "internet_gateway = { port = \"wan\"; next_hop = \"198.51.100.254\"; route_table = \"edge\"; };\n"
	       "route_tables = ( { name = \"r\"; routes = ( { destination = \"0.0.0.0/0\"; target = \"nat-gateway:nat-b\"; },\n"
	       "  { destination = \"1.0.0.0/8\"; target = \"gwlb-endpoint:ep-x\"; } ); } );\n"
	       "security_groups = ( { name = \"s\"; ingress = ( { protocol = \"tcp\"; source = \"sg:nope\"; } ); } );\n"
	       "interfaces = ( { address = \"10.0.0.10\"; security_groups = [ \"s\", \"t\" ]; } );\n"
	       "nat_gateways = ( { name = \"n\"; subnet = \"z\"; addresses = [ \"198.51.100.10\" ]; } );\n"
	       "network_load_balancers = ( { name = \"l\"; subnet = \"z\"; address = \"10.0.0.5\";\n"
	       "  listeners = ( { protocol = \"tcp\"; port = 80; target_group = \"tg-x\"; } ); } );\n"
	       "gateway_load_balancers = ( { name = \"w\"; port = \"app\";\n"
	       "  endpoints = ( { name = \"e\"; id = \"vpce-00000000000000001\"; subnet = \"z\"; } ); } );\n",
	       "t.cfg:3: neighbors[0].port: unknown port \"wan\"",
	       "t.cfg:5: vpc.subnets[0].port: unknown port \"lan\"",
	       "t.cfg:5: vpc.subnets[0].route_table: unknown route table \"rt-x\"",
	       "t.cfg:5: vpc.subnets[0].network_acl: unknown network ACL \"acl-x\"",
	       "t.cfg:6: internet_gateway.port: unknown port \"wan\"",
	       "t.cfg:6: internet_gateway.route_table: unknown route table \"edge\"",
	       "t.cfg:7: route_tables[0].routes[0].target: unknown NAT gateway \"nat-b\"",
	       "t.cfg:8: route_tables[0].routes[1].target: unknown GWLB endpoint \"ep-x\"",
	       "t.cfg:9: security_groups[0].ingress[0].source: unknown security group \"nope\"",
	       "t.cfg:10: interfaces[0].security_groups[1]: unknown security group \"t\"",
	       "t.cfg:11: nat_gateways[0].subnet: unknown subnet \"z\"",
	       "t.cfg:12: network_load_balancers[0].subnet: unknown subnet \"z\"",
	       "t.cfg:13: network_load_balancers[0].listeners[0].target_group: unknown target "
	       "group \"tg-x\"",
	       "t.cfg:14: gateway_load_balancers[0].port: unknown port \"app\"",
	       "t.cfg:15: gateway_load_balancers[0].endpoints[0].subnet: unknown subnet \"z\"");
}

static void
test_routes(void **state)
{
	(void)state;
	EXPECT(BASE
	       "nat_gateways = ( { name = \"n\"; subnet = \"a\"; addresses = [ \"198.51.100.10\" ]; } );\n"
	       "route_tables = ( { name = \"r\"; routes = (\n"
	       "  { destination = \"0.0.0.0/0\"; target = \"igw\"; },\n"
	       "  { destination = \"0.0.0.0/0\"; target = \"nat-gateway:n\"; },\n"
	       "  { destination = \"10.0.0.0/16\"; target = \"nat-gateway:n\"; },\n"
	       "  { destination = \"10.0.1.0/24\"; target = \"nat-gateway:n\"; },\n"
	       "  { destination = \"10.0.2.0/24\"; target = \"igw\"; },\n"
	       "  { destination = \"8.8.8.0/24\"; target = \"local\"; },\n"
	       "  { destination = \"9.9.9.0/24\"; target = \"vpn\"; },\n"
	       "  { destination = \"10.0.0.0/8\"; target = \"blackhole\"; },\n"
	       "  { destination = \"10.0.3.0/24\"; target = \"local\"; } ); },\n"
	       "  { name = \"other\"; routes = ( { destination = \"0.0.0.0/0\"; target = \"igw\"; } ); } );\n",
	       "t.cfg:10: route_tables[0].routes[1].destination: duplicate destination 0.0.0.0/0 "
	       "(first at line 9)",
	       "t.cfg:11: route_tables[0].routes[2].destination: 10.0.0.0/16 is the VPC cidr: only "
	       "the implicit local route may use it",
	       "t.cfg:13: route_tables[0].routes[4].target: igw cannot be the target of "
	       "10.0.2.0/24, inside the VPC cidr 10.0.0.0/16",
	       "t.cfg:14: route_tables[0].routes[5].target: target \"local\" needs a destination "
	       "inside the VPC cidr 10.0.0.0/16",
	       "t.cfg:15: route_tables[0].routes[6].target: bad target \"vpn\" (expected local, "
	       "igw, blackhole, nat-gateway:NAME or gwlb-endpoint:NAME)");
	/* No internet gateway: neither igw routes nor NAT gateways. */
	EXPECT("ports = ( { name = \"p\"; devargs = \"x\"; address = \"10.0.0.1/16\"; } );\n"
	       "vpc = { cidr = \"10.0.0.0/16\";\n"
	       "  subnets = ( { name = \"a\"; cidr = \"10.0.0.0/24\"; port = \"p\"; } ); };\n"
	       "route_tables = ( { name = \"r\"; routes = ( { destination = \"0.0.0.0/0\"; target = \"igw\"; } ); } );\n"
	       "nat_gateways = ( { name = \"n\"; subnet = \"a\"; addresses = [ \"198.51.100.10\" ]; } );\n",
	       "t.cfg:4: route_tables[0].routes[0].target: target \"igw\" but no internet_gateway is "
	       "configured",
	       "t.cfg:5: nat_gateways[0]: a NAT gateway needs an internet_gateway");
}

static void
test_nacl_errors(void **state)
{
	(void)state;
	EXPECT(BASE
	       "network_acls = ( { name = \"n\"; ingress = (\n"
	       "  { rule = 100; protocol = \"tcp\"; cidr = \"0.0.0.0/0\"; action = \"allow\"; },\n"
	       "  { rule = 100; protocol = \"udp\"; cidr = \"0.0.0.0/0\"; action = \"deny\"; },\n"
	       "  { rule = 0; protocol = \"udp\"; cidr = \"0.0.0.0/0\"; action = \"deny\"; },\n"
	       "  { rule = 32767; protocol = \"udp\"; cidr = \"0.0.0.0/0\"; action = \"drop\"; } );\n"
	       "  egress = ( { rule = 100; protocol = \"all\"; cidr = \"0.0.0.0/0\"; action = \"allow\"; },\n"
	       "             { rule = 100; protocol = \"all\"; cidr = \"0.0.0.0/0\"; action = \"allow\"; } ); } );\n",
	       "t.cfg:9: network_acls[0].ingress[1].rule: duplicate rule number 100 (first at line 8)",
	       "t.cfg:10: network_acls[0].ingress[2].rule: 0 is out of range 1..32766",
	       "t.cfg:11: network_acls[0].ingress[3].rule: 32767 is out of range 1..32766",
	       "t.cfg:11: network_acls[0].ingress[3].action: bad action \"drop\" (expected allow or "
	       "deny)",
	       "t.cfg:13: network_acls[0].egress[1].rule: duplicate rule number 100 (first at line 12)");
}

static void
test_port_ranges(void **state)
{
	(void)state;
	EXPECT(BASE
	       "security_groups = ( { name = \"s\"; ingress = (\n"
	       "  { protocol = \"tcp\"; ports = \"200-100\"; source = \"0.0.0.0/0\"; },\n"
	       "  { protocol = \"tcp\"; ports = \"70000\"; source = \"0.0.0.0/0\"; },\n"
	       "  { protocol = \"udp\"; ports = \"80-65536\"; source = \"0.0.0.0/0\"; },\n"
	       "  { protocol = \"udp\"; ports = \"http\"; source = \"0.0.0.0/0\"; },\n"
	       "  { protocol = \"udp\"; ports = \"1024-\"; source = \"0.0.0.0/0\"; },\n"
	       "  { protocol = \"udp\"; ports = 65536; source = \"0.0.0.0/0\"; },\n"
	       "  { protocol = \"udp\"; ports = \"0-65535\"; source = \"0.0.0.0/0\"; },\n"
	       "  { protocol = \"tcp\"; ports = \"443-443\"; source = \"0.0.0.0/0\"; } ); } );\n",
	       "t.cfg:8: security_groups[0].ingress[0].ports: port range \"200-100\" is out of order",
	       "t.cfg:9: security_groups[0].ingress[1].ports: port range \"70000\": port 70000 out "
	       "of range 0..65535",
	       "t.cfg:10: security_groups[0].ingress[2].ports: port range \"80-65536\": port 65536 "
	       "out of range 0..65535",
	       "t.cfg:11: security_groups[0].ingress[3].ports: bad port range \"http\" (expected "
	       "PORT or FIRST-LAST)",
	       "t.cfg:12: security_groups[0].ingress[4].ports: bad port range \"1024-\" (expected "
	       "PORT or FIRST-LAST)",
	       "t.cfg:13: security_groups[0].ingress[5].ports: 65536 is out of range 0..65535");
}

static void
test_protocols_and_icmp(void **state)
{
	(void)state;
	EXPECT(BASE
	       "network_acls = ( { name = \"n\"; ingress = (\n"
	       "  { rule = 1; protocol = \"gre\"; cidr = \"0.0.0.0/0\"; action = \"allow\"; },\n"
	       "  { rule = 2; protocol = \"256\"; cidr = \"0.0.0.0/0\"; action = \"allow\"; },\n"
	       "  { rule = 3; protocol = 300; cidr = \"0.0.0.0/0\"; action = \"allow\"; },\n"
	       "  { rule = 4; protocol = \"tcp\"; icmp_type = 8; cidr = \"0.0.0.0/0\"; action = \"allow\"; },\n"
	       "  { rule = 5; protocol = \"icmp\"; icmp_code = 256; cidr = \"0.0.0.0/0\"; action = \"allow\"; },\n"
	       "  { rule = 6; protocol = \"icmp\"; ports = \"80\"; cidr = \"0.0.0.0/0\"; action = \"allow\"; },\n"
	       "  { rule = 7; protocol = \"icmp\"; icmp_type = -1; icmp_code = -1; cidr = \"0.0.0.0/0\";\n"
	       "    action = \"allow\"; } ); } );\n"
	       "security_groups = ( { name = \"s\"; egress = (\n"
	       "  { protocol = \"all\"; icmp_code = 0; destination = \"0.0.0.0/0\"; },\n"
	       "  { protocol = \"icmp\"; icmp_type = -2; destination = \"0.0.0.0/0\"; } ); } );\n",
	       "t.cfg:8: network_acls[0].ingress[0].protocol: bad protocol \"gre\" (expected all, "
	       "tcp, udp, icmp or 0..255)",
	       "t.cfg:9: network_acls[0].ingress[1].protocol: bad protocol \"256\" (expected all, "
	       "tcp, udp, icmp or 0..255)",
	       "t.cfg:10: network_acls[0].ingress[2].protocol: 300 is out of range -1..255",
	       "t.cfg:11: network_acls[0].ingress[3].icmp_type: icmp_type applies only to icmp",
	       "t.cfg:12: network_acls[0].ingress[4].icmp_code: 256 is out of range -1..255",
	       "t.cfg:13: network_acls[0].ingress[5].ports: ports apply only to tcp and udp",
	       "t.cfg:17: security_groups[0].egress[0].icmp_code: icmp_code applies only to icmp",
	       "t.cfg:18: security_groups[0].egress[1].icmp_type: -2 is out of range -1..255");
}

static void
test_security_groups(void **state)
{
	(void)state;
	EXPECT(BASE
	       "security_groups = ( { name = \"s\";\n"
	       "  ingress = ( { protocol = \"tcp\"; ports = \"22\"; },\n"
	       "              { protocol = \"tcp\"; destination = \"0.0.0.0/0\"; source = \"10.0.0.0/8\"; } );\n"
	       "  egress = ( { protocol = \"all\"; source = \"0.0.0.0/0\"; } ); },\n"
	       "  { name = \"s2\"; egress = ( { protocol = \"all\"; destination = \"sg:s\"; } ); } );\n"
	       "interfaces = ( { address = \"10.0.0.10\"; security_groups = [ \"s\", \"s2\", \"s\", \"s2\", \"s\", \"s2\" ]; },\n"
	       "  { address = \"10.0.0.11\"; security_groups = [ ]; },\n"
	       "  { address = \"10.0.0.12\"; security_groups = [ \"s\", \"s\" ]; },\n"
	       "  { address = \"10.0.0.13\"; security_groups = [ \"s\", \"s2\" ]; } );\n",
	       "t.cfg:8: security_groups[0].ingress[0].source: required key is missing",
	       "t.cfg:9: security_groups[0].ingress[1].destination: unknown key",
	       "t.cfg:10: security_groups[0].egress[0].source: unknown key",
	       "t.cfg:10: security_groups[0].egress[0].destination: required key is missing",
	       "t.cfg:12: interfaces[0].security_groups: too many security groups (6, max 5)",
	       "t.cfg:13: interfaces[1].security_groups: at least one security group is required",
	       "t.cfg:14: interfaces[2].security_groups[1]: security group \"s\" is listed twice");
}

static void
test_sg_timeouts(void **state)
{
	(void)state;
	EXPECT(BASE
	       "security_groups = ( { name = \"s\"; timeouts = {\n"
	       "  tcp_established = 59; udp = 61; udp_stream = 59; other = 601; tcp = 5; }; },\n"
	       "  { name = \"t\"; timeouts = { tcp_established = 432001; udp = 29; udp_stream = 181;\n"
	       "    other = 59; }; } );\n",
	       "t.cfg:8: security_groups[0].timeouts.tcp: unknown key",
	       "t.cfg:8: security_groups[0].timeouts.tcp_established: 59 is out of range 60..432000",
	       "t.cfg:8: security_groups[0].timeouts.udp: 61 is out of range 30..60",
	       "t.cfg:8: security_groups[0].timeouts.udp_stream: 59 is out of range 60..180",
	       "t.cfg:8: security_groups[0].timeouts.other: 601 is out of range 60..600",
	       "t.cfg:9: security_groups[1].timeouts.tcp_established: 432001 is out of range "
	       "60..432000",
	       "t.cfg:9: security_groups[1].timeouts.udp: 29 is out of range 30..60",
	       "t.cfg:9: security_groups[1].timeouts.udp_stream: 181 is out of range 60..180",
	       "t.cfg:10: security_groups[1].timeouts.other: 59 is out of range 60..600");
}

static void
test_nat_gateways(void **state)
{
	(void)state;
	EXPECT(BASE
	       "nat_gateways = ( { name = \"n1\"; subnet = \"a\"; addresses = [ ]; },\n"
	       "  { name = \"n2\"; subnet = \"a\"; addresses = [ \"198.51.100.10\", \"198.51.100.11\",\n"
	       "    \"198.51.100.12\", \"198.51.100.13\", \"198.51.100.14\", \"198.51.100.15\",\n"
	       "    \"198.51.100.16\", \"198.51.100.17\", \"198.51.100.18\" ]; },\n"
	       "  { name = \"n3\"; subnet = \"a\"; addresses = [ \"198.51.100.30\" ]; idle_timeout = 59;\n"
	       "    max_ports_per_destination = 0; },\n"
	       "  { name = \"n4\"; subnet = \"a\"; addresses = [ \"198.51.100.31\", \"10.0.0.9\" ];\n"
	       "    idle_timeout = 6001; max_ports_per_destination = 64513; } );\n",
	       "t.cfg:7: nat_gateways[0].addresses: 0 addresses (expected 1..8)",
	       "t.cfg:8: nat_gateways[1].addresses: 9 addresses (expected 1..8)",
	       "t.cfg:11: nat_gateways[2].idle_timeout: 59 is out of range 60..6000",
	       "t.cfg:12: nat_gateways[2].max_ports_per_destination: 0 is out of range 1..64512",
	       "t.cfg:13: nat_gateways[3].addresses[1]: public address 10.0.0.9 is inside the VPC "
	       "cidr",
	       "t.cfg:14: nat_gateways[3].idle_timeout: 6001 is out of range 60..6000",
	       "t.cfg:14: nat_gateways[3].max_ports_per_destination: 64513 is out of range "
	       "1..64512");
}

static void
test_listeners(void **state)
{
	(void)state;
	EXPECT(BASE
	       "target_groups = ( { name = \"tt\"; protocol = \"tcp\"; port = 80; },\n"
	       "  { name = \"tu\"; protocol = \"udp\"; port = 53; } );\n"
	       "network_load_balancers = ( { name = \"l\"; subnet = \"a\"; address = \"10.0.0.5\"; listeners = (\n"
	       "  { protocol = \"tls\"; port = 443; target_group = \"tt\"; },\n"
	       "  { protocol = \"tcp\"; port = 0; target_group = \"tt\"; },\n"
	       "  { protocol = \"tcp\"; port = 80; target_group = \"tt\"; idle_timeout = 59; },\n"
	       "  { protocol = \"udp\"; port = 53; target_group = \"tu\"; idle_timeout = 120; },\n"
	       "  { protocol = \"udp\"; port = 54; target_group = \"tt\"; },\n"
	       "  { protocol = \"tcp\"; port = 80; target_group = \"tt\"; },\n"
	       "  { protocol = \"udp\"; port = 80; target_group = \"tu\"; },\n"
	       "  { protocol = \"tcp\"; port = 81; target_group = \"tt\"; idle_timeout = 6001; } ); },\n"
	       "  { name = \"m\"; subnet = \"a\"; address = \"10.0.0.6\"; listeners = (\n"
	       "  { protocol = \"tcp\"; port = 80; target_group = \"tt\"; } ); } );\n",
	       "t.cfg:10: network_load_balancers[0].listeners[0].protocol: bad listener protocol "
	       "\"tls\" (expected tcp or udp)",
	       "t.cfg:11: network_load_balancers[0].listeners[1].port: 0 is out of range 1..65535",
	       "t.cfg:12: network_load_balancers[0].listeners[2].idle_timeout: 59 is out of range "
	       "60..6000",
	       "t.cfg:13: network_load_balancers[0].listeners[3].idle_timeout: not configurable on a "
	       "udp listener (fixed at 120 s)",
	       "t.cfg:14: network_load_balancers[0].listeners[4].target_group: listener protocol "
	       "udp does not match target group \"tt\" protocol tcp",
	       "t.cfg:15: network_load_balancers[0].listeners[5].port: duplicate listener tcp "
	       "10.0.0.5:80 (first at line 12)",
	       "t.cfg:17: network_load_balancers[0].listeners[7].idle_timeout: 6001 is out of range "
	       "60..6000");
}

static void
test_target_groups(void **state)
{
	(void)state;
	EXPECT(BASE
	       "target_groups = ( { name = \"t1\"; protocol = \"sctp\"; port = 0; deregistration_delay = 3601; },\n"
	       "  { name = \"t2\"; protocol = \"tcp\"; port = 80; health_check = { protocol = \"http\";\n"
	       "    port = \"x\"; interval = 4; timeout = 1; healthy_threshold = 1; unhealthy_threshold = 11; }; },\n"
	       "  { name = \"t3\"; protocol = \"tcp\"; port = 80; health_check = { interval = 10;\n"
	       "    timeout = 10; port = 70000; healthy_threshold = 11; unhealthy_threshold = 1; }; },\n"
	       "  { name = \"t4\"; protocol = \"udp\"; port = 53;\n"
	       "    targets = ( { address = \"10.0.0.9\"; port = 53; }, { address = \"10.0.0.9\"; },\n"
	       "                { address = \"10.0.0.8\"; port = 65536; } ); },\n"
	       "  { name = \"t5\"; protocol = \"tcp\"; port = 80; health_check = { interval = 301;\n"
	       "    timeout = 121; }; } );\n",
	       "t.cfg:7: target_groups[0].protocol: bad target group protocol \"sctp\" (expected "
	       "tcp or udp)",
	       "t.cfg:7: target_groups[0].port: 0 is out of range 1..65535",
	       "t.cfg:7: target_groups[0].deregistration_delay: 3601 is out of range 0..3600",
	       "t.cfg:8: target_groups[1].health_check.protocol: health check protocol \"http\" is "
	       "not supported: only \"tcp\" health checks are supported",
	       "t.cfg:9: target_groups[1].health_check.port: bad port \"x\" (expected "
	       "\"traffic-port\" or 1..65535)",
	       "t.cfg:9: target_groups[1].health_check.interval: 4 is out of range 5..300",
	       "t.cfg:9: target_groups[1].health_check.timeout: 1 is out of range 2..120",
	       "t.cfg:9: target_groups[1].health_check.healthy_threshold: 1 is out of range 2..10",
	       "t.cfg:9: target_groups[1].health_check.unhealthy_threshold: 11 is out of range 2..10",
	       "t.cfg:11: target_groups[2].health_check.port: 70000 is out of range 1..65535",
	       "t.cfg:11: target_groups[2].health_check.healthy_threshold: 11 is out of range 2..10",
	       "t.cfg:11: target_groups[2].health_check.unhealthy_threshold: 1 is out of range 2..10",
	       "t.cfg:11: target_groups[2].health_check.timeout: timeout 10 must be less than "
	       "interval 10",
	       "t.cfg:13: target_groups[3].targets[1].address: duplicate target 10.0.0.9:53 (first "
	       "at line 13)",
	       "t.cfg:14: target_groups[3].targets[2].port: 65536 is out of range 1..65535",
	       "t.cfg:15: target_groups[4].health_check.interval: 301 is out of range 5..300",
	       "t.cfg:16: target_groups[4].health_check.timeout: 121 is out of range 2..120");
}

static void
test_gwlb(void **state)
{
	(void)state;
	EXPECT(BASE
	       "gateway_load_balancers = ( { name = \"w\"; port = \"inet\"; stickiness = \"4-tuple\";\n"
	       "  target_failover = \"always\"; tcp_idle_timeout = 59;\n"
	       "  health_check = { port = \"traffic-port\"; protocol = \"udp\"; };\n"
	       "  endpoints = ( { name = \"e1\"; id = \"vpce-0a1b2c3d4e5f6071\"; subnet = \"a\"; },\n"
	       "    { name = \"e2\"; id = \"vpce-fa1b2c3d4e5f60718\"; subnet = \"a\"; },\n"
	       "    { name = \"e3\"; id = \"vpce-0a1b2c3d4e5f6071g\"; subnet = \"a\"; attachment_id = \"xyz\"; },\n"
	       "    { name = \"e4\"; id = \"vpce-00000000000000001\"; subnet = \"a\"; },\n"
	       "    { name = \"e5\"; id = \"vpce-00000000000000001\"; subnet = \"a\"; attachment_id = -1; },\n"
	       "    { name = \"e6\"; id = \"vpc-000000000000000001\"; subnet = \"a\";\n"
	       "      attachment_id = \"0x12345678123456789\"; } ); } );\n",
	       "t.cfg:7: gateway_load_balancers[0].stickiness: bad stickiness \"4-tuple\" (expected "
	       "5-tuple, 3-tuple or 2-tuple)",
	       "t.cfg:8: gateway_load_balancers[0].target_failover: bad target_failover \"always\" "
	       "(expected no_rebalance or rebalance)",
	       "t.cfg:8: gateway_load_balancers[0].tcp_idle_timeout: 59 is out of range 60..6000",
	       "t.cfg:9: gateway_load_balancers[0].health_check.protocol: health check protocol "
	       "\"udp\" is not supported: only \"tcp\" health checks are supported",
	       "t.cfg:9: gateway_load_balancers[0].health_check.port: a gateway load balancer has "
	       "no traffic port: give a port number",
	       "t.cfg:10: gateway_load_balancers[0].endpoints[0].id: bad endpoint id "
	       "\"vpce-0a1b2c3d4e5f6071\" (expected vpce- and 17 hex digits)",
	       "t.cfg:11: gateway_load_balancers[0].endpoints[1].id: endpoint id "
	       "\"vpce-fa1b2c3d4e5f60718\" does not fit in 64 bits",
	       "t.cfg:12: gateway_load_balancers[0].endpoints[2].id: bad endpoint id "
	       "\"vpce-0a1b2c3d4e5f6071g\" (expected vpce- and 17 hex digits)",
	       "t.cfg:12: gateway_load_balancers[0].endpoints[2].attachment_id: bad attachment_id "
	       "\"xyz\" (expected an integer or 1..16 hex digits)",
	       "t.cfg:14: gateway_load_balancers[0].endpoints[4].id: duplicate endpoint id "
	       "\"vpce-00000000000000001\" (first at line 13)",
	       "t.cfg:14: gateway_load_balancers[0].endpoints[4].attachment_id: -1 is out of range "
	       "0..9223372036854775807",
	       "t.cfg:15: gateway_load_balancers[0].endpoints[5].id: bad endpoint id "
	       "\"vpc-000000000000000001\" (expected vpce- and 17 hex digits)",
	       "t.cfg:16: gateway_load_balancers[0].endpoints[5].attachment_id: bad attachment_id "
	       "\"0x12345678123456789\" (expected an integer or 1..16 hex digits)");
}

static void
test_dpdk_and_ports(void **state)
{
	(void)state;
	EXPECT("dpdk = { workers = 0; mbufs = 1022; flow_table_size = 67108865; };\n"
	       "ports = ( { name = \"p\"; devargs = \"x\"; address = \"10.0.0.1/16\"; mtu = 67; rx_queues = 17; },\n"
	       "  { name = \"q\"; devargs = \"y\"; address = \"10.1.0.0/16\"; mtu = 9217; },\n"
	       "  { name = \"r\"; devargs = \"z\"; address = \"10.0.5.1/24\"; rx_queues = 0; },\n"
	       "  { name = \"s\"; devargs = \"\"; address = \"10.2.0.1/33\"; } );\n"
	       "vpc = { cidr = \"10.0.0.0/16\"; };\n",
	       "t.cfg:1: dpdk.workers: 0 is out of range 1..64",
	       "t.cfg:1: dpdk.mbufs: 1022 is out of range 1023..16777215",
	       "t.cfg:1: dpdk.flow_table_size: 67108865 is out of range 1024..67108864",
	       "t.cfg:2: ports[0].mtu: 67 is out of range 68..9216",
	       "t.cfg:2: ports[0].rx_queues: 17 is out of range 1..16",
	       "t.cfg:3: ports[1].address: \"10.1.0.0/16\" is the network address of its prefix",
	       "t.cfg:3: ports[1].mtu: 9217 is out of range 68..9216",
	       "t.cfg:4: ports[2].address: 10.0.5.1/24 overlaps port \"p\" (10.0.0.1/16)",
	       "t.cfg:4: ports[2].rx_queues: 0 is out of range 1..16",
	       "t.cfg:5: ports[3].devargs: empty devargs",
	       "t.cfg:5: ports[3].address: bad interface address \"10.2.0.1/33\" (expected "
	       "a.b.c.d/len)");
	EXPECT("dpdk = { workers = 65; mbufs = 16777216; flow_table_size = 1023; };\n"
	       "ports = ();\n"
	       "vpc = { cidr = \"10.0.0.0/16\"; };\n",
	       "t.cfg:1: dpdk.workers: 65 is out of range 1..64",
	       "t.cfg:1: dpdk.mbufs: 16777216 is out of range 1023..16777215",
	       "t.cfg:1: dpdk.flow_table_size: 1023 is out of range 1024..67108864",
	       "t.cfg:2: ports: at least one port is required");
	EXPECT("dpdk = { idle_sleep_us = 10001; };\n"
	       "ports = ();\n"
	       "vpc = { cidr = \"10.0.0.0/16\"; };\n",
	       "t.cfg:1: dpdk.idle_sleep_us: 10001 is out of range 0..10000",
	       "t.cfg:2: ports: at least one port is required");
	EXPECT("ports = ( { name = \"p0\"; devargs = \"x\"; address = \"10.0.0.1/24\"; },\n"
	       "  { name = \"p1\"; devargs = \"x\"; address = \"10.0.1.1/24\"; },\n"
	       "  { name = \"p2\"; devargs = \"x\"; address = \"10.0.2.1/24\"; },\n"
	       "  { name = \"p3\"; devargs = \"x\"; address = \"10.0.3.1/24\"; },\n"
	       "  { name = \"p4\"; devargs = \"x\"; address = \"10.0.4.1/24\"; },\n"
	       "  { name = \"p5\"; devargs = \"x\"; address = \"10.0.5.1/24\"; },\n"
	       "  { name = \"p6\"; devargs = \"x\"; address = \"10.0.6.1/24\"; },\n"
	       "  { name = \"p7\"; devargs = \"x\"; address = \"10.0.7.1/24\"; },\n"
	       "  { name = \"p8\"; devargs = \"x\"; address = \"10.0.8.1/24\"; } );\n"
	       "vpc = { cidr = \"10.0.0.0/16\"; };\n",
	       "t.cfg:1: ports: too many ports (9, max 8)");
}

/* Replace the first occurrence of FROM in S (a copy is returned). */
static char *
replace(const char *s, const char *from, const char *to)
{
	const char *p = strstr(s, from);
	size_t n = strlen(s) - strlen(from) + strlen(to) + 1;
	char *r = malloc(n);

	assert_non_null(p);
	assert_non_null(r);
	snprintf(r, n, "%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
	return r;
}

/* Several errors all over the demo: every one is reported, in file order. */
static void
test_many_errors(void **state)
{
	char *a, *b;

	(void)state;
	a = replace(demo, "mtu = 9001", "mtu = 90001");
	b = replace(a, "nat-gateway:nat-a", "nat-gateway:nat-b");
	free(a);
	a = replace(b, "rule = 110", "rule = 100");
	free(b);
	b = replace(a, "\"1024-65535\"", "\"65535-1024\"");
	free(a);
	a = replace(b, "security_groups = [ \"bastion\" ]",
		    "security_groups = [ \"bastion\", \"admin\" ]");
	free(b);
	b = replace(a, "port = 53;  target_group = \"dns-tg\"", "port = 53;  target_group = \"web-tg\"");
	free(a);
	a = replace(b, "vpce-0a1b2c3d4e5f60718", "vpce-0a1b2c3d4e5f6071");
	free(b);
	EXPECT(a,
	       "t.cfg:15: ports[0].mtu: 90001 is out of range 68..9216",
	       "t.cfg:43: route_tables[1].routes[0].target: unknown NAT gateway \"nat-b\"",
	       "t.cfg:51: network_acls[0].ingress[0].ports: port range \"65535-1024\" is out of order",
	       "t.cfg:52: network_acls[0].ingress[1].rule: duplicate rule number 100 (first at line 51)",
	       "t.cfg:71: interfaces[1].security_groups[1]: unknown security group \"admin\"",
	       "t.cfg:83: network_load_balancers[0].listeners[1].target_group: listener protocol udp "
	       "does not match target group \"web-tg\" protocol tcp",
	       "t.cfg:103: gateway_load_balancers[0].endpoints[0].id: bad endpoint id "
	       "\"vpce-0a1b2c3d4e5f6071\" (expected vpce- and 17 hex digits)");
	free(a);
}

/* Names are UTF-8 text without control characters: what passes and what
 * does not, with the offset of the first bad byte. */
static void
test_name_charset(void **state)
{
	static const struct { const char *name; const char *why; size_t at; } cases[] = {
		{ "nat-a", NULL, 0 },
		{ "nat\"a\\b {x=\"1\"}", NULL, 0 },
		{ "w\xc3\xa9" "b \xe7\xbb\x84", NULL, 0 },          /* wéb 组 */
		{ "\xf0\x9f\x98\x80", NULL, 0 },                  /* U+1F600 */
		{ "a\nb", "a control character", 1 },
		{ "\tab", "a control character", 0 },
		{ "a\x7f", "a control character", 1 },
		{ "ab\xc2\x85", "a control character", 2 },         /* U+0085 (C1) */
		{ "a\xff", "a byte that is not UTF-8", 1 },
		{ "a\xc3(", "a byte that is not UTF-8", 1 },         /* truncated */
		{ "\xc0\xaf", "a byte that is not UTF-8", 0 },      /* overlong '/' */
		{ "\xe0\x80\xaf", "a byte that is not UTF-8", 0 }, /* overlong */
		{ "\xed\xa0\x80", "a byte that is not UTF-8", 0 }, /* surrogate */
		{ "\xf4\x90\x80\x80", "a byte that is not UTF-8", 0 }, /* > U+10FFFF */
		{ "abc\xe7\xbb", "a byte that is not UTF-8", 3 },   /* cut at the end */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t at = 99;
		const char *why = cfg_name_problem(cases[i].name, &at);

		if (cases[i].why == NULL) {
			assert_null(why);
		} else {
			assert_non_null(why);
			assert_string_equal(why, cases[i].why);
			assert_int_equal(at, cases[i].at);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base_is_valid),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_missing_keys),
		cmocka_unit_test(test_bad_ipv4),
		cmocka_unit_test(test_bad_cidr),
		cmocka_unit_test(test_bad_mac),
		cmocka_unit_test(test_duplicate_names),
		cmocka_unit_test(test_duplicate_addresses),
		cmocka_unit_test(test_subnets),
		cmocka_unit_test(test_address_consistency),
		cmocka_unit_test(test_unknown_references),
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_nacl_errors),
		cmocka_unit_test(test_port_ranges),
		cmocka_unit_test(test_protocols_and_icmp),
		cmocka_unit_test(test_security_groups),
		cmocka_unit_test(test_sg_timeouts),
		cmocka_unit_test(test_nat_gateways),
		cmocka_unit_test(test_listeners),
		cmocka_unit_test(test_target_groups),
		cmocka_unit_test(test_gwlb),
		cmocka_unit_test(test_dpdk_and_ports),
		cmocka_unit_test(test_many_errors),
		cmocka_unit_test(test_name_charset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
