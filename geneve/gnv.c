/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Gateway Load Balancer data path (SPEC §4): appliance choice, flow cookie,
 * GENEVE encapsulation towards an appliance and decapsulation of what it
 * returns.
 *
 * struct gnv_state is built by the control thread (gnv_build) as part of a
 * struct dp_tables and is immutable afterwards; workers read it without
 * synchronisation. Appliance health is read through gnv_appliance_healthy()
 * (gwlb_health.c: the core's health-check engine, atomics written by the
 * control thread). Nothing here locks,
 * allocates, logs or makes a system call on the packet path.
 *
 * Wire format (SPEC §4, as AWS's GWLB sends it): the GENEVE payload is the
 * inner IP packet itself, protocol type 0x0800 or 0x86DD, no inner Ethernet
 * header. Encapsulation replaces the packet's Ethernet header by outer
 * Ethernet + IPv4 + UDP + GENEVE (14 + 68 bytes); decapsulation strips those
 * and puts an Ethernet header of vpcgw's making in front of the inner packet,
 * so the rest of the pipeline sees a frame as on any port.
 *
 * Flow cookie: a keyed hash of the flow's opening key. The key (secret) is
 * derived from a constant and the GWLB part of the configuration, never from
 * a random source: a replayed capture must produce byte-identical output, and
 * the cookie is only a consistency check against the flow (which stores its
 * own cookie), not a defence against an attacker on the appliance network.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "dp/csum.h"
#include "dp/dp.h"
#include "dp/dp_flow.h"
#include "dp/dp_parse.h"
#include "dp/dp_pipe.h"
#include "dp/dp_worker.h"
#include "dp/ip6.h"
#include "geneve/gnv.h"
#include "geneve/gnv_wire.h"

#define GNV_SECRET_SEED 0x6776b1c3a5e1d2f7ULL    /* arbitrary, fixed: see top */
#define GNV_UDP_IDLE_S 120                      /* non-TCP idle timeout (SPEC §4) */
#define GNV_SPORT_BASE 49152                    /* entropy source ports 49152..65535 */
#define GNV_SPORT_MASK 0x3fff
#define GNV_TTL 64

/* Everything in front of the inner IP packet on the appliance wire. */
#define GNV_ENCAP_LEN (RTE_ETHER_HDR_LEN + GNV_AWS_OUTER_LEN)     /* 14 + 68 = 82 */
#define GNV_OUTER_L4 (RTE_ETHER_HDR_LEN + 20)                      /* 34 */

static_assert(sizeof(struct rte_ipv4_hdr) == 20, "outer IPv4 header size");
static_assert(sizeof(struct rte_udp_hdr) == 8, "outer UDP header size");
static_assert(GNV_ENCAP_LEN == 82, "outer headers: Ethernet + IPv4 + UDP + GENEVE");

/* ------------------------------------------------------------ control */

static uint64_t
secret_mix(uint64_t h, uint64_t v)
{
	return (uint64_t)dp_map_hash(h ^ v) << 32 | dp_map_hash(~h + v);
}

/* The outer headers to appliance dst from port address src (host order). */
static void
outer_template(struct gnv_app_rt *a, uint32_t src, uint32_t dst)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)a->hdr;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *uh = (struct rte_udp_hdr *)(ip + 1);

	RTE_BUILD_BUG_ON(GNV_OUTER_HDRS != GNV_OUTER_L4 + sizeof(*uh));
	memset(a, 0, sizeof(*a));
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = GNV_TTL;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = rte_cpu_to_be_32(dst);
	ip->hdr_checksum = csum_ipv4_hdr20(ip);
	uh->dst_port = rte_cpu_to_be_16(GNV_UDP_PORT);
	/* dgram_cksum 0: optional for UDP over IPv4 (RFC 8926 §3.3 allows it) */
}

