/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow-log formats and lines (flowlog/fl_format.h). Identifiers: vpcgw has
 * no AWS resource IDs, so it makes them from addresses, in AWS's shape
 * (prefix and 17 hex digits): eni-00000000 0a000a0a for the interface at
 * 10.0.10.10 (without the space), subnet- and vpc- from the network
 * address. instance-id is "-" (vpcgw knows no instances).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "flowlog/fl_format.h"

static const struct {
	const char *name;
	unsigned version;
} fields[FL_N_FIELDS] = {
	[FL_VERSION] = { "version", 2 },
	[FL_ACCOUNT_ID] = { "account-id", 2 },
	[FL_INTERFACE_ID] = { "interface-id", 2 },
	[FL_SRCADDR] = { "srcaddr", 2 },
	[FL_DSTADDR] = { "dstaddr", 2 },
	[FL_SRCPORT] = { "srcport", 2 },
	[FL_DSTPORT] = { "dstport", 2 },
	[FL_PROTOCOL] = { "protocol", 2 },
	[FL_PACKETS] = { "packets", 2 },
	[FL_BYTES] = { "bytes", 2 },
	[FL_START] = { "start", 2 },
	[FL_END] = { "end", 2 },
	[FL_ACTION] = { "action", 2 },
	[FL_LOG_STATUS] = { "log-status", 2 },
	[FL_VPC_ID] = { "vpc-id", 3 },
	[FL_SUBNET_ID] = { "subnet-id", 3 },
	[FL_INSTANCE_ID] = { "instance-id", 3 },
	[FL_TCP_FLAGS] = { "tcp-flags", 3 },
	[FL_TYPE] = { "type", 3 },
	[FL_PKT_SRCADDR] = { "pkt-srcaddr", 3 },
	[FL_PKT_DSTADDR] = { "pkt-dstaddr", 3 },
	[FL_FLOW_DIRECTION] = { "flow-direction", 5 },
	[FL_TRAFFIC_PATH] = { "traffic-path", 5 },
};

const char *
fl_field_name(unsigned f)
{
	return f < FL_N_FIELDS ? fields[f].name : "?";
}

int
fl_format_default(uint8_t *out, int max)
{
	int n = 0;

	for (unsigned f = FL_VERSION; f <= FL_LOG_STATUS && n < max; f++)
		out[n++] = (uint8_t)f;
	return n;
}

int
fl_format_parse(const char *s, uint8_t *out, int max, int *n, char *err, size_t errlen)
{
	const char *p = s;

	*n = 0;
	if (*p == '\0') {
		snprintf(err, errlen, "empty format");
		return -1;
	}
	for (;;) {
		const char *e;
		size_t len;
		unsigned f;

		if (strncmp(p, "${", 2) != 0 || (e = strchr(p, '}')) == NULL) {
			snprintf(err, errlen, "expected \"${field}\" at \"%.20s\"", p);
			return -1;
		}
		len = (size_t)(e - p - 2);
		for (f = 0; f < FL_N_FIELDS; f++)
			if (strlen(fields[f].name) == len && strncmp(p + 2, fields[f].name, len) == 0)
				break;
		if (f == FL_N_FIELDS) {
			snprintf(err, errlen, "unknown field \"%.*s\" (known: version 2 fields, "
				 "vpc-id, subnet-id, instance-id, tcp-flags, type, pkt-srcaddr, "
				 "pkt-dstaddr, flow-direction, traffic-path)", (int)len, p + 2);
			return -1;
		}
		for (int i = 0; i < *n; i++)
			if (out[i] == f) {
				snprintf(err, errlen, "field \"%s\" is listed twice", fields[f].name);
				return -1;
			}
		if (*n == max) {
			snprintf(err, errlen, "too many fields (max %d)", max);
			return -1;
		}
		out[(*n)++] = (uint8_t)f;
		p = e + 1;
		if (*p == '\0')
			return 0;
		if (*p != ' ' || p[1] == '\0' || p[1] == ' ') {
			snprintf(err, errlen, "fields are separated by one space, at \"%.20s\"", p);
			return -1;
		}
		p++;
	}
}

