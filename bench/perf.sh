#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Where vpcgw's cycles go in one scenario: bench/perf.sh SCENARIO [--seconds S] [--top N]
# perf record -e cpu-clock -g on the vpcgw process during a bench/run.sh-style run
# (no hardware counters on these VMs); prints the top symbols by self time.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v perf >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q linux-perf >&2
test -x build/vpcgw || { (test -d build || meson setup build >&2) && ninja -C build >&2; }
exec /usr/bin/python3 bench/lib/prof.py "$@"