int
gnv_build(struct dp_tables *t)
{
	const struct cfg *cfg = t->cfg;
	struct gnv_state *s;
	uint64_t h = GNV_SECRET_SEED;
	int n_app = 0, n_ep = 0, rc;

	for (int i = 0; i < cfg->n_gwlbs; i++) {
		n_app += cfg->gwlbs[i].n_appliances;
		n_ep += cfg->gwlbs[i].n_endpoints;
	}
	/* dp_tables checks the GWLB and appliance limits; endpoints are ours */
	if (cfg->n_gwlbs > DP_MAX_GWLB || n_app > DP_MAX_APPLIANCES ||
	    n_ep > (int)RTE_DIM(s->ep))
		return -E2BIG;

	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	rc = dp_map_init(&s->app_by_addr, (uint32_t)n_app);
	if (rc < 0) {
		free(s);
		return -ENOMEM;
	}

	n_app = 0;
	n_ep = 0;
	for (int i = 0; i < cfg->n_gwlbs; i++) {
		const struct cfg_gwlb *cg = &cfg->gwlbs[i];
		struct gnv_gwlb_rt *g = &s->gwlb[i];

		g->port = cg->port;
		g->first_app = n_app;
		g->n_app = cg->n_appliances;
		g->first_ep = n_ep;
		g->n_ep = cg->n_endpoints;
		g->stickiness = (int)cg->stickiness;
		g->rebalance = cg->rebalance;
		g->tcp_idle_s = cg->tcp_idle_timeout;
		for (int j = 0; j < cg->n_appliances; j++, n_app++) {
			uint32_t addr = cg->appliances[j].addr, v;

			s->app_addr[n_app] = rte_cpu_to_be_32(addr);
			s->app_gwlb[n_app] = i;
			outer_template(&s->app_rt[n_app], t->cfg->ports[cg->port].addr, addr);
			/* an address listed by two GWLBs belongs to the first one */
			if (!dp_map_get(&s->app_by_addr, addr, &v))
				dp_map_set(&s->app_by_addr, addr, (uint32_t)n_app);
			h = secret_mix(h, addr);
		}
		for (int j = 0; j < cg->n_endpoints; j++, n_ep++) {
			struct gnv_ep_rt *e = &s->ep[n_ep];

			e->gwlb = i;
			e->subnet = cg->endpoints[j].subnet;
			e->id = cg->endpoints[j].id_value;
			e->attachment = cg->endpoints[j].attachment_id;
			gnv_aws_write(e->hdr, GNV_PROTO_IPV4, &(struct gnv_aws_opts){
				.endpoint_id = e->id, .attachment_id = e->attachment });
			h = secret_mix(h, e->id);
			h = secret_mix(h, e->attachment);
		}
	}
	s->n_gwlb = cfg->n_gwlbs;
	s->n_ep = n_ep;
	s->secret = (uint32_t)(h ^ h >> 32);
	t->gnv = s;
	return 0;
}

void
gnv_free(struct dp_tables *t)
{
	if (t->gnv == NULL)
		return;
	dp_map_free(&t->gnv->app_by_addr);
	free(t->gnv);
	t->gnv = NULL;
}

int
gnv_ep_index(const struct dp_tables *t, int gwlb, int ep)
{
	return t->gnv->gwlb[gwlb].first_ep + ep;
}

/* ------------------------------------------------------------ flows */

/* The symmetric hash of a flow's opening key under the GWLB's stickiness;
 * an IPv6 flow's over its full addresses (its key holds them folded with a
 * seed drawn at start: the choice would differ from run to run). */
static uint32_t
flow_hash(int mode, const struct dp_flow *f)
{
	const struct dp_flow_key *k = &f->key[0];
	uint8_t a[16], b[16];

	if (k->zone == DP_FLOW_ZONE_IP6 && dp_flow6_addrs(f, a, b, NULL))
		return gnv_sym_hash6(mode, k->proto, a, b, rte_be_to_cpu_16(k->sport),
				     rte_be_to_cpu_16(k->dport));
	return gnv_sym_hash(mode, k->proto, rte_be_to_cpu_32(k->src), rte_be_to_cpu_32(k->dst),
			    rte_be_to_cpu_16(k->sport), rte_be_to_cpu_16(k->dport));
}

