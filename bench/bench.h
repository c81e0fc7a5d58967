/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vpcgw-bench's shared parts: the scenarios' traffic and the data plane's
 * setup (bench_setup.c), used by the stages and drivers (vpcgw_bench.c).
 */
#ifndef VPCGW_BENCH_H
#define VPCGW_BENCH_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dp/dp.h"
#include "dp/dp_worker.h"

#ifndef BENCH_CONFIG_DIR
#define BENCH_CONFIG_DIR "bench/configs"
#endif

#define BENCH_FRAME 60              /* 64 bytes on the wire with the FCS */
#define BENCH_MBUFS 32767
#define BENCH_FLOWS 65536
#define BENCH_PREP_MBUFS 32767      /* prepared packets of the micro stages */
#define BENCH_CHUNK 128             /* pipeline: bursts copied per timed region */
#define BENCH_MAX_REPS 101
/* packets the per-packet stages cycle through: their mbufs stay in L2, so
 * the figure is the stage's code, not the memory of 10,000 mbufs */
#define BENCH_WINDOW 1024u
#define BENCH_NOW_MS 1000

struct bench_tuple {
	uint32_t src, dst;          /* host order */
	uint16_t sport, dport;
};

typedef void (*bench_gen_fn)(unsigned i, bool reply, struct bench_tuple *t);

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

struct bench_scenario {
	const char *name;
	bench_gen_fn gen;
	unsigned flows;
	bool replies;               /* traffic both ways: requests on port 0, replies on 1 */
};

extern const struct bench_scenario bench_scenarios[];
extern const unsigned bench_n_scenarios;

struct bench_state {
	const struct bench_scenario *sc;
	const char *config_dir;
	struct rte_mempool *prep_pool;
	uint8_t (*frames[2])[BENCH_FRAME];  /* requests, replies */
	unsigned n_frames;                  /* flows rounded up to whole bursts */
	struct dp_worker_ctx *w;
	const struct dp_tables *t;
	uint64_t now_ms;
};

extern struct bench_state B;

void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* Set up the data plane for scenario B.sc as dp_main() does (argv0: EAL name). */
void bench_setup(const char *argv0);
void load_frame(struct rte_mbuf *m, const uint8_t *f);
/* n mbufs of direction dir's frames, parsed when parse. */
struct rte_mbuf **prep_mbufs(unsigned n, int dir, bool parse);
void free_mbufs(struct rte_mbuf **v, unsigned n);

#endif /* VPCGW_BENCH_H */
