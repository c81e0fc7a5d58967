/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Neighbors (static and learned by ARP), ARP answers, and the per-worker
 * queue of packets waiting for a neighbor to answer.
 *
 * Shared: the neighbor hash (lock-free reads, multi-writer add) and the
 * entry array. The array's memory is never freed, but an entry that never
 * resolved is recycled by the control thread (dp_neigh_age) for another
 * address: so every reader checks an entry's address and port after a
 * lookup, and a stale pointer or a reused hash slot is only a miss. The MAC
 * and a valid bit are published with one 64-bit atomic store.
 */
#include <errno.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "dp/dp.h"
#include "dp/dp_worker.h"
#include "dp/ip6.h"

#define NEIGH_VALID DP_NEIGH_VALID

struct neigh_key {
	uint32_t addr;              /* host order */
	uint16_t port;
	uint16_t pad;
};

#define neigh dp_neigh              /* the entry; dp_worker.h, for the inline fast path */

#define NEIGH_INCOMPLETE_MS 60000   /* unresolved this long: the entry is recycled */

static struct {
	struct rte_hash *hash;
	struct rte_ring *free;      /* recycled entry indices */
	struct neigh *ent;
	uint32_t n;                 /* entries used (__atomic builtins) */
} nt;

/* When each learned entry was last confirmed by an ARP packet (the lcore's
 * clock, ms): for /vpcgw/neighbors' age; beside the entries so that the
 * inline fast path's struct stays as it is. */
static uint64_t neigh_seen_ms[DP_NEIGH_MAX];

int
dp_neigh_init(unsigned socket)
{
	struct rte_hash_parameters hp = {
		.name = "vpcgw_neigh",
		.entries = DP_NEIGH_MAX,
		.key_len = sizeof(struct neigh_key),
		.hash_func = rte_hash_crc,
		.socket_id = (int)socket,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_MULTI_WRITER_ADD,
	};

	nt.hash = rte_hash_create(&hp);
	nt.ent = rte_zmalloc("vpcgw_neigh_ent", sizeof(*nt.ent) * DP_NEIGH_MAX, 0);
	nt.free = rte_ring_create_elem("vpcgw_neigh_free", sizeof(uint32_t), DP_NEIGH_MAX,
				       (int)socket, 0);
	if (nt.hash == NULL || nt.ent == NULL || nt.free == NULL)
		return -ENOMEM;
	return dp_nd6_init(socket);
}

void
dp_neigh_free(void)
{
	rte_hash_free(nt.hash);
	rte_ring_free(nt.free);
	rte_free(nt.ent);
	memset(&nt, 0, sizeof(nt));
	dp_nd6_free();
}

static uint64_t
mac_pack(const struct rte_ether_addr *a)
{
	uint64_t v = 0;

	memcpy(&v, a->addr_bytes, 6);
	return v | NEIGH_VALID;
}

static struct neigh *
neigh_find(uint16_t port, uint32_t addr)
{
	struct neigh_key k = { .addr = addr, .port = port };
	struct neigh *e;
	void *d;

	if (rte_hash_lookup_data(nt.hash, &k, &d) < 0)
		return NULL;
	e = d;
	/* a recycled entry now serves another address */
	if (__atomic_load_n(&e->addr, __ATOMIC_ACQUIRE) != addr || e->port != port)
		return NULL;
	return e;
}

/* Find or create (without MAC). NULL when the table is full. */
static struct neigh *
neigh_get(uint16_t port, uint32_t addr)
{
	struct neigh_key k = { .addr = addr, .port = port };
	struct neigh *e = neigh_find(port, addr);
	uint32_t i;

	if (e != NULL)
		return e;
	if (rte_ring_mc_dequeue_elem(nt.free, &i, sizeof(i)) != 0) {
		i = __atomic_fetch_add(&nt.n, 1, __ATOMIC_RELAXED);
		if (i >= DP_NEIGH_MAX)
			return NULL;
	}
	e = &nt.ent[i];
	e->mac = 0;
	e->last_req_ms = 0;
	e->is_static = false;
	e->port = port;
	__atomic_store_n(&e->addr, addr, __ATOMIC_RELEASE);
	/* two workers may race to add the same neighbor: the hash keeps the
	 * last one; the other entry stays unused (bounded by the table) */
	if (rte_hash_add_key_data(nt.hash, &k, e) < 0)
		return NULL;
	return e;
}

int
dp_neigh_static(uint16_t port, uint32_t addr, const uint8_t mac[6])
{
	struct neigh *e = neigh_get(port, addr);
	struct rte_ether_addr a;

	if (e == NULL)
		return -ENOSPC;
	memcpy(a.addr_bytes, mac, 6);
	e->is_static = true;
	__atomic_store_n(&e->mac, mac_pack(&a), __ATOMIC_RELEASE);
	return 0;
}

