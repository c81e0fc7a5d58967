/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NACL classification microbenchmark (EAL, no devices).
 *
 * Builds NACLs of 10, 100 and 1000 random, realistic rules and measures the
 * cost of fw_nacl_classify() per key, for bursts of 1 and 32 keys, in two
 * cases: the packets match only the last rule (the worst case of a linear
 * scan) and they match no rule (implicit deny). SPEC §4 wants the cost not to
 * grow linearly with the rule count; a naive first-match scan over the same
 * rules is timed beside it for contrast.
 *
 * usage: vpcgw-nacl-bench [--iters N] [-- EAL arguments]
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_memory.h>

#include "config/cfg.h"
#include "fw/nacl.h"

#define BENCH_N_KEYS 1024   /* distinct keys cycled through, so the bench is not one cached key */
#define BENCH_MAX_RULES 1000

struct bench_case {
	const char *name;
	uint32_t net;       /* keys' source network (ingress NACL matches the source) */
	int want;           /* expected verdict */
};

static uint32_t rng_state = 0x9e3779b9;

static uint32_t
rng(void)
{
	/* xorshift32: reproducible runs, independent of libc rand() */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/*
 * Rules a real VPC NACL has: TCP/UDP port ranges, ICMP, "all" from private
 * ranges, over CIDRs in 10/8, 172.16/12 and 100.64/10. The last rule allows
 * TCP 443 from 192.0.2.0/24, which nothing else covers; 198.51.100.0/24 is
 * covered by no rule at all.
 */
static void
bench_rules(struct cfg_rule *rules, int n)
{
	static const uint16_t well_known[] = { 22, 25, 53, 80, 123, 389, 443, 3306, 3389, 5432,
					       6379, 8080, 8443, 9200 };
	int i;

	for (i = 0; i < n; i++) {
		struct cfg_rule *r = &rules[i];
		uint32_t base;
		uint8_t len;

		memset(r, 0, sizeof(*r));
		r->number = (i + 1) * 10;
		r->allow = rng() % 4 != 0;
		r->icmp_type = -1;
		r->icmp_code = -1;
		r->sg = -1;
		switch (rng() % 3) {
		case 0:
			base = 0x0a000000 | (rng() & 0x00ffffff);   /* 10/8 */
			len = 8 + rng() % 25;
			break;
		case 1:
			base = 0xac100000 | (rng() & 0x000fffff);   /* 172.16/12 */
			len = 12 + rng() % 21;
			break;
		default:
			base = 0x64400000 | (rng() & 0x003fffff);   /* 100.64/10 */
			len = 10 + rng() % 23;
			break;
		}
		r->cidr.len = len;
		r->cidr.addr = base & (UINT32_MAX << (32 - len));
		switch (rng() % 10) {
		case 0:
			r->proto = CFG_PROTO_ALL;
			r->port_hi = UINT16_MAX;
			break;
		case 1:
			r->proto = 1;
			r->port_hi = UINT16_MAX;
			r->icmp_type = rng() % 2 ? -1 : (int16_t)(rng() % 16);
			break;
		case 2:
		case 3:
			r->proto = 17;
			r->port_lo = well_known[rng() % RTE_DIM(well_known)];
			r->port_hi = r->port_lo;
			break;
		case 4:
			r->proto = 6;
			r->port_lo = 1024 + rng() % 30000;
			r->port_hi = r->port_lo + rng() % 30000;
			break;
		default:
			r->proto = 6;
			r->port_lo = well_known[rng() % RTE_DIM(well_known)];
			r->port_hi = r->port_lo + (rng() % 4 == 0 ? rng() % 100 : 0);
			break;
		}
	}
	rules[n - 1].proto = 6;
	rules[n - 1].port_lo = 443;
	rules[n - 1].port_hi = 443;
	rules[n - 1].cidr.addr = 0xc0000200;   /* 192.0.2.0/24 */
	rules[n - 1].cidr.len = 24;
	rules[n - 1].allow = true;
}

/* First-match linear scan, host-order key fields: the baseline rte_acl avoids. */
static int
linear_eval(const struct cfg_rule *rules, int n, const struct fw_acl_key *k)
{
	uint32_t src = ntohl(k->src);
	uint16_t sport = ntohs(k->sport), dport = ntohs(k->dport);
	int i;

	for (i = 0; i < n; i++) {
		const struct cfg_rule *r = &rules[i];
		uint32_t mask = r->cidr.len == 0 ? 0 : UINT32_MAX << (32 - r->cidr.len);

		if ((src & mask) != r->cidr.addr)
			continue;
		if (r->proto != CFG_PROTO_ALL) {
			if (r->proto != k->proto)
				continue;
			if ((k->proto == 6 || k->proto == 17) &&
			    (dport < r->port_lo || dport > r->port_hi))
				continue;
			if (k->proto == 1 && ((r->icmp_type >= 0 && r->icmp_type != sport) ||
					      (r->icmp_code >= 0 && r->icmp_code != dport)))
				continue;
		}
		return r->allow;
	}
	return 0;
}

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* A benchmark driver read top to bottom: for each rule count, build the NACL,
 * check its answers once, then time each case and burst size after a warm-up;
 * longer than 80 lines by those nested loops, one after the other. */
int
main(int argc, char **argv)
{
	static struct cfg_rule rules[BENCH_MAX_RULES];
	static struct fw_acl_key keys[BENCH_N_KEYS];
	static const struct fw_acl_key *kp[BENCH_N_KEYS];
	static uint8_t verdict[BENCH_N_KEYS];
	static const int rule_counts[] = { 10, 100, 1000 };
	static const uint32_t bursts[] = { 1, 32 };
	static const struct bench_case cases[] = {
		{ "last-rule", 0xc0000200, 1 },   /* 192.0.2.0/24: rule N only */
		{ "no-match", 0xc6336400, 0 },    /* 198.51.100.0/24: implicit deny */
	};
	char prefix[64];
	char *def_eal[] = { argv[0], "--no-huge", "-m", "256", "--no-pci", "--file-prefix", prefix,
			    "--log-level", "error" };
	char **eal = def_eal;
	int n_eal = RTE_DIM(def_eal);
	uint64_t iters = 4000000;
	unsigned int tag = 0;
	volatile int sink = 0;
	size_t ci, ri, bi;
	int i;

	snprintf(prefix, sizeof(prefix), "nacl_bench_%d", (int)getpid());
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--iters") == 0 && i + 1 < argc) {
			iters = strtoull(argv[++i], NULL, 0);
		} else if (strcmp(argv[i], "--") == 0) {
			eal = &argv[i];
			eal[0] = argv[0];
			n_eal = argc - i;
			break;
		} else {
			fprintf(stderr, "usage: %s [--iters N] [-- EAL arguments]\n", argv[0]);
			return 1;
		}
	}
	if (rte_eal_init(n_eal, eal) < 0) {
		fprintf(stderr, "rte_eal_init failed\n");
		return 2;
	}

	printf("%-6s %-10s %-5s %10s %10s %14s\n", "rules", "case", "burst", "ns/key",
	       "cycles/key", "linear ns/key");
	for (ri = 0; ri < RTE_DIM(rule_counts); ri++) {
		int nr = rule_counts[ri];
		struct cfg cfg;
		struct cfg_nacl nacl;
		struct fw_nacl_ctx *ctx;
		int err;

		bench_rules(rules, nr);
		memset(&cfg, 0, sizeof(cfg));
		memset(&nacl, 0, sizeof(nacl));
		snprintf(nacl.name, sizeof(nacl.name), "bench%d", nr);
		nacl.ingress = rules;
		nacl.n_ingress = nr;
		cfg.nacls = &nacl;
		cfg.n_nacls = 1;
		ctx = fw_nacl_build(&cfg, SOCKET_ID_ANY, ++tag, &err);
		if (ctx == NULL) {
			fprintf(stderr, "fw_nacl_build(%d rules): %s\n", nr, strerror(-err));
			return 2;
		}

		for (ci = 0; ci < RTE_DIM(cases); ci++) {
			double lin_ns, t0;
			uint64_t it;

			for (i = 0; i < BENCH_N_KEYS; i++) {
				memset(&keys[i], 0, sizeof(keys[i]));
				keys[i].proto = 6;
				keys[i].src = htonl(cases[ci].net | (rng() & 0xff));
				keys[i].dst = htonl(0x0a000000 | (rng() & 0xffff));
				keys[i].sport = htons(1024 + rng() % 60000);
				keys[i].dport = htons(443);
				kp[i] = &keys[i];
			}
			/* Check once that the bench measures what it says. */
			fw_nacl_classify(ctx, 0, FW_DIR_INGRESS, kp, verdict, BENCH_N_KEYS);
			for (i = 0; i < BENCH_N_KEYS; i++) {
				if (verdict[i] != cases[ci].want ||
				    linear_eval(rules, nr, &keys[i]) != cases[ci].want) {
					fprintf(stderr, "%d rules, %s: key %d got %u, want %d\n", nr,
						cases[ci].name, i, verdict[i], cases[ci].want);
					return 2;
				}
			}

			/* Linear baseline: fewer iterations, it is slow at 1000 rules. */
			it = iters / 8;
			t0 = now_ns();
			for (uint64_t j = 0; j < it; j++)
				sink += linear_eval(rules, nr, &keys[j % BENCH_N_KEYS]);
			lin_ns = (now_ns() - t0) / it;

			for (bi = 0; bi < RTE_DIM(bursts); bi++) {
				uint32_t b = bursts[bi];
				uint64_t calls = iters / b, c0, c1, j;
				uint32_t off = 0;
				double ns;

				/* warm-up */
				for (j = 0; j < 1000; j++)
					fw_nacl_classify(ctx, 0, FW_DIR_INGRESS, &kp[0], verdict, b);
				t0 = now_ns();
				c0 = rte_rdtsc_precise();
				for (j = 0; j < calls; j++) {
					fw_nacl_classify(ctx, 0, FW_DIR_INGRESS, &kp[off], verdict, b);
					sink += verdict[0];
					off += b;
					if (off + b > BENCH_N_KEYS)
						off = 0;
				}
				c1 = rte_rdtsc_precise();
				ns = now_ns() - t0;
				printf("%-6d %-10s %-5u %10.1f %10.1f %14.1f\n", nr, cases[ci].name, b,
				       ns / (calls * b), (double)(c1 - c0) / (calls * b), lin_ns);
			}
		}
		fw_nacl_free(ctx);
	}
	printf("(TSC %.2f GHz; %" PRIu64 " keys per measurement; sink %d)\n",
	       rte_get_tsc_hz() / 1e9, iters, sink);
	rte_eal_cleanup();
	return 0;
}
