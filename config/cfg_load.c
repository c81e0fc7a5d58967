/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration loader: a libconfig file (SPEC §2) into struct cfg.
 *
 * The loader never stops at the first problem: `vpcgw --check` must list
 * them all. Each top-level key is a section (config/cfg_section.h) with a
 * hook for each of the two passes over the parsed libconfig tree:
 *
 *  1. names: every named list is allocated and its names recorded (missing,
 *     over-long and duplicate names are reported here), so that any section
 *     may refer to any other, before or after it in the file;
 *  2. values: each section is read in dependency order (ports, VPC, ... load
 *     balancers), names are resolved to indices as they are read and every
 *     consistency check runs while the offending libconfig setting is at
 *     hand, so that each message carries the line of the key it is about.
 *
 * This file holds the core sections (dpdk, ports, neighbors, vpc,
 * route_tables) and the entry points; config/cfg_section.c the registry of
 * sections and the walk; config/cfg_ld.c the helpers every section uses.
 *
 * Each message is "FILE:LINE: PATH: PROBLEM" where PATH is the dotted and
 * indexed path of the setting, e.g. "route_tables[1].routes[0].target".
 * Whatever fails to parse is left at zero or its default; the partial
 * struct cfg is thrown away when any error was reported.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libconfig.h>

#include "config/cfg.h"
#include "config/cfg_ld.h"
#include "config/cfg_section.h"

/* ---- pass 1: names ---------------------------------------------------- */

static void
names_ports(struct ld *ld)
{
	struct cfg *c = ld->cfg;

	LD_NAMES(ld, ld->root, "", "ports", "port", c->ports, c->n_ports);
}

static void
names_vpc(struct ld *ld)
{
	const config_setting_t *vpc = config_setting_get_member(ld->root, "vpc");
	struct cfg *c = ld->cfg;

	LD_NAMES(ld, vpc, "vpc", "subnets", "subnet", c->subnets, c->n_subnets);
}

static void
names_route_tables(struct ld *ld)
{
	struct cfg *c = ld->cfg;

	LD_NAMES(ld, ld->root, "", "route_tables", "route table", c->route_tables,
		 c->n_route_tables);
}

/* ---- pass 2: values --------------------------------------------------- */

static void
load_dpdk(struct ld *ld)
{
	static const char *const keys[] = {
		"eal_args", "workers", "mbufs", "flow_table_size", "idle_sleep_us", NULL
	};
	struct cfg_dpdk *d = &ld->cfg->dpdk;
	const config_setting_t *s = config_setting_get_member(ld->root, "dpdk");
	char p[PATH_LEN];
	struct fld f;
	const char *v;
	int i, n;

	d->workers = 1;
	d->mbufs = 32767;
	d->flow_table_size = 1048576;
	d->line = s != NULL ? ld_line(s) : 1;
	if (s == NULL || !ld_group(ld, s, "dpdk", keys))
		return;
	ld_get_u32(ld, s, "dpdk", "workers", 1, 64, 1, &d->workers);
	ld_get_u32(ld, s, "dpdk", "mbufs", 1023, 16777215, 32767, &d->mbufs);
	ld_get_u32(ld, s, "dpdk", "flow_table_size", 1024, 67108864, 1048576,
		   &d->flow_table_size);
	/* the maximum of a worker's idle sleep (dp/dp_worker.c); DP_IDLE_SLEEP_MAX_US */
	ld_get_u32(ld, s, "dpdk", "idle_sleep_us", 0, 10000, 0, &d->idle_sleep_us);
	if (ld_get_list(ld, s, "dpdk", "eal_args", false, T_SEQ, &f) <= 0)
		return;
	d->eal_line = ld_line(f.s);
	n = ld_list_len(&f);
	if (n > CFG_MAX_EAL_ARGS) {
		ld_error(ld, f.s, f.path, "too many arguments (%d, max %d)", n, CFG_MAX_EAL_ARGS);
		n = CFG_MAX_EAL_ARGS;
	}
	for (i = 0; i < n; i++) {
		ld_path_idx(p, f.path, i);
		if (ld_str_of(ld, config_setting_get_elem(f.s, i), p, &v) < 0)
			continue;
		d->eal_args[d->n_eal_args] = strdup(v);
		if (d->eal_args[d->n_eal_args] == NULL) {
			ld_nomem(ld);
			return;
		}
		d->n_eal_args++;
	}
}