/* The calling lcore's cache of neighbor entries, else the shared hash. */
static inline struct neigh *
neigh_find_cached(uint16_t port, uint32_t addr)
{
	struct dp_worker_ctx *w = dp_worker_self();
	uint32_t slot = dp_ncache_slot(port, addr);
	struct neigh *e;

	if (w == NULL)
		return neigh_find(port, addr);
	e = w->ncache[slot];
	/* an unresolved entry is looked up again: two lcores racing to add a
	 * neighbor leave one entry unused, and it must not stick here */
	if (e != NULL && e->addr == addr && e->port == port &&
	    (__atomic_load_n(&e->mac, __ATOMIC_RELAXED) & NEIGH_VALID))
		return e;
	e = neigh_find(port, addr);
	if (e != NULL)
		w->ncache[slot] = e;
	return e;
}

bool
dp_neigh_lookup(uint16_t port, uint32_t addr, struct rte_ether_addr *mac)
{
	struct neigh *e = neigh_find_cached(port, addr);
	uint64_t v;

	if (e == NULL)
		return false;
	v = __atomic_load_n(&e->mac, __ATOMIC_ACQUIRE);
	if (!(v & NEIGH_VALID))
		return false;
	memcpy(mac->addr_bytes, &v, 6);
	return true;
}

void
dp_neigh_learn(uint16_t port, uint32_t addr, const struct rte_ether_addr *mac)
{
	struct neigh *e = neigh_get(port, addr);
	uint64_t v;

	if (e == NULL || e->is_static)
		return;
	if (dp_worker_self() != NULL)
		__atomic_store_n(&neigh_seen_ms[e - nt.ent], dp_worker_self()->now_ms,
				 __ATOMIC_RELAXED);
	v = mac_pack(mac);
	if (__atomic_load_n(&e->mac, __ATOMIC_RELAXED) != v)
		__atomic_store_n(&e->mac, v, __ATOMIC_RELEASE);
}

unsigned
dp_neigh_count(void)
{
	uint32_t n = __atomic_load_n(&nt.n, __ATOMIC_RELAXED);

	return n > DP_NEIGH_MAX ? DP_NEIGH_MAX : n;
}

unsigned
dp_neigh_dump(char *buf, size_t len)
{
	unsigned n = dp_neigh_count(), w = 0;

	for (unsigned i = 0; i < n && w < len; i++) {
		const struct neigh *e = &nt.ent[i];
		uint64_t v = __atomic_load_n(&e->mac, __ATOMIC_ACQUIRE);
		uint8_t b[8];
		char ip[16];

		memcpy(b, &v, 8);
		w += (unsigned)snprintf(buf + w, len - w,
			"%s{\"port\":%u,\"address\":\"%s\",\"mac\":\"%02x:%02x:%02x:%02x:%02x:%02x\",\"state\":\"%s\"}",
			w ? "," : "", e->port, cfg_ipv4_str(e->addr, ip, sizeof(ip)),
			b[0], b[1], b[2], b[3], b[4], b[5],
			e->is_static ? "static" : (v & NEIGH_VALID) ? "reachable" : "incomplete");
	}
	return w;
}

/* Entry i for /vpcgw/neighbors (telemetry thread, relaxed reads): -ENOENT
 * when it is unused or recycled. */
int
dp_neigh_get(unsigned i, struct dp_neigh_info *out)
{
	const struct neigh *e;
	uint64_t v;

	if (i >= dp_neigh_count())
		return -ERANGE;
	e = &nt.ent[i];
	*out = (struct dp_neigh_info){ .addr = __atomic_load_n(&e->addr, __ATOMIC_ACQUIRE),
				       .port = e->port };
	if (out->addr == 0)
		return -ENOENT;
	v = __atomic_load_n(&e->mac, __ATOMIC_ACQUIRE);
	memcpy(out->mac, &v, 6);
	out->state = e->is_static ? DP_NEIGH_STATIC : (v & NEIGH_VALID) ? DP_NEIGH_REACHABLE :
		     DP_NEIGH_INCOMPLETE;
	out->seen_ms = __atomic_load_n(&neigh_seen_ms[i], __ATOMIC_RELAXED);
	out->req_ms = __atomic_load_n(&e->last_req_ms, __ATOMIC_RELAXED);
	return 0;
}

/* ------------------------------------------------------------ ARP */

