/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Traffic mirroring, control side: the per-generation state workers read
 * (struct mr_state, mirror/mr_priv.h) built from cfg.mirrors, and the
 * counters' section "mirror" of --stats-json, Prometheus, /vpcgw/stats and
 * /vpcgw/mirror. Control and telemetry threads.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_mempool.h>

#include "dp/dp.h"
#include "dp/dp_service.h"
#include "dp/stats_writer.h"
#include "mirror/mr.h"
#include "mirror/mr_priv.h"

/* Outer headers of a copy: IPv4 20 + UDP 8 + VXLAN 8 (Ethernet is not in the MTU). */
#define MR_OUTER_L3 36u

static uint32_t
mask_of(uint8_t len)
{
	return len == 0 ? 0 : ~0u << (32 - len);
}

static uint32_t
add_rules(struct mr_rule *dst, const struct cfg_mirror_rule *r, int n)
{
	for (int i = 0; i < n; i++) {
		dst[i] = (struct mr_rule){
			.mask = mask_of(r[i].cidr.len),
			.net = r[i].cidr.addr & mask_of(r[i].cidr.len),
			.port_lo = r[i].port_lo, .port_hi = r[i].port_hi,
			.proto = r[i].proto, .accept = r[i].accept,
		};
	}
	return (uint32_t)n;
}

/* The ENI entry of addr, created at the end (its port from its subnet). */
static struct mr_eni *
eni_of(struct mr_state *s, const struct cfg *cfg, uint32_t addr)
{
	struct mr_eni *e;

	for (uint32_t i = 0; i < s->n_eni; i++)
		if (s->eni[i].addr == addr)
			return &s->eni[i];
	e = &s->eni[s->n_eni++];
	e->addr = addr;
	e->port = (uint16_t)cfg->subnets[cfg_subnet_of(cfg, addr)].port;
	return e;
}

