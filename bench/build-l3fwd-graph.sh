#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Build DPDK's l3fwd-graph example (rte_graph/rte_node, Debian package
# dpdk-doc) for the benchmarks, outside the tree: copies
# /usr/share/dpdk/examples/{l3fwd-graph,common} at run time into OUT
# (default /tmp/vpcgw-bench/l3fwd-graph-src) and builds it there.
# Patches (shared/BENCH.md, "Anchors of 2026-12-04"), each checked:
#  1. one tx queue per *worker* lcore (n_tx_queue = nb_lcores - 1, the main
#     lcore skipped in the tx-queue setup loop): net_pcap and net_null have
#     one tx queue, and only the worker's graph transmits (its ethdev_tx
#     node uses queue = graph id = 0);
#  2. the main lcore sleeps while the worker runs (main and worker share one
#     CPU in the bench): rte_delay_us_sleep in the stats loop (Debian's DPDK
#     has RTE_LIBRTE_GRAPH_STATS 1: the node statistics are printed every
#     second into the log, as shipped) instead of the busy rte_delay_ms, and
#     for a DPDK built without graph statistics a sleeping wait for the
#     signal instead of spinning in rte_eal_wait_lcore;
#  3. the mbuf pool's size from L3FWD_NB_MBUF when set (as build-l3fwd.sh):
#     a capture replayed with infinite_rx sits in the port's mempool.
# l3fwd-graph asks for no rx checksum offload (its RSS request is masked
# by the device's capabilities already), so nothing to mask there.
# Run: --lcores 0@C,1@C ... -- -p 0x3 -P --config=(0,0,1),(1,0,1)
# Prints the path of the binary.
set -euo pipefail
OUT=${1:-${BENCH_OUT:-/tmp/vpcgw-bench}/l3fwd-graph-src}
EX=/usr/share/dpdk/examples
if [ ! -f "$EX/l3fwd-graph/main.c" ]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q dpdk-doc >&2
fi
BIN=$OUT/l3fwd-graph/build/l3fwd-graph
if [ -x "$BIN" ] && [ "$BIN" -nt "$EX/l3fwd-graph/main.c" ] && [ "$BIN" -nt "$0" ]; then
	echo "$BIN"
	exit 0
fi
rm -rf "$OUT"
mkdir -p "$OUT"
cp -r "$EX/l3fwd-graph" "$EX/common" "$OUT/"
M=$OUT/l3fwd-graph/main.c
need() {	# need PATTERN WHAT: the patch left PATTERN in main.c
	grep -q -- "$1" "$M" || { echo "build-l3fwd-graph: $2 not patched" >&2; exit 1; }
}
# 1. tx queues of the worker lcores only
sed -i 's/^\t\tn_tx_queue = nb_lcores;$/\t\tn_tx_queue = nb_lcores - 1;/' "$M"
need 'n_tx_queue = nb_lcores - 1;' "n_tx_queue"
sed -i '/Init one TX queue per couple (lcore,port)/,/qconf = &lcore_conf\[lcore_id\];/ s/^\t\t\tif (rte_lcore_is_enabled(lcore_id) == 0)$/\t\t\tif (rte_lcore_is_enabled(lcore_id) == 0 || lcore_id == rte_get_main_lcore())/' "$M"
need 'rte_lcore_is_enabled(lcore_id) == 0 || lcore_id == rte_get_main_lcore()' "tx-queue loop"
# 2. the main lcore sleeps
sed -i 's/^\t\trte_delay_ms(1E3);$/\t\trte_delay_us_sleep(1000000);/' "$M"
need 'rte_delay_us_sleep(1000000);' "stats loop delay"
sed -i 's/^\tif (rte_graph_has_stats_feature())$/\tif (!rte_graph_has_stats_feature())\n\t\twhile (!force_quit)\n\t\t\trte_delay_us_sleep(100000);\n\telse/' "$M"
need 'rte_delay_us_sleep(100000);' "main lcore wait"
# 3. mbuf pool size
sed -i 's/^\t\t nb_lcores \* MEMPOOL_CACHE_SIZE), 8192u)$/\t\t nb_lcores * MEMPOOL_CACHE_SIZE), getenv("L3FWD_NB_MBUF") ? (unsigned)atoi(getenv("L3FWD_NB_MBUF")) : 8192u)/' "$M"
need 'L3FWD_NB_MBUF' "NB_MBUF"
make -s -C "$OUT/l3fwd-graph" -j2 >&2
echo "$BIN"
