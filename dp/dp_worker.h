/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-lcore context of a worker (and of the control lcore, which uses the
 * same tx helpers for the packets it generates). Private to its lcore.
 */
#ifndef VPCGW_DP_WORKER_H
#define VPCGW_DP_WORKER_H

#include <string.h>

#include "dp/dp.h"

#define DP_TXB 64
#define DP_FRAG_SLOTS 256
#define DP_FRAG_MS 2000
#define DP_NCACHE 1024
#define DP_ND6_CACHE 256

#define DP_NEIGH_VALID (1ULL << 63)

/* A neighbor (dp_neigh.c owns them; here for the inline output path). */
struct dp_neigh {
	uint64_t mac;               /* DP_NEIGH_VALID | 48-bit MAC, atomic */
	uint64_t last_req_ms;       /* last ARP request sent (racy hint) */
	uint32_t addr;              /* host order */
	uint16_t port;
	bool is_static;
};

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

/* A transmission of the burst being processed, sent in arrival order (dp_emit_flush). */
#define DP_EMIT_MAX (2 * DP_BURST + 16)
#define DP_EMIT_GENERATED 0xffffffffu   /* nh of a packet vpcgw built: sent as is */

struct dp_emit {
	struct rte_mbuf *m;
	uint32_t nh;                /* next hop (host order) or DP_EMIT_GENERATED */
	uint16_t port;
	uint8_t slot;
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
	struct dp_neigh *ncache[DP_NCACHE];
	/* IPv6 neighbors used lately (dp/nd6.c's entries: a static array, an
	 * entry checked against port, address and liveness at each use) */
	void *nd6_cache[DP_ND6_CACHE];
	/* inside dp_process_burst: transmissions wait for dp_emit_flush */
	bool emit_on;
	bool emit_sorted;
	uint8_t cur_slot;           /* the packet the per-packet stage works on */
	uint16_t n_emit;
	uint64_t emit_now;
	struct dp_emit emit[DP_EMIT_MAX];
	/* packet trace (dp_trace.c): slots of this burst being traced */
	uint32_t trace_mask;
	struct trace_rec *trace_rec[DP_BURST];
	struct rte_mbuf *trace_m[DP_BURST];
} __rte_cache_aligned;

RTE_DECLARE_PER_LCORE(struct dp_worker_ctx *, dp_wctx);

static inline struct dp_worker_ctx *
dp_worker_self(void)
{
	return RTE_PER_LCORE(dp_wctx);
}

static inline uint32_t
dp_ncache_slot(uint16_t port, uint32_t addr)
{
	RTE_BUILD_BUG_ON(DP_NCACHE != 1024);
	return ((addr ^ port) * 2654435761u) >> 22;
}

/* Send the buffer of port p (dp_worker.c). */
void dp_tx_flush_port(struct dp_worker_ctx *w, uint16_t p);

static inline void
dp_tx_buffer(struct dp_worker_ctx *w, struct rte_mbuf *m, uint16_t p)
{
	w->txb[p][w->txn[p]++] = m;
	if (w->txn[p] == DP_TXB)
		dp_tx_flush_port(w, p);
}

/*
 * The common case of dp_neigh_output(), in two halves. The first: the next
 * hop is in this lcore's neighbor cache with a MAC (*mac); false: m is for
 * dp_neigh_output(). The caller checks that no packet waits for ARP
 * (w->arpq_n == 0: those leave first), and that m fits the port's MTU
 * (dp_neigh_mac_fast() does both).
 */
static inline bool
dp_neigh_mac_get(const struct dp_worker_ctx *w, uint16_t out_port, uint32_t nh, uint64_t *mac)
{
	const struct dp_neigh *e = w->ncache[dp_ncache_slot(out_port, nh)];

	if (unlikely(e == NULL || e->addr != nh || e->port != out_port))
		return false;
	*mac = __atomic_load_n(&e->mac, __ATOMIC_ACQUIRE);
	return likely(*mac & DP_NEIGH_VALID);
}

