/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "dp/dp_flow.h"
#include "nat/nat.h"

/*
 * Per (NAT address, destination IP, port, protocol), in a fixed array
 * indexed by a hash of the four, so nothing is allocated or freed as
 * destinations come and go:
 * - the connections, for the 55,000 cap. Destinations that share an entry
 *   share the cap: one of them is refused early only if the ones in its
 *   entry hold max_ports_per_destination connections from the same address
 *   together (1 in 2^20 entries; documented approximation);
 * - the next port to try toward them (RFC 6056 §3.3.4, "double-hash": a
 *   per-destination offset from the hash, then one port after the other).
 *   The ports of a destination are handed out in turn and, under churn,
 *   come back in about the same order, so the first candidate is nearly
 *   always free: one flow-index probe per connection, and that one asked
 *   for ahead (alloc_port).
 */
#define NAT_DEST_BITS 20
#define NAT_NEXT_BITS 16        /* per worker: 128 KB of uint16_t */

static struct {
	uint32_t *count;        /* __atomic builtins */
	uint16_t *next[DP_MAX_WORKERS]; /* slot + 1 of the last port handed out; 0: none */
	unsigned n_next;
} nd;

int
nat_init(int socket, uint32_t capacity, unsigned n_workers)
{
	(void)capacity;
	/* written here (rte_zmalloc), so the packet path takes no page fault */
	nd.count = rte_zmalloc_socket("vpcgw_nat_count", sizeof(*nd.count) << NAT_DEST_BITS, 0,
				      socket);
	if (nd.count == NULL)
		return -ENOMEM;
	nd.n_next = RTE_MIN(n_workers, (unsigned)DP_MAX_WORKERS);
	for (unsigned w = 0; w < nd.n_next; w++) {
		nd.next[w] = rte_zmalloc_socket("vpcgw_nat_next", sizeof(uint16_t) << NAT_NEXT_BITS,
						0, socket);
		if (nd.next[w] == NULL)
			return -ENOMEM;
	}
	return 0;
}

void
nat_fini(void)
{
	rte_free(nd.count);
	nd.count = NULL;
	for (unsigned w = 0; w < nd.n_next; w++) {
		rte_free(nd.next[w]);
		nd.next[w] = NULL;
	}
	nd.n_next = 0;
}

uint32_t
nat_dest_entries(void)
{
	return 1u << NAT_DEST_BITS;
}

static inline uint32_t
dest_hash(uint32_t nat_addr, uint32_t dst, uint16_t dport, uint8_t proto)
{
	return rte_hash_crc_4byte(nat_addr, rte_hash_crc_4byte(dst, ((uint32_t)dport << 8 | proto)));
}

static inline uint32_t *
dest_count(uint32_t h)
{
	return &nd.count[h >> (32 - NAT_DEST_BITS)];
}

static inline uint32_t *
dest_slot(uint32_t nat_addr, uint32_t dst, uint16_t dport, uint8_t proto)
{
	return dest_count(dest_hash(nat_addr, dst, dport, proto));
}

int
nat_build(struct dp_tables *t)
{
	const struct cfg *cfg = t->cfg;

	t->nat = calloc(1, sizeof(*t->nat));
	if (t->nat == NULL)
		return -ENOMEM;
	t->nat->n_gw = cfg->n_nat_gateways;
	for (int i = 0; i < cfg->n_nat_gateways; i++) {
		const struct cfg_nat_gateway *g = &cfg->nat_gateways[i];
		struct nat_gw_rt *r = &t->nat->gw[i];

		r->n_addrs = g->n_addrs;
		for (int a = 0; a < g->n_addrs; a++)
			r->addrs[a] = rte_cpu_to_be_32(g->addrs[a]);
		r->idle_s = g->idle_timeout;
		r->max_per_dest = g->max_ports_per_dest ? g->max_ports_per_dest : 55000;
		r->subnet = g->subnet;
	}
	/* gateways that NAT64 routes lead to (config/cfg_ip6.c allows them
	 * for destinations in 64:ff9b::/96 only) */
	for (int i = 0; i < cfg->n_route_tables; i++)
		for (int k = 0; k < cfg->route_tables[i].n_routes; k++) {
			const struct cfg_route *rt = &cfg->route_tables[i].routes[k];

			if (rt->v6 && rt->kind == CFG_TARGET_NAT && rt->ref >= 0 &&
			    rt->ref < t->nat->n_gw) {
				t->nat->gw[rt->ref].nat64 = true;
				t->nat->any64 = true;
			}
		}
	return 0;
}

void
nat_free(struct dp_tables *t)
{
	free(t->nat);
	t->nat = NULL;
}

/* The reply key toward the NAT address of a connection to (dst, dport,
 * proto) that got port. */
