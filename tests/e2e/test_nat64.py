# SPDX-License-Identifier: BSD-3-Clause
"""
e2e-nat64: an IPv6-only host reaches an IPv4-only server by its RFC 6052
address 64:ff9b::<IPv4> through the NAT gateway's NAT64 (SPEC §7), with the
kernels' own TCP and ICMPv6/ICMP stacks.

  ns inside  2600:1f18:a:b01::10/64 only (private-a; default route from
             vpcgw's RA) --- vpc port
  ns inet    198.51.100.254/24 (the IGW next hop), IPv4 only, an HTTP server on
             203.0.113.10 (lo) --- internet port
  private-a routes 64:ff9b::/96 to nat-gateway:nat-a (198.51.100.10).

Checks: curl -6 http://[64:ff9b::cb00:710a]:8000/ returns the file and the
server logs the NAT address as the client; ping -6 64:ff9b::cb00:710a gets
its echo replies; the NAT gateway counts the connections.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2etest import HTTPD, check, log, run  # noqa: E402
from test_ipv6 import enable_ipv6, wait_ra  # noqa: E402

NAT_ADDR = "198.51.100.10"
SERVER = "203.0.113.10"
SERVER6 = "64:ff9b::cb00:710a"           # RFC 6052: 203.0.113.10 in 64:ff9b::/96
CLIENT6 = "2600:1f18:a:b01::10"

CFG = """
dpdk = { workers = %(workers)d; mbufs = 8191; flow_table_size = 65536; };
ports = (
  { name = "vpc"; devargs = "%(vpc)s"; mac = "02:00:00:00:00:01"; address = "10.0.0.1/16";
    rx_queues = %(rxq)d; },
  { name = "internet"; devargs = "%(internet)s"; mac = "02:00:00:00:01:01";
    address = "198.51.100.1/24"; rx_queues = %(rxq)d; }
);
vpc = {
  cidr = "10.0.0.0/16"; ipv6_cidr = "2600:1f18:a:b00::/56";
  subnets = (
    { name = "public-a"; cidr = "10.0.0.0/24"; ipv6_cidr = "2600:1f18:a:b00::/64"; port = "vpc"; },
    { name = "private-a"; cidr = "10.0.1.0/24"; ipv6_cidr = "2600:1f18:a:b01::/64"; port = "vpc";
      route_table = "private"; }
  );
};
internet_gateway = { port = "internet"; next_hop = "198.51.100.254"; };
route_tables = (
  { name = "private"; routes = ( { destination = "64:ff9b::/96"; target = "nat-gateway:nat-a"; } ); }
);
nat_gateways = ( { name = "nat-a"; subnet = "public-a"; addresses = [ "%(nat)s" ]; } );
"""


def body(env):
    devargs = {"vpc": env.add_port("vpc"), "internet": env.add_port("internet")}
    inside = env.add_host("inside", "vpc", "10.0.1.10/24")
    inet = env.add_host("inet", "internet", "198.51.100.254/24", extra=[SERVER + "/32"])
    # IPv6 only inside: no IPv4 route at all
    env.ip(inside, "-4", "addr", "flush", "dev", "eth0")
    enable_ipv6(env, inside, CLIENT6)

    www = os.path.join(env.dir, "www")
    os.mkdir(www)
    token = "hello-through-nat64-%s" % env.sfx
    with open(os.path.join(www, "hello.txt"), "w") as f:
        f.write(token + "\n")
    env.spawn(inet, HTTPD + ["8000", "--bind", SERVER, "--directory", www], "http-server")
    env.wait_listen(inet, 8000)
    env.start_vpcgw(CFG % dict(devargs, workers=env.workers, rxq=env.rxq(), nat=NAT_ADDR))
    wait_ra(env, inside, "fe80::ff:fe00:1")

    r = env.sh(["curl", "-6", "-sS", "--max-time", "10",
                "http://[%s]:8000/hello.txt" % SERVER6], ns=inside, check_rc=False)
    check(r.returncode == 0 and r.stdout.strip() == token,
          "curl -6 http://[%s]:8000/hello.txt through NAT64 (rc %d, %r %s)"
          % (SERVER6, r.returncode, r.stdout[:80], r.stderr.strip()))
    peers = re.findall(r'^(\S+) - - \[.*"GET /hello.txt', env.logtext("http-server"), re.M)
    check(peers == [NAT_ADDR], "the IPv4 server saw the client as the NAT address %s (log: %s)"
          % (NAT_ADDR, peers))
    log("ok: curl -6 to %s reached %s as %s" % (SERVER6, SERVER, NAT_ADDR))

    r = env.sh(["ping", "-6", "-n", "-c", "3", "-i", "0.2", "-W", "2", SERVER6], ns=inside,
               check_rc=False, timeout=30)
    check(r.returncode == 0 and " 0% packet loss" in r.stdout,
          "ping -6 %s through NAT64: %s" % (SERVER6, r.stdout.strip().splitlines()[-2:]))
    log("ok: ping -6 %s" % SERVER6)

    st = env.stop_vpcgw()
    n = st["nat"]["nat-a"]
    check(n["ConnectionAttemptCount"] >= 2 and n["ConnectionEstablishedCount"] >= 1 and
          n["PacketsOutToSource"] >= 4 and n["ErrorPortAllocation"] == 0,
          "NAT gateway counters: %s" % n)
    for k in ("nat64_unsupported", "nat64_fragment", "nat_no_session", "no_route"):
        check(st["drops"].get(k, 0) == 0, "drops.%s = %s" % (k, st["drops"].get(k)))
    log("counters: nat-a %s" % {k: v for k, v in n.items() if v})


if __name__ == "__main__":
    run("nat64", body)
