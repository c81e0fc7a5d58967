#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Build the libFuzzer targets with clang (ASan + UBSan + coverage) and run
# each for SECONDS seconds (default 60) on the seed corpus. Fails on any
# crash, sanitizer report, leak, timeout or invariant abort.
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]      TARGET: config, packet
#
# Environment:
#   FUZZ_BUILD   build and work directory (default: build-fuzz at the top)
#   CC           clang to use (default: clang-14, else clang)
#   FUZZ_JOBS    parallel fuzzing processes per target (default 1)
#   FUZZ_ARGS    extra libFuzzer arguments
#   FUZZ_BUILD_ONLY=1  build, run nothing
#
# Before fuzzing, every file in tests/fuzz/regressions/<target>-* is run once:
# an input that once crashed must not crash again.
# New corpus entries go to $FUZZ_BUILD/corpus/<target> (the seeds in
# tests/fuzz/corpus/ are only read); crashes go to $FUZZ_BUILD/artifacts/.
set -eu

SECS=${1:-60}
[ $# -gt 0 ] && shift
TARGETS=${*:-config packet}

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
B=${FUZZ_BUILD:-$TOP/build-fuzz}
case $B in /*) ;; *) B=$TOP/$B ;; esac
if [ -z "${CC:-}" ] || ! "$CC" --version 2>/dev/null | grep -q clang; then
	CC=$(command -v clang-14 || command -v clang || true)
fi
# 77: meson reports the test as skipped
[ -n "$CC" ] || { echo "run.sh: clang not found" >&2; exit 77; }
JOBS=${FUZZ_JOBS:-1}

mkdir -p "$B/obj" "$B/artifacts"

# -O1 -g: readable stacks; UBSan aborts (no recovery) so libFuzzer sees it.
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
CFLAGS="-O1 -g -std=gnu11 -D_GNU_SOURCE -DALLOW_EXPERIMENTAL_API -I$TOP \
	$(pkg-config --cflags libdpdk libconfig) -Wno-unused-parameter \
	-include $HERE/clang_compat.h"
DPDK_LIBS=$(pkg-config --libs libdpdk libconfig)

# Objects: everything in the project but dp/main.c (dp_main is not called)
# and dp/dp_graph_rte.c (the rte_graph measuring build's walk, in place of
# dp_graph.c's); coverage instrumentation without libFuzzer's main.
compile() {    # compile SRC OBJ (and OBJ.d, the headers it read)
	"$CC" $CFLAGS $SAN -fsanitize=fuzzer-no-link -MMD -MF "$2.d" -c "$1" -o "$2"
}

# Is OBJ missing or older than a file it was built from?
stale() {
	[ -f "$1" ] && [ -f "$1.d" ] || return 0
	for dep in $(sed -e 's/\\$//' -e 's/^[^:]*://' "$1.d"); do
		[ "$dep" -nt "$1" ] && return 0
	done
	return 1
}

srcs_all() {
	for d in config fw nat lb geneve flowlog tgw mirror dp; do
		for f in "$TOP"/$d/*.c; do
			[ "$f" = "$TOP/dp/main.c" ] && continue
			[ "$f" = "$TOP/dp/dp_graph_rte.c" ] && continue
			echo "$f"
		done
	done
}

build() {
	objs=""
	# as many compilers at once as CPUs (in batches: POSIX sh has no wait -n),
	# not one per file: the tests beside this one need the CPUs too
	njobs=$(nproc 2>/dev/null || echo 2)
	running=0
	for f in $(srcs_all); do
		o="$B/obj/$(echo "${f#$TOP/}" | tr / _ | sed 's/\.c$/.o/')"
		if stale "$o"; then
			echo "  CC $f"
			compile "$f" "$o" &
			running=$((running + 1))
			if [ "$running" -ge "$njobs" ]; then
				wait
				running=0
			fi
		fi
		objs="$objs $o"
	done
	wait
	for o in $objs; do [ -f "$o" ] || { echo "run.sh: $o not built" >&2; exit 1; }; done
	# fuzz_config links the loader alone: config/ and each service's
	# configuration part (*_cfg.c, which registers its sections; with
	# flowlog/fl_format.c: formats).
	pure=""
	for o in $objs; do
		case ${o##*/} in
		config_*.o | *_cfg.o | flowlog_fl_format.o) pure="$pure $o" ;;
		esac
	done
	echo "  LD fuzz_config"
	"$CC" $CFLAGS $SAN -fsanitize=fuzzer "$HERE/fuzz_config.c" $pure \
		$(pkg-config --libs libconfig) -o "$B/fuzz_config"
	echo "  LD fuzz_packet"
	# --no-as-needed: the EAL finds its PMD plugins itself; keep every DPDK library
	"$CC" $CFLAGS $SAN -fsanitize=fuzzer "$HERE/fuzz_packet.c" $objs \
		-Wl,--no-as-needed $DPDK_LIBS -lm -lpthread -o "$B/fuzz_packet"
}

