# SPDX-License-Identifier: BSD-3-Clause
"""
Harness of the `e2e` suite: the real vpcgw binary between Linux network
namespaces that carry real kernel TCP/UDP/ICMP stacks.

Topology built by Env (every name carries a random suffix, so tests and
stale leftovers never collide):

    ns "gw":   vpcgw (started with `ip netns exec`), so the TAP interfaces its
               net_tap ports create appear in this namespace; one Linux bridge
               per vpcgw port, the TAP enslaved to it.
    ns hosts:  one namespace per host (VPC instance, internet router/servers,
               GWLB appliance), each with an `eth0` veth whose peer is a port
               of the bridge of its vpcgw port.

    host eth0 <-veth-> [bridge <-> TAP] (ns gw) <-net_tap-> vpcgw port

net_tap gives the kernel side of the TAP the MAC of the DPDK port when vpcgw
sets the port MAC (rte_eth_dev_default_mac_addr_set reaches the kernel
netdevice too). A bridge treats its ports' own MACs as local and would keep
frames addressed to vpcgw for itself, so once vpcgw has started, the kernel
side of every TAP gets a MAC of its own (02:ee:...) before joining the bridge.

Cleanup (Env.close, called from a finally block and on SIGTERM/SIGINT): the
processes this test started (their Popen handles, TERM then KILL), anything
still running inside the namespaces this test created (forked children of
those processes), then the namespaces themselves (which destroys their veths,
bridges and TAPs). Nothing outside those namespaces is touched.

Environment: VPCGW (binary; default ../../build/vpcgw from this file),
VPCGW_E2E_KEEP=1 keep the temporary directory (logs, stats, captures),
VPCGW_E2E_CAPTURE=1 run tshark on every TAP (pcaps in the temporary
directory), VPCGW_E2E_VERBOSE=1 print every command, VPCGW_E2E_WORKERS=N run
vpcgw with N workers when the test is not given --workers (default 1: CI
machines may have 2 cores, and every worker busy-polls one).
"""
import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3"
HTTPD = [PY, os.path.join(HERE, "httpd.py")]     # http.server without its DNS lookup
SERVERS = [PY, os.path.join(HERE, "servers.py")]
EAL_ARGS = ["--no-huge", "-m", "512", "--no-pci", "--log-level", "lib.eal:error"]
# Idle workers sleep (dpdk.idle_sleep_us, up to 1 ms) rather than spin, so the
# e2e tests can run beside the other suites on 2 cores (tests/run.sh);
# VPCGW_IDLE_SLEEP_US=0: spin, as vpcgw does by default.
IDLE_ARGS = ["--idle-sleep-us", os.environ.get("VPCGW_IDLE_SLEEP_US", "1000")]
VERBOSE = os.environ.get("VPCGW_E2E_VERBOSE") == "1"


class TestFailure(Exception):
    pass


def log(msg):
    print(msg, flush=True)


def check(cond, msg):
    if not cond:
        raise TestFailure(msg)
    log("ok: " + msg)


def vpcgw_path():
    p = os.environ.get("VPCGW") or os.path.join(HERE, "..", "..", "build", "vpcgw")
    return os.path.abspath(p)


