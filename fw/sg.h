/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Security-group evaluator (SPEC §4 "Security group"). Pure C, no DPDK.
 *
 * fw_sg_build() compiles a struct cfg into per-ENI tables: the rules of all
 * the ENI's groups flattened per direction and per protocol class, the
 * "other direction allows all ports to 0.0.0.0/0" flags the untracked
 * decision needs, and a group-membership bitmap per ENI so a rule naming
 * sg:NAME costs one peer lookup and one bit test.
 *
 * Ownership: the control thread builds a context and owns it; it is
 * immutable once built, so any number of lcores may read it concurrently.
 * The builder frees it with fw_sg_free() once no reader can still hold it
 * (after an RCU grace period when it was published to workers).
 */
#ifndef VPCGW_FW_SG_H
#define VPCGW_FW_SG_H

#include <stdint.h>

#include "config/cfg.h"

enum fw_dir {
	FW_DIR_INGRESS = 0,
	FW_DIR_EGRESS = 1,
};

enum fw_sg_verdict {
	FW_SG_DENY = 0,
	FW_SG_ALLOW_TRACKED = 1,    /* create a conntrack entry */
	FW_SG_ALLOW_UNTRACKED = 2,  /* no entry: re-evaluate on each packet */
};

/* What a security group looks at, in host byte order. */
struct fw_sg_pkt {
	uint8_t proto;
	uint32_t peer;      /* ingress: source address; egress: destination address */
	uint16_t dport;     /* TCP/UDP destination port (rules match it in both directions) */
	uint8_t icmp_type;
	uint8_t icmp_code;
	uint8_t zone;       /* flow zone of the packet: the peer's ENI is looked for in it */
};

struct fw_sg_ctx;

/*
 * Compile cfg (its sgs and enis) into a new context.
 * @return the context (malloc), or NULL when out of memory.
 */
struct fw_sg_ctx *
fw_sg_build(const struct cfg *cfg);

void
fw_sg_free(struct fw_sg_ctx *ctx);

/*
 * @return the index in cfg.enis of the ENI holding addr (host order), or -1.
 * Binary search over the ENI addresses: O(log n).
 */
int
fw_sg_eni_find(const struct fw_sg_ctx *ctx, uint32_t addr);

/* The ENI at addr in flow zone zone (overlapping VPCs share addresses), or -1. */
int
fw_sg_eni_find_zone(const struct fw_sg_ctx *ctx, uint32_t addr, uint8_t zone);

/*
 * Evaluate p against the rules of ENI eni (an index from fw_sg_eni_find) in
 * direction dir.
 * @return an enum fw_sg_verdict; FW_SG_DENY for an out-of-range eni.
 */
int
fw_sg_check(const struct fw_sg_ctx *ctx, int eni, enum fw_dir dir, const struct fw_sg_pkt *p);

/*
 * The same, and *group (when not NULL) gets the index of the security group
 * whose rule allowed the packet (first match), for per-group counters.
 */
int
fw_sg_check_group(const struct fw_sg_ctx *ctx, int eni, enum fw_dir dir,
		  const struct fw_sg_pkt *p, int *group);

/*
 * Conntrack timeouts of ENI eni: for each timeout, the largest value over the
 * ENI's groups. Rules are a union (a flow allowed by any group is allowed), so
 * the most permissive timeout wins too: a flow that one group would keep must
 * not be cut early because another group of the same ENI is stricter. An ENI
 * with no group gets the SPEC defaults. Never NULL for a valid eni.
 */
const struct cfg_sg_timeouts *
fw_sg_timeouts(const struct fw_sg_ctx *ctx, int eni);

/* ------------------------------------------------------------ IPv6 (sg6.c) */

/* What a security group looks at in an IPv6 packet. */
struct fw_sg6_pkt {
	uint8_t proto;
	const uint8_t *peer;    /* ingress: source address; egress: destination (16 bytes) */
	uint16_t dport;         /* host order */
	uint8_t icmp_type;
	uint8_t icmp_code;
};

struct fw_sg6_ctx;

/* Built and freed with the IPv4 part (fw_sg_build/fw_sg_free). */
struct fw_sg6_ctx *fw_sg6_build(const struct cfg *cfg);
void fw_sg6_free(struct fw_sg6_ctx *ctx);
const struct fw_sg6_ctx *fw_sg_v6(const struct fw_sg_ctx *ctx);
/* The ENI (index in cfg.enis) whose address6 is a, or -1. */
int fw_sg6_eni_find(const struct fw_sg6_ctx *ctx, const uint8_t a[16]);
/* fw_sg_check_group() for IPv6: the rules with an IPv6 CIDR and sg:NAME
 * (the peer's address6) of ENI eni. */
int fw_sg6_check(const struct fw_sg6_ctx *ctx, int eni, enum fw_dir dir,
		 const struct fw_sg6_pkt *p, int *group);

#endif /* VPCGW_FW_SG_H */
