/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The traffic_mirror_sessions configuration section (config/cfg_section.h,
 * registered in mr_cfg.c): what the rest of mirror/ shares with it.
 */
#ifndef VPCGW_MR_CFG_H
#define VPCGW_MR_CFG_H

/* Sessions at most (the data path keeps counters for each: mirror/mr.h). */
#define MR_MAX_SESSIONS 64

#endif /* VPCGW_MR_CFG_H */
