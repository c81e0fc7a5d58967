/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fw's configuration sections (config/cfg_section.h): network_acls,
 * security_groups and interfaces (the ENIs and their security groups), into
 * cfg.nacls, cfg.sgs and cfg.enis. Registered with config/ at the end of this file.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/cfg.h"
#include "config/cfg_ld.h"
#include "config/cfg_section.h"

static void
fw_cfg_names_nacls(struct ld *ld)
{
	struct cfg *c = ld->cfg;

	LD_NAMES(ld, ld->root, "", "network_acls", "network ACL", c->nacls, c->n_nacls);
}

static void
fw_cfg_names_sgs(struct ld *ld)
{
	struct cfg *c = ld->cfg;

	LD_NAMES(ld, ld->root, "", "security_groups", "security group", c->sgs, c->n_sgs);
}

/* Protocol: "all" / "-1", "tcp", "udp", "icmp", or a number 0..255 (string or integer). */
static int
proto_of(struct ld *ld, const struct fld *f, uint16_t *proto)
{
	const char *v, *q;
	long long x;

	if (config_setting_type(f->s) == CONFIG_TYPE_INT ||
	    config_setting_type(f->s) == CONFIG_TYPE_INT64) {
		if (ld_int_of(ld, f->s, f->path, -1, 255, &x) < 0)
			return -1;
		*proto = x < 0 ? CFG_PROTO_ALL : (uint16_t)x;
		return 1;
	}
	if (ld_str_of(ld, f->s, f->path, &v) < 0)
		return -1;
	if (strcasecmp(v, "all") == 0 || strcmp(v, "-1") == 0) {
		*proto = CFG_PROTO_ALL;
		return 1;
	}
	if (strcasecmp(v, "tcp") == 0) {
		*proto = CFG_L4_TCP;
		return 1;
	}
	if (strcasecmp(v, "udp") == 0) {
		*proto = CFG_L4_UDP;
		return 1;
	}
	if (strcasecmp(v, "icmp") == 0) {
		*proto = 1;
		return 1;
	}
	if (strcasecmp(v, "icmpv6") == 0) {
		*proto = 58;
		return 1;
	}
	x = 0;
	for (q = v; *q >= '0' && *q <= '9' && x <= 255; q++)
		x = x * 10 + (*q - '0');
	if (q == v || *q != '\0' || x > 255 || (v[0] == '0' && v[1] != '\0')) {
		ld_error(ld, f->s, f->path,
			 "bad protocol \"%s\" (expected all, tcp, udp, icmp or 0..255)", v);
		return -1;
	}
	*proto = (uint16_t)x;
	return 1;
}

static int
port_num(const char **s, long *v)
{
	const char *p = *s;
	long x = 0;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++)
		if (x <= 65536)
			x = x * 10 + (*p - '0');
	*s = p;
	*v = x;
	return 0;
}

/* Port range: "80", "1024-65535" or an integer. */
static int
ports_of(struct ld *ld, const struct fld *f, uint16_t *lo, uint16_t *hi)
{
	const char *v, *s;
	long a, b;
	long long x;

	if (config_setting_type(f->s) == CONFIG_TYPE_INT ||
	    config_setting_type(f->s) == CONFIG_TYPE_INT64) {
		if (ld_int_of(ld, f->s, f->path, 0, 65535, &x) < 0)
			return -1;
		*lo = *hi = (uint16_t)x;
		return 1;
	}
	if (ld_str_of(ld, f->s, f->path, &v) < 0)
		return -1;
	s = v;
	if (port_num(&s, &a) < 0)
		goto bad;
	b = a;
	if (*s == '-') {
		s++;
		if (port_num(&s, &b) < 0)
			goto bad;
	}
	if (*s != '\0')
		goto bad;
	if (a > 65535 || b > 65535) {
		ld_error(ld, f->s, f->path, "port range \"%s\": port %ld out of range 0..65535", v,
			 a > 65535 ? a : b);
		return -1;
	}
	if (a > b) {
		ld_error(ld, f->s, f->path, "port range \"%s\" is out of order", v);
		return -1;
	}
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 1;
bad:
	ld_error(ld, f->s, f->path, "bad port range \"%s\" (expected PORT or FIRST-LAST)", v);
	return -1;
}