static struct rte_mbuf *
arp_build(uint16_t out_port, uint16_t op, const struct rte_ether_addr *dst_mac,
	  uint32_t sip, uint32_t tip, const struct rte_ether_addr *tha)
{
	const struct dp_port_rt *p = &dp_g.ports[out_port];
	struct rte_mbuf *m = dp_pkt_alloc();
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;

	if (m == NULL)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + sizeof(*arp));
	arp = (struct rte_arp_hdr *)(eth + 1);
	eth->dst_addr = *dst_mac;
	eth->src_addr = p->mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(op);
	arp->arp_data.arp_sha = p->mac;
	arp->arp_data.arp_sip = rte_cpu_to_be_32(sip);
	arp->arp_data.arp_tha = *tha;
	arp->arp_data.arp_tip = rte_cpu_to_be_32(tip);
	dp_meta(m)->in_port = (uint8_t)out_port;
	return m;
}

/* The address vpcgw uses as ARP sender on a port toward nh. */
static uint32_t
arp_source(uint16_t port, uint32_t nh)
{
	const struct dp_tables *t = atomic_load_explicit(&dp_g.tables, memory_order_acquire);
	const struct cfg *cfg = t->cfg;

	for (int i = 0; i < cfg->n_subnets; i++)
		if (cfg->subnets[i].port == port && cfg_prefix_contains(&cfg->subnets[i].cidr, nh))
			return cfg->subnets[i].cidr.addr + 1;
	return dp_g.ports[port].addr;
}

static void
arp_request(uint16_t port, uint32_t nh)
{
	static const struct rte_ether_addr bcast = {{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }};
	static const struct rte_ether_addr zero;
	struct rte_mbuf *m = arp_build(port, RTE_ARP_OP_REQUEST, &bcast, arp_source(port, nh), nh,
				       &zero);

	if (m == NULL) {
		dp_stats_self()->drops[DP_DROP_no_mbuf]++;
		return;
	}
	dp_tx_generated(m, port);
}

void
dp_arp_input(struct rte_mbuf *m, uint16_t in_port, const struct dp_tables *t)
{
	struct dp_meta *md = dp_meta(m);
	struct rte_arp_hdr *arp;
	uint32_t sip, tip, v;

	if (rte_pktmbuf_data_len(m) < md->l3 + sizeof(*arp)) {
		dp_drop(m, DP_DROP_arp_malformed);
		return;
	}
	arp = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, md->l3);
	if (arp->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != 4) {
		dp_drop(m, DP_DROP_arp_malformed);
		return;
	}
	sip = rte_be_to_cpu_32(arp->arp_data.arp_sip);
	tip = rte_be_to_cpu_32(arp->arp_data.arp_tip);
	/* learn from any ARP naming a sender we already wait for or know,
	 * and from every reply (RFC 826 merge) */
	if (sip != 0 && (arp->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REPLY) ||
			 neigh_find(in_port, sip) != NULL))
		dp_neigh_learn(in_port, sip, &arp->arp_data.arp_sha);
	if (arp->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REQUEST)) {
		struct rte_mbuf *r;
		struct rte_ether_addr sha = arp->arp_data.arp_sha;

		if (!dp_map_get(&t->local, dp_local_key(tip, t->port_zone[in_port]), &v) ||
		    DP_LOCAL_PORT(v) != in_port) {
			dp_drop(m, DP_DROP_arp_not_for_us);
			return;
		}
		dp_neigh_learn(in_port, sip, &sha);
		r = arp_build(in_port, RTE_ARP_OP_REPLY, &sha, tip, sip, &sha);
		if (r != NULL)
			dp_tx_generated(r, in_port);
		else
			dp_stats_self()->drops[DP_DROP_no_mbuf]++;
	}
	dp_stats_self()->port[in_port].local++;
	rte_pktmbuf_free(m);
}

/* ------------------------------------------------------------ wait queue */

static void
l2_rewrite_send(struct rte_mbuf *m, uint16_t out_port, const struct rte_ether_addr *dmac)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	eth->dst_addr = *dmac;
	eth->src_addr = dp_g.ports[out_port].mac;
	dp_tx_enqueue(m, out_port);
}

void
dp_neigh_output(struct rte_mbuf *m, uint16_t out_port, uint32_t nh, uint64_t now_ms)
{
	struct dp_worker_ctx *w = dp_worker_self();
	struct rte_ether_addr mac;
	struct neigh *e;

	if (dp_neigh_lookup(out_port, nh, &mac)) {
		/* packets that waited for this neighbor leave before this one */
		if (w->arpq_n != 0)
			dp_neigh_poll(now_ms, false);
		l2_rewrite_send(m, out_port, &mac);
		return;
	}
	if (w->arpq_n == DP_ARPQ_SIZE) {
		dp_drop(m, DP_DROP_arp_queue_full);
		return;
	}
	e = neigh_get(out_port, nh);
	if (e == NULL) {
		dp_drop(m, DP_DROP_arp_queue_full);
		return;
	}
	w->arpq[w->arpq_n].m = m;
	w->arpq[w->arpq_n].port = out_port;
	w->arpq[w->arpq_n].nh = nh;
	w->arpq[w->arpq_n].since_ms = now_ms;
	w->arpq_n++;
	if (e->last_req_ms == 0 || now_ms - e->last_req_ms >= DP_ARP_RETRY_MS) {
		e->last_req_ms = now_ms ? now_ms : 1;
		arp_request(out_port, nh);
	}
}