/* "a.b.c.d/len" where host bits are expected (an interface address). */
static int
ifaddr_of(struct ld *ld, const struct fld *f, uint32_t *addr, uint8_t *plen)
{
	char a[CFG_NAME_MAX];
	struct cfg_prefix net;
	const char *v, *slash;
	uint32_t m;

	if (ld_str_of(ld, f->s, f->path, &v) < 0)
		return -1;
	slash = strchr(v, '/');
	if (slash == NULL || (size_t)(slash - v) >= sizeof(a))
		goto bad;
	snprintf(a, sizeof(a), "%.*s", (int)(slash - v), v);
	if (cfg_parse_ipv4(a, addr) < 0)
		goto bad;
	/* Reuse the strict prefix-length syntax of CIDRs on the network part. */
	snprintf(a, sizeof(a), "0.0.0.0%s", slash);
	if (cfg_parse_prefix(a, &net) < 0)
		goto bad;
	*plen = net.len;
	m = ld_mask_of(net.len);
	if (net.len <= 30 && ((*addr & ~m) == 0 || (*addr & ~m) == ~m)) {
		ld_error(ld, f->s, f->path, "\"%s\" is the %s address of its prefix", v,
			 (*addr & ~m) == 0 ? "network" : "broadcast");
		return -1;
	}
	return 1;
bad:
	ld_error(ld, f->s, f->path, "bad interface address \"%s\" (expected a.b.c.d/len)", v);
	return -1;
}

static void
load_ports(struct ld *ld)
{
	static const char *const keys[] = {
		"name", "devargs", "mac", "address", "address6", "mtu", "rx_queues",
		"rx_descriptors", "tx_descriptors", NULL
	};
	struct cfg *c = ld->cfg;
	char p[PATH_LEN], a[CFG_NAME_MAX], b[CFG_NAME_MAX];
	struct fld f;
	const char *v;
	uint32_t u;
	int i, j;

	if (ld_get_list(ld, ld->root, "", "ports", true, T_LIST, &f) <= 0)
		return;
	if (c->n_ports == 0) {
		ld_error(ld, f.s, f.path, "at least one port is required");
		return;
	}
	if (c->n_ports > CFG_MAX_DEV_PORTS)
		ld_error(ld, f.s, f.path, "too many ports (%d, max %d)", c->n_ports,
			 CFG_MAX_DEV_PORTS);
	c->n_dev_ports = c->n_ports;
	for (i = 0; i < c->n_ports; i++) {
		const config_setting_t *e = config_setting_get_elem(f.s, i);
		struct cfg_port *port = &c->ports[i];
		struct fld g;

		port->mtu = 1500;
		port->rx_queues = 1;
		port->rx_desc = CFG_DEFAULT_DESC;
		port->tx_desc = CFG_DEFAULT_DESC;
		ld_path_idx(p, f.path, i);
		if (!ld_group(ld, e, p, keys))
			continue;
		if (ld_get_str(ld, e, p, "devargs", true, &g, &v) > 0) {
			if (v[0] == '\0')
				ld_error(ld, g.s, g.path, "empty devargs");
			else if (strlen(v) >= CFG_DEVARGS_MAX)
				ld_error(ld, g.s, g.path, "devargs too long (max %d characters)",
					 CFG_DEVARGS_MAX - 1);
			else
				snprintf(port->devargs, sizeof(port->devargs), "%s", v);
		}
		port->has_mac = ld_get_mac(ld, e, p, "mac", false, port->mac) > 0;
		if (ld_fld_get(ld, e, p, "address", true, &g) &&
		    ifaddr_of(ld, &g, &port->addr, &port->plen) > 0) {
			struct cfg_prefix me = { port->addr & ld_mask_of(port->plen), port->plen };

			ld->port_ok[i] = true;
			/* Overlapping ports would make next-hop resolution ambiguous. */
			for (j = 0; j < i; j++) {
				struct cfg_prefix o = {
					c->ports[j].addr & ld_mask_of(c->ports[j].plen),
					c->ports[j].plen
				};

				if (!ld->port_ok[j] || !cfg_prefix_overlap(&me, &o))
					continue;
				ld_prefix_fmt(a, sizeof(a), port->addr, port->plen);
				ld_prefix_fmt(b, sizeof(b), c->ports[j].addr, c->ports[j].plen);
				ld_error(ld, g.s, g.path, "%s overlaps port \"%s\" (%s)", a,
					 c->ports[j].name, b);
				ld->port_ok[i] = false;
				break;
			}
		}
		ld6_port(ld, e, p, i);
		ld_get_u32(ld, e, p, "mtu", 68, 9216, 1500, &u);
		port->mtu = (uint16_t)u;
		ld_get_u32(ld, e, p, "rx_queues", 1, 16, 1, &u);
		port->rx_queues = (uint16_t)u;
		ld_get_u32(ld, e, p, "rx_descriptors", 64, 32768, CFG_DEFAULT_DESC, &u);
		port->rx_desc = (uint16_t)u;
		ld_get_u32(ld, e, p, "tx_descriptors", 64, 32768, CFG_DEFAULT_DESC, &u);
		port->tx_desc = (uint16_t)u;
	}
}

