/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The emitter (dp/stats_writer.h): one walk of the counters, three formats.
 *   JSON        nested objects, keys in the order written
 *   telemetry   flat dicts, keys "section/object/counter", collected and
 *               sent a page at a time (em_tel_page): no reply crosses DPDK's
 *               limits of 256 entries and 16 kB
 *   Prometheus  families "vpcgw_<path>_<name>[_total]" with HELP and TYPE,
 *               each family's samples together; the named objects of a
 *               collection (prom_collection_label) become labels
 * Object names are data: escaped for JSON and Prometheus label values,
 * reduced to [A-Za-z0-9_/] for telemetry keys.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_telemetry.h>

#include "dp/stats_writer.h"

#define EM_DEPTH 8
#define EM_PATH_LEN 256
#define EM_LABELS_LEN 1024

/* A telemetry entry, kept until the page to send is known. */
struct tel_entry {
	char key[RTE_TEL_MAX_STRING_LEN];
	bool is_str;
	uint64_t u;
	char s[64];
};

/* A Prometheus sample, kept until its family's lines are written together. */
struct prom_sample {
	unsigned family;
	char *line;         /* "name{labels} value\n" */
};

struct prom_family {
	char name[160];
	bool counter;
	const char *help;
};

struct emitter {
	enum em_kind kind;
	/* JSON and Prometheus: the text */
	char *buf;
	size_t len, cap;
	bool first[EM_DEPTH];
	int depth;
	/* telemetry: the entries in order */
	struct tel_entry *ent;
	unsigned n_ent, cap_ent;
	/* prometheus and telemetry: name prefix of the current object */
	char path[EM_DEPTH][EM_PATH_LEN];
	/* prometheus: objects become labels, e.g. {nat_gateway="nat-a"} */
	char labels[EM_DEPTH][EM_LABELS_LEN];
	const char *collection[EM_DEPTH];   /* label name of the children, or NULL */
	struct prom_sample *smp;
	unsigned n_smp, cap_smp;
	struct prom_family *fam;
	unsigned n_fam, cap_fam;
};

const struct dp_stats_section *dp_stats_sections[DP_STATS_MAX_SECTIONS];
unsigned dp_stats_n_sections;

int
dp_stats_register(const struct dp_stats_section *sec)
{
	if (dp_stats_n_sections == DP_STATS_MAX_SECTIONS)
		return -ENOSPC;
	dp_stats_sections[dp_stats_n_sections++] = sec;
	return 0;
}

/* Collections whose children are named objects, and the label they get: the
 * core's, then those of the registered sections. */
static const char *
prom_collection_label(const char *key)
{
	static const struct dp_stats_label core[] = {
		{ "ports", "port" }, { "by_service", "service" },
		{ "egress_only_internet_gateways", "gateway" }, { NULL, NULL },
	};
	const struct dp_stats_label *l;

	for (l = core; l->collection != NULL; l++)
		if (strcmp(l->collection, key) == 0)
			return l->label;
	for (unsigned i = 0; i < dp_stats_n_sections; i++)
		for (l = dp_stats_sections[i]->labels; l != NULL && l->collection != NULL; l++)
			if (strcmp(l->collection, key) == 0)
				return l->label;
	return NULL;
}

static void *
grow(void *p, unsigned *cap, unsigned n, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap ? *cap * 2 : 256;
	p = realloc(p, (size_t)*cap * size);
	if (p == NULL)
		abort();        /* control thread: a counter output without memory */
	return p;
}

static void
em_printf(struct emitter *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
em_printf(struct emitter *e, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(e->buf + e->len, e->cap - e->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < e->cap - e->len) {
			e->len += (size_t)n;
			return;
		}
		e->cap = (e->cap + (size_t)n) * 2;
		e->buf = realloc(e->buf, e->cap);
		if (e->buf == NULL)
			abort();
	}
}

/* A JSON string: names are data (any UTF-8 the configuration accepts), so
 * quotes, backslashes and control characters are escaped (RFC 8259). */
