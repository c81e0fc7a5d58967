/* SPDX-License-Identifier: BSD-3-Clause */
/* The TCP state machine is the flow table's, in the core: dp/ct_tcp.h. */
#ifndef VPCGW_FW_CT_TCP_H
#define VPCGW_FW_CT_TCP_H

#include "dp/ct_tcp.h"

#endif /* VPCGW_FW_CT_TCP_H */