/*
 * The healthy appliance hash h selects among g's healthy appliances (global
 * index), or -1 when none is healthy. Health may change under us; each
 * appliance's state is read once so the choice is consistent.
 */
static int
pick_healthy(const struct gnv_gwlb_rt *g, uint32_t h)
{
	uint16_t up[DP_MAX_APPLIANCES];
	int n = 0;

	for (int i = 0; i < g->n_app; i++)
		if (gnv_appliance_healthy(g->first_app + i))
			up[n++] = (uint16_t)i;
	if (n == 0)
		return -1;
	return g->first_app + up[h % (uint32_t)n];
}

static uint32_t
flow_cookie(uint32_t secret, const struct dp_flow *f)
{
	const struct dp_flow_key *k = &f->key[0];
	uint8_t a[16], b[16];
	uint32_t c;

	if (k->zone == DP_FLOW_ZONE_IP6 && dp_flow6_addrs(f, a, b, NULL)) {
		/* the full addresses, as flow_hash: the same cookie on every run */
		uint64_t w[4];

		memcpy(w, a, 16);
		memcpy(w + 2, b, 16);
		c = secret ^ 0x6;
		for (int i = 0; i < 4; i++)
			c = dp_map_hash(((uint64_t)c << 32) ^ w[i]);
	} else {
		c = dp_map_hash((uint64_t)secret << 32 | k->src);
		c = dp_map_hash((uint64_t)c << 32 | k->dst);
	}
	c = dp_map_hash((uint64_t)c << 32 | (uint32_t)k->sport << 16 | k->dport);
	c = dp_map_hash((uint64_t)c << 32 | k->proto);
	return c != 0 ? c : 1;      /* 0 would look like "no cookie" */
}

int
gnv_flow_init(const struct dp_tables *t, int ep, struct dp_flow *f)
{
	const struct gnv_state *s = t->gnv;
	int gwlb = s->ep[ep].gwlb;
	const struct gnv_gwlb_rt *g = &s->gwlb[gwlb];
	struct dp_lcore_stats *st = dp_stats_self();
	uint32_t h;
	int app;

	if (g->n_app == 0)
		return DP_DROP_no_route;
	h = flow_hash(g->stickiness, f);
	app = pick_healthy(g, h);
	if (app < 0)                /* all unhealthy: flows still go to one of them */
		app = g->first_app + (int)(h % (uint32_t)g->n_app);

	f->kind = DP_FLOW_GWLB;
	f->svc = (uint16_t)gwlb;
	f->aux = (uint16_t)ep;
	f->target = (uint16_t)app;
	f->cookie = flow_cookie(s->secret, f);
	f->idle_s = f->key[0].proto == IPPROTO_TCP ? g->tcp_idle_s : GNV_UDP_IDLE_S;
	st->gwlb[gwlb].flows_created++;
	st->appliance[app].flows_created++;
	st->gwlb_ep[ep].flows_created++;
	return 0;
}

/* A healthy appliance of g for f, whose own is not (rebalancing). */
static __rte_noinline int
flow_appliance_other(const struct gnv_gwlb_rt *g, const struct dp_flow *f)
{
	int app = pick_healthy(g, flow_hash(g->stickiness, f));

	return app >= 0 ? app : f->target;
}

static inline int
flow_appliance(const struct dp_tables *t, const struct dp_flow *f)
{
	const struct gnv_gwlb_rt *g = &t->gnv->gwlb[f->svc];

	if (!g->rebalance || gnv_appliance_healthy(f->target))
		return f->target;
	return flow_appliance_other(g, f);
}

int
gnv_flow_appliance(const struct dp_tables *t, const struct dp_flow *f)
{
	return flow_appliance(t, f);
}

/* ------------------------------------------------------------ encap */

