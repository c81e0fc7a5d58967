/* SPDX-License-Identifier: BSD-3-Clause */
/* The NAT module as a service of the core: port state, tables, flow deletion. */
#include <stdio.h>
#include <string.h>

#include <rte_lcore.h>

#include "dp/dp.h"
#include "dp/dp_service.h"
#include "nat/nat.h"
#include "nat/nat_node.h"

static int
nat_svc_init(const struct cfg *cfg)
{
	return nat_init((int)rte_socket_id(), cfg->dpdk.flow_table_size, cfg->dpdk.workers);
}

static int
nat_svc_build(struct dp_tables *t, char *err, size_t errlen)
{
	int rc = nat_build(t);

	if (rc < 0)
		snprintf(err, errlen, "%s: services: %s", t->cfg->file, strerror(-rc));
	return rc;
}

static void
nat_svc_flow_deleted(const struct dp_flow *f)
{
	if (f->kind == DP_FLOW_NAT)
		nat_flow_deleted(f);
}

const struct dp_service nat_service = {
	.name = "nat",
	.init = nat_svc_init,
	.build = nat_svc_build,
	.free = nat_free,
	.flow_deleted = nat_svc_flow_deleted,
};
