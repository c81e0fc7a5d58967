/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 (SPEC §7), first part: parsing with the extension-header chain,
 * Neighbor Discovery and router advertisements, ICMPv6 echo and time
 * exceeded, and routing between IPv6 subnets (local) and to the internet
 * gateway (untranslated). A stage of its own (docs/ARCHITECTURE.md "IPv6"):
 *
 *   eth_input ──> ip6_input (parse, ND, route) ──> (out: nd6)
 *
 * eth_input hands over what its slow branch found to be ethertype 0x86DD;
 * a configuration without IPv6 drops it there as before (ipv6_unsupported).
 * The tables (struct dp_ip6) are built with the rest of a generation
 * (dp/ip6_tables.c) and are as immutable as they are.
 */
#ifndef VPCGW_DP_IP6_H
#define VPCGW_DP_IP6_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "dp/dp.h"
#include "dp/dp_graph.h"

#define DP_IP6_MAX_EXT 8            /* extension headers walked before giving up */
#define DP_ND6_MAX 1024             /* IPv6 neighbors */
#define DP_RA_INTERVAL_MS 200000    /* periodic router advertisements */
#define DP_RA_LIFETIME_S 1800       /* router lifetime advertised */
#define DP_WAIT_ND6 0x8000          /* dp_arp_wait.port: waits for ND, nh = entry index */

struct rte_fib6;

/* One route table's IPv6 routes (routes[0]: the implicit local /56). */
struct dp_rtable6 {
	struct rte_fib6 *fib;       /* NULL: the local route only */
	struct dp_route *routes;
	uint32_t n_routes;
	uint64_t none;
};

struct dp_ip6 {
	bool vpc6;                  /* the VPC has an IPv6 /56 */
	uint8_t vpc[16];            /* the /56, host bits zero */
	uint64_t vpc_w;             /* its first 8 bytes as stored (dp_ip6_in_vpc) */
	int16_t subnet[256];        /* by byte 7 of an address in the /56: subnet or -1 */
	bool subnet_filtered[256];  /* by byte 7: the subnet has a NACL or an ENI */
	bool subnet_eni6[256];      /* by byte 7: an ENI of the subnet has an address6 */
	bool subnet_eigw[256];      /* by byte 7: its route table has an egress-only-igw route */
	struct dp_rtable6 *rtables; /* one per cfg route table */
	const struct dp_rtable6 *rt7[256];  /* by byte 7: that subnet's route table */
	int n_rtables;
	struct dp_rtable6 local_rt; /* subnets without a table, the internet gateway */
	bool port_on[DP_MAX_PORTS]; /* ports vpcgw handles IPv6 on */
	uint8_t ll[DP_MAX_PORTS][16];   /* each port's link-local fe80::EUI-64 */
	uint64_t iid_filter;        /* bits of the ports' address6 interface IDs (dp_ip6_iid_bit) */
	bool subnet_nlbt[256];      /* by byte 7: the subnet has IPv6 NLB targets */
	int n_nlb6;                 /* dualstack NLBs (their address6 is vpcgw's) */
	struct {
		uint8_t addr[16];
		int16_t nlb;        /* cfg index */
		uint16_t port;      /* the port of its subnet */
	} nlb6[DP_MAX_NLB];
	bool igw6;                  /* internet_gateway.next_hop6 */
	uint16_t igw_port;
	uint8_t igw_nh[16];
};

/* ------------------------------------------------------------ addresses */

static inline bool
dp_ip6_is_mcast(const uint8_t a[16])
{
	return a[0] == 0xff;
}

static inline bool
dp_ip6_is_ll(const uint8_t a[16])
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

/* The filter bit of an interface ID (the low 64 bits, as stored). */
static inline uint64_t
dp_ip6_iid_bit(const uint8_t a[16])
{
	uint64_t iid;

	memcpy(&iid, a + 8, 8);
	return 1ull << ((iid * 0x9e3779b97f4a7c15ull) >> 58);
}

static inline bool
dp_ip6_is_unspec(const uint8_t a[16])
{
	static const uint8_t z[16];

	return memcmp(a, z, 16) == 0;
}