static void
load_neighbors(struct ld *ld)
{
	static const char *const keys[] = { "port", "address", "mac", "vlan", NULL };
	struct cfg *c = ld->cfg;
	char p[PATH_LEN], a[CFG_NAME_MAX];
	struct fld f, g;
	long long vlan;
	int i, j;

	if (ld_get_list(ld, ld->root, "", "neighbors", false, T_LIST, &f) <= 0)
		return;
	c->n_neighbors = ld_list_len(&f);
	c->neighbors = ld_calloc(ld, (size_t)c->n_neighbors, sizeof(*c->neighbors));
	if (c->neighbors == NULL)
		c->n_neighbors = 0;
	for (i = 0; i < c->n_neighbors; i++) {
		const config_setting_t *e = config_setting_get_elem(f.s, i);
		struct cfg_neighbor *nb = &c->neighbors[i];
		bool port_ok, addr_ok;

		nb->port = -1;
		nb->line = ld_line(e);
		ld_path_idx(p, f.path, i);
		if (!ld_group(ld, e, p, keys))
			continue;
		if (ld6_is_v6(e, "address")) {
			if (ld_fld_get(ld, e, p, "vlan", false, &g))
				ld_error(ld, g.s, g.path, "a neighbor on a VLAN is IPv4 (IPv6 is not "
					 "built in overlapping VPCs)");
			ld6_neighbor(ld, e, p, i);
			continue;
		}
		port_ok = ld_get_ref(ld, e, p, "port", true, REF_PORT, &g, &nb->port) > 0;
		if (ld_get_int(ld, e, p, "vlan", false, 1, 4094, &vlan) > 0)
			nb->vlan = (uint16_t)vlan;
		addr_ok = ld_get_ipv4(ld, e, p, "address", true, &g, &nb->addr) > 0;
		ld_get_mac(ld, e, p, "mac", true, nb->mac);
		if (!port_ok || !addr_ok)
			continue;
		/* on a VLAN: inside a subnet of that VLAN (ld_vpc_vrf, once they are known) */
		if (config_setting_get_member(e, "vlan") == NULL)
			ld_check_on_port(ld, nb->port, nb->addr, &g);
		for (j = 0; j < i; j++) {
			if (!c->neighbors[j].v6 && c->neighbors[j].port == nb->port &&
			    c->neighbors[j].vlan == nb->vlan && c->neighbors[j].addr == nb->addr) {
				ld_error(ld, g.s, g.path,
					 "duplicate neighbor %s on port \"%s\" (first at line %d)",
					 cfg_ipv4_str(nb->addr, a, sizeof(a)),
					 c->ports[nb->port].name, c->neighbors[j].line);
				break;
			}
		}
	}
}

