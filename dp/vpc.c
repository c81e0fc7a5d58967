/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Several VPCs (SPEC §8) in the data plane.
 *
 * What runs: VPCs whose cidrs do not overlap, untagged, on any ports. Each
 * is a routing domain through its route tables (the local route of a table
 * is its VPC's cidr; dp/dp_tables.c), and the subnet of an address is
 * unique, so flows need no zone. A route to "pcx:NAME" delivers into the
 * peer VPC by its local route (its subnet's inbound NACL, its ENI's SG),
 * here; anything else routed to a peering (a destination outside the peer
 * VPC: transitive routing, or a packet that entered from the internet or a
 * gateway endpoint) is dropped as peering_not_transitive. vpcgw is one hop:
 * a packet delivered over a peering is never routed again, so it can never
 * leave through another peering, the IGW, a NAT gateway or a TGW.
 *
 * What is refused (dp_vpcs_check, at start, reload and --check): VPCs that
 * overlap and 802.1Q subnets (the VRF by port and VLAN is not built).
 */
#include <stdarg.h>
#include <stdio.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>

#include "dp/dp.h"
#include "dp/dp_check.h"
#include "dp/dp_pipe.h"
#include "dp/dp_pkt.h"
#include "dp/vpce.h"

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
	for (int i = 0; i < cfg->n_vpcs; i++)
		for (int j = 0; j < i; j++)
			if (cfg_prefix_overlap(&cfg->vpcs[i].cidr, &cfg->vpcs[j].cidr)) {
				vpc_report(fn, arg, cfg, cfg->vpcs[i].line, "vpcs[%d]: VPC \"%s\" "
					   "overlaps VPC \"%s\": overlapping VPCs are checked, not run "
					   "yet (they need the VRF by port and VLAN)", i,
					   cfg->vpcs[i].name, cfg->vpcs[j].name);
				n++;
				break;
			}
	return n;
}

/* ------------------------------------------------------------ peering */

void
dp_pcx_target(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c, struct dp_flow *f,
	      int dir, const struct dp_route *r)
{
	const struct cfg *cfg = c->t->cfg;
	const struct cfg_peering *pc = &cfg->peerings[r->ref];
	int ds = dp_subnet_lookup(c->t, rte_be_to_cpu_32(dp_ip_hdr(m, md)->dst_addr)), from, peer;

	RTE_SET_USED(dir);
	/* only what a subnet of one side sent (or an appliance returns for it) */
	if ((c->in != DP_IN_VPC && c->in != DP_IN_APPLIANCE) || c->src_subnet < 0) {
		dp_drop(m, DP_DROP_peering_not_transitive);
		return;
	}
	from = cfg->subnets[c->src_subnet].vpc;
	peer = pc->vpc[0] == from ? pc->vpc[1] : pc->vpc[0];
	if (ds < 0 || cfg->subnets[ds].vpc != peer || (pc->vpc[0] != from && pc->vpc[1] != from)) {
		dp_drop(m, DP_DROP_peering_not_transitive);
		return;
	}
	dp_deliver_local(m, md, c, f);
}
