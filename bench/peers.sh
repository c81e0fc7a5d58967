#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# vpcgw between dpdk-testpmd peers over net_memif (flowgen generator and sink
# on CPU 0; vpcgw routing back to it, or testpmd io or macswap, on CPU 1),
# frame sizes 64, 512 and 1500 bytes: bench/peers.sh [--sizes 64,512,1500] [--flows N]
# [--runs N] [--window S]. One JSON line per frame size; see
# bench/lib/peers.py and docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x build/vpcgw ]; then
	(test -d build || meson setup build >&2) && ninja -C build >&2
fi
command -v dpdk-testpmd >/dev/null || { echo "peers.sh: dpdk-testpmd missing (apt-get install dpdk)" >&2; exit 1; }
exec /usr/bin/python3 bench/lib/peers.py "$@"
