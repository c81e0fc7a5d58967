#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Messages and NIC start-up: vpcgw logs through rte_log with its own types
(time, level, type on stderr), --log-level sets their level, a missing capture
is reported as missing, descriptor counts come from the configuration, each
port's link is logged at start and on change (a net_tap port taken down and up
in a network namespace of this test) and is in the counters, and lcores are
pinned to distinct CPUs by default when there are enough of them."""
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from ctltest import VPCGW  # noqa: E402
from scapy.all import wrpcap  # noqa: E402

LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (EMERG|ALERT|CRIT|ERR|WARN|NOTICE|"
                  r"INFO|DEBUG) ([a-z0-9_.]+): (.*)$")


def config(d, vpc_devargs, workers=1, extra=""):
    return """
dpdk = { eal_args = [ "--no-huge", "-m", "256", "--no-pci" ]; workers = %(w)d; mbufs = 4095;
         flow_table_size = 4096; };
ports = (
  { name = "vpc"; devargs = "%(vpc)s"; mac = "02:00:00:00:00:01"; address = "10.0.0.1/16";
    %(extra)s },
  { name = "internet"; devargs = "net_pcap1,rx_pcap=%(d)s/empty.pcap,tx_pcap=%(d)s/inet-out.pcap";
    mac = "02:00:00:00:01:01"; address = "198.51.100.1/24"; }
);
vpc = { cidr = "10.0.0.0/16";
  subnets = ( { name = "a"; cidr = "10.0.0.0/24"; port = "vpc"; } ); };
