/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vpcgw data plane: shared types.
 *
 * Threads: one control thread on the main lcore (config, reload, telemetry,
 * flow expiry, health checks, LCU windows) and N worker lcores that poll
 * their rx queues and run the whole pipeline over each burst.
 *
 * Shared data and its contract:
 *  - struct dp_tables: immutable once published. The control thread builds a
 *    new one, swaps dp_g.tables (release store) and frees the old one after an
 *    RCU QSBR grace period (every worker reports quiescent after each burst).
 *    Workers load the pointer once per burst (acquire).
 *  - struct dp_flow_table: lock-free rte_hash (RW_CONCURRENCY_LF, multi-writer
 *    add). Workers look up and add; only the control thread deletes, and frees
 *    flow objects through an RCU defer queue.
 *  - neighbors: rte_hash + fixed array; entries are never deleted; the MAC is
 *    published with a single 64-bit atomic store.
 *  - counters: per-lcore, single writer (dp_counters.h).
 */
#ifndef VPCGW_DP_H
#define VPCGW_DP_H

#include <assert.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <stdio.h>

#include <rte_common.h>
#include <rte_per_lcore.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "config/cfg.h"
#include "dp/dp_counters.h"
#include "dp/dp_lpm.h"
#include "dp/dp_map.h"

#define DP_BURST 32                 /* packets a burst: rx, the stages' vectors, tx */
#define DP_MAX_WORKERS 16           /* per-worker arrays (rx timestamps, RCU); --check reports more */
#define DP_MAX_PORTS CFG_MAX_PORTS
#define DP_MAX_SOURCES 64           /* (port, rx queue) pairs: 8 ports x 8 queues */
/*
 * Fixed limits on services (issue #22: each at or above AWS's default quota).
 * They stay compile-time because the per-lcore counters (struct
 * dp_lcore_stats) hold an array of each: a worker writes them with no lock
 * and no indirection, and a reload must never move them. What they cost:
 * docs/config.md "Limits and memory". Everything else (route tables, NACLs,
 * security groups, flows, mbufs) is sized from the configuration.
 */
#define DP_MAX_NATGW 32             /* AWS: 5 per availability zone; 6 zones, and more */
#define DP_MAX_NAT_ADDRS (DP_MAX_NATGW * CFG_MAX_NAT_ADDRS)
#define DP_MAX_NLB 50               /* AWS: 50 network load balancers per region */
#define DP_MAX_LISTENERS 2500       /* all NLBs together; AWS: 50 listeners per NLB */
#define DP_MAX_TARGETS 1000         /* all target groups together; AWS: 1,000 per NLB, 500 per
				     * group; probe source ports 33000 + target stay below 34000 */
#define DP_MAX_GWLB 100             /* AWS: 100 gateway load balancers per region */
#define DP_MAX_GWLB_ENDPOINTS (DP_MAX_GWLB * 8)   /* AWS: one endpoint per VPC and zone */
#define DP_MAX_APPLIANCES 1000      /* all GWLBs together; AWS: 300 targets per GWLB; probe
				     * source ports 34000 + appliance stay below 35000 */
#define DP_MAX_ENIS 5000            /* AWS: 5,000 network interfaces per region */
#define DP_MAX_EIGW 8               /* CFG_MAX_EIGW */
#define DP_MAX_VPCE CFG_MAX_GATEWAY_ENDPOINTS
#define DP_MAX_SGS 2500             /* AWS: 2,500 security groups per region */
#define DP_ARPQ_SIZE 256            /* packets waiting for ARP, per worker */
#define DP_NEIGH_MAX 4096           /* static and learned together; unanswered and idle entries
				     * age out (dp_neigh_age): it bounds the hosts talked to at
				     * once, not the VPC; tests/pcap/test_exhaust.py fills it */
#define DP_ARP_RETRY_MS 1000
#define DP_ARP_WAIT_MS 3000
#define DP_TX_DRAIN_US 100
#define DP_IDLE_SLEEP_MAX_US 10000 /* dpdk.idle_sleep_us, --idle-sleep-us: at most 10 ms */
#define DP_IDLE_POLLS 64           /* empty polls before a worker starts to sleep */
#define DP_GNV_MAX_INNER 8500
#define DP_NODE_MAX 12             /* stages of the pipeline (dp_graph.h) */

