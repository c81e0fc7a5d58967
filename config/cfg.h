/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vpcgw configuration model.
 *
 * A plain, immutable description of SPEC §2 built by cfg_load() from a
 * libconfig file. No libconfig type leaks out of config/. Every address is
 * IPv4 in host byte order. Every cross reference is resolved to an index into
 * the array it names (-1 when absent), so the data plane never compares names.
 *
 * Ownership: cfg_load() allocates one struct cfg with malloc(); cfg_free()
 * releases it and everything it points to. The control thread owns it; the
 * data plane only reads tables built from it (dp/dp_tables.c).
 */
#ifndef VPCGW_CFG_H
#define VPCGW_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CFG_NAME_MAX 64             /* AWS names a resource in 255 at most; ours are keys, 63 */
#define CFG_DEVARGS_MAX 512         /* one DPDK devargs string */
#define CFG_MAX_DEV_PORTS 8         /* ports of the file (devices) */
#define CFG_MAX_PORTS 16            /* with the VLAN ports (cfg_port.vlan); per-lcore counters
				     * and per-worker tx buffers hold one each */
#define CFG_DEFAULT_DESC 1024       /* rx/tx descriptors per queue unless the port says */
#define CFG_MAX_SG_PER_ENI 5        /* AWS default quota: 5 security groups per interface */
#define CFG_MAX_NAT_ADDRS 8         /* AWS: 2 addresses per NAT gateway, 8 on request */
#define CFG_MAX_EAL_ARGS 64         /* dpdk.eal_args, an argv array */

/* Protocol value meaning "all protocols" (AWS "-1"). */
#define CFG_PROTO_ALL 0xffff

struct cfg_prefix {
	uint32_t addr;  /* network address, host order, host bits zero */
	uint8_t len;    /* 0..32 */
};

#define CFG_ZONE_VPC 0x80           /* zones 0x80..0xfe: overlapping VPCs 0..126 */
#define CFG_MAX_ZONE_VPCS 127

/* An IPv6 prefix (SPEC §7): network order bytes, host bits zero. */
struct cfg_prefix6 {
	uint8_t addr[16];
	uint8_t len;    /* 0..128 */
};

struct cfg_port {
	char name[CFG_NAME_MAX];
	char devargs[CFG_DEVARGS_MAX];
	uint8_t mac[6];
	bool has_mac;         /* false: keep the device's own MAC */
	uint32_t addr;        /* port address */
	uint8_t plen;         /* its prefix length */
	uint16_t mtu;         /* default 1500; 68..9216 */
	uint16_t rx_queues;   /* optional key rx_queues, default 1 */
	uint16_t rx_desc;     /* rx_descriptors: ring size of each rx queue */
	uint16_t tx_desc;     /* tx_descriptors: ring size of each tx queue */
	bool has_addr6;       /* optional key address6 */
	uint8_t addr6[16];    /* vpcgw's own IPv6 address on the port */
	uint8_t plen6;
	/* A VLAN port (config/cfg_vpc.c, ld_vpc_vrf): one per (port, VLAN) that
	 * subnets use, appended after the ports of the file (cfg.n_dev_ports):
	 * an L3 subinterface of port `parent`, no device of its own; 0: a port
	 * of the file */
	uint16_t vlan;
	int parent;
	int line;
};

struct cfg_neighbor {
	int port;             /* index into cfg.ports (with vlan: the VLAN port, ld_vpc_vrf) */
	uint16_t vlan;        /* optional key vlan: a host on that VLAN of the port; 0: none */
	bool v6;              /* address is IPv6 (addr6), else IPv4 (addr) */
	bool addr_ok;         /* v6: port and address parsed */
	uint8_t addr6[16];
	uint32_t addr;
	uint8_t mac[6];
	int line;
};

