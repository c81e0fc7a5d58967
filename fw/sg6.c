/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Security groups for IPv6 (SPEC §7): see sg.h. The rules with an IPv6 CIDR
 * of each ENI's groups, and its sg:NAME rules (matched against the peer's
 * address6: a group reference means the addresses of its members, both
 * families, as in AWS), per ENI and direction in one list, the ::/0 rules
 * first, so that the first match answers the untracked question as in sg.c:
 * a rule to/from ::/0 for every port of TCP/UDP in both directions is not
 * tracked. An ENI without address6 has no IPv6 traffic to filter.
 *
 * A linear list per ENI and direction: AWS allows 60 rules per direction
 * per group and 5 groups per ENI; IPv6 rules are usually a few. Pure C.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fw/sg.h"

struct sg6_rule {
	uint8_t net[16];    /* masked */
	uint8_t len;
	bool any_peer;      /* ::/0 */
	int16_t owner;      /* the group the rule comes from */
	int32_t sg;         /* >= 0: sg:NAME */
	uint16_t proto;     /* or CFG_PROTO_ALL */
	uint16_t port_lo, port_hi;
	int16_t icmp_type, icmp_code;
};

struct sg6_eni {
	uint32_t off[2], n[2];
	bool all_open[2][2];    /* [dir][tcp, udp]: every port to/from ::/0 */
};

struct sg6_addr {
	uint8_t addr[16];
	int32_t eni;
};

struct fw_sg6_ctx {
	const struct cfg *cfg;      /* lives as long as the tables holding this */
	struct sg6_eni *enis;
	struct sg6_rule *rules;
	struct sg6_addr *by_addr;
	int n_addr;
};

static bool
rule6_usable(const struct cfg *cfg, const struct cfg_rule *r)
{
	return r->sg >= 0 ? r->sg < cfg->n_sgs : r->v6;
}

static bool
rule6_any(const struct cfg_rule *r)
{
	return r->sg < 0 && r->v6 && r->cidr6.len == 0;
}

static void
rule6_compile(struct sg6_rule *d, const struct cfg_rule *r, int owner)
{
	memset(d, 0, sizeof(*d));
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = r->cidr6.len >= 8 * (i + 1) ? 8 : r->cidr6.len > 8 * i ?
				r->cidr6.len - 8 * i : 0;

		d->net[i] = bits == 0 ? 0 : r->cidr6.addr[i] & (uint8_t)(0xff << (8 - bits));
	}
	d->len = r->cidr6.len;
	d->any_peer = rule6_any(r);
	d->owner = (int16_t)owner;
	d->sg = r->sg;
	d->proto = r->proto;
	d->port_lo = r->proto == CFG_L4_TCP || r->proto == CFG_L4_UDP ? r->port_lo : 0;
	d->port_hi = r->proto == CFG_L4_TCP || r->proto == CFG_L4_UDP ? r->port_hi : UINT16_MAX;
	d->icmp_type = r->proto == 58 ? r->icmp_type : -1;
	d->icmp_code = r->proto == 58 ? r->icmp_code : -1;
}

/* The rules of ENI e in direction dir into dst (NULL: count), ::/0 first. */
static uint32_t
eni_fill(const struct cfg *cfg, const struct cfg_eni *e, int dir, struct sg6_rule *dst)
{
	uint32_t n = 0;

	for (int pass = 0; pass < 2; pass++)
		for (int g = 0; g < e->n_sgs; g++) {
			const struct cfg_sg *sg = &cfg->sgs[e->sgs[g]];
			const struct cfg_rule *rs = dir == FW_DIR_INGRESS ? sg->ingress : sg->egress;
			int nr = dir == FW_DIR_INGRESS ? sg->n_ingress : sg->n_egress;

			for (int i = 0; i < nr; i++) {
				if (!rule6_usable(cfg, &rs[i]) || rule6_any(&rs[i]) != (pass == 0))
					continue;
				if (dst != NULL)
					rule6_compile(&dst[n], &rs[i], e->sgs[g]);
				n++;
			}
		}
	return n;
}

static bool
eni_all_open(const struct cfg *cfg, const struct cfg_eni *e, int dir, uint16_t proto)
{
	for (int g = 0; g < e->n_sgs; g++) {
		const struct cfg_sg *sg = &cfg->sgs[e->sgs[g]];
		const struct cfg_rule *rs = dir == FW_DIR_INGRESS ? sg->ingress : sg->egress;
		int nr = dir == FW_DIR_INGRESS ? sg->n_ingress : sg->n_egress;

		for (int i = 0; i < nr; i++)
			if (rule6_any(&rs[i]) && (rs[i].proto == CFG_PROTO_ALL ||
			    (rs[i].proto == proto && rs[i].port_lo == 0 && rs[i].port_hi == UINT16_MAX)))
				return true;
	}
	return false;
}

static int
addr_cmp(const void *a, const void *b)
{
	const struct sg6_addr *x = a, *y = b;
	int c = memcmp(x->addr, y->addr, 16);

	return c != 0 ? c : (x->eni > y->eni) - (x->eni < y->eni);
}

