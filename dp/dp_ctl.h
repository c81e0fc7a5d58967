/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VPCGW_DP_CTL_H
#define VPCGW_DP_CTL_H

#include <stddef.h>
#include <stdint.h>

/* The whole program: parse, load, run, stop. Returns the exit code. */
int dp_main(int argc, char **argv);

struct cfg;
/* Port roles (VPC, internet, appliance) from the configuration. */
void dp_set_roles(const struct cfg *cfg);
/* The configuration's static neighbors. Returns 0 or -ENOSPC. */
int dp_load_neighbors(const struct cfg *cfg);

/* /vpcgw/reload: ask the control loop to reload (as SIGHUP does), and the
 * outcomes so far with the first reason of the last rejection. */
void dp_reload_request(void);
void dp_reload_status(uint64_t *ok, uint64_t *rejected, char *why, size_t len);

#endif /* VPCGW_DP_CTL_H */