static int
mr_build(struct dp_tables *t, char *err, size_t errlen)
{
	const struct cfg *cfg = t->cfg;
	struct mr_state *s;
	uint32_t nr = 0, k = 0;

	t->mirror = NULL;
	if (cfg->n_mirrors == 0)
		return 0;
	if (cfg->n_mirrors > MR_MAX_SESSIONS) {    /* mr_cfg.c refuses it first */
		snprintf(err, errlen, "traffic_mirror_sessions: more than %d", MR_MAX_SESSIONS);
		return -E2BIG;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		goto nomem;
	for (int i = 0; i < cfg->n_mirrors; i++)
		nr += (uint32_t)(cfg->mirrors[i].n_in + cfg->mirrors[i].n_out);
	s->rules = calloc(nr ? nr : 1, sizeof(*s->rules));
	if (s->rules == NULL)
		goto nomem;
	for (int i = 0; i < cfg->n_mirrors; i++) {
		const struct cfg_mirror_session *m = &cfg->mirrors[i];
		struct mr_sess *x = &s->sess[i];
		uint32_t mtu = cfg->ports[m->target_port].mtu;
		uint32_t mtu_room = mtu > MR_OUTER_L3 ? mtu - MR_OUTER_L3 : 0;

		x->idx = (uint16_t)i;
		x->port = (uint16_t)m->target_port;
		x->target = m->target_addr;
		x->vni_word = rte_cpu_to_be_32(m->vni << 8);
		/* the whole frame fits the target port's MTU; packet_length may cut more */
		x->max_inner = mtu_room;
		if (m->packet_length != 0 && m->packet_length < x->max_inner)
			x->max_inner = m->packet_length;
		x->in_first = s->n_rules;
		x->n_in = add_rules(&s->rules[s->n_rules], m->in, m->n_in);
		s->n_rules += x->n_in;
		x->out_first = s->n_rules;
		x->n_out = add_rules(&s->rules[s->n_rules], m->out, m->n_out);
		s->n_rules += x->n_out;
		eni_of(s, cfg, m->eni_addr)->n++;
		s->port_mask |= 1u << eni_of(s, cfg, m->eni_addr)->port;
	}
	/* sessions grouped by ENI, each group by session_number */
	for (uint32_t e = 0; e < s->n_eni; e++) {
		struct mr_eni *en = &s->eni[e];

		en->first = (uint16_t)k;
		for (int i = 0; i < cfg->n_mirrors; i++) {
			uint32_t j = k;

			if (cfg->mirrors[i].eni_addr != en->addr)
				continue;
			while (j > en->first && cfg->mirrors[s->order[j - 1]].session_number >
			       cfg->mirrors[i].session_number) {
				s->order[j] = s->order[j - 1];
				j--;
			}
			s->order[j] = (uint16_t)i;
			k++;
		}
	}
	/* copies leave the pool its last eighth: production never waits for them */
	s->pool_reserve = dp_g.pool != NULL ? dp_g.pool->size / 8 : 0;
	t->mirror = s;
	return 0;
nomem:
	if (s != NULL)
		free(s->rules);
	free(s);
	snprintf(err, errlen, "traffic mirroring: no memory");
	return -ENOMEM;
}

static void
mr_free(struct dp_tables *t)
{
	if (t->mirror == NULL)
		return;
	free(t->mirror->rules);
	free(t->mirror);
	t->mirror = NULL;
}

const struct dp_service mr_service = {
	.name = "mirror",
	.build = mr_build,
	.free = mr_free,
};

struct mr_ctr
mr_counters(int i)
{
	struct mr_ctr sum = { 0 };

	for (unsigned l = 0; l <= DP_MAX_WORKERS; l++) {
		const struct mr_ctr *c = &mr_ctr[l][i];

		sum.pkts += __atomic_load_n(&c->pkts, __ATOMIC_RELAXED);
		sum.bytes += __atomic_load_n(&c->bytes, __ATOMIC_RELAXED);
		sum.in += __atomic_load_n(&c->in, __ATOMIC_RELAXED);
		sum.out += __atomic_load_n(&c->out, __ATOMIC_RELAXED);
		for (int d = 0; d < MR_DROP_MAX; d++)
			sum.drop[d] += __atomic_load_n(&c->drop[d], __ATOMIC_RELAXED);
	}
	return sum;
}

static const char *const drop_names[MR_DROP_MAX] = {
	[MR_DROP_NO_MBUF] = "dropped_no_mbuf",
	[MR_DROP_TX_FULL] = "dropped_tx_full",
	[MR_DROP_TARGET_UNRESOLVED] = "dropped_target_unresolved",
	[MR_DROP_ENI_UNRESOLVED] = "dropped_eni_unresolved",
	[MR_DROP_OVERFLOW] = "dropped_overflow",
};

static void
mr_stats_emit(struct emitter *e, const struct dp_lcore_stats *ls, const struct cfg *cfg)
{
	struct mr_ctr tot = { 0 };
	int n = cfg->n_mirrors < MR_MAX_SESSIONS ? cfg->n_mirrors : MR_MAX_SESSIONS;

	(void)ls;
	em_open(e, "mirror");
	em_open(e, "sessions");
	for (int i = 0; i < n; i++) {
		struct mr_ctr c = mr_counters(i);

		em_open(e, cfg->mirrors[i].name);
		em_u64(e, "packets", c.pkts);
		em_u64(e, "bytes", c.bytes);
		em_u64(e, "inbound", c.in);
		em_u64(e, "outbound", c.out);
		for (int d = 0; d < MR_DROP_MAX; d++) {
			em_u64(e, drop_names[d], c.drop[d]);
			tot.drop[d] += c.drop[d];
		}
		em_close(e);
		tot.pkts += c.pkts;
		tot.bytes += c.bytes;
	}
	em_close(e);
	em_u64(e, "packets", tot.pkts);
	em_u64(e, "bytes", tot.bytes);
	for (int d = 0; d < MR_DROP_MAX; d++)
		em_u64(e, drop_names[d], tot.drop[d]);
	em_close(e);
}

static const struct dp_stats_label mr_labels[] = {
	{ "sessions", "session" },
	{ NULL, NULL },
};

const struct dp_stats_section mr_stats_section = {
	.name = "mirror",
	.emit = mr_stats_emit,
	.in_stats = true,
	.tel_cmd = "/vpcgw/mirror",
	/* under 128 bytes (RTE_TEL_MAX_STRING_LEN) or the command is refused */
	.tel_help = "Traffic mirroring: copies sent per session (packets, bytes), made "
		    "inbound/outbound, dropped by reason.",
	.labels = mr_labels,
};
