/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration sections of SPEC §8 (several VPCs and what connects them),
 * as far as they are built: `vpcs`, peering connections, and the table of
 * the §8 sections (prefix lists and gateway endpoints: config/cfg_vpce.c).
 *
 *  vpcs = ( { name = "prod"; cidr = "10.0.0.0/16"; subnets = ( ... ); }, ... );
 *
 * `vpc = {...}` (config/cfg_load.c) is the one VPC "default". With `vpcs`,
 * each VPC's subnets are loaded by the same code (ld_load_subnet) against
 * that VPC's cidr, into the one global list of subnets (names are global),
 * each with its VPC; subnets of different VPCs may overlap unless they share
 * a port and a VLAN. Every route table, NACL and security group belongs to
 * the VPC of the subnets (ENIs) that use it; one used from two VPCs is an
 * error (ld_vpc_scope_check). Peering connections join two VPCs that do not
 * overlap; a route to "pcx:NAME" must be in a table of one of them. The data
 * plane runs VPCs that do not overlap, untagged (dp/vpc.c refuses the rest).
 *
 * Positions (config/cfg_section.h): names 21 vpcs (after `vpc`), 31
 * vpc_peering_connections, 32 prefix_lists, 34 gateway_endpoints; values 41
 * vpcs (after `vpc`, before route_tables), 43 peerings and 45 prefix_lists
 * (before route_tables read them), 140 gateway_endpoints and the scope
 * checks (after every other section).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg.h"
#include "config/cfg_ld.h"
#include "config/cfg_section.h"

/* ---- vpcs --------------------------------------------------------------- */

bool
ld_has_vpcs(const struct ld *ld)
{
	return config_setting_get_member(ld->root, "vpcs") != NULL;
}

/* Forget the loader's name index of arr (about to be freed). */
static void
names_idx_drop(struct ld *ld, const void *arr)
{
	for (int i = 0; i < LD_NAME_IDX; i++)
		if (ld->names[i].arr == arr) {
			free(ld->names[i].slot);
			ld->names[i] = (struct ld_name_idx){ 0 };
		}
}

/* The subnets of every VPC of `vpcs`, in one list: names within a VPC by
 * ld_names_list, then across VPCs (names are global). */
static void
names_vpcs_subnets(struct ld *ld, const config_setting_t *l)
{
	struct cfg *c = ld->cfg;
	struct cfg_subnet *part[c->n_vpcs];
	int np[c->n_vpcs], n = 0, k = 0;
	char p[PATH_LEN];

	for (int v = 0; v < c->n_vpcs; v++) {
		ld_path_idx(p, "vpcs", v);
		part[v] = ld_names_list(ld, config_setting_get_elem(l, v), p, "subnets", "subnet",
					sizeof(**part), offsetof(struct cfg_subnet, line), &np[v]);
		n += np[v];
	}
	c->subnets = ld_calloc(ld, (size_t)n, sizeof(*c->subnets));
	for (int v = 0; v < c->n_vpcs; v++) {
		for (int i = 0; c->subnets != NULL && i < np[v]; i++, k++) {
			struct cfg_subnet *sn = &c->subnets[k];
			int j;

			*sn = part[v][i];
			sn->vpc = v;
			j = sn->name[0] != '\0' ? LD_FIND(c->subnets, k, sn->name) : -1;
			if (j >= 0 && c->subnets[j].vpc != v) {
				const config_setting_t *e = config_setting_get_elem(
					config_setting_get_member(config_setting_get_elem(l, v),
								  "subnets"), i);
				char q[PATH_LEN];

				snprintf(q, sizeof(q), "vpcs[%d].subnets[%d].name", v, i);
				ld_error(ld, config_setting_get_member(e, "name"), q,
					 "duplicate subnet name \"%s\" (first at line %d): names are "
					 "global over the VPCs", sn->name, c->subnets[j].line);
				sn->name[0] = '\0';
			}
		}
		names_idx_drop(ld, part[v]);
		free(part[v]);
	}
	c->n_subnets = c->subnets != NULL ? n : 0;
}

