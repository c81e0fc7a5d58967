/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lb's configuration sections (config/cfg_section.h): target_groups (targets,
 * health checks) and network_load_balancers (listeners), into
 * cfg.target_groups and cfg.nlbs. Registered with config/ at the end of this file.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "config/cfg.h"
#include "config/cfg_ld.h"
#include "config/cfg_section.h"
#include "lb/lb_cfg.h"

static void
lb_cfg_names_nlbs(struct ld *ld)
{
	struct cfg *c = ld->cfg;

	LD_NAMES(ld, ld->root, "", "network_load_balancers", "network load balancer", c->nlbs,
		 c->n_nlbs);
}

static void
lb_cfg_names_target_groups(struct ld *ld)
{
	struct cfg *c = ld->cfg;

	LD_NAMES(ld, ld->root, "", "target_groups", "target group", c->target_groups,
		 c->n_target_groups);
}

static int
l4_of(struct ld *ld, const struct fld *f, const char *what, uint8_t *proto)
{
	const char *v;

	if (ld_str_of(ld, f->s, f->path, &v) < 0)
		return -1;
	if (strcmp(v, "tcp") == 0) {
		*proto = CFG_L4_TCP;
	} else if (strcmp(v, "udp") == 0) {
		*proto = CFG_L4_UDP;
	} else {
		ld_error(ld, f->s, f->path, "bad %s protocol \"%s\" (expected tcp or udp)", what, v);
		return -1;
	}
	return 1;
}

static const char *
l4_name(uint8_t proto)
{
	return proto == CFG_L4_TCP ? "tcp" : "udp";
}

/* The targets of group TG; a duplicate is the same address and port. */
static void
load_targets(struct ld *ld, const config_setting_t *e, const char *p, struct cfg_target_group *tg)
{
	static const char *const t_keys[] = { "address", "port", NULL };
	char q[PATH_LEN], a[CFG_NAME_MAX];
	struct fld g, l;
	long long x;
	int j, k;

	if (ld_get_list(ld, e, p, "targets", false, T_LIST, &l) <= 0)
		return;
	tg->targets = ld_calloc(ld, (size_t)ld_list_len(&l), sizeof(*tg->targets));
	if (tg->targets == NULL)
		return;
	tg->n_targets = ld_list_len(&l);
	for (j = 0; j < tg->n_targets; j++) {
		const config_setting_t *t = config_setting_get_elem(l.s, j);
		struct cfg_target *tgt = &tg->targets[j];
		bool ok;

		tgt->line = ld_line(t);
		ld_path_idx(q, l.path, j);
		if (!ld_group(ld, t, q, t_keys))
			continue;
		if (ld_get_int(ld, t, q, "port", false, 1, 65535, &x) > 0)
			tgt->port = (uint16_t)x;
		if (tg->ipv6) {
			lb_cfg6_target(ld, t, q, tg, j);
			continue;
		}
		ok = ld_get_ipv4(ld, t, q, "address", true, &g, &tgt->addr) > 0 &&
			ld_host_in_subnet(ld, &g, tgt->addr) >= 0;
		for (k = 0; ok && k < j; k++) {
			const struct cfg_target *o = &tg->targets[k];
			uint16_t p1 = tgt->port ? tgt->port : tg->port;
			uint16_t p2 = o->port ? o->port : tg->port;

			if (o->addr != tgt->addr || p1 != p2)
				continue;
			ld_error(ld, g.s, g.path, "duplicate target %s:%u (first at line %d)",
				 cfg_ipv4_str(tgt->addr, a, sizeof(a)), p1, o->line);
			break;
		}
	}
}

