/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet parsing and validation (SPEC §3 step 1). Header-only DPDK use
 * (inline mbuf accessors), so unit tests run it on stack mbufs without EAL.
 */
#ifndef VPCGW_DP_PARSE_H
#define VPCGW_DP_PARSE_H

#include "dp/dp.h"

enum dp_parse_result {
	DP_PARSE_IPV4 = -1,         /* valid IPv4, meta filled */
	DP_PARSE_ARP = -2,          /* ARP: dp_arp_input validates the rest */
};

/*
 * Validate the frame in m (first segment holds the headers) and fill md.
 * Returns DP_PARSE_IPV4, DP_PARSE_ARP, or a drop reason (enum dp_drop >= 0).
 * Never reads past rte_pktmbuf_data_len(m). Trims Ethernet padding beyond the
 * IPv4 total length.
 */
int dp_parse(struct rte_mbuf *m, struct dp_meta *md);

/* Fill md->key from the (already validated) headers; used again after decap. */
void dp_parse_key(struct rte_mbuf *m, struct dp_meta *md);

#endif /* VPCGW_DP_PARSE_H */
