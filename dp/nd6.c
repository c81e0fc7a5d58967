/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Neighbor Discovery (RFC 4861) and the ICMPv6 messages vpcgw sends
 * (SPEC §7): IPv6 neighbors (static and learned), Neighbor Solicitations
 * answered for vpcgw's own addresses, next hops resolved with NS/NA while
 * their packets wait, Router Advertisements (solicited and periodic), echo
 * replies, time exceeded (rate limited).
 *
 * Neighbors: as dp/dp_neigh.c for ARP, an rte_hash (lock-free reads,
 * multi-writer add) over an entry array whose memory is never freed; an
 * entry that never resolved is recycled by the control thread after
 * ND6_INCOMPLETE_MS. Packets waiting for a neighbor share the worker's ARP
 * wait queue (struct dp_arp_wait) marked DP_WAIT_ND6 with the entry's index
 * as next hop, so one bound, one order and one shutdown drain cover both.
 */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "dp/csum.h"
#include "dp/dp.h"
#include "dp/dp_worker.h"
#include "dp/ip6.h"

#define ND6_VALID DP_NEIGH_VALID
#define ND6_INCOMPLETE_MS 60000
#define ICMP6_RATE_PER_S 100
#define ICMP6_QUOTE_MAX (1280 - 40 - 8)     /* RFC 4443 §2.4(c) */

enum {
	ICMP6_PACKET_TOO_BIG = 2,
	ICMP6_TIME_EXCEEDED = 3,
	ICMP6_ECHO_REQUEST = 128,
	ICMP6_ECHO_REPLY = 129,
	ND_ROUTER_SOLICIT = 133,
	ND_ROUTER_ADVERT = 134,
	ND_NEIGHBOR_SOLICIT = 135,
	ND_NEIGHBOR_ADVERT = 136,
	ND_OPT_SLLA = 1,
	ND_OPT_TLLA = 2,
	ND_OPT_PREFIX = 3,
	ND_OPT_MTU = 5,
};

struct nd6_key {
	uint8_t addr[16];
	uint16_t port;
	uint16_t pad;
};

struct nd6_ent {
	uint64_t mac;               /* ND6_VALID | 48-bit MAC, atomic */
	uint64_t last_req_ms;       /* last NS sent (racy hint) */
	uint8_t addr[16];
	uint16_t port;
	bool is_static;
	bool live;                  /* in the hash (atomic) */
};

static struct {
	struct rte_hash *hash;
	struct rte_ring *free;
	struct nd6_ent *ent;
	uint32_t n;
} nd;

static uint64_t icmp6_tokens_ms[RTE_MAX_LCORE];
/* last confirmation of each learned entry (lcore clock, ms): /vpcgw/neighbors */
static uint64_t nd6_seen_ms[DP_ND6_MAX];

int
dp_nd6_init(unsigned socket)
{
	struct rte_hash_parameters hp = {
		.name = "vpcgw_nd6",
		.entries = DP_ND6_MAX,
		.key_len = sizeof(struct nd6_key),
		.hash_func = rte_hash_crc,
		.socket_id = (int)socket,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_MULTI_WRITER_ADD,
	};

	nd.hash = rte_hash_create(&hp);
	nd.ent = rte_zmalloc("vpcgw_nd6_ent", sizeof(*nd.ent) * DP_ND6_MAX, 0);
	nd.free = rte_ring_create_elem("vpcgw_nd6_free", sizeof(uint32_t), DP_ND6_MAX,
				       (int)socket, 0);
	if (nd.hash == NULL || nd.ent == NULL || nd.free == NULL)
		return -ENOMEM;
	return 0;
}

void
dp_nd6_free(void)
{
	rte_hash_free(nd.hash);
	rte_ring_free(nd.free);
	rte_free(nd.ent);
	memset(&nd, 0, sizeof(nd));
}

static struct nd6_ent *
nd6_find(uint16_t port, const uint8_t addr[16])
{
	struct nd6_key k = { .port = port };
	struct nd6_ent *e;
	void *d;

	memcpy(k.addr, addr, 16);
	if (rte_hash_lookup_data(nd.hash, &k, &d) < 0)
		return NULL;
	e = d;
	if (!__atomic_load_n(&e->live, __ATOMIC_ACQUIRE) || e->port != port ||
	    memcmp(e->addr, addr, 16) != 0)
		return NULL;
	return e;
}

