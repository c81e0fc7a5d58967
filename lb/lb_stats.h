/* SPDX-License-Identifier: BSD-3-Clause */
/* The NLBs' counters (lb_stats.c), registered by dp/pipeline.c. */
#ifndef VPCGW_LB_STATS_H
#define VPCGW_LB_STATS_H

#include "dp/stats_writer.h"

extern const struct dp_stats_section lb_stats_section;

#endif /* VPCGW_LB_STATS_H */
