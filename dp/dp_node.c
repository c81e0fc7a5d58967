/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pipeline (SPEC §3): parse → local addresses and ingress translation →
 * one bulk flow lookup for the burst → per packet: known flow (state,
 * translation) or new flow (route, NACL, SG, NAT/NLB/GWLB) → TTL, checksums,
 * neighbor, tx buffer.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_fib.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "dp/csum.h"
#include "dp/dp.h"
#include "dp/dp_flow.h"
#include "dp/dp_parse.h"
#include "dp/dp_worker.h"
#include "fw/ct_tcp.h"
#include "fw/nacl.h"
#include "fw/sg.h"
#include "geneve/gnv.h"
#include "lb/lb.h"
#include "nat/nat.h"

#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8
#define ICMP_TIME_EXCEEDED 11
#define ICMP_RATE_PER_S 100

/* Where a packet entered the VPC's routing, to pick the route table. */
enum ingress {
	IN_VPC = 0,                 /* from a subnet: its route table */
	IN_INTERNET,                /* through the internet gateway: edge table or local */
	IN_APPLIANCE,               /* back from a GWLB appliance: the endpoint subnet's table */
};

struct pctx {
	const struct dp_tables *t;
	uint64_t now;
	enum ingress in;
	int src_subnet;             /* IN_VPC: the source's subnet; IN_APPLIANCE: endpoint subnet */
	int nlb;                    /* destination was an NLB address (after IGW translation) */
	bool policy_done;           /* later fragment: first fragment passed the checks */
	bool frag_orphan;           /* later fragment whose first fragment was not seen */
	uint64_t *burst_new;        /* dp_flow_key_bit of the flows this burst created */
	struct dp_flow *nf;         /* the packet's known flow, for the NACL cache */
	int nd;                     /* its direction */
	uint32_t osrc, odst;        /* addresses as the packet reached forward() (fragments) */
	/* NACL verdicts classified with the rest of the burst (nacl_prefetch) */
	struct fw_acl_key pre_key;  /* the header they are for */
	int16_t pre_nacl[2];        /* by enum fw_dir: the NACL classified, -1: none */
	uint8_t pre_ok[2];
};

static inline struct rte_ipv4_hdr *
ip_hdr(struct rte_mbuf *m, const struct dp_meta *md)
{
	return rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, md->l3);
}

static inline uint8_t *
l4_hdr(struct rte_mbuf *m, const struct dp_meta *md)
{
	return rte_pktmbuf_mtod_offset(m, uint8_t *, md->l4);
}

/* ------------------------------------------------------------ rewrite */

/* Rewrite the IPv4 source or destination address with RFC 1624 updates of
 * the IPv4 checksum and the TCP/UDP pseudo-header checksum. */
static void
set_addr(struct rte_mbuf *m, struct dp_meta *md, bool src, uint32_t nv)
{
	struct rte_ipv4_hdr *ip = ip_hdr(m, md);
	uint8_t *a = (uint8_t *)ip + (src ? 12 : 16);
	uint32_t old;

	memcpy(&old, a, 4);
	if (old == nv)
		return;
	ip->hdr_checksum = csum_update32(ip->hdr_checksum, old, nv);
	if (!(md->flags & DP_M_LATER_FRAG)) {
		uint8_t *l4 = l4_hdr(m, md);
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
	uint8_t *l4 = l4_hdr(m, md);
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
	struct rte_ipv4_hdr *ip = ip_hdr(m, md);
	struct rte_icmp_hdr *ih = (struct rte_icmp_hdr *)l4_hdr(m, md);
	struct rte_ipv4_hdr *in = (struct rte_ipv4_hdr *)(ih + 1);
	uint32_t ihl = (in->version_ihl & 0xf) * 4u;
	uint16_t *ports = (uint16_t *)((uint8_t *)in + ihl);
	uint32_t icmp_len = rte_be_to_cpu_16(ip->total_length) - (md->l4 - md->l3);

	set_addr(m, md, false, nk->dst);
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

	if (md->flags & DP_M_ICMP_ERR) {
		if (memcmp(&nk, &md->key, sizeof(nk)) != 0)
			xlate_icmp_error(m, md, &nk);
		return;
	}
	if (likely((md->proto == IPPROTO_TCP || md->proto == IPPROTO_UDP) &&
		   !(md->flags & DP_M_LATER_FRAG))) {
		/* both addresses and ports in one pass: one update per checksum */
		struct rte_ipv4_hdr *ip = ip_hdr(m, md);
		uint16_t *ports = (uint16_t *)l4_hdr(m, md);
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
	set_addr(m, md, true, nk.src);
	set_addr(m, md, false, nk.dst);
	set_port(m, md, true, nk.sport);
	set_port(m, md, false, nk.dport);
	md->key = nk;
}

/* ------------------------------------------------------------ generated */

static uint64_t icmp_tokens_ms[RTE_MAX_LCORE];

/* ICMP time exceeded back to the sender, out of the port it came in. */
static void
send_time_exceeded(struct rte_mbuf *m, struct dp_meta *md, const struct pctx *c)
{
	struct dp_port_rt *p = &dp_g.ports[md->in_port];
	unsigned lc = rte_lcore_id();
	struct rte_mbuf *r;
	struct rte_ether_hdr *eth, *oeth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip, *oip = ip_hdr(m, md);
	struct rte_icmp_hdr *ih;
	uint32_t quote = RTE_MIN((uint32_t)rte_be_to_cpu_16(oip->total_length), 28u);
	uint32_t src = p->addr;
	int sn;

	/* token bucket: ICMP_RATE_PER_S per lcore */
	if (c->now * ICMP_RATE_PER_S < icmp_tokens_ms[lc])
		return;
	if (icmp_tokens_ms[lc] + 1000 < c->now * ICMP_RATE_PER_S)
		icmp_tokens_ms[lc] = c->now * ICMP_RATE_PER_S - 1000;
	icmp_tokens_ms[lc] += 1000;
	r = rte_pktmbuf_alloc(dp_g.pool);
	if (r == NULL)
		return;
	sn = dp_subnet_lookup(c->t, rte_be_to_cpu_32(oip->src_addr));
	if (sn >= 0 && c->t->cfg->subnets[sn].port == md->in_port)
		src = c->t->cfg->subnets[sn].cidr.addr + 1;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(r, sizeof(*eth) + sizeof(*ip) +
							 sizeof(*ih) + quote);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	ih = (struct rte_icmp_hdr *)(ip + 1);
	eth->dst_addr = oeth->src_addr;
	eth->src_addr = p->mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + sizeof(*ih) + quote));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = oip->src_addr;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	memset(ih, 0, sizeof(*ih));
	ih->icmp_type = ICMP_TIME_EXCEEDED;
	memcpy(ih + 1, oip, quote);
	ih->icmp_cksum = (uint16_t)~rte_raw_cksum(ih, sizeof(*ih) + quote);
	dp_meta(r)->in_port = md->in_port;
	dp_tx_generated(r, md->in_port);
}

