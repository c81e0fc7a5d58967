/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Traffic mirroring, the worker's side (docs/config.md
 * "traffic_mirror_sessions[]", docs/ARCHITECTURE.md "Traffic mirroring").
 *
 * A copy is the frame as the source ENI's wire carries it: outbound, the
 * frame it sent, taken before any stage runs (before NAT, TTL, MAC rewrite,
 * whatever vpcgw then decides); inbound, the frame vpcgw delivers to it,
 * taken from the burst's transmissions (after translation) with the
 * Ethernet addresses it will leave with. The first session of the ENI (by
 * session_number) whose filter accepts the packet takes it; a packet is
 * copied once. Copies wait in a per-lcore list and leave after the
 * burst's production packets of their port have been handed to the queue.
 *
 * No lock, no log, no heap: mbufs from dp_g.pool, counters per lcore.
 */
#include <stdbool.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "dp/dp.h"
#include "dp/dp_worker.h"
#include "mirror/mr.h"
#include "mirror/mr_priv.h"

#define MR_VXLAN_PORT 4789
#define MR_OUTER (sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) + \
		  sizeof(struct rte_udp_hdr) + 8)
/* Copies one burst can hold: one per received packet and per transmission. */
#define MR_PEND (DP_BURST + DP_EMIT_MAX)
/* Free descriptors (or handoff ring slots) copies leave to production. */
#define MR_TX_RESERVE (2 * DP_BURST)

struct mr_pend {
	struct rte_mbuf *m;
	uint16_t sess;
	uint8_t slot;               /* the packet's arrival in the burst: copies keep that order */
};

struct mr_wq {
	uint16_t n;
	bool pool_known;            /* pool_room read this burst */
	int32_t pool_room;          /* copies the pool still allows this burst */
	struct mr_pend p[MR_PEND];
} __rte_cache_aligned;

struct mr_ctr mr_ctr[DP_MAX_WORKERS + 1][MR_MAX_SESSIONS] __rte_cache_aligned;
static struct mr_wq mr_wq[DP_MAX_WORKERS + 1];

/* What the filter needs of a packet, from its IPv4 header. */
struct mr_pkt {
	uint32_t src, dst;          /* host order */
	uint16_t sport, dport;
	uint8_t proto;
	bool ports;                 /* TCP/UDP with its ports (not a later fragment) */
};

static const struct mr_eni *
eni_find(const struct mr_state *s, uint32_t addr, uint16_t port)
{
	for (uint32_t i = 0; i < s->n_eni; i++)
		if (s->eni[i].addr == addr && s->eni[i].port == port)
			return &s->eni[i];
	return NULL;
}

/* The IPv4 header at l3 of m's first segment; false: not IPv4 or too short. */
static bool
parse(const struct rte_mbuf *m, uint16_t l3, struct mr_pkt *k)
{
	const struct rte_ipv4_hdr *ip;
	uint16_t ihl;

	if (rte_pktmbuf_data_len(m) < l3 + sizeof(*ip))
		return false;
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, l3);
	ihl = (uint16_t)((ip->version_ihl & 0xf) * 4);
	if ((ip->version_ihl >> 4) != 4 || ihl < sizeof(*ip))
		return false;
	k->src = rte_be_to_cpu_32(ip->src_addr);
	k->dst = rte_be_to_cpu_32(ip->dst_addr);
	k->proto = ip->next_proto_id;
	k->ports = (k->proto == IPPROTO_TCP || k->proto == IPPROTO_UDP) &&
		   (rte_be_to_cpu_16(ip->fragment_offset) & RTE_IPV4_HDR_OFFSET_MASK) == 0 &&
		   rte_pktmbuf_data_len(m) >= l3 + ihl + 4;
	k->sport = k->dport = 0;
	if (k->ports) {
		const uint16_t *pp = rte_pktmbuf_mtod_offset(m, const uint16_t *, l3 + ihl);

		k->sport = rte_be_to_cpu_16(pp[0]);
		k->dport = rte_be_to_cpu_16(pp[1]);
	}
	return true;
}

