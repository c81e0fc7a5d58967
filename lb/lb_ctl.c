/* SPDX-License-Identifier: BSD-3-Clause */
/* The NLB as a service of the core: Maglev tables (health: lb_health.c). */
#include <stdio.h>
#include <string.h>

#include "dp/dp.h"
#include "dp/dp_service.h"
#include "lb/lb.h"
#include "lb/nlb_node.h"

static int
lb_svc_build(struct dp_tables *t, char *err, size_t errlen)
{
	int rc = lb_build(t);

	if (rc < 0)
		snprintf(err, errlen, "%s: services: %s", t->cfg->file, strerror(-rc));
	return rc;
}

static void
lb_svc_publish(struct dp_tables *t, struct dp_tables *old)
{
	lb_note_removed(t, old);
	t->flows_gone = t->lb != NULL && t->lb->targets_removed;
}

const struct dp_service lb_service = {
	.name = "lb",
	.build = lb_svc_build,
	.free = lb_free,
	.publish = lb_svc_publish,
	/* health checks: the core's engine (dp/health.c) polls lb_health_client */
};
