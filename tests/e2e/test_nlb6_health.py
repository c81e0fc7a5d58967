# SPDX-License-Identifier: BSD-3-Clause
"""
e2e-nlb6-health: health checks of IPv6 NLB targets (SPEC §4, §7) against
Linux IPv6 stacks.

  ns t1, t2     2600:1f18:a:b02::10, ::11 (subnet app-a): http.server on 8080
  ns client     2600:1f18:a:b01::10 (subnet client-a)
  vpcgw         NLB web6: dualstack, address6 2600:1f18:a:b00::100, tcp 80 ->
                web6-tg (ipv6, port 8080, health checks every 5 s, timeout 2 s,
                thresholds 2)

Checks: the probes (TCP SYN from the subnet's router address ::1 to port
8080, through ND) are answered by both kernels: both targets stay healthy
(3 intervals), vpcgw consumes every answer (no local_unhandled drop);
t2's server stops: its kernel refuses the probes with RST, t2 becomes
unhealthy (HealthyHostCount 1, UnHealthyHostCount 1 in the stats) and every new connection goes to t1; t2's server restarts: t2 becomes
healthy again and new connections reach both targets.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2etest import PY, check, log, run  # noqa: E402
from test_ipv6 import enable_ipv6, wait_ra  # noqa: E402

PFX = "2600:1f18:a:b0"
NLB6 = PFX + "0::100"
T6 = [PFX + "2::10", PFX + "2::11"]
C6 = PFX + "1::10"
ROUTER_LL = "fe80::ff:fe00:1"
N = 10

CFG = """
dpdk = { workers = %(workers)d; mbufs = 4095; flow_table_size = 4096; };
ports = (
  { name = "vpc"; devargs = "%(vpc)s"; mac = "02:00:00:00:00:01"; address = "10.0.0.1/16";
    rx_queues = %(rxq)d; }
);
vpc = {
  cidr = "10.0.0.0/16"; ipv6_cidr = "2600:1f18:a:b00::/56";
  subnets = (
    { name = "lb-a"; cidr = "10.0.0.0/24"; ipv6_cidr = "2600:1f18:a:b00::/64"; port = "vpc"; },
    { name = "client-a"; cidr = "10.0.1.0/24"; ipv6_cidr = "2600:1f18:a:b01::/64"; port = "vpc"; },
    { name = "app-a"; cidr = "10.0.2.0/24"; ipv6_cidr = "2600:1f18:a:b02::/64"; port = "vpc"; }
  );
};
network_load_balancers = (
  { name = "web6"; subnet = "lb-a"; address = "10.0.0.100"; ip_address_type = "dualstack";
    address6 = "2600:1f18:a:b00::100";
    listeners = ( { protocol = "tcp"; port = 80; target_group = "web6-tg"; } ); }
);
target_groups = (
  { name = "web6-tg"; protocol = "tcp"; port = 8080; ip_address_type = "ipv6";
    health_check = { protocol = "tcp"; interval = 5; timeout = 2; healthy_threshold = 2;
                     unhealthy_threshold = 2; };
    targets = ( { address = "2600:1f18:a:b02::10"; }, { address = "2600:1f18:a:b02::11"; } ); }
);
"""


def health(st, i):
    return st["target_groups"]["web6-tg"]["targets"]["[%s]:8080" % T6[i]]["health"]


def serve(env, ns, i):
    proc = env.spawn(ns, [PY, "-m", "http.server", "--bind", T6[i], "--directory",
                          os.path.join(env.dir, "www%d" % i), "8080"], "http-t%d" % i)
    deadline = time.monotonic() + 10
    while not env.sh(["ss", "-ltnH", "sport = :8080"], ns=ns, check_rc=False).stdout.strip():
        check(time.monotonic() < deadline, "%s: http server on 8080" % ns)
        time.sleep(0.1)
    return proc


def fetch(env, cl, n):
    answers = {}
    for _ in range(n):
        r = env.sh(["curl", "-6", "-sS", "--max-time", "5", "http://[%s]:80/who.txt" % NLB6],
                   ns=cl, check_rc=False, timeout=15)
        check(r.returncode == 0 and r.stdout.strip() in ("target-0", "target-1"),
              "curl -6 http://[%s]:80/ (rc %d, %r %s)" % (NLB6, r.returncode, r.stdout[:40],
                                                         r.stderr.strip()))
        answers[r.stdout.strip()] = answers.get(r.stdout.strip(), 0) + 1
    return answers


def body(env):
    devargs = {"vpc": env.add_port("vpc")}
    env.start_vpcgw(CFG % dict(devargs, workers=env.workers, rxq=env.rxq()), stats_interval=1)
    cl = env.add_host("client", "vpc", "10.0.1.10/24")
    enable_ipv6(env, cl, C6)
    targets, http = [], []
    for i, a in enumerate(T6):
        ns = env.add_host("t%d" % (i + 1), "vpc", "10.0.2.%d/24" % (10 + i))
        enable_ipv6(env, ns, a)
        os.mkdir(os.path.join(env.dir, "www%d" % i))
        with open(os.path.join(env.dir, "www%d" % i, "who.txt"), "w") as f:
            f.write("target-%d\n" % i)
        http.append(serve(env, ns, i))
        targets.append(ns)
    for ns in targets + [cl]:
        wait_ra(env, ns, ROUTER_LL)

    # three intervals of answered probes: both stay healthy, every answer consumed
    time.sleep(11)
    st = env.stats_now()
    check(health(st, 0) == "healthy" and health(st, 1) == "healthy",
          "both targets healthy while their servers listen (%s, %s)"
          % (health(st, 0), health(st, 1)))
    check(st["drops"].get("local_unhandled", 0) == 0,
          "every probe answer consumed (drops %s)" % env.drops(st))
    ans = fetch(env, cl, N)
    log("answers, both healthy: %s" % ans)
    check(len(ans) == 2, "both targets answered (%s)" % ans)

    # t2's server stops: its kernel answers the probes with RST
    http[1].terminate()
    http[1].wait(timeout=5)
    t0 = time.monotonic()
    env.wait_stats(lambda s: health(s, 1) == "unhealthy", "t2 unhealthy after its server "
                   "stopped", timeout=20)
    log("t2 unhealthy %.1f s after its server stopped" % (time.monotonic() - t0))
    st = env.stats_now()
    tg = st["target_groups"]["web6-tg"]
    check(tg["HealthyHostCount"] == 1 and tg["UnHealthyHostCount"] == 1 and health(st, 0) ==
          "healthy", "web6-tg: t1 healthy, t2 unhealthy (%s)" % {k: v for k, v in tg.items()
                                                                   if k != "targets"})
    ans = fetch(env, cl, N)
    check(ans == {"target-0": N}, "t2 down: %d new connections all served by t1 (%s)"
          % (N, ans))

    # back: two answered probes make it healthy, new connections reach it again
    http[1] = serve(env, targets[1], 1)
    t0 = time.monotonic()
    env.wait_stats(lambda s: health(s, 1) == "healthy", "t2 healthy after its server "
                   "restarted", timeout=20)
    log("t2 healthy %.1f s after its server restarted" % (time.monotonic() - t0))
    ans = fetch(env, cl, N)
    log("answers, t2 back: %s" % ans)
    check(ans.get("target-1", 0) > 0, "t2 back: new connections reach it again (%s)" % ans)
    st = env.stop_vpcgw()
    check(st["drops"].get("local_unhandled", 0) == 0,
          "no probe answer dropped (drops %s)" % env.drops(st))


if __name__ == "__main__":
    run("nlb6-health", body)