/* Is a inside the VPC's /56? One 8-byte compare of its first 7 bytes. */
static inline bool
dp_ip6_in_vpc(const struct dp_ip6 *x, const uint8_t a[16])
{
	uint64_t w;

	RTE_BUILD_BUG_ON(RTE_BYTE_ORDER != RTE_LITTLE_ENDIAN);   /* bytes 0-6: the low 56 bits */
	memcpy(&w, a, 8);
	return x->vpc6 && ((w ^ x->vpc_w) & 0x00ffffffffffffffull) == 0;
}

/* The subnet of a (index), or -1. */
static inline int
dp_ip6_subnet(const struct dp_ip6 *x, const uint8_t a[16])
{
	if (!dp_ip6_in_vpc(x, a))
		return -1;
	return x->subnet[a[7]];
}

/* Is a one of vpcgw's own addresses on port? (subnet ::1, port address6, link-local) */
bool dp_ip6_is_local(const struct dp_tables *t, uint16_t port, const uint8_t a[16]);
/* The dualstack NLB whose address6 is a (cfg index), or -1. */
int dp_ip6_nlb(const struct dp_tables *t, const uint8_t a[16]);
/* vpcgw's address to answer from toward host a on port (subnet ::1, address6, link-local). */
const uint8_t *dp_ip6_src_for(const struct dp_tables *t, uint16_t port, const uint8_t a[16]);

/* ------------------------------------------------------------ parsing (ip6_parse.c) */

/*
 * Validate the IPv6 packet at md->l3 of m and walk its extension headers to
 * the upper layer: md->l4, md->proto, DP_M_FRAG / DP_M_LATER_FRAG. Returns
 * -1 when valid, else a drop reason. Every header it reads lies in the first
 * segment: a chain that runs past it is ip6_ext_too_long. Trims Ethernet
 * padding beyond the payload length.
 */
int dp_ip6_parse(struct rte_mbuf *m, struct dp_meta *md);

/*
 * The common case of dp_ip6_parse(), inline for ip6_input: no extension
 * header, TCP or UDP, the payload length within the first segment and the
 * upper layer's lengths agreeing with it. true: md is filled as
 * dp_ip6_parse() fills it; false: call dp_ip6_parse(), which names what is
 * wrong (or walks the chain).
 */
static inline bool
dp_ip6_parse_fast(struct rte_mbuf *m, struct dp_meta *md)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint32_t l3 = md->l3, l4 = l3 + (uint32_t)sizeof(struct rte_ipv6_hdr);
	const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)(p + l3);
	const struct rte_tcp_hdr *th = (const struct rte_tcp_hdr *)(p + l4);
	uint32_t seg = rte_pktmbuf_data_len(m), plen, ports;
	uint8_t tcp_flags = 0;

	if (unlikely(seg < l4 + sizeof(struct rte_udp_hdr) || (p[l3] >> 4) != 6))
		return false;
	plen = rte_be_to_cpu_16(ip->payload_len);
	/* the whole payload in the segment: every read below is inside it */
	if (unlikely(l4 + plen > seg))
		return false;
	if (ip->proto == IPPROTO_UDP) {
		if (unlikely(plen < sizeof(struct rte_udp_hdr) ||
			     rte_be_to_cpu_16(((const struct rte_udp_hdr *)th)->dgram_len) != plen))
			return false;
	} else if (likely(ip->proto == IPPROTO_TCP)) {
		if (unlikely(plen < sizeof(*th) || (th->data_off >> 4) < 5 ||
			     (th->data_off >> 4) * 4u > plen))
			return false;
		tcp_flags = th->tcp_flags;
	} else {
		return false;
	}
	if (unlikely(l4 + plen < rte_pktmbuf_pkt_len(m)))
		rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - l4 - plen));
	md->flags = 0;
	md->tcp_flags = tcp_flags;
	md->flow = NULL;
	md->proto = ip->proto;
	md->l4 = (uint16_t)l4;
	memset(&md->key, 0, sizeof(md->key));
	memcpy(&ports, th, 4);
	memcpy(&md->key.sport, &ports, 4);
	md->key.proto = ip->proto;
	return true;
}

/* ICMPv6/TCP/UDP checksum of len bytes at l4 with the pseudo-header of ip
 * (next header proto); over a packet with its checksum in place: 0 if right. */
