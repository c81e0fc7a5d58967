/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The traffic_mirror_sessions configuration section (config/cfg_section.h),
 * into cfg.mirrors. Registered in dp/modules.c.
 */
#ifndef VPCGW_MR_CFG_H
#define VPCGW_MR_CFG_H

struct ld;

/* Sessions at most (the data path keeps counters for each: mirror/mr.h). */
#define MR_MAX_SESSIONS 64

void mr_cfg_names(struct ld *ld);
void mr_cfg_load(struct ld *ld);

#endif /* VPCGW_MR_CFG_H */
