# SPDX-License-Identifier: BSD-3-Clause
"""
e2e-nlb: clients on the internet and in the VPC reach two targets through the
Network Load Balancer; with preserve_client_ip the targets' kernels see the
client's own address.

  ns inet     198.51.100.254/24 (IGW next hop), client address 203.0.113.50 (lo)
  ns client   10.0.1.10/24 (private-a)
  ns target1  10.0.2.10/24 (app-a): HTTP on 8080, UDP 5353
  ns target2  10.0.2.11/24 (app-a): HTTP on 8081, UDP 5353
  NLB web: 10.0.0.100 (public-a), public 198.51.100.30;
    tcp/80 -> web-tg (10.0.2.10:8080, 10.0.2.11:8081), udp/53 -> dns-tg (both :5353)

Checks: 40 HTTP connections from the internet spread over both targets, every
one logged by a target with peer 203.0.113.50; the same from the VPC client
(peer 10.0.1.10); UDP answered by a target that saw 203.0.113.50; a port with
no listener times out (nlb_no_listener); health checks: when target2's server
stops, its kernel refuses the probes and after two intervals every new flow
goes to target1; reused client ports (issue #13): the internet client
connects from fixed source ports while both targets serve, then, with
target2 down, connects again twice from each port that had reached target2
(and one that had reached target1) while the closed flows are still in
TIME_WAIT at vpcgw: every such connection is a new flow and is served by
target1; NLB counters.
"""
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2etest import HTTPD, SERVERS, check, log, run  # noqa: E402

NLB_PUBLIC = "198.51.100.30"
NLB_PRIVATE = "10.0.0.100"
CLIENT = "203.0.113.50"
N_INET = 40
N_VPC = 20
N_AFTER = 20
REUSE_PORT0 = 46000     # fixed client ports of the port-reuse check
REUSE_MAX = 40
REUSE_ON_T2 = 3

CFG = """
dpdk = { workers = %(workers)d; mbufs = 8191; flow_table_size = 65536; };
ports = (
  { name = "vpc"; devargs = "%(vpc)s"; mac = "02:00:00:00:00:01"; address = "10.0.0.1/16";
    rx_queues = %(rxq)d; },
  { name = "internet"; devargs = "%(internet)s"; mac = "02:00:00:00:01:01";
    address = "198.51.100.1/24"; rx_queues = %(rxq)d; }
);
vpc = {
  cidr = "10.0.0.0/16";
  subnets = (
    { name = "public-a"; cidr = "10.0.0.0/24"; port = "vpc"; route_table = "public"; },
    { name = "private-a"; cidr = "10.0.1.0/24"; port = "vpc"; route_table = "private"; },
    { name = "app-a"; cidr = "10.0.2.0/24"; port = "vpc"; route_table = "private"; }
  );
};
internet_gateway = { port = "internet"; next_hop = "198.51.100.254"; };
route_tables = (
  { name = "public"; routes = ( { destination = "0.0.0.0/0"; target = "igw"; } ); },
  { name = "private"; routes = ( { destination = "0.0.0.0/0"; target = "nat-gateway:nat-a"; } ); }
);
security_groups = (
  { name = "web";
    ingress = ( { protocol = "tcp"; ports = "8080-8081"; source = "0.0.0.0/0"; },
                { protocol = "udp"; ports = "5353"; source = "0.0.0.0/0"; } );
    egress = ( { protocol = "all"; destination = "0.0.0.0/0"; } ); },
  { name = "client"; ingress = ();
    egress = ( { protocol = "all"; destination = "0.0.0.0/0"; } ); }
);
interfaces = (
  { address = "10.0.1.10"; security_groups = [ "client" ]; },
  { address = "10.0.2.10"; security_groups = [ "web" ]; },
  { address = "10.0.2.11"; security_groups = [ "web" ]; }
);
nat_gateways = ( { name = "nat-a"; subnet = "public-a"; addresses = [ "198.51.100.10" ]; } );
network_load_balancers = (
  { name = "web"; subnet = "public-a"; address = "%(nlb)s"; public_address = "%(pub)s";
    listeners = ( { protocol = "tcp"; port = 80; target_group = "web-tg"; },
                  { protocol = "udp"; port = 53; target_group = "dns-tg"; } ); }
);
target_groups = (
  { name = "web-tg"; protocol = "tcp"; port = 8080; preserve_client_ip = true;
    health_check = { protocol = "tcp"; port = "traffic-port"; interval = 5; timeout = 2;
                     healthy_threshold = 2; unhealthy_threshold = 2; };
    targets = ( { address = "10.0.2.10"; }, { address = "10.0.2.11"; port = 8081; } ); },
  { name = "dns-tg"; protocol = "udp"; port = 5353; preserve_client_ip = true;
    health_check = { enabled = false; };
    targets = ( { address = "10.0.2.10"; }, { address = "10.0.2.11"; } ); }
);
"""


