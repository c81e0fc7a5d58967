/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Network Load Balancer tables and new-flow placement (SPEC §4).
 *
 * lb_build() turns the configuration into flat arrays (listeners, target
 * groups, targets) and one Maglev table per target group over its usable
 * targets. Everything in struct lb_state is immutable once the tables are
 * published, except tgs[].maglev, which the control thread replaces when a
 * target's health changes (lb_tg_publish; the old table is freed after an
 * RCU grace period by the caller).
 *
 * Placement: the flow hash (lb/maglev.h) covers the client's packet as it
 * reaches the NLB address: protocol, source and destination address and
 * port, all in host byte order, plus the SYN's sequence number (host order)
 * for TCP. The flow then keeps its target for its life (the choice is stored
 * in the flow), whatever later happens to the table.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>

#include "dp/dp.h"
#include "dp/dp_flow.h"
#include "dp/dp_worker.h"
#include "dp/health.h"
#include "dp/ip6.h"
#include "lb/lb.h"
#include "lb/maglev.h"

#define LB_UDP_IDLE_S 120
#define LB_PORT_LO 1024u
#define LB_PORT_HI 65535u
#define LB_PORT_TRIES 64

static inline uint64_t
listener_key(uint32_t addr, uint8_t proto, uint16_t port)
{
	return ((uint64_t)addr << 24) | ((uint64_t)proto << 16) | port;
}

static inline uint64_t
target_key(uint32_t addr, uint16_t port)
{
	return ((uint64_t)addr << 16) | port;
}

/* The identity of global target i of lb (a target of an ipv6 group when v6):
 * its address, an IPv6 one folded as the health engine folds it, and port,
 * host order. Maglev's permutations, target_by_key and the deregistration
 * check all use it. */
static inline uint64_t
target_id(const struct lb_state *lb, bool v6, int i)
{
	return target_key(v6 ? dp_health_fold6(lb->target_addr6[i]) :
			       rte_be_to_cpu_32(lb->target_addr[i]),
			  rte_be_to_cpu_16(lb->target_port[i]));
}

/*
 * Build a Maglev table for group g. usable[i] selects target i of the group;
 * when none is usable every target is (fail open: AWS sends to all targets
 * when all are unhealthy). Returns NULL on allocation failure.
 */
static struct lb_maglev *
maglev_new(const struct lb_state *lb, int g, const bool *usable)
{
	const struct lb_tg_rt *tg = &lb->tgs[g];
	uint64_t keys[DP_MAX_TARGETS];
	bool use[DP_MAX_TARGETS];
	bool any = false;
	struct lb_maglev *mg;
	uint32_t size;

	for (int i = 0; i < tg->n; i++) {
		keys[i] = target_id(lb, tg->ipv6, tg->first + i);
		use[i] = usable[i];
		any |= usable[i];
	}
	if (!any)
		for (int i = 0; i < tg->n; i++)
			use[i] = true;
	size = lb_maglev_size((uint32_t)tg->n);
	mg = malloc(sizeof(*mg) + sizeof(uint32_t) * size);
	if (mg == NULL)
		return NULL;
	mg->size = size;
	mg->slots = (uint32_t *)(mg + 1);
	if (lb_maglev_build(mg->slots, size, keys, NULL, use, (uint32_t)tg->n) < 0) {
		free(mg);
		return NULL;
	}
	return mg;
}

int
lb_tg_publish(struct dp_tables *t, int g, const bool *usable, struct lb_maglev **old)
{
	struct lb_state *lb = t->lb;
	struct lb_tg_rt *tg = &lb->tgs[g];
	struct lb_maglev *mg;

	*old = NULL;
	if (tg->n == 0 || memcmp(&lb->usable[tg->first], usable, sizeof(bool) * tg->n) == 0)
		return 0;
	mg = maglev_new(lb, g, usable);
	if (mg == NULL)
		return -ENOMEM;
	memcpy(&lb->usable[tg->first], usable, sizeof(bool) * tg->n);
	/* pairs with the acquire load in lb_flow_init(): slots are written before */
	*old = atomic_exchange_explicit(&tg->maglev, mg, memory_order_acq_rel);
	return 0;
}

/*
 * NLB tables of a generation. Long (~90 lines) because it is three passes
 * that depend on each other in order: target groups (addresses, ports, the
 * target index), their health carried over from the running tables and
 * their Maglev tables, then the listeners pointing into them; on failure
 * dp_tables_free() cleans up whatever was built.
 */
