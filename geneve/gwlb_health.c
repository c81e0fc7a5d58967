/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The GWLB as a client of the health-check engine (dp/health.h): its
 * appliances, in global appliance index order, probed from the appliance
 * port's address with source port GNV_PROBE_PORT + global appliance index.
 * A change needs nothing rebuilt: appliance choice reads the flags.
 */
#include "dp/dp.h"
#include "dp/health.h"
#include "geneve/gnv.h"
#include "geneve/gnv_wire.h"

static int
gwlb_health_describe(const struct dp_tables *t, struct dp_health_target *out, int max)
{
	const struct cfg *cfg = t->cfg;
	int n = 0;

	for (int g = 0; g < cfg->n_gwlbs; g++) {
		const struct cfg_gwlb *gw = &cfg->gwlbs[g];

		for (int j = 0; j < gw->n_appliances && n < max; j++, n++) {
			struct dp_health_target *d = &out[n];

			*d = (struct dp_health_target){
				.addr = gw->appliances[j].addr,
				.port = GNV_UDP_PORT,
				.hc_port = dp_health_check_port(&gw->health, GNV_UDP_PORT),
				.group = g,
				.group_name = gw->name,
				.check = &gw->health,
			};
			if (gw->port >= 0 && gw->port < cfg->n_ports) {
				d->routable = true;
				d->out_port = (uint16_t)gw->port;
				d->src = cfg->ports[gw->port].addr;
			}
		}
	}
	return n;
}

struct dp_health_client gwlb_health_client = {
	.type = "gwlb",
	.sport_base = GNV_PROBE_PORT,
	.max = DP_MAX_APPLIANCES,
	.describe = gwlb_health_describe,
};

bool
gnv_appliance_healthy(int global_appliance)
{
	return dp_health_healthy(&gwlb_health_client, global_appliance);
}