""" % {"d": d, "vpc": vpc_devargs, "w": workers, "extra": extra}


def run(d, text, *args):
    cfg = os.path.join(d, "gw.cfg")
    with open(cfg, "w") as f:
        f.write(text)
    return subprocess.run([VPCGW, "-c", cfg, "--exit-idle-ms", "200",
                           "--stats-json", os.path.join(d, "stats.json")] + list(args),
                          capture_output=True, text=True, timeout=60)


def logs(stderr):
    return [m.groups() for m in map(LINE.match, stderr.splitlines()) if m]


def main():
    d = tempfile.mkdtemp(prefix="vpcgw-logs-")
    try:
        wrpcap(os.path.join(d, "empty.pcap"), [], linktype=1)
        pcap = "net_pcap0,rx_pcap=%s/empty.pcap,tx_pcap=%s/vpc-out.pcap" % (d, d)

        # a missing capture: named, with the reason; exit 2
        r = run(d, config(d, "net_pcap0,rx_pcap=%s/missing.pcap,tx_pcap=%s/o.pcap" % (d, d)))
        assert r.returncode == 2, r
        assert "port vpc: rx_pcap file %s/missing.pcap: No such file or directory" % d \
            in r.stderr and "Operation not permitted" not in r.stderr, r.stderr
        # an output capture in a directory that does not exist
        r = run(d, config(d, "net_pcap0,rx_pcap=%s/empty.pcap,tx_pcap=%s/no/o.pcap" % (d, d)))
        assert r.returncode == 2 and "tx_pcap file %s/no/o.pcap: directory %s/no: No such " \
            "file" % (d, d) in r.stderr, r.stderr

        # descriptor counts from the configuration; links at start; every
        # line of vpcgw's has time, level and type
        r = run(d, config(d, pcap, extra="rx_descriptors = 512; tx_descriptors = 256;"))
        assert r.returncode == 0, r
        got = logs(r.stderr)
        mine = [g for g in got if g[1].startswith("vpcgw.")]
        assert any(t == "vpcgw.port" and "port vpc: net_pcap, 1 rx queue x 512 descriptors, "
                   "1 tx x 256" in m for _, t, m in mine), r.stderr
        assert any(lv == "INFO" and t == "vpcgw.port" and re.search(
            r"port internet: Link up at 10 Gbps .*\(at start\)", m) for lv, t, m in mine), r.stderr
        assert not [ln for ln in r.stderr.splitlines() if "vpcgw" in ln and not LINE.match(ln)
                    and not ln.startswith("TELEMETRY")], r.stderr
        with open(os.path.join(d, "stats.json")) as f:
            js = json.load(f)
        assert js["ports"]["vpc"]["link_up"] == 1, js["ports"]["vpc"]
        assert js["ports"]["vpc"]["link_speed_mbps"] == 10000, js["ports"]["vpc"]
        # out of range: file:line at --check
        r = run(d, config(d, pcap, extra="rx_descriptors = 16;"), "--check")
        assert r.returncode == 1 and re.search(r"gw\.cfg:6: ports\[0\]\.rx_descriptors: .*16",
                                               r.stderr), r.stderr

        # lcores: one CPU each when one is left to spare; floating (said) when
        # not; a warning when workers outnumber the CPUs
        cpus = sorted(os.sched_getaffinity(0))
        w = 1
        r = run(d, config(d, pcap, workers=w))
        main_log = [m for _, t, m in logs(r.stderr) if t == "vpcgw.main"]
        if len(cpus) > w + 1:
            assert "worker 0: lcore 1, CPU %d" % cpus[1] in main_log, r.stderr
        else:
            assert "1 worker and the main lcore float over the %d CPUs: no CPU to spare for " \
                "pinning (more CPUs, -l or --lcores pin them)" % len(cpus) in main_log, r.stderr
        # taskset: the CPUs given are the ones used, each lcore its own
        if len(cpus) >= 2:
            r = subprocess.run(["taskset", "-c", str(cpus[-1]), VPCGW, "-c",
                                os.path.join(d, "gw.cfg"), "--exit-idle-ms", "200"],
                               capture_output=True, text=True, timeout=60)
            assert any(lv == "WARN" and "float over 1 CPUs" in m
                       for lv, _, m in logs(r.stderr)), r.stderr
        # -l / --lcores given: two workers on one CPU are said
        r = run(d, config(d, pcap, workers=2), "--", "--no-huge", "-m", "256", "--no-pci",
                "--lcores", "0@%d,1@%d,2@%d" % (cpus[0], cpus[-1], cpus[-1]))
        assert r.returncode == 0 and any(
            lv == "WARN" and "workers 0 (lcore 1) and 1 (lcore 2) share a CPU" in m
            for lv, _, m in logs(r.stderr)), r.stderr
        r = run(d, config(d, pcap, workers=2), "--", "--no-huge", "-m", "256", "--no-pci",
                "--lcores", "0@%d,1@%d,2@%d" % (cpus[0], cpus[0], cpus[-1]))
        assert not [m for _, _, m in logs(r.stderr) if "share a CPU" in m] or \
            len(cpus) == 1, r.stderr
        r = run(d, config(d, pcap, workers=len(cpus)))
        assert any(lv == "WARN" and "workers share CPUs" in m
                   for lv, _, m in logs(r.stderr)), r.stderr

        # --log-level: warning hides vpcgw's INFO lines; a type:level applies to it
        r = run(d, config(d, pcap), "--log-level", "warning")
        assert r.returncode == 0 and not [g for g in logs(r.stderr) if g[1].startswith("vpcgw.")
                                          and g[0] == "INFO"], r.stderr
        r = run(d, config(d, pcap), "--log-level", "vpcgw.port:error")
        assert not [g for g in logs(r.stderr) if g[1] == "vpcgw.port"], r.stderr
        assert [g for g in logs(r.stderr) if g[1] == "vpcgw.main"], r.stderr
        r = run(d, config(d, pcap), "--log-level", "loud")
        assert r.returncode == 1 and "--log-level" in r.stderr, r

        link_change(d)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    print("logs: ok")


def link_change(d):
    """A net_tap port in a namespace of this test: down and up again, each
    logged within a few seconds and seen in /vpcgw/ports."""
    ns = "vgl" + secrets.token_hex(3)
    tap = "vgt" + secrets.token_hex(3)
    subprocess.run(["ip", "netns", "add", ns], check=True)
    proc = None
    try:
        cfg = os.path.join(d, "tap.cfg")
        with open(cfg, "w") as f:
            f.write(config(d, "net_tap0,iface=%s" % tap))
        errf = open(os.path.join(d, "tap.err"), "w")
        proc = subprocess.Popen(["ip", "netns", "exec", ns, VPCGW, "-c", cfg],
                                stdout=subprocess.DEVNULL, stderr=errf)

        def wait(pattern, what):
            deadline = time.time() + 20
            while time.time() < deadline:
                with open(errf.name) as f:
                    text = f.read()
                if re.search(pattern, text):
                    return
                assert proc.poll() is None, "vpcgw exited: " + text
                time.sleep(0.1)
            raise AssertionError("no %s in:\n%s" % (what, text))

        wait(r"INFO vpcgw\.main: worker 0", "start")
        subprocess.run(["ip", "-n", ns, "link", "set", tap, "down"], check=True)
        wait(r"WARN vpcgw\.port: port vpc: Link down \(changed\)", "link down")
        subprocess.run(["ip", "-n", ns, "link", "set", tap, "up"], check=True)
        wait(r"INFO vpcgw\.port: port vpc: Link up .*\(changed\)", "link up")
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        subprocess.run(["ip", "netns", "del", ns])


if __name__ == "__main__":
    main()