/*
 * Replace the l3 bytes of Ethernet header in front of the inner IP packet by
 * GNV_ENCAP_LEN bytes of room for the outer headers. The first segment
 * normally has RTE_PKTMBUF_HEADROOM (128) free, plus the l3 bytes given back;
 * when it does not, a single segment with enough tailroom is shifted instead.
 */
static uint8_t *
make_room(struct rte_mbuf *m, uint16_t l3)
{
	uint8_t *p;
	uint16_t len;

	/* the common case, rte_pktmbuf_adj() then _prepend() in one step */
	if (likely(m->data_off + l3 >= GNV_ENCAP_LEN && rte_pktmbuf_data_len(m) >= l3)) {
		m->data_off = (uint16_t)(m->data_off + l3 - GNV_ENCAP_LEN);
		m->data_len = (uint16_t)(m->data_len - l3 + GNV_ENCAP_LEN);
		m->pkt_len = m->pkt_len - l3 + GNV_ENCAP_LEN;
		return rte_pktmbuf_mtod(m, uint8_t *);
	}
	if (rte_pktmbuf_adj(m, l3) == NULL)
		return NULL;
	p = (uint8_t *)rte_pktmbuf_prepend(m, GNV_ENCAP_LEN);
	if (p != NULL)
		return p;
	if (m->nb_segs != 1 || rte_pktmbuf_tailroom(m) < GNV_ENCAP_LEN)
		return NULL;
	len = rte_pktmbuf_data_len(m);
	p = rte_pktmbuf_mtod(m, uint8_t *);
	memmove(p + GNV_ENCAP_LEN, p, len);
	m->data_len = (uint16_t)(len + GNV_ENCAP_LEN);
	m->pkt_len += GNV_ENCAP_LEN;
	return p;
}

/*
 * The inner packet and the 68 bytes of GENEVE must fit the appliance port's
 * MTU: AWS's GWLB does not fragment. Over it, an IPv4 packet with DF gets
 * ICMP fragmentation needed with next-hop MTU = port MTU - 68 (the sender
 * learns the path MTU, RFC 1191) and is dropped as mtu_exceeded; one without
 * DF is dropped as gwlb_mtu_no_df. 0: it fits.
 */
static int
mtu_check(struct rte_mbuf *m, const struct dp_meta *md, const struct dp_tables *t, int port)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
								md->l3);
	uint32_t mtu = dp_g.ports[port].mtu - GNV_AWS_OUTER_LEN;   /* port MTU >= 68 */

	if (likely(rte_pktmbuf_pkt_len(m) - md->l3 <= mtu))
		return 0;
	if ((ip->version_ihl >> 4) == 6) {
		/* IPv6 is never fragmented: Packet Too Big to the sender */
		dp_nd6_too_big(m, (struct dp_meta *)md, t, dp_worker_self()->now_ms, mtu);
		return DP_DROP_mtu_exceeded;
	}
	if ((ip->version_ihl >> 4) != 4)
		return DP_DROP_mtu_exceeded;
	if (!(ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG)))
		return DP_DROP_gwlb_mtu_no_df;
	dp_mtu_too_big(m, md, t, dp_worker_self()->now_ms, mtu, NULL);
	return DP_DROP_mtu_exceeded;
}

