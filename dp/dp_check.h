/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Limits and memory of a configuration (dp_check.c, issue #22): what
 * `vpcgw --check` reports beyond the loader's validation. No EAL needed.
 */
#ifndef VPCGW_DP_CHECK_H
#define VPCGW_DP_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "config/cfg.h"

struct dp_opts;

/* Bytes a configuration needs (bounds; docs/config.md "Limits and memory"). */
struct dp_mem_need {
	uint64_t heap;              /* DPDK heap, what -m bounds: the sum of the below */
	uint64_t base;              /* EAL, telemetry, neighbors, NAT counters, ports */
	uint64_t per_lcore;         /* counters and worker context, workers + 1 */
	uint64_t mbufs;             /* the mbuf pool */
	uint64_t mbuf_size;         /* one mbuf in it */
	uint64_t flows;             /* the flow table */
	uint64_t nacl;              /* rte_acl contexts of one generation (counted 3 times) */
	uint64_t route_tables;      /* outside the heap (malloc): one generation */
};

/* Report every fixed limit cfg exceeds through fn ("file:line: path: ...");
 * returns how many. */
int dp_limits_check(const struct cfg *cfg, unsigned workers, cfg_error_fn fn, void *arg);
/* SPEC §8: what of several VPCs the data plane runs (dp/vpc.c); errors as above. */
int dp_vpcs_check(const struct cfg *cfg, cfg_error_fn fn, void *arg);
void dp_mem_need(const struct cfg *cfg, unsigned workers, bool small_pages, struct dp_mem_need *m);
/* The data room of an mbuf for cfg's largest MTU. */
unsigned dp_mbuf_data_room(const struct cfg *cfg);
/* --check beyond the loader: limits, and the memory against -m (printed on
 * stdout; a shortfall is an error). Returns the number of errors. */
int dp_check(const struct cfg *cfg, const struct dp_opts *o, cfg_error_fn fn, void *arg);

#endif /* VPCGW_DP_CHECK_H */
