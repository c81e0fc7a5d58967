/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow logs' counters: section "flow_logs" of --stats-json, Prometheus,
 * /vpcgw/stats and its own telemetry command /vpcgw/flow_logs. Control and
 * telemetry threads (relaxed reads of what the control thread counts).
 */
#include "dp/dp.h"
#include "dp/stats_writer.h"
#include "flowlog/fl.h"

static void
fl_stats_emit(struct emitter *e, const struct dp_lcore_stats *s, const struct cfg *cfg)
{
	const struct fl_stats *st = fl_stats();

	em_open(e, "flow_logs");
	em_u64(e, "records", __atomic_load_n(&st->records, __ATOMIC_RELAXED));
	em_u64(e, "skipped", __atomic_load_n(&st->skipped, __ATOMIC_RELAXED));
	em_u64(e, "write_errors", __atomic_load_n(&st->write_errors, __ATOMIC_RELAXED));
	em_u64(e, "no_memory", __atomic_load_n(&st->nomem, __ATOMIC_RELAXED));
	em_open(e, "logs");
	for (int i = 0; i < fl_n_logs(); i++) {
		struct fl_log_stats l = fl_log_stats(i);

		em_open(e, l.name);
		em_u64(e, "written", l.written);
		em_u64(e, "windows", l.windows);
		em_close(e);
	}
	em_close(e);
	em_close(e);
}

static const struct dp_stats_label fl_labels[] = {
	{ "logs", "flow_log" },
	{ NULL, NULL },
};

const struct dp_stats_section fl_stats_section = {
	.name = "flow_logs",
	.emit = fl_stats_emit,
	.in_stats = true,
	.tel_cmd = "/vpcgw/flow_logs",
	.tel_help = "Flow logs: records taken from the workers' rings, skipped (ring full), "
		    "lines written and intervals per log.",
	.labels = fl_labels,
};
