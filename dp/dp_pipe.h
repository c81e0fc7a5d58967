/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the stages of the pipeline share, and the hooks through which the
 * core reaches the services without naming them (docs/ARCHITECTURE.md
 * "Datapath v2"). dp/pipeline.c, the one core file that includes services,
 * fills dp_pipe_ops and the route-target table before the workers start;
 * both are read-only afterwards.
 */
#ifndef VPCGW_DP_PIPE_H
#define VPCGW_DP_PIPE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "config/cfg.h"
#include "dp/dp.h"
#include "dp/dp_flow.h"
#include "dp/dp_pkt.h"

/* Direction of a policy check (the values of fw's enum fw_dir). */
enum dp_dir {
	DP_DIR_INGRESS = 0,
	DP_DIR_EGRESS = 1,
};

/* A route target's handler: the packet's header is final for this hop up to
 * the target's own translation; it outputs or drops m. */
typedef void (*dp_route_target_fn)(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c,
				   struct dp_flow *f, int dir, const struct dp_route *r);

struct dp_pipe_ops {
	/* security policy (fw/) */
	bool (*nacl_allows)(const struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md,
			    int subnet, enum dp_dir dir);
	/* -1 dropped, 0 allowed untracked (or no ENI), 1 allowed and to be tracked */
	int (*sg_eval)(const struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md,
		       bool check_src, bool check_dst, uint16_t *eni_src, uint16_t *eni_dst);
	bool (*sg_can_track)(const struct dp_meta *md);
	void (*sg_timeouts)(const struct dp_pctx *c, struct dp_flow *f);
	void (*nacl_prefetch)(struct rte_mbuf **pkts, struct dp_burst *b, uint16_t n);
	void (*nacl_cache_set)(const struct dp_pctx *c);
	/* the same for IPv6 packets (dp/ip6_policy.c) */
	bool (*nacl6_allows)(const struct dp_tables *t, struct rte_mbuf *m,
			     const struct dp_meta *md, int subnet, enum dp_dir dir);
	int (*sg6_eval)(const struct dp_tables *t, struct rte_mbuf *m, const struct dp_meta *md,
			bool check_src, bool check_dst, uint16_t *eni_src, uint16_t *eni_dst);
	/* the NLB (lb/) */
	void (*nlb_new)(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c);
	bool (*flow_gone)(const struct dp_tables *t, const struct dp_flow *f, uint64_t now_ms);
	/* GENEVE from an appliance port (geneve/): -1 not ours, 0 consumed
	 * (dropped), 1 decapsulated, continue to the flow lookup */
	int (*appliance_input)(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c);
	/* an IPv6 packet routed to gwlb-endpoint r (c->t, c->now set): it
	 * outputs (encapsulated) or drops m (dp/ip6_input.c) */
	void (*gwlb6_target)(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c,
			     const struct dp_route *r);
	/* dualstack NLBs (dp/ip6_input.c; c->t, c->now, c->in, c->src_subnet
	 * set): an IPv6 packet to the address6 of NLB nlb, and a packet from a
	 * subnet of IPv6 targets that may be a target's reply; 1: translated,
	 * route it (its checks done), 0: consumed, -1: not an NLB's (reply) */
	int (*nlb6_input)(struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md, int nlb);
	int (*nlb6_reply)(struct dp_pctx *c, struct rte_mbuf *m, struct dp_meta *md);
	/* transit gateways (tgw/): a packet on a port attachment's port (true:
	 * it goes on into a VPC, c->in = DP_IN_TGW; false: consumed, sent or
	 * dropped). ip_route's own case is inline: dp/dp_tgw.h */
	bool (*tgw_ingress)(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c);
	/* NAT64 (nat/): an IPv6 packet routed to nat-gateway r (c->t, c->now,
	 * c->in, c->src_subnet set; outputs or drops m), and an IPv4 packet to
	 * a NAT address that found no IPv4 flow: true when a NAT64 connection
	 * took it (consumed), false: not one (nat_no_session) */
	void (*nat64_target)(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c,
			     const struct dp_route *r);
	bool (*nat64_reply)(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c);
	/* GENEVE to the flow's appliance (DP_ACT_ENCAP): 0 (the packet fits
	 * *out_port's MTU) or a drop reason */
	int (*encap)(struct rte_mbuf *m, const struct dp_tables *t, const struct dp_flow *f,
		     uint16_t *port, uint32_t *nh);
};