static void
names_vpcs(struct ld *ld)
{
	const config_setting_t *l = config_setting_get_member(ld->root, "vpcs");
	const config_setting_t *one = config_setting_get_member(ld->root, "vpc");
	struct cfg *c = ld->cfg;

	if (l == NULL || one != NULL) {
		/* `vpc = {...}`: one VPC, "default" (both given: load_vpcs says so) */
		c->vpcs = ld_calloc(ld, 1, sizeof(*c->vpcs));
		if (c->vpcs == NULL)
			return;
		c->n_vpcs = 1;
		snprintf(c->vpcs[0].name, sizeof(c->vpcs[0].name), "default");
		c->vpcs[0].line = one != NULL ? ld_line(one) : 1;
		return;
	}
	LD_NAMES(ld, ld->root, "", "vpcs", "VPC", c->vpcs, c->n_vpcs);
	if (c->n_vpcs > 0)
		names_vpcs_subnets(ld, l);
}

void
ld_subnet_vlan(struct ld *ld, const config_setting_t *e, const char *p, struct cfg_subnet *sn)
{
	long long v;

	if (ld_get_int(ld, e, p, "vlan", false, 1, 4094, &v) > 0)
		sn->vlan = (uint16_t)v;
}

bool
ld_subnets_clash(const struct ld *ld, int i, int j)
{
	const struct cfg_subnet *a = &ld->cfg->subnets[i], *b = &ld->cfg->subnets[j];

	return a->vpc == b->vpc || (a->port == b->port && a->vlan == b->vlan);
}

/* The VPC of route table T: of the first subnet that uses it; -1: none. */
int
ld_rt_vpc(const struct cfg *c, const struct cfg_route_table *t)
{
	int rt = (int)(t - c->route_tables);

	for (int i = 0; i < c->n_subnets; i++)
		if (c->subnets[i].route_table == rt)
			return c->subnets[i].vpc;
	return -1;
}

const struct cfg_prefix *
ld_rt_vpc_cidr(const struct ld *ld, const struct cfg_route_table *t)
{
	const struct cfg *c = ld->cfg;
	int v = c->n_vpcs > 1 ? ld_rt_vpc(c, t) : -1;

	return v > 0 ? &c->vpcs[v].cidr : &c->vpc_cidr;
}

/* Returns whether the VPC's cidr is valid. */
static bool
load_one_vpc(struct ld *ld, const config_setting_t *e, const char *p, int v, int *k)
{
	static const char *const keys[] = { "name", "cidr", "ipv6_cidr", "subnets", NULL };
	struct cfg *c = ld->cfg;
	char q[PATH_LEN];
	struct fld f;
	bool ok = false;

	if (!ld_group(ld, e, p, keys))
		return false;
	if (ld_get_prefix(ld, e, p, "cidr", true, &f, &c->vpcs[v].cidr) > 0) {
		if (c->vpcs[v].cidr.len < 8 || c->vpcs[v].cidr.len > 30)
			ld_error(ld, f.s, f.path, "prefix length /%u out of range /8../30",
				 c->vpcs[v].cidr.len);
		else
			ok = true;
	}
	/* one VPC of the list may be dual stack (the IPv6 tables hold one /56) */
	ld->cur_v6 = false;
	if (ld_fld_get(ld, e, p, "ipv6_cidr", false, &f)) {
		if (c->has_vpc6) {
			ld_error(ld, f.s, f.path, "VPC \"%s\" is dual stack already: IPv6 in more "
				 "than one VPC of `vpcs` is not built yet", c->vpcs[c->vpc6].name);
		} else {
			ld6_vpc(ld, e, p);
			if (c->has_vpc6)
				c->vpc6 = v;
		}
	}
	if (ld_get_list(ld, e, p, "subnets", false, T_LIST, &f) <= 0)
		return ok;
	/* ld_load_subnet checks against cfg->vpc_cidr: this VPC's, for now */
	c->vpc_cidr = c->vpcs[v].cidr;
	ld->vpc_ok = ok;
	for (int i = 0; i < ld_list_len(&f) && *k < c->n_subnets; i++, (*k)++) {
		const config_setting_t *s = config_setting_get_elem(f.s, i);

		ld_path_idx(q, f.path, i);
		c->subnets[*k].line = ld_line(s);
		ld_load_subnet(ld, s, q, *k);
	}
	return ok;
}

