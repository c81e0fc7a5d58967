# SPDX-License-Identifier: BSD-3-Clause
"""Wall-clock profile of vpcgw in one scenario (bench/perf.sh).

Runs the scenario like bench/run.sh, and after the warm-up records
`perf record -e cpu-clock -g` on the vpcgw process for --seconds (cpu-clock:
these VMs have no hardware counters). Prints the top symbols by self time
(`perf report --no-children`) and leaves perf.data in
$BENCH_OUT/perf/SCENARIO/.
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import bench  # noqa: E402
import scenarios  # noqa: E402


def main():
    ap = argparse.ArgumentParser(prog="bench/perf.sh")
    ap.add_argument("scenario")
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--cpu", type=int, default=1)
    ap.add_argument("--out", default=os.environ.get("BENCH_OUT", "/tmp/vpcgw-bench"))
    a = ap.parse_args()
    n = a.scenario
    if n not in scenarios.SCENARIOS:
        ap.error("unknown scenario")
    sc = scenarios.SCENARIOS[n]
    ctx = bench.Ctx()
    ctx.cpu, ctx.out = a.cpu, a.out
    ctx.vpcgw = bench.vpcgw_binary()
    d = os.path.join(a.out, "inputs", n)
    ctx.inputs = {n: scenarios.build_inputs(n, d)}
    ctx.cfg = {n: scenarios.config(n, bench.BENCH, d, ctx.inputs[n])}
    ctx.nports = {n: open(ctx.cfg[n]).read().count("devargs")}
    od = os.path.join(a.out, "perf", n)
    shutil.rmtree(od, ignore_errors=True)
    os.makedirs(od)
    prefix = "vpcgwperf-%d" % os.getpid()
    argv, env, nports = bench.command(ctx, "vpcgw", n, prefix, od)
    logf = open(os.path.join(od, "log"), "w")
    proc = subprocess.Popen(argv, env=env, stdout=logf, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)
    tel = None
    data = os.path.join(od, "perf.data")
    try:
        tel = bench.Telemetry(prefix, 120, proc)
        need = 1 if sc.get("single_pass") else sc["frames"] * len(ctx.inputs[n]["vpcgw"])
        end = time.monotonic() + 120
        while sum(tel.ports(nports)[1]) < need:
            if proc.poll() is not None or time.monotonic() > end:
                raise SystemExit("bench/perf.sh: vpcgw did not start (see %s)" % od)
            time.sleep(0.05)
        time.sleep(sc.get("warmup", 1.0))
        t0, i0, o0 = tel.ports(nports)
        # BENCH_PERF_CALLGRAPH=dwarf: callers without frame pointers (larger data)
        cg = os.environ.get("BENCH_PERF_CALLGRAPH")
        subprocess.run(["perf", "record", "-q", "-e", "cpu-clock"] +
                       (["--call-graph", cg] if cg else ["-g"]) + ["-o", data,
                        "-p", str(proc.pid), "--", "sleep", str(a.seconds)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        t1, i1, o1 = tel.ports(nports)
    finally:
        if tel is not None:
            tel.close()
        bench.stop(proc)
        logf.close()
        shutil.rmtree(os.path.join(bench.RUNDIR, prefix), ignore_errors=True)
    print("%s: %.3f Mpps during the profile (perf itself costs a little)" %
          (n, (sum(o1) - sum(o0)) / (t1 - t0) / 1e6))
    rep = subprocess.run(["perf", "report", "-i", data, "--no-children", "--sort", "dso,symbol",
                          "--stdio", "-g", "none", "--percent-limit", "0.5"],
                         capture_output=True, text=True).stdout
    with open(os.path.join(od, "report.txt"), "w") as f:
        f.write(rep)
    lines = [ln for ln in rep.splitlines() if ln.strip() and not ln.startswith("#")]
    print("\n".join(lines[:a.top]))
    print("(full report: %s)" % os.path.join(od, "report.txt"))


if __name__ == "__main__":
    main()
