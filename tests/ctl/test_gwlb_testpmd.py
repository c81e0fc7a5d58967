#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""GWLB with dpdk-testpmd as the appliance (issue: GWLB): testpmd's
--forward-mode=5tswap swaps the MACs, the IP addresses and the UDP ports of
the outer headers of what vpcgw encapsulates (GENEVE as AWS sends it: protocol
type 0x0800, the inner IPv4 packet as the payload; 5tswap does not look past
the outer UDP header, so it works as an appliance with an L3 payload) and sends
it back over net_memif; vpcgw must accept it (UDP 6081 as source port, GENEVE
header and options unchanged), decapsulate it, give the inner packet an
Ethernet header and route it by the endpoint subnet's route table: out of the
internet gateway with the instance's elastic IP."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from ctltest import Gateway  # noqa: E402
from scapy.all import IP, UDP, Ether, rdpcap  # noqa: E402

TESTPMD_MAC = "02:00:00:00:0a:10"


def config(d, dpdk=None, vpc=None, internet=None):
    """The GWLB-through-testpmd configuration; bench/gwlb_5tswap.py uses it
    too, with its own dpdk block and port devargs."""
    return """
dpdk = %(dpdk)s;
ports = (
  { name = "vpc"; devargs = "%(vpc)s";
    mac = "02:00:00:00:00:01"; address = "10.0.0.1/16"; },
  { name = "appliances"; devargs = "net_memif0,role=server,socket=%(d)s/memif.sock";
    mac = "02:00:00:00:02:01"; address = "192.168.50.1/24"; mtu = 1500; },
  { name = "internet"; devargs = "%(inet)s";
    mac = "02:00:00:00:01:01"; address = "198.51.100.1/24"; }
);
neighbors = ( { port = "internet"; address = "198.51.100.254"; mac = "02:00:00:00:01:fe"; },
              { port = "appliances"; address = "192.168.50.10"; mac = "%(tp)s"; } );
vpc = { cidr = "10.0.0.0/16";
  subnets = ( { name = "public-a"; cidr = "10.0.0.0/24"; port = "vpc"; route_table = "public"; },
              { name = "app-a"; cidr = "10.0.2.0/24"; port = "vpc"; route_table = "inspected"; } ); };
internet_gateway = { port = "internet"; next_hop = "198.51.100.254";
  elastic_ips = ( { public = "198.51.100.20"; private = "10.0.2.10"; } ); };
route_tables = (
  { name = "public"; routes = ( { destination = "0.0.0.0/0"; target = "igw"; } ); },
  { name = "inspected"; routes = ( { destination = "0.0.0.0/0"; target = "gwlb-endpoint:e1"; } ); }
);
gateway_load_balancers = ( { name = "inspect"; port = "appliances";
    health_check = { enabled = false; };
    appliances = ( { address = "192.168.50.10"; } );
    endpoints = ( { name = "e1"; id = "vpce-0a1b2c3d4e5f60718"; subnet = "public-a"; } ); } );
""" % {"d": d, "tp": TESTPMD_MAC,
       "dpdk": dpdk or '{ eal_args = [ "--no-huge", "-m", "256", "--no-pci" ]; workers = 2; '
                       'mbufs = 4095; flow_table_size = 4096; }',
       "vpc": vpc or "net_pcap0,rx_pcap=%s/vpc-in.fifo,tx_pcap=%s/vpc-out.pcap" % (d, d),
       "inet": internet or "net_pcap1,rx_pcap=%s/empty.pcap,tx_pcap=%s/inet-out.pcap" % (d, d)}


def main():
    n = 20
    # the first packet comes after testpmd and its memif link are up: seconds
    # on a loaded machine, longer than the harness's 5 s idle exit
    with Gateway(config, "gwtp", args=("--exit-idle-ms", "20000")) as gw:
        sock = os.path.join(gw.dir, "memif.sock")
        tp = subprocess.Popen(
            ["dpdk-testpmd", "--no-huge", "-m", "256", "--no-pci", "--file-prefix",
             "tp%d" % os.getpid(), "--log-level", "lib.eal:error",
             "--vdev", "net_memif0,role=client,socket=%s,mac=%s" % (sock, TESTPMD_MAC),
             "--", "--forward-mode=5tswap", "--total-num-mbufs=4096", "--auto-start",
             "--nb-cores=1"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            # wait for the memif link, then send
            # the FIFO-fed port blocks worker 0 between bursts of 32: the
            # memif port is polled by worker 1 (port order), and the packets
            # it hands to worker 0 leave when the next FIFO burst arrives
            gw.wait_for(lambda: gw.telemetry("/ethdev/link_status,1").get("status") == "UP",
                        "memif link up", timeout=30)
            time.sleep(2)       # the client side's rings
            for i in range(n):
                gw.send(Ether(src="02:aa:0a:00:02:0a", dst="02:00:00:00:00:01") /
                        IP(src="10.0.2.10", dst="8.8.8.8", ttl=64) /
                        UDP(sport=5000 + i, dport=53) / (b"q%02d" % i))
            gw.flush()
            time.sleep(1)
            gw.flush()
            gw.wait_for(lambda: gw.telemetry("/vpcgw/ports")["ports/internet/tx"] == n,
                        "%d packets back from testpmd and out to the internet" % n)
            st = gw.telemetry("/vpcgw/stats")
            bad = {k: v for k, v in st.items() if k.startswith("drops/gwlb") and v}
            assert not bad, bad
        finally:
            tp.stdin.close()
            try:
                tp.wait(timeout=10)
            except subprocess.TimeoutExpired:
                tp.kill()
                tp.wait()
        os.environ["VPCGW_KEEP"] = "1"
    out = rdpcap(os.path.join(gw.dir, "inet-out.pcap"))
    got = sorted(p[UDP].sport for p in out if IP in p and p[IP].src == "198.51.100.20")
    assert got == list(range(5000, 5000 + n)), got
    for p in out:
        assert p[IP].dst == "8.8.8.8" and p[IP].ttl == 63, p.summary()
    st = gw.stats()
    assert st["gwlb"]["inspect"]["NewFlowCount"] == n, st["gwlb"]
    import shutil
    shutil.rmtree(gw.dir, ignore_errors=True)
    print("gwlb with testpmd 5tswap: ok (%d flows through the appliance and back)" % n)


if __name__ == "__main__":
    main()
