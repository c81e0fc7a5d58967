# SPDX-License-Identifier: BSD-3-Clause
"""
e2e-vlan: two overlapping VPCs (10.0.0.0/16 twice) on one trunk port, kept
apart by 802.1Q VLAN (SPEC §8, issue #18). Each host is a namespace with a
real Linux stack behind an 802.1Q access port: the kernels of these VMs have
no VLAN devices (no 8021q, no bridge VLAN filtering, no tc vlan action), so
`vlan_relay.py` in ns gw tags what the host sends and untags what vpcgw sends
on its VLAN, between the host's veth and a veth on the bridge of vpcgw's port
(the trunk). Each VPC has a client 10.0.1.10 and a server 10.0.2.20, the same
addresses in both:

  VPC blue  c1 10.0.1.0/24 VLAN 10, s1 10.0.2.0/24 VLAN 11 (NACL nb: TCP 81 in denied)
  VPC red   c2 10.0.1.0/24 VLAN 20, s2 10.0.2.0/24 VLAN 21 (no NACL)

  - the two clients connect from the same source port to the same address and
    port at once: two connections of one 5-tuple, both established before
    either sends, each answered by its own VPC's server (the reply names it);
  - blue's NACL refuses TCP 81 into s1 (times out); red's connects.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2etest import PY, SERVERS, TestFailure, check, log, run  # noqa: E402

CFG = """
dpdk = { workers = %(workers)d; mbufs = 8191; flow_table_size = 65536; };
ports = ( { name = "p1"; devargs = "%(p1)s"; mac = "02:00:00:00:00:01";
            address = "192.168.255.1/24"; } );
vpcs = (
  { name = "blue"; cidr = "10.0.0.0/16"; subnets = (
      { name = "c1"; cidr = "10.0.1.0/24"; port = "p1"; vlan = 10; },
      { name = "s1"; cidr = "10.0.2.0/24"; port = "p1"; vlan = 11; network_acl = "nb"; } ); },
  { name = "red"; cidr = "10.0.0.0/16"; subnets = (
      { name = "c2"; cidr = "10.0.1.0/24"; port = "p1"; vlan = 20; },
      { name = "s2"; cidr = "10.0.2.0/24"; port = "p1"; vlan = 21; } ); } );
network_acls = ( { name = "nb";
  ingress = ( { rule = 10; protocol = "tcp"; ports = "81"; cidr = "0.0.0.0/0"; action = "deny"; },
              { rule = 100; protocol = "all"; cidr = "0.0.0.0/0"; action = "allow"; } );
  egress = ( { rule = 100; protocol = "all"; cidr = "0.0.0.0/0"; action = "allow"; } ); } );
"""

CLIENT, SERVER = "10.0.1.10", "10.0.2.20"

# connect from port 40000, wait until the other VPC's client has connected
# too, then one line each way
HOLD = r"""
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 40000))
s.settimeout(5)
s.connect((sys.argv[1], 80))
print("connected", flush=True)
time.sleep(float(sys.argv[2]))
s.sendall(b"hello\n")
print("reply " + s.recv(200).decode().strip(), flush=True)
"""


def vlan_host(env, role, vlan, addr, gateway):
    """A namespace with eth0 (addr/24, default route via gateway) on an access
    port of VLAN vlan: its veth peer aN and the trunk veth tN (its peer tbN on
    p1's bridge) in ns gw, joined by vlan_relay.py."""
    ns = env.add_netns(role)
    a, t, tb = "a%d" % vlan, "t%d" % vlan, "tb%d" % vlan
    env.ip(env.gw, "link", "add", a, "type", "veth", "peer", "name", "eth0", "netns", ns)
    env.ip(env.gw, "link", "add", t, "type", "veth", "peer", "name", tb)
    env.ip(env.gw, "link", "set", tb, "master", env.ports["p1"]["bridge"], "up")
    for i in (a, t):
        env.ip(env.gw, "link", "set", i, "up")
    env.ip(ns, "link", "set", "eth0", "up")
    env.ip(ns, "addr", "add", addr + "/24", "dev", "eth0")
    env.ip(ns, "route", "add", "default", "via", gateway)
    env.spawn(env.gw, [PY, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                        "vlan_relay.py"),
                       "--access", a, "--trunk", t, "--vlan", str(vlan)], "relay%d" % vlan)
    return ns


def body(env):
    devargs = {"p1": env.add_port("p1")}
    ns = {"c1": vlan_host(env, "c1", 10, CLIENT, "10.0.1.1"),
          "s1": vlan_host(env, "s1", 11, SERVER, "10.0.2.1"),
          "c2": vlan_host(env, "c2", 20, CLIENT, "10.0.1.1"),
          "s2": vlan_host(env, "s2", 21, SERVER, "10.0.2.1")}
    env.spawn(ns["s1"], SERVERS + ["--name", "blue", "--tcp", "80", "--tcp", "81"], "blue")
    env.spawn(ns["s2"], SERVERS + ["--name", "red", "--tcp", "80", "--tcp", "81"], "red")
    for s in ("s1", "s2"):
        env.wait_listen(ns[s], 80)
        env.wait_listen(ns[s], 81)
    env.start_vpcgw(CFG % dict(devargs, workers=env.workers))

    # the same 5-tuple in both VPCs, at once
    cl = {c: env.spawn(ns[c], [PY, "-c", HOLD, SERVER, "1.5"], "hold-" + c) for c in ("c1", "c2")}
    deadline = time.monotonic() + 20
    for c, p in cl.items():
        try:
            p.wait(timeout=max(1, deadline - time.monotonic()))
        except Exception as e:  # noqa: BLE001
            raise TestFailure("client %s did not finish: %s" % (c, e))
    out = {c: env.logtext("hold-" + c) for c in cl}
    log("clients: %s" % out)
    for c, name in (("c1", "blue"), ("c2", "red")):
        check(out[c].startswith("connected\n") and
              ("reply %s tcp/80 %s:40000" % (name, CLIENT)) in out[c],
              "%s: %s:40000 -> %s:80 answered by VPC %s's server" % (c, CLIENT, SERVER, name))
    for srv in ("blue", "red"):
        check(env.logtext(srv).count('"peer": "%s:40000"' % CLIENT) == 1,
              "VPC %s's server saw exactly one connection from %s:40000" % (srv, CLIENT))

    # each VPC's NACL on its own traffic
    r = env.probe(ns["c1"], "tcp", SERVER, 81, timeout=2)
    check(r["result"] == "timeout", "blue: TCP 81 into s1 refused by NACL nb: %s" % r)
    r = env.probe(ns["c2"], "tcp", SERVER, 81, timeout=2)
    check(r["result"] == "connected" and r["reply"].startswith("red tcp/81 "),
          "red: TCP 81 connects (no NACL): %s" % r)

    env.stop_vpcgw()
    drops = env.drops()
    log("drops: %s" % drops)
    check(drops.get("nacl_deny_in", 0) >= 1, "blue's SYNs to 81 counted as nacl_deny_in")


if __name__ == "__main__":
    run("vlan", body)