void
ld_load_subnet(struct ld *ld, const config_setting_t *e, const char *p, int i)
{
	static const char *const keys[] = {
		"name", "cidr", "ipv6_cidr", "port", "route_table", "network_acl", "vlan", NULL
	};
	struct cfg *c = ld->cfg;
	struct cfg_subnet *sn = &c->subnets[i];
	char a[CFG_NAME_MAX], b[CFG_NAME_MAX];
	struct fld f;
	int j;

	sn->port = -1;
	sn->route_table = -1;
	sn->nacl = -1;
	if (!ld_group(ld, e, p, keys))
		return;
	ld_get_ref(ld, e, p, "port", true, REF_PORT, &f, &sn->port);
	ld_get_ref(ld, e, p, "route_table", false, REF_RT, &f, &sn->route_table);
	ld_get_ref(ld, e, p, "network_acl", false, REF_NACL, &f, &sn->nacl);
	ld6_subnet(ld, e, p, i);
	ld_subnet_vlan(ld, e, p, sn);
	if (ld_get_prefix(ld, e, p, "cidr", true, &f, &sn->cidr) <= 0)
		return;
	ld_prefix_fmt(a, sizeof(a), sn->cidr.addr, sn->cidr.len);
	if (ld->vpc_ok && (sn->cidr.len < c->vpc_cidr.len ||
			   !cfg_prefix_contains(&c->vpc_cidr, sn->cidr.addr))) {
		ld_prefix_fmt(b, sizeof(b), c->vpc_cidr.addr, c->vpc_cidr.len);
		ld_error(ld, f.s, f.path, "%s is outside the VPC cidr %s", a, b);
		return;
	}
	/* The .1 is vpcgw itself: a subnet needs it and at least one host. */
	if (sn->cidr.len > 30) {
		ld_error(ld, f.s, f.path, "%s is too small (longest prefix /30)", a);
		return;
	}
	for (j = 0; j < i; j++) {
		const struct cfg_subnet *o = &c->subnets[j];

		if (!ld->subnet_ok[j] || !cfg_prefix_overlap(&sn->cidr, &o->cidr) ||
		    !ld_subnets_clash(ld, i, j))
			continue;
		ld_prefix_fmt(b, sizeof(b), o->cidr.addr, o->cidr.len);
		ld_error(ld, f.s, f.path, "%s overlaps subnet \"%s\" (%s)", a, o->name, b);
		return;
	}
	ld->subnet_ok[i] = true;
}

static void
load_vpc(struct ld *ld)
{
	static const char *const keys[] = { "cidr", "ipv6_cidr", "subnets", NULL };
	struct cfg *c = ld->cfg;
	char p[PATH_LEN];
	struct fld f;
	int i;

	if (!ld_fld_get(ld, ld->root, "", "vpc", !ld_has_vpcs(ld), &f) ||
	    !ld_group(ld, f.s, "vpc", keys))
		return;
	if (ld_get_prefix(ld, f.s, "vpc", "cidr", true, &f, &c->vpc_cidr) > 0) {
		if (c->vpc_cidr.len < 8 || c->vpc_cidr.len > 30)
			ld_error(ld, f.s, f.path, "prefix length /%u out of range /8../30",
				 c->vpc_cidr.len);
		else
			ld->vpc_ok = true;
	}
	f.s = config_setting_get_member(ld->root, "vpc");
	ld6_vpc(ld, f.s, "vpc");
	if (ld_get_list(ld, f.s, "vpc", "subnets", false, T_LIST, &f) <= 0)
		f.s = NULL;
	for (i = 0; f.s != NULL && i < c->n_subnets; i++) {
		const config_setting_t *e = config_setting_get_elem(f.s, i);

		ld_path_idx(p, f.path, i);
		c->subnets[i].line = ld_line(e);
		ld_load_subnet(ld, e, p, i);
	}
	ld6_neighbors_check(ld);
}

