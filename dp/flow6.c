/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 flows in the shared flow table (SPEC §7 "conntrack for IPv6 flows").
 *
 * The choice: one flow table for both families, so that IPv6 flows have
 * the same expiry (timer wheels), RCU reclamation, counters, listing and
 * TCP state machine as IPv4 ones, without growing struct dp_flow (128
 * bytes) or its 16-byte key. An IPv6 flow's keys are the IPv4 key form
 * with zone = DP_FLOW_ZONE_IP6 and each 128-bit address folded to 32 bits
 * (CRC32-C with a seed drawn at start, the same function for source and
 * destination so that the mirror key is the reply's); an IPv4 key has zone
 * 0, so the two families never meet. The full addresses of key[0] live in a
 * side array indexed like the flows (dp_flow_index), written before the
 * flow is published and compared on every hit: two IPv6 flows that fold to
 * the same key are told apart (the later one is not tracked, its packets
 * pass or fail on the rules alone, counted flow6_fold_collision), never
 * confused. Each side record also keeps the source of the flow's replies
 * (rsrc: key[0]'s destination, or a dualstack NLB's target, lb/nlb_node6.c):
 * 48 bytes a flow. The side array is calloc'd at the flow table's capacity on the
 * first IPv6 configuration: pages nobody writes cost no memory.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_cycles.h>
#include <rte_hash_crc.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dp/dp.h"
#include "dp/dp_flow.h"
#include "dp/ip6.h"

struct flow6_addrs {
	uint8_t src[16];
	uint8_t dst[16];
	uint8_t rsrc[16];           /* the reply's source: dst, or an NLB's target */
};

static struct flow6_addrs *side;
static uint32_t side_n;
static uint32_t seed;

int
dp_flow6_init(void)
{
	uint32_t n = dp_flow_capacity();

	if (side != NULL || n == 0)
		return 0;
	/* populated here: the packet path never faults a page in (dp/dp_mem.c
	 * does the same for the rest of the flow table) */
	side = mmap(NULL, (size_t)n * sizeof(*side), PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (side == MAP_FAILED) {
		side = NULL;
		return -1;
	}
	side_n = n;
	seed = (uint32_t)rte_rdtsc() ^ (uint32_t)(uintptr_t)side;
	return 0;
}

void
dp_flow6_fini(void)
{
	if (side != NULL)
		munmap(side, (size_t)side_n * sizeof(*side));
	side = NULL;
	side_n = 0;
}

/* a: in the packet, 2 bytes past an 8-byte boundary after Ethernet: copied
 * into words first (an unaligned uint64_t load is undefined behaviour) */
static inline uint32_t
fold(const uint8_t a[16])
{
	uint64_t w[2];

	memcpy(w, a, 16);
	return rte_hash_crc_8byte(w[1], rte_hash_crc_8byte(w[0], seed));
}

bool
dp_flow6_key(struct rte_mbuf *m, const struct dp_meta *md, struct dp_flow_key *k)
{
	const struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *,
								md->l3);

	memset(k, 0, sizeof(*k));
	k->src = fold(ip->src_addr);
	k->dst = fold(ip->dst_addr);
	k->proto = md->proto;
	k->zone = DP_FLOW_ZONE_IP6;
	if (md->flags & DP_M_LATER_FRAG)
		return false;
	if (md->proto == IPPROTO_TCP || md->proto == IPPROTO_UDP) {
		k->sport = md->key.sport;
		k->dport = md->key.dport;
		return true;
	}
	if (md->proto == IPPROTO_ICMPV6) {
		const uint8_t *h = rte_pktmbuf_mtod_offset(m, const uint8_t *, md->l4);
		uint16_t id = (uint16_t)(h[4] | h[5] << 8);   /* as on the wire */

		/* echo: the identifier on the requester's side (v4 ICMP keys alike) */
		if (h[0] == 128)
			k->sport = id;
		else if (h[0] == 129)
			k->dport = id;
		return h[0] >= 128;     /* errors (< 128) open no flow */
	}
	return true;
}

struct dp_flow *
dp_flow6_find_addrs(const struct dp_flow_key *k, const uint8_t *src, const uint8_t *dst,
		    int *dir)
{
	void *t = dp_flow_lookup(k);
	const struct flow6_addrs *a;
	struct dp_flow *f;
	uint32_t i;

	if (t == NULL || side == NULL)
		return NULL;
	f = dp_flow_ptr(t);
	*dir = dp_flow_dir(t);
	i = dp_flow_index(f);
	if (i >= side_n)
		return NULL;
	a = &side[i];
	if (*dir == 0 ? memcmp(a->src, src, 16) != 0 || memcmp(a->dst, dst, 16) != 0
		      : memcmp(a->src, dst, 16) != 0 || memcmp(a->rsrc, src, 16) != 0) {
		dp_stats_self()->flow6_fold_collision++;
		return NULL;
	}
	return f;
}

struct dp_flow *
dp_flow6_find(const struct dp_flow_key *k, struct rte_mbuf *m, const struct dp_meta *md,
	      int *dir)
{
	const struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *,
								md->l3);

	return dp_flow6_find_addrs(k, ip->src_addr, ip->dst_addr, dir);
}