uint16_t dp_ip6_l4_csum(const struct rte_ipv6_hdr *ip, const void *l4, uint32_t len,
			uint8_t proto);

/* ------------------------------------------------------------ tables (ip6_tables.c) */

int dp_ip6_tables_build(struct dp_tables *t, const struct cfg *cfg, uint64_t gen);
void dp_ip6_tables_free(struct dp_tables *t);

/* ------------------------------------------------------------ stages (ip6_input.c) */

void dp_ip6_input_node(struct dp_graph_run *g, struct rte_mbuf **pkts, uint16_t n);

/* The route of a in the table of subnet sn (-1: the local route only), or NULL. */
const struct dp_route *dp_ip6_route(const struct dp_tables *t, int sn, const uint8_t a[16]);

/* ------------------------------------------------------------ policy (ip6_policy.c) */

/*
 * NACLs, security groups, conntrack and the egress-only internet gateway for
 * a packet routed to target kind (ref: the route's ref) toward destination
 * subnet ds (-1: out of the VPC). false: dropped (counted).
 */
bool dp_ip6_policy(struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md, int ds,
		   uint8_t kind, uint16_t ref);
/*
 * A packet of known IPv6 flow f in direction d: expiry, TCP state, touch.
 * false: dropped. *gone: the flow ended (expired, or reopen and a lone SYN
 * on a closed TCP flow) and the packet is to be judged as a new one.
 */
bool dp_ip6_known(struct rte_mbuf *m, struct dp_meta *md, struct dp_flow *f, int d,
		  uint64_t now, bool reopen, bool *gone);
/* A new IPv6 flow of key k opened by m (a service sets its kind, then
 * dp_ip6_flow_publish); NULL: dropped (ct_not_syn, table full). */
struct dp_flow *dp_ip6_flow_new(struct rte_mbuf *m, const struct dp_meta *md,
				const struct dp_pctx *c, const struct dp_flow_key *k);
/* Bind f to m's addresses (unless bound already: bind false) and insert it:
 * 0, -EEXIST (another packet's flow has the key: f abandoned), or -1 (m
 * dropped, f abandoned). */
int dp_ip6_flow_publish(struct rte_mbuf *m, const struct dp_meta *md, struct dp_flow *f,
			bool bind);

/* An IPv6 packet a service built or translated (md parsed as IPv6, its
 * checks done) routed as from subnet src_subnet: hop limit, MTU, ND. */
void dp_ip6_forward(struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md, int src_subnet);

/* ------------------------------------------------------------ GWLB (ip6_input.c) */

/*
 * An inner IPv6 packet decapsulated from an appliance (c->in DP_IN_APPLIANCE,
 * c->src_subnet the endpoint's subnet, md->nh the cookie, md->ep the
 * endpoint, md parsed by dp_ip6_parse): it must belong to a GWLB flow with
 * that cookie and endpoint; then it is routed by the endpoint subnet's table.
 * Consumes m.
 */
void dp_ip6_appliance_input(struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md);

/* ------------------------------------------------------------ flows (flow6.c) */

struct dp_flow;
int dp_flow6_init(void);
void dp_flow6_fini(void);
/* m's flow key (zone DP_FLOW_ZONE_IP6, folded addresses); false: m cannot
 * open a flow (later fragment, ICMPv6 error). */
bool dp_flow6_key(struct rte_mbuf *m, const struct dp_meta *md, struct dp_flow_key *k);
/* The flow of key k whose addresses are m's, and m's direction in it; NULL: none. */
struct dp_flow *dp_flow6_find(const struct dp_flow_key *k, struct rte_mbuf *m,
			      const struct dp_meta *md, int *dir);
/* The flow of key k whose addresses are src/dst (*dir 0: key[0]'s) or the
 * source of its replies and key[0]'s source (*dir 1), or NULL. */
struct dp_flow *dp_flow6_find_addrs(const struct dp_flow_key *k, const uint8_t *src,
				    const uint8_t *dst, int *dir);
