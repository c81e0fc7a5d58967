/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Start-up, the control loop on the main lcore, reload and shutdown.
 */
#include <errno.h>
#include <ftw.h>
#include <sched.h>
#include <limits.h>
#include <pthread.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf_dyn.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "dp/dp.h"
#include "dp/dp_service.h"
#include "dp/dp_check.h"
#include "dp/dp_ctl.h"
#include "dp/dp_node.h"
#include "dp/dp_eal.h"
#include "dp/dp_flow.h"
#include "dp/dp_log.h"
#include "dp/dp_mem.h"
#include "dp/dp_stats.h"
#include "dp/dp_worker.h"
#include "dp/health.h"
#include "dp/ip6.h"

#define HEAD_UNKNOWN 0
#define HEAD_EOF UINT64_MAX
#define SWEEP_PERIOD_MS 1000

struct dp_global dp_g;
extern uint64_t dp_worker_last_rx_tsc[DP_MAX_WORKERS];

static volatile sig_atomic_t sig_stop, sig_hup;

/* Reload outcomes for /vpcgw/reload (dp_show.c): counted, and the first
 * reason of the last rejection; the telemetry thread reads them under rl.mx. */
static struct {
	pthread_mutex_t mx;
	bool on;                    /* a reload is running: print_err keeps its reason */
	uint64_t ok, rejected;
	char why[256];
} rl = { .mx = PTHREAD_MUTEX_INITIALIZER };

/* wall-clock milliseconds (monotonic), for the load and reload times printed */
static double
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* CPU milliseconds of the calling thread: the load or reload time on a machine
 * whose other CPUs are busy (the wall time then counts the waiting) */
static double
cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		sig_hup = 1;
	else
		sig_stop = 1;
}

static bool log_started;

/* the first reason a reload is rejected */
static void
reload_why(const char *msg)
{
	pthread_mutex_lock(&rl.mx);
	if (rl.why[0] == '\0')
		snprintf(rl.why, sizeof(rl.why), "%.*s", (int)sizeof(rl.why) - 1, msg);
	pthread_mutex_unlock(&rl.mx);
}

/* Configuration errors: plain file:line lines before the EAL runs (--check,
 * start-up), log messages of vpcgw.cfg once it does (reload). */
static void
print_err(void *arg, const char *msg)
{
	(void)arg;
	if (rl.on)
		reload_why(msg);
	if (log_started)
		DP_LOG(ERR, cfg, "%s", msg);
	else
		fprintf(stderr, "%s\n", msg);
}

/* ------------------------------------------------------------ counters hook */

void
dp_flow_deleted(const struct dp_flow *f)
{
	struct dp_lcore_stats *st = dp_stats_self();

	st->flows_deleted[f->kind]++;
	for (int i = 0; i < 2; i++)
		if (f->eni[i] && f->eni[i] <= DP_MAX_ENIS)
			st->eni[f->eni[i] - 1].flows_deleted++;
	switch (f->kind) {
	case DP_FLOW_NAT:
		st->nat[f->svc].conn_deleted++;
		break;
	case DP_FLOW_NLB:
		st->listener[f->svc].flows_deleted++;
		st->target[f->target].flows_deleted++;
		break;
	case DP_FLOW_GWLB:
		st->gwlb[f->svc].flows_deleted++;
		st->appliance[f->target].flows_deleted++;
		if (f->aux < DP_MAX_GWLB_ENDPOINTS)
			st->gwlb_ep[f->aux].flows_deleted++;
		break;
	default:
		break;
	}
	dp_services_flow_deleted(f);
}

/* bytes allocated from the DPDK heap of this socket (what -m bounds) */
static uint64_t
heap_used(void)
{
	struct rte_malloc_socket_stats st;

	if (rte_malloc_get_socket_stats((int)rte_socket_id(), &st) < 0)
		return 0;
	return st.heap_allocsz_bytes;
}

/* ------------------------------------------------------------ tables */

