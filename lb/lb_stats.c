/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The NLBs' counters, under CloudWatch's names: sections "nlb" (per NLB and
 * listener, with the listeners' LCU meters) and "target_groups" (health and
 * per target) of --stats-json, Prometheus and /vpcgw/nlb; the NLB part of
 * /vpcgw/lcu; lines per listener and target in the exit summary. Control and
 * telemetry threads.
 */
#include <inttypes.h>
#include <stdio.h>

#include "config/cfg.h"
#include "dp/dp.h"
#include "dp/dp_stats.h"
#include "dp/health.h"
#include "dp/lcu.h"
#include "dp/stats_writer.h"
#include "lb/lb.h"
#include "lb/lb_stats.h"

static void
lb_counters(struct emitter *e, const struct dp_lb_stats *l)
{
	em_gauge(e, "ActiveFlowCount", l->flows_created - l->flows_deleted);
	em_u64(e, "NewFlowCount", l->flows_created);
	em_u64(e, "ProcessedBytes", l->bytes);
	em_u64(e, "ProcessedPackets", l->packets);
	em_u64(e, "TCP_ELB_Reset_Count", l->resets);
	em_u64(e, "PortAllocationErrorCount", l->port_alloc_err);
}

/* "tcp:80" */
static void
listener_name(const struct cfg_listener *li, char *out, size_t len)
{
	snprintf(out, len, "%s:%u", li->proto == CFG_L4_TCP ? "tcp" : "udp", li->port);
}

static void
lb_stats_nlbs(struct emitter *e, const struct dp_lcore_stats *s, const struct cfg *cfg)
{
	char name[64];
	int l = 0;

	em_open(e, "nlb");
	for (int i = 0; i < cfg->n_nlbs; i++) {
		const struct cfg_nlb *nlb = &cfg->nlbs[i];
		struct dp_lb_stats sum = { 0 };
		double lcus = 0;

		em_open(e, nlb->name);
		em_open(e, "listeners");
		for (int j = 0; j < nlb->n_listeners && l < DP_MAX_LISTENERS; j++, l++) {
			const struct dp_lb_stats *ls = &s->listener[l];
			struct lcu_rate r;

			listener_name(&nlb->listeners[j], name, sizeof(name));
			em_open(e, name);
			lb_counters(e, ls);
			if (cfg->node.mid_flow_place)
				em_u64(e, "MidFlowPlacedCount", ls->midflow_placed);
			if (l < dp_lcu.n_listeners) {
				em_lcu(e, &dp_lcu.listener[l]);
				lcu_meter_current(&dp_lcu.listener[l], &r);
				lcus += r.lcus;
			}
			em_close(e);
			sum.flows_created += ls->flows_created;
			sum.flows_deleted += ls->flows_deleted;
			sum.bytes += ls->bytes;
			sum.packets += ls->packets;
			sum.resets += ls->resets;
			sum.port_alloc_err += ls->port_alloc_err;
		}
		em_close(e);
		lb_counters(e, &sum);
		em_dbl(e, "ConsumedLCUs", lcus);
		em_close(e);
	}
	em_close(e);
}

static void
lb_stats_target_groups(struct emitter *e, const struct dp_lcore_stats *s, const struct cfg *cfg)
{
	char name[64], ip[48];

	em_open(e, "target_groups");
	for (int g = 0, ti = 0; g < cfg->n_target_groups; g++) {
		const struct cfg_target_group *tg = &cfg->target_groups[g];
		unsigned healthy = 0, unhealthy = 0;

		dp_health_counts(&lb_health_client, g, &healthy, &unhealthy);
		em_open(e, tg->name);
		em_gauge(e, "HealthyHostCount", healthy);
		em_gauge(e, "UnHealthyHostCount", unhealthy);
		em_open(e, "targets");
		for (int j = 0; j < tg->n_targets && ti < DP_MAX_TARGETS; j++, ti++) {
			if (tg->ipv6)   /* SPEC §7: "[addr]:port" */
				snprintf(name, sizeof(name), "[%s]:%u",
					 cfg_ipv6_str(tg->targets[j].addr6, ip, sizeof(ip)),
					 tg->targets[j].port ? tg->targets[j].port : tg->port);
			else
				snprintf(name, sizeof(name), "%s:%u",
					 cfg_ipv4_str(tg->targets[j].addr, ip, sizeof(ip)),
					 tg->targets[j].port ? tg->targets[j].port : tg->port);
			em_open(e, name);
			lb_counters(e, &s->target[ti]);
			em_str(e, "health", lb_target_healthy(ti) ? "healthy" : "unhealthy");
			em_close(e);
		}
		em_close(e);
		em_close(e);
	}
	em_close(e);
}

