/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The transit gateways' counters per attachment, under CloudWatch's names:
 * section "tgw" of --stats-json, Prometheus (labels transit_gateway and
 * attachment), /vpcgw/tgw and /vpcgw/stats, a line per attachment in the
 * exit summary. Control and telemetry threads.
 */
#include <inttypes.h>
#include <stdio.h>

#include "dp/dp.h"
#include "dp/stats_writer.h"
#include "tgw/tgw.h"

static void
tgw_stats_emit(struct emitter *e, const struct dp_lcore_stats *s, const struct cfg *cfg)
{
	if (cfg->n_tgws == 0)
		return;         /* a configuration without transit gateways: output as before */
	em_open(e, "tgw");
	for (int i = 0; i < cfg->n_tgws; i++) {
		const struct cfg_tgw *g = &cfg->tgws[i];

		em_open(e, g->name);
		em_open(e, "attachments");
		for (int j = 0; j < g->n_atts; j++) {
			int gid = g->atts[j].gid;
			const struct dp_tgw_stats *a = &s->tgw[gid];

			if (gid < 0 || gid >= CFG_MAX_TGW_ATTACHMENTS)
				continue;
			em_open(e, g->atts[j].name);
			em_u64(e, "BytesIn", a->bytes_in);
			em_u64(e, "BytesOut", a->bytes_out);
			em_u64(e, "PacketsIn", a->pkts_in);
			em_u64(e, "PacketsOut", a->pkts_out);
			em_u64(e, "PacketDropCountBlackhole", a->drop_blackhole);
			em_u64(e, "PacketDropCountNoRoute", a->drop_no_route);
			em_close(e);
		}
		em_close(e);
		em_close(e);
	}
	em_close(e);
}

static void
tgw_stats_print(FILE *f, const struct dp_lcore_stats *s, const struct cfg *cfg)
{
	for (int i = 0; i < cfg->n_tgws; i++)
		for (int j = 0; j < cfg->tgws[i].n_atts; j++) {
			const struct dp_tgw_stats *a = &s->tgw[cfg->tgws[i].atts[j].gid];

			fprintf(f, "transit gateway %s attachment %s: in %" PRIu64 " packets %" PRIu64
				" bytes, out %" PRIu64 " packets %" PRIu64 " bytes, blackhole %" PRIu64
				", no route %" PRIu64 "\n", cfg->tgws[i].name, cfg->tgws[i].atts[j].name,
				a->pkts_in, a->bytes_in, a->pkts_out, a->bytes_out, a->drop_blackhole,
				a->drop_no_route);
		}
}

static const struct dp_stats_label tgw_labels[] = {
	{ "tgw", "transit_gateway" },
	{ "attachments", "attachment" },
	{ NULL, NULL },
};

const struct dp_stats_section tgw_stats_section = {
	.name = "tgw",
	.emit = tgw_stats_emit,
	.in_stats = true,
	.tel_cmd = "/vpcgw/tgw",
	.tel_help = "Transit gateway counters per attachment (CloudWatch names). "
		    "Params: [SECTION][,PAGE].",
	.print = tgw_stats_print,
	.labels = tgw_labels,
};