/* The first rule matching the remote end decides; none: not copied. */
static bool
filter_accepts(const struct mr_rule *r, uint32_t n, uint32_t addr, uint16_t port,
	       const struct mr_pkt *k)
{
	for (uint32_t i = 0; i < n; i++, r++) {
		if (r->proto != CFG_PROTO_ALL && r->proto != k->proto)
			continue;
		if ((addr & r->mask) != r->net)
			continue;
		if (r->proto == IPPROTO_TCP || r->proto == IPPROTO_UDP) {
			bool any = r->port_lo == 0 && r->port_hi == 65535;

			if (!any && (!k->ports || port < r->port_lo || port > r->port_hi))
				continue;
		}
		return r->accept;
	}
	return false;
}

/* The session of e taking a packet (lowest session_number whose filter accepts), or -1. */
static int
session_of(const struct mr_state *s, const struct mr_eni *e, const struct mr_pkt *k, bool out)
{
	for (uint16_t i = 0; i < e->n; i++) {
		const struct mr_sess *x = &s->sess[s->order[e->first + i]];
		/* the remote end's address; the destination port, as a NACL rule's */
		bool ok = out ? filter_accepts(&s->rules[x->out_first], x->n_out, k->dst, k->dport, k)
			      : filter_accepts(&s->rules[x->in_first], x->n_in, k->src, k->dport, k);

		if (ok)
			return x->idx;
	}
	return -1;
}

/* UDP source port of a copy: a hash of the inner flow, the same both ways,
 * in 49152..65535 (RFC 7348 §5). */
static uint16_t
flow_port(const struct mr_pkt *k)
{
	uint32_t lo = RTE_MIN(k->src, k->dst), hi = RTE_MAX(k->src, k->dst);
	uint32_t plo = RTE_MIN(k->sport, k->dport), phi = RTE_MAX(k->sport, k->dport);
	uint32_t h = rte_hash_crc_4byte(lo, 0x6d6972u);

	h = rte_hash_crc_4byte(hi, h);
	h = rte_hash_crc_4byte(plo << 16 | phi, h);
	h = rte_hash_crc_4byte(k->proto, h);
	return (uint16_t)(49152u + (h & 0x3fffu));
}

/*
 * Copy the first bytes of m (its Ethernet frame) for session si, room for
 * the outer headers in front (written at send, when the target's MAC is
 * known; the UDP source port now). eth: the copy's Ethernet addresses, or
 * NULL to keep m's.
 */
static void
copy_add(const struct mr_state *s, struct mr_wq *q, struct mr_ctr *c, int si,
	 struct rte_mbuf *m, const struct mr_pkt *k, const struct rte_ether_hdr *eth, uint8_t slot)
{
	const struct mr_sess *x = &s->sess[si];
	uint32_t len = RTE_MIN(rte_pktmbuf_pkt_len(m), x->max_inner);
	struct rte_udp_hdr *udp;
	struct rte_mbuf *cp;

	if (unlikely(q->n == MR_PEND)) {
		c[si].drop[MR_DROP_OVERFLOW]++;
		return;
	}
	if (!q->pool_known) {
		unsigned avail = rte_mempool_avail_count(dp_g.pool);

		q->pool_room = avail > s->pool_reserve ? (int32_t)(avail - s->pool_reserve) : 0;
		q->pool_known = true;
	}
	if (q->pool_room == 0 ||
	    (cp = rte_pktmbuf_copy(m, dp_g.pool, 0, len)) == NULL) {
		c[si].drop[MR_DROP_NO_MBUF]++;
		return;
	}
	q->pool_room -= cp->nb_segs;
	if (q->pool_room < 0)
		q->pool_room = 0;
	if (eth != NULL)
		memcpy(rte_pktmbuf_mtod(cp, void *), eth, 2 * RTE_ETHER_ADDR_LEN);
	/* a fresh mbuf has RTE_PKTMBUF_HEADROOM (128) in front: the outer headers fit */
	if (rte_pktmbuf_prepend(cp, MR_OUTER) == NULL) {
		rte_pktmbuf_free(cp);
		c[si].drop[MR_DROP_NO_MBUF]++;
		return;
	}
	udp = rte_pktmbuf_mtod_offset(cp, struct rte_udp_hdr *,
				      sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr));
	udp->src_port = rte_cpu_to_be_16(flow_port(k));
	dp_meta(cp)->flags = DP_M_GENERATED;
	dp_meta(cp)->slot = DP_SLOT_NONE;
	q->p[q->n++] = (struct mr_pend){ .m = cp, .sess = (uint16_t)si, .slot = slot };
}

