/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration loader toolkit (config/cfg_ld.h), addresses: who claims
 * which address, and where an address must be (its port, its subnet).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "config/cfg.h"
#include "config/cfg_ld.h"

/* Record ADDR as used by PATH; report it if someone else has it already. */
bool
ld_claim(struct ld *ld, struct ld_registry *r, uint32_t addr, const config_setting_t *s,
	 const char *path)
{
	return ld_claim_vpc(ld, r, addr, -1, s, path);
}

bool
ld_claim_vpc(struct ld *ld, struct ld_registry *r, uint32_t addr, int vpc,
	     const config_setting_t *s, const char *path)
{
	char a[CFG_NAME_MAX];
	int i;

	for (i = 0; i < r->n; i++) {
		if (r->claims[i].addr == addr &&
		    (vpc < 0 || r->claims[i].vpc < 0 || r->claims[i].vpc == vpc)) {
			ld_error(ld, s, path, "%s is already used by %s (line %d)",
				 cfg_ipv4_str(addr, a, sizeof(a)), r->claims[i].path,
				 r->claims[i].line);
			return false;
		}
	}
	if (r->n == r->cap) {
		int cap = r->cap == 0 ? 16 : r->cap * 2;
		struct ld_claim *c = realloc(r->claims, (size_t)cap * sizeof(*c));

		if (c == NULL) {
			ld_nomem(ld);
			return true;
		}
		r->claims = c;
		r->cap = cap;
	}
	r->claims[r->n].addr = addr;
	r->claims[r->n].vpc = vpc;
	r->claims[r->n].line = ld_line(s);
	snprintf(r->claims[r->n].path, PATH_LEN, "%s", path);
	r->n++;
	return true;
}

void
ld_prefix_fmt(char *buf, size_t len, uint32_t addr, uint8_t plen)
{
	char a[CFG_NAME_MAX];

	snprintf(buf, len, "%s/%u", cfg_ipv4_str(addr, a, sizeof(a)), plen);
}

/* A public address (elastic IP, NAT, NLB public): outside the VPC, used once. */
void
ld_public_addr(struct ld *ld, const config_setting_t *s, const char *path, uint32_t addr)
{
	const struct cfg *c = ld->cfg;
	char a[CFG_NAME_MAX];
	int in = -1;

	/* every VPC of `vpcs` (a failed cidr has length 0 and is skipped) */
	for (int v = 0; c->n_vpcs > 1 && v < c->n_vpcs && in < 0; v++)
		if (c->vpcs[v].cidr.len != 0 && cfg_prefix_contains(&c->vpcs[v].cidr, addr))
			in = v;
	if (in >= 0)
		ld_error(ld, s, path, "public address %s is inside the cidr of VPC \"%s\"",
			 cfg_ipv4_str(addr, a, sizeof(a)), c->vpcs[in].name);
	else if (ld->vpc_ok && cfg_prefix_contains(&c->vpc_cidr, addr))
		ld_error(ld, s, path, "public address %s is inside the VPC cidr",
			 cfg_ipv4_str(addr, a, sizeof(a)));
	else
		ld_claim(ld, &ld->pub, addr, s, path);
}

/* Index of the valid subnet holding addr, or -1 (skips subnets that failed to parse). */
int
ld_subnet_of(struct ld *ld, uint32_t addr)
{
	int i;

	for (i = 0; i < ld->cfg->n_subnets; i++)
		if (ld->subnet_ok[i] && cfg_prefix_contains(&ld->cfg->subnets[i].cidr, addr))
			return i;
	return -1;
}

/* An address that must sit on the connected prefix of port P. */
void
ld_check_on_port(struct ld *ld, int p, uint32_t addr, const struct fld *f)
{
	const struct cfg_port *port;
	struct cfg_prefix pfx;
	char a[CFG_NAME_MAX], pa[CFG_NAME_MAX];

	if (p < 0 || !ld->port_ok[p])
		return;
	port = &ld->cfg->ports[p];
	pfx.addr = port->addr & ld_mask_of(port->plen);
	pfx.len = port->plen;
	if (!cfg_prefix_contains(&pfx, addr))
		ld_error(ld, f->s, f->path, "%s is not on port \"%s\" (%s)",
			 cfg_ipv4_str(addr, a, sizeof(a)), port->name,
			 (ld_prefix_fmt(pa, sizeof(pa), port->addr, port->plen), pa));
}

/* A private address inside a subnet, not one that vpcgw or the subnet reserves. */
int
ld_host_in_subnet(struct ld *ld, const struct fld *f, uint32_t addr)
{
	return ld_host_in_subnet_vpc(ld, f, addr, -1);
}

int
ld_host_in_subnet_vpc(struct ld *ld, const struct fld *f, uint32_t addr, int vpc)
{
	const struct cfg_subnet *sn;
	char a[CFG_NAME_MAX];
	uint32_t host, m;
	int i = -1;

	cfg_ipv4_str(addr, a, sizeof(a));
	for (int j = 0; j < ld->cfg->n_subnets; j++) {
		if (!ld->subnet_ok[j] || !cfg_prefix_contains(&ld->cfg->subnets[j].cidr, addr) ||
		    (vpc >= 0 && ld->cfg->subnets[j].vpc != vpc))
			continue;
		if (i >= 0 && vpc < 0 && ld->cfg->subnets[j].vpc != ld->cfg->subnets[i].vpc) {
			ld_error(ld, f->s, f->path, "%s is inside subnets of VPC \"%s\" and VPC "
				 "\"%s\", which overlap: an interface names its VPC (`vpc`); "
				 "nothing else is built at such an address", a,
				 ld->cfg->vpcs[ld->cfg->subnets[i].vpc].name,
				 ld->cfg->vpcs[ld->cfg->subnets[j].vpc].name);
			return -1;
		}
		if (i < 0)
			i = j;
	}
	if (i < 0) {
		if (vpc >= 0)
			ld_error(ld, f->s, f->path, "%s is not inside any subnet of VPC \"%s\"", a,
				 ld->cfg->vpcs[vpc].name);
		else
			ld_error(ld, f->s, f->path, "%s is not inside any subnet", a);
		return -1;
	}
	sn = &ld->cfg->subnets[i];
	m = ld_mask_of(sn->cidr.len);
	host = addr & ~m;
	if (host == 0 || host == 1 || host == ~m) {
		ld_error(ld, f->s, f->path, "%s is the %s address of subnet \"%s\"", a,
			 host == 0 ? "network" : host == 1 ? "router" : "broadcast", sn->name);
		return -1;
	}
	return i;
}

