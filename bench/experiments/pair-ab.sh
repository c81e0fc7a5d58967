#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Paired, alternating A/B runs on a shared machine (docs/PERFORMANCE.md "Flow table v2,
# session 8"): bench/experiments/pair-ab.sh BASE_TREE NEW_TREE SCENARIO ROUNDS
# Each round runs `bench/run.sh SCENARIO --systems vpcgw --runs 1` in BASE_TREE, then in
# NEW_TREE (each with its own build/vpcgw), and prints one line per run: time, scenario,
# round, side, new flows/s (single-pass scenarios) or Mpps, load average. The captures are
# shared: $BENCH_OUT/base/inputs and $BENCH_OUT/new/inputs point at $BENCH_OUT/inputs.
# BASE_TREE or NEW_TREE may also name a vpcgw binary (e.g. build-rte/vpcgw of a build with
# -Dstage_framework=rte_graph): this tree's bench/ measures it through $BENCH_VPCGW.
set -euo pipefail
base=$(realpath "$1"); new=$(realpath "$2"); sc=$3; rounds=$4
here=$(realpath "$(dirname "$0")/../..")
out=${BENCH_OUT:-/tmp/vpcgw-pair}
mkdir -p "$out/inputs" "$out/base" "$out/new"
ln -sfn "$out/inputs" "$out/base/inputs"
ln -sfn "$out/inputs" "$out/new/inputs"
for r in $(seq 1 "$rounds"); do
	for side in base new; do
		tree=$base
		[ "$side" = new ] && tree=$new
		bin=
		if [ -f "$tree" ]; then bin=$tree; tree=$here; fi
		line=$(cd "$tree" && BENCH_VPCGW=$bin BENCH_OUT="$out/$side" bench/run.sh "$sc" --systems vpcgw \
			--runs 1 2>/dev/null | tail -1)
		v=$(echo "$line" | /usr/bin/python3 -c 'import json, sys
d = json.loads(sys.stdin.read())
f = d.get("flows_per_s")
print(f["median"] if f else (d["mpps"]["median"] if d.get("mpps") else "ERR"))' 2>/dev/null || echo ERR)
		echo "$(date +%H:%M:%S) $sc round$r $side $v load=$(cut -d' ' -f1 /proc/loadavg)"
	done
done
