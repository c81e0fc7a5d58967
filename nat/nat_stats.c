/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The NAT gateways' counters, under CloudWatch's names: section "nat" of
 * --stats-json, Prometheus (label nat_gateway) and /vpcgw/nat, and a line per
 * gateway in the exit summary. Control and telemetry threads.
 */
#include <inttypes.h>
#include <stdio.h>

#include "dp/dp.h"
#include "dp/stats_writer.h"
#include "nat/nat_stats.h"

static void
nat_stats_emit(struct emitter *e, const struct dp_lcore_stats *s, const struct cfg *cfg)
{
	em_open(e, "nat");
	for (int i = 0; i < cfg->n_nat_gateways && i < DP_MAX_NATGW; i++) {
		const struct dp_nat_stats *n = &s->nat[i];

		em_open(e, cfg->nat_gateways[i].name);
		em_gauge(e, "ActiveConnectionCount", n->conn_created - n->conn_deleted);
		em_u64(e, "ConnectionAttemptCount", n->conn_attempt);
		em_u64(e, "ConnectionEstablishedCount", n->conn_established);
		em_u64(e, "ErrorPortAllocation", n->err_port_alloc);
		em_u64(e, "IdleTimeoutCount", n->idle_timeout);
		em_u64(e, "PacketsDropCount", n->drop);
		em_u64(e, "BytesInFromSource", n->bytes_in_src);
		em_u64(e, "BytesOutToDestination", n->bytes_out_dst);
		em_u64(e, "BytesInFromDestination", n->bytes_in_dst);
		em_u64(e, "BytesOutToSource", n->bytes_out_src);
		em_u64(e, "PacketsInFromSource", n->pkts_in_src);
		em_u64(e, "PacketsOutToDestination", n->pkts_out_dst);
		em_u64(e, "PacketsInFromDestination", n->pkts_in_dst);
		em_u64(e, "PacketsOutToSource", n->pkts_out_src);
		/* per family (SPEC §7; CloudWatch has none for a NAT gateway:
		 * the ALB's IPv6ProcessedBytes-style prefix): the source side of
		 * NAT64 connections is IPv6, counted on their path, IPv4 the
		 * rest; the destination side is IPv4 always */
		em_u64(e, "IPv4BytesInFromSource", n->bytes_in_src - n->bytes_in_src6);
		em_u64(e, "IPv4BytesOutToSource", n->bytes_out_src - n->bytes_out_src6);
		em_u64(e, "IPv4PacketsInFromSource", n->pkts_in_src - n->pkts_in_src6);
		em_u64(e, "IPv4PacketsOutToSource", n->pkts_out_src - n->pkts_out_src6);
		em_u64(e, "IPv6BytesInFromSource", n->bytes_in_src6);
		em_u64(e, "IPv6BytesOutToSource", n->bytes_out_src6);
		em_u64(e, "IPv6PacketsInFromSource", n->pkts_in_src6);
		em_u64(e, "IPv6PacketsOutToSource", n->pkts_out_src6);
		em_close(e);
	}
	em_close(e);
}

static void
nat_stats_print(FILE *f, const struct dp_lcore_stats *s, const struct cfg *cfg)
{
	for (int i = 0; i < cfg->n_nat_gateways; i++)
		fprintf(f, "nat %s: active %" PRIu64 " attempts %" PRIu64 " port-errors %" PRIu64
			" idle-timeouts %" PRIu64 " drops %" PRIu64 "\n", cfg->nat_gateways[i].name,
			s->nat[i].conn_created - s->nat[i].conn_deleted, s->nat[i].conn_attempt,
			s->nat[i].err_port_alloc, s->nat[i].idle_timeout, s->nat[i].drop);
}

static const struct dp_stats_label nat_labels[] = {
	{ "nat", "nat_gateway" },
	{ NULL, NULL },
};

const struct dp_stats_section nat_stats_section = {
	.name = "nat",
	.emit = nat_stats_emit,
	.tel_cmd = "/vpcgw/nat",
	.tel_help = "NAT gateway counters (CloudWatch names). Params: [SECTION][,PAGE].",
	.print = nat_stats_print,
	.labels = nat_labels,
};
