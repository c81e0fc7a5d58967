#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Per-stage cost of the vpcgw pipeline (issue #8), with build/bench/vpcgw-bench.
#
#   bench/stages.sh [--callgrind] [--build DIR] [--cpu N] [SCENARIO...]
#
# Default: every stage natively on CPU $CPU (default 1), one JSON line per
# stage: {"stage", "scenario", "cycles_per_pkt": {"min","median","max"}, "packets", ...}
# (TSC cycles; the median of 15 repetitions).
#
# --callgrind: the same stages under valgrind --tool=callgrind, one process per
# scenario, collecting only inside the bench_stage_* functions
# (--toggle-collect); one JSON line per stage:
# {"stage", "scenario", "instructions_per_pkt", "packets"}: the inclusive Ir
# of bench_stage_<stage> (the stage and all it calls) over the packets it ran.
# Instruction counts do not depend on the machine's load; use them to compare
# two builds on a noisy machine. Callgrind files stay in $BENCH_OUT/stages.
#
# SCENARIO: routing nacl_sg nat_10k nlb_10k gwlb (default: all).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
build="$here/../build"
cpu=${CPU:-1}
callgrind=0
out=${BENCH_OUT:-/tmp/vpcgw-bench}/stages
# under valgrind: a short run (instruction counts need no repetitions)
cg_bursts=${CG_BURSTS:-256}

while [ $# -gt 0 ]; do
	case "$1" in
	--callgrind) callgrind=1 ;;
	--build) build=$2; shift ;;
	--cpu) cpu=$2; shift ;;
	-h|--help) sed -n '3,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	--) shift; break ;;
	-*) echo "stages.sh: unknown option $1" >&2; exit 1 ;;
	*) break ;;
	esac
	shift
done
bin="$build/bench/vpcgw-bench"
if [ ! -x "$bin" ]; then
	echo "stages.sh: $bin missing: ninja -C $build bench/vpcgw-bench" >&2
	exit 1
fi
scenarios=${*:-"routing nacl_sg nat_10k nlb_10k gwlb"}

if [ "$callgrind" = 0 ]; then
	for sc in $scenarios; do
		taskset -c "$cpu" "$bin" --scenario "$sc" --json
	done
	exit 0
fi

command -v valgrind >/dev/null || { echo "stages.sh: valgrind missing" >&2; exit 1; }
mkdir -p "$out"
for sc in $scenarios; do
	cg="$out/callgrind.$sc"
	js="$out/$sc.json"
	# --reps 1: each stage function runs twice (warm-up + 1 repetition)
	valgrind --tool=callgrind --toggle-collect='bench_stage_*' --callgrind-out-file="$cg" \
		"$bin" --scenario "$sc" --iterations "$cg_bursts" --reps 1 --json \
		>"$js" 2>"$out/$sc.log" || { cat "$out/$sc.log" >&2; exit 1; }
	callgrind_annotate --inclusive=yes --threshold=100 "$cg" >"$cg.txt" 2>/dev/null
	# inclusive Ir of every entry of the function (inlined header code is
	# listed apart under the same function name): summed
	python3 - "$js" "$cg.txt" <<'EOF'
import json, re, sys

ir = {}
for line in open(sys.argv[2]):
    m = re.match(r"\s*([\d,]+) \([ \d.]+%\)\s+\S*:(bench_stage_\w+)(\s|$)", line)
    if m:
        ir[m.group(2)] = ir.get(m.group(2), 0) + int(m.group(1).replace(",", ""))
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["stage"].startswith("pipeline/"):
        continue        # the pipeline's own stage counters: cycles only
    pk = r["packets"] * (r["reps"] + 1)
    n = ir.get("bench_stage_" + r["stage"], 0)
    print(json.dumps({"stage": r["stage"], "scenario": r["scenario"],
                      "instructions_per_pkt": round(n / pk, 1), "packets": pk}))
EOF
done