/* Find or create (without MAC); NULL when the table is full. */
static struct nd6_ent *
nd6_get(uint16_t port, const uint8_t addr[16])
{
	struct nd6_key k = { .port = port };
	struct nd6_ent *e = nd6_find(port, addr);
	uint32_t i;

	if (e != NULL)
		return e;
	if (rte_ring_mc_dequeue_elem(nd.free, &i, sizeof(i)) != 0) {
		i = __atomic_fetch_add(&nd.n, 1, __ATOMIC_RELAXED);
		if (i >= DP_ND6_MAX)
			return NULL;
	}
	e = &nd.ent[i];
	e->mac = 0;
	e->last_req_ms = 0;
	e->is_static = false;
	e->port = port;
	memcpy(e->addr, addr, 16);
	__atomic_store_n(&e->live, true, __ATOMIC_RELEASE);
	memcpy(k.addr, addr, 16);
	if (rte_hash_add_key_data(nd.hash, &k, e) < 0)
		return NULL;
	return e;
}

static uint64_t
mac_pack(const uint8_t mac[6])
{
	uint64_t v = 0;

	memcpy(&v, mac, 6);
	return v | ND6_VALID;
}

/*
 * nd6_get() through the worker's cache of entries used lately: a routed
 * packet's next hop is found without hashing its 16 bytes in the shared
 * table (the common case of dp_nd6_output()).
 */
static inline struct nd6_ent *
nd6_get_cached(struct dp_worker_ctx *w, uint16_t port, const uint8_t addr[16])
{
	uint64_t a0, a1, e0, e1;
	uint32_t slot;
	struct nd6_ent *e;

	RTE_BUILD_BUG_ON(DP_ND6_CACHE != 256);
	memcpy(&a0, addr, 8);
	memcpy(&a1, addr + 8, 8);
	slot = (uint32_t)(((a0 ^ a1 ^ port) * 0x9e3779b97f4a7c15ull) >> 56);
	e = w->nd6_cache[slot];
	if (e != NULL && e->port == port && __atomic_load_n(&e->live, __ATOMIC_ACQUIRE)) {
		memcpy(&e0, e->addr, 8);
		memcpy(&e1, e->addr + 8, 8);
		if (((e0 ^ a0) | (e1 ^ a1)) == 0)
			return e;
	}
	e = nd6_get(port, addr);
	if (e != NULL)
		w->nd6_cache[slot] = e;
	return e;
}

int
dp_nd6_static(uint16_t port, const uint8_t addr[16], const uint8_t mac[6])
{
	struct nd6_ent *e = nd6_get(port, addr);

	if (e == NULL)
		return -ENOSPC;
	e->is_static = true;
	__atomic_store_n(&e->mac, mac_pack(mac), __ATOMIC_RELEASE);
	return 0;
}

static void
nd6_learn(struct nd6_ent *e, const uint8_t mac[6])
{
	uint64_t v = mac_pack(mac);

	if (e == NULL || e->is_static)
		return;
	if (dp_worker_self() != NULL)
		__atomic_store_n(&nd6_seen_ms[e - nd.ent], dp_worker_self()->now_ms,
				 __ATOMIC_RELAXED);
	if (__atomic_load_n(&e->mac, __ATOMIC_RELAXED) != v)
		__atomic_store_n(&e->mac, v, __ATOMIC_RELEASE);
}

