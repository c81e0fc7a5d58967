/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet trace (dp_trace.h). The control side arms a number of packets and a
 * filter; a worker that sees the count non-zero at the start of a burst
 * claims the burst's matching packets (a compare-and-swap on the count, an
 * index in the record array each), and while it works on that burst it
 * appends the stages each traced packet went through, and its end. Its
 * records are published (`done`, release) when the burst is over. Re-arming
 * first stops the claims and waits until no worker holds a traced packet,
 * so a record is only ever written by one worker of one arming.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_telemetry.h>

#include "dp/dp.h"
#include "dp/dp_counters.h"
#include "dp/dp_graph.h"
#include "dp/dp_trace.h"
#include "dp/dp_worker.h"

uint32_t dp_trace_armed;
uint32_t dp_trace_busy;

struct trace_tuple {
	bool ip;                    /* an IPv4 header was there */
	bool ip6;                   /* an IPv6 one */
	uint8_t proto;
	uint32_t src, dst;          /* host order */
	uint16_t sport, dport;      /* host order; 0 without ports */
};

enum trace_end { TRACE_CONSUMED = 0, TRACE_SENT, TRACE_REPLY, TRACE_DROPPED };

struct trace_rec {
	uint32_t done;              /* published (release) */
	uint16_t worker;
	uint16_t in_port;
	uint32_t len;
	struct trace_tuple in, out;
	uint8_t n_stages;
	uint8_t stage[DP_TRACE_STAGES];
	uint8_t end;                /* enum trace_end */
	uint16_t drop;              /* enum dp_drop when DROPPED */
	uint16_t out_port;
	uint32_t next_hop;          /* host order; 0: sent as built */
};

static struct {
	struct trace_tuple want;    /* fields that are non-zero must match */
	uint32_t src_mask, dst_mask;
	int in_port;                /* -1: any */
	uint32_t claimed;           /* records handed out (atomic) */
	uint32_t asked;
	struct trace_rec rec[DP_TRACE_MAX];
} T;

static void
raw_tuple(const struct rte_mbuf *m, uint16_t l3, struct trace_tuple *t)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m), ihl, off = l3;
	const struct rte_ipv4_hdr *ip;
	uint16_t et;

	memset(t, 0, sizeof(*t));
	if (l3 == 0) {              /* as received: find the IPv4 header */
		if (len < RTE_ETHER_HDR_LEN)
			return;
		off = RTE_ETHER_HDR_LEN;
		memcpy(&et, p + 12, 2);
		if (et == RTE_BE16(RTE_ETHER_TYPE_VLAN) && len >= off + 4) {
			memcpy(&et, p + 16, 2);
			off += 4;
		}
		t->ip6 = et == RTE_BE16(RTE_ETHER_TYPE_IPV6);
		if (et != RTE_BE16(RTE_ETHER_TYPE_IPV4))
			return;
	}
	if (len < off + sizeof(*ip))
		return;
	ip = (const struct rte_ipv4_hdr *)(p + off);
	t->ip6 = (ip->version_ihl >> 4) == 6;
	if ((ip->version_ihl >> 4) != 4)
		return;
	ihl = (ip->version_ihl & 0xf) * 4u;
	t->ip = true;
	t->proto = ip->next_proto_id;
	t->src = rte_be_to_cpu_32(ip->src_addr);
	t->dst = rte_be_to_cpu_32(ip->dst_addr);
	if ((t->proto == IPPROTO_TCP || t->proto == IPPROTO_UDP) && ihl >= sizeof(*ip) &&
	    !(ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK)) &&
	    len >= off + ihl + 4) {
		uint16_t ports[2];

		memcpy(ports, p + off + ihl, 4);
		t->sport = rte_be_to_cpu_16(ports[0]);
		t->dport = rte_be_to_cpu_16(ports[1]);
	}
}

static bool
matches(const struct trace_tuple *t, uint16_t in_port)
{
	const struct trace_tuple *w = &T.want;
	bool any_ip = w->proto || T.src_mask || T.dst_mask || w->sport || w->dport;

	if (T.in_port >= 0 && T.in_port != in_port)
		return false;
	if (!any_ip)
		return true;
	if (!t->ip)
		return false;
	return (!w->proto || w->proto == t->proto) &&
	       (t->src & T.src_mask) == w->src && (t->dst & T.dst_mask) == w->dst &&
	       (!w->sport || w->sport == t->sport) && (!w->dport || w->dport == t->dport);
}

