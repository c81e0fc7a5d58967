# SPDX-License-Identifier: BSD-3-Clause
"""Instructions per packet under valgrind callgrind (bench/callgrind.sh).

Same devices, captures and commands as bench/run.sh, under
`valgrind --tool=callgrind --separate-threads=yes` (vpcgw also with
--toggle-collect=dp_worker_main, l3fwd-graph with its worker's
--toggle-collect=graph_main_loop). After one whole pass over the capture the
counters are zeroed (callgrind_control -z), the ethdev counters are read,
and after --seconds the profile is dumped (callgrind_control -d): the
instructions of the busiest thread (the forwarding one) divided by the
packets transmitted in between. The ethdev counters are read just before
and just after each callgrind_control call and averaged, which bounds the
skew to the packets of the control call's latency (under 0.5 % here).
"""
import argparse
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import bench  # noqa: E402
import scenarios  # noqa: E402


def ir_of(path):
    """Total instructions (Ir) in one callgrind output file."""
    with open(path) as f:
        for line in f:
            if line.startswith("summary:") or line.startswith("totals:"):
                return int(line.split()[1])
    return 0


def control(flag, pid):
    subprocess.run(["callgrind_control", flag, str(pid)], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=120)


def measure(ctx, system, name, seconds, top):
    sc = scenarios.SCENARIOS[name]
    prefix = "vpcgwcg-%d-%s" % (os.getpid(), system)
    d = os.path.join(ctx.out, "callgrind", name, system)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    argv, env, nports = bench.command(ctx, system, name, prefix, d)
    vg = ["valgrind", "--tool=callgrind", "--separate-threads=yes", "--compress-strings=no",
          "--callgrind-out-file=" + os.path.join(d, "callgrind.out")]
    # e.g. BENCH_CALLGRIND_ARGS=--dump-instr=yes: costs per instruction too
    vg += os.environ.get("BENCH_CALLGRIND_ARGS", "").split()
    if system == "vpcgw":
        vg.append("--toggle-collect=dp_worker_main")
    if system == "l3fwd_graph":
        vg.append("--toggle-collect=graph_main_loop")
    argv = argv[:3] + vg + argv[3:]          # after "taskset -c CPU"
    with open(os.path.join(d, "cmd"), "w") as f:
        f.write(" ".join(argv) + "\n")
    res = {"scenario": name, "system": system}
    logf = open(os.path.join(d, "log"), "w")
    proc = subprocess.Popen(argv, env=env, stdout=logf, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)
    tel = None
    try:
        tel = bench.Telemetry(prefix, 600, proc)
        need = 1 if sc.get("single_pass") else sc["frames"] * len(ctx.inputs[name]["vpcgw"])
        end = time.monotonic() + 1200
        while sum(tel.ports(nports)[1]) < need:
            if proc.poll() is not None or time.monotonic() > end:
                raise RuntimeError("first pass over the capture not done")
            time.sleep(0.2)
        time.sleep(1)
        a = sum(tel.ports(nports)[2])
        control("-d", proc.pid)      # dump (and zero) the warm-up
        b = sum(tel.ports(nports)[2])
        time.sleep(seconds)
        c = sum(tel.ports(nports)[2])
        before = set(glob.glob(os.path.join(d, "callgrind.out*")))
        control("-d", proc.pid)
        e = sum(tel.ports(nports)[2])
        # the dump of -d: one file per thread (the exit dump comes later)
        dumped = {}
        for _ in range(600):
            new = set(glob.glob(os.path.join(d, "callgrind.out*"))) - before
            if new:
                time.sleep(1)
                new = set(glob.glob(os.path.join(d, "callgrind.out*"))) - before
                dumped = {f: ir_of(f) for f in new}
                break
            time.sleep(0.1)
        pkts = (c + e) / 2 - (a + b) / 2
        res["packets"] = int(pkts)
        res["skew_packets"] = int((b - a) + (e - c))
    except Exception as ex:  # noqa: BLE001 - reported
        res["error"] = str(ex)
    finally:
        if tel is not None:
            tel.close()
        rc, killed = bench.stop(proc, timeout=300)
        logf.close()
        shutil.rmtree(os.path.join(bench.RUNDIR, prefix), ignore_errors=True)
    if "error" not in res:
        if not dumped:
            res["error"] = "no callgrind dump in %s" % d
        else:
            best = max(dumped, key=dumped.get)
            res["instructions"] = dumped[best]
            res["instr_per_packet"] = round(dumped[best] / res["packets"], 1)
            res["profile"] = best
            if top:
                res["top"] = top_functions(best, dumped[best], res["packets"], top)
    if "error" in res:
        res["log"] = os.path.join(d, "log")
    return res