static void
json_str(struct emitter *e, const char *s)
{
	em_printf(e, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			em_printf(e, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			em_printf(e, "\\u%04x", c);
		else
			em_printf(e, "%c", c);
	}
	em_printf(e, "\"");
}

/* A Prometheus label value: backslash, double quote and newline escaped, as
 * the text exposition format requires. */
static void
prom_label_value(char *out, size_t len, const char *s)
{
	size_t w = 0;

	for (; *s && w + 3 < len; s++) {
		if (*s == '\\' || *s == '"') {
			out[w++] = '\\';
			out[w++] = *s;
		} else if (*s == '\n') {
			out[w++] = '\\';
			out[w++] = 'n';
		} else {
			out[w++] = *s;
		}
	}
	out[w] = '\0';
}

static void
em_key(struct emitter *e, const char *key)
{
	if (!e->first[e->depth])
		em_printf(e, ",");
	e->first[e->depth] = false;
	json_str(e, key);
	em_printf(e, ":");
}

static void
em_path(struct emitter *e, const char *sep, const char *key)
{
	char tmp[EM_PATH_LEN];

	snprintf(tmp, sizeof(tmp), "%s%s%s", e->path[e->depth], e->path[e->depth][0] ? sep : "",
		 key ? key : "");
	memcpy(e->path[e->depth + 1], tmp, sizeof(tmp));
}

void
em_open(struct emitter *e, const char *key)
{
	if (e->depth + 1 >= EM_DEPTH)
		abort();        /* a section nests deeper than any output can hold */
	if (e->kind == EM_JSON) {
		if (key != NULL)
			em_key(e, key);
		em_printf(e, "{");
	} else if (e->kind == EM_TEL) {
		/* DPDK telemetry dicts are flat here (see tel_key) */
		em_path(e, "/", key);
	} else if (e->collection[e->depth] != NULL) {
		/* a named object: a label, not part of the metric name */
		char tmp[EM_LABELS_LEN], v[2 * CFG_NAME_MAX + 1];

		prom_label_value(v, sizeof(v), key ? key : "");
		snprintf(tmp, sizeof(tmp), "%s%s%s=\"%s\"", e->labels[e->depth],
			 e->labels[e->depth][0] ? "," : "", e->collection[e->depth], v);
		memcpy(e->labels[e->depth + 1], tmp, sizeof(tmp));
		memcpy(e->path[e->depth + 1], e->path[e->depth], sizeof(e->path[0]));
		e->collection[e->depth + 1] = NULL;
		e->depth++;
		e->first[e->depth] = true;
		return;
	} else {
		em_path(e, "_", key);
		memcpy(e->labels[e->depth + 1], e->labels[e->depth], sizeof(e->labels[0]));
		e->collection[e->depth + 1] = key ? prom_collection_label(key) : NULL;
	}
	e->depth++;
	e->first[e->depth] = true;
}

void
em_close(struct emitter *e)
{
	if (e->kind == EM_JSON)
		em_printf(e, "}");
	e->depth--;
}

/* ------------------------------------------------------------ Prometheus */

/* Counter keys and their Prometheus names (snake case; a counter gets
 * "_total" appended). The CloudWatch names become snake case with the unit
 * last; docs/OBSERVABILITY.md lists the renames. */
static const struct {
	const char *key, *name, *help;
} prom_names[] = {
	{ "ActiveConnectionCount", "active_connections", "Connections open now." },
	{ "ConnectionAttemptCount", "connection_attempts", "Connection attempts (CloudWatch ConnectionAttemptCount)." },
	{ "ConnectionEstablishedCount", "connections_established", "Connections established (CloudWatch ConnectionEstablishedCount)." },
	{ "ErrorPortAllocation", "port_allocation_errors", "No source port could be allocated (CloudWatch ErrorPortAllocation)." },
	{ "IdleTimeoutCount", "idle_timeouts", "Connections closed by the idle timeout (CloudWatch IdleTimeoutCount)." },
	{ "PacketsDropCount", "dropped_packets", "Packets dropped (CloudWatch PacketsDropCount)." },
	{ "BytesInFromSource", "in_from_source_bytes", "Bytes received from the sources (CloudWatch BytesInFromSource)." },
	{ "BytesOutToDestination", "out_to_destination_bytes", "Bytes sent to the destinations (CloudWatch BytesOutToDestination)." },
	{ "BytesInFromDestination", "in_from_destination_bytes", "Bytes received from the destinations (CloudWatch BytesInFromDestination)." },
	{ "BytesOutToSource", "out_to_source_bytes", "Bytes sent to the sources (CloudWatch BytesOutToSource)." },
	{ "PacketsInFromSource", "in_from_source_packets", "Packets received from the sources (CloudWatch PacketsInFromSource)." },
	{ "PacketsOutToDestination", "out_to_destination_packets", "Packets sent to the destinations (CloudWatch PacketsOutToDestination)." },
	{ "PacketsInFromDestination", "in_from_destination_packets", "Packets received from the destinations (CloudWatch PacketsInFromDestination)." },
	{ "PacketsOutToSource", "out_to_source_packets", "Packets sent to the sources (CloudWatch PacketsOutToSource)." },
	{ "IPv4BytesInFromSource", "in_from_source_ipv4_bytes", "IPv4 bytes received from the sources (BytesInFromSource less IPv6BytesInFromSource)." },
	{ "IPv4BytesOutToSource", "out_to_source_ipv4_bytes", "IPv4 bytes sent to the sources (BytesOutToSource less IPv6BytesOutToSource)." },
	{ "IPv4PacketsInFromSource", "in_from_source_ipv4_packets", "IPv4 packets received from the sources." },
	{ "IPv4PacketsOutToSource", "out_to_source_ipv4_packets", "IPv4 packets sent to the sources." },
	{ "IPv6BytesInFromSource", "in_from_source_ipv6_bytes", "IPv6 bytes received from the sources (NAT64 clients)." },
	{ "IPv6BytesOutToSource", "out_to_source_ipv6_bytes", "IPv6 bytes sent to the sources (NAT64 clients)." },
	{ "IPv6PacketsInFromSource", "in_from_source_ipv6_packets", "IPv6 packets received from the sources (NAT64 clients)." },
	{ "IPv6PacketsOutToSource", "out_to_source_ipv6_packets", "IPv6 packets sent to the sources (NAT64 clients)." },
	{ "ActiveFlowCount", "active_flows", "Flows open now (CloudWatch ActiveFlowCount)." },
	{ "NewFlowCount", "new_flows", "Flows created (CloudWatch NewFlowCount)." },
	{ "ProcessedBytes", "processed_bytes", "Bytes processed (CloudWatch ProcessedBytes)." },
	{ "ProcessedPackets", "processed_packets", "Packets processed (CloudWatch ProcessedPackets)." },
	{ "MidFlowPlacedCount", "mid_flow_placed_flows", "Flows picked up from a mid-stream TCP segment (node.mid_flow = \"place\", docs/SCALE-OUT.md)." },
	{ "TCP_ELB_Reset_Count", "tcp_elb_resets", "TCP resets the load balancer sent (CloudWatch TCP_ELB_Reset_Count)." },
	{ "PortAllocationErrorCount", "port_allocation_errors", "No source port could be allocated (CloudWatch PortAllocationErrorCount)." },
	{ "HealthyHostCount", "healthy_hosts", "Targets or appliances healthy now (CloudWatch HealthyHostCount)." },
	{ "UnHealthyHostCount", "unhealthy_hosts", "Targets or appliances unhealthy now (CloudWatch UnHealthyHostCount)." },
	{ "ConsumedLCUs", "consumed_lcus", "Load balancer capacity units used (CloudWatch ConsumedLCUs)." },
	{ "rx", "rx_packets", "Packets received." },
	{ "tx", "tx_packets", "Packets transmitted." },
	{ "rx_bytes", "rx_bytes", "Bytes received." },
	{ "tx_bytes", "tx_bytes", "Bytes transmitted." },
	{ "rx_ipv4", "rx_ipv4_packets", "Packets received that are not IPv6 (IPv4, and ARP or other frames): rx less rx_ipv6." },
	{ "rx_ipv4_bytes", "rx_ipv4_bytes", "Bytes received that are not IPv6: rx_bytes less rx_ipv6_bytes." },
	{ "rx_ipv6", "rx_ipv6_packets", "IPv6 packets received." },
	{ "rx_ipv6_bytes", "rx_ipv6_bytes", "Bytes of IPv6 packets received." },
	{ "tx_ipv4", "tx_ipv4_packets", "IPv4 packets transmitted (forwarded): tx less tx_ipv6." },
	{ "tx_ipv4_bytes", "tx_ipv4_bytes", "Bytes of IPv4 packets transmitted: tx_bytes less tx_ipv6_bytes." },
	{ "tx_ipv6", "tx_ipv6_packets", "IPv6 packets transmitted (forwarded)." },
	{ "tx_ipv6_bytes", "tx_ipv6_bytes", "Bytes of IPv6 packets transmitted." },
	{ "forwarded", "forwarded_packets", "Packets received and forwarded." },
	{ "local", "local_packets", "Packets received for vpcgw itself (ARP, ICMP echo, health-check answers)." },
	{ "dropped", "dropped_packets", "Packets received and dropped (drops by reason: vpcgw_drops_total)." },
	{ "drops", "dropped_packets", "Packets received and dropped (drops by reason: vpcgw_drops_total)." },
	{ "generated", "generated_packets", "Packets vpcgw built itself (ARP, ICMP, TCP RST, probes)." },
	{ "generated_dropped", "generated_dropped_packets", "Packets vpcgw built that could not be sent." },
	{ "nic_missed", "nic_missed_packets", "Packets the device dropped before vpcgw saw them (rte_eth_stats imissed)." },
	{ "nic_rx_nombuf", "nic_rx_nombuf_packets", "Receive failures for want of an mbuf (rte_eth_stats rx_nombuf)." },
	{ "nic_rx_errors", "nic_rx_errors", "Erroneous received packets (rte_eth_stats ierrors)." },
	{ "nic_tx_errors", "nic_tx_errors", "Failed transmissions (rte_eth_stats oerrors)." },
	{ "link_up", "link_up", "1 if the port's link is up (rte_eth_link_get_nowait)." },
	{ "link_speed_mbps", "link_speed_mbps", "Link speed in Mbit/s, 0 if unknown." },
	{ "in_flight", "in_flight_packets", "Packets between receive and transmit now." },
	{ "mbufs_in_use", "mbufs_in_use", "Mbufs of the pool not free now." },
	{ "idle_sleeps", "idle_sleeps", "Times a worker found no packet and slept (dpdk.idle_sleep_us)." },
	{ "active", "active_flows", "Flows in the flow table now." },
	{ "capacity", "capacity_flows", "Size of the flow table." },
	{ "untracked_packets", "untracked_packets", "Packets forwarded without a flow." },
	{ "created", "created_flows", "Flows created." },
	{ "deleted", "deleted_flows", "Flows deleted." },
	{ "active_flows", "active_flows", "Flows open now." },
	{ "flows_created", "created_flows", "Flows created." },
	{ "allowed", "allowed_packets", "Packets security groups allowed." },
	{ "denied", "denied_packets", "Packets security groups denied." },
	{ "interfaces", "interfaces", "Interfaces the security group is attached to." },
	{ "new_flows_per_s", "new_flows_per_second", "New flows in the last second (LCU dimension)." },
	{ "bytes_per_hour", "bytes_per_hour", "Bytes of the last second times 3600 (LCU dimension)." },
	{ "lcu_new_flows", "new_flows_lcus", "LCUs of the new-flow dimension." },
	{ "lcu_active_flows", "active_flows_lcus", "LCUs of the active-flow dimension." },
	{ "lcu_processed_bytes", "processed_bytes_lcus", "LCUs of the processed-bytes dimension." },
	{ "hour", "hour_index", "Index of the billed hour since the clock's epoch." },
	{ "peak_new_flows_per_s", "peak_new_flows_per_second", "Peak new flows per second in the hour." },
	{ "peak_active_flows", "peak_active_flows", "Peak active flows in the hour." },
	{ "bytes", "bytes", "Bytes processed in the hour." },
	{ "packets_out", "out_packets", "Packets sent out through the egress-only internet gateway." },
	{ "bytes_out", "out_bytes", "Bytes (IPv6 header on) sent out through the egress-only internet gateway." },
	{ "packets_in", "in_packets", "Packets of open flows let in through the egress-only internet gateway." },
	{ "bytes_in", "in_bytes", "Bytes (IPv6 header on) let in through the egress-only internet gateway." },
	{ "unsolicited", "unsolicited_packets", "Packets from the internet through the egress-only internet gateway that no flow opened (dropped)." },
	{ "flow_fold_collisions", "flow_fold_collisions", "IPv6 packets left untracked: their folded flow key belonged to another IPv6 flow." },
};

/* node="NAME" (docs/SCALE-OUT.md), or "" */
static char prom_node[96];

void
em_prom_node(const char *name)
{
	prom_node[0] = '\0';
	if (name != NULL && name[0] != '\0')
		snprintf(prom_node, sizeof(prom_node), "node=\"%s\"", name);
}

static void
prom_sanitize(char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			*s = '_';
}

/* The sample "family{labels} value" of key in the current object. */
static void
prom_sample(struct emitter *e, const char *key, bool counter, const char *value)
{
	const char *name = key, *help = NULL;
	char fam[sizeof(e->fam[0].name)], *line;
	const char *labels = e->labels[e->depth];
	unsigned f;
	int n;

	if (strcmp(e->path[e->depth], "drops") == 0) {
		/* one family, the reason a label */
		char l[192];

		snprintf(l, sizeof(l), "%s%sreason=\"%s\"", prom_node, prom_node[0] ? "," : "",
			 key);
		snprintf(fam, sizeof(fam), "vpcgw_drops_total");
		labels = l;
		help = "Packets dropped, by reason (docs/OBSERVABILITY.md lists the reasons).";
		n = asprintf(&line, "%s{%s} %s\n", fam, labels, value);
		goto add;
	}
	for (size_t i = 0; i < RTE_DIM(prom_names); i++)
		if (strcmp(prom_names[i].key, key) == 0) {
			name = prom_names[i].name;
			help = prom_names[i].help;
			break;
		}
	snprintf(fam, sizeof(fam), "vpcgw_%s%s%s%s", e->path[e->depth],
		 e->path[e->depth][0] ? "_" : "", name, counter ? "_total" : "");
	prom_sanitize(fam);
	if (prom_node[0])
		n = asprintf(&line, "%s{%s%s%s} %s\n", fam, prom_node, labels[0] ? "," : "", labels,
			     value);
	else
		n = labels[0] ? asprintf(&line, "%s{%s} %s\n", fam, labels, value) :
				asprintf(&line, "%s %s\n", fam, value);
add:
	if (n < 0)
		abort();
	for (f = 0; f < e->n_fam; f++)
		if (strcmp(e->fam[f].name, fam) == 0)
			break;
	if (f == e->n_fam) {
		e->fam = grow(e->fam, &e->cap_fam, e->n_fam, sizeof(*e->fam));
		snprintf(e->fam[f].name, sizeof(e->fam[f].name), "%s", fam);
		e->fam[f].counter = counter;
		e->fam[f].help = help;
		e->n_fam++;
	}
	e->smp = grow(e->smp, &e->cap_smp, e->n_smp, sizeof(*e->smp));
	e->smp[e->n_smp].family = f;
	e->smp[e->n_smp].line = line;
	e->n_smp++;
}

/* The families in order of first appearance, each with its HELP and TYPE
 * and all its samples together, as the exposition format wants them. */
static void
prom_write(struct emitter *e)
{
	for (unsigned f = 0; f < e->n_fam; f++) {
		const struct prom_family *pf = &e->fam[f];

		if (pf->help != NULL)
			em_printf(e, "# HELP %s %s\n", pf->name, pf->help);
		else
			em_printf(e, "# HELP %s vpcgw counter %s (docs/OBSERVABILITY.md).\n",
				  pf->name, pf->name);
		em_printf(e, "# TYPE %s %s\n", pf->name, pf->counter ? "counter" : "gauge");
		for (unsigned i = 0; i < e->n_smp; i++)
			if (e->smp[i].family == f)
				em_printf(e, "%s", e->smp[i].line);
	}
}

/* ------------------------------------------------------------ telemetry */

/* DPDK telemetry names allow only [A-Za-z0-9_/]: "section/object/counter",
 * other characters (dots of addresses, colons, any byte of a UTF-8 name)
 * become '_'. */
static struct tel_entry *
tel_entry(struct emitter *e, const char *key)
{
	char full[EM_PATH_LEN + 128];
	struct tel_entry *t;
	int n;

	e->ent = grow(e->ent, &e->cap_ent, e->n_ent, sizeof(*e->ent));
	t = &e->ent[e->n_ent++];
	memset(t, 0, sizeof(*t));
	n = snprintf(full, sizeof(full), "%s%s%s", e->path[e->depth],
		     e->path[e->depth][0] ? "/" : "", key);
	if (n < (int)sizeof(t->key)) {
		memcpy(t->key, full, (size_t)n + 1);
	} else {
		/* DPDK keeps 127 bytes of a name: a longer key (long object
		 * names) keeps its head and ends in a hash of the whole, so two
		 * long keys never merge into one */
		uint64_t h = 0xcbf29ce484222325ULL;

		for (const char *c = full; *c; c++)
			h = (h ^ (unsigned char)*c) * 0x100000001b3ULL;
		snprintf(t->key, sizeof(t->key), "%.*s_h%016" PRIx64,
			 (int)sizeof(t->key) - 19, full, h);
	}
	for (char *c = t->key; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '/'))
			*c = '_';
	return t;
}

