/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The security policy's counters: sections "interfaces" (per ENI, label
 * interface) and "security_groups" (label group) of --stats-json,
 * Prometheus and /vpcgw/stats. Control and telemetry threads.
 */
#include "config/cfg.h"
#include "dp/dp.h"
#include "dp/stats_writer.h"
#include "fw/fw_stats.h"

static void
fw_stats_enis(struct emitter *e, const struct dp_lcore_stats *s, const struct cfg *cfg)
{
	char ip[16];

	em_open(e, "interfaces");
	for (int i = 0; i < cfg->n_enis && i < DP_MAX_ENIS; i++) {
		em_open(e, cfg_ipv4_str(cfg->enis[i].addr, ip, sizeof(ip)));
		em_gauge(e, "active_flows", s->eni[i].flows_created - s->eni[i].flows_deleted);
		em_u64(e, "flows_created", s->eni[i].flows_created);
		em_u64(e, "allowed", s->eni[i].allowed);
		em_u64(e, "denied", s->eni[i].denied);
		em_close(e);
	}
	em_close(e);
}

static void
fw_stats_sgs(struct emitter *e, const struct dp_lcore_stats *s, const struct cfg *cfg)
{
	em_open(e, "security_groups");
	for (int i = 0; i < cfg->n_sgs && i < DP_MAX_SGS; i++) {
		uint64_t enis = 0;

		for (int j = 0; j < cfg->n_enis; j++)
			for (int k = 0; k < cfg->enis[j].n_sgs; k++)
				enis += cfg->enis[j].sgs[k] == i;
		em_open(e, cfg->sgs[i].name);
		em_u64(e, "allowed", s->sg_allowed[i]);
		em_gauge(e, "interfaces", enis);
		em_close(e);
	}
	em_close(e);
}

static void
fw_stats_emit(struct emitter *e, const struct dp_lcore_stats *s, const struct cfg *cfg)
{
	fw_stats_enis(e, s, cfg);
	fw_stats_sgs(e, s, cfg);
}

static const struct dp_stats_label fw_labels[] = {
	{ "interfaces", "interface" },
	{ "security_groups", "group" },
	{ NULL, NULL },
};

const struct dp_stats_section fw_stats_section = {
	.name = "fw",
	.emit = fw_stats_emit,
	.in_stats = true,
	.labels = fw_labels,
};
