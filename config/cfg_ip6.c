/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 configuration (SPEC §7): addresses and prefixes, and the IPv6 keys
 * of the core sections: ports[].address6, neighbors[] with an IPv6
 * address, vpc.ipv6_cidr (a /56), subnets[].ipv6_cidr (a /64 of it), and
 * IPv6 route destinations. config/cfg_load.c calls the ld6_* loaders where
 * it reads the IPv4 keys beside them, so a message carries the same kind of
 * path and line.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "config/cfg.h"
#include "config/cfg_ld.h"

/* ---- pure helpers ----------------------------------------------------- */

int
cfg_parse_ipv6(const char *s, uint8_t addr[16])
{
	/* inet_pton() refuses zones ("%eth0"), prefixes and IPv4 */
	if (s == NULL || strchr(s, ':') == NULL || inet_pton(AF_INET6, s, addr) != 1)
		return -EINVAL;
	return 0;
}

static void
mask6(uint8_t out[16], const uint8_t in[16], unsigned len)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = len >= 8 * (i + 1) ? 8 : len > 8 * i ? len - 8 * i : 0;

		out[i] = bits == 0 ? 0 : in[i] & (uint8_t)(0xff << (8 - bits));
	}
}

/* "addr/len"; the length as in IPv4 CIDRs: digits only, no leading zero. */
static int
split6(const char *s, uint8_t addr[16], unsigned *len)
{
	const char *slash = s != NULL ? strchr(s, '/') : NULL;
	char a[64];
	unsigned l = 0;
	int digits = 0;

	if (slash == NULL || (size_t)(slash - s) >= sizeof(a))
		return -EINVAL;
	snprintf(a, sizeof(a), "%.*s", (int)(slash - s), s);
	if (cfg_parse_ipv6(a, addr) < 0)
		return -EINVAL;
	for (s = slash + 1; *s >= '0' && *s <= '9'; s++) {
		if (digits == 3 || (digits == 1 && l == 0))
			return -EINVAL;
		l = l * 10 + (unsigned)(*s - '0');
		digits++;
	}
	if (digits == 0 || *s != '\0' || l > 128)
		return -EINVAL;
	*len = l;
	return 0;
}

int
cfg_parse_prefix6(const char *s, struct cfg_prefix6 *p)
{
	uint8_t a[16], m[16];
	unsigned len;

	if (split6(s, a, &len) < 0)
		return -EINVAL;
	mask6(m, a, len);
	if (memcmp(m, a, 16) != 0)
		return -EDOM;
	memcpy(p->addr, a, 16);
	p->len = (uint8_t)len;
	return 0;
}

bool
cfg_prefix6_contains(const struct cfg_prefix6 *p, const uint8_t addr[16])
{
	uint8_t m[16];

	mask6(m, addr, p->len);
	return memcmp(m, p->addr, 16) == 0;
}

bool
cfg_prefix6_overlap(const struct cfg_prefix6 *a, const struct cfg_prefix6 *b)
{
	return a->len <= b->len ? cfg_prefix6_contains(a, b->addr) :
	       cfg_prefix6_contains(b, a->addr);
}