/* ---------------------------------------------------------------- clock */

enum dp_clock_mode { DP_CLOCK_TSC = 0, DP_CLOCK_PACKET };

/* ---------------------------------------------------------------- CLI */

struct dp_opts {
	const char *config;
	bool check;
	int workers;                /* -1: from config */
	enum dp_clock_mode clock;
	int64_t exit_idle_ms;       /* -1: never */
	int64_t idle_sleep_us;      /* -1: from config (dpdk.idle_sleep_us) */
	const char *stats_json;
	const char *prometheus_file;
	const char *stats_series;   /* JSON lines, one per interval */
	uint32_t stats_interval;    /* seconds, 0: off */
	const char *log_levels[8];  /* --log-level: [TYPE:]LEVEL, in order */
	int n_log_levels;
	const char *file_prefix;    /* --file-prefix: added to the EAL arguments */
	int eal_argc;               /* arguments after "--" */
	char **eal_argv;
};

/*
 * Parse argv. Returns 0 to run, 1 when it printed help/version (exit 0), or
 * -1 after printing an error (exit 1). Pure: no EAL.
 */
int dp_cli_parse(int argc, char **argv, struct dp_opts *o);

/* ---------------------------------------------------------------- tables */

enum dp_port_role {
	DP_ROLE_VPC = 1 << 0,       /* some subnet lives on it */
	DP_ROLE_INTERNET = 1 << 1,  /* the internet gateway's port */
	DP_ROLE_APPLIANCE = 1 << 2, /* a GWLB's appliance port */
	DP_ROLE_VPCE = 1 << 3,      /* a gateway endpoint's port (dp/vpce.c) */
	DP_ROLE_TGW = 1 << 4,       /* a transit gateway's port attachment (tgw/) */
};

/* Addresses vpcgw answers for (ARP, and what a packet to them means). */
enum dp_local_kind {
	DP_LOCAL_ROUTER = 1,        /* a port address or a subnet's .1 */
	DP_LOCAL_NAT,               /* ref = NAT gw, ref2 = address index */
	DP_LOCAL_EIP,               /* ref = elastic IP index */
	DP_LOCAL_NLB,               /* ref = NLB index (private address) */
	DP_LOCAL_NLB_PUBLIC,        /* ref = NLB index (public address) */
};

/* Value of dp_tables.local: kind | port << 8 | ref << 16 ; ref2 in NAT only. */
#define DP_LOCAL_VAL(kind, port, ref) ((uint32_t)(kind) | (uint32_t)(port) << 8 | (uint32_t)(ref) << 16)
#define DP_LOCAL_KIND(v) ((v) & 0xff)
#define DP_LOCAL_PORT(v) (((v) >> 8) & 0xff)
#define DP_LOCAL_REF(v) ((v) >> 16)

/* A resolved route: what an LPM next-hop id stands for. */
struct dp_route {
	uint8_t kind;               /* enum cfg_target_kind */
	uint16_t ref;
	uint16_t ref2;
};

/*
 * One route table: a compact LPM (dp_lpm.h) whose value is an index into
 * routes (0: the VPC's local route); none means no route. Memory grows with
 * the routes (a few KB for 50), not 16 MB a table as an rte_fib DIR24_8 did.
 */
struct dp_rtable {
	struct dp_lpm lpm;          /* value = index into routes */
	struct dp_route *routes;
	uint32_t n_routes;
	uint64_t none;              /* value of "no route" */
};

/* The route (index into rt->routes, or rt->none) of each of n host-order
 * addresses: the routing and policy stages' only route lookup. */
static inline void
dp_rt_lookup_bulk(const struct dp_rtable *rt, const uint32_t *dst, uint64_t *nh, unsigned n)
{
	dp_lpm_lookup_bulk(&rt->lpm, dst, nh, n);
}

/* Per subnet, for the routing stage: its route table, port and NACL. */
struct dp_subnet_rt {
	const struct dp_rtable *rt;
	uint16_t port;
	bool nacl;                  /* has a network ACL */
	int16_t vpc;                /* its VPC (cfg index) */
};