/* Route target: "local", "igw", "blackhole", "nat-gateway:N", "gwlb-endpoint:E". */
static int
load_target(struct ld *ld, const struct fld *f, struct cfg_route *rt)
{
	static const char nat[] = "nat-gateway:";
	static const char gwe[] = "gwlb-endpoint:";
	static const char eigw[] = "egress-only-igw:";
	const char *v;

	rt->ref = -1;
	rt->ref2 = -1;
	if (ld_str_of(ld, f->s, f->path, &v) < 0)
		return -1;
	if (strcmp(v, "local") == 0) {
		rt->kind = CFG_TARGET_LOCAL;
	} else if (strcmp(v, "igw") == 0) {
		rt->kind = CFG_TARGET_IGW;
		if (!ld->has_igw) {
			ld_error(ld, f->s, f->path,
				 "target \"igw\" but no internet_gateway is configured");
			return -1;
		}
	} else if (strcmp(v, "blackhole") == 0) {
		rt->kind = CFG_TARGET_BLACKHOLE;
	} else if (strncmp(v, nat, sizeof(nat) - 1) == 0) {
		rt->kind = CFG_TARGET_NAT;
		return ld_ref_str(ld, f->s, f->path, REF_NAT, v + sizeof(nat) - 1, &rt->ref);
	} else if (strncmp(v, eigw, sizeof(eigw) - 1) == 0) {
		rt->kind = CFG_TARGET_EIGW;
		return ld_ref_str(ld, f->s, f->path, REF_EIGW, v + sizeof(eigw) - 1, &rt->ref);
	} else if (strncmp(v, "pcx:", 4) == 0) {      /* config/cfg_vpc.c */
		rt->kind = CFG_TARGET_PCX;
		return ld_pcx_ref(ld, f, v + 4, &rt->ref);
	} else if (strncmp(v, "tgw:", 4) == 0) {      /* config/cfg_tgw.c */
		rt->kind = CFG_TARGET_TGW;
		return ld_tgw_ref(ld, f, v + 4, &rt->ref);
	} else if (strncmp(v, gwe, sizeof(gwe) - 1) == 0) {
		rt->kind = CFG_TARGET_GWLBE;
		if (!ld_endpoint_find(ld->cfg, v + sizeof(gwe) - 1, &rt->ref, &rt->ref2)) {
			ld_error(ld, f->s, f->path, "unknown GWLB endpoint \"%s\"",
				 v + sizeof(gwe) - 1);
			return -1;
		}
	} else {
		ld_error(ld, f->s, f->path, "bad target \"%s\" (expected local, igw, blackhole, "
			 "nat-gateway:NAME or gwlb-endpoint:NAME)", v);
		return -1;
	}
	return 1;
}

static void
load_route(struct ld *ld, const config_setting_t *e, const char *p, struct cfg_route_table *t,
	   int i)
{
	static const char *const keys[] = { "destination", "target", NULL };
	const struct cfg_prefix *vpc = ld_rt_vpc_cidr(ld, t);     /* its VPC's */
	struct cfg_route *rt = &t->routes[i];
	char a[CFG_NAME_MAX], b[CFG_NAME_MAX];
	struct fld d, tg;
	bool dst_ok, tgt_ok, inside;
	int j;

	rt->ref = -1;
	rt->ref2 = -1;
	/*
	 * A negative line marks a route that does not count for duplicate
	 * checks (no destination, or itself a duplicate); load_route_tables()
	 * makes it positive again.
	 */
	rt->line = -ld_line(e);
	if (!ld_group(ld, e, p, keys))
		return;
	if (ld_pl_is(e) || ld6_is_v6(e, "destination")) {   /* "pl:NAME" or IPv6 */
		const char *v;

		tgt_ok = ld_fld_get(ld, e, p, "target", true, &tg) && load_target(ld, &tg, rt) > 0;
		if (ld_fld_get(ld, e, p, "destination", true, &d) && ld_str_of(ld, d.s, d.path, &v) > 0)
			(ld_pl_is(e) ? ld_pl_route : ld6_route)(ld, &d, v, &tg, tgt_ok, t, i);
		return;
	}
	dst_ok = ld_get_prefix(ld, e, p, "destination", true, &d, &rt->dst) > 0;
	tgt_ok = ld_fld_get(ld, e, p, "target", true, &tg) && load_target(ld, &tg, rt) > 0;
	if (tgt_ok && rt->kind == CFG_TARGET_EIGW) {
		ld_error(ld, tg.s, tg.path, "an egress-only internet gateway carries IPv6 only: "
			 "not a target for an IPv4 destination");
		tgt_ok = false;
	}
	if (!dst_ok)
		return;
	ld_prefix_fmt(a, sizeof(a), rt->dst.addr, rt->dst.len);
	for (j = 0; j < i; j++) {
		if (!t->routes[j].v6 && t->routes[j].dst.addr == rt->dst.addr &&
		    t->routes[j].dst.len == rt->dst.len && t->routes[j].line > 0) {
			ld_error(ld, d.s, d.path, "duplicate destination %s (first at line %d)", a,
				 t->routes[j].line);
			return;
		}
	}
	rt->line = -rt->line;
	if (!tgt_ok || !ld->vpc_ok)
		return;
	/*
	 * The implicit local route owns the VPC cidr: a route for exactly that
	 * prefix is refused (as AWS does). More specific routes inside it are
	 * middlebox routing and allowed, except toward the internet gateway.
	 */
	inside = rt->dst.len >= vpc->len && cfg_prefix_contains(vpc, rt->dst.addr);
	ld_prefix_fmt(b, sizeof(b), vpc->addr, vpc->len);
	if (rt->kind == CFG_TARGET_LOCAL) {
		if (!inside)
			ld_error(ld, tg.s, tg.path,
				 "target \"local\" needs a destination inside the VPC cidr %s", b);
	} else if (rt->dst.len == vpc->len && inside) {
		ld_error(ld, d.s, d.path,
			 "%s is the VPC cidr: only the implicit local route may use it", a);
	} else if (inside && rt->kind == CFG_TARGET_IGW) {
		ld_error(ld, tg.s, tg.path, "igw cannot be the target of %s, inside the VPC cidr %s",
			 a, b);
	}
}

