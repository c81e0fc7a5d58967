/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The health-check engine (SPEC §4): TCP SYN probes to groups of targets
 * (IPv4 or IPv6),
 * healthy/unhealthy thresholds, deregistration delay. Generic over its
 * clients (the NLB's target groups, the GWLB's appliances): a client says
 * how to list the targets of a table generation and what to do when some of
 * its groups' health changes; the engine owns the probe records, the
 * schedule, the wire and the state machine.
 *
 * dp/pipeline.c registers the clients before the first tables are built;
 * each gets a range of probe records (in registration order) and of probe
 * source ports (its own base). A target is known by its client and its
 * index in the client's list (the service's global target index). The core
 * drives the engine: dp_health_start() when tables are published,
 * dp_health_poll() / dp_health_next_ms() in the control loop,
 * dp_health_input() on the packet path (ip_input, vpcgw's own addresses).
 *
 * Every target starts healthy (AWS's "initial" state is not modelled: a
 * target gets traffic until it fails unhealthy_threshold probes).
 */
#ifndef VPCGW_DP_HEALTH_H
#define VPCGW_DP_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "config/cfg.h"
#include "dp/dp.h"

#define DP_HEALTH_MAX_CLIENTS 4
#define DP_HEALTH_MAX_RECORDS (DP_MAX_TARGETS + DP_MAX_APPLIANCES)
#define DP_HEALTH_MAX_GROUPS DP_MAX_TARGETS

/* One target as a client describes it (control thread, host order). */
struct dp_health_target {
	uint32_t addr;              /* IPv6: dp_health_fold6(addr6) */
	bool v6;                    /* an IPv6 target: addr6, src6 */
	uint8_t addr6[16];
	uint16_t port;              /* traffic port: identity and drain key */
	uint16_t hc_port;           /* the port probed */
	int group;                  /* client's group index (< DP_HEALTH_MAX_GROUPS) */
	const char *group_name;
	const struct cfg_health_check *check;
	uint32_t dereg_ms;          /* deregistration delay once removed (0: none) */
	bool routable;              /* out_port and src are set */
	uint16_t out_port;          /* port the probe leaves by */
	uint32_t src;               /* probe source address */
	uint8_t src6[16];           /* IPv6: probe source address (the subnet's ::1) */
};

struct dp_health_client {
	const char *type;           /* "type" in dp_health_json ("nlb", "gwlb") */
	uint16_t sport_base;        /* probe source port of target 0 */
	int max;                    /* targets at most; source ports sport_base .. + max - 1 */
	/* control thread: t's targets in index order into out[0 .. max-1]; returns how many */
	int (*describe)(const struct dp_tables *t, struct dp_health_target *out, int max);
	/* control thread: health changed in the groups flagged in dirty (NULL: every group
	 * may be stale, after dp_health_start); now_ms: the engine's time */
	void (*changed)(struct dp_tables *t, const bool *dirty, uint64_t now_ms);
	/* set by dp_health_register (0: not registered) */
	int id;
};

/* Before the first tables: give c its records and source ports. 0 or -ENOSPC. */
int dp_health_register(struct dp_health_client *c);

/* Health-check port of a target: the configured one, or its traffic port. */
static inline uint16_t
dp_health_check_port(const struct cfg_health_check *h, uint16_t traffic_port)
{
	return h->port != 0 ? h->port : traffic_port;
}

/*
 * Control thread, when t replaces old (NULL the first time), best right
 * after the services' publish hooks: lists every client's targets, carries
 * health state over by (address, port, health-check port), starts the
 * deregistration delay of targets that t no longer lists, then calls every
 * client's changed(t, NULL). Returns 0.
 */
int dp_health_start(struct dp_tables *t, struct dp_tables *old);
/* Control thread: send due probes, time out, apply thresholds, tell clients. */
void dp_health_poll(struct dp_tables *t, uint64_t now_ms);
/* Control thread: earliest time dp_health_poll has work (UINT64_MAX: none). */
uint64_t dp_health_next_ms(void);
/* Worker: a TCP segment to a vpcgw address; true when it answered a probe (consumed). */
bool dp_health_input(struct rte_mbuf *m);
/* The same for IPv6 (md: dp_ip6_parse()'s, ip6_input's local addresses). */
bool dp_health_input6(struct rte_mbuf *m, const struct dp_meta *md);
/* The 32-bit identity of an IPv6 target (dp_health_target.addr, dp_health_lookup). */
uint32_t dp_health_fold6(const uint8_t a[16]);

/* Any lcore: is target i of c healthy? (true when unknown) */
bool dp_health_healthy(const struct dp_health_client *c, int i);
/* Any lcore: is target i of c, as listed now, inside a deregistration delay? */
bool dp_health_draining(const struct dp_health_client *c, int i, uint64_t now_ms);
/* Any lcore: is the deregistered target addr:port (host order) of c still draining? */
bool dp_health_draining_key(const struct dp_health_client *c, uint32_t addr, uint16_t port,
			    uint64_t now_ms);
/* Control thread: last known health of (addr, port, hc port) of c, host order;
 * true when unknown. */
bool dp_health_lookup(const struct dp_health_client *c, uint32_t addr, uint16_t port,
		      uint16_t hc_port);
/* Healthy / unhealthy count of group g of c. */
void dp_health_counts(const struct dp_health_client *c, int g, unsigned *healthy,
		      unsigned *unhealthy);
/* Append a JSON array of every client's targets with their health at buf + *w. */
void dp_health_json(char *buf, size_t len, size_t *w);

#endif /* VPCGW_DP_HEALTH_H */