int
gnv_encap(struct rte_mbuf *m, const struct dp_tables *t, const struct dp_flow *f,
	  uint16_t *out_port, uint32_t *nh)
{
	const struct gnv_state *s = t->gnv;
	const struct gnv_gwlb_rt *g = &s->gwlb[f->svc];
	const struct gnv_ep_rt *e = &s->ep[f->aux];
	struct dp_meta *md = dp_meta(m);
	int app = flow_appliance(t, f);
	struct dp_lcore_stats *st = dp_stats_self();
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *uh;
	uint32_t len = rte_pktmbuf_pkt_len(m), inner;
	uint16_t sport, proto;
	uint8_t *p;
	int rc;

	/* SPEC: inner packets up to 8500 bytes, never fragmented (no inner
	 * packet, len <= l3, wraps round to over it) */
	if (unlikely(len - md->l3 - 1 >= DP_GNV_MAX_INNER))
		return DP_DROP_gwlb_oversize;
	/* the protocol type names the inner IP version (IPv6: from the IPv6 stage) */
	proto = gnv_proto_of_ip(*rte_pktmbuf_mtod_offset(m, const uint8_t *, md->l3));
	if (proto == 0)
		return DP_DROP_gwlb_bad_protocol;
	rc = mtu_check(m, md, t, g->port);
	if (rc != 0)
		return rc;
	inner = len - md->l3;
	len = len - md->l3 + GNV_ENCAP_LEN;
	p = make_room(m, md->l3);
	if (p == NULL)
		return DP_DROP_gwlb_no_room;

	/* the appliance's outer headers and the endpoint's GENEVE header, then
	 * what is the packet's own: lengths (the IPv4 checksum of the template
	 * was computed with total length 0), entropy port, protocol, cookie */
	memcpy(p, s->app_rt[app].hdr, GNV_OUTER_HDRS);
	memcpy(p + GNV_OUTER_HDRS, e->hdr, GNV_AWS_HDR_LEN);
	ip = (struct rte_ipv4_hdr *)(p + RTE_ETHER_HDR_LEN);
	ip->total_length = rte_cpu_to_be_16((uint16_t)(len - RTE_ETHER_HDR_LEN));
	/* RFC 1624 eqn. 3 from a field of 0: ~(~HC + m'), m' > 0 */
	ip->hdr_checksum = csum_apply16(ip->hdr_checksum, ip->total_length);
	/* entropy from the flow's cookie (a keyed hash of its 5-tuple, one per
	 * flow): both directions share an outer flow, at no hashing per packet */
	sport = (uint16_t)(GNV_SPORT_BASE | ((f->cookie ^ f->cookie >> 16) & GNV_SPORT_MASK));
	uh = (struct rte_udp_hdr *)(p + GNV_OUTER_L4);
	uh->src_port = rte_cpu_to_be_16(sport);
	uh->dgram_len = rte_cpu_to_be_16((uint16_t)(len - GNV_OUTER_L4));
	gnv_aws_set(p + GNV_OUTER_HDRS, proto, f->cookie);

	md->l3 = RTE_ETHER_HDR_LEN;
	md->l4 = GNV_OUTER_L4;
	md->proto = IPPROTO_UDP;
	/* ProcessedPackets/Bytes: what goes to the appliance, inner bytes */
	st->gwlb[f->svc].packets++;
	st->gwlb[f->svc].bytes += inner;
	st->appliance[app].packets++;
	st->appliance[app].bytes += inner;
	st->gwlb_ep[f->aux].packets++;
	st->gwlb_ep[f->aux].bytes += inner;
	*out_port = (uint16_t)g->port;
	*nh = rte_be_to_cpu_32(s->app_addr[app]);
	return 0;
}

/* ------------------------------------------------------------ decap */

/* Global index of the appliance with source address src (network order), or -1. */
static int
appliance_of(const struct gnv_state *s, uint32_t src)
{
	uint32_t v;

	if (!dp_map_get(&s->app_by_addr, rte_be_to_cpu_32(src), &v))
		return -1;
	return (int)v;
}

bool
gnv_is_geneve(const struct rte_mbuf *m, const struct dp_meta *md, const struct dp_tables *t)
{
	const struct gnv_state *s = t->gnv;
	const struct rte_udp_hdr *uh;
	uint16_t gp = rte_cpu_to_be_16(GNV_UDP_PORT);
	int app;

	if (s == NULL || md->proto != IPPROTO_UDP || (md->flags & DP_M_FRAG))
		return false;
	/* dp_parse validated the UDP header of a non-fragment */
	uh = rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *, md->l4);
	if (uh->dst_port != gp && uh->src_port != gp)
		return false;
	app = appliance_of(s, md->key.src);
	return app >= 0 && s->gwlb[s->app_gwlb[app]].port == md->in_port;
}

