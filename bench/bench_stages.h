/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vpcgw-bench's timed stages (bench_stages.c): each runs `bursts` bursts of
 * DP_BURST packets over its prepared input and returns the TSC cycles spent;
 * each is a function of its own so that callgrind can count it alone
 * (--toggle-collect=bench_stage_<name>, bench/stages.sh).
 */
#ifndef VPCGW_BENCH_STAGES_H
#define VPCGW_BENCH_STAGES_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "dp/dp.h"
#include "dp/dp_flow.h"
#include "fw/nacl.h"
#include "fw/sg.h"

struct nacl_in {
	const struct fw_acl_key **kp;
	uint8_t *verdict;
	int nacl;
	enum fw_dir dir;
};

struct sg_in {
	uint32_t src, dst;          /* host order */
	struct fw_sg_pkt egress, ingress;
};

uint64_t bench_stage_parse(struct rte_mbuf **v, unsigned n, unsigned bursts);
uint64_t bench_stage_nacl_b1(const struct nacl_in *in, unsigned n, unsigned bursts);
uint64_t bench_stage_nacl_b32(const struct nacl_in *in, unsigned n, unsigned bursts);
uint64_t bench_stage_sg(const struct sg_in *in, unsigned n, unsigned bursts, unsigned *allowed);
uint64_t bench_stage_flow_lookup(struct rte_mbuf **v, unsigned n, unsigned bursts);
uint64_t bench_stage_nat_new(const struct dp_flow_key *k, unsigned n, unsigned bursts, int gw,
			unsigned *failed);
uint64_t bench_stage_nlb_new(const struct dp_flow_key *k, unsigned n, unsigned bursts,
			int listener, unsigned *failed);
uint64_t bench_stage_geneve(struct rte_mbuf **v, struct dp_flow **f, unsigned n,
			unsigned bursts, unsigned *failed);
uint64_t bench_stage_route_b1(const struct dp_rtable *rt, const uint32_t *dst, uint64_t *nh,
			unsigned n, unsigned bursts);
uint64_t bench_stage_route_b32(const struct dp_rtable *rt, const uint32_t *dst, uint64_t *nh,
			unsigned n, unsigned bursts);
uint64_t bench_stage_rewrite(struct rte_mbuf **v, struct dp_flow *const fl[2], unsigned n,
			unsigned bursts);
uint64_t bench_stage_pipeline(struct rte_mbuf **v, const uint16_t *port, unsigned bursts,
			uint64_t now);

#endif /* VPCGW_BENCH_STAGES_H */