static void
load_vpcs(struct ld *ld)
{
	struct cfg *c = ld->cfg;
	char p[PATH_LEN];
	struct fld f;
	bool ok0 = false;
	int k = 0;

	if (!ld_has_vpcs(ld)) {
		if (c->n_vpcs == 1)
			c->vpcs[0].cidr = c->vpc_cidr;      /* `vpc = {...}` */
		return;
	}
	if (ld_get_list(ld, ld->root, "", "vpcs", false, T_LIST, &f) <= 0)
		return;
	if (config_setting_get_member(ld->root, "vpc") != NULL) {
		ld_error(ld, f.s, f.path, "both `vpc` and `vpcs`: `vpc = {...}` is the one VPC "
			 "\"default\"; list it in `vpcs` instead");
		return;
	}
	if (c->n_vpcs == 0) {
		ld_error(ld, f.s, f.path, "at least one VPC is required");
		return;
	}
	for (int v = 0; v < c->n_vpcs; v++) {
		ld_path_idx(p, f.path, v);
		bool ok = load_one_vpc(ld, config_setting_get_elem(f.s, v), p, v, &k);

		if (v == 0)
			ok0 = ok;
	}
	/* the model's vpc_cidr is the first VPC's (all the data plane runs) */
	c->vpc_cidr = c->vpcs[0].cidr;
	ld->vpc_ok = ok0;
}

/* The index of VPC NAME (key vpc of E), -1 after an error; absent: the
 * first VPC when there is only one, else an error. */
int
ld_vpc_ref(struct ld *ld, const config_setting_t *e, const char *p)
{
	const struct cfg *c = ld->cfg;
	struct fld f;
	const char *v;
	int i;

	if (ld_get_str(ld, e, p, "vpc", c->n_vpcs > 1, &f, &v) <= 0)
		return f.s == NULL && c->n_vpcs == 1 ? 0 : -1;
	i = LD_FIND(c->vpcs, c->n_vpcs, v);
	if (i < 0)
		ld_error(ld, f.s, f.path, "unknown VPC \"%s\"", v);
	return i;
}

/* ---- vpc_peering_connections ------------------------------------------ */

static void
names_peerings(struct ld *ld)
{
	struct cfg *c = ld->cfg;

	LD_NAMES(ld, ld->root, "", "vpc_peering_connections", "peering connection", c->peerings,
		 c->n_peerings);
}

int
ld_pcx_ref(struct ld *ld, const struct fld *f, const char *name, int *idx)
{
	const struct cfg *c = ld->cfg;

	*idx = LD_FIND(c->peerings, c->n_peerings, name);
	if (*idx < 0) {
		ld_error(ld, f->s, f->path, "unknown peering connection \"%s\"", name);
		return -1;
	}
	return 1;
}

static void
load_peering(struct ld *ld, const config_setting_t *e, const char *p, struct cfg_peering *pc)
{
	static const char *const keys[] = { "name", "vpcs", NULL };
	const struct cfg *c = ld->cfg;
	char q[PATH_LEN], a[CFG_NAME_MAX], b[CFG_NAME_MAX];
	const config_setting_t *s;
	struct fld f;
	const char *v;

	pc->vpc[0] = pc->vpc[1] = -1;
	if (!ld_group(ld, e, p, keys) || ld_get_list(ld, e, p, "vpcs", true, T_SEQ, &f) <= 0)
		return;
	if (ld_list_len(&f) != 2) {
		ld_error(ld, f.s, f.path, "a peering connection joins exactly two VPCs");
		return;
	}
	for (int i = 0; i < 2; i++) {
		s = config_setting_get_elem(f.s, i);
		ld_path_idx(q, f.path, i);
		if (ld_str_of(ld, s, q, &v) < 0)
			return;
		pc->vpc[i] = LD_FIND(c->vpcs, c->n_vpcs, v);
		if (pc->vpc[i] < 0) {
			ld_error(ld, s, q, "unknown VPC \"%s\"", v);
			return;
		}
	}
	if (pc->vpc[0] == pc->vpc[1]) {
		ld_error(ld, f.s, f.path, "a VPC cannot peer with itself");
		pc->vpc[0] = pc->vpc[1] = -1;
	} else if (cfg_prefix_overlap(&c->vpcs[pc->vpc[0]].cidr, &c->vpcs[pc->vpc[1]].cidr)) {
		ld_prefix_fmt(a, sizeof(a), c->vpcs[pc->vpc[0]].cidr.addr,
			      c->vpcs[pc->vpc[0]].cidr.len);
		ld_prefix_fmt(b, sizeof(b), c->vpcs[pc->vpc[1]].cidr.addr,
			      c->vpcs[pc->vpc[1]].cidr.len);
		ld_error(ld, f.s, f.path, "VPC \"%s\" (%s) overlaps VPC \"%s\" (%s): peered VPCs "
			 "must not overlap", c->vpcs[pc->vpc[0]].name, a, c->vpcs[pc->vpc[1]].name, b);
	}
}

