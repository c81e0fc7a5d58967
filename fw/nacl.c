/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Network ACL classifier: see nacl.h.
 *
 * Field layout (rte_acl wants the first field 1 byte long and the others
 * grouped in 4-byte input words):
 *   word 0: proto   BITMASK, 1 byte   (the 3 pad bytes are not looked at)
 *   word 1: src     MASK, 4 bytes     (value host order, mask_range = prefix length)
 *   word 2: dst     MASK, 4 bytes
 *   word 3: sport   RANGE, 2 bytes; dport RANGE, 2 bytes
 * Rule values are in host byte order; rte_acl reads the keys in network order.
 *
 * Matching follows AWS: a TCP/UDP rule's port range matches the destination
 * port; an ICMP rule's type/code match sport/dport of the key (the data plane
 * puts type and code there); "all" matches every protocol, ports or not.
 * An ingress rule's CIDR matches the source, an egress rule's the destination.
 *
 * Priority: rte_acl returns the matching rule of highest priority, so rule
 * number N gets priority FW_NACL_PRIO_BASE - N: the lowest number wins, as in
 * AWS, whatever the CIDR specificity. userdata = N << 1 | allow (never 0,
 * which rte_acl reserves for "no match" = the implicit deny).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_acl.h>
#include <rte_common.h>
#include <rte_errno.h>

#include "fw/nacl.h"

#define FW_NACL_RULE_MAX 32766
#define FW_NACL_PRIO_BASE (FW_NACL_RULE_MAX + 1)
#define FW_NACL_IPPROTO_ICMP 1
#define FW_NACL_IPPROTO_TCP 6
#define FW_NACL_IPPROTO_UDP 17
/* Keys classified per rte_acl_classify() call: bounds the results array on the stack. */
#define FW_NACL_CHUNK 64

enum {
	FW_ACL_FIELD_PROTO,
	FW_ACL_FIELD_SRC,
	FW_ACL_FIELD_DST,
	FW_ACL_FIELD_SPORT,
	FW_ACL_FIELD_DPORT,
	FW_ACL_NUM_FIELDS,
};

RTE_ACL_RULE_DEF(fw_acl_rule, FW_ACL_NUM_FIELDS);

static const struct rte_acl_field_def fw_acl_defs[FW_ACL_NUM_FIELDS] = {
	{
		.type = RTE_ACL_FIELD_TYPE_BITMASK,
		.size = sizeof(uint8_t),
		.field_index = FW_ACL_FIELD_PROTO,
		.input_index = 0,
		.offset = offsetof(struct fw_acl_key, proto),
	},
	{
		.type = RTE_ACL_FIELD_TYPE_MASK,
		.size = sizeof(uint32_t),
		.field_index = FW_ACL_FIELD_SRC,
		.input_index = 1,
		.offset = offsetof(struct fw_acl_key, src),
	},
	{
		.type = RTE_ACL_FIELD_TYPE_MASK,
		.size = sizeof(uint32_t),
		.field_index = FW_ACL_FIELD_DST,
		.input_index = 2,
		.offset = offsetof(struct fw_acl_key, dst),
	},
	{
		.type = RTE_ACL_FIELD_TYPE_RANGE,
		.size = sizeof(uint16_t),
		.field_index = FW_ACL_FIELD_SPORT,
		.input_index = 3,
		.offset = offsetof(struct fw_acl_key, sport),
	},
	{
		.type = RTE_ACL_FIELD_TYPE_RANGE,
		.size = sizeof(uint16_t),
		.field_index = FW_ACL_FIELD_DPORT,
		.input_index = 3,
		.offset = offsetof(struct fw_acl_key, dport),
	},
};

struct fw_nacl_ctx {
	int n_nacls;
	/* [nacl * 2 + dir]: how many contexts hold acl[i] (a reload shares the
	 * classifier of a NACL direction whose rules did not change; control
	 * thread only) */
	int **refs;
	/* [nacl * 2 + dir]: the IPv6 rules (fw/nacl6.c), not shared across reloads */
	struct rte_acl_ctx **acl6;
	/* [nacl * 2 + dir]; NULL: that direction has no rule and denies everything */
	struct rte_acl_ctx *acl[];
};

