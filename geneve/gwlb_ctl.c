/* SPDX-License-Identifier: BSD-3-Clause */
/* The GWLB as a service of the core: endpoint and appliance tables. */
#include <stdio.h>
#include <string.h>

#include "dp/dp.h"
#include "dp/dp_service.h"
#include "geneve/gnv.h"
#include "geneve/gwlb_node.h"

static int
gwlb_svc_build(struct dp_tables *t, char *err, size_t errlen)
{
	int rc = gnv_build(t);

	if (rc < 0)
		snprintf(err, errlen, "%s: services: %s", t->cfg->file, strerror(-rc));
	return rc;
}

const struct dp_service gwlb_service = {
	.name = "gwlb",
	.build = gwlb_svc_build,
	.free = gnv_free,
};
