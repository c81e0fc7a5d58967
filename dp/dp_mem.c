/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include "dp/dp.h"
#include "dp/dp_flow.h"
#include "dp/dp_mem.h"
#include "dp/flow_index.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23      /* Linux 5.14 */
#endif

struct walk {
	struct dp_mem_report *r;
	long page;
	int err;
};

/* Touch one byte per page, keeping what is there (EAL's own data lives in
 * the region already): a locked add of 0 is one write fault per page. */
static void
touch(uint8_t *p, size_t len, long page)
{
	for (size_t o = 0; o < len; o += (size_t)page)
		__atomic_fetch_add(p + o, 0, __ATOMIC_RELAXED);
}

static int
populate(const struct rte_memseg_list *msl, const struct rte_memseg *ms, size_t len, void *arg)
{
	struct walk *w = arg;
	uintptr_t a = (uintptr_t)ms->addr, lo = RTE_ALIGN_FLOOR(a, (uintptr_t)w->page);
	size_t l = len + (a - lo);

	(void)msl;
	/* huge pages where the range allows it: fewer TLB misses on the
	 * flow table's random accesses. EAL maps --no-huge memory from a
	 * memfd (shared memory): this takes effect only with
	 * /sys/kernel/mm/transparent_hugepage/shmem_enabled at advise or always */
	(void)madvise((void *)lo, l, MADV_HUGEPAGE);
	if (w->r->method == 1 && madvise((void *)lo, l, MADV_POPULATE_WRITE) != 0) {
		if (errno != EINVAL) {
			w->err = -errno;
			return -1;
		}
		w->r->method = 2;   /* older kernel */
	}
	if (w->r->method == 2)
		touch((uint8_t *)lo, l, w->page);
	w->r->bytes += len;
	return 0;
}

static uint64_t
thp_bytes(void)
{
	FILE *f = fopen("/proc/self/smaps_rollup", "r");
	char line[256];
	unsigned long long kb = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "AnonHugePages: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return (uint64_t)kb * 1024;
}

static struct dp_mem_report report;

const struct dp_mem_report *
dp_mem_report(void)
{
	return &report;
}

int
dp_mem_prefault(void)
{
	struct dp_mem_report *r = &report;
	struct walk w = { .r = r, .page = sysconf(_SC_PAGESIZE) };
	struct timespec t0, t1;

	memset(r, 0, sizeof(*r));
	if (rte_eal_has_hugepages())
		return 0;           /* EAL touched its hugepages when it mapped them */
	r->method = 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (rte_memseg_contig_walk(populate, &w) < 0)
		return w.err ? w.err : -EIO;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	r->thp_bytes = thp_bytes();
	return 0;
}

#define TABLE_HEAP "vpcgw_tables"
#define HUGE_2M (2u << 20)

int
dp_mem_table_socket(size_t len, int socket)
{
	uint8_t *va;
	int s;

	if (rte_eal_has_hugepages() || len == 0)
		return socket;
	len = RTE_ALIGN_CEIL(len, (size_t)HUGE_2M);
	va = mmap(NULL, len + HUGE_2M, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (va == MAP_FAILED)
		return socket;
	/* 2 MB aligned: every page of it can be a huge page */
	va = (uint8_t *)RTE_PTR_ALIGN_CEIL(va, HUGE_2M);
	(void)madvise(va, len, MADV_HUGEPAGE);
	if (madvise(va, len, MADV_POPULATE_WRITE) != 0)
		touch(va, len, sysconf(_SC_PAGESIZE));
	if ((s = rte_malloc_heap_get_socket(TABLE_HEAP)) < 0 &&
	    rte_malloc_heap_create(TABLE_HEAP) != 0)
		return socket;
	if (rte_malloc_heap_memory_add(TABLE_HEAP, va, len, NULL, 0, HUGE_2M) != 0)
		return socket;
	s = rte_malloc_heap_get_socket(TABLE_HEAP);
	if (s < 0)
		return socket;
	report.table_bytes += len;
	report.thp_bytes = thp_bytes();
	return s;
}

uint64_t
dp_mem_missing_pages(const void *p, size_t len)
{
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t lo = RTE_ALIGN_FLOOR((uintptr_t)p, (uintptr_t)page);
	size_t l = len + ((uintptr_t)p - lo), n = (l + (size_t)page - 1) / (size_t)page;
	unsigned char *v = malloc(n);
	uint64_t missing = 0;

	if (v == NULL || mincore((void *)lo, l, v) != 0) {
		free(v);
		return UINT64_MAX;
	}
	for (size_t i = 0; i < n; i++)
		missing += !(v[i] & 1);
	free(v);
	return missing;
}

/* (dp/dp_flow.h) what the flow table takes, beside the tables sized here */
size_t
dp_flow_mem_bytes(uint32_t capacity)
{
	/* flows 128, index ~37 (two keys in 64-byte buckets of 7, at most
	 * half full), free ring 4-8 (test_expire measures the total, defer
	 * queue included; the defer queue is not taken from this socket) */
	return (size_t)capacity * (sizeof(struct dp_flow) + sizeof(struct dp_flow_cnt) + 8) +
	       fidx_mem_bytes((uint64_t)capacity * 2) + (64u << 20);
}
