/* SPDX-License-Identifier: BSD-3-Clause */
/* The GWLBs' counters (gwlb_stats.c), registered by dp/pipeline.c. */
#ifndef VPCGW_GWLB_STATS_H
#define VPCGW_GWLB_STATS_H

#include "dp/stats_writer.h"

extern const struct dp_stats_section gwlb_stats_section;

#endif /* VPCGW_GWLB_STATS_H */
