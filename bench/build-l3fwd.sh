#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Build DPDK's l3fwd example (Debian package dpdk-doc) for the benchmarks,
# outside the tree: copies /usr/share/dpdk/examples/{l3fwd,common} at run
# time into OUT (default /tmp/vpcgw-bench/l3fwd-src) and builds it there.
# The rx checksum offload l3fwd always asks for is masked: net_pcap, memif
# and vhost do not offer it (run l3fwd with --parse-ptype).
# Prints the path of the binary.
set -euo pipefail
OUT=${1:-${BENCH_OUT:-/tmp/vpcgw-bench}/l3fwd-src}
EX=/usr/share/dpdk/examples
if [ ! -f "$EX/l3fwd/main.c" ]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q dpdk-doc >&2
fi
BIN=$OUT/l3fwd/build/l3fwd
if [ -x "$BIN" ] && [ "$BIN" -nt "$EX/l3fwd/main.c" ] && [ "$BIN" -nt "$0" ]; then
	echo "$BIN"
	exit 0
fi
rm -rf "$OUT"
mkdir -p "$OUT"
cp -r "$EX/l3fwd" "$EX/common" "$OUT/"
# mask the rx checksum offload (no vdev offers it); keep everything else
sed -i 's/\.offloads = RTE_ETH_RX_OFFLOAD_CHECKSUM,/.offloads = 0,/' "$OUT/l3fwd/main.c"
grep -q '\.offloads = 0,' "$OUT/l3fwd/main.c" || { echo "build-l3fwd: offload line not found" >&2; exit 1; }
# a capture replayed with infinite_rx sits in the port's mempool: let the
# bench size the pool (L3FWD_NB_MBUF), default unchanged (8192)
sed -i 's/(unsigned)8192)/(unsigned)(getenv("L3FWD_NB_MBUF") ? atoi(getenv("L3FWD_NB_MBUF")) : 8192))/' \
	"$OUT/l3fwd/main.c"
grep -q L3FWD_NB_MBUF "$OUT/l3fwd/main.c" || { echo "build-l3fwd: NB_MBUF line not found" >&2; exit 1; }
make -s -C "$OUT/l3fwd" -j2 >&2
echo "$BIN"
