/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The GWLBs' counters, under CloudWatch's names: section "gwlb" (per GWLB,
 * its LCU meter and its appliances) of --stats-json, Prometheus and
 * /vpcgw/gwlb; the GWLB part of /vpcgw/lcu; lines per GWLB and appliance in
 * the exit summary. Appliance health comes from the core's health-check
 * engine (gwlb_health.c). Control and telemetry threads.
 */
#include <inttypes.h>
#include <stdio.h>

#include "config/cfg.h"
#include "dp/dp.h"
#include "dp/dp_stats.h"
#include "dp/health.h"
#include "dp/stats_writer.h"
#include "geneve/gnv.h"
#include "geneve/gwlb_stats.h"

static void
gwlb_counters(struct emitter *e, const struct dp_lb_stats *l)
{
	em_gauge(e, "ActiveFlowCount", l->flows_created - l->flows_deleted);
	em_u64(e, "NewFlowCount", l->flows_created);
	em_u64(e, "ProcessedBytes", l->bytes);
	em_u64(e, "ProcessedPackets", l->packets);
}

static void
gwlb_stats_emit(struct emitter *e, const struct dp_lcore_stats *s, const struct cfg *cfg)
{
	char ip[16];
	int ai = 0, ei = 0;

	em_open(e, "gwlb");
	for (int i = 0; i < cfg->n_gwlbs && i < DP_MAX_GWLB; i++) {
		const struct cfg_gwlb *g = &cfg->gwlbs[i];
		unsigned healthy = 0, unhealthy = 0;

		dp_health_counts(&gwlb_health_client, i, &healthy, &unhealthy);
		em_open(e, g->name);
		gwlb_counters(e, &s->gwlb[i]);
		em_gauge(e, "HealthyHostCount", healthy);
		em_gauge(e, "UnHealthyHostCount", unhealthy);
		if (cfg->node.mid_flow_place)
			em_u64(e, "MidFlowPlacedCount", s->gwlb[i].midflow_placed);
		if (i < dp_lcu.n_gwlb)
			em_lcu(e, &dp_lcu.gwlb[i]);
		em_open(e, "appliances");
		for (int j = 0; j < g->n_appliances && ai < DP_MAX_APPLIANCES; j++, ai++) {
			em_open(e, cfg_ipv4_str(g->appliances[j].addr, ip, sizeof(ip)));
			gwlb_counters(e, &s->appliance[ai]);
			em_str(e, "health",
			       gnv_appliance_healthy(ai) ? "healthy" : "unhealthy");
			em_close(e);
		}
		em_close(e);
		/* each endpoint: what its subnets sent through it to the appliances */
		em_open(e, "endpoints");
		for (int j = 0; j < g->n_endpoints && ei < DP_MAX_GWLB_ENDPOINTS; j++, ei++) {
			em_open(e, g->endpoints[j].name);
			gwlb_counters(e, &s->gwlb_ep[ei]);
			em_close(e);
		}
		em_close(e);
		em_close(e);
	}
	em_close(e);
}

static void
gwlb_stats_lcu(struct emitter *e, const struct dp_lcore_stats *s, const struct cfg *cfg)
{
	em_open(e, "gwlb");
	for (int i = 0; i < dp_lcu.n_gwlb; i++) {
		em_open(e, cfg->gwlbs[i].name);
		em_lcu(e, &dp_lcu.gwlb[i]);
		em_close(e);
	}
	em_close(e);
}

static void
gwlb_stats_print(FILE *f, const struct dp_lcore_stats *s, const struct cfg *cfg)
{
	for (int i = 0, a = 0; i < cfg->n_gwlbs && i < DP_MAX_GWLB; i++) {
		fprintf(f, "gwlb %s: active %" PRIu64 " new %" PRIu64 " bytes %" PRIu64 "\n",
			cfg->gwlbs[i].name, s->gwlb[i].flows_created - s->gwlb[i].flows_deleted,
			s->gwlb[i].flows_created, s->gwlb[i].bytes);
		for (int j = 0; j < cfg->gwlbs[i].n_appliances && a < DP_MAX_APPLIANCES; j++, a++) {
			char ip[16];

			fprintf(f, "  appliance %s: new flows %" PRIu64 ", %s\n",
				cfg_ipv4_str(cfg->gwlbs[i].appliances[j].addr, ip, sizeof(ip)),
				s->appliance[a].flows_created,
				gnv_appliance_healthy(a) ? "healthy" : "unhealthy");
		}
	}
}

static const struct dp_stats_label gwlb_labels[] = {
	{ "gwlb", "gwlb" },
	{ "appliances", "appliance" },
	{ NULL, NULL },
};

const struct dp_stats_section gwlb_stats_section = {
	.name = "gwlb",
	.emit = gwlb_stats_emit,
	.tel_cmd = "/vpcgw/gwlb",
	.tel_help = "GWLB and appliance counters. Params: [SECTION][,PAGE].",
	.lcu = gwlb_stats_lcu,
	.print = gwlb_stats_print,
	.labels = gwlb_labels,
};
