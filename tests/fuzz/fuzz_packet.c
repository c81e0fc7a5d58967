/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: frames through the whole pipeline, dp_process_burst().
 *
 * LLVMFuzzerInitialize() starts the EAL and sets up what dp_main() sets up,
 * with the public functions (dp_set_roles(), dp_load_neighbors()): mempool with the dp_meta
 * private area, counters, RCU, flow table, NAT, neighbors, ports (net_null
 * vdevs in place of the configuration's devargs), tables, health state, and
 * the context of worker 0 on this thread, registered with RCU.
 *
 * The configuration is examples/demo.cfg (SPEC §2) built in below, or the
 * file named by $FUZZ_PACKET_CONFIG; either way every port becomes a net_null
 * device, and the flow table and mbuf counts are made small so that "table
 * full" paths are reachable.
 *
 * Input format (tests/fuzz/make_corpus.py writes it):
 *   byte 0 bit 6: recompute the IPv4 header checksum of every frame (the
 *     fuzzer cannot, and a bad one stops every frame at the parser); clear,
 *     frames go in exactly as given.
 *   byte 0 bit 7 clear: one frame. port = (byte 0 & 7) % ports, frame = the rest.
 *   byte 0 bit 7 set: a sequence of records, each
 *     [ctl][len_hi][len_lo][len bytes]
 *     ctl bits 0-2: input port (modulo the number of ports)
 *     ctl bits 3-5: clock step before this record: 0, 1, 10, 100 ms, 1 s,
 *                   5 s, 60 s, 400 s (idle timeouts, ARP waits)
 *     ctl bit 6:    same burst as the previous record (if on the same port,
 *                   up to 32): exercises the bulk flow lookup with two
 *                   packets of one new flow in one burst
 *     ctl bit 7:    a reply, built from what vpcgw last sent out of that port
 *                   (a tx callback keeps a copy): if the first data byte is
 *                   odd, the ARP reply to its last ARP request; else the
 *                   mirror of its last IPv4 packet (addresses and ports
 *                   swapped; SYN answered by SYN+ACK, echo by echo reply;
 *                   GENEVE: outer header only, as an appliance returns it),
 *                   with the other data bytes XORed in from the TCP/UDP
 *                   sequence field on. This is how NAT, NLB and GWLB
 *                   replies, whose translated ports are chosen inside vpcgw,
 *                   become reachable.
 *   A record whose length runs past the end takes what is left.
 *
 * After every burst: dp_neigh_poll(), dp_tx_flush_all(), RCU quiescent.
 * After every input, as the control thread would (RCU offline meanwhile, as
 * the control thread is no reader): flow sweep, health probes, LCU windows.
 *
 * Oracles beyond ASan/UBSan:
 *  - input frames are copied into mbufs of a pool of their own and the
 *    buffer past the frame is poisoned for ASan: any read past
 *    rte_pktmbuf_data_len() of an input is reported (the tail is unpoisoned
 *    when the harness reuses the mbuf; no one else allocates from that pool);
 *  - no mbuf leaks: after every input, the mbufs in use in both pools are
 *    exactly those waiting for ARP;
 *  - the accounting identity per port: rx = fwd + local + drop + (received
 *    packets waiting for ARP).
 */
#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>

#include "config/cfg.h"
#include "dp/dp.h"
#include "dp/dp_ctl.h"
#include "dp/dp_flow.h"
#include "dp/dp_stats.h"
#include "dp/dp_worker.h"
#include "lb/lb.h"
#include "nat/nat.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/asan_interface.h>
#define FUZZ_ASAN 1
#endif
#endif
#ifndef FUZZ_ASAN
#define ASAN_POISON_MEMORY_REGION(a, n) ((void)(a), (void)(n))
#define ASAN_UNPOISON_MEMORY_REGION(a, n) ((void)(a), (void)(n))
#endif

#define FUZZ_FLOWS 4096
#define FUZZ_MBUFS 4095
#define FUZZ_IN_MBUFS 1023          /* > DP_ARPQ_SIZE + DP_BURST */
#define FUZZ_WORKER 0

/* examples/demo.cfg (SPEC §2) with the IPv6 keys of SPEC §7 (address6 of the
 * internet port, the VPC's /56, a /64 for each subnet, next_hop6, ::/0 to the
 * internet gateway in the public table, IPv6 routes to the GWLB endpoint in
 * the private and edge tables, a dualstack NLB with an ipv6 target group),
 * and a subnet on VLAN 100 of the vpc port (its VLAN port, issue #18);
 * devargs, flow table and mbufs are replaced */
static const char demo_cfg[] =
	"dpdk = { workers = 1; mbufs = 32767; flow_table_size = 1048576; };\n"
	"ports = (\n"
	"  { name = \"vpc\"; devargs = \"net_pcap0\"; mac = \"02:00:00:00:00:01\";\n"
	"    address = \"10.0.0.1/16\"; mtu = 9001; },\n"
	"  { name = \"internet\"; devargs = \"net_pcap1\"; mac = \"02:00:00:00:01:01\";\n"
	"    address = \"198.51.100.1/24\"; address6 = \"2001:db8:ffff::2/64\"; },\n"
	"  { name = \"appliances\"; devargs = \"net_pcap2\"; mac = \"02:00:00:00:02:01\";\n"
	"    address = \"192.168.50.1/24\"; }\n"
	");\n"
	"neighbors = ( { port = \"internet\"; address = \"198.51.100.254\";\n"
	"                mac = \"02:00:00:00:01:fe\"; },\n"
	"              { port = \"internet\"; address = \"2001:db8:ffff::1\";\n"
	"                mac = \"02:00:00:00:01:fe\"; } );\n"
	"vpc = {\n"
	"  cidr = \"10.0.0.0/16\"; ipv6_cidr = \"2600:1f18:a:b00::/56\";\n"
	"  subnets = (\n"
	"    { name = \"public-a\"; cidr = \"10.0.0.0/24\"; port = \"vpc\"; route_table = \"public\";\n"
	"      ipv6_cidr = \"2600:1f18:a:b00::/64\";\n"
	"      network_acl = \"open\"; },\n"
	"    { name = \"private-a\"; cidr = \"10.0.1.0/24\"; port = \"vpc\"; route_table = \"private\";\n"
	"      ipv6_cidr = \"2600:1f18:a:b01::/64\";\n"
	"      network_acl = \"private\"; },\n"
	"    { name = \"app-a\"; cidr = \"10.0.2.0/24\"; port = \"vpc\"; route_table = \"private\";\n"
	"      ipv6_cidr = \"2600:1f18:a:b02::/64\"; },\n"
	"    { name = \"app-b\"; cidr = \"10.0.3.0/24\"; port = \"vpc\"; route_table = \"public\";\n"
	"      ipv6_cidr = \"2600:1f18:a:b03::/64\"; },\n"
	"    { name = \"tagged\"; cidr = \"10.0.4.0/24\"; port = \"vpc\"; route_table = \"public\";\n"
	"      vlan = 100; }\n"
	"  );\n"
	"};\n"
	"internet_gateway = {\n"
	"  port = \"internet\"; next_hop = \"198.51.100.254\"; route_table = \"edge\";\n"
	"  next_hop6 = \"2001:db8:ffff::1\";\n"
	"  elastic_ips = ( { public = \"198.51.100.20\"; private = \"10.0.0.10\"; } );\n"
	"};\n"
	"route_tables = (\n"
	"  { name = \"public\"; routes = ( { destination = \"0.0.0.0/0\"; target = \"igw\"; },\n"
	"      { destination = \"::/0\"; target = \"igw\"; },\n"
	"      { destination = \"2001:db8:dead::/48\"; target = \"blackhole\"; } ); },\n"
	"  { name = \"private\"; routes = (\n"
	"      { destination = \"0.0.0.0/0\"; target = \"nat-gateway:nat-a\"; },\n"
	"      { destination = \"203.0.113.0/24\"; target = \"gwlb-endpoint:inspect-a\"; },\n"
	"      { destination = \"2001:db8:cafe::/48\"; target = \"gwlb-endpoint:inspect-a\"; },\n"
	"      { destination = \"64:ff9b::/96\"; target = \"nat-gateway:nat-a\"; },\n"
	"      { destination = \"192.0.2.0/24\"; target = \"blackhole\"; } ); },\n"
	"  { name = \"edge\"; routes = (\n"
	"      { destination = \"10.0.0.0/24\"; target = \"gwlb-endpoint:inspect-a\"; },\n"
	"      { destination = \"2600:1f18:a:b02::/64\"; target = \"gwlb-endpoint:inspect-a\"; } ); }\n"
	");\n"
	"network_acls = (\n"
	"  { name = \"private\";\n"
	"    ingress = (\n"
	"      { rule = 100; protocol = \"tcp\"; ports = \"1024-65535\"; cidr = \"0.0.0.0/0\";\n"
	"        action = \"allow\"; },\n"
	"      { rule = 110; protocol = \"icmp\"; cidr = \"0.0.0.0/0\"; action = \"allow\"; },\n"
	"      { rule = 120; protocol = \"all\"; cidr = \"10.0.0.0/16\"; action = \"allow\"; } );\n"
	"    egress = ( { rule = 100; protocol = \"all\"; cidr = \"0.0.0.0/0\"; action = \"allow\"; } ); },\n"
	"  { name = \"open\";\n"
	"    ingress = ( { rule = 100; protocol = \"all\"; cidr = \"0.0.0.0/0\"; action = \"allow\"; } );\n"
	"    egress = ( { rule = 100; protocol = \"all\"; cidr = \"0.0.0.0/0\"; action = \"allow\"; } ); }\n"
	");\n"
	"security_groups = (\n"
	"  { name = \"web\";\n"
	"    ingress = ( { protocol = \"tcp\"; ports = \"80\"; source = \"0.0.0.0/0\"; },\n"
	"                { protocol = \"tcp\"; ports = \"22\"; source = \"sg:bastion\"; } );\n"
	"    egress = ( { protocol = \"all\"; destination = \"0.0.0.0/0\"; } );\n"
	"    timeouts = { tcp_established = 432000; udp = 30; udp_stream = 180; other = 600; }; },\n"
	"  { name = \"bastion\"; ingress = ();\n"
	"    egress = ( { protocol = \"all\"; destination = \"0.0.0.0/0\"; } ); }\n"
	");\n"
	"interfaces = (\n"
	"  { address = \"10.0.1.10\"; security_groups = [ \"web\" ]; },\n"
	"  { address = \"10.0.1.11\"; security_groups = [ \"bastion\" ]; }\n"
	");\n"
	"nat_gateways = (\n"
	"  { name = \"nat-a\"; subnet = \"public-a\";\n"
	"    addresses = [ \"198.51.100.10\", \"198.51.100.11\" ]; idle_timeout = 350; }\n"
	");\n"
	"network_load_balancers = (\n"
	"  { name = \"web\"; subnet = \"public-a\"; address = \"10.0.0.100\";\n"
	"    public_address = \"198.51.100.30\";\n"
	"    listeners = ( { protocol = \"tcp\"; port = 80; target_group = \"web-tg\";\n"
	"                    idle_timeout = 350; },\n"
	"                  { protocol = \"udp\"; port = 53; target_group = \"dns-tg\"; } ); },\n"
	"  { name = \"web6\"; subnet = \"public-a\"; address = \"10.0.0.101\";\n"
	"    ip_address_type = \"dualstack\"; address6 = \"2600:1f18:a:b00::100\";\n"
	"    listeners = ( { protocol = \"tcp\"; port = 80; target_group = \"web6-tg\"; } ); }\n"
	");\n"
	"target_groups = (\n"
	"  { name = \"web-tg\"; protocol = \"tcp\"; port = 8080; preserve_client_ip = true;\n"
	"    deregistration_delay = 300;\n"
	"    health_check = { protocol = \"tcp\"; port = \"traffic-port\"; interval = 30; timeout = 10;\n"
	"                     healthy_threshold = 5; unhealthy_threshold = 2; };\n"
	"    targets = ( { address = \"10.0.2.10\"; }, { address = \"10.0.2.11\"; port = 8081; } ); },\n"
	"  { name = \"dns-tg\"; protocol = \"udp\"; port = 53;\n"
	"    targets = ( { address = \"10.0.2.20\"; } ); },\n"
	"  { name = \"web6-tg\"; protocol = \"tcp\"; port = 8080; ip_address_type = \"ipv6\";\n"
	"    targets = ( { address = \"2600:1f18:a:b02::10\"; } ); }\n"
	");\n"
	"gateway_load_balancers = (\n"
	"  { name = \"inspect\"; port = \"appliances\"; stickiness = \"5-tuple\";\n"
	"    target_failover = \"no_rebalance\"; tcp_idle_timeout = 350;\n"
	"    health_check = { protocol = \"tcp\"; port = 80; interval = 10; timeout = 5;\n"
	"                     healthy_threshold = 5; unhealthy_threshold = 2; };\n"
	"    appliances = ( { address = \"192.168.50.10\"; }, { address = \"192.168.50.11\"; } );\n"
	"    endpoints = ( { name = \"inspect-a\"; id = \"vpce-0a1b2c3d4e5f60718\";\n"
	"                    subnet = \"public-a\"; } ); }\n"
	");\n";

static const uint64_t step_ms[8] = { 0, 1, 10, 100, 1000, 5000, 60000, 400000 };

static struct rte_mempool *in_pool;     /* input frames only: see the tail poisoning */
static struct dp_worker_ctx *wctx;
static uint64_t now_ms = 1000;
static uint16_t max_frame;
static bool verbose;

static void
print_err(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "fuzz_packet: %s\n", msg);
}

