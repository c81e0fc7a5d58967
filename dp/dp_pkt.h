/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the stages of the pipeline know about one packet and one burst
 * (docs/ARCHITECTURE.md "Datapath v2").
 *
 * struct dp_burst lives on the worker's stack for one call of
 * dp_process_burst(): the tables of this burst, the clock, and one
 * struct dp_pctx per received packet, indexed by dp_meta.slot (the packet's
 * place in the received burst). Stages reorder packets into vectors; the slot
 * finds a packet's context and puts transmissions back in arrival order
 * (dp_emit.c).
 */
#ifndef VPCGW_DP_PKT_H
#define VPCGW_DP_PKT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dp/dp.h"

/* Where a packet entered the VPC's routing, to pick the route table. */
enum dp_ingress {
	DP_IN_VPC = 0,              /* from a subnet: its route table */
	DP_IN_INTERNET,             /* through the internet gateway: edge table or local */
	DP_IN_APPLIANCE,            /* back from a GWLB appliance: the endpoint subnet's table */
	DP_IN_VPCE,                 /* back from a gateway endpoint: the local route only */
	DP_IN_TGW,                  /* from a transit gateway's port attachment, into the VPC
				     * its route chose (tgw/): the local route only */
};

/* The NACL verdicts classified with the rest of the burst (fw/fw_node.c). */
struct dp_nacl_pre {
	uint32_t key[4];            /* the header they are for (struct fw_acl_key) */
	int16_t nacl[2];            /* by direction: the NACL classified, -1: none */
	uint8_t ok[2];
};

/* Per packet, per burst: the policy stage's context. */
struct dp_pctx {
	const struct dp_tables *t;
	uint64_t now;
	enum dp_ingress in;
	int src_subnet;             /* IN_VPC: the source's subnet; IN_APPLIANCE: endpoint subnet */
	int nlb;                    /* destination was an NLB address (after IGW translation) */
	bool policy_done;           /* later fragment: first fragment passed the checks */
	bool frag_orphan;           /* later fragment whose first fragment was not seen */
	/* a transit gateway delivered it into another zone's VPC (md->key.zone
	 * now that VPC's): a flow made for it keys its source side in from_zone */
	bool zone_cross;
	uint8_t from_zone;
	uint64_t *burst_new;        /* dp_flow_key_bit of the flows this burst created */
	struct dp_flow *nf;         /* the packet's known flow, for the NACL cache */
	int nd;                     /* its direction */
	uint32_t osrc, odst;        /* addresses as the packet reached the policy stage */
	/* the known-flow action this packet fills at output (dp_flow_act_fill) */
	uint8_t act_op;             /* DP_ACT_*; DP_ACT_NONE: do not fill */
	uint8_t act_acct;           /* DP_ACCT_* */
	uint32_t act_pub;           /* DP_ACT_SNAT_SRC: the new source (network order) */
	struct dp_nacl_pre pre;
};

struct dp_burst {
	const struct dp_tables *t;
	uint64_t now;
	uint64_t burst_new;
	uint32_t fast_gen;          /* dp_flow_act generation of these tables */
	uint16_t in_port;
	uint8_t zone;               /* flow zone of in_port's packets (dp_tables.port_zone) */
	struct dp_pctx ctx[DP_BURST];
};

static inline struct dp_pctx *
dp_pctx(struct dp_burst *b, struct rte_mbuf *m)
{
	return &b->ctx[dp_meta(m)->slot];
}

/* The part of a packet's context only the slow stages use: set where they
 * start (ip_input's general path, the policy stage). */
static inline void
dp_pctx_burst(struct dp_pctx *c, struct dp_burst *b)
{
	c->t = b->t;
	c->now = b->now;
	c->burst_new = &b->burst_new;
	c->policy_done = false;
	c->frag_orphan = false;
	c->zone_cross = false;
	c->nf = NULL;
}

static inline struct rte_ipv4_hdr *
dp_ip_hdr(struct rte_mbuf *m, const struct dp_meta *md)
{
	return rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, md->l3);
}

static inline uint8_t *
dp_l4_hdr(struct rte_mbuf *m, const struct dp_meta *md)
{
	return rte_pktmbuf_mtod_offset(m, uint8_t *, md->l4);
}

#endif /* VPCGW_DP_PKT_H */
