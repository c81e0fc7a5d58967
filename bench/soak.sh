#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Soak test of vpcgw (not in CI): an hour of flow churn (NAT, SG, NLB;
# replies; idle timeouts) replayed with --clock packet, flows.active and
# VmRSS checked flat. About 1.5 minutes of wall time on 2 cores.
#   bench/soak.sh [--duration S] [--rate N] [--workers N] [--out DIR] [--keep]
# Output in $SOAK_OUT (default /tmp/vpcgw-soak): result.json, series.jsonl
# (one counters line per 60 s of capture time), samples.tsv (VmRSS), logs.
# Needs: a built vpcgw (ninja -C build), python3. Method and figures:
# docs/RELIABILITY.md, "Exhaustion and soak".
set -e
here=$(cd "$(dirname "$0")" && pwd)
: "${VPCGW:=$here/../build/vpcgw}"
export VPCGW
if [ ! -x "$VPCGW" ]; then
	echo "soak.sh: no vpcgw at $VPCGW (build it: ninja -C build)" >&2
	exit 2
fi
exec /usr/bin/python3 "$here/soak.py" "$@"