static void
load_route_tables(struct ld *ld)
{
	static const char *const keys[] = { "name", "routes", NULL };
	struct cfg *c = ld->cfg;
	char p[PATH_LEN], q[PATH_LEN];
	struct fld f, r;
	int i, j;

	if (ld_get_list(ld, ld->root, "", "route_tables", false, T_LIST, &f) <= 0)
		return;
	for (i = 0; i < c->n_route_tables; i++) {
		const config_setting_t *e = config_setting_get_elem(f.s, i);
		struct cfg_route_table *t = &c->route_tables[i];

		ld_path_idx(p, f.path, i);
		if (!ld_group(ld, e, p, keys))
			continue;
		if (ld_get_list(ld, e, p, "routes", false, T_LIST, &r) <= 0)
			continue;
		t->routes = ld_calloc(ld, (size_t)ld_list_len(&r), sizeof(*t->routes));
		if (t->routes == NULL)
			continue;
		t->n_routes = ld_list_len(&r);
		for (j = 0; j < t->n_routes; j++) {
			ld_path_idx(q, r.path, j);
			load_route(ld, config_setting_get_elem(r.s, j), q, t, j);
		}
		for (j = 0; j < t->n_routes; j++)
			if (t->routes[j].line < 0)
				t->routes[j].line = -t->routes[j].line;
	}
}

/* ---- the core's sections ------------------------------------------------ */

/*
 * The core's sections, registered as the services' are (config/cfg_section.c
 * walks them all). Positions in each pass: config/cfg_section.h,
 * docs/ARCHITECTURE.md.
 */
static const struct cfg_section core_sections[] = {
	{ .key = "dpdk", .order = 10, .load = load_dpdk },
	{ .key = "ports", .names_order = 10, .order = 20,
	  .names = names_ports, .load = load_ports },
	{ .key = "neighbors", .order = 30, .load = load_neighbors },
	{ .key = "vpc", .names_order = 20, .order = 40,
	  .names = names_vpc, .load = load_vpc },
	{ .key = "route_tables", .names_order = 30, .order = 50,
	  .names = names_route_tables, .load = load_route_tables },
	{ .key = "egress_only_internet_gateways", .names_order = 25, .order = 95,
	  .names = ld6_names_eigws, .load = ld6_load_eigws },
	{ .key = "node", .order = 15, .load = ld_load_node },
	{ .key = NULL },
};

CFG_SECTIONS_REGISTER(core_sections)

/* ---- entry points ----------------------------------------------------- */

static int
ld_finish(struct ld *ld, struct cfg **out)
{
	free(ld->port_ok);
	free(ld->subnet_ok);
	free(ld->pub.claims);
	free(ld->priv.claims);
	free(ld->eip.claims);
	ld_names_free(ld);
	ld_flush(ld);
	if (ld->n_err > 0 || out == NULL) {
		cfg_free(ld->cfg);
		ld->cfg = NULL;
	}
	if (out != NULL)
		*out = ld->cfg;
	return ld->n_err;
}