static void __attribute__((noreturn))
die(const char *what)
{
	fprintf(stderr, "fuzz_packet: %s\n", what);
	exit(1);
}

static struct cfg *
load_config(void)
{
	const char *file = getenv("FUZZ_PACKET_CONFIG");
	struct cfg *cfg = NULL;
	int n;

	if (file != NULL && file[0] != '\0')
		n = cfg_load(file, &cfg, print_err, NULL);
	else
		n = cfg_load_string(demo_cfg, "demo.cfg", &cfg, print_err, NULL);
	if (n != 0)
		die("configuration rejected");
	/* every port a net_null device: tx frees, rx is never polled */
	for (int i = 0; i < cfg->n_ports; i++)
		snprintf(cfg->ports[i].devargs, sizeof(cfg->ports[i].devargs),
			 "net_null%d,no-rx=1", i);
	cfg->dpdk.workers = 1;
	cfg->dpdk.mbufs = FUZZ_MBUFS;
	cfg->dpdk.flow_table_size = FUZZ_FLOWS;
	return cfg;
}

/* dp_ctl.c: mbuf_data_room() (static there) */
static uint16_t
data_room(const struct cfg *cfg)
{
	unsigned mtu = 1500;

	for (int i = 0; i < cfg->n_ports; i++)
		mtu = RTE_MAX(mtu, (unsigned)cfg->ports[i].mtu);
	return (uint16_t)(RTE_PKTMBUF_HEADROOM + RTE_MAX(2048u, mtu + 18 + 4 + 82));
}

