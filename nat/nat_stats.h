/* SPDX-License-Identifier: BSD-3-Clause */
/* The NAT gateways' counters (nat_stats.c), registered by dp/pipeline.c. */
#ifndef VPCGW_NAT_STATS_H
#define VPCGW_NAT_STATS_H

#include "dp/stats_writer.h"

extern const struct dp_stats_section nat_stats_section;

#endif /* VPCGW_NAT_STATS_H */