/* IPv6 entry i for /vpcgw/neighbors (telemetry thread): -ENOENT if unused. */
int
dp_nd6_get(unsigned i, struct dp_neigh_info *out)
{
	const struct nd6_ent *e;
	uint64_t v;

	if (i >= dp_nd6_count())
		return -ERANGE;
	e = &nd.ent[i];
	if (!__atomic_load_n(&e->live, __ATOMIC_ACQUIRE))
		return -ENOENT;
	*out = (struct dp_neigh_info){ .v6 = true, .port = e->port };
	memcpy(out->addr6, e->addr, 16);
	v = __atomic_load_n(&e->mac, __ATOMIC_ACQUIRE);
	memcpy(out->mac, &v, 6);
	out->state = e->is_static ? DP_NEIGH_STATIC : (v & ND6_VALID) ? DP_NEIGH_REACHABLE :
		     DP_NEIGH_INCOMPLETE;
	out->seen_ms = __atomic_load_n(&nd6_seen_ms[i], __ATOMIC_RELAXED);
	out->req_ms = __atomic_load_n(&e->last_req_ms, __ATOMIC_RELAXED);
	return 0;
}

unsigned
dp_nd6_count(void)
{
	uint32_t n = __atomic_load_n(&nd.n, __ATOMIC_RELAXED);

	return n > DP_ND6_MAX ? DP_ND6_MAX : n;
}

void
dp_nd6_age(uint64_t now_ms)
{
	unsigned n = dp_nd6_count();

	for (uint32_t i = 0; i < n; i++) {
		struct nd6_ent *e = &nd.ent[i];
		struct nd6_key k = { .port = e->port };
		int32_t pos;

		if (e->is_static || !e->live ||
		    (__atomic_load_n(&e->mac, __ATOMIC_RELAXED) & ND6_VALID) ||
		    e->last_req_ms == 0 || now_ms < e->last_req_ms + ND6_INCOMPLETE_MS)
			continue;
		memcpy(k.addr, e->addr, 16);
		pos = rte_hash_del_key(nd.hash, &k);
		if (pos >= 0)
			rte_hash_free_key_with_position(nd.hash, pos);
		__atomic_store_n(&e->live, false, __ATOMIC_RELEASE);
		rte_ring_mp_enqueue_elem(nd.free, &i, sizeof(i));
	}
}

/* ------------------------------------------------------------ building */

/* An ICMPv6 packet of l4len bytes from src to dst out of port; NULL: no mbuf. */
static struct rte_mbuf *
icmp6_new(uint16_t port, const uint8_t dmac[6], const uint8_t src[16], const uint8_t dst[16],
	  uint8_t hlim, uint16_t l4len, uint8_t **l4)
{
	struct rte_mbuf *m = dp_pkt_alloc();
	struct rte_ether_hdr *eth;
	struct rte_ipv6_hdr *ip;

	if (m == NULL) {
		dp_stats_self()->drops[DP_DROP_no_mbuf]++;
		return NULL;
	}
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + sizeof(*ip) + l4len);
	if (eth == NULL) {
		rte_pktmbuf_free(m);
		dp_stats_self()->drops[DP_DROP_no_mbuf]++;
		return NULL;
	}
	memcpy(eth->dst_addr.addr_bytes, dmac, 6);
	eth->src_addr = dp_g.ports[port].mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
	ip = (struct rte_ipv6_hdr *)(eth + 1);
	ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16(l4len);
	ip->proto = IPPROTO_ICMPV6;
	ip->hop_limits = hlim;
	memcpy(ip->src_addr, src, 16);
	memcpy(ip->dst_addr, dst, 16);
	*l4 = (uint8_t *)(ip + 1);
	memset(*l4, 0, l4len);
	dp_meta(m)->in_port = (uint8_t)port;
	dp_meta(m)->l3 = sizeof(*eth);
	dp_meta(m)->flags = 0;
	return m;
}

static void
icmp6_send(struct rte_mbuf *m, uint16_t port)
{
	struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *,
							  sizeof(struct rte_ether_hdr));
	uint8_t *l4 = (uint8_t *)(ip + 1);
	uint16_t len = rte_be_to_cpu_16(ip->payload_len), c;

	c = dp_ip6_l4_csum(ip, l4, len, IPPROTO_ICMPV6);
	memcpy(l4 + 2, &c, 2);
	dp_tx_generated(m, port);
}

/* fe80::/64 + modified EUI-64 of the port's MAC. */
static void
ll_of_port(uint16_t port, uint8_t out[16])
{
	dp_ip6_link_local(out, &dp_g.ports[port].mac);
}