bool
dp_neigh_resolve(uint16_t port, uint32_t addr, uint64_t now_ms, struct rte_ether_addr *mac)
{
	struct neigh *e;

	if (dp_neigh_lookup(port, addr, mac))
		return true;
	e = neigh_get(port, addr);
	if (e != NULL && (e->last_req_ms == 0 || now_ms - e->last_req_ms >= DP_ARP_RETRY_MS)) {
		e->last_req_ms = now_ms ? now_ms : 1;
		arp_request(port, addr);
	}
	return false;
}

void
dp_neigh_poll(uint64_t now_ms, bool flush_all)
{
	struct dp_worker_ctx *w = dp_worker_self();
	struct rte_ether_addr mac[DP_ARPQ_SIZE];
	bool resolved[DP_ARPQ_SIZE];
	unsigned keep = 0;

	/*
	 * Another lcore may learn a neighbor while this runs, and an entry
	 * never goes back to unresolved: asked newest first, a neighbor's
	 * resolved packets are always its oldest ones, so what leaves now
	 * never overtakes what waits for the next poll (in queue order, one
	 * neighbor seen unresolved then resolved would reorder its packets).
	 */
	for (unsigned i = w->arpq_n; i-- > 0;) {
		uint64_t v;

		if (!(w->arpq[i].port & DP_WAIT_ND6)) {
			resolved[i] = dp_neigh_lookup(w->arpq[i].port, w->arpq[i].nh, &mac[i]);
			continue;
		}
		resolved[i] = dp_nd6_wait_lookup(w->arpq[i].nh, &v);
		memcpy(mac[i].addr_bytes, &v, 6);
	}
	for (unsigned i = 0; i < w->arpq_n; i++) {
		struct dp_arp_wait *q = &w->arpq[i];
		bool v6 = q->port & DP_WAIT_ND6;

		if (resolved[i]) {
			l2_rewrite_send(q->m, q->port & ~DP_WAIT_ND6, &mac[i]);
		} else if (flush_all) {
			dp_drop(q->m, DP_DROP_shutdown);
		} else if (now_ms - q->since_ms >= DP_ARP_WAIT_MS) {
			dp_drop(q->m, v6 ? DP_DROP_nd_timeout : DP_DROP_arp_timeout);
		} else if (v6) {
			dp_nd6_wait_retry(q->nh, q->port & ~DP_WAIT_ND6, now_ms);
			w->arpq[keep++] = *q;
		} else {
			struct neigh *e = neigh_find(q->port, q->nh);

			if (e != NULL && now_ms - e->last_req_ms >= DP_ARP_RETRY_MS) {
				e->last_req_ms = now_ms;
				arp_request(q->port, q->nh);
			}
			w->arpq[keep++] = *q;
		}
	}
	w->arpq_n = keep;
}

/*
 * Control thread: entries that asked and never got an answer for
 * NEIGH_INCOMPLETE_MS go back to the free list, so that scans of unused
 * addresses cannot fill the table. Resolved and static entries stay.
 */
void
dp_neigh_age(uint64_t now_ms)
{
	unsigned n = dp_neigh_count();

	dp_nd6_age(now_ms);
	for (uint32_t i = 0; i < n; i++) {
		struct neigh *e = &nt.ent[i];
		struct neigh_key k;
		int32_t pos;

		if (e->is_static || e->addr == 0 ||
		    (__atomic_load_n(&e->mac, __ATOMIC_RELAXED) & NEIGH_VALID) ||
		    e->last_req_ms == 0 || now_ms < e->last_req_ms + NEIGH_INCOMPLETE_MS)
			continue;
		k = (struct neigh_key){ .addr = e->addr, .port = e->port };
		pos = rte_hash_del_key(nt.hash, &k);
		if (pos >= 0)
			rte_hash_free_key_with_position(nt.hash, pos);
		__atomic_store_n(&e->addr, 0, __ATOMIC_RELEASE);
		rte_ring_mp_enqueue_elem(nt.free, &i, sizeof(i));
	}
}