static void
load_peerings(struct ld *ld)
{
	struct cfg *c = ld->cfg;
	char p[PATH_LEN];
	struct fld f;

	if (ld_get_list(ld, ld->root, "", "vpc_peering_connections", false, T_LIST, &f) <= 0)
		return;
	for (int i = 0; i < c->n_peerings; i++) {
		ld_path_idx(p, f.path, i);
		c->peerings[i].line = ld_line(config_setting_get_elem(f.s, i));
		load_peering(ld, config_setting_get_elem(f.s, i), p, &c->peerings[i]);
	}
}

/* ---- scope: every object in one VPC ------------------------------------ */

/* Key KEY of subnet i's group and its path into PATH (PATH_LEN bytes). */
static const config_setting_t *
subnet_key(struct ld *ld, int i, const char *key, char *path)
{
	const struct cfg *c = ld->cfg;
	const config_setting_t *l, *e;
	int v = c->subnets[i].vpc, at = i;

	if (ld_has_vpcs(ld)) {
		for (int j = 0; j < i; j++)
			at -= c->subnets[j].vpc != v;
		l = config_setting_get_elem(config_setting_get_member(ld->root, "vpcs"), v);
		snprintf(path, PATH_LEN, "vpcs[%d].subnets[%d].%s", v, at, key);
	} else {
		l = config_setting_get_member(ld->root, "vpc");
		snprintf(path, PATH_LEN, "vpc.subnets[%d].%s", at, key);
	}
	l = l != NULL ? config_setting_get_member(l, "subnets") : NULL;
	e = l != NULL ? config_setting_get_elem(l, at) : NULL;
	return e != NULL ? config_setting_get_member(e, key) : NULL;
}

/* Record that object x (a route table, NACL or SG: what) is used from VPC v;
 * from a second VPC: an error on setting s. */
static void
scope_own(struct ld *ld, int *owner, int x, int v, const config_setting_t *s, const char *path,
	  const char *what, const char *name)
{
	if (owner[x] < 0 || v < 0) {
		owner[x] = owner[x] < 0 ? v : owner[x];
		return;
	}
	if (owner[x] != v)
		ld_error(ld, s, path, "%s \"%s\" belongs to VPC \"%s\" (used there first), not to "
			 "VPC \"%s\": an object belongs to one VPC", what, name,
			 ld->cfg->vpcs[owner[x]].name, ld->cfg->vpcs[v].name);
}

static const config_setting_t *
route_target_setting(const config_setting_t *tables, int t, int j)
{
	return config_setting_get_member(config_setting_get_elem(config_setting_get_member(
		config_setting_get_elem(tables, t), "routes"), j), "target");
}

/* A route of table t (VPC v) to a NAT gateway or GWLB endpoint of another
 * VPC, or to a peering connection that does not join v. */