static int
nacl_rule_fill(struct fw_acl_rule *ar, const struct cfg_rule *r, enum fw_dir dir)
{
	struct rte_acl_field *f = ar->field;
	uint16_t sp_lo = 0, sp_hi = UINT16_MAX, dp_lo = 0, dp_hi = UINT16_MAX;

	if (r->number < 1 || r->number > FW_NACL_RULE_MAX)
		return -EINVAL;
	if (r->proto != CFG_PROTO_ALL && r->proto > UINT8_MAX)
		return -EINVAL;
	if (r->cidr.len > 32)
		return -EINVAL;

	memset(ar, 0, sizeof(*ar));
	ar->data.category_mask = 1;
	ar->data.priority = FW_NACL_PRIO_BASE - r->number;
	ar->data.userdata = (uint32_t)r->number << 1 | (r->allow ? 1 : 0);

	if (r->proto == CFG_PROTO_ALL) {
		f[FW_ACL_FIELD_PROTO].value.u8 = 0;
		f[FW_ACL_FIELD_PROTO].mask_range.u8 = 0;
	} else {
		f[FW_ACL_FIELD_PROTO].value.u8 = r->proto;
		f[FW_ACL_FIELD_PROTO].mask_range.u8 = UINT8_MAX;
		if (r->proto == FW_NACL_IPPROTO_TCP || r->proto == FW_NACL_IPPROTO_UDP) {
			if (r->port_lo > r->port_hi)
				return -EINVAL;
			dp_lo = r->port_lo;
			dp_hi = r->port_hi;
		} else if (r->proto == FW_NACL_IPPROTO_ICMP) {
			if (r->icmp_type > UINT8_MAX || r->icmp_code > UINT8_MAX)
				return -EINVAL;
			if (r->icmp_type >= 0)
				sp_lo = sp_hi = r->icmp_type;
			if (r->icmp_code >= 0)
				dp_lo = dp_hi = r->icmp_code;
		}
	}

	/* MASK fields take a host-order value and a prefix length; 0/0 matches all. */
	if (dir == FW_DIR_INGRESS) {
		f[FW_ACL_FIELD_SRC].value.u32 = r->cidr.addr;
		f[FW_ACL_FIELD_SRC].mask_range.u32 = r->cidr.len;
	} else {
		f[FW_ACL_FIELD_DST].value.u32 = r->cidr.addr;
		f[FW_ACL_FIELD_DST].mask_range.u32 = r->cidr.len;
	}
	f[FW_ACL_FIELD_SPORT].value.u16 = sp_lo;
	f[FW_ACL_FIELD_SPORT].mask_range.u16 = sp_hi;
	f[FW_ACL_FIELD_DPORT].value.u16 = dp_lo;
	f[FW_ACL_FIELD_DPORT].mask_range.u16 = dp_hi;
	return 0;
}

static int
nacl_dir_build(struct rte_acl_ctx **out, const struct cfg_rule *rules, int n, enum fw_dir dir,
	       int socket_id, unsigned int name_tag, int nacl)
{
	char name[RTE_ACL_NAMESIZE];
	struct fw_acl_rule *ar;
	int i, k, ret, len;

	*out = NULL;
	/* rte_acl cannot build an empty trie; NULL stands for "deny all". */
	if (n <= 0)
		return 0;

	len = snprintf(name, sizeof(name), "nacl%u_%d%c", name_tag, nacl,
		       dir == FW_DIR_INGRESS ? 'i' : 'e');
	if (len < 0 || (size_t)len >= sizeof(name))
		return -ENAMETOOLONG;
	/* Some DPDK releases hand back the existing context for a known name. */
	if (rte_acl_find_existing(name) != NULL)
		return -EEXIST;

	ar = calloc(n, sizeof(*ar));
	if (ar == NULL)
		return -ENOMEM;
	/* the IPv4 rules only (IPv6 ones: nacl6.c) */
	for (i = 0, k = 0; i < n; i++) {
		if (rules[i].v6)
			continue;
		ret = nacl_rule_fill(&ar[k++], &rules[i], dir);
		if (ret < 0)
			goto out;
	}
	if (k == 0) {
		ret = 0;
		goto out;
	}
	n = k;

	ret = fw_acl_make(name, socket_id, RTE_ACL_RULE_SZ(FW_ACL_NUM_FIELDS), ar, n, fw_acl_defs,
			  RTE_DIM(fw_acl_defs), out);
out:
	free(ar);
	return ret;
}

