/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The security policy for IPv6 packets (SPEC §7): the IPv6 rules of network
 * ACLs (fw/nacl6.c) and security groups (fw/sg6.c), for the IPv6 stage
 * (dp/ip6_policy.c) through dp_pipe_ops. As fw_node.c: they decide, count,
 * and drop a denied packet under its reason (the IPv4 reasons: a rule is
 * a rule whatever its family).
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dp/dp.h"
#include "dp/dp_pipe.h"
#include "fw/fw_node.h"
#include "fw/nacl.h"
#include "fw/sg.h"

static inline const struct rte_ipv6_hdr *
ip6_of(struct rte_mbuf *m, const struct dp_meta *md)
{
	return rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, md->l3);
}

/* ICMPv6 type and code (host order), TCP/UDP ports (network order) */
static inline void
l4_of(struct rte_mbuf *m, const struct dp_meta *md, uint16_t *sport, uint16_t *dport,
      uint8_t *type, uint8_t *code)
{
	const uint8_t *h = rte_pktmbuf_mtod_offset(m, const uint8_t *, md->l4);

	*sport = *dport = 0;
	*type = *code = 0;
	if (md->flags & DP_M_LATER_FRAG)
		return;
	if (md->proto == IPPROTO_TCP || md->proto == IPPROTO_UDP) {
		*sport = md->key.sport;
		*dport = md->key.dport;
	} else if (md->proto == IPPROTO_ICMPV6) {
		*type = h[0];
		*code = h[1];
	}
}

bool
fw_nacl6_allows(const struct dp_tables *t, struct rte_mbuf *m, const struct dp_meta *md,
		int subnet, enum dp_dir dir)
{
	const struct rte_ipv6_hdr *ip = ip6_of(m, md);
	struct fw_acl6_key k;
	const struct fw_acl6_key *kp = &k;
	uint8_t type, code, v = 0;
	int nacl;

	if (subnet < 0 || (nacl = t->cfg->subnets[subnet].nacl) < 0)
		return true;
	memset(&k, 0, sizeof(k));
	k.proto = md->proto;
	memcpy(k.src, ip->src_addr, 16);
	memcpy(k.dst, ip->dst_addr, 16);
	l4_of(m, md, &k.sport, &k.dport, &type, &code);
	if (md->proto == IPPROTO_ICMPV6) {
		k.sport = rte_cpu_to_be_16(type);
		k.dport = rte_cpu_to_be_16(code);
	}
	fw_nacl6_classify(t->nacl, nacl, (enum fw_dir)dir, &kp, &v, 1);
	if (!v) {
		dp_drop(m, dir == DP_DIR_EGRESS ? DP_DROP_nacl_deny_out : DP_DROP_nacl_deny_in);
		return false;
	}
	return true;
}

/* One side: the ENI at addr checked in direction dir: -1 dropped, 0 no ENI
 * or untracked, 1 tracked. */
static int
sg6_side(const struct dp_tables *t, struct rte_mbuf *m, const struct dp_meta *md,
	 const uint8_t *addr, const uint8_t *peer, enum fw_dir dir, uint16_t *eni_out)
{
	const struct fw_sg6_ctx *x = fw_sg_v6(t->sg);
	struct dp_lcore_stats *st = dp_stats_self();
	struct fw_sg6_pkt p;
	uint16_t sport, dport;
	int e = fw_sg6_eni_find(x, addr), v, g = 0;

	if (e < 0)
		return 0;
	memset(&p, 0, sizeof(p));
	p.proto = md->proto;
	p.peer = peer;
	l4_of(m, md, &sport, &dport, &p.icmp_type, &p.icmp_code);
	p.dport = rte_be_to_cpu_16(dport);
	v = fw_sg6_check(x, e, dir, &p, &g);
	return fw_sg_verdict(st, m, e, g, v, dir, eni_out);
}

int
fw_sg6_eval(const struct dp_tables *t, struct rte_mbuf *m, const struct dp_meta *md,
	    bool check_src, bool check_dst, uint16_t *eni_src, uint16_t *eni_dst)
{
	const struct rte_ipv6_hdr *ip = ip6_of(m, md);
	int ts = 0, td = 0;

	*eni_src = *eni_dst = 0;
	if (t->cfg->n_enis == 0)
		return 0;
	if (check_src && (ts = sg6_side(t, m, md, ip->src_addr, ip->dst_addr, FW_DIR_EGRESS,
					eni_src)) < 0)
		return -1;
	if (check_dst && (td = sg6_side(t, m, md, ip->dst_addr, ip->src_addr, FW_DIR_INGRESS,
					eni_dst)) < 0)
		return -1;
	return ts | td;
}