/* NS for addr out of port, to its solicited-node group, from the port's link-local. */
static void
nd6_solicit(uint16_t port, const uint8_t addr[16])
{
	uint8_t dst[16] = { 0xff, 0x02, [11] = 0x01, [12] = 0xff };
	uint8_t dmac[6] = { 0x33, 0x33, 0xff, addr[13], addr[14], addr[15] };
	uint8_t src[16], *l4;
	struct rte_mbuf *m;

	dst[13] = addr[13];
	dst[14] = addr[14];
	dst[15] = addr[15];
	ll_of_port(port, src);
	m = icmp6_new(port, dmac, src, dst, 255, 32, &l4);
	if (m == NULL)
		return;
	l4[0] = ND_NEIGHBOR_SOLICIT;
	memcpy(l4 + 8, addr, 16);
	l4[24] = ND_OPT_SLLA;
	l4[25] = 1;
	memcpy(l4 + 26, dp_g.ports[port].mac.addr_bytes, 6);
	icmp6_send(m, port);
}

/* ------------------------------------------------------------ output */

/* dp_nd6_output() when the neighbor has no MAC yet: queue m, solicit
 * (no entry: the table is full). */
static __rte_noinline void
nd6_wait(struct dp_worker_ctx *w, struct nd6_ent *e, struct rte_mbuf *m, uint16_t port,
	 const uint8_t nh[16], uint64_t now_ms)
{
	struct dp_arp_wait *q;

	if (e == NULL || w->arpq_n == DP_ARPQ_SIZE) {
		dp_drop(m, DP_DROP_nd_queue_full);
		return;
	}
	q = &w->arpq[w->arpq_n++];
	q->m = m;
	q->port = (uint16_t)(port | DP_WAIT_ND6);
	q->nh = (uint32_t)(e - nd.ent);
	q->since_ms = now_ms;
	if (e->last_req_ms == 0 || now_ms - e->last_req_ms >= DP_ARP_RETRY_MS) {
		e->last_req_ms = now_ms ? now_ms : 1;
		nd6_solicit(port, nh);
	}
}

void
dp_nd6_output(struct rte_mbuf *m, uint16_t port, const uint8_t nh[16], uint64_t now_ms)
{
	struct dp_worker_ctx *w = dp_worker_self();
	struct nd6_ent *e = nd6_get_cached(w, port, nh);
	uint64_t mac, src;
	uint16_t type;
	uint8_t *eth;

	RTE_BUILD_BUG_ON(RTE_BYTE_ORDER != RTE_LITTLE_ENDIAN);
	dp_meta(m)->flags |= DP_M_TX6;         /* tx6 when it leaves (dp_tx_flush_port) */
	if (unlikely(e == NULL ||
		     !((mac = __atomic_load_n(&e->mac, __ATOMIC_ACQUIRE)) & ND6_VALID))) {
		nd6_wait(w, e, m, port, nh, now_ms);
		return;
	}
	/* packets that waited for a neighbor leave before this one */
	if (unlikely(w->arpq_n != 0))
		dp_neigh_poll(now_ms, false);
	/* two 8-byte stores as dp_neigh_xmit_fast() (untagged here) */
	eth = rte_pktmbuf_mtod(m, uint8_t *);
	memcpy(&type, eth + 2 * RTE_ETHER_ADDR_LEN, 2);
	src = dp_g.ports[port].src48 | (uint64_t)type << 48;
	memcpy(eth, &mac, 8);
	memcpy(eth + RTE_ETHER_ADDR_LEN, &src, 8);
	/* sent as it is now, in arrival order with the burst's others:
	 * straight to the tx buffer while nothing of the burst waits in
	 * the ordered output (what is there may come before it; what the
	 * earlier stages send after an IPv6 slot waits there: eth_input
	 * lowers policy_min_slot), through it otherwise and when traced */
	if (w->emit_on && (w->n_emit != 0 || w->trace_mask != 0))
		dp_emit_add(w, m, port, DP_EMIT_GENERATED, dp_meta(m)->slot);
	else
		dp_tx_buffer(w, m, port);
}

