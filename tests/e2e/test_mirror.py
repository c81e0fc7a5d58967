# SPDX-License-Identifier: BSD-3-Clause
"""
e2e-mirror (issue #21): traffic mirroring's VXLAN copies decapsulated by a
real Linux VXLAN device, compared with the ENI's real traffic.

  ns inside    10.0.1.10/24 (the mirrored ENI) --- vpc port
  ns inet      198.51.100.254/24, server 203.0.113.10 --- internet port
  ns collector 192.168.60.9/24 --- mon port (192.168.60.1/24), with
               vx0: `ip link add vx0 type vxlan id 4242 dstport 4789`

A session on eni:10.0.1.10 copies everything both ways to 192.168.60.9, VNI
4242. The instance pings the server and fetches a page over HTTP through the
NAT gateway. tshark captures the instance's eth0 (what the ENI really sent
and received) and the collector's vx0 (what Linux's VXLAN driver
decapsulated from vpcgw's copies). Every IPv4 frame of the first capture
from or to the ENI's address must be in the second, byte for byte (the
frame as the ENI sent it, and as
it was delivered to it; the instance's own TCP checksums as the wire carries
them, see ipv4_frames), and nothing else; and the ping and the page work.
"""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2etest import HTTPD, check, log, run  # noqa: E402
from scapy.all import ICMP, IP, TCP, UDP, Ether, rdpcap  # noqa: E402

SERVER = "203.0.113.10"
NAT_ADDR = "198.51.100.10"
COLLECTOR_MAC = "02:00:00:00:60:09"
ENI = "10.0.1.10"
MARK = "10.0.1.1"      # the instance's router: its pings tell that both captures run

CFG = """
dpdk = { workers = %(workers)d; mbufs = 8191; flow_table_size = 65536; };
ports = (
  { name = "vpc"; devargs = "%(vpc)s"; mac = "02:00:00:00:00:01"; address = "10.0.0.1/16";
    rx_queues = %(rxq)d; },
  { name = "internet"; devargs = "%(internet)s"; mac = "02:00:00:00:01:01";
    address = "198.51.100.1/24"; rx_queues = %(rxq)d; },
  { name = "mon"; devargs = "%(mon)s"; mac = "02:00:00:00:03:01";
    address = "192.168.60.1/24"; rx_queues = %(rxq)d; }
);
neighbors = ( { port = "mon"; address = "192.168.60.9"; mac = "%(cmac)s"; } );
vpc = {
  cidr = "10.0.0.0/16";
  subnets = (
    { name = "public-a"; cidr = "10.0.0.0/24"; port = "vpc"; route_table = "public"; },
    { name = "private-a"; cidr = "10.0.1.0/24"; port = "vpc"; route_table = "private"; }
  );
};
internet_gateway = { port = "internet"; next_hop = "198.51.100.254"; };
route_tables = (
  { name = "public"; routes = ( { destination = "0.0.0.0/0"; target = "igw"; } ); },
  { name = "private"; routes = ( { destination = "0.0.0.0/0"; target = "nat-gateway:nat-a"; } ); }
);
security_groups = (
  { name = "inside";
    ingress = ( { protocol = "all"; source = "10.0.0.0/16"; } );
    egress = ( { protocol = "all"; destination = "0.0.0.0/0"; } ); }
);
interfaces = ( { address = "10.0.1.10"; security_groups = [ "inside" ]; } );
nat_gateways = ( { name = "nat-a"; subnet = "public-a"; addresses = [ "%(nat)s" ]; } );
traffic_mirror_sessions = (
  { name = "all-of-inside"; source = "eni:10.0.1.10";
    target = { address = "192.168.60.9"; port = "mon"; }; vni = 4242; session_number = 1;
    filter = { inbound = ( { rule = 100; protocol = "all"; cidr = "0.0.0.0/0"; action = "accept"; } );
               outbound = ( { rule = 100; protocol = "all"; cidr = "0.0.0.0/0"; action = "accept"; } ); }; }
);
"""


def ipv4_frames(path, finish_checksums=False):
    """The IPv4 frames of a capture, as bytes. finish_checksums: the TCP/UDP
    checksum as the wire carries it. A capture on the sender's own veth sees
    its TCP segments before the checksum offload finishes them (the kernel's
    CHECKSUM_PARTIAL: the pseudo-header sum only); the frame that reaches
    vpcgw carries the whole sum. A correct checksum stays as it is."""
    out = []
    for p in rdpcap(path):
        if Ether not in p or IP not in p:
            continue
        if finish_checksums and (TCP in p or UDP in p):
            q = p.copy()
            del q[TCP if TCP in q else UDP].chksum
            p = Ether(bytes(q))
        out.append(bytes(p))
    return sorted(out)


def is_mark(frame):
    """A ping of the instance to its router, or the router's answer."""
    ip = Ether(frame)[IP]
    return ICMP in ip and MARK in (ip.src, ip.dst)


def is_eni(frame):
    """A frame from or to the mirrored ENI's address."""
    ip = Ether(frame)[IP]
    return ENI in (ip.src, ip.dst)


