/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_jhash.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "dp/dp_flow.h"
#include "nat/nat.h"

/* Destination slot key: one NAT address toward one (IP, port, protocol). */
struct nat_dest_key {
	uint32_t nat_addr;          /* network order */
	uint32_t dst;
	uint16_t dport;
	uint8_t proto;
	uint8_t pad;
};

static struct {
	struct rte_hash *dest;      /* nat_dest_key → index into count */
	uint32_t *count;    /* connections per destination slot */
	uint32_t next;              /* __atomic builtins */
	uint32_t cap;
} nd;

int
nat_init(int socket, uint32_t capacity)
{
	struct rte_hash_parameters hp = {
		.name = "vpcgw_nat_dest",
		.entries = capacity,
		.key_len = sizeof(struct nat_dest_key),
		.hash_func = rte_hash_crc,
		.socket_id = socket,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_MULTI_WRITER_ADD,
	};

	nd.cap = capacity;
	nd.dest = rte_hash_create(&hp);
	nd.count = rte_zmalloc("vpcgw_nat_count", sizeof(*nd.count) * capacity, 0);
	if (nd.dest == NULL || nd.count == NULL)
		return -ENOMEM;
	return 0;
}

void
nat_fini(void)
{
	rte_hash_free(nd.dest);
	rte_free(nd.count);
	memset(&nd, 0, sizeof(nd));
}

uint32_t
nat_dest_entries(void)
{
	return __atomic_load_n(&nd.next, __ATOMIC_RELAXED);
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

/* Counter slot of a destination; slots are never removed (bounded by nd.cap). */
static uint32_t *
dest_slot(const struct nat_dest_key *k)
{
	void *d;
	uint32_t i;

	if (rte_hash_lookup_data(nd.dest, k, &d) >= 0)
		return &nd.count[(uintptr_t)d];
	i = __atomic_fetch_add(&nd.next, 1, __ATOMIC_RELAXED);
	if (i >= nd.cap)
		return NULL;
	/* two workers may add the same key at once: the hash keeps one
	 * index; the other slot is wasted, never wrong (bounded) */
	if (rte_hash_add_key_data(nd.dest, k, (void *)(uintptr_t)i) < 0)
		return NULL;
	if (rte_hash_lookup_data(nd.dest, k, &d) < 0)
		return NULL;
	return &nd.count[(uintptr_t)d];
}

static uint32_t
flow_seed(const struct dp_flow_key *k)
{
	return rte_jhash_3words(k->src, k->dst, (uint32_t)k->sport << 16 | k->dport, k->proto);
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
		struct nat_dest_key dk = {
			.nat_addr = gw->addrs[a], .dst = k0->dst,
			.dport = k0->proto == IPPROTO_ICMP ? 0 : k0->dport, .proto = k0->proto,
		};
		uint32_t *cnt = dest_slot(&dk);
		uint32_t start = (seed + (uint32_t)a * 7919u) % share;

		if (cnt == NULL || __atomic_load_n(cnt, __ATOMIC_RELAXED) >= gw->max_per_dest)
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
			__atomic_fetch_add(cnt, 1, __ATOMIC_RELAXED);
			return 0;
		}
	}
	return DP_DROP_nat_port_allocation;
}

void
nat_flow_deleted(const struct dp_flow *f)
{
	struct nat_dest_key dk = {
		.nat_addr = f->key[1].dst, .dst = f->key[1].src,
		.dport = f->key[1].proto == IPPROTO_ICMP ? 0 : f->key[1].sport,
		.proto = f->key[1].proto,
	};
	void *d;

	if (rte_hash_lookup_data(nd.dest, &dk, &d) >= 0)
		__atomic_fetch_sub(&nd.count[(uintptr_t)d], 1, __ATOMIC_RELAXED);
}