int
fw_acl_make(const char *name, int socket_id, uint32_t rule_size, const void *rules, uint32_t n,
	    const struct rte_acl_field_def *defs, uint32_t n_defs, struct rte_acl_ctx **out)
{
	struct rte_acl_param param;
	struct rte_acl_config bcfg;
	struct rte_acl_ctx *acl;
	int ret;

	memset(&param, 0, sizeof(param));
	param.name = name;
	param.socket_id = socket_id;
	param.rule_size = rule_size;
	param.max_rule_num = n;
	acl = rte_acl_create(&param);
	if (acl == NULL)
		return rte_errno == EEXIST ? -EEXIST : -ENOMEM;
	ret = rte_acl_add_rules(acl, (const struct rte_acl_rule *)rules, n);
	if (ret == 0) {
		memset(&bcfg, 0, sizeof(bcfg));
		bcfg.num_categories = 1;
		bcfg.num_fields = n_defs;
		memcpy(bcfg.defs, defs, n_defs * sizeof(*defs));
		ret = rte_acl_build(acl, &bcfg);
	}
	if (ret != 0) {
		rte_acl_free(acl);
		return ret < 0 ? ret : -EINVAL;
	}
	*out = acl;
	return 0;
}

void
fw_nacl_free(struct fw_nacl_ctx *ctx)
{
	int i;

	if (ctx == NULL)
		return;
	for (i = 0; ctx->acl6 != NULL && i < ctx->n_nacls * 2; i++)
		rte_acl_free(ctx->acl6[i]);
	free(ctx->acl6);
	for (i = 0; i < ctx->n_nacls * 2; i++) {
		if (ctx->refs != NULL && ctx->refs[i] != NULL && --*ctx->refs[i] > 0)
			continue;       /* another generation still uses it */
		rte_acl_free(ctx->acl[i]);  /* NULL-safe */
		if (ctx->refs != NULL)
			free(ctx->refs[i]);
	}
	free(ctx->refs);
	free(ctx);
}

static bool
same_rules(const struct cfg_rule *a, int na, const struct cfg_rule *b, int nb)
{
	if (na != nb)
		return false;
	for (int i = 0; i < na; i++)
		if (a[i].number != b[i].number || a[i].proto != b[i].proto ||
		    a[i].port_lo != b[i].port_lo || a[i].port_hi != b[i].port_hi ||
		    a[i].icmp_type != b[i].icmp_type || a[i].icmp_code != b[i].icmp_code ||
		    a[i].cidr.addr != b[i].cidr.addr || a[i].cidr.len != b[i].cidr.len ||
		    a[i].v6 != b[i].v6 ||
		    a[i].allow != b[i].allow)
			return false;
	return true;
}

/* The classifier of prev for NACL nc's direction dir if its rules are the same
 * (the NACL of the same name in prev_cfg): shared, one more reference. */
static bool
share_prev(struct fw_nacl_ctx *ctx, int k, const struct cfg_nacl *nc, enum fw_dir dir,
	   struct fw_nacl_ctx *prev, const struct cfg *prev_cfg)
{
	const struct cfg_nacl *pn = NULL;
	int j;

	if (prev == NULL || prev_cfg == NULL || prev->refs == NULL)
		return false;
	for (j = 0; j < prev_cfg->n_nacls && j < prev->n_nacls; j++)
		if (strcmp(prev_cfg->nacls[j].name, nc->name) == 0) {
			pn = &prev_cfg->nacls[j];
			break;
		}
	if (pn == NULL || prev->refs[j * 2 + dir] == NULL ||
	    !(dir == FW_DIR_INGRESS ? same_rules(nc->ingress, nc->n_ingress, pn->ingress,
						   pn->n_ingress)
				     : same_rules(nc->egress, nc->n_egress, pn->egress,
						  pn->n_egress)))
		return false;
	ctx->acl[k] = prev->acl[j * 2 + dir];
	ctx->refs[k] = prev->refs[j * 2 + dir];
	(*ctx->refs[k])++;
	return true;
}

struct fw_nacl_ctx *
fw_nacl_build(const struct cfg *cfg, int socket_id, unsigned int name_tag, int *err)
{
	return fw_nacl_rebuild(cfg, socket_id, name_tag, NULL, NULL, err);
}

