/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the transit_gateways section (config/cfg_tgw.c) and the
 * route target "tgw:NAME": the model a valid file gives, and every
 * inconsistency --check reports, with its exact message, line and path
 * (the user interface of --check).
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

/* two VPCs, a port for an on-premises attachment (5 lines) */
#define PORTS_VPCS \
	"ports = ( { name = \"p1\"; devargs = \"net_null0\"; address = \"10.0.0.1/16\"; },\n" \
	"  { name = \"p2\"; devargs = \"net_null1\"; address = \"10.1.0.1/16\"; },\n" \
	"  { name = \"op\"; devargs = \"net_null2\"; address = \"192.0.2.2/24\"; } );\n" \
	"vpcs = ( { name = \"a\"; cidr = \"10.0.0.0/16\"; subnets = ( { name = \"sa\"; cidr = \"10.0.1.0/24\"; port = \"p1\"; route_table = \"ra\"; } ); },\n" \
	"  { name = \"b\"; cidr = \"10.1.0.0/16\"; subnets = ( { name = \"sb\"; cidr = \"10.1.1.0/24\"; port = \"p2\"; route_table = \"rb\"; } ); } );\n"

static void
test_valid(void **state)
{
	const struct cfg_tgw *g;
	struct cfg *c;

	(void)state;
	c = load_ok(PORTS_VPCS
		    "route_tables = ( { name = \"ra\"; routes = ( { destination = \"0.0.0.0/0\"; target = \"tgw:t1\"; } ); },\n"
		    "  { name = \"rb\"; routes = ( { destination = \"10.0.0.0/8\"; target = \"tgw:t1\"; } ); } );\n"
		    "transit_gateways = ( { name = \"t0\"; },\n"
		    "  { name = \"t1\"; attachments = (\n"
		    "    { name = \"op\"; port = \"op\"; next_hop = \"192.0.2.1\"; route_table = \"main\"; propagate = [ \"spoke\" ]; },\n"
		    "    { name = \"xb\"; vpc = \"b\"; subnets = [ \"sb\" ]; route_table = \"main\"; propagate = [ \"main\", \"spoke\" ]; },\n"
		    "    { name = \"xa\"; vpc = \"a\"; subnets = [ \"sa\" ]; route_table = \"spoke\"; } );\n"
		    "  route_tables = ( { name = \"spoke\"; },\n"
		    "    { name = \"main\"; routes = ( { destination = \"172.16.0.0/12\"; attachment = \"op\"; },\n"
		    "      { destination = \"10.99.0.0/16\"; target = \"blackhole\"; } ); } ); } );\n");
	assert_int_equal(c->n_tgws, 2);
	assert_int_equal(c->tgws[0].n_atts, 0);
	assert_int_equal(c->n_tgw_atts, 3);
	g = &c->tgws[1];
	assert_int_equal(g->n_atts, 3);
	assert_int_equal(g->n_rtables, 2);
	/* the port attachment */
	assert_int_equal(g->atts[0].vpc, -1);
	assert_int_equal(g->atts[0].port, 2);
	assert_int_equal(g->atts[0].next_hop, ip("192.0.2.1"));
	assert_int_equal(g->atts[0].route_table, 1);
	assert_int_equal(g->atts[0].propagate, 1);
	assert_int_equal(g->atts[0].gid, 0);
	/* the VPC attachments */
	assert_int_equal(g->atts[1].vpc, 1);
	assert_int_equal(g->atts[1].port, -1);
	assert_int_equal(g->atts[1].n_subnets, 1);
	assert_int_equal(g->atts[1].subnets[0], 1);
	assert_int_equal(g->atts[1].propagate, 3);
	assert_int_equal(g->atts[2].vpc, 0);
	assert_int_equal(g->atts[2].route_table, 0);
	assert_int_equal(g->atts[2].propagate, 0);
	assert_int_equal(g->atts[2].gid, 2);
	/* static routes: to an attachment, or a blackhole */
	assert_int_equal(g->rtables[0].n_routes, 0);
	assert_int_equal(g->rtables[1].n_routes, 2);
	assert_int_equal(g->rtables[1].routes[0].dst.addr, ip("172.16.0.0"));
	assert_int_equal(g->rtables[1].routes[0].dst.len, 12);
	assert_int_equal(g->rtables[1].routes[0].att, 0);
	assert_int_equal(g->rtables[1].routes[1].att, -1);
	assert_int_equal(g->rtables[1].routes[1].line, 15);
	/* "tgw:t1" in a table of VPC a: the attachment of a to t1 (xa); of b: xb */
	assert_int_equal(c->route_tables[0].routes[0].kind, CFG_TARGET_TGW);
	assert_int_equal(c->route_tables[0].routes[0].ref, 1);
	assert_int_equal(c->route_tables[0].routes[0].ref2, 2);
	assert_int_equal(c->route_tables[1].routes[0].ref2, 1);
	cfg_free(c);
}