static void
scope_routes(struct ld *ld, int t, int v)
{
	const struct cfg *c = ld->cfg;
	const struct cfg_route_table *rt = &c->route_tables[t];
	const config_setting_t *l = config_setting_get_member(ld->root, "route_tables");
	char path[PATH_LEN];

	for (int j = 0; j < rt->n_routes; j++) {
		const struct cfg_route *r = &rt->routes[j];
		int sn = -1, w;

		if (r->kind == CFG_TARGET_PCX && r->ref >= 0 &&
		    c->peerings[r->ref].vpc[0] != v && c->peerings[r->ref].vpc[1] != v &&
		    c->peerings[r->ref].vpc[0] >= 0) {
			snprintf(path, sizeof(path), "route_tables[%d].routes[%d].target", t, j);
			ld_error(ld, route_target_setting(l, t, j), path, "peering connection \"%s\" "
				 "does not join VPC \"%s\" of route table \"%s\"",
				 c->peerings[r->ref].name, c->vpcs[v].name, rt->name);
			continue;
		}
		if (r->kind == CFG_TARGET_NAT && r->ref >= 0)
			sn = c->nat_gateways[r->ref].subnet;
		else if (r->kind == CFG_TARGET_GWLBE && r->ref >= 0 && r->ref2 >= 0)
			sn = c->gwlbs[r->ref].endpoints[r->ref2].subnet;
		w = sn >= 0 ? c->subnets[sn].vpc : v;
		if (w == v)
			continue;
		snprintf(path, sizeof(path), "route_tables[%d].routes[%d].target", t, j);
		ld_error(ld, route_target_setting(l, t, j), path,
			 "target in VPC \"%s\", but route table \"%s\" belongs to VPC \"%s\"",
			 c->vpcs[w].name, rt->name, c->vpcs[v].name);
	}
}

/* SPEC §8: route tables, NACLs and security groups belong to the VPC of the
 * subnets (ENIs) that use them; route targets are in the table's VPC. */
void
ld_vpc_scope_check(struct ld *ld)
{
	const struct cfg *c = ld->cfg;
	const config_setting_t *ifl = config_setting_get_member(ld->root, "interfaces");
	int *own_rt, *own_nacl, *own_sg;
	char path[PATH_LEN];

	if (c->n_vpcs < 2)
		return;
	own_rt = ld_calloc(ld, (size_t)c->n_route_tables + 1, sizeof(int));
	own_nacl = ld_calloc(ld, (size_t)c->n_nacls + 1, sizeof(int));
	own_sg = ld_calloc(ld, (size_t)c->n_sgs + 1, sizeof(int));
	if (own_rt == NULL || own_nacl == NULL || own_sg == NULL)
		goto out;
	memset(own_rt, -1, ((size_t)c->n_route_tables + 1) * sizeof(int));
	memset(own_nacl, -1, ((size_t)c->n_nacls + 1) * sizeof(int));
	memset(own_sg, -1, ((size_t)c->n_sgs + 1) * sizeof(int));
	for (int i = 0; i < c->n_subnets; i++) {
		const struct cfg_subnet *sn = &c->subnets[i];
		const config_setting_t *s;

		if (sn->route_table >= 0) {
			s = subnet_key(ld, i, "route_table", path);
			scope_own(ld, own_rt, sn->route_table, sn->vpc, s, path, "route table",
				  c->route_tables[sn->route_table].name);
		}
		if (sn->nacl >= 0) {
			s = subnet_key(ld, i, "network_acl", path);
			scope_own(ld, own_nacl, sn->nacl, sn->vpc, s, path, "network ACL",
				  c->nacls[sn->nacl].name);
		}
	}
	for (int i = 0; i < c->n_enis; i++) {
		const struct cfg_eni *eni = &c->enis[i];
		const config_setting_t *l = config_setting_get_member(
			config_setting_get_elem(ifl, i), "security_groups");

		for (int k = 0; eni->subnet >= 0 && k < eni->n_sgs; k++) {
			snprintf(path, sizeof(path), "interfaces[%d].security_groups[%d]", i, k);
			scope_own(ld, own_sg, eni->sgs[k], c->subnets[eni->subnet].vpc,
				  config_setting_get_elem(l, k), path, "security group",
				  c->sgs[eni->sgs[k]].name);
		}
	}
	for (int t = 0; t < c->n_route_tables; t++)
		if (own_rt[t] >= 0)
			scope_routes(ld, t, own_rt[t]);
out:
	free(own_rt);
	free(own_nacl);
	free(own_sg);
}

