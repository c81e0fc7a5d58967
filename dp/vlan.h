/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VLAN ports and overlapping VPCs (dp/vlan.c). Called by the workers only.
 */
#ifndef VPCGW_DP_VLAN_H
#define VPCGW_DP_VLAN_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "dp/dp.h"

/*
 * A burst received on device port in_port, which has VLAN ports: each frame
 * to its VLAN port (tag removed) or dropped (vlan_unknown, vlan_untagged);
 * consecutive frames of one port go to dp_process_run() together, in order.
 */
void dp_vlan_burst(struct rte_mbuf **pkts, uint16_t n, uint16_t in_port, uint64_t now_ms);

/*
 * Push the 802.1Q tag of VLAN port port on the n frames of b (a worker's tx
 * buffer of that port, before it is sent). Returns how many are left in b:
 * a frame without headroom is dropped and counted in s.
 */
uint16_t dp_vlan_push_burst(struct rte_mbuf **b, uint16_t n, uint16_t port,
			    struct dp_lcore_stats *s);

#endif /* VPCGW_DP_VLAN_H */