bool
dp_nd6_wait_lookup(uint32_t idx, uint64_t *mac)
{
	uint64_t v;

	if (idx >= DP_ND6_MAX)
		return false;
	v = __atomic_load_n(&nd.ent[idx].mac, __ATOMIC_ACQUIRE);
	*mac = v;
	return (v & ND6_VALID) != 0;
}

void
dp_nd6_wait_retry(uint32_t idx, uint16_t port, uint64_t now_ms)
{
	struct nd6_ent *e;

	if (idx >= DP_ND6_MAX)
		return;
	e = &nd.ent[idx];
	if (now_ms - e->last_req_ms < DP_ARP_RETRY_MS)
		return;
	e->last_req_ms = now_ms;
	nd6_solicit(port, e->addr);
}

/* ------------------------------------------------------------ input */

/* vpcgw's own address on port (ND answers only for the port that owns it). */
static bool
own_on_port(const struct dp_tables *t, uint16_t port, const uint8_t a[16])
{
	const struct cfg *cfg = t->cfg;
	static const uint8_t one[8] = { 0, 0, 0, 0, 0, 0, 0, 1 };
	int sn;

	if (memcmp(a, t->ip6->ll[port], 16) == 0)
		return true;
	sn = dp_ip6_subnet(t->ip6, a);
	if (sn >= 0 && cfg->subnets[sn].port == port && memcmp(a + 8, one, 8) == 0)
		return true;
	if (cfg->ports[port].has_addr6 && memcmp(cfg->ports[port].addr6, a, 16) == 0)
		return true;
	/* a dualstack NLB's address6, on its subnet's port (dp_ip6_is_local) */
	return dp_ip6_nlb(t, a) >= 0 && dp_ip6_is_local(t, port, a);
}

/* Is a on the link of port (neighbor we may learn)? */
static bool
on_link(const struct dp_tables *t, uint16_t port, const uint8_t a[16])
{
	const struct cfg_port *p = &t->cfg->ports[port];
	int sn;

	if (dp_ip6_is_ll(a))
		return true;
	sn = dp_ip6_subnet(t->ip6, a);
	if (sn >= 0)
		return t->cfg->subnets[sn].port == port;
	if (p->has_addr6) {
		struct cfg_prefix6 pf = { .len = p->plen6 };

		memcpy(pf.addr, p->addr6, 16);
		for (unsigned i = 0; i < 16; i++) {
			unsigned bits = p->plen6 >= 8 * (i + 1) ? 8 : p->plen6 > 8 * i ?
					p->plen6 - 8 * i : 0;

			pf.addr[i] &= bits == 0 ? 0 : (uint8_t)(0xff << (8 - bits));
		}
		return cfg_prefix6_contains(&pf, a);
	}
	return false;
}

/* The link-layer address option of type want in an ND message's options;
 * -1: malformed (an option of length 0 or past the end), 0: absent. */
static int
nd_opt_lla(const uint8_t *opt, uint32_t len, uint8_t want, const uint8_t **mac)
{
	*mac = NULL;
	while (len > 0) {
		uint32_t ol;

		if (len < 2 || opt[1] == 0)
			return -1;
		ol = opt[1] * 8u;
		if (ol > len)
			return -1;
		if (opt[0] == want && ol >= 8)
			*mac = opt + 2;
		opt += ol;
		len -= ol;
	}
	return *mac != NULL;
}

static void
consumed(struct rte_mbuf *m, struct dp_meta *md)
{
	dp_stats_self()->port[md->in_port].local++;
	rte_pktmbuf_free(m);
}

