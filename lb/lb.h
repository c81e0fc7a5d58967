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
	uint32_t first_listener[DP_MAX_NLB];
	struct dp_map target_by_key;    /* addr << 16 | port (network order) → global index */
	/* control thread only: the usable set each group's current table was built from */
	bool usable[DP_MAX_TARGETS];
	/* a reload removed some target since vpcgw started (lb_note_removed):
	 * until then no flow can point at a gone target, and workers skip the check */
	bool targets_removed;
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
/*
 * Is the target of NLB flow f (its address:port, from key[1]) no longer
 * registered in t, with its deregistration delay over? Any lcore.
 */
bool lb_flow_target_gone(const struct dp_tables *t, const struct dp_flow *f, uint64_t now_ms);
/* Control thread, before publishing t in place of old: carry over, or set,
 * t's targets_removed (a target of old, or of any earlier generation, that
 * t no longer has). */
void lb_note_removed(struct dp_tables *t, const struct dp_tables *old);

/*
 * Health (lb_health.c): TCP probes for NLB targets and GWLB appliances.
 *
 * State lives in lb_health.c, indexed by the global target / appliance index
 * of the tables last given to lb_health_start(). Written by the control
 * thread only; workers read the healthy flags (relaxed atomics) and post
 * probe answers into a per-probe mailbox (the only thing they write).
 * Every target starts healthy (AWS's "initial" state is not modelled: a
 * target gets traffic until it fails unhealthy_threshold probes).
 */
#define LB_PROBE_PORT_NLB 33000     /* + global target index: probe source port */
#define LB_PROBE_PORT_GWLB 34000    /* + global appliance index */

/*
 * Control thread, after every dp_tables_build() (old: the tables it
 * replaces, NULL the first time), best right after publishing t: carries
 * health state over by (address, port, health-check port), starts the
 * deregistration delay of targets that t no longer lists, and rebuilds any
 * Maglev table of t whose usable set is stale. Returns 0.
 */
int lb_health_start(struct dp_tables *t, struct dp_tables *old);
/* Control thread: send due probes, time out, apply thresholds, republish tables. */
void lb_health_poll(struct dp_tables *t, uint64_t now_ms);
/* Control thread: earliest time lb_health_poll has work (UINT64_MAX: none). */
uint64_t lb_health_next_ms(void);
/* Worker: a TCP segment to a vpcgw address; true when it answered a probe (consumed). */
bool lb_health_input(struct rte_mbuf *m, const struct dp_tables *t);
bool lb_target_healthy(int global_target);
/*
 * Control thread: is target global_target inside a deregistration delay?
 * Draining targets are those the last reload removed, and a registered
 * target never drains (a re-registered one stops draining), so this is
 * false for every index of the current tables; flows of removed targets are
 * checked with lb_flow_target_gone(), by address.
 */
bool lb_target_draining(int global_target, uint64_t now_ms);
bool gnv_appliance_healthy(int global_appliance);
/* Append a JSON array of targets and appliances with their health at buf + *w. */
void lb_health_json(char *buf, size_t len, size_t *w);
/* Healthy / unhealthy count of target group (gwlb false) or GWLB (gwlb true) index. */
void lb_health_counts(int tg_or_gwlb, bool gwlb, unsigned *healthy, unsigned *unhealthy);

/* internal, between lb.c and lb_health.c (control thread) */
/* Health-check port of a target (host order): the configured one or the traffic port. */
uint16_t lb_hc_port(const struct cfg_health_check *h, uint16_t traffic_port);
/* Last known health of (addr, port, hc port), host order; true when unknown. */
bool lb_health_lookup(uint32_t addr, uint16_t port, uint16_t hc_port);
/* Any lcore: is the deregistered target addr:port (host order) still draining? */
bool lb_health_draining_key(uint32_t addr, uint16_t port, uint64_t now_ms);
/*
 * Rebuild group g's Maglev table from usable[] (n flags; none usable: fail
 * open over every target) if it differs from the one in use, and publish it.
 * Sets *old to the replaced table (free it with free() after a grace period)
 * or NULL. Returns 0 or -ENOMEM.
 */
int lb_tg_publish(struct dp_tables *t, int g, const bool *usable, struct lb_maglev **old);

#endif /* VPCGW_LB_H */