unsigned
fl_format_version(const uint8_t *f, int n)
{
	unsigned v = 2;

	for (int i = 0; i < n; i++)
		if (f[i] < FL_N_FIELDS && fields[f[i]].version > v)
			v = fields[f[i]].version;
	return v;
}

void
fl_format_header(const uint8_t *f, int n, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? " " : "", fl_field_name(f[i]));
}

static int
ip_str(char *b, size_t len, uint32_t a)
{
	return snprintf(b, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff,
			a & 0xff);
}

/* One field of r into b (len bytes); returns what snprintf does. */
static int
field_str(const struct fl_record *r, const struct cfg_flow_log *fl, unsigned f, char *b,
	  size_t len)
{
	switch (f) {
	case FL_VERSION:
		return snprintf(b, len, "%u", fl_format_version(fl->fields, fl->n_fields));
	case FL_ACCOUNT_ID:
		return snprintf(b, len, "%s", fl->account);
	case FL_LOG_STATUS:
		return snprintf(b, len, "%s", r->skipdata ? "SKIPDATA" : "OK");
	case FL_TYPE:
		return snprintf(b, len, "IPv4");
	case FL_INSTANCE_ID:
		return snprintf(b, len, "-");
	default:
		break;
	}
	if (r->nodata && f != FL_INTERFACE_ID && f != FL_VPC_ID && f != FL_SUBNET_ID &&
	    f != FL_START && f != FL_END)
		return snprintf(b, len, "-");
	switch (f) {
	case FL_INTERFACE_ID:
		return r->iface ? snprintf(b, len, "eni-000000000%08" PRIx32, r->iface) :
				  snprintf(b, len, "-");
	case FL_VPC_ID:
		return snprintf(b, len, "vpc-000000000%08" PRIx32, r->vpc);
	case FL_SUBNET_ID:
		return r->subnet ? snprintf(b, len, "subnet-000000000%08" PRIx32, r->subnet) :
				   snprintf(b, len, "-");
	case FL_SRCADDR:
	case FL_PKT_SRCADDR:
		return ip_str(b, len, r->src);
	case FL_DSTADDR:
	case FL_PKT_DSTADDR:
		return ip_str(b, len, r->dst);
	case FL_SRCPORT:
		return snprintf(b, len, "%u", r->sport);
	case FL_DSTPORT:
		return snprintf(b, len, "%u", r->dport);
	case FL_PROTOCOL:
		return snprintf(b, len, "%u", r->proto);
	case FL_PACKETS:
		return snprintf(b, len, "%" PRIu64, r->packets);
	case FL_BYTES:
		return snprintf(b, len, "%" PRIu64, r->bytes);
	case FL_START:
		return snprintf(b, len, "%" PRIu64, r->start);
	case FL_END:
		return snprintf(b, len, "%" PRIu64, r->end);
	case FL_ACTION:
		return snprintf(b, len, "%s", r->accept ? "ACCEPT" : "REJECT");
	case FL_TCP_FLAGS:
		return snprintf(b, len, "%u", r->proto == 6 ? r->tcp_flags : 0);
	case FL_FLOW_DIRECTION:
		return snprintf(b, len, "%s", r->egress ? "egress" : "ingress");
	case FL_TRAFFIC_PATH:
		return r->egress && r->traffic_path ? snprintf(b, len, "%u", r->traffic_path) :
						      snprintf(b, len, "-");
	default:
		return snprintf(b, len, "-");
	}
}

int
fl_record_line(const struct fl_record *r, const struct cfg_flow_log *fl, char *buf, size_t len)
{
	size_t o = 0;

	for (int i = 0; i < fl->n_fields; i++) {
		int k;

		if (i) {
			if (o + 1 >= len)
				return -1;
			buf[o++] = ' ';
		}
		k = field_str(r, fl, fl->fields[i], buf + o, len - o);
		if (k < 0 || (size_t)k >= len - o)
			return -1;
		o += (size_t)k;
	}
	if (o + 2 > len)
		return -1;
	buf[o++] = '\n';
	buf[o] = '\0';
	return (int)o;
}
