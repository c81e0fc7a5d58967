#!/bin/sh
# Install, build, and run every test suite: unit, dpdk, pcap (with the control
# tests), e2e and fuzz; then the unit and pcap suites again under
# AddressSanitizer + UndefinedBehaviorSanitizer (skip with VPCGW_NO_ASAN=1).
set -eu
cd "$(dirname "$0")/.."
./tools/setup.sh
meson test -C build --print-errorlogs --num-processes 2 "$@"
if [ "${VPCGW_NO_ASAN:-0}" != 1 ]; then
	./tests/fuzz/asan.sh
fi
