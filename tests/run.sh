#!/bin/sh
# Install, build, and run every test suite (unit, dpdk, pcap, e2e).
set -eu
cd "$(dirname "$0")/.."
./tools/setup.sh
meson test -C build --print-errorlogs --num-processes 2 "$@"