int
lb_build(struct dp_tables *t)
{
	const struct cfg *cfg = t->cfg;
	struct lb_state *lb;
	int nl = 0, nt = 0;

	for (int i = 0; i < cfg->n_nlbs; i++)
		nl += cfg->nlbs[i].n_listeners;
	for (int g = 0; g < cfg->n_target_groups; g++)
		nt += cfg->target_groups[g].n_targets;
	if (nl > DP_MAX_LISTENERS || nt > DP_MAX_TARGETS || cfg->n_nlbs > DP_MAX_NLB ||
	    cfg->n_target_groups > DP_MAX_TARGETS)
		return -ENOSPC;
	lb = calloc(1, sizeof(*lb));
	if (lb == NULL)
		return -ENOMEM;
	t->lb = lb;
	if (dp_map_init(&lb->by_key, (uint32_t)nl) < 0 ||
	    dp_map_init(&lb->target_by_key, (uint32_t)nt) < 0)
		return -ENOMEM;     /* dp_tables_free() → lb_free() cleans up */

	/* target groups first: listeners point into them */
	nt = 0;
	for (int g = 0; g < cfg->n_target_groups; g++) {
		const struct cfg_target_group *ctg = &cfg->target_groups[g];
		struct lb_tg_rt *tg = &lb->tgs[g];

		tg->first = nt;
		tg->n = ctg->n_targets;
		tg->preserve_client_ip = ctg->preserve_client_ip;
		tg->ipv6 = ctg->ipv6;
		for (int i = 0; i < ctg->n_targets; i++, nt++) {
			uint16_t port = ctg->targets[i].port;
			uint64_t k;
			uint32_t v;

			if (port == 0)
				port = ctg->port;
			lb->target_addr[nt] = rte_cpu_to_be_32(ctg->targets[i].addr);
			memcpy(lb->target_addr6[nt], ctg->targets[i].addr6, 16);
			lb->target_port[nt] = rte_cpu_to_be_16(port);
			k = target_id(lb, ctg->ipv6, nt);
			if (!dp_map_get(&lb->target_by_key, k, &v))
				dp_map_set(&lb->target_by_key, k, (uint32_t)nt);
		}
	}
	lb->n_tgs = cfg->n_target_groups;
	for (int g = 0; g < lb->n_tgs; g++) {
		const struct cfg_target_group *ctg = &cfg->target_groups[g];
		struct lb_tg_rt *tg = &lb->tgs[g];
		struct lb_maglev *mg;

		if (tg->n == 0)
			continue;
		/* health carried over from the running tables, by identity */
		for (int i = 0; i < tg->n; i++) {
			uint16_t port = rte_be_to_cpu_16(lb->target_port[tg->first + i]);

			uint32_t a = ctg->ipv6 ? dp_health_fold6(lb->target_addr6[tg->first + i]) :
				     rte_be_to_cpu_32(lb->target_addr[tg->first + i]);

			lb->usable[tg->first + i] =
				dp_health_lookup(&lb_health_client, a, port,
						 dp_health_check_port(&ctg->health, port));
		}
		mg = maglev_new(lb, g, &lb->usable[tg->first]);
		if (mg == NULL)
			return -ENOMEM;
		atomic_store_explicit(&tg->maglev, mg, memory_order_release);
	}

	for (int i = 0; i < cfg->n_nlbs; i++) {
		const struct cfg_nlb *nlb = &cfg->nlbs[i];

		lb->first_listener[i] = (uint32_t)lb->n_listeners;
		for (int j = 0; j < nlb->n_listeners; j++) {
			const struct cfg_listener *cl = &nlb->listeners[j];
			struct lb_listener_rt *l = &lb->listeners[lb->n_listeners];

			l->nlb_addr = rte_cpu_to_be_32(nlb->addr);
			l->port = rte_cpu_to_be_16(cl->port);
			l->proto = cl->proto;
			l->nlb = i;
			l->tg = cl->target_group;
			l->idle_s = cl->proto == CFG_L4_TCP ? cl->idle_timeout : LB_UDP_IDLE_S;
			l->global_target0 = lb->tgs[l->tg].first;
			lb->has64 |= nlb->dualstack && !lb->tgs[l->tg].ipv6;
			dp_map_set(&lb->by_key, listener_key(l->nlb_addr, l->proto, l->port),
				   (uint32_t)lb->n_listeners);
			lb->n_listeners++;
		}
	}
	return 0;
}

void
lb_free(struct dp_tables *t)
{
	struct lb_state *lb = t->lb;

	if (lb == NULL)
		return;
	/* t is past its grace period: no worker reads its tables any more */
	for (int g = 0; g < lb->n_tgs; g++)
		free(atomic_load_explicit(&lb->tgs[g].maglev, memory_order_relaxed));
	dp_map_free(&lb->by_key);
	dp_map_free(&lb->target_by_key);
	free(lb);
	t->lb = NULL;
}

