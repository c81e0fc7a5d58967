/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Security-group evaluator: see sg.h.
 *
 * Layout. For each ENI and direction the rules of all its groups are copied
 * into four buckets by the protocol class of the packets they can match
 * (TCP, UDP, ICMP, other); a rule of protocol "all" is copied into every
 * bucket. A TCP packet therefore scans only TCP and "all" rules and never
 * compares protocols. Inside a bucket the 0.0.0.0/0 rules come first, so the
 * first matching rule also answers the untracked question: if it is not a
 * 0.0.0.0/0 rule, no 0.0.0.0/0 rule matches.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fw/sg.h"

enum fw_sg_class {
	FW_SG_CLASS_TCP = 0,
	FW_SG_CLASS_UDP,
	FW_SG_CLASS_ICMP,
	FW_SG_CLASS_OTHER,
	FW_SG_CLASS_MAX,
};

#define FW_SG_IPPROTO_ICMP 1
#define FW_SG_IPPROTO_TCP 6
#define FW_SG_IPPROTO_UDP 17

struct fw_sg_rule {
	uint32_t net;       /* host order, already masked */
	uint32_t mask;
	int32_t sg;         /* >= 0: peer must be an ENI holding this group (net/mask unused) */
	uint16_t proto;     /* compared in the OTHER bucket only */
	uint16_t port_lo;   /* TCP/UDP buckets; 0-65535 for "all" rules */
	uint16_t port_hi;
	int16_t icmp_type;  /* ICMP bucket; -1 any */
	int16_t icmp_code;
	bool any_peer;      /* CIDR 0.0.0.0/0 */
	int16_t owner;      /* the group the rule comes from (counters) */
};

struct fw_sg_eni {
	uint32_t off[2][FW_SG_CLASS_MAX];   /* [dir][class] first rule in ctx->rules */
	uint32_t n[2][FW_SG_CLASS_MAX];
	/* [dir][TCP/UDP]: dir has a rule allowing every port of that protocol to/from 0/0 */
	bool all_open[2][2];
	struct cfg_sg_timeouts timeouts;
};

struct fw_sg_addr {
	uint32_t addr;
	int32_t eni;
	uint8_t zone;               /* its VPC's flow zone (cfg_vpc.zone) */
};

struct fw_sg_ctx {
	int n_enis;
	int n_sgs;
	uint32_t bm_words;          /* 64-bit words of group bitmap per ENI */
	struct fw_sg_eni *enis;
	struct fw_sg_rule *rules;
	uint64_t *member;           /* n_enis * bm_words: bit g set when the ENI holds group g */
	struct fw_sg_addr *by_addr; /* sorted by address, then ENI index */
	struct fw_sg6_ctx *v6;      /* the IPv6 rules and addresses (sg6.c) */
};

static const struct cfg_sg_timeouts fw_sg_default_timeouts = {
	.tcp_established = 432000,
	.udp = 30,
	.udp_stream = 180,
	.other = 600,
};

static int
sg_class_of(uint16_t proto)
{
	switch (proto) {
	case FW_SG_IPPROTO_TCP:
		return FW_SG_CLASS_TCP;
	case FW_SG_IPPROTO_UDP:
		return FW_SG_CLASS_UDP;
	case FW_SG_IPPROTO_ICMP:
		return FW_SG_CLASS_ICMP;
	default:
		return FW_SG_CLASS_OTHER;
	}
}

static bool
sg_rule_in_class(const struct cfg_rule *r, int cls)
{
	return r->proto == CFG_PROTO_ALL || sg_class_of(r->proto) == cls;
}

static bool
sg_rule_any_peer(const struct cfg_rule *r)
{
	return r->sg < 0 && !r->v6 && r->cidr.len == 0;
}

/* The valid, distinct group indexes of ENI e; returns how many. */
static int
sg_eni_groups(const struct cfg *cfg, const struct cfg_eni *e, int out[CFG_MAX_SG_PER_ENI])
{
	int n = 0;
	int i, j;

	for (i = 0; i < e->n_sgs && i < CFG_MAX_SG_PER_ENI; i++) {
		int g = e->sgs[i];

		if (g < 0 || g >= cfg->n_sgs)
			continue;
		for (j = 0; j < n; j++)
			if (out[j] == g)
				break;
		if (j == n)
			out[n++] = g;
	}
	return n;
}

