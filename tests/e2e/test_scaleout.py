# SPDX-License-Identifier: BSD-3-Clause
"""
e2e-scaleout (issue #19): two vpcgw nodes behind a router that spreads flows
over them with BGP ECMP; FRR bgpd on every node announces the NLB's public
address and the node's own NAT address while vpcgw's health port answers 200
(tools/vpcgw-bgp-health). docs/SCALE-OUT.md describes the design.

  ns cli      203.0.113.50/24, gw .1: the clients; HTTP on :8000 (for NAT)
  ns rtr      (the harness's "gw" namespace) 203.0.113.1/24 to cli; bridge
              br0 192.0.2.254/24 to both nodes; FRR zebra+bgpd AS 65000,
              maximum-paths 8, fib_multipath_hash_policy=1 (L4 hash)
  ns nodeA/B  vpcgw (node gw-a/gw-b, mid_flow "place", health port
              127.0.0.1:8080), its internet TAP bridged with the link to br0
              (vpcgw 192.0.2.1 / .2, FRR 192.0.2.11 / .12, AS 65001 / 65002,
              next hop of the announcements = vpcgw's port); its vpc TAP on a
              bridge of its own with a link to every VPC host
  ns t1, t2   NLB targets 10.0.2.10, 10.0.2.11 (HTTP :8080), one link to each
              node (eth0: A, eth1: B), the same address on both; replies leave
              by the link the connection's last packet came in on (CONNMARK),
              the host-side setting that keeps both directions on one node
  ns host     10.0.1.10, a private host linked to both nodes (default route
              through node X, below); nat-a is 198.51.100.11 on A, .12 on B

Checks (X: the node the router sends the download to, found from the NLB
counters, Y: the other): both nodes' announcements reach the router (ECMP for
the NLB address, each NAT address through its node); 24 new connections
spread over both nodes; a 6 MB download at 1 MB/s runs through X (client
receive buffer 128 kB, so it is in flight; curl --keepalive-time 1, so the
client speaks first after the stop and the targets' replies follow it) and a
NAT download from the private host through X; X stopped (SIGTERM): its routes
withdrawn within 3 s, the download completes through Y with the right sha256
(Y picked it up mid-flow: MidFlowPlacedCount >= 1), 12 new connections all
through Y, the NAT download fails and X's last counters count it (nat
ActiveConnectionCount at exit); X restarted -> announced again and taking new
connections. Skipped (77) only when FRR is not installed and apt-get cannot
install it. VPCGW_E2E_CAPTURE=1: tshark on every TAP of the nodes.
"""
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2etest import HTTPD, IDLE_ARGS, PY, TestFailure, check, log, run, vpcgw_path  # noqa: E402

TOOLS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools")
FRR = "/usr/lib/frr"
NLB_PUB = "198.51.100.30"
CLIENT = "203.0.113.50"
NODES = {"a": {"idx": 1, "asn": 65001}, "b": {"idx": 2, "asn": 65002}}
BIG = 6 * 1024 * 1024         # the NLB download, 1 MB/s: ~6 s
NAT_BIG = 8 * 1024 * 1024     # the NAT download, 512 kB/s: still running when A stops

CFG = """
dpdk = { workers = 1; mbufs = 4095; flow_table_size = 16384; };
node = { name = "gw-%(n)s"; health = { listen = "127.0.0.1:8080"; }; mid_flow = "place"; };
ports = (
  { name = "vpc"; devargs = "net_tap0,iface=%(tap0)s"; mac = "02:00:00:0%(i)d:00:01";
    address = "10.0.0.1/16"; },
  { name = "internet"; devargs = "net_tap1,iface=%(tap1)s"; mac = "02:00:00:0%(i)d:01:01";
    address = "192.0.2.%(i)d/24"; }
);
vpc = {
  cidr = "10.0.0.0/16";
  subnets = (
    { name = "public-a"; cidr = "10.0.0.0/24"; port = "vpc"; route_table = "public"; },
    { name = "private-a"; cidr = "10.0.1.0/24"; port = "vpc"; route_table = "private"; },
    { name = "app-a"; cidr = "10.0.2.0/24"; port = "vpc"; route_table = "private"; }
  );
};
internet_gateway = { port = "internet"; next_hop = "192.0.2.254"; };
route_tables = (
  { name = "public"; routes = ( { destination = "0.0.0.0/0"; target = "igw"; } ); },
  { name = "private"; routes = ( { destination = "0.0.0.0/0"; target = "nat-gateway:nat-a"; } ); }
);
nat_gateways = ( { name = "nat-a"; subnet = "public-a"; addresses = [ "198.51.100.1%(i)d" ]; } );
network_load_balancers = (
  { name = "web"; subnet = "public-a"; address = "10.0.0.100"; public_address = "%(pub)s";
    listeners = ( { protocol = "tcp"; port = 80; target_group = "web-tg"; } ); }
);
target_groups = (
  { name = "web-tg"; protocol = "tcp"; port = 8080; preserve_client_ip = true;
    health_check = { protocol = "tcp"; port = "traffic-port"; interval = 5; timeout = 2;
                     healthy_threshold = 2; unhealthy_threshold = 2; };
    targets = ( { address = "10.0.2.10"; }, { address = "10.0.2.11"; } ); }
);
"""