void
dp_set_roles(const struct cfg *cfg)
{
	for (int i = 0; i < cfg->n_ports; i++)
		dp_g.ports[i].roles = 0;
	for (int i = 0; i < cfg->n_subnets; i++)
		dp_g.ports[cfg->subnets[i].port].roles |= DP_ROLE_VPC;
	if (cfg->igw.present)
		dp_g.ports[cfg->igw.port].roles |= DP_ROLE_INTERNET;
	for (int i = 0; i < cfg->n_gwlbs; i++)
		dp_g.ports[cfg->gwlbs[i].port].roles |= DP_ROLE_APPLIANCE;
	for (int i = 0; i < cfg->n_gateway_endpoints; i++)
		dp_g.ports[cfg->gateway_endpoints[i].port].roles |= DP_ROLE_VPCE;
	for (int i = 0; i < cfg->n_tgws; i++)
		for (int j = 0; j < cfg->tgws[i].n_atts; j++)
			if (cfg->tgws[i].atts[j].port >= 0)
				dp_g.ports[cfg->tgws[i].atts[j].port].roles |= DP_ROLE_TGW;
}

int
dp_load_neighbors(const struct cfg *cfg)
{
	for (int i = 0; i < cfg->n_neighbors; i++) {
		const struct cfg_neighbor *n = &cfg->neighbors[i];

		if (n->v6 ? dp_nd6_static((uint16_t)n->port, n->addr6, n->mac) < 0 :
		    dp_neigh_static((uint16_t)n->port, n->addr, n->mac) < 0)
			return -ENOSPC;
	}
	return 0;
}

static bool
same_ports(const struct cfg *a, const struct cfg *b)
{
	if (a->n_ports != b->n_ports)
		return false;
	for (int i = 0; i < a->n_ports; i++)
		if (strcmp(a->ports[i].name, b->ports[i].name) != 0 ||
		    strcmp(a->ports[i].devargs, b->ports[i].devargs) != 0 ||
		    a->ports[i].rx_desc != b->ports[i].rx_desc ||
		    a->ports[i].tx_desc != b->ports[i].tx_desc)
			return false;
	return a->dpdk.flow_table_size == b->dpdk.flow_table_size;
}

/* Old generations wait one more reload before they are freed, so the
 * telemetry thread never reads a freed configuration. */
static struct dp_tables *graveyard;

static bool
reload_try(void)
{
	struct dp_tables *old = atomic_load(&dp_g.tables), *t;
	struct cfg *cfg = NULL;
	char err[512];
	double t0 = mono_ms(), t1, c0 = cpu_ms();
	int n;

	n = cfg_load(dp_g.opts.config, &cfg, print_err, NULL);
	t1 = mono_ms();
	if (n != 0) {
		DP_LOG(ERR, cfg, "reload of %s rejected (%d error%s); the running configuration "
		       "stays", dp_g.opts.config, n, n > 1 ? "s" : "");
		return false;
	}
	if (dp_limits_check(cfg, dp_g.n_workers, print_err, NULL) != 0) {
		DP_LOG(ERR, cfg, "reload of %s rejected (over a limit); the running "
		       "configuration stays", dp_g.opts.config);
		cfg_free(cfg);
		return false;
	}
	if (!same_ports(old->cfg, cfg)) {
		reload_why("ports, their descriptors and dpdk.flow_table_size cannot change");
		DP_LOG(ERR, cfg, "%s: reload rejected: ports (and their descriptors) and dpdk.flow_table_size cannot change "
		       "while running; restart vpcgw", dp_g.opts.config);
		cfg_free(cfg);
		return false;
	}
	t = dp_tables_build(cfg, old->generation + 1, err, sizeof(err));
	if (t == NULL) {
		DP_LOG(ERR, cfg, "reload rejected: %s", err);
		reload_why(err);
		cfg_free(cfg);
		return false;
	}
	if (dp_load_neighbors(cfg) < 0)
		DP_LOG(ERR, cfg, "reload: neighbor table full");
	dp_services_publish(t, old);
	dp_health_start(t, old);
	dp_set_roles(cfg);
	atomic_store_explicit(&dp_g.tables, t, memory_order_release);
	dp_g.cfg = cfg;
	rte_rcu_qsbr_synchronize(dp_g.rcu, RTE_QSBR_THRID_INVALID);
	if (graveyard != NULL) {
		struct cfg *gc = graveyard->cfg;

		dp_tables_free(graveyard);
		cfg_free(gc);
	}
	graveyard = old;
	dp_lcu_init(cfg, dp_now_ms());
	DP_LOG(NOTICE, cfg, "configuration %s reloaded (generation %" PRIu64 ") in %.0f ms "
	       "(file %.0f ms, tables and swap %.0f ms; CPU %.0f ms)", dp_g.opts.config,
	       t->generation, mono_ms() - t0, t1 - t0, mono_ms() - t1, cpu_ms() - c0);
	return true;
}

