#!/bin/sh
# The measuring builds still build and still forward as the default one
# (README "Build options", docs/PERFORMANCE.md "rte_graph or our walk"):
# -Dstage_framework=rte_graph and -Dfused=false, each built beside build/
# (vpcgw only), then
#  - both run the demo's configuration and traffic: their output captures
#    (frames, not times) and counters must equal build/vpcgw's;
#  - both run pcap groups of the suites with one worker (expected packets from
#    the spec, tests/pcap): fused=false the groups whose packets the fused
#    paths would take (IPv4 and IPv6 routing, flows, NAT, NLB, GWLB, transit
#    gateway), every case must pass: the fused paths are shortcuts with the
#    stages' verdicts and order. rte_graph runs the IPv4 groups; it fails the
#    IPv6 order cases (mixed46_order, route6_fused) by design: rte_graph runs
#    a stage when its turn in the pending queue comes, not in the stages'
#    order, so a mixed burst's IPv4 packets can leave before IPv6 ones that
#    came first.
# Run by tests/run.sh after the suites; by hand: tests/variants.sh
set -eu
cd "$(dirname "$0")/.."
out=build/variants
rm -rf "$out" && mkdir -p "$out/in"
/usr/bin/python3 examples/demo_traffic.py "$out/in" >/dev/null

# run BINARY DIR: the demo through BINARY in DIR (frames and counters in DIR/*.txt)
run() {
	mkdir -p "$2"
	cp "$out"/in/*-in.pcap "$2"/
	if ! (cd "$2" && "$1" -c ../../../examples/demo.cfg --clock packet --exit-idle-ms 500 \
		--file-prefix "vpcgw-variant-$(basename "$2")" --stats-json stats.json >run.log 2>&1)
	then
		echo "variants: $(basename "$2"): the demo run failed ($2/run.log):"
		tail -5 "$2/run.log"
		return 1
	fi
	for f in vpc-out inet-out app-out; do
		tshark -r "$2/$f.pcap" -x 2>/dev/null >"$2/$f.txt"
	done
	# the counters, without the stage counters (they differ by design: the fused
	# paths count their packets as the stages') and times
	/usr/bin/python3 - "$2/stats.json" >"$2/stats.txt" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
def walk(o, path):
    if isinstance(o, dict):
        for k, v in sorted(o.items()):
            if k in ("stages", "uptime_s", "time", "timestamp", "cycles"):
                continue
            walk(v, path + "/" + k)
    elif isinstance(o, list):
        for i, v in enumerate(o):
            walk(v, "%s[%d]" % (path, i))
    else:
        print(path, o)
walk(d, "")
EOF
}

# groups NAME BINARY GROUP...: the pcap groups' cases with one worker
groups() {
	name=$1 bin=$2
	shift 2
	for g in "$@"; do
		if ! (cd tests/pcap && VPCGW=$bin PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 \
			"test_$g.py" --workers 1 >"../../$out/$name-pcap-$g.log" 2>&1); then
			echo "variants: $name: pcap group $g failed:"
			grep -v '^ok ' "$out/$name-pcap-$g.log" | tail -20
			return 1
		fi
		echo "variants: $name: pcap group $g: $(grep -c '^ok ' "$out/$name-pcap-$g.log") cases passed"
	done
}

rc=0
run "$PWD/build/vpcgw" "$out/default" || exit 1
for v in "rte_graph:-Dstage_framework=rte_graph:routing firewall nat nlb gwlb" \
	 "nofused:-Dfused=false:routing firewall nat nlb gwlb ipv6 ipv6_policy tgw vpcs"; do
	name=${v%%:*}
	rest=${v#*:}
	opt=${rest%%:*}
	pcap=${rest#*:}
	meson setup "$out/build-$name" "$opt" -Dtests=false >"$out/$name-setup.log" 2>&1
	ninja -C "$out/build-$name" vpcgw >"$out/$name-build.log" 2>&1 || {
		echo "variants: $name: build failed ($out/$name-build.log)"; rc=1; continue; }
	bin=$PWD/$out/build-$name/vpcgw
	run "$bin" "$out/$name" || { rc=1; continue; }
	same=1
	for f in vpc-out.txt inet-out.txt app-out.txt stats.txt; do
		if ! cmp -s "$out/default/$f" "$out/$name/$f"; then
			echo "variants: $name: demo $f differs from the default build's:"
			diff "$out/default/$f" "$out/$name/$f" | head -20
			same=0
			rc=1
		fi
	done
	[ "$same" = 1 ] && echo "variants: $name: demo output and counters as the default build's"
	# shellcheck disable=SC2086
	groups "$name" "$bin" $pcap || rc=1
done
[ "$rc" = 0 ] && echo "variants: every check passed"
exit $rc