RTR_BGP = """frr defaults traditional
hostname rtr
router bgp 65000
 bgp router-id 192.0.2.254
 no bgp ebgp-requires-policy
 bgp bestpath as-path multipath-relax
 neighbor 192.0.2.11 remote-as 65001
 neighbor 192.0.2.11 timers 1 3
 neighbor 192.0.2.11 timers connect 1
 neighbor 192.0.2.12 remote-as 65002
 neighbor 192.0.2.12 timers 1 3
 neighbor 192.0.2.12 timers connect 1
 address-family ipv4 unicast
  maximum-paths 8
  neighbor 192.0.2.11 route-map NONE out
  neighbor 192.0.2.12 route-map NONE out
 exit-address-family
route-map NONE deny 10
"""

NODE_BGP = """frr defaults traditional
hostname node-%(n)s
router bgp %(asn)d
 bgp router-id 192.0.2.1%(i)d
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 192.0.2.254 remote-as 65000
 neighbor 192.0.2.254 timers 1 3
 neighbor 192.0.2.254 timers connect 1
 address-family ipv4 unicast
  neighbor 192.0.2.254 route-map NH out
 exit-address-family
route-map NH permit 10
 set ip next-hop 192.0.2.%(i)d
"""


def skip(msg):
    log("SKIP: " + msg)
    sys.exit(77)


def ensure_frr():
    """FRR from Debian (tools/setup.sh installs it); apt-get when missing."""
    need = lambda: not (os.path.exists(FRR + "/bgpd") and os.path.exists(FRR + "/zebra") and  # noqa
                        shutil.which("vtysh") and shutil.which("iptables"))
    if need() and os.geteuid() == 0 and shutil.which("apt-get"):
        log("installing frr iptables")
        envp = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        for args in (["apt-get", "update", "-qq"],
                     ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "frr",
                      "iptables"]):
            try:
                subprocess.run(args, env=envp, capture_output=True, timeout=600)
            except (OSError, subprocess.TimeoutExpired) as e:
                log("%s: %s" % (" ".join(args), e))
    if need():
        skip("FRR (%s/bgpd, zebra, vtysh) or iptables missing and apt-get could not install "
             "them (tools/setup.sh installs frr and iptables)" % FRR)


