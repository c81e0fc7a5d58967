/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flow_logs = ( { name; resource; traffic_type; max_aggregation_interval;
 * destination; format; account_id; } ): docs/config.md "Flow logs".
 * Every bad value is reported on its own line; nothing stops the load.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "config/cfg.h"
#include "config/cfg_ld.h"
#include "config/cfg_section.h"
#include "flowlog/fl_format.h"

static void
fl_cfg_names(struct ld *ld)
{
	struct cfg *c = ld->cfg;

	LD_NAMES(ld, ld->root, "", "flow_logs", "flow log", c->flow_logs, c->n_flow_logs);
}

static void
load_resource(struct ld *ld, const config_setting_t *e, const char *p, struct cfg_flow_log *fl)
{
	const struct cfg *c = ld->cfg;
	struct fld f;
	const char *v;
	int i;

	if (ld_get_str(ld, e, p, "resource", true, &f, &v) <= 0)
		return;
	if (strcmp(v, "vpc") == 0) {
		fl->resource = CFG_FL_VPC;
	} else if (strncmp(v, "subnet:", 7) == 0) {
		fl->resource = CFG_FL_SUBNET;
		fl->subnet = LD_FIND(c->subnets, c->n_subnets, v + 7);
		if (fl->subnet < 0)
			ld_error(ld, f.s, f.path, "unknown subnet \"%s\"", v + 7);
	} else if (strncmp(v, "eni:", 4) == 0) {
		fl->resource = CFG_FL_ENI;
		if (cfg_parse_ipv4(v + 4, &fl->eni_addr) < 0) {
			ld_error(ld, f.s, f.path, "bad address in \"%s\"", v);
			return;
		}
		for (i = 0; i < c->n_enis; i++)
			if (c->enis[i].addr == fl->eni_addr)
				break;
		if (i == c->n_enis)
			ld_error(ld, f.s, f.path, "no interface has address %s "
				 "(interfaces[].address)", v + 4);
	} else {
		ld_error(ld, f.s, f.path, "bad resource \"%s\" (expected \"vpc\", "
			 "\"subnet:NAME\" or \"eni:ADDRESS\")", v);
	}
}

static void
load_destination(struct ld *ld, const config_setting_t *e, const char *p,
		 struct cfg_flow_log *fl)
{
	struct stat st;
	struct fld f;
	const char *v;

	if (ld_get_str(ld, e, p, "destination", true, &f, &v) <= 0)
		return;
	if (strncmp(v, "file:", 5) != 0 || v[5] == '\0') {
		ld_error(ld, f.s, f.path, "bad destination \"%s\" (expected \"file:DIRECTORY\")", v);
		return;
	}
	if (strlen(v + 5) >= sizeof(fl->dir)) {
		ld_error(ld, f.s, f.path, "directory name too long (max %zu)", sizeof(fl->dir) - 1);
		return;
	}
	if (stat(v + 5, &st) < 0 || !S_ISDIR(st.st_mode)) {
		ld_error(ld, f.s, f.path, "\"%s\" is not a directory", v + 5);
		return;
	}
	snprintf(fl->dir, sizeof(fl->dir), "%s", v + 5);
}

static void
load_one(struct ld *ld, const config_setting_t *e, const char *p, struct cfg_flow_log *fl)
{
	char err[256];
	struct fld f;
	const char *v;
	long long x;

	fl->accept = fl->reject = true;
	fl->interval_s = 600;       /* AWS's default */
	snprintf(fl->account, sizeof(fl->account), "000000000000");
	fl->n_fields = fl_format_default(fl->fields, CFG_FL_MAX_FIELDS);
	load_resource(ld, e, p, fl);
	if (ld_get_str(ld, e, p, "traffic_type", true, &f, &v) > 0) {
		if (strcmp(v, "ACCEPT") == 0)
			fl->reject = false;
		else if (strcmp(v, "REJECT") == 0)
			fl->accept = false;
		else if (strcmp(v, "ALL") != 0)
			ld_error(ld, f.s, f.path, "bad traffic_type \"%s\" (expected ACCEPT, REJECT "
				 "or ALL)", v);
	}
	if (ld_fld_get(ld, e, p, "max_aggregation_interval", false, &f) &&
	    ld_int_of(ld, f.s, f.path, 0, 86400, &x) > 0) {
		if (x != 60 && x != 600)
			ld_error(ld, f.s, f.path, "max_aggregation_interval is 60 or 600 seconds, "
				 "not %lld", x);
		else
			fl->interval_s = (uint32_t)x;
	}
	load_destination(ld, e, p, fl);
	if (ld_get_str(ld, e, p, "format", false, &f, &v) > 0 &&
	    fl_format_parse(v, fl->fields, CFG_FL_MAX_FIELDS, &fl->n_fields, err,
			    sizeof(err)) < 0) {
		ld_error(ld, f.s, f.path, "%s", err);
		fl->n_fields = fl_format_default(fl->fields, CFG_FL_MAX_FIELDS);
	}
	if (ld_get_str(ld, e, p, "account_id", false, &f, &v) > 0) {
		if (strlen(v) != 12 || strspn(v, "0123456789") != 12)
			ld_error(ld, f.s, f.path, "account_id is 12 digits, not \"%s\"", v);
		else
			snprintf(fl->account, sizeof(fl->account), "%s", v);
	}
}

static void
fl_cfg_load(struct ld *ld)
{
	static const char *const keys[] = {
		"name", "resource", "traffic_type", "max_aggregation_interval", "destination",
		"format", "account_id", NULL
	};
	struct cfg *c = ld->cfg;
	char p[PATH_LEN];
	struct fld f;

	if (ld_get_list(ld, ld->root, "", "flow_logs", false, T_LIST, &f) <= 0)
		return;
	for (int i = 0; i < c->n_flow_logs && i < ld_list_len(&f); i++) {
		const config_setting_t *e = config_setting_get_elem(f.s, i);

		ld_path_idx(p, f.path, i);
		if (!ld_group(ld, e, p, keys))
			continue;
		load_one(ld, e, p, &c->flow_logs[i]);
	}
}

/* ---- the sections, registered with config/ (config/cfg_section.h) ---- */

/* after interfaces (resource "eni:ADDRESS") */
static const struct cfg_section fl_cfg_sections[] = {
	{ .key = "flow_logs", .names_order = 110, .order = 140,
	  .names = fl_cfg_names, .load = fl_cfg_load },
	{ .key = NULL },
};

CFG_SECTIONS_REGISTER(fl_cfg_sections)
