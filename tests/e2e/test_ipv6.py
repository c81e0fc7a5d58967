# SPDX-License-Identifier: BSD-3-Clause
"""
e2e-ipv6: two Linux hosts in two IPv6 subnets, each on a vpcgw port of its
own, talk through vpcgw over IPv6 with the kernel's own stacks (SPEC §7).

  ns ha  2600:1f18:a:b01::10/64 (subnet a) --- port a
  ns hb  2600:1f18:a:b02::20/64 (subnet b) --- port b
  VPC 2600:1f18:a:b00::/56; no static neighbor: every MAC is found by
  Neighbor Discovery, by the hosts (vpcgw's link-local router address) and
  by vpcgw (the hosts).

Checks: each host learns its default route from vpcgw's Router
Advertisement (router fe80::ff:fe00:1 / fe80::ff:fe00:101, the port MACs'
EUI-64) and resolves it by NS/NA; `ping -6` across the subnets both ways and
to the subnet router ::1; a UDP request/answer and a 2 MB TCP transfer with
its sha256 checked at the other end; `ping -6 -t 1` gets ICMPv6 time
exceeded from the subnet's ::1; the counters (forwarded both ways, the hop
limit drop, accounting identity).
"""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2etest import PY, TestFailure, check, log, run  # noqa: E402

PFX = "2600:1f18:a:b0"
A6, B6 = PFX + "1::10", PFX + "2::20"
RA_, RB_ = PFX + "1::1", PFX + "2::1"
LL = {"a": "fe80::ff:fe00:1", "b": "fe80::ff:fe00:101"}
MAC = {"a": "02:00:00:00:00:01", "b": "02:00:00:00:01:01"}

CFG = """
dpdk = { workers = %(workers)d; mbufs = 8191; flow_table_size = 65536; };
ports = (
  { name = "a"; devargs = "%(a)s"; mac = "02:00:00:00:00:01"; address = "10.0.1.1/24";
    rx_queues = %(rxq)d; },
  { name = "b"; devargs = "%(b)s"; mac = "02:00:00:00:01:01"; address = "10.0.2.1/24";
    rx_queues = %(rxq)d; }
);
vpc = {
  cidr = "10.0.0.0/16"; ipv6_cidr = "2600:1f18:a:b00::/56";
  subnets = (
    { name = "sa"; cidr = "10.0.1.0/24"; ipv6_cidr = "2600:1f18:a:b01::/64"; port = "a"; },
    { name = "sb"; cidr = "10.0.2.0/24"; ipv6_cidr = "2600:1f18:a:b02::/64"; port = "b"; }
  );
};
"""

# UDP: answer each datagram upper-cased; TCP: read to EOF, answer the sha256
SERVER = r"""
import hashlib, socket, sys, threading
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u.bind(("::", 9000))
t = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); t.bind(("::", 9001)); t.listen(4)
def udp():
    while True:
        d, a = u.recvfrom(2048); u.sendto(d.upper(), a)
threading.Thread(target=udp, daemon=True).start()
print("listening", flush=True)
while True:
    c, a = t.accept(); h = hashlib.sha256(); n = 0
    while True:
        d = c.recv(65536)
        if not d: break
        h.update(d); n += len(d)
    c.sendall(("%s %d %s\n" % (h.hexdigest(), n, a[0])).encode()); c.close()
"""

CLIENT = r"""
import hashlib, os, socket, sys
dst, what = sys.argv[1], sys.argv[2]
if what == "udp":
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.settimeout(3)
    for i in range(5):
        s.sendto(b"hello over ipv6", (dst, 9000))
        try:
            print(s.recvfrom(2048)[0].decode()); break
        except socket.timeout:
            continue
    else:
        print("timeout")
else:
    blob = os.urandom(2 << 20)
    s = socket.create_connection((dst, 9001), timeout=10)
    s.sendall(blob); s.shutdown(socket.SHUT_WR)
    r = b""
    while not r.endswith(b"\n"):
        d = s.recv(4096)
        if not d: break
        r += d
    print(hashlib.sha256(blob).hexdigest(), len(blob), r.decode().strip())
"""


def enable_ipv6(env, ns, addr):
    """e2etest turns IPv6 off in every namespace; these hosts want it, with
    router advertisements accepted (the kernel does not forward here)."""
    env.sh(["sysctl", "-eqw", "net.ipv6.conf.all.disable_ipv6=0",
            "net.ipv6.conf.default.disable_ipv6=0", "net.ipv6.conf.eth0.disable_ipv6=0",
            "net.ipv6.conf.eth0.accept_ra=1", "net.ipv6.conf.eth0.accept_dad=0"], ns=ns)
    env.ip(ns, "-6", "addr", "add", addr + "/64", "dev", "eth0", "nodad")


