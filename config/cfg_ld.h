/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration loader, internal API: what a section loader needs.
 *
 * Included by config/cfg_load.c (the tree walk and the core sections) and by
 * each service's configuration part (fw/fw_cfg.c, nat/nat_cfg.c, lb/lb_cfg.c,
 * geneve/gwlb_cfg.c), and by nothing else: it is the only header with
 * libconfig types. The rest of the code reads struct cfg (config/cfg.h).
 *
 * Conventions, as in config/cfg_load.c:
 *  - every problem is reported with ld_error(), on the libconfig setting it
 *    is about and its PATH ("route_tables[1].routes[0].target"): the
 *    message is "FILE:LINE: PATH: PROBLEM". Messages are kept and given in
 *    file order at the end (among equal lines, in the order reported), so a
 *    loader reports as it reads and never stops at the first problem;
 *  - converters (ld_*_of) return 1 on success, -1 after reporting an error;
 *    getters (ld_get_*) look a key up first: 1 found and valid, 0 absent
 *    (optional key), -1 error reported;
 *  - whatever fails to parse is left at zero or its default.
 */
#ifndef VPCGW_CFG_LD_H
#define VPCGW_CFG_LD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libconfig.h>

#include "config/cfg.h"

#define PATH_LEN 256
#define MSG_LEN 1024

/* Who already uses an address, to report duplicates with both places. */
struct ld_claim {
	uint32_t addr;
	int vpc;              /* -1: in every VPC (ld_claim); else only there (ld_claim_vpc) */
	int line;
	char path[PATH_LEN];
};

struct ld_registry {
	struct ld_claim *claims;
	int n;
	int cap;
};

/* One error message, kept to be given in file order. */
struct ld_msg {
	int file;                 /* index into ld.files */
	int line;
	int seq;                  /* order of detection, among equal lines */
	char *text;
};

#define LD_MAX_FILES 32

/* One load: the messages, the struct cfg being filled, what is known valid. */
/* A hash index of the names of one array of named objects (ld_find_name_idx):
 * references to 2,500 security groups resolve in constant time. */
struct ld_name_idx {
	const char *arr;          /* the array indexed, NULL: slot unused */
	size_t stride;
	int n;                    /* entries 0..n-1 are indexed */
	uint32_t cap;             /* slots, a power of 2 */
	int *slot;                /* entry index + 1; 0: empty */
};
#define LD_NAME_IDX 8

struct ld {
	const char *name;         /* file name for messages */
	struct ld_msg *msgs;
	int n_msgs;
	int cap_msgs;
	const char *files[LD_MAX_FILES];
	int n_files;
	cfg_error_fn err;
	void *arg;
	int n_err;
	bool nomem;
	struct cfg *cfg;
	const config_setting_t *root;
	bool has_igw;             /* internet_gateway is present (routes may target it) */
	bool vpc_ok;              /* cfg->vpc_cidr parsed */
	bool cur_v6;              /* the VPC whose subnets are being loaded is the dual-stack one */
	bool *port_ok;            /* ports[i].addr/plen parsed */
	bool *subnet_ok;          /* subnets[i].cidr parsed and valid */
	struct ld_registry pub;   /* public addresses: elastic IPs, NAT, NLB public */
	struct ld_registry priv;  /* private addresses: ENIs, NLBs */
	struct ld_registry eip;   /* private side of elastic IPs */
	struct ld_name_idx names[LD_NAME_IDX];
	int names_next;
};

/* Kinds of value checked by ld_type(). */
enum ld_type {
	T_STR,
	T_INT,
	T_BOOL,
	T_GROUP,
	T_LIST,     /* list of groups: a list, or an empty array "[]" */
	T_SEQ,      /* list of scalars: a list or an array */
};

/* A key looked up in a group: its setting (NULL when absent) and its path. */
struct fld {
	const config_setting_t *s;
	char path[PATH_LEN];
};

/* Named lists a reference may point into ("unknown <what> \"NAME\""). */
enum ld_ref {
	REF_PORT,
	REF_SUBNET,
	REF_RT,
	REF_NACL,
	REF_SG,
	REF_NAT,
	REF_TG,
	REF_EIGW,
};