struct dp_port_rt {                 /* per port, runtime */
	uint16_t port_id;           /* DPDK port id */
	uint8_t roles;
	uint16_t mtu;
	uint16_t n_txq;             /* tx queues configured */
	struct rte_ether_addr mac;
	uint32_t addr;
	uint8_t plen;
	uint64_t src48;             /* mac in the low 6 bytes (memory order), 0 above */
	struct rte_ring *tx_ring;   /* MPSC handoff when n_txq < workers */
	uint16_t vlan;              /* a VLAN port (cfg_port.vlan): its tag; 0: a device */
	uint8_t parent;             /* a VLAN port's device port */
	bool has_vlans;             /* a device with VLAN ports: bursts split (dp/vlan.c) */
};

struct fw_sg_ctx;
struct fw_nacl_ctx;
struct lb_state;
struct gnv_state;
struct nat_state;
struct dp_ip6;
struct dp_vpce;
struct dp_tgw;
struct mr_state;

struct dp_tables {
	struct cfg *cfg;
	uint64_t generation;
	/* some flow may have lost what it was sent to since it was made (a
	 * reload removed an NLB target): the fast path asks dp_pipe_ops.flow_gone */
	bool flows_gone;
	struct dp_lpm subnet_lpm;         /* address → subnet index, n_subnets: none */
	int16_t *subnet_arr;              /* see dp_subnet_lookup(); NULL: subnet_lpm only */
	uint32_t subnet_base;             /* VPC CIDR address */
	uint32_t subnet_span;             /* addresses in the VPC CIDR */
	uint8_t subnet_shift;             /* 32 - longest subnet prefix */
	struct dp_rtable *rtables;        /* one per cfg route table */
	struct dp_rtable local_rt;        /* local only (subnets with no table); every VPC's */
	struct dp_rtable *vpc_rt;         /* several VPCs: each one's local-only table, else NULL */
	struct dp_map local;              /* address → DP_LOCAL_VAL */
	uint64_t local_filter[64];        /* bit dp_local_bit(a) set for every key of local */
	struct dp_subnet_rt *subnet_rt;   /* per subnet: what ip_route needs */
	/* overlapping VPCs (dp/vlan.c): the zone of each port's packets, and
	 * per overlapping VPC its subnets; NULL (zone 0 everywhere): none */
	uint8_t port_zone[DP_MAX_PORTS];
	struct dp_lpm *zone_subnet;       /* by VPC index, for VPCs with a zone */
	bool any_subnet_nacl;             /* some subnet has a network ACL */
	struct dp_map eip_by_private;     /* private address → elastic IP index */
	struct dp_map nlb_by_private;     /* NLB address → NLB index (outbound 1:1) */
	struct fw_sg_ctx *sg;
	struct fw_nacl_ctx *nacl;
	struct nat_state *nat;
	struct lb_state *lb;
	struct gnv_state *gnv;
	struct dp_ip6 *ip6;               /* NULL: no IPv6 (dp/ip6.h) */
	struct dp_vpce *vpce;             /* NULL: no gateway endpoint (dp/vpce.h) */
	struct dp_tgw *tgw;               /* NULL: no transit gateway (dp/dp_tgw.h) */
	struct mr_state *mirror;          /* NULL: no traffic mirror session (mirror/mr.h) */
};

/* ---------------------------------------------------------------- flows */

/* The key of one direction of a flow, as the packet carries it on arrival. */
struct dp_flow_key {
	uint32_t src;               /* network byte order */
	uint32_t dst;
	uint16_t sport;             /* ICMP query: id in sport (request) or dport (reply) */
	uint16_t dport;
	uint8_t proto;
	uint8_t zone;               /* 0; DP_FLOW_ZONE_IP6: an IPv6 flow (dp/flow6.c) */
	uint16_t pad;               /* always zero */
};

#define DP_FLOW_ZONE_IP6 6

enum dp_flow_kind { DP_FLOW_SG = 0, DP_FLOW_NAT, DP_FLOW_NLB, DP_FLOW_GWLB };

