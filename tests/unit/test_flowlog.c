/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of flow logs' configuration (flow_logs, docs/config.md "Flow
 * logs"): what loads, and the exact "file:line: path: problem" of each bad
 * value; the format parser and one record's line (flowlog/fl_format.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/cfg.h"
#include "flowlog/fl_format.h"

#include "cfg_test.h"

/* Lines 1..6; a test's own text starts at line 7. */
#define BASE \
	"ports = ( { name = \"vpc\"; devargs = \"net_null0\"; address = \"10.0.0.1/16\"; } );\n" \
	"vpc = { cidr = \"10.0.0.0/16\";\n" \
	"  subnets = ( { name = \"a\"; cidr = \"10.0.1.0/24\"; port = \"vpc\"; } ); };\n" \
	"security_groups = ( { name = \"g\"; ingress = (); egress = (); } );\n" \
	"interfaces = ( { address = \"10.0.1.10\"; security_groups = [ \"g\" ]; } );\n" \
	"# flow logs\n"

static void
test_valid(void **state)
{
	struct cfg *c = load_ok(BASE
		"flow_logs = ( { name = \"v\"; resource = \"vpc\"; traffic_type = \"ALL\";\n"
		"    destination = \"file:/tmp\"; },\n"
		"  { name = \"s\"; resource = \"subnet:a\"; traffic_type = \"REJECT\";\n"
		"    max_aggregation_interval = 60; destination = \"file:/tmp\";\n"
		"    format = \"${version} ${interface-id} ${tcp-flags} ${flow-direction}\";\n"
		"    account_id = \"123456789012\"; },\n"
		"  { name = \"e\"; resource = \"eni:10.0.1.10\"; traffic_type = \"ACCEPT\";\n"
		"    destination = \"file:/tmp\"; } );\n");

	(void)state;
	assert_int_equal(c->n_flow_logs, 3);
	assert_int_equal(c->flow_logs[0].resource, CFG_FL_VPC);
	assert_true(c->flow_logs[0].accept && c->flow_logs[0].reject);
	assert_int_equal(c->flow_logs[0].interval_s, 600);
	assert_int_equal(c->flow_logs[0].n_fields, 14);
	assert_string_equal(c->flow_logs[0].account, "000000000000");
	assert_string_equal(c->flow_logs[0].dir, "/tmp");
	assert_int_equal(c->flow_logs[1].resource, CFG_FL_SUBNET);
	assert_int_equal(c->flow_logs[1].subnet, 0);
	assert_true(!c->flow_logs[1].accept && c->flow_logs[1].reject);
	assert_int_equal(c->flow_logs[1].interval_s, 60);
	assert_int_equal(c->flow_logs[1].n_fields, 4);
	assert_int_equal(c->flow_logs[1].fields[2], FL_TCP_FLAGS);
	assert_int_equal(fl_format_version(c->flow_logs[1].fields, 4), 5);
	assert_string_equal(c->flow_logs[1].account, "123456789012");
	assert_int_equal(c->flow_logs[2].resource, CFG_FL_ENI);
	assert_int_equal(c->flow_logs[2].eni_addr, 0x0a00010a);
	assert_true(c->flow_logs[2].accept && !c->flow_logs[2].reject);
	cfg_free(c);
}

