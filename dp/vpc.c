/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Several VPCs (SPEC §8) in the data plane.
 *
 * What runs: several VPCs on any ports and VLANs. Each is a routing domain
 * through its route tables (the local route of a table is its VPC's cidr;
 * dp/dp_tables.c); VPCs that do not overlap share zone 0 (the subnet of an
 * address is unique), one that overlaps another has a zone of its own. A route to "pcx:NAME" delivers into the
 * peer VPC by its local route (its subnet's inbound NACL, its ENI's SG),
 * here; anything else routed to a peering (a destination outside the peer
 * VPC: transitive routing, or a packet that entered from the internet or a
 * gateway endpoint) is dropped as peering_not_transitive. vpcgw is one hop:
 * a packet delivered over a peering is never routed again, so it can never
 * leave through another peering, the IGW, a NAT gateway or a TGW.
 *
 * VPCs that overlap run too, kept apart by port and 802.1Q VLAN (dp/vlan.c),
 * and reach each other through transit gateways, whose route tables say
 * which VPC (zone) a packet goes to (tgw/tgw_node.c), and through peerings
 * with VPCs they do not overlap (config/cfg_vpc.c refuses a peering of two
 * VPCs that overlap each other, as AWS does). What is refused in them
 * (dp_vpcs_check, at start, reload and --check): NLBs, GWLB endpoints,
 * gateway endpoints and elastic IPs.
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

/* Is VPC v (an index, -1: none) one that overlaps another (has a zone)? */
static bool
vpc_zoned(const struct cfg *cfg, int v)
{
	return v >= 0 && v < cfg->n_vpcs && cfg->vpcs[v].zone != 0;
}

static bool
subnet_zoned(const struct cfg *cfg, int sn)
{
	return sn >= 0 && sn < cfg->n_subnets && vpc_zoned(cfg, cfg->subnets[sn].vpc);
}

/*
 * What does not run in a VPC that overlaps another (config/cfg_vpc.c gives
 * each such VPC a flow zone; dp/vlan.c): NLBs, GWLB
 * endpoints, gateway endpoints and elastic IPs (their tables are keyed by
 * address alone).
 */
int
dp_vpcs_check(const struct cfg *cfg, cfg_error_fn fn, void *arg)
{
	static const char why[] = "not built in a VPC that overlaps another (the port and "
				  "VLAN tell them apart: docs/config.md)";
	int n = 0;

	for (int i = 0; i < cfg->n_nlbs; i++)
		if (subnet_zoned(cfg, cfg->nlbs[i].subnet)) {
			vpc_report(fn, arg, cfg, cfg->nlbs[i].line, "network load balancer \"%s\": "
				   "an NLB is %s", cfg->nlbs[i].name, why);
			n++;
		}
	for (int i = 0; i < cfg->n_gwlbs; i++)
		for (int j = 0; j < cfg->gwlbs[i].n_endpoints; j++)
			if (subnet_zoned(cfg, cfg->gwlbs[i].endpoints[j].subnet)) {
				vpc_report(fn, arg, cfg, cfg->gwlbs[i].endpoints[j].line, "GWLB endpoint "
					   "\"%s\": a GWLB endpoint is %s",
					   cfg->gwlbs[i].endpoints[j].name, why);
				n++;
			}
	for (int i = 0; i < cfg->n_gateway_endpoints; i++)
		if (vpc_zoned(cfg, cfg->gateway_endpoints[i].vpc)) {
			vpc_report(fn, arg, cfg, cfg->gateway_endpoints[i].line, "gateway endpoint "
				   "\"%s\": a gateway endpoint is %s",
				   cfg->gateway_endpoints[i].name, why);
			n++;
		}
	for (int i = 0; i < cfg->igw.n_eips; i++)
		for (int v = 0; v < cfg->n_vpcs; v++)
			if (cfg->vpcs[v].zone != 0 &&
			    cfg_prefix_contains(&cfg->vpcs[v].cidr, cfg->igw.eips[i].private_addr)) {
				vpc_report(fn, arg, cfg, cfg->igw.eips[i].line, "elastic IP: private "
					   "address in VPC \"%s\": an elastic IP is %s",
					   cfg->vpcs[v].name, why);
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
	uint32_t dst = rte_be_to_cpu_32(dp_ip_hdr(m, md)->dst_addr);
	int ds, from, peer;
	uint8_t z;

	RTE_SET_USED(dir);
	/* only what a subnet of one side sent (or an appliance returns for it) */
	if ((c->in != DP_IN_VPC && c->in != DP_IN_APPLIANCE) || c->src_subnet < 0) {
		dp_drop(m, DP_DROP_peering_not_transitive);
		return;
	}
	from = cfg->subnets[c->src_subnet].vpc;
	peer = pc->vpc[0] == from ? pc->vpc[1] : pc->vpc[0];
	/* the peer's subnets: its zone's, when it overlaps a third VPC */
	z = cfg->vpcs[peer].zone;
	ds = dp_subnet_lookup_zone(c->t, z, dst);
	if (ds < 0 || cfg->subnets[ds].vpc != peer || (pc->vpc[0] != from && pc->vpc[1] != from)) {
		dp_drop(m, DP_DROP_peering_not_transitive);
		return;
	}
	/* into another zone: as a transit gateway's hop (tgw/tgw_node.c) */
	if (unlikely(z != md->key.zone)) {
		c->zone_cross = true;
		c->from_zone = md->key.zone;
		md->key.zone = z;
	}
	dp_deliver_local(m, md, c, f);
}
