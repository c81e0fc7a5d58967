/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Network Load Balancer: listeners, Maglev tables over healthy targets,
 * sticky flows, health checks, deregistration delay.
 *
 * The listener table and the Maglev tables are immutable and live in
 * struct dp_tables (RCU-published). Health state is written by the control
 * thread only (atomics) and read by workers; a health change rebuilds the
 * Maglev table of the group and publishes it by pointer swap (the old one
 * is freed after a grace period).
 */
#ifndef VPCGW_LB_H
#define VPCGW_LB_H

#include "dp/dp.h"

struct lb_listener_rt {
	uint32_t nlb_addr;          /* network order */
	uint16_t port;              /* network order */
	uint8_t proto;
	int nlb;
	int tg;
	uint32_t idle_s;
	int global_target0;         /* global index of the group's first target */
};

struct lb_maglev {                  /* one published table of one target group */
	uint32_t size;
	uint32_t *slots;            /* target index within the group */
};

/*
 * maglev: written by the control thread (lb_build, then lb_tg_publish on a
 * health change: release store), read by workers (acquire) in lb_flow_init.
 * A replaced table is freed after an RCU QSBR grace period. NULL when the
 * group has no target.
 */
struct lb_tg_rt {
	int first;                  /* global index of target 0 */
	int n;
	bool preserve_client_ip;
	bool ipv6;                  /* IPv6 targets (target_addr6) */
	_Atomic(struct lb_maglev *) maglev;
};

struct lb_state {
	struct lb_listener_rt listeners[DP_MAX_LISTENERS];
	int n_listeners;
	struct dp_map by_key;       /* (addr, proto, port) → listener */
	struct lb_tg_rt tgs[DP_MAX_TARGETS];
	int n_tgs;
	uint32_t target_addr[DP_MAX_TARGETS];   /* network order */
	uint16_t target_port[DP_MAX_TARGETS];   /* network order */
	uint8_t target_addr6[DP_MAX_TARGETS][16];   /* targets of ipv6 groups */
	uint32_t first_listener[DP_MAX_NLB];
	struct dp_map target_by_key;    /* target_id (lb.c): address, an IPv6 one folded,
					 * << 16 | port, host order → global index */
	/* control thread only: the usable set each group's current table was built from */
	bool usable[DP_MAX_TARGETS];
	/* a reload removed some target since vpcgw started (lb_note_removed):
	 * until then no flow can point at a gone target, and workers skip the check */
	bool targets_removed;
	/* a dualstack NLB has a listener to an ipv4 group (lb_nlb64_reply) */
	bool has64;
};

int lb_build(struct dp_tables *t);
void lb_free(struct dp_tables *t);
/* Listener of (NLB address, protocol, port), all network order; -1 when none. */
int lb_listener_find(const struct dp_tables *t, uint32_t addr, uint8_t proto, uint16_t port);
/*
 * Worker: choose the target of a new flow (key[0] filled, key[1] its mirror);
 * fill key[1] (the target's reply), kind, svc, target, idle_s. syn_seq is the
 * TCP sequence number as it sits in the header (network order), 0 for UDP.
 * Returns 0, or a drop reason: DP_DROP_nlb_port_allocation (no free source
 * port, client IP preservation off), DP_DROP_nlb_no_listener (the listener's
 * target group has no target).
 */
int lb_flow_init(const struct dp_tables *t, int listener, struct dp_flow *f, uint32_t syn_seq);
/* The same for an IPv6 client of a dualstack NLB: the target from a hash of
 * the full addresses src6/dst6 (key[0] holds them folded); an ipv6 group's
 * key[1] is the caller's, an ipv4 group's the translated reply (IPv4, zone
 * LB_ZONE_NLB64, from the target to the NLB's address and a port of its own). */
int lb_flow_init6(const struct dp_tables *t, int listener, struct dp_flow *f, uint32_t syn_seq,
		  const uint8_t src6[16], const uint8_t dst6[16]);
/* The zone of the IPv4 reply key of an IPv6 client's flow to an IPv4 group
 * (dp_flow_key.zone; IPv4 packets look up zone 0, IPv6 ones DP_FLOW_ZONE_IP6) */
#define LB_ZONE_NLB64 64
/* The listener of dualstack NLB nlb for (proto, port), or -1. */
int lb_listener_find6(const struct dp_tables *t, int nlb, uint8_t proto, uint16_t port);
/*
 * Is the target of NLB flow f (its address:port: key[1]'s source, or for an
 * IPv6 client's flow to an ipv6 group the source its replies are bound to)
 * no longer registered in t, with its deregistration delay over? Any lcore.
 */
bool lb_flow_target_gone(const struct dp_tables *t, const struct dp_flow *f, uint64_t now_ms);
/* Control thread, before publishing t in place of old: carry over, or set,
 * t's targets_removed (a target of old, or of any earlier generation, that
 * t no longer has). */
void lb_note_removed(struct dp_tables *t, const struct dp_tables *old);

/*
 * Health (lb_health.c): the NLB's targets as a client of the core's
 * health-check engine (dp/health.h), which dp/pipeline.c registers. Target
 * i of the engine's NLB client is global target i of the tables last given
 * to dp_health_start().
 */
#define LB_PROBE_PORT_NLB 33000     /* + global target index: probe source port */

struct dp_health_client;
extern struct dp_health_client lb_health_client;

/* Any lcore: is global target global_target healthy? */
bool lb_target_healthy(int global_target);
/*
 * Control thread: is target global_target inside a deregistration delay?
 * Draining targets are those the last reload removed, and a registered
 * target never drains (a re-registered one stops draining), so this is
 * false for every index of the current tables; flows of removed targets are
 * checked with lb_flow_target_gone(), by address.
 */
bool lb_target_draining(int global_target, uint64_t now_ms);
/*
 * The whole engine (every client, not only the NLB), under the names the
 * packet fuzzer and the benchmark call: dp_health_start, dp_health_poll,
 * dp_health_next_ms. vpcgw itself calls those from dp/dp_ctl.c.
 */
int lb_health_start(struct dp_tables *t, struct dp_tables *old);
void lb_health_poll(struct dp_tables *t, uint64_t now_ms);
uint64_t lb_health_next_ms(void);

/* internal, between lb.c and lb_health.c (control thread) */
/*
 * Rebuild group g's Maglev table from usable[] (n flags; none usable: fail
 * open over every target) if it differs from the one in use, and publish it.
 * Sets *old to the replaced table (free it with free() after a grace period)
 * or NULL. Returns 0 or -ENOMEM.
 */
int lb_tg_publish(struct dp_tables *t, int g, const bool *usable, struct lb_maglev **old);

#endif /* VPCGW_LB_H */