/* Take one packet of the armed count; false when none is left. */
static bool
claim_one(void)
{
	uint32_t a = __atomic_load_n(&dp_trace_armed, __ATOMIC_SEQ_CST);

	while (a != 0)
		if (__atomic_compare_exchange_n(&dp_trace_armed, &a, a - 1, false,
						__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			return true;
	return false;
}

void
dp_trace_burst_begin(struct dp_worker_ctx *w, struct rte_mbuf **pkts, uint16_t n,
		     uint16_t in_port)
{
	/* busy before any claim: dp_trace_arm() waits for it before it resets */
	__atomic_fetch_add(&dp_trace_busy, 1, __ATOMIC_SEQ_CST);
	for (uint16_t i = 0; i < n; i++) {
		struct trace_tuple t;
		struct trace_rec *r;
		uint32_t k;

		raw_tuple(pkts[i], 0, &t);
		if (!matches(&t, in_port) || !claim_one())
			continue;
		k = __atomic_fetch_add(&T.claimed, 1, __ATOMIC_RELAXED);
		if (k >= DP_TRACE_MAX)
			break;
		r = &T.rec[k];
		memset(r, 0, sizeof(*r));
		r->worker = (uint16_t)w->id;
		r->in_port = in_port;
		r->len = rte_pktmbuf_pkt_len(pkts[i]);
		r->in = t;
		w->trace_mask |= 1u << i;
		w->trace_rec[i] = r;
		w->trace_m[i] = pkts[i];
	}
	if (w->trace_mask == 0)
		__atomic_fetch_sub(&dp_trace_busy, 1, __ATOMIC_SEQ_CST);
}

/* The record of m if it is a traced packet of w's burst. */
static struct trace_rec *
rec_of(struct dp_worker_ctx *w, struct rte_mbuf *m)
{
	uint8_t s = dp_meta(m)->slot;

	if (s >= DP_BURST || !(w->trace_mask & (1u << s)) || w->trace_m[s] != m)
		return NULL;
	return w->trace_rec[s];
}

void
dp_trace_stage(struct dp_worker_ctx *w, unsigned st, struct rte_mbuf **pkts, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		struct trace_rec *r = rec_of(w, pkts[i]);

		if (r != NULL && r->n_stages < DP_TRACE_STAGES)
			r->stage[r->n_stages++] = (uint8_t)st;
	}
}

void
dp_trace_emit(struct dp_worker_ctx *w, const struct dp_emit *e)
{
	struct trace_rec *r = rec_of(w, e->m);

	if (r == NULL || r->end == TRACE_DROPPED)
		return;
	r->end = (dp_meta(e->m)->flags & DP_M_GENERATED) ? TRACE_REPLY : TRACE_SENT;
	r->out_port = e->port;
	r->next_hop = e->nh == DP_EMIT_GENERATED ? 0 : e->nh;
	raw_tuple(e->m, dp_meta(e->m)->l3, &r->out);
}

void
dp_trace_drop(struct rte_mbuf *m, unsigned reason)
{
	struct dp_worker_ctx *w = dp_worker_self();
	struct trace_rec *r;

	if (w == NULL || w->trace_mask == 0 || (r = rec_of(w, m)) == NULL)
		return;
	r->end = TRACE_DROPPED;
	r->drop = (uint16_t)reason;
}

void
dp_trace_burst_end(struct dp_worker_ctx *w)
{
	for (uint32_t mask = w->trace_mask; mask != 0; mask &= mask - 1)
		__atomic_store_n(&w->trace_rec[__builtin_ctz(mask)]->done, 1, __ATOMIC_RELEASE);
	w->trace_mask = 0;
	__atomic_fetch_sub(&dp_trace_busy, 1, __ATOMIC_ACQ_REL);
}

/* ------------------------------------------------------------ control */

static int
parse_cidr(const char *v, uint32_t *addr, uint32_t *mask)
{
	char buf[32], *slash;
	struct in_addr a;
	long len = 32;

	if (strlen(v) >= sizeof(buf))
		return -1;
	strcpy(buf, v);
	slash = strchr(buf, '/');
	if (slash != NULL) {
		char *end;

		*slash = '\0';
		len = strtol(slash + 1, &end, 10);
		if (*end != '\0' || len < 0 || len > 32)
			return -1;
	}
	if (inet_pton(AF_INET, buf, &a) != 1)
		return -1;
	*mask = len == 0 ? 0 : ~0u << (32 - len);
	*addr = rte_be_to_cpu_32(a.s_addr) & *mask;
	return 0;
}

static int
parse_port_no(const char *v, uint16_t *out)
{
	char *end;
	long x = strtol(v, &end, 10);

	if (*v == '\0' || *end != '\0' || x < 1 || x > 65535)
		return -1;
	*out = (uint16_t)x;
	return 0;
}

/* key=value: proto (tcp|udp|icmp|NUMBER), src, dst (address or CIDR),
 * sport, dport, port (the input port's name). */
static int
parse_term(char *term, char *err, size_t errlen)
{
	const struct dp_tables *t = __atomic_load_n(&dp_g.tables, __ATOMIC_ACQUIRE);
	char *v = strchr(term, '=');
	int rc = -1;

	if (v == NULL) {
		snprintf(err, errlen, "filter term \"%s\": expected key=value", term);
		return -EINVAL;
	}
	*v++ = '\0';
	if (strcmp(term, "proto") == 0) {
		char *end;
		long x = strtol(v, &end, 10);

		rc = 0;
		if (strcmp(v, "tcp") == 0)
			T.want.proto = IPPROTO_TCP;
		else if (strcmp(v, "udp") == 0)
			T.want.proto = IPPROTO_UDP;
		else if (strcmp(v, "icmp") == 0)
			T.want.proto = IPPROTO_ICMP;
		else if (*v != '\0' && *end == '\0' && x > 0 && x < 256)
			T.want.proto = (uint8_t)x;
		else
			rc = -1;
	} else if (strcmp(term, "src") == 0) {
		rc = parse_cidr(v, &T.want.src, &T.src_mask);
	} else if (strcmp(term, "dst") == 0) {
		rc = parse_cidr(v, &T.want.dst, &T.dst_mask);
	} else if (strcmp(term, "sport") == 0) {
		rc = parse_port_no(v, &T.want.sport);
	} else if (strcmp(term, "dport") == 0) {
		rc = parse_port_no(v, &T.want.dport);
	} else if (strcmp(term, "port") == 0 && t != NULL) {
		for (int i = 0; i < t->cfg->n_ports; i++)
			if (strcmp(t->cfg->ports[i].name, v) == 0) {
				T.in_port = i;
				rc = 0;
			}
	} else {
		snprintf(err, errlen, "filter key \"%s\": one of proto, src, dst, sport, dport, port",
			 term);
		return -EINVAL;
	}
	if (rc < 0) {
		snprintf(err, errlen, "filter %s: bad value \"%s\"", term, v);
		return -EINVAL;
	}
	return 0;
}

int
dp_trace_arm(const char *params, char *err, size_t errlen)
{
	char buf[256], *save = NULL, *tok, *end;
	long n;

	if (params == NULL || strlen(params) >= sizeof(buf)) {
		snprintf(err, errlen, "usage: /vpcgw/trace,N[,key=value...] (N 1..%d)", DP_TRACE_MAX);
		return -EINVAL;
	}
	strcpy(buf, params);
	tok = strtok_r(buf, ",", &save);
	n = tok != NULL ? strtol(tok, &end, 10) : 0;
	if (tok == NULL || *end != '\0' || n < 1 || n > DP_TRACE_MAX) {
		snprintf(err, errlen, "usage: /vpcgw/trace,N[,key=value...] (N 1..%d)", DP_TRACE_MAX);
		return -EINVAL;
	}
	/* stop the claims, wait for the workers to let go of the records (a
	 * worker is busy before it claims: seq_cst on both sides) */
	__atomic_store_n(&dp_trace_armed, 0, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&dp_trace_busy, __ATOMIC_SEQ_CST) != 0)
		usleep(100);
	memset(&T, 0, sizeof(T));
	T.in_port = -1;
	while ((tok = strtok_r(NULL, ",", &save)) != NULL)
		if (parse_term(tok, err, errlen) < 0) {
			memset(&T, 0, sizeof(T));
			return -EINVAL;
		}
	T.asked = (uint32_t)n;
	__atomic_store_n(&dp_trace_armed, (uint32_t)n, __ATOMIC_SEQ_CST);
	return 0;
}

