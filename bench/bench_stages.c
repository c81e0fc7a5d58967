/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The stages vpcgw-bench times (bench_stages.h), apart from its drivers
 * (vpcgw_bench.c).
 */
#include <stdint.h>

#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "bench/bench.h"
#include "bench/bench_stages.h"
#include "dp/dp.h"
#include "dp/dp_flow.h"
#include "dp/dp_parse.h"
#include "dp/dp_worker.h"
#include "fw/nacl.h"
#include "fw/sg.h"
#include "geneve/gnv.h"
#include "lb/lb.h"
#include "nat/nat.h"

/* ------------------------------------------------------------ stages */

/*
 * Every bench_stage_*() runs `bursts` bursts of DP_BURST packets over its
 * prepared input (cycling through it) and returns the TSC cycles spent.
 * Nothing outside the stage's own work happens between the two TSC reads,
 * and nothing outside the stage happens in the function (callgrind).
 */
#if defined(__clang__)
#define STAGE __attribute__((noinline))
#else
#define STAGE __attribute__((noipa))     /* no clone either: callgrind finds it by name */
#endif

STAGE uint64_t
bench_stage_parse(struct rte_mbuf **v, unsigned n, unsigned bursts)
{
	uint64_t t0 = rte_rdtsc_precise();
	unsigned o = 0;

	for (unsigned b = 0; b < bursts; b++) {
		for (unsigned i = 0; i < DP_BURST; i++)
			dp_parse(v[o + i], dp_meta(v[o + i]));
		o = o + DP_BURST == n ? 0 : o + DP_BURST;
	}
	return rte_rdtsc_precise() - t0;
}


STAGE uint64_t
bench_stage_nacl_b1(const struct nacl_in *in, unsigned n, unsigned bursts)
{
	const struct fw_nacl_ctx *ctx = B.t->nacl;
	uint64_t t0 = rte_rdtsc_precise();
	unsigned o = 0;

	for (unsigned b = 0; b < bursts; b++) {
		for (unsigned i = 0; i < DP_BURST; i++)
			fw_nacl_classify(ctx, in->nacl, in->dir, &in->kp[o + i],
					 &in->verdict[o + i], 1);
		o = o + DP_BURST == n ? 0 : o + DP_BURST;
	}
	return rte_rdtsc_precise() - t0;
}

STAGE uint64_t
bench_stage_nacl_b32(const struct nacl_in *in, unsigned n, unsigned bursts)
{
	const struct fw_nacl_ctx *ctx = B.t->nacl;
	uint64_t t0 = rte_rdtsc_precise();
	unsigned o = 0;

	for (unsigned b = 0; b < bursts; b++) {
		fw_nacl_classify(ctx, in->nacl, in->dir, &in->kp[o], &in->verdict[o], DP_BURST);
		o = o + DP_BURST == n ? 0 : o + DP_BURST;
	}
	return rte_rdtsc_precise() - t0;
}


/* A new flow's security groups: the source ENI's egress, the destination's ingress. */
STAGE uint64_t
bench_stage_sg(const struct sg_in *in, unsigned n, unsigned bursts, unsigned *allowed)
{
	const struct fw_sg_ctx *ctx = B.t->sg;
	uint64_t t0 = rte_rdtsc_precise();
	unsigned o = 0, ok = 0;
	int g;

	for (unsigned b = 0; b < bursts; b++) {
		for (unsigned i = o; i < o + DP_BURST; i++) {
			int es = fw_sg_eni_find(ctx, in[i].src);
			int ed = fw_sg_eni_find(ctx, in[i].dst);

			ok += fw_sg_check_group(ctx, es, FW_DIR_EGRESS, &in[i].egress, &g) != 0 &&
			      fw_sg_check_group(ctx, ed, FW_DIR_INGRESS, &in[i].ingress, &g) != 0;
		}
		o = o + DP_BURST == n ? 0 : o + DP_BURST;
	}
	*allowed = ok;
	return rte_rdtsc_precise() - t0;
}

STAGE uint64_t
bench_stage_flow_lookup(struct rte_mbuf **v, unsigned n, unsigned bursts)
{
	uint64_t t0 = rte_rdtsc_precise();
	unsigned o = 0;

	for (unsigned b = 0; b < bursts; b++) {
		dp_flow_lookup_burst(&v[o], DP_BURST);
		o = o + DP_BURST == n ? 0 : o + DP_BURST;
	}
	return rte_rdtsc_precise() - t0;
}

/* A flow as dp_node.c starts one: key[0] as received, key[1] its mirror. */
static inline struct dp_flow *
new_flow(const struct dp_flow_key *k)
{
	struct dp_flow *f = dp_flow_alloc();

	if (f != NULL) {
		f->key[0] = *k;
		f->key[1] = dp_flow_key_mirror(k);
	}
	return f;
}

/* A new NAT connection without its publication: allocate a flow, choose the
 * NAT address and port, give both back (as dp_node.c does when publishing fails). */
STAGE uint64_t
bench_stage_nat_new(const struct dp_flow_key *k, unsigned n, unsigned bursts, int gw,
		    unsigned *failed)
{
	uint64_t t0 = rte_rdtsc_precise();
	unsigned o = 0, bad = 0;

	for (unsigned b = 0; b < bursts; b++) {
		for (unsigned i = o; i < o + DP_BURST; i++) {
			struct dp_flow *f = new_flow(&k[i]);

			if (f == NULL) {
				bad++;
				continue;
			}
			if (nat_flow_init(B.t, gw, f, 0, 1) == 0)
				nat_flow_deleted(f);
			else
				bad++;
			dp_flow_abandon(f);
		}
		o = o + DP_BURST == n ? 0 : o + DP_BURST;
	}
	*failed = bad;
	return rte_rdtsc_precise() - t0;
}