/* A rule matches one family, its CIDR's: ICMP is IPv4's, ICMPv6 IPv6's (as AWS refuses them). */
static void
rule_family_check(struct ld *ld, const struct fld *f, bool proto_ok, const struct cfg_rule *r)
{
	if (proto_ok && r->proto == 58 && !r->v6)
		ld_error(ld, f->s, f->path, "protocol icmpv6 needs an IPv6 CIDR");
	else if (proto_ok && r->proto == 1 && r->v6)
		ld_error(ld, f->s, f->path, "protocol icmp needs an IPv4 CIDR (icmpv6 for IPv6)");
}

/* One NACL rule (nacl) or one security-group rule; dir is "ingress" or "egress". */
static void
load_rule(struct ld *ld, const config_setting_t *e, const char *p, bool nacl, bool ingress,
	  struct cfg_rule *r)
{
	static const char *const nacl_keys[] = {
		"rule", "protocol", "ports", "icmp_type", "icmp_code", "cidr", "action", NULL
	};
	static const char *const sg_in_keys[] = {
		"protocol", "ports", "icmp_type", "icmp_code", "source", NULL
	};
	static const char *const sg_out_keys[] = {
		"protocol", "ports", "icmp_type", "icmp_code", "destination", NULL
	};
	static const char sg_pfx[] = "sg:";
	struct fld f;
	const char *v;
	long long x;
	bool proto_ok = false;

	r->port_lo = 0;
	r->port_hi = 65535;
	r->icmp_type = -1;
	r->icmp_code = -1;
	r->sg = -1;
	r->allow = true;
	r->line = ld_line(e);
	if (!ld_group(ld, e, p, nacl ? nacl_keys : ingress ? sg_in_keys : sg_out_keys))
		return;
	if (nacl && ld_get_int(ld, e, p, "rule", true, 1, 32766, &x) > 0)
		r->number = (uint16_t)x;
	if (ld_fld_get(ld, e, p, "protocol", true, &f))
		proto_ok = proto_of(ld, &f, &r->proto) > 0;
	if (ld_fld_get(ld, e, p, "ports", false, &f) &&
	    ports_of(ld, &f, &r->port_lo, &r->port_hi) > 0 &&
	    proto_ok && r->proto != CFG_L4_TCP && r->proto != CFG_L4_UDP)
		ld_error(ld, f.s, f.path, "ports apply only to tcp and udp");
	if (ld_get_int(ld, e, p, "icmp_type", false, -1, 255, &x) > 0) {
		r->icmp_type = (int16_t)x;
		if (proto_ok && r->proto != 1 && r->proto != 58) {
			ld_fld_get(ld, e, p, "icmp_type", false, &f);
			ld_error(ld, f.s, f.path, "icmp_type applies only to icmp");
		}
	}
	if (ld_get_int(ld, e, p, "icmp_code", false, -1, 255, &x) > 0) {
		r->icmp_code = (int16_t)x;
		if (proto_ok && r->proto != 1 && r->proto != 58) {
			ld_fld_get(ld, e, p, "icmp_code", false, &f);
			ld_error(ld, f.s, f.path, "icmp_code applies only to icmp");
		}
	}
	if (nacl) {
		if (ld_get_str(ld, e, p, "cidr", true, &f, &v) > 0) {
			if (strchr(v, ':') != NULL)
				ld6_rule_cidr(ld, &f, v, r);
			else
				ld_prefix_str(ld, f.s, f.path, v, &r->cidr);
		}
		rule_family_check(ld, &f, proto_ok, r);
		if (ld_get_str(ld, e, p, "action", true, &f, &v) > 0) {
			if (strcmp(v, "allow") == 0)
				r->allow = true;
			else if (strcmp(v, "deny") == 0)
				r->allow = false;
			else
				ld_error(ld, f.s, f.path, "bad action \"%s\" (expected allow or deny)",
					 v);
		}
		return;
	}
	if (ld_get_str(ld, e, p, ingress ? "source" : "destination", true, &f, &v) <= 0)
		return;
	if (strncmp(v, sg_pfx, sizeof(sg_pfx) - 1) == 0) {
		ld_ref_str(ld, f.s, f.path, REF_SG, v + sizeof(sg_pfx) - 1, &r->sg);
		return;
	}
	if (strchr(v, ':') != NULL)
		ld6_rule_cidr(ld, &f, v, r);
	else
		ld_prefix_str(ld, f.s, f.path, v, &r->cidr);
	rule_family_check(ld, &f, proto_ok, r);
}

