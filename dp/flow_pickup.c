/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Mid-stream pickup (flow_pickup.h).
 */
#include <netinet/in.h>

#include <rte_mbuf.h>

#include "dp/ct_tcp.h"
#include "dp/dp.h"
#include "dp/dp_flow.h"
#include "dp/dp_pipe.h"
#include "dp/dp_pkt.h"
#include "dp/flow_pickup.h"

struct dp_flow *
dp_flow_pickup(struct rte_mbuf *m, struct dp_meta *md, const struct dp_pctx *c)
{
	uint8_t st;
	bool ok;

	if (md->proto != IPPROTO_TCP) {
		dp_drop(m, DP_DROP_ct_not_syn);
		return NULL;
	}
	/* an established connection's segment from the originator: ACK (data)
	 * stays ESTABLISHED, FIN|ACK moves on; SYN, RST and garbage do not
	 * pick anything up */
	st = fw_ct_tcp_next(FW_CT_TCP_ESTABLISHED, FW_CT_DIR_ORIG, md->tcp_flags, &ok);
	if (!ok || (md->tcp_flags & (FW_CT_TCP_F_SYN | FW_CT_TCP_F_RST)) ||
	    !(md->tcp_flags & FW_CT_TCP_F_ACK)) {
		dp_drop(m, DP_DROP_ct_not_syn);
		return NULL;
	}
	return dp_flow_new_keyed(m, c, &md->key, st);
}
