/* SPDX-License-Identifier: BSD-3-Clause */
/* The firewall's tables per generation: security groups, NACL classifiers. */
#include <stdio.h>
#include <string.h>

#include <rte_lcore.h>

#include "dp/dp.h"
#include "dp/dp_service.h"
#include "fw/fw_node.h"
#include "fw/nacl.h"
#include "fw/sg.h"

static int
fw_build(struct dp_tables *t, char *err, size_t errlen)
{
	/* the running generation (NULL at start): its unchanged NACLs are reused */
	const struct dp_tables *cur = atomic_load_explicit(&dp_g.tables, memory_order_acquire);
	int rc;

	t->sg = fw_sg_build(t->cfg);
	if (t->sg == NULL) {
		snprintf(err, errlen, "%s: out of memory building tables", t->cfg->file);
		return -ENOMEM;
	}
	t->nacl = fw_nacl_rebuild(t->cfg, (int)rte_socket_id(), (unsigned)t->generation,
				  cur != NULL && cur != t ? cur->nacl : NULL,
				  cur != NULL && cur != t ? cur->cfg : NULL, &rc);
	if (t->nacl == NULL) {
		snprintf(err, errlen, "%s: network ACLs: %s", t->cfg->file, strerror(-rc));
		return rc;
	}
	return 0;
}

static void
fw_free(struct dp_tables *t)
{
	if (t->nacl != NULL)
		fw_nacl_free(t->nacl);
	if (t->sg != NULL)
		fw_sg_free(t->sg);
}

const struct dp_service fw_service = {
	.name = "fw",
	.build = fw_build,
	.free = fw_free,
};
