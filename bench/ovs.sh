#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# vpcgw against Open vSwitch-DPDK (shared/peers/OVS.md), alternating runs on
# the same devices and captures: bench/ovs.sh [SCENARIO...] [run.sh options]
# Default scenarios: the ones with an OVS counterpart:
#   routing  - OVS plain forwarding (uni/p2p.flows)
#   nacl_sg  - OVS conntrack firewall, both directions (bidir/fw.flows)
#   nat_10k  - OVS SNAT ct(commit,nat(src=...)) (uni/snat.flows)
#   nlb_10k  - OVS select group, hash of the 5-tuple (uni/groups.txt, lb_hash.flows)
#   gwlb     - OVS userspace GENEVE encapsulation (geneve/*.flows)
# Optional: installs openvswitch-switch-dpdk if missing; if OVS cannot run,
# it is reported and skipped. A private instance per run, never the system
# service; bench/run.sh all includes these OVS runs unless --no-ovs.
set -euo pipefail
cd "$(dirname "$0")/.."
args=()
scen=()
for a in "$@"; do
	case "$a" in
	-*) args+=("$a") ;;
	*) if [ ${#args[@]} -gt 0 ] && [[ "${args[-1]}" =~ ^--(runs|window|warmup|cpu|out|systems)$ ]]; then
		args+=("$a")
	   else
		scen+=("$a")
	   fi ;;
	esac
done
[ ${#scen[@]} -gt 0 ] || scen=(routing nacl_sg nat_10k nlb_10k gwlb)
exec bench/run.sh "${scen[@]}" --systems vpcgw,ovs "${args[@]}"