/* ------------------------------------------------------------ values */

static void
em_num(struct emitter *e, const char *key, uint64_t v, bool counter)
{
	char n[32];

	switch (e->kind) {
	case EM_JSON:
		em_key(e, key);
		em_printf(e, "%" PRIu64, v);
		break;
	case EM_TEL:
		tel_entry(e, key)->u = v;
		break;
	case EM_PROM:
		snprintf(n, sizeof(n), "%" PRIu64, v);
		prom_sample(e, key, counter, n);
		break;
	}
}

void
em_u64(struct emitter *e, const char *key, uint64_t v)
{
	em_num(e, key, v, true);
}

void
em_gauge(struct emitter *e, const char *key, uint64_t v)
{
	em_num(e, key, v, false);
}

void
em_dbl(struct emitter *e, const char *key, double v)
{
	char s[64];

	snprintf(s, sizeof(s), "%.6f", v);
	switch (e->kind) {
	case EM_JSON:
		em_key(e, key);
		em_printf(e, "%s", s);
		break;
	case EM_TEL: {
		struct tel_entry *t = tel_entry(e, key);

		t->is_str = true;
		snprintf(t->s, sizeof(t->s), "%s", s);
		break;
	}
	case EM_PROM:
		prom_sample(e, key, false, s);
		break;
	}
}