static void
nd_ns_input(struct rte_mbuf *m, struct dp_meta *md, const struct dp_tables *t,
	    const struct rte_ipv6_hdr *ip, const uint8_t *l4, uint32_t len)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };
	const uint8_t *target = l4 + 8, *slla, *dmac;
	bool dad = dp_ip6_is_unspec(ip->src_addr);
	uint8_t *r4;
	struct rte_mbuf *r;
	int o;

	if (len < 24 || dp_ip6_is_mcast(target) ||
	    (o = nd_opt_lla(l4 + 24, len - 24, ND_OPT_SLLA, &slla)) < 0 ||
	    (dad && (o > 0 || ip->dst_addr[0] != 0xff))) {
		dp_drop(m, DP_DROP_nd_invalid);
		return;
	}
	if (!own_on_port(t, md->in_port, target)) {
		dp_drop(m, DP_DROP_nd_not_for_us);
		return;
	}
	/* RFC 4861 §7.2.3: the sender's link-layer address, when it gives one */
	if (o > 0 && on_link(t, md->in_port, ip->src_addr))
		nd6_learn(nd6_get(md->in_port, ip->src_addr), slla);
	dmac = o > 0 ? slla : eth->src_addr.addr_bytes;
	if (dad) {
		static const uint8_t mc[6] = { 0x33, 0x33, 0, 0, 0, 1 };

		dmac = mc;
	}
	r = icmp6_new(md->in_port, dmac, target, dad ? all_nodes : ip->src_addr, 255, 32, &r4);
	if (r != NULL) {
		r4[0] = ND_NEIGHBOR_ADVERT;
		/* router, solicited (not to a DAD probe), override */
		r4[4] = dad ? 0xa0 : 0xe0;
		memcpy(r4 + 8, target, 16);
		r4[24] = ND_OPT_TLLA;
		r4[25] = 1;
		memcpy(r4 + 26, dp_g.ports[md->in_port].mac.addr_bytes, 6);
		icmp6_send(r, md->in_port);
	}
	consumed(m, md);
}

static void
nd_na_input(struct rte_mbuf *m, struct dp_meta *md, const struct rte_ipv6_hdr *ip,
	    const uint8_t *l4, uint32_t len)
{
	const uint8_t *tlla;
	int o;

	if (len < 24 || dp_ip6_is_mcast(l4 + 8) ||
	    (dp_ip6_is_mcast(ip->dst_addr) && (l4[4] & 0x40)) ||
	    (o = nd_opt_lla(l4 + 24, len - 24, ND_OPT_TLLA, &tlla)) < 0) {
		dp_drop(m, DP_DROP_nd_invalid);
		return;
	}
	/* only for a neighbor vpcgw knows or asked for (RFC 4861 §7.2.5) */
	if (o > 0)
		nd6_learn(nd6_find(md->in_port, l4 + 8), tlla);
	consumed(m, md);
}

/*
 * A Router Advertisement out of port: to dst (unicast, dmac) or to all
 * nodes. Prefixes: the IPv6 subnets of the port; only sn's when sn >= 0.
 * On-link (L) when the RA names one subnet, so that hosts of different
 * subnets sharing one port still reach each other through vpcgw.
 */
static void
ra_send(const struct dp_tables *t, uint16_t port, const uint8_t *dst, const uint8_t *dmac, int sn)
{
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };
	static const uint8_t mc[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	const struct cfg *cfg = t->cfg;
	uint8_t src[16], *l4, *o;
	struct rte_mbuf *r;
	int n = 0;
	uint32_t mtu;

	for (int i = 0; i < cfg->n_subnets; i++)
		n += cfg->subnets[i].has_v6 && cfg->subnets[i].port == port && (sn < 0 || i == sn);
	ll_of_port(port, src);
	r = icmp6_new(port, dmac != NULL ? dmac : mc, src, dst != NULL ? dst : all_nodes, 255,
		      (uint16_t)(16 + 8 + 8 + 32 * n), &l4);
	if (r == NULL)
		return;
	l4[0] = ND_ROUTER_ADVERT;
	l4[4] = 64;                         /* cur hop limit */
	l4[6] = DP_RA_LIFETIME_S >> 8;
	l4[7] = DP_RA_LIFETIME_S & 0xff;
	o = l4 + 16;
	o[0] = ND_OPT_SLLA;
	o[1] = 1;
	memcpy(o + 2, dp_g.ports[port].mac.addr_bytes, 6);
	o += 8;
	o[0] = ND_OPT_MTU;
	o[1] = 1;
	mtu = rte_cpu_to_be_32(dp_g.ports[port].mtu);
	memcpy(o + 4, &mtu, 4);
	o += 8;
	for (int i = 0; i < cfg->n_subnets; i++) {
		static const uint8_t lifetimes[8] = { 0x00, 0x27, 0x8d, 0x00,   /* valid 30 days */
						      0x00, 0x09, 0x3a, 0x80 }; /* preferred 7 */

		if (!cfg->subnets[i].has_v6 || cfg->subnets[i].port != port || (sn >= 0 && i != sn))
			continue;
		o[0] = ND_OPT_PREFIX;
		o[1] = 4;
		o[2] = 64;
		o[3] = n == 1 ? 0x80 : 0x00;    /* L; never A: addresses are assigned */
		memcpy(o + 4, lifetimes, 8);
		memcpy(o + 16, cfg->subnets[i].cidr6.addr, 16);
		o += 32;
	}
	icmp6_send(r, port);
}

