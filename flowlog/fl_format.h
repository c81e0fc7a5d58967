/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow-log formats (docs/config.md "Flow logs"): the fields AWS defines
 * (versions 2 to 5, those vpcgw knows), a format string's parse, and one
 * record as a line of text. Pure: no DPDK (unit tests, config loader).
 */
#ifndef VPCGW_FL_FORMAT_H
#define VPCGW_FL_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "config/cfg.h"

enum fl_field {
	FL_VERSION = 0,
	FL_ACCOUNT_ID,
	FL_INTERFACE_ID,
	FL_SRCADDR,
	FL_DSTADDR,
	FL_SRCPORT,
	FL_DSTPORT,
	FL_PROTOCOL,
	FL_PACKETS,
	FL_BYTES,
	FL_START,
	FL_END,
	FL_ACTION,
	FL_LOG_STATUS,
	FL_VPC_ID,          /* version 3 */
	FL_SUBNET_ID,
	FL_INSTANCE_ID,
	FL_TCP_FLAGS,
	FL_TYPE,
	FL_PKT_SRCADDR,
	FL_PKT_DSTADDR,
	FL_FLOW_DIRECTION,  /* version 5 */
	FL_TRAFFIC_PATH,
	FL_N_FIELDS,
};

/* AWS's name of field f ("interface-id"). */
const char *fl_field_name(unsigned f);

/*
 * Parse an AWS format string: "${field} ${field} ...", fields separated by
 * single spaces. 0 and fields[] filled, or -1 with a message in err.
 */
int fl_format_parse(const char *s, uint8_t *fields, int max, int *n, char *err, size_t errlen);
/* The default format (version 2). */
int fl_format_default(uint8_t *fields, int max);
/* The version a record of this format carries: the highest of its fields'. */
unsigned fl_format_version(const uint8_t *fields, int n);
/* The header line (field names, space-separated, no newline) into buf. */
void fl_format_header(const uint8_t *fields, int n, char *buf, size_t len);

/* One aggregated record, as the writer has it. Addresses host order. */
struct fl_record {
	uint32_t iface;             /* the interface's address */
	uint32_t src, dst;
	uint16_t sport, dport;
	uint8_t proto;
	uint8_t accept;             /* 1 ACCEPT, 0 REJECT */
	uint8_t egress;             /* flow-direction: 1 egress, 0 ingress */
	uint8_t tcp_flags;
	uint8_t traffic_path;       /* 0: "-" */
	uint8_t nodata;             /* fields "-": a SKIPDATA line with no record */
	uint8_t skipdata;           /* log-status SKIPDATA, else OK */
	uint32_t vpc;               /* VPC CIDR address (vpc-id) */
	uint32_t subnet;            /* subnet network address (subnet-id), 0: none */
	uint64_t packets, bytes;
	uint64_t start, end;        /* Unix seconds */
};

/* The record as a line (newline included) of format fields[0..n-1];
 * returns its length, or -1 when buf is too short. */
int fl_record_line(const struct fl_record *r, const struct cfg_flow_log *fl, char *buf,
		   size_t len);

#endif /* VPCGW_FL_FORMAT_H */
