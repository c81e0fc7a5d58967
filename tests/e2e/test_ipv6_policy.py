# SPDX-License-Identifier: BSD-3-Clause
"""
e2e-ipv6-policy: IPv6 through network ACLs, security groups and the two
internet gateways with the kernel's own stacks (SPEC §7).

  ns ha  2600:1f18:a:b01::10/64 (subnet sa: NACL na, ENI with group g6,
         table priv: ::/0 -> egress-only-igw:eigw) --- port a
  ns hb  2600:1f18:a:b02::20/64 (subnet sb: table pub: ::/0 -> igw) --- port b
  ns hi  2001:db8:ffff::1/64, "the internet", route to the VPC /56 via
         vpcgw's address6 2001:db8:ffff::2 --- port inet

Checks: curl -6 from hb to hi's web server through the internet gateway and
back in from hi to hb (untranslated both ways); curl -6 from ha to hi
through the egress-only gateway (the flow lets the answer in); from hi to
ha's server refused (curl times out: dropped as eigw_unsolicited), ping -6
from hi to ha too; ping -6 and curl -6 between hb and ha through ha's NACL
and security group (rules with IPv6 CIDRs, icmpv6); a port the NACL does not
allow is denied by its lower-numbered rule though a later one allows it
(nacl_deny_in); the counters.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2etest import PY, check, log, run  # noqa: E402
from test_ipv6 import enable_ipv6, ping6, wait_ra  # noqa: E402

PFX = "2600:1f18:a:b0"
A6, B6, I6, GW6 = PFX + "1::10", PFX + "2::20", "2001:db8:ffff::1", "2001:db8:ffff::2"
LL = {"a": "fe80::ff:fe00:1", "b": "fe80::ff:fe00:101"}

CFG = """
dpdk = { workers = %(workers)d; mbufs = 8191; flow_table_size = 65536; };
ports = (
  { name = "a"; devargs = "%(a)s"; mac = "02:00:00:00:00:01"; address = "10.0.1.1/24";
    rx_queues = %(rxq)d; },
  { name = "b"; devargs = "%(b)s"; mac = "02:00:00:00:01:01"; address = "10.0.2.1/24";
    rx_queues = %(rxq)d; },
  { name = "inet"; devargs = "%(inet)s"; mac = "02:00:00:00:02:01"; address = "198.51.100.1/24";
    address6 = "2001:db8:ffff::2/64"; rx_queues = %(rxq)d; }
);
vpc = {
  cidr = "10.0.0.0/16"; ipv6_cidr = "2600:1f18:a:b00::/56";
  subnets = (
    { name = "sa"; cidr = "10.0.1.0/24"; ipv6_cidr = "2600:1f18:a:b01::/64"; port = "a";
      route_table = "priv"; network_acl = "na"; },
    { name = "sb"; cidr = "10.0.2.0/24"; ipv6_cidr = "2600:1f18:a:b02::/64"; port = "b";
      route_table = "pub"; }
  );
};
internet_gateway = { port = "inet"; next_hop = "198.51.100.254"; next_hop6 = "2001:db8:ffff::1"; };
egress_only_internet_gateways = ( { name = "eigw"; } );
route_tables = (
  { name = "priv"; routes = ( { destination = "::/0"; target = "egress-only-igw:eigw"; } ); },
  { name = "pub"; routes = ( { destination = "::/0"; target = "igw"; } ); }
);
network_acls = ( { name = "na";
  ingress = ( { rule = 100; protocol = "icmpv6"; cidr = "::/0"; action = "allow"; },
              { rule = 105; protocol = "tcp"; ports = "7000"; cidr = "::/0"; action = "deny"; },
              { rule = 110; protocol = "tcp"; ports = "1024-65535"; cidr = "::/0"; action = "allow"; } );
  egress = ( { rule = 100; protocol = "all"; cidr = "::/0"; action = "allow"; } ); } );
security_groups = ( { name = "g6";
  ingress = ( { protocol = "tcp"; ports = "8080"; source = "2600:1f18:a:b00::/56"; },
              { protocol = "icmpv6"; source = "2600:1f18:a:b00::/56"; } );
  egress = ( { protocol = "all"; destination = "::/0"; } ); } );
