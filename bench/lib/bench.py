# SPDX-License-Identifier: BSD-3-Clause
"""vpcgw benchmark driver (bench/run.sh).

Method (shared/BENCH.md): one process on one core. Every system reads the
same capture(s) from net_pcap (infinite_rx=1) and transmits to net_null
(no-rx=1), wrapped in `taskset -c CPU` with the main lcore on the same CPU.
Throughput is the delta of the ethdev counters, read through the DPDK
telemetry socket, over a fixed window after a warm-up; runs of the systems
alternate (vpcgw, testpmd io, testpmd macswap, l3fwd, l3fwd-graph, OVS,
vpcgw, ...).
Prints one JSON line per scenario on stdout; progress goes to stderr.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import scenarios  # noqa: E402

BENCH = os.path.dirname(HERE)
ROOT = os.path.dirname(BENCH)
RUNDIR = "/var/run/dpdk"
SYSTEMS = ["vpcgw", "testpmd_io", "testpmd_macswap", "l3fwd", "l3fwd_graph", "ovs"]
# systems that run in some scenarios only (l3fwd-graph, the rte_graph anchor
# of issue #14, is a plain router: routing only)
SCOPE = {"l3fwd_graph": ("routing",)}


def vpcgw_binary():
    """The vpcgw measured: $BENCH_VPCGW (another build, e.g. -Dstage_framework=rte_graph),
    else build/vpcgw of this tree."""
    return os.environ.get("BENCH_VPCGW") or os.path.join(ROOT, "build", "vpcgw")


def log(*a):
    print("bench:", *a, file=sys.stderr, flush=True)


# ------------------------------------------------------------- telemetry

class Telemetry:
    """Client of DPDK's telemetry v2 socket (what dpdk-telemetry.py does)."""

    def __init__(self, prefix, timeout, proc):
        path = os.path.join(RUNDIR, prefix, "dpdk_telemetry.v2")
        end = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError("exited with %d before telemetry came up" % proc.returncode)
            if os.path.exists(path):
                try:
                    self.s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
                    self.s.connect(path)
                    break
                except OSError:
                    self.s.close()
            if time.monotonic() > end:
                raise RuntimeError("no telemetry socket %s" % path)
            time.sleep(0.05)
        self.maxlen = json.loads(self.s.recv(1024).decode())["max_output_len"]

    def query(self, cmd):
        self.s.send(cmd.encode())
        return json.loads(self.s.recv(self.maxlen).decode())[cmd.split(",")[0]]

    def ports(self, n):
        """(time, [ipackets], [opackets]) of ports 0..n-1."""
        t0 = time.monotonic()
        st = [self.query("/ethdev/stats,%d" % p) for p in range(n)]
        t1 = time.monotonic()
        # a port not created yet reads null
        st = [s or {"ipackets": 0, "opackets": 0} for s in st]
        return ((t0 + t1) / 2, [s["ipackets"] for s in st], [s["opackets"] for s in st])

    def close(self):
        self.s.close()


# ------------------------------------------------------------- commands

class Ctx:
    pass


def eal(ctx, prefix, mem, lcores="0@%d,1@%d"):
    return ["--no-huge", "-m", str(mem), "--no-pci", "--lcores",
            lcores.replace("%d", str(ctx.cpu)), "--file-prefix", prefix]


def vdevs(ctx, sc, files):
    """Baseline devices: port 0 the first capture, port 1 net_null or the
    second capture (replies)."""
    inf = "" if sc.get("single_pass") else ",infinite_rx=1"
    v = ["--vdev", "net_pcap0,rx_pcap=%s%s" % (files[0], inf)]
    if len(files) > 1:
        v += ["--vdev", "net_pcap1,rx_pcap=%s%s" % (files[1], inf)]
    else:
        v += ["--vdev", "net_null0,no-rx=1"]
    return v


