/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VPCGW_DP_CTL_H
#define VPCGW_DP_CTL_H

/* The whole program: parse, load, run, stop. Returns the exit code. */
int dp_main(int argc, char **argv);

struct cfg;
/* Port roles (VPC, internet, appliance) from the configuration. */
void dp_set_roles(const struct cfg *cfg);
/* The configuration's static neighbors. Returns 0 or -ENOSPC. */
int dp_load_neighbors(const struct cfg *cfg);

#endif /* VPCGW_DP_CTL_H */
