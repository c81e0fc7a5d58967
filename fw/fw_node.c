/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The security policy of the pipeline (SPEC §3–4): network ACLs per subnet
 * and direction (rte_acl, classified a burst at a time, verdicts cached in
 * the flow) and security groups per ENI. The core calls these through
 * dp_pipe_ops (dp/pipeline.c fills it); they only decide and count: a denied
 * packet is dropped here under its reason.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dp/dp.h"
#include "dp/dp_flow.h"
#include "dp/dp_flowlog.h"
#include "dp/dp_pipe.h"
#include "dp/dp_pkt.h"
#include "dp/ct_tcp.h"
#include "fw/fw_node.h"
#include "fw/nacl.h"
#include "fw/sg.h"

static_assert(sizeof(struct fw_acl_key) == sizeof(((struct dp_nacl_pre *)0)->key),
	      "the burst's NACL key holds a struct fw_acl_key");
static_assert((int)FW_DIR_INGRESS == (int)DP_DIR_INGRESS &&
	      (int)FW_DIR_EGRESS == (int)DP_DIR_EGRESS, "one direction numbering");

static inline const struct fw_acl_key *
pre_key(const struct dp_pctx *c)
{
	return (const struct fw_acl_key *)c->pre.key;
}

/*
 * NACLs are stateless, so a flow direction whose packet passed every NACL on
 * its path passes them again while the configuration stays: the flow keeps
 * that verdict (one bit per direction, tagged with the table generation), and
 * its later packets skip rte_acl.
 */
static inline bool
nacl_cached(const struct dp_pctx *c)
{
	uint8_t v;

	if (c->nf == NULL)
		return false;
	v = __atomic_load_n(&c->nf->nacl_cache, __ATOMIC_RELAXED);
	return (v >> 2) == (c->t->generation & 0x3f) && (v & (1u << c->nd));
}

void
fw_nacl_cache_set(const struct dp_pctx *c)
{
	uint8_t g = (uint8_t)(c->t->generation & 0x3f), v, nv;

	if (c->nf == NULL)
		return;
	v = __atomic_load_n(&c->nf->nacl_cache, __ATOMIC_RELAXED);
	nv = (uint8_t)(((v >> 2) == g ? v : (uint8_t)(g << 2)) | (1u << c->nd));
	if (nv != v)
		__atomic_store_n(&c->nf->nacl_cache, nv, __ATOMIC_RELAXED);
}

/* The classifier's key for the packet's current header. */
static inline void
nacl_key(struct rte_mbuf *m, const struct dp_meta *md, struct fw_acl_key *k)
{
	const struct rte_ipv4_hdr *ip = dp_ip_hdr(m, md);

	memset(k, 0, sizeof(*k));
	k->proto = md->proto;
	k->src = ip->src_addr;
	k->dst = ip->dst_addr;
	if (md->flags & DP_M_LATER_FRAG)
		return;
	if (md->proto == IPPROTO_TCP || md->proto == IPPROTO_UDP) {
		const uint16_t *p = (const uint16_t *)dp_l4_hdr(m, md);

		k->sport = p[0];
		k->dport = p[1];
	} else if (md->proto == IPPROTO_ICMP) {
		const struct rte_icmp_hdr *ih = (const struct rte_icmp_hdr *)dp_l4_hdr(m, md);

		k->sport = rte_cpu_to_be_16(ih->icmp_type);
		k->dport = rte_cpu_to_be_16(ih->icmp_code);
	}
}

static __rte_noinline bool
nacl_classify(const struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md, int nacl,
	      enum fw_dir dir)
{
	struct fw_acl_key k;
	const struct fw_acl_key *kp = &k;
	uint8_t v = 0;

	nacl_key(m, md, &k);
	/* classified with the burst (nacl_prefetch): same NACL, direction, header */
	if (c->pre.nacl[dir] == nacl && memcmp(&k, pre_key(c), sizeof(k)) == 0)
		v = c->pre.ok[dir];
	else
		fw_nacl_classify(c->t->nacl, nacl, dir, &kp, &v, 1);
	if (!v) {
		dp_flowlog_reject(m, md, dir == FW_DIR_EGRESS ? DP_FL_REJECT_EGRESS :
				  DP_FL_REJECT_INGRESS, c->now);
		dp_drop(m, dir == FW_DIR_EGRESS ? DP_DROP_nacl_deny_out : DP_DROP_nacl_deny_in);
		return false;
	}
	return true;
}