/* TCP RST to the sender of m, as if from its destination (NAT/NLB idle timeout). */
static void
send_rst(struct rte_mbuf *m, struct dp_meta *md)
{
	struct rte_mbuf *r = rte_pktmbuf_alloc(dp_g.pool);
	struct rte_ether_hdr *eth, *oeth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip, *oip = ip_hdr(m, md);
	struct rte_tcp_hdr *th, *oth = (struct rte_tcp_hdr *)l4_hdr(m, md);
	uint32_t seg_len = rte_be_to_cpu_16(oip->total_length) - (md->l4 - md->l3) -
			   (oth->data_off >> 4) * 4u;

	if (r == NULL) {
		dp_stats_self()->drops[DP_DROP_no_mbuf]++;
		return;
	}
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(r, sizeof(*eth) + sizeof(*ip) +
							 sizeof(*th));
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	th = (struct rte_tcp_hdr *)(ip + 1);
	eth->dst_addr = oeth->src_addr;
	eth->src_addr = dp_g.ports[md->in_port].mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + sizeof(*th));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = oip->dst_addr;
	ip->dst_addr = oip->src_addr;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	memset(th, 0, sizeof(*th));
	th->src_port = oth->dst_port;
	th->dst_port = oth->src_port;
	th->data_off = 5 << 4;
	/* RFC 793: if the segment has ACK, RST seq = its ack; else ack it */
	if (oth->tcp_flags & RTE_TCP_ACK_FLAG) {
		th->sent_seq = oth->recv_ack;
		th->tcp_flags = RTE_TCP_RST_FLAG;
	} else {
		uint32_t ack = rte_be_to_cpu_32(oth->sent_seq) + seg_len +
			       ((oth->tcp_flags & RTE_TCP_SYN_FLAG) ? 1 : 0) +
			       ((oth->tcp_flags & RTE_TCP_FIN_FLAG) ? 1 : 0);

		th->recv_ack = rte_cpu_to_be_32(ack);
		th->tcp_flags = RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG;
	}
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	dp_meta(r)->in_port = md->in_port;
	dp_tx_generated(r, md->in_port);
}

static void
answer_echo(struct rte_mbuf *m, struct dp_meta *md)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = ip_hdr(m, md);
	struct rte_icmp_hdr *ih = (struct rte_icmp_hdr *)l4_hdr(m, md);
	uint32_t a = ip->src_addr;

	eth->dst_addr = eth->src_addr;
	eth->src_addr = dp_g.ports[md->in_port].mac;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = a;
	ip->time_to_live = 64;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	ih->icmp_type = ICMP_ECHO_REPLY;
	ih->icmp_cksum = csum_update16(ih->icmp_cksum, rte_cpu_to_be_16(ICMP_ECHO_REQUEST << 8),
				       rte_cpu_to_be_16(ICMP_ECHO_REPLY << 8));
	dp_stats_self()->port[md->in_port].local++;
	dp_tx_generated(m, md->in_port);
}

/* ------------------------------------------------------------ policy */

static inline uint32_t
hton_addr(uint32_t a)
{
	return rte_cpu_to_be_32(a);
}

/*
 * NACLs are stateless, so a flow direction whose packet passed every NACL on
 * its path passes them again while the configuration stays: the flow keeps
 * that verdict (one bit per direction, tagged with the table generation), and
 * its later packets skip rte_acl.
 */
static inline bool
nacl_cached(const struct pctx *c)
{
	uint8_t v;

	if (c->nf == NULL)
		return false;
	v = __atomic_load_n(&c->nf->nacl_cache, __ATOMIC_RELAXED);
	return (v >> 2) == (c->t->generation & 0x3f) && (v & (1u << c->nd));
}

static inline void
nacl_cache_set(const struct pctx *c)
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
	const struct rte_ipv4_hdr *ip = ip_hdr(m, md);

	memset(k, 0, sizeof(*k));
	k->proto = md->proto;
	k->src = ip->src_addr;
	k->dst = ip->dst_addr;
	if (md->flags & DP_M_LATER_FRAG)
		return;
	if (md->proto == IPPROTO_TCP || md->proto == IPPROTO_UDP) {
		const uint16_t *p = (const uint16_t *)l4_hdr(m, md);

		k->sport = p[0];
		k->dport = p[1];
	} else if (md->proto == IPPROTO_ICMP) {
		const struct rte_icmp_hdr *ih = (const struct rte_icmp_hdr *)l4_hdr(m, md);

		k->sport = rte_cpu_to_be_16(ih->icmp_type);
		k->dport = rte_cpu_to_be_16(ih->icmp_code);
	}
}

static __rte_noinline bool
nacl_classify(const struct pctx *c, struct rte_mbuf *m, struct dp_meta *md, int nacl,
	      enum fw_dir dir)
{
	struct fw_acl_key k;
	const struct fw_acl_key *kp = &k;
	uint8_t v = 0;

	nacl_key(m, md, &k);
	/* classified with the burst (nacl_prefetch): same NACL, direction, header */
	if (c->pre_nacl[dir] == nacl && memcmp(&k, &c->pre_key, sizeof(k)) == 0)
		v = c->pre_ok[dir];
	else
		fw_nacl_classify(c->t->nacl, nacl, dir, &kp, &v, 1);
	if (!v) {
		dp_drop(m, dir == FW_DIR_EGRESS ? DP_DROP_nacl_deny_out : DP_DROP_nacl_deny_in);
		return false;
	}
	return true;
}

/* Network ACL of subnet, direction dir, for the packet's current header. */
static inline bool
nacl_allows(const struct pctx *c, struct rte_mbuf *m, struct dp_meta *md, int subnet,
	    enum fw_dir dir)
{
	int nacl;

	if (subnet < 0)
		return true;
	nacl = c->t->cfg->subnets[subnet].nacl;
	return nacl < 0 || nacl_cached(c) || nacl_classify(c, m, md, nacl, dir);
}