static void
sg_dir_rules(const struct cfg_sg *sg, int dir, const struct cfg_rule **rules, int *n)
{
	if (dir == FW_DIR_INGRESS) {
		*rules = sg->ingress;
		*n = sg->n_ingress;
	} else {
		*rules = sg->egress;
		*n = sg->n_egress;
	}
}

/* A rule naming a group that does not exist can never match: leave it out. */
static bool
sg_rule_usable(const struct cfg *cfg, const struct cfg_rule *r)
{
	return r->sg < cfg->n_sgs && r->cidr.len <= 32 && !r->v6;   /* IPv6: sg6.c */
}

static void
sg_rule_compile(struct fw_sg_rule *d, const struct cfg_rule *r, int cls)
{
	uint32_t mask = r->cidr.len == 0 ? 0 : UINT32_MAX << (32 - r->cidr.len);
	bool all = r->proto == CFG_PROTO_ALL;

	memset(d, 0, sizeof(*d));
	d->mask = mask;
	d->net = r->cidr.addr & mask;
	d->sg = r->sg < 0 ? -1 : r->sg;
	d->proto = r->proto;
	d->any_peer = sg_rule_any_peer(r);
	/* Ports and ICMP fields only restrict rules of that very protocol. */
	if (!all && (cls == FW_SG_CLASS_TCP || cls == FW_SG_CLASS_UDP)) {
		d->port_lo = r->port_lo;
		d->port_hi = r->port_hi;
	} else {
		d->port_lo = 0;
		d->port_hi = UINT16_MAX;
	}
	if (!all && cls == FW_SG_CLASS_ICMP) {
		d->icmp_type = r->icmp_type;
		d->icmp_code = r->icmp_code;
	} else {
		d->icmp_type = -1;
		d->icmp_code = -1;
	}
}

/*
 * Copy into dst (when not NULL) the rules of groups[] in direction dir that
 * belong to bucket cls, the 0.0.0.0/0 ones first. Returns how many.
 */
static uint32_t
sg_bucket_fill(const struct cfg *cfg, const int *groups, int n_groups, int dir, int cls,
	       struct fw_sg_rule *dst)
{
	uint32_t n = 0;
	int pass, g, i;

	for (pass = 0; pass < 2; pass++) {
		bool want_any = pass == 0;

		for (g = 0; g < n_groups; g++) {
			const struct cfg_rule *rules;
			int nr;

			sg_dir_rules(&cfg->sgs[groups[g]], dir, &rules, &nr);
			for (i = 0; i < nr; i++) {
				const struct cfg_rule *r = &rules[i];

				if (!sg_rule_usable(cfg, r) || !sg_rule_in_class(r, cls) ||
				    sg_rule_any_peer(r) != want_any)
					continue;
				if (dst != NULL) {
					sg_rule_compile(&dst[n], r, cls);
					dst[n].owner = (int16_t)groups[g];
				}
				n++;
			}
		}
	}
	return n;
}

static bool
sg_all_open(const struct cfg *cfg, const int *groups, int n_groups, int dir, uint16_t proto)
{
	int g, i;

	for (g = 0; g < n_groups; g++) {
		const struct cfg_rule *rules;
		int nr;

		sg_dir_rules(&cfg->sgs[groups[g]], dir, &rules, &nr);
		for (i = 0; i < nr; i++) {
			const struct cfg_rule *r = &rules[i];

			if (!sg_rule_any_peer(r))
				continue;
			if (r->proto == CFG_PROTO_ALL)
				return true;
			if (r->proto == proto && r->port_lo == 0 && r->port_hi == UINT16_MAX)
				return true;
		}
	}
	return false;
}

static void
sg_timeouts_merge(struct cfg_sg_timeouts *to, const struct cfg_sg_timeouts *from, bool first)
{
	if (first) {
		*to = *from;
		return;
	}
	if (from->tcp_established > to->tcp_established)
		to->tcp_established = from->tcp_established;
	if (from->udp > to->udp)
		to->udp = from->udp;
	if (from->udp_stream > to->udp_stream)
		to->udp_stream = from->udp_stream;
	if (from->other > to->other)
		to->other = from->other;
}

