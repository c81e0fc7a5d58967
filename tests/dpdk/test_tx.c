/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A port's transmit buffer, flushed (dp_tx_flush_port, dp/dp_worker.c) into a
 * real net_null device: whatever mix a buffer holds, forwarded packets count
 * as forwarded on the port each came in on, as tx and tx_bytes on the port
 * they leave by, IPv6 frames also as tx6/tx6_bytes, and packets vpcgw built
 * as generated only (SPEC "Counters"). The expected figures are summed here
 * from the packets put in, one by one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dp/dp.h"
#include "dp/dp_worker.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define OUT 1                       /* the port flushed (net_null) */

static struct rte_mempool *pool;
static struct dp_worker_ctx *w;
static uint16_t null_port;

struct pkt {
	uint8_t in_port;
	uint8_t flags;
	uint16_t len;
};

struct want {
	uint64_t fwd[3], tx, tx_bytes, tx6, tx6_bytes, gen;
};

/* Buffer pkts for port OUT, flush, and compare the counters with what the
 * packets add up to. */
static void
flush_and_check(const struct pkt *pkts, int n)
{
	struct dp_lcore_stats *s = w->stats;
	struct want e = { 0 };

	memset(s, 0, sizeof(*s));
	for (int i = 0; i < n; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
		struct dp_meta *md;

		assert_non_null(m);
		assert_non_null(rte_pktmbuf_append(m, pkts[i].len));
		md = dp_meta(m);
		memset(md, 0, sizeof(*md));
		md->in_port = pkts[i].in_port;
		md->flags = pkts[i].flags;
		md->proto = (uint8_t)(17 + i);      /* any: the flush must not read it */
		md->tcp_flags = (uint8_t)(0x12 * i);
		w->txb[OUT][w->txn[OUT]++] = m;
		if (pkts[i].flags & DP_M_GENERATED) {
			e.gen++;
			continue;
		}
		e.fwd[pkts[i].in_port]++;
		e.tx++;
		e.tx_bytes += pkts[i].len;
		if (pkts[i].flags & DP_M_TX6) {
			e.tx6++;
			e.tx6_bytes += pkts[i].len;
		}
	}
	dp_tx_flush_port(w, OUT);
	assert_int_equal(w->txn[OUT], 0);
	for (int p = 0; p < 3; p++)
		assert_int_equal(s->port[p].fwd, e.fwd[p]);
	assert_int_equal(s->port[OUT].tx, e.tx);
	assert_int_equal(s->port[OUT].tx_bytes, e.tx_bytes);
	assert_int_equal(s->port[OUT].tx6, e.tx6);
	assert_int_equal(s->port[OUT].tx6_bytes, e.tx6_bytes);
	assert_int_equal(s->port[OUT].gen, e.gen);
	assert_int_equal(s->port[OUT].gen_drop, 0);
	assert_int_equal(s->drops[DP_DROP_tx_full], 0);
}

/* One input port, plain IPv4: the common buffer. */
static void
test_one_port(void **state)
{
	struct pkt p[DP_TXB];

	(void)state;
	for (int i = 0; i < NELEM(p); i++)
		p[i] = (struct pkt){ .in_port = 0, .len = (uint16_t)(60 + i) };
	flush_and_check(p, NELEM(p));
}

/* Two input ports in runs and one by one, IPv6 frames of both, generated
 * packets between them. */
static void
test_mixed(void **state)
{
	static const struct pkt p[] = {
		{ 0, 0, 60 }, { 0, 0, 61 }, { 2, 0, 62 }, { 2, 0, 63 }, { 2, 0, 64 },
		{ 0, DP_M_TX6, 80 }, { 0xff, DP_M_GENERATED, 42 }, { 0, 0, 65 },
		{ 2, DP_M_TX6, 81 }, { 0, 0, 66 }, { 2, 0, 67 }, { 0, 0, 68 },
		{ 0xff, DP_M_GENERATED | DP_M_TX6, 86 }, { 0, 0, 1514 },
	};

	(void)state;
	flush_and_check(p, NELEM(p));
}

/* The first packet generated (its in_port names no port), then another
 * port's: counted on the port they came in on only. */
static void
test_generated_first(void **state)
{
	static const struct pkt p[] = {
		{ 0xff, DP_M_GENERATED, 42 }, { 2, 0, 100 }, { 2, DP_M_TX6, 120 }, { 0, 0, 70 },
	};
	static const struct pkt q[] = {
		{ 0xff, DP_M_GENERATED, 42 }, { 0xff, DP_M_GENERATED, 60 },
	};

	(void)state;
	flush_and_check(p, NELEM(p));
	flush_and_check(q, NELEM(q));
}

static int
setup_port(void)
{
	struct rte_eth_conf conf = { 0 };

	if (rte_eth_dev_get_port_by_name("net_null0", &null_port) != 0 ||
	    rte_eth_dev_configure(null_port, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(null_port, 0, 64, SOCKET_ID_ANY, NULL, pool) != 0 ||
	    rte_eth_tx_queue_setup(null_port, 0, 64, SOCKET_ID_ANY, NULL) != 0 ||
	    rte_eth_dev_start(null_port) != 0)
		return -1;
	dp_g.n_ports = 3;
	dp_g.ports[OUT].port_id = null_port;
	dp_g.ports[OUT].n_txq = 1;
	dp_g.ports[OUT].vlan = 0;
	w->txq[OUT] = 0;
	return 0;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_port),
		cmocka_unit_test(test_mixed),
		cmocka_unit_test(test_generated_first),
	};
	char prefix[64];
	char *eal[] = { "test_tx", "--no-huge", "-m", "64", "--no-pci", "--no-telemetry",
			"-l", "0", "--log-level", "error", "--file-prefix", prefix,
			"--vdev", "net_null0" };
	int ret;

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	snprintf(prefix, sizeof(prefix), "test_tx_%d", (int)getpid());
	if (rte_eal_init(NELEM(eal), eal) < 0) {
		fprintf(stderr, "rte_eal_init failed\n");
		return 1;
	}
	pool = rte_pktmbuf_pool_create("test_tx_mb", 255, 0,
				       RTE_ALIGN(sizeof(struct dp_meta), RTE_MBUF_PRIV_ALIGN),
				       RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	w = rte_zmalloc("test_tx_w", sizeof(*w), RTE_CACHE_LINE_SIZE);
	if (pool == NULL || w == NULL) {
		fprintf(stderr, "test setup failed\n");
		return 1;
	}
	w->stats = rte_zmalloc("test_tx_stats", sizeof(*w->stats), RTE_CACHE_LINE_SIZE);
	if (w->stats == NULL || setup_port() != 0) {
		fprintf(stderr, "net_null setup failed\n");
		return 1;
	}
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	rte_eth_dev_stop(null_port);
	rte_eth_dev_close(null_port);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return ret;
}
