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
#include "fw/fw_cfg.h"

const struct cfg_section cfg_sections[] = {
	/* key                     names  order  pass 1              pass 2 */
	{ "network_acls",             40,    60, fw_cfg_names_nacls, fw_cfg_load_nacls },
	{ "security_groups",          50,    70, fw_cfg_names_sgs,   fw_cfg_load_sgs },
	{ "interfaces",                0,    80, NULL,               fw_cfg_load_interfaces },
	{ NULL },
};
