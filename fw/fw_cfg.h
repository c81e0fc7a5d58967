/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fw's configuration sections, the hooks of config/cfg_section.h:
 * network_acls, security_groups, interfaces. Listed in dp/modules.c.
 */
#ifndef VPCGW_FW_CFG_H
#define VPCGW_FW_CFG_H

struct ld;

void fw_cfg_names_nacls(struct ld *ld);
void fw_cfg_load_nacls(struct ld *ld);
void fw_cfg_names_sgs(struct ld *ld);
void fw_cfg_load_sgs(struct ld *ld);
void fw_cfg_load_interfaces(struct ld *ld);

#endif /* VPCGW_FW_CFG_H */
