#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""GWLB with dpdk-testpmd --forward-mode=5tswap as the appliance (issue: GWLB).

vpcgw on CPU 1 (one worker, main lcore beside it): port "vpc" replays a capture
of 1,024 UDP flows from an instance whose route table sends 0.0.0.0/0 to a GWLB
endpoint; vpcgw encapsulates them in GENEVE to the appliance over net_memif
(as AWS's GWLB does: protocol type 0x0800, the inner IPv4 packet right after
the 68 bytes of outer IPv4/UDP/GENEVE, no inner Ethernet header); testpmd on
CPU 0 swaps MACs, IPs and UDP ports of the outer headers (5tswap parses
Ethernet, IPv4/IPv6 and UDP/TCP once, the outermost ones, and leaves the UDP
payload alone, so the GENEVE header and the inner packet go back untouched:
it still works as an appliance with an L3 payload) and sends them back from
port 6081 to vpcgw's source port; vpcgw checks and decapsulates them and sends
the inner packets out of the internet gateway (net_null, elastic IP). Reported: packets per second out of the
internet port (every packet crossed vpcgw twice), beside testpmd io forwarding
the same capture to net_null on the same CPU, in the same run.

Two processes on two cores: the figures swing (shared/BENCH.md); medians of
RUNS windows. usage: bench/gwlb_5tswap.py [RUNS] [SECONDS]
"""
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from scapy.all import IP, UDP, Ether, wrpcap

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VPCGW = os.environ.get("VPCGW", os.path.join(TOP, "build", "vpcgw"))
sys.path.insert(0, os.path.join(TOP, "tests", "ctl"))
import test_gwlb_testpmd as gwlb_test  # noqa: E402

TP_MAC = gwlb_test.TESTPMD_MAC


def config(d):
    """The configuration of tests/ctl/test_gwlb_testpmd.py with a replayed
    capture in, net_null out, one worker."""
    return gwlb_test.config(
        d, dpdk="{ workers = 1; mbufs = 65535; flow_table_size = 65536; }",
        vpc="net_pcap0,rx_pcap=%s/in.pcap,infinite_rx=1" % d, internet="net_null0,no-rx=1")


def telemetry(prefix, cmd):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(5)
    s.connect("/var/run/dpdk/%s/dpdk_telemetry.v2" % prefix)
    try:
        s.recv(16384)
        s.send(cmd.encode())
        return json.loads(s.recv(65536))[cmd.split(",")[0]]
    finally:
        s.close()


def opackets(prefix, port):
    return telemetry(prefix, "/ethdev/stats,%d" % port)["opackets"]


def rate(prefix, port, seconds):
    a = opackets(prefix, port)
    time.sleep(seconds)
    return (opackets(prefix, port) - a) / seconds / 1e6


def wait_sock(prefix, proc, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            raise RuntimeError("exited: %d" % proc.returncode)
        try:
            telemetry(prefix, "/ethdev/list")
            return
        except (OSError, ValueError, KeyError):
            time.sleep(0.1)
    raise RuntimeError("no telemetry from " + prefix)


def run_vpcgw(d, seconds):
    pfx = "gwtp%d" % os.getpid()
    v = subprocess.Popen(["taskset", "-c", "1", VPCGW, "-c", os.path.join(d, "gw.cfg"), "--",
                          "--no-huge", "-m", "1024", "--no-pci", "--lcores", "0@1,1@1",
                          "--file-prefix", pfx, "--log-level", "lib.eal:error"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tp = None
    try:
        wait_sock(pfx, v)
        tp = subprocess.Popen(
            ["taskset", "-c", "0", "dpdk-testpmd", "--no-huge", "-m", "512", "--no-pci",
             "--file-prefix", pfx + "tp", "--log-level", "lib.eal:error", "--lcores", "0@0,1@0",
             "--vdev", "net_memif0,role=client,socket=%s/memif.sock,mac=%s" % (d, TP_MAC),
             "--", "--forward-mode=5tswap", "--total-num-mbufs=16384", "--auto-start",
             "--nb-cores=1"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        time.sleep(3)                   # memif up, flows created
        return rate(pfx, 2, seconds)
    finally:
        if tp is not None:
            tp.stdin.close()
            tp.wait(timeout=20)
        v.terminate()
        v.wait(timeout=20)
        shutil.rmtree("/var/run/dpdk/%stp" % pfx, ignore_errors=True)


def run_testpmd_io(d, seconds):
    pfx = "tpio%d" % os.getpid()
    tp = subprocess.Popen(
        ["taskset", "-c", "1", "dpdk-testpmd", "--no-huge", "-m", "512", "--no-pci",
         "--file-prefix", pfx, "--log-level", "lib.eal:error", "--lcores", "0@1,1@1",
         "--vdev", "net_pcap0,rx_pcap=%s/in.pcap,infinite_rx=1" % d, "--vdev", "net_null0,no-rx=1",
         "--", "--forward-mode=io", "--total-num-mbufs=16384", "--auto-start", "--nb-cores=1",
         "--no-flush-rx"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    try:
        wait_sock(pfx, tp)
        time.sleep(2)
        return rate(pfx, 1, seconds)
    finally:
        tp.stdin.close()
        tp.wait(timeout=20)
        shutil.rmtree("/var/run/dpdk/%s" % pfx, ignore_errors=True)


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
    d = tempfile.mkdtemp(prefix="vpcgw-gwtp-")
    try:
        pkts = []
        for i in range(1024):
            p = (Ether(src="02:aa:0a:00:02:0a", dst="02:00:00:00:00:01") /
                 IP(src="10.0.2.10", dst="8.8.%d.%d" % (i // 250, i % 250 + 1)) /
                 UDP(sport=10000 + i, dport=53) / (b"\0" * 18))
            pkts.append(p)
        wrpcap(os.path.join(d, "in.pcap"), pkts)
        with open(os.path.join(d, "gw.cfg"), "w") as f:
            f.write(config(d))
        v, b = [], []
        for _ in range(runs):
            v.append(run_vpcgw(d, seconds))
            b.append(run_testpmd_io(d, seconds))
        out = {"scenario": "gwlb_5tswap", "mpps": {"min": min(v), "median": statistics.median(v),
                                                    "max": max(v)},
               "baseline": {"testpmd_io": {"min": min(b), "median": statistics.median(b),
                                           "max": max(b)}},
               "ratio": statistics.median(v) / statistics.median(b),
               "date": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        print(json.dumps(out))
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
