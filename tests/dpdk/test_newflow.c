/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * New flows' prefetch a burst ahead (docs/PERFORMANCE.md "Flow table v2,
 * session 8"): ip_route asks NAT (nat_flow_prefetch) and the policy stage
 * asks the NLB (lb_nlb_prefetch) for the index bucket of the reply key the
 * new flow will probe or add first. That is a gain only if it is the key the
 * allocation then uses: for random connections on a real configuration
 * (NAT gateway of 2 addresses, an NLB with the client IP preserved and one
 * without), with 1 and 2 workers, the predicted first key
 * (nat_flow_first_key, lb_flow_first_key) is the key[1] that nat_flow_init
 * and lb_flow_init choose while it is free; and once it is taken, the
 * allocation picks another (the prediction never decides anything).
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "config/cfg.h"
#include "dp/dp.h"
#include "dp/dp_ctl.h"
#include "dp/dp_flow.h"
#include "dp/dp_mem.h"
#include "lb/lb.h"
#include "nat/nat.h"

#define CAP 65536
#define N 4000

static const char *config =
	"dpdk = { workers = 1; mbufs = 4095; flow_table_size = 65536; };\n"
	"ports = (\n"
	"  { name = \"vpc\";  devargs = \"net_null0,no-rx=1\"; mac = \"02:00:00:00:00:01\";\n"
	"    address = \"10.0.0.1/17\"; },\n"
	"  { name = \"inet\"; devargs = \"net_null1,no-rx=1\"; mac = \"02:00:00:00:02:01\";\n"
	"    address = \"198.51.100.1/24\"; } );\n"
	"vpc = { cidr = \"10.0.0.0/16\"; subnets = (\n"
	"    { name = \"pub\";  cidr = \"10.0.1.0/24\";  port = \"vpc\"; },\n"
	"    { name = \"priv\"; cidr = \"10.0.16.0/20\"; port = \"vpc\"; route_table = \"to-nat\"; },\n"
	"    { name = \"tg\";   cidr = \"10.0.32.0/24\"; port = \"vpc\"; } ); };\n"
	"internet_gateway = { port = \"inet\"; next_hop = \"198.51.100.254\"; };\n"
	"route_tables = ( { name = \"to-nat\"; routes = (\n"
	"    { destination = \"0.0.0.0/0\"; target = \"nat-gateway:nat-a\"; } ); } );\n"
	"nat_gateways = ( { name = \"nat-a\"; subnet = \"pub\";\n"
	"    addresses = [ \"198.51.100.10\", \"198.51.100.11\" ]; } );\n"
	"network_load_balancers = (\n"
	"  { name = \"keep\"; subnet = \"pub\"; address = \"10.0.1.100\";\n"
	"    listeners = ( { protocol = \"udp\"; port = 53; target_group = \"dns\"; },\n"
	"                  { protocol = \"tcp\"; port = 80; target_group = \"web\"; } ); },\n"
	"  { name = \"snat\"; subnet = \"pub\"; address = \"10.0.1.101\";\n"
	"    listeners = ( { protocol = \"udp\"; port = 53; target_group = \"dns2\"; } ); } );\n"
	"target_groups = (\n"
	"  { name = \"dns\"; protocol = \"udp\"; port = 53; health_check = { enabled = false; };\n"
	"    targets = ( { address = \"10.0.32.10\"; }, { address = \"10.0.32.11\"; },\n"
	"                { address = \"10.0.32.12\"; } ); },\n"
	"  { name = \"web\"; protocol = \"tcp\"; port = 8080; health_check = { enabled = false; };\n"
	"    targets = ( { address = \"10.0.32.20\"; }, { address = \"10.0.32.21\"; } ); },\n"
	"  { name = \"dns2\"; protocol = \"udp\"; port = 53; preserve_client_ip = false;\n"
	"    health_check = { enabled = false; };\n"
	"    targets = ( { address = \"10.0.32.30\"; }, { address = \"10.0.32.31\"; } ); } );\n";

static struct dp_tables *tables;

static void
cfg_err(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "test_newflow: %s\n", msg);
}

