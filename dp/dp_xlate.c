/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Header rewrites of the data plane: addresses, ports and ICMP identifiers
 * with incremental checksum updates (RFC 1624), the translation of a flow's
 * packet to the mirror image of its other key (NAT, NLB), and of an ICMP
 * error about such a packet.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dp/csum.h"
#include "dp/dp.h"
#include "dp/dp_flow.h"
#include "dp/dp_pipe.h"
#include "dp/dp_pkt.h"

#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8


/* Rewrite the IPv4 source or destination address with RFC 1624 updates of
 * the IPv4 checksum and the TCP/UDP pseudo-header checksum. */
void
dp_set_addr(struct rte_mbuf *m, struct dp_meta *md, bool src, uint32_t nv)
{
	struct rte_ipv4_hdr *ip = dp_ip_hdr(m, md);
	uint8_t *a = (uint8_t *)ip + (src ? 12 : 16);
	uint32_t old;

	memcpy(&old, a, 4);
	if (old == nv)
		return;
	ip->hdr_checksum = csum_update32(ip->hdr_checksum, old, nv);
	if (!(md->flags & DP_M_LATER_FRAG)) {
		uint8_t *l4 = dp_l4_hdr(m, md);
		uint16_t c;

		if (md->proto == IPPROTO_TCP) {
			memcpy(&c, l4 + 16, 2);
			c = csum_update32(c, old, nv);
			memcpy(l4 + 16, &c, 2);
		} else if (md->proto == IPPROTO_UDP) {
			memcpy(&c, l4 + 6, 2);
			if (c != 0) {
				c = csum_update32(c, old, nv);
				if (c == 0)
					c = 0xffff;
				memcpy(l4 + 6, &c, 2);
			}
		}
	}
	memcpy(a, &nv, 4);
}

static void
set_port(struct rte_mbuf *m, struct dp_meta *md, bool src, uint16_t nv)
{
	uint8_t *l4 = dp_l4_hdr(m, md);
	uint16_t old, c;

	if (md->flags & DP_M_LATER_FRAG)
		return;
	if (md->proto == IPPROTO_TCP || md->proto == IPPROTO_UDP) {
		unsigned csum_off = md->proto == IPPROTO_TCP ? 16 : 6;

		memcpy(&old, l4 + (src ? 0 : 2), 2);
		if (old == nv)
			return;
		memcpy(&c, l4 + csum_off, 2);
		if (md->proto == IPPROTO_TCP || c != 0) {
			c = csum_update16(c, old, nv);
			if (md->proto == IPPROTO_UDP && c == 0)
				c = 0xffff;
			memcpy(l4 + csum_off, &c, 2);
		}
		memcpy(l4 + (src ? 0 : 2), &nv, 2);
	} else if (md->proto == IPPROTO_ICMP) {
		struct rte_icmp_hdr *ih = (struct rte_icmp_hdr *)l4;

		/* echo identifier: request keeps it in sport, reply in dport */
		if ((ih->icmp_type == ICMP_ECHO_REQUEST && src) ||
		    (ih->icmp_type == ICMP_ECHO_REPLY && !src)) {
			if (ih->icmp_ident != nv) {
				ih->icmp_cksum = csum_update16(ih->icmp_cksum, ih->icmp_ident, nv);
				ih->icmp_ident = nv;
			}
		}
	}
}

/* An ICMP error about a flow's packet: rewrite the outer destination and the
 * embedded header to the mirror of nk (the translated key of the error seen
 * as a reply), then recompute the embedded and ICMP checksums. */