class Env:
    """One test's namespaces, bridges, processes and temporary files."""

    def __init__(self, name, workers=1):
        self.name = name
        self.workers = workers
        self.sfx = secrets.token_hex(3)
        self.dir = tempfile.mkdtemp(prefix="vpcgw-e2e-%s-" % name)
        self.netns = []             # created by us, deleted by close()
        self.procs = []             # (Popen, label, log file object or None)
        self.vpcgw = None
        self.vpcgw_out = None
        self.stats = None
        self.ports = {}             # vpcgw port name -> (tap, bridge)
        self.nveth = 0
        self.closed = False
        self.gw = self.add_netns("gw")
        log("e2e %s: suffix %s, directory %s" % (name, self.sfx, self.dir))

    # ---------------------------------------------------------- commands

    def sh(self, args, ns=None, timeout=30, check_rc=True, input=None):
        """Run a command (in a namespace), wait for it, return CompletedProcess."""
        if ns is not None:
            args = ["ip", "netns", "exec", ns] + list(args)
        if VERBOSE:
            log("+ " + " ".join(args))
        r = subprocess.run(args, capture_output=True, text=True, timeout=timeout, input=input)
        if check_rc and r.returncode != 0:
            raise TestFailure("command failed (%d): %s\n%s%s" % (r.returncode, " ".join(args),
                                                                 r.stdout, r.stderr))
        return r

    def ip(self, ns, *args, check_rc=True):
        return self.sh(["ip", "-n", ns] + list(args), check_rc=check_rc)

    def spawn(self, ns, args, label, stdin=None):
        """Start a long-running process in a namespace; output to DIR/label.log."""
        path = os.path.join(self.dir, label + ".log")
        f = open(path, "w")
        full = ["ip", "netns", "exec", ns] + list(args)
        if VERBOSE:
            log("& " + " ".join(full))
        p = subprocess.Popen(full, stdout=f, stderr=subprocess.STDOUT,
                             stdin=stdin if stdin is not None else subprocess.DEVNULL)
        self.procs.append((p, label, f))
        return p

    def logtext(self, label):
        try:
            with open(os.path.join(self.dir, label + ".log")) as f:
                return f.read()
        except OSError:
            return ""

    # ---------------------------------------------------------- topology

    def add_netns(self, role):
        ns = "vge2e-%s-%s" % (self.sfx, role)
        self.sh(["ip", "netns", "add", ns])
        self.netns.append(ns)
        # no IPv6 chatter (router/neighbour solicitations, MLD) on the wires
        self.sh(["sysctl", "-eqw", "net.ipv6.conf.all.disable_ipv6=1",
                 "net.ipv6.conf.default.disable_ipv6=1",
                 "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0"], ns=ns)
        self.ip(ns, "link", "set", "lo", "up")
        return ns

    def rxq(self):
        """rx_queues for a net_tap port: the tap PMD refuses a configuration with
        different numbers of rx and tx queues, and vpcgw gives a port one tx
        queue per worker; without `rx_queues = workers`, `-w 2` fails at start
        ("configure (1 rx, 2 tx queues): Operation not permitted")."""
        return self.workers

    def add_port(self, port, mtu=1500):
        """A bridge in ns gw for vpcgw port `port`; its TAP joins it once vpcgw runs."""
        idx = len(self.ports)
        tap = "vg%s%d" % (self.sfx, idx)           # <= 15 characters
        br = "br%d" % idx
        self.ip(self.gw, "link", "add", br, "mtu", str(mtu), "type", "bridge")
        self.ip(self.gw, "link", "set", br, "up")
        self.ports[port] = {"tap": tap, "bridge": br, "mtu": mtu, "idx": idx}
        return "net_tap%d,iface=%s" % (idx, tap)

    def add_host(self, role, port, addr, gateway=None, extra=(), mtu=1500):
        """A namespace with eth0 (addr "a.b.c.d/len") on the bridge of vpcgw port `port`,
        default route via `gateway`, extra addresses ("x/32") on lo."""
        ns = self.add_netns(role)
        self.nveth += 1
        peer = "h%d" % self.nveth
        self.ip(self.gw, "link", "add", peer, "mtu", str(mtu), "type", "veth",
                "peer", "name", "eth0", "netns", ns)
        self.ip(self.gw, "link", "set", peer, "master", self.ports[port]["bridge"], "up")
        self.ip(ns, "link", "set", "eth0", "mtu", str(mtu), "up")
        self.ip(ns, "addr", "add", addr, "dev", "eth0")
        for a in extra:
            self.ip(ns, "addr", "add", a, "dev", "lo")
        if gateway is not None:
            self.ip(ns, "route", "add", "default", "via", gateway)
        return ns

    # ---------------------------------------------------------- vpcgw

    def start_vpcgw(self, cfg_text, workers=None, timeout=30, stats_interval=0):
        cfg = os.path.join(self.dir, "vpcgw.cfg")
        with open(cfg, "w") as f:
            f.write(cfg_text)
        self.stats_path = os.path.join(self.dir, "stats.json")
        if workers is None:
            workers = self.workers
        args = [vpcgw_path(), "-c", cfg, "-w", str(workers), "--stats-json", self.stats_path]
        args += IDLE_ARGS
        if stats_interval:
            # --stats-json is rewritten (atomically) every interval: see wait_stats()
            args += ["--stats-interval", str(stats_interval)]
        args += ["--"] + EAL_ARGS
        self.vpcgw = self.spawn(self.gw, args, "vpcgw")
        deadline = time.monotonic() + timeout
        # vpcgw prints its summary line once every port is started (and its MAC set)
        while "ports," not in self.logtext("vpcgw"):
            if self.vpcgw.poll() is not None:
                raise TestFailure("vpcgw exited with %d at start:\n%s"
                                  % (self.vpcgw.returncode, self.logtext("vpcgw")))
            if time.monotonic() > deadline:
                raise TestFailure("vpcgw did not start within %ds:\n%s"
                                  % (timeout, self.logtext("vpcgw")))
            time.sleep(0.1)
        for name, p in self.ports.items():
            while self.ip(self.gw, "link", "show", "dev", p["tap"], check_rc=False).returncode:
                if time.monotonic() > deadline:
                    raise TestFailure("TAP %s of port %s did not appear" % (p["tap"], name))
                time.sleep(0.1)
            # a MAC of the kernel side's own, distinct from vpcgw's (see the module doc)
            self.ip(self.gw, "link", "set", "dev", p["tap"], "address",
                    "02:ee:00:00:00:%02x" % p["idx"])
            self.ip(self.gw, "link", "set", "dev", p["tap"], "mtu", str(p["mtu"]))
            self.ip(self.gw, "link", "set", "dev", p["tap"], "master", p["bridge"], "up")
            if os.environ.get("VPCGW_E2E_CAPTURE") == "1":
                self.spawn(self.gw, ["tshark", "-q", "-i", p["tap"], "-w",
                                     os.path.join(self.dir, "cap-%s.pcapng" % name)],
                           "tshark-" + name)
        if os.environ.get("VPCGW_E2E_CAPTURE") == "1":
            time.sleep(1.5)
        log("vpcgw running (pid %d)" % self.vpcgw.pid)

    def vpcgw_alive(self):
        return self.vpcgw is not None and self.vpcgw.poll() is None

    def stop_vpcgw(self, timeout=30):
        """SIGTERM; expect exit 0; return the --stats-json object."""
        p = self.vpcgw
        check(p.poll() is None, "vpcgw still running at the end of the test")
        p.send_signal(signal.SIGTERM)
        try:
            rc = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise TestFailure("vpcgw did not exit within %ds of SIGTERM" % timeout)
        out = self.logtext("vpcgw")
        log("---- vpcgw output (tail)\n" + "\n".join(out.splitlines()[-60:]) + "\n----")
        check(rc == 0, "vpcgw exits 0 on SIGTERM (got %d)" % rc)
        with open(self.stats_path) as f:
            self.stats = json.load(f)
        t = self.stats["totals"]
        check(t["rx"] == t["forwarded"] + t["local"] + t["drops"],
              "accounting: rx %d == forwarded %d + local %d + drops %d"
              % (t["rx"], t["forwarded"], t["local"], t["drops"]))
        for name, ps in self.stats["ports"].items():
            check(ps["rx"] == ps["forwarded"] + ps["local"] + ps["dropped"],
                  "accounting of port %s: rx %d == forwarded %d + local %d + dropped %d"
                  % (name, ps["rx"], ps["forwarded"], ps["local"], ps["dropped"]))
        return self.stats

    def wait_stats(self, pred, what, timeout=30):
        """Poll the --stats-json file of a running vpcgw (started with stats_interval)
        until pred(stats) holds."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                with open(self.stats_path) as f:
                    if pred(json.load(f)):
                        log("ok: " + what)
                        return
            except (OSError, ValueError, KeyError):
                pass
            if time.monotonic() > deadline:
                raise TestFailure("not within %ds: %s" % (timeout, what))
            time.sleep(0.25)

    def stats_now(self):
        """The latest --stats-json of a running vpcgw (started with stats_interval;
        rewritten atomically every interval)."""
        with open(self.stats_path) as f:
            return json.load(f)

    def drops(self, stats=None):
        return {k: v for k, v in (stats or self.stats)["drops"].items() if v}

    # ---------------------------------------------------------- helpers

    def wait_listen(self, ns, port, proto="tcp", timeout=10):
        flag = "-Hltn" if proto == "tcp" else "-Hlun"
        deadline = time.monotonic() + timeout
        while True:
            r = self.sh(["ss", flag, "sport", "=", ":%d" % port], ns=ns, check_rc=False)
            if r.returncode == 0 and r.stdout.strip():
                return
            if time.monotonic() > deadline:
                raise TestFailure("nothing listens on %s port %d in %s" % (proto, port, ns))
            time.sleep(0.1)

    def probe(self, ns, proto, host, port, timeout=3.0, src=None, data="ping", sport=0,
              http=None):
        """tcp: connect (+ send a line, read the answer; or an HTTP/1.0 GET of
        http); udp: send, await a datagram. sport: a fixed source port.
        Returns the dict printed by probe.py: result connected|reply|refused|timeout|..."""
        args = [PY, os.path.join(HERE, "probe.py"), proto, host, str(port),
                "--timeout", str(timeout), "--data", data]
        if src:
            args += ["--src", src]
        if sport:
            args += ["--sport", str(sport)]
        if http:
            args += ["--http", http]
        r = self.sh(args, ns=ns, timeout=timeout + 10)
        return json.loads(r.stdout)

    def close(self):
        if self.closed:
            return
        self.closed = True
        for p, label, f in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
        deadline = time.monotonic() + 5
        for p, label, f in self.procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            f.close()
        # forked children (socat fork, shells) still inside our namespaces
        for ns in self.netns:
            r = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True)
            for pid in r.stdout.split():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
        for ns in reversed(self.netns):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        if os.environ.get("VPCGW_E2E_KEEP") == "1":
            log("kept %s" % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


def run(name, body):
    """Run body(env) with cleanup on any exit; exit status for meson (77: skip).
    Command line: [--workers N] (default: VPCGW_E2E_WORKERS, else 1)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int,
                    default=int(os.environ.get("VPCGW_E2E_WORKERS", "1")))
    args = ap.parse_args()
    if os.geteuid() != 0:
        log("e2e tests need root (network namespaces, TAP devices)")
        sys.exit(77)
    for tool in ("ip", "ss", "socat", "curl", "ping"):
        if shutil.which(tool) is None:
            log("missing tool: %s (tools/setup.sh installs it)" % tool)
            sys.exit(1)
    env = Env(name, args.workers)

    def on_signal(signum, frame):
        env.close()
        sys.exit(1)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    t0 = time.monotonic()
    rc = 1
    try:
        body(env)
        rc = 0
        log("PASS %s (%.1f s)" % (name, time.monotonic() - t0))
    except TestFailure as e:
        log("FAIL %s: %s" % (name, e))
        if env.vpcgw is not None and env.stats is None and env.vpcgw_alive():
            # counters of the failing run: drops by reason say where packets went
            try:
                env.vpcgw.send_signal(signal.SIGTERM)
                env.vpcgw.wait(timeout=20)
                log("---- vpcgw output\n" + env.logtext("vpcgw"))
            except Exception as e2:     # noqa: BLE001 (diagnostics only)
                log("could not stop vpcgw: %s" % e2)
    finally:
        env.close()
    sys.exit(rc)