static bool
key_eq(const struct dp_flow_key *a, const struct dp_flow_key *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static struct dp_flow_key
rand_key(uint32_t dst, uint16_t dport, uint8_t proto)
{
	return (struct dp_flow_key){
		.src = htonl(0x0a001000u | (uint32_t)(rand() & 0xfff)),   /* 10.0.16.0/20 */
		.dst = dst, .sport = htons((uint16_t)(1024 + rand() % 60000)),
		.dport = dport, .proto = proto,
	};
}

/* A zeroed flow of key k0, key[1] its mirror (as dp_flow_new_keyed). */
static struct dp_flow *
new_flow(const struct dp_flow_key *k0)
{
	struct dp_flow *f = dp_flow_alloc();

	assert_non_null(f);
	f->key[0] = *k0;
	f->key[1] = dp_flow_key_mirror(k0);
	return f;
}

static void
test_nat_first_key(void **state)
{
	unsigned hits = 0;

	(void)state;
	for (unsigned nw = 1; nw <= 2; nw++)
		for (unsigned w = 0; w < nw; w++)
			for (int i = 0; i < N; i++) {
				/* few destinations: ports meet each other */
				struct dp_flow_key k0 = rand_key(htonl(0xcb007100u | (uint32_t)(i % 3)),
								 htons(443), i & 1 ? IPPROTO_TCP :
								 IPPROTO_UDP);
				struct dp_flow_key first = nat_flow_first_key(tables, 0, &k0, w, nw);
				bool free1 = !dp_flow_key_exists(&first);
				struct dp_flow *f;

				if (dp_flow_key_exists(&k0))
					continue;       /* the same connection drawn twice */
				f = new_flow(&k0);
				nat_flow_prefetch(tables, 0, &k0, w, nw);
				assert_int_equal(nat_flow_init(tables, 0, f, w, nw), 0);
				if (free1) {
					assert_true(key_eq(&f->key[1], &first));
					hits++;
				} else {
					assert_false(key_eq(&f->key[1], &first));
				}
				/* in the table: later connections meet it */
				assert_int_equal(dp_flow_insert(f), 0);
			}
	/* most predictions were right (the table is far from full) */
	assert_true(hits > 3 * N * 9 / 10);
}

static void
test_nlb_first_key(void **state)
{
	static const struct { uint32_t addr; uint16_t port; uint8_t proto; } ls[] = {
		{ 0x0a000164u, 53, IPPROTO_UDP },   /* client IP preserved */
		{ 0x0a000164u, 80, IPPROTO_TCP },
		{ 0x0a000165u, 53, IPPROTO_UDP },   /* source NAT to the NLB */
	};
	unsigned hits = 0, taken = 0;

	(void)state;
	for (unsigned l = 0; l < RTE_DIM(ls); l++)
		for (int i = 0; i < N; i++) {
			struct dp_flow_key k0 = rand_key(htonl(ls[l].addr), htons(ls[l].port),
							 ls[l].proto);
			uint32_t seq = (uint32_t)rand();
			int listener = lb_listener_find(tables, k0.dst, k0.proto, k0.dport);
			struct dp_flow_key first;
			struct dp_flow *f;
			bool free1;
			int rc;

			assert_true(listener >= 0);
			assert_true(lb_flow_first_key(tables, &k0, seq, &first));
			free1 = !dp_flow_key_exists(&first);
			f = new_flow(&k0);
			assert_int_equal(lb_flow_init(tables, listener, f, seq), 0);
			if (free1 || l < 2) {
				/* preserved client IP: the one key, taken or not */
				assert_true(key_eq(&f->key[1], &first));
				hits++;
			} else {
				assert_false(key_eq(&f->key[1], &first));
			}
			rc = dp_flow_insert(f);
			if (rc == -EEXIST)
				taken++;    /* the same client port twice: refused */
			else
				assert_int_equal(rc, 0);
		}
	assert_true(hits > 3 * N * 9 / 10);
	assert_true(taken < N / 10);
	/* not a listener: nothing to predict */
	{
		struct dp_flow_key k0 = rand_key(htonl(0x0a000164u), htons(54), IPPROTO_UDP), k1;

		assert_false(lb_flow_first_key(tables, &k0, 0, &k1));
	}
}

int
main(int argc, char **argv)
{
	char *eal[] = { argv[0], "--no-huge", "-m", "512", "--no-pci", "--no-telemetry",
			"--log-level=*:error", "-l", "0", "--file-prefix", NULL, NULL };
	char prefix[64], err[512];
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nat_first_key),
		cmocka_unit_test(test_nlb_first_key),
	};
	struct cfg *cfg = NULL;
	int socket;

	(void)argc;
	snprintf(prefix, sizeof(prefix), "test-newflow-%d", (int)getpid());
	eal[10] = prefix;
	if (rte_eal_init((int)RTE_DIM(eal) - 1, eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	if (cfg_load_string(config, "test_newflow.cfg", &cfg, cfg_err, NULL) != 0)
		return 1;
	socket = (int)rte_socket_id();
	dp_g.cfg = cfg;
	dp_g.n_workers = 1;
	dp_g.rcu = rte_zmalloc("rcu", rte_rcu_qsbr_get_memsize(1), RTE_CACHE_LINE_SIZE);
	if (dp_g.rcu == NULL)
		return 1;
	rte_rcu_qsbr_init(dp_g.rcu, 1);
	dp_g.pool = rte_pktmbuf_pool_create("vpcgw_mbufs", 4095, 0,
					    RTE_ALIGN(sizeof(struct dp_meta), RTE_MBUF_PRIV_ALIGN),
					    RTE_MBUF_DEFAULT_BUF_SIZE, socket);
	if (dp_g.pool == NULL)
		return 1;
	if (dp_flow_init(CAP, socket, dp_g.rcu) < 0 || nat_init(socket, CAP) < 0 ||
	    dp_neigh_init((unsigned)socket) < 0) {
		fprintf(stderr, "flow table, NAT or neighbor table\n");
		return 1;
	}
	if (dp_ports_init(cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	dp_set_roles(cfg);
	tables = dp_tables_build(cfg, 1, err, sizeof(err));
	if (tables == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	srand(15);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