/* Network ACL of subnet, direction dir, for the packet's current header. */
bool
fw_nacl_allows(const struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md, int subnet,
	       enum dp_dir dir)
{
	int nacl;

	if (subnet < 0)
		return true;
	nacl = c->t->cfg->subnets[subnet].nacl;
	return nacl < 0 || nacl_cached(c) || nacl_classify(c, m, md, nacl, (enum fw_dir)dir);
}

static void
sg_pkt(struct rte_mbuf *m, struct dp_meta *md, enum fw_dir dir, struct fw_sg_pkt *p)
{
	const struct rte_ipv4_hdr *ip = dp_ip_hdr(m, md);

	memset(p, 0, sizeof(*p));
	p->proto = md->proto;
	p->zone = md->key.zone;
	p->peer = rte_be_to_cpu_32(dir == FW_DIR_INGRESS ? ip->src_addr : ip->dst_addr);
	if (md->flags & DP_M_LATER_FRAG)
		return;
	if (md->proto == IPPROTO_TCP || md->proto == IPPROTO_UDP) {
		p->dport = rte_be_to_cpu_16(((const uint16_t *)dp_l4_hdr(m, md))[1]);
	} else if (md->proto == IPPROTO_ICMP) {
		const struct rte_icmp_hdr *ih = (const struct rte_icmp_hdr *)dp_l4_hdr(m, md);

		p->icmp_type = ih->icmp_type;
		p->icmp_code = ih->icmp_code;
	}
}

/*
 * Security groups of the source ENI (egress) and destination ENI (ingress)
 * of the packet's current header. Returns -1 (dropped), 0 allowed untracked
 * or not filtered, 1 allowed and to be tracked. eni_src and eni_dst get the
 * ENI index + 1 (0: none).
 */
/* One side: the ENI at addr (network order), checked in direction dir.
 * Returns -1 (dropped), 0 (no ENI or untracked) or 1 (tracked). */
static int
sg_side(const struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md, uint32_t addr,
	enum fw_dir dir, uint16_t *eni_out)
{
	struct dp_lcore_stats *st = dp_stats_self();
	/* the source's ENI is in the zone the packet came from (a transit
	 * gateway's hop into another zone: dp_pctx.zone_cross) */
	uint8_t zone = dir == FW_DIR_EGRESS && c->zone_cross ? c->from_zone : md->key.zone;
	struct fw_sg_pkt p;
	int e = fw_sg_eni_find_zone(c->t->sg, rte_be_to_cpu_32(addr), zone), v, g = 0;

	if (e < 0)
		return 0;
	sg_pkt(m, md, dir, &p);
	v = fw_sg_check_group(c->t->sg, e, dir, &p, &g);
	if (v == FW_SG_DENY)
		dp_flowlog_reject(m, md, dir == FW_DIR_EGRESS ? DP_FL_REJECT_EGRESS :
				  DP_FL_REJECT_INGRESS, c->now);
	return fw_sg_verdict(st, m, e, g, v, dir, eni_out);
}

int
fw_sg_eval(const struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md, bool check_src,
	bool check_dst, uint16_t *eni_src, uint16_t *eni_dst)
{
	const struct rte_ipv4_hdr *ip = dp_ip_hdr(m, md);
	int ts = 0, td = 0;

	*eni_src = *eni_dst = 0;
	if (c->t->cfg->n_enis == 0)
		return 0;
	if (check_src && (ts = sg_side(c, m, md, ip->src_addr, FW_DIR_EGRESS, eni_src)) < 0)
		return -1;
	if (check_dst && (td = sg_side(c, m, md, ip->dst_addr, FW_DIR_INGRESS, eni_dst)) < 0)
		return -1;
	return ts | td;
}

/*
 * Does this packet open a tracked SG flow? A packet the rules allow but that
 * cannot open one — TCP without a lone SYN (the reply of an untracked flow,
 * or a connection older than vpcgw), a fragment, an ICMP error — passes on
 * the rules alone, as security groups are allow rules first.
 */
bool
fw_sg_can_track(const struct dp_meta *md)
{
	if (md->flags & (DP_M_FRAG | DP_M_ICMP_ERR))
		return false;
	return md->proto != IPPROTO_TCP || fw_ct_tcp_can_open(md->tcp_flags);
}