build
[ "${FUZZ_BUILD_ONLY:-0}" = 1 ] && exit 0

# detect_leaks stays on: every input is checked for heap leaks (libFuzzer's
# -detect_leaks); the EAL's start-up allocations happen in
# LLVMFuzzerInitialize, before leak tracking, and are reachable anyway.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_stack_use_after_return=1:allocator_may_return_null=1}"
# libconfig's own leak on syntax errors: lsan.supp
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$HERE/lsan.supp:print_suppressions=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

status=0
cd "$B"
for t in $TARGETS; do
	exe="$B/fuzz_$t"
	[ -x "$exe" ] || { echo "run.sh: no target $t" >&2; exit 1; }
	mkdir -p "$B/corpus/$t"
	regs=$(ls "$HERE"/regressions/"$t"-* 2>/dev/null || true)
	if [ -n "$regs" ]; then
		echo "== $t: $(echo "$regs" | wc -l) regression inputs"
		# shellcheck disable=SC2086
		if ! "$exe" -runs=1 $regs >"$B/$t-regressions.log" 2>&1; then
			echo "run.sh: $t: a regression input fails again, see $B/$t-regressions.log" >&2
			tail -40 "$B/$t-regressions.log" >&2
			status=1
			continue
		fi
	fi
	echo "== $t: fuzzing for $SECS s"
	jobs_args=""
	[ -f "$HERE/$t.dict" ] && jobs_args="-dict=$HERE/$t.dict"
	# fuzz_config: libconfig leaks on most syntax errors (lsan.supp), and
	# libFuzzer then runs a leak scan after each such input: 10x slower.
	# Fuzz without, then check every corpus input for leaks below.
	[ "$t" = config ] && jobs_args="$jobs_args -detect_leaks=0"
	# -jobs writes fuzz-N.log into the current directory: $B
	[ "$JOBS" -gt 1 ] && jobs_args="$jobs_args -jobs=$JOBS -workers=$JOBS"
	# shellcheck disable=SC2086
	if ! "$exe" -max_total_time="$SECS" -max_len=9000 -timeout=10 -rss_limit_mb=4096 \
		-print_final_stats=1 $jobs_args \
		-artifact_prefix="$B/artifacts/$t-" ${FUZZ_ARGS:-} \
		"$B/corpus/$t" "$HERE/corpus/$t" >"$B/$t.log" 2>&1; then
		echo "run.sh: $t: fuzzing found a failure, see $B/$t.log and $B/artifacts/" >&2
		grep -E "ERROR|runtime error|==[0-9]+==|fuzz_packet:|fuzz_config:|SUMMARY" \
			"$B/$t.log" | head -20 >&2 || true
		status=1
		continue
	fi
	grep -E "^stat::(number_of_executed_units|peak_rss_mb)|cov:" "$B/$t.log" | tail -3
	if [ "$t" = config ]; then
		echo "== $t: leak check of every corpus input"
		if ! "$exe" -runs=0 -detect_leaks=1 -artifact_prefix="$B/artifacts/$t-" \
			"$B/corpus/$t" "$HERE/corpus/$t" >"$B/$t-leaks.log" 2>&1; then
			echo "run.sh: $t: leak, see $B/$t-leaks.log and $B/artifacts/" >&2
			grep -E "ERROR|SUMMARY|#[0-9] " "$B/$t-leaks.log" | head -20 >&2 || true
			status=1
		fi
	fi
done
exit $status
