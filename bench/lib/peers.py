# SPDX-License-Identifier: BSD-3-Clause
"""vpcgw between dpdk-testpmd peers over net_memif (bench/peers.sh).

issue #8's setup with real peers, in the two processes two vCPUs allow: one
dpdk-testpmd (CPU 0) is both generator and sink: `--forward-mode=flowgen`
sends UDP flows of a given frame size out of its memif port and counts what
comes back on it (flowgen drops what it receives). On the other side of the
memif link, on CPU 1 with its main lcore beside it: vpcgw (one worker) routes
every packet from subnet 10.254.0.0/16 to subnet 10.253.0.0/16 — both on its
one port, so the routed packet goes back to testpmd (the local route: LPM,
TTL, checksum, neighbor, L2 rewrite) — or, as the baselines,
`dpdk-testpmd --forward-mode=io` reflecting the packets unchanged and
`--forward-mode=macswap` reflecting them with the MACs swapped
(--port-topology=loop). `--no-huge` works for memif (memfd).

Reported per frame size: what came back per second (Mpps and Gbit/s of
frames) and what the generator offered, medians of RUNS windows, and vpcgw ÷
each baseline (issue #8's routing target: ≥ 0.9 × macswap on this setup). Two processes on two vCPUs swing 2-3x on these VMs
(shared/BENCH.md): this shows that vpcgw works at speed with testpmd peers
and what the frame size does; the ratios to compare are bench/run.sh's.

Frame sizes are Ethernet frames with the 4-byte FCS, as on a wire (64 = 60
bytes in the mbuf). flowgen's flows (DPDK 22.11 app/test-pmd/flowgen.c):
source 10.254.0.0, destinations 10.253.0.0 + i for i < FLOWS, UDP 1000 -> 1001.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from bench import ROOT, RUNDIR, Telemetry, log, mmm, stop  # noqa: E402

VPCGW_MAC = "02:00:00:00:00:01"
GEN_MAC = "02:00:00:0e:00:00"


def host_mac(i):
    return "02:00:00:fd:%02x:%02x" % (i >> 8, i & 0xff)


def vpcgw_config(sock, flows, mbufs):
    neigh = ",\n".join('  { port = "a"; address = "10.253.%d.%d"; mac = "%s"; }'
                       % (i >> 8, i & 0xff, host_mac(i)) for i in range(flows))
    return """# bench/peers.sh: the local route between two subnets on one memif port
dpdk = { workers = 1; mbufs = %d; flow_table_size = 65536; };
ports = (
  { name = "a"; devargs = "net_memif0,role=client,socket=%s/a.sock"; mac = "%s";
    address = "10.252.0.1/14"; }
);
neighbors = (
%s
);
vpc = { cidr = "10.252.0.0/14";
  subnets = (
    { name = "gen"; cidr = "10.254.0.0/16"; port = "a"; },
    { name = "sink"; cidr = "10.253.0.0/16"; port = "a"; } ); };