static void
lb_cfg_load_target_groups(struct ld *ld)
{
	static const char *const keys[] = {
		"name", "protocol", "port", "preserve_client_ip", "deregistration_delay",
		"health_check", "targets", "ip_address_type", NULL
	};
	struct cfg *c = ld->cfg;
	char p[PATH_LEN];
	struct fld f, g;
	long long x;
	int i;

	if (ld_get_list(ld, ld->root, "", "target_groups", false, T_LIST, &f) <= 0)
		return;
	for (i = 0; i < c->n_target_groups; i++) {
		const config_setting_t *e = config_setting_get_elem(f.s, i);
		struct cfg_target_group *tg = &c->target_groups[i];
		struct cfg_health_check *h = &tg->health;

		tg->preserve_client_ip = true;
		tg->deregistration_delay = 300;
		h->proto = CFG_L4_TCP;
		h->port = 0;
		h->interval = 30;
		h->timeout = 10;
		h->healthy_threshold = 5;
		h->unhealthy_threshold = 2;
		h->enabled = true;
		ld_path_idx(p, f.path, i);
		if (!ld_group(ld, e, p, keys))
			continue;
		if (ld_fld_get(ld, e, p, "protocol", true, &g))
			l4_of(ld, &g, "target group", &tg->proto);
		if (ld_get_int(ld, e, p, "port", true, 1, 65535, &x) > 0)
			tg->port = (uint16_t)x;
		ld_get_bool(ld, e, p, "preserve_client_ip", &tg->preserve_client_ip);
		ld_get_u32(ld, e, p, "deregistration_delay", 0, 3600, 300,
			   &tg->deregistration_delay);
		ld_health(ld, e, p, true, h);
		lb_cfg6_tg(ld, e, p, tg);
		load_targets(ld, e, p, tg);
	}
}

static void
load_listener(struct ld *ld, const config_setting_t *e, const char *p, int n, int i)
{
	static const char *const keys[] = {
		"protocol", "port", "target_group", "idle_timeout", NULL
	};
	struct cfg *c = ld->cfg;
	struct cfg_nlb *nlb = &c->nlbs[n];
	struct cfg_listener *li = &nlb->listeners[i];
	char a[CFG_NAME_MAX];
	struct fld f, pf;
	bool proto_ok, port_ok;
	long long x;
	int k;

	li->target_group = -1;
	li->line = ld_line(e);
	if (!ld_group(ld, e, p, keys))
		return;
	proto_ok = ld_fld_get(ld, e, p, "protocol", true, &f) &&
		l4_of(ld, &f, "listener", &li->proto) > 0;
	port_ok = ld_fld_get(ld, e, p, "port", true, &pf) &&
		ld_int_of(ld, pf.s, pf.path, 1, 65535, &x) > 0;
	if (port_ok)
		li->port = (uint16_t)x;
	if (ld_get_ref(ld, e, p, "target_group", true, REF_TG, &f, &li->target_group) > 0 &&
	    proto_ok && c->target_groups[li->target_group].proto != 0 &&
	    c->target_groups[li->target_group].proto != li->proto)
		ld_error(ld, f.s, f.path,
			 "listener protocol %s does not match target group \"%s\" protocol %s",
			 l4_name(li->proto), c->target_groups[li->target_group].name,
			 l4_name(c->target_groups[li->target_group].proto));
	lb_cfg6_listener(ld, &f, nlb, li);
	li->idle_timeout = proto_ok && li->proto == CFG_L4_UDP ? 120 : 350;
	if (proto_ok && li->proto == CFG_L4_UDP) {
		if (ld_fld_get(ld, e, p, "idle_timeout", false, &f))
			ld_error(ld, f.s, f.path,
				 "not configurable on a udp listener (fixed at 120 s)");
	} else {
		ld_get_u32(ld, e, p, "idle_timeout", 60, 6000, 350, &li->idle_timeout);
	}
	if (!proto_ok || !port_ok)
		return;
	/*
	 * (address, protocol, port) picks one listener. NLB addresses are
	 * unique (checked with the ENIs), so only this NLB can clash.
	 */
	for (k = 0; k < i; k++) {
		const struct cfg_listener *o = &nlb->listeners[k];

		if (o->proto != li->proto || o->port != li->port)
			continue;
		ld_error(ld, pf.s, pf.path, "duplicate listener %s %s:%u (first at line %d)",
			 l4_name(li->proto), cfg_ipv4_str(nlb->addr, a, sizeof(a)), li->port,
			 o->line);
		return;
	}
}