struct cfg_subnet {
	char name[CFG_NAME_MAX];
	struct cfg_prefix cidr;
	int port;             /* index into cfg.ports */
	int route_table;      /* index into cfg.route_tables, -1: none (local only) */
	int nacl;             /* index into cfg.nacls, -1: default NACL (allow all) */
	bool has_v6;          /* optional key ipv6_cidr: a /64 of the VPC's /56 */
	struct cfg_prefix6 cidr6;
	int vpc;              /* index into cfg.vpcs */
	uint16_t vlan;        /* optional key vlan: 802.1Q VLAN id 1..4094, 0: untagged */
	int line;
};

/* A VPC (SPEC §8): `vpcs = ( ... )`, or the one `vpc = {...}` named "default". */
struct cfg_vpc {
	char name[CFG_NAME_MAX];
	struct cfg_prefix cidr;
	/* flow zone (VRF) of its packets: 0, or CFG_ZONE_VPC | index for a VPC
	 * that overlaps another (config/cfg_vpc.c, ld_vpc_vrf) */
	uint8_t zone;
	int line;
};

struct cfg_eip {
	uint32_t public_addr;
	uint32_t private_addr;
	int line;
};

struct cfg_igw {
	bool present;
	int port;             /* index into cfg.ports */
	uint32_t next_hop;
	bool has_next_hop6;   /* optional key next_hop6 (needs the port's address6) */
	uint8_t next_hop6[16];
	int route_table;      /* edge (ingress) route table, -1: none */
	struct cfg_eip *eips;
	int n_eips;
	int line;
};

enum cfg_target_kind {
	CFG_TARGET_LOCAL = 0, /* implicit VPC route */
	CFG_TARGET_IGW,
	CFG_TARGET_NAT,       /* ref: index into cfg.nat_gateways */
	CFG_TARGET_GWLBE,     /* ref: gwlb index, ref2: endpoint index inside it */
	CFG_TARGET_BLACKHOLE,
	CFG_TARGET_EIGW,      /* IPv6 only; ref: index into cfg.eigws */
	CFG_TARGET_VPCE,      /* ref: index into cfg.gateway_endpoints (installed by it) */
	CFG_TARGET_PCX,       /* ref: index into cfg.peerings */
	CFG_TARGET_TGW,       /* ref: index into cfg.tgws, ref2: the gid of the attachment of
			       * the table's VPC to it (config/cfg_tgw.c), -1: none */
};

/* An egress-only internet gateway (SPEC §7): the internet gateway's port. */
#define CFG_MAX_EIGW 8

struct cfg_eigw {
	char name[CFG_NAME_MAX];
	int line;
};

struct cfg_route {
	bool v6;              /* an IPv6 destination (dst6), else IPv4 (dst) */
	bool has_pl;          /* destination "pl:NAME": every CIDR of prefix list pl (dst unused) */
	int pl;               /* index into cfg.prefix_lists when has_pl */
	struct cfg_prefix6 dst6;
	struct cfg_prefix dst;
	enum cfg_target_kind kind;
	int ref;
	int ref2;
	int line;
};

struct cfg_route_table {
	char name[CFG_NAME_MAX];
	struct cfg_route *routes;
	int n_routes;
	int line;
};

/* One NACL rule or one security-group rule. */
struct cfg_rule {
	uint16_t number;      /* NACL rule number 1..32766; 0 for SG rules */
	uint16_t proto;       /* IP protocol number, or CFG_PROTO_ALL */
	uint16_t port_lo;     /* TCP/UDP port range; 0..65535 when absent */
	uint16_t port_hi;
	int16_t icmp_type;    /* -1: any */
	int16_t icmp_code;    /* -1: any */
	struct cfg_prefix cidr;   /* NACL cidr, SG source/destination CIDR */
	bool v6;              /* the CIDR is IPv6 (cidr6): the rule matches IPv6 only */
	struct cfg_prefix6 cidr6;
	int sg;               /* SG rules: referenced group index (sg:NAME), else -1 */
	bool allow;           /* NACL action; always true for SG rules */
	int line;
};

