/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * traffic_mirror_sessions = ( { name; source; target = { address; port; };
 * vni; filter = { inbound = ( RULE, ... ); outbound = ( ... ); };
 * packet_length; session_number; } ): docs/config.md "Traffic mirroring".
 * A RULE is a NACL rule's shape: { rule; protocol; ports; cidr; action; }
 * with action "accept" or "reject" (AWS's words for a mirror filter).
 * Every bad value is reported on its own line; nothing stops the load.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/cfg.h"
#include "config/cfg_ld.h"
#include "config/cfg_section.h"
#include "mirror/mr_cfg.h"

static void
mr_cfg_names(struct ld *ld)
{
	struct cfg *c = ld->cfg;

	LD_NAMES(ld, ld->root, "", "traffic_mirror_sessions", "traffic mirror session", c->mirrors,
		 c->n_mirrors);
}

/* "all", "tcp", "udp", "icmp" or an integer 0..255. */
static void
load_proto(struct ld *ld, const struct fld *f, uint16_t *proto)
{
	const char *v;
	long long x;

	if (config_setting_type(f->s) == CONFIG_TYPE_INT) {
		if (ld_int_of(ld, f->s, f->path, 0, 255, &x) > 0)
			*proto = (uint16_t)x;
		return;
	}
	if (ld_str_of(ld, f->s, f->path, &v) <= 0)
		return;
	if (strcasecmp(v, "all") == 0)
		*proto = CFG_PROTO_ALL;
	else if (strcasecmp(v, "tcp") == 0)
		*proto = CFG_L4_TCP;
	else if (strcasecmp(v, "udp") == 0)
		*proto = CFG_L4_UDP;
	else if (strcasecmp(v, "icmp") == 0)
		*proto = 1;
	else
		ld_error(ld, f->s, f->path, "bad protocol \"%s\" (expected all, tcp, udp, icmp "
			 "or 0..255)", v);
}

/* "80", "1024-65535" or an integer. */
static void
load_ports(struct ld *ld, const struct fld *f, struct cfg_mirror_rule *r)
{
	unsigned long a, b;
	const char *v;
	long long x;
	char *end;

	if (config_setting_type(f->s) == CONFIG_TYPE_INT) {
		if (ld_int_of(ld, f->s, f->path, 0, 65535, &x) > 0)
			r->port_lo = r->port_hi = (uint16_t)x;
		return;
	}
	if (ld_str_of(ld, f->s, f->path, &v) <= 0)
		return;
	if (v[0] < '0' || v[0] > '9')
		goto bad;
	a = b = strtoul(v, &end, 10);
	if (*end == '-') {
		if (end[1] < '0' || end[1] > '9')
			goto bad;
		b = strtoul(end + 1, &end, 10);
	}
	if (*end != '\0')
		goto bad;
	if (a > 65535 || b > 65535 || a > b) {
		ld_error(ld, f->s, f->path, "bad port range \"%s\" (0..65535, low-high)", v);
		return;
	}
	r->port_lo = (uint16_t)a;
	r->port_hi = (uint16_t)b;
	return;
bad:
	ld_error(ld, f->s, f->path, "bad ports \"%s\" (expected PORT or LOW-HIGH)", v);
}

static void
load_rule(struct ld *ld, const config_setting_t *e, const char *p, struct cfg_mirror_rule *r)
{
	static const char *const keys[] = { "rule", "protocol", "ports", "cidr", "action", NULL };
	struct fld f;
	const char *v;
	long long x;

	r->proto = CFG_PROTO_ALL;
	r->port_hi = 65535;
	r->line = ld_line(e);
	if (!ld_group(ld, e, p, keys))
		return;
	if (ld_get_int(ld, e, p, "rule", true, 1, 32766, &x) > 0)
		r->number = (uint16_t)x;
	if (ld_fld_get(ld, e, p, "protocol", true, &f))
		load_proto(ld, &f, &r->proto);
	if (ld_fld_get(ld, e, p, "ports", false, &f)) {
		load_ports(ld, &f, r);
		if (r->proto != CFG_L4_TCP && r->proto != CFG_L4_UDP)
			ld_error(ld, f.s, f.path, "ports apply only to tcp and udp");
	}
	ld_get_prefix(ld, e, p, "cidr", true, &f, &r->cidr);
	if (ld_get_str(ld, e, p, "action", true, &f, &v) > 0) {
		if (strcmp(v, "accept") == 0)
			r->accept = true;
		else if (strcmp(v, "reject") != 0)
			ld_error(ld, f.s, f.path, "bad action \"%s\" (expected accept or reject)", v);
	}
}

static int
rule_cmp(const void *a, const void *b)
{
	const struct cfg_mirror_rule *x = a, *y = b;

	return (int)x->number - (int)y->number;
}

/* filter.inbound or filter.outbound: the rules, numbers unique, sorted. */
static struct cfg_mirror_rule *
load_rules(struct ld *ld, const config_setting_t *g, const char *path, const char *dir, int *n_out)
{
	struct cfg_mirror_rule *rules;
	char p[PATH_LEN];
	struct fld f;
	int n;

	*n_out = 0;
	if (ld_get_list(ld, g, path, dir, false, T_LIST, &f) <= 0)
		return NULL;
	n = ld_list_len(&f);
	if (n == 0)
		return NULL;
	rules = ld_calloc(ld, (size_t)n, sizeof(*rules));
	if (rules == NULL)
		return NULL;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(f.s, i);

		ld_path_idx(p, f.path, i);
		load_rule(ld, e, p, &rules[i]);
		for (int j = 0; j < i && rules[i].number != 0; j++)
			if (rules[j].number == rules[i].number)
				ld_error(ld, e, p, "rule number %u already used on line %d",
					 rules[i].number, rules[j].line);
	}
	qsort(rules, (size_t)n, sizeof(*rules), rule_cmp);
	*n_out = n;
	return rules;
}

