/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Network ACL classifier, IPv6 rules (SPEC §7): see nacl.h.
 *
 * The same rte_acl scheme as the IPv4 one (nacl.c: rule number N has
 * priority FW_NACL_PRIO_BASE - N, userdata N << 1 | allow, no match = the
 * implicit deny), over an IPv6 field layout as DPDK's ipsec-secgw acl6 and
 * l3fwd-acl have it: each address is four 32-bit MASK fields, one input
 * word each, the prefix length split over them.
 *   word 0: proto BITMASK 1 byte; words 1-4: src; 5-8: dst;
 *   word 9: sport RANGE 2 bytes, dport RANGE 2 bytes
 * An ICMPv6 rule's type/code match sport/dport (the data plane puts them
 * there, as for ICMP). Only the rules with an IPv6 CIDR are compiled: an
 * IPv4 rule never matches an IPv6 packet, and the reverse (AWS).
 *
 * Why rte_acl and not a linear scan at AWS's 20 rules: one code path with
 * the IPv4 classifier, a lookup cost that does not grow with the rule count
 * (bench/nacl_bench.c measures the IPv4 one), and burst classification.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>

#include <rte_acl.h>
#include <rte_common.h>
#include <rte_errno.h>

#include "fw/nacl.h"

#define FW_NACL6_RULE_MAX 32766
#define FW_NACL6_PRIO_BASE (FW_NACL6_RULE_MAX + 1)

enum {
	F6_PROTO,
	F6_SRC0, F6_SRC1, F6_SRC2, F6_SRC3,
	F6_DST0, F6_DST1, F6_DST2, F6_DST3,
	F6_SPORT, F6_DPORT,
	F6_NUM,
};

RTE_ACL_RULE_DEF(fw_acl6_rule, F6_NUM);

#define ADDR_FIELD(idx, member, w) { \
	.type = RTE_ACL_FIELD_TYPE_MASK, .size = sizeof(uint32_t), .field_index = (idx), \
	.input_index = (idx), .offset = offsetof(struct fw_acl6_key, member) + 4 * (w) }

static const struct rte_acl_field_def fw_acl6_defs[F6_NUM] = {
	{ .type = RTE_ACL_FIELD_TYPE_BITMASK, .size = sizeof(uint8_t), .field_index = F6_PROTO,
	  .input_index = 0, .offset = offsetof(struct fw_acl6_key, proto) },
	ADDR_FIELD(F6_SRC0, src, 0), ADDR_FIELD(F6_SRC1, src, 1),
	ADDR_FIELD(F6_SRC2, src, 2), ADDR_FIELD(F6_SRC3, src, 3),
	ADDR_FIELD(F6_DST0, dst, 0), ADDR_FIELD(F6_DST1, dst, 1),
	ADDR_FIELD(F6_DST2, dst, 2), ADDR_FIELD(F6_DST3, dst, 3),
	{ .type = RTE_ACL_FIELD_TYPE_RANGE, .size = sizeof(uint16_t), .field_index = F6_SPORT,
	  .input_index = 9, .offset = offsetof(struct fw_acl6_key, sport) },
	{ .type = RTE_ACL_FIELD_TYPE_RANGE, .size = sizeof(uint16_t), .field_index = F6_DPORT,
	  .input_index = 9, .offset = offsetof(struct fw_acl6_key, dport) },
};