def wait_ra(env, ns, router, timeout=20):
    """The host's default route, learned from vpcgw's RA (Linux solicits it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = env.ip(ns, "-6", "route", "show", "default")
        if ("via " + router) in r.stdout and "proto ra" in r.stdout:
            log("ok: %s default route from RA: %s" % (ns, r.stdout.strip()))
            return
        time.sleep(0.3)
    raise TestFailure("%s: no default route via %s from a router advertisement (%s)"
                      % (ns, router, env.ip(ns, "-6", "route").stdout))


def ping6(env, ns, dst, count=3, extra=()):
    r = env.sh(["ping", "-6", "-n", "-c", str(count), "-i", "0.3", "-W", "2"] + list(extra) +
               [dst], ns=ns, check_rc=False, timeout=30)
    return r


def body(env):
    devargs = {"a": env.add_port("a"), "b": env.add_port("b")}
    env.start_vpcgw(CFG % dict(workers=env.workers, rxq=env.rxq(), **devargs),
                    stats_interval=1)
    ha = env.add_host("ha", "a", "10.0.1.10/24")
    hb = env.add_host("hb", "b", "10.0.2.20/24")
    enable_ipv6(env, ha, A6)
    enable_ipv6(env, hb, B6)
    wait_ra(env, ha, LL["a"])
    wait_ra(env, hb, LL["b"])

    for ns, dst in ((ha, B6), (hb, A6), (ha, RA_), (hb, RB_)):
        r = ping6(env, ns, dst)
        check(r.returncode == 0 and " 0% packet loss" in r.stdout,
              "ping -6 %s from %s:\n%s%s" % (dst, ns, r.stdout, r.stderr))
        log("ok: ping -6 %s from %s" % (dst, ns))
    # ND resolved both ways by the hosts: the router's link-local with the port MAC
    for ns, p in ((ha, "a"), (hb, "b")):
        r = env.ip(ns, "-6", "neigh", "show", "dev", "eth0")
        check(re.search(r"%s lladdr %s router" % (LL[p], MAC[p]), r.stdout) is not None,
              "%s: neighbor %s %s (router) resolved by ND: %s" % (ns, LL[p], MAC[p], r.stdout))
    log("ok: both hosts resolved vpcgw by NS/NA")

    env.spawn(hb, [PY, "-c", SERVER], "server6")
    deadline = time.monotonic() + 10
    while "listening" not in env.logtext("server6"):
        check(time.monotonic() < deadline, "IPv6 server did not start: " + env.logtext("server6"))
        time.sleep(0.1)
    r = env.sh([PY, "-c", CLIENT, B6, "udp"], ns=ha, timeout=30)
    check(r.stdout.strip() == "HELLO OVER IPV6", "UDP over IPv6: %r" % r.stdout)
    log("ok: UDP request/answer over IPv6")
    r = env.sh([PY, "-c", CLIENT, B6, "tcp"], ns=ha, timeout=60)
    f = r.stdout.split()
    check(len(f) == 5 and f[0] == f[2] and f[1] == f[3] == str(2 << 20) and f[4] == A6,
          "TCP over IPv6: sha256, length and client address at the server: %r" % r.stdout)
    log("ok: 2 MB over TCP/IPv6, sha256 %s..., client seen as %s" % (f[0][:12], f[4]))

    r = ping6(env, ha, B6, count=1, extra=["-t", "1"])
    check(("From " + RA_) in r.stdout and "Time exceeded" in r.stdout,
          "ping -6 -t 1: time exceeded from %s:\n%s" % (RA_, r.stdout))
    log("ok: hop limit 1 answered with time exceeded from %s" % RA_)

    st = env.stop_vpcgw()
    fa, fb = st["ports"]["a"]["forwarded"], st["ports"]["b"]["forwarded"]
    check(fa >= 1000 and fb >= 10, "forwarded a %d, b %d" % (fa, fb))
    check(st["drops"].get("ip6_hop_limit", 0) == 1, "drops.ip6_hop_limit %s"
          % st["drops"].get("ip6_hop_limit"))
    for k in ("nd_timeout", "nd_queue_full", "nd_invalid", "icmp6_checksum", "no_route",
              "ipv6_unsupported", "ip6_filter_unsupported"):
        check(st["drops"].get(k, 0) == 0, "drops.%s = %s" % (k, st["drops"].get(k)))
    log("counters: forwarded a %d b %d, local a %d b %d, drops %s" % (
        fa, fb, st["ports"]["a"]["local"], st["ports"]["b"]["local"],
        {k: v for k, v in st["drops"].items() if v}))


if __name__ == "__main__":
    run("ipv6", body)
