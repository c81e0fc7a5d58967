/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VPCGW_DP_EAL_H
#define VPCGW_DP_EAL_H

struct cfg;
/* rte_eal_init() with dpdk.eal_args (or those after --), vpcgw's --log-level,
 * its own --file-prefix and default lcores unless given. 0 or -rte_errno. */
int dp_eal_start(const struct cfg *cfg, unsigned workers);
/* Once the workers run: how the lcores sit on the CPUs, logged. */
void dp_eal_warn_shared_cpus(void);
/* rte_pdump, so that dpdk-dumpcap can capture (needs hugepages); logged. */
void dp_eal_capture_init(void);
/* At exit: the runtime directory, when the file prefix was vpcgw's own. */
void dp_eal_remove_runtime_dir(void);

#endif /* VPCGW_DP_EAL_H */
