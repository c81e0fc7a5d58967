# SPDX-License-Identifier: BSD-3-Clause
"""
e2e-health (issue #19): the node's health port and /vpcgw/health, the
`node` label in the Prometheus exposition.

  vpcgw (ns gw), node = { name = "gw-t"; health = { listen = "127.0.0.1:18080" } }
  ports vpc and internet on net_tap

Checks: the port answers "HTTP/1.0 200 OK" with the node's name while both
ports are up; the internet TAP set down (the kernel side: net_tap reports the
link down) -> "503 Service Unavailable" naming the port, within 2 s, and
/vpcgw/health says so; set up again -> 200; every sample of
--prometheus-file carries node="gw-t"; a second vpcgw with the same file
cannot take the port: exit 1 and "FILE:LINE: node.health.listen: ..."; after
vpcgw stops nothing listens.
"""
import json
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2etest  # noqa: E402
from e2etest import check, log, run, vpcgw_path  # noqa: E402

HEALTH = ("127.0.0.1", 18080)

CFG = """
dpdk = { workers = %(workers)d; mbufs = 4095; flow_table_size = 4096; };
node = {
  name = "gw-t";
  health = { listen = "127.0.0.1:18080"; };
};
ports = (
  { name = "vpc"; devargs = "%(vpc)s"; mac = "02:00:00:00:00:01"; address = "10.0.0.1/16";
    rx_queues = %(rxq)d; },
  { name = "internet"; devargs = "%(internet)s"; mac = "02:00:00:00:01:01";
    address = "198.51.100.1/24"; rx_queues = %(rxq)d; }
);
vpc = { cidr = "10.0.0.0/16";
        subnets = ( { name = "a"; cidr = "10.0.1.0/24"; port = "vpc"; route_table = "t"; } ); };
internet_gateway = { port = "internet"; next_hop = "198.51.100.254"; };
route_tables = ( { name = "t"; routes = ( { destination = "0.0.0.0/0"; target = "igw"; } ); } );
"""

GET = [e2etest.PY, "-c", """
import socket, sys
try:
    s = socket.create_connection(("%s", %d), timeout=2)
    s.sendall(b"GET / HTTP/1.0\\r\\n\\r\\n")
    b = b""
    while True:
        d = s.recv(4096)
        if not d:
            break
        b += d
    sys.stdout.write(b.decode())
except OSError as e:
    sys.stdout.write("ERROR %%s" %% e.__class__.__name__)
""" % HEALTH]


def get(env):
    return env.sh(GET, ns=env.gw).stdout


def telemetry(prefix, cmd):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(10)
    s.connect("/var/run/dpdk/%s/dpdk_telemetry.v2" % prefix)
    try:
        json.loads(s.recv(16384))
        s.send(cmd.encode())
        return json.loads(s.recv(65536))[cmd]
    finally:
        s.close()


def wait_answer(env, status, what, timeout=2.0):
    t0 = time.monotonic()
    while True:
        a = get(env)
        if a.startswith("HTTP/1.0 %s" % status):
            log("ok: %s (%.2f s): %s" % (what, time.monotonic() - t0, a.splitlines()[0]))
            return a
        if time.monotonic() - t0 > timeout:
            raise e2etest.TestFailure("not within %.1f s: %s; last answer %r" % (timeout, what, a))
        time.sleep(0.05)


def body(env):
    prefix = "vg19h" + env.sfx
    e2etest.EAL_ARGS = e2etest.EAL_ARGS + ["--file-prefix", prefix]
    devargs = {"vpc": env.add_port("vpc"), "internet": env.add_port("internet")}
    prom = os.path.join(env.dir, "metrics.prom")
    text = CFG % dict(devargs, workers=env.workers, rxq=env.rxq())
    # start_vpcgw() has no --prometheus-file: a wrapper adds it
    real = vpcgw_path()
    wrapper = os.path.join(env.dir, "vpcgw-prom")
    with open(wrapper, "w") as f:
        f.write('#!/bin/sh\nexec "%s" --prometheus-file "%s" "$@"\n' % (real, prom))
    os.chmod(wrapper, 0o755)
    os.environ["VPCGW"] = wrapper
    env.start_vpcgw(text, stats_interval=1)
    a = wait_answer(env, "200 OK", "health port: healthy with both ports up")
    js = json.loads(a.replace("\r\n", "\n").split("\n\n", 1)[1])
    check(js["node"] == "gw-t" and js["healthy"] is True and js["ports_down"] == [],
          "answer body names the node, healthy, no port down: %s" % js)
    t = telemetry(prefix, "/vpcgw/health")
    check(t["node"] == "gw-t" and t["status"] == "healthy" and t["workers"] == "polling" and
          t["ports"] == {"vpc": "up", "internet": "up"}, "/vpcgw/health: %s" % t)

    tap = env.ports["internet"]["tap"]
    env.ip(env.gw, "link", "set", "dev", tap, "down")
    a = wait_answer(env, "503 Service Unavailable", "internet TAP down: 503")
    js = json.loads(a.replace("\r\n", "\n").split("\n\n", 1)[1])
    check(js["healthy"] is False and js["ports_down"] == ["internet"],
          "503 body names the port that is down: %s" % js)
    t = telemetry(prefix, "/vpcgw/health")
    check(t["status"] == "unhealthy" and t["ports"]["internet"] == "down" and
          t["answered_503"] >= 1, "/vpcgw/health: unhealthy, internet down")
    env.ip(env.gw, "link", "set", "dev", tap, "up")
    wait_answer(env, "200 OK", "internet TAP up again: 200")

    # the same file while the port is taken: refused before the EAL starts
    cfg = os.path.join(env.dir, "vpcgw.cfg")
    r = env.sh([real, "-c", cfg, "--"] + e2etest.EAL_ARGS[:-1] + [prefix + "x"], ns=env.gw,
               check_rc=False, timeout=30)
    line = [i + 1 for i, l in enumerate(text.splitlines()) if l.startswith("node =")][0]
    want = "%s:%d: node.health.listen: cannot listen on 127.0.0.1:18080: Address already in use" \
        % (cfg, line)
    check(r.returncode == 1 and want in r.stderr,
          "second vpcgw: exit 1 with %r (got %d: %s)" % (want, r.returncode, r.stderr.strip()))
    env.stop_vpcgw()
    prom_check(prom)
    a = get(env)
    check(a.startswith("ERROR"), "vpcgw stopped: the health port is closed (%s)" % a)


def prom_check(path):
    with open(path) as f:
        lines = [l for l in f.read().splitlines() if l and not l.startswith("#")]
    bad = [l for l in lines if 'node="gw-t"' not in l]
    check(lines and not bad, "%d Prometheus samples, each with node=\"gw-t\" (bad: %s)"
          % (len(lines), bad[:3]))


if __name__ == "__main__":
    run("health", body)
