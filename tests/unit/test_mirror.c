/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of traffic mirroring's configuration (traffic_mirror_sessions,
 * docs/config.md "Traffic mirroring"): what loads, and the exact
 * "file:line: path: problem" of each bad value.
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

#include "cfg_test.h"

/* Lines 1..6; a test's own text starts at line 7. */
#define BASE \
	"ports = ( { name = \"vpc\"; devargs = \"net_null0\"; address = \"10.0.0.1/16\"; } );\n" \
	"vpc = { cidr = \"10.0.0.0/16\";\n" \
	"  subnets = ( { name = \"a\"; cidr = \"10.0.1.0/24\"; port = \"vpc\"; } ); };\n" \
	"security_groups = ( { name = \"g\"; ingress = (); egress = (); } );\n" \
	"interfaces = ( { address = \"10.0.1.10\"; security_groups = [ \"g\" ]; } );\n" \
	"# traffic mirroring\n"

static void
test_valid(void **state)
{
	struct cfg *c = load_ok(BASE
		"traffic_mirror_sessions = ( { name = \"m\"; source = \"eni:10.0.1.10\";\n"
		"    target = { address = \"10.0.1.99\"; port = \"vpc\"; }; vni = 4242;\n"
		"    filter = { inbound = ( { rule = 200; protocol = \"all\"; cidr = \"0.0.0.0/0\";\n"
		"                             action = \"accept\"; },\n"
		"                           { rule = 100; protocol = \"tcp\"; ports = \"22-23\";\n"
		"                             cidr = \"10.0.2.0/24\"; action = \"reject\"; } );\n"
		"               outbound = ( { rule = 1; protocol = 17; ports = 53;\n"
		"                              cidr = \"0.0.0.0/0\"; action = \"accept\"; } ); };\n"
		"    packet_length = 64; session_number = 1; },\n"
		"  { name = \"n\"; source = \"eni:10.0.1.10\"; target = { address = \"10.0.1.98\";\n"
		"    port = \"vpc\"; }; vni = 0; filter = { }; session_number = 2; } );\n");
	const struct cfg_mirror_session *m;

	(void)state;
	assert_int_equal(c->n_mirrors, 2);
	m = &c->mirrors[0];
	assert_string_equal(m->name, "m");
	assert_int_equal(m->eni_addr, 0x0a00010a);
	assert_int_equal(m->target_addr, 0x0a000163);
	assert_int_equal(m->target_port, 0);
	assert_int_equal(m->vni, 4242);
	assert_int_equal(m->packet_length, 64);
	assert_int_equal(m->session_number, 1);
	assert_int_equal(m->n_in, 2);
	assert_int_equal(m->in[0].number, 100);     /* sorted */
	assert_int_equal(m->in[0].proto, 6);
	assert_int_equal(m->in[0].port_lo, 22);
	assert_int_equal(m->in[0].port_hi, 23);
	assert_int_equal(m->in[0].cidr.addr, 0x0a000200);
	assert_int_equal(m->in[0].cidr.len, 24);
	assert_false(m->in[0].accept);
	assert_int_equal(m->in[1].number, 200);
	assert_int_equal(m->in[1].proto, CFG_PROTO_ALL);
	assert_int_equal(m->in[1].port_lo, 0);
	assert_int_equal(m->in[1].port_hi, 65535);
	assert_true(m->in[1].accept);
	assert_int_equal(m->n_out, 1);
	assert_int_equal(m->out[0].proto, 17);
	assert_int_equal(m->out[0].port_lo, 53);
	assert_int_equal(m->out[0].port_hi, 53);
	m = &c->mirrors[1];
	assert_int_equal(m->packet_length, 0);      /* absent: the whole packet */
	assert_int_equal(m->n_in, 0);
	assert_int_equal(m->n_out, 0);
	cfg_free(c);
}

