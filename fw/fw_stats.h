/* SPDX-License-Identifier: BSD-3-Clause */
/* The security policy's counters (fw_stats.c), registered by dp/pipeline.c. */
#ifndef VPCGW_FW_STATS_H
#define VPCGW_FW_STATS_H

#include "dp/stats_writer.h"

extern const struct dp_stats_section fw_stats_section;

#endif /* VPCGW_FW_STATS_H */