struct cfg_nacl {
	char name[CFG_NAME_MAX];
	struct cfg_rule *ingress;  /* sorted by rule number, ascending */
	int n_ingress;
	struct cfg_rule *egress;   /* sorted by rule number, ascending */
	int n_egress;
	int line;
};

struct cfg_sg_timeouts {      /* seconds */
	uint32_t tcp_established;  /* 60..432000, default 432000 */
	uint32_t udp;              /* 30..60, default 30 */
	uint32_t udp_stream;       /* 60..180, default 180 */
	uint32_t other;            /* 60..600?  default 600 */
};

struct cfg_sg {
	char name[CFG_NAME_MAX];
	struct cfg_rule *ingress;
	int n_ingress;
	struct cfg_rule *egress;
	int n_egress;
	struct cfg_sg_timeouts timeouts;
	int line;
};

struct cfg_eni {
	uint32_t addr;
	bool has_addr6;       /* optional key address6 (in the subnet's ipv6_cidr) */
	uint8_t addr6[16];
	int sgs[CFG_MAX_SG_PER_ENI];
	int n_sgs;
	int subnet;           /* index into cfg.subnets that holds addr */
	int line;
};

struct cfg_nat_gateway {
	char name[CFG_NAME_MAX];
	int subnet;
	uint32_t addrs[CFG_MAX_NAT_ADDRS];
	int n_addrs;
	uint32_t idle_timeout;        /* seconds, default 350 */
	uint32_t max_ports_per_dest;  /* test override, default 55000 */
	int line;
};

enum cfg_l4 { CFG_L4_TCP = 6, CFG_L4_UDP = 17 };

struct cfg_health_check {
	uint8_t proto;        /* CFG_L4_TCP (only TCP probes are sent) */
	uint16_t port;        /* 0: traffic port */
	uint32_t interval;    /* seconds, 5..300 */
	uint32_t timeout;     /* seconds, 2..120, < interval */
	uint32_t healthy_threshold;    /* 2..10 */
	uint32_t unhealthy_threshold;  /* 2..10 */
	bool enabled;
};

struct cfg_listener {
	uint8_t proto;        /* CFG_L4_TCP or CFG_L4_UDP */
	uint16_t port;
	int target_group;     /* index into cfg.target_groups */
	uint32_t idle_timeout;    /* TCP 60..6000 default 350; UDP fixed 120 */
	int line;
};

struct cfg_nlb {
	char name[CFG_NAME_MAX];
	int subnet;
	uint32_t addr;
	uint32_t public_addr;     /* 0: none */
	bool dualstack;           /* ip_address_type = "dualstack" (SPEC §7) */
	uint8_t addr6[16];        /* address6: its IPv6 address (dualstack) */
	struct cfg_listener *listeners;
	int n_listeners;
	int line;
};

struct cfg_target {
	uint32_t addr;        /* 0 in an ipv6 group */
	uint8_t addr6[16];    /* the address of an ipv6 group's target */
	uint16_t port;        /* 0: the group's port */
	int line;
};

struct cfg_target_group {
	char name[CFG_NAME_MAX];
	uint8_t proto;
	uint16_t port;
	bool preserve_client_ip;      /* default true */
	bool ipv6;                    /* ip_address_type = "ipv6": IPv6 targets (SPEC §7) */
	uint32_t deregistration_delay;    /* seconds 0..3600, default 300 */
	struct cfg_health_check health;
	struct cfg_target *targets;
	int n_targets;
	int line;
};

enum cfg_stickiness { CFG_STICKY_5 = 5, CFG_STICKY_3 = 3, CFG_STICKY_2 = 2 };

struct cfg_gwlb_endpoint {
	char name[CFG_NAME_MAX];
	char id[CFG_NAME_MAX];        /* "vpce-" + 17 hex digits */
	uint64_t id_value;            /* the 17 hex digits as a 64-bit value */
	uint64_t attachment_id;       /* optional key attachment_id, default 0 */
	int subnet;
	int line;
};