def http_peers(env, label):
    return re.findall(r'^(\S+) - - \[.*"GET /whoami', env.logtext(label), re.M)


def body(env):
    devargs = {"vpc": env.add_port("vpc"), "internet": env.add_port("internet")}
    inet = env.add_host("inet", "internet", "198.51.100.254/24", extra=[CLIENT + "/32"])
    client = env.add_host("client", "vpc", "10.0.1.10/24", gateway="10.0.1.1")
    targets = {}
    for name, addr, port in (("target1", "10.0.2.10", 8080), ("target2", "10.0.2.11", 8081)):
        ns = env.add_host(name, "vpc", addr + "/24", gateway="10.0.2.1")
        www = os.path.join(env.dir, "www-" + name)
        os.mkdir(www)
        with open(os.path.join(www, "whoami"), "w") as f:
            f.write(name + "\n")
        http = env.spawn(ns, HTTPD + [str(port), "--bind", addr, "--directory", www],
                         "http-" + name)
        env.spawn(ns, SERVERS + ["--name", name, "--udp", "5353"], "udp-" + name)
        targets[name] = (ns, port, http)
    for name, (ns, port, _) in targets.items():     # listening before the first health check
        env.wait_listen(ns, port)
        env.wait_listen(ns, 5353, "udp")
    env.start_vpcgw(CFG % dict(devargs, workers=env.workers, rxq=env.rxq(), nlb=NLB_PRIVATE,
                               pub=NLB_PUBLIC), stats_interval=1)

    # internet -> NLB public address, N_INET connections (HTTP/1.0 server: one each)
    url = "http://%s/whoami" % NLB_PUBLIC
    r = env.sh(["curl", "-sS", "--max-time", "20", "--interface", CLIENT] + [url] * N_INET,
               ns=inet, timeout=30, check_rc=False)
    names = r.stdout.split()
    check(r.returncode == 0 and len(names) == N_INET,
          "%d curl from the internet to %s answered (rc %d, %d answers %s)"
          % (N_INET, url, r.returncode, len(names), r.stderr.strip()))
    counts = {n: names.count(n) for n in targets}
    check(all(counts.values()) and sum(counts.values()) == N_INET,
          "both targets served internet clients: %s" % counts)
    seen = {n: http_peers(env, "http-" + n) for n in targets}
    check(all(p == [CLIENT] * counts[n] for n, p in seen.items()),
          "each target logged every request with the client address %s (%s)"
          % (CLIENT, {n: sorted(set(p)) for n, p in seen.items()}))

    # VPC client -> NLB private address
    url = "http://%s/whoami" % NLB_PRIVATE
    r = env.sh(["curl", "-sS", "--max-time", "20"] + [url] * N_VPC, ns=client, timeout=30,
               check_rc=False)
    names2 = r.stdout.split()
    check(r.returncode == 0 and len(names2) == N_VPC,
          "%d curl from the VPC to %s answered (rc %d, %s)"
          % (N_VPC, url, r.returncode, r.stderr.strip()))
    counts2 = {n: names2.count(n) for n in targets}
    seen2 = {n: http_peers(env, "http-" + n)[len(seen[n]):] for n in targets}
    check(all(p == ["10.0.1.10"] * counts2[n] for n, p in seen2.items()),
          "targets logged the VPC client address 10.0.1.10 (%s, %s)" % (counts2, seen2))

    # UDP listener: the target answers with the peer it saw
    answered = set()
    for i in range(6):
        # a source port of each its own: six flows (the kernel may hand a
        # new socket the ephemeral port an earlier one had: one flow)
        res = env.probe(inet, "udp", NLB_PUBLIC, 53, src=CLIENT, data="q%d" % i,
                        sport=47100 + i)
        check(res["result"] == "reply", "UDP %s:53 answered: %s" % (NLB_PUBLIC, res))
        name, _, peer = res["reply"].split()
        check(peer.split(":")[0] == CLIENT and peer == res["src"],
              "UDP target %s saw the client %s (client socket %s)" % (name, peer, res["src"]))
        answered.add(name)
    log("UDP answered by %s" % sorted(answered))

    # no listener on tcp/81: nothing answers
    res = env.probe(inet, "tcp", NLB_PUBLIC, 81, src=CLIENT, timeout=2)
    check(res["result"] == "timeout", "tcp %s:81 (no listener) times out: %s"
          % (NLB_PUBLIC, res))

    # fixed client ports while both targets serve: some reach target2. The
    # server closes first (HTTP/1.0), so the client's port is free at once and
    # the flow stays in TIME_WAIT at vpcgw (30 s), past target2 going down.
    pre = {}
    for i in range(REUSE_MAX):
        res = env.probe(inet, "tcp", NLB_PUBLIC, 80, src=CLIENT, sport=REUSE_PORT0 + i,
                        http="/whoami", timeout=5)
        check(res["result"] == "connected" and res["reply"] in targets,
              "from port %d: served (%s)" % (REUSE_PORT0 + i, res))
        pre[REUSE_PORT0 + i] = res["reply"]
        if list(pre.values()).count("target2") >= REUSE_ON_T2 and "target1" in pre.values():
            break
    on_t2 = [p for p, n in pre.items() if n == "target2"]
    check(len(on_t2) >= REUSE_ON_T2, "%d fixed client ports reached target2" % len(on_t2))
    reuse = on_t2 + [next(p for p, n in pre.items() if n == "target1")]

    # target2's web server stops: its kernel answers the probes with RST, two failed
    # probes (interval 5 s) make it unhealthy, new flows all go to target1
    http2 = targets["target2"][2]
    http2.terminate()
    http2.wait(timeout=5)
    t0 = time.monotonic()
    env.wait_stats(lambda s: s["target_groups"]["web-tg"]["targets"]["10.0.2.11:8081"]["health"]
                   == "unhealthy", "target2 unhealthy after its server stopped", timeout=30)
    log("target2 unhealthy %.1f s after its server stopped" % (time.monotonic() - t0))
    url = "http://%s/whoami" % NLB_PUBLIC
    r = env.sh(["curl", "-sS", "--max-time", "20", "--interface", CLIENT] + [url] * N_AFTER,
               ns=inet, timeout=30, check_rc=False)
    names3 = r.stdout.split()
    check(r.returncode == 0 and names3 == ["target1"] * N_AFTER,
          "target2 down: %d new connections all served by target1 (rc %d, %s %s)"
          % (N_AFTER, r.returncode, {n: names3.count(n) for n in set(names3)}, r.stderr.strip()))

    # the same client ports again, twice each, with target2 down: new flows, on target1
    for sport in reuse:
        for k in range(2):
            res = env.probe(inet, "tcp", NLB_PUBLIC, 80, src=CLIENT, sport=sport,
                            http="/whoami", timeout=5)
            check(res["result"] == "connected" and res["reply"] == "target1",
                  "port %d reused (%d, first on %s): served by target1 (%s)"
                  % (sport, k + 1, pre[sport], res))
    n_reuse = 2 * len(reuse)

    st = env.stop_vpcgw()
    drops = env.drops()
    log("drops: %s" % drops)
    check(drops.get("nlb_no_listener", 0) >= 1, "nlb_no_listener counted (%d)"
          % drops.get("nlb_no_listener", 0))
    nlb = st["nlb"]["web"]
    log("nlb web: %s" % json.dumps({k: v for k, v in nlb.items() if k != "listeners"}))
    tcp80 = nlb["listeners"]["tcp:80"]
    n_tcp = N_INET + N_VPC + N_AFTER + len(pre) + n_reuse
    check(tcp80["NewFlowCount"] == n_tcp, "listener tcp:80 NewFlowCount == %d (%d)"
          % (n_tcp, tcp80["NewFlowCount"]))
    check(nlb["listeners"]["udp:53"]["NewFlowCount"] == 6, "listener udp:53 NewFlowCount == 6 (%d)"
          % nlb["listeners"]["udp:53"]["NewFlowCount"])
    tg = st["target_groups"]["web-tg"]
    log("web-tg: %s" % json.dumps(tg))
    check(tg["HealthyHostCount"] == 1 and tg["UnHealthyHostCount"] == 1
          and tg["targets"]["10.0.2.10:8080"]["health"] == "healthy"
          and tg["targets"]["10.0.2.11:8081"]["health"] == "unhealthy",
          "web-tg: target1 healthy (probes answered), target2 unhealthy (probes refused)")
    per = {t: v["NewFlowCount"] for t, v in tg["targets"].items()}
    pre_n = {n: list(pre.values()).count(n) for n in targets}
    check(per == {"10.0.2.10:8080": counts["target1"] + counts2["target1"] + N_AFTER +
                  pre_n["target1"] + n_reuse,
                  "10.0.2.11:8081": counts["target2"] + counts2["target2"] + pre_n["target2"]},
          "per-target NewFlowCount matches the answers (%s)" % per)


if __name__ == "__main__":
    run("nlb", body)
