/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vpcgw-bench: cycles per packet of each pipeline stage, in process, no I/O
 * (issue #8).
 *
 * One scenario per process: its configuration (bench/configs/<scenario>.cfg,
 * every port a net_null device), the setup dp_main() does with the public
 * functions, and the scenario's traffic (bench/lib/scenarios.py: the same
 * addresses and flows) built here as 60-byte Ethernet/IPv4/UDP frames with
 * valid checksums. One warm pass of the whole pipeline establishes the flows;
 * then each stage is timed with rte_rdtsc_precise() over bursts of 32
 * prepared packets, several repetitions, and reported as cycles per packet
 * (min, median, max over the repetitions).
 *
 * Each stage's timed loop is a non-inlined function bench_stage_<name>() that
 * does nothing but the stage, so that
 *   valgrind --tool=callgrind --toggle-collect=bench_stage_<name>
 * counts the instructions of the stage alone (bench/stages.sh).
 *
 * usage: vpcgw-bench [--stage NAME] [--scenario NAME] [--iterations BURSTS]
 *                    [--reps N] [--json] [--configs DIR] [--list]
 * Without --stage: every stage of every scenario, each scenario in a child
 * process of its own (the data plane's state is global and set up once).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>
#include <rte_udp.h>

#include "config/cfg.h"
#include "dp/dp.h"
#include "dp/dp_graph.h"
#include "dp/dp_ctl.h"
#include "dp/dp_flow.h"
#include "dp/dp_parse.h"
#include "dp/dp_stats.h"
#include "dp/dp_worker.h"
#include "bench/bench.h"
#include "bench/bench_stages.h"
#include "fw/nacl.h"
#include "fw/sg.h"
#include "geneve/gnv.h"
#include "lb/lb.h"
#include "nat/nat.h"


/* ------------------------------------------------------------ drivers */

struct bench_opts {
	const char *stage;          /* NULL: all of the scenario */
	unsigned bursts;            /* per repetition; 0: the stage's default */
	unsigned reps;
	bool json;
};

static struct bench_opts O = { .reps = 15 };

struct bench_result {
	double cpp[BENCH_MAX_REPS];
	unsigned reps;
	uint64_t packets;           /* per repetition */
};

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
report(const char *stage, const struct bench_result *r, const char *note)
{
	double s[BENCH_MAX_REPS], med;

	memcpy(s, r->cpp, r->reps * sizeof(s[0]));
	qsort(s, r->reps, sizeof(s[0]), cmp_double);
	med = r->reps % 2 ? s[r->reps / 2] : (s[r->reps / 2 - 1] + s[r->reps / 2]) / 2;
	if (O.json)
		printf("{\"stage\": \"%s\", \"scenario\": \"%s\", \"cycles_per_pkt\": "
		       "{\"min\": %.2f, \"median\": %.2f, \"max\": %.2f}, \"packets\": %" PRIu64
		       ", \"reps\": %u, \"tsc_hz\": %" PRIu64 "}\n",
		       stage, B.sc->name, s[0], med, s[r->reps - 1], r->packets, r->reps,
		       rte_get_tsc_hz());
	else
		printf("%-12s %-9s %9.1f %9.1f %9.1f %9" PRIu64 "  %s\n", stage, B.sc->name,
		       s[0], med, s[r->reps - 1], r->packets, note);
	fflush(stdout);
}

/* The pipeline's own stage counters (dp_graph.c) over the pipeline runs,
 * warm-up included: which stages the scenario's packets took, how many per
 * call, TSC cycles per packet of each (the clock reads are the framework's). */
static void
report_stages(const struct dp_node_stats *before)
{
	const struct dp_node_stats *now = dp_g.stats[0].node;

	for (unsigned i = 0; i <= dp_graph_count(); i++) {
		const char *name = i < dp_graph_count() ? dp_graph_node(i)->name : "ip_output";
		uint64_t pk = now[i].pkts - before[i].pkts, ca = now[i].calls - before[i].calls;
		uint64_t tp = now[i].timed_pkts - before[i].timed_pkts;
		double cpp = tp ? (double)(now[i].cycles - before[i].cycles) / (double)tp : 0;

		if (O.json)
			printf("{\"stage\": \"pipeline/%s\", \"scenario\": \"%s\", "
			       "\"cycles_per_pkt\": %.2f, \"packets\": %" PRIu64 ", \"calls\": %"
			       PRIu64 "}\n", name, B.sc->name, cpp, pk, ca);
		else
			printf("  %-12s %-9s %9.1f %9s %9s %9" PRIu64 "  %.1f packets per call\n",
			       name, B.sc->name, cpp, "", "", pk, ca ? (double)pk / (double)ca : 0);
	}
	fflush(stdout);
}

static unsigned
bursts_or(unsigned dflt)
{
	return O.bursts != 0 ? O.bursts : dflt;
}

/* Repeat run() reps times and report; run returns cycles for `bursts` bursts. */
#define MEASURE(stage_name, dflt_bursts, note, call)                                    \
	do {                                                                            \
		struct bench_result r_ = { .reps = O.reps };                             \
		unsigned bursts = bursts_or(dflt_bursts);                                \
		(void)(call);   /* warm-up */                                           \
		for (unsigned k_ = 0; k_ < O.reps; k_++)                                 \
			r_.cpp[k_] = (double)(call) / ((double)bursts * DP_BURST);        \
		r_.packets = (uint64_t)bursts * DP_BURST;                                \
		report(stage_name, &r_, note);                                           \
	} while (0)

static bool
want(const char *stage)
{
	return O.stage == NULL || strcmp(O.stage, stage) == 0;
}

static int
subnet_of(uint32_t addr_host)
{
	return dp_subnet_lookup(B.t, addr_host);
}

static uint64_t
drops_total(void)
{
	uint64_t n = 0;

	for (int r = 0; r < DP_DROP_MAX; r++)
		n += dp_g.stats[0].drops[r];
	return n;
}

/* Copy `bursts` bursts of the scenario's traffic into pipeline mbufs,
 * starting at frame *next; replies alternate with requests burst by burst. */
static void
copy_bursts(struct rte_mbuf **v, uint16_t *port, unsigned bursts, unsigned *next)
{
	if (rte_pktmbuf_alloc_bulk(dp_g.pool, v, bursts * DP_BURST) != 0)
		die("pipeline mbufs: pool empty (%u in use)", rte_mempool_in_use_count(dp_g.pool));
	for (unsigned b = 0; b < bursts; b++) {
		int d = B.sc->replies ? (int)((*next / DP_BURST) & 1) : 0;
		unsigned f = B.sc->replies ? (*next / (2 * DP_BURST)) * DP_BURST : *next;

		port[b] = (uint16_t)d;
		for (unsigned i = 0; i < DP_BURST; i++)
			load_frame(v[b * DP_BURST + i], B.frames[d][(f + i) % B.n_frames]);
		*next = (*next + DP_BURST) % (B.n_frames * (1 + B.sc->replies));
	}
}

static uint64_t
run_pipeline(unsigned bursts)
{
	static struct rte_mbuf *v[BENCH_CHUNK * DP_BURST];
	static uint16_t port[BENCH_CHUNK];
	static unsigned next;
	uint64_t cycles = 0;

	while (bursts > 0) {
		unsigned c = RTE_MIN(bursts, (unsigned)BENCH_CHUNK);

		copy_bursts(v, port, c, &next);
		cycles += bench_stage_pipeline(v, port, c, B.now_ms);
		bursts -= c;
	}
	return cycles;
}

/*
 * Two passes over every flow through the pipeline (requests first, then the
 * replies): the flows exist afterwards, and the second pass fills what their
 * first known packet fills (the NACL verdict cache), so the timed passes see
 * the steady state of established flows. Checks that the traffic is forwarded,
 * not dropped or left waiting for ARP, so the stages measure the intended path.
 */
static void
warm_up(void)
{
	const struct dp_lcore_stats *s = &dp_g.stats[0];
	unsigned per_dir = B.n_frames / DP_BURST;
	uint64_t fwd0 = s->port[0].fwd + s->port[1].fwd, fwd;
	static struct rte_mbuf *v[DP_BURST];

	for (int pass = 0; pass < 2; pass++) {
		for (int d = 0; d < 1 + B.sc->replies; d++) {
			for (unsigned b = 0; b < per_dir; b++) {
				if (rte_pktmbuf_alloc_bulk(dp_g.pool, v, DP_BURST) != 0)
					die("warm-up: pool empty");
				for (unsigned i = 0; i < DP_BURST; i++)
					load_frame(v[i], B.frames[d][b * DP_BURST + i]);
				/* not bench_stage_pipeline(): callgrind counts steady state only */
				dp_process_burst(v, DP_BURST, (uint16_t)d, B.now_ms);
				dp_tx_flush_all();
				rte_rcu_qsbr_quiescent(dp_g.rcu, 0);
			}
		}
	}
	fwd = s->port[0].fwd + s->port[1].fwd - fwd0;
	if (drops_total() != 0 || B.w->arpq_n != 0 ||
	    fwd != 2ull * per_dir * DP_BURST * (1 + B.sc->replies)) {
		fprintf(stderr, "vpcgw-bench: %s: warm-up forwarded %" PRIu64 " of %u, %u waiting "
			"for ARP; drops:", B.sc->name, fwd, 2 * per_dir * DP_BURST * (1 + B.sc->replies),
			B.w->arpq_n);
		for (int r = 0; r < DP_DROP_MAX; r++)
			if (s->drops[r] != 0)
				fprintf(stderr, " %s %" PRIu64, dp_drop_names[r], s->drops[r]);
		fputc('\n', stderr);
		exit(1);
	}
}

static void
flow_keys(struct rte_mbuf **v, unsigned n, struct dp_flow_key *k, uint16_t sport_add)
{
	for (unsigned i = 0; i < n; i++) {
		k[i] = dp_meta(v[i])->key;
		k[i].sport = rte_cpu_to_be_16((uint16_t)(rte_be_to_cpu_16(k[i].sport) + sport_add));
	}
}

static void
stages_routing(void)
{
	unsigned n = B.n_frames;
	struct rte_mbuf **v = prep_mbufs(n, 0, true);
	uint32_t *dst = malloc(n * sizeof(*dst));
	uint64_t *nh = malloc(n * sizeof(*nh));
	const struct dp_rtable *rt;
	int sub, rti;

	if (dst == NULL || nh == NULL)
		die("out of memory");
	for (unsigned i = 0; i < n; i++)
		dst[i] = rte_be_to_cpu_32(dp_meta(v[i])->key.dst);
	sub = subnet_of(rte_be_to_cpu_32(dp_meta(v[0])->key.src));
	rti = sub >= 0 ? B.t->cfg->subnets[sub].route_table : -1;
	rt = rti >= 0 ? &B.t->rtables[rti] : &B.t->local_rt;
	if (want("parse"))
		MEASURE("parse", 4096, "dp_parse", bench_stage_parse(v, n, bursts));
	if (want("route_b1"))
		MEASURE("route_b1", 4096, "dp_rt_lookup_bulk x1 (as route())",
			bench_stage_route_b1(rt, dst, nh, n, bursts));
	if (want("route_b32"))
		MEASURE("route_b32", 4096, "dp_rt_lookup_bulk x32",
			bench_stage_route_b32(rt, dst, nh, n, bursts));
	for (unsigned i = 0; i < n && (want("route_b1") || want("route_b32")); i++)
		if (nh[i] == rt->none)
			die("route: no route for packet %u", i);
	free(dst);
	free(nh);
	free_mbufs(v, n);
}

static void
stages_nacl_sg(void)
{
	unsigned n = B.n_frames, allowed = 0;
	struct rte_mbuf **v = prep_mbufs(n, 0, true);
	struct fw_acl_key *keys = calloc(n, sizeof(*keys));
	struct sg_in *sg = calloc(n, sizeof(*sg));
	struct nacl_in in = { .kp = calloc(n, sizeof(*in.kp)), .verdict = calloc(n, 1) };
	int sub;

	if (keys == NULL || sg == NULL || in.kp == NULL || in.verdict == NULL)
		die("out of memory");
	for (unsigned i = 0; i < n; i++) {
		const struct dp_flow_key *k = &dp_meta(v[i])->key;

		/* what nacl_allows() and sg_pkt() build from the header */
		keys[i] = (struct fw_acl_key){ .proto = k->proto, .src = k->src, .dst = k->dst,
					       .sport = k->sport, .dport = k->dport };
		in.kp[i] = &keys[i];
		sg[i].src = rte_be_to_cpu_32(k->src);
		sg[i].dst = rte_be_to_cpu_32(k->dst);
		sg[i].egress = (struct fw_sg_pkt){ .proto = k->proto, .peer = sg[i].dst,
						   .dport = rte_be_to_cpu_16(k->dport) };
		sg[i].ingress = sg[i].egress;
		sg[i].ingress.peer = sg[i].src;
	}
	/* the request leaves its subnet: that subnet's outbound rules (17, the match last) */
	sub = subnet_of(sg[0].src);
	in.nacl = sub >= 0 ? B.t->cfg->subnets[sub].nacl : -1;
	in.dir = FW_DIR_EGRESS;
	if (in.nacl < 0)
		die("nacl: the source subnet has no NACL");
	if (want("nacl_b1"))
		MEASURE("nacl_b1", 2048, "fw_nacl_classify x1",
			bench_stage_nacl_b1(&in, n, bursts));
	if (want("nacl_b32"))
		MEASURE("nacl_b32", 4096, "fw_nacl_classify x32",
			bench_stage_nacl_b32(&in, n, bursts));
	/* every packet both stages classified (the smaller default of the two) */
	for (unsigned i = 0; i < RTE_MIN(n, bursts_or(2048) * DP_BURST) &&
			     (want("nacl_b1") || want("nacl_b32")); i++)
		if (in.verdict[i] != 1)
			die("nacl: packet %u denied", i);
	if (want("sg"))
		MEASURE("sg", 2048, "eni_find+check_group, both ENIs",
			bench_stage_sg(sg, n, bursts, &allowed));
	if (want("sg") && allowed != bursts_or(2048) * DP_BURST)
		die("sg: %u of %u allowed", allowed, bursts_or(2048) * DP_BURST);
	free(in.kp);
	free(in.verdict);
	free(keys);
	free(sg);
	free_mbufs(v, n);
}

static void
stages_nat(void)
{
	unsigned n = B.n_frames, failed = 0;
	struct rte_mbuf **v = prep_mbufs(n, 0, true), **w;
	struct dp_flow_key *k = calloc(n, sizeof(*k));
	struct dp_flow *fl[2];
	int gw = 0;

	if (k == NULL)
		die("out of memory");
	if (want("flow_lookup")) {
		MEASURE("flow_lookup", 2048, "dp_flow_lookup_burst, 10k flows",
			bench_stage_flow_lookup(v, n, bursts));
		for (unsigned i = 0; i < RTE_MIN(n, bursts_or(2048) * DP_BURST); i++)
			if (dp_meta(v[i])->flow == NULL)
				die("flow_lookup: packet %u found no flow", i);
	}
	if (want("nat_new")) {
		/* source ports no established flow uses: every key is new */
		flow_keys(v, n, k, 30000);
		MEASURE("nat_new", 1024, "alloc+nat_flow_init+release",
			bench_stage_nat_new(k, n, bursts, gw, &failed));
		if (failed != 0)
			die("nat_new: %u failures", failed);
	}
	if (want("rewrite")) {
		n = RTE_MIN(n, BENCH_WINDOW);
		w = prep_mbufs(n, 0, true);
		fl[0] = calloc(n, sizeof(struct dp_flow));
		fl[1] = calloc(n, sizeof(struct dp_flow));
		if (fl[0] == NULL || fl[1] == NULL)
			die("out of memory");
		for (unsigned i = 0; i < n; i++) {
			const struct dp_flow_key *o = &dp_meta(w[i])->key;
			void *tf = dp_flow_lookup(o);

			if (tf == NULL)
				die("rewrite: no flow for packet %u", i);
			fl[0][i] = *dp_flow_ptr(tf);
			/* back: key[1] the mirror of the packet as it arrived */
			fl[1][i].key[1] = (struct dp_flow_key){ .src = o->dst, .dst = o->src,
							       .sport = o->dport, .dport = o->sport,
							       .proto = o->proto };
		}
		MEASURE("rewrite", 4096, "dp_flow_xlate (SNAT)",
			bench_stage_rewrite(w, fl, n, bursts));
		free(fl[0]);
		free(fl[1]);
		free_mbufs(w, n);
	}
	free(k);
	free_mbufs(v, n);
}

static void
stages_nlb(void)
{
	unsigned n = B.n_frames, failed = 0;
	struct rte_mbuf **v = prep_mbufs(n, 0, true);
	struct dp_flow_key *k = calloc(n, sizeof(*k));
	const struct dp_flow_key *k0 = &dp_meta(v[0])->key;
	int l = lb_listener_find(B.t, k0->dst, k0->proto, k0->dport);

	if (k == NULL)
		die("out of memory");
	if (l < 0)
		die("nlb: no listener");
	flow_keys(v, n, k, 0);
	if (want("nlb_new"))
		MEASURE("nlb_new", 1024, "alloc+lb_flow_init(Maglev)+release",
			bench_stage_nlb_new(k, n, bursts, l, &failed));
	if (failed != 0)
		die("nlb_new: %u failures", failed);
	free(k);
	free_mbufs(v, n);
}

static void
stages_gwlb(void)
{
	unsigned n = RTE_MIN(B.n_frames, BENCH_WINDOW), failed = 0;
	struct rte_mbuf **v = prep_mbufs(n, 0, true);
	struct dp_flow **f = calloc(n, sizeof(*f));

	if (f == NULL)
		die("out of memory");
	for (unsigned i = 0; i < n; i++) {
		void *tf = dp_flow_lookup(&dp_meta(v[i])->key);

		if (tf == NULL)
			die("geneve: no flow for packet %u", i);
		f[i] = dp_flow_ptr(tf);
	}
	if (want("geneve"))
		MEASURE("geneve", 2048, "gnv_encap (+adj back)",
			bench_stage_geneve(v, f, n, bursts, &failed));
	if (failed != 0)
		die("geneve: %u failures", failed);
	free(f);
	free_mbufs(v, n);
}

static const struct {
	const char *scenario;
	void (*run)(void);
	const char *stages;         /* space-separated, for --list and the driver */
} scenario_stages[] = {
	{ "routing", stages_routing, "parse route_b1 route_b32" },
	{ "nacl_sg", stages_nacl_sg, "nacl_b1 nacl_b32 sg" },
	{ "nat_10k", stages_nat, "flow_lookup nat_new rewrite" },
	{ "nlb_10k", stages_nlb, "nlb_new" },
	{ "gwlb", stages_gwlb, "geneve" },
};

static void
run_scenario(const char *argv0)
{
	bench_setup(argv0);
	warm_up();
	for (unsigned i = 0; i < RTE_DIM(scenario_stages); i++)
		if (strcmp(scenario_stages[i].scenario, B.sc->name) == 0)
			scenario_stages[i].run();
	if (want("pipeline")) {
		struct dp_node_stats before[DP_NODE_MAX + 1];

		memcpy(before, dp_g.stats[0].node, sizeof(before));
		MEASURE("pipeline", RTE_MAX(1024u, 2 * B.n_frames / DP_BURST),
			"dp_process_burst+tx+quiescent", run_pipeline(bursts));
		report_stages(before);
	}
	rte_eal_cleanup();
}

/* The scenario whose configuration a stage runs on. */
static const char *
stage_scenario(const char *stage)
{
	for (unsigned i = 0; i < RTE_DIM(scenario_stages); i++) {
		const char *s = scenario_stages[i].stages;
		size_t l = strlen(stage);

		while ((s = strstr(s, stage)) != NULL) {
			if ((s == scenario_stages[i].stages || s[-1] == ' ') &&
			    (s[l] == ' ' || s[l] == '\0'))
				return scenario_stages[i].scenario;
			s += l;
		}
	}
	return NULL;
}

static const struct bench_scenario *
scenario_by_name(const char *name)
{
	for (unsigned i = 0; i < bench_n_scenarios; i++)
		if (strcmp(bench_scenarios[i].name, name) == 0)
			return &bench_scenarios[i];
	return NULL;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: vpcgw-bench [--stage NAME] [--scenario NAME] [--iterations BURSTS]\n"
		   "                   [--reps N] [--json] [--configs DIR] [--list]\n"
		   "Cycles per packet of each pipeline stage, in process (issue #8).\n"
		   "  --stage NAME        one stage (its timed loop is bench_stage_NAME)\n"
		   "  --scenario NAME     scenario of --stage pipeline (default: all, or routing\n"
		   "                      with --stage pipeline)\n"
		   "  --iterations N      bursts of %d per repetition (default: per stage)\n"
		   "  --reps N            repetitions (default 15), after one warm-up\n"
		   "  --json              one JSON object per stage\n"
		   "  --configs DIR       scenario configurations (default %s)\n"
		   "  --list              print 'scenario stage' pairs and exit\n",
		DP_BURST, BENCH_CONFIG_DIR);
}

