/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Layer 3: the services the gateway is made of, assembled here.
 *
 * cfg_sections: each service's configuration sections and their place in
 * the loader's two passes (config/cfg_section.h). config/ loads its own
 * sections (positions 10..50) and walks this table for the rest; it never
 * names a service. Positions are part of the output: among messages of one
 * line, --check reports them in this order (docs/ARCHITECTURE.md).
 *
 * Pure: no DPDK, so the unit tests and fuzz_config link it with config/.
 */
#include <stddef.h>

#include "config/cfg_section.h"
#include "flowlog/fl_cfg.h"
#include "fw/fw_cfg.h"
#include "geneve/gwlb_cfg.h"
#include "lb/lb_cfg.h"
#include "mirror/mr_cfg.h"
#include "nat/nat_cfg.h"

const struct cfg_section cfg_sections[] = {
	/* fw */
	{ .key = "network_acls", .names_order = 40, .order = 60,
	  .names = fw_cfg_names_nacls, .load = fw_cfg_load_nacls },
	{ .key = "security_groups", .names_order = 50, .order = 70,
	  .names = fw_cfg_names_sgs, .load = fw_cfg_load_sgs },
	{ .key = "interfaces", .order = 80,
	  .load = fw_cfg_load_interfaces },
	/* nat; pass 1 of internet_gateway sets ld.has_igw (route targets "igw") */
	{ .key = "internet_gateway", .names_order = 100, .order = 90,
	  .names = nat_cfg_names_igw, .load = nat_cfg_load_igw },
	{ .key = "nat_gateways", .names_order = 60, .order = 100,
	  .names = nat_cfg_names_nat_gateways, .load = nat_cfg_load_nat_gateways },
	/* lb; target groups load first, their names come after the NLBs' */
	{ .key = "target_groups", .names_order = 80, .order = 110,
	  .names = lb_cfg_names_target_groups, .load = lb_cfg_load_target_groups },
	{ .key = "network_load_balancers", .names_order = 70, .order = 120,
	  .names = lb_cfg_names_nlbs, .load = lb_cfg_load_nlbs },
	/* geneve */
	{ .key = "gateway_load_balancers", .names_order = 90, .order = 130,
	  .names = gwlb_cfg_names, .load = gwlb_cfg_load },
	/* flowlog; after interfaces (resource "eni:ADDRESS") */
	{ .key = "flow_logs", .names_order = 110, .order = 140,
	  .names = fl_cfg_names, .load = fl_cfg_load },
	/* mirror; after interfaces (source "eni:ADDRESS") */
	{ .key = "traffic_mirror_sessions", .names_order = 120, .order = 150,
	  .names = mr_cfg_names, .load = mr_cfg_load },
	{ .key = NULL },
};
