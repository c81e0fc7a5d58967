/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow-log records, the core's side (docs/ARCHITECTURE.md "Flow logs"):
 * what a worker hands to the control thread, and how.
 *
 * One single-producer single-consumer rte_ring per lcore: the lcore that
 * owns it (a worker, or the control lcore for the flows it deletes) is the
 * only producer, the control thread (flowlog/fl_ctl.c) the only consumer.
 * A producer never waits: when its ring is full the record is counted in
 * its `skipped` and lost, and the control thread marks the records of that
 * interval SKIPDATA. Rings exist only while a flow log is configured;
 * dp_flowlog_on is set (release) after they exist and read (relaxed, then
 * the ring pointer with acquire) by the producers.
 *
 * Two kinds of record: a packet a NACL or security group rejected (made
 * where fw/ decides the drop), and the end of a flow (made by whoever
 * deletes it) with its counters. Accepted traffic of live flows is read by
 * the control thread from the flows' own counters, not from records.
 */
#ifndef VPCGW_DP_FLOWLOG_H
#define VPCGW_DP_FLOWLOG_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_lcore.h>

#include "dp/dp.h"

struct rte_mbuf;
struct rte_ring;

enum dp_flowlog_type {
	DP_FL_REJECT_EGRESS = 1,    /* refused leaving the source (SG egress, source subnet's NACL) */
	DP_FL_REJECT_INGRESS = 2,   /* refused reaching the destination */
	DP_FL_FLOW_END = 3,         /* a flow deleted: its final counters */
};

/* One record, 96 bytes (a multiple of 4: rte_ring element). */
struct dp_flowlog_rec {
	struct dp_flow_key key[2];  /* reject: key[0] the packet's header; end: the flow's keys */
	uint64_t ms;                /* reject: the packet's time; end: the flow's creation */
	uint64_t last_ms;           /* end: the flow's last packet */
	uint64_t pkts[2];           /* end: by direction */
	uint64_t bytes[2];
	uint32_t len;               /* reject: bytes from the IP header on */
	uint32_t idx;               /* end: the flow's slot */
	uint8_t type;               /* enum dp_flowlog_type */
	uint8_t tcp_flags;          /* reject: the packet's */
	uint8_t kind;               /* end: enum dp_flow_kind */
	uint8_t tcp_state;          /* end */
	uint32_t pad;
};

/* One per lcore: its ring and what it could not put there. */
struct dp_flowlog_ring {
	struct rte_ring *r;         /* NULL: none */
	uint64_t enqueued;          /* written by the producer (relaxed) */
	uint64_t skipped;           /* ring full: lost (relaxed) */
} __rte_cache_aligned;

/* Entries of each ring (one kept free: 16,383 records). */
#define DP_FLOWLOG_RING 16384

extern bool dp_flowlog_on;
extern struct dp_flowlog_ring dp_flowlog_rings[RTE_MAX_LCORE];

/* Control thread: create the rings (entries each, a power of 2) of every
 * lcore, then set dp_flowlog_on; 0 or -errno. Idempotent. */
int dp_flowlog_start(unsigned entries);
/* Control thread: stop making records (the rings stay for the last drain). */
void dp_flowlog_stop(void);

/* Producer: put r in this lcore's ring or count it skipped. */
void dp_flowlog_put(const struct dp_flowlog_rec *r);
/* A packet m refused by a NACL or security group (type REJECT_*), at now_ms. */
void dp_flowlog_reject_slow(const struct rte_mbuf *m, const struct dp_meta *md, uint8_t type,
			    uint64_t now_ms);

/* The hook fw/ calls where it refuses a packet: one load when off. */
static inline void
dp_flowlog_reject(const struct rte_mbuf *m, const struct dp_meta *md, uint8_t type,
		  uint64_t now_ms)
{
	if (unlikely(__atomic_load_n(&dp_flowlog_on, __ATOMIC_RELAXED)))
		dp_flowlog_reject_slow(m, md, type, now_ms);
}

#endif /* VPCGW_DP_FLOWLOG_H */
