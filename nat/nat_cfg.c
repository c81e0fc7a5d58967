/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nat's configuration sections (config/cfg_section.h): internet_gateway
 * (edge route table, elastic IPs) and nat_gateways, into cfg.igw and
 * cfg.nat_gateways. Registered with config/ at the end of this file.
 */
#include <stdbool.h>
#include <stdint.h>

#include "config/cfg.h"
#include "config/cfg_ld.h"
#include "config/cfg_section.h"

/* Route targets "igw" need one: known before any section loads. */
static void
nat_cfg_names_igw(struct ld *ld)
{
	ld->has_igw = config_setting_get_member(ld->root, "internet_gateway") != NULL;
}

static void
nat_cfg_names_nat_gateways(struct ld *ld)
{
	struct cfg *c = ld->cfg;

	LD_NAMES(ld, ld->root, "", "nat_gateways", "NAT gateway", c->nat_gateways,
		 c->n_nat_gateways);
}

static void
nat_cfg_load_igw(struct ld *ld)
{
	static const char *const keys[] = {
		"port", "next_hop", "next_hop6", "route_table", "elastic_ips", NULL
	};
	static const char *const eip_keys[] = { "public", "private", NULL };
	struct cfg *c = ld->cfg;
	struct cfg_igw *igw = &c->igw;
	char p[PATH_LEN];
	struct fld f, g, l;
	int i;

	igw->port = -1;
	igw->route_table = -1;
	if (!ld_fld_get(ld, ld->root, "", "internet_gateway", false, &f))
		return;
	igw->present = true;
	igw->line = ld_line(f.s);
	if (!ld_group(ld, f.s, f.path, keys))
		return;
	ld_get_ref(ld, f.s, f.path, "port", true, REF_PORT, &g, &igw->port);
	if (ld_get_ipv4(ld, f.s, f.path, "next_hop", true, &g, &igw->next_hop) > 0)
		ld_check_on_port(ld, igw->port, igw->next_hop, &g);
	ld6_igw(ld, f.s, f.path, igw);
	ld_get_ref(ld, f.s, f.path, "route_table", false, REF_RT, &g, &igw->route_table);
	if (ld_get_list(ld, f.s, f.path, "elastic_ips", false, T_LIST, &l) <= 0)
		return;
	igw->eips = ld_calloc(ld, (size_t)ld_list_len(&l), sizeof(*igw->eips));
	if (igw->eips == NULL)
		return;
	igw->n_eips = ld_list_len(&l);
	for (i = 0; i < igw->n_eips; i++) {
		const config_setting_t *e = config_setting_get_elem(l.s, i);
		struct cfg_eip *eip = &igw->eips[i];

		eip->line = ld_line(e);
		ld_path_idx(p, l.path, i);
		if (!ld_group(ld, e, p, eip_keys))
			continue;
		if (ld_get_ipv4(ld, e, p, "public", true, &g, &eip->public_addr) > 0)
			ld_public_addr(ld, g.s, g.path, eip->public_addr);
		if (ld_get_ipv4(ld, e, p, "private", true, &g, &eip->private_addr) > 0 &&
		    ld_claim(ld, &ld->eip, eip->private_addr, g.s, g.path))
			ld_host_in_subnet(ld, &g, eip->private_addr);
	}
}

static void
nat_cfg_load_nat_gateways(struct ld *ld)
{
	static const char *const keys[] = {
		"name", "subnet", "addresses", "idle_timeout", "max_ports_per_destination", NULL
	};
	struct cfg *c = ld->cfg;
	char p[PATH_LEN], q[PATH_LEN];
	struct fld f, g;
	int i, j, n;

	if (ld_get_list(ld, ld->root, "", "nat_gateways", false, T_LIST, &f) <= 0)
		return;
	for (i = 0; i < c->n_nat_gateways; i++) {
		const config_setting_t *e = config_setting_get_elem(f.s, i);
		struct cfg_nat_gateway *nat = &c->nat_gateways[i];

		nat->subnet = -1;
		nat->idle_timeout = 350;
		nat->max_ports_per_dest = 55000;
		ld_path_idx(p, f.path, i);
		if (!ld_group(ld, e, p, keys))
			continue;
		/* Translated packets leave through the internet gateway's next hop. */
		if (!ld->has_igw)
			ld_error(ld, e, p, "a NAT gateway needs an internet_gateway");
		ld_get_ref(ld, e, p, "subnet", true, REF_SUBNET, &g, &nat->subnet);
		ld_get_u32(ld, e, p, "idle_timeout", 60, 6000, 350, &nat->idle_timeout);
		ld_get_u32(ld, e, p, "max_ports_per_destination", 1, 64512, 55000,
			   &nat->max_ports_per_dest);
		if (ld_get_list(ld, e, p, "addresses", true, T_SEQ, &g) <= 0)
			continue;
		n = ld_list_len(&g);
		if (n == 0 || n > CFG_MAX_NAT_ADDRS) {
			ld_error(ld, g.s, g.path, "%d addresses (expected 1..%d)", n,
				 CFG_MAX_NAT_ADDRS);
			continue;
		}
		for (j = 0; j < n; j++) {
			const config_setting_t *s = config_setting_get_elem(g.s, j);
			uint32_t a;

			ld_path_idx(q, g.path, j);
			if (ld_ipv4_of(ld, s, q, &a) > 0) {
				ld_public_addr(ld, s, q, a);
				nat->addrs[nat->n_addrs++] = a;
			}
		}
	}
}

/* ---- the sections, registered with config/ (config/cfg_section.h) ---- */

/* pass 1 of internet_gateway sets ld.has_igw (route targets "igw") */
static const struct cfg_section nat_cfg_sections[] = {
	{ .key = "internet_gateway", .names_order = 100, .order = 90,
	  .names = nat_cfg_names_igw, .load = nat_cfg_load_igw },
	{ .key = "nat_gateways", .names_order = 60, .order = 100,
	  .names = nat_cfg_names_nat_gateways, .load = nat_cfg_load_nat_gateways },
	{ .key = NULL },
};

CFG_SECTIONS_REGISTER(nat_cfg_sections)
