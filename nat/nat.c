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
 * Connections per (NAT address, destination IP, port, protocol), for the
 * 55,000 cap: a fixed array of counters indexed by a hash of the four, so
 * nothing is allocated or freed as destinations come and go. Destinations
 * that share a counter share the cap: one of them is refused early only if
 * the ones in its bucket hold max_ports_per_destination connections from the
 * same address together (1 in 2^20 buckets; documented approximation).
 */
#define NAT_DEST_BITS 20

static struct {
	uint32_t *count;        /* __atomic builtins */
} nd;

int
nat_init(int socket, uint32_t capacity)
{
	(void)capacity;
	nd.count = rte_zmalloc_socket("vpcgw_nat_count", sizeof(*nd.count) << NAT_DEST_BITS, 0,
				      socket);
	return nd.count == NULL ? -ENOMEM : 0;
}

void
nat_fini(void)
{
	rte_free(nd.count);
	nd.count = NULL;
}

uint32_t
nat_dest_entries(void)
{
	return 1u << NAT_DEST_BITS;
}

static inline uint32_t *
dest_slot(uint32_t nat_addr, uint32_t dst, uint16_t dport, uint8_t proto)
{
	uint32_t h = rte_hash_crc_4byte(nat_addr, rte_hash_crc_4byte(dst,
				((uint32_t)dport << 8 | proto)));

	return &nd.count[h >> (32 - NAT_DEST_BITS)];
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
	return 0;
}

void
nat_free(struct dp_tables *t)
{
	free(t->nat);
	t->nat = NULL;
}

static uint32_t
flow_seed(const struct dp_flow_key *k)
{
	return rte_hash_crc_4byte(k->src, rte_hash_crc_4byte(k->dst,
				  rte_hash_crc_4byte((uint32_t)k->sport << 16 | k->dport, k->proto)));
}

int
nat_flow_init(const struct dp_tables *t, int g, struct dp_flow *f, unsigned worker,
	      unsigned n_workers)
{
	const struct nat_gw_rt *gw = &t->nat->gw[g];
	const struct dp_flow_key *k0 = &f->key[0];
	uint32_t share = (NAT_PORT_MAX - NAT_PORT_MIN + 1 - worker + n_workers - 1) / n_workers;
	uint32_t seed = flow_seed(k0);

	/* addresses in order: the first fills before the second is used */
	for (int a = 0; a < gw->n_addrs; a++) {
		uint32_t *cnt = dest_slot(gw->addrs[a], k0->dst,
					  k0->proto == IPPROTO_ICMP ? 0 : k0->dport, k0->proto);
		uint32_t start = (seed + (uint32_t)a * 7919u) % share;

		if (__atomic_load_n(cnt, __ATOMIC_RELAXED) >= gw->max_per_dest)
			continue;
		for (uint32_t i = 0; i < NAT_PORT_TRIES; i++) {
			/* odd stride over this worker's share: distinct candidates */
			uint32_t slot = (start + i * 40503u) % share;
			uint16_t port = (uint16_t)(NAT_PORT_MIN + worker + slot * n_workers);
			struct dp_flow_key k1 = {
				.src = k0->dst, .dst = gw->addrs[a], .proto = k0->proto,
			};

			if (k0->proto == IPPROTO_ICMP) {
				k1.sport = 0;   /* echo reply: id in dport */
				k1.dport = rte_cpu_to_be_16(port);
			} else {
				k1.sport = k0->dport;
				k1.dport = rte_cpu_to_be_16(port);
			}
			if (dp_flow_key_exists(&k1))
				continue;
			f->key[1] = k1;
			f->kind = DP_FLOW_NAT;
			f->svc = (uint16_t)g;
			f->aux = (uint16_t)a;
			f->idle_s = gw->idle_s;
			/* only this worker hands out ports of its share: no one
			 * can take k1 between the probe and the insert */
			f->flags |= DP_FLOW_F_KEY1_FREE;
			__atomic_fetch_add(cnt, 1, __ATOMIC_RELAXED);
			return 0;
		}
	}
	return DP_DROP_nat_port_allocation;
}

void
nat_flow_deleted(const struct dp_flow *f)
{
	uint32_t *cnt = dest_slot(f->key[1].dst, f->key[1].src,
				  f->key[1].proto == IPPROTO_ICMP ? 0 : f->key[1].sport,
				  f->key[1].proto);

	__atomic_fetch_sub(cnt, 1, __ATOMIC_RELAXED);
}