""" % (mbufs, sock, VPCGW_MAC, neigh)


def dut_command(system, d, prefix):
    eal = ["--no-huge", "-m", "1024", "--no-pci", "--lcores", "0@1,1@1",
           "--file-prefix", prefix, "--log-level", "lib.eal:error"]
    if system == "vpcgw":
        return ["taskset", "-c", "1", os.path.join(ROOT, "build", "vpcgw"),
                "-c", os.path.join(d, "vpcgw.cfg"), "--"] + eal
    return (["taskset", "-c", "1", "dpdk-testpmd"] + eal +
            ["--vdev", "net_memif0,role=client,socket=%s/a.sock" % d,
             "--", "--forward-mode=" + system.split("_")[1], "--auto-start", "--nb-cores=1",
             "--total-num-mbufs=32768", "--port-topology=loop"])


def gen_command(d, prefix, size, flows):
    return (["taskset", "-c", "0", "dpdk-testpmd", "--no-huge", "-m", "1024", "--no-pci",
             "--lcores", "0@0,1@0", "--file-prefix", prefix, "--log-level", "lib.eal:error",
             "--vdev", "net_memif0,role=server,socket=%s/a.sock,mac=%s" % (d, GEN_MAC),
             "--", "--forward-mode=flowgen", "--flowgen-flows=%d" % flows,
             "--txpkts=%d" % (size - 4), "--eth-peer=0,%s" % VPCGW_MAC, "--auto-start",
             "--nb-cores=1", "--total-num-mbufs=32768", "--port-topology=loop"])


def one_run(system, d, size, flows, warmup, window):
    pfx = "peers%d" % os.getpid()
    gen = dut = None
    tel = None
    try:
        # the generator is the memif server: it listens first
        gen = subprocess.Popen(gen_command(d, pfx + "gen", size, flows), stdin=subprocess.PIPE,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        tel = Telemetry(pfx + "gen", 30, gen)
        dut = subprocess.Popen(dut_command(system, d, pfx + "dut"), stdin=subprocess.PIPE,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(warmup)
        if dut.poll() is not None:
            raise RuntimeError("%s exited with %d" % (system, dut.returncode))
        t0, rx0, tx0 = tel.ports(1)
        time.sleep(window)
        t1, rx1, tx1 = tel.ports(1)
        dt = t1 - t0
        rx = (rx1[0] - rx0[0]) / dt
        return {"rx_mpps": rx / 1e6, "offered_mpps": (tx1[0] - tx0[0]) / dt / 1e6,
                "gbps": rx * size * 8 / 1e9}
    finally:
        if tel is not None:
            tel.close()
        for p in (dut, gen):
            if p is not None:
                if p.stdin is not None:
                    p.stdin.close()
                stop(p)
        for s in ("gen", "dut"):
            shutil.rmtree(os.path.join(RUNDIR, pfx + s), ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description="vpcgw between testpmd peers over net_memif")
    ap.add_argument("--sizes", default="64,512,1500",
                    help="frame sizes with FCS (default 64,512,1500)")
    ap.add_argument("--flows", type=int, default=1024)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--warmup", type=float, default=3.0)
    ap.add_argument("--window", type=float, default=3.0)
    a = ap.parse_args()
    if not 1 <= a.flows <= 4000:
        ap.error("--flows: 1..4000 (one static neighbor each)")
    if not os.access(os.path.join(ROOT, "build", "vpcgw"), os.X_OK):
        ap.error("build/vpcgw missing: ninja -C build")
    d = tempfile.mkdtemp(prefix="vpcgw-peers-")
    try:
        with open(os.path.join(d, "vpcgw.cfg"), "w") as f:
            f.write(vpcgw_config(d, a.flows, 32767))
        for size in [int(s) for s in a.sizes.split(",")]:
            res = {"vpcgw": [], "testpmd_io": [], "testpmd_macswap": []}
            for r in range(a.runs):
                for system in res:
                    x = one_run(system, d, size, a.flows, a.warmup, a.window)
                    log("peers %d B %s run %d: %.3f Mpps received, %.3f offered, %.2f Gbit/s"
                        % (size, system, r, x["rx_mpps"], x["offered_mpps"], x["gbps"]))
                    res[system].append(x)
            out = {"scenario": "memif_peers", "frame_bytes": size, "flows": a.flows}
            for system, v in res.items():
                out[system] = {"mpps": mmm([x["rx_mpps"] for x in v]),
                               "offered_mpps": mmm([x["offered_mpps"] for x in v]),
                               "gbps": mmm([x["gbps"] for x in v])}
            out["ratios"] = {}
            for base in ("testpmd_io", "testpmd_macswap"):
                b = out[base]["mpps"]["median"]
                out["ratios"][base] = round(out["vpcgw"]["mpps"]["median"] / b, 3) if b else None
            out["date"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
            print(json.dumps(out), flush=True)
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
