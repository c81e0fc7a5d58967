/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp/dp.h"

#define VPCGW_VERSION "0.1.0"

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: vpcgw -c FILE [options] [-- EAL arguments]\n"
		"  -c, --config FILE      configuration (libconfig syntax)\n"
		"      --check            validate FILE, its limits and its memory against -m,\n"
		"                         print every error, exit 0 (it will start) or 1\n"
		"  -w, --workers N        worker lcores (overrides dpdk.workers)\n"
		"      --clock tsc|packet time source: tsc (default) or packet (rx timestamps\n"
		"                         of net_pcap input: a replay runs timeouts exactly)\n"
		"      --exit-idle-ms N   exit once no port has received a packet for N ms and\n"
		"                         all queues are drained\n"
		"      --idle-sleep-us N  a worker that finds no packet sleeps, 1 us doubling\n"
		"                         up to N us, until one arrives (0: always poll;\n"
		"                         overrides dpdk.idle_sleep_us)\n"
		"      --stats-json FILE  write all counters as one JSON object at exit (and\n"
		"                         every --stats-interval)\n"
		"      --stats-interval S print a one-line summary every S seconds (0: off)\n"
		"      --prometheus-file FILE  write a Prometheus text exposition of all\n"
		"                         counters at every interval and at exit\n"
		"      --log-level [TYPE:]LEVEL  log level (emergency, alert, critical, error,\n"
		"                         warning, notice, info, debug or 1..8) of vpcgw's\n"
		"                         messages (types vpcgw.main, vpcgw.port, vpcgw.cfg,\n"
		"                         vpcgw.health; default info), or of the type given\n"
		"                         (a DPDK one: lib.eal, pmd.net.pcap, ...); repeatable\n"
		"      --stats-series FILE append the JSON object as one line every interval\n"
		"                         and at exit (tools/plot_stats.py draws it)\n"
		"      --file-prefix NAME the EAL's --file-prefix (telemetry socket, capture,\n"
		"                         vpcgw-ctl -p NAME) beside dpdk.eal_args; default\n"
		"                         vpcgwPID\n"
		"  -v, --version          print the version\n"
		"  -h, --help             this text\n"
		"EAL arguments come from dpdk.eal_args unless given after \"--\".\n");
}

static int
parse_u64(const char *s, const char *opt, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || *s == '-' || v > max) {
		fprintf(stderr, "vpcgw: %s: invalid value \"%s\" (0..%llu)\n", opt, s,
			(unsigned long long)max);
		return -1;
	}
	*out = v;
	return 0;
}

/* [TYPE:]LEVEL with a level the EAL knows (eal_parse_log_priority) */
static bool
log_level_ok(const char *spec)
{
	static const char *const names[] = {
		"emergency", "alert", "critical", "error", "warning", "notice", "info", "debug",
	};
	const char *lv = strrchr(spec, ':');
	char *end;
	long n;

	lv = lv ? lv + 1 : spec;
	if (lv == spec + 1 || lv[0] == '\0')
		return false;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(lv, names[i]) == 0)
			return true;
	n = strtol(lv, &end, 10);
	return *end == '\0' && n >= 1 && n <= 8;
}

/* Longer than 80 lines by its option table and one getopt case per option, in the
 * order of `vpcgw --help`: splitting it would only scatter the table. */