static void
load_source(struct ld *ld, const config_setting_t *e, const char *p, struct cfg_mirror_session *m)
{
	const struct cfg *c = ld->cfg;
	struct fld f;
	const char *v;
	int i;

	if (ld_get_str(ld, e, p, "source", true, &f, &v) <= 0)
		return;
	if (strncmp(v, "eni:", 4) != 0 || cfg_parse_ipv4(v + 4, &m->eni_addr) < 0) {
		ld_error(ld, f.s, f.path, "bad source \"%s\" (expected \"eni:ADDRESS\")", v);
		return;
	}
	for (i = 0; i < c->n_enis; i++)
		if (c->enis[i].addr == m->eni_addr)
			break;
	if (i == c->n_enis)
		ld_error(ld, f.s, f.path, "no interface has address %s (interfaces[].address)",
			 v + 4);
}

static void
load_target(struct ld *ld, const config_setting_t *e, const char *p, struct cfg_mirror_session *m)
{
	static const char *const keys[] = { "address", "port", NULL };
	char tp[PATH_LEN];
	struct fld f, g, ga;
	int ok;

	m->target_port = -1;
	if (!ld_fld_get(ld, e, p, "target", true, &f) || !ld_type(ld, f.s, f.path, T_GROUP))
		return;
	ld_path_key(tp, p, "target");
	if (!ld_group(ld, f.s, tp, keys))
		return;
	ok = ld_get_ipv4(ld, f.s, tp, "address", true, &ga, &m->target_addr);

	if (ld_get_ref(ld, f.s, tp, "port", true, REF_PORT, &g, &m->target_port) > 0 &&
	    ok > 0 && m->target_port >= 0) {
		const struct cfg_port *pt = &ld->cfg->ports[m->target_port];
		struct cfg_prefix on = { .addr = pt->addr, .len = pt->plen };
		char a[16];

		/* copies go to the target itself: its MAC by ARP on that port */
		on.addr &= on.len ? ~0u << (32 - on.len) : 0;
		if (!cfg_prefix_contains(&on, m->target_addr) || m->target_addr == pt->addr)
			ld_error(ld, ga.s, ga.path, "target.address %s is not a host on port \"%s\"'s "
				 "prefix (the VXLAN receiver must be on the link)",
				 cfg_ipv4_str(m->target_addr, a, sizeof(a)), pt->name);
	}
}

static void
load_filter(struct ld *ld, const config_setting_t *e, const char *p, struct cfg_mirror_session *m)
{
	static const char *const keys[] = { "inbound", "outbound", NULL };
	char fp[PATH_LEN];
	struct fld f;

	if (!ld_fld_get(ld, e, p, "filter", true, &f) || !ld_type(ld, f.s, f.path, T_GROUP))
		return;
	ld_path_key(fp, p, "filter");
	if (!ld_group(ld, f.s, fp, keys))
		return;
	m->in = load_rules(ld, f.s, fp, "inbound", &m->n_in);
	m->out = load_rules(ld, f.s, fp, "outbound", &m->n_out);
}

static void
mr_cfg_load(struct ld *ld)
{
	static const char *const keys[] = {
		"name", "source", "target", "vni", "filter", "packet_length", "session_number",
		NULL
	};
	struct cfg *c = ld->cfg;
	char p[PATH_LEN];
	struct fld f;
	long long x;

	if (ld_get_list(ld, ld->root, "", "traffic_mirror_sessions", false, T_LIST, &f) <= 0)
		return;
	for (int i = 0; i < c->n_mirrors && i < ld_list_len(&f); i++) {
		const config_setting_t *e = config_setting_get_elem(f.s, i);
		struct cfg_mirror_session *m = &c->mirrors[i];

		ld_path_idx(p, f.path, i);
		if (!ld_group(ld, e, p, keys))
			continue;
		load_source(ld, e, p, m);
		load_target(ld, e, p, m);
		if (ld_get_int(ld, e, p, "vni", true, 0, 16777215, &x) > 0)
			m->vni = (uint32_t)x;
		load_filter(ld, e, p, m);
		/* AWS: 1..65535, absent copies the whole packet */
		if (ld_get_int(ld, e, p, "packet_length", false, 1, 65535, &x) > 0)
			m->packet_length = (uint32_t)x;
		if (ld_get_int(ld, e, p, "session_number", true, 1, 32766, &x) > 0)
			m->session_number = (uint16_t)x;
		for (int j = 0; j < i && m->session_number != 0; j++)
			if (c->mirrors[j].eni_addr == m->eni_addr &&
			    c->mirrors[j].session_number == m->session_number) {
				struct fld sn;   /* not f: the loop still walks the list */

				ld_fld_get(ld, e, p, "session_number", true, &sn);
				ld_error(ld, sn.s, sn.path, "session_number %u already used for this "
					 "source by \"%s\"", m->session_number, c->mirrors[j].name);
			}
		/* the data path keeps counters for MR_MAX_SESSIONS (mirror/mr.h) */
		if (i == MR_MAX_SESSIONS)
			ld_error(ld, e, p, "more than %d traffic mirror sessions", MR_MAX_SESSIONS);
	}
}

/* ---- the sections, registered with config/ (config/cfg_section.h) ---- */

/* after interfaces (source "eni:ADDRESS") */
static const struct cfg_section mr_cfg_sections[] = {
	{ .key = "traffic_mirror_sessions", .names_order = 120, .order = 150,
	  .names = mr_cfg_names, .load = mr_cfg_load },
	{ .key = NULL },
};

CFG_SECTIONS_REGISTER(mr_cfg_sections)