int
lb_listener_find(const struct dp_tables *t, uint32_t addr, uint8_t proto, uint16_t port)
{
	uint32_t v;

	if (t->lb == NULL || !dp_map_get(&t->lb->by_key, listener_key(addr, proto, port), &v))
		return -1;
	return (int)v;
}

/*
 * Source port for a flow NATed to the NLB address: ports of 1024..65535 are
 * split between workers by (p - 1024) % n_workers so two workers never pick
 * the same one; candidates are hashed from the flow hash so a busy range is
 * not scanned linearly. Returns the port (host order) or 0.
 */
static uint16_t
snat_port(struct dp_flow_key *k, uint32_t h)
{
	const struct dp_worker_ctx *w = dp_worker_self();
	unsigned nw = dp_g.n_workers != 0 ? dp_g.n_workers : 1;
	unsigned wid = (w != NULL ? w->id : 0) % nw;
	uint32_t count = (LB_PORT_HI - LB_PORT_LO + 1 - wid + nw - 1) / nw;

	for (uint32_t i = 0; i < LB_PORT_TRIES; i++) {
		uint32_t c = dp_map_hash(((uint64_t)h << 8) | i) % count;
		uint16_t p = (uint16_t)(LB_PORT_LO + wid + c * nw);

		k->dport = rte_cpu_to_be_16(p);
		if (!dp_flow_key_exists(k))
			return p;
	}
	return 0;
}

int
lb_flow_init(const struct dp_tables *t, int listener, struct dp_flow *f, uint32_t syn_seq)
{
	const struct lb_state *lb = t->lb;
	const struct lb_listener_rt *l = &lb->listeners[listener];
	const struct lb_tg_rt *tg = &lb->tgs[l->tg];
	const struct dp_flow_key *k = &f->key[0];
	const struct lb_maglev *mg;
	uint32_t h;
	int target;

	/* pairs with the release in lb_build() / lb_tg_publish() */
	if (tg->ipv6)               /* an IPv4 client: not translated to IPv6 */
		return DP_DROP_nlb_family;
	mg = atomic_load_explicit(&tg->maglev, memory_order_acquire);
	if (mg == NULL)
		return DP_DROP_nlb_no_listener;
	h = lb_flow_hash(k->proto, rte_be_to_cpu_32(k->src), rte_be_to_cpu_32(k->dst),
			 rte_be_to_cpu_16(k->sport), rte_be_to_cpu_16(k->dport),
			 k->proto == IPPROTO_TCP && !t->cfg->node.mid_flow_place ?
			 rte_be_to_cpu_32(syn_seq) : 0);
	target = tg->first + (int)mg->slots[h % mg->size];

	f->kind = DP_FLOW_NLB;
	f->svc = (uint16_t)listener;
	f->target = (uint16_t)target;
	f->idle_s = l->idle_s;
	f->key[1].src = lb->target_addr[target];
	f->key[1].sport = lb->target_port[target];
	f->key[1].proto = k->proto;
	if (tg->preserve_client_ip) {
		f->key[1].dst = k->src;
		f->key[1].dport = k->sport;
		return 0;
	}
	f->key[1].dst = l->nlb_addr;
	if (snat_port(&f->key[1], h) == 0) {
		dp_stats_self()->listener[listener].port_alloc_err++;
		return DP_DROP_nlb_port_allocation;
	}
	return 0;
}

/* Does lb still have a target of address (addr6 when v6, else addr, network
 * order) and port (network order)? A folded IPv6 address that meets another
 * target's is told apart by the whole address. */
static bool
target_present(const struct lb_state *lb, bool v6, uint32_t addr, const uint8_t addr6[16],
	       uint16_t port)
{
	uint32_t a = v6 ? dp_health_fold6(addr6) : rte_be_to_cpu_32(addr), v;

	if (!dp_map_get(&lb->target_by_key, target_key(a, rte_be_to_cpu_16(port)), &v))
		return false;
	if (!v6 || memcmp(lb->target_addr6[v], addr6, 16) == 0)
		return true;
	for (int g = 0; g < lb->n_tgs; g++)
		for (int i = lb->tgs[g].first; lb->tgs[g].ipv6 && i < lb->tgs[g].first + lb->tgs[g].n;
		     i++)
			if (lb->target_port[i] == port && memcmp(lb->target_addr6[i], addr6, 16) == 0)
				return true;
	return false;
}

