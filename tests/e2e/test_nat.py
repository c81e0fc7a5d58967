# SPDX-License-Identifier: BSD-3-Clause
"""
e2e-nat: a host of a private subnet reaches an internet server through the
NAT gateway, with the kernel's own TCP, UDP and ICMP; the internet cannot open
anything toward the NAT address.

  ns inside  10.0.1.10/24 (private-a, gw 10.0.1.1) --- vpc port
  ns inet    198.51.100.254/24 (the IGW next hop), servers on 203.0.113.10 (lo)
             --- internet port
  private-a routes 0.0.0.0/0 to nat-gateway:nat-a (198.51.100.10).

Checks: curl of a small file (the server logs the NAT address as the client),
20 MB download (curl) and 20 MB upload (socat), sha256 equal at both ends,
ping, UDP request/answer (socat echo), unsolicited TCP and UDP from the
internet to the NAT address time out (no RST, no ICMP) and are counted
(nat_no_session), and the NAT gateway's CloudWatch counters.
"""
import hashlib
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2etest import HTTPD, SERVERS, check, log, run  # noqa: E402

NAT_ADDR = "198.51.100.10"
SERVER = "203.0.113.10"
BLOB_MB = 20

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
    { name = "private-a"; cidr = "10.0.1.0/24"; port = "vpc"; route_table = "private";
      network_acl = "private"; }
  );
};
internet_gateway = { port = "internet"; next_hop = "198.51.100.254"; };
route_tables = (
  { name = "public"; routes = ( { destination = "0.0.0.0/0"; target = "igw"; } ); },
  { name = "private"; routes = ( { destination = "0.0.0.0/0"; target = "nat-gateway:nat-a"; } ); }
);
network_acls = (
  { name = "private";
    ingress = ( { rule = 100; protocol = "tcp"; ports = "1024-65535";
                  cidr = "0.0.0.0/0"; action = "allow"; },
                { rule = 105; protocol = "udp"; ports = "1024-65535";
                  cidr = "0.0.0.0/0"; action = "allow"; },
                { rule = 110; protocol = "icmp"; cidr = "0.0.0.0/0"; action = "allow"; },
                { rule = 120; protocol = "all"; cidr = "10.0.0.0/16"; action = "allow"; } );
    egress = ( { rule = 100; protocol = "all"; cidr = "0.0.0.0/0"; action = "allow"; } ); }
);
security_groups = (
  { name = "inside";
    ingress = ( { protocol = "all"; source = "10.0.0.0/16"; } );
    egress = ( { protocol = "all"; destination = "0.0.0.0/0"; } ); }
);
interfaces = ( { address = "10.0.1.10"; security_groups = [ "inside" ]; } );
nat_gateways = ( { name = "nat-a"; subnet = "public-a"; addresses = [ "%(nat)s" ]; } );
"""


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def body(env):
    devargs = {"vpc": env.add_port("vpc"), "internet": env.add_port("internet")}
    inside = env.add_host("inside", "vpc", "10.0.1.10/24", gateway="10.0.1.1")
    inet = env.add_host("inet", "internet", "198.51.100.254/24", extra=[SERVER + "/32"])

    www = os.path.join(env.dir, "www")
    os.mkdir(www)
    token = "hello-through-nat-%s" % env.sfx
    with open(os.path.join(www, "hello.txt"), "w") as f:
        f.write(token + "\n")
    blob = os.path.join(www, "blob.bin")
    with open(blob, "wb") as f:
        f.write(os.urandom(BLOB_MB << 20))
    blob_sum = sha256(blob)

    env.spawn(inet, HTTPD + ["8000", "--bind", SERVER, "--directory", www], "http-server")
    env.spawn(inet, ["socat", "UDP4-RECVFROM:5353,bind=%s,fork" % SERVER, "PIPE"], "udp-echo")
    env.spawn(inside, SERVERS + ["--name", "inside", "--tcp", "8080", "--udp", "5353"],
              "inside-servers")
    env.wait_listen(inet, 8000)
    env.wait_listen(inet, 5353, "udp")
    env.wait_listen(inside, 8080)
    env.start_vpcgw(CFG % dict(devargs, workers=env.workers, rxq=env.rxq(), nat=NAT_ADDR))

    # ICMP echo through the NAT (identifier translated)
    r = env.sh(["ping", "-c", "3", "-i", "0.2", "-W", "2", SERVER], ns=inside, check_rc=False)
    check(r.returncode == 0 and " 0% packet loss" in r.stdout,
          "ping inside -> %s through the NAT: %s" % (SERVER, r.stdout.strip().splitlines()[-2:]))

    # HTTP: the server sees the NAT address as the client
    r = env.sh(["curl", "-sS", "--max-time", "10", "http://%s:8000/hello.txt" % SERVER],
               ns=inside, check_rc=False)
    check(r.returncode == 0 and r.stdout.strip() == token,
          "curl inside -> http://%s:8000/hello.txt returns the file (rc %d, %r %s)"
          % (SERVER, r.returncode, r.stdout[:80], r.stderr.strip()))
    peers = re.findall(r'^(\S+) - - \[.*"GET /hello.txt', env.logtext("http-server"), re.M)
    check(peers == [NAT_ADDR], "http server saw the client as the NAT address %s (log: %s)"
          % (NAT_ADDR, peers))

    # bulk download, 20 MB
    got = os.path.join(env.dir, "download.bin")
    r = env.sh(["curl", "-sS", "--max-time", "60", "-o", got,
                "-w", "%{speed_download}", "http://%s:8000/blob.bin" % SERVER],
               ns=inside, timeout=70, check_rc=False)
    check(r.returncode == 0, "curl of %d MB through the NAT (rc %d %s)"
          % (BLOB_MB, r.returncode, r.stderr.strip()))
    log("download speed: %.1f MB/s" % (float(r.stdout or 0) / 1e6))
    check(os.path.getsize(got) == BLOB_MB << 20 and sha256(got) == blob_sum,
          "download: sha256 of the %d MB received == sent" % BLOB_MB)
    os.unlink(got)

    # bulk upload, 20 MB, socat at both ends
    up = os.path.join(env.dir, "upload.bin")
    rx = env.spawn(inet, ["socat", "-u", "TCP4-LISTEN:9000,bind=%s,reuseaddr" % SERVER,
                          "CREATE:" + up], "socat-rx")
    env.wait_listen(inet, 9000)
    r = env.sh(["socat", "-u", "OPEN:" + blob, "TCP4:%s:9000,connect-timeout=5" % SERVER],
               ns=inside, timeout=60, check_rc=False)
    check(r.returncode == 0, "socat upload of %d MB (rc %d %s)"
          % (BLOB_MB, r.returncode, r.stderr.strip()))
    rx.wait(timeout=30)
    check(os.path.getsize(up) == BLOB_MB << 20 and sha256(up) == blob_sum,
          "upload: sha256 of the %d MB received == sent" % BLOB_MB)
    os.unlink(up)

    # UDP request and answer (socat PIPE echoes the datagram)
    for i in range(3):
        data = "udp-%d-%s" % (i, env.sfx)
        res = env.probe(inside, "udp", SERVER, 5353, data=data)
        check(res["result"] == "reply" and res["reply"] == data,
              "UDP inside -> %s:5353 through the NAT answered: %s" % (SERVER, res))

    # unsolicited: internet -> NAT address, TCP and UDP, nothing comes back
    for port in (8080, 40000):
        res = env.probe(inet, "tcp", NAT_ADDR, port, timeout=2)
        check(res["result"] == "timeout",
              "unsolicited TCP internet -> %s:%d times out: %s" % (NAT_ADDR, port, res))
    res = env.probe(inet, "udp", NAT_ADDR, 5353, timeout=2)
    check(res["result"] == "timeout",
          "unsolicited UDP internet -> %s:5353 times out: %s" % (NAT_ADDR, res))
    check(env.logtext("inside-servers") == "",
          "the inside host received nothing unsolicited (%r)" % env.logtext("inside-servers"))

    st = env.stop_vpcgw()
    drops = env.drops()
    log("drops: %s" % drops)
    check(drops.get("nat_no_session", 0) >= 3,
          "unsolicited packets counted as nat_no_session (%d)" % drops.get("nat_no_session", 0))
    nat = st["nat"]["nat-a"]
    log("nat-a: %s" % nat)
    # ping 1 flow, curl 2, socat 1, udp 3 (one socket each)
    check(nat["ConnectionAttemptCount"] >= 7, "ConnectionAttemptCount >= 7 (%d)"
          % nat["ConnectionAttemptCount"])
    check(nat["ConnectionEstablishedCount"] >= 3, "ConnectionEstablishedCount >= 3 (%d)"
          % nat["ConnectionEstablishedCount"])
    check(nat["ErrorPortAllocation"] == 0, "no ErrorPortAllocation")
    check(nat["BytesOutToDestination"] > BLOB_MB << 20, "BytesOutToDestination > %d MB (%d)"
          % (BLOB_MB, nat["BytesOutToDestination"]))
    check(nat["BytesOutToSource"] > BLOB_MB << 20, "BytesOutToSource > %d MB (%d)"
          % (BLOB_MB, nat["BytesOutToSource"]))
    check(nat["PacketsInFromSource"] == nat["PacketsOutToDestination"],
          "PacketsInFromSource == PacketsOutToDestination (%d, %d)"
          % (nat["PacketsInFromSource"], nat["PacketsOutToDestination"]))
    check(nat["PacketsInFromDestination"] == nat["PacketsOutToSource"],
          "PacketsInFromDestination == PacketsOutToSource (%d, %d)"
          % (nat["PacketsInFromDestination"], nat["PacketsOutToSource"]))


if __name__ == "__main__":
    run("nat", body)
