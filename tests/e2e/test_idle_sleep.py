# SPDX-License-Identifier: BSD-3-Clause
"""
e2e-idle-sleep: dpdk.idle_sleep_us / --idle-sleep-us (docs/config.md). An
idle worker sleeps instead of spinning, wakes for the next packet and
handles it as before.

  instance a (10.0.1.10) -- vpc [vpcgw on net_tap] (10.0.1.1, the subnet's router)

Twice: with --idle-sleep-us 0 (vpcgw's default: spin) and 2000. Each time:
ping from the instance to its router 10.0.1.1 (vpcgw: answered by the worker), 2 s
with no packet while the worker thread's CPU time is read from
/proc/PID/task/TID/stat, then ping again (answered: the worker woke). With
2000: `totals.idle_sleeps` counts hundreds of sleeps, and the worker used
under a quarter of a CPU and under half of what the spinning one used
(wide margins: a shared, loaded machine gives a spinning worker less than its
core). With 0: no idle_sleeps counter at all.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2etest  # noqa: E402
from e2etest import check, log, run  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")

CFG = """
dpdk = { workers = 1; mbufs = 4095; flow_table_size = 4096; };
ports = (
  { name = "vpc"; devargs = "%(vpc)s"; mac = "02:00:00:00:00:01"; address = "10.0.0.1/16"; },
  { name = "internet"; devargs = "%(internet)s"; mac = "02:00:00:00:01:01";
    address = "198.51.100.1/24"; }
);
vpc = { cidr = "10.0.0.0/16";
        subnets = ( { name = "a"; cidr = "10.0.1.0/24"; port = "vpc"; route_table = "t"; } ); };
internet_gateway = { port = "internet"; next_hop = "198.51.100.254"; };
route_tables = ( { name = "t"; routes = ( { destination = "0.0.0.0/0"; target = "igw"; } ); } );
"""


def worker_cpu(pid):
    """CPU seconds (user + system) of vpcgw's worker thread."""
    found = []
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
                comm = f.read().strip()
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                stat = f.read()
        except OSError:
            continue
        if comm.startswith(("rte-worker", "lcore-worker")):    # DPDK 22.11, later
            fields = stat[stat.rindex(")") + 2:].split()
            found.append((int(fields[11]) + int(fields[12])) / TICK)
    check(len(found) == 1, "one worker thread in vpcgw (pid %d)" % pid)
    return found[0]


def vpcgw_pid(env):
    """vpcgw's pid: env.vpcgw is `ip netns exec`, which execs vpcgw (same pid)."""
    with open("/proc/%d/comm" % env.vpcgw.pid) as f:
        check(f.read().strip() == "vpcgw", "the spawned process is vpcgw")
    return env.vpcgw.pid


def one_run(env, sleep_us, devargs):
    e2etest.IDLE_ARGS = ["--idle-sleep-us", str(sleep_us)]
    env.start_vpcgw(CFG % devargs, stats_interval=1)
    ping = ["ping", "-c", "3", "-i", "0.2", "-W", "2", "10.0.1.1"]
    r = env.sh(ping, ns="vge2e-%s-a" % env.sfx, check_rc=False)
    check(r.returncode == 0, "sleep %d: vpcgw (the subnet's router) answers ping" % sleep_us)
    time.sleep(0.5)
    pid = vpcgw_pid(env)
    c0, t0 = worker_cpu(pid), time.monotonic()
    time.sleep(2.0)
    c1, t1 = worker_cpu(pid), time.monotonic()
    r = env.sh(ping, ns="vge2e-%s-a" % env.sfx, check_rc=False)
    check(r.returncode == 0, "sleep %d: after 2 s idle, ping answered again" % sleep_us)
    time.sleep(1.2)
    st = env.stats_now()
    env.stop_vpcgw()
    cpu = (c1 - c0) / (t1 - t0)
    log("sleep %d: worker CPU while idle %.3f CPU-seconds a second" % (sleep_us, cpu))
    return cpu, st["totals"]


def body(env):
    devargs = {"vpc": env.add_port("vpc"), "internet": env.add_port("internet")}
    env.add_host("a", "vpc", "10.0.1.10/24", gateway="10.0.1.1")
    busy, totals = one_run(env, 0, devargs)
    check("idle_sleeps" not in totals, "spinning: no idle_sleeps counter")
    sleepy, totals = one_run(env, 2000, devargs)
    check(totals.get("idle_sleeps", 0) >= 200,
          "sleeping: %s idle sleeps counted (>= 200)" % totals.get("idle_sleeps"))
    check(sleepy < 0.25, "sleeping: the idle worker used %.3f of a CPU (< 0.25)" % sleepy)
    check(sleepy < busy / 2, "sleeping %.3f < half of spinning %.3f" % (sleepy, busy))


if __name__ == "__main__":
    run("idle-sleep", body)