static void
lb_cfg_load_nlbs(struct ld *ld)
{
	static const char *const keys[] = {
		"name", "subnet", "address", "public_address", "listeners", "ip_address_type",
		"address6", NULL
	};
	struct cfg *c = ld->cfg;
	char p[PATH_LEN], q[PATH_LEN], a[CFG_NAME_MAX], b[CFG_NAME_MAX];
	struct fld f, g, l;
	int i, j;

	if (ld_get_list(ld, ld->root, "", "network_load_balancers", false, T_LIST, &f) <= 0)
		return;
	for (i = 0; i < c->n_nlbs; i++) {
		const config_setting_t *e = config_setting_get_elem(f.s, i);
		struct cfg_nlb *nlb = &c->nlbs[i];
		bool sub_ok;

		nlb->subnet = -1;
		ld_path_idx(p, f.path, i);
		if (!ld_group(ld, e, p, keys))
			continue;
		sub_ok = ld_get_ref(ld, e, p, "subnet", true, REF_SUBNET, &g, &nlb->subnet) > 0 &&
			ld->subnet_ok[nlb->subnet];
		if (ld_get_ipv4(ld, e, p, "address", true, &g, &nlb->addr) > 0) {
			const struct cfg_subnet *sn = sub_ok ? &c->subnets[nlb->subnet] : NULL;

			if (sn != NULL && !cfg_prefix_contains(&sn->cidr, nlb->addr)) {
				ld_prefix_fmt(b, sizeof(b), sn->cidr.addr, sn->cidr.len);
				ld_error(ld, g.s, g.path, "%s is not inside subnet \"%s\" (%s)",
					 cfg_ipv4_str(nlb->addr, a, sizeof(a)), sn->name, b);
			} else if (sn != NULL && ld_host_in_subnet(ld, &g, nlb->addr) >= 0) {
				ld_claim(ld, &ld->priv, nlb->addr, g.s, g.path);
			}
		}
		if (ld_get_ipv4(ld, e, p, "public_address", false, &g, &nlb->public_addr) > 0) {
			if (!ld->has_igw)
				ld_error(ld, g.s, g.path, "a public address needs an internet_gateway");
			else
				ld_public_addr(ld, g.s, g.path, nlb->public_addr);
		}
		lb_cfg6_nlb(ld, e, p, nlb);
		if (ld_get_list(ld, e, p, "listeners", false, T_LIST, &l) <= 0)
			continue;
		nlb->listeners = ld_calloc(ld, (size_t)ld_list_len(&l), sizeof(*nlb->listeners));
		if (nlb->listeners == NULL)
			continue;
		nlb->n_listeners = ld_list_len(&l);
		for (j = 0; j < nlb->n_listeners; j++) {
			ld_path_idx(q, l.path, j);
			load_listener(ld, config_setting_get_elem(l.s, j), q, i, j);
		}
	}
}

/* ---- the sections, registered with config/ (config/cfg_section.h) ---- */

/* target groups load first, their names come after the NLBs' */
static const struct cfg_section lb_cfg_sections[] = {
	{ .key = "target_groups", .names_order = 80, .order = 110,
	  .names = lb_cfg_names_target_groups, .load = lb_cfg_load_target_groups },
	{ .key = "network_load_balancers", .names_order = 70, .order = 120,
	  .names = lb_cfg_names_nlbs, .load = lb_cfg_load_nlbs },
	{ .key = NULL },
};

CFG_SECTIONS_REGISTER(lb_cfg_sections)
