/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NAT gateway (SNAT) and the internet gateway's 1:1 translation.
 *
 * Port allocation (per NAT address, destination IP, destination port and
 * protocol, 1024..65535): each worker owns the ports p with
 * (p - 1024) % n_workers == worker, so two workers never pick the same
 * (address, port) toward the same destination and need no shared writes to
 * allocate. A candidate port is free when the reply key it would create is
 * not in the flow table; at most NAT_PORT_TRIES candidates are tried per
 * address, starting after the port the worker last handed out toward that
 * destination (RFC 6056 §3.3.4; nat.c), so the cost does not grow with the
 * number of ports in use. The per-destination cap (55,000 by default) is
 * enforced with a fixed array of counters indexed by a hash of (address,
 * destination): nothing to allocate or free as destinations come and go.
 */
#ifndef VPCGW_NAT_H
#define VPCGW_NAT_H

#include "dp/dp.h"

#define NAT_PORT_MIN 1024
#define NAT_PORT_MAX 65535
#define NAT_PORT_TRIES 64

struct nat_gw_rt {
	uint32_t addrs[CFG_MAX_NAT_ADDRS];  /* network order */
	int n_addrs;
	uint32_t idle_s;
	uint32_t max_per_dest;
	int subnet;
	bool nat64;                 /* a route sends IPv6 (64:ff9b::/96) here */
};

struct nat_state {
	struct nat_gw_rt gw[DP_MAX_NATGW];
	int n_gw;
	bool any64;                 /* some gateway has NAT64 routes */
};

/* The zone of a NAT64 flow's reply key (IPv4, from the destination to the
 * NAT address): IPv4 lookups (zone 0) never meet it; the policy stage's
 * no-session path looks there (nat/nat64_node.c). */
#define NAT_ZONE_NAT64 46

int nat_init(int socket, uint32_t capacity, unsigned n_workers);   /* once, at start */
void nat_fini(void);
int nat_build(struct dp_tables *t);
void nat_free(struct dp_tables *t);

/*
 * Fill f (kind, svc, aux, key[1], idle_s) for a new outbound connection of
 * key[0] through NAT gateway g. Returns 0, or DP_DROP_nat_port_allocation.
 */
int nat_flow_init(const struct dp_tables *t, int g, struct dp_flow *f, unsigned worker,
		  unsigned n_workers);
/* The same for a NAT64 connection (key[0] an IPv6 key) to the IPv4
 * destination dst4:dport, protocol proto4 (ICMP for ICMPv6 echo): key[1] is
 * in zone NAT_ZONE_NAT64. */
int nat64_flow_init(const struct dp_tables *t, int g, struct dp_flow *f, uint32_t dst4,
		    uint16_t dport, uint8_t proto4, unsigned worker, unsigned n_workers);
/* A NAT flow left the table: release its destination slot. */
void nat_flow_deleted(const struct dp_flow *f);
/* Active connections per destination entry count (telemetry). */
uint32_t nat_dest_entries(void);

#endif /* VPCGW_NAT_H */
