/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VPCGW_DP_CTL_H
#define VPCGW_DP_CTL_H

/* The whole program: parse, load, run, stop. Returns the exit code. */
int dp_main(int argc, char **argv);

#endif /* VPCGW_DP_CTL_H */