static int
rule6_fill(struct fw_acl6_rule *ar, const struct cfg_rule *r, enum fw_dir dir)
{
	struct rte_acl_field *f = ar->field;
	uint16_t sp_lo = 0, sp_hi = UINT16_MAX, dp_lo = 0, dp_hi = UINT16_MAX;
	int a0 = dir == FW_DIR_INGRESS ? F6_SRC0 : F6_DST0;

	if (r->number < 1 || r->number > FW_NACL6_RULE_MAX || r->cidr6.len > 128 ||
	    (r->proto != CFG_PROTO_ALL && r->proto > UINT8_MAX))
		return -EINVAL;
	memset(ar, 0, sizeof(*ar));
	ar->data.category_mask = 1;
	ar->data.priority = FW_NACL6_PRIO_BASE - r->number;
	ar->data.userdata = (uint32_t)r->number << 1 | (r->allow ? 1 : 0);
	if (r->proto != CFG_PROTO_ALL) {
		f[F6_PROTO].value.u8 = (uint8_t)r->proto;
		f[F6_PROTO].mask_range.u8 = UINT8_MAX;
		if (r->proto == IPPROTO_TCP || r->proto == IPPROTO_UDP) {
			dp_lo = r->port_lo;
			dp_hi = r->port_hi;
		} else if (r->proto == IPPROTO_ICMPV6) {
			if (r->icmp_type >= 0)
				sp_lo = sp_hi = (uint16_t)r->icmp_type;
			if (r->icmp_code >= 0)
				dp_lo = dp_hi = (uint16_t)r->icmp_code;
		}
	}
	for (int w = 0; w < 4; w++) {
		int bits = RTE_MAX(0, RTE_MIN(32, (int)r->cidr6.len - 32 * w));
		const uint8_t *b = &r->cidr6.addr[4 * w];

		f[a0 + w].value.u32 = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
				      (uint32_t)b[2] << 8 | b[3];
		f[a0 + w].mask_range.u32 = (uint32_t)bits;
	}
	f[F6_SPORT].value.u16 = sp_lo;
	f[F6_SPORT].mask_range.u16 = sp_hi;
	f[F6_DPORT].value.u16 = dp_lo;
	f[F6_DPORT].mask_range.u16 = dp_hi;
	return 0;
}

int
fw_nacl6_dir_build(struct rte_acl_ctx **out, const struct cfg_rule *rules, int n,
		   enum fw_dir dir, int socket_id, unsigned int name_tag, int nacl)
{
	char name[RTE_ACL_NAMESIZE];
	struct fw_acl6_rule *ar;
	int i, k = 0, ret = 0, len;

	*out = NULL;
	for (i = 0; i < n; i++)
		k += rules[i].v6;
	if (k == 0)         /* no IPv6 rule: NULL denies every IPv6 packet */
		return 0;
	len = snprintf(name, sizeof(name), "nacl6_%u_%d%c", name_tag, nacl,
		       dir == FW_DIR_INGRESS ? 'i' : 'e');
	if (len < 0 || (size_t)len >= sizeof(name))
		return -ENAMETOOLONG;
	if (rte_acl_find_existing(name) != NULL)
		return -EEXIST;
	ar = calloc((size_t)k, sizeof(*ar));
	if (ar == NULL)
		return -ENOMEM;
	for (i = 0, k = 0; i < n; i++)
		if (rules[i].v6 && (ret = rule6_fill(&ar[k++], &rules[i], dir)) < 0)
			goto out;
	ret = fw_acl_make(name, socket_id, RTE_ACL_RULE_SZ(F6_NUM), ar, (uint32_t)k, fw_acl6_defs,
			  RTE_DIM(fw_acl6_defs), out);
out:
	free(ar);
	return ret;
}

void
fw_nacl6_acl_classify(const struct rte_acl_ctx *acl, const struct fw_acl6_key **keys,
		      uint8_t *verdict, uint32_t n)
{
	uint32_t res[16];

	if (acl == NULL) {
		memset(verdict, 0, n);
		return;
	}
	for (uint32_t done = 0, m; done < n; done += m) {
		m = RTE_MIN(n - done, (uint32_t)RTE_DIM(res));
		rte_acl_classify(acl, (const uint8_t **)(uintptr_t)&keys[done], res, m, 1);
		for (uint32_t i = 0; i < m; i++)
			verdict[done + i] = res[i] & 1;
	}
}
