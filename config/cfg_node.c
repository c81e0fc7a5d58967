/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The `node` section: who this node is in a scale-out set of vpcgw nodes
 * behind ECMP (docs/SCALE-OUT.md).
 *
 *   node = {
 *     name = "gw-a";                           # label "node" in Prometheus, telemetry
 *     health = { listen = "127.0.0.1:8080"; }; # HTTP health port (control thread)
 *     mid_flow = "place";                  # "reset" (default) or "place" (NLB, GWLB)
 *   };
 *
 * Absent: no node label, no health port, NLB mid-flow packets without a flow
 * are reset as before.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "config/cfg.h"
#include "config/cfg_ld.h"

static bool
name_ok(const char *v)
{
	if (*v == '\0')
		return false;
	for (; *v; v++)
		if (!((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') ||
		      (*v >= '0' && *v <= '9') || *v == '-' || *v == '_' || *v == '.'))
			return false;
	return true;
}

/* "a.b.c.d:port" into n; errors name the setting. */
static void
load_listen(struct ld *ld, const config_setting_t *h, const char *path, struct cfg_node *n)
{
	char addr[32], *colon, *end;
	struct fld f;
	const char *v;
	long port;

	if (ld_get_str(ld, h, path, "listen", true, &f, &v) <= 0)
		return;
	colon = strrchr(v, ':');
	if (colon == NULL || (size_t)(colon - v) >= sizeof(addr)) {
		ld_error(ld, f.s, f.path, "\"%s\" is not ADDRESS:PORT (e.g. \"127.0.0.1:8080\")", v);
		return;
	}
	memcpy(addr, v, (size_t)(colon - v));
	addr[colon - v] = '\0';
	port = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || port < 1 || port > 65535) {
		ld_error(ld, f.s, f.path, "bad port in \"%s\" (1..65535)", v);
		return;
	}
	if (cfg_parse_ipv4(addr, &n->health_addr) < 0) {
		ld_error(ld, f.s, f.path, "bad IPv4 address \"%s\" in \"%s\"", addr, v);
		return;
	}
	n->health_port = (uint16_t)port;
	n->has_health = true;
}

void
ld_load_node(struct ld *ld)
{
	static const char *const keys[] = { "name", "health", "mid_flow", NULL };
	static const char *const hkeys[] = { "listen", NULL };
	const config_setting_t *s = config_setting_get_member(ld->root, "node");
	struct cfg_node *n = &ld->cfg->node;
	struct fld f;
	const char *v;

	if (s == NULL || !ld_group(ld, s, "node", keys))
		return;
	n->line = ld_line(s);
	if (ld_get_str(ld, s, "node", "name", true, &f, &v) > 0) {
		if (!name_ok(v) || strlen(v) >= sizeof(n->name))
			ld_error(ld, f.s, f.path, "bad node name \"%s\": 1..%zu characters of "
				 "A-Z a-z 0-9 . _ - (it becomes a Prometheus label value)",
				 v, sizeof(n->name) - 1);
		else
			snprintf(n->name, sizeof(n->name), "%s", v);
	}
	if (ld_fld_get(ld, s, "node", "health", false, &f) && ld_group(ld, f.s, f.path, hkeys))
		load_listen(ld, f.s, f.path, n);
	if (ld_get_str(ld, s, "node", "mid_flow", false, &f, &v) > 0) {
		if (strcmp(v, "place") == 0)
			n->mid_flow_place = true;
		else if (strcmp(v, "reset") != 0)
			ld_error(ld, f.s, f.path, "\"%s\": \"reset\" (default: TCP data without "
				 "a flow is refused) or \"place\" (NLB and GWLB place it as the "
				 "node that saw the SYN did, docs/SCALE-OUT.md)", v);
	}
}