void
em_str(struct emitter *e, const char *key, const char *v)
{
	switch (e->kind) {
	case EM_JSON:
		em_key(e, key);
		json_str(e, v);
		break;
	case EM_TEL: {
		struct tel_entry *t = tel_entry(e, key);

		t->is_str = true;
		snprintf(t->s, sizeof(t->s), "%s", v);
		break;
	}
	case EM_PROM:
		break;          /* strings are not metrics */
	}
}

void
em_lcu(struct emitter *e, const struct lcu_meter *m)
{
	struct lcu_rate r;
	struct lcu_hour h[4];
	unsigned nh;

	lcu_meter_current(m, &r);
	em_open(e, "lcu");
	em_dbl(e, "new_flows_per_s", r.new_flows_per_s);
	em_gauge(e, "active_flows", r.active_flows);
	em_dbl(e, "bytes_per_hour", r.bytes_per_hour);
	em_dbl(e, "lcu_new_flows", r.lcu_new_flows);
	em_dbl(e, "lcu_active_flows", r.lcu_active_flows);
	em_dbl(e, "lcu_processed_bytes", r.lcu_bytes);
	em_dbl(e, "ConsumedLCUs", r.lcus);
	lcu_meter_partial_hour(m, &h[0]);
	em_open(e, "current_hour");
	em_gauge(e, "hour", h[0].hour_index);
	em_dbl(e, "peak_new_flows_per_s", h[0].peak_new_flows_per_s);
	em_gauge(e, "peak_active_flows", h[0].peak_active_flows);
	em_gauge(e, "bytes", h[0].bytes);
	em_dbl(e, "ConsumedLCUs", h[0].lcus);
	em_close(e);
	nh = lcu_meter_hours(m, h, 1);
	if (nh) {
		em_open(e, "last_hour");
		em_gauge(e, "hour", h[0].hour_index);
		em_dbl(e, "peak_new_flows_per_s", h[0].peak_new_flows_per_s);
		em_gauge(e, "peak_active_flows", h[0].peak_active_flows);
		em_gauge(e, "bytes", h[0].bytes);
		em_dbl(e, "ConsumedLCUs", h[0].lcus);
		em_close(e);
	}
	em_close(e);
}

