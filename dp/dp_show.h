/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VPCGW_DP_SHOW_H
#define VPCGW_DP_SHOW_H

/* /vpcgw/routes, /vpcgw/neighbors, /vpcgw/reload (dp_show.c). */
int dp_show_telemetry_init(void);

#endif /* VPCGW_DP_SHOW_H */
