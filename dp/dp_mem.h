/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Memory of the packet path faulted in before the first packet
 * (docs/ARCHITECTURE.md "Memory"). With hugepages, EAL maps and touches its
 * pages when it reserves them. With --no-huge, EAL reserves the whole -m
 * region as one anonymous mapping that the kernel fills page by page on
 * first touch: every table rte_malloc'd from it (flows, hash keys and
 * buckets, NAT port counters, neighbors) would take its page faults on the
 * packet path. dp_mem_prefault() asks for transparent huge pages on that
 * region and populates all of it at start, so later allocations (reloads,
 * resizes) come from memory already present.
 */
#ifndef VPCGW_DP_MEM_H
#define VPCGW_DP_MEM_H

#include <stddef.h>
#include <stdint.h>

struct dp_mem_report {
	uint64_t bytes;             /* EAL memory populated (all of -m under --no-huge) */
	uint64_t thp_bytes;         /* of which backed by transparent huge pages */
	uint64_t table_bytes;       /* the tables' own heap (dp_mem_table_socket) */
	double seconds;
	int method;                 /* 0: hugepages (nothing to do), 1: madvise, 2: touch loop */
};

/* After rte_eal_init(), before the tables: fault in every EAL page. */
int dp_mem_prefault(void);
/* What dp_mem_prefault() did (telemetry /vpcgw/memory). */
const struct dp_mem_report *dp_mem_report(void);
/*
 * A heap for the big tables (flow table), under --no-huge only: len bytes of
 * private anonymous memory with transparent huge pages asked for (enabled at
 * "madvise" or "always": 2 MB pages, a TLB entry covers 512 times more of the
 * table's random accesses than in EAL's memfd), populated at once, added to
 * rte_malloc as an external heap. Returns its socket id for the tables'
 * *_create(), or socket when there are hugepages or it cannot be had.
 */
int dp_mem_table_socket(size_t len, int socket);
/* Pages of [p, p + len) not resident (mincore); tests and telemetry. */
uint64_t dp_mem_missing_pages(const void *p, size_t len);

#endif /* VPCGW_DP_MEM_H */