/* The flow an ICMPv6 error m quotes a packet of, or NULL. */
struct dp_flow *dp_flow6_find_error(struct rte_mbuf *m, const struct dp_meta *md);
/* Record m's addresses as f->key[0]'s, before dp_flow_insert(f). */
bool dp_flow6_bind(struct dp_flow *f, struct rte_mbuf *m, const struct dp_meta *md);
/* The full addresses of f->key[0] (an IPv6 flow), and the source of its
 * replies (rsrc, may be NULL); false: not one. */
bool dp_flow6_addrs(const struct dp_flow *f, uint8_t src[16], uint8_t dst[16], uint8_t *rsrc);
/* The replies of bound flow f come from rsrc (an NLB's target), not from
 * key[0]'s destination. */
void dp_flow6_bind_reply(struct dp_flow *f, const uint8_t rsrc[16]);
/* An address folded as the flow keys hold it. */
uint32_t dp_flow6_fold(const uint8_t a[16]);

/* ------------------------------------------------------------ ND (nd6.c) */

int dp_nd6_init(unsigned socket);
void dp_nd6_free(void);
int dp_nd6_static(uint16_t port, const uint8_t addr[16], const uint8_t mac[6]);
/* Out through the neighbor nh on port: now, or queued while vpcgw solicits it. */
void dp_nd6_output(struct rte_mbuf *m, uint16_t port, const uint8_t nh[16], uint64_t now_ms);
/* For dp_neigh_poll(): the wait queue holds IPv6 packets under DP_WAIT_ND6. */
bool dp_nd6_wait_lookup(uint32_t idx, uint64_t *mac);
void dp_nd6_wait_retry(uint32_t idx, uint16_t port, uint64_t now_ms);
void dp_nd6_age(uint64_t now_ms);
unsigned dp_nd6_count(void);
/* ICMPv6 to vpcgw or to a multicast group: ND, RS, echo. Consumes m. */
void dp_nd6_icmp_input(struct rte_mbuf *m, struct dp_meta *md, const struct dp_tables *t);
/* ICMPv6 time exceeded (hop limit) back to the sender of m (rate limited). */
void dp_nd6_time_exceeded(struct rte_mbuf *m, struct dp_meta *md, const struct dp_tables *t,
			  uint64_t now_ms);
/* ICMPv6 Packet Too Big (next-hop MTU mtu) back to the sender of m (rate limited). */
void dp_nd6_too_big(struct rte_mbuf *m, struct dp_meta *md, const struct dp_tables *t,
		    uint64_t now_ms, uint32_t mtu);
/* Control thread: periodic router advertisements. */
void dp_nd6_periodic(const struct dp_tables *t, uint64_t now_ms);

/* ------------------------------------------------------------ fragments (frag6.c) */

/* Worker: the first fragment of datagram (src, dst, id, proto) was
 * translated to nsrc/ndst (16-byte addresses; IPv4 ones dp_ip6_mapped). */
void dp_frag6_record(const uint8_t src[16], const uint8_t dst[16], uint32_t id, uint8_t proto,
		     const uint8_t nsrc[16], const uint8_t ndst[16], uint64_t now);
/* Worker: the translation a later fragment of that datagram follows; false: none
 * (no first fragment seen on this worker within DP_FRAG_MS). */
bool dp_frag6_follow(const uint8_t src[16], const uint8_t dst[16], uint32_t id, uint8_t proto,
		     uint64_t now, uint8_t nsrc[16], uint8_t ndst[16]);
/* ::ffff:a4 (a4 network order): an IPv4 address as frag6's keys hold it. */
void dp_ip6_mapped(uint8_t out[16], uint32_t a4);
/* Offset in m of the fragment header of fragment m when the upper layer (or,
 * in a later fragment, its data) follows it directly; -1 otherwise. */
int dp_ip6_frag_hdr(const struct rte_mbuf *m, const struct dp_meta *md);
/* The identification of IPv6 fragment m (host order); false: no Fragment
 * header directly before the upper layer (dp_ip6_frag_hdr). */
bool dp_ip6_frag_id(const struct rte_mbuf *m, const struct dp_meta *md, uint32_t *id);

/* fe80::/64 with the modified EUI-64 of mac (RFC 4291 appendix A). */
void dp_ip6_link_local(uint8_t out[16], const struct rte_ether_addr *mac);

#endif /* VPCGW_DP_IP6_H */