/*
 * An ICMPv6 error (destination unreachable, packet too big, time exceeded,
 * parameter problem, RFC 4443) quoting a packet of a known flow: that flow.
 * The quote must hold the invoking packet's IPv6 header and the 8 bytes
 * after it in the first segment, its next header TCP, UDP or ICMPv6 echo
 * (an extension header in the quote: not matched).
 */
struct dp_flow *
dp_flow6_find_error(struct rte_mbuf *m, const struct dp_meta *md)
{
	const uint8_t *h = rte_pktmbuf_mtod_offset(m, const uint8_t *, md->l4);
	const struct rte_ipv6_hdr *in = (const struct rte_ipv6_hdr *)(h + 8);
	const uint8_t *l4 = h + 8 + sizeof(*in);
	struct dp_flow_key k;
	int dir;

	if (md->proto != IPPROTO_ICMPV6 || (md->flags & DP_M_LATER_FRAG) || h[0] < 1 ||
	    h[0] > 4 || (uint32_t)md->l4 + 8 + sizeof(*in) + 8 > rte_pktmbuf_data_len(m) ||
	    (uint32_t)md->l4 + 8 + sizeof(*in) + 8 > rte_pktmbuf_pkt_len(m))
		return NULL;
	memset(&k, 0, sizeof(k));
	k.src = fold(in->src_addr);
	k.dst = fold(in->dst_addr);
	k.proto = in->proto;
	k.zone = DP_FLOW_ZONE_IP6;
	if (in->proto == IPPROTO_TCP || in->proto == IPPROTO_UDP) {
		memcpy(&k.sport, l4, 2);
		memcpy(&k.dport, l4 + 2, 2);
	} else if (in->proto == IPPROTO_ICMPV6 && l4[0] == 128) {
		k.sport = (uint16_t)(l4[4] | l4[5] << 8);
	} else {
		return NULL;
	}
	return dp_flow6_find_addrs(&k, in->src_addr, in->dst_addr, &dir);
}

bool
dp_flow6_bind(struct dp_flow *f, struct rte_mbuf *m, const struct dp_meta *md)
{
	const struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *,
								md->l3);
	uint32_t i = dp_flow_index(f);

	if (side == NULL || i >= side_n)
		return false;
	/* published by dp_flow_insert()'s release; no reader sees this slot before */
	memcpy(side[i].src, ip->src_addr, 16);
	memcpy(side[i].dst, ip->dst_addr, 16);
	memcpy(side[i].rsrc, ip->dst_addr, 16);
	return true;
}

void
dp_flow6_bind_reply(struct dp_flow *f, const uint8_t rsrc[16])
{
	uint32_t i = dp_flow_index(f);

	if (side != NULL && i < side_n)
		memcpy(side[i].rsrc, rsrc, 16);
}

uint32_t
dp_flow6_fold(const uint8_t a[16])
{
	return fold(a);
}

bool
dp_flow6_addrs(const struct dp_flow *f, uint8_t src[16], uint8_t dst[16], uint8_t *rsrc)
{
	uint32_t i = dp_flow_index(f);

	if (side == NULL || i >= side_n || f->key[0].zone != DP_FLOW_ZONE_IP6)
		return false;
	memcpy(src, side[i].src, 16);
	memcpy(dst, side[i].dst, 16);
	if (rsrc != NULL)
		memcpy(rsrc, side[i].rsrc, 16);
	return true;
}
