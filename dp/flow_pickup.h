/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Mid-stream pickup: a flow created from a TCP segment of a connection that
 * this node never saw open, for a service that can place such a segment
 * exactly as the node that saw the SYN did (node.mid_flow = "place": the NLB
 * by the Maglev hash of the 5-tuple, the GWLB by its symmetric appliance hash;
 * docs/SCALE-OUT.md). The core's own rule stays (dp/ct_tcp.h:
 * only a SYN opens a flow); a service asks for this explicitly.
 */
#ifndef VPCGW_DP_FLOW_PICKUP_H
#define VPCGW_DP_FLOW_PICKUP_H

#include <rte_mbuf.h>

#include "dp/dp.h"
#include "dp/dp_flow.h"

/*
 * Worker: like dp_flow_new() for an ACK or FIN|ACK segment (with or without
 * data) from the originator of the connection: the flow starts ESTABLISHED
 * (FIN_WAIT_ORIG after a FIN). Anything else (SYN, RST, bad flags) is
 * dropped as ct_not_syn; a full table as conntrack_allowance_exceeded.
 * NULL when dropped.
 */
struct dp_flow *dp_flow_pickup(struct rte_mbuf *m, struct dp_meta *md, const struct dp_pctx *c);

#endif /* VPCGW_DP_FLOW_PICKUP_H */