/* Every error of the section and of "tgw:" targets, each on its line. */
static void
test_errors(void **state)
{
	(void)state;
	EXPECT(
	       "ports = ( { name = \"p1\"; devargs = \"net_null0\"; address = \"10.0.0.1/16\"; },\n"
	       "  { name = \"p2\"; devargs = \"net_null1\"; address = \"10.1.0.1/16\"; },\n"
	       "  { name = \"op\"; devargs = \"net_null2\"; address = \"192.0.2.2/24\"; },\n"
	       "  { name = \"op2\"; devargs = \"net_null3\"; address = \"198.51.100.2/24\"; } );\n"
	       "vpcs = ( { name = \"a\"; cidr = \"10.0.0.0/16\"; subnets = ( { name = \"sa\"; cidr = \"10.0.1.0/24\"; port = \"p1\"; route_table = \"ra\"; } ); },\n"
	       "  { name = \"b\"; cidr = \"10.1.0.0/16\"; subnets = ( { name = \"sb\"; cidr = \"10.1.1.0/24\"; port = \"p2\"; route_table = \"rb\"; } ); },\n"
	       "  { name = \"c\"; cidr = \"10.2.0.0/16\"; } );\n"
	       "route_tables = ( { name = \"ra\"; routes = ( { destination = \"10.1.0.0/16\"; target = \"tgw:t1\"; },\n"
	       "  { destination = \"10.2.0.0/16\"; target = \"tgw:t9\"; }, { destination = \"2001:db8::/32\"; target = \"tgw:t1\"; } ); },\n"
	       "  { name = \"rb\"; routes = ( { destination = \"10.0.0.0/16\"; target = \"tgw:t2\"; } ); } );\n"
	       "transit_gateways = ( { name = \"t1\";\n"
	       "  attachments = ( { name = \"xa\"; vpc = \"a\"; subnets = [ \"sa\", \"sa\" ]; route_table = \"m\"; propagate = [ \"m\", \"m\", \"q\" ]; },\n"
	       "    { name = \"xb\"; vpc = \"b\"; subnets = [ \"sa\" ]; route_table = \"zz\"; },\n"
	       "    { name = \"xb2\"; vpc = \"b\"; subnets = []; },\n"
	       "    { name = \"xc\"; vpc = \"nope\"; subnets = [ \"sb\" ]; },\n"
	       "    { name = \"xp\"; port = \"p1\"; next_hop = \"10.0.0.9\"; },\n"
	       "    { name = \"xq\"; port = \"op\"; next_hop = \"203.0.113.1\"; subnets = [ \"sa\" ]; propagate = [ \"m\" ]; },\n"
	       "    { name = \"xr\"; port = \"op2\"; next_hop = \"198.51.100.1\"; propagate = [ \"m\" ]; },\n"
	       "    { name = \"xs\"; vpc = \"a\"; port = \"op\"; },\n"
	       "    { name = \"xt\"; },\n"
	       "    { name = \"xa\"; vpc = \"c\"; subnets = [ \"sa\" ]; } );\n"
	       "  route_tables = ( { name = \"m\"; routes = ( { destination = \"172.16.0.0/12\"; attachment = \"xq\"; },\n"
	       "      { destination = \"172.16.0.0/12\"; target = \"blackhole\"; }, { destination = \"10.9.0.0/16\"; target = \"drop\"; },\n"
	       "      { destination = \"10.8.0.0/16\"; attachment = \"nope\"; }, { destination = \"10.7.0.0/16\"; attachment = \"xa\"; target = \"blackhole\"; },\n"
	       "      { destination = \"10.6.0.0/16\"; }, { destination = \"2001:db8::/32\"; target = \"blackhole\"; } ); },\n"
	       "    { name = \"n\"; routes = ( { destination = \"172.16.0.0/12\"; attachment = \"xr\"; } ); },\n"
	       "    { name = \"m\"; } ); },\n"
	       "  { name = \"t2\"; }, { name = \"t1\"; } );\n",
	       "t.cfg:9: route_tables[0].routes[1].target: unknown transit gateway \"t9\"",
	       "t.cfg:9: route_tables[0].routes[2].target: IPv6 through a transit gateway is not built yet",
	       "t.cfg:10: route_tables[1].routes[0].target: VPC \"b\" of route table \"rb\" has no attachment to transit gateway \"t2\"",
	       "t.cfg:12: transit_gateways[0].attachments[0].subnets[1]: subnet \"sa\" is listed twice",
	       "t.cfg:12: transit_gateways[0].attachments[0].propagate[1]: route table \"m\" is listed twice",
	       "t.cfg:12: transit_gateways[0].attachments[0].propagate[2]: unknown route table \"q\" of transit gateway \"t1\"",
	       "t.cfg:13: transit_gateways[0].attachments[1].subnets[0]: subnet \"sa\" is in VPC \"a\", not in the attachment's VPC \"b\"",
	       "t.cfg:13: transit_gateways[0].attachments[1].route_table: unknown route table \"zz\" of transit gateway \"t1\"",
	       "t.cfg:14: transit_gateways[0].attachments[2].subnets: a VPC attachment needs at least one subnet",
	       "t.cfg:14: transit_gateways[0].attachments[2].vpc: VPC \"b\" is already attached to transit gateway \"t1\" (attachment \"xb\")",
	       "t.cfg:15: transit_gateways[0].attachments[3].vpc: unknown VPC \"nope\"",
	       "t.cfg:16: transit_gateways[0].attachments[4].port: port \"p1\" carries subnets: a port attachment needs a port of its own (its traffic is told apart by port)",
	       "t.cfg:17: transit_gateways[0].attachments[5].subnets: subnets are for a VPC attachment",
	       "t.cfg:17: transit_gateways[0].attachments[5].next_hop: 203.0.113.1 is not on port \"op\" (192.0.2.2/24)",
	       "t.cfg:19: transit_gateways[0].attachments[7].port: an attachment is to a VPC (vpc, subnets) or to a port (port, next_hop), not both",
	       "t.cfg:20: transit_gateways[0].attachments[8]: an attachment needs vpc (and subnets) or port (and next_hop)",
	       "t.cfg:21: transit_gateways[0].attachments[9].name: duplicate attachment name \"xa\" (first at line 12)",
	       "t.cfg:21: transit_gateways[0].attachments[9].subnets[0]: subnet \"sa\" is in VPC \"a\", not in the attachment's VPC \"c\"",
	       "t.cfg:23: transit_gateways[0].route_tables[0].routes[1].destination: duplicate destination 172.16.0.0/12 (first at line 22)",
	       "t.cfg:23: transit_gateways[0].route_tables[0].routes[2].target: bad target \"drop\" (a transit gateway route goes to an attachment, or to target \"blackhole\")",
	       "t.cfg:24: transit_gateways[0].route_tables[0].routes[3].attachment: unknown attachment \"nope\" of transit gateway \"t1\"",
	       "t.cfg:24: transit_gateways[0].route_tables[0].routes[4]: a route has attachment or target, not both",
	       "t.cfg:25: transit_gateways[0].route_tables[0].routes[5]: a route needs attachment = NAME or target = \"blackhole\"",
	       "t.cfg:25: transit_gateways[0].route_tables[0].routes[6].destination: \"2001:db8::/32\": IPv6 through a transit gateway is not built yet",
	       "t.cfg:27: transit_gateways[0].route_tables[2].name: duplicate route table name \"m\" (first at line 22)",
	       "t.cfg:28: transit_gateways[2].name: duplicate transit gateway name \"t1\" (first at line 11)");
}

