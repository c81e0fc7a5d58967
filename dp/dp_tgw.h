/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Transit gateways (SPEC §8): the part of a table generation that the
 * routing stage reads, and its inline path. The service (tgw/, see
 * tgw/tgw.h) builds struct dp_tgw with each generation (dp_tables.tgw,
 * control thread; read-only for the workers, freed after RCU with the
 * rest) and decides everything else; ip_route takes here, without a call,
 * the one case that needs no policy: a VPC to VPC hop with no NACL on the
 * way (docs/ARCHITECTURE.md "Transit gateways", docs/PERFORMANCE.md).
 */
#ifndef VPCGW_DP_TGW_H
#define VPCGW_DP_TGW_H

#include <stdint.h>

#include "config/cfg.h"
#include "dp/dp.h"
#include "dp/dp_lpm.h"

#define DP_TGW_BLACKHOLE CFG_MAX_TGW_ATTACHMENTS        /* an LPM value */
#define DP_TGW_NONE (CFG_MAX_TGW_ATTACHMENTS + 1)       /* no route */
/* dp_tgw_att.hop values besides a gid */
#define DP_TGW_HOP_NO 0xffff        /* not delivered into that subnet here: policy decides */
#define DP_TGW_HOP_LPM 0xfffe       /* look it up (the table's routes split the subnet) */
/* hop rows of all tables together at most this many entries (else none) */
#define DP_TGW_HOP_MAX (1u << 21)

struct dp_tgw_att {                 /* one attachment, by gid */
	struct dp_lpm rt;           /* its associated route table (a copy; none: an empty one) */
	/* its table's answer per zone-0 destination subnet: the VPC
	 * attachment holding that subnet that every address of it goes to
	 * (and no NACL on the subnet), DP_TGW_HOP_NO, or DP_TGW_HOP_LPM (all
	 * of them when the rows would be too large) */
	const uint16_t *hop;
	int16_t vpc;                /* a VPC attachment's VPC; -1: a port attachment */
	uint16_t port;              /* a port attachment's port and next hop */
	uint32_t nh;
};

struct dp_tgw {
	struct dp_lpm *tables;      /* every TGW's route tables, TGW by TGW */
	int n_tables;
	uint16_t *hops;             /* the tables' hop rows, n_subnets each (or one row: all LPM) */
	int16_t port_att[DP_MAX_PORTS];     /* the port attachment on a port (gid), -1 */
	struct dp_tgw_att att[CFG_MAX_TGW_ATTACHMENTS];
};

/* Where the route table of attachment src sends dst (host order): a gid,
 * DP_TGW_BLACKHOLE or DP_TGW_NONE. */
static inline uint32_t
dp_tgw_lookup(const struct dp_tgw *s, unsigned src, uint32_t dst)
{
	return dp_lpm_lookup(&s->att[src].rt, dst);
}

/* ip_route's counts of one burst, not yet in the lcore's counters: packets
 * from attachment a to attachment d (key: a << 16 | d; most packets of a
 * burst make one pair), packets << 40 | bytes in one word (a burst is 32
 * packets of 9 KB at most: one add a packet). */
struct dp_tgw_acc {
	uint32_t key;
	uint64_t pb;
};

#define DP_TGW_ACC_PKT (1ull << 40)

static inline void
dp_tgw_acc_flush(struct dp_tgw_acc *x)
{
	struct dp_tgw_stats *st;
	uint64_t p = x->pb >> 40, b = x->pb & (DP_TGW_ACC_PKT - 1);

	if (x->pb == 0)
		return;
	st = dp_stats_self()->tgw;
	st[x->key >> 16].pkts_in += p;
	st[x->key >> 16].bytes_in += b;
	st[x->key & 0xffff].pkts_out += p;
	st[x->key & 0xffff].bytes_out += b;
	x->pb = 0;
}

/*
 * ip_route: a packet from subnet src (t's subnet_rt srt, any_subnet_nacl
 * any_nacl) (>= 0: ip_route takes only what a subnet sent, TTL over 1,
 * whole, untranslated, and only without ENIs) to dst that route r (kind
 * CFG_TARGET_TGW, ref2: the source attachment's gid) sends to a transit
 * gateway. The subnet it is delivered to when the transit gateway's route
 * goes to a VPC attachment holding dst and no NACL is on the way (*att: that
 * attachment), and ip_route outputs it as by the local route, counting it
 * with dp_tgw_count once it goes. -1: the policy stage decides (blackhole,
 * no route, a port attachment, NACLs, a destination outside the
 * attachment's VPC: tgw/tgw_node.c).
 */
static inline int
dp_tgw_hop(const struct dp_tables *t, const struct dp_subnet_rt *srt, bool any_nacl,
	   const struct dp_route *r, int src, uint32_t dst, uint32_t *att)
{
	const struct dp_tgw *s = t->tgw;
	const struct dp_tgw_att *a = &s->att[r->ref2];
	int ds = dp_subnet_lookup(t, dst);
	uint32_t d;

	if (ds < 0)
		return -1;
	/* the table's answer for the whole subnet, decided when it was built
	 * (the destination's NACL included: a NACL'd subnet's row says no) */
	d = a->hop[ds];
	if (unlikely(d >= DP_TGW_HOP_LPM)) {
		if (d == DP_TGW_HOP_NO)
			return -1;
		d = dp_lpm_lookup(&a->rt, dst);
		/* a port attachment's vpc (-1) is no subnet's */
		if (d >= DP_TGW_BLACKHOLE || srt[ds].vpc != s->att[d].vpc || srt[ds].nacl)
			return -1;
	}
	/* (a transit gateway's hop never stays in its source subnet) */
	if (any_nacl && srt[src].nacl)
		return -1;
	*att = d;
	return ds;
}

/* A packet of l3len bytes (IP header on) of route r's hop to attachment att
 * into acc (PacketsIn/BytesIn of the source attachment, PacketsOut/BytesOut
 * of the other; flushed at the end of the burst). */
static inline void
dp_tgw_count(struct dp_tgw_acc *acc, const struct dp_route *r, uint32_t att, uint32_t l3len)
{
	if (unlikely(acc->key != ((uint32_t)r->ref2 << 16 | att))) {
		dp_tgw_acc_flush(acc);
		acc->key = (uint32_t)r->ref2 << 16 | att;
	}
	acc->pb += DP_TGW_ACC_PKT | l3len;
}

#endif /* VPCGW_DP_TGW_H */