/* ---- the walk (config/cfg_section.c) ---------------------------------- */

/* The root of lc into ld: its keys checked against every registered
 * section's, then both passes over the sections. */
void ld_load_sections(struct ld *ld, config_t *lc);

/* ---- messages and memory ---------------------------------------------- */

/* Keep MSG (already formatted) for FILE:LINE; counts as an error. */
void ld_emit(struct ld *ld, const char *file, int line, const char *msg);
/* Give every kept message in file order, through ld->err or on stderr. */
void ld_flush(struct ld *ld);
/* "FILE:LINE: PATH: PROBLEM", FILE:LINE from S (NULL: the file's line 1). */
void ld_error(struct ld *ld, const config_setting_t *s, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void ld_nomem(struct ld *ld);
/* calloc() that reports "out of memory" once; NULL when n is 0. */
void *ld_calloc(struct ld *ld, size_t n, size_t size);

static inline int
ld_line(const config_setting_t *s)
{
	return config_setting_source_line(s);
}

/* PARENT.KEY and PARENT[I] into BUF (PATH_LEN bytes). */
void ld_path_key(char *buf, const char *parent, const char *key);
void ld_path_idx(char *buf, const char *parent, int i);

/* ---- types, keys, values ---------------------------------------------- */

bool ld_type(struct ld *ld, const config_setting_t *s, const char *path, enum ld_type want);
/* S is a group whose keys are all in KEYS (NULL-terminated); others: "unknown key". */
bool ld_group(struct ld *ld, const config_setting_t *s, const char *path,
	      const char *const *keys);
/* Look KEY up in group G into F; a required key that is absent is an error. */
bool ld_fld_get(struct ld *ld, const config_setting_t *g, const char *path, const char *key,
		bool req, struct fld *f);

int ld_str_of(struct ld *ld, const config_setting_t *s, const char *path, const char **v);
int ld_int_of(struct ld *ld, const config_setting_t *s, const char *path, long long lo,
	      long long hi, long long *v);
int ld_ipv4_of(struct ld *ld, const config_setting_t *s, const char *path, uint32_t *a);
int ld_prefix_str(struct ld *ld, const config_setting_t *s, const char *path, const char *v,
		  struct cfg_prefix *p);
int ld_prefix_of(struct ld *ld, const config_setting_t *s, const char *path,
		 struct cfg_prefix *p);

int ld_get_str(struct ld *ld, const config_setting_t *g, const char *path, const char *key,
	       bool req, struct fld *f, const char **v);
int ld_get_int(struct ld *ld, const config_setting_t *g, const char *path, const char *key,
	       bool req, long long lo, long long hi, long long *v);
/* Optional integer key with a default, stored in a uint32_t. */
void ld_get_u32(struct ld *ld, const config_setting_t *g, const char *path, const char *key,
		long long lo, long long hi, uint32_t def, uint32_t *out);
int ld_get_bool(struct ld *ld, const config_setting_t *g, const char *path, const char *key,
		bool *v);
int ld_get_ipv4(struct ld *ld, const config_setting_t *g, const char *path, const char *key,
		bool req, struct fld *f, uint32_t *a);
int ld_get_prefix(struct ld *ld, const config_setting_t *g, const char *path, const char *key,
		  bool req, struct fld *f, struct cfg_prefix *p);
int ld_get_mac(struct ld *ld, const config_setting_t *g, const char *path, const char *key,
	       bool req, uint8_t mac[6]);
/* A list key: F->s is its setting, NULL when absent or invalid. */
int ld_get_list(struct ld *ld, const config_setting_t *g, const char *path, const char *key,
		bool req, enum ld_type type, struct fld *f);

static inline int
ld_list_len(const struct fld *f)
{
	return f->s == NULL ? 0 : config_setting_length(f->s);
}

/* ---- names and references --------------------------------------------- */

/* Index of NAME in ARR (names at offset 0 of each element), or -1. */
int ld_find_name(const void *arr, int n, size_t stride, const char *name);
/* The same, through a hash index kept in ld for arr (names already in arr
 * never change); ld_names_free() releases the indexes. */
int ld_find_name_idx(struct ld *ld, const void *arr, int n, size_t stride, const char *name);
void ld_names_free(struct ld *ld);
#define LD_FIND(arr, n, name) ld_find_name((arr), (n), sizeof(*(arr)), (name))

int ld_ref_str(struct ld *ld, const config_setting_t *s, const char *path, enum ld_ref k,
	       const char *name, int *idx);
int ld_ref_of(struct ld *ld, const config_setting_t *s, const char *path, enum ld_ref k,
	      int *idx);
int ld_get_ref(struct ld *ld, const config_setting_t *g, const char *path, const char *key,
	       bool req, enum ld_ref k, struct fld *f, int *idx);
/* GWLB endpoint names are one name space over every GWLB. */
bool ld_endpoint_find(const struct cfg *c, const char *name, int *g, int *e);

/*
 * Pass 1 (names): allocate one element per entry of the list KEY of group G
 * and copy each entry's name and line; reports missing, empty, over-long and
 * duplicate names. Type errors of the list and its entries are left to pass 2.
 */
void *ld_names_list(struct ld *ld, const config_setting_t *g, const char *path, const char *key,
		    const char *what, size_t size, size_t line_off, int *n_out);

#define LD_NAMES(ld, g, path, key, what, arr, n) \
	((arr) = ld_names_list((ld), (g), (path), (key), (what), sizeof(*(arr)), \
			       offsetof(__typeof__(*(arr)), line), &(n)))

/* ---- addresses -------------------------------------------------------- */

void ld_prefix_fmt(char *buf, size_t len, uint32_t addr, uint8_t plen);

static inline uint32_t
ld_mask_of(uint8_t len)
{
	return len == 0 ? 0 : UINT32_MAX << (32 - len);
}

/* Record ADDR as used by PATH; report it if someone else has it already. */
bool ld_claim(struct ld *ld, struct ld_registry *r, uint32_t addr, const config_setting_t *s,
	      const char *path);
/* The same within VPC vpc (-1: every VPC): overlapping VPCs reuse addresses. */
bool ld_claim_vpc(struct ld *ld, struct ld_registry *r, uint32_t addr, int vpc,
		  const config_setting_t *s, const char *path);
/* A public address (elastic IP, NAT, NLB public): outside the VPC, used once. */
void ld_public_addr(struct ld *ld, const config_setting_t *s, const char *path, uint32_t addr);
/* Index of the valid subnet holding addr, or -1 (skips subnets that failed to parse). */
int ld_subnet_of(struct ld *ld, uint32_t addr);
/* An address that must sit on the connected prefix of port P. */
void ld_check_on_port(struct ld *ld, int p, uint32_t addr, const struct fld *f);
/* A host address inside a valid subnet: its index, or -1 after an error. */
int ld_host_in_subnet(struct ld *ld, const struct fld *f, uint32_t addr);
/* The same in VPC vpc only (-1: any; an address inside subnets of two VPCs
 * is then an error asking for `vpc`). */
int ld_host_in_subnet_vpc(struct ld *ld, const struct fld *f, uint32_t addr, int vpc);

/* ---- shared groups ---------------------------------------------------- */

/*
 * The "health_check" group of G (NLB target groups, GWLBs): defaults already
 * in *h. traffic_port: whether "traffic-port" means something.
 */
void ld_health(struct ld *ld, const config_setting_t *g, const char *path, bool traffic_port,
	       struct cfg_health_check *h);

/* ---- IPv6 keys (config/cfg_ip6.c) ------------------------------------- */

int ld_ipv6_of(struct ld *ld, const config_setting_t *s, const char *path, uint8_t a[16]);
int ld_prefix6_str(struct ld *ld, const config_setting_t *s, const char *path, const char *v,
		   struct cfg_prefix6 *p);
/* Does the string KEY of group E hold an IPv6 address or prefix? */
bool ld6_is_v6(const config_setting_t *e, const char *key);
void ld6_port(struct ld *ld, const config_setting_t *e, const char *p, int i);
void ld6_check_on_port(struct ld *ld, int p, const uint8_t addr[16], const struct fld *f);
void ld6_neighbor(struct ld *ld, const config_setting_t *e, const char *p, int i);
void ld6_neighbors_check(struct ld *ld);
/* The ipv6_cidr of VPC setting vpc (path p: "vpc", or "vpcs[i]"). */
void ld6_vpc(struct ld *ld, const config_setting_t *vpc, const char *p);
void ld6_subnet(struct ld *ld, const config_setting_t *e, const char *p, int i);
void ld6_route(struct ld *ld, const struct fld *d, const char *v, const struct fld *tg,
	       bool tgt_ok, struct cfg_route_table *t, int i);
void ld6_names_eigws(struct ld *ld);
void ld6_load_eigws(struct ld *ld);
/* config/cfg_node.c */
void ld_load_node(struct ld *ld);
/* an IPv6 CIDR of a NACL or SG rule, or an ENI's address6 */
void ld6_rule_cidr(struct ld *ld, const struct fld *f, const char *v, struct cfg_rule *r);
void ld6_eni(struct ld *ld, const config_setting_t *e, const char *p, struct cfg_eni *eni);
void ld6_igw(struct ld *ld, const config_setting_t *g, const char *path, struct cfg_igw *igw);

/* ---- SPEC §8 (config/cfg_vpc.c) ---------------------------------------- */

/* Subnet I (list entry E at path P) of the VPC whose cidr is cfg->vpc_cidr
 * (config/cfg_load.c; config/cfg_vpc.c sets vpc_cidr per VPC of `vpcs`). */
void ld_load_subnet(struct ld *ld, const config_setting_t *e, const char *p, int i);
/* Is `vpcs` in the file (then `vpc` is not required)? */
bool ld_has_vpcs(const struct ld *ld);
/* The optional key vlan of subnet SN. */
void ld_subnet_vlan(struct ld *ld, const config_setting_t *e, const char *p,
		    struct cfg_subnet *sn);
/* The cidr of route table T's VPC (of the first subnet using it; the first
 * VPC's for a table no subnet uses). */
const struct cfg_prefix *ld_rt_vpc_cidr(const struct ld *ld, const struct cfg_route_table *t);
/* May subnets i and j not overlap (same VPC, or same port and VLAN)? */
bool ld_subnets_clash(const struct ld *ld, int i, int j);

/* The VPC of route table T (of the first subnet using it), -1: none. */
int ld_rt_vpc(const struct cfg *c, const struct cfg_route_table *t);
/* The VPC named by key vpc of group E (absent: the only VPC), -1 after an error. */
int ld_vpc_ref(struct ld *ld, const config_setting_t *e, const char *p);
/* Route tables, NACLs, SGs and route targets in one VPC each (after every section). */
void ld_vpc_scope_check(struct ld *ld);
/* Overlapping VPCs: each one's zone, and a VLAN port per (port, VLAN) of the
 * subnets (after every section: subnets are re-pointed at them). */
void ld_vpc_vrf(struct ld *ld);
/* Sections prefix_lists and gateway_endpoints (config/cfg_vpce.c). */
void ld_names_prefix_lists(struct ld *ld);
void ld_load_prefix_lists(struct ld *ld);
void ld_names_gateway_endpoints(struct ld *ld);
void ld_load_gateway_endpoints(struct ld *ld);
/* Route target "pcx:NAME": the peering connection's index into *idx. */
int ld_pcx_ref(struct ld *ld, const struct fld *f, const char *name, int *idx);
/* Section transit_gateways and route target "tgw:NAME" (config/cfg_tgw.c). */
void ld_names_tgws(struct ld *ld);
void ld_load_tgws(struct ld *ld);
int ld_tgw_ref(struct ld *ld, const struct fld *f, const char *name, int *idx);
/* Is route E's destination a prefix list ("pl:NAME")? */
bool ld_pl_is(const config_setting_t *e);
/* Route I of T to prefix list V = "pl:NAME" (setting D), target TG already
 * read (ld6_route's shape). */
void ld_pl_route(struct ld *ld, const struct fld *d, const char *v, const struct fld *tg,
		 bool tgt_ok, struct cfg_route_table *t, int i);

/* Every @include of file (recursively, dir: the top file's directory) names
 * a readable file: libconfig 1.5 exit()s otherwise. Returns the errors reported. */
int ld_check_includes(struct ld *ld, const char *file, const char *dir, int depth);

#endif /* VPCGW_CFG_LD_H */