/* ---- overlapping VPCs: zones and VLAN ports ----------------------------- */

/* Subnet i's VLAN port (appended to cfg.ports when new); -1 after an error. */
static int
vlan_port(struct ld *ld, int i)
{
	struct cfg *c = ld->cfg;
	const struct cfg_subnet *sn = &c->subnets[i];
	struct cfg_port par = c->ports[sn->port], *vp;
	char path[PATH_LEN];

	for (int p = 0; p < c->n_ports; p++)
		if (c->ports[p].vlan == sn->vlan && c->ports[p].parent == sn->port)
			return p;
	if (c->n_ports >= CFG_MAX_PORTS) {
		ld_error(ld, subnet_key(ld, i, "vlan", path), path, "too many (port, VLAN) pairs: "
			 "ports and VLAN ports together at most %d", CFG_MAX_PORTS);
		return -1;
	}
	vp = &c->ports[c->n_ports];
	*vp = par;
	snprintf(vp->name, sizeof(vp->name), "%.50s.%u", par.name, sn->vlan);
	vp->devargs[0] = '\0';
	vp->has_addr6 = false;
	vp->vlan = sn->vlan;
	vp->parent = sn->port;
	vp->line = sn->line;
	return c->n_ports++;
}

/* A static neighbor on a VLAN (neighbors[].vlan): to its VLAN port, inside a
 * subnet of it. */
static void
vlan_neighbors(struct ld *ld)
{
	struct cfg *c = ld->cfg;
	const config_setting_t *l = config_setting_get_member(ld->root, "neighbors");
	char path[PATH_LEN], a[CFG_NAME_MAX];

	for (int i = 0; i < c->n_neighbors; i++) {
		struct cfg_neighbor *nb = &c->neighbors[i];
		const config_setting_t *e = config_setting_get_elem(l, i);
		int vp = -1, sn = -1;

		if (nb->v6 || nb->vlan == 0 || nb->port < 0)
			continue;
		for (int p = 0; p < c->n_ports && vp < 0; p++)
			if (c->ports[p].vlan == nb->vlan && c->ports[p].parent == nb->port)
				vp = p;
		for (int s = 0; vp >= 0 && s < c->n_subnets && sn < 0; s++)
			if (c->subnets[s].port == vp && cfg_prefix_contains(&c->subnets[s].cidr,
									   nb->addr))
				sn = s;
		snprintf(path, sizeof(path), "neighbors[%d].%s", i, vp < 0 ? "vlan" : "address");
		if (vp < 0)
			ld_error(ld, config_setting_get_member(e, "vlan"), path, "no subnet is on VLAN "
				 "%u of port \"%s\"", nb->vlan, c->ports[nb->port].name);
		else if (sn < 0)
			ld_error(ld, config_setting_get_member(e, "address"), path, "%s is in no subnet "
				 "on VLAN %u of port \"%s\"", cfg_ipv4_str(nb->addr, a, sizeof(a)),
				 nb->vlan, c->ports[nb->port].name);
		else
			nb->port = vp;
	}
}

/*
 * SPEC §8: VPCs may overlap; the port and 802.1Q VLAN tell them apart. A VPC
 * that overlaps another gets a zone of its own (the flow key's zone: the
 * same 5-tuple in two VPCs is two flows); the others keep zone 0, so a
 * configuration without overlap runs as before. Each (port, VLAN) of the
 * subnets becomes a VLAN port, a port of its own for the data plane
 * (neighbors, ARP, the source check, output), and a port that carries a
 * subnet of an overlapping VPC carries that VPC only: its zone is the
 * port's.
 */