class ScaleOut:
    def __init__(self, env):
        self.env = env
        self.rtr = env.gw
        self.vpcgw = {}
        self.runs = {"a": 0, "b": 0}
        os.chmod(env.dir, 0o755)    # FRR runs as user frr

    # ------------------------------------------------------------ plumbing

    def veth(self, ns1, n1, ns2, n2):
        self.env.ip(ns1, "link", "add", n1, "type", "veth", "peer", "name", n2, "netns", ns2)
        self.env.ip(ns1, "link", "set", "dev", n1, "up")
        self.env.ip(ns2, "link", "set", "dev", n2, "up")

    def bridge(self, ns, br, addr=None):
        self.env.ip(ns, "link", "add", br, "type", "bridge")
        self.env.ip(ns, "link", "set", br, "up")
        if addr:
            self.env.ip(ns, "addr", "add", addr, "dev", br)

    def topology(self):
        e = self.env
        self.cli = e.add_netns("cli")
        self.veth(self.rtr, "c0", self.cli, "eth0")
        e.ip(self.cli, "addr", "add", CLIENT + "/24", "dev", "eth0")
        e.ip(self.cli, "route", "add", "default", "via", "203.0.113.1")
        # a small receive buffer: a rate-limited download stays in flight through
        # the nodes instead of waiting in the client's kernel
        e.sh(["sysctl", "-qw", "net.ipv4.tcp_rmem=4096 65536 131072"], ns=self.cli)
        e.ip(self.rtr, "addr", "add", "203.0.113.1/24", "dev", "c0")
        e.sh(["sysctl", "-qw", "net.ipv4.ip_forward=1",
              "net.ipv4.fib_multipath_hash_policy=1"], ns=self.rtr)
        self.bridge(self.rtr, "br0", "192.0.2.254/24")
        self.hosts = {"t1": e.add_netns("t1"), "t2": e.add_netns("t2"),
                      "host": e.add_netns("host")}
        self.ns = {}
        for n, d in NODES.items():
            ns = self.ns[n] = e.add_netns("node" + n)
            self.veth(self.rtr, "up" + n, ns, "uplink")
            e.ip(self.rtr, "link", "set", "up" + n, "master", "br0")
            self.bridge(ns, "brup", "192.0.2.1%d/24" % d["idx"])
            e.ip(ns, "link", "set", "uplink", "master", "brup")
            self.bridge(ns, "brvpc")
            dev = "eth0" if n == "a" else "eth1"
            for h, addr in (("t1", "10.0.2.10/24"), ("t2", "10.0.2.11/24"),
                            ("host", "10.0.1.10/24")):
                self.veth(ns, h, self.hosts[h], dev)
                e.ip(ns, "link", "set", h, "master", "brvpc")
                e.ip(self.hosts[h], "addr", "add", addr, "dev", dev)
        e.ip(self.hosts["host"], "route", "add", "default", "via", "10.0.1.1")
        for h in ("t1", "t2"):
            ns = self.hosts[h]
            for mark, dev in ((1, "eth0"), (2, "eth1")):
                e.sh(["iptables", "-t", "mangle", "-A", "PREROUTING", "-i", dev, "-j",
                      "CONNMARK", "--set-mark", str(mark)], ns=ns)
                e.ip(ns, "rule", "add", "fwmark", str(mark), "lookup", str(100 + mark))
                e.ip(ns, "route", "add", "default", "via", "10.0.2.1", "dev", dev, "onlink",
                     "table", str(100 + mark))
            e.sh(["iptables", "-t", "mangle", "-A", "OUTPUT", "-j", "CONNMARK",
                  "--restore-mark"], ns=ns)
            e.ip(ns, "route", "add", "default", "via", "10.0.2.1", "dev", "eth0")

    def files(self):
        d = self.env.dir
        self.big = os.urandom(BIG)
        for h in ("t1", "t2"):
            www = os.path.join(d, "www-" + h)
            os.mkdir(www)
            with open(os.path.join(www, "whoami"), "w") as f:
                f.write(h + "\n")
            with open(os.path.join(www, "big.bin"), "wb") as f:
                f.write(self.big)
            self.env.spawn(self.hosts[h], HTTPD + ["8080", "--bind", "0.0.0.0", "--directory",
                                                   www], "http-" + h)
        www = os.path.join(d, "www-cli")
        os.mkdir(www)
        with open(os.path.join(www, "nat.bin"), "wb") as f:
            f.write(os.urandom(NAT_BIG))
        self.env.spawn(self.cli, HTTPD + ["8000", "--bind", CLIENT, "--directory", www],
                       "http-cli")
        for h in ("t1", "t2"):
            self.env.wait_listen(self.hosts[h], 8080)
        self.env.wait_listen(self.cli, 8000)

    # ------------------------------------------------------------ FRR

    def frr(self, name, ns, conf):
        d = os.path.join(self.env.dir, "frr-" + name)
        os.mkdir(d)
        shutil.chown(d, "frr", "frr")
        with open(os.path.join(d, "bgpd.conf"), "w") as f:
            f.write(conf)
        open(os.path.join(d, "zebra.conf"), "w").close()
        common = ["--vty_socket", d, "-z", os.path.join(d, "zserv.api"), "--log", "stdout",
                  "--log-level", "notice"]
        self.env.spawn(ns, [FRR + "/zebra", "-f", os.path.join(d, "zebra.conf"),
                            "-i", os.path.join(d, "zebra.pid")] + common, "zebra-" + name)
        deadline = time.monotonic() + 10
        while not os.path.exists(os.path.join(d, "zserv.api")):
            if time.monotonic() > deadline:
                raise TestFailure("zebra %s did not start:\n%s"
                                  % (name, self.env.logtext("zebra-" + name)))
            time.sleep(0.05)
        self.env.spawn(ns, [FRR + "/bgpd", "-f", os.path.join(d, "bgpd.conf"),
                            "-i", os.path.join(d, "bgpd.pid"), "-p", "179"] + common,
                       "bgpd-" + name)
        return d

    def vtysh(self, d, ns, cmd):
        return self.env.sh(["vtysh", "--vty_socket", d, "-c", cmd], ns=ns, check_rc=False).stdout

    # ------------------------------------------------------------ vpcgw

    def start_node(self, n):
        e, d = self.env, NODES[n]
        self.runs[n] += 1
        label = "vpcgw-%s%d" % (n, self.runs[n])
        taps = ["vg%s%s%d" % (e.sfx, n, k) for k in range(2)]
        cfg = os.path.join(e.dir, "node-%s.cfg" % n)
        with open(cfg, "w") as f:
            f.write(CFG % dict(n=n, i=d["idx"], tap0=taps[0], tap1=taps[1], pub=NLB_PUB))
        stats = os.path.join(e.dir, "stats-%s%d.json" % (n, self.runs[n]))
        args = [vpcgw_path(), "-c", cfg, "-w", "1", "--stats-json", stats, "--stats-interval",
                "1"] + IDLE_ARGS + ["--", "--no-huge", "-m", "256", "--no-pci", "--log-level",
                "lib.eal:error", "--file-prefix", "vg19%s%s" % (e.sfx, n)]
        p = e.spawn(self.ns[n], args, label)
        deadline = time.monotonic() + 30
        while "ports," not in e.logtext(label):
            if p.poll() is not None or time.monotonic() > deadline:
                raise TestFailure("vpcgw %s did not start:\n%s" % (n, e.logtext(label)))
            time.sleep(0.1)
        for k, (tap, br) in enumerate(zip(taps, ("brvpc", "brup"))):
            e.ip(self.ns[n], "link", "set", "dev", tap, "address",
                 "02:ee:00:0%d:00:%02x" % (d["idx"], k))
            e.ip(self.ns[n], "link", "set", "dev", tap, "master", br, "up")
        if os.environ.get("VPCGW_E2E_CAPTURE") == "1":
            for tap in taps:
                e.spawn(self.ns[n], ["tshark", "-q", "-i", tap, "-w", os.path.join(
                    e.dir, "cap-%s.pcapng" % tap)], "tshark-" + tap)
        self.vpcgw[n] = (p, label, stats)
        log("vpcgw %s running (pid %d)" % (n, p.pid))

    def stop_node(self, n):
        p, label, stats = self.vpcgw[n]
        p.send_signal(signal.SIGTERM)
        rc = p.wait(timeout=30)
        check(rc == 0, "vpcgw %s exits 0 on SIGTERM (got %d)" % (n, rc))
        with open(stats) as f:
            js = json.load(f)
        t = js["totals"]
        check(t["rx"] == t["forwarded"] + t["local"] + t["drops"],
              "node %s accounting: rx %d == forwarded %d + local %d + drops %d"
              % (n, t["rx"], t["forwarded"], t["local"], t["drops"]))
        return js

    def stats(self, n):
        with open(self.vpcgw[n][2]) as f:
            return json.load(f)

    # ------------------------------------------------------------ checks

    def nexthops(self, prefix):
        r = self.env.ip(self.rtr, "-j", "route", "show", prefix, check_rc=False)
        hops = set()
        for rt in json.loads(r.stdout or "[]"):
            if "gateway" in rt:
                hops.add(rt["gateway"])
            for nh in rt.get("nexthops", []):
                hops.add(nh["gateway"])
        return hops

    def wait_routes(self, want, what, timeout):
        t0 = time.monotonic()
        while True:
            got = {p: self.nexthops(p) for p in want}
            if got == want:
                took = time.monotonic() - t0
                log("ok: %s (%.2f s)" % (what, took))
                return took
            if time.monotonic() - t0 > timeout:
                raise TestFailure("not within %.0f s: %s; router has %s" % (timeout, what, got))
            time.sleep(0.05)

    def whoami(self, ports):
        """One HTTP request per client port; returns the targets that answered."""
        got = []
        for sp in ports:
            r = self.env.sh(["curl", "-s", "--max-time", "5", "--local-port", str(sp),
                             "http://%s/whoami" % NLB_PUB], ns=self.cli, check_rc=False)
            got.append(r.stdout.strip() if r.returncode == 0 else "curl %d" % r.returncode)
        return got

    def diagnose(self, y):
        """What the hosts' kernels saw (a failed transfer)."""
        for h in ("t1", "t2"):
            ns = self.hosts[h]
            for args in (["ss", "-tni"], ["iptables", "-t", "mangle", "-L", "-v", "-n"],
                         ["ip", "-s", "link"], ["ip", "neigh"]):
                log("---- %s: %s\n%s" % (h, " ".join(args),
                                        self.env.sh(args, ns=ns, check_rc=False).stdout))
        log("---- cli ss\n" + self.env.sh(["ss", "-tni"], ns=self.cli, check_rc=False).stdout)
        js = self.stats(y)
        log("---- node %s: drops %s NLB %s" % (y.upper(),
                                             {k: v for k, v in js["drops"].items() if v},
                                             js["nlb"]["web"]["listeners"]["tcp:80"]))

    def nlb_bytes(self, n):
        return self.stats(n)["nlb"]["web"]["listeners"]["tcp:80"]["ProcessedBytes"]

    def new_flows(self, n):
        return self.stats(n)["nlb"]["web"]["listeners"]["tcp:80"]["NewFlowCount"]


