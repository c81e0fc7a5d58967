# SPDX-License-Identifier: BSD-3-Clause
"""
e2e-nlb6: a dualstack NLB (SPEC §7) between Linux IPv6 stacks: IPv6 clients
reach IPv6 targets with their own address preserved.

  ns inet       198.51.100.254/24, 2001:db8:ffff::1/64 (the IGW's next_hop6);
                client 2001:db8:1234::7 on lo
  ns t1, t2     2600:1f18:a:b02::10, ::11 (subnet app-a): http.server on 8080,
                default route from vpcgw's RA
  ns client     2600:1f18:a:b01::10 (subnet client-a)
  vpcgw         NLB web6: 10.0.0.100, dualstack, address6 2600:1f18:a:b00::100,
                tcp 80 -> web6-tg (ipv6, port 8080: t1, t2)

Checks: curl -6 http://[address6]:80/ from the internet client and from the
VPC client, 12 requests each: every answer is a target's page, both targets
answer, and each target's log shows the client's own IPv6 address; port 81
(target group web4-tg, ipv4, preserve_client_ip false: ns t4 10.0.2.30, IPv4
only): the IPv6 clients are translated to IPv4 and the target sees the NLB's
private address 10.0.0.100; the NLB's counters (new flows = connections
made, on both targets); nothing refused.
"""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2etest import HTTPD, PY, check, log, run  # noqa: E402
from test_ipv6 import enable_ipv6, wait_ra  # noqa: E402

PFX = "2600:1f18:a:b0"
NLB6 = PFX + "0::100"
T6 = [PFX + "2::10", PFX + "2::11"]
C6 = PFX + "1::10"
CLIENT6, NH6, GW6 = "2001:db8:1234::7", "2001:db8:ffff::1", "2001:db8:ffff::2"
ROUTER_LL = "fe80::ff:fe00:1"
N = 12

CFG = """
dpdk = { workers = %(workers)d; mbufs = 8191; flow_table_size = 65536; };
ports = (
  { name = "vpc"; devargs = "%(vpc)s"; mac = "02:00:00:00:00:01"; address = "10.0.0.1/16";
    rx_queues = %(rxq)d; },
  { name = "internet"; devargs = "%(internet)s"; mac = "02:00:00:00:01:01";
    address = "198.51.100.1/24"; address6 = "2001:db8:ffff::2/64"; rx_queues = %(rxq)d; }
);
vpc = {
  cidr = "10.0.0.0/16"; ipv6_cidr = "2600:1f18:a:b00::/56";
  subnets = (
    { name = "lb-a"; cidr = "10.0.0.0/24"; ipv6_cidr = "2600:1f18:a:b00::/64"; port = "vpc";
      route_table = "lb"; },
    { name = "client-a"; cidr = "10.0.1.0/24"; ipv6_cidr = "2600:1f18:a:b01::/64"; port = "vpc"; },
    { name = "app-a"; cidr = "10.0.2.0/24"; ipv6_cidr = "2600:1f18:a:b02::/64"; port = "vpc"; }
  );
};
internet_gateway = { port = "internet"; next_hop = "198.51.100.254"; next_hop6 = "2001:db8:ffff::1"; };
route_tables = ( { name = "lb"; routes = ( { destination = "::/0"; target = "igw"; } ); } );
network_load_balancers = (
  { name = "web6"; subnet = "lb-a"; address = "10.0.0.100"; ip_address_type = "dualstack";
    address6 = "2600:1f18:a:b00::100";
    listeners = ( { protocol = "tcp"; port = 80; target_group = "web6-tg"; },
                  { protocol = "tcp"; port = 81; target_group = "web4-tg"; } ); }
);
target_groups = (
  { name = "web6-tg"; protocol = "tcp"; port = 8080; ip_address_type = "ipv6";
    health_check = { enabled = false; };
    targets = ( { address = "2600:1f18:a:b02::10"; }, { address = "2600:1f18:a:b02::11"; } ); },
  { name = "web4-tg"; protocol = "tcp"; port = 8080; preserve_client_ip = false;
    health_check = { enabled = false; };
    targets = ( { address = "10.0.2.30"; } ); }
);
"""


