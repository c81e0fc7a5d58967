/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Traffic mirroring, internal: the state built per table generation
 * (mirror/mr_ctl.c writes it before the tables are published; workers only
 * read it; freed with its tables after the RCU grace period) and the
 * per-lcore counters (mirror/mr_dp.c).
 */
#ifndef VPCGW_MR_PRIV_H
#define VPCGW_MR_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "dp/dp.h"
#include "mirror/mr.h"

/* A filter rule: the remote end's address (source inbound, destination
 * outbound) and, as a NACL rule's, the destination port. */
struct mr_rule {
	uint32_t net, mask;         /* host order */
	uint16_t port_lo, port_hi;  /* TCP/UDP destination port */
	uint16_t proto;             /* CFG_PROTO_ALL or an IP protocol */
	bool accept;
};

struct mr_sess {
	uint16_t idx;               /* cfg.mirrors index: its counters */
	uint16_t port;              /* target.port */
	uint32_t target;            /* target.address, host order */
	uint32_t vni_word;          /* VXLAN's second word, network order: VNI << 8 */
	uint32_t max_inner;         /* bytes of the frame copied at most (packet_length, MTU) */
	uint32_t in_first, n_in;    /* its inbound rules in mr_state.rules */
	uint32_t out_first, n_out;
};

/* A source ENI and its sessions, lowest session_number first. */
struct mr_eni {
	uint32_t addr;              /* host order */
	uint16_t port;              /* the port of its subnet */
	uint16_t first, n;          /* in mr_state.order */
};

struct mr_state {
	uint32_t port_mask;         /* ports with a source ENI */
	uint32_t n_eni;
	uint32_t pool_reserve;      /* no copy when the pool has fewer free mbufs */
	struct mr_eni eni[MR_MAX_SESSIONS];
	uint16_t order[MR_MAX_SESSIONS];  /* session indexes by ENI, then session_number */
	struct mr_sess sess[MR_MAX_SESSIONS];
	struct mr_rule *rules;
	uint32_t n_rules;
};

/* Copies and counters, per lcore (index: worker id; DP_MAX_WORKERS: control). */
extern struct mr_ctr mr_ctr[DP_MAX_WORKERS + 1][MR_MAX_SESSIONS];

#endif /* VPCGW_MR_PRIV_H */
