/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dualstack NLBs inside lb/: what nlb_node6.c (flows, translation) and
 * nlb_err6.c (ICMP errors about the flows' packets) share. Not for other
 * folders.
 */
#ifndef VPCGW_LB_NLB6_INT_H
#define VPCGW_LB_NLB6_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "dp/dp.h"
#include "dp/dp_pkt.h"

struct rte_ipv6_hdr;

/* The source (src) or destination address of ip by a, that side's port
 * by port, the L4 checksum updated when avail bytes at l4 hold it. */
void nlb6_readdr(struct rte_ipv6_hdr *ip, uint8_t *l4, uint8_t proto, uint32_t avail, bool src,
		 const uint8_t a[16], uint16_t port);
/* The subnet of IPv6 address a, or -1. */
int nlb6_subnet(const struct dp_tables *t, const uint8_t a[16]);
/* The NACLs of a client packet into the NLB subnet ns; translated, on to
 * the target subnet ds; a reply from ns back to a client in the VPC.
 * false: dropped. */
bool nlb6_nacls_in(const struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md, int ns);
bool nlb6_nacls_out(const struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md, int ns,
		    int ds);
bool nlb6_nacls_back(const struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md, int ns);
/* The IPv4-translated packet m of flow f out to its target. */
void nlb6_out64(struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md, const struct dp_flow *f);

/* lb/nlb_err6.c. An ICMPv6 error to the address6 of NLB nlb: 1 routed to
 * the flow's target, 0 dropped. */
int nlb6_err_to_nlb(struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md, int nlb);
/* An ICMPv6 error from a target: 1 out to the client, 0 dropped, -1 not an
 * NLB flow's. */
int nlb6_err_from_target(struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md);
/* An IPv4 target's ICMPv4 error about a translated packet of IPv6 client
 * flow f: an ICMPv6 error from nlb6 to client. Consumes m. */
void nlb6_err46(struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md, struct dp_flow *f,
		const uint8_t client[16], const uint8_t nlb6[16]);

#endif /* VPCGW_LB_NLB6_INT_H */
