/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * This node's own health, for a scale-out set of vpcgw nodes behind ECMP
 * (docs/SCALE-OUT.md): healthy when every worker is polling and every port
 * is up. Told by telemetry /vpcgw/health and, with node.health.listen in the
 * configuration, by a tiny HTTP/1.0 port that FRR's health script (or the
 * router) polls: "200 OK" healthy, "503 Service Unavailable" otherwise.
 *
 * Threads: the control thread owns everything here (dp_node_poll() from the
 * control loop: the worker check through RCU grace periods, the link states,
 * the socket); the telemetry thread reads the published state (relaxed
 * atomics, a snapshot). Nothing here runs on the packet path.
 */
#ifndef VPCGW_DP_NODE_H
#define VPCGW_DP_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/cfg.h"

/*
 * Main thread, once the configuration is valid (before the EAL): opens the
 * health port when cfg->node asks for one and registers /vpcgw/health. Returns 0, or -errno
 * with "FILE:LINE: node.health.listen: why" in err.
 */
int dp_node_init(const struct cfg *cfg, char *err, size_t len);
/* Control thread, every loop: evaluate health (every 100 ms), serve the port. */
void dp_node_poll(void);
/* Control thread, at exit: close the port. */
void dp_node_close(void);
/* Any thread: the last evaluated health. */
bool dp_node_healthy(void);

#endif /* VPCGW_DP_NODE_H */