/* ------------------------------------------------------------ telemetry pages */

/* What one entry can take of the reply, whatever its value: pages depend on
 * the names only, so they stay put while counters grow. */
static size_t
tel_cost(const struct tel_entry *t)
{
	return strlen(t->key) + 4 + (t->is_str ? sizeof(t->s) + 2 : 20);
}

static bool
tel_selected(const struct tel_entry *t, const char *only)
{
	size_t n;

	if (only == NULL)
		return true;
	n = strlen(only);
	return strncmp(t->key, only, n) == 0 && t->key[n] == '/';
}

int
em_tel_page(struct emitter *e, struct rte_tel_data *d, const char *only, unsigned page,
	    unsigned *n_pages)
{
	unsigned pg = 0, in_page = 0, selected = 0;
	size_t bytes = 0;

	rte_tel_data_start_dict(d);
	/* the page of each entry, sent or not: the count of pages comes last */
	for (unsigned i = 0; i < e->n_ent; i++) {
		const struct tel_entry *t = &e->ent[i];
		size_t c;

		if (!tel_selected(t, only))
			continue;
		c = tel_cost(t);
		if (in_page == EM_TEL_PAGE_ENTRIES || bytes + c > EM_TEL_PAGE_BYTES) {
			pg++;
			in_page = 0;
			bytes = 0;
		}
		in_page++;
		bytes += c;
		selected++;
		if (pg != page)
			continue;
		if ((t->is_str ? rte_tel_data_add_dict_string(d, t->key, t->s) :
		     rte_tel_data_add_dict_u64(d, t->key, t->u)) != 0)
			return -E2BIG;      /* a bug of the page arithmetic */
	}
	*n_pages = selected ? pg + 1 : 1;
	if (only != NULL && selected == 0)
		return -ENOENT;
	rte_tel_data_add_dict_u64(d, "page", page);
	rte_tel_data_add_dict_u64(d, "pages", *n_pages);
	rte_tel_data_add_dict_u64(d, "entries", selected);
	return 0;
}

/* ------------------------------------------------------------ life cycle */

struct emitter *
em_new(enum em_kind kind)
{
	struct emitter *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return NULL;
	e->kind = kind;
	e->first[0] = true;
	return e;
}

void
em_raw(struct emitter *e, const char *text)
{
	em_printf(e, "%s", text);
}

char *
em_finish(struct emitter *e, size_t *len)
{
	char *text;

	if (e == NULL)
		return NULL;
	if (e->kind == EM_PROM)
		prom_write(e);
	text = e->buf;
	if (len != NULL)
		*len = e->len;
	for (unsigned i = 0; i < e->n_smp; i++)
		free(e->smp[i].line);
	free(e->smp);
	free(e->fam);
	free(e->ent);
	free(e);
	return text;
}