void
ld_vpc_vrf(struct ld *ld)
{
	struct cfg *c = ld->cfg;
	char path[PATH_LEN];
	struct cfg_port *ports;

	for (int v = 0; v < c->n_vpcs; v++) {
		c->vpcs[v].zone = 0;
		for (int w = 0; w < c->n_vpcs; w++)
			if (w != v && cfg_prefix_overlap(&c->vpcs[v].cidr, &c->vpcs[w].cidr))
				c->vpcs[v].zone = (uint8_t)(CFG_ZONE_VPC | v);
		if (c->vpcs[v].zone != 0 && v >= CFG_MAX_ZONE_VPCS) {
			ld_path_idx(path, "vpcs", v);
			ld_error(ld, config_setting_get_elem(config_setting_get_member(ld->root,
				 "vpcs"), v), path, "VPC \"%s\" overlaps another: overlapping VPCs "
				 "are the first %d of `vpcs` at most", c->vpcs[v].name,
				 CFG_MAX_ZONE_VPCS);
			c->vpcs[v].zone = 0;
		}
		if (c->vpcs[v].zone != 0 && c->has_vpc6 && c->vpc6 == v && c->n_vpcs > 1) {
			const config_setting_t *e = config_setting_get_elem(
				config_setting_get_member(ld->root, "vpcs"), v);

			ld_path_idx(path, "vpcs", v);
			ld_path_key(path, path, "ipv6_cidr");
			ld_error(ld, config_setting_get_member(e, "ipv6_cidr"), path, "VPC \"%s\" "
				 "overlaps another: IPv6 in an overlapping VPC is not built yet",
				 c->vpcs[v].name);
		}
	}
	if (c->ports == NULL || ld->n_err > 0)
		return;
	ports = realloc(c->ports, CFG_MAX_PORTS * sizeof(*ports));
	if (ports == NULL) {
		ld_nomem(ld);
		return;
	}
	c->ports = ports;
	for (int i = 0; i < c->n_subnets; i++) {
		struct cfg_subnet *sn = &c->subnets[i];

		if (sn->vlan != 0 && sn->port >= 0 && (sn->port = vlan_port(ld, i)) < 0)
			return;
	}
	vlan_neighbors(ld);
	for (int i = 0; i < c->n_subnets; i++)
		for (int j = 0; j < c->n_subnets; j++) {
			const struct cfg_subnet *a = &c->subnets[i], *b = &c->subnets[j];

			if (a->port != b->port || a->vpc == b->vpc || c->vpcs[a->vpc].zone == 0)
				continue;
			ld_error(ld, subnet_key(ld, i, "port", path), path, "subnet \"%s\" of VPC "
				 "\"%s\" shares port \"%s\" with subnet \"%s\" of VPC \"%s\": "
				 "a port (and VLAN) that carries a VPC which overlaps another "
				 "carries that VPC only", a->name, c->vpcs[a->vpc].name,
				 c->ports[a->port].name, b->name, c->vpcs[b->vpc].name);
			break;
		}
}

/* ---- the table -------------------------------------------------------- */

static const struct cfg_section cfg_vpc_sections[] = {
	{ .key = "vpcs", .names_order = 21, .order = 41,
	  .names = names_vpcs, .load = load_vpcs },
	{ .key = "vpc_peering_connections", .names_order = 31, .order = 43,
	  .names = names_peerings, .load = load_peerings },
	{ .key = "prefix_lists", .names_order = 32, .order = 45,
	  .names = ld_names_prefix_lists, .load = ld_load_prefix_lists },
	{ .key = "gateway_endpoints", .names_order = 34, .order = 135,
	  .names = ld_names_gateway_endpoints, .load = ld_load_gateway_endpoints },
	/*
	 * config/cfg_tgw.c; after every section that makes a port or a route
	 * target (only traffic_mirror_sessions, 150, loads after it)
	 */
	{ .key = "transit_gateways", .names_order = 33, .order = 145,
	  .names = ld_names_tgws, .load = ld_load_tgws },
	{ .key = NULL },
};

CFG_SECTIONS_REGISTER(cfg_vpc_sections)

void
cfg_vpc_free(struct cfg *cfg)
{
	for (int i = 0; i < cfg->n_prefix_lists; i++)
		free(cfg->prefix_lists[i].cidrs);
	free(cfg->prefix_lists);
	free(cfg->gateway_endpoints);
	free(cfg->vpcs);
	free(cfg->peerings);
	cfg_tgw_free(cfg);
}