static void
tuple_str(const struct trace_tuple *t, char *buf, size_t len)
{
	static const char *const names[256] = {
		[IPPROTO_TCP] = "tcp", [IPPROTO_UDP] = "udp", [IPPROTO_ICMP] = "icmp",
	};
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN], pn[8];
	struct in_addr x;

	if (!t->ip) {
		snprintf(buf, len, t->ip6 ? "IPv6" : "not IP");
		return;
	}
	x.s_addr = rte_cpu_to_be_32(t->src);
	inet_ntop(AF_INET, &x, a, sizeof(a));
	x.s_addr = rte_cpu_to_be_32(t->dst);
	inet_ntop(AF_INET, &x, b, sizeof(b));
	if (names[t->proto] == NULL)
		snprintf(pn, sizeof(pn), "%u", t->proto);
	if (t->sport || t->dport)
		snprintf(buf, len, "%s %s:%u > %s:%u", names[t->proto] ? names[t->proto] : pn,
			 a, t->sport, b, t->dport);
	else
		snprintf(buf, len, "%s %s > %s", names[t->proto] ? names[t->proto] : pn, a, b);
}

static const char *
port_name(const struct dp_tables *t, uint16_t p)
{
	return t != NULL && p < t->cfg->n_ports ? t->cfg->ports[p].name : "?";
}