struct cfg_appliance {
	uint32_t addr;
	int line;
};

struct cfg_gwlb {
	char name[CFG_NAME_MAX];
	int port;                     /* index into cfg.ports */
	enum cfg_stickiness stickiness;
	bool rebalance;               /* target_failover = "rebalance" */
	uint32_t tcp_idle_timeout;    /* 60..6000, default 350 */
	struct cfg_health_check health;   /* defaults tcp/80/10/5/5/2 */
	struct cfg_appliance *appliances;
	int n_appliances;
	struct cfg_gwlb_endpoint *endpoints;
	int n_endpoints;
	int line;
};

/* A VPC peering connection (SPEC §8): vpc_peering_connections[]. */
struct cfg_peering {
	char name[CFG_NAME_MAX];
	int vpc[2];           /* indices into cfg.vpcs, different, not overlapping */
	int line;
};

/* A managed prefix list (SPEC §8): IPv4 CIDRs a route destination "pl:NAME" stands for. */
struct cfg_prefix_list {
	char name[CFG_NAME_MAX];
	struct cfg_prefix *cidrs;
	int n_cidrs;
	int line;
};

/* A gateway endpoint (SPEC §8): its prefix list's traffic, untranslated, to
 * next_hop on port; it installs "pl:<list> -> itself" in each of route_tables. */
#define CFG_MAX_GATEWAY_ENDPOINTS 32    /* AWS: 20 gateway endpoints per region */

struct cfg_gateway_endpoint {
	char name[CFG_NAME_MAX];
	int vpc;              /* index into cfg.vpcs */
	int prefix_list;      /* index into cfg.prefix_lists */
	int port;             /* index into cfg.ports: carries no subnet, no IGW, no appliance */
	uint32_t next_hop;    /* on the port's prefix */
	int line;
};

/* Transit gateways (SPEC §8, config/cfg_tgw.c). */
#define CFG_MAX_TGW_ATTACHMENTS 128     /* all transit gateways together (per-lcore counters) */
#define CFG_MAX_TGW_RTABLES 64          /* per transit gateway (AWS: 20) */

struct cfg_tgw_route {
	struct cfg_prefix dst;
	int att;              /* index into the TGW's attachments; -1: blackhole */
	int line;
};

struct cfg_tgw_rtable {
	char name[CFG_NAME_MAX];
	struct cfg_tgw_route *routes;   /* static routes, as written */
	int n_routes;
	int line;
};

struct cfg_tgw_attachment {
	char name[CFG_NAME_MAX];
	int vpc;              /* a VPC attachment: index into cfg.vpcs; -1: a port attachment */
	int *subnets;         /* VPC attachment: indices into cfg.subnets (of that VPC) */
	int n_subnets;
	int port;             /* port attachment: index into cfg.ports; -1 */
	uint32_t next_hop;    /* port attachment: on the port's prefix */
	int route_table;      /* associated: index into the TGW's rtables; -1: none */
	uint64_t propagate;   /* bit i: propagates into the TGW's rtables[i] */
	int gid;              /* index over every TGW's attachments (counters) */
	int line;
};

struct cfg_tgw {
	char name[CFG_NAME_MAX];
	struct cfg_tgw_attachment *atts;
	int n_atts;
	struct cfg_tgw_rtable *rtables;
	int n_rtables;
	int line;
};

struct cfg_dpdk {
	char *eal_args[CFG_MAX_EAL_ARGS];
	int n_eal_args;
	uint32_t workers;             /* default 1 */
	uint32_t mbufs;               /* default 32767 */
	uint32_t flow_table_size;     /* default 1048576 */
	uint32_t idle_sleep_us;       /* default 0: workers always poll */
	int line;                     /* of the dpdk group (1 when absent) */
	int eal_line;                 /* of dpdk.eal_args (0 when absent) */
};