static void
test_errors(void **state)
{
	(void)state;
	EXPECT(BASE
	       "flow_logs = ( { name = \"x\"; resource = \"subnet:zz\"; traffic_type = \"DENY\";\n"
	       "    max_aggregation_interval = 300;\n"
	       "    destination = \"s3:bucket\";\n"
	       "    format = \"${version} ${region}\"; account_id = \"12\"; colour = 1; } );\n",
	       "t.cfg:7: flow_logs[0].resource: unknown subnet \"zz\"",
	       "t.cfg:7: flow_logs[0].traffic_type: bad traffic_type \"DENY\" (expected ACCEPT, "
	       "REJECT or ALL)",
	       "t.cfg:8: flow_logs[0].max_aggregation_interval: max_aggregation_interval is 60 "
	       "or 600 seconds, not 300",
	       "t.cfg:9: flow_logs[0].destination: bad destination \"s3:bucket\" (expected "
	       "\"file:DIRECTORY\")",
	       "t.cfg:10: flow_logs[0].colour: unknown key",
	       "t.cfg:10: flow_logs[0].format: unknown field \"region\" (known: version 2 "
	       "fields, vpc-id, subnet-id, instance-id, tcp-flags, type, pkt-srcaddr, "
	       "pkt-dstaddr, flow-direction, traffic-path)",
	       "t.cfg:10: flow_logs[0].account_id: account_id is 12 digits, not \"12\"");
	EXPECT(BASE
	       "flow_logs = ( { name = \"x\"; resource = \"eni:10.0.1.11\"; traffic_type = \"ALL\";\n"
	       "    destination = \"file:/nonexistent/dir\"; },\n"
	       "  { name = \"x\"; resource = \"host\"; traffic_type = \"ALL\"; destination = \"file:/tmp\";\n"
	       "    format = \"${srcaddr}  ${dstaddr}\"; },\n"
	       "  { name = \"y\"; resource = \"vpc\"; destination = \"file:/tmp\";\n"
	       "    format = \"${srcaddr} ${srcaddr}\"; } );\n",
	       "t.cfg:7: flow_logs[0].resource: no interface has address 10.0.1.11 "
	       "(interfaces[].address)",
	       "t.cfg:8: flow_logs[0].destination: \"/nonexistent/dir\" is not a directory",
	       "t.cfg:9: flow_logs[1].name: duplicate flow log name \"x\" (first at line 7)",
	       "t.cfg:9: flow_logs[1].resource: bad resource \"host\" (expected \"vpc\", "
	       "\"subnet:NAME\" or \"eni:ADDRESS\")",
	       "t.cfg:10: flow_logs[1].format: fields are separated by one space, at \"  "
	       "${dstaddr}\"",
	       "t.cfg:11: flow_logs[2].traffic_type: required key is missing",
	       "t.cfg:12: flow_logs[2].format: field \"srcaddr\" is listed twice");
}

static void
test_line(void **state)
{
	struct cfg_flow_log fl = { .account = "123456789012" };
	struct fl_record r = {
		.iface = 0x0a00010a, .src = 0x0a000214, .dst = 0x0a00010a, .sport = 40000,
		.dport = 22, .proto = 6, .accept = 0, .egress = 0, .tcp_flags = 2,
		.vpc = 0x0a000000, .subnet = 0x0a000100, .packets = 2, .bytes = 80,
		.start = 1700000003, .end = 1700000004,
	};
	char buf[512], err[128];

	(void)state;
	fl.n_fields = fl_format_default(fl.fields, CFG_FL_MAX_FIELDS);
	assert_int_equal(fl_record_line(&r, &fl, buf, sizeof(buf)) > 0, 1);
	assert_string_equal(buf, "2 123456789012 eni-0000000000a00010a 10.0.2.20 10.0.1.10 40000 "
			    "22 6 2 80 1700000003 1700000004 REJECT OK\n");
	assert_int_equal(fl_format_parse("${vpc-id} ${subnet-id} ${type} ${traffic-path} "
					 "${flow-direction}", fl.fields, CFG_FL_MAX_FIELDS,
					 &fl.n_fields, err, sizeof(err)), 0);
	assert_int_equal(fl_record_line(&r, &fl, buf, sizeof(buf)) > 0, 1);
	assert_string_equal(buf, "vpc-0000000000a000000 subnet-0000000000a000100 IPv4 - ingress\n");
	r.egress = 1;
	r.traffic_path = 8;
	r.skipdata = 1;
	fl_format_header(fl.fields, fl.n_fields, buf, sizeof(buf));
	assert_string_equal(buf, "vpc-id subnet-id type traffic-path flow-direction");
	assert_int_equal(fl_record_line(&r, &fl, buf, 10), -1);
	assert_int_equal(fl_format_parse("${log-status} ${traffic-path}", fl.fields,
					 CFG_FL_MAX_FIELDS, &fl.n_fields, err, sizeof(err)), 0);
	assert_int_equal(fl_record_line(&r, &fl, buf, sizeof(buf)) > 0, 1);
	assert_string_equal(buf, "SKIPDATA 8\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
