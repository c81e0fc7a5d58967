#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
ctl-demo_repeat: the demo (examples/demo.cfg on examples/demo_traffic.py's
captures, packet clock, one worker) writes the same packets in the same order
on every run. Under the packet clock the control thread's events (the health
checks' first ARP requests, at the first packet's millisecond) come before the
packets captured at that time; what they send must leave before what the
worker answers to those packets, whenever the worker last idled. Compares the
frames of each output capture (timestamps aside: net_pcap writes real time)
over several runs.
"""
import os
import shutil
import subprocess
import sys
import tempfile

from scapy.all import rdpcap

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
VPCGW = os.environ.get("VPCGW", os.path.join(ROOT, "build", "vpcgw"))
RUNS = 6


def frames(d, name):
    return [bytes(p) for p in rdpcap(os.path.join(d, name))]


def main():
    d = tempfile.mkdtemp(prefix="vpcgw-demo-repeat-")
    subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "examples", "demo_traffic.py"), d],
                   check=True, stdout=subprocess.DEVNULL)
    first = None
    for r in range(RUNS):
        p = subprocess.run([VPCGW, "-c", os.path.join(ROOT, "examples", "demo.cfg"),
                            "--clock", "packet", "--exit-idle-ms", "300",
                            "--stats-json", "stats.json", "--",
                            "--no-huge", "-m", "512", "--no-pci",
                            "--file-prefix", "vpcgwdemorep%d" % os.getpid()],
                           cwd=d, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                           timeout=120)
        assert p.returncode == 0, p.stderr[-2000:]
        out = {n: frames(d, n) for n in ("vpc-out.pcap", "inet-out.pcap", "app-out.pcap")}
        assert all(out.values()), {n: len(v) for n, v in out.items()}
        if first is None:
            first = out
            continue
        for n in out:
            if out[n] != first[n]:
                i = next((i for i, (a, b) in enumerate(zip(out[n], first[n])) if a != b),
                         min(len(out[n]), len(first[n])))
                sys.exit("run %d: %s differs from run 0 at frame %d (%d vs %d frames)" %
                         (r, n, i + 1, len(out[n]), len(first[n])))
    shutil.rmtree(d, ignore_errors=True)
    print("demo_repeat: ok (%d runs, %s frames)" %
          (RUNS, ", ".join("%s %d" % (n, len(v)) for n, v in first.items())))


if __name__ == "__main__":
    main()