/* ------------------------------------------------------------ replies */

#define LAST_MAX 9216

struct last_tx {                    /* what vpcgw last sent out of a port */
	uint8_t ip[LAST_MAX];
	uint16_t ip_len;
	uint8_t arp[64];
	uint16_t arp_len;
};

static struct last_tx last[DP_MAX_PORTS];
static uint8_t fbuf[LAST_MAX];

static uint16_t
keep_last_tx(uint16_t port_id, uint16_t queue, struct rte_mbuf **pkts, uint16_t n, void *arg)
{
	struct last_tx *l = &last[(uintptr_t)arg];

	(void)port_id;
	(void)queue;
	for (uint16_t i = 0; i < n; i++) {
		const uint8_t *d = rte_pktmbuf_mtod(pkts[i], const uint8_t *);
		uint16_t len = rte_pktmbuf_data_len(pkts[i]);

		if (len < 14)
			continue;
		if (d[12] == 0x08 && d[13] == 0x06 && len <= sizeof(l->arp)) {
			memcpy(l->arp, d, len);
			l->arp_len = len;
		} else if (d[12] == 0x08 && d[13] == 0x00) {
			len = RTE_MIN(len, (uint16_t)LAST_MAX);
			memcpy(l->ip, d, len);
			l->ip_len = len;
		}
	}
	return n;
}

