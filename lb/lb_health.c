/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The NLB as a client of the health-check engine (dp/health.h): its targets,
 * in global target index order, probed from the .1 of each target's subnet
 * (an IPv6 target's: its subnet's ::1)
 * with source port LB_PROBE_PORT_NLB + global target index; a change of
 * health republishes the Maglev table of the target's group.
 *
 * Health-driven Maglev changes are published by pointer swap (lb_tg_publish)
 * and the old table is freed after rte_rcu_qsbr_synchronize(): the control
 * thread may block, workers never do.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_rcu_qsbr.h>

#include "dp/dp.h"
#include "dp/health.h"
#include "dp/ip6.h"
#include "lb/lb.h"

/* An IPv6 target: probed from its subnet's router address (::1), through ND. */
static void
health6(const struct dp_tables *t, const uint8_t a[16], struct dp_health_target *d)
{
	int sn = t->ip6 != NULL ? dp_ip6_subnet(t->ip6, a) : -1;

	d->v6 = true;
	memcpy(d->addr6, a, 16);
	d->addr = dp_health_fold6(a);
	if (sn < 0)
		return;
	d->routable = true;
	d->out_port = (uint16_t)t->cfg->subnets[sn].port;
	memcpy(d->src6, t->cfg->subnets[sn].cidr6.addr, 16);
	memset(d->src6 + 8, 0, 8);
	d->src6[15] = 1;
}

static int
lb_health_describe(const struct dp_tables *t, struct dp_health_target *out, int max)
{
	const struct cfg *cfg = t->cfg;
	int n = 0;

	for (int g = 0; g < cfg->n_target_groups; g++) {
		const struct cfg_target_group *tg = &cfg->target_groups[g];

		for (int j = 0; j < tg->n_targets && n < max; j++, n++) {
			struct dp_health_target *d = &out[n];
			uint16_t port = tg->targets[j].port != 0 ? tg->targets[j].port : tg->port;
			int sn = cfg_subnet_of(cfg, tg->targets[j].addr);

			*d = (struct dp_health_target){
				.addr = tg->targets[j].addr,
				.port = port,
				.hc_port = dp_health_check_port(&tg->health, port),
				.group = g,
				.group_name = tg->name,
				.check = &tg->health,
				.dereg_ms = tg->deregistration_delay * 1000,
			};
			if (tg->ipv6) {
				health6(t, tg->targets[j].addr6, d);
				continue;
			}
			if (sn >= 0) {
				d->routable = true;
				d->out_port = (uint16_t)cfg->subnets[sn].port;
				d->src = cfg->subnets[sn].cidr.addr + 1;
			}
		}
	}
	return n;
}

/*
 * Republish the Maglev table of every group flagged in dirty (NULL: all) and
 * free the replaced ones after a grace period.
 */
static void
lb_health_changed(struct dp_tables *t, const bool *dirty, uint64_t now_ms)
{
	struct lb_maglev *old[DP_MAX_TARGETS];
	int n_old = 0;

	if (t == NULL || t->lb == NULL)
		return;
	for (int g = 0; g < t->lb->n_tgs; g++) {
		const struct lb_tg_rt *tg = &t->lb->tgs[g];
		bool usable[DP_MAX_TARGETS];

		if ((dirty != NULL && !dirty[g]) || tg->n == 0)
			continue;
		for (int i = 0; i < tg->n; i++)
			usable[i] = lb_target_healthy(tg->first + i) &&
				    !lb_target_draining(tg->first + i, now_ms);
		/* -ENOMEM: the previous table stays, the next change retries */
		if (lb_tg_publish(t, g, usable, &old[n_old]) == 0 && old[n_old] != NULL)
			n_old++;
	}
	if (n_old == 0)
		return;
	if (dp_g.rcu != NULL)
		rte_rcu_qsbr_synchronize(dp_g.rcu, RTE_QSBR_THRID_INVALID);
	for (int i = 0; i < n_old; i++)
		free(old[i]);
}

struct dp_health_client lb_health_client = {
	.type = "nlb",
	.sport_base = LB_PROBE_PORT_NLB,
	.max = DP_MAX_TARGETS,
	.describe = lb_health_describe,
	.changed = lb_health_changed,
};

bool
lb_target_healthy(int global_target)
{
	return dp_health_healthy(&lb_health_client, global_target);
}

bool
lb_target_draining(int global_target, uint64_t now_ms)
{
	return dp_health_draining(&lb_health_client, global_target, now_ms);
}

int
lb_health_start(struct dp_tables *t, struct dp_tables *old)
{
	return dp_health_start(t, old);
}

void
lb_health_poll(struct dp_tables *t, uint64_t now_ms)
{
	dp_health_poll(t, now_ms);
}

uint64_t
lb_health_next_ms(void)
{
	return dp_health_next_ms();
}