interfaces = ( { address = "10.0.1.10"; address6 = "2600:1f18:a:b01::10"; security_groups = [ "g6" ]; } );
"""


def curl6(env, ns, addr, port, timeout=5):
    return env.sh(["curl", "-6", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-m", str(timeout),
                   "http://[%s]:%d/" % (addr, port)], ns=ns, check_rc=False, timeout=timeout + 10)


def web(env, ns, port, label):
    env.spawn(ns, [PY, "-m", "http.server", "--bind", "::", str(port)], label)


def wait_port(env, ns, port):
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        r = env.sh(["ss", "-ltnH", "sport = :%d" % port], ns=ns, check_rc=False)
        if r.stdout.strip():
            return
        time.sleep(0.1)
    check(False, "%s: no server on port %d" % (ns, port))


def body(env):
    devargs = {p: env.add_port(p) for p in ("a", "b", "inet")}
    env.start_vpcgw(CFG % dict(workers=env.workers, rxq=env.rxq(), **devargs),
                    stats_interval=1)
    ha = env.add_host("ha", "a", "10.0.1.10/24")
    hb = env.add_host("hb", "b", "10.0.2.20/24")
    hi = env.add_host("hi", "inet", "198.51.100.254/24")
    enable_ipv6(env, ha, A6)
    enable_ipv6(env, hb, B6)
    enable_ipv6(env, hi, I6)
    env.ip(hi, "-6", "route", "add", PFX + "0::/56", "via", GW6)
    wait_ra(env, ha, LL["a"])
    wait_ra(env, hb, LL["b"])
    for ns, port in ((ha, 8080), (ha, 7000), (hb, 8080), (hi, 80)):
        web(env, ns, port, "web-%s-%d" % (ns, port))
        wait_port(env, ns, port)

    # the internet gateway, both ways
    for ns, dst, port in ((hb, I6, 80), (hi, B6, 8080)):
        r = curl6(env, ns, dst, port)
        check(r.returncode == 0 and r.stdout == "200", "curl -6 %s:%d from %s through the "
              "internet gateway: rc %d %r" % (dst, port, ns, r.returncode, r.stdout))
        log("ok: curl -6 [%s]:%d from %s through the internet gateway" % (dst, port, ns))
    # the egress-only gateway: out and its answers in
    r = curl6(env, ha, I6, 80)
    check(r.returncode == 0 and r.stdout == "200",
          "curl -6 from ha through the egress-only gateway: rc %d %r" % (r.returncode, r.stdout))
    log("ok: curl -6 [%s]:80 from ha through the egress-only internet gateway" % I6)
    r = ping6(env, ha, I6)
    check(r.returncode == 0 and " 0% packet loss" in r.stdout, "ping -6 ha -> hi:\n" + r.stdout)
    log("ok: ping -6 from ha to the internet through the egress-only gateway")
    # ... and nothing unsolicited in
    r = curl6(env, hi, A6, 8080, timeout=3)
    check(r.returncode == 28, "curl -6 from hi to ha must time out (unsolicited through the "
          "egress-only gateway): rc %d %r" % (r.returncode, r.stdout))
    r = ping6(env, hi, A6, count=2)
    check(r.returncode != 0 and "100% packet loss" in r.stdout, "ping -6 hi -> ha:\n" + r.stdout)
    log("ok: unsolicited TCP and ping from the internet to ha refused")
    # NACL and security group of ha, from hb
    r = ping6(env, hb, A6)
    check(r.returncode == 0 and " 0% packet loss" in r.stdout, "ping -6 hb -> ha:\n" + r.stdout)
    r = curl6(env, hb, A6, 8080)
    check(r.returncode == 0 and r.stdout == "200", "curl -6 hb -> ha:8080: rc %d %r"
          % (r.returncode, r.stdout))
    log("ok: ping -6 and curl -6 from hb to ha through its NACL and security group")
    r = curl6(env, hb, A6, 7000, timeout=3)
    check(r.returncode == 28, "curl -6 hb -> ha:7000 must time out (NACL rule 105 denies it "
          "before rule 110 allows 1024-65535): rc %d" % r.returncode)
    log("ok: TCP 7000 from hb to ha denied by the NACL's lower-numbered rule")

    st = env.stop_vpcgw()
    d = st["drops"]
    eg = st["egress_only_internet_gateways"]["eigw"]
    log("counters: drops %s, eigw %s, flows %s" % ({k: v for k, v in d.items() if v}, eg,
                                                   st["flows"]["by_service"]["security_group"]))
    check(d.get("eigw_unsolicited", 0) >= 3 and eg["unsolicited"] == d["eigw_unsolicited"],
          "eigw_unsolicited %s, per gateway %s" % (d.get("eigw_unsolicited"), eg["unsolicited"]))
    check(d.get("nacl_deny_in", 0) >= 1, "drops.nacl_deny_in %s" % d.get("nacl_deny_in"))
    check(eg["packets_out"] >= 5 and eg["packets_in"] >= 5, "eigw packets %s" % eg)
    check(st["flows"]["by_service"]["security_group"]["created"] >= 3, "IPv6 flows created")
    for k in ("ip6_filter_unsupported", "nd_timeout", "no_route", "sg_deny_egress"):
        check(d.get(k, 0) == 0, "drops.%s = %s" % (k, d.get(k)))


if __name__ == "__main__":
    run("ipv6-policy", body)