static int
rule_cmp(const void *a, const void *b)
{
	const struct cfg_rule *x = a, *y = b;

	return (int)x->number - (int)y->number;
}

/* The rules of one direction (key "ingress" or "egress") of a NACL or a SG. */
static struct cfg_rule *
load_rules(struct ld *ld, const config_setting_t *g, const char *path, const char *dir,
	   bool nacl, int *n_out)
{
	struct cfg_rule *rules;
	char p[PATH_LEN], q[PATH_LEN];
	struct fld f, r;
	int i, j, n;

	*n_out = 0;
	if (ld_get_list(ld, g, path, dir, false, T_LIST, &f) <= 0)
		return NULL;
	n = ld_list_len(&f);
	rules = ld_calloc(ld, (size_t)n, sizeof(*rules));
	if (rules == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(f.s, i);

		ld_path_idx(p, f.path, i);
		load_rule(ld, e, p, nacl, strcmp(dir, "ingress") == 0, &rules[i]);
		if (!nacl || rules[i].number == 0)
			continue;
		for (j = 0; j < i; j++) {
			if (rules[j].number != rules[i].number)
				continue;
			ld_path_key(q, p, "rule");
			ld_fld_get(ld, e, p, "rule", false, &r);
			ld_error(ld, r.s, q, "duplicate rule number %u (first at line %d)",
				 rules[i].number, rules[j].line);
			break;
		}
	}
	/* Evaluation order is by rule number, whatever the order in the file. */
	if (nacl)
		qsort(rules, (size_t)n, sizeof(*rules), rule_cmp);
	*n_out = n;
	return rules;
}

static void
fw_cfg_load_nacls(struct ld *ld)
{
	static const char *const keys[] = { "name", "ingress", "egress", NULL };
	struct cfg *c = ld->cfg;
	char p[PATH_LEN];
	struct fld f;
	int i;

	if (ld_get_list(ld, ld->root, "", "network_acls", false, T_LIST, &f) <= 0)
		return;
	for (i = 0; i < c->n_nacls; i++) {
		const config_setting_t *e = config_setting_get_elem(f.s, i);
		struct cfg_nacl *a = &c->nacls[i];

		ld_path_idx(p, f.path, i);
		if (!ld_group(ld, e, p, keys))
			continue;
		a->ingress = load_rules(ld, e, p, "ingress", true, &a->n_ingress);
		a->egress = load_rules(ld, e, p, "egress", true, &a->n_egress);
	}
}

static void
fw_cfg_load_sgs(struct ld *ld)
{
	static const char *const keys[] = { "name", "ingress", "egress", "timeouts", NULL };
	static const char *const to_keys[] = {
		"tcp_established", "udp", "udp_stream", "other", NULL
	};
	struct cfg *c = ld->cfg;
	char p[PATH_LEN];
	struct fld f, t;
	int i;

	if (ld_get_list(ld, ld->root, "", "security_groups", false, T_LIST, &f) <= 0)
		return;
	for (i = 0; i < c->n_sgs; i++) {
		const config_setting_t *e = config_setting_get_elem(f.s, i);
		struct cfg_sg *sg = &c->sgs[i];
		struct cfg_sg_timeouts *to = &sg->timeouts;

		to->tcp_established = 432000;
		to->udp = 30;
		to->udp_stream = 180;
		to->other = 600;
		ld_path_idx(p, f.path, i);
		if (!ld_group(ld, e, p, keys))
			continue;
		sg->ingress = load_rules(ld, e, p, "ingress", false, &sg->n_ingress);
		sg->egress = load_rules(ld, e, p, "egress", false, &sg->n_egress);
		if (!ld_fld_get(ld, e, p, "timeouts", false, &t) ||
		    !ld_group(ld, t.s, t.path, to_keys))
			continue;
		ld_get_u32(ld, t.s, t.path, "tcp_established", 60, 432000, 432000,
			   &to->tcp_established);
		ld_get_u32(ld, t.s, t.path, "udp", 30, 60, 30, &to->udp);
		ld_get_u32(ld, t.s, t.path, "udp_stream", 60, 180, 180, &to->udp_stream);
		ld_get_u32(ld, t.s, t.path, "other", 60, 600, 600, &to->other);
	}
}