static void
ld_syntax_error(struct ld *ld, config_t *lc)
{
	char msg[MSG_LEN];
	const char *file = config_error_file(lc);

	if (file == NULL)
		file = ld->name;
	snprintf(msg, sizeof(msg), "%s:%d: %s", file, config_error_line(lc),
		 config_error_text(lc));
	ld_emit(ld, file, config_error_line(lc), msg);
}

static int
ld_start(struct ld *ld, const char *name, cfg_error_fn err, void *arg)
{
	memset(ld, 0, sizeof(*ld));
	ld->name = name;
	ld->err = err;
	ld->arg = arg;
	ld->cfg = ld_calloc(ld, 1, sizeof(*ld->cfg));
	if (ld->cfg == NULL)
		return -ENOMEM;
	snprintf(ld->cfg->file, sizeof(ld->cfg->file), "%s", name);
	return 0;
}

int
cfg_load_string(const char *text, const char *name, struct cfg **out, cfg_error_fn err,
		void *arg)
{
	struct ld ld;
	config_t lc;

	if (name == NULL)
		name = "<string>";
	if (ld_start(&ld, name, err, arg) < 0)
		return ld_finish(&ld, out);
	config_init(&lc);
	if (config_read_string(&lc, text) != CONFIG_TRUE)
		ld_syntax_error(&ld, &lc);
	else
		ld_load_sections(&ld, &lc);
	config_destroy(&lc);
	return ld_finish(&ld, out);
}

int
cfg_load(const char *file, struct cfg **out, cfg_error_fn err, void *arg)
{
	char msg[MSG_LEN];
	char *dir;
	struct ld ld;
	config_t lc;
	FILE *fp;

	if (ld_start(&ld, file, err, arg) < 0)
		return ld_finish(&ld, out);
	fp = fopen(file, "r");
	if (fp == NULL) {
		snprintf(msg, sizeof(msg), "%s: cannot open: %s", file, strerror(errno));
		ld_emit(&ld, file, 0, msg);
		return ld_finish(&ld, out);
	}
	fclose(fp);
	/* @include paths are relative to the including file, not to the cwd. */
	dir = strdup(file);
	if (dir != NULL && ld_check_includes(&ld, file, dirname(dir), 0) != 0) {
		free(dir);
		return ld_finish(&ld, out);
	}
	free(dir);
	dir = strdup(file);
	config_init(&lc);
	if (dir != NULL)
		config_set_include_dir(&lc, dirname(dir));
	if (config_read_file(&lc, file) != CONFIG_TRUE)
		ld_syntax_error(&ld, &lc);
	else
		ld_load_sections(&ld, &lc);
	config_destroy(&lc);
	free(dir);
	return ld_finish(&ld, out);
}

void
cfg_free(struct cfg *cfg)
{
	int i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->dpdk.n_eal_args; i++)
		free(cfg->dpdk.eal_args[i]);
	free(cfg->ports);
	free(cfg->neighbors);
	free(cfg->subnets);
	free(cfg->igw.eips);
	for (i = 0; i < cfg->n_route_tables; i++)
		free(cfg->route_tables[i].routes);
	free(cfg->route_tables);
	free(cfg->eigws);
	for (i = 0; i < cfg->n_nacls; i++) {
		free(cfg->nacls[i].ingress);
		free(cfg->nacls[i].egress);
	}
	free(cfg->nacls);
	for (i = 0; i < cfg->n_sgs; i++) {
		free(cfg->sgs[i].ingress);
		free(cfg->sgs[i].egress);
	}
	free(cfg->sgs);
	free(cfg->enis);
	free(cfg->nat_gateways);
	for (i = 0; i < cfg->n_nlbs; i++)
		free(cfg->nlbs[i].listeners);
	free(cfg->nlbs);
	for (i = 0; i < cfg->n_target_groups; i++)
		free(cfg->target_groups[i].targets);
	free(cfg->target_groups);
	for (i = 0; i < cfg->n_gwlbs; i++) {
		free(cfg->gwlbs[i].appliances);
		free(cfg->gwlbs[i].endpoints);
	}
	free(cfg->gwlbs);
	free(cfg->flow_logs);
	for (i = 0; i < cfg->n_mirrors; i++) {
		free(cfg->mirrors[i].in);
		free(cfg->mirrors[i].out);
	}
	free(cfg->mirrors);
	cfg_vpc_free(cfg);
	free(cfg);
}