static void
test_errors(void **state)
{
	(void)state;
	EXPECT(BASE
	       "traffic_mirror_sessions = ( { name = \"m\"; source = \"eni:10.0.1.11\";\n"
	       "    target = { address = \"10.0.1.300\"; port = \"wan\"; }; vni = 16777216;\n"
	       "    filter = { inbound = ( { rule = 0; protocol = \"gre\"; cidr = \"0.0.0.0/0\";\n"
	       "                             action = \"deny\"; },\n"
	       "                           { rule = 5; protocol = \"icmp\"; ports = 80;\n"
	       "                             cidr = \"10.0.0.0/33\"; action = \"accept\"; },\n"
	       "                           { rule = 5; protocol = \"tcp\"; ports = \"90-80\";\n"
	       "                             cidr = \"0.0.0.0/0\"; action = \"accept\"; } );\n"
	       "               sideways = (); };\n"
	       "    packet_length = 0; session_number = 32767; colour = 1; } );\n",
	       "t.cfg:7: traffic_mirror_sessions[0].source: no interface has address 10.0.1.11 "
	       "(interfaces[].address)",
	       "t.cfg:8: traffic_mirror_sessions[0].target.address: bad IPv4 address \"10.0.1.300\"",
	       "t.cfg:8: traffic_mirror_sessions[0].target.port: unknown port \"wan\"",
	       "t.cfg:8: traffic_mirror_sessions[0].vni: 16777216 is out of range 0..16777215",
	       "t.cfg:9: traffic_mirror_sessions[0].filter.inbound[0].rule: 0 is out of range 1..32766",
	       "t.cfg:9: traffic_mirror_sessions[0].filter.inbound[0].protocol: bad protocol \"gre\" "
	       "(expected all, tcp, udp, icmp or 0..255)",
	       "t.cfg:10: traffic_mirror_sessions[0].filter.inbound[0].action: bad action \"deny\" "
	       "(expected accept or reject)",
	       "t.cfg:11: traffic_mirror_sessions[0].filter.inbound[1].ports: ports apply only to "
	       "tcp and udp",
	       "t.cfg:12: traffic_mirror_sessions[0].filter.inbound[1].cidr: bad CIDR \"10.0.0.0/33\"",
	       "t.cfg:13: traffic_mirror_sessions[0].filter.inbound[2].ports: bad port range \"90-80\" "
	       "(0..65535, low-high)",
	       "t.cfg:13: traffic_mirror_sessions[0].filter.inbound[2]: rule number 5 already used "
	       "on line 11",
	       "t.cfg:15: traffic_mirror_sessions[0].filter.sideways: unknown key",
	       "t.cfg:16: traffic_mirror_sessions[0].colour: unknown key",
	       "t.cfg:16: traffic_mirror_sessions[0].packet_length: 0 is out of range 1..65535",
	       "t.cfg:16: traffic_mirror_sessions[0].session_number: 32767 is out of range 1..32766");
	EXPECT(BASE
	       "traffic_mirror_sessions = ( { name = \"m\"; source = \"10.0.1.10\"; target = 1;\n"
	       "    vni = 1; session_number = 1; },\n"
	       "  { name = \"n\"; source = \"eni:10.0.1.10\"; target = { address = \"10.0.1.9\";\n"
	       "    port = \"vpc\"; }; vni = 1; filter = { }; session_number = 3; },\n"
	       "  { name = \"o\"; source = \"eni:10.0.1.10\"; target = { address = \"10.0.1.9\";\n"
	       "    port = \"vpc\"; }; vni = 1; filter = { }; session_number = 3; } );\n",
	       "t.cfg:7: traffic_mirror_sessions[0].source: bad source \"10.0.1.10\" (expected "
	       "\"eni:ADDRESS\")",
	       "t.cfg:7: traffic_mirror_sessions[0].target: expected a group, got an integer",
	       "t.cfg:7: traffic_mirror_sessions[0].filter: required key is missing",
	       "t.cfg:12: traffic_mirror_sessions[2].session_number: session_number 3 already used "
	       "for this source by \"n\"");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