static uint16_t
csum16(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Recompute the IPv4 header checksum of the frame, if it has a whole header. */
static void
fix_ip_csum(uint8_t *f, size_t len)
{
	size_t l3 = 14, ihl;
	uint16_t c;

	if (len >= 18 && f[12] == 0x81 && f[13] == 0x00) {
		l3 = 18;
		if (f[16] != 0x08 || f[17] != 0x00)
			return;
	} else if (len < 14 || f[12] != 0x08 || f[13] != 0x00) {
		return;
	}
	if (len < l3 + 20)
		return;
	ihl = (f[l3] & 0xfu) * 4u;
	if (ihl < 20 || len < l3 + ihl)
		return;
	f[l3 + 10] = f[l3 + 11] = 0;
	c = csum16(f + l3, ihl);
	f[l3 + 10] = (uint8_t)(c >> 8);
	f[l3 + 11] = (uint8_t)c;
}

static void
swap_bytes(uint8_t *a, uint8_t *b, size_t n)
{
	uint8_t t[8];

	memcpy(t, a, n);
	memcpy(a, b, n);
	memcpy(b, t, n);
}

/* The ARP reply to the last ARP request sent out of port p. */
static size_t
arp_reply(uint16_t p, uint8_t *f)
{
	const uint8_t *q = last[p].arp;
	static const uint8_t peer[6] = { 0x02, 0x00, 0x00, 0xee, 0x00, 0x00 };

	if (last[p].arp_len < 42)
		return 0;
	memset(f, 0, 60);
	memcpy(f, q + 6, 6);                /* to the requester */
	memcpy(f + 6, peer, 6);
	f[11] = (uint8_t)p;
	f[12] = 0x08;
	f[13] = 0x06;
	memcpy(f + 14, q + 14, 6);          /* htype, ptype, hlen, plen */
	f[20] = 0;
	f[21] = 2;                          /* reply */
	memcpy(f + 22, f + 6, 6);           /* sha: the peer */
	memcpy(f + 28, q + 38, 4);          /* spa: the address asked for */
	memcpy(f + 32, q + 22, 10);         /* tha, tpa: the requester */
	return 60;
}

/* An ICMP destination unreachable (code from x) from the destination of the
 * last IPv4 packet sent out of port p, quoting its header and 8 bytes. */
static size_t
icmp_error(uint16_t p, const uint8_t *x, size_t xn, uint8_t *f)
{
	const uint8_t *q = last[p].ip;
	size_t ihl, quote, len;
	uint16_t c;

	if (last[p].ip_len < 34)
		return 0;
	ihl = (q[14] & 0xfu) * 4u;
	quote = RTE_MIN((size_t)last[p].ip_len - 14, ihl + 8);
	len = 14 + 20 + 8 + quote;
	memcpy(f, q + 6, 6);
	memcpy(f + 6, q, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	memset(f + 14, 0, 20);
	f[14] = 0x45;
	f[16] = (uint8_t)((len - 14) >> 8);
	f[17] = (uint8_t)(len - 14);
	f[22] = 64;
	f[23] = IPPROTO_ICMP;
	memcpy(f + 26, q + 30, 4);          /* from the packet's destination */
	memcpy(f + 30, q + 26, 4);          /* to its source */
	memset(f + 34, 0, 8);
	f[34] = 3;
	f[35] = xn > 0 ? x[0] % 16 : 1;
	memcpy(f + 42, q + 14, quote);
	c = csum16(f + 34, 8 + quote);
	f[36] = (uint8_t)(c >> 8);
	f[37] = (uint8_t)c;
	fix_ip_csum(f, len);
	return len;
}

/* The mirror of the last IPv4 packet sent out of port p, data XORed in. */
static size_t
mirror(uint16_t p, const uint8_t *x, size_t xn, uint8_t *f)
{
	size_t len = last[p].ip_len, ihl, l4;
	uint8_t proto;

	if (len < 34)
		return 0;
	memcpy(f, last[p].ip, len);
	swap_bytes(f, f + 6, 6);
	ihl = (f[14] & 0xfu) * 4u;
	l4 = 14 + ihl;
	if (ihl < 20 || len < l4)
		return 0;
	proto = f[23];
	swap_bytes(f + 26, f + 30, 4);
	f[22] = 64;                         /* TTL */
	if ((proto == IPPROTO_TCP || proto == IPPROTO_UDP) && len >= l4 + 8) {
		bool geneve = proto == IPPROTO_UDP && f[l4 + 2] == 0x17 && f[l4 + 3] == 0xc1;

		swap_bytes(f + l4, f + l4 + 2, 2);
		if (geneve)
			xn = 0;             /* the appliance returns the inner packet as it got it */
		if (proto == IPPROTO_TCP && len >= l4 + 20 && (f[l4 + 13] & 0x12) == 0x02) {
			uint32_t seq;

			memcpy(&seq, f + l4 + 4, 4);
			seq = rte_cpu_to_be_32(rte_be_to_cpu_32(seq) + 1);
			memcpy(f + l4 + 8, &seq, 4);            /* ack = seq + 1 */
			memset(f + l4 + 4, 0x5a, 4);            /* our seq */
			f[l4 + 13] = 0x12;                      /* SYN+ACK */
		}
		for (size_t i = 0; i < xn && l4 + 4 + i < len; i++)
			f[l4 + 4 + i] ^= x[i];
	} else if (proto == IPPROTO_ICMP && len >= l4 + 8) {
		uint16_t c;

		if (f[l4] == 8)
			f[l4] = 0;                  /* echo request → reply */
		for (size_t i = 0; i < xn && l4 + 4 + i < len; i++)
			f[l4 + 4 + i] ^= x[i];
		f[l4 + 2] = f[l4 + 3] = 0;
		c = csum16(f + l4, len - l4);
		f[l4 + 2] = (uint8_t)(c >> 8);
		f[l4 + 3] = (uint8_t)c;
	}
	fix_ip_csum(f, len);
	return len;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char prefix[64];
	char *eal[] = {
		"fuzz_packet", "--no-huge", "-m", "512", "--no-pci", "--no-telemetry",
		"-l", "0", "--log-level", "*:error", "--file-prefix", prefix, NULL,
	};
	unsigned priv = RTE_ALIGN(sizeof(struct dp_meta), RTE_MBUF_PRIV_ALIGN);
	struct dp_tables *t;
	struct cfg *cfg;
	char err[512];

	(void)argc;
	(void)argv;
	snprintf(prefix, sizeof(prefix), "fuzz%d", (int)getpid());
	cfg = load_config();
	if (rte_eal_init((int)RTE_DIM(eal) - 1, eal) < 0)
		die("EAL initialisation failed");
	dp_g.cfg = cfg;
	dp_g.n_workers = 1;
	dp_g.tsc_hz = rte_get_tsc_hz();
	dp_g.last_rx_tsc = rte_rdtsc();
	dp_g.pool = rte_pktmbuf_pool_create("vpcgw_mbufs", cfg->dpdk.mbufs, 256, priv,
					    data_room(cfg), (int)rte_socket_id());
	in_pool = rte_pktmbuf_pool_create("fuzz_in", FUZZ_IN_MBUFS, 0, priv, data_room(cfg),
					  (int)rte_socket_id());
	dp_g.stats = rte_zmalloc("vpcgw_stats", sizeof(*dp_g.stats) * (dp_g.n_workers + 1),
				 RTE_CACHE_LINE_SIZE);
	dp_g.rcu = rte_zmalloc("vpcgw_rcu", rte_rcu_qsbr_get_memsize(dp_g.n_workers),
			       RTE_CACHE_LINE_SIZE);
	if (dp_g.pool == NULL || in_pool == NULL || dp_g.stats == NULL || dp_g.rcu == NULL)
		die("out of memory");
	max_frame = (uint16_t)(data_room(cfg) - RTE_PKTMBUF_HEADROOM);
	rte_rcu_qsbr_init(dp_g.rcu, dp_g.n_workers);
	if (dp_flow_init(cfg->dpdk.flow_table_size, (int)rte_socket_id(), dp_g.rcu) < 0 ||
	    nat_init((int)rte_socket_id(), cfg->dpdk.flow_table_size, 1) < 0 ||
	    dp_neigh_init(rte_socket_id()) < 0)
		die("flow table, NAT or neighbor table");
	dp_g.ts_offset = -1;            /* --clock tsc: no rx timestamps */
	if (dp_ports_init(cfg, err, sizeof(err)) < 0)
		die(err);
	for (int i = 0; i < dp_g.n_ports; i++)
		if (rte_eth_add_tx_callback(dp_g.ports[i].port_id, 0, keep_last_tx,
					    (void *)(uintptr_t)i) == NULL)
			die("tx callback (DPDK built without RTE_ETHDEV_RXTX_CALLBACKS?)");
	dp_set_roles(cfg);
	if (dp_load_neighbors(cfg) < 0)
		die("neighbor table full");
	t = dp_tables_build(cfg, 1, err, sizeof(err));
	if (t == NULL)
		die(err);
	atomic_store(&dp_g.tables, t);
	lb_health_start(t, NULL);
	dp_lcu_init(cfg, now_ms);
	wctx = dp_worker_ctx_init(FUZZ_WORKER, false);
	if (wctx == NULL)
		die("worker context");
	wctx->now_ms = now_ms;
	rte_rcu_qsbr_thread_register(dp_g.rcu, FUZZ_WORKER);
	rte_rcu_qsbr_thread_online(dp_g.rcu, FUZZ_WORKER);
	verbose = getenv("FUZZ_PACKET_VERBOSE") != NULL;
	return 0;
}

/* An input mbuf holding frame; the buffer past it is poisoned (see above). */
static struct rte_mbuf *
frame_mbuf(const uint8_t *frame, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(in_pool);
	uint8_t *d;

	if (m == NULL) {
		fprintf(stderr, "fuzz_packet: input pool empty: %u mbufs in use\n",
			rte_mempool_in_use_count(in_pool));
		abort();
	}
	if (len > max_frame)
		len = max_frame;
	ASAN_UNPOISON_MEMORY_REGION(m->buf_addr, m->buf_len);
	d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
	if (len > 0)
		memcpy(d, frame, len);
	d = rte_pktmbuf_mtod_offset(m, uint8_t *, len);
	ASAN_POISON_MEMORY_REGION(d, (size_t)((uint8_t *)m->buf_addr + m->buf_len - d));
	memset(dp_meta(m), 0, sizeof(struct dp_meta));
	return m;
}

/* Received packets still waiting for ARP, per input port. */
static void
arpq_received(uint64_t *per_port)
{
	for (unsigned i = 0; i < wctx->arpq_n; i++) {
		struct dp_meta *md = dp_meta(wctx->arpq[i].m);

		if (!(md->flags & DP_M_GENERATED))
			per_port[md->in_port]++;
	}
}

static void
check_invariants(void)
{
	const struct dp_lcore_stats *s = &dp_g.stats[FUZZ_WORKER];
	unsigned used = rte_mempool_in_use_count(dp_g.pool) + rte_mempool_in_use_count(in_pool);
	uint64_t waiting[DP_MAX_PORTS] = { 0 };

	if (used != wctx->arpq_n) {
		fprintf(stderr, "fuzz_packet: mbuf leak: %u in use (pool %u, input pool %u), "
			"%u waiting for ARP\n", used, rte_mempool_in_use_count(dp_g.pool),
			rte_mempool_in_use_count(in_pool), wctx->arpq_n);
		abort();
	}
	arpq_received(waiting);
	for (int p = 0; p < dp_g.n_ports; p++) {
		const struct dp_port_stats *ps = &s->port[p];
		const struct dp_port_stats *cs = &dp_g.stats[dp_g.n_workers].port[p];

		/* the control slot is unused here: everything runs as worker 0 */
		if (cs->rx != 0 || cs->fwd != 0 || cs->drop != 0) {
			fprintf(stderr, "fuzz_packet: control counters moved on port %d\n", p);
			abort();
		}
		if (ps->rx != ps->fwd + ps->local + ps->drop + waiting[p]) {
			fprintf(stderr, "fuzz_packet: port %d: rx %" PRIu64 " != fwd %" PRIu64
				" + local %" PRIu64 " + drop %" PRIu64 " + waiting %" PRIu64 "\n",
				p, ps->rx, ps->fwd, ps->local, ps->drop, waiting[p]);
			abort();
		}
	}
}

static void
run_burst(struct rte_mbuf **b, uint16_t n, uint16_t port)
{
	struct dp_port_stats *ps = &wctx->stats->port[port];

	if (n == 0)
		return;
	/* what dp_worker.c count_rx() does before dp_process_burst() */
	ps->rx += n;
	for (uint16_t i = 0; i < n; i++)
		ps->rx_bytes += rte_pktmbuf_pkt_len(b[i]);
	wctx->now_ms = now_ms;
	dp_process_burst(b, n, port, now_ms);
	dp_neigh_poll(now_ms, false);
	dp_tx_flush_all();
	rte_rcu_qsbr_quiescent(dp_g.rcu, FUZZ_WORKER);
}

/* The control thread's periodic work, at the current time. */
static void
control_events(void)
{
	struct dp_tables *t = atomic_load(&dp_g.tables);

	/* the control thread is no RCU reader; lb_health_poll may synchronize */
	rte_rcu_qsbr_thread_offline(dp_g.rcu, FUZZ_WORKER);
	lb_health_poll(t, now_ms);
	dp_flow_sweep(now_ms, 256, 1000);
	dp_lcu_update(now_ms);
	rte_rcu_qsbr_thread_online(dp_g.rcu, FUZZ_WORKER);
	dp_neigh_poll(now_ms, false);
	dp_tx_flush_all();
	rte_rcu_qsbr_quiescent(dp_g.rcu, FUZZ_WORKER);
}

/* $FUZZ_PACKET_VERBOSE: what each input did (to check the seeds reach their service). */
static void
report(void)
{
	static struct dp_lcore_stats prev;
	const struct dp_lcore_stats *s = &dp_g.stats[FUZZ_WORKER];

	for (int r = 0; r < DP_DROP_MAX; r++)
		if (s->drops[r] != prev.drops[r])
			fprintf(stderr, "  drop %s +%" PRIu64 "\n", dp_drop_names[r],
				s->drops[r] - prev.drops[r]);
	for (int p = 0; p < dp_g.n_ports; p++) {
		const struct dp_port_stats *a = &s->port[p], *b = &prev.port[p];

		if (memcmp(a, b, sizeof(*a)) != 0)
			fprintf(stderr, "  port %d: rx +%" PRIu64 " fwd +%" PRIu64
				" local +%" PRIu64 " drop +%" PRIu64 " tx +%" PRIu64
				" gen +%" PRIu64 "\n", p,
				a->rx - b->rx, a->fwd - b->fwd, a->local - b->local,
				a->drop - b->drop, a->tx - b->tx, a->gen - b->gen);
	}
	for (int k = 0; k < 4; k++)
		if (s->flows_created[k] != prev.flows_created[k])
			fprintf(stderr, "  flows of kind %d +%" PRIu64 "\n", k,
				s->flows_created[k] - prev.flows_created[k]);
	fprintf(stderr, "  now %" PRIu64 " ms, %u flows, %u waiting for ARP\n", now_ms,
		dp_flow_count(), wctx->arpq_n);
	prev = *s;
}

/* An input mbuf holding len bytes of f (or fixed copy when fix is set). */
static struct rte_mbuf *
input_frame(const uint8_t *f, size_t len, bool fix)
{
	if (fix && len <= sizeof(fbuf)) {
		if (f != fbuf)
			memcpy(fbuf, f, len);
		fix_ip_csum(fbuf, len);
		f = fbuf;
	}
	return frame_mbuf(f, len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rte_mbuf *burst[DP_BURST];
	uint16_t nb = 0, bport = 0;
	bool fix;

	if (size == 0)
		return 0;
	fix = data[0] & 0x40;
	now_ms += 1;
	if (!(data[0] & 0x80)) {
		burst[0] = input_frame(data + 1, size - 1, fix);
		run_burst(burst, 1, (uint16_t)((data[0] & 7) % dp_g.n_ports));
	} else {
		size_t off = 1;

		while (off < size) {
			uint8_t ctl = data[off];
			uint16_t port = (uint16_t)((ctl & 7) % dp_g.n_ports);
			const uint8_t *rec;
			size_t len = 0;

			if (off + 3 <= size)
				len = (size_t)data[off + 1] << 8 | data[off + 2];
			off = RTE_MIN(off + 3, size);
			len = RTE_MIN(len, size - off);
			rec = data + off;
			off += len;
			if (!(ctl & 0x40) || port != bport || nb == DP_BURST) {
				run_burst(burst, nb, bport);
				nb = 0;
				now_ms += step_ms[(ctl >> 3) & 7];
			}
			bport = port;
			if (ctl & 0x80) {
				uint8_t how = len > 0 ? rec[0] : 0;
				size_t n;

				if (how & 1)
					n = arp_reply(port, fbuf);
				else if (how & 2)
					n = icmp_error(port, rec + 1, len - 1, fbuf);
				else
					n = mirror(port, rec + (len > 0), len - (len > 0), fbuf);

				if (n == 0)
					continue;   /* nothing sent there yet */
				burst[nb++] = input_frame(fbuf, n, false);
			} else {
				burst[nb++] = input_frame(rec, len, fix);
			}
		}
		run_burst(burst, nb, bport);
	}
	control_events();
	check_invariants();
	if (verbose)
		report();
	return 0;
}