def command(ctx, system, name, prefix, d):
    """(argv, env, number of ports) of one run."""
    sc = scenarios.SCENARIOS[name]
    inp = ctx.inputs[name]
    # infinite_rx holds the whole capture in the port's mempool
    nbuf = 16384 if sc.get("single_pass") else sc["frames"] * len(inp["vpcgw"]) + 16384
    env = dict(os.environ)
    taskset = ["taskset", "-c", str(ctx.cpu)]
    if system == "vpcgw":
        argv = taskset + [ctx.vpcgw, "-c", ctx.cfg[name], "--stats-json",
                          os.path.join(d, "stats.json"), "--"] + eal(ctx, prefix, sc["mem"])
        return argv, env, ctx.nports[name]
    if system.startswith("testpmd"):
        mode = system.split("_")[1]
        argv = taskset + ["dpdk-testpmd"] + eal(ctx, prefix, sc["mem"]) + \
            vdevs(ctx, sc, inp["vpcgw"]) + \
            ["--", "--forward-mode=%s" % mode, "--no-flush-rx",
             "--total-num-mbufs=%d" % nbuf, "--stats-period=3600"]
        return argv, env, 2
    if system == "l3fwd":
        env["L3FWD_NB_MBUF"] = str(nbuf)
        # l3fwd opens one tx queue per lcore and pcap has one: a single
        # lcore, which is the main one and forwards
        argv = taskset + [ctx.l3fwd] + eal(ctx, prefix, sc["mem"], lcores="1@%d") + \
            vdevs(ctx, sc, inp["l3fwd"]) + \
            ["--", "-p", "0x3", "-P", "--config=(0,0,1),(1,0,1)", "--parse-ptype"]
        return argv, env, 2
    if system == "l3fwd_graph":
        env["L3FWD_NB_MBUF"] = str(nbuf)
        # main lcore 0 sleeps (patched, build-l3fwd-graph.sh), worker lcore 1
        # runs the graph and owns the ports' one tx queue; l3fwd's routes and
        # captures (198.18.P.0/24 -> port P)
        argv = taskset + [ctx.l3fwd_graph] + eal(ctx, prefix, sc["mem"]) + \
            vdevs(ctx, sc, inp["l3fwd"]) + \
            ["--", "-p", "0x3", "-P", "--config=(0,0,1),(1,0,1)"]
        return argv, env, 2
    raise ValueError(system)


# ------------------------------------------------------------- one run

def stop(proc, timeout=30):
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    try:
        return proc.wait(timeout), False
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return proc.returncode, True