bool
lb_flow_target_gone(const struct dp_tables *t, const struct dp_flow *f, uint64_t now_ms)
{
	uint8_t c[16], n[16], ta[16];
	bool v6;

	if (f->kind != DP_FLOW_NLB || t->lb == NULL || !t->lb->targets_removed)
		return false;
	/* an IPv6 client's flow to an ipv6 group: the target is its replies'
	 * source (dp_flow6_bind_reply); to an ipv4 group, and an IPv4 client's
	 * flow: key[1]'s source, as the target sends */
	v6 = f->key[1].zone == DP_FLOW_ZONE_IP6;
	if (v6 && !dp_flow6_addrs(f, c, n, ta))
		return false;
	if (target_present(t->lb, v6, f->key[1].src, ta, f->key[1].sport))
		return false;
	return !dp_health_draining_key(&lb_health_client,
				       v6 ? dp_health_fold6(ta) : rte_be_to_cpu_32(f->key[1].src),
				       rte_be_to_cpu_16(f->key[1].sport), now_ms);
}

void
lb_note_removed(struct dp_tables *t, const struct dp_tables *old)
{
	const struct lb_state *o;

	if (t->lb == NULL || old == NULL || old->lb == NULL)
		return;
	o = old->lb;
	t->lb->targets_removed = o->targets_removed;
	for (int g = 0; g < o->n_tgs && !t->lb->targets_removed; g++)
		for (int i = o->tgs[g].first; i < o->tgs[g].first + o->tgs[g].n; i++)
			if (!target_present(t->lb, o->tgs[g].ipv6, o->target_addr[i],
					    o->target_addr6[i], o->target_port[i])) {
				t->lb->targets_removed = true;
				break;
			}
}

int
lb_listener_find6(const struct dp_tables *t, int nlb, uint8_t proto, uint16_t port)
{
	const struct lb_state *lb = t->lb;
	int end = nlb + 1 < (int)RTE_DIM(lb->first_listener) && nlb + 1 < t->cfg->n_nlbs ?
		  (int)lb->first_listener[nlb + 1] : lb->n_listeners;

	for (int i = (int)lb->first_listener[nlb]; i < end; i++)
		if (lb->listeners[i].proto == proto && lb->listeners[i].port == port)
			return i;
	return -1;
}

int
lb_flow_init6(const struct dp_tables *t, int listener, struct dp_flow *f, uint32_t syn_seq,
	      const uint8_t src6[16], const uint8_t dst6[16])
{
	const struct lb_state *lb = t->lb;
	const struct lb_listener_rt *l = &lb->listeners[listener];
	const struct lb_tg_rt *tg = &lb->tgs[l->tg];
	const struct dp_flow_key *k = &f->key[0];
	const struct lb_maglev *mg;
	uint32_t h = 0x6, w;
	int target;

	if (!tg->ipv6 && tg->preserve_client_ip)   /* refused by the configuration */
		return DP_DROP_nlb_family;
	mg = atomic_load_explicit(&tg->maglev, memory_order_acquire);
	if (mg == NULL)
		return DP_DROP_nlb_no_listener;
	/* the IPv4 hash's inputs, each address as its four words */
	for (int i = 0; i < 16; i += 4) {
		memcpy(&w, src6 + i, 4);
		h = dp_map_hash((uint64_t)h << 32 | w);
		memcpy(&w, dst6 + i, 4);
		h = dp_map_hash((uint64_t)h << 32 | w);
	}
	h = lb_flow_hash(k->proto, h, 0, rte_be_to_cpu_16(k->sport), rte_be_to_cpu_16(k->dport),
			 k->proto == IPPROTO_TCP ? rte_be_to_cpu_32(syn_seq) : 0);
	target = tg->first + (int)mg->slots[h % mg->size];
	f->kind = DP_FLOW_NLB;
	f->svc = (uint16_t)listener;
	f->target = (uint16_t)target;
	f->idle_s = l->idle_s;
	if (tg->ipv6)
		return 0;
	/* an IPv4 group: the flow leaves as IPv4 from the NLB's private address
	 * and a port of its own; the reply's key is IPv4 in a zone of its own,
	 * which no IPv4 packet's lookup meets (lb_nlb64_reply finds it) */
	f->key[1] = (struct dp_flow_key){ .src = lb->target_addr[target],
					  .sport = lb->target_port[target], .dst = l->nlb_addr,
					  .proto = k->proto, .zone = LB_ZONE_NLB64 };
	if (snat_port(&f->key[1], h) == 0) {
		dp_stats_self()->listener[listener].port_alloc_err++;
		return DP_DROP_nlb_port_allocation;
	}
	return 0;
}