def self_costs(path):
    """Self instructions per function of a callgrind file (uncompressed
    strings): cost lines count for the current fn=, except the line after a
    calls= line, which is the inclusive cost of that call."""
    cost, fn, after_call, ob = {}, None, False, ""
    with open(path) as f:
        for line in f:
            if line.startswith("ob="):
                ob = os.path.basename(line[3:].strip())
            elif line.startswith("fn="):
                fn = line[3:].strip()
                if fn.startswith("0x"):            # stripped library: name it
                    fn = "%s@%s" % (fn, ob)
                after_call = False
            elif line.startswith("calls="):
                after_call = True
            elif line[:1].isdigit() or line[:1] in "+-*":
                if after_call:
                    after_call = False
                elif fn is not None:
                    cost[fn] = cost.get(fn, 0) + int(line.split()[-1])
    return cost


def top_functions(path, total, pkts, n):
    c = self_costs(path)
    out = []
    for fn, ir in sorted(c.items(), key=lambda x: -x[1])[:n]:
        out.append({"function": fn, "instr_per_packet": round(ir / pkts, 1),
                    "share": round(ir / total, 3)})
    return out


def main():
    ap = argparse.ArgumentParser(prog="bench/callgrind.sh")
    ap.add_argument("scenario", help=", ".join(scenarios.ORDER))
    ap.add_argument("--systems", default=None,
                    help="default vpcgw,testpmd_io,l3fwd (and l3fwd_graph for routing)")
    ap.add_argument("--seconds", type=float, default=10.0, help="profiled wall time")
    ap.add_argument("--top", type=int, default=15, help="top functions of vpcgw to list")
    ap.add_argument("--cpu", type=int, default=1)
    ap.add_argument("--out", default=os.environ.get("BENCH_OUT", "/tmp/vpcgw-bench"))
    a = ap.parse_args()
    if a.scenario not in scenarios.SCENARIOS:
        ap.error("unknown scenario")
    ctx = bench.Ctx()
    ctx.cpu, ctx.out = a.cpu, a.out
    ctx.vpcgw = bench.vpcgw_binary()
    systems = (a.systems or "vpcgw,testpmd_io,l3fwd,l3fwd_graph").split(",")
    for s in systems:
        if s not in bench.SYSTEMS or s == "ovs":
            ap.error("unknown system %s" % s)
    systems = [s for s in systems if a.scenario in bench.SCOPE.get(s, (a.scenario,))]
    if "l3fwd" in systems:
        ctx.l3fwd = subprocess.check_output(
            [os.path.join(bench.BENCH, "build-l3fwd.sh"), os.path.join(a.out, "l3fwd-src")],
            text=True).strip()
    if "l3fwd_graph" in systems:
        ctx.l3fwd_graph = bench.build_l3fwd_graph(a.out)
    n = a.scenario
    d = os.path.join(a.out, "inputs", n)
    ctx.inputs = {n: scenarios.build_inputs(n, d)}
    ctx.cfg = {n: scenarios.config(n, bench.BENCH, d, ctx.inputs[n])}
    ctx.nports = {n: open(ctx.cfg[n]).read().count("devargs")}
    res = {}
    for s in systems:
        r = measure(ctx, s, n, a.seconds, a.top if s == "vpcgw" else 0)
        bench.log("callgrind %s %s: %s" % (n, s, r.get("instr_per_packet", r.get("error"))))
        res[s] = r
    line = {"scenario": n, "instr_per_packet": {s: r.get("instr_per_packet") for s, r in
                                                res.items()},
            "packets": {s: r.get("packets") for s, r in res.items()},
            "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "vpcgw_build": bench.build_id(ctx.vpcgw)}
    if "vpcgw" in res and "top" in res["vpcgw"]:
        line["vpcgw_top"] = res["vpcgw"]["top"]
    errs = {s: r["error"] + " (" + r.get("log", "") + ")" for s, r in res.items() if "error" in r}
    if errs:
        line["errors"] = errs
    print(json.dumps(line), flush=True)
    with open(os.path.join(a.out, "callgrind.jsonl"), "a") as f:
        f.write(json.dumps(line) + "\n")


if __name__ == "__main__":
    main()