static void
reload(void)
{
	bool ok;

	pthread_mutex_lock(&rl.mx);
	rl.why[0] = '\0';
	pthread_mutex_unlock(&rl.mx);
	rl.on = true;
	ok = reload_try();
	rl.on = false;
	pthread_mutex_lock(&rl.mx);
	ok ? rl.ok++ : rl.rejected++;
	pthread_mutex_unlock(&rl.mx);
}

void
dp_reload_request(void)
{
	sig_hup = 1;
}

void
dp_reload_status(uint64_t *ok, uint64_t *rejected, char *why, size_t len)
{
	pthread_mutex_lock(&rl.mx);
	*ok = rl.ok;
	*rejected = rl.rejected;
	snprintf(why, len, "%s", rl.why);
	pthread_mutex_unlock(&rl.mx);
}

/* ------------------------------------------------------------ control loop */

static uint64_t
tsc_ms(void)
{
	return rte_rdtsc() / (dp_g.tsc_hz / 1000);
}

static bool
workers_idle_for(uint64_t ms)
{
	uint64_t last = 0, now = rte_rdtsc();

	for (unsigned w = 0; w < dp_g.n_workers; w++)
		last = RTE_MAX(last, __atomic_load_n(&dp_worker_last_rx_tsc[w], __ATOMIC_RELAXED));
	if (last == 0)
		last = dp_g.last_rx_tsc;    /* start time */
	return now - last > ms * (dp_g.tsc_hz / 1000);
}

/* Packet clock: the earliest capture time any source still holds. */
static uint64_t
sources_min_head(bool *unknown)
{
	uint64_t m = HEAD_EOF;

	*unknown = false;
	for (unsigned s = 0; s < dp_g.n_sources; s++) {
		uint64_t h = atomic_load_explicit(&dp_g.sources[s].head_us, memory_order_acquire);

		if (h == HEAD_UNKNOWN)
			*unknown = true;
		m = RTE_MIN(m, h);
	}
	return m;
}

static uint64_t next_link_ms;

static void
control_events(struct dp_worker_ctx *c, uint64_t now_ms, uint32_t sweep_budget)
{
	const struct dp_tables *t = atomic_load(&dp_g.tables);

	c->now_ms = now_ms;
	dp_services_poll((struct dp_tables *)t, now_ms);
	dp_health_poll((struct dp_tables *)t, now_ms);
	/* flows the control lcore made (none in normal operation) are in
	 * its own wheel; the workers' expire in their loops */
	dp_flow_expire(now_ms, sweep_budget);
	/* under the TSC clock the workers reclaim what they delete (each
	 * loop): a second consumer of the defer queue here, on the same CPU as
	 * a worker, would make it wait whenever it is preempted mid-dequeue */
	if (dp_g.opts.clock == DP_CLOCK_PACKET)
		dp_flow_reclaim(dp_g.rcu, true);
	dp_neigh_age(now_ms);
	if (tsc_ms() >= next_link_ms) {
		next_link_ms = tsc_ms() + 1000;
		dp_ports_link_poll();
	}
	dp_nd6_periodic(t, now_ms);
	/* at a second boundary every packet before it has been counted: read
	 * as the last millisecond of the second that ends, so its usage is
	 * that second's, not the next one's */
	dp_lcu_update(now_ms % 1000 == 0 && now_ms > 0 ? now_ms - 1 : now_ms);
	dp_neigh_poll(now_ms, false);
	dp_worker_ctx_flush(c);
	dp_node_poll();
}

static bool
drained(void)
{
	for (int p = 0; p < dp_g.n_ports; p++)
		if (rte_ring_count(dp_g.ports[p].tx_ring) != 0)
			return false;
	return true;
}