def measure(ctx, system, name, run):
    """One measured run: returns a dict with mpps (transmitted), rx_mpps,
    window loss, and for vpcgw the exit accounting."""
    if system == "ovs":
        import ovs
        return ovs.measure(ctx, name, run)
    sc = scenarios.SCENARIOS[name]
    prefix = "vpcgwbench-%d-%s-%d" % (os.getpid(), system, run)
    d = os.path.join(ctx.out, "runs", name, "%s-%d" % (system, run))
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    argv, env, nports = command(ctx, system, name, prefix, d)
    with open(os.path.join(d, "cmd"), "w") as f:
        f.write(" ".join(argv) + "\n")
    res = {"system": system, "run": run}
    logf = open(os.path.join(d, "log"), "w")
    proc = subprocess.Popen(argv, env=env, stdout=logf, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)
    tel = None
    try:
        tel = Telemetry(prefix, 120, proc)
        end = time.monotonic() + 120
        while sum(tel.ports(nports)[1]) == 0:
            if proc.poll() is not None or time.monotonic() > end:
                raise RuntimeError("no packet received")
            time.sleep(0.02)
        if not sc.get("single_pass"):
            # warm-up: one whole pass over the capture(s) first, so that
            # every flow exists, then ctx.warmup seconds more
            need = sc["frames"] * len(ctx.inputs[name]["vpcgw"])
            while sum(tel.ports(nports)[1]) < need:
                if proc.poll() is not None or time.monotonic() > end:
                    raise RuntimeError("first pass over the capture not done")
                time.sleep(0.05)
        warm = sc.get("warmup", ctx.warmup)
        if system != "vpcgw":
            warm = sc.get("warmup_baseline", warm)
        time.sleep(warm)
        if system == "vpcgw" and sc.get("churn"):
            res.update(churn_steady(tel, sc))
        # /vpcgw/stats sums the per-lcore counters (cheap); /vpcgw/flows also
        # scans the flow table for TCP states, which would steal the CPU
        want_fl = system == "vpcgw" and sc.get("single_pass")
        fl0 = tel.query("/vpcgw/stats") if want_fl else None
        t0, i0, o0 = tel.ports(nports)
        win = sc.get("window", ctx.window)
        if system != "vpcgw":
            win = sc.get("window_baseline", win)
        time.sleep(win)
        t1, i1, o1 = tel.ports(nports)
        fl1 = tel.query("/vpcgw/stats") if want_fl else None
        time.sleep(0.2)
        _, i2, _ = tel.ports(nports)
        dt = t1 - t0
        rx, tx = sum(i1) - sum(i0), sum(o1) - sum(o0)
        res.update(mpps=tx / dt / 1e6, rx_mpps=rx / dt / 1e6, window_s=dt,
                   window_rx_minus_tx=rx - tx)
        if sum(i2) == sum(i1):
            res["input_exhausted"] = True   # single pass ended inside the window
        if fl0 is not None:
            created = lambda f: sum(v for k, v in f.items()
                                    if k.startswith("flows/by_service/") and
                                    k.endswith("/created"))
            # the flow counters are read just outside the ports' window
            res["flows_per_s"] = (created(fl1) - created(fl0)) / dt
            if sc.get("churn"):
                deleted = lambda f: sum(v for k, v in f.items()
                                        if k.startswith("flows/by_service/") and
                                        k.endswith("/deleted"))
                res["flows_deleted_per_s"] = (deleted(fl1) - deleted(fl0)) / dt
                res["flows_active"] = fl1.get("flows/active")
    except Exception as e:  # noqa: BLE001 - reported in the result
        res["error"] = str(e)
    finally:
        if tel is not None:
            tel.close()
        rc, killed = stop(proc)
        logf.close()
        shutil.rmtree(os.path.join(RUNDIR, prefix), ignore_errors=True)
    res["exit"] = rc
    if killed:
        res["error"] = res.get("error", "") + " did not stop on SIGINT (killed)"
    if system == "vpcgw":
        vpcgw_exit(res, d)
    if rc != 0 and system == "vpcgw":
        res["error"] = res.get("error", "") + " exit code %d" % rc
    if "error" in res:
        res["log"] = os.path.join(d, "log")
        log("%s %s run %d: ERROR %s (see %s)" % (name, system, run, res["error"], res["log"]))
    else:
        log("%s %s run %d: %.3f Mpps (rx %.3f)%s" %
            (name, system, run, res["mpps"], res["rx_mpps"],
             ", %.0f flows/s" % res["flows_per_s"] if res.get("flows_per_s") else ""))
    return res


def vpcgw_exit(res, d):
    """Exit counters of vpcgw: accounting identity and drops by reason."""
    try:
        with open(os.path.join(d, "stats.json")) as f:
            js = json.load(f)
    except (OSError, ValueError) as e:
        res["error"] = res.get("error", "") + " no stats.json (%s)" % e
        return
    t = js["totals"]
    res["exit_rx"], res["exit_tx"] = t["rx"], t["tx"]
    res["exit_drops"] = {k: v for k, v in js["drops"].items() if v}
    if t["rx"] != t["forwarded"] + t["local"] + t["drops"]:
        res["error"] = res.get("error", "") + " accounting: rx %d != fwd %d + local %d + " \
            "drops %d" % (t["rx"], t["forwarded"], t["local"], t["drops"])


# ------------------------------------------------------------- summary

def build_id(path):
    """Which vpcgw was measured: commit (+ dirty) and the binary's mtime."""
    try:
        c = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                           capture_output=True, text=True).stdout.strip()
    except OSError:
        c = ""
    return {"commit": c, "binary_mtime": time.strftime(
        "%Y-%m-%dT%H:%M:%S", time.localtime(os.path.getmtime(path)))}


def mmm(v):
    if not v:
        return None
    return {"min": round(min(v), 3), "median": round(statistics.median(v), 3),
            "max": round(max(v), 3)}