static int
sg_addr_cmp(const void *a, const void *b)
{
	const struct fw_sg_addr *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->eni < y->eni ? -1 : x->eni > y->eni;
}

void
fw_sg_free(struct fw_sg_ctx *ctx)
{
	if (ctx == NULL)
		return;
	free(ctx->enis);
	free(ctx->rules);
	free(ctx->member);
	free(ctx->by_addr);
	fw_sg6_free(ctx->v6);
	free(ctx);
}

struct fw_sg_ctx *
fw_sg_build(const struct cfg *cfg)
{
	struct fw_sg_ctx *ctx;
	size_t total = 0, pos = 0;
	int e, dir, cls, g;

	ctx = calloc(1, sizeof(*ctx));
	if (ctx == NULL)
		return NULL;
	ctx->n_enis = cfg->n_enis > 0 ? cfg->n_enis : 0;
	ctx->n_sgs = cfg->n_sgs > 0 ? cfg->n_sgs : 0;
	ctx->bm_words = (ctx->n_sgs + 63) / 64;
	if (ctx->bm_words == 0)
		ctx->bm_words = 1;

	/* +1 so that a configuration without ENI still gets non-NULL arrays. */
	ctx->enis = calloc(ctx->n_enis + 1, sizeof(*ctx->enis));
	ctx->member = calloc((size_t)(ctx->n_enis + 1) * ctx->bm_words, sizeof(uint64_t));
	ctx->by_addr = calloc(ctx->n_enis + 1, sizeof(*ctx->by_addr));
	if (ctx->enis == NULL || ctx->member == NULL || ctx->by_addr == NULL)
		goto fail;

	for (e = 0; e < ctx->n_enis; e++) {
		int groups[CFG_MAX_SG_PER_ENI];
		int ng = sg_eni_groups(cfg, &cfg->enis[e], groups);
		struct fw_sg_eni *fe = &ctx->enis[e];

		for (dir = 0; dir < 2; dir++)
			for (cls = 0; cls < FW_SG_CLASS_MAX; cls++) {
				fe->n[dir][cls] = sg_bucket_fill(cfg, groups, ng, dir, cls, NULL);
				total += fe->n[dir][cls];
			}
	}
	ctx->rules = calloc(total + 1, sizeof(*ctx->rules));
	if (ctx->rules == NULL)
		goto fail;

	for (e = 0; e < ctx->n_enis; e++) {
		int groups[CFG_MAX_SG_PER_ENI];
		int ng = sg_eni_groups(cfg, &cfg->enis[e], groups);
		struct fw_sg_eni *fe = &ctx->enis[e];
		uint64_t *bm = &ctx->member[(size_t)e * ctx->bm_words];

		for (dir = 0; dir < 2; dir++) {
			for (cls = 0; cls < FW_SG_CLASS_MAX; cls++) {
				fe->off[dir][cls] = pos;
				pos += sg_bucket_fill(cfg, groups, ng, dir, cls, &ctx->rules[pos]);
			}
			fe->all_open[dir][FW_SG_CLASS_TCP] =
				sg_all_open(cfg, groups, ng, dir, FW_SG_IPPROTO_TCP);
			fe->all_open[dir][FW_SG_CLASS_UDP] =
				sg_all_open(cfg, groups, ng, dir, FW_SG_IPPROTO_UDP);
		}
		fe->timeouts = fw_sg_default_timeouts;
		for (g = 0; g < ng; g++) {
			bm[groups[g] / 64] |= UINT64_C(1) << (groups[g] % 64);
			sg_timeouts_merge(&fe->timeouts, &cfg->sgs[groups[g]].timeouts, g == 0);
		}
		ctx->by_addr[e].addr = cfg->enis[e].addr;
		ctx->by_addr[e].eni = e;
		if (cfg->enis[e].subnet >= 0 && cfg->vpcs != NULL &&
		    cfg->subnets[cfg->enis[e].subnet].vpc >= 0)
			ctx->by_addr[e].zone = cfg->vpcs[cfg->subnets[cfg->enis[e].subnet].vpc].zone;
	}
	qsort(ctx->by_addr, ctx->n_enis, sizeof(*ctx->by_addr), sg_addr_cmp);
	ctx->v6 = fw_sg6_build(cfg);
	if (ctx->v6 == NULL)
		goto fail;
	return ctx;

fail:
	fw_sg_free(ctx);
	errno = ENOMEM;
	return NULL;
}