struct fw_nacl_ctx *
fw_nacl_rebuild(const struct cfg *cfg, int socket_id, unsigned int name_tag,
		struct fw_nacl_ctx *prev, const struct cfg *prev_cfg, int *err)
{
	struct fw_nacl_ctx *ctx;
	int n = cfg->n_nacls > 0 ? cfg->n_nacls : 0;
	int i, ret = 0;

	ctx = calloc(1, sizeof(*ctx) + (size_t)n * 2 * sizeof(ctx->acl[0]));
	if (ctx == NULL || (ctx->refs = calloc((size_t)n * 2 + 1, sizeof(ctx->refs[0]))) == NULL ||
	    (ctx->acl6 = calloc((size_t)n * 2 + 1, sizeof(ctx->acl6[0]))) == NULL) {
		ret = -ENOMEM;
		goto fail;
	}
	ctx->n_nacls = n;
	for (i = 0; i < n * 2; i++) {
		const struct cfg_nacl *nc = &cfg->nacls[i / 2];
		enum fw_dir dir = i % 2 == FW_DIR_INGRESS ? FW_DIR_INGRESS : FW_DIR_EGRESS;
		int k = i / 2 * 2 + dir;

		ret = fw_nacl6_dir_build(&ctx->acl6[k], dir == FW_DIR_INGRESS ? nc->ingress :
					 nc->egress, dir == FW_DIR_INGRESS ? nc->n_ingress :
					 nc->n_egress, dir, socket_id, name_tag, i / 2);
		if (ret < 0)
			goto fail;
		if (share_prev(ctx, k, nc, dir, prev, prev_cfg))
			continue;
		ret = nacl_dir_build(&ctx->acl[k], dir == FW_DIR_INGRESS ? nc->ingress : nc->egress,
				     dir == FW_DIR_INGRESS ? nc->n_ingress : nc->n_egress, dir,
				     socket_id, name_tag, i / 2);
		if (ret < 0)
			goto fail;
		if (ctx->acl[k] != NULL) {
			ctx->refs[k] = malloc(sizeof(int));
			if (ctx->refs[k] == NULL) {
				rte_acl_free(ctx->acl[k]);
				ctx->acl[k] = NULL;
				ret = -ENOMEM;
				goto fail;
			}
			*ctx->refs[k] = 1;
		}
	}
	if (err != NULL)
		*err = 0;
	return ctx;

fail:
	fw_nacl_free(ctx);
	if (err != NULL)
		*err = ret;
	return NULL;
}

int
fw_nacl_count(const struct fw_nacl_ctx *ctx)
{
	return ctx->n_nacls;
}

void
fw_nacl_classify(const struct fw_nacl_ctx *ctx, int nacl, enum fw_dir dir,
		 const struct fw_acl_key **keys, uint8_t *verdict, uint32_t n)
{
	uint32_t res[FW_NACL_CHUNK];
	const struct rte_acl_ctx *acl;
	uint32_t i, done, m;

	if (nacl < 0 || nacl >= ctx->n_nacls || (unsigned int)dir > FW_DIR_EGRESS) {
		memset(verdict, 0, n);
		return;
	}
	acl = ctx->acl[nacl * 2 + dir];
	if (acl == NULL) {
		memset(verdict, 0, n);
		return;
	}
	for (done = 0; done < n; done += m) {
		m = RTE_MIN(n - done, (uint32_t)FW_NACL_CHUNK);
		/* Cannot fail with a valid context and 1 category. */
		rte_acl_classify(acl, (const uint8_t **)(uintptr_t)&keys[done], res, m, 1);
		for (i = 0; i < m; i++)
			verdict[done + i] = res[i] & 1;
	}
}

void
fw_nacl6_classify(const struct fw_nacl_ctx *ctx, int nacl, enum fw_dir dir,
		  const struct fw_acl6_key **keys, uint8_t *verdict, uint32_t n)
{
	if (nacl < 0 || nacl >= ctx->n_nacls || (unsigned int)dir > FW_DIR_EGRESS) {
		memset(verdict, 0, n);
		return;
	}
	fw_nacl6_acl_classify(ctx->acl6[nacl * 2 + dir], keys, verdict, n);
}
