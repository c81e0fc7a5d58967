/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fragments across the families (RFC 7915 §4.1, §5.1.1): the later
 * fragments of a datagram follow the translation of its first, as the IPv4
 * NAT's later fragments follow theirs (dp/policy.c dp_frag_record /
 * frag_follow): a per-worker table of DP_FRAG_SLOTS entries, the newest
 * first fragment of a slot wins, an entry lives DP_FRAG_MS. Keys and
 * translations are 16-byte addresses (an IPv4 one as ::ffff:a.b.c.d), so one
 * table serves both directions of a translator. Worker only: the table of
 * the lcore that calls (RSS keeps a datagram's fragments on one worker:
 * its addresses are the hash).
 */
#include <string.h>

#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "dp/dp.h"
#include "dp/dp_worker.h"
#include "dp/ip6.h"

#define NH_HOPOPTS 0
#define NH_ROUTING 43
#define NH_FRAGMENT 44
#define NH_DSTOPTS 60

struct frag6_ent {
	uint8_t src[16], dst[16];       /* as received */
	uint32_t id;
	uint8_t proto;
	uint8_t used;
	uint8_t nsrc[16], ndst[16];     /* the first fragment's translation */
	uint64_t since_ms;
};

static struct frag6_ent frag6[RTE_MAX_LCORE][DP_FRAG_SLOTS];

static struct frag6_ent *
slot(const uint8_t src[16], const uint8_t dst[16], uint32_t id)
{
	unsigned lc = rte_lcore_id() % RTE_MAX_LCORE;
	uint32_t h = dp_flow6_fold(src) ^ dp_flow6_fold(dst) ^ id * 2654435761u;

	return &frag6[lc][h % DP_FRAG_SLOTS];
}

void
dp_frag6_record(const uint8_t src[16], const uint8_t dst[16], uint32_t id, uint8_t proto,
		const uint8_t nsrc[16], const uint8_t ndst[16], uint64_t now)
{
	struct frag6_ent *e = slot(src, dst, id);

	memcpy(e->src, src, 16);
	memcpy(e->dst, dst, 16);
	e->id = id;
	e->proto = proto;
	memcpy(e->nsrc, nsrc, 16);
	memcpy(e->ndst, ndst, 16);
	e->since_ms = now;
	e->used = 1;
}

bool
dp_frag6_follow(const uint8_t src[16], const uint8_t dst[16], uint32_t id, uint8_t proto,
		uint64_t now, uint8_t nsrc[16], uint8_t ndst[16])
{
	const struct frag6_ent *e = slot(src, dst, id);

	if (!e->used || e->id != id || e->proto != proto || now - e->since_ms > DP_FRAG_MS ||
	    memcmp(e->src, src, 16) != 0 || memcmp(e->dst, dst, 16) != 0)
		return false;
	memcpy(nsrc, e->nsrc, 16);
	memcpy(ndst, e->ndst, 16);
	return true;
}

void
dp_ip6_mapped(uint8_t out[16], uint32_t a4)
{
	memset(out, 0, 10);
	out[10] = 0xff;
	out[11] = 0xff;
	memcpy(out + 12, &a4, 4);
}

int
dp_ip6_frag_hdr(const struct rte_mbuf *m, const struct dp_meta *md)
{
	const struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *,
								md->l3);
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t off = md->l3 + sizeof(*ip);
	uint8_t nh = ip->proto;

	/* dp_ip6_parse() walked this chain inside the first segment up to md->l4 */
	while (off < md->l4) {
		if (nh == NH_FRAGMENT)
			return off + 8 == md->l4 ? (int)off : -1;
		if (nh != NH_HOPOPTS && nh != NH_ROUTING && nh != NH_DSTOPTS)
			return -1;
		nh = p[off];
		off += (p[off + 1] + 1u) * 8u;
	}
	return -1;
}

bool
dp_ip6_frag_id(const struct rte_mbuf *m, const struct dp_meta *md, uint32_t *id)
{
	int off = dp_ip6_frag_hdr(m, md);
	uint32_t v;

	if (off < 0)
		return false;
	memcpy(&v, rte_pktmbuf_mtod_offset(m, const uint8_t *, off + 4), 4);
	*id = rte_be_to_cpu_32(v);
	return true;
}
