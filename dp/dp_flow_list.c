/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /vpcgw/flows/list[,key=value...][,page=N]: the live flows, as conntrack -L
 * shows them (issue #17). The telemetry thread walks the flow array with
 * relaxed reads (the workers never wait for it); a reply holds one page of
 * DP_FLIST_PAGE flows, so it stays within DPDK's telemetry limits whatever the
 * table holds. Filters: service (sg, nat, nlb, gwlb), addr (any address of
 * either key), port (any port of either key), proto, state (a TCP state).
 * Also the other walks of the whole table: counts by state, the sweep that
 * tests and tools use (workers expire from their wheels, dp_flow.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_telemetry.h>

#include "config/cfg.h"
#include "dp/ct_tcp.h"
#include "dp/dp.h"
#include "dp/dp_flow.h"
#include "dp/dp_stats.h"
#include "dp/ip6.h"

#define DP_FLIST_PAGE 32

struct flist {
	int kind;                   /* -1: any */
	uint32_t addr;              /* network order; 0: any */
	bool has6;                  /* addr6 is the address filter (IPv6 flows only) */
	uint8_t addr6[16];
	uint16_t port;              /* network order; 0: any */
	uint8_t proto;
	int state;                  /* -1: any */
	uint32_t page;
	/* the walk */
	uint32_t matched;
	const struct dp_tables *t;
	uint64_t now_ms;            /* 0: packet clock, no idle time */
	struct rte_tel_data *d;
};

static const char *const kinds[] = {
	[DP_FLOW_SG] = "sg", [DP_FLOW_NAT] = "nat", [DP_FLOW_NLB] = "nlb", [DP_FLOW_GWLB] = "gwlb",
};

static bool
key_has(const struct dp_flow_key *k, uint32_t addr, uint16_t port)
{
	/* an IPv6 flow's key holds folded addresses: no IPv4 address names them */
	return (addr == 0 || (k->zone != DP_FLOW_ZONE_IP6 && (k->src == addr || k->dst == addr))) &&
	       (port == 0 || k->sport == port || k->dport == port);
}

/* An IPv6 address filter: either address of IPv6 flow f (dp/flow6.c). */
static bool
has_addr6(const struct dp_flow *f, const uint8_t a[16])
{
	uint8_t s[16], d[16], r[16];

	return dp_flow6_addrs(f, s, d, r) && (memcmp(s, a, 16) == 0 || memcmp(d, a, 16) == 0 ||
					      memcmp(r, a, 16) == 0);
}

static bool
wanted(const struct flist *l, const struct dp_flow *f)
{
	if ((l->kind >= 0 && f->kind != l->kind) || (l->proto && f->key[0].proto != l->proto))
		return false;
	if (l->state >= 0 && (f->key[0].proto != IPPROTO_TCP ||
			      __atomic_load_n(&f->tcp_state, __ATOMIC_RELAXED) != l->state))
		return false;
	if (l->has6 && !has_addr6(f, l->addr6))
		return false;
	return key_has(&f->key[0], l->addr, l->port) || key_has(&f->key[1], l->addr, l->port);
}

static const char *
proto_name(uint8_t p)
{
	return p == IPPROTO_TCP ? "tcp" : p == IPPROTO_UDP ? "udp" : p == IPPROTO_ICMP ? "icmp" :
	       p == IPPROTO_ICMPV6 ? "icmpv6" : "ip";
}

/* Key d of f as "proto src:port > dst:port"; an IPv6 flow's full addresses
 * (its key holds them folded) as "[addr]:port" (RFC 5952 §6). */
static void
key_str(const struct dp_flow *f, int d, char *buf, size_t len)
{
	const struct dp_flow_key *k = &f->key[d];
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	uint8_t s6[16], d6[16], r6[16];

	if (k->zone == DP_FLOW_ZONE_IP6 && dp_flow6_addrs(f, s6, d6, r6)) {
		/* the reply: from key[0]'s destination, or an NLB's target */
		inet_ntop(AF_INET6, d == 0 ? s6 : r6, a, sizeof(a));
		inet_ntop(AF_INET6, d == 0 ? d6 : s6, b, sizeof(b));
		snprintf(buf, len, "%s [%s]:%u > [%s]:%u", proto_name(k->proto), a,
			 rte_be_to_cpu_16(k->sport), b, rte_be_to_cpu_16(k->dport));
		return;
	}
	inet_ntop(AF_INET, &k->src, a, sizeof(a));
	inet_ntop(AF_INET, &k->dst, b, sizeof(b));
	snprintf(buf, len, "%s %s:%u > %s:%u", proto_name(k->proto), a, rte_be_to_cpu_16(k->sport),
		 b, rte_be_to_cpu_16(k->dport));
}

/* What the flow belongs to: the NAT gateway, NLB listener and target, GWLB
 * and appliance, or the interfaces whose security groups track it. */
static void
object_str(const struct dp_tables *t, const struct dp_flow *f, char *buf, size_t len)
{
	const struct cfg *cfg = t->cfg;
	char a[INET_ADDRSTRLEN] = "-", b[INET_ADDRSTRLEN] = "-";
	struct in_addr x;

	switch (f->kind) {
	case DP_FLOW_NAT:
		snprintf(buf, len, "%s", f->svc < cfg->n_nat_gateways ?
			 cfg->nat_gateways[f->svc].name : "?");
		break;
	case DP_FLOW_NLB:
		snprintf(buf, len, "listener %u, target %u", f->svc, f->target);
		break;
	case DP_FLOW_GWLB:
		snprintf(buf, len, "%s, appliance %u", f->svc < cfg->n_gwlbs ?
			 cfg->gwlbs[f->svc].name : "?", f->target);
		break;
	default:
		for (int i = 0; i < 2; i++) {
			if (f->eni[i] == 0 || f->eni[i] > cfg->n_enis)
				continue;
			x.s_addr = rte_cpu_to_be_32(cfg->enis[f->eni[i] - 1].addr);
			inet_ntop(AF_INET, &x, i ? b : a, INET_ADDRSTRLEN);
		}
		snprintf(buf, len, "interfaces %s, %s", a, b);
		break;
	}
}

static void
visit(const struct dp_flow *f, void *arg)
{
	struct flist *l = arg;
	struct rte_tel_data *o;
	char buf[RTE_TEL_MAX_STRING_LEN], key[16];
	const struct dp_flow_cnt *c;
	uint64_t last, created;
	uint32_t k;

	if (!wanted(l, f))
		return;
	k = l->matched++;
	if (k / DP_FLIST_PAGE != l->page || (o = rte_tel_data_alloc()) == NULL)
		return;
	rte_tel_data_start_dict(o);
	rte_tel_data_add_dict_string(o, "service", f->kind < RTE_DIM(kinds) ? kinds[f->kind] : "?");
	object_str(l->t, f, buf, sizeof(buf));
	rte_tel_data_add_dict_string(o, "object", buf);
	key_str(f, 0, buf, sizeof(buf));
	rte_tel_data_add_dict_string(o, "original", buf);
	key_str(f, 1, buf, sizeof(buf));
	rte_tel_data_add_dict_string(o, "reply", buf);
	rte_tel_data_add_dict_string(o, "state", f->key[0].proto == IPPROTO_TCP ?
		fw_ct_tcp_state_name(__atomic_load_n(&f->tcp_state, __ATOMIC_RELAXED)) : "-");
	last = __atomic_load_n(&f->last_ms, __ATOMIC_RELAXED);
	rte_tel_data_add_dict_u64(o, "last_packet_ms", last);
	if (l->now_ms != 0)
		rte_tel_data_add_dict_u64(o, "idle_ms", l->now_ms > last ? l->now_ms - last : 0);
	rte_tel_data_add_dict_u64(o, "timeout_s", f->idle_s);
	/* the counters beside the flow (relaxed reads: a packet old at most) */
	c = dp_flow_cnt_of(f);
	rte_tel_data_add_dict_u64(o, "packets_original", __atomic_load_n(&c->pkts[0],
									__ATOMIC_RELAXED));
	rte_tel_data_add_dict_u64(o, "bytes_original", __atomic_load_n(&c->bytes[0],
								      __ATOMIC_RELAXED));
	rte_tel_data_add_dict_u64(o, "packets_reply", __atomic_load_n(&c->pkts[1],
								     __ATOMIC_RELAXED));
	rte_tel_data_add_dict_u64(o, "bytes_reply", __atomic_load_n(&c->bytes[1],
								   __ATOMIC_RELAXED));
	created = dp_flow_created_ms(f);
	rte_tel_data_add_dict_u64(o, "created_ms", created);
	if (l->now_ms != 0)
		rte_tel_data_add_dict_u64(o, "age_ms", l->now_ms > created ? l->now_ms - created : 0);
	snprintf(key, sizeof(key), "%u", k % DP_FLIST_PAGE);
	rte_tel_data_add_dict_container(l->d, key, o, 0);
}

/* One filter term of /vpcgw/flows/list (dp_tel_kv). */
static int
parse_kv(char *tok, char *v, void *arg, char *err, size_t errlen)
{
	struct flist *l = arg;
	char *end;
	long x = strtol(v, &end, 10);
	bool ok = false;

	if (strcmp(tok, "service") == 0) {
		for (unsigned i = 0; i < RTE_DIM(kinds); i++)
			if (kinds[i] != NULL && strcmp(v, kinds[i]) == 0) {
				l->kind = (int)i;
				ok = true;
			}
	} else if (strcmp(tok, "addr") == 0) {
		ok = inet_pton(AF_INET, v, &l->addr) == 1 ||
		     (l->has6 = inet_pton(AF_INET6, v, l->addr6) == 1);
	} else if (strcmp(tok, "port") == 0) {
		ok = *v && !*end && x > 0 && x < 65536;
		l->port = rte_cpu_to_be_16((uint16_t)x);
	} else if (strcmp(tok, "proto") == 0) {
		l->proto = strcmp(v, "tcp") == 0 ? IPPROTO_TCP : strcmp(v, "udp") == 0 ?
			   IPPROTO_UDP : strcmp(v, "icmp") == 0 ? IPPROTO_ICMP :
			   strcmp(v, "icmpv6") == 0 ? IPPROTO_ICMPV6 : 0;
		ok = l->proto != 0;
	} else if (strcmp(tok, "state") == 0) {
		for (int s = 0; s < FW_CT_TCP_NSTATES; s++)
			if (strcmp(v, fw_ct_tcp_state_name((uint8_t)s)) == 0) {
				l->state = s;
				ok = true;
			}
	} else if (strcmp(tok, "page") == 0) {
		ok = *v && !*end && x >= 0;
		l->page = (uint32_t)x;
	} else {
		snprintf(err, errlen, "\"%s\": one of service, addr, port, proto, state, page", tok);
		return -EINVAL;
	}
	if (!ok) {
		snprintf(err, errlen, "%s: bad value \"%s\"", tok, v);
		return -EINVAL;
	}
	return 0;
}

static int
parse(struct flist *l, const char *params, char *err, size_t errlen)
{
	*l = (struct flist){ .kind = -1, .state = -1 };
	return dp_tel_kv(params, parse_kv, l, err, errlen);
}

static int
tel_list(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct flist l;
	char err[128];

	RTE_SET_USED(cmd);
	rte_tel_data_start_dict(d);
	if (parse(&l, params, err, sizeof(err)) < 0) {
		rte_tel_data_add_dict_string(d, "error", err);
		return 0;
	}
	l.t = __atomic_load_n(&dp_g.tables, __ATOMIC_ACQUIRE);
	l.d = d;
	if (dp_g.opts.clock != DP_CLOCK_PACKET)
		l.now_ms = rte_rdtsc() / (dp_g.tsc_hz / 1000);
	if (l.t == NULL)
		return 0;
	dp_flow_foreach(visit, &l);
	rte_tel_data_add_dict_u64(d, "page", l.page);
	rte_tel_data_add_dict_u64(d, "per_page", DP_FLIST_PAGE);
	rte_tel_data_add_dict_u64(d, "matched", l.matched);
	return 0;
}

int
dp_flow_list_telemetry_init(void)
{
	return rte_telemetry_register_cmd("/vpcgw/flows/list", tel_list,
		"Live flows, a page of 32: ,service=sg|nat|nlb|gwlb,addr=A,port=N,proto=P,"
		"state=S,page=N.");
}

/* ------------------------------------------------------------ walks */

uint32_t
dp_flow_sweep(uint64_t now_ms, uint32_t budget, uint64_t grace_ms)
{
	static uint32_t pos;    /* where the last call stopped */
	uint32_t deleted = 0, cap = dp_flow_capacity();

	if (cap == 0)
		return 0;
	for (uint32_t i = 0; i < budget; i++) {
		struct dp_flow *f;
		uint8_t fl;

		if (pos >= cap)
			pos = 0;        /* a table since made smaller */
		f = dp_flow_slot(pos++);
		fl = __atomic_load_n(&f->flags, __ATOMIC_RELAXED);
		if (!(fl & DP_FLOW_F_LIVE))
			continue;
		if (!(fl & DP_FLOW_F_DEAD)) {
			uint64_t last = __atomic_load_n(&f->last_ms, __ATOMIC_RELAXED);

			if (now_ms <= last || now_ms - last <= dp_flow_timeout_ms(f) + grace_ms)
				continue;
		}
		deleted += dp_flow_kill(f);
	}
	return deleted;
}

void
dp_flow_foreach(void (*fn)(const struct dp_flow *f, void *arg), void *arg)
{
	for (uint32_t i = 0; i < dp_flow_capacity(); i++) {
		const struct dp_flow *f = dp_flow_slot(i);

		if (__atomic_load_n(&f->flags, __ATOMIC_RELAXED) & DP_FLOW_F_LIVE)
			fn(f, arg);
	}
}

uint64_t
dp_flow_count_state_kind(uint8_t tcp_state, int kind)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < dp_flow_capacity(); i++) {
		const struct dp_flow *f = dp_flow_slot(i);

		if ((__atomic_load_n(&f->flags, __ATOMIC_RELAXED) & DP_FLOW_F_LIVE) &&
		    f->key[0].proto == IPPROTO_TCP &&
		    __atomic_load_n(&f->tcp_state, __ATOMIC_RELAXED) == tcp_state &&
		    (kind < 0 || f->kind == kind))
			n++;
	}
	return n;
}

uint64_t
dp_flow_count_state(uint8_t tcp_state)
{
	return dp_flow_count_state_kind(tcp_state, -1);
}

/* The idle timeout of a flow (dp_flow.h): by protocol and TCP state. */
uint64_t
dp_flow_timeout_ms(const struct dp_flow *f)
{
	uint8_t st = __atomic_load_n(&f->tcp_state, __ATOMIC_RELAXED);
	uint32_t s;

	switch (f->key[0].proto) {
	case IPPROTO_TCP:
		s = fw_ct_tcp_timeout(st, f->idle_s);
		break;
	case IPPROTO_UDP:
		s = (f->short_s != 0 &&
		     !(__atomic_load_n(&f->flags, __ATOMIC_RELAXED) & DP_FLOW_F_UDP_STREAM)) ?
			    f->short_s : f->idle_s;
		break;
	default:
		s = f->idle_s;
		break;
	}
	return (uint64_t)s * 1000;
}
