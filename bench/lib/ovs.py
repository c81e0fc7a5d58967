# SPDX-License-Identifier: BSD-3-Clause
"""Open vSwitch with DPDK as a benchmark peer (shared/peers/OVS.md).

A private instance per measured run (a long-lived one slows down with many
conntrack entries): its own database, run and log directories, EAL
--no-huge --legacy-mem, the PMD thread on the bench CPU; stopped by its
pidfiles; the kernel taps of its netdev bridges are deleted afterwards.
Same devices and same captures as vpcgw: net_pcap (infinite_rx) in,
net_null out. Flow sets: bench/ovs-flows (copied from shared/peers).
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import scenarios


def log(*a):
    print("bench:", *a, file=sys.stderr, flush=True)

VSWITCHD = "/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk"
SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema"
FLOWS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "ovs-flows")
# tunnel endpoint of the GENEVE peer: a /30 on OVS's own tap, nothing else
TUN_LOCAL, TUN_REMOTE, TUN_MAC = "172.31.254.1", "172.31.254.2", "02:00:00:00:03:0a"


def available():
    """None when OVS-DPDK can run, else why not (installs it if missing)."""
    if not os.path.exists(VSWITCHD):
        r = subprocess.run(["apt-get", "install", "-y", "-q", "openvswitch-switch-dpdk"],
                           env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if r.returncode != 0 or not os.path.exists(VSWITCHD):
            return "openvswitch-switch-dpdk is not installed and apt-get install failed"
    for t in ("ovsdb-tool", "ovsdb-server", "ovs-vsctl", "ovs-ofctl", "ovs-appctl"):
        if shutil.which(t) is None:
            return t + " missing"
    return None


class Instance:
    def __init__(self, ctx, tag):
        self.d = tempfile.mkdtemp(prefix="vpcgw-ovs-")
        for s in ("db", "run", "log", "etc"):
            os.makedirs(os.path.join(self.d, s))
        self.env = dict(os.environ, OVS_RUNDIR=self.p("run"), OVS_LOGDIR=self.p("log"),
                        OVS_DBDIR=self.p("db"), OVS_SYSCONFDIR=self.p("etc"))
        self.prefix = "vpcgwbench-ovs-%d-%s" % (os.getpid(), tag)
        self.taps = []
        self.ports_of = {}
        self.ctx = ctx

    def p(self, *a):
        return os.path.join(self.d, *a)

    def sh(self, *argv, check=True):
        r = subprocess.run(list(argv), env=self.env, capture_output=True, text=True)
        if check and r.returncode != 0:
            raise RuntimeError("%s: %s" % (" ".join(argv), (r.stderr or r.stdout).strip()))
        return r.stdout

    def vsctl(self, *a):
        return self.sh("ovs-vsctl", "--timeout=120", "--db=unix:" + self.p("run", "db.sock"), *a)

    def ofctl(self, *a):
        return self.sh("ovs-ofctl", "-O", "OpenFlow15", *a)

    def appctl(self, *a):
        return self.sh("ovs-appctl", "-t", self.p("run", "ovs-vswitchd.ctl"), *a)

    def start(self):
        cpu = self.ctx.cpu
        other = 1 - cpu if cpu in (0, 1) else 0
        self.sh("ovsdb-tool", "create", self.p("db", "conf.db"), SCHEMA)
        self.sh("ovsdb-server", self.p("db", "conf.db"), "--remote=punix:" + self.p("run", "db.sock"),
                "--pidfile=" + self.p("run", "ovsdb-server.pid"),
                "--unixctl=" + self.p("run", "ovsdb-server.ctl"),
                "--log-file=" + self.p("log", "ovsdb-server.log"), "--detach")
        self.vsctl("--no-wait", "init")
        self.vsctl("--no-wait", "set", "Open_vSwitch", ".", "other_config:dpdk-init=true",
                   'other_config:dpdk-extra="--no-huge --legacy-mem -m 2048 --no-pci '
                   '--file-prefix %s"' % self.prefix,
                   "other_config:dpdk-lcore-mask=0x%x" % (1 << other),
                   "other_config:pmd-cpu-mask=0x%x" % (1 << cpu),
                   "other_config:per-port-memory=true")
        self.sh(VSWITCHD, "unix:" + self.p("run", "db.sock"),
                "--pidfile=" + self.p("run", "ovs-vswitchd.pid"),
                "--unixctl=" + self.p("run", "ovs-vswitchd.ctl"),
                "--log-file=" + self.p("log", "ovs-vswitchd.log"), "--detach", "--no-chdir",
                "-vconsole:off")

    def bridge(self, br):
        self.vsctl("add-br", br, "--", "set", "bridge", br, "datapath_type=netdev")
        self.taps.append(br)
        self.ports_of[br] = {}

    def port(self, br, name, devargs, ofport):
        self.vsctl("add-port", br, name, "--", "set", "Interface", name, "type=dpdk",
                   "options:dpdk-devargs=%s" % devargs, "ofport_request=%d" % ofport)
        self.ports_of[br][name] = str(ofport)

    def stats(self, ifaces):
        """(time, {iface: (rx, tx)}), live from the datapath (the database's
        statistics column is only refreshed every 5 s)"""
        bridges = {i: b for b, ports in self.ports_of.items() for i in ports}
        out = {}
        t0 = time.monotonic()
        for b in sorted(set(bridges[i] for i in ifaces)):
            txt = self.ofctl("dump-ports", b)
            num = {}
            for m in re.finditer(r"port\s+(\S+):\s+rx pkts=(\d+).*?\n\s+tx pkts=(\d+)", txt):
                num[m.group(1)] = (int(m.group(2)), int(m.group(3)))
            for i in ifaces:
                if bridges[i] == b and self.ports_of[b][i] in num:
                    out[i] = num[self.ports_of[b][i]]
        t1 = time.monotonic()
        missing = set(ifaces) - set(out)
        if missing:
            raise RuntimeError("no counters for %s in dump-ports" % ", ".join(missing))
        return (t0 + t1) / 2, out

    def stop(self):
        for f in ("ovs-vswitchd.pid", "ovsdb-server.pid"):
            try:
                pid = int(open(self.p("run", f)).read())
            except (OSError, ValueError):
                continue
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
            for _ in range(200):
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)
            else:
                os.kill(pid, signal.SIGKILL)
        for t in self.taps:                # only the taps this instance made
            subprocess.run(["ip", "link", "del", t], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        shutil.rmtree(os.path.join("/var/run/dpdk", self.prefix), ignore_errors=True)


def setup(o, fn, files):
    """Bridges, flows and ports of one function; returns (inputs, outputs)."""
    pcap = lambda i, f: "net_pcap%d,rx_pcap=%s,infinite_rx=1" % (i, f)
    if fn in ("p2p", "snat", "lb_hash"):
        o.bridge("br1")
        if fn == "lb_hash":
            o.ofctl("add-groups", "br1", os.path.join(FLOWS, "uni", "groups.txt"))
        o.ofctl("--bundle", "replace-flows", "br1", os.path.join(FLOWS, "uni", fn + ".flows"))
        o.port("br1", "pnull", "net_null1,no-rx=1", 12)
        o.port("br1", "pin", pcap(1, files[0]), 11)
        return ["pin"], ["pnull"]
    if fn == "fw":                          # both directions: 11 <-> 13
        o.bridge("br1")
        o.ofctl("--bundle", "replace-flows", "br1", os.path.join(FLOWS, "bidir", "fw.flows"))
        o.port("br1", "prep", pcap(2, files[1]), 13)
        o.port("br1", "pin", pcap(1, files[0]), 11)
        return ["pin", "prep"], ["pin", "prep"]
    if fn == "geneve":
        o.bridge("br-phy")
        o.ofctl("--bundle", "replace-flows", "br-phy",
                os.path.join(FLOWS, "geneve", "phy_fwd.flows"))
        o.port("br-phy", "pnull", "net_null1,no-rx=1", 22)
        subprocess.run(["sysctl", "-q", "-w", "net.ipv6.conf.br-phy.disable_ipv6=1"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run(["ip", "addr", "add", TUN_LOCAL + "/30", "dev", "br-phy"], check=True)
        subprocess.run(["ip", "link", "set", "br-phy", "up"], check=True)
        o.appctl("ovs/route/add", TUN_REMOTE + "/32", "br-phy")
        o.appctl("tnl/arp/set", "br-phy", TUN_REMOTE, TUN_MAC)
        o.bridge("br-int")
        o.ofctl("--bundle", "replace-flows", "br-int",
                os.path.join(FLOWS, "geneve", "int_encap.flows"))
        o.vsctl("add-port", "br-int", "gnv0", "--", "set", "interface", "gnv0", "type=geneve",
                "options:remote_ip=" + TUN_REMOTE, "ofport_request=29")
        o.port("br-int", "pin", pcap(1, files[0]), 21)
        return ["pin"], ["pnull"]
    raise ValueError(fn)


def measure(ctx, name, run):
    sc = scenarios.SCENARIOS[name]
    fn = sc["ovs"]
    files = ctx.inputs[name]["ovs"]
    res = {"system": "ovs", "run": run, "function": fn}
    o = Instance(ctx, "%s-%d" % (name, run))
    res["dir"] = o.d
    try:
        o.start()
        ins, outs = setup(o, fn, files)
        end = time.monotonic() + 120
        need = sc["frames"] * len(files)
        while sum(v[0] for v in o.stats(ins)[1].values()) < need:
            if time.monotonic() > end:
                raise RuntimeError("OVS did not receive one pass of the capture")
            time.sleep(0.1)
        time.sleep(ctx.warmup)
        t0, s0 = o.stats(set(ins + outs))
        time.sleep(ctx.window)
        t1, s1 = o.stats(set(ins + outs))
        dt = t1 - t0
        tx = sum(s1[i][1] - s0[i][1] for i in outs)
        rx = sum(s1[i][0] - s0[i][0] for i in ins)
        res.update(mpps=tx / dt / 1e6, rx_mpps=rx / dt / 1e6, window_s=dt,
                   window_rx_minus_tx=rx - tx)
        if fn in ("fw", "snat"):
            res["conntrack_entries"] = o.appctl("dpctl/dump-conntrack").count("\n")
    except Exception as e:  # noqa: BLE001 - reported in the result
        res["error"] = "OVS: %s (logs in %s)" % (e, o.p("log"))
    finally:
        o.stop()
    if "error" not in res:
        shutil.rmtree(o.d, ignore_errors=True)
    if "error" in res:
        log("%s ovs(%s) run %d: ERROR %s" % (name, fn, run, res["error"]))
    else:
        log("%s ovs(%s) run %d: %.3f Mpps (rx %.3f)" % (name, fn, run, res["mpps"],
                                                       res["rx_mpps"]))
    return res
