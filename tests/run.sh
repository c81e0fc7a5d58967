#!/bin/sh
# Install, build, and run every test suite: unit, dpdk, pcap (with the control
# tests), e2e and fuzz; then the unit and pcap suites again under
# AddressSanitizer + UndefinedBehaviorSanitizer (skip with VPCGW_NO_ASAN=1);
# then the measuring builds (tests/variants.sh: rte_graph, fused paths off;
# skip with VPCGW_NO_VARIANTS=1).
#
# The e2e suite (real Linux stacks in namespaces: mostly waiting on them) runs
# one test at a time beside the other suites, whose tests run two at a time:
# the workers of every test's vpcgw sleep when idle (--idle-sleep-us, set by
# the test harnesses), so the two streams share two cores. Its output comes
# after the others' (build/meson-logs/e2e.txt, build/e2e.out).
# With arguments (test names, meson test options): one `meson test` with them.
set -eu
cd "$(dirname "$0")/.."
./tools/setup.sh
if [ $# -gt 0 ]; then
	exec meson test -C build --print-errorlogs --num-processes 2 "$@"
fi
meson test -C build --no-rebuild --print-errorlogs --num-processes 1 --suite e2e \
	--logbase e2e >build/e2e.out 2>&1 &
e2e=$!
rc=0
meson test -C build --no-rebuild --print-errorlogs --num-processes 2 --no-suite e2e || rc=$?
if [ "$rc" = 0 ] && [ "${VPCGW_NO_ASAN:-0}" != 1 ]; then
	./tests/fuzz/asan.sh || rc=$?
fi
if [ "$rc" = 0 ] && [ "${VPCGW_NO_VARIANTS:-0}" != 1 ]; then
	./tests/variants.sh || rc=$?
fi
e2e_rc=0
wait "$e2e" || e2e_rc=$?
echo "==== e2e suite (ran beside the others) ===="
cat build/e2e.out
if [ "$rc" != 0 ] || [ "$e2e_rc" != 0 ]; then
	echo "tests/run.sh: FAILED (other suites: $rc, e2e: $e2e_rc)"
	exit 1
fi
echo "tests/run.sh: every suite passed"