/* A new NLB flow: allocate, choose the target (Maglev), give back. */
STAGE uint64_t
bench_stage_nlb_new(const struct dp_flow_key *k, unsigned n, unsigned bursts, int listener,
		    unsigned *failed)
{
	uint64_t t0 = rte_rdtsc_precise();
	unsigned o = 0, bad = 0;

	for (unsigned b = 0; b < bursts; b++) {
		for (unsigned i = o; i < o + DP_BURST; i++) {
			struct dp_flow *f = new_flow(&k[i]);

			if (f == NULL) {
				bad++;
				continue;
			}
			bad += lb_flow_init(B.t, listener, f, 0) != 0;
			dp_flow_abandon(f);
		}
		o = o + DP_BURST == n ? 0 : o + DP_BURST;
	}
	*failed = bad;
	return rte_rdtsc_precise() - t0;
}

/* GENEVE encapsulation; the outer headers are taken off again (a pointer
 * move: rte_pktmbuf_adj) so the same packets serve every iteration: the
 * encapsulation replaced the 14-byte Ethernet header by 82 bytes, so the
 * last 14 bytes of GENEVE options stand in for it (gnv_encap reads md->l3,
 * not the Ethernet header's content). */
STAGE uint64_t
bench_stage_geneve(struct rte_mbuf **v, struct dp_flow **f, unsigned n, unsigned bursts,
		   unsigned *failed)
{
	uint64_t t0 = rte_rdtsc_precise();
	unsigned o = 0, bad = 0;
	uint16_t port;
	uint32_t nh;

	for (unsigned b = 0; b < bursts; b++) {
		for (unsigned i = o; i < o + DP_BURST; i++) {
			struct rte_mbuf *m = v[i];
			struct dp_meta *md = dp_meta(m);

			if (gnv_encap(m, B.t, f[i], &port, &nh) != 0) {
				bad++;
				continue;
			}
			rte_pktmbuf_adj(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - BENCH_FRAME));
			md->l3 = sizeof(struct rte_ether_hdr);
			md->l4 = sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr);
			md->proto = IPPROTO_UDP;
		}
		o = o + DP_BURST == n ? 0 : o + DP_BURST;
	}
	*failed = bad;
	return rte_rdtsc_precise() - t0;
}

/* Route lookup as dp_node.c route() does it: one address per call. */
STAGE uint64_t
bench_stage_route_b1(const struct dp_rtable *rt, const uint32_t *dst, uint64_t *nh, unsigned n,
		     unsigned bursts)
{
	uint64_t t0 = rte_rdtsc_precise();
	unsigned o = 0;

	for (unsigned b = 0; b < bursts; b++) {
		for (unsigned i = o; i < o + DP_BURST; i++)
			dp_rt_lookup_bulk(rt, &dst[i], &nh[i], 1);
		o = o + DP_BURST == n ? 0 : o + DP_BURST;
	}
	return rte_rdtsc_precise() - t0;
}

STAGE uint64_t
bench_stage_route_b32(const struct dp_rtable *rt, const uint32_t *dst, uint64_t *nh, unsigned n,
		      unsigned bursts)
{
	uint64_t t0 = rte_rdtsc_precise();
	unsigned o = 0;

	for (unsigned b = 0; b < bursts; b++) {
		dp_rt_lookup_bulk(rt, &dst[o], &nh[o], DP_BURST);
		o = o + DP_BURST == n ? 0 : o + DP_BURST;
	}
	return rte_rdtsc_precise() - t0;
}

/* NAT rewrite of established flows (source address and port, RFC 1624
 * checksum updates). Even passes translate, odd passes translate back, so the
 * packets come back to where they started and every call changes two fields. */
STAGE uint64_t
bench_stage_rewrite(struct rte_mbuf **v, struct dp_flow *const fl[2], unsigned n,
		    unsigned bursts)
{
	uint64_t t0 = rte_rdtsc_precise();
	unsigned o = 0, pass = 0;

	for (unsigned b = 0; b < bursts; b++) {
		const struct dp_flow *f = fl[pass & 1];

		for (unsigned i = o; i < o + DP_BURST; i++)
			dp_flow_xlate(v[i], dp_meta(v[i]), &f[i], 0);
		if (o + DP_BURST == n) {
			o = 0;
			pass++;
		} else {
			o += DP_BURST;
		}
	}
	return rte_rdtsc_precise() - t0;
}

/* The whole pipeline as a worker runs it, over bursts of copies made
 * beforehand: process, send (net_null frees), report quiescent. */
STAGE uint64_t
bench_stage_pipeline(struct rte_mbuf **v, const uint16_t *port, unsigned bursts, uint64_t now)
{
	uint64_t t0 = rte_rdtsc_precise();

	for (unsigned b = 0; b < bursts; b++) {
		dp_process_burst(&v[b * DP_BURST], DP_BURST, port[b], now);
		dp_tx_flush_all();
		rte_rcu_qsbr_quiescent(dp_g.rcu, 0);
	}
	return rte_rdtsc_precise() - t0;
}

