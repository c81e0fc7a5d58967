/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-lcore context of a worker (and of the control lcore, which uses the
 * same tx helpers for the packets it generates). Private to its lcore.
 */
#ifndef VPCGW_DP_WORKER_H
#define VPCGW_DP_WORKER_H

#include "dp/dp.h"

#define DP_TXB 64
#define DP_FRAG_SLOTS 256
#define DP_FRAG_MS 2000
#define DP_NCACHE 256

struct dp_arp_wait {
	struct rte_mbuf *m;
	uint64_t since_ms;
	uint32_t nh;
	uint16_t port;
};

/* Later IPv4 fragments follow the translation of the first (NAT, UDP). */
struct dp_frag_ent {
	uint32_t src, dst;          /* network order, as received */
	uint16_t ip_id;
	uint8_t proto;
	uint8_t used;
	uint32_t new_src, new_dst;  /* network order */
	uint64_t since_ms;
};

struct dp_stage {                   /* packet clock: staged rx burst of a source */
	struct rte_mbuf *pkts[DP_BURST];
	uint16_t n, head;
	bool eof;
};

struct dp_worker_ctx {
	unsigned id;                /* worker index, or DP_MAX_WORKERS for control */
	bool is_control;
	struct dp_lcore_stats *stats;
	uint64_t now_ms;
	int txq[DP_MAX_PORTS];      /* own tx queue, -1: hand off through the port ring */
	uint16_t txn[DP_MAX_PORTS];
	struct rte_mbuf *txb[DP_MAX_PORTS][DP_TXB];
	uint64_t last_flush_tsc;
	unsigned arpq_n;
	struct dp_arp_wait arpq[DP_ARPQ_SIZE];
	unsigned n_src;
	unsigned src[DP_MAX_SOURCES];
	struct dp_stage stage[DP_MAX_SOURCES];
	uint64_t nombuf[DP_MAX_SOURCES];    /* packet clock: rx_nombuf seen per source */
	struct dp_frag_ent frag[DP_FRAG_SLOTS];
	/* neighbors used lately (entries are never freed: a pointer stays valid) */
	void *ncache[DP_NCACHE];
} __rte_cache_aligned;

RTE_DECLARE_PER_LCORE(struct dp_worker_ctx *, dp_wctx);

static inline struct dp_worker_ctx *
dp_worker_self(void)
{
	return RTE_PER_LCORE(dp_wctx);
}

/* Set up the calling lcore as worker id (or control). */
struct dp_worker_ctx *dp_worker_ctx_init(unsigned id, bool is_control);
/* Control lcore: flush its buffers and the handoff rings it may own. */
void dp_worker_ctx_flush(struct dp_worker_ctx *w);

#endif /* VPCGW_DP_WORKER_H */
