/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The EAL's start (arguments, default lcores, file prefix), the lcore
 * placement said at start, the multi-process packet capture (rte_pdump) and
 * the runtime directory removed at exit. Moved out of dp_ctl.c unchanged.
 */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_pdump.h>

#include "config/cfg.h"
#include "dp/dp.h"
#include "dp/dp_eal.h"
#include "dp/dp_log.h"

/* The EAL runtime directory of a prefix vpcgw made up is removed at exit:
 * thousands of runs (tests) would leave thousands of directories. */
static bool own_prefix;
static char runtime_dir[PATH_MAX];

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void
dp_eal_remove_runtime_dir(void)
{
	if (own_prefix && runtime_dir[0] != '\0')
		nftw(runtime_dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static bool
has_arg(int argc, char **argv, const char *a)
{
	size_t n = strlen(a);

	for (int i = 0; i < argc; i++)
		if (strncmp(argv[i], a, n) == 0)
			return true;
	return false;
}

/*
 * Without -l, --lcores or -c: when vpcgw may run on more CPUs than it has
 * lcores (its affinity: taskset, cpuset), each lcore gets a CPU of its own,
 * the main lcore the first, worker w the (w+1)th, and one CPU at least is left
 * to the kernel and the rest. With no CPU to spare the machine is shared (a
 * small VM, tests running side by side): the lcores float over the CPUs, since
 * busy workers pinned to a CPU another process polls on could not move away.
 * *how says which (0 pinned, 1 floating, 2 floating with more lcores than
 * CPUs), for the log once it runs.
 */
static void
default_lcores(char *out, size_t len, unsigned workers, int *how, int *ncpu)
{
	cpu_set_t set;
	int cpus[CPU_SETSIZE], n = 0;
	size_t w;

	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		for (int c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &set))
				cpus[n++] = c;
	if (n == 0) {
		long nc = sysconf(_SC_NPROCESSORS_ONLN);

		for (long c = 0; c < nc && c < CPU_SETSIZE; c++)
			cpus[n++] = (int)c;
	}
	*ncpu = n;
	if ((unsigned)n > workers + 1) {
		*how = 0;
		w = (size_t)snprintf(out, len, "--lcores=0@%d", cpus[0]);
		for (unsigned l = 1; l <= workers && w < len; l++)
			w += (size_t)snprintf(out + w, len - w, ",%u@%d", l, cpus[l]);
		return;
	}
	*how = (unsigned)n < workers + 1 ? 2 : 1;
	w = (size_t)snprintf(out, len, "--lcores=(0-%u)@(", workers);
	for (int i = 0; i < n && w < len; i++)
		w += (size_t)snprintf(out + w, len - w, "%s%d", i ? "," : "", cpus[i]);
	if (w < len)
		snprintf(out + w, len - w, ")");
}

static int lcores_how = -1, lcores_ncpu;   /* default_lcores(); -1: -l given */

int
dp_eal_start(const struct cfg *cfg, unsigned workers)
{
	static char *argv[CFG_MAX_EAL_ARGS + 32];
	static char prefix[96], lcores[4096], levels[8][160];

	own_prefix = false;
	int argc = 0, rc;

	argv[argc++] = "vpcgw";
	/* DPDK's start-up chatter off; first, so that a --log-level given wins */
	argv[argc++] = "--log-level=lib.eal:error";
	if (dp_g.opts.eal_argc > 0) {
		for (int i = 0; i < dp_g.opts.eal_argc && argc < CFG_MAX_EAL_ARGS; i++)
			argv[argc++] = dp_g.opts.eal_argv[i];
	} else {
		for (int i = 0; i < cfg->dpdk.n_eal_args; i++)
			argv[argc++] = cfg->dpdk.eal_args[i];
	}
	/* vpcgw's --log-level: LEVEL alone is vpcgw's types' */
	for (int i = 0; i < dp_g.opts.n_log_levels; i++) {
		const char *l = dp_g.opts.log_levels[i];

		snprintf(levels[i], sizeof(levels[i]), "--log-level=%s%s", strchr(l, ':') ? "" :
			 "vpcgw.*:", l);
		argv[argc++] = levels[i];
	}
	if (!has_arg(argc, argv, "--file-prefix") && dp_g.opts.file_prefix != NULL) {
		snprintf(prefix, sizeof(prefix), "--file-prefix=%s", dp_g.opts.file_prefix);
		argv[argc++] = prefix;
	} else if (!has_arg(argc, argv, "--file-prefix")) {
		snprintf(prefix, sizeof(prefix), "--file-prefix=vpcgw%d", (int)getpid());
		argv[argc++] = prefix;
		own_prefix = true;
	}
	if (!has_arg(argc, argv, "-l") && !has_arg(argc, argv, "--lcores") &&
	    !has_arg(argc, argv, "-c")) {
		default_lcores(lcores, sizeof(lcores), workers, &lcores_how, &lcores_ncpu);
		argv[argc++] = lcores;
	}
	argv[argc] = NULL;
	rc = rte_eal_init(argc, argv);
	if (rc >= 0)
		snprintf(runtime_dir, sizeof(runtime_dir), "%s", rte_eal_get_runtime_dir());
	return rc < 0 ? -rte_errno : 0;
}

/* Busy workers that share a CPU each get part of it: said once at start. */
void
dp_eal_warn_shared_cpus(void)
{
	unsigned n = dp_g.n_workers;

	if (lcores_how == 2) {
		DP_LOG(WARNING, main, "%u worker%s and the main lcore float over %d CPUs, fewer "
		       "than lcores: workers share CPUs; on a NIC give each its own (-l or "
		       "--lcores in dpdk.eal_args, README: Running on a NIC)", n, n > 1 ? "s" : "",
		       lcores_ncpu);
	} else if (lcores_how == 1) {
		DP_LOG(INFO, main, "%u worker%s and the main lcore float over the %d CPUs: no CPU "
		       "to spare for pinning (more CPUs, -l or --lcores pin them)", n,
		       n > 1 ? "s" : "", lcores_ncpu);
	}
	for (unsigned a = 0; a < n && lcores_how <= 0; a++)
		for (unsigned b = a + 1; b < n; b++) {
			rte_cpuset_t x = rte_lcore_cpuset(dp_g.worker_lcore[a]);
			rte_cpuset_t y = rte_lcore_cpuset(dp_g.worker_lcore[b]);
			rte_cpuset_t both;

			CPU_AND(&both, &x, &y);
			if (CPU_COUNT(&both) > 0)
				DP_LOG(WARNING, main, "workers %u (lcore %u) and %u (lcore %u) share a "
				       "CPU: each gets part of it; give each worker its own CPU (-l or "
				       "--lcores)", a, dp_g.worker_lcore[a], b, dp_g.worker_lcore[b]);
		}
	for (unsigned w = 0; w < n; w++) {
		rte_cpuset_t cs = rte_lcore_cpuset(dp_g.worker_lcore[w]);
		char cpus[128];
		size_t len = 0;

		cpus[0] = '\0';
		for (int c = 0; c < CPU_SETSIZE && len < sizeof(cpus); c++)
			if (CPU_ISSET(c, &cs))
				len += (size_t)snprintf(cpus + len, sizeof(cpus) - len, "%s%d",
							len ? "," : "", c);
		DP_LOG(INFO, main, "worker %u: lcore %u, CPU %s", w, dp_g.worker_lcore[w], cpus);
	}
}


/*
 * Capture by dpdk-dumpcap (or dpdk-pdump): rte_pdump's side in this primary
 * process. It costs nothing until a capture starts (then its rx/tx callbacks
 * copy packets into the capturing process's pool on the workers). Secondary
 * processes attach only to a primary whose memory is in hugetlbfs files: with
 * --no-huge, DPDK 22.11 keeps the memory in an anonymous mapping (a memfd no
 * other process can open) and writes no hugepage_info/hugepage_data for a
 * secondary to read, so dpdk-dumpcap fails with "Cannot get hugepage
 * information" (docs/OBSERVABILITY.md, Capture).
 */
void
dp_eal_capture_init(void)
{
	if (rte_pdump_init() < 0) {
		DP_LOG(WARNING, main, "packet capture (rte_pdump) not available: %s",
		       rte_strerror(rte_errno));
		return;
	}
	if (rte_eal_has_hugepages())
		DP_LOG(INFO, main, "packet capture: dpdk-dumpcap --file-prefix %s -i PORT",
		       rte_eal_get_runtime_dir()[0] ? strrchr(rte_eal_get_runtime_dir(), '/') + 1 :
		       "?");
	else
		DP_LOG(DEBUG, main, "packet capture: dpdk-dumpcap cannot attach to a --no-huge "
		       "process (its memory is private); run on hugepages to capture");
}
