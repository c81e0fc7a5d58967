#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# The unit and pcap suites under AddressSanitizer + UndefinedBehaviorSanitizer.
#
#   tests/fuzz/asan.sh [meson test arguments...]
#
# Configures a second build directory (ASAN_BUILD, default build-asan at the
# top) with -Db_sanitize=address,undefined, builds it and runs
# `meson test --suite unit --suite pcap` there. Any sanitizer report fails
# the test that produced it (the reports go to the test's log: meson test
# --print-errorlogs shows them).
#
# -Db_lundef=false: with sanitizers the link must leave the runtime's
# symbols undefined (meson refuses b_sanitize with b_lundef=true for some
# compilers, and the DPDK plugin drivers are loaded with dlopen).
# buildtype debugoptimized: -O2 -g, and assert() stays on (b_ndebug=if-release).
set -eu

TOP=$(cd "$(dirname "$0")/../.." && pwd)
B=${ASAN_BUILD:-$TOP/build-asan}
cd "$TOP"

if [ ! -f "$B/build.ninja" ]; then
	meson setup "$B" -Db_sanitize=address,undefined -Db_lundef=false \
		-Dbuildtype=debugoptimized
fi
ninja -C "$B"

# ASan, for DPDK processes:
#  detect_leaks=0: at exit, LeakSanitizer reports the EAL's own allocations
#    (rte_eal_init's malloc'd device, bus, plugin and thread state that
#    rte_eal_cleanup() does not give back) and libconfig's, in every pcap
#    case, which would hide anything of ours. The leaks that matter for a
#    long-running dataplane are per-packet and per-reload; those are checked
#    by tests/fuzz/fuzz_packet (mbuf accounting after every input) and
#    fuzz_config (libFuzzer's per-input leak check). Set ASAN_OPTIONS to
#    override.
#  abort_on_error=0, exitcode: a report makes the process exit non-zero, so
#    the test fails.
# DPDK's own memory (mempools, rte_malloc) is not ASan-tracked: an overflow
# inside an mbuf is not seen here (fuzz_packet poisons the mbuf tails).
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=0:exitcode=23:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=24}"

meson test -C "$B" --suite unit --suite pcap --print-errorlogs --num-processes 2 "$@"