static void
sg_pkt(struct rte_mbuf *m, struct dp_meta *md, enum fw_dir dir, struct fw_sg_pkt *p)
{
	const struct rte_ipv4_hdr *ip = ip_hdr(m, md);

	memset(p, 0, sizeof(*p));
	p->proto = md->proto;
	p->peer = rte_be_to_cpu_32(dir == FW_DIR_INGRESS ? ip->src_addr : ip->dst_addr);
	if (md->flags & DP_M_LATER_FRAG)
		return;
	if (md->proto == IPPROTO_TCP || md->proto == IPPROTO_UDP) {
		p->dport = rte_be_to_cpu_16(((const uint16_t *)l4_hdr(m, md))[1]);
	} else if (md->proto == IPPROTO_ICMP) {
		const struct rte_icmp_hdr *ih = (const struct rte_icmp_hdr *)l4_hdr(m, md);

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
sg_side(const struct pctx *c, struct rte_mbuf *m, struct dp_meta *md, uint32_t addr,
	enum fw_dir dir, uint16_t *eni_out)
{
	struct dp_lcore_stats *st = dp_stats_self();
	struct fw_sg_pkt p;
	int e = fw_sg_eni_find(c->t->sg, rte_be_to_cpu_32(addr)), v, g = 0;

	if (e < 0)
		return 0;
	sg_pkt(m, md, dir, &p);
	v = fw_sg_check_group(c->t->sg, e, dir, &p, &g);
	if (v == FW_SG_DENY) {
		st->eni[e].denied++;
		dp_drop(m, dir == FW_DIR_EGRESS ? DP_DROP_sg_deny_egress : DP_DROP_sg_deny_ingress);
		return -1;
	}
	st->eni[e].allowed++;
	st->sg_allowed[g]++;
	*eni_out = (uint16_t)(e + 1);
	return v == FW_SG_ALLOW_TRACKED;
}

static int
sg_eval(const struct pctx *c, struct rte_mbuf *m, struct dp_meta *md, bool check_src,
	bool check_dst, uint16_t *eni_src, uint16_t *eni_dst)
{
	const struct rte_ipv4_hdr *ip = ip_hdr(m, md);
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

/* ------------------------------------------------------------ flows */

static struct dp_flow *
flow_new(struct rte_mbuf *m, struct dp_meta *md, const struct pctx *c)
{
	struct dp_flow *f;

	if (md->proto == IPPROTO_TCP && !fw_ct_tcp_can_open(md->tcp_flags)) {
		dp_drop(m, DP_DROP_ct_not_syn);
		return NULL;
	}
	f = dp_flow_alloc();
	if (f == NULL) {
		dp_drop(m, DP_DROP_conntrack_allowance_exceeded);
		return NULL;
	}
	f->key[0] = md->key;
	f->key[1] = dp_flow_key_mirror(&md->key);
	f->last_ms = c->now;
	if (md->proto == IPPROTO_TCP)
		f->tcp_state = fw_ct_tcp_next(FW_CT_TCP_NONE, 0, md->tcp_flags, NULL);
	return f;
}

/*
 * Does this packet open a tracked SG flow? A packet the rules allow but that
 * cannot open one — TCP without a lone SYN (the reply of an untracked flow,
 * or a connection older than vpcgw), a fragment, an ICMP error — passes on
 * the rules alone, as security groups are allow rules first.
 */
static inline bool
sg_can_track(const struct dp_meta *md)
{
	if (md->flags & (DP_M_FRAG | DP_M_ICMP_ERR))
		return false;
	return md->proto != IPPROTO_TCP || fw_ct_tcp_can_open(md->tcp_flags);
}

/* SG conntrack timeouts of a flow from its ENIs (largest of the two). */
static void
flow_sg_timeouts(const struct pctx *c, struct dp_flow *f)
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

static int
flow_publish(struct rte_mbuf *m, struct dp_flow *f, const struct pctx *c)
{
	struct dp_lcore_stats *st = dp_stats_self();
	int rc = dp_flow_insert_meta(f, dp_meta(m));

	if (rc == 0)
		*c->burst_new |= dp_flow_key_bit(&f->key[0]) | dp_flow_key_bit(&f->key[1]);
	if (rc < 0) {
		dp_drop(m, DP_DROP_conntrack_allowance_exceeded);
		return -1;
	}
	st->flows_created[f->kind]++;
	for (int i = 0; i < 2; i++)
		if (f->eni[i])
			st->eni[f->eni[i] - 1].flows_created++;
	return 0;
}

/* ------------------------------------------------------------ output */

static void
output(struct rte_mbuf *m, struct dp_meta *md, uint16_t port, uint32_t nh, const struct pctx *c)
{
	struct rte_ipv4_hdr *ip = ip_hdr(m, md);

	nacl_cache_set(c);
	/* TTL: checked before any translation decision was sent anywhere */
	ip->time_to_live--;
	ip->hdr_checksum = csum_update16(ip->hdr_checksum,
					 rte_cpu_to_be_16((uint16_t)((ip->time_to_live + 1) << 8 |
								     ip->next_proto_id)),
					 rte_cpu_to_be_16((uint16_t)(ip->time_to_live << 8 |
								     ip->next_proto_id)));
	dp_neigh_xmit(m, port, nh, c->now);
}

/* Record the translation of a first fragment for the later ones. */
static void
frag_record(struct rte_mbuf *m, struct dp_meta *md, uint32_t osrc, uint32_t odst, uint64_t now)
{
	struct dp_worker_ctx *w = dp_worker_self();
	const struct rte_ipv4_hdr *ip = ip_hdr(m, md);
	uint32_t h = (osrc ^ odst ^ ip->packet_id * 2654435761u) % DP_FRAG_SLOTS;
	struct dp_frag_ent *e = &w->frag[h];

	e->src = osrc;
	e->dst = odst;
	e->ip_id = ip->packet_id;
	e->proto = md->proto;
	e->new_src = ip->src_addr;
	e->new_dst = ip->dst_addr;
	e->since_ms = now;
	e->used = 1;
}

static bool
frag_follow(struct rte_mbuf *m, struct dp_meta *md, uint64_t now)
{
	struct dp_worker_ctx *w = dp_worker_self();
	const struct rte_ipv4_hdr *ip = ip_hdr(m, md);
	uint32_t h = (ip->src_addr ^ ip->dst_addr ^ ip->packet_id * 2654435761u) % DP_FRAG_SLOTS;
	struct dp_frag_ent *e = &w->frag[h];

	if (!e->used || e->src != ip->src_addr || e->dst != ip->dst_addr ||
	    e->ip_id != ip->packet_id || e->proto != md->proto || now - e->since_ms > DP_FRAG_MS)
		return false;
	set_addr(m, md, true, e->new_src);
	set_addr(m, md, false, e->new_dst);
	md->key.src = e->new_src;
	md->key.dst = e->new_dst;
	return true;
}

/* ------------------------------------------------------------ routing */

static const struct dp_rtable *
route_table_of(const struct pctx *c)
{
	const struct cfg *cfg = c->t->cfg;
	int rt = -1;

	switch (c->in) {
	case IN_VPC:
	case IN_APPLIANCE:
		if (c->src_subnet >= 0)
			rt = cfg->subnets[c->src_subnet].route_table;
		break;
	case IN_INTERNET:
		rt = cfg->igw.route_table;
		break;
	}
	return rt >= 0 ? &c->t->rtables[rt] : &c->t->local_rt;
}

static void deliver_local(struct rte_mbuf *m, struct dp_meta *md, struct pctx *c,
			  struct dp_flow *f);
static void flow_account(struct dp_flow *f, int d, uint32_t bytes);

/* Route and send a packet whose header is final for this hop (flows applied). */
static void
route(struct rte_mbuf *m, struct dp_meta *md, struct pctx *c, struct dp_flow *f, int dir)
{
	const struct dp_rtable *rt = route_table_of(c);
	const struct cfg *cfg = c->t->cfg;
	struct rte_ipv4_hdr *ip = ip_hdr(m, md);
	uint32_t dst = rte_be_to_cpu_32(ip->dst_addr), v;
	const struct dp_route *r;
	struct dp_lcore_stats *st = dp_stats_self();
	uint64_t nhid;

	rte_fib_lookup_bulk(rt->fib, &dst, &nhid, 1);
	if (nhid == rt->none) {
		dp_drop(m, DP_DROP_no_route);
		return;
	}
	r = &rt->routes[nhid];
	if (c->frag_orphan) {
		/* no first fragment to follow: the NAT gateway names it its own way */
		if (r->kind == CFG_TARGET_NAT) {
			st->nat[r->ref].drop++;
			dp_drop(m, DP_DROP_nat_fragment);
		} else {
			dp_drop(m, DP_DROP_ip_fragment);
		}
		return;
	}
	switch (r->kind) {
	case CFG_TARGET_LOCAL:
		deliver_local(m, md, c, f);
		return;
	case CFG_TARGET_BLACKHOLE:
		dp_drop(m, DP_DROP_route_blackhole);
		return;
	case CFG_TARGET_IGW: {
		uint32_t src = rte_be_to_cpu_32(ip->src_addr), pub;
		uint16_t es, ed;
		int tr;

		if (c->in == IN_INTERNET || !cfg->igw.present) {
			dp_drop(m, DP_DROP_no_route);
			return;
		}
		if (dp_map_get(&c->t->eip_by_private, src, &v))
			pub = cfg->igw.eips[v].public_addr;
		else if (dp_map_get(&c->t->nlb_by_private, src, &v))
			pub = cfg->nlbs[v].public_addr;
		else {
			dp_drop(m, DP_DROP_igw_no_public_ip);
			return;
		}
		tr = 0;
		if (f == NULL && !c->policy_done && c->in == IN_VPC &&
		    !(md->flags & DP_M_ICMP_ERR)) {
			tr = sg_eval(c, m, md, true, false, &es, &ed);
			if (tr < 0)
				return;
		}
		if (!c->policy_done && c->in == IN_VPC &&
		    !nacl_allows(c, m, md, c->src_subnet, FW_DIR_EGRESS))
			return;
		if (f == NULL && !c->policy_done && c->in == IN_VPC &&
		    !(md->flags & DP_M_ICMP_ERR)) {
			if (tr > 0 && sg_can_track(md)) {
				f = flow_new(m, md, c);
				if (f == NULL)
					return;
				f->kind = DP_FLOW_SG;
				f->eni[0] = es;
				f->flags |= DP_FLOW_F_SG_OK;
				flow_sg_timeouts(c, f);
				if (flow_publish(m, f, c) < 0)
					return;
			} else {
				st->untracked++;
			}
		}
		set_addr(m, md, true, hton_addr(pub));
		if ((md->flags & (DP_M_FRAG | DP_M_LATER_FRAG)) == DP_M_FRAG)
			frag_record(m, md, c->osrc, c->odst, c->now);
		output(m, md, (uint16_t)cfg->igw.port, cfg->igw.next_hop, c);
		return;
	}
	case CFG_TARGET_NAT: {
		struct dp_nat_stats *ns = &st->nat[r->ref];
		uint16_t es, ed;
		int rc;

		if (c->in != IN_VPC || !cfg->igw.present) {
			dp_drop(m, DP_DROP_no_route);
			return;
		}
		if (md->flags & DP_M_LATER_FRAG) {
			/* forward() applied the first fragment's translation */
		} else if (f == NULL) {
			if ((md->flags & DP_M_FRAG) && md->proto != IPPROTO_UDP) {
				ns->drop++;
				dp_drop(m, DP_DROP_nat_fragment);
				return;
			}
			if (md->flags & DP_M_ICMP_ERR) {
				ns->drop++;
				dp_drop(m, DP_DROP_nat_no_session);
				return;
			}
			if (sg_eval(c, m, md, true, false, &es, &ed) < 0)
				return;
			if (!nacl_allows(c, m, md, c->src_subnet, FW_DIR_EGRESS))
				return;
			if (md->proto == IPPROTO_TCP && !fw_ct_tcp_can_open(md->tcp_flags)) {
				/* a connection the gateway no longer knows: RST, never
				 * FIN (AWS); a timed-out one and one never seen look
				 * the same once the flow is gone */
				if (!(md->tcp_flags & RTE_TCP_RST_FLAG)) {
					ns->idle_timeout++;
					send_rst(m, md);
				}
				ns->drop++;
				dp_drop(m, DP_DROP_nat_idle_timeout);
				return;
			}
			ns->conn_attempt += md->proto != IPPROTO_TCP ||
					    (md->tcp_flags & RTE_TCP_SYN_FLAG);
			f = flow_new(m, md, c);
			if (f == NULL) {
				ns->drop++;
				return;
			}
			f->eni[0] = es;
			f->flags |= DP_FLOW_F_SG_OK;
			rc = nat_flow_init(c->t, r->ref, f, dp_worker_self()->id, dp_g.n_workers);
			if (rc != 0) {
				dp_flow_abandon(f);
				ns->err_port_alloc++;
				ns->drop++;
				dp_drop(m, (enum dp_drop)rc);
				return;
			}
			if (flow_publish(m, f, c) < 0) {
				/* give back the destination slot nat_flow_init took */
				nat_flow_deleted(f);
				ns->drop++;
				return;
			}
			ns->conn_created++;
			dp_flow_xlate(m, md, f, 0);
		} else {
			if (!nacl_allows(c, m, md, c->src_subnet, FW_DIR_EGRESS))
				return;
			dp_flow_xlate(m, md, f, dir);
		}
		ns->pkts_in_src++;
		ns->bytes_in_src += rte_pktmbuf_pkt_len(m) - md->l3;
		ns->pkts_out_dst++;
		ns->bytes_out_dst += rte_pktmbuf_pkt_len(m) - md->l3;
		if ((md->flags & (DP_M_FRAG | DP_M_LATER_FRAG)) == DP_M_FRAG)
			frag_record(m, md, c->osrc, c->odst, c->now);
		output(m, md, (uint16_t)cfg->igw.port, cfg->igw.next_hop, c);
		return;
	}
	case CFG_TARGET_GWLBE: {
		int ep = gnv_ep_index(c->t, r->ref, r->ref2);
		uint16_t port, es, ed;
		uint32_t nh;
		int rc;

		if (c->in == IN_APPLIANCE) {        /* would loop back to the appliance */
			dp_drop(m, DP_DROP_no_route);
			return;
		}
		if (md->flags & DP_M_FRAG) {
			dp_drop(m, DP_DROP_ip_fragment);
			return;
		}
		if (f == NULL) {
			if (md->flags & DP_M_ICMP_ERR) {
				dp_drop(m, DP_DROP_gwlb_no_flow);
				return;
			}
			if (c->in == IN_VPC && sg_eval(c, m, md, true, false, &es, &ed) < 0)
				return;
			if (c->in == IN_VPC && !nacl_allows(c, m, md, c->src_subnet, FW_DIR_EGRESS))
				return;
			f = flow_new(m, md, c);
			if (f == NULL)
				return;
			if (c->in == IN_VPC) {
				f->eni[0] = es;
				f->flags |= DP_FLOW_F_SG_OK;
			}
			rc = gnv_flow_init(c->t, ep, f);
			if (rc != 0) {
				dp_flow_abandon(f);
				dp_drop(m, (enum dp_drop)rc);
				return;
			}
			if (flow_publish(m, f, c) < 0)
				return;
			flow_account(f, 0, rte_pktmbuf_pkt_len(m) - md->l3);
		} else if (f->kind != DP_FLOW_GWLB) {
			/* a flow of another service routed to an endpoint: not chained */
			dp_drop(m, DP_DROP_no_route);
			return;
		} else if (c->in == IN_VPC && !nacl_allows(c, m, md, c->src_subnet,
							   FW_DIR_EGRESS)) {
			return;
		}
		rc = gnv_encap(m, c->t, f, &port, &nh);
		if (rc != 0) {
			dp_drop(m, (enum dp_drop)rc);
			return;
		}
		dp_neigh_xmit(m, port, nh, c->now);
		return;
	}
	}
	dp_drop(m, DP_DROP_no_route);
}

/* The local route: to a subnet of the VPC, through its inbound NACL and
 * the destination ENI's security groups. */
static void
deliver_local(struct rte_mbuf *m, struct dp_meta *md, struct pctx *c, struct dp_flow *f)
{
	const struct cfg *cfg = c->t->cfg;
	struct rte_ipv4_hdr *ip = ip_hdr(m, md);
	uint32_t dst = rte_be_to_cpu_32(ip->dst_addr);
	int ds = dp_subnet_lookup(c->t, dst);
	struct dp_lcore_stats *st = dp_stats_self();
	bool new_flow = f == NULL && !(md->flags & DP_M_LATER_FRAG);
	uint16_t es = 0, ed = 0, x;
	int tr = 0;

	if (ds < 0) {
		dp_drop(m, DP_DROP_no_route);
		return;
	}
	/* SPEC §3 order: source ENI egress SG, outbound NACL, inbound NACL,
	 * destination ENI ingress SG */
	if (new_flow && c->in == IN_VPC) {
		tr = sg_eval(c, m, md, true, false, &es, &x);
		if (tr < 0)
			return;
	}
	if (!c->policy_done) {
		if (c->in == IN_VPC && ds != c->src_subnet &&
		    !nacl_allows(c, m, md, c->src_subnet, FW_DIR_EGRESS))
			return;
		if ((c->in != IN_VPC || ds != c->src_subnet) &&
		    !nacl_allows(c, m, md, ds, FW_DIR_INGRESS))
			return;
	}
	if (md->flags & DP_M_LATER_FRAG) {
		if (!c->policy_done) {
			dp_drop(m, DP_DROP_ip_fragment);
			return;
		}
	} else if (f == NULL) {
		int td = sg_eval(c, m, md, false, true, &x, &ed);

		if (td < 0)
			return;
		tr |= td;
		if (tr > 0 && sg_can_track(md)) {
			f = flow_new(m, md, c);
			if (f == NULL)
				return;
			f->kind = DP_FLOW_SG;
			f->eni[0] = es;
			f->eni[1] = ed;
			f->flags |= DP_FLOW_F_SG_OK;
			flow_sg_timeouts(c, f);
			if (flow_publish(m, f, c) < 0)
				return;
		} else {
			st->untracked++;
		}
	} else if (!(f->flags & DP_FLOW_F_SG_OK)) {
		/* GWLB flow from the internet: the delivery leg meets the SG once */
		tr = sg_eval(c, m, md, false, true, &es, &ed);
		if (tr < 0)
			return;
		f->eni[1] = ed;
		__atomic_fetch_or(&f->flags, DP_FLOW_F_SG_OK, __ATOMIC_RELAXED);
	}
	if ((md->flags & (DP_M_FRAG | DP_M_LATER_FRAG)) == DP_M_FRAG)
		frag_record(m, md, c->osrc, c->odst, c->now);
	output(m, md, (uint16_t)cfg->subnets[ds].port, dst, c);
}

/* ------------------------------------------------------------ NLB */

static void
nlb_new(struct rte_mbuf *m, struct dp_meta *md, struct pctx *c)
{
	const struct cfg *cfg = c->t->cfg;
	struct dp_lcore_stats *st = dp_stats_self();
	const struct rte_tcp_hdr *th = (const struct rte_tcp_hdr *)l4_hdr(m, md);
	int l = lb_listener_find(c->t, md->key.dst, md->proto, md->key.dport);
	int nlb_subnet = cfg->nlbs[c->nlb].subnet;
	struct dp_flow *f;
	uint16_t es, ed;
	int rc;

	if (l < 0 || (md->flags & DP_M_FRAG) || (md->flags & DP_M_ICMP_ERR)) {
		dp_drop(m, l < 0 ? DP_DROP_nlb_no_listener : DP_DROP_ip_fragment);
		return;
	}
	/* the client's SG, then into the NLB's subnet */
	if (c->in == IN_VPC && sg_eval(c, m, md, true, false, &es, &ed) < 0)
		return;
	if (c->in == IN_VPC && c->src_subnet != nlb_subnet &&
	    !nacl_allows(c, m, md, c->src_subnet, FW_DIR_EGRESS))
		return;
	if ((c->in != IN_VPC || c->src_subnet != nlb_subnet) &&
	    !nacl_allows(c, m, md, nlb_subnet, FW_DIR_INGRESS))
		return;
	if (md->proto == IPPROTO_TCP && !fw_ct_tcp_can_open(md->tcp_flags)) {
		/* data for no flow (timed out long ago, or never seen): the NLB
		 * resets it, as after an idle timeout */
		if (!(md->tcp_flags & RTE_TCP_RST_FLAG)) {
			st->listener[l].resets++;
			send_rst(m, md);
		}
		dp_drop(m, DP_DROP_nlb_idle_timeout);
		return;
	}
	f = flow_new(m, md, c);
	if (f == NULL)
		return;
	rc = lb_flow_init(c->t, l, f, md->proto == IPPROTO_TCP ? th->sent_seq : 0);
	if (rc != 0) {
		dp_flow_abandon(f);
		dp_drop(m, (enum dp_drop)rc);
		return;
	}
	/* the target's SG sees the translated packet (client IP when preserved) */
	dp_flow_xlate(m, md, f, 0);
	{
		int ds = dp_subnet_lookup(c->t, rte_be_to_cpu_32(md->key.dst));

		if (ds != nlb_subnet && !nacl_allows(c, m, md, nlb_subnet, FW_DIR_EGRESS)) {
			dp_flow_abandon(f);
			return;
		}
		if (ds >= 0 && ds != nlb_subnet && !nacl_allows(c, m, md, ds, FW_DIR_INGRESS)) {
			dp_flow_abandon(f);
			return;
		}
	}
	if (sg_eval(c, m, md, false, true, &es, &ed) < 0) {
		dp_flow_abandon(f);
		return;
	}
	f->eni[1] = ed;
	f->flags |= DP_FLOW_F_SG_OK;
	if (flow_publish(m, f, c) < 0)
		return;
	st->listener[f->svc].flows_created++;
	st->target[f->target].flows_created++;
	st->listener[f->svc].packets++;
	st->listener[f->svc].bytes += rte_pktmbuf_pkt_len(m) - md->l3;
	st->target[f->target].packets++;
	st->target[f->target].bytes += rte_pktmbuf_pkt_len(m) - md->l3;
	c->policy_done = true;
	deliver_local(m, md, c, f);
}

/* ------------------------------------------------------------ known flows */

/* Account a packet of flow f (direction d) to its service. */
static void
flow_account(struct dp_flow *f, int d, uint32_t bytes)
{
	struct dp_lcore_stats *st = dp_stats_self();

	switch (f->kind) {
	case DP_FLOW_NAT:
		if (d == 1) {
			st->nat[f->svc].pkts_in_dst++;
			st->nat[f->svc].bytes_in_dst += bytes;
			st->nat[f->svc].pkts_out_src++;
			st->nat[f->svc].bytes_out_src += bytes;
		}
		break;
	case DP_FLOW_NLB:
		st->listener[f->svc].packets++;
		st->listener[f->svc].bytes += bytes;
		st->target[f->target].packets++;
		st->target[f->target].bytes += bytes;
		break;
	case DP_FLOW_GWLB:
		st->gwlb[f->svc].packets++;
		st->gwlb[f->svc].bytes += bytes;
		st->appliance[f->target].packets++;
		st->appliance[f->target].bytes += bytes;
		break;
	default:
		break;
	}
}

/* A packet on an idle-expired flow. Returns true when it was consumed. */
static bool
flow_expired(struct rte_mbuf *m, struct dp_meta *md, struct dp_flow *f, int d,
	     const struct pctx *c)
{
	struct dp_lcore_stats *st = dp_stats_self();

	dp_flow_kill(f);
	if (md->proto != IPPROTO_TCP || (md->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_RST_FLAG)))
		return false;
	/* data on a timed-out connection: RST to the inside (never a FIN) */
	if (f->kind == DP_FLOW_NAT && d == 0) {
		st->nat[f->svc].idle_timeout++;
		st->nat[f->svc].drop++;
		send_rst(m, md);
		dp_drop(m, DP_DROP_nat_idle_timeout);
		return true;
	}
	if (f->kind == DP_FLOW_NLB) {
		st->listener[f->svc].resets++;
		st->target[f->target].resets++;
		send_rst(m, md);
		dp_drop(m, DP_DROP_nlb_idle_timeout);
		return true;
	}
	return false;
}

/* What flow_reuse() decided for a packet of a known flow. */
enum flow_reuse_verdict {
	FLOW_KEEP = 0,              /* the packet belongs to the flow */
	FLOW_ENDED,                 /* the flow was ended: the packet opens a new one */
	FLOW_CONSUMED,              /* dropped */
};

/*
 * Does this packet start a new connection on the 5-tuple of known flow f
 * (docs/RELIABILITY.md §6)? A lone SYN from the originator
 * after the connection ended (TIME_WAIT after FIN/FIN, CLOSED after a RST):
 * clients reuse ports soon after a close. So does a SYN on an NLB flow whose
 * target's deregistration delay is over (any other packet of such a flow is
 * dropped). The flow is ended here, by the worker, as an expired one is
 * (dp_flow_kill: its keys leave the hash at once, its slot after a grace
 * period), and the packet takes its service's new-flow path: placement over
 * the targets or appliances healthy now, counters, SG and NACLs. The NAT
 * gateway keeps its mapping (RFC 5382 REQ-1: same external port for the
 * same internal endpoint and destination): the state machine reopens the
 * flow in place, the source ENI's SG is checked again and the attempt is
 * counted. A SYN on a flow in any other state is a retransmission or meets
 * a stale entry, and stays on the flow (an NLB keeps existing flows on an
 * unhealthy target).
 */
static enum flow_reuse_verdict
flow_reuse(struct rte_mbuf *m, struct dp_meta *md, struct dp_flow *f, int d,
	   const struct pctx *c)
{
	bool syn = d == 0 && md->proto == IPPROTO_TCP &&
		   !(md->flags & (DP_M_ICMP_ERR | DP_M_FROM_APPLIANCE)) &&
		   fw_ct_tcp_can_open(md->tcp_flags);
	uint16_t es, ed;
	uint8_t st;

	if (f->kind == DP_FLOW_NLB && lb_flow_target_gone(c->t, f, c->now)) {
		dp_flow_kill(f);
		if (syn)
			return FLOW_ENDED;
		dp_drop(m, DP_DROP_nlb_deregistered);
		return FLOW_CONSUMED;
	}
	if (!syn)
		return FLOW_KEEP;
	st = __atomic_load_n(&f->tcp_state, __ATOMIC_RELAXED);
	if (st != FW_CT_TCP_TIME_WAIT && st != FW_CT_TCP_CLOSED)
		return FLOW_KEEP;
	if (f->kind != DP_FLOW_NAT) {
		dp_flow_kill(f);
		return FLOW_ENDED;
	}
	if (c->in == IN_VPC && sg_eval(c, m, md, true, false, &es, &ed) < 0) {
		dp_stats_self()->nat[f->svc].drop++;
		dp_flow_kill(f);
		return FLOW_CONSUMED;
	}
	dp_stats_self()->nat[f->svc].conn_attempt++;
	return FLOW_KEEP;
}

static void
forward(struct rte_mbuf *m, struct dp_meta *md, struct pctx *c)
{
	struct rte_ipv4_hdr *ip = ip_hdr(m, md);
	struct dp_flow *f = NULL;
	int d = 0;

	if (ip->time_to_live <= 1) {
		send_time_exceeded(m, md, c);
		dp_drop(m, DP_DROP_ttl_expired);
		return;
	}
	c->osrc = ip->src_addr;
	c->odst = ip->dst_addr;
	/* a packet of a flow that an earlier packet of this burst created */
	if (md->flow == NULL && *c->burst_new != 0 &&
	    (*c->burst_new & dp_flow_key_bit(&md->key)))
		md->flow = dp_flow_lookup_meta(md);
	if (md->flags & DP_M_LATER_FRAG) {
		if (frag_follow(m, md, c->now)) {
			c->policy_done = true;
			if (c->in == IN_INTERNET && md->nh == DP_LOCAL_NAT) {
				struct dp_nat_stats *ns = &dp_stats_self()->nat[md->ep];
				uint32_t bytes = rte_pktmbuf_pkt_len(m) - md->l3;

				ns->pkts_in_dst++;
				ns->bytes_in_dst += bytes;
				ns->pkts_out_src++;
				ns->bytes_out_src += bytes;
			}
		} else if (c->in == IN_INTERNET && md->nh == DP_LOCAL_NAT) {
			dp_stats_self()->nat[md->ep].drop++;
			dp_drop(m, DP_DROP_nat_fragment);
			return;
		} else {
			c->frag_orphan = true;     /* route() names the drop */
		}
		if (c->in == IN_INTERNET || c->nlb >= 0)
			c->in = IN_INTERNET;
		route(m, md, c, NULL, 0);
		return;
	}
	if (md->flow != NULL) {
		f = dp_flow_ptr(md->flow);
		d = dp_flow_dir(md->flow);
		if (dp_flow_expired(f, c->now) && flow_expired(m, md, f, d, c))
			return;
		if (!(__atomic_load_n(&f->flags, __ATOMIC_RELAXED) & DP_FLOW_F_LIVE)) {
			/* ended since the burst's lookup (expired, or replaced by a
			 * new connection on its 5-tuple): the key may lead to the
			 * flow that replaced it; none: a new flow */
			md->flow = dp_flow_lookup_meta(md);
			f = md->flow != NULL ? dp_flow_ptr(md->flow) : NULL;
			d = dp_flow_dir(md->flow);
			if (f != NULL && !(__atomic_load_n(&f->flags, __ATOMIC_RELAXED) &
					   DP_FLOW_F_LIVE))
				f = NULL;
		}
	}
	if (md->flags & DP_M_FROM_APPLIANCE) {
		/* what an appliance returns must belong to a flow we sent it */
		if (f == NULL) {
			dp_drop(m, DP_DROP_gwlb_no_flow);
			return;
		}
		if (f->kind != DP_FLOW_GWLB || f->cookie != md->nh || f->aux != md->ep) {
			dp_drop(m, DP_DROP_gwlb_cookie_mismatch);
			return;
		}
	}
	if (f != NULL) {
		enum flow_reuse_verdict v = flow_reuse(m, md, f, d, c);

		if (v == FLOW_CONSUMED)
			return;
		if (v == FLOW_ENDED)
			f = NULL;
	}
	if (f == NULL) {
		if (c->nlb >= 0) {
			nlb_new(m, md, c);
			return;
		}
		if (c->in == IN_INTERNET && md->nh == DP_LOCAL_NAT) {
			dp_stats_self()->nat[md->ep].drop++;
			dp_drop(m, DP_DROP_nat_no_session);
			return;
		}
		route(m, md, c, NULL, 0);
		return;
	}
	/* a known flow */
	if (md->proto == IPPROTO_TCP && !(md->flags & DP_M_ICMP_ERR)) {
		uint8_t st = __atomic_load_n(&f->tcp_state, __ATOMIC_RELAXED);
		bool valid = true;
		uint8_t ns = fw_ct_tcp_next(st, d, md->tcp_flags, &valid);

		if (!valid) {
			dp_drop(m, DP_DROP_ct_invalid);
			return;
		}
		if (ns != st) {
			__atomic_store_n(&f->tcp_state, ns, __ATOMIC_RELAXED);
			if (ns == FW_CT_TCP_ESTABLISHED && f->kind == DP_FLOW_NAT)
				dp_stats_self()->nat[f->svc].conn_established++;
		}
	} else if (d == 1 && md->proto == IPPROTO_UDP &&
		   !(f->flags & DP_FLOW_F_UDP_STREAM)) {
		__atomic_fetch_or(&f->flags, DP_FLOW_F_UDP_STREAM, __ATOMIC_RELAXED);
	}
	dp_flow_touch(f, c->now);
	c->nf = f;
	c->nd = d;
	/* a GWLB flow's packet is counted once, on its way to the appliance */
	if (!(md->flags & DP_M_FROM_APPLIANCE))
		flow_account(f, d, rte_pktmbuf_pkt_len(m) - md->l3);
	switch (f->kind) {
	case DP_FLOW_NAT:
		if (d == 0) {
			route(m, md, c, f, 0);     /* egress NACL + translation there */
			return;
		}
		dp_flow_xlate(m, md, f, 1);
		c->in = IN_INTERNET;
		deliver_local(m, md, c, f);
		return;
	case DP_FLOW_NLB:
		dp_flow_xlate(m, md, f, d);
		if (d == 0) {
			deliver_local(m, md, c, f);
			return;
		}
		/* reply from the target: out as the NLB (local, or IGW 1:1) */
		c->in = IN_VPC;
		c->src_subnet = dp_subnet_lookup(c->t, rte_be_to_cpu_32(md->key.src));
		route(m, md, c, f, d);
		return;
	case DP_FLOW_GWLB:
		if (!(md->flags & DP_M_FROM_APPLIANCE)) {
			route(m, md, c, f, d);     /* to the endpoint: encapsulation */
			return;
		}
		route(m, md, c, f, d);
		return;
	default:
		route(m, md, c, f, d);
		return;
	}
}

/* ------------------------------------------------------------ ingress */

/*
 * Addresses vpcgw owns, IGW 1:1 translation, GENEVE decapsulation. Returns
 * true when the packet continues to the flow lookup.
 */
static bool
ingress(struct rte_mbuf *m, struct dp_meta *md, struct pctx *c)
{
	const struct dp_tables *t = c->t;
	const struct cfg *cfg = t->cfg;
	uint8_t roles = dp_g.ports[md->in_port].roles;
	struct rte_ipv4_hdr *ip = ip_hdr(m, md);
	uint32_t dst = rte_be_to_cpu_32(ip->dst_addr), v = 0;
	int is_local;

	c->nlb = -1;
	c->policy_done = false;
	c->frag_orphan = false;
	c->nf = NULL;
	c->src_subnet = -1;
	md->nh = 0;
	if ((roles & DP_ROLE_APPLIANCE) && md->proto == IPPROTO_UDP &&
	    (md->key.dport == RTE_BE16(6081) || md->key.sport == RTE_BE16(6081)) &&
	    !gnv_is_geneve(m, md, t) && !(md->flags & DP_M_FRAG)) {
		dp_drop(m, DP_DROP_gwlb_not_appliance);
		return false;
	}
	if ((roles & DP_ROLE_APPLIANCE) && gnv_is_geneve(m, md, t)) {
		uint32_t cookie;
		int app, rc = gnv_decap(m, md, t, &cookie, &app);

		if (rc != 0) {
			dp_drop(m, (enum dp_drop)rc);
			return false;
		}
		c->in = IN_APPLIANCE;
		c->src_subnet = t->gnv->ep[md->ep].subnet;
		md->flags |= DP_M_FROM_APPLIANCE;
		md->nh = cookie;
		return true;
	}
	is_local = dp_map_get(&t->local, dst, &v);
	/* TTL before any translation, so the ICMP error quotes what was sent;
	 * vpcgw's own addresses answer even with TTL 1 */
	if (ip->time_to_live <= 1 && !(is_local && DP_LOCAL_KIND(v) == DP_LOCAL_ROUTER)) {
		send_time_exceeded(m, md, c);
		dp_drop(m, DP_DROP_ttl_expired);
		return false;
	}
	if (is_local) {
		switch (DP_LOCAL_KIND(v)) {
		case DP_LOCAL_ROUTER:
			if (md->proto == IPPROTO_ICMP && !(md->flags & DP_M_FRAG) &&
			    l4_hdr(m, md)[0] == ICMP_ECHO_REQUEST) {
				answer_echo(m, md);
				return false;
			}
			if (md->proto == IPPROTO_TCP && lb_health_input(m, t)) {
				dp_stats_self()->port[md->in_port].local++;
				rte_pktmbuf_free(m);
				return false;
			}
			dp_drop(m, DP_DROP_local_unhandled);
			return false;
		case DP_LOCAL_NAT:
			if (!(roles & DP_ROLE_INTERNET))
				break;
			c->in = IN_INTERNET;
			md->nh = DP_LOCAL_NAT;
			md->ep = (uint16_t)(DP_LOCAL_REF(v) / CFG_MAX_NAT_ADDRS);
			if (md->flags & DP_M_LATER_FRAG)
				return true;
			if ((md->flags & DP_M_FRAG) && md->proto != IPPROTO_UDP) {
				dp_stats_self()->nat[md->ep].drop++;
				dp_drop(m, DP_DROP_nat_fragment);
				return false;
			}
			return true;
		case DP_LOCAL_EIP:
			if (!(roles & DP_ROLE_INTERNET))
				break;
			c->in = IN_INTERNET;
			set_addr(m, md, false, hton_addr(cfg->igw.eips[DP_LOCAL_REF(v)].private_addr));
			md->key.dst = ip->dst_addr;
			return true;
		case DP_LOCAL_NLB_PUBLIC:
			if (!(roles & DP_ROLE_INTERNET))
				break;
			c->in = IN_INTERNET;
			c->nlb = (int)DP_LOCAL_REF(v);
			set_addr(m, md, false, hton_addr(cfg->nlbs[c->nlb].addr));
			md->key.dst = ip->dst_addr;
			return true;
		case DP_LOCAL_NLB:
			c->nlb = (int)DP_LOCAL_REF(v);
			break;
		}
	}
	if (roles & DP_ROLE_VPC) {
		int sn = dp_subnet_lookup(t, rte_be_to_cpu_32(ip->src_addr));

		if (sn >= 0 && cfg->subnets[sn].port == md->in_port) {
			c->in = IN_VPC;
			c->src_subnet = sn;
			return true;
		}
		if (!(roles & DP_ROLE_INTERNET)) {
			dp_drop(m, DP_DROP_src_not_in_vpc);
			return false;
		}
	}
	if ((roles & DP_ROLE_INTERNET) && c->nlb < 0) {
		dp_drop(m, DP_DROP_dst_unknown);
		return false;
	}
	if (c->nlb >= 0) {
		c->in = IN_INTERNET;
		return true;
	}
	dp_drop(m, DP_DROP_dst_unknown);
	return false;
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
static void
nacl_prefetch(struct rte_mbuf **pkts, struct pctx *ctx, uint16_t n)
{
	const struct dp_tables *t;
	const struct cfg *cfg;
	const struct fw_acl_key *keys[DP_BURST];
	uint16_t who[DP_BURST];
	uint8_t v[DP_BURST];
	uint64_t todo = 0;          /* bit 2 * i + dir: packet i needs that direction */

	RTE_BUILD_BUG_ON(2 * DP_BURST > 64);
	/* without NACLs nacl_classify() is never reached: nothing to set */
	if (n == 0 || ctx[0].t->cfg->n_nacls == 0)
		return;
	for (uint16_t i = 0; i < n; i++)
		ctx[i].pre_nacl[0] = ctx[i].pre_nacl[1] = -1;
	t = ctx[0].t;
	cfg = t->cfg;
	for (uint16_t i = 0; i < n; i++) {
		struct dp_meta *md = dp_meta(pkts[i]);
		struct pctx *c = &ctx[i];
		int ds, a;

		if (md->flow != NULL || (md->flags & DP_M_LATER_FRAG))
			continue;
		nacl_key(pkts[i], md, &c->pre_key);
		if (c->in == IN_VPC && c->src_subnet >= 0 &&
		    (a = cfg->subnets[c->src_subnet].nacl) >= 0) {
			c->pre_nacl[FW_DIR_EGRESS] = (int16_t)a;
			todo |= 1ull << (2 * i + FW_DIR_EGRESS);
		}
		ds = dp_subnet_lookup(t, rte_be_to_cpu_32(c->pre_key.dst));
		if (ds >= 0 && !(c->in == IN_VPC && ds == c->src_subnet) &&
		    (a = cfg->subnets[ds].nacl) >= 0) {
			c->pre_nacl[FW_DIR_INGRESS] = (int16_t)a;
			todo |= 1ull << (2 * i + FW_DIR_INGRESS);
		}
	}
	while (todo != 0) {
		unsigned first = (unsigned)__builtin_ctzll(todo);
		int dir = (int)(first & 1), nacl = ctx[first / 2].pre_nacl[dir];
		uint32_t k = 0;

		for (uint64_t rest = todo; rest != 0; rest &= rest - 1) {
			unsigned b = (unsigned)__builtin_ctzll(rest);

			if ((int)(b & 1) != dir || ctx[b / 2].pre_nacl[dir] != nacl)
				continue;
			keys[k] = &ctx[b / 2].pre_key;
			who[k++] = (uint16_t)(b / 2);
			todo &= ~(1ull << b);
		}
		fw_nacl_classify(t->nacl, nacl, (enum fw_dir)dir, keys, v, k);
		for (uint32_t j = 0; j < k; j++)
			ctx[who[j]].pre_ok[dir] = v[j];
	}
}

void
dp_process_burst(struct rte_mbuf **pkts, uint16_t n, uint16_t in_port, uint64_t now_ms)
{
	const struct dp_tables *t = atomic_load_explicit(&dp_g.tables, memory_order_acquire);
	struct rte_mbuf *fl[DP_BURST];
	struct pctx ctx[DP_BURST];
	uint16_t nfl = 0;
	uint64_t burst_new = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct dp_meta *md = dp_meta(m);
		int r;

		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		md->in_port = (uint8_t)in_port;
		r = dp_parse(m, md);
		if (r == DP_PARSE_ARP) {
			dp_arp_input(m, in_port, t);
			continue;
		}
		if (r >= 0) {
			dp_drop(m, (enum dp_drop)r);
			continue;
		}
		if (md->l3 != sizeof(struct rte_ether_hdr)) {
			/* 802.1Q: forwarded untagged */
			memmove(rte_pktmbuf_mtod_offset(m, uint8_t *, 4),
				rte_pktmbuf_mtod(m, uint8_t *), 2 * RTE_ETHER_ADDR_LEN);
			rte_pktmbuf_adj(m, 4);
			md->l3 -= 4;
			md->l4 -= 4;
		}
		ctx[nfl].t = t;
		ctx[nfl].now = now_ms;
		ctx[nfl].burst_new = &burst_new;
		if (!ingress(m, md, &ctx[nfl]))
			continue;
		fl[nfl++] = m;
	}
	dp_flow_lookup_burst(fl, nfl);
	nacl_prefetch(fl, ctx, nfl);
	for (uint16_t i = 0; i < nfl; i++)
		forward(fl[i], dp_meta(fl[i]), &ctx[i]);
}
