/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vpcgw-bench: the scenarios' traffic (bench/lib/scenarios.py's addresses and
 * flows, built here as 60-byte frames with valid checksums) and the setup
 * dp_main() does, with the public functions.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_fib.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>
#include <rte_udp.h>

#include "config/cfg.h"
#include "dp/dp.h"
#include "dp/dp_graph.h"
#include "dp/dp_mem.h"
#include "dp/dp_ctl.h"
#include "dp/dp_flow.h"
#include "dp/dp_parse.h"
#include "dp/dp_stats.h"
#include "dp/dp_worker.h"
#include "bench/bench.h"
#include "fw/nacl.h"
#include "fw/sg.h"
#include "geneve/gnv.h"
#include "lb/lb.h"
#include "nat/nat.h"


/* ------------------------------------------------------------ traffic */
/* bench/lib/scenarios.py t_routing(): 16 clients x 64 servers */
static void
gen_routing(unsigned i, bool reply, struct bench_tuple *t)
{
	(void)reply;
	*t = (struct bench_tuple){ IP4(10, 0, 2, 2) + i % 16, IP4(10, 0, 129, 2) + (i / 16) % 64,
				   10000, 5001 };
}

/* t_nacl_sg(): 200 clients x 50 servers, requests and their replies */
static void
gen_nacl_sg(unsigned i, bool reply, struct bench_tuple *t)
{
	uint32_t c = IP4(10, 0, 0, 2) + i % 200, s = IP4(10, 0, 128, 2) + (i / 200) % 50;
	uint16_t sport = (uint16_t)(20000 + i % 1000);

	if (reply)
		*t = (struct bench_tuple){ s, c, 5001, sport };
	else
		*t = (struct bench_tuple){ c, s, sport, 5001 };
}

/* t_nat(10000, 200) */
static void
gen_nat(unsigned i, bool reply, struct bench_tuple *t)
{
	unsigned k = i / 200;

	(void)reply;
	*t = (struct bench_tuple){ IP4(10, 0, 16, 2) + i % 200, IP4(203, 0, 113, 1) + k % 250,
				   (uint16_t)(10000 + k / 250), 443 };
}

/* t_nlb(): 200 clients x 50 source ports to the listener 10.0.1.100:53 */
static void
gen_nlb(unsigned i, bool reply, struct bench_tuple *t)
{
	(void)reply;
	*t = (struct bench_tuple){ IP4(10, 0, 48, 2) + i % 200, IP4(10, 0, 1, 100),
				   (uint16_t)(10000 + (i / 200) % 50000), 53 };
}

/* t_gwlb() */
static void
gen_gwlb(unsigned i, bool reply, struct bench_tuple *t)
{
	(void)reply;
	*t = (struct bench_tuple){ IP4(10, 0, 32, 2) + i % 200,
				   IP4(203, 0, 113, 1) + (i / 200) % 250, 10000, 443 };
}



const struct bench_scenario bench_scenarios[] = {
	{ "routing", gen_routing, 1024, false },
	{ "nacl_sg", gen_nacl_sg, 10000, true },
	{ "nat_10k", gen_nat, 10000, false },
	{ "nlb_10k", gen_nlb, 10000, false },
	{ "gwlb", gen_gwlb, 10000, false },
};

static const uint8_t mac_port[2][6] = {
	{ 0x02, 0, 0, 0, 0x00, 0x01 }, { 0x02, 0, 0, 0, 0x01, 0x01 },
};
static const uint8_t mac_peer[2][6] = {
	{ 0x02, 0, 0, 0, 0xaa, 0x01 }, { 0x02, 0, 0, 0, 0xbb, 0x01 },
};

static uint16_t
frame_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static uint32_t
frame_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	return sum;
}

