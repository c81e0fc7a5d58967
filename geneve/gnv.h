/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Gateway Load Balancer: GENEVE encapsulation to inspection appliances and
 * decapsulation of what they send back (SPEC §4, RFC 8926).
 */
#ifndef VPCGW_GNV_H
#define VPCGW_GNV_H

#include "dp/dp.h"
#include "geneve/gnv_wire.h"

struct gnv_gwlb_rt {
	int port;                   /* cfg port of the appliances */
	int first_app;              /* global index of appliance 0 */
	int n_app;
	int first_ep;               /* global index of endpoint 0 */
	int n_ep;
	int stickiness;             /* 5, 3 or 2 */
	bool rebalance;
	uint32_t tcp_idle_s;
};

struct gnv_ep_rt {
	int gwlb;
	int subnet;
	uint64_t id;
	uint64_t attachment;
	uint8_t hdr[GNV_AWS_HDR_LEN];   /* its GENEVE header, cookie 0, IPv4 payload */
};

/* An appliance's outer Ethernet (addresses 0: the neighbor stage writes
 * them), IPv4 (total length 0 and the checksum for that) and UDP (source
 * port and length 0) headers, which the encapsulation completes. */
#define GNV_OUTER_HDRS (14 + 20 + 8)
struct gnv_app_rt {
	uint8_t hdr[GNV_OUTER_HDRS];
};

struct gnv_state {
	struct gnv_gwlb_rt gwlb[DP_MAX_GWLB];
	int n_gwlb;
	struct gnv_ep_rt ep[DP_MAX_GWLB_ENDPOINTS];
	int n_ep;
	uint32_t app_addr[DP_MAX_APPLIANCES];   /* network order */
	struct gnv_app_rt app_rt[DP_MAX_APPLIANCES];
	int app_gwlb[DP_MAX_APPLIANCES];
	struct dp_map app_by_addr;              /* host-order address → global appliance */
	uint32_t secret;                        /* cookie key */
};

/*
 * Health (gwlb_health.c): the appliances as a client of the core's
 * health-check engine (dp/health.h), which dp/pipeline.c registers.
 * Appliance i of the client is global appliance i of the tables last given
 * to dp_health_start().
 */
#define GNV_PROBE_PORT 34000        /* + global appliance index: probe source port */

struct dp_health_client;
extern struct dp_health_client gwlb_health_client;

/* Any lcore: is global appliance global_appliance healthy? */
bool gnv_appliance_healthy(int global_appliance);

int gnv_build(struct dp_tables *t);
void gnv_free(struct dp_tables *t);
/* global endpoint index of (gwlb, endpoint within it) */
int gnv_ep_index(const struct dp_tables *t, int gwlb, int ep);
/* New flow to endpoint ep: choose the appliance, make the cookie. */
int gnv_flow_init(const struct dp_tables *t, int ep, struct dp_flow *f);
/* Appliance of a flow now (rebalance moves flows off unhealthy appliances). */
int gnv_flow_appliance(const struct dp_tables *t, const struct dp_flow *f);
/* Replace m's Ethernet header by outer Ethernet/IPv4/UDP/GENEVE, the inner IP packet
 * as the GENEVE payload. Returns 0 or a drop reason; sets *out_port, *nh. */
int gnv_encap(struct rte_mbuf *m, const struct dp_tables *t, const struct dp_flow *f,
	      uint16_t *out_port, uint32_t *nh);
/* Is m GENEVE from a registered appliance on port in_port? */
bool gnv_is_geneve(const struct rte_mbuf *m, const struct dp_meta *md, const struct dp_tables *t);
/* Strip the outer headers (validated) and give the inner IP packet an Ethernet header;
 * parse it into md. Returns 0 or a drop reason; sets md->ep, *cookie and *appliance. */
int gnv_decap(struct rte_mbuf *m, struct dp_meta *md, const struct dp_tables *t, uint32_t *cookie,
	      int *appliance);

#endif /* VPCGW_GNV_H */