const char *
cfg_ipv6_str(const uint8_t addr[16], char *buf, size_t len)
{
	if (inet_ntop(AF_INET6, addr, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

static void
prefix6_fmt(char *buf, size_t len, const struct cfg_prefix6 *p)
{
	char a[INET6_ADDRSTRLEN];

	snprintf(buf, len, "%s/%u", cfg_ipv6_str(p->addr, a, sizeof(a)), p->len);
}

/* Addresses no configuration may give a host or a network: ::, multicast,
 * link-local (vpcgw makes its own from each port's MAC). */
static const char *
reserved6(const uint8_t a[16])
{
	static const uint8_t zero[16];

	if (memcmp(a, zero, 16) == 0)
		return "the unspecified address";
	if (a[0] == 0xff)
		return "multicast";
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return "link-local";
	return NULL;
}

static bool
is_link_local6(const uint8_t a[16])
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

/* ---- loader helpers --------------------------------------------------- */

int
ld_ipv6_of(struct ld *ld, const config_setting_t *s, const char *path, uint8_t a[16])
{
	const char *v;

	if (ld_str_of(ld, s, path, &v) < 0)
		return -1;
	if (cfg_parse_ipv6(v, a) < 0) {
		ld_error(ld, s, path, "bad IPv6 address \"%s\"", v);
		return -1;
	}
	return 1;
}

int
ld_prefix6_str(struct ld *ld, const config_setting_t *s, const char *path, const char *v,
	       struct cfg_prefix6 *p)
{
	int rc = cfg_parse_prefix6(v, p);

	if (rc == -EDOM) {
		struct cfg_prefix6 q;
		char net[64];
		unsigned len;

		split6(v, q.addr, &len);
		mask6(q.addr, q.addr, len);
		q.len = (uint8_t)len;
		prefix6_fmt(net, sizeof(net), &q);
		ld_error(ld, s, path, "bad IPv6 CIDR \"%s\": host bits set (network is %s)", v, net);
		return -1;
	}
	if (rc < 0) {
		ld_error(ld, s, path, "bad IPv6 CIDR \"%s\"", v);
		return -1;
	}
	return 1;
}

static int
ld_get_prefix6(struct ld *ld, const config_setting_t *g, const char *path, const char *key,
	       struct fld *f, struct cfg_prefix6 *p)
{
	const char *v;

	if (!ld_fld_get(ld, g, path, key, false, f))
		return 0;
	if (ld_str_of(ld, f->s, f->path, &v) < 0)
		return -1;
	return ld_prefix6_str(ld, f->s, f->path, v, p);
}

/* ---- ports[].address6 ------------------------------------------------- */

void
ld6_port(struct ld *ld, const config_setting_t *e, const char *p, int i)
{
	struct cfg *c = ld->cfg;
	struct cfg_port *port = &c->ports[i];
	struct cfg_prefix6 me, o;
	char a[64], b[64];
	const char *v, *why;
	unsigned len;
	struct fld f;

	if (!ld_fld_get(ld, e, p, "address6", false, &f) || ld_str_of(ld, f.s, f.path, &v) < 0)
		return;
	if (split6(v, port->addr6, &len) < 0 || len < 1) {
		ld_error(ld, f.s, f.path, "bad interface address \"%s\" (expected an IPv6 "
			 "address/len)", v);
		return;
	}
	why = reserved6(port->addr6);
	if (why != NULL) {
		ld_error(ld, f.s, f.path, "%s is %s: not a port address", v, why);
		return;
	}
	port->plen6 = (uint8_t)len;
	mask6(me.addr, port->addr6, len);
	me.len = (uint8_t)len;
	if (len < 128 && memcmp(me.addr, port->addr6, 16) == 0) {
		ld_error(ld, f.s, f.path, "%s is the subnet-router anycast address of its prefix", v);
		return;
	}
	for (int j = 0; j < i; j++) {
		if (!c->ports[j].has_addr6)
			continue;
		mask6(o.addr, c->ports[j].addr6, c->ports[j].plen6);
		o.len = c->ports[j].plen6;
		if (!cfg_prefix6_overlap(&me, &o))
			continue;
		prefix6_fmt(a, sizeof(a), &me);
		prefix6_fmt(b, sizeof(b), &o);
		ld_error(ld, f.s, f.path, "%s overlaps port \"%s\" (%s)", a, c->ports[j].name, b);
		return;
	}
	port->has_addr6 = true;
}

/* An IPv6 next hop of port P: link-local, on its address6 prefix, or in one
 * of the IPv6 subnets that live on it. */
void
ld6_check_on_port(struct ld *ld, int p, const uint8_t addr[16], const struct fld *f)
{
	const struct cfg *c = ld->cfg;
	const struct cfg_port *port;
	struct cfg_prefix6 pfx;
	char a[64];

	if (p < 0 || p >= c->n_ports || is_link_local6(addr))
		return;
	port = &c->ports[p];
	if (port->has_addr6) {
		mask6(pfx.addr, port->addr6, port->plen6);
		pfx.len = port->plen6;
		if (cfg_prefix6_contains(&pfx, addr))
			return;
	}
	for (int i = 0; i < c->n_subnets; i++)
		if (c->subnets[i].has_v6 && c->subnets[i].port == p &&
		    cfg_prefix6_contains(&c->subnets[i].cidr6, addr))
			return;
	ld_error(ld, f->s, f->path, "%s is not on port \"%s\" (neither link-local, on its "
		 "address6 prefix, nor in an IPv6 subnet of the port)",
		 cfg_ipv6_str(addr, a, sizeof(a)), port->name);
}

/* neighbors[i] whose address has a ':' (IPv6). */
void
ld6_neighbor(struct ld *ld, const config_setting_t *e, const char *p, int i)
{
	struct cfg *c = ld->cfg;
	struct cfg_neighbor *nb = &c->neighbors[i];
	char a[64];
	bool port_ok;
	struct fld g;

	nb->v6 = true;
	port_ok = ld_get_ref(ld, e, p, "port", true, REF_PORT, &g, &nb->port) > 0;
	ld_get_mac(ld, e, p, "mac", true, nb->mac);
	if (!ld_fld_get(ld, e, p, "address", true, &g) || ld_ipv6_of(ld, g.s, g.path, nb->addr6) < 0)
		return;
	if (reserved6(nb->addr6) != NULL && !is_link_local6(nb->addr6)) {
		ld_error(ld, g.s, g.path, "%s is %s: not a neighbor address",
			 cfg_ipv6_str(nb->addr6, a, sizeof(a)), reserved6(nb->addr6));
		return;
	}
	/* on its port: checked once the subnets are read (ld6_neighbors_check) */
	nb->addr_ok = port_ok;
	for (int j = 0; j < i; j++)
		if (c->neighbors[j].v6 && c->neighbors[j].port == nb->port &&
		    memcmp(c->neighbors[j].addr6, nb->addr6, 16) == 0) {
			ld_error(ld, g.s, g.path,
				 "duplicate neighbor %s on port \"%s\" (first at line %d)",
				 cfg_ipv6_str(nb->addr6, a, sizeof(a)), c->ports[nb->port].name,
				 c->neighbors[j].line);
			return;
		}
}

/* After the VPC section: each IPv6 neighbor is on its port. */
void
ld6_neighbors_check(struct ld *ld)
{
	const config_setting_t *l = config_setting_get_member(ld->root, "neighbors");
	struct cfg *c = ld->cfg;
	char p[PATH_LEN];
	struct fld g;

	for (int i = 0; l != NULL && i < c->n_neighbors; i++) {
		const config_setting_t *e = config_setting_get_elem(l, (unsigned)i);

		if (!c->neighbors[i].v6 || !c->neighbors[i].addr_ok || e == NULL)
			continue;
		ld_path_idx(p, "neighbors", i);
		if (ld_fld_get(ld, e, p, "address", true, &g))
			ld6_check_on_port(ld, c->neighbors[i].port, c->neighbors[i].addr6, &g);
	}
}

/* Is the neighbor entry E's "address" IPv6? (decides which loader reads it) */
bool
ld6_is_v6(const config_setting_t *e, const char *key)
{
	const config_setting_t *a = e != NULL ? config_setting_get_member(e, key) : NULL;
	const char *v = a != NULL ? config_setting_get_string(a) : NULL;

	return v != NULL && strchr(v, ':') != NULL;
}

/* ---- vpc.ipv6_cidr, subnets[].ipv6_cidr ------------------------------- */

void
ld6_vpc(struct ld *ld, const config_setting_t *vpc, const char *p)
{
	struct cfg *c = ld->cfg;
	const char *why;
	struct fld f;

	ld->cur_v6 = false;
	if (ld_get_prefix6(ld, vpc, p, "ipv6_cidr", &f, &c->vpc_cidr6) <= 0)
		return;
	why = reserved6(c->vpc_cidr6.addr);
	if (c->vpc_cidr6.len != 56)
		ld_error(ld, f.s, f.path, "prefix length /%u: a VPC's IPv6 CIDR is a /56, as in AWS",
			 c->vpc_cidr6.len);
	else if (why != NULL)
		ld_error(ld, f.s, f.path, "a VPC's IPv6 CIDR cannot be %s", why);
	else
		c->has_vpc6 = ld->cur_v6 = true;
}

void
ld6_subnet(struct ld *ld, const config_setting_t *e, const char *p, int i)
{
	struct cfg *c = ld->cfg;
	struct cfg_subnet *sn = &c->subnets[i];
	char a[64], b[64];
	struct fld f;

	if (ld_get_prefix6(ld, e, p, "ipv6_cidr", &f, &sn->cidr6) <= 0)
		return;
	prefix6_fmt(a, sizeof(a), &sn->cidr6);
	if (!c->has_vpc6 || !ld->cur_v6) {
		ld_error(ld, f.s, f.path, "%s but the VPC has no valid ipv6_cidr", a);
		return;
	}
	prefix6_fmt(b, sizeof(b), &c->vpc_cidr6);
	if (sn->cidr6.len != 64) {
		ld_error(ld, f.s, f.path, "%s: a subnet's IPv6 CIDR is a /64 of the VPC's %s, as in "
			 "AWS", a, b);
		return;
	}
	if (!cfg_prefix6_contains(&c->vpc_cidr6, sn->cidr6.addr)) {
		ld_error(ld, f.s, f.path, "%s is outside the VPC ipv6_cidr %s", a, b);
		return;
	}
	for (int j = 0; j < i; j++)
		if (c->subnets[j].has_v6 &&
		    cfg_prefix6_overlap(&c->subnets[j].cidr6, &sn->cidr6)) {
			prefix6_fmt(b, sizeof(b), &c->subnets[j].cidr6);
			ld_error(ld, f.s, f.path, "%s overlaps subnet \"%s\" (%s)", a,
				 c->subnets[j].name, b);
			return;
		}
	sn->has_v6 = true;
}

/* ---- IPv6 routes ------------------------------------------------------ */

/*
 * Route I of table T whose destination string V has a ':'. The IPv4 checks
 * of config/cfg_load.c, for the VPC's /56; IPv6 routes go to local, igw
 * (untranslated), egress-only-igw, gwlb-endpoint, blackhole, and
 * nat-gateway for destinations inside 64:ff9b::/96 (NAT64).
 */
void
ld6_route(struct ld *ld, const struct fld *d, const char *v, const struct fld *tg,
	  bool tgt_ok, struct cfg_route_table *t, int i)
{
	struct cfg *c = ld->cfg;
	struct cfg_route *rt = &t->routes[i];
	char a[64], b[64];
	bool inside;

	rt->v6 = true;
	if (ld_prefix6_str(ld, d->s, d->path, v, &rt->dst6) < 0)
		return;
	prefix6_fmt(a, sizeof(a), &rt->dst6);
	for (int j = 0; j < i; j++)
		if (t->routes[j].v6 && t->routes[j].line > 0 &&
		    t->routes[j].dst6.len == rt->dst6.len &&
		    memcmp(t->routes[j].dst6.addr, rt->dst6.addr, 16) == 0) {
			ld_error(ld, d->s, d->path, "duplicate destination %s (first at line %d)", a,
				 t->routes[j].line);
			return;
		}
	rt->line = -rt->line;
	if (!tgt_ok)
		return;
	if (rt->kind == CFG_TARGET_NAT) {
		/* NAT64 (nat/nat64_node.c): the IPv4 address is the last 32 bits
		 * of an address of RFC 6052's well-known prefix */
		static const uint8_t wkp[12] = { 0x00, 0x64, 0xff, 0x9b };

		if (rt->dst6.len < 96 || memcmp(rt->dst6.addr, wkp, sizeof(wkp)) != 0)
			ld_error(ld, tg->s, tg->path, "target nat-gateway for IPv6 destination %s: "
				 "NAT64 translates destinations inside 64:ff9b::/96 only (RFC "
				 "6052 well-known prefix)", a);
		return;
	}
	if ((rt->kind == CFG_TARGET_IGW || rt->kind == CFG_TARGET_EIGW) &&
	    config_setting_lookup((config_setting_t *)ld->root, "internet_gateway.next_hop6") == NULL) {
		ld_error(ld, tg->s, tg->path, "target \"%s\" for IPv6 destination %s needs "
			 "internet_gateway.next_hop6",
			 rt->kind == CFG_TARGET_IGW ? "igw" : "egress-only-igw", a);
		return;
	}
	if (!c->has_vpc6) {
		if (rt->kind == CFG_TARGET_LOCAL)
			ld_error(ld, tg->s, tg->path, "target \"local\" for %s but the VPC has no "
				 "ipv6_cidr", a);
		return;
	}
	inside = rt->dst6.len >= c->vpc_cidr6.len && cfg_prefix6_contains(&c->vpc_cidr6,
									   rt->dst6.addr);
	prefix6_fmt(b, sizeof(b), &c->vpc_cidr6);
	if (rt->kind == CFG_TARGET_LOCAL) {
		if (!inside)
			ld_error(ld, tg->s, tg->path,
				 "target \"local\" needs a destination inside the VPC ipv6_cidr %s", b);
	} else if (rt->dst6.len == c->vpc_cidr6.len && inside) {
		ld_error(ld, d->s, d->path,
			 "%s is the VPC ipv6_cidr: only the implicit local route may use it", a);
	} else if (inside && (rt->kind == CFG_TARGET_IGW || rt->kind == CFG_TARGET_EIGW)) {
		ld_error(ld, tg->s, tg->path,
			 "%s cannot be the target of %s, inside the VPC ipv6_cidr %s",
			 rt->kind == CFG_TARGET_IGW ? "igw" : "egress-only-igw", a, b);
	}
}

/* ---- internet_gateway.next_hop6 --------------------------------------- */

void
ld6_igw(struct ld *ld, const config_setting_t *g, const char *path, struct cfg_igw *igw)
{
	struct fld f;

	if (!ld_fld_get(ld, g, path, "next_hop6", false, &f) ||
	    ld_ipv6_of(ld, f.s, f.path, igw->next_hop6) < 0)
		return;
	if (igw->port >= 0 && !ld->cfg->ports[igw->port].has_addr6) {
		ld_error(ld, f.s, f.path, "next_hop6 but port \"%s\" has no address6",
			 ld->cfg->ports[igw->port].name);
		return;
	}
	ld6_check_on_port(ld, igw->port, igw->next_hop6, &f);
	igw->has_next_hop6 = true;
}

/* ---- egress_only_internet_gateways ------------------------------------ */

void
ld6_names_eigws(struct ld *ld)
{
	struct cfg *c = ld->cfg;

	LD_NAMES(ld, ld->root, "", "egress_only_internet_gateways",
		 "egress-only internet gateway", c->eigws, c->n_eigws);
}

/* Each one only names itself; it sends through the internet gateway's port
 * to internet_gateway.next_hop6 (SPEC §7), so that must exist. */
void
ld6_load_eigws(struct ld *ld)
{
	static const char *const keys[] = { "name", NULL };
	struct cfg *c = ld->cfg;
	char p[PATH_LEN];
	struct fld f;

	if (ld_get_list(ld, ld->root, "", "egress_only_internet_gateways", false, T_LIST, &f) <= 0)
		return;
	for (int i = 0; i < c->n_eigws; i++) {
		ld_path_idx(p, f.path, i);
		ld_group(ld, config_setting_get_elem(f.s, i), p, keys);
	}
	if (c->n_eigws > CFG_MAX_EIGW)
		ld_error(ld, f.s, f.path, "too many egress-only internet gateways (%d, max %d)",
			 c->n_eigws, CFG_MAX_EIGW);
	if (c->n_eigws > 0 && !c->igw.has_next_hop6)
		ld_error(ld, f.s, f.path, "egress-only internet gateways send through the internet "
			 "gateway: internet_gateway.next_hop6 is required");
}

/* ---- IPv6 CIDRs of NACL and security-group rules ---------------------- */

void
ld6_rule_cidr(struct ld *ld, const struct fld *f, const char *v, struct cfg_rule *r)
{
	r->v6 = true;
	ld_prefix6_str(ld, f->s, f->path, v, &r->cidr6);
}

/* ---- interfaces[].address6 -------------------------------------------- */

void
ld6_eni(struct ld *ld, const config_setting_t *e, const char *p, struct cfg_eni *eni)
{
	const struct cfg *c = ld->cfg;
	char a[INET6_ADDRSTRLEN];
	struct fld f;
	int sn = -1;

	if (!ld_fld_get(ld, e, p, "address6", false, &f) ||
	    ld_ipv6_of(ld, f.s, f.path, eni->addr6) < 0)
		return;
	cfg_ipv6_str(eni->addr6, a, sizeof(a));
	for (int i = 0; i < c->n_subnets; i++)
		if (c->subnets[i].has_v6 && cfg_prefix6_contains(&c->subnets[i].cidr6, eni->addr6))
			sn = i;
	if (sn < 0) {
		ld_error(ld, f.s, f.path, "address6 %s is in no subnet's ipv6_cidr", a);
		return;
	}
	if (eni->subnet >= 0 && sn != eni->subnet) {
		ld_error(ld, f.s, f.path, "address6 %s is in subnet \"%s\", address in \"%s\": an "
			 "interface belongs to one subnet", a, c->subnets[sn].name,
			 c->subnets[eni->subnet].name);
		return;
	}
	if (memcmp(c->subnets[sn].cidr6.addr, eni->addr6, 15) == 0 && eni->addr6[15] <= 1) {
		ld_error(ld, f.s, f.path, "address6 %s is reserved (the subnet's network or router "
			 "address)", a);
		return;
	}
	for (const struct cfg_eni *o = c->enis; o < eni; o++)
		if (o->has_addr6 && memcmp(o->addr6, eni->addr6, 16) == 0) {
			ld_error(ld, f.s, f.path, "address6 %s is already used by interface at line %d",
				 a, o->line);
			return;
		}
	eni->has_addr6 = true;
}