#define DP_FLOW_F_UDP_STREAM 0x01   /* UDP seen both ways */
#define DP_FLOW_F_DEAD 0x02         /* expired: the sweeper deletes it */
#define DP_FLOW_F_LIVE 0x04         /* in the hash (slot in use) */
#define DP_FLOW_F_REPLIED 0x08      /* reply direction seen */
#define DP_FLOW_F_SG_OK 0x10        /* security groups passed for this flow */
#define DP_FLOW_F_KEY1_FREE 0x20    /* creator's promise: key[1] is in no other flow
				     * (NAT: a port of the worker's own share, probed);
				     * dp_flow_insert skips that check and clears it */
#define DP_FLOW_F_PENDING 0x40     /* being inserted: another flow of its keys may
				     * still make it back out (dp_flow_insert) */

/*
 * The cached action of one direction of a flow (dp/flow_fast.c): filled by
 * the policy stage when a known packet of that direction leaves through
 * dp_output(), valid while gen equals the generation of the tables in use
 * (a reload changes it). Written under the DP_ACT_GEN_BUSY mark (one writer
 * at a time, by compare-and-swap), read by any worker: readers check gen
 * before and after reading the rest.
 */
#define DP_ACT_NONE 0               /* not cacheable: the policy stage decides each packet */
#define DP_ACT_FWD 1                /* no rewrite */
#define DP_ACT_XLATE 2              /* to the mirror of the other key (NAT, NLB) */
#define DP_ACT_SNAT_SRC 3           /* source to pub (internet gateway 1:1) */
#define DP_ACT_ENCAP 4              /* GENEVE to the flow's appliance (no TTL change) */
#define DP_ACCT_NONE 0
#define DP_ACCT_NAT_OUT 1           /* NAT gateway counters, inside to outside */
#define DP_ACT_GEN_BUSY UINT32_MAX

struct dp_flow_act {
	uint32_t gen;               /* 0: empty */
	uint32_t nh;                /* next hop, host order */
	uint32_t pub;               /* DP_ACT_SNAT_SRC: new source, network order */
	uint16_t port;              /* output port (cfg index) */
	uint16_t ip_delta;          /* folded checksum deltas: IPv4 header (rewrite and TTL), */
	uint16_t l4_delta;          /* TCP/UDP (rewrite) */
	uint8_t op;                 /* DP_ACT_* */
	uint8_t acct;               /* DP_ACCT_* */
	uint8_t in_port;            /* the port this direction's packets arrive on */
	uint8_t pad;
	uint16_t mtu;               /* the output port's MTU (DP_ACT_ENCAP: 65535) */
};

/*
 * One connection. Reached through key[0] (the direction that opened it) and
 * key[1] (the reply, as it arrives after translation). A packet arriving in
 * direction d is rewritten to the mirror image of key[1 - d]: that is the
 * whole of NAT/NLB translation.
 * Immutable after creation: key, kind, svc, target, cookie, timeouts.
 * Mutable (relaxed atomics, both workers of a flow may write): last_ms,
 * tcp_state, flags.
 */
struct dp_flow {
	struct dp_flow_key key[2];  /* 32 */
	uint64_t last_ms;           /* last packet, dp clock ms */
	uint32_t cookie;            /* GWLB flow cookie */
	uint32_t idle_s;            /* established / idle timeout */
	uint16_t short_s;           /* UDP before it is a stream (SG); 0: idle_s */
	uint16_t svc;               /* NAT gw, listener or GWLB index */
	uint16_t target;            /* NLB target, appliance index */
	uint16_t aux;               /* NAT address index, GWLB endpoint */
	uint8_t kind;
	uint8_t tcp_state;
	uint8_t flags;
	uint8_t nacl_cache;         /* NACL verdict cache: bit d = direction d passed; bits 2-7: generation */
	uint16_t eni[2];            /* ENI index + 1 of each side, 0: none */
	/* second cache line: what a known packet of each direction does */
	struct dp_flow_act act[2];
	/* expiry (dp_flow.c): the owner lcore's timer wheel list links, written
	 * by the owner only; flow indices, see dp_flow.c TW_HEAD */
	uint32_t tw_next;
	uint32_t tw_prev;
	uint8_t tw_owner;           /* lcore id + 1 of the wheel holding it, 0: none */
	uint8_t tw_gone;            /* another lcore ended it: its keys are deferred */
	uint16_t created_hi;        /* creation time, dp clock ms: bits 32-47 */
	uint32_t created_lo;        /* bits 0-31 (dp_flow_created_ms) */
};

static_assert(sizeof(struct dp_flow_key) == 16, "flow key is 16 bytes");
static_assert(sizeof(struct dp_flow) == 128, "a flow is two cache lines: state, then actions");
static_assert(offsetof(struct dp_flow, act) == 64, "the actions start the second line");

/* ---------------------------------------------------------------- mbuf meta */

#define DP_M_FROM_APPLIANCE 0x01    /* decapsulated GENEVE return */
#define DP_M_FRAG 0x02              /* IPv4 fragment (MF or offset) */
#define DP_M_LATER_FRAG 0x04        /* offset != 0: no L4 header */
#define DP_M_ICMP_ERR 0x08          /* ICMP error: key from the inner header */
#define DP_M_HASHED 0x10            /* key_hash holds the hash of key */
#define DP_M_TX6 0x40               /* handed to the IPv6 output (dp_nd6_output): tx6 counts it */
#define DP_M_GENERATED 0x80         /* built by vpcgw (ARP, ICMP, RST, probes): counted apart */

/* Per-packet metadata in the mbuf private area (8-byte aligned). */
struct dp_meta {
	uint16_t l3;                /* offset of the IPv4 header */
	uint16_t l4;                /* offset of the L4 header */
	uint8_t proto;
	uint8_t flags;
	uint8_t tcp_flags;
	uint8_t in_port;            /* cfg port index */
	uint16_t ep;                /* GWLB endpoint (global index) for DP_M_FROM_APPLIANCE */
	uint8_t slot;               /* place in the received burst (dp_pkt.h) */
	uint8_t pad;
	uint32_t nh;                /* next hop, host order */
	struct dp_flow_key key;     /* 8-byte aligned: hashed a word at a time */
	void *flow;                 /* struct dp_flow *, low bit: direction */
	uint32_t key_hash;          /* flow table hash of key, if DP_M_HASHED */
};
static_assert(offsetof(struct dp_meta, key) % 8 == 0, "rte_hash_crc reads 8 bytes at a time");
static_assert(offsetof(struct dp_meta, flags) == offsetof(struct dp_meta, proto) + 1 &&
	      offsetof(struct dp_meta, in_port) == offsetof(struct dp_meta, proto) + 3 &&
	      RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN,
	      "dp_tx_flush_port reads proto..in_port as one little-endian word");

static inline struct dp_meta *
dp_meta(struct rte_mbuf *m)
{
	return (struct dp_meta *)rte_mbuf_to_priv(m);
}

#define DP_SLOT_NONE 0xff           /* dp_meta.slot of a packet vpcgw built */


/* ---------------------------------------------------------------- stats */

struct dp_port_stats {
	uint64_t rx, rx_bytes;
	uint64_t fwd;               /* received here, sent out some port */
	uint64_t local;             /* received here, consumed by vpcgw (ARP, echo, probes) */
	uint64_t drop;              /* received here, dropped (any reason) */
	uint64_t tx, tx_bytes;      /* forwarded out of this port */
	uint64_t gen;               /* generated by vpcgw and sent out of this port */
	uint64_t gen_drop;          /* generated but not sent */
	/* the IPv6 frames of rx/tx (SPEC §7, per family), counted on the IPv6
	 * paths only (rx: dp_ip6_input_node; tx: frames dp_nd6_output marked
	 * DP_M_TX6, in dp_tx_flush_port's unlikely branch with the generated
	 * ones): IPv4 and the rest are the totals less these, derived by the
	 * exporter (dp_stats.c), so IPv4 forwarding counts nothing more */
	uint64_t rx6, rx6_bytes, tx6, tx6_bytes;
};

struct dp_nat_stats {
	uint64_t conn_created, conn_deleted, conn_attempt, conn_established;
	uint64_t err_port_alloc, idle_timeout, drop;
	uint64_t bytes_in_src, bytes_out_dst, bytes_in_dst, bytes_out_src;
	uint64_t pkts_in_src, pkts_out_dst, pkts_in_dst, pkts_out_src;
	/* NAT64's part of the source side (IPv6; the destination side is
	 * IPv4 always), counted on its paths only: IPv4 is the rest */
	uint64_t pkts_in_src6, bytes_in_src6, pkts_out_src6, bytes_out_src6;
};

struct dp_lb_stats {                /* per NLB listener, target, GWLB, appliance */
	uint64_t flows_created, flows_deleted;
	uint64_t bytes, packets;
	uint64_t resets;            /* TCP_ELB_Reset_Count */
	uint64_t port_alloc_err;
	uint64_t midflow_placed;    /* NLB: flows picked up mid-stream (docs/SCALE-OUT.md) */
};

struct dp_eni_stats {
	uint64_t flows_created, flows_deleted;
	uint64_t allowed, denied;
};

struct dp_eigw_stats {              /* per egress-only internet gateway */
	uint64_t pkts_out, bytes_out, pkts_in, bytes_in;
	uint64_t unsolicited;       /* also in drops.eigw_unsolicited */
};

struct dp_vpce_stats {              /* per gateway endpoint (dp/vpce.c) */
	uint64_t pkts_out, bytes_out, pkts_in, bytes_in;
};

struct dp_tgw_stats {               /* per transit gateway attachment (tgw/), CloudWatch's */
	uint64_t pkts_in, bytes_in;         /* PacketsIn, BytesIn: from the attachment */
	uint64_t pkts_out, bytes_out;       /* PacketsOut, BytesOut: to the attachment */
	uint64_t drop_blackhole, drop_no_route;   /* from the attachment */
};

struct dp_node_stats {              /* per stage (dp_graph.c) */
	uint64_t calls, pkts;
	/* one burst in DP_GRAPH_TIMED is timed: cycles over timed_pkts packets */
	uint64_t cycles, timed_pkts;
};

struct dp_lcore_stats {
	uint64_t drops[DP_DROP_MAX];
	struct dp_port_stats port[DP_MAX_PORTS];
	uint64_t flows_created[4], flows_deleted[4];   /* by dp_flow_kind */
	uint64_t untracked;         /* packets passed by untracked SG rules */
	struct dp_eigw_stats eigw[DP_MAX_EIGW];
	struct dp_vpce_stats vpce[DP_MAX_VPCE];
	struct dp_tgw_stats tgw[CFG_MAX_TGW_ATTACHMENTS];   /* by cfg_tgw_attachment.gid */
	uint64_t flow6_fold_collision;  /* IPv6 flows not tracked: folded key taken (flow6.c) */
	struct dp_nat_stats nat[DP_MAX_NATGW];
	struct dp_lb_stats listener[DP_MAX_LISTENERS];
	struct dp_lb_stats target[DP_MAX_TARGETS];
	struct dp_lb_stats gwlb[DP_MAX_GWLB];
	struct dp_lb_stats appliance[DP_MAX_APPLIANCES];
	struct dp_lb_stats gwlb_ep[DP_MAX_GWLB_ENDPOINTS];  /* GWLB endpoints, global index */
	struct dp_eni_stats eni[DP_MAX_ENIS];
	uint64_t sg_allowed[DP_MAX_SGS];    /* packets a group's rule allowed */
	uint64_t bursts, idle_sleeps;   /* idle_sleeps: dpdk.idle_sleep_us */
	struct dp_node_stats node[DP_NODE_MAX + 1];    /* + 1: ip-output (dp_emit_flush) */
} __rte_cache_aligned;

/* ---------------------------------------------------------------- global */

struct dp_source {                  /* one (port, rx queue) polled by one worker */
	uint16_t port;              /* cfg port index */
	uint16_t queue;
	uint8_t worker;
	/* packet clock only: next packet's capture time, published (see dp_worker.c) */
	_Atomic uint64_t head_us;
};

struct dp_global {
	struct dp_opts opts;
	struct cfg *cfg;            /* current config (control thread) */
	_Atomic(struct dp_tables *) tables;
	struct dp_port_rt ports[DP_MAX_PORTS];
	int n_ports;
	uint16_t mtu_min;           /* the smallest port MTU (0: not known): what fits it fits all */
	unsigned n_workers;
	uint32_t idle_sleep_us;     /* a worker's longest idle sleep, 0: always poll */
	unsigned worker_lcore[DP_MAX_WORKERS];
	struct dp_source sources[DP_MAX_SOURCES];
	unsigned n_sources;
	struct rte_mempool *pool;
	struct rte_rcu_qsbr *rcu;
	struct dp_lcore_stats *stats;   /* n_workers + 1 (control) */
	int ts_offset;              /* rx timestamp dynfield, -1 if none */
	uint64_t ts_flag;
	volatile bool stop;         /* set by signal / control: workers finish */
	_Atomic bool quit;          /* workers exit their loop */
	_Atomic uint64_t last_rx_tsc;
	_Atomic unsigned workers_idle;   /* packet mode: sources exhausted */
	uint64_t tsc_hz;
	/* packet clock: the control thread's next event, a pseudo source */
	_Atomic uint64_t ctl_head_us;
	_Atomic uint64_t pkt_now_us;    /* the latest packet time processed */
	/* packet clock: the last control event done; every packet before it
	 * has been processed (idle workers expire their flows up to it) */
	_Atomic uint64_t ctl_done_ms;
};

extern struct dp_global dp_g;

/* ---------------------------------------------------------------- API */

/* dp_tables.c */
struct dp_tables *dp_tables_build(struct cfg *cfg, uint64_t generation, char *err, size_t errlen);
void dp_tables_free(struct dp_tables *t);
int dp_subnet_lookup_fib(const struct dp_tables *t, uint32_t addr_host);
/* Bytes the tables of cfg will need at most (route tables, subnets, maps):
 * what --check counts against -m. */
uint64_t dp_tables_bound(const struct cfg *cfg);

/* The filter bit of a host-order address (dp_tables.local_filter). */
static inline uint32_t
dp_local_bit(uint32_t addr_host)
{
	return (addr_host * 2654435761u) >> 20;     /* 12 bits */
}

/* Could addr (host order) be one of vpcgw's own (t->local)? false: surely not. */
static inline bool
dp_local_maybe(const struct dp_tables *t, uint32_t addr_host)
{
	uint32_t b = dp_local_bit(addr_host);

	return (t->local_filter[b >> 6] >> (b & 63)) & 1;
}

/* The subnet (index) of an address, or -1. */
static inline int
dp_subnet_lookup(const struct dp_tables *t, uint32_t addr_host)
{
	uint32_t off = addr_host - t->subnet_base;

	if (likely(t->subnet_arr != NULL))
		return off < t->subnet_span ? t->subnet_arr[off >> t->subnet_shift] : -1;
	return dp_subnet_lookup_fib(t, addr_host);
}

/* dp/vlan.c: overlapping VPCs' tables of a generation */
int dp_zone_tables_build(struct dp_tables *t, const struct cfg *cfg);
void dp_zone_tables_free(struct dp_tables *t);

/* The zone (cfg_vpc.zone) of subnet i's VPC. */
static inline uint8_t
dp_subnet_zone(const struct cfg *cfg, int i)
{
	int v = cfg->subnets[i].vpc;

	return cfg->vpcs != NULL && v >= 0 && v < cfg->n_vpcs ? cfg->vpcs[v].zone : 0;
}

/* The subnet of an address in flow zone zone (dp_meta.key.zone): the VPC of
 * an overlapping VPC's zone, or those without (zone 0). */
int dp_subnet_lookup_vrf(const struct dp_tables *t, uint8_t zone, uint32_t addr_host);

static inline int
dp_subnet_lookup_zone(const struct dp_tables *t, uint8_t zone, uint32_t addr_host)
{
	if (likely(zone == 0))
		return dp_subnet_lookup(t, addr_host);
	return dp_subnet_lookup_vrf(t, zone, addr_host);
}

/* The key of a vpcgw address (dp_tables.local) seen from a packet in zone
 * zone: a subnet router of an overlapping VPC is its zone's only. */
static inline uint64_t
dp_local_key(uint32_t addr_host, uint8_t zone)
{
	return (uint64_t)addr_host | (uint64_t)zone << 32;
}

/* dp_port.c */
int dp_ports_init(const struct cfg *cfg, char *err, size_t errlen);
void dp_ports_stop(void);
/* Log a port whose link changed since the last call (control thread). */
void dp_ports_link_poll(void);

/* dp_worker.c */
int dp_worker_main(void *arg);
uint64_t dp_now_ms(void);   /* the data-plane clock of the calling lcore */

/* pipeline.c: the pipeline over one burst of packets received on port in_port. */
void dp_process_burst(struct rte_mbuf **pkts, uint16_t n, uint16_t in_port, uint64_t now_ms);
/* pipeline.c: the same for a run of one port's packets (dp/vlan.c splits a
 * device's burst into runs of its VLAN ports). */
void dp_process_run(struct rte_mbuf **pkts, uint16_t n, uint16_t in_port, uint64_t now_ms);
/* pipeline.c: register the stages and the services' hooks (once, before workers). */
int dp_pipeline_init(char *err, size_t errlen);

/* tx helpers (dp_worker.c) */
void dp_tx_enqueue(struct rte_mbuf *m, uint16_t out_port);
void dp_tx_generated(struct rte_mbuf *m, uint16_t out_port);
void dp_tx_flush_all(void);

/* dp_neigh.c */
int dp_neigh_init(unsigned socket);
void dp_neigh_free(void);
int dp_neigh_static(uint16_t port, uint32_t addr, const uint8_t mac[6]);
bool dp_neigh_lookup(uint16_t port, uint32_t addr, struct rte_ether_addr *mac);
void dp_neigh_learn(uint16_t port, uint32_t addr, const struct rte_ether_addr *mac);
/* Resolve nh for m and send, or queue m and send an ARP request. */
void dp_neigh_output(struct rte_mbuf *m, uint16_t out_port, uint32_t nh, uint64_t now_ms);
/* The MAC of addr on port, else false after an ARP request (one per
 * DP_ARP_RETRY_MS): for packets that never wait for ARP (mirror copies). */
bool dp_neigh_resolve(uint16_t port, uint32_t addr, uint64_t now_ms, struct rte_ether_addr *mac);
void dp_neigh_poll(uint64_t now_ms, bool flush_all);
void dp_neigh_age(uint64_t now_ms);
void dp_arp_input(struct rte_mbuf *m, uint16_t in_port, const struct dp_tables *t);
unsigned dp_neigh_count(void);
unsigned dp_neigh_dump(char *buf, size_t len);
/* One neighbor entry as /vpcgw/neighbors shows it (dp_show.c). */
enum { DP_NEIGH_INCOMPLETE, DP_NEIGH_REACHABLE, DP_NEIGH_STATIC };
struct dp_neigh_info {
	bool v6;
	uint8_t state;              /* DP_NEIGH_* */
	uint16_t port;              /* cfg port index */
	uint32_t addr;              /* IPv4, host order */
	uint8_t addr6[16];
	uint8_t mac[6];
	uint64_t seen_ms;           /* last confirmed (lcore clock); 0: never */
	uint64_t req_ms;            /* last request sent; 0: never */
};
int dp_neigh_get(unsigned i, struct dp_neigh_info *out);     /* -ERANGE past the end */
int dp_nd6_get(unsigned i, struct dp_neigh_info *out);

/* dp_stats.c */
void dp_stats_sum(struct dp_lcore_stats *out);
int dp_stats_write_json(const char *file);
void dp_stats_print(FILE *f);
void dp_stats_line(FILE *f, double interval_s);
int dp_telemetry_init(void);

/* per-lcore context of the calling worker */
RTE_DECLARE_PER_LCORE(struct dp_lcore_stats *, dp_stats_p);

static inline struct dp_lcore_stats *
dp_stats_self(void)
{
	return RTE_PER_LCORE(dp_stats_p);
}

/* A buffer for a packet vpcgw builds: not one of the burst's (no slot). */
static inline struct rte_mbuf *
dp_pkt_alloc(void)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp_g.pool);

	if (m != NULL)
		dp_meta(m)->slot = DP_SLOT_NONE;
	return m;
}

/* dp_trace.c: some worker's burst holds traced packets; their drops are noted. */
extern uint32_t dp_trace_busy;
void dp_trace_drop(struct rte_mbuf *m, unsigned reason);

static inline void
dp_drop(struct rte_mbuf *m, enum dp_drop reason)
{
	struct dp_lcore_stats *s = dp_stats_self();
	struct dp_meta *md = dp_meta(m);

	/* packets vpcgw built were never received: they are not rx drops */
	if (md->flags & DP_M_GENERATED) {
		s->port[md->in_port].gen_drop++;
	} else {
		s->drops[reason]++;
		s->port[md->in_port].drop++;
	}
	if (unlikely(__atomic_load_n(&dp_trace_busy, __ATOMIC_RELAXED) != 0))
		dp_trace_drop(m, reason);
	rte_pktmbuf_free(m);
}

#endif /* VPCGW_DP_H */