/* A benchmark driver read top to bottom (options, the listings, one child
 * process per scenario, the report); longer than 80 lines by those steps. */
int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "stage", required_argument, NULL, 's' },
		{ "scenario", required_argument, NULL, 'S' },
		{ "iterations", required_argument, NULL, 'i' },
		{ "reps", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "configs", required_argument, NULL, 'c' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *scenario = NULL;
	int c, rc = 0;

	B.config_dir = BENCH_CONFIG_DIR;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 's':
			O.stage = optarg;
			break;
		case 'S':
			scenario = optarg;
			break;
		case 'i':
			O.bursts = (unsigned)strtoul(optarg, NULL, 0);
			break;
		case 'r':
			O.reps = (unsigned)strtoul(optarg, NULL, 0);
			if (O.reps < 1 || O.reps > BENCH_MAX_REPS)
				die("--reps: 1 to %d", BENCH_MAX_REPS);
			break;
		case 'j':
			O.json = true;
			break;
		case 'c':
			B.config_dir = optarg;
			break;
		case 'l':
			for (unsigned i = 0; i < RTE_DIM(scenario_stages); i++) {
				char buf[128], *tok, *save;

				snprintf(buf, sizeof(buf), "%s", scenario_stages[i].stages);
				for (tok = strtok_r(buf, " ", &save); tok != NULL;
				     tok = strtok_r(NULL, " ", &save))
					printf("%s %s\n", scenario_stages[i].scenario, tok);
			}
			for (unsigned i = 0; i < bench_n_scenarios; i++)
				printf("%s pipeline\n", bench_scenarios[i].name);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (O.stage != NULL && strcmp(O.stage, "pipeline") != 0) {
		const char *s = stage_scenario(O.stage);

		if (s == NULL)
			die("unknown stage %s (--list)", O.stage);
		scenario = s;
	} else if (O.stage != NULL && scenario == NULL) {
		scenario = "routing";
	}
	if (scenario != NULL) {
		B.sc = scenario_by_name(scenario);
		if (B.sc == NULL)
			die("unknown scenario %s (--list)", scenario);
		run_scenario(argv[0]);
		return 0;
	}
	/* every scenario: the data plane is set up once per process, so one child each */
	if (!O.json)
		printf("%-12s %-9s %9s %9s %9s %9s  %s\n", "stage", "scenario", "min", "median",
		       "max", "packets", "cycles/packet; what");
	fflush(stdout);
	for (unsigned i = 0; i < bench_n_scenarios; i++) {
		pid_t pid = fork();
		int st;

		if (pid < 0)
			die("fork: %s", strerror(errno));
		if (pid == 0) {
			B.sc = &bench_scenarios[i];
			run_scenario(argv[0]);
			exit(0);
		}
		if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "vpcgw-bench: scenario %s failed\n", bench_scenarios[i].name);
			rc = 1;
		}
	}
	return rc;
}
