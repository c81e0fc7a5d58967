# SPDX-License-Identifier: BSD-3-Clause
"""
e2e-gwlb: internet <-> elastic IP of an instance through a Gateway Load
Balancer appliance (ingress routing), with real TCP at both ends and a real
UDP socket as the appliance (geneve_bounce.py: returns every GENEVE datagram
unchanged).

  ns inet       198.51.100.254/24 (IGW next hop); client 203.0.113.50 and
                server 203.0.113.10 on lo
  ns instance   10.0.0.10/24 (subnet public-a), elastic IP 198.51.100.20
  ns appliance  192.168.50.10/24 on the appliances port, geneve_bounce.py on
                UDP 6081, TCP 80 open for the health probes

MTU: GENEVE adds 68 bytes to every inner IP packet (20 IPv4 + 8 UDP + 8 GENEVE
+ 32 options; SPEC §4: no inner Ethernet header), and a net_tap port cannot
carry frames over 1522 bytes (DPDK 22.11 tap: max_rx_pktlen 1522; vpcgw with
`mtu = 9000` on a net_tap port fails to configure it), so the instance and
the internet hosts use MTU 1500 - 68 = 1432: their full-size 1432-byte IP
packets become 1500-byte outer IPv4 packets, exactly the appliance port's MTU
(one byte more and vpcgw would drop them, mtu_exceeded).
  IGW edge route table:  10.0.0.0/24 -> gwlb-endpoint:inspect-a
  public-a route table:  0.0.0.0/0   -> gwlb-endpoint:inspect-a
  gwlbe (endpoint subnet 10.0.3.0/24) route table: 0.0.0.0/0 -> igw

Inbound: client -> 198.51.100.20 -> IGW (to 10.0.0.10) -> edge table -> GENEVE
to the appliance -> back -> endpoint subnet's table (local) -> instance.
Replies and instance-initiated traffic: public-a table -> GENEVE -> back ->
endpoint subnet's table (igw) -> elastic IP -> internet.

Checks: HTTP from the internet to the elastic IP (the server sees the
client's address), 5 MB both ways with sha256, the instance's own HTTP
request to an internet server (seen from the elastic IP), the appliance saw
well-formed GENEVE (protocol type 0x0800, the inner IPv4 packet right after
the 40-byte GENEVE header) with the endpoint ID of the configuration, both
directions of the flows, and nothing passes once the appliance stops
answering. This is the fast case; tests/e2e/test_gwlbtun.py runs AWS's own
appliance software in the same topology.
"""
import hashlib
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2etest import HTTPD, PY, check, log, run  # noqa: E402

EIP = "198.51.100.20"
INSTANCE = "10.0.0.10"
CLIENT = "203.0.113.50"
SERVER = "203.0.113.10"
APPLIANCE = "192.168.50.10"
VPCE = "vpce-0a1b2c3d4e5f60718"
BLOB_MB = 5
INNER_MTU = 1500 - 68          # GENEVE's 68 bytes on a 1500-byte appliance port

