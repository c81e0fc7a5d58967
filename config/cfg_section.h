/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration sections: who loads each top-level key of the file.
 *
 * config/cfg_section.c walks every registered section and names none:
 * config/cfg_load.c registers the core's (dpdk, ports, neighbors, vpc,
 * route_tables), config/cfg_vpc.c SPEC §8's, and each service's
 * configuration part (fw/fw_cfg.c, nat/nat_cfg.c,
 * lb/lb_cfg.c, geneve/gwlb_cfg.c, flowlog/fl_cfg.c, mirror/mr_cfg.c) keeps
 * its table of sections beside its hooks and registers it with
 * CFG_SECTIONS_REGISTER, a constructor run before main(), as DPDK's drivers
 * register with RTE_INIT. A program has a service's sections when it links
 * the service's object: the executables link the libraries whole
 * (meson.build), as DPDK links its drivers.
 *
 * The load makes two passes (config/cfg_section.c):
 *  1. names, in ascending names_order: each named list is allocated and its
 *     names recorded, so that any section may refer to any other (routes
 *     name NAT gateways and GWLB endpoints that load after them);
 *  2. values, in ascending order: what a check looks at is loaded before it.
 * Messages come out in file order, and in the order they were reported among
 * messages of one line: the orders are part of the output (the whole table is
 * in docs/ARCHITECTURE.md).
 *
 * The core's own sections: names 10 ports, 20 vpc (its subnets), 30
 * route_tables; order 10 dpdk, 20 ports, 30 neighbors, 40 vpc, 50
 * route_tables. A service section loads after route_tables (its checks read
 * ports and subnets). No two sections share a key or a position in a pass.
 */
#ifndef VPCGW_CFG_SECTION_H
#define VPCGW_CFG_SECTION_H

struct ld;

struct cfg_section {
	const char *key;              /* top-level key of the configuration file */
	int names_order;              /* pass 1 position; 0 when names is NULL */
	int order;                    /* pass 2 position */
	void (*names)(struct ld *ld); /* pass 1: allocate named lists, record names */
	void (*load)(struct ld *ld);  /* pass 2: read and check the values */
};

/*
 * Register TABLE, a service's sections ended by one with key NULL, in any
 * order. Called from constructors only (CFG_SECTIONS_REGISTER); the first
 * load checks that no two sections share a key or a position, and aborts
 * with both names if they do: a table that breaks the rule is a bug.
 */
void cfg_sections_register(const struct cfg_section *table);

#define CFG_SECTIONS_REGISTER(table)                                              \
	static void __attribute__((constructor, used)) cfg_sections_register_##table(void) \
	{                                                                         \
		cfg_sections_register(table);                                     \
	}

#endif /* VPCGW_CFG_SECTION_H */