void
mr_outbound_burst(const struct mr_state *s, struct rte_mbuf **pkts, uint16_t n,
		  uint16_t in_port)
{
	struct dp_worker_ctx *w = dp_worker_self();
	struct mr_wq *q = &mr_wq[w->id];
	struct mr_ctr *c = mr_ctr[w->id];

	if (!(s->port_mask & 1u << in_port))
		return;
	for (uint16_t i = 0; i < n; i++) {
		const struct rte_ether_hdr *eth;
		const struct mr_eni *e;
		struct mr_pkt k;
		uint16_t l3 = sizeof(*eth), type;
		int si;

		if (rte_pktmbuf_data_len(pkts[i]) < sizeof(*eth) + 4)
			continue;
		eth = rte_pktmbuf_mtod(pkts[i], const struct rte_ether_hdr *);
		type = eth->ether_type;
		if (type == rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN)) {
			type = *(const uint16_t *)((const uint8_t *)(eth + 1) + 2);
			l3 += 4;
		}
		if (type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) || !parse(pkts[i], l3, &k))
			continue;
		e = eni_find(s, k.src, in_port);
		if (e == NULL || (si = session_of(s, e, &k, true)) < 0)
			continue;
		c[si].out++;
		copy_add(s, q, c, si, pkts[i], &k, NULL, (uint8_t)i);
	}
}

void
mr_inbound_burst(const struct mr_state *s)
{
	struct dp_worker_ctx *w = dp_worker_self();
	struct mr_wq *q = &mr_wq[w->id];
	struct mr_ctr *c = mr_ctr[w->id];

	for (uint16_t i = 0; i < w->n_emit; i++) {
		const struct dp_emit *em = &w->emit[i];
		const struct dp_port_rt *p = &dp_g.ports[em->port];
		struct rte_ether_hdr eth;
		const struct mr_eni *e;
		struct mr_pkt k;
		uint16_t type;
		int si;

		if (!(s->port_mask & 1u << em->port) ||
		    rte_pktmbuf_data_len(em->m) < sizeof(eth))
			continue;
		/* VLAN tags were removed at parse: IPv4 is at 14 */
		memcpy(&eth, rte_pktmbuf_mtod(em->m, const void *), sizeof(eth));
		type = eth.ether_type;
		if (type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) || !parse(em->m, sizeof(eth), &k))
			continue;
		e = eni_find(s, k.dst, em->port);
		if (e == NULL || (si = session_of(s, e, &k, false)) < 0)
			continue;
		if (em->nh != DP_EMIT_GENERATED) {
			/* what dp_emit_flush will not send is not copied */
			if (rte_pktmbuf_pkt_len(em->m) - sizeof(eth) > p->mtu)
				continue;
			c[si].in++;
			if (!dp_neigh_lookup(em->port, em->nh, &eth.dst_addr)) {
				c[si].drop[MR_DROP_ENI_UNRESOLVED]++;
				continue;
			}
			eth.src_addr = p->mac;
		} else {
			c[si].in++;
		}
		copy_add(s, q, c, si, em->m, &k, &eth, em->slot);
	}
}

/* Outer Ethernet, IPv4, UDP (source port already there) and VXLAN. */
static void
encap(struct rte_mbuf *cp, const struct mr_sess *x, const struct rte_ether_addr *dmac)
{
	const struct dp_port_rt *p = &dp_g.ports[x->port];
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(cp, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint32_t *vx = (uint32_t *)(udp + 1);
	uint16_t l3len = (uint16_t)(rte_pktmbuf_pkt_len(cp) - sizeof(*eth));

	eth->dst_addr = *dmac;
	eth->src_addr = p->mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = 0;
	ip->total_length = rte_cpu_to_be_16(l3len);
	ip->packet_id = 0;
	ip->fragment_offset = 0;
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(p->addr);
	ip->dst_addr = rte_cpu_to_be_32(x->target);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->dst_port = rte_cpu_to_be_16(MR_VXLAN_PORT);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(l3len - sizeof(*ip)));
	udp->dgram_cksum = 0;           /* RFC 7348: zero over IPv4 */
	vx[0] = rte_cpu_to_be_32(0x08000000u);   /* flags: I (VNI valid) */
	vx[1] = x->vni_word;
}