extern struct dp_pipe_ops dp_pipe_ops;

/* dp/policy.c */
void dp_route_target_register(uint8_t kind, dp_route_target_fn fn);
void dp_policy_input(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c);
struct dp_flow *dp_flow_new(struct rte_mbuf *m, struct dp_meta *md, const struct dp_pctx *c);
/* A flow under key k (its mirror the other way: both in k's zone), TCP
 * state tcp_state, last packet now; NULL when the table is full (m dropped). */
struct dp_flow *dp_flow_new_keyed(struct rte_mbuf *m, const struct dp_pctx *c,
				  const struct dp_flow_key *k, uint8_t tcp_state);
int dp_flow_publish(struct rte_mbuf *m, struct dp_flow *f, const struct dp_pctx *c);
/* Out of the VPC through a gateway: egress SG and outbound NACL on a new
 * flow, tracked as an SG flow if a rule says so (dp/policy.c). false: dropped. */
bool dp_egress_policy(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c,
		      struct dp_flow *f);
void dp_output(struct rte_mbuf *m, struct dp_meta *md, uint16_t port, uint32_t nh,
	       struct dp_pctx *c);
/* Keep what this known packet's direction does (c->act_op) as its action. */
void dp_act_fill(const struct dp_pctx *c, const struct dp_meta *md, uint16_t port, uint32_t nh);
void dp_deliver_local(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c,
		      struct dp_flow *f);
void dp_frag_record(struct rte_mbuf *m, struct dp_meta *md, uint32_t osrc, uint32_t odst,
		    uint64_t now);

/* Account a packet of flow f (direction d) to the flow and its service. */
static inline void
dp_flow_account(struct dp_flow *f, int d, uint32_t bytes)
{
	struct dp_lcore_stats *st = dp_stats_self();

	dp_flow_pkt(f, d, bytes);
	switch (f->kind) {
	case DP_FLOW_NAT:
		if (d == 1) {
			st->nat[f->svc].pkts_in_dst++;
			st->nat[f->svc].bytes_in_dst += bytes;
			st->nat[f->svc].pkts_out_src++;
			st->nat[f->svc].bytes_out_src += bytes;
		}
		break;
	case DP_FLOW_NLB:
		st->listener[f->svc].packets++;
		st->listener[f->svc].bytes += bytes;
		st->target[f->target].packets++;
		st->target[f->target].bytes += bytes;
		break;
	case DP_FLOW_GWLB:
		/* counted where it is encapsulated (the encap hook): only what
		 * reaches the appliance, not what the MTU or a NACL drops */
		break;
	default:
		break;
	}
}

/* dp/ip_input.c: addresses vpcgw owns, ingress translation; false: consumed */
bool dp_ip_ingress(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c);

/* dp/dp_xlate.c */
void dp_set_addr(struct rte_mbuf *m, struct dp_meta *md, bool src, uint32_t nv);

/* dp/dp_pktgen.c: packets vpcgw builds (sent through dp_tx_generated) */
void dp_send_time_exceeded(struct rte_mbuf *m, struct dp_meta *md, const struct dp_pctx *c);
/* Drop m, over the egress MTU at dp_output (mtu_exceeded), after
 * dp_mtu_too_big's ICMP quoting the packet as its sender sent it. */
void dp_drop_too_big(struct rte_mbuf *m, struct dp_meta *md, uint32_t mtu,
		     const struct dp_pctx *c);
/*
 * Is m's IPv4 packet (from md->l3 on) over mtu bytes? false: it fits. true:
 * the caller drops it (vpcgw never fragments); when it has DF set, an ICMP
 * fragmentation needed with next-hop MTU mtu went to its sender first (rate
 * limited; orig: the flow key as the sender sent it, or NULL: m's header).
 */
bool dp_mtu_too_big(struct rte_mbuf *m, const struct dp_meta *md, const struct dp_tables *t,
		    uint64_t now, uint32_t mtu, const struct dp_flow_key *orig);
void dp_send_rst(struct rte_mbuf *m, struct dp_meta *md);
/* The same over IPv6 (m parsed by dp_ip6_parse(), untranslated). */
void dp_send_rst6(struct rte_mbuf *m, const struct dp_meta *md);
void dp_answer_echo(struct rte_mbuf *m, struct dp_meta *md);

static inline uint32_t
dp_hton_addr(uint32_t a)
{
	return rte_cpu_to_be_32(a);
}

#endif /* VPCGW_DP_PIPE_H */