static inline bool
dp_neigh_mac_fast(const struct dp_worker_ctx *w, const struct rte_mbuf *m, uint16_t out_port,
		  uint32_t nh, uint64_t *mac)
{
	/* VLAN-tagged input was untagged at parse: l3 is 14 here; a packet
	 * within every port's MTU (mostly) needs no look at out_port's */
	uint32_t l3len = rte_pktmbuf_pkt_len(m) - (uint32_t)sizeof(struct rte_ether_hdr);

	return dp_neigh_mac_get(w, out_port, nh, mac) &&
	       likely(l3len <= dp_g.mtu_min || l3len <= dp_g.ports[out_port].mtu);
}

/*
 * The second: the Ethernet addresses written with two 8-byte stores (the
 * neighbor's MAC word, then the port's MAC with the frame's own ethertype
 * over its last two bytes), and m buffered for the port.
 */
static inline void
dp_neigh_xmit_mac(struct dp_worker_ctx *w, struct rte_mbuf *m, uint16_t out_port, uint64_t mac)
{
	uint8_t *eth = rte_pktmbuf_mtod(m, uint8_t *);
	uint64_t src;
	uint16_t type;

	RTE_BUILD_BUG_ON(RTE_BYTE_ORDER != RTE_LITTLE_ENDIAN);   /* type << 48: bytes 6-7 */
	memcpy(&type, eth + 2 * RTE_ETHER_ADDR_LEN, 2);
	src = dp_g.ports[out_port].src48 | (uint64_t)type << 48;
	memcpy(eth, &mac, 8);
	memcpy(eth + RTE_ETHER_ADDR_LEN, &src, 8);
	dp_tx_buffer(w, m, out_port);
}

/* Both halves: true, m is buffered; false, m is untouched (dp_neigh_output()). */
static inline bool
dp_neigh_xmit_fast(struct dp_worker_ctx *w, struct rte_mbuf *m, uint16_t out_port, uint32_t nh)
{
	uint64_t mac;

	if (!dp_neigh_mac_fast(w, m, out_port, nh, &mac))
		return false;
	dp_neigh_xmit_mac(w, m, out_port, mac);
	return true;
}

static inline void
dp_neigh_xmit_now(struct dp_worker_ctx *w, struct rte_mbuf *m, uint16_t out_port, uint32_t nh,
		  uint64_t now_ms)
{
	if (w->arpq_n != 0 || !dp_neigh_xmit_fast(w, m, out_port, nh))
		dp_neigh_output(m, out_port, nh, now_ms);
}

/* Send all of the burst's transmissions, in the order their packets arrived. */
void dp_emit_flush(struct dp_worker_ctx *w);

static inline void
dp_emit_add(struct dp_worker_ctx *w, struct rte_mbuf *m, uint16_t port, uint32_t nh, uint8_t slot)
{
	struct dp_emit *e;

	if (unlikely(w->n_emit == DP_EMIT_MAX))
		dp_emit_flush(w);   /* a burst of extremes: order kept up to here */
	e = &w->emit[w->n_emit];
	if (w->n_emit != 0 && slot < e[-1].slot)
		w->emit_sorted = false;
	e->m = m;
	e->nh = nh;
	e->port = port;
	e->slot = slot;
	w->n_emit++;
}

/* Out through the neighbor of nh: now, or in arrival order at the end of the burst. */
static inline void
dp_neigh_xmit(struct rte_mbuf *m, uint16_t out_port, uint32_t nh, uint64_t now_ms)
{
	struct dp_worker_ctx *w = dp_worker_self();

	if (w->emit_on)
		dp_emit_add(w, m, out_port, nh, dp_meta(m)->slot);
	else
		dp_neigh_xmit_now(w, m, out_port, nh, now_ms);
}

/* Set up the calling lcore as worker id (or control). */
struct dp_worker_ctx *dp_worker_ctx_init(unsigned id, bool is_control);
/* Control lcore: flush its buffers and the handoff rings it may own. */
void dp_worker_ctx_flush(struct dp_worker_ctx *w);

#endif /* VPCGW_DP_WORKER_H */