static void
nd_rs_input(struct rte_mbuf *m, struct dp_meta *md, const struct dp_tables *t,
	    const struct rte_ipv6_hdr *ip, const uint8_t *l4, uint32_t len)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	bool unspec = dp_ip6_is_unspec(ip->src_addr);
	const uint8_t *slla;
	int o, sn;

	if (len < 8 || (o = nd_opt_lla(l4 + 8, len - 8, ND_OPT_SLLA, &slla)) < 0 ||
	    (unspec && o > 0)) {
		dp_drop(m, DP_DROP_nd_invalid);
		return;
	}
	if (o > 0 && on_link(t, md->in_port, ip->src_addr))
		nd6_learn(nd6_get(md->in_port, ip->src_addr), slla);
	sn = dp_ip6_subnet(t->ip6, ip->src_addr);
	if (sn >= 0 && t->cfg->subnets[sn].port != md->in_port)
		sn = -1;
	if (unspec)
		ra_send(t, md->in_port, NULL, NULL, -1);
	else
		ra_send(t, md->in_port, ip->src_addr, o > 0 ? slla : eth->src_addr.addr_bytes, sn);
	consumed(m, md);
}

static void
echo_input(struct rte_mbuf *m, struct dp_meta *md, struct rte_ipv6_hdr *ip, uint8_t *l4)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	uint8_t a[16];
	uint16_t c;

	/* addresses swapped: the pseudo-header sum is the same; only the type changes */
	eth->dst_addr = eth->src_addr;
	eth->src_addr = dp_g.ports[md->in_port].mac;
	memcpy(a, ip->src_addr, 16);
	memcpy(ip->src_addr, ip->dst_addr, 16);
	memcpy(ip->dst_addr, a, 16);
	ip->hop_limits = 64;
	l4[0] = ICMP6_ECHO_REPLY;
	memcpy(&c, l4 + 2, 2);
	c = csum_update16(c, rte_cpu_to_be_16(ICMP6_ECHO_REQUEST << 8),
			  rte_cpu_to_be_16(ICMP6_ECHO_REPLY << 8));
	memcpy(l4 + 2, &c, 2);
	dp_stats_self()->port[md->in_port].local++;
	dp_tx_generated(m, md->in_port);
}

void
dp_nd6_icmp_input(struct rte_mbuf *m, struct dp_meta *md, const struct dp_tables *t)
{
	struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, md->l3);
	uint8_t *l4 = rte_pktmbuf_mtod_offset(m, uint8_t *, md->l4);
	uint32_t len = rte_pktmbuf_pkt_len(m) - md->l4;
	bool mcast = dp_ip6_is_mcast(ip->dst_addr);
	uint8_t type = l4[0];

	/* the whole message in the first segment, its checksum right */
	if (rte_pktmbuf_data_len(m) != rte_pktmbuf_pkt_len(m) || (md->flags & DP_M_FRAG)) {
		dp_drop(m, DP_DROP_local_unhandled);
		return;
	}
	if (dp_ip6_l4_csum(ip, l4, len, IPPROTO_ICMPV6) != 0) {
		dp_drop(m, DP_DROP_icmp6_checksum);
		return;
	}
	if (type >= ND_ROUTER_SOLICIT && type <= ND_NEIGHBOR_ADVERT) {
		/* RFC 4861 §6.1.1, §7.1: from the link itself, code 0 */
		if (ip->hop_limits != 255 || l4[1] != 0) {
			dp_drop(m, DP_DROP_nd_invalid);
			return;
		}
		if (type == ND_NEIGHBOR_SOLICIT)
			nd_ns_input(m, md, t, ip, l4, len);
		else if (type == ND_NEIGHBOR_ADVERT)
			nd_na_input(m, md, ip, l4, len);
		else if (type == ND_ROUTER_SOLICIT)
			nd_rs_input(m, md, t, ip, l4, len);
		else
			consumed(m, md);    /* another router's RA: vpcgw is the router */
		return;
	}
	if (type == ICMP6_ECHO_REQUEST && !mcast && md->l4 == md->l3 + sizeof(*ip)) {
		echo_input(m, md, ip, l4);
		return;
	}
	dp_drop(m, mcast ? DP_DROP_ip6_dst_invalid : DP_DROP_local_unhandled);
}

