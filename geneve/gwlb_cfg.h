/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * geneve's configuration section, the hooks of config/cfg_section.h:
 * gateway_load_balancers. Listed in dp/modules.c.
 */
#ifndef VPCGW_GWLB_CFG_H
#define VPCGW_GWLB_CFG_H

struct ld;

void gwlb_cfg_names(struct ld *ld);
void gwlb_cfg_load(struct ld *ld);

#endif /* VPCGW_GWLB_CFG_H */