/* The 60-byte frame of flow i (reply: its reply), as scenarios.py writes it. */
static void
bench_frame(const struct bench_scenario *sc, unsigned i, bool reply, uint8_t *f)
{
	struct bench_tuple t;
	uint8_t *ip = f + 14, *udp = f + 34;
	uint16_t c;
	uint32_t s;

	sc->gen(i, reply, &t);
	memset(f, 0, BENCH_FRAME);
	memcpy(f, mac_port[reply], 6);
	memcpy(f + 6, mac_peer[reply], 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[3] = BENCH_FRAME - 14;   /* the padding is payload, not Ethernet padding */
	ip[8] = 64;
	ip[9] = IPPROTO_UDP;
	for (int b = 0; b < 4; b++) {
		ip[12 + b] = (uint8_t)(t.src >> (24 - 8 * b));
		ip[16 + b] = (uint8_t)(t.dst >> (24 - 8 * b));
	}
	c = (uint16_t)~frame_csum_fold(frame_csum_add(0, ip, 20));
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	udp[0] = (uint8_t)(t.sport >> 8);
	udp[1] = (uint8_t)t.sport;
	udp[2] = (uint8_t)(t.dport >> 8);
	udp[3] = (uint8_t)t.dport;
	udp[5] = BENCH_FRAME - 34;
	/* pseudo header: addresses, protocol, UDP length */
	s = frame_csum_add(IPPROTO_UDP + (BENCH_FRAME - 34), ip + 12, 8);
	c = (uint16_t)~frame_csum_fold(frame_csum_add(s, udp, BENCH_FRAME - 34));
	c = c == 0 ? 0xffff : c;
	udp[6] = (uint8_t)(c >> 8);
	udp[7] = (uint8_t)c;
}

/* ------------------------------------------------------------ setup */

struct bench_state B;

void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("vpcgw-bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void
cfg_error(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "vpcgw-bench: %s\n", msg);
}

/* Replace every occurrence of key in *text by val (reallocates). */
static void
subst(char **text, const char *key, const char *val)
{
	char *p;

	while ((p = strstr(*text, key)) != NULL) {
		size_t head = (size_t)(p - *text), kl = strlen(key), vl = strlen(val);
		size_t tail = strlen(p + kl);
		char *n = malloc(head + vl + tail + 1);

		if (n == NULL)
			die("out of memory");
		memcpy(n, *text, head);
		memcpy(n + head, val, vl);
		memcpy(n + head + vl, p + kl, tail + 1);
		free(*text);
		*text = n;
	}
}

/* The scenario's configuration, placeholders filled, every port net_null. */
static struct cfg *
bench_config(const char *name)
{
	char path[512], num[32];
	struct cfg *cfg = NULL;
	char *text;
	FILE *f;
	long len;

	snprintf(path, sizeof(path), "%s/%s.cfg", B.config_dir, name);
	f = fopen(path, "r");
	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0)
		die("%s: %s", path, strerror(errno));
	rewind(f);
	text = malloc((size_t)len + 1);
	if (text == NULL || fread(text, 1, (size_t)len, f) != (size_t)len)
		die("%s: read error", path);
	text[len] = '\0';
	fclose(f);
	/* the devargs are replaced below: the captures are never opened */
	subst(&text, "@IN0@", "unused");
	subst(&text, "@IN1@", "unused");
	snprintf(num, sizeof(num), "%u", BENCH_MBUFS);
	subst(&text, "@MBUFS@", num);
	snprintf(num, sizeof(num), "%u", BENCH_FLOWS);
	subst(&text, "@FLOWS@", num);
	if (cfg_load_string(text, path, &cfg, cfg_error, NULL) != 0)
		die("%s: configuration rejected", path);
	free(text);
	for (int i = 0; i < cfg->n_ports; i++)
		snprintf(cfg->ports[i].devargs, sizeof(cfg->ports[i].devargs),
			 "net_null%d,no-rx=1", i);
	cfg->dpdk.workers = 1;
	return cfg;
}