static void
fw_cfg_load_interfaces(struct ld *ld)
{
	static const char *const keys[] = { "address", "address6", "security_groups", "vpc",
					    NULL };
	struct cfg *c = ld->cfg;
	char p[PATH_LEN], q[PATH_LEN];
	struct fld f, g;
	int i, j, k, n, v;

	if (ld_get_list(ld, ld->root, "", "interfaces", false, T_LIST, &f) <= 0)
		return;
	c->n_enis = ld_list_len(&f);
	c->enis = ld_calloc(ld, (size_t)c->n_enis, sizeof(*c->enis));
	if (c->enis == NULL)
		c->n_enis = 0;
	for (i = 0; i < c->n_enis; i++) {
		const config_setting_t *e = config_setting_get_elem(f.s, i);
		struct cfg_eni *eni = &c->enis[i];

		eni->subnet = -1;
		eni->line = ld_line(e);
		ld_path_idx(p, f.path, i);
		if (!ld_group(ld, e, p, keys))
			continue;
		/* `vpc`: the VPC of an address that overlapping VPCs share (-1: an
		 * unknown one, reported; -2: none named) */
		v = config_setting_get_member(e, "vpc") != NULL ? ld_vpc_ref(ld, e, p) : -2;
		if (v != -1 && ld_get_ipv4(ld, e, p, "address", true, &g, &eni->addr) > 0 &&
		    ld_claim_vpc(ld, &ld->priv, eni->addr, v < 0 ? -1 : v, g.s,
				 g.path))
			eni->subnet = ld_host_in_subnet_vpc(ld, &g, eni->addr, v < 0 ? -1 : v);
		ld6_eni(ld, e, p, eni);
		if (ld_get_list(ld, e, p, "security_groups", true, T_SEQ, &g) <= 0)
			continue;
		n = ld_list_len(&g);
		if (n == 0) {
			ld_error(ld, g.s, g.path, "at least one security group is required");
			continue;
		}
		if (n > CFG_MAX_SG_PER_ENI) {
			ld_error(ld, g.s, g.path, "too many security groups (%d, max %d)", n,
				 CFG_MAX_SG_PER_ENI);
			continue;
		}
		for (j = 0; j < n; j++) {
			const config_setting_t *s = config_setting_get_elem(g.s, j);
			int sg;

			ld_path_idx(q, g.path, j);
			if (ld_ref_of(ld, s, q, REF_SG, &sg) < 0)
				continue;
			for (k = 0; k < eni->n_sgs; k++)
				if (eni->sgs[k] == sg)
					break;
			if (k < eni->n_sgs) {
				ld_error(ld, s, q, "security group \"%s\" is listed twice",
					 c->sgs[sg].name);
				continue;
			}
			eni->sgs[eni->n_sgs++] = sg;
		}
	}
}

/* ---- the sections, registered with config/ (config/cfg_section.h) ---- */

static const struct cfg_section fw_cfg_sections[] = {
	{ .key = "network_acls", .names_order = 40, .order = 60,
	  .names = fw_cfg_names_nacls, .load = fw_cfg_load_nacls },
	{ .key = "security_groups", .names_order = 50, .order = 70,
	  .names = fw_cfg_names_sgs, .load = fw_cfg_load_sgs },
	{ .key = "interfaces", .order = 80,
	  .load = fw_cfg_load_interfaces },
	{ .key = NULL },
};

CFG_SECTIONS_REGISTER(fw_cfg_sections)
