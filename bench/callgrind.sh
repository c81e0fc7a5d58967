#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Instructions per packet under valgrind callgrind (shared/BENCH.md):
#   bench/callgrind.sh SCENARIO [--systems vpcgw,testpmd_io,l3fwd,l3fwd_graph]
#       [--seconds S] [--top N]
# vpcgw (collecting inside dp_worker_main only), testpmd io, l3fwd and, for
# routing, l3fwd-graph (inside graph_main_loop only) on the same input as
# bench/run.sh; prints one JSON line with instructions per
# packet of each and vpcgw's top functions (self cost); the profiles and
# callgrind_annotate output stay in $BENCH_OUT/callgrind/SCENARIO/SYSTEM/.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q valgrind >&2
# the generator stamps out frames with numpy (as bench/run.sh installs it)
/usr/bin/python3 -c 'import numpy' 2>/dev/null ||
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-numpy >&2
test -x build/vpcgw || { (test -d build || meson setup build >&2) && ninja -C build >&2; }
exec /usr/bin/python3 bench/lib/cg.py "$@"
