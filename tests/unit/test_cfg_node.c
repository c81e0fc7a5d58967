/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the node section (config/cfg_node.c, docs/SCALE-OUT.md):
 * what a valid one loads to, its absence, and the exact
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


/* Lines 1..4; a test's own text starts at line 5. */
#define BASE \
	"ports = ( { name = \"vpc\"; devargs = \"net_null0\"; address = \"10.0.0.1/16\"; } );\n" \
	"vpc = { cidr = \"10.0.0.0/16\";\n" \
	"  subnets = ( { name = \"a\"; cidr = \"10.0.0.0/24\"; port = \"vpc\"; } ); };\n" \
	"# node section below\n"

static void
test_node_valid(void **state)
{
	struct cfg *c;

	(void)state;
	c = load_ok(BASE "node = { name = \"gw-a.1_x\"; health = { listen = \"127.0.0.1:8080\"; };\n"
		    "  mid_flow = \"place\"; };\n");
	assert_string_equal(c->node.name, "gw-a.1_x");
	assert_true(c->node.has_health);
	assert_int_equal(c->node.health_addr, 0x7f000001);
	assert_int_equal(c->node.health_port, 8080);
	assert_true(c->node.mid_flow_place);
	assert_int_equal(c->node.line, 5);
	cfg_free(c);
	c = load_ok(BASE "node = { name = \"b\"; mid_flow = \"reset\"; };\n");
	assert_false(c->node.has_health);
	assert_false(c->node.mid_flow_place);
	cfg_free(c);
}

/* no node section: nothing of it set (the behaviour before issue #19) */
static void
test_node_absent(void **state)
{
	struct cfg *c;

	(void)state;
	c = load_ok(BASE);
	assert_string_equal(c->node.name, "");
	assert_false(c->node.has_health);
	assert_false(c->node.mid_flow_place);
	assert_int_equal(c->node.line, 0);
	cfg_free(c);
}

static void
test_node_errors(void **state)
{
	(void)state;
	EXPECT(BASE "node = { name = \"gw a\"; };\n",
	       "t.cfg:5: node.name: bad node name \"gw a\": 1..63 characters of A-Z a-z 0-9 . _ - "
	       "(it becomes a Prometheus label value)");
	EXPECT(BASE "node = { health = { listen = \"127.0.0.1:8080\"; }; };\n",
	       "t.cfg:5: node.name: required key is missing");
	EXPECT(BASE "node = { name = \"a\";\n  health = { listen = \"127.0.0.1\"; }; };\n",
	       "t.cfg:6: node.health.listen: \"127.0.0.1\" is not ADDRESS:PORT (e.g. "
	       "\"127.0.0.1:8080\")");
	EXPECT(BASE "node = { name = \"a\"; health = { listen = \"127.0.0.1:0\"; }; };\n",
	       "t.cfg:5: node.health.listen: bad port in \"127.0.0.1:0\" (1..65535)");
	EXPECT(BASE "node = { name = \"a\"; health = { listen = \"localhost:80\"; }; };\n",
	       "t.cfg:5: node.health.listen: bad IPv4 address \"localhost\" in \"localhost:80\"");
	EXPECT(BASE "node = { name = \"a\"; health = { port = 80; }; };\n",
	       "t.cfg:5: node.health.port: unknown key",
	       "t.cfg:5: node.health.listen: required key is missing");
	EXPECT(BASE "node = { name = \"a\"; mid_flow = \"sticky\"; };\n",
	       "t.cfg:5: node.mid_flow: \"sticky\": \"reset\" (default: TCP data without a "
	       "flow is refused) or \"place\" (NLB and GWLB place it as the node that saw "
	       "the SYN did, docs/SCALE-OUT.md)");
	EXPECT(BASE "node = { name = \"a\"; zone = \"z\"; };\n",
	       "t.cfg:5: node.zone: unknown key");
	EXPECT(BASE "node = \"a\";\n",
	       "t.cfg:5: node: expected a group, got a string");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_node_valid),
		cmocka_unit_test(test_node_absent),
		cmocka_unit_test(test_node_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
