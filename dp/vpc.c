/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Several VPCs (SPEC §8) in the data plane: what this release runs of a
 * configuration the loader accepts (config/cfg_vpc.c), checked at start,
 * reload and --check (dp_limits_check).
 */
#include <stdarg.h>
#include <stdio.h>

#include "dp/dp.h"
#include "dp/dp_check.h"

static void
vpc_report(cfg_error_fn fn, void *arg, const struct cfg *cfg, int line, const char *fmt, ...)
{
	char msg[1100], body[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	snprintf(msg, sizeof(msg), "%s:%d: %s", cfg->file, line > 0 ? line : 1, body);
	if (fn != NULL)
		fn(arg, msg);
	else
		fprintf(stderr, "%s\n", msg);
}

int
dp_vpcs_check(const struct cfg *cfg, cfg_error_fn fn, void *arg)
{
	int n = 0;

	for (int i = 0; i < cfg->n_subnets; i++)
		if (cfg->subnets[i].vlan != 0) {
			vpc_report(fn, arg, cfg, cfg->subnets[i].line, "subnet \"%s\": vlan %u: "
				   "802.1Q subnets are checked, not run yet", cfg->subnets[i].name,
				   cfg->subnets[i].vlan);
			n++;
		}
	if (cfg->n_vpcs > 1) {
		vpc_report(fn, arg, cfg, cfg->vpcs[1].line, "vpcs[1]: %d VPCs: this release's data "
			   "plane runs one VPC (several are checked, not run yet)", cfg->n_vpcs);
		n++;
	}
	return n;
}
