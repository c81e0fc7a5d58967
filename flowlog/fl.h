/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VPC flow logs (flowlog/fl_ctl.c): the service dp/pipeline.c registers,
 * and its counters (flowlog/fl_stats.c). Control and telemetry threads.
 */
#ifndef VPCGW_FL_H
#define VPCGW_FL_H

#include <stdint.h>

#include "dp/dp_service.h"
#include "dp/stats_writer.h"

struct fl_stats {
	uint64_t records;           /* taken from the rings */
	uint64_t skipped;           /* lost to full rings (the rings' own count) */
	uint64_t write_errors;      /* a file not opened or a line not written */
	uint64_t nomem;             /* a record not aggregated: no memory */
};

struct fl_log_stats {
	const char *name;
	uint64_t written;           /* lines written, header excluded */
	uint64_t windows;           /* aggregation intervals written */
};

const struct fl_stats *fl_stats(void);
int fl_n_logs(void);
/* Logs with counters (the first FL_STATS_LOGS), and log i's. */
#define FL_STATS_LOGS 64
struct fl_log_stats fl_log_stats(int i);

extern const struct dp_service fl_service;
extern const struct dp_stats_section fl_stats_section;

#endif /* VPCGW_FL_H */