/* What dp_main() sets up, on this thread as worker 0 (no control thread). */
void
bench_setup(const char *argv0)
{
	unsigned priv = RTE_ALIGN(sizeof(struct dp_meta), RTE_MBUF_PRIV_ALIGN);
	char prefix[64], err[512];
	char *eal[] = { (char *)(uintptr_t)argv0, "--no-huge", "-m", "1024", "--no-pci",
			"--no-telemetry", "-l", "0", "--log-level=*:error", "--file-prefix",
			prefix, NULL };
	struct dp_tables *t;
	struct cfg *cfg = bench_config(B.sc->name);
	int socket;

	snprintf(prefix, sizeof(prefix), "vpcgw-bench-%d", (int)getpid());
	if (rte_eal_init((int)RTE_DIM(eal) - 1, eal) < 0)
		die("EAL initialisation failed");
	if (dp_mem_prefault() < 0)
		die("faulting in EAL memory");
	socket = (int)rte_socket_id();
	dp_g.cfg = cfg;
	dp_g.n_workers = 1;
	dp_g.tsc_hz = rte_get_tsc_hz();
	dp_g.ts_offset = -1;
	dp_g.pool = rte_pktmbuf_pool_create("vpcgw_mbufs", BENCH_MBUFS, 256, priv,
					    RTE_MBUF_DEFAULT_BUF_SIZE, socket);
	B.prep_pool = rte_pktmbuf_pool_create("bench_prep", BENCH_PREP_MBUFS, 0, priv,
					      RTE_MBUF_DEFAULT_BUF_SIZE, socket);
	dp_g.stats = rte_zmalloc("vpcgw_stats", 2 * sizeof(*dp_g.stats), RTE_CACHE_LINE_SIZE);
	dp_g.rcu = rte_zmalloc("vpcgw_rcu", rte_rcu_qsbr_get_memsize(1), RTE_CACHE_LINE_SIZE);
	if (dp_g.pool == NULL || B.prep_pool == NULL || dp_g.stats == NULL || dp_g.rcu == NULL)
		die("out of memory");
	rte_rcu_qsbr_init(dp_g.rcu, 1);
	if (dp_flow_init(cfg->dpdk.flow_table_size, socket, dp_g.rcu) < 0 ||
	    nat_init(socket, cfg->dpdk.flow_table_size, 1) < 0 || dp_neigh_init((unsigned)socket) < 0)
		die("flow table, NAT or neighbor table");
	if (dp_ports_init(cfg, err, sizeof(err)) < 0)
		die("%s", err);
	dp_set_roles(cfg);
	if (dp_load_neighbors(cfg) < 0)
		die("neighbor table full");
	t = dp_tables_build(cfg, 1, err, sizeof(err));
	if (t == NULL)
		die("%s", err);
	atomic_store(&dp_g.tables, t);
	lb_health_start(t, NULL);
	dp_lcu_init(cfg, BENCH_NOW_MS);
	B.w = dp_worker_ctx_init(0, false);
	if (B.w == NULL)
		die("worker context");
	B.t = t;
	B.now_ms = BENCH_NOW_MS;
	B.w->now_ms = B.now_ms;
	rte_rcu_qsbr_thread_register(dp_g.rcu, 0);
	rte_rcu_qsbr_thread_online(dp_g.rcu, 0);

	B.n_frames = RTE_ALIGN_CEIL(B.sc->flows, DP_BURST);
	for (int d = 0; d < 1 + B.sc->replies; d++) {
		B.frames[d] = malloc(B.n_frames * sizeof(*B.frames[d]));
		if (B.frames[d] == NULL)
			die("out of memory");
		for (unsigned i = 0; i < B.n_frames; i++)
			bench_frame(B.sc, i % B.sc->flows, d, B.frames[d][i]);
	}
}

/* Fill m with frame f, as a receive would (metadata zeroed). */
void
load_frame(struct rte_mbuf *m, const uint8_t *f)
{
	rte_pktmbuf_reset(m);
	memcpy(rte_pktmbuf_mtod(m, uint8_t *), f, BENCH_FRAME);
	m->data_len = BENCH_FRAME;
	m->pkt_len = BENCH_FRAME;
	memset(dp_meta(m), 0, sizeof(struct dp_meta));
}

/* n mbufs (a multiple of DP_BURST) of the prepared pool holding frames of
 * direction dir, parsed (metadata filled as the pipeline would). */
struct rte_mbuf **
prep_mbufs(unsigned n, int dir, bool parse)
{
	struct rte_mbuf **v = calloc(n, sizeof(*v));

	if (v == NULL || rte_pktmbuf_alloc_bulk(B.prep_pool, v, n) != 0)
		die("prepared mbufs: out of memory");
	for (unsigned i = 0; i < n; i++) {
		load_frame(v[i], B.frames[dir][i % B.n_frames]);
		dp_meta(v[i])->in_port = (uint8_t)dir;
		if (parse && dp_parse(v[i], dp_meta(v[i])) != DP_PARSE_IPV4)
			die("prepared frame %u does not parse", i);
	}
	return v;
}

void
free_mbufs(struct rte_mbuf **v, unsigned n)
{
	rte_pktmbuf_free_bulk(v, n);
	free(v);
}

const unsigned bench_n_scenarios = RTE_DIM(bench_scenarios);