/* The first entry of by_addr (sorted by address, then ENI index) with
 * address addr or above. */
static int
eni_lower_bound(const struct fw_sg_ctx *ctx, uint32_t addr)
{
	int lo = 0, hi = ctx->n_enis;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (ctx->by_addr[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int
fw_sg_eni_find(const struct fw_sg_ctx *ctx, uint32_t addr)
{
	/* with a duplicate address the lowest ENI index wins */
	int lo = eni_lower_bound(ctx, addr);

	if (lo < ctx->n_enis && ctx->by_addr[lo].addr == addr)
		return ctx->by_addr[lo].eni;
	return -1;
}

int
fw_sg_eni_find_zone(const struct fw_sg_ctx *ctx, uint32_t addr, uint8_t zone)
{
	/* overlapping VPCs: one address, an ENI in each */
	for (int lo = eni_lower_bound(ctx, addr);
	     lo < ctx->n_enis && ctx->by_addr[lo].addr == addr; lo++)
		if (ctx->by_addr[lo].zone == zone)
			return ctx->by_addr[lo].eni;
	return -1;
}

static inline bool
sg_eni_has_group(const struct fw_sg_ctx *ctx, int eni, int32_t g)
{
	return (ctx->member[(size_t)eni * ctx->bm_words + g / 64] >> (g % 64)) & 1;
}

int
fw_sg_check(const struct fw_sg_ctx *ctx, int eni, enum fw_dir dir, const struct fw_sg_pkt *p)
{
	return fw_sg_check_group(ctx, eni, dir, p, NULL);
}

int
fw_sg_check_group(const struct fw_sg_ctx *ctx, int eni, enum fw_dir dir,
		  const struct fw_sg_pkt *p, int *group)
{
	const struct fw_sg_eni *fe;
	const struct fw_sg_rule *r, *end;
	int peer_eni = -2;  /* -2: not looked up yet; only sg:NAME rules need it */
	int cls;

	if (eni < 0 || eni >= ctx->n_enis || (unsigned int)dir > FW_DIR_EGRESS)
		return FW_SG_DENY;
	fe = &ctx->enis[eni];
	cls = sg_class_of(p->proto);
	r = &ctx->rules[fe->off[dir][cls]];
	end = r + fe->n[dir][cls];

	for (; r < end; r++) {
		switch (cls) {
		case FW_SG_CLASS_TCP:
		case FW_SG_CLASS_UDP:
			if (p->dport < r->port_lo || p->dport > r->port_hi)
				continue;
			break;
		case FW_SG_CLASS_ICMP:
			if ((r->icmp_type >= 0 && r->icmp_type != p->icmp_type) ||
			    (r->icmp_code >= 0 && r->icmp_code != p->icmp_code))
				continue;
			break;
		default:
			if (r->proto != CFG_PROTO_ALL && r->proto != p->proto)
				continue;
			break;
		}
		if (r->sg >= 0) {
			if (peer_eni == -2)
				peer_eni = fw_sg_eni_find_zone(ctx, p->peer, p->zone);
			if (peer_eni < 0 || !sg_eni_has_group(ctx, peer_eni, r->sg))
				continue;
		} else if ((p->peer & r->mask) != r->net) {
			continue;
		}
		/* First match; 0/0 rules are first, so later ones cannot be 0/0 matches. */
		if (group != NULL)
			*group = r->owner;
		if (r->any_peer && cls <= FW_SG_CLASS_UDP && fe->all_open[!dir][cls])
			return FW_SG_ALLOW_UNTRACKED;
		return FW_SG_ALLOW_TRACKED;
	}
	return FW_SG_DENY;
}

const struct fw_sg6_ctx *
fw_sg_v6(const struct fw_sg_ctx *ctx)
{
	return ctx->v6;
}

const struct cfg_sg_timeouts *
fw_sg_timeouts(const struct fw_sg_ctx *ctx, int eni)
{
	if (eni < 0 || eni >= ctx->n_enis)
		return &fw_sg_default_timeouts;
	return &ctx->enis[eni].timeouts;
}