static void
rec_tel(const struct trace_rec *r, const struct dp_tables *t, struct rte_tel_data *o)
{
	static const char *const ends[] = { "consumed", "sent", "reply", "dropped" };
	char buf[RTE_TEL_MAX_STRING_LEN];
	size_t k = 0;

	rte_tel_data_start_dict(o);
	rte_tel_data_add_dict_u64(o, "worker", r->worker);
	rte_tel_data_add_dict_string(o, "in_port", port_name(t, r->in_port));
	rte_tel_data_add_dict_u64(o, "length", r->len);
	tuple_str(&r->in, buf, sizeof(buf));
	rte_tel_data_add_dict_string(o, "in", buf);
	/* one string (a container holds no container in DPDK 22.11) */
	buf[0] = '\0';
	for (unsigned i = 0; i < r->n_stages && k < sizeof(buf); i++) {
		const struct dp_node *nd = dp_graph_node(r->stage[i]);
		int w = snprintf(buf + k, sizeof(buf) - k, "%s%s", i ? " " : "",
				 nd != NULL ? nd->name : "?");

		k += w > 0 ? (size_t)w : 0;
	}
	rte_tel_data_add_dict_string(o, "stages", buf);
	rte_tel_data_add_dict_string(o, "end", ends[r->end]);
	if (r->end == TRACE_DROPPED) {
		rte_tel_data_add_dict_string(o, "drop_reason", dp_drop_names[r->drop]);
	} else if (r->end != TRACE_CONSUMED) {
		struct in_addr x = { .s_addr = rte_cpu_to_be_32(r->next_hop) };

		rte_tel_data_add_dict_string(o, "out_port", port_name(t, r->out_port));
		if (r->next_hop != 0) {
			inet_ntop(AF_INET, &x, buf, sizeof(buf));
			rte_tel_data_add_dict_string(o, "next_hop", buf);
		}
		tuple_str(&r->out, buf, sizeof(buf));
		rte_tel_data_add_dict_string(o, "out", buf);
	}
}

/* /vpcgw/trace,N[,FILTER]: arm; /vpcgw/trace: the records so far. */
static int
tel_trace(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct dp_tables *t = __atomic_load_n(&dp_g.tables, __ATOMIC_ACQUIRE);
	uint32_t n, shown = 0;
	char err[160];

	RTE_SET_USED(cmd);
	rte_tel_data_start_dict(d);
	if (params != NULL && *params != '\0') {
		if (dp_trace_arm(params, err, sizeof(err)) < 0) {
			rte_tel_data_add_dict_string(d, "error", err);
			return 0;
		}
		rte_tel_data_add_dict_u64(d, "armed", T.asked);
		return 0;
	}
	n = RTE_MIN(__atomic_load_n(&T.claimed, __ATOMIC_ACQUIRE), (uint32_t)DP_TRACE_MAX);
	rte_tel_data_add_dict_u64(d, "asked", T.asked);
	rte_tel_data_add_dict_u64(d, "waiting", __atomic_load_n(&dp_trace_armed, __ATOMIC_ACQUIRE));
	for (uint32_t i = 0; i < n; i++) {
		struct rte_tel_data *o;
		char key[16];

		if (!__atomic_load_n(&T.rec[i].done, __ATOMIC_ACQUIRE))
			continue;
		o = rte_tel_data_alloc();
		if (o == NULL)
			break;
		rec_tel(&T.rec[i], t, o);
		snprintf(key, sizeof(key), "%u", shown++);
		rte_tel_data_add_dict_container(d, key, o, 0);
	}
	rte_tel_data_add_dict_u64(d, "packets", shown);
	return 0;
}

int
dp_trace_telemetry_init(void)
{
	return rte_telemetry_register_cmd("/vpcgw/trace", tel_trace,
					  "Arm: ,N[,proto=P,src=A[/L],dst=A[/L],sport=N,dport=N,port=NAME]."
					  " Without parameters: the packets traced.");
}
