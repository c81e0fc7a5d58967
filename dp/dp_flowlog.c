/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow-log records: the per-lcore rings and the producers' side
 * (dp/dp_flowlog.h). Workers: no lock, no syscall, no allocation, never
 * wait; a full ring counts the record skipped.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "dp/dp.h"
#include "dp/dp_flowlog.h"

bool dp_flowlog_on;
struct dp_flowlog_ring dp_flowlog_rings[RTE_MAX_LCORE];

int
dp_flowlog_start(unsigned entries)
{
	char name[RTE_RING_NAMESIZE];
	unsigned lc;

	RTE_BUILD_BUG_ON(sizeof(struct dp_flowlog_rec) % 4 != 0);
	RTE_LCORE_FOREACH(lc) {
		struct rte_ring *r;

		if (dp_flowlog_rings[lc].r != NULL)
			continue;
		snprintf(name, sizeof(name), "flowlog_%u", lc);
		r = rte_ring_create_elem(name, sizeof(struct dp_flowlog_rec), entries,
					 (int)rte_lcore_to_socket_id(lc),
					 RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (r == NULL)
			return -rte_errno;
		/* pairs with the acquire load of dp_flowlog_put() */
		__atomic_store_n(&dp_flowlog_rings[lc].r, r, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&dp_flowlog_on, true, __ATOMIC_RELEASE);
	return 0;
}

void
dp_flowlog_stop(void)
{
	__atomic_store_n(&dp_flowlog_on, false, __ATOMIC_RELEASE);
}

void
dp_flowlog_put(const struct dp_flowlog_rec *rec)
{
	unsigned lc = rte_lcore_id();
	struct dp_flowlog_ring *q;
	struct rte_ring *r;

	if (lc >= RTE_MAX_LCORE)
		return;                 /* not an lcore: no ring of its own (none deletes flows) */
	q = &dp_flowlog_rings[lc];
	r = __atomic_load_n(&q->r, __ATOMIC_ACQUIRE);

	if (r != NULL && rte_ring_sp_enqueue_elem(r, (void *)(uintptr_t)rec, sizeof(*rec)) == 0)
		__atomic_store_n(&q->enqueued, q->enqueued + 1, __ATOMIC_RELAXED);
	else
		__atomic_store_n(&q->skipped, q->skipped + 1, __ATOMIC_RELAXED);
}

void
dp_flowlog_reject_slow(const struct rte_mbuf *m, const struct dp_meta *md, uint8_t type,
		       uint64_t now_ms)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
								 md->l3);
	struct dp_flowlog_rec rec;

	memset(&rec, 0, sizeof(rec));
	rec.type = type;
	rec.key[0].src = ip->src_addr;
	rec.key[0].dst = ip->dst_addr;
	rec.key[0].proto = ip->next_proto_id;
	if ((ip->next_proto_id == IPPROTO_TCP || ip->next_proto_id == IPPROTO_UDP) &&
	    !(md->flags & (DP_M_LATER_FRAG | DP_M_ICMP_ERR))) {
		const uint16_t *p = rte_pktmbuf_mtod_offset(m, const uint16_t *, md->l4);

		rec.key[0].sport = p[0];
		rec.key[0].dport = p[1];
		if (ip->next_proto_id == IPPROTO_TCP)
			rec.tcp_flags = md->tcp_flags;
	}
	rec.len = rte_pktmbuf_pkt_len(m) - md->l3;
	rec.ms = now_ms;
	dp_flowlog_put(&rec);
}