/* SG conntrack timeouts of a flow from its ENIs (largest of the two). */
void
fw_sg_flow_timeouts(const struct dp_pctx *c, struct dp_flow *f)
{
	uint32_t idle = 0, shrt = 0;

	for (int i = 0; i < 2; i++) {
		const struct cfg_sg_timeouts *to;
		uint32_t a, b;

		if (f->eni[i] == 0)
			continue;
		to = fw_sg_timeouts(c->t->sg, f->eni[i] - 1);
		switch (f->key[0].proto) {
		case IPPROTO_TCP:
			a = to->tcp_established;
			b = 0;
			break;
		case IPPROTO_UDP:
			a = to->udp_stream;
			b = to->udp;
			break;
		default:
			a = to->other;
			b = 0;
			break;
		}
		idle = RTE_MAX(idle, a);
		shrt = RTE_MAX(shrt, b);
	}
	if (idle == 0) {                /* no ENI: AWS defaults */
		idle = f->key[0].proto == IPPROTO_TCP ? 432000 :
		       f->key[0].proto == IPPROTO_UDP ? 180 : 600;
		shrt = f->key[0].proto == IPPROTO_UDP ? 30 : 0;
	}
	f->idle_s = idle;
	f->short_s = (uint16_t)shrt;
}

/*
 * rte_acl classifies 8 or 16 keys at a time with SSE/AVX2 and falls back to
 * its scalar walk for one key: so the NACLs a burst's packets without a flow
 * (new flows, untracked traffic) will meet are classified here together, one
 * call per NACL and direction: the source subnet's outbound NACL and the
 * destination subnet's inbound one, for the header as it is now.
 * nacl_classify() takes a verdict when the NACL, the direction and the header
 * match (a NACL is a function of the header alone), and classifies alone
 * otherwise (a translation came in between, another subnet's NACL).
 */
void
fw_nacl_prefetch(struct rte_mbuf **pkts, struct dp_burst *b, uint16_t n)
{
	const struct dp_tables *t = b->t;
	const struct cfg *cfg = t->cfg;
	const struct fw_acl_key *keys[DP_BURST];
	struct dp_pctx *ctx[DP_BURST];
	uint16_t who[DP_BURST];
	uint8_t v[DP_BURST];
	uint64_t todo = 0;          /* bit 2 * i + dir: packet i needs that direction */

	RTE_BUILD_BUG_ON(2 * DP_BURST > 64);
	/* without NACLs nacl_classify() is never reached: nothing to set */
	if (n == 0 || cfg->n_nacls == 0)
		return;
	for (uint16_t i = 0; i < n; i++) {
		struct dp_meta *md = dp_meta(pkts[i]);
		struct dp_pctx *c = ctx[i] = dp_pctx(b, pkts[i]);
		struct fw_acl_key *k = (struct fw_acl_key *)c->pre.key;
		int ds, a;

		c->pre.nacl[0] = c->pre.nacl[1] = -1;
		if (md->flow != NULL || (md->flags & DP_M_LATER_FRAG))
			continue;
		nacl_key(pkts[i], md, k);
		if (c->in == DP_IN_VPC && c->src_subnet >= 0 &&
		    (a = cfg->subnets[c->src_subnet].nacl) >= 0) {
			c->pre.nacl[FW_DIR_EGRESS] = (int16_t)a;
			todo |= 1ull << (2 * i + FW_DIR_EGRESS);
		}
		ds = dp_subnet_lookup_zone(t, md->key.zone, rte_be_to_cpu_32(k->dst));
		if (ds >= 0 && !(c->in == DP_IN_VPC && ds == c->src_subnet) &&
		    (a = cfg->subnets[ds].nacl) >= 0) {
			c->pre.nacl[FW_DIR_INGRESS] = (int16_t)a;
			todo |= 1ull << (2 * i + FW_DIR_INGRESS);
		}
	}
	while (todo != 0) {
		unsigned first = (unsigned)__builtin_ctzll(todo);
		int dir = (int)(first & 1), nacl = ctx[first / 2]->pre.nacl[dir];
		uint32_t k = 0;

		for (uint64_t rest = todo; rest != 0; rest &= rest - 1) {
			unsigned bit = (unsigned)__builtin_ctzll(rest);

			if ((int)(bit & 1) != dir || ctx[bit / 2]->pre.nacl[dir] != nacl)
				continue;
			keys[k] = pre_key(ctx[bit / 2]);
			who[k++] = (uint16_t)(bit / 2);
			todo &= ~(1ull << bit);
		}
		fw_nacl_classify(t->nacl, nacl, (enum fw_dir)dir, keys, v, k);
		for (uint32_t j = 0; j < k; j++)
			ctx[who[j]]->pre.ok[dir] = v[j];
	}
}