CFG = """
dpdk = { workers = %(workers)d; mbufs = 8191; flow_table_size = 65536; };
ports = (
  { name = "vpc"; devargs = "%(vpc)s"; mac = "02:00:00:00:00:01"; address = "10.0.0.1/16";
    rx_queues = %(rxq)d; },
  { name = "internet"; devargs = "%(internet)s"; mac = "02:00:00:00:01:01";
    address = "198.51.100.1/24"; rx_queues = %(rxq)d; },
  { name = "appliances"; devargs = "%(appliances)s"; mac = "02:00:00:00:02:01";
    address = "192.168.50.1/24"; rx_queues = %(rxq)d; }
);
vpc = {
  cidr = "10.0.0.0/16";
  subnets = (
    { name = "public-a"; cidr = "10.0.0.0/24"; port = "vpc"; route_table = "public"; },
    { name = "gwlbe"; cidr = "10.0.3.0/24"; port = "vpc"; route_table = "gwlbe-rt"; }
  );
};
internet_gateway = {
  port = "internet"; next_hop = "198.51.100.254"; route_table = "edge";
  elastic_ips = ( { public = "%(eip)s"; private = "%(instance)s"; } );
};
route_tables = (
  { name = "public";
    routes = ( { destination = "0.0.0.0/0"; target = "gwlb-endpoint:inspect-a"; } ); },
  { name = "gwlbe-rt"; routes = ( { destination = "0.0.0.0/0"; target = "igw"; } ); },
  { name = "edge";
    routes = ( { destination = "10.0.0.0/24"; target = "gwlb-endpoint:inspect-a"; } ); }
);
security_groups = (
  { name = "web";
    ingress = ( { protocol = "tcp"; ports = "8000-9000"; source = "0.0.0.0/0"; } );
    egress = ( { protocol = "all"; destination = "0.0.0.0/0"; } ); }
);
interfaces = ( { address = "%(instance)s"; security_groups = [ "web" ]; } );
gateway_load_balancers = (
  { name = "inspect"; port = "appliances";
    health_check = { protocol = "tcp"; port = 80; interval = 5; timeout = 2;
                     healthy_threshold = 2; unhealthy_threshold = 2; };
    appliances = ( { address = "%(appliance)s"; } );
    endpoints = ( { name = "inspect-a"; id = "%(vpce)s"; subnet = "gwlbe"; } ); }
);
"""


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def body(env):
    devargs = {"vpc": env.add_port("vpc"), "internet": env.add_port("internet"),
               "appliances": env.add_port("appliances")}
    inet = env.add_host("inet", "internet", "198.51.100.254/24",
                        extra=[CLIENT + "/32", SERVER + "/32"], mtu=INNER_MTU)
    inst = env.add_host("instance", "vpc", INSTANCE + "/24", gateway="10.0.0.1", mtu=INNER_MTU)
    appl = env.add_host("appliance", "appliances", APPLIANCE + "/24", gateway="192.168.50.1")

    www = os.path.join(env.dir, "www")
    os.mkdir(www)
    token = "hello-through-gwlb-%s" % env.sfx
    with open(os.path.join(www, "hello.txt"), "w") as f:
        f.write(token + "\n")
    blob = os.path.join(www, "blob.bin")
    with open(blob, "wb") as f:
        f.write(os.urandom(BLOB_MB << 20))
    blob_sum = sha256(blob)

    env.spawn(inst, HTTPD + ["8000", "--bind", INSTANCE, "--directory", www], "http-instance")
    env.spawn(inet, HTTPD + ["8000", "--bind", SERVER, "--directory", www], "http-internet")
    bounce = env.spawn(appl, [PY, os.path.join(os.path.dirname(__file__), "geneve_bounce.py"),
                              "--bind", APPLIANCE, "--health-port", "80"], "bounce")
    env.wait_listen(inst, 8000)
    env.wait_listen(inet, 8000)
    env.wait_listen(appl, 6081, "udp")
    env.wait_listen(appl, 80)
    env.start_vpcgw(CFG % dict(devargs, workers=env.workers, rxq=env.rxq(), eip=EIP,
                               instance=INSTANCE, appliance=APPLIANCE, vpce=VPCE))

    # internet -> elastic IP, through the appliance both ways
    r = env.sh(["curl", "-sS", "--max-time", "10", "--interface", CLIENT,
                "http://%s:8000/hello.txt" % EIP], ns=inet, check_rc=False)
    check(r.returncode == 0 and r.stdout.strip() == token,
          "curl internet -> http://%s:8000/hello.txt through the appliance (rc %d, %r %s)"
          % (EIP, r.returncode, r.stdout[:80], r.stderr.strip()))
    peers = re.findall(r'^(\S+) - - \[.*"GET /hello.txt', env.logtext("http-instance"), re.M)
    check(peers == [CLIENT], "the instance saw the client address %s (%s)" % (CLIENT, peers))

    got = os.path.join(env.dir, "download.bin")
    r = env.sh(["curl", "-sS", "--max-time", "60", "--interface", CLIENT, "-o", got,
                "-w", "%{speed_download}", "http://%s:8000/blob.bin" % EIP],
               ns=inet, timeout=70, check_rc=False)
    check(r.returncode == 0, "curl of %d MB from the instance through the appliance (rc %d %s)"
          % (BLOB_MB, r.returncode, r.stderr.strip()))
    log("download speed: %.1f MB/s" % (float(r.stdout or 0) / 1e6))
    check(sha256(got) == blob_sum, "download: sha256 of the %d MB received == sent" % BLOB_MB)

    up = os.path.join(env.dir, "upload.bin")
    rx = env.spawn(inst, ["socat", "-u", "TCP4-LISTEN:9000,bind=%s,reuseaddr" % INSTANCE,
                          "CREATE:" + up], "socat-rx")
    env.wait_listen(inst, 9000)
    r = env.sh(["socat", "-u", "OPEN:" + blob,
                "TCP4:%s:9000,bind=%s,connect-timeout=5" % (EIP, CLIENT)],
               ns=inet, timeout=60, check_rc=False)
    check(r.returncode == 0, "socat upload of %d MB to the elastic IP (rc %d %s)"
          % (BLOB_MB, r.returncode, r.stderr.strip()))
    rx.wait(timeout=30)
    check(sha256(up) == blob_sum, "upload: sha256 of the %d MB received == sent" % BLOB_MB)

    # the instance's own connection to the internet: public-a -> appliance -> igw
    r = env.sh(["curl", "-sS", "--max-time", "10", "http://%s:8000/hello.txt" % SERVER],
               ns=inst, check_rc=False)
    check(r.returncode == 0 and r.stdout.strip() == token,
          "curl instance -> http://%s:8000/hello.txt through the appliance (rc %d, %s)"
          % (SERVER, r.returncode, r.stderr.strip()))
    peers = re.findall(r'^(\S+) - - \[.*"GET /hello.txt', env.logtext("http-internet"), re.M)
    check(peers == [EIP], "the internet server saw the elastic IP %s (%s)" % (EIP, peers))

    # what the appliance saw
    bounce.terminate()
    bounce.wait(timeout=5)
    lines = [ln for ln in env.logtext("bounce").splitlines() if ln.startswith("{")]
    check(len(lines) == 1, "the appliance reported its counters")
    ap = json.loads(lines[0])
    log("appliance: %s" % {k: v for k, v in ap.items() if k != "inner"})
    log("appliance inner pairs: %s" % ap["inner"])
    vpce_hex = "%016x" % int(VPCE[5:], 16)
    check(ap["packets"] > 2 * (BLOB_MB << 20) // 1500 and ap["malformed"] == 0,
          "the appliance bounced %d GENEVE packets, none malformed" % ap["packets"])
    check(ap["protocols"] == ["0x0800"],
          "GENEVE protocol type 0x0800, an IPv4 packet as the payload (%s)" % ap["protocols"])
    check(ap["endpoints"] == [vpce_hex], "GENEVE endpoint-ID option is %s's value (%s)"
          % (VPCE, ap["endpoints"]))
    check(ap["senders"] == ["192.168.50.1"], "GENEVE came from vpcgw's appliance port address")
    # GENEVE header with its three options: 40 bytes, then the inner IP packet
    check(ap["max_len"] == INNER_MTU + 40,
          "full-size inner packets crossed (largest GENEVE datagram %d bytes = 40 + %d)"
          % (ap["max_len"], INNER_MTU))
    for pair in ("%s>%s" % (CLIENT, INSTANCE), "%s>%s" % (INSTANCE, CLIENT),
                 "%s>%s" % (INSTANCE, SERVER), "%s>%s" % (SERVER, INSTANCE)):
        check(ap["inner"].get(pair, 0) > 0, "the appliance saw inner packets %s (%d)"
              % (pair, ap["inner"].get(pair, 0)))

    # appliance gone: nothing passes (the traffic really went through it)
    res = env.probe(inet, "tcp", EIP, 8000, src=CLIENT, timeout=2)
    check(res["result"] == "timeout",
          "without the appliance, internet -> %s:8000 times out: %s" % (EIP, res))

    st = env.stop_vpcgw()
    log("drops: %s" % env.drops())
    g = st["gwlb"]["inspect"]
    log("gwlb inspect: %s" % {k: v for k, v in g.items() if k != "lcu"})
    # curl x2 + socat + probe from the internet, curl from the instance
    check(g["NewFlowCount"] >= 5, "GWLB NewFlowCount >= 5 (%d)" % g["NewFlowCount"])
    check(g["ProcessedBytes"] > 2 * (BLOB_MB << 20), "GWLB ProcessedBytes > 2 x %d MB (%d)"
          % (BLOB_MB, g["ProcessedBytes"]))
    check(all(st["drops"][k] == 0 for k in ("gwlb_cookie_mismatch", "gwlb_malformed",
                                             "gwlb_bad_protocol", "gwlb_no_flow", "mtu_exceeded")),
          "no GENEVE packet came back rejected, none over the MTU")


if __name__ == "__main__":
    run("gwlb", body)
