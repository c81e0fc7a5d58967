/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dualstack keys of lb's sections (SPEC §7): target_groups[].
 * ip_address_type ("ipv4" or "ipv6") with IPv6 targets, network_load_balancers[].
 * ip_address_type ("ipv4" or "dualstack") and address6, and the listener
 * rules between them. Called by lb_cfg.c.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>

#include "config/cfg.h"
#include "config/cfg_ld.h"
#include "lb/lb_cfg.h"

/* The subnet whose ipv6_cidr holds a, or -1. */
static int
subnet6_of(const struct cfg *c, const uint8_t a[16])
{
	for (int i = 0; i < c->n_subnets; i++)
		if (c->subnets[i].has_v6 && cfg_prefix6_contains(&c->subnets[i].cidr6, a))
			return i;
	return -1;
}

/* A host address of an IPv6 subnet, not its network (::) or router (::1). */
static int
host6(struct ld *ld, const struct fld *f, const uint8_t a[16])
{
	const struct cfg *c = ld->cfg;
	char s[INET6_ADDRSTRLEN];
	int sn = subnet6_of(c, a);

	cfg_ipv6_str(a, s, sizeof(s));
	if (sn < 0) {
		ld_error(ld, f->s, f->path, "%s is in no subnet's ipv6_cidr", s);
		return -1;
	}
	if (memcmp(c->subnets[sn].cidr6.addr, a, 15) == 0 && a[15] <= 1) {
		ld_error(ld, f->s, f->path, "%s is reserved (the subnet's network or router address)",
			 s);
		return -1;
	}
	return sn;
}

void
lb_cfg6_tg(struct ld *ld, const config_setting_t *e, const char *p, struct cfg_target_group *tg)
{
	const char *v;
	struct fld f;

	if (ld_get_str(ld, e, p, "ip_address_type", false, &f, &v) <= 0)
		return;
	if (strcmp(v, "ipv6") == 0)
		tg->ipv6 = true;
	else if (strcmp(v, "ipv4") != 0)
		ld_error(ld, f.s, f.path, "\"%s\": one of \"ipv4\", \"ipv6\"", v);
}

bool
lb_cfg6_target(struct ld *ld, const config_setting_t *t, const char *q,
	       struct cfg_target_group *tg, int j)
{
	struct cfg_target *tgt = &tg->targets[j];
	char a[INET6_ADDRSTRLEN];
	struct fld g;

	if (!ld_fld_get(ld, t, q, "address", true, &g) || ld_ipv6_of(ld, g.s, g.path, tgt->addr6) < 0)
		return false;
	if (host6(ld, &g, tgt->addr6) < 0)
		return false;
	for (int k = 0; k < j; k++) {
		const struct cfg_target *o = &tg->targets[k];
		uint16_t p1 = tgt->port ? tgt->port : tg->port;
		uint16_t p2 = o->port ? o->port : tg->port;

		if (memcmp(o->addr6, tgt->addr6, 16) != 0 || p1 != p2)
			continue;
		ld_error(ld, g.s, g.path, "duplicate target [%s]:%u (first at line %d)",
			 cfg_ipv6_str(tgt->addr6, a, sizeof(a)), p1, o->line);
		return false;
	}
	return true;
}

void
lb_cfg6_nlb(struct ld *ld, const config_setting_t *e, const char *p, struct cfg_nlb *nlb)
{
	const struct cfg *c = ld->cfg;
	char a[INET6_ADDRSTRLEN];
	const char *v;
	struct fld f, g;
	bool has6;
	int sn;

	if (ld_get_str(ld, e, p, "ip_address_type", false, &f, &v) > 0) {
		if (strcmp(v, "dualstack") == 0)
			nlb->dualstack = true;
		else if (strcmp(v, "ipv4") != 0)
			ld_error(ld, f.s, f.path, "\"%s\": one of \"ipv4\", \"dualstack\"", v);
	}
	has6 = ld_fld_get(ld, e, p, "address6", false, &g);
	if (!nlb->dualstack) {
		if (has6)
			ld_error(ld, g.s, g.path, "address6 needs ip_address_type = \"dualstack\"");
		return;
	}
	if (!has6) {
		ld_error(ld, f.s, f.path, "ip_address_type \"dualstack\" needs address6");
		return;
	}
	if (ld_ipv6_of(ld, g.s, g.path, nlb->addr6) < 0 || (sn = host6(ld, &g, nlb->addr6)) < 0)
		return;
	cfg_ipv6_str(nlb->addr6, a, sizeof(a));
	if (nlb->subnet >= 0 && sn != nlb->subnet) {
		ld_error(ld, g.s, g.path, "address6 %s is not inside subnet \"%s\"", a,
			 c->subnets[nlb->subnet].name);
		return;
	}
	/* (errors above fail the load: dualstack stays set, so that the
	 * listeners' checks do not add consequences of the same mistake) */
	for (int i = 0; i < c->n_enis; i++)
		if (c->enis[i].has_addr6 && memcmp(c->enis[i].addr6, nlb->addr6, 16) == 0) {
			ld_error(ld, g.s, g.path, "address6 %s is already used by interface at line %d",
				 a, c->enis[i].line);
			return;
		}
	for (const struct cfg_nlb *o = c->nlbs; o < nlb; o++)
		if (o->dualstack && memcmp(o->addr6, nlb->addr6, 16) == 0) {
			ld_error(ld, g.s, g.path, "address6 %s is already used by network load "
				 "balancer \"%s\"", a, o->name);
			return;
		}
}

void
lb_cfg6_listener(struct ld *ld, const struct fld *f, const struct cfg_nlb *nlb,
		 const struct cfg_listener *li)
{
	const struct cfg_target_group *tg;

	if (li->target_group < 0)
		return;
	tg = &ld->cfg->target_groups[li->target_group];
	if (tg->ipv6 && !nlb->dualstack)
		ld_error(ld, f->s, f->path, "target group \"%s\" has IPv6 targets: its network load "
			 "balancer needs ip_address_type = \"dualstack\"", tg->name);
	else if (!tg->ipv6 && nlb->dualstack && tg->preserve_client_ip)
		ld_error(ld, f->s, f->path, "target group \"%s\" is IPv4 on dualstack network load "
			 "balancer \"%s\": IPv6 clients reach it translated to IPv4, so it needs "
			 "preserve_client_ip = false (as on AWS)", tg->name, nlb->name);
}