/* ICMPv6 error type/code (word: the 4 bytes after the checksum) back to the
 * sender of m, quoting as much of m as fits 1280 bytes; rate-limited. */
static void
icmp6_error(struct rte_mbuf *m, struct dp_meta *md, const struct dp_tables *t, uint64_t now_ms,
	    uint8_t type, uint32_t word)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv6_hdr *oip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *,
								 md->l3);
	unsigned lc = rte_lcore_id() % RTE_MAX_LCORE;
	uint32_t quote = RTE_MIN((uint32_t)(rte_pktmbuf_data_len(m) - md->l3), (uint32_t)ICMP6_QUOTE_MAX);
	struct rte_mbuf *r;
	uint8_t *l4;

	/* RFC 4443 §2.4(e): never to a multicast or unspecified source */
	if (dp_ip6_is_mcast(oip->src_addr) || dp_ip6_is_unspec(oip->src_addr))
		return;
	if (now_ms * ICMP6_RATE_PER_S < icmp6_tokens_ms[lc])
		return;
	if (icmp6_tokens_ms[lc] + 1000 < now_ms * ICMP6_RATE_PER_S)
		icmp6_tokens_ms[lc] = now_ms * ICMP6_RATE_PER_S - 1000;
	icmp6_tokens_ms[lc] += 1000;
	r = icmp6_new(md->in_port, eth->src_addr.addr_bytes,
		      dp_ip6_src_for(t, md->in_port, oip->src_addr), oip->src_addr, 64,
		      (uint16_t)(8 + quote), &l4);
	if (r == NULL)
		return;
	l4[0] = type;
	word = rte_cpu_to_be_32(word);
	memcpy(l4 + 4, &word, 4);
	memcpy(l4 + 8, oip, quote);
	icmp6_send(r, md->in_port);
}

void
dp_nd6_time_exceeded(struct rte_mbuf *m, struct dp_meta *md, const struct dp_tables *t,
		     uint64_t now_ms)
{
	icmp6_error(m, md, t, now_ms, ICMP6_TIME_EXCEEDED, 0);
}

void
dp_nd6_too_big(struct rte_mbuf *m, struct dp_meta *md, const struct dp_tables *t,
	       uint64_t now_ms, uint32_t mtu)
{
	icmp6_error(m, md, t, now_ms, ICMP6_PACKET_TOO_BIG, mtu);
}

void
dp_nd6_periodic(const struct dp_tables *t, uint64_t now_ms)
{
	static uint64_t next_ms;

	if (t == NULL || t->ip6 == NULL || !t->ip6->vpc6)
		return;
	if (next_ms == 0 || now_ms + DP_RA_INTERVAL_MS < next_ms) {
		next_ms = now_ms + DP_RA_INTERVAL_MS;
		return;
	}
	if (now_ms < next_ms)
		return;
	next_ms = now_ms + DP_RA_INTERVAL_MS;
	for (int p = 0; p < t->cfg->n_ports; p++) {
		bool any = false;

		for (int i = 0; i < t->cfg->n_subnets; i++)
			any |= t->cfg->subnets[i].has_v6 && t->cfg->subnets[i].port == p;
		if (any)
			ra_send(t, (uint16_t)p, NULL, NULL, -1);
	}
}
