#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# vpcgw benchmarks on one core (shared/BENCH.md): bench/run.sh SCENARIO...|all
#   [--runs N] [--window S] [--warmup S] [--cpu C] [--systems a,b] [--no-ovs] [--out DIR]
# Scenarios: routing routing6 routing_nacl routing_quota nacl_sg nat_10k nat64_10k nat_1m nat_new_flows nat_churn nlb_10k nlb_1m
# nlb_new_flows gwlb mixed.
# Prints one JSON line per scenario (stdout); progress, errors on stderr.
# Inputs, configs, logs and results.jsonl go to $BENCH_OUT (/tmp/vpcgw-bench).
# See docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x build/vpcgw ]; then
	(test -d build || meson setup build >&2) && ninja -C build >&2
fi
command -v dpdk-testpmd >/dev/null || { echo "run.sh: dpdk-testpmd missing (apt-get install dpdk)" >&2; exit 1; }
# the generator stamps out frames with numpy (a fresh machine has scapy from tools/setup.sh, not numpy)
/usr/bin/python3 -c 'import numpy' 2>/dev/null ||
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-numpy >&2
exec /usr/bin/python3 bench/lib/bench.py "$@"
