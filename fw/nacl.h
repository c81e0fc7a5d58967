/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Network ACL classifier (SPEC §4 "Network ACL") on DPDK rte_acl.
 *
 * Each NACL of a cfg gets one rte_acl context per direction. rte_acl walks a
 * trie compiled from all the rules at once, so the cost of a lookup does not
 * grow with the rule count (bench/nacl_bench.c measures it). Rule numbers map
 * to rte_acl priorities so that the lowest number wins; no match is the
 * implicit final deny.
 *
 * Ownership: the control thread builds a context (fw_nacl_build) and owns it.
 * Once built it is read-only, and fw_nacl_classify may run on any number of
 * lcores at once. fw_nacl_free() may only run once no worker can still use
 * it (after an RCU grace period when it was published to workers).
 */
#ifndef VPCGW_FW_NACL_H
#define VPCGW_FW_NACL_H

#include <assert.h>
#include <stdint.h>

#include "config/cfg.h"
#include "fw/sg.h"  /* enum fw_dir */

/*
 * Input of the classifier, in network byte order, built by the data plane per
 * packet. The same key serves the source subnet's egress NACL (which matches
 * dst against the rule CIDR) and the destination subnet's ingress NACL (which
 * matches src). ICMP: sport = type, dport = code (each as a big-endian 16-bit
 * value). Other protocols without ports: sport = dport = 0. pad must be zero.
 */
struct fw_acl_key {
	uint8_t proto;
	uint8_t pad[3];
	uint32_t src;
	uint32_t dst;
	uint16_t sport;
	uint16_t dport;
};

static_assert(sizeof(struct fw_acl_key) == 16, "fw_acl_key must be 16 bytes");

/*
 * The IPv6 key (fw/nacl6.c), network byte order: addresses as on the wire,
 * ICMPv6 type/code in sport/dport as for ICMP. pad must be zero.
 */
struct fw_acl6_key {
	uint8_t proto;
	uint8_t pad[3];
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t sport;
	uint16_t dport;
};

static_assert(sizeof(struct fw_acl6_key) == 40, "fw_acl6_key must be 40 bytes");

struct fw_nacl_ctx;
struct rte_acl_ctx;

/*
 * Build the classifiers of every NACL of cfg (control thread). name_tag makes
 * the rte_acl context names unique while several generations live at once
 * (during a reload), e.g. the configuration generation number.
 * @return the context, or NULL with *err set to:
 *   -ENOMEM  out of memory (rte_acl or malloc),
 *   -EEXIST  an rte_acl context of the same name already exists (reuse of name_tag),
 *   -EINVAL  a rule rte_acl refuses.
 */
struct fw_nacl_ctx *
fw_nacl_build(const struct cfg *cfg, int socket_id, unsigned int name_tag, int *err);

void
fw_nacl_free(struct fw_nacl_ctx *ctx);

/*
 * fw_nacl_build() for a reload: a NACL direction whose rules are those of the
 * NACL of the same name in prev_cfg reuses prev's classifier (shared, counted;
 * each context frees its own reference). prev and prev_cfg may be NULL.
 */
struct fw_nacl_ctx *
fw_nacl_rebuild(const struct cfg *cfg, int socket_id, unsigned int name_tag,
		struct fw_nacl_ctx *prev, const struct cfg *prev_cfg, int *err);

/* @return the number of NACLs in ctx (cfg->n_nacls at build time). */
int
fw_nacl_count(const struct fw_nacl_ctx *ctx);

/*
 * Classify n keys against NACL nacl (index into cfg.nacls), direction dir.
 * verdict[i] = 1 allow, 0 deny. A NACL direction with no rule, or an nacl
 * index out of range, denies everything (the caller handles "no NACL", which
 * allows everything).
 */
void
fw_nacl_classify(const struct fw_nacl_ctx *ctx, int nacl, enum fw_dir dir,
		 const struct fw_acl_key **keys, uint8_t *verdict, uint32_t n);

/* The IPv6 rules of NACL nacl, direction dir: as fw_nacl_classify(). */
void
fw_nacl6_classify(const struct fw_nacl_ctx *ctx, int nacl, enum fw_dir dir,
		  const struct fw_acl6_key **keys, uint8_t *verdict, uint32_t n);

/* An rte_acl context named name of n rules (rule_size bytes each, fields
 * defs), built for one category: 0 and *out, or -errno (nacl.c, nacl6.c). */
struct rte_acl_field_def;
int fw_acl_make(const char *name, int socket_id, uint32_t rule_size, const void *rules,
		uint32_t n, const struct rte_acl_field_def *defs, uint32_t n_defs,
		struct rte_acl_ctx **out);

/* fw/nacl6.c, for nacl.c: one direction's IPv6 rules (NULL: none, deny all). */
int fw_nacl6_dir_build(struct rte_acl_ctx **out, const struct cfg_rule *rules, int n,
		       enum fw_dir dir, int socket_id, unsigned int name_tag, int nacl);
void fw_nacl6_acl_classify(const struct rte_acl_ctx *acl, const struct fw_acl6_key **keys,
			   uint8_t *verdict, uint32_t n);

#endif /* VPCGW_FW_NACL_H */
