/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vpcgw's messages once the EAL runs: rte_log with vpcgw's own log types
 * (vpcgw.main, vpcgw.port, vpcgw.cfg, vpcgw.health), so `--log-level` (vpcgw's
 * option, or EAL's after "--") sets their levels like any DPDK library's.
 * Every message, DPDK's own included, goes to stderr as
 *   2026-12-04T08:10:00.123Z ERR vpcgw.port: port vpc: ...
 * Before the EAL (arguments, the configuration's file:line errors) vpcgw
 * writes to stderr plainly. Control thread and start-up only: never on the
 * packet path.
 */
#ifndef VPCGW_DP_LOG_H
#define VPCGW_DP_LOG_H

#include <rte_log.h>

extern int dp_logtype_main;
extern int dp_logtype_port;
extern int dp_logtype_cfg;
extern int dp_logtype_health;

#define DP_LOG(level, type, ...) \
	rte_log(RTE_LOG_##level, dp_logtype_##type, RTE_FMT(RTE_FMT_HEAD(__VA_ARGS__,) "\n", \
		RTE_FMT_TAIL(__VA_ARGS__,)))

/* After rte_eal_init: the log types and the stream. */
int dp_log_init(void);

#endif /* VPCGW_DP_LOG_H */
