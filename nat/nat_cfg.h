/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nat's configuration sections, the hooks of config/cfg_section.h:
 * internet_gateway, nat_gateways. Listed in dp/modules.c.
 */
#ifndef VPCGW_NAT_CFG_H
#define VPCGW_NAT_CFG_H

struct ld;

void nat_cfg_names_igw(struct ld *ld);
void nat_cfg_load_igw(struct ld *ld);
void nat_cfg_names_nat_gateways(struct ld *ld);
void nat_cfg_load_nat_gateways(struct ld *ld);

#endif /* VPCGW_NAT_CFG_H */