/* node = { ... } (config/cfg_node.c, docs/SCALE-OUT.md): this node of a scale-out set */
struct cfg_node {
	char name[64];                /* "" when absent: no node label anywhere */
	bool has_health;              /* node.health.listen given */
	uint32_t health_addr;         /* host order */
	uint16_t health_port;
	bool mid_flow_place;      /* mid_flow = "place": see docs/SCALE-OUT.md */
	int line;                     /* of the node group (0 when absent) */
};

/* A VPC flow log (flowlog/fl_cfg.c, docs/config.md "Flow logs"). */
#define CFG_FL_MAX_FIELDS 32
#define CFG_FL_PATH_MAX 448
enum cfg_fl_resource { CFG_FL_VPC = 0, CFG_FL_SUBNET, CFG_FL_ENI };

struct cfg_flow_log {
	char name[CFG_NAME_MAX];
	enum cfg_fl_resource resource;
	int subnet;                   /* CFG_FL_SUBNET: index into cfg.subnets */
	uint32_t eni_addr;            /* CFG_FL_ENI */
	bool accept, reject;          /* traffic_type ACCEPT, REJECT, ALL (both) */
	uint32_t interval_s;          /* max_aggregation_interval: 60 or 600 */
	char dir[CFG_FL_PATH_MAX];    /* destination "file:DIR" */
	char account[16];             /* account_id, 12 digits */
	uint8_t fields[CFG_FL_MAX_FIELDS];   /* format (flowlog/fl_format.h) */
	int n_fields;
	int line;
};

/* A traffic mirror session (mirror/mr_cfg.c, docs/config.md "Traffic mirroring"). */
struct cfg_mirror_rule {
	uint16_t number;              /* rule 1..32766; rules sorted ascending */
	uint16_t proto;               /* IP protocol number, or CFG_PROTO_ALL */
	uint16_t port_lo, port_hi;    /* TCP/UDP destination port (a NACL's); 0..65535 absent */
	struct cfg_prefix cidr;       /* the remote end: source inbound, destination outbound */
	bool accept;                  /* action "accept" (copy) or "reject" (do not) */
	int line;
};

struct cfg_mirror_session {
	char name[CFG_NAME_MAX];
	uint32_t eni_addr;            /* source "eni:ADDRESS" */
	uint32_t target_addr;         /* target.address, host order */
	int target_port;              /* target.port: index into cfg.ports */
	uint32_t vni;                 /* 0..16777215 */
	uint32_t packet_length;       /* bytes of the packet copied (from its Ethernet header); 0: all */
	uint16_t session_number;      /* 1..32766: the lowest wins on one ENI */
	struct cfg_mirror_rule *in;   /* filter.inbound */
	int n_in;
	struct cfg_mirror_rule *out;  /* filter.outbound */
	int n_out;
	int line;
};