/* Copies of port pt, in b: to its own queue or the handoff ring; how many left. */
static uint16_t
tx_copies(struct dp_worker_ctx *w, uint16_t pt, struct rte_mbuf **b, uint16_t n)
{
	const struct dp_port_rt *p = &dp_g.ports[pt];

	if (w->txq[pt] < 0) {
		if (rte_ring_free_count(p->tx_ring) < (unsigned)n + MR_TX_RESERVE)
			return 0;
		return (uint16_t)rte_ring_mp_enqueue_burst(p->tx_ring, (void **)b, n, NULL);
	}
	/* a queue that could not also take a burst of production after them is short */
	if (rte_eth_tx_descriptor_status(p->port_id, (uint16_t)w->txq[pt],
					 (uint16_t)(n + MR_TX_RESERVE - 1)) ==
	    RTE_ETH_TX_DESC_FULL)
		return 0;
	return rte_eth_tx_burst(p->port_id, (uint16_t)w->txq[pt], b, n);
}

void
mr_send(const struct mr_state *s)
{
	struct dp_worker_ctx *w = dp_worker_self();
	struct mr_wq *q = &mr_wq[w->id];
	struct mr_ctr *c = mr_ctr[w->id];
	struct dp_port_stats *ps = w->stats->port;
	struct rte_mbuf *b[MR_PEND];
	uint32_t len[MR_PEND];
	uint16_t sess[MR_PEND];
	uint32_t ports = 0;

	q->pool_known = false;
	if (q->n == 0)
		return;
	/* arrival order, a packet's outbound copy first (stable insertion sort) */
	for (uint16_t i = 1; i < q->n; i++) {
		struct mr_pend v = q->p[i];
		uint16_t j = i;

		for (; j > 0 && q->p[j - 1].slot > v.slot; j--)
			q->p[j] = q->p[j - 1];
		q->p[j] = v;
	}
	for (uint16_t i = 0; i < q->n; i++)
		ports |= 1u << s->sess[q->p[i].sess].port;
	for (uint16_t pt = 0; ports != 0; pt++, ports >>= 1) {
		uint16_t nb = 0, sent;

		if (!(ports & 1))
			continue;
		for (uint16_t i = 0; i < q->n; i++) {
			const struct mr_sess *x = &s->sess[q->p[i].sess];
			struct rte_ether_addr mac;

			if (x->port != pt)
				continue;
			/* the normal neighbor path: a copy never waits for ARP */
			if (!dp_neigh_resolve(pt, x->target, w->now_ms, &mac)) {
				c[x->idx].drop[MR_DROP_TARGET_UNRESOLVED]++;
				rte_pktmbuf_free(q->p[i].m);
				continue;
			}
			encap(q->p[i].m, x, &mac);
			sess[nb] = x->idx;
			len[nb] = rte_pktmbuf_pkt_len(q->p[i].m);
			b[nb++] = q->p[i].m;
		}
		if (nb == 0)
			continue;
		/* the burst's production packets of this port go first */
		dp_tx_flush_port(w, pt);
		sent = tx_copies(w, pt, b, nb);
		for (uint16_t i = 0; i < sent; i++) {
			c[sess[i]].pkts++;
			c[sess[i]].bytes += len[i];
		}
		/* handed off copies are counted generated by the queue's owner */
		if (w->txq[pt] >= 0)
			ps[pt].gen += sent;
		for (uint16_t i = sent; i < nb; i++) {
			c[sess[i]].drop[MR_DROP_TX_FULL]++;
			rte_pktmbuf_free(b[i]);
		}
	}
	q->n = 0;
}
