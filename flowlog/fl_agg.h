/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One flow log's aggregation over an interval (control thread only): the
 * records of a window by interface, 5-tuple, action and direction, summed.
 * Pure: no DPDK.
 */
#ifndef VPCGW_FL_AGG_H
#define VPCGW_FL_AGG_H

#include <stdint.h>

#include "flowlog/fl_format.h"

struct fl_agg {
	struct fl_record *recs;     /* recs[0..n-1] */
	uint32_t n, cap;
	uint32_t *slot;             /* open addressing: record index + 1, 0 empty */
	uint32_t n_slots;           /* a power of 2, > 2 n */
};

/* Add r (packets, bytes, times, flags) to the record of its key; -1: no memory. */
int fl_agg_add(struct fl_agg *a, const struct fl_record *r);
/* Sort the window's records (start, interface, addresses, ports, protocol, action). */
void fl_agg_sort(struct fl_agg *a);
void fl_agg_clear(struct fl_agg *a);
void fl_agg_free(struct fl_agg *a);

#endif /* VPCGW_FL_AGG_H */