static void
stats_tick(uint64_t *next_ms, uint64_t now_wall)
{
	if (dp_g.opts.stats_interval == 0 || now_wall < *next_ms)
		return;
	*next_ms = now_wall + dp_g.opts.stats_interval * 1000ULL;
	dp_stats_line(stdout, dp_g.opts.stats_interval);
	if (dp_g.opts.stats_json != NULL)
		dp_stats_write_json(dp_g.opts.stats_json);
	if (dp_g.opts.prometheus_file != NULL)
		dp_stats_write_prometheus(dp_g.opts.prometheus_file);
	if (dp_g.opts.stats_series != NULL)
		dp_stats_append_json(dp_g.opts.stats_series);
}

static void
loop_tsc(struct dp_worker_ctx *c)
{
	uint64_t next_stats = tsc_ms() + dp_g.opts.stats_interval * 1000ULL;
	uint32_t budget = RTE_MAX(dp_flow_capacity() / 100, 1024u);

	dp_lcu_init(dp_g.cfg, tsc_ms());
	while (!sig_stop) {
		uint64_t now = tsc_ms();

		if (sig_hup) {
			sig_hup = 0;
			reload();
		}
		control_events(c, now, budget);
		stats_tick(&next_stats, now);
		if (dp_g.opts.exit_idle_ms >= 0 && workers_idle_for((uint64_t)dp_g.opts.exit_idle_ms) &&
		    drained())
			break;
		usleep(10000);
	}
}

/* Under the packet clock, intervals are capture time: a replayed hour gives
 * the series (and the LCU windows) of that hour, however fast it runs. */
static void
loop_packet(struct dp_worker_ctx *c)
{
	uint64_t next_stats = UINT64_MAX;
	uint64_t last_sweep = 0, pending_ms = 0;
	bool started = false;

	atomic_store(&dp_g.ctl_head_us, HEAD_UNKNOWN);
	while (!sig_stop) {
		bool unknown;
		uint64_t m = sources_min_head(&unknown), ev_ms, ev_us;

		if (sig_hup) {
			sig_hup = 0;
			reload();
		}
		if (unknown) {
			rte_pause();
			continue;
		}
		if (!started) {
			uint64_t first = m == HEAD_EOF ? 0 : m / 1000;

			dp_lcu_init(dp_g.cfg, first - first % 1000);
			c->now_ms = first;
			last_sweep = first;
			if (dp_g.opts.stats_interval)
				next_stats = first - first % 1000 + dp_g.opts.stats_interval * 1000ULL;
			started = true;
		}
		if (m == HEAD_EOF) {
			/* the captures are done: let time stand at the last packet */
			uint64_t now = atomic_load(&dp_g.pkt_now_us) / 1000;

			atomic_store(&dp_g.ctl_head_us, HEAD_EOF);
			control_events(c, RTE_MAX(now, c->now_ms), 0);
			if (dp_g.opts.exit_idle_ms >= 0 &&
			    workers_idle_for((uint64_t)dp_g.opts.exit_idle_ms) && drained())
				break;
			usleep(1000);
			continue;
		}
		/* next control event: a health check, a sweep, the end of the
		 * second holding the next packet (LCU window). Once published it
		 * stands until done: workers stop at it. */
		if (pending_ms == 0) {
			ev_ms = RTE_MIN(dp_services_next_ms(), dp_health_next_ms());
			ev_ms = RTE_MIN(ev_ms, last_sweep + SWEEP_PERIOD_MS);
			ev_ms = RTE_MIN(ev_ms, (m / 1000 / 1000 + 1) * 1000);
			ev_ms = RTE_MIN(ev_ms, next_stats);
			pending_ms = RTE_MAX(ev_ms, c->now_ms);
			atomic_store_explicit(&dp_g.ctl_head_us, pending_ms * 1000,
					      memory_order_release);
		}
		ev_ms = pending_ms;
		ev_us = ev_ms * 1000;
		if (m < ev_us) {
			/* packets before the event first; an event at T precedes
			 * the packets captured at T */
			rte_pause();
			continue;
		}
		if (ev_ms >= last_sweep + SWEEP_PERIOD_MS) {
			control_events(c, ev_ms, dp_flow_capacity());
			last_sweep = ev_ms;
		} else {
			control_events(c, ev_ms, 0);
		}
		stats_tick(&next_stats, ev_ms);
		atomic_store_explicit(&dp_g.ctl_done_ms, ev_ms, memory_order_release);
		/* move past this event */
		c->now_ms = ev_ms + 1;
		pending_ms = 0;
	}
	atomic_store(&dp_g.ctl_head_us, HEAD_EOF);
}