struct cfg {
	char file[512];
	struct cfg_dpdk dpdk;
	struct cfg_node node;
	struct cfg_port *ports;
	int n_ports;                  /* the ports of the file, then the VLAN ports */
	int n_dev_ports;              /* the ports of the file (devices): the first n_dev_ports */
	struct cfg_neighbor *neighbors;
	int n_neighbors;
	struct cfg_prefix vpc_cidr;   /* the first VPC's (the only one the data plane runs) */
	struct cfg_vpc *vpcs;         /* config/cfg_vpc.c; n_vpcs >= 1 in a valid cfg */
	int n_vpcs;
	bool has_vpc6;                /* vpc.ipv6_cidr: the VPC is dual stack */
	struct cfg_prefix6 vpc_cidr6; /* a /56 */
	int vpc6;                     /* the dual-stack VPC (index in vpcs; 0 for `vpc`) */
	struct cfg_subnet *subnets;
	int n_subnets;
	struct cfg_igw igw;
	struct cfg_route_table *route_tables;
	int n_route_tables;
	struct cfg_eigw *eigws;       /* egress_only_internet_gateways */
	int n_eigws;
	struct cfg_nacl *nacls;
	int n_nacls;
	struct cfg_sg *sgs;
	int n_sgs;
	struct cfg_eni *enis;
	int n_enis;
	struct cfg_nat_gateway *nat_gateways;
	int n_nat_gateways;
	struct cfg_nlb *nlbs;
	int n_nlbs;
	struct cfg_target_group *target_groups;
	int n_target_groups;
	struct cfg_gwlb *gwlbs;
	int n_gwlbs;
	struct cfg_flow_log *flow_logs;
	int n_flow_logs;
	struct cfg_mirror_session *mirrors;     /* traffic_mirror_sessions */
	int n_mirrors;
	struct cfg_peering *peerings;           /* config/cfg_vpc.c */
	int n_peerings;
	struct cfg_prefix_list *prefix_lists;   /* config/cfg_vpc.c */
	int n_prefix_lists;
	struct cfg_gateway_endpoint *gateway_endpoints;
	int n_gateway_endpoints;
	struct cfg_tgw *tgws;                   /* config/cfg_tgw.c */
	int n_tgws;
	int n_tgw_atts;                         /* over every TGW (gid < n_tgw_atts) */
};

/*
 * Error sink: cfg_load() reports every problem it finds, one call each, as
 * "file:line: path: problem" (the formatted line without newline).
 */
typedef void (*cfg_error_fn)(void *arg, const char *msg);

/*
 * Load and validate FILE. On success returns 0 and sets *out. On failure
 * returns the number of errors found (> 0), each reported through err (or
 * printed on stderr when err is NULL), and *out is NULL.
 */
int cfg_load(const char *file, struct cfg **out, cfg_error_fn err, void *arg);

/* Same, from a string; name is used in messages in place of a file name. */
int cfg_load_string(const char *text, const char *name, struct cfg **out,
		    cfg_error_fn err, void *arg);

void cfg_free(struct cfg *cfg);
/* What config/cfg_vpc.c allocated (cfg_free calls it). */
void cfg_vpc_free(struct cfg *cfg);
/* What config/cfg_tgw.c allocated (cfg_vpc_free calls it). */
void cfg_tgw_free(struct cfg *cfg);

/* Helpers shared with the rest of the code (config/cfg_util.c). */
int cfg_parse_ipv4(const char *s, uint32_t *addr);
int cfg_parse_prefix(const char *s, struct cfg_prefix *p);  /* host bits must be 0 */
int cfg_parse_mac(const char *s, uint8_t mac[6]);
bool cfg_prefix_contains(const struct cfg_prefix *p, uint32_t addr);
bool cfg_prefix_overlap(const struct cfg_prefix *a, const struct cfg_prefix *b);
/* Index of the subnet holding addr, or -1. */
int cfg_subnet_of(const struct cfg *cfg, uint32_t addr);
const char *cfg_ipv4_str(uint32_t addr, char *buf, size_t len);

/* Names are UTF-8 text without control characters (docs/config.md): NULL,
 * or what is wrong with name and *at the offset of the byte. */
const char *cfg_name_problem(const char *name, size_t *at);
/* IPv6 (config/cfg_ip6.c). */
int cfg_parse_ipv6(const char *s, uint8_t addr[16]);
int cfg_parse_prefix6(const char *s, struct cfg_prefix6 *p);  /* -EDOM: host bits set */
bool cfg_prefix6_contains(const struct cfg_prefix6 *p, const uint8_t addr[16]);
bool cfg_prefix6_overlap(const struct cfg_prefix6 *a, const struct cfg_prefix6 *b);
const char *cfg_ipv6_str(const uint8_t addr[16], char *buf, size_t len);

#endif /* VPCGW_CFG_H */