def body(env):
    devargs = {"vpc": env.add_port("vpc"), "internet": env.add_port("internet")}
    env.start_vpcgw(CFG % dict(devargs, workers=env.workers, rxq=env.rxq()), stats_interval=1)
    inet = env.add_host("inet", "internet", "198.51.100.254/24")
    enable_ipv6(env, inet, NH6)
    env.ip(inet, "-6", "addr", "add", CLIENT6 + "/128", "dev", "lo")
    env.ip(inet, "-6", "route", "add", PFX + "0::/56", "via", GW6)
    cl = env.add_host("client", "vpc", "10.0.1.10/24")
    enable_ipv6(env, cl, C6)
    targets = []
    for i, a in enumerate(T6):
        ns = env.add_host("t%d" % (i + 1), "vpc", "10.0.2.%d/24" % (10 + i))
        enable_ipv6(env, ns, a)
        www = os.path.join(env.dir, "www%d" % i)
        os.mkdir(www)
        with open(os.path.join(www, "who.txt"), "w") as f:
            f.write("target-%d\n" % i)
        env.spawn(ns, [PY, "-m", "http.server", "--bind", a, "--directory", www, "8080"],
                  "http-t%d" % i)
        targets.append(ns)
    # an IPv4-only target of web4-tg: IPv6 clients reach it translated (SPEC §7)
    t4 = env.add_host("t4", "vpc", "10.0.2.30/24", gateway="10.0.2.1")
    www4 = os.path.join(env.dir, "www4")
    os.mkdir(www4)
    with open(os.path.join(www4, "who.txt"), "w") as f:
        f.write("target-v4\n")
    env.spawn(t4, HTTPD + ["8080", "--bind", "10.0.2.30", "--directory", www4], "http-t4")
    targets4 = [t4]
    for ns in targets + [cl]:
        wait_ra(env, ns, ROUTER_LL)
    for ns in targets + targets4:
        deadline = time.monotonic() + 10
        while not env.sh(["ss", "-ltnH", "sport = :8080"], ns=ns, check_rc=False).stdout.strip():
            check(time.monotonic() < deadline, "%s: http server on 8080" % ns)
            time.sleep(0.1)

    answers = {}
    for ns, src, label in ((inet, CLIENT6, "internet"), (cl, None, "VPC")):
        for _ in range(N):
            args = ["curl", "-6", "-sS", "--max-time", "5"]
            if src:
                args += ["--interface", src]
            r = env.sh(args + ["http://[%s]:80/who.txt" % NLB6], ns=ns, check_rc=False,
                       timeout=15)
            check(r.returncode == 0 and r.stdout.strip() in ("target-0", "target-1"),
                  "curl -6 http://[%s]:80/ from the %s client (rc %d, %r %s)"
                  % (NLB6, label, r.returncode, r.stdout[:40], r.stderr.strip()))
            answers[r.stdout.strip()] = answers.get(r.stdout.strip(), 0) + 1
    log("answers: %s" % answers)
    check(len(answers) == 2, "both targets answered (%s)" % answers)
    seen = set()
    for i in range(2):
        peers = set(re.findall(r'^(\S+) - - \[.*"GET /who.txt', env.logtext("http-t%d" % i),
                               re.M))
        check(peers <= {CLIENT6, C6} and peers, "target %d saw the clients' own addresses "
              "(%s)" % (i, sorted(peers)))
        seen |= peers
    check(seen == {CLIENT6, C6}, "client addresses preserved: %s" % sorted(seen))

    # IPv6 clients of the IPv4 group: translated, from the NLB's private IPv4 address
    for ns, src, label in ((inet, CLIENT6, "internet"), (cl, None, "VPC")):
        for _ in range(3):
            args = ["curl", "-6", "-sS", "--max-time", "5"]
            if src:
                args += ["--interface", src]
            r = env.sh(args + ["http://[%s]:81/who.txt" % NLB6], ns=ns, check_rc=False,
                       timeout=15)
            check(r.returncode == 0 and r.stdout.strip() == "target-v4",
                  "curl -6 http://[%s]:81/ from the %s client reaches the IPv4 target "
                  "(rc %d, %r %s)" % (NLB6, label, r.returncode, r.stdout[:40], r.stderr.strip()))
    peers = set(re.findall(r'^(\S+) - - \[.*"GET /who.txt', env.logtext("http-t4"), re.M))
    check(peers == {"10.0.0.100"}, "the IPv4 target saw the NLB's private address 10.0.0.100 "
          "(%s)" % sorted(peers))

    time.sleep(1.5)
    st = env.stats_now()
    li = st["nlb"]["web6"]["listeners"]["tcp:80"]
    tg = st["target_groups"]["web6-tg"]["targets"]
    log("listener: %s" % li)
    check(li["NewFlowCount"] == 2 * N, "NLB NewFlowCount %d = the %d connections made"
          % (li["NewFlowCount"], 2 * N))
    l81 = st["nlb"]["web6"]["listeners"]["tcp:81"]
    check(l81["NewFlowCount"] == 6, "listener tcp:81 NewFlowCount %d = 6" % l81["NewFlowCount"])
    check(all(tg["[%s]:8080" % a]["NewFlowCount"] > 0 for a in T6),
          "both targets got new flows (%s)" % {a: tg["[%s]:8080" % a]["NewFlowCount"] for a in T6})
    # (no_route is not listed: the IPv4 host's kernel sends IGMP reports to
    # 224.0.0.22; nor ct_invalid: with 2 workers the two directions of a
    # connection are judged by different workers, and a segment that crosses
    # the other direction's state change may be judged invalid - every
    # connection above completed all the same)
    check(all(st["drops"].get(k, 0) == 0 for k in ("nlb_family", "nlb_no_listener",
                                                    "nd_timeout", "nlb_idle_timeout",
                                                    "mtu_exceeded")),
          "vpcgw refused nothing (drops %s)" % env.drops(st))
    env.stop_vpcgw()


if __name__ == "__main__":
    run("nlb6", body)