/* A port attachment's port carries nothing else; a gateway route table
 * cannot route to a TGW; one prefix propagated by two attachments into a
 * table without a static route for it. */
static void
test_ports_and_propagation(void **state)
{
	(void)state;
	EXPECT(
	       "ports = ( { name = \"p1\"; devargs = \"net_null0\"; address = \"10.0.0.1/16\"; },\n"
	       "  { name = \"p2\"; devargs = \"net_null1\"; address = \"10.1.0.1/16\"; },\n"
	       "  { name = \"op\"; devargs = \"net_null2\"; address = \"192.0.2.2/24\"; },\n"
	       "  { name = \"inet\"; devargs = \"net_null3\"; address = \"198.51.100.2/24\"; } );\n"
	       "vpcs = ( { name = \"a\"; cidr = \"10.0.0.0/16\"; subnets = ( { name = \"sa\"; cidr = \"10.0.1.0/24\"; port = \"p1\"; route_table = \"ra\"; } ); },\n"
	       "  { name = \"b\"; cidr = \"10.1.0.0/16\"; subnets = ( { name = \"sb\"; cidr = \"10.1.1.0/24\"; port = \"p2\"; } ); } );\n"
	       "internet_gateway = { port = \"inet\"; next_hop = \"198.51.100.1\"; route_table = \"edge\"; };\n"
	       "route_tables = ( { name = \"ra\"; routes = ( { destination = \"10.1.0.0/16\"; target = \"tgw:t1\"; } ); },\n"
	       "  { name = \"edge\"; routes = ( { destination = \"10.1.0.0/16\"; target = \"tgw:t1\"; } ); } );\n"
	       "transit_gateways = ( { name = \"t1\";\n"
	       "  attachments = ( { name = \"xa\"; vpc = \"a\"; subnets = [ \"sa\" ]; route_table = \"m\"; propagate = [ \"m\" ]; },\n"
	       "    { name = \"xb\"; vpc = \"b\"; subnets = [ \"sb\" ]; route_table = \"m\"; propagate = [ \"m\" ]; },\n"
	       "    { name = \"xq\"; port = \"op\"; next_hop = \"192.0.2.1\"; propagate = [ \"m\" ]; },\n"
	       "    { name = \"xr\"; port = \"op\"; next_hop = \"192.0.2.3\"; propagate = [ \"m\" ]; },\n"
	       "    { name = \"xi\"; port = \"inet\"; next_hop = \"198.51.100.1\"; } );\n"
	       "  route_tables = ( { name = \"m\"; },\n"
	       "    { name = \"n\"; routes = ( { destination = \"172.16.0.0/12\"; attachment = \"xq\"; } ); },\n"
	       "    { name = \"o\"; routes = ( { destination = \"172.16.0.0/12\"; attachment = \"xr\"; } ); } ); } );\n",
	       "t.cfg:9: route_tables[1].routes[0].target: route table \"edge\" is the internet gateway's: a gateway route table cannot route to a transit gateway",
	       "t.cfg:14: transit_gateways[0].attachments[3].port: port \"op\" carries attachment \"xq\" of transit gateway \"t1\": a port attachment needs a port of its own (its traffic is told apart by port)",
	       "t.cfg:14: transit_gateways[0].attachments[3].propagate: 172.16.0.0/12 is propagated into route table \"m\" by \"xq\" and \"xr\": add a static route for it",
	       "t.cfg:15: transit_gateways[0].attachments[4].port: port \"inet\" carries the internet gateway: a port attachment needs a port of its own (its traffic is told apart by port)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_ports_and_propagation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