/* ------------------------------------------------------------ main */

/* Start-up timings, for the "started in" line. */
struct main_times {
	double t0, c0;              /* start: wall and CPU ms */
	double t_cfg;               /* the file loaded */
};

/* The command line and the file: --check answers here. Returns -1 to go
 * on (dp_g.cfg set), else the exit code. */
static int
main_config(int argc, char **argv, struct main_times *tm)
{
	struct cfg *cfg = NULL;
	char err[512];
	int n, rc;

	rc = dp_cli_parse(argc, argv, &dp_g.opts);
	if (rc != 0)
		return rc > 0 ? 0 : 1;
	n = cfg_load(dp_g.opts.config, &cfg, print_err, NULL);
	tm->t_cfg = mono_ms();
	/* a valid file that exceeds a limit or the memory would not start */
	if (n == 0 && dp_g.opts.check)
		n = dp_check(cfg, &dp_g.opts, print_err, NULL);
	if (dp_g.opts.check) {
		if (n == 0)
			printf("%s: configuration valid\n", dp_g.opts.config);
		else
			fprintf(stderr, "%s: %d error%s\n", dp_g.opts.config, n, n > 1 ? "s" : "");
		cfg_free(cfg);
		return n == 0 ? 0 : 1;
	}
	if (n != 0)
		return 1;
	if (dp_node_init(cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	dp_g.cfg = cfg;
	dp_g.n_workers = dp_g.opts.workers > 0 ? (unsigned)dp_g.opts.workers : cfg->dpdk.workers;
	dp_g.idle_sleep_us = dp_g.opts.idle_sleep_us >= 0 ? (uint32_t)dp_g.opts.idle_sleep_us :
			     cfg->dpdk.idle_sleep_us;
	if (dp_limits_check(cfg, dp_g.n_workers, print_err, NULL) != 0)
		return 1;
	return -1;
}

/* The EAL, its memory, the mbuf pool, counters and RCU. Returns -1 to go on,
 * else the exit code. */
static int
main_eal(const struct cfg *cfg)
{
	unsigned cache;
	int rc;

	if (dp_eal_start(cfg, dp_g.n_workers) < 0) {
		fprintf(stderr, "vpcgw: EAL initialisation failed: %s (DPDK's reason is above; "
			"without hugepages give --no-huge and -m in dpdk.eal_args; README: Running "
			"on a NIC)\n", rte_strerror(rte_errno));
		return 2;
	}
	if (dp_log_init() == 0)
		log_started = true;
	dp_eal_capture_init();
	if (rte_lcore_count() < dp_g.n_workers + 1) {
		DP_LOG(ERR, main, "%u workers need %u lcores, the EAL has %u (-l, --lcores): give "
		       "one more lcore than workers", dp_g.n_workers, dp_g.n_workers + 1,
		       rte_lcore_count());
		rte_eal_cleanup();
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	dp_g.tsc_hz = rte_get_tsc_hz();
	dp_g.last_rx_tsc = rte_rdtsc();
	/* before any table: all of -m present, no page fault on the packet path */
	rc = dp_mem_prefault();
	if (rc < 0) {
		fprintf(stderr, "vpcgw: faulting in EAL memory: %s\n", strerror(-rc));
		return 2;
	}
	/* per-lcore caches must not be able to hold the whole pool between them */
	cache = RTE_MIN(256u, cfg->dpdk.mbufs / (4 * (dp_g.n_workers + 1)));
	dp_g.pool = rte_pktmbuf_pool_create("vpcgw_mbufs", cfg->dpdk.mbufs, cache,
					    RTE_ALIGN(sizeof(struct dp_meta), RTE_MBUF_PRIV_ALIGN),
					    (uint16_t)dp_mbuf_data_room(cfg), (int)rte_socket_id());
	dp_g.stats = rte_zmalloc("vpcgw_stats", sizeof(*dp_g.stats) * (dp_g.n_workers + 1),
				 RTE_CACHE_LINE_SIZE);
	dp_g.rcu = rte_zmalloc("vpcgw_rcu", rte_rcu_qsbr_get_memsize(dp_g.n_workers),
			       RTE_CACHE_LINE_SIZE);
	if (dp_g.pool == NULL || dp_g.stats == NULL || dp_g.rcu == NULL) {
		DP_LOG(ERR, main, "out of memory for %u mbufs (%s): raise -m in dpdk.eal_args or "
		       "lower dpdk.mbufs", cfg->dpdk.mbufs, rte_strerror(rte_errno));
		return 2;
	}
	rte_rcu_qsbr_init(dp_g.rcu, dp_g.n_workers);
	return -1;
}

/* One worker per worker lcore, up to dp_g.n_workers. */
static void
launch_workers(void)
{
	unsigned lc, w = 0;

	for (unsigned s = 0; s < dp_g.n_sources; s++)
		atomic_store(&dp_g.sources[s].head_us, HEAD_UNKNOWN);
	atomic_store(&dp_g.ctl_head_us, HEAD_UNKNOWN);
	RTE_LCORE_FOREACH_WORKER(lc) {
		if (w == dp_g.n_workers)
			break;
		dp_g.worker_lcore[w] = lc;
		rte_eal_remote_launch(dp_worker_main, (void *)(uintptr_t)w, lc);
		w++;
	}
	dp_eal_warn_shared_cpus();
}

/* The stages, the flow table, the ports, the tables; the workers launched.
 * Returns -1 to go on (*cp: the control thread's context), else the exit code. */
static int
main_start(struct cfg *cfg, const struct main_times *tm, struct dp_worker_ctx **cp)
{
	struct dp_worker_ctx *c;
	struct dp_mem_need need;
	struct dp_tables *t;
	uint64_t heap0, heap1;
	char err[512];
	double t_tab;
	int rc;

	/* the stages and the services' hooks, before anything uses them */
	if (dp_pipeline_init(err, sizeof(err)) < 0) {
		DP_LOG(ERR, main, "%s", err);
		return 2;
	}
	/* --no-huge: the flow table in its own heap of huge pages (dp_mem.h) */
	rc = dp_flow_init(cfg->dpdk.flow_table_size,
			  dp_mem_table_socket(dp_flow_mem_bytes(cfg->dpdk.flow_table_size),
					      (int)rte_socket_id()), dp_g.rcu);
	if (rc == 0)
		rc = dp_services_init(cfg);
	if (rc == 0)
		rc = dp_neigh_init(rte_socket_id());
	if (rc < 0) {
		DP_LOG(ERR, main, "flow table of %u flows: %s", cfg->dpdk.flow_table_size,
		       strerror(-rc));
		return 2;
	}
	/* rx timestamps (net_pcap fills them) drive --clock packet */
	if (rte_mbuf_dyn_rx_timestamp_register(&dp_g.ts_offset, &dp_g.ts_flag) != 0)
		dp_g.ts_offset = -1;
	if (dp_ports_init(cfg, err, sizeof(err)) < 0) {
		DP_LOG(ERR, main, "%s", err);
		return 2;
	}
	dp_set_roles(cfg);
	if (dp_load_neighbors(cfg) < 0) {
		DP_LOG(ERR, main, "neighbor table full");
		return 2;
	}
	t_tab = mono_ms();
	heap0 = heap_used();
	t = dp_tables_build(cfg, 1, err, sizeof(err));
	if (t == NULL) {
		DP_LOG(ERR, main, "%s", err);
		return 2;
	}
	atomic_store(&dp_g.tables, t);
	t_tab = mono_ms() - t_tab;
	heap1 = heap_used();
	c = dp_worker_ctx_init(DP_MAX_WORKERS, true);
	if (c == NULL)
		return 2;
	dp_services_publish(t, NULL);
	dp_health_start(t, NULL);
	if (dp_telemetry_init() < 0)
		DP_LOG(ERR, main, "telemetry commands not registered");
	launch_workers();
	printf("vpcgw: %d ports, %u worker%s, %u rx queues, clock %s; flow table %u\n",
	       cfg->n_ports, dp_g.n_workers, dp_g.n_workers > 1 ? "s" : "", dp_g.n_sources,
	       dp_g.opts.clock == DP_CLOCK_PACKET ? "packet" : "tsc", cfg->dpdk.flow_table_size);
	dp_mem_need(cfg, dp_g.n_workers, rte_eal_has_hugepages() == 0, &need);
	DP_LOG(NOTICE, main, "started in %.0f ms (file %.0f ms, tables %.0f ms; CPU %.0f ms); "
	       "DPDK memory %.1f MB in use (--check's bound %.1f MB), %.1f MB of it the tables",
	       mono_ms() - tm->t0, tm->t_cfg - tm->t0, t_tab, cpu_ms() - tm->c0,
	       (double)heap_used() / (1 << 20), (double)need.heap / (1 << 20),
	       (double)(heap1 - heap0) / (1 << 20));
	fflush(stdout);
	*cp = c;
	return -1;
}

/* The workers stopped: send what is left, write the counters, stop the
 * ports. Returns the exit code. */
static int
main_finish(struct dp_worker_ctx *c)
{
	int rc, exit_code = 0;

	/* what workers handed off last: sent from here, the queues are free now */
	for (int p = 0; p < dp_g.n_ports; p++)
		c->txq[p] = dp_g.ports[p].n_txq ? 0 : -1;
	for (int p = 0; p < dp_g.n_ports; p++) {
		struct rte_mbuf *b[DP_BURST];
		unsigned k;

		if (dp_g.ports[p].vlan != 0)    /* a VLAN port: its device's ring */
			continue;
		while ((k = rte_ring_sc_dequeue_burst(dp_g.ports[p].tx_ring, (void **)b, DP_BURST,
						      NULL)) != 0)
			for (unsigned i = 0; i < k; i++) {
				dp_worker_self()->txb[p][dp_worker_self()->txn[p]++] = b[i];
				if (dp_worker_self()->txn[p] == DP_BURST)
					dp_worker_ctx_flush(c);
			}
	}
	dp_neigh_poll(c->now_ms, true);
	dp_worker_ctx_flush(c);
	dp_services_stop();
	dp_lcu_update(dp_g.opts.clock == DP_CLOCK_PACKET ? atomic_load(&dp_g.pkt_now_us) / 1000 :
		      tsc_ms());
	dp_stats_print(stdout);
	/* the counters asked for are the run's result: not written is a failure */
	if (dp_g.opts.stats_json != NULL && (rc = dp_stats_write_json(dp_g.opts.stats_json)) < 0) {
		DP_LOG(ERR, main, "cannot write %s: %s", dp_g.opts.stats_json, strerror(-rc));
		exit_code = 2;
	}
	if (dp_g.opts.prometheus_file != NULL)
		dp_stats_write_prometheus(dp_g.opts.prometheus_file);
	if (dp_g.opts.stats_series != NULL)
		dp_stats_append_json(dp_g.opts.stats_series);
	dp_node_close();
	dp_ports_stop();
	rte_eal_cleanup();
	dp_eal_remove_runtime_dir();
	return exit_code;
}

int
dp_main(int argc, char **argv)
{
	struct main_times tm = { .t0 = mono_ms(), .c0 = cpu_ms() };
	struct dp_worker_ctx *c = NULL;
	int rc;

	rc = main_config(argc, argv, &tm);
	if (rc < 0)
		rc = main_eal(dp_g.cfg);
	if (rc < 0)
		rc = main_start(dp_g.cfg, &tm, &c);
	if (rc >= 0)
		return rc;
	if (dp_g.opts.clock == DP_CLOCK_PACKET)
		loop_packet(c);
	else
		loop_tsc(c);
	atomic_store(&dp_g.quit, true);
	rte_eal_mp_wait_lcore();
	return main_finish(c);
}