int
dp_cli_parse(int argc, char **argv, struct dp_opts *o)
{
	enum { O_CHECK = 256, O_CLOCK, O_IDLE, O_JSON, O_INTERVAL, O_PROM, O_SERIES, O_LOG,
	       O_PREFIX, O_SLEEP };
	static const struct option lopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, O_CHECK },
		{ "workers", required_argument, NULL, 'w' },
		{ "clock", required_argument, NULL, O_CLOCK },
		{ "exit-idle-ms", required_argument, NULL, O_IDLE },
		{ "idle-sleep-us", required_argument, NULL, O_SLEEP },
		{ "stats-json", required_argument, NULL, O_JSON },
		{ "stats-interval", required_argument, NULL, O_INTERVAL },
		{ "prometheus-file", required_argument, NULL, O_PROM },
		{ "stats-series", required_argument, NULL, O_SERIES },
		{ "log-level", required_argument, NULL, O_LOG },
		{ "file-prefix", required_argument, NULL, O_PREFIX },
		{ "version", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, dashdash = -1;
	uint64_t v;

	memset(o, 0, sizeof(*o));
	o->workers = -1;
	o->exit_idle_ms = -1;
	o->idle_sleep_us = -1;
	o->clock = DP_CLOCK_TSC;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			dashdash = i;
			break;
		}
	}
	if (dashdash >= 0) {
		o->eal_argc = argc - dashdash - 1;
		o->eal_argv = argv + dashdash + 1;
		argc = dashdash;
	}
	optind = 1;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "c:w:vh", lopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case O_CHECK:
			o->check = true;
			break;
		case 'w':
			if (parse_u64(optarg, "--workers", DP_MAX_WORKERS, &v) < 0)
				return -1;
			if (v == 0) {
				fprintf(stderr, "vpcgw: --workers: at least 1 worker is needed\n");
				return -1;
			}
			o->workers = (int)v;
			break;
		case O_CLOCK:
			if (strcmp(optarg, "tsc") == 0) {
				o->clock = DP_CLOCK_TSC;
			} else if (strcmp(optarg, "packet") == 0) {
				o->clock = DP_CLOCK_PACKET;
			} else {
				fprintf(stderr, "vpcgw: --clock: \"%s\" is neither tsc nor packet\n",
					optarg);
				return -1;
			}
			break;
		case O_IDLE:
			if (parse_u64(optarg, "--exit-idle-ms", 86400000ULL * 365, &v) < 0)
				return -1;
			o->exit_idle_ms = (int64_t)v;
			break;
		case O_SLEEP:
			if (parse_u64(optarg, "--idle-sleep-us", DP_IDLE_SLEEP_MAX_US, &v) < 0)
				return -1;
			o->idle_sleep_us = (int64_t)v;
			break;
		case O_JSON:
			o->stats_json = optarg;
			break;
		case O_INTERVAL:
			if (parse_u64(optarg, "--stats-interval", 86400, &v) < 0)
				return -1;
			o->stats_interval = (uint32_t)v;
			break;
		case O_PROM:
			o->prometheus_file = optarg;
			break;
		case O_SERIES:
			o->stats_series = optarg;
			break;
		case O_LOG:
			if (!log_level_ok(optarg)) {
				fprintf(stderr, "vpcgw: --log-level: \"%s\" is not [TYPE:]LEVEL (LEVEL: "
					"emergency, alert, critical, error, warning, notice, info, "
					"debug or 1..8)\n", optarg);
				return -1;
			}
			if (o->n_log_levels == (int)(sizeof(o->log_levels) / sizeof(o->log_levels[0]))) {
				fprintf(stderr, "vpcgw: --log-level: at most 8\n");
				return -1;
			}
			o->log_levels[o->n_log_levels++] = optarg;
			break;
		case O_PREFIX:
			if (*optarg == '\0' || strchr(optarg, '/') != NULL || strlen(optarg) > 64) {
				fprintf(stderr, "vpcgw: --file-prefix: \"%s\" is not a name (1..64 "
					"characters, no /)\n", optarg);
				return -1;
			}
			o->file_prefix = optarg;
			break;
		case 'v':
			printf("vpcgw %s\n", VPCGW_VERSION);
			return 1;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vpcgw: unexpected argument \"%s\" (EAL arguments go after --)\n",
			argv[optind]);
		return -1;
	}
	if (o->config == NULL) {
		fprintf(stderr, "vpcgw: -c FILE is required\n");
		usage(stderr);
		return -1;
	}
	return 0;
}
