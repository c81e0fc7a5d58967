#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Example traffic for examples/demo.cfg: one capture per port, built from the
addresses of SPEC §2, with a little of every service the example configures.

usage: demo_traffic.py OUTDIR    (writes vpc-in.pcap, inet-in.pcap, app-in.pcap)
"""
import os
import sys

from scapy.all import ARP, ICMP, IP, TCP, UDP, Ether, Raw, wrpcap

VPC_MAC = "02:00:00:00:00:01"
INET_MAC = "02:00:00:00:01:01"
APP_MAC = "02:00:00:00:02:01"
ROUTER_MAC = "02:00:00:00:01:fe"      # the internet next hop (static neighbor)


def host_mac(ip):
    a, b, c, d = (int(x) for x in ip.split("."))
    return "02:aa:%02x:%02x:%02x:%02x" % (a, b, c, d)


def at(t, pkt):
    pkt.time = 1700000000 + t
    return pkt


def from_host(src, dst, l4, t):
    return at(t, Ether(src=host_mac(src), dst=VPC_MAC) / IP(src=src, dst=dst, ttl=64) / l4)


def from_inet(src, dst, l4, t):
    return at(t, Ether(src=ROUTER_MAC, dst=INET_MAC) / IP(src=src, dst=dst, ttl=60) / l4)


def arp_reply(ip, gw_ip, gw_mac, t):
    return at(t, Ether(src=host_mac(ip), dst=gw_mac) /
              ARP(op=2, hwsrc=host_mac(ip), psrc=ip, hwdst=gw_mac, pdst=gw_ip))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    vpc, inet, app = [], [], []

    # ARP for the subnet routers, and a ping of one
    vpc.append(at(0.0, Ether(src=host_mac("10.0.1.10"), dst="ff:ff:ff:ff:ff:ff") /
                  ARP(op=1, hwsrc=host_mac("10.0.1.10"), psrc="10.0.1.10", pdst="10.0.1.1")))
    vpc.append(from_host("10.0.1.10", "10.0.1.1", ICMP(id=7, seq=1) / Raw(b"ping"), 0.1))
    # hosts answer ARP so vpcgw can deliver to them (unsolicited replies are learned)
    for ip, gw in (("10.0.0.10", "10.0.0.1"), ("10.0.1.10", "10.0.1.1"),
                   ("10.0.1.11", "10.0.1.1"), ("10.0.2.10", "10.0.2.1"),
                   ("10.0.2.11", "10.0.2.1"), ("10.0.2.20", "10.0.2.1")):
        vpc.append(arp_reply(ip, gw, VPC_MAC, 0.2))
    for ip in ("192.168.50.10", "192.168.50.11"):
        app.append(arp_reply(ip, "192.168.50.1", APP_MAC, 0.2))

    # private subnet → internet through the NAT gateway (TCP, UDP, ICMP)
    for i in range(8):
        vpc.append(from_host("10.0.1.10", "93.184.216.%d" % (10 + i),
                             TCP(sport=40000 + i, dport=443, flags="S", seq=1000 + i), 1.0 + i / 100))
    vpc.append(from_host("10.0.1.11", "9.9.9.9", UDP(sport=5353, dport=53) / Raw(b"q"), 1.2))
    vpc.append(from_host("10.0.1.11", "1.1.1.1", ICMP(id=99, seq=1), 1.3))
    # bastion → web on 22 (sg:bastion reference), inside the VPC
    vpc.append(from_host("10.0.1.11", "10.0.1.10", TCP(sport=50000, dport=22, flags="S"), 1.4))
    # an instance with an elastic IP → internet (1:1 translation)
    vpc.append(from_host("10.0.0.10", "203.0.113.200", TCP(sport=33333, dport=80, flags="S"), 1.5))
    # a public-subnet host without an elastic IP → dropped (igw_no_public_ip)
    vpc.append(from_host("10.0.0.50", "8.8.8.8", UDP(sport=1234, dport=53), 1.6))
    # private → 203.0.113.0/24 → GWLB endpoint → GENEVE to an appliance
    vpc.append(from_host("10.0.1.10", "203.0.113.9", TCP(sport=41000, dport=443, flags="S"), 1.7))
    # blackhole route
    vpc.append(from_host("10.0.1.10", "192.0.2.7", UDP(sport=9, dport=9), 1.8))
    # TTL expiry, and one malformed frame (bad IPv4 checksum)
    vpc.append(at(1.9, Ether(src=host_mac("10.0.1.10"), dst=VPC_MAC) /
                  IP(src="10.0.1.10", dst="10.0.2.10", ttl=1) / UDP(sport=7, dport=7)))
    bad = Ether(src=host_mac("10.0.1.10"), dst=VPC_MAC) / IP(src="10.0.1.10", dst="10.0.2.10",
                                                             chksum=0x1234) / UDP()
    vpc.append(at(2.0, bad))

    # internet → NLB public address (TCP 80 and UDP 53): to the targets
    for i in range(16):
        inet.append(from_inet("198.18.0.%d" % (1 + i),
                              "198.51.100.30", TCP(sport=20000 + i, dport=80, flags="S", seq=i),
                              2.0 + i / 100))
    inet.append(from_inet("198.18.1.1", "198.51.100.30", UDP(sport=5000, dport=53) / Raw(b"q"), 2.3))
    # internet → elastic IP: ingress routing sends it through the GWLB endpoint
    inet.append(from_inet("198.18.2.2", "198.51.100.20", TCP(sport=44444, dport=80, flags="S"), 2.4))
    # unsolicited to a NAT gateway address: dropped (nat_no_session)
    inet.append(from_inet("198.18.3.3", "198.51.100.10", TCP(sport=80, dport=1024, flags="SA"), 2.5))

    wrpcap(os.path.join(out, "vpc-in.pcap"), vpc)
    wrpcap(os.path.join(out, "inet-in.pcap"), inet)
    wrpcap(os.path.join(out, "app-in.pcap"), app)
    print("demo traffic: %d packets on vpc, %d on internet, %d on appliances -> %s"
          % (len(vpc), len(inet), len(app), out))


if __name__ == "__main__":
    main()
