/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lb's configuration sections, the hooks of config/cfg_section.h:
 * target_groups, network_load_balancers. Listed in dp/modules.c.
 */
#ifndef VPCGW_LB_CFG_H
#define VPCGW_LB_CFG_H

struct ld;

void lb_cfg_names_target_groups(struct ld *ld);
void lb_cfg_load_target_groups(struct ld *ld);
void lb_cfg_names_nlbs(struct ld *ld);
void lb_cfg_load_nlbs(struct ld *ld);

#endif /* VPCGW_LB_CFG_H */