def body(env):
    devargs = {"vpc": env.add_port("vpc"), "internet": env.add_port("internet"),
               "mon": env.add_port("mon")}
    inside = env.add_host("inside", "vpc", "10.0.1.10/24", gateway="10.0.1.1")
    inet = env.add_host("inet", "internet", "198.51.100.254/24", extra=[SERVER + "/32"])
    coll = env.add_host("collector", "mon", "192.168.60.9/24")
    env.ip(coll, "link", "set", "eth0", "address", COLLECTOR_MAC)
    # Linux's own VXLAN: decapsulates what arrives on UDP 4789 with VNI 4242
    env.ip(coll, "link", "add", "vx0", "type", "vxlan", "id", "4242", "dstport", "4789",
           "local", "192.168.60.9", "dev", "eth0", "nolearning")
    env.ip(coll, "link", "set", "vx0", "up")

    www = os.path.join(env.dir, "www")
    os.mkdir(www)
    token = "hello-mirrored-%s" % env.sfx
    with open(os.path.join(www, "hello.txt"), "w") as f:
        f.write(token + "\n")
    env.spawn(inet, HTTPD + ["8000", "--bind", SERVER, "--directory", www], "http-server")
    env.wait_listen(inet, 8000)
    env.start_vpcgw(CFG % dict(devargs, workers=env.workers, rxq=env.rxq(), nat=NAT_ADDR,
                               cmac=COLLECTOR_MAC), stats_interval=1)
    # the instance learns its router's MAC before the captures start
    env.sh(["ping", "-c", "1", "-W", "2", "10.0.1.1"], ns=inside, check_rc=False)

    eni_cap = os.path.join(env.dir, "eni.pcap")
    vx_cap = os.path.join(env.dir, "vx0.pcap")
    for ns, dev, path, label in ((inside, "eth0", eni_cap, "tshark-eni"),
                                 (coll, "vx0", vx_cap, "tshark-vx0")):
        # -P -l: a line per packet in the log as it is written to the file
        env.spawn(ns, ["tshark", "-n", "-l", "-P", "-i", dev, "-f", "ip", "-w", path], label)
    # "Capturing on" comes a moment before a capture really takes frames:
    # the instance pings its router (mirrored both ways: vpcgw answers
    # itself) until both captures have shown a frame of it. Those pings are
    # left out of the comparison; everything after is compared strictly.
    deadline = time.monotonic() + 20
    seen = re.compile(re.escape(MARK) + r"(?!\d)")     # not 10.0.1.10
    while not all(seen.search(env.logtext(l)) for l in ("tshark-eni", "tshark-vx0")):
        if time.monotonic() > deadline:
            check(False, "tshark captures started (%s seen by both)" % MARK)
        env.sh(["ping", "-c", "1", "-W", "1", MARK], ns=inside, check_rc=False)
        time.sleep(0.2)

    r = env.sh(["ping", "-c", "3", "-i", "0.2", "-W", "2", SERVER], ns=inside, check_rc=False)
    check(r.returncode == 0, "ping through the NAT gateway with mirroring on")
    r = env.sh(["curl", "-sS", "--max-time", "10", "http://%s:8000/hello.txt" % SERVER],
               ns=inside, check_rc=False)
    check(r.returncode == 0 and r.stdout.strip() == token, "HTTP through the NAT gateway")
    time.sleep(1.5)      # the last copies, and tshark's buffers
    for p, label, _ in env.procs:
        if label.startswith("tshark"):
            p.terminate()
            p.wait(timeout=10)
    st = env.stats_now()
    env.stop_vpcgw()

    # the session's source is eni:10.0.1.10: the ENI's traffic is what that
    # address sends and receives; the kernel's own link-local multicast
    # (an IGMP report from 0.0.0.0 to 224.0.0.22 when it likes) is not
    # (vpcgw drops it, ip_options, as AWS does not mirror such traffic)
    eni = [f for f in ipv4_frames(eni_cap, finish_checksums=True)
           if not is_mark(f) and is_eni(f)]
    vx = [f for f in ipv4_frames(vx_cap) if not is_mark(f)]
    log("ENI eth0: %d IPv4 frames; collector vx0: %d decapsulated" % (len(eni), len(vx)))
    for l in ("tshark-eni", "tshark-vx0"):     # what tshark says of drops, at exit
        log("%s: %s" % (l, (env.logtext(l).strip().splitlines() or [""])[-1]))
    check(len(eni) >= 3 * 2 + 6, "the ENI's capture has the pings and the TCP connection")
    missing = [f for f in eni if f not in vx]
    extra = [f for f in vx if f not in eni]
    check(not missing, "every frame the ENI sent or received was mirrored, byte for byte "
          "(%d missing; first: %s)" % (len(missing), missing[:1] and Ether(missing[0]).summary()))
    check(not extra, "nothing else was mirrored (%d extra; first: %s)"
          % (len(extra), extra[:1] and Ether(extra[0]).summary()))
    check(len(vx) == len(eni), "as many copies as frames (%d)" % len(eni))
    log("mirror counters: %s" % {k: v for k, v in st.items() if "mirror" in k.lower()})


if __name__ == "__main__":
    run("mirror", body)