static void
xlate_icmp_error(struct rte_mbuf *m, struct dp_meta *md, const struct dp_flow_key *nk)
{
	struct rte_ipv4_hdr *ip = dp_ip_hdr(m, md);
	struct rte_icmp_hdr *ih = (struct rte_icmp_hdr *)dp_l4_hdr(m, md);
	struct rte_ipv4_hdr *in = (struct rte_ipv4_hdr *)(ih + 1);
	uint32_t ihl = (in->version_ihl & 0xf) * 4u;
	uint16_t *ports = (uint16_t *)((uint8_t *)in + ihl);
	uint32_t icmp_len = rte_be_to_cpu_16(ip->total_length) - (md->l4 - md->l3);

	dp_set_addr(m, md, false, nk->dst);
	in->src_addr = nk->dst;
	in->dst_addr = nk->src;
	if (in->next_proto_id == IPPROTO_TCP || in->next_proto_id == IPPROTO_UDP) {
		/* the embedded L4 checksum is often cut off; leave it (RFC 5508 §4.2) */
		ports[0] = nk->dport;
		ports[1] = nk->sport;
	} else if (in->next_proto_id == IPPROTO_ICMP) {
		struct rte_icmp_hdr *ii = (struct rte_icmp_hdr *)ports;

		ii->icmp_ident = nk->dport;
		ii->icmp_cksum = 0;
		ii->icmp_cksum = 0;   /* inner ICMP checksum: recomputed below if whole */
		if (icmp_len >= 8 + ihl + 8)
			ii->icmp_cksum = ~rte_raw_cksum(ii, icmp_len - 8 - ihl) ?: 0xffff;
	}
	in->hdr_checksum = 0;
	in->hdr_checksum = rte_ipv4_cksum(in);
	ih->icmp_cksum = 0;
	ih->icmp_cksum = (uint16_t)~rte_raw_cksum(ih, icmp_len);
}

/* Rewrite a packet of flow f arriving in direction d to the mirror of key[1-d]. */
void
dp_flow_xlate(struct rte_mbuf *m, struct dp_meta *md, const struct dp_flow *f, int d)
{
	struct dp_flow_key nk = dp_flow_key_mirror(&f->key[1 - d]);

	/* the packet now belongs to the other side's overlapping VPC (a NAT
	 * gateway's reply into its VPC), or to none (out to the internet) */
	nk.zone = (f->key[1 - d].zone & CFG_ZONE_VPC) ? f->key[1 - d].zone : 0;
	if (md->flags & DP_M_ICMP_ERR) {
		if (memcmp(&nk, &md->key, sizeof(nk)) != 0)
			xlate_icmp_error(m, md, &nk);
		md->key.zone = nk.zone;
		return;
	}
	if (likely((md->proto == IPPROTO_TCP || md->proto == IPPROTO_UDP) &&
		   !(md->flags & DP_M_LATER_FRAG))) {
		/* both addresses and ports in one pass: one update per checksum */
		struct rte_ipv4_hdr *ip = dp_ip_hdr(m, md);
		uint16_t *ports = (uint16_t *)dp_l4_hdr(m, md);
		uint16_t *l4c = ports + (md->proto == IPPROTO_TCP ? 8 : 3);
		uint64_t da = csum_diff32(ip->src_addr, nk.src) + csum_diff32(ip->dst_addr, nk.dst);
		uint64_t dl = da + csum_diff16(ports[0], nk.sport) + csum_diff16(ports[1], nk.dport);

		ip->hdr_checksum = csum_apply(ip->hdr_checksum, da);
		if (md->proto == IPPROTO_TCP) {
			*l4c = csum_apply(*l4c, dl);
		} else if (*l4c != 0) {     /* UDP: 0 means no checksum */
			uint16_t c = csum_apply(*l4c, dl);

			*l4c = c == 0 ? 0xffff : c;
		}
		ip->src_addr = nk.src;
		ip->dst_addr = nk.dst;
		ports[0] = nk.sport;
		ports[1] = nk.dport;
		md->key = nk;
		return;
	}
	dp_set_addr(m, md, true, nk.src);
	dp_set_addr(m, md, false, nk.dst);
	set_port(m, md, true, nk.sport);
	set_port(m, md, false, nk.dport);
	md->key = nk;
}
