/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the configuration loader (config/cfg_load.c, cfg_util.c).
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


/* ---- cfg_util.c ------------------------------------------------------- */

static void
test_parse_ipv4(void **state)
{
	static const char *const bad[] = {
		"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.256", "01.2.3.4", "1.2.3.4 ",
		" 1.2.3.4", "1..3.4", "1.2.3.-4", "a.b.c.d", "1.2.3.4/32", "1234.1.1.1",
	};
	uint32_t a = 7;
	size_t i;

	(void)state;
	assert_int_equal(cfg_parse_ipv4("10.0.1.10", &a), 0);
	assert_int_equal(a, 0x0a00010a);
	assert_int_equal(cfg_parse_ipv4("255.255.255.255", &a), 0);
	assert_int_equal(a, 0xffffffff);
	assert_int_equal(cfg_parse_ipv4("0.0.0.0", &a), 0);
	assert_int_equal(a, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		a = 7;
		if (cfg_parse_ipv4(bad[i], &a) != -EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(a, 7);
	}
	assert_int_equal(cfg_parse_ipv4(NULL, &a), -EINVAL);
}

static void
test_parse_prefix(void **state)
{
	static const char *const bad[] = {
		"10.0.0.0", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/016", "10.0.0.0/1a", "/8",
		"10.0.0/8", "10.0.0.0/-1", "10.0.0.0//8",
	};
	struct cfg_prefix p;
	size_t i;

	(void)state;
	assert_int_equal(cfg_parse_prefix("10.0.0.0/16", &p), 0);
	assert_int_equal(p.addr, 0x0a000000);
	assert_int_equal(p.len, 16);
	assert_int_equal(cfg_parse_prefix("0.0.0.0/0", &p), 0);
	assert_int_equal(p.addr, 0);
	assert_int_equal(p.len, 0);
	assert_int_equal(cfg_parse_prefix("10.0.1.10/32", &p), 0);
	assert_int_equal(p.len, 32);
	/* Host bits set: a distinct error, so the message can say so. */
	assert_int_equal(cfg_parse_prefix("10.0.0.1/16", &p), -EDOM);
	assert_int_equal(cfg_parse_prefix("10.0.0.128/24", &p), -EDOM);
	assert_int_equal(cfg_parse_prefix("1.0.0.0/0", &p), -EDOM);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (cfg_parse_prefix(bad[i], &p) != -EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
}

static void
test_parse_mac(void **state)
{
	static const char *const bad[] = {
		"", "02:00:00:00:00", "02:00:00:00:00:01:02", "02-00-00-00-00-01", "2:0:0:0:0:1",
		"02:00:00:00:00:0g", "02:00:00:00:00:01 ", "0200.0000.0001",
	};
	const uint8_t want[6] = { 0x02, 0x00, 0xab, 0xcd, 0xef, 0xfe };
	uint8_t mac[6];
	size_t i;

	(void)state;
	assert_int_equal(cfg_parse_mac("02:00:ab:CD:ef:FE", mac), 0);
	assert_memory_equal(mac, want, 6);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (cfg_parse_mac(bad[i], mac) != -EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
}

static void
test_prefix_ops(void **state)
{
	struct cfg_prefix vpc = { 0x0a000000, 16 };    /* 10.0.0.0/16 */
	struct cfg_prefix sub = { 0x0a000100, 24 };    /* 10.0.1.0/24 */
	struct cfg_prefix other = { 0x0a010000, 16 };  /* 10.1.0.0/16 */
	struct cfg_prefix all = { 0, 0 };
	struct cfg_prefix host = { 0x0a0001ff, 32 };   /* 10.0.1.255/32 */
	char buf[16];

	(void)state;
	assert_true(cfg_prefix_contains(&vpc, ip("10.0.255.255")));
	assert_true(cfg_prefix_contains(&vpc, ip("10.0.0.0")));
	assert_false(cfg_prefix_contains(&vpc, ip("10.1.0.0")));
	assert_false(cfg_prefix_contains(&vpc, ip("9.255.255.255")));
	assert_true(cfg_prefix_contains(&all, ip("203.0.113.9")));
	assert_true(cfg_prefix_contains(&host, ip("10.0.1.255")));
	assert_false(cfg_prefix_contains(&host, ip("10.0.1.254")));
	assert_true(cfg_prefix_overlap(&vpc, &sub));
	assert_true(cfg_prefix_overlap(&sub, &vpc));
	assert_false(cfg_prefix_overlap(&vpc, &other));
	assert_true(cfg_prefix_overlap(&all, &other));
	assert_true(cfg_prefix_overlap(&host, &sub));
	assert_false(cfg_prefix_overlap(&host, &other));
	assert_string_equal(cfg_ipv4_str(ip("198.51.100.254"), buf, sizeof(buf)),
			    "198.51.100.254");
	assert_string_equal(cfg_ipv4_str(0xffffffff, buf, sizeof(buf)), "255.255.255.255");
	assert_string_equal(cfg_ipv4_str(0, buf, sizeof(buf)), "0.0.0.0");
}

static void
test_subnet_of(void **state)
{
	struct cfg *c = load_ok(demo);

	(void)state;
	assert_int_equal(cfg_subnet_of(c, ip("10.0.0.100")), 0);
	assert_int_equal(cfg_subnet_of(c, ip("10.0.1.10")), 1);
	assert_int_equal(cfg_subnet_of(c, ip("10.0.2.255")), 2);
	assert_int_equal(cfg_subnet_of(c, ip("10.0.3.1")), -1);
	assert_int_equal(cfg_subnet_of(c, ip("198.51.100.20")), -1);
	cfg_free(c);
}

/* ---- valid configurations --------------------------------------------- */

static void
test_demo(void **state)
{
	const uint8_t mac0[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	const uint8_t nb_mac[6] = { 0x02, 0, 0, 0, 0x01, 0xfe };
	struct cfg *c = load_ok(demo);
	const struct cfg_route_table *rt;
	const struct cfg_nacl *acl;
	const struct cfg_sg *sg;
	const struct cfg_nlb *nlb;
	const struct cfg_target_group *tg;
	const struct cfg_gwlb *gw;

	(void)state;
	assert_string_equal(c->file, "t.cfg");
	/* dpdk */
	assert_int_equal(c->dpdk.n_eal_args, 4);
	assert_string_equal(c->dpdk.eal_args[0], "--no-huge");
	assert_string_equal(c->dpdk.eal_args[2], "1024");
	assert_int_equal(c->dpdk.workers, 1);
	assert_int_equal(c->dpdk.mbufs, 32767);
	assert_int_equal(c->dpdk.flow_table_size, 1048576);
	assert_int_equal(c->dpdk.idle_sleep_us, 0);     /* absent: always poll */
	/* ports: mtu given on the first only */
	assert_int_equal(c->n_ports, 3);
	assert_string_equal(c->ports[0].name, "vpc");
	assert_string_equal(c->ports[0].devargs,
			    "net_pcap0,rx_pcap=vpc-in.pcap,tx_pcap=vpc-out.pcap");
	assert_true(c->ports[0].has_mac);
	assert_memory_equal(c->ports[0].mac, mac0, 6);
	assert_int_equal(c->ports[0].addr, ip("10.0.0.1"));
	assert_int_equal(c->ports[0].plen, 16);
	assert_int_equal(c->ports[0].mtu, 9001);
	assert_int_equal(c->ports[1].mtu, 1500);
	assert_int_equal(c->ports[2].rx_queues, 1);
	assert_int_equal(c->ports[2].line, 18);
	/* neighbors */
	assert_int_equal(c->n_neighbors, 1);
	assert_int_equal(c->neighbors[0].port, 1);
	assert_int_equal(c->neighbors[0].addr, ip("198.51.100.254"));
	assert_memory_equal(c->neighbors[0].mac, nb_mac, 6);
	/* vpc */
	assert_int_equal(c->vpc_cidr.addr, ip("10.0.0.0"));
	assert_int_equal(c->vpc_cidr.len, 16);
	assert_int_equal(c->n_subnets, 3);
	assert_int_equal(c->subnets[0].port, 0);
	assert_int_equal(c->subnets[0].route_table, 0);   /* public */
	assert_int_equal(c->subnets[0].nacl, 1);          /* open */
	assert_int_equal(c->subnets[1].route_table, 1);   /* private */
	assert_int_equal(c->subnets[1].nacl, 0);          /* private */
	assert_int_equal(c->subnets[2].nacl, -1);         /* default NACL */
	assert_int_equal(c->subnets[2].cidr.addr, ip("10.0.2.0"));
	assert_int_equal(c->subnets[2].cidr.len, 24);
	assert_int_equal(c->subnets[2].line, 31);
	/* internet gateway */
	assert_true(c->igw.present);
	assert_int_equal(c->igw.port, 1);
	assert_int_equal(c->igw.next_hop, ip("198.51.100.254"));
	assert_int_equal(c->igw.route_table, 2);          /* edge */
	assert_int_equal(c->igw.n_eips, 1);
	assert_int_equal(c->igw.eips[0].public_addr, ip("198.51.100.20"));
	assert_int_equal(c->igw.eips[0].private_addr, ip("10.0.0.10"));
	/* route tables */
	assert_int_equal(c->n_route_tables, 3);
	assert_int_equal(c->route_tables[0].routes[0].kind, CFG_TARGET_IGW);
	rt = &c->route_tables[1];
	assert_int_equal(rt->n_routes, 3);
	assert_int_equal(rt->routes[0].kind, CFG_TARGET_NAT);
	assert_int_equal(rt->routes[0].ref, 0);
	assert_int_equal(rt->routes[0].dst.len, 0);
	assert_int_equal(rt->routes[1].kind, CFG_TARGET_GWLBE);
	assert_int_equal(rt->routes[1].ref, 0);
	assert_int_equal(rt->routes[1].ref2, 0);
	assert_int_equal(rt->routes[1].dst.addr, ip("203.0.113.0"));
	assert_int_equal(rt->routes[2].kind, CFG_TARGET_BLACKHOLE);
	assert_int_equal(rt->routes[2].line, 45);
	assert_int_equal(c->route_tables[2].routes[0].kind, CFG_TARGET_GWLBE);
	/* NACLs */
	assert_int_equal(c->n_nacls, 2);
	acl = &c->nacls[0];
	assert_int_equal(acl->n_ingress, 3);
	assert_int_equal(acl->ingress[0].number, 100);
	assert_int_equal(acl->ingress[0].proto, CFG_L4_TCP);
	assert_int_equal(acl->ingress[0].port_lo, 1024);
	assert_int_equal(acl->ingress[0].port_hi, 65535);
	assert_true(acl->ingress[0].allow);
	assert_int_equal(acl->ingress[1].proto, 1);
	assert_int_equal(acl->ingress[1].icmp_type, -1);
	assert_int_equal(acl->ingress[1].icmp_code, -1);
	assert_int_equal(acl->ingress[2].proto, CFG_PROTO_ALL);
	assert_int_equal(acl->ingress[2].cidr.addr, ip("10.0.0.0"));
	assert_int_equal(acl->ingress[2].cidr.len, 16);
	assert_int_equal(acl->ingress[2].port_lo, 0);
	assert_int_equal(acl->ingress[2].port_hi, 65535);
	assert_int_equal(acl->n_egress, 1);
	/* security groups */
	assert_int_equal(c->n_sgs, 2);
	sg = &c->sgs[0];
	assert_int_equal(sg->n_ingress, 2);
	assert_int_equal(sg->ingress[0].port_lo, 80);
	assert_int_equal(sg->ingress[0].port_hi, 80);
	assert_int_equal(sg->ingress[0].sg, -1);
	assert_int_equal(sg->ingress[0].number, 0);
	assert_int_equal(sg->ingress[1].sg, 1);          /* sg:bastion */
	assert_int_equal(sg->egress[0].proto, CFG_PROTO_ALL);
	assert_int_equal(sg->timeouts.tcp_established, 432000);
	assert_int_equal(c->sgs[1].n_ingress, 0);
	assert_int_equal(c->sgs[1].timeouts.udp, 30);
	assert_int_equal(c->sgs[1].timeouts.udp_stream, 180);
	assert_int_equal(c->sgs[1].timeouts.other, 600);
	/* interfaces */
	assert_int_equal(c->n_enis, 2);
	assert_int_equal(c->enis[0].addr, ip("10.0.1.10"));
	assert_int_equal(c->enis[0].subnet, 1);
	assert_int_equal(c->enis[0].n_sgs, 1);
	assert_int_equal(c->enis[0].sgs[0], 0);
	assert_int_equal(c->enis[1].sgs[0], 1);
	/* NAT gateway */
	assert_int_equal(c->n_nat_gateways, 1);
	assert_int_equal(c->nat_gateways[0].subnet, 0);
	assert_int_equal(c->nat_gateways[0].n_addrs, 2);
	assert_int_equal(c->nat_gateways[0].addrs[1], ip("198.51.100.11"));
	assert_int_equal(c->nat_gateways[0].idle_timeout, 350);
	assert_int_equal(c->nat_gateways[0].max_ports_per_dest, 55000);
	/* NLB */
	assert_int_equal(c->n_nlbs, 1);
	nlb = &c->nlbs[0];
	assert_int_equal(nlb->subnet, 0);
	assert_int_equal(nlb->addr, ip("10.0.0.100"));
	assert_int_equal(nlb->public_addr, ip("198.51.100.30"));
	assert_int_equal(nlb->n_listeners, 2);
	assert_int_equal(nlb->listeners[0].proto, CFG_L4_TCP);
	assert_int_equal(nlb->listeners[0].target_group, 0);
	assert_int_equal(nlb->listeners[0].idle_timeout, 350);
	assert_int_equal(nlb->listeners[1].proto, CFG_L4_UDP);
	assert_int_equal(nlb->listeners[1].port, 53);
	assert_int_equal(nlb->listeners[1].target_group, 1);
	assert_int_equal(nlb->listeners[1].idle_timeout, 120);
	/* target groups */
	assert_int_equal(c->n_target_groups, 2);
	tg = &c->target_groups[0];
	assert_int_equal(tg->proto, CFG_L4_TCP);
	assert_int_equal(tg->port, 8080);
	assert_true(tg->preserve_client_ip);
	assert_int_equal(tg->deregistration_delay, 300);
	assert_true(tg->health.enabled);
	assert_int_equal(tg->health.proto, CFG_L4_TCP);
	assert_int_equal(tg->health.port, 0);             /* traffic-port */
	assert_int_equal(tg->health.interval, 30);
	assert_int_equal(tg->health.timeout, 10);
	assert_int_equal(tg->n_targets, 2);
	assert_int_equal(tg->targets[0].port, 0);
	assert_int_equal(tg->targets[1].addr, ip("10.0.2.11"));
	assert_int_equal(tg->targets[1].port, 8081);
	tg = &c->target_groups[1];
	assert_int_equal(tg->proto, CFG_L4_UDP);
	assert_true(tg->preserve_client_ip);
	assert_int_equal(tg->deregistration_delay, 300);
	assert_int_equal(tg->health.port, 0);
	assert_int_equal(tg->health.interval, 30);
	assert_int_equal(tg->health.timeout, 10);
	assert_int_equal(tg->health.healthy_threshold, 5);
	assert_int_equal(tg->health.unhealthy_threshold, 2);
	/* GWLB */
	assert_int_equal(c->n_gwlbs, 1);
	gw = &c->gwlbs[0];
	assert_int_equal(gw->port, 2);
	assert_int_equal(gw->stickiness, CFG_STICKY_5);
	assert_false(gw->rebalance);
	assert_int_equal(gw->tcp_idle_timeout, 350);
	assert_int_equal(gw->health.port, 80);
	assert_int_equal(gw->health.interval, 10);
	assert_int_equal(gw->n_appliances, 2);
	assert_int_equal(gw->appliances[1].addr, ip("192.168.50.11"));
	assert_int_equal(gw->n_endpoints, 1);
	assert_string_equal(gw->endpoints[0].name, "inspect-a");
	assert_string_equal(gw->endpoints[0].id, "vpce-0a1b2c3d4e5f60718");
	assert_true(gw->endpoints[0].id_value == UINT64_C(0x0a1b2c3d4e5f60718));
	assert_true(gw->endpoints[0].attachment_id == 0);
	assert_int_equal(gw->endpoints[0].subnet, 0);
	cfg_free(c);
}

/* examples/demo.cfg through cfg_load() (the test runs in the project root). */
static void
test_demo_file(void **state)
{
	struct errs e = { 0 };
	struct cfg *c = NULL;

	(void)state;
	assert_int_equal(cfg_load("examples/demo.cfg", &c, collect, &e), 0);
	assert_non_null(c);
	assert_string_equal(c->file, "examples/demo.cfg");
	assert_int_equal(c->n_ports, 3);
	assert_int_equal(c->n_subnets, 3);
	assert_int_equal(c->n_route_tables, 3);
	assert_int_equal(c->n_nacls, 2);
	assert_int_equal(c->n_sgs, 2);
	assert_int_equal(c->n_enis, 2);
	assert_int_equal(c->n_nat_gateways, 1);
	assert_int_equal(c->n_nlbs, 1);
	assert_int_equal(c->n_target_groups, 2);
	assert_int_equal(c->n_gwlbs, 1);
	assert_int_equal(c->route_tables[1].routes[1].kind, CFG_TARGET_GWLBE);
	assert_int_equal(c->route_tables[1].routes[1].line, 44);
	cfg_free(c);
}

static void
test_file_errors(void **state)
{
	char path[] = "/tmp/test_cfg_XXXXXX";
	struct errs e = { 0 };
	struct cfg *c = (struct cfg *)&e;
	FILE *f;
	int fd;

	(void)state;
	assert_int_equal(cfg_load("tests/unit/no-such.cfg", &c, collect, &e), 1);
	assert_null(c);
	assert_string_equal(e.msg[0],
			    "tests/unit/no-such.cfg: cannot open: No such file or directory");
	/* A file's messages carry its name as given. */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("ports = ();\nvpc = { cidr = \"10.0.0.0/16\"; };\n", f);
	fclose(f);
	e.n = 0;
	assert_int_equal(cfg_load(path, &c, collect, &e), 1);
	unlink(path);
	assert_int_equal(e.n, 1);
	assert_true(strncmp(e.msg[0], path, strlen(path)) == 0);
	assert_string_equal(e.msg[0] + strlen(path), ":1: ports: at least one port is required");
}

/* With no callback, each message goes to stderr on a line of its own. */
static void
test_stderr(void **state)
{
	char buf[512] = "";
	FILE *tmp = tmpfile();
	struct cfg *c = NULL;
	int saved, n;
	size_t len;

	(void)state;
	assert_non_null(tmp);
	fflush(stderr);
	saved = dup(2);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(tmp), 2) >= 0);
	n = cfg_load_string("ports = ();\nfoo = 1;\nvpc = { cidr = \"10.0.0.0/16\"; };\n",
			    "s.cfg", &c, NULL, NULL);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	len = fread(buf, 1, sizeof(buf) - 1, tmp);
	buf[len] = '\0';
	fclose(tmp);
	assert_int_equal(n, 2);
	assert_null(c);
	assert_string_equal(buf, "s.cfg:1: ports: at least one port is required\n"
			    "s.cfg:2: foo: unknown key\n");
}

/* Optional keys and their defaults, beyond what the demo sets. */
static void
test_defaults_and_options(void **state)
{
	struct cfg *c = load_ok(
		"ports = ( { name = \"p\"; devargs = \"net_null0\"; address = \"10.0.0.1/16\";\n"
		"            rx_queues = 4; } );\n"
		"vpc = { cidr = \"10.0.0.0/16\";\n"
		"  subnets = ( { name = \"a\"; cidr = \"10.0.0.0/24\"; port = \"p\"; } ); };\n"
		"internet_gateway = { port = \"p\"; next_hop = \"10.0.0.254\"; };\n"
		"security_groups = ( { name = \"s\"; timeouts = { udp = 60; }; } );\n"
		"nat_gateways = ( { name = \"n\"; subnet = \"a\"; addresses = [ \"198.51.100.10\" ];\n"
		"                   max_ports_per_destination = 100; } );\n"
		"target_groups = ( { name = \"t\"; protocol = \"tcp\"; port = 80;\n"
		"  preserve_client_ip = false; deregistration_delay = 0;\n"
		"  health_check = { port = 8080; interval = 5; timeout = 4; enabled = false; }; } );\n"
		"network_load_balancers = ( { name = \"l\"; subnet = \"a\"; address = \"10.0.0.5\";\n"
		"  listeners = ( { protocol = \"tcp\"; port = 80; target_group = \"t\"; } ); } );\n"
		"gateway_load_balancers = (\n"
		"  { name = \"g\"; port = \"p\"; stickiness = \"3-tuple\"; target_failover = \"rebalance\";\n"
		"    endpoints = ( { name = \"e1\"; id = \"vpce-0000000000000000a\"; subnet = \"a\";\n"
		"                    attachment_id = 42; },\n"
		"                  { name = \"e2\"; id = \"vpce-0FFFFFFFFFFFFFFFF\"; subnet = \"a\";\n"
		"                    attachment_id = \"0xdeadbeef00000001\"; } ); },\n"
		"  { name = \"h\"; port = \"p\"; stickiness = \"2-tuple\"; tcp_idle_timeout = 6000;\n"
		"    endpoints = ( { name = \"e3\"; id = \"vpce-00000000000000001\"; subnet = \"a\";\n"
		"                    attachment_id = \"FF\"; } ); } );\n");
	const struct cfg_gwlb *g, *h;

	(void)state;
	assert_int_equal(c->dpdk.workers, 1);
	assert_int_equal(c->dpdk.mbufs, 32767);
	assert_int_equal(c->dpdk.flow_table_size, 1048576);
	assert_int_equal(c->dpdk.n_eal_args, 0);
	assert_false(c->ports[0].has_mac);
	assert_int_equal(c->ports[0].mtu, 1500);
	assert_int_equal(c->ports[0].rx_queues, 4);
	assert_int_equal(c->n_neighbors, 0);
	assert_int_equal(c->igw.route_table, -1);
	assert_int_equal(c->igw.n_eips, 0);
	assert_int_equal(c->subnets[0].route_table, -1);
	assert_int_equal(c->subnets[0].nacl, -1);
	assert_int_equal(c->sgs[0].n_ingress, 0);
	assert_int_equal(c->sgs[0].n_egress, 0);
	assert_int_equal(c->sgs[0].timeouts.udp, 60);
	assert_int_equal(c->sgs[0].timeouts.tcp_established, 432000);
	assert_int_equal(c->sgs[0].timeouts.udp_stream, 180);
	assert_int_equal(c->sgs[0].timeouts.other, 600);
	assert_int_equal(c->nat_gateways[0].idle_timeout, 350);
	assert_int_equal(c->nat_gateways[0].max_ports_per_dest, 100);
	assert_false(c->target_groups[0].preserve_client_ip);
	assert_int_equal(c->target_groups[0].deregistration_delay, 0);
	assert_false(c->target_groups[0].health.enabled);
	assert_int_equal(c->target_groups[0].health.port, 8080);
	assert_int_equal(c->target_groups[0].health.interval, 5);
	assert_int_equal(c->target_groups[0].health.timeout, 4);
	assert_int_equal(c->target_groups[0].health.healthy_threshold, 5);
	assert_int_equal(c->target_groups[0].health.unhealthy_threshold, 2);
	assert_int_equal(c->target_groups[0].n_targets, 0);
	assert_int_equal(c->nlbs[0].public_addr, 0);
	assert_int_equal(c->nlbs[0].listeners[0].idle_timeout, 350);
	g = &c->gwlbs[0];
	h = &c->gwlbs[1];
	assert_int_equal(g->stickiness, CFG_STICKY_3);
	assert_true(g->rebalance);
	assert_int_equal(g->tcp_idle_timeout, 350);
	/* GWLB health check defaults: tcp, 80, 10, 5, 5, 2 */
	assert_true(g->health.enabled);
	assert_int_equal(g->health.proto, CFG_L4_TCP);
	assert_int_equal(g->health.port, 80);
	assert_int_equal(g->health.interval, 10);
	assert_int_equal(g->health.timeout, 5);
	assert_int_equal(g->health.healthy_threshold, 5);
	assert_int_equal(g->health.unhealthy_threshold, 2);
	assert_int_equal(g->n_appliances, 0);
	assert_true(g->endpoints[0].id_value == 10);
	assert_true(g->endpoints[0].attachment_id == 42);
	assert_true(g->endpoints[1].id_value == UINT64_MAX);
	assert_true(g->endpoints[1].attachment_id == UINT64_C(0xdeadbeef00000001));
	assert_int_equal(h->stickiness, CFG_STICKY_2);
	assert_false(h->rebalance);
	assert_int_equal(h->tcp_idle_timeout, 6000);
	assert_true(h->endpoints[0].attachment_id == 0xff);
	assert_int_equal(h->endpoints[0].subnet, 0);
	cfg_free(c);
}

/* NACL rules come out sorted by number; protocols by name, number or integer. */
static void
test_nacl_rules_parse(void **state)
{
	struct cfg *c = load_ok(BASE
		"network_acls = ( { name = \"n\"; ingress = (\n"
		"  { rule = 300; protocol = \"-1\"; cidr = \"0.0.0.0/0\"; action = \"deny\"; },\n"
		"  { rule = 5; protocol = \"6\"; ports = \"22\"; cidr = \"10.0.0.0/8\"; action = \"allow\"; },\n"
		"  { rule = 32766; protocol = 17; ports = 53; cidr = \"0.0.0.0/0\"; action = \"allow\"; },\n"
		"  { rule = 1; protocol = \"icmp\"; icmp_type = 8; icmp_code = 0; cidr = \"0.0.0.0/0\";\n"
		"    action = \"allow\"; },\n"
		"  { rule = 200; protocol = -1; cidr = \"0.0.0.0/0\"; action = \"allow\"; },\n"
		"  { rule = 201; protocol = \"47\"; cidr = \"0.0.0.0/0\"; action = \"allow\"; } ); } );\n");
	const struct cfg_rule *r = c->nacls[0].ingress;

	(void)state;
	assert_int_equal(c->nacls[0].n_ingress, 6);
	assert_int_equal(c->nacls[0].n_egress, 0);
	assert_int_equal(r[0].number, 1);
	assert_int_equal(r[0].proto, 1);
	assert_int_equal(r[0].icmp_type, 8);
	assert_int_equal(r[0].icmp_code, 0);
	assert_int_equal(r[0].line, 11);
	assert_int_equal(r[1].number, 5);
	assert_int_equal(r[1].proto, CFG_L4_TCP);
	assert_int_equal(r[1].port_lo, 22);
	assert_int_equal(r[1].port_hi, 22);
	assert_int_equal(r[1].cidr.len, 8);
	assert_int_equal(r[2].number, 200);
	assert_int_equal(r[2].proto, CFG_PROTO_ALL);
	assert_int_equal(r[3].number, 201);
	assert_int_equal(r[3].proto, 47);
	assert_int_equal(r[4].number, 300);
	assert_int_equal(r[4].proto, CFG_PROTO_ALL);
	assert_false(r[4].allow);
	assert_int_equal(r[5].number, 32766);
	assert_int_equal(r[5].proto, CFG_L4_UDP);
	assert_int_equal(r[5].port_lo, 53);
	assert_int_equal(r[5].port_hi, 53);
	cfg_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ipv4),
		cmocka_unit_test(test_parse_prefix),
		cmocka_unit_test(test_parse_mac),
		cmocka_unit_test(test_prefix_ops),
		cmocka_unit_test(test_subnet_of),
		cmocka_unit_test(test_demo),
		cmocka_unit_test(test_demo_file),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_stderr),
		cmocka_unit_test(test_defaults_and_options),
		cmocka_unit_test(test_nacl_rules_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