static void
lb_stats_emit(struct emitter *e, const struct dp_lcore_stats *s, const struct cfg *cfg)
{
	lb_stats_nlbs(e, s, cfg);
	lb_stats_target_groups(e, s, cfg);
}

static void
lb_stats_lcu(struct emitter *e, const struct dp_lcore_stats *s, const struct cfg *cfg)
{
	int l = 0;

	em_open(e, "nlb");
	for (int i = 0; i < cfg->n_nlbs; i++) {
		em_open(e, cfg->nlbs[i].name);
		for (int j = 0; j < cfg->nlbs[i].n_listeners && l < dp_lcu.n_listeners; j++, l++) {
			char name[32];

			listener_name(&cfg->nlbs[i].listeners[j], name, sizeof(name));
			em_open(e, name);
			em_lcu(e, &dp_lcu.listener[l]);
			em_close(e);
		}
		em_close(e);
	}
	em_close(e);
}

static void
lb_stats_print(FILE *f, const struct dp_lcore_stats *s, const struct cfg *cfg)
{
	for (int i = 0, l = 0; i < cfg->n_nlbs; i++) {
		for (int j = 0; j < cfg->nlbs[i].n_listeners && l < DP_MAX_LISTENERS; j++, l++) {
			const struct dp_lb_stats *ls = &s->listener[l];

			fprintf(f, "nlb %s %s:%u: active %" PRIu64 " new %" PRIu64 " bytes %" PRIu64
				" resets %" PRIu64 "\n", cfg->nlbs[i].name,
				cfg->nlbs[i].listeners[j].proto == CFG_L4_TCP ? "tcp" : "udp",
				cfg->nlbs[i].listeners[j].port, ls->flows_created - ls->flows_deleted,
				ls->flows_created, ls->bytes, ls->resets);
		}
	}
	for (int i = 0, t = 0; i < cfg->n_target_groups; i++) {
		for (int j = 0; j < cfg->target_groups[i].n_targets && t < DP_MAX_TARGETS; j++, t++) {
			const struct cfg_target_group *tg = &cfg->target_groups[i];
			char ip[48];

			fprintf(f, "  target %s %s: new flows %" PRIu64 ", %s\n", tg->name,
				tg->ipv6 ? cfg_ipv6_str(tg->targets[j].addr6, ip, sizeof(ip)) :
				cfg_ipv4_str(tg->targets[j].addr, ip, sizeof(ip)),
				s->target[t].flows_created,
				lb_target_healthy(t) ? "healthy" : "unhealthy");
		}
	}
}

static const struct dp_stats_label lb_labels[] = {
	{ "nlb", "nlb" },
	{ "listeners", "listener" },
	{ "target_groups", "target_group" },
	{ "targets", "target" },
	{ NULL, NULL },
};

const struct dp_stats_section lb_stats_section = {
	.name = "nlb",
	.emit = lb_stats_emit,
	.tel_cmd = "/vpcgw/nlb",
	.tel_help = "NLB listener and target counters. Params: [SECTION][,PAGE].",
	.lcu = lb_stats_lcu,
	.print = lb_stats_print,
	.labels = lb_labels,
};