def body(env):
    ensure_frr()
    so = ScaleOut(env)
    so.topology()
    so.files()
    for n in NODES:
        so.start_node(n)
    frr = {"rtr": so.frr("rtr", so.rtr, RTR_BGP)}
    for n, d in NODES.items():
        frr[n] = so.frr(n, so.ns[n], NODE_BGP % dict(n=n, i=d["idx"], asn=d["asn"]))
        env.spawn(so.ns[n], [PY, os.path.join(TOOLS, "vpcgw-bgp-health"), "--health",
                             "127.0.0.1:8080", "--asn", str(d["asn"]), "--prefix",
                             NLB_PUB + "/32", "--prefix", "198.51.100.1%d/32" % d["idx"],
                             "--vtysh", "vtysh --vty_socket " + frr[n]], "health-" + n)
    both = {NLB_PUB + "/32": {"192.0.2.1", "192.0.2.2"}, "198.51.100.11/32": {"192.0.2.1"},
            "198.51.100.12/32": {"192.0.2.2"}}
    so.wait_routes(both, "router: NLB address over both nodes (ECMP), each NAT address "
                   "through its node", 30)

    # new connections spread over both nodes
    got = so.whoami(range(41000, 41024))
    check(all(g in ("t1", "t2") for g in got), "24 connections answered: %s" % got)
    check("t1" in got and "t2" in got, "both targets served")
    env_wait(lambda: so.new_flows("a") + so.new_flows("b") >= 24, "counters written")
    fa, fb = so.new_flows("a"), so.new_flows("b")
    check(fa > 0 and fb > 0 and fa + fb == 24,
          "new connections spread over both nodes: A %d, B %d NLB flows" % (fa, fb))

    # a download through one node (the router's hash decides which: the client
    # kernel's per-socket hash, see docs/SCALE-OUT.md), then a NAT download through it
    bytes0 = {n: so.nlb_bytes(n) for n in NODES}
    out = os.path.join(env.dir, "download.bin")
    dl = env.spawn(so.cli, ["curl", "-s", "-S", "--keepalive-time", "1", "--local-port",
                            "42000", "--limit-rate", "1M", "--max-time", "60", "-o", out,
                            "http://%s/big.bin" % NLB_PUB], "curl-nlb")
    env_wait(lambda: os.path.exists(out) and os.path.getsize(out) > 1024 * 1024,
             "1 MB of the NLB download received")
    time.sleep(1.2)     # both nodes' counters written after that
    grew = {n: so.nlb_bytes(n) - bytes0[n] for n in NODES}
    x = max(grew, key=grew.get)
    y = "b" if x == "a" else "a"
    ix, iy = NODES[x]["idx"], NODES[y]["idx"]
    check(grew[x] > 1024 * 1024 and grew[y] < 64 * 1024,
          "node %s carries the NLB download: NLB ProcessedBytes +%d on %s, +%d on %s"
          % (x.upper(), grew[x], x.upper(), grew[y], y.upper()))
    host = so.hosts["host"]
    env.ip(host, "route", "replace", "default", "via", "10.0.1.1", "dev",
           "eth0" if x == "a" else "eth1")
    nat = env.spawn(host, ["curl", "-s", "-S", "--limit-rate", "512k", "--speed-time", "4",
                           "--speed-limit", "1000", "--max-time", "60", "-o",
                           os.path.join(env.dir, "nat.bin"),
                           "http://%s:8000/nat.bin" % CLIENT], "curl-nat")
    env_wait(lambda: so.stats(x)["nat"]["nat-a"]["ActiveConnectionCount"] >= 1,
             "node %s carries the private host's NAT download (from 198.51.100.1%d)"
             % (x.upper(), ix))

    # node X stops
    t_stop = time.monotonic()
    js = so.stop_node(x)
    lost = js["nat"]["nat-a"]["ActiveConnectionCount"]
    so.wait_routes({NLB_PUB + "/32": {"192.0.2.%d" % iy}, "198.51.100.1%d/32" % ix: set(),
                    "198.51.100.1%d/32" % iy: {"192.0.2.%d" % iy}},
                   "node %s stopped: its routes withdrawn" % x.upper(), 10)
    took = time.monotonic() - t_stop
    check(took <= 3.0, "withdrawn within 3 s of the stop (%.2f s)" % took)
    check(lost >= 1, "node %s's last counters: %d NAT connection(s) open at exit (lost)"
          % (x.upper(), lost))
    rc = dl.wait(timeout=60)
    if rc != 0:
        so.diagnose(y)
    with open(out, "rb") as f:
        data = f.read()
    check(rc == 0 and hashlib.sha256(data).hexdigest() == hashlib.sha256(so.big).hexdigest(),
          "the NLB download completed through node %s (curl %d, %d bytes, sha256 %s)"
          % (y.upper(), rc, len(data), "right" if data == so.big else "WRONG"))
    env_wait(lambda: so.stats(y)["nlb"]["web"]["listeners"]["tcp:80"]["MidFlowPlacedCount"] >= 1,
             "node %s picked the download up mid-flow (MidFlowPlacedCount >= 1)" % y.upper(),
             timeout=3)
    rc = nat.wait(timeout=60)
    check(rc != 0, "the NAT download through the stopped node fails (curl %d)" % rc)
    before = so.new_flows(y)
    got = so.whoami(range(43000, 43012))
    check(all(g in ("t1", "t2") for g in got), "12 new connections answered: %s" % got)
    env_wait(lambda: so.new_flows(y) >= before + 12, "all 12 through node %s" % y.upper())

    # node X restarted
    t_start = time.monotonic()
    so.start_node(x)
    so.wait_routes(both, "node %s restarted: announced again" % x.upper(), 10)
    took = time.monotonic() - t_start
    check(took <= 10, "announced %.2f s after the start (vpcgw start + 2 good polls)" % took)
    got = so.whoami(range(44000, 44024))
    check(all(g in ("t1", "t2") for g in got), "24 connections answered: %s" % got)
    env_wait(lambda: so.new_flows(x) >= 1, "node %s takes new connections again"
             % x.upper())
    for n in NODES:
        so.stop_node(n)
    for n in NODES:
        log("---- health-%s\n%s" % (n, env.logtext("health-" + n)))


def env_wait(cond, what, timeout=15):
    deadline = time.monotonic() + timeout
    while True:
        try:
            if cond():
                log("ok: " + what)
                return
        except (OSError, ValueError, KeyError):
            pass
        if time.monotonic() > deadline:
            raise TestFailure("not within %d s: %s" % (timeout, what))
        time.sleep(0.2)


if __name__ == "__main__":
    run("scaleout", body)
