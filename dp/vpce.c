/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Gateway endpoints (SPEC §8, dp/vpce.h): the route target, the return
 * path's ingress check, the tables of a generation and the counters.
 *
 * Packets through an endpoint never get a cached action (c->act_op is
 * DP_ACT_NONE when they leave): the fast stage has no accounting for
 * endpoints, so each packet toward one takes the policy stage, where it is
 * counted. Returns are counted at ingress (ip_input runs for every packet
 * of a port that is not a port of subnets only) and may use the fast path.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dp/dp.h"
#include "dp/dp_flow.h"
#include "dp/dp_pipe.h"
#include "dp/dp_pkt.h"
#include "dp/dp_worker.h"
#include "dp/vpce.h"

/* ------------------------------------------------------------ tables */

int
dp_vpce_build(struct dp_tables *t)
{
	const struct cfg *cfg = t->cfg;
	struct dp_lpm_prefix *p;
	struct dp_vpce *v;
	int n = 0, rc = 0;

	if (cfg->n_gateway_endpoints == 0)
		return 0;
	for (int i = 0; i < cfg->n_gateway_endpoints; i++)
		n += cfg->prefix_lists[cfg->gateway_endpoints[i].prefix_list].n_cidrs;
	v = calloc(1, sizeof(*v));
	p = calloc((size_t)n, sizeof(*p));
	if (v == NULL || p == NULL) {
		free(v);
		free(p);
		return -ENOMEM;
	}
	v->none = (uint32_t)cfg->n_gateway_endpoints;
	t->vpce = v;
	for (int port = 0; port < cfg->n_ports && rc == 0; port++) {
		unsigned k = 0;

		for (int i = 0; i < cfg->n_gateway_endpoints; i++) {
			const struct cfg_gateway_endpoint *e = &cfg->gateway_endpoints[i];
			const struct cfg_prefix_list *pl = &cfg->prefix_lists[e->prefix_list];

			if (e->port != port)
				continue;
			for (int j = 0; j < pl->n_cidrs; j++)
				p[k++] = (struct dp_lpm_prefix){ pl->cidrs[j].addr, pl->cidrs[j].len,
								 (uint32_t)i };
		}
		if (k == 0)
			continue;
		rc = dp_lpm_build(&v->src[port], p, k, v->none);
		v->has_src[port] = rc == 0;
	}
	free(p);
	return rc;
}

void
dp_vpce_free(struct dp_tables *t)
{
	if (t->vpce == NULL)
		return;
	for (int i = 0; i < DP_MAX_PORTS; i++)
		if (t->vpce->has_src[i])
			dp_lpm_free(&t->vpce->src[i]);
	free(t->vpce);
	t->vpce = NULL;
}

/* ------------------------------------------------------------ packets */

bool
dp_vpce_ingress(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c)
{
	const struct dp_vpce *v = c->t->vpce;
	uint32_t src = rte_be_to_cpu_32(dp_ip_hdr(m, md)->src_addr), e;
	struct dp_vpce_stats *st;

	e = v != NULL && v->has_src[md->in_port] ? dp_lpm_lookup(&v->src[md->in_port], src)
						   : UINT32_MAX;
	if (v == NULL || e >= v->none) {
		dp_drop(m, DP_DROP_vpce_src_unknown);
		return false;
	}
	/* several VPCs: only into the endpoint's own (the local route covers all) */
	if (unlikely(c->t->vpc_rt != NULL)) {
		int ds = dp_subnet_lookup(c->t, rte_be_to_cpu_32(dp_ip_hdr(m, md)->dst_addr));

		if (ds < 0 || c->t->cfg->subnets[ds].vpc != c->t->cfg->gateway_endpoints[e].vpc) {
			dp_drop(m, DP_DROP_no_route);
			return false;
		}
	}
	st = &dp_stats_self()->vpce[e];
	st->pkts_in++;
	st->bytes_in += rte_pktmbuf_pkt_len(m) - md->l3;
	c->in = DP_IN_VPCE;
	return true;
}

void
dp_vpce_target(struct rte_mbuf *m, struct dp_meta *md, struct dp_pctx *c, struct dp_flow *f,
	       int dir, const struct dp_route *r)
{
	const struct cfg_gateway_endpoint *e = &c->t->cfg->gateway_endpoints[r->ref];
	struct dp_vpce_stats *st = &dp_stats_self()->vpce[r->ref];

	RTE_SET_USED(dir);
	/* from the VPC (or what an appliance returns for it) only: nothing
	 * transits from the internet or another endpoint */
	if (c->in != DP_IN_VPC && c->in != DP_IN_APPLIANCE) {
		dp_drop(m, DP_DROP_no_route);
		return;
	}
	if (!dp_egress_policy(m, md, c, f))
		return;
	c->act_op = DP_ACT_NONE;        /* counted here, packet by packet */
	st->pkts_out++;
	st->bytes_out += rte_pktmbuf_pkt_len(m) - md->l3;
	if ((md->flags & (DP_M_FRAG | DP_M_LATER_FRAG)) == DP_M_FRAG)
		dp_frag_record(m, md, c->osrc, c->odst, c->now);
	dp_output(m, md, (uint16_t)e->port, e->next_hop, c);
}

/* ------------------------------------------------------------ counters */

static void
vpce_stats_emit(struct emitter *em, const struct dp_lcore_stats *s, const struct cfg *cfg)
{
	if (cfg->n_gateway_endpoints == 0)
		return;         /* a configuration without endpoints: output as before */
	em_open(em, "gateway_endpoints");
	for (int i = 0; i < cfg->n_gateway_endpoints && i < DP_MAX_VPCE; i++) {
		const struct dp_vpce_stats *v = &s->vpce[i];

		em_open(em, cfg->gateway_endpoints[i].name);
		em_u64(em, "packets_out", v->pkts_out);
		em_u64(em, "bytes_out", v->bytes_out);
		em_u64(em, "packets_in", v->pkts_in);
		em_u64(em, "bytes_in", v->bytes_in);
		em_close(em);
	}
	em_close(em);
}

static void
vpce_stats_print(FILE *f, const struct dp_lcore_stats *s, const struct cfg *cfg)
{
	for (int i = 0; i < cfg->n_gateway_endpoints && i < DP_MAX_VPCE; i++)
		fprintf(f, "gateway endpoint %s: out %" PRIu64 " packets %" PRIu64 " bytes, in %"
			PRIu64 " packets %" PRIu64 " bytes\n", cfg->gateway_endpoints[i].name,
			s->vpce[i].pkts_out, s->vpce[i].bytes_out, s->vpce[i].pkts_in,
			s->vpce[i].bytes_in);
}

static const struct dp_stats_label vpce_labels[] = {
	{ "gateway_endpoints", "gateway_endpoint" },
	{ NULL, NULL },
};

const struct dp_stats_section dp_vpce_stats_section = {
	.name = "gateway_endpoints",
	.emit = vpce_stats_emit,
	.in_stats = true,
	.tel_cmd = "/vpcgw/gateway_endpoints",
	.tel_help = "Gateway endpoint counters (packets and bytes each way). "
		    "Params: [SECTION][,PAGE].",
	.print = vpce_stats_print,
	.labels = vpce_labels,
};