def summary(name, results, ctx):
    sc = scenarios.SCENARIOS[name]
    by = {}
    for r in results:
        by.setdefault(r["system"], []).append(r)
    ok = lambda s: [r for r in by.get(s, []) if "error" not in r and
                    not r.get("input_exhausted")]
    v = ok("vpcgw")
    out = {"scenario": name, "desc": sc["desc"], "flows": sc["flows"],
           "mpps": mmm([r["mpps"] for r in v]), "baseline": {}, "ratios": {}}
    for s in SYSTEMS[1:]:
        if s in by:
            b = ok(s)
            out["baseline"][s] = mmm([r["mpps"] for r in b])
            if b and v and out["baseline"][s]["median"] > 0:
                out["ratios"][s] = round(out["mpps"]["median"] / out["baseline"][s]["median"], 3)
    # the load of the machine drifts: the ratio of runs next to each other
    # (same round) is steadier than the ratio of the medians
    out["ratios_paired"] = {}
    for s in out["ratios"]:
        pairs = [a["mpps"] / b["mpps"] for a in v for b in ok(s)
                 if a["run"] == b["run"] and b["mpps"] > 0]
        if pairs:
            out["ratios_paired"][s] = round(statistics.median(pairs), 3)
    out["ratio"] = out["ratios"].get("l3fwd")
    out["lost"] = {
        "window_rx_minus_tx_max": max([r["window_rx_minus_tx"] for r in v], default=None),
        "exit_drops": {},
    }
    for r in v:
        for k, n in r.get("exit_drops", {}).items():
            out["lost"]["exit_drops"][k] = out["lost"]["exit_drops"].get(k, 0) + n
    if sc.get("single_pass"):
        out["flows_per_s"] = mmm([r["flows_per_s"] for r in v if "flows_per_s" in r])
    if sc.get("churn"):
        out["flows_deleted_per_s"] = mmm([r["flows_deleted_per_s"] for r in v
                                          if "flows_deleted_per_s" in r])
        out["flows_active"] = mmm([r["flows_active"] for r in v
                                   if r.get("flows_active") is not None])
        out["steady"] = [r.get("steady") for r in v]
        out["steady_after_s"] = [r.get("steady_after_s") for r in v]
    if any(r.get("input_exhausted") for r in results):
        out["warning"] = "single-pass capture ended inside the window of %d run(s), " \
            "left out; raise BENCH_NEW_FLOWS" % sum(1 for r in results
                                                  if r.get("input_exhausted"))
    errs = [{k: r[k] for k in ("system", "run", "error", "log") if k in r}
            for r in results if "error" in r]
    if errs:
        out["errors"] = errs
    out["vpcgw_build"] = build_id(ctx.vpcgw)
    out["runs"] = ctx.runs
    out["window_s"] = sc.get("window", ctx.window)
    out["date"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    return out


# ------------------------------------------------------------- main

def churn_steady(tel, sc):
    """After the warm-up, wait (at most sc["steady_max"] s more) for a steady
    state: over the last second, flows deleted within 10 % of flows created
    and at least sc["steady_live"] flows live. The window starts then."""
    def count(f, what):
        return sum(v for k, v in f.items()
                   if k.startswith("flows/by_service/") and k.endswith("/" + what))
    t_start = time.monotonic()
    prev = tel.query("/vpcgw/stats")
    seen = []
    while time.monotonic() - t_start < sc.get("steady_max", 30.0):
        time.sleep(1.0)
        cur = tel.query("/vpcgw/stats")
        c, d = count(cur, "created") - count(prev, "created"), \
            count(cur, "deleted") - count(prev, "deleted")
        live = cur.get("flows/active", 0)
        seen.append([round(c), round(d), live])
        prev = cur
        if c > 0 and abs(c - d) <= 0.1 * c and live >= sc.get("steady_live", 0):
            return {"steady": True, "steady_after_s": round(time.monotonic() - t_start, 1),
                    "steady_trace": seen}
    return {"steady": False, "steady_trace": seen}


def build_l3fwd_graph(out):
    return subprocess.check_output(
        [os.path.join(BENCH, "build-l3fwd-graph.sh"), os.path.join(out, "l3fwd-graph-src")],
        text=True).strip()


def main():
    ap = argparse.ArgumentParser(prog="bench/run.sh")
    ap.add_argument("scenario", nargs="+", help="scenario names or 'all': " +
                    ", ".join(scenarios.ORDER))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--window", type=float, default=3.0, help="seconds measured per run")
    ap.add_argument("--warmup", type=float, default=1.0, help="seconds before the window")
    ap.add_argument("--cpu", type=int, default=1, help="the one CPU every system runs on")
    ap.add_argument("--systems", default="vpcgw,testpmd_io,testpmd_macswap,l3fwd,l3fwd_graph,ovs",
                    help="comma separated, from " + ",".join(SYSTEMS))
    ap.add_argument("--no-ovs", action="store_true", help="skip Open vSwitch")
    ap.add_argument("--out", default=os.environ.get("BENCH_OUT", "/tmp/vpcgw-bench"))
    a = ap.parse_args()

    names = scenarios.ORDER if a.scenario == ["all"] else a.scenario
    for n in names:
        if n not in scenarios.SCENARIOS:
            ap.error("unknown scenario %s" % n)
    systems = [s for s in a.systems.split(",") if s]
    for s in systems:
        if s not in SYSTEMS:
            ap.error("unknown system %s" % s)
    if a.no_ovs and "ovs" in systems:
        systems.remove("ovs")

    ctx = Ctx()
    ctx.runs, ctx.window, ctx.warmup, ctx.cpu, ctx.out = a.runs, a.window, a.warmup, a.cpu, a.out
    ctx.vpcgw = vpcgw_binary()
    if not os.access(ctx.vpcgw, os.X_OK):
        ap.error("%s missing: cd %s && ninja -C build" % (ctx.vpcgw, ROOT))
    if "l3fwd" in systems:
        ctx.l3fwd = subprocess.check_output(
            [os.path.join(BENCH, "build-l3fwd.sh"), os.path.join(a.out, "l3fwd-src")],
            text=True).strip()
    if "l3fwd_graph" in systems:
        ctx.l3fwd_graph = build_l3fwd_graph(a.out)
    if "ovs" in systems:
        import ovs
        why = ovs.available()
        if why:
            log("OVS skipped:", why)
            systems.remove("ovs")
    ctx.inputs, ctx.cfg, ctx.nports = {}, {}, {}
    t_start = time.monotonic()
    for n in names:
        d = os.path.join(a.out, "inputs", n)
        log("%s: inputs in %s" % (n, d))
        ctx.inputs[n] = scenarios.build_inputs(n, d)
        ctx.cfg[n] = scenarios.config(n, BENCH, d, ctx.inputs[n])
        ctx.nports[n] = open(ctx.cfg[n]).read().count("devargs")
        chk = subprocess.run([ctx.vpcgw, "--check", "-c", ctx.cfg[n]], capture_output=True,
                             text=True)
        if chk.returncode != 0:
            raise SystemExit("bench: %s: %s" % (ctx.cfg[n], chk.stdout + chk.stderr))
        sysn = [s for s in systems if s != "ovs" or scenarios.SCENARIOS[n]["ovs"]]
        sysn = [s for s in sysn if n in SCOPE.get(s, (n,))]
        if "baselines" in scenarios.SCENARIOS[n]:
            sysn = [s for s in sysn if s == "vpcgw" or s in scenarios.SCENARIOS[n]["baselines"]]
        results = []
        for run in range(a.runs):
            for s in sysn:
                results.append(measure(ctx, s, n, run))
        line = summary(n, results, ctx)
        print(json.dumps(line), flush=True)
        with open(os.path.join(a.out, "results.jsonl"), "a") as f:
            f.write(json.dumps(line) + "\n")
        with open(os.path.join(a.out, "runs", n, "runs.json"), "w") as f:
            json.dump(results, f, indent=1)
    log("done in %.0f s; results appended to %s" %
        (time.monotonic() - t_start, os.path.join(a.out, "results.jsonl")))


if __name__ == "__main__":
    main()