static inline struct dp_flow_key
reply_key(uint32_t addr, uint32_t dst, uint16_t dport, uint8_t proto, uint8_t zone,
	  uint16_t port)
{
	struct dp_flow_key k = { .src = dst, .dst = addr, .proto = proto, .zone = zone };

	/* echo reply: id in dport */
	k.sport = proto == IPPROTO_ICMP ? 0 : dport;
	k.dport = rte_cpu_to_be_16(port);
	return k;
}

/*
 * A port of this worker's share at one of gw's addresses for a connection
 * to (dst, dport, proto): key[1] (zone zone) of f and the rest of f filled.
 * A port is free when the reply key is in neither zone that can hold it:
 * NAT64 flows' replies (zone NAT_ZONE_NAT64) share the gateway's ports
 * with IPv4 ones (zone 0), probed only on gateways that have NAT64 routes.
 * The first candidate is the port after the destination's last one (in this
 * worker's share), then an odd stride over the share; the next connection's
 * first candidate is asked for from the flow index before it comes.
 */
static int
alloc_port(const struct nat_gw_rt *gw, int g, struct dp_flow *f, uint32_t dst, uint16_t dport,
	   uint8_t proto, uint8_t zone, unsigned worker, unsigned n_workers)
{
	uint32_t share = (NAT_PORT_MAX - NAT_PORT_MIN + 1 - worker + n_workers - 1) / n_workers;

	/* addresses in order: the first fills before the second is used */
	for (int a = 0; a < gw->n_addrs; a++) {
		uint32_t dh = dest_hash(gw->addrs[a], dst, proto == IPPROTO_ICMP ? 0 : dport,
					proto);
		uint32_t *cnt = dest_count(dh);
		/* this worker's own: the same ports in every run */
		uint16_t *next = worker < nd.n_next ?
				 &nd.next[worker][dh & ((1u << NAT_NEXT_BITS) - 1)] : NULL;
		/* RFC 6056's offset: bits of the hash neither index takes */
		uint32_t start = (next != NULL && *next != 0 ? *next : (dh >> 8) & 0xfff) % share;

		if (__atomic_load_n(cnt, __ATOMIC_RELAXED) >= gw->max_per_dest)
			continue;
		for (uint32_t i = 0; i < NAT_PORT_TRIES; i++) {
			/* odd stride over this worker's share: distinct candidates */
			uint32_t slot = (start + i * 40503u) % share;
			uint16_t port = (uint16_t)(NAT_PORT_MIN + worker + slot * n_workers);
			struct dp_flow_key k1 = reply_key(gw->addrs[a], dst, dport, proto, zone,
							  port);

			if (dp_flow_key_exists(&k1))
				continue;
			if (zone != 0 || gw->nat64) {
				struct dp_flow_key o = k1;

				o.zone = zone != 0 ? 0 : NAT_ZONE_NAT64;
				if (dp_flow_key_exists(&o))
					continue;
			}
			f->key[1] = k1;
			f->kind = DP_FLOW_NAT;
			f->svc = (uint16_t)g;
			f->aux = (uint16_t)a;
			f->idle_s = gw->idle_s;
			/* only this worker hands out ports of its share: no one
			 * can take k1 between the probe and the insert */
			f->flags |= DP_FLOW_F_KEY1_FREE;
			__atomic_fetch_add(cnt, 1, __ATOMIC_RELAXED);
			if (next == NULL)
				return 0;
			*next = (uint16_t)(slot + 1);
			k1 = reply_key(gw->addrs[a], dst, dport, proto, zone,
				       (uint16_t)(NAT_PORT_MIN + worker +
						  ((slot + 1) % share) * n_workers));
			dp_flow_key_prefetch(&k1);
			return 0;
		}
	}
	return DP_DROP_nat_port_allocation;
}

int
nat_flow_init(const struct dp_tables *t, int g, struct dp_flow *f, unsigned worker,
	      unsigned n_workers)
{
	const struct dp_flow_key *k0 = &f->key[0];

	return alloc_port(&t->nat->gw[g], g, f, k0->dst, k0->dport, k0->proto, 0, worker,
			  n_workers);
}

int
nat64_flow_init(const struct dp_tables *t, int g, struct dp_flow *f, uint32_t dst4,
		uint16_t dport, uint8_t proto4, unsigned worker, unsigned n_workers)
{
	return alloc_port(&t->nat->gw[g], g, f, dst4, dport, proto4, NAT_ZONE_NAT64,
			  worker, n_workers);
}

void
nat_flow_deleted(const struct dp_flow *f)
{
	uint32_t *cnt = dest_slot(f->key[1].dst, f->key[1].src,
				  f->key[1].proto == IPPROTO_ICMP ? 0 : f->key[1].sport,
				  f->key[1].proto);

	__atomic_fetch_sub(cnt, 1, __ATOMIC_RELAXED);
}