int
gnv_decap(struct rte_mbuf *m, struct dp_meta *md, const struct dp_tables *t, uint32_t *cookie,
	  int *appliance)
{
	const struct gnv_state *s = t->gnv;
	const struct gnv_gwlb_rt *g;
	const struct rte_udp_hdr *uh;
	struct rte_ether_hdr outer, *eth;
	struct gnv_aws_opts o;
	uint32_t off = (uint32_t)md->l4 + sizeof(*uh), avail, ulen;
	uint8_t in_port = md->in_port;
	const uint8_t *gh;
	uint16_t proto;
	size_t hdr_len;
	int app, ep = -1, rc;

	app = appliance_of(s, md->key.src);
	if (app < 0)
		return DP_DROP_gwlb_not_appliance;
	g = &s->gwlb[s->app_gwlb[app]];

	uh = rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *, md->l4);
	ulen = rte_be_to_cpu_16(uh->dgram_len);
	if (ulen < sizeof(*uh) || off > rte_pktmbuf_data_len(m))
		return DP_DROP_gwlb_malformed;
	/* the headers must sit in the first segment, like every header we parse */
	avail = RTE_MIN(ulen - (uint32_t)sizeof(*uh), rte_pktmbuf_data_len(m) - off);
	gh = rte_pktmbuf_mtod_offset(m, const uint8_t *, off);
	rc = gnv_aws_parse(gh, avail, &o, &proto, &hdr_len);
	if (rc == GNV_ERR_PROTO)
		return DP_DROP_gwlb_bad_protocol;
	if (rc != 0)
		return DP_DROP_gwlb_malformed;
	/* the payload: an IP packet of the version the protocol type names,
	 * its first byte in the first segment (hdr_len <= avail) */
	if (hdr_len == avail)
		return DP_DROP_gwlb_malformed;
	if (gnv_proto_of_ip(gh[hdr_len]) != proto)
		return DP_DROP_gwlb_bad_protocol;

	for (int i = 0; i < g->n_ep; i++) {
		if (s->ep[g->first_ep + i].id == o.endpoint_id) {
			ep = g->first_ep + i;
			break;
		}
	}
	if (ep < 0)
		return DP_DROP_gwlb_cookie_mismatch;

	/* the inner packet gets an Ethernet header: the outer frame's addresses
	 * (the appliance sent it to us), the type from the GENEVE protocol type */
	memcpy(&outer, rte_pktmbuf_mtod(m, const void *), sizeof(outer));
	if (rte_pktmbuf_adj(m, (uint16_t)(off + hdr_len)) == NULL)
		return DP_DROP_gwlb_malformed;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, sizeof(*eth));
	if (eth == NULL)            /* cannot happen: 82 bytes or more were just freed */
		return DP_DROP_gwlb_no_room;
	rte_ether_addr_copy(&outer.dst_addr, &eth->dst_addr);
	rte_ether_addr_copy(&outer.src_addr, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(proto == GNV_PROTO_IPV4 ? RTE_ETHER_TYPE_IPV4 :
					   RTE_ETHER_TYPE_IPV6);

	if (proto == GNV_PROTO_IPV6) {
		/* the IPv6 stage's parse (extension headers); the caller hands
		 * it to dp_ip6_appliance_input */
		md->l3 = sizeof(*eth);
		md->flags = 0;
		md->tcp_flags = 0;
		md->flow = NULL;
		memset(&md->key, 0, sizeof(md->key));
		rc = dp_ip6_parse(m, md);
		if (rc >= 0)
			return rc;
	} else {
		rc = dp_parse(m, md);
		md->in_port = in_port;
		if (rc != DP_PARSE_IPV4)
			return rc >= 0 ? rc : DP_DROP_gwlb_malformed;
	}
	md->in_port = in_port;
	md->ep = (uint16_t)ep;
	*cookie = o.flow_cookie;
	*appliance = app;
	return 0;
}
