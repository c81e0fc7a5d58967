/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The flow_logs configuration section (config/cfg_section.h), into
 * cfg.flow_logs. Registered in dp/modules.c.
 */
#ifndef VPCGW_FL_CFG_H
#define VPCGW_FL_CFG_H

struct ld;

void fl_cfg_names(struct ld *ld);
void fl_cfg_load(struct ld *ld);

#endif /* VPCGW_FL_CFG_H */