void
fw_sg6_free(struct fw_sg6_ctx *ctx)
{
	if (ctx == NULL)
		return;
	free(ctx->enis);
	free(ctx->rules);
	free(ctx->by_addr);
	free(ctx);
}

struct fw_sg6_ctx *
fw_sg6_build(const struct cfg *cfg)
{
	struct fw_sg6_ctx *ctx = calloc(1, sizeof(*ctx));
	int ne = cfg->n_enis > 0 ? cfg->n_enis : 0;
	uint32_t total = 0, pos = 0;

	if (ctx == NULL)
		return NULL;
	ctx->cfg = cfg;
	ctx->enis = calloc((size_t)ne + 1, sizeof(*ctx->enis));
	ctx->by_addr = calloc((size_t)ne + 1, sizeof(*ctx->by_addr));
	if (ctx->enis == NULL || ctx->by_addr == NULL)
		goto fail;
	for (int e = 0; e < ne; e++)
		if (cfg->enis[e].has_addr6)
			for (int d = 0; d < 2; d++)
				total += eni_fill(cfg, &cfg->enis[e], d, NULL);
	ctx->rules = calloc(total + 1, sizeof(*ctx->rules));
	if (ctx->rules == NULL)
		goto fail;
	for (int e = 0; e < ne; e++) {
		const struct cfg_eni *ce = &cfg->enis[e];
		struct sg6_eni *fe = &ctx->enis[e];

		if (!ce->has_addr6)
			continue;
		for (int d = 0; d < 2; d++) {
			fe->off[d] = pos;
			fe->n[d] = eni_fill(cfg, ce, d, &ctx->rules[pos]);
			pos += fe->n[d];
			fe->all_open[d][0] = eni_all_open(cfg, ce, d, CFG_L4_TCP);
			fe->all_open[d][1] = eni_all_open(cfg, ce, d, CFG_L4_UDP);
		}
		memcpy(ctx->by_addr[ctx->n_addr].addr, ce->addr6, 16);
		ctx->by_addr[ctx->n_addr++].eni = e;
	}
	qsort(ctx->by_addr, (size_t)ctx->n_addr, sizeof(*ctx->by_addr), addr_cmp);
	return ctx;
fail:
	fw_sg6_free(ctx);
	return NULL;
}

int
fw_sg6_eni_find(const struct fw_sg6_ctx *ctx, const uint8_t a[16])
{
	int lo = 0, hi = ctx->n_addr;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (memcmp(ctx->by_addr[mid].addr, a, 16) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ctx->n_addr && memcmp(ctx->by_addr[lo].addr, a, 16) == 0 ?
	       ctx->by_addr[lo].eni : -1;
}

static bool
prefix_match(const struct sg6_rule *r, const uint8_t *a)
{
	unsigned full = r->len / 8, rest = r->len % 8;

	if (memcmp(r->net, a, full) != 0)
		return false;
	return rest == 0 || (a[full] & (uint8_t)(0xff << (8 - rest))) == r->net[full];
}

static bool
eni_has_group(const struct cfg *cfg, int eni, int g)
{
	for (int i = 0; i < cfg->enis[eni].n_sgs; i++)
		if (cfg->enis[eni].sgs[i] == g)
			return true;
	return false;
}

int
fw_sg6_check(const struct fw_sg6_ctx *ctx, int eni, enum fw_dir dir,
	     const struct fw_sg6_pkt *p, int *group)
{
	const struct sg6_rule *r, *end;
	int peer = -2, cls = p->proto == CFG_L4_TCP ? 0 : p->proto == CFG_L4_UDP ? 1 : -1;

	if (eni < 0 || eni >= ctx->cfg->n_enis || (unsigned)dir > FW_DIR_EGRESS)
		return FW_SG_DENY;
	r = &ctx->rules[ctx->enis[eni].off[dir]];
	end = r + ctx->enis[eni].n[dir];
	for (; r < end; r++) {
		if (r->proto != CFG_PROTO_ALL && r->proto != p->proto)
			continue;
		if (cls >= 0 && (p->dport < r->port_lo || p->dport > r->port_hi))
			continue;
		if ((r->icmp_type >= 0 && r->icmp_type != p->icmp_type) ||
		    (r->icmp_code >= 0 && r->icmp_code != p->icmp_code))
			continue;
		if (r->sg >= 0) {
			if (peer == -2)
				peer = fw_sg6_eni_find(ctx, p->peer);
			if (peer < 0 || !eni_has_group(ctx->cfg, peer, r->sg))
				continue;
		} else if (!prefix_match(r, p->peer)) {
			continue;
		}
		if (group != NULL)
			*group = r->owner;
		if (r->any_peer && cls >= 0 && ctx->enis[eni].all_open[!dir][cls])
			return FW_SG_ALLOW_UNTRACKED;
		return FW_SG_ALLOW_TRACKED;
	}
	return FW_SG_DENY;
}
