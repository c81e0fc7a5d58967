#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
pcap suite, foundation cases: routing, internet gateway, blackhole and LPM,
TTL expiry, ICMP echo and ARP for vpcgw's own addresses, ARP resolution,
malformed packets, MTU. Every expectation is derived from SPEC §2/§3:

  vpcgw ports       vpc 02:00:00:00:00:01 10.0.0.1/16 (mtu 9001)
                    internet 02:00:00:00:01:01 198.51.100.1/24 (mtu 1500)
  subnets           public-a 10.0.0.0/24 (table public), private-a 10.0.1.0/24
                    and app-a 10.0.2.0/24 (table private)
  internet gateway  next hop 198.51.100.254 (02:00:00:00:01:fe),
                    elastic IP 198.51.100.20 <-> 10.0.0.10
  table public      0.0.0.0/0 igw, 203.0.113.0/24 blackhole, 203.0.113.128/25 igw
  table private     192.0.2.0/24 blackhole (no default route)

Usage: test_routing.py --workers N [--case NAME]... [--list]
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from scapy.all import IPOption  # noqa: E402
from vpcgwtest import (ARP, EAL_ARGS, Case, Ether, Exp, GEN_WILD, ICMP, IP, TCP, UDP,  # noqa: E402
                       Raw, at, check_ip_generated, is_arp_request, main, rebuilt, routed, timed)

# vpcgw
M_VPC = "02:00:00:00:00:01"
M_INET = "02:00:00:00:01:01"
A_INET = "198.51.100.1"
# hosts
M_PRIV, A_PRIV = "0a:00:00:00:01:0a", "10.0.1.10"      # private-a, static neighbor
M_APP, A_APP = "0a:00:00:00:02:14", "10.0.2.20"        # app-a, static neighbor
M_PUB, A_PUB = "0a:00:00:00:00:0a", "10.0.0.10"        # public-a, has the elastic IP
M_PUB2, A_PUB2 = "0a:00:00:00:00:0b", "10.0.0.11"      # public-a, no elastic IP
M_NEW, A_NEW = "0a:00:00:00:02:32", "10.0.2.50"        # app-a, learned by ARP only
M_NH, A_NH = "02:00:00:00:01:fe", "198.51.100.254"     # internet next hop
EIP = "198.51.100.20"
REMOTE = "8.8.8.8"


def base_config():
    ports = [
        {"name": "vpc", "mac": M_VPC, "address": "10.0.0.1/16", "mtu": 9001},
        {"name": "internet", "mac": M_INET, "address": A_INET + "/24", "mtu": 1500},
    ]
    for i, p in enumerate(ports):
        p["devargs"] = "net_pcap%d,rx_pcap={dir}/%s-in.pcap,tx_pcap={dir}/%s-out.pcap" % (
            i, p["name"], p["name"])
    return {
        "dpdk": {"eal_args": EAL_ARGS, "workers": 1, "mbufs": 4095, "flow_table_size": 4096},
        "ports": ports,
        "neighbors": [
            {"port": "internet", "address": A_NH, "mac": M_NH},
            {"port": "vpc", "address": A_PRIV, "mac": M_PRIV},
            {"port": "vpc", "address": A_APP, "mac": M_APP},
            {"port": "vpc", "address": A_PUB, "mac": M_PUB},
            {"port": "vpc", "address": A_PUB2, "mac": M_PUB2},
        ],
        "vpc": {"cidr": "10.0.0.0/16", "subnets": [
            {"name": "public-a", "cidr": "10.0.0.0/24", "port": "vpc", "route_table": "public"},
            {"name": "private-a", "cidr": "10.0.1.0/24", "port": "vpc", "route_table": "private"},
            {"name": "app-a", "cidr": "10.0.2.0/24", "port": "vpc", "route_table": "private"},
        ]},
        "internet_gateway": {"port": "internet", "next_hop": A_NH,
                             "elastic_ips": [{"public": EIP, "private": A_PUB}]},
        "route_tables": [
            {"name": "public", "routes": [
                {"destination": "0.0.0.0/0", "target": "igw"},
                {"destination": "203.0.113.0/24", "target": "blackhole"},
                {"destination": "203.0.113.128/25", "target": "igw"}]},
            {"name": "private", "routes": [
                {"destination": "192.0.2.0/24", "target": "blackhole"}]},
        ],
    }


def from_host(mac, src, dst, l4, ttl=64, **ip):
    return Ether(src=mac, dst=M_VPC) / IP(src=src, dst=dst, ttl=ttl, **ip) / l4


def from_inet(src, dst, l4, ttl=64, **ip):
    return Ether(src=M_NH, dst=M_INET) / IP(src=src, dst=dst, ttl=ttl, **ip) / l4


def built(p):
    """p as it is on the wire (all lengths and checksums filled in)."""
    return Ether(bytes(p))


def to_vpc(p, mac):
    return Exp(routed(p, M_VPC, mac))


def to_inet(p, **kw):
    return Exp(routed(p, M_INET, M_NH, **kw))


def echo_reply(req, via_mac):
    """SPEC §3.1: vpcgw answers ICMP echo to its own addresses. Reply to the
    requester's MAC, addresses swapped, same identifier, sequence and data.
    TTL, IP id, DF and TOS are vpcgw's choice."""
    q = Ether(bytes(req))
    r = Ether(src=via_mac, dst=q[Ether].src) / \
        IP(src=q[IP].dst, dst=q[IP].src, proto=1, ttl=64) / \
        ICMP(type=0, code=0, id=q[ICMP].id, seq=q[ICMP].seq) / bytes(q[ICMP].payload)
    return Exp(built(r), wild=GEN_WILD, check=check_ip_generated, note="echo reply")


def time_exceeded(orig, via_mac, router):
    """RFC 792 / RFC 1812: ICMP type 11 code 0 from the router's address to
    the sender, back to the sender's MAC, quoting the datagram as received:
    its IP header and at least 8 bytes of its data (RFC 1812 allows more, up
    to 576 bytes in all)."""
    o = Ether(bytes(orig))
    quote_all = bytes(o[IP])
    need = o[IP].ihl * 4 + 8

    def build(act):
        n = len(bytes(act[ICMP].payload)) if act is not None and ICMP in act else need
        n = max(need, min(n, len(quote_all), 576 - 28))
        r = Ether(src=via_mac, dst=o[Ether].src) / \
            IP(src=router, dst=o[IP].src, proto=1, ttl=64) / \
            ICMP(type=11, code=0) / Raw(quote_all[:n])
        return built(r)

    return Exp(build, wild=GEN_WILD, check=check_ip_generated,
               note="ICMP time exceeded to %s from %s" % (o[IP].src, router))


def arp_reply_exp(req, via_mac):
    """ARP reply for vpcgw's own address (RFC 826): to the requester's MAC,
    sender = vpcgw's port MAC and the asked address."""
    q = Ether(bytes(req))
    r = Ether(src=via_mac, dst=q[ARP].hwsrc) / ARP(
        op=2, hwsrc=via_mac, psrc=q[ARP].pdst, hwdst=q[ARP].hwsrc, pdst=q[ARP].psrc)
    return Exp(built(r), pad=True, note="ARP reply for %s" % q[ARP].pdst)


def arp_request_exp(via_mac, sender_ip, target_ip):
    """ARP request broadcast by vpcgw; the target hardware address is left
    to it (RFC 826 ignores it); sender = the router address of that subnet."""
    r = Ether(src=via_mac, dst="ff:ff:ff:ff:ff:ff") / ARP(
        op=1, hwsrc=via_mac, psrc=sender_ip, hwdst="00:00:00:00:00:00", pdst=target_ip)
    return Exp(built(r), wild=("ARP.hwdst",), pad=True, note="ARP request for %s" % target_ip)


# ------------------------------------------------------------ cases


def case_route_subnets():
    """Local route between two subnets, both directions, TCP/UDP/ICMP; UDP
    without checksum keeps 0; payloads untouched."""
    pkts = timed([
        from_host(M_PRIV, A_PRIV, A_APP, UDP(sport=5000, dport=53) / Raw(b"query")),
        from_host(M_APP, A_APP, A_PRIV, UDP(sport=53, dport=5000) / Raw(b"answer")),
        from_host(M_PRIV, A_PRIV, A_APP, TCP(sport=40000, dport=8080, flags="S", seq=1000)),
        from_host(M_APP, A_APP, A_PRIV, TCP(sport=8080, dport=40000, flags="SA", seq=5000, ack=1001)),
        from_host(M_PRIV, A_PRIV, A_APP, ICMP(type=8, id=0x1234, seq=1) / Raw(b"ping" * 8)),
        from_host(M_APP, A_APP, A_PRIV, ICMP(type=0, id=0x1234, seq=1) / Raw(b"ping" * 8)),
        from_host(M_PRIV, A_PRIV, A_APP, UDP(sport=5001, dport=9999, chksum=0) / Raw(b"nocsum"), tos=0x10),
        from_host(M_PUB, A_PUB, A_APP, UDP(sport=1234, dport=4321) / Raw(b"x" * 100), ttl=3),
    ])
    dst_mac = {A_APP: M_APP, A_PRIV: M_PRIV}
    exp = [to_vpc(p, dst_mac[p[IP].dst]) for p in pkts]
    return Case("route_subnets", base_config(), {"vpc": pkts}, {"vpc": exp},
                counters={"ports.vpc.forwarded": len(pkts), "ports.vpc.tx": len(pkts),
                          "totals.drops": 0})


def case_burst_order():
    """One burst (the same capture time) of routed packets, one of them
    802.1Q-tagged (on a port without VLAN subnets: forwarded untagged, by the
    general parse and ingress path) between plain ones (the quick ones):
    they leave in the order they came (SPEC §3.6)."""
    from scapy.all import Dot1Q  # noqa: E402
    plain = [
        from_host(M_PRIV, A_PRIV, A_APP, UDP(sport=6000, dport=53) / Raw(b"first")),
        from_host(M_PRIV, A_PRIV, A_APP, UDP(sport=6001, dport=53) / Raw(b"tagged")),
        from_host(M_PRIV, A_PRIV, A_APP, UDP(sport=6002, dport=53) / Raw(b"third")),
        from_host(M_APP, A_APP, A_PRIV, TCP(sport=8080, dport=40000, flags="A", seq=1, ack=2)),
        from_host(M_PRIV, A_PRIV, A_APP, UDP(sport=6003, dport=53) / Raw(b"fifth"), tos=0x20),
    ]
    q = plain[1]
    sent = plain[:1] + [Ether(src=q[Ether].src, dst=q[Ether].dst) / Dot1Q(vlan=5) / q[IP]] + \
        plain[2:]
    for p in sent:
        at(p, 0.0)
    dst_mac = {A_APP: M_APP, A_PRIV: M_PRIV}
    exp = [to_vpc(p, dst_mac[p[IP].dst]) for p in plain]
    return Case("burst_order", base_config(), {"vpc": sent}, {"vpc": exp},
                counters={"ports.vpc.forwarded": len(sent), "totals.drops": 0})


def case_route_fused():
    """Bursts (one capture time each) of plain routed packets with one
    packet between them that a check of the input, ingress or routing stage
    refuses or sends elsewhere: TTL 1, a bad header checksum, UDP to the
    subnet's router address, a source in no subnet, a default route to the
    internet gateway, a blackhole route (one inside a subnet, more specific
    than the local route), ICMP (not the quick parse), IP options. Each packet gets what SPEC §2/§3 say, whichever path routed it,
    and each port's packets leave in arrival order (SPEC §3.6). The first
    burst lets vpcgw use the two hosts' neighbor entries."""
    M_HOLE, A_HOLE = "0a:00:00:00:02:c8", "10.0.2.200"

    def g(tag, ttl=64, src=(M_PRIV, A_PRIV), dst=A_APP):
        return from_host(src[0], src[1], dst, UDP(sport=7000, dport=53) / Raw(tag), ttl=ttl)
    def back():
        return from_host(M_APP, A_APP, A_PRIV, TCP(sport=8080, dport=40000, flags="A", seq=7, ack=9))
    bad_sum = Ether(bytes(g(b"badsum")))
    bad_sum[IP].chksum ^= 0x0101
    bursts = [
        ([g(b"warm"), back()], None, None),
        ([g(b"y1"), g(b"public-local", src=(M_PUB, A_PUB), dst=A_HOLE), g(b"y3")], None, None),
        ([g(b"z1"), g(b"inner-hole", dst=A_HOLE), g(b"z3")], "route_blackhole", None),
        ([g(b"a1", ttl=2), g(b"ttl1", ttl=1), back()], "ttl", "vpc"),
        ([g(b"b1"), Raw(bytes(bad_sum)), g(b"b3")], "ip_checksum", None),
        ([g(b"c1"), g(b"to-router", dst="10.0.2.1"), g(b"c3")], "local_unhandled", None),
        ([g(b"d1"), g(b"spoof", src=(M_PRIV, "10.0.9.9")), g(b"d3")], "src_not_in_vpc", None),
        ([g(b"e1"), g(b"igw", src=(M_PUB, A_PUB), dst=REMOTE), back()], None, "internet"),
        ([g(b"f1"), g(b"hole", dst="192.0.2.5"), g(b"f3")], "route_blackhole", None),
        ([g(b"g1"), from_host(M_PRIV, A_PRIV, A_APP, ICMP(type=8, id=5, seq=6) / Raw(b"icmp")),
          g(b"g3")], None, "vpc"),
        ([g(b"h1"), from_host(M_PRIV, A_PRIV, A_APP, UDP(sport=7000, dport=53) / Raw(b"opt"),
                              options=[IPOption(b"\x94\x04\x00\x00")]), back()],
         "ip_options", None),
    ]
    sent, vpc_exp, inet_exp, drops = [], [], [], {}
    for k, (pkts, drop, odd_port) in enumerate(bursts):
        for p in pkts:
            at(p, 0.01 * k)
        sent += pkts
        for j, p in enumerate(pkts):
            if j == 1 and drop == "ttl":
                vpc_exp.append(time_exceeded(p, M_VPC, "10.0.1.1"))
            elif j == 1 and drop is not None:
                pass
            elif j == 1 and odd_port == "internet":
                inet_exp.append(to_inet(p, src=EIP))
            else:
                q = Ether(bytes(p))
                vpc_exp.append(to_vpc(q, {A_APP: M_APP, A_PRIV: M_PRIV, A_HOLE: M_HOLE}[q[IP].dst]))
        if drop is not None:
            key = "ttl_expired" if drop == "ttl" else drop
            drops["drops." + key] = drops.get("drops." + key, 0) + 1
    fwd = sum(len(b[0]) for b in bursts) - sum(drops.values())
    counters = dict(drops, **{"ports.vpc.forwarded": fwd, "ports.vpc.generated": 1})
    # a route more specific than the local one, inside app-a, in the private
    # table only: A_HOLE is reached from public-a (which puts its neighbor
    # entry to use), not from private-a
    cfg = base_config()
    cfg["route_tables"][1]["routes"].append({"destination": "10.0.2.128/25",
                                              "target": "blackhole"})
    cfg["neighbors"].append({"port": "vpc", "address": A_HOLE, "mac": M_HOLE})
    return Case("route_fused", cfg, {"vpc": sent},
                {"vpc": vpc_exp, "internet": inet_exp}, counters=counters)


def case_igw_eip():
    """Default route of public-a to the internet gateway: the source of a
    host with an elastic IP becomes the EIP; from the internet, the EIP is
    translated back to the private address (1:1, stateless)."""
    out = timed([
        from_host(M_PUB, A_PUB, REMOTE, TCP(sport=40001, dport=443, flags="S", seq=77)),
        from_host(M_PUB, A_PUB, REMOTE, ICMP(type=8, id=7, seq=1) / Raw(b"abcdefgh")),
        from_host(M_PUB, A_PUB, "1.1.1.1", UDP(sport=5353, dport=53) / Raw(b"dns")),
    ])
    back = timed([
        from_inet(REMOTE, EIP, TCP(sport=443, dport=40001, flags="SA", seq=900, ack=78)),
        from_inet(REMOTE, EIP, ICMP(type=0, id=7, seq=1) / Raw(b"abcdefgh")),
        from_inet("1.1.1.1", EIP, UDP(sport=53, dport=5353) / Raw(b"dns-answer")),
    ], start=0.005)
    return Case("igw_eip", base_config(), {"vpc": out, "internet": back},
                {"internet": [to_inet(p, src=EIP) for p in out],
                 "vpc": [Exp(routed(p, M_VPC, M_PUB, dst=A_PUB)) for p in back]},
                counters={"ports.vpc.forwarded": 3, "ports.internet.forwarded": 3})


def case_igw_drops():
    """To the internet from a public-subnet address with no elastic IP:
    dropped (igw_no_public_ip). From the internet to an address vpcgw does
    not serve: dropped (dst_unknown)."""
    pkts = {"vpc": [at(from_host(M_PUB2, A_PUB2, REMOTE, UDP(sport=1, dport=2)), 0.0)],
            "internet": [at(from_inet(REMOTE, "198.51.100.99", UDP(sport=1, dport=2)), 0.01)]}
    return Case("igw_drops", base_config(), pkts, {},
                counters={"drops.igw_no_public_ip": 1, "drops.dst_unknown": 1,
                          "ports.vpc.dropped": 1, "ports.internet.dropped": 1})


def case_blackhole_lpm():
    """192.0.2.0/24 -> blackhole (private table); longest prefix match in the
    public table: 203.0.113.5 hits the /24 blackhole, 203.0.113.200 the /25
    igw route; no default route in the private table: no_route."""
    pkts = timed([
        from_host(M_PRIV, A_PRIV, "192.0.2.5", UDP(sport=1000, dport=2000)),
        from_host(M_PUB, A_PUB, "203.0.113.5", UDP(sport=1000, dport=2000)),
        from_host(M_PUB, A_PUB, "203.0.113.200", UDP(sport=1000, dport=2000)),
        from_host(M_PRIV, A_PRIV, REMOTE, UDP(sport=1000, dport=2000)),
        from_host(M_APP, A_APP, "192.0.2.255", TCP(sport=1000, dport=80, flags="S")),
    ])
    return Case("blackhole_lpm", base_config(), {"vpc": pkts},
                {"internet": [to_inet(pkts[2], src=EIP)]},
                counters={"drops.route_blackhole": 3, "drops.no_route": 1,
                          "ports.vpc.forwarded": 1, "ports.vpc.dropped": 4})


def case_ttl():
    """TTL 1: dropped (ttl_expired) with ICMP time exceeded to the sender from
    the router address of its subnet (10.0.1.1), back to the sender's MAC,
    quoting the datagram as it was received. TTL 2 is forwarded with TTL 1."""
    t1 = at(from_host(M_PRIV, A_PRIV, A_APP, UDP(sport=33434, dport=33435) / Raw(b"trace"), ttl=1), 0.0)
    t2 = at(from_host(M_PRIV, A_PRIV, A_APP, UDP(sport=33434, dport=33436) / Raw(b"trace"), ttl=2), 0.01)
    t3 = at(from_host(M_PUB, A_PUB, REMOTE, TCP(sport=33000, dport=80, flags="S"), ttl=1), 0.02)
    return Case("ttl", base_config(), {"vpc": [t1, t2, t3]},
                {"vpc": [time_exceeded(t1, M_VPC, "10.0.1.1"), to_vpc(t2, M_APP),
                         time_exceeded(t3, M_VPC, "10.0.0.1")]},
                counters={"drops.ttl_expired": 2, "ports.vpc.forwarded": 1})


def case_ttl_inbound():
    """TTL 1 from the internet to an elastic IP: time exceeded to the sender
    from vpcgw's internet address (198.51.100.1), to the next hop's MAC. The
    quote is the datagram as received, so it names the elastic IP, never the
    private address behind it (the sender could not match it otherwise)."""
    t1 = at(from_inet(REMOTE, EIP, ICMP(type=8, id=9, seq=9) / Raw(b"abcdefgh"), ttl=1), 0.0)
    t2 = at(from_inet(REMOTE, EIP, UDP(sport=53000, dport=33434), ttl=1), 0.01)
    return Case("ttl_inbound", base_config(), {"internet": [t1, t2]},
                {"internet": [time_exceeded(t1, M_INET, A_INET), time_exceeded(t2, M_INET, A_INET)]},
                counters={"drops.ttl_expired": 2})


def case_icmp_echo_local():
    """ICMP echo to vpcgw's own addresses (each subnet's .1, the ports'
    addresses) is answered; TTL 1 does not matter for a packet to vpcgw.
    Other traffic to vpcgw is dropped (local_unhandled)."""
    vpc = timed([
        from_host(M_PRIV, A_PRIV, "10.0.1.1", ICMP(type=8, id=1, seq=1) / Raw(b"0123456789abcdef")),
        from_host(M_APP, A_APP, "10.0.2.1", ICMP(type=8, id=2, seq=5) / Raw(b"x" * 56)),
        from_host(M_PUB, A_PUB, "10.0.0.1", ICMP(type=8, id=3, seq=7)),
        from_host(M_PRIV, A_PRIV, "10.0.1.1", ICMP(type=8, id=4, seq=1), ttl=1),
        from_host(M_PRIV, A_PRIV, "10.0.1.1", UDP(sport=1, dport=7)),
    ])
    inet = [at(from_inet(REMOTE, A_INET, ICMP(type=8, id=0xbeef, seq=0x0102) / Raw(b"hello")), 0.1)]
    return Case("icmp_echo_local", base_config(), {"vpc": vpc, "internet": inet},
                {"vpc": [echo_reply(p, M_VPC) for p in vpc[:4]],
                 "internet": [echo_reply(inet[0], M_INET)]},
                counters={"ports.vpc.local": 4, "ports.internet.local": 1,
                          "drops.local_unhandled": 1})


def arp_req(mac, psrc, pdst):
    return Ether(src=mac, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=mac, psrc=psrc, pdst=pdst)


def case_arp_local():
    """ARP requests for vpcgw's addresses on the port that owns them are
    answered; others (an unused VPC address, a VPC router address asked on
    the internet port) get no answer and count arp_not_for_us."""
    vpc = timed([
        arp_req(M_PRIV, A_PRIV, "10.0.1.1"),
        arp_req(M_APP, A_APP, "10.0.2.1"),
        arp_req(M_PUB, A_PUB, "10.0.0.1"),
        arp_req(M_PRIV, A_PRIV, "10.0.1.99"),
    ])
    inet = timed([arp_req(M_NH, A_NH, A_INET), arp_req(M_NH, A_NH, "10.0.1.1")], start=0.1)
    return Case("arp_local", base_config(), {"vpc": vpc, "internet": inet},
                {"vpc": [arp_reply_exp(p, M_VPC) for p in vpc[:3]],
                 "internet": [arp_reply_exp(inet[0], M_INET)]},
                counters={"ports.vpc.local": 3, "ports.internet.local": 1,
                          "drops.arp_not_for_us": 2})


def case_arp_resolve():
    """A destination with no neighbor entry: vpcgw broadcasts one ARP request
    (sender: the subnet's .1) and holds the packets; the reply releases them
    in order and later packets go straight out."""
    p1 = at(from_host(M_PRIV, A_PRIV, A_NEW, UDP(sport=7000, dport=7001) / Raw(b"one")), 0.0)
    p2 = at(from_host(M_PRIV, A_PRIV, A_NEW, UDP(sport=7000, dport=7001) / Raw(b"two")), 0.01)
    rep = at(Ether(src=M_NEW, dst=M_VPC) / ARP(op=2, hwsrc=M_NEW, psrc=A_NEW, hwdst=M_VPC,
                                               pdst="10.0.2.1"), 0.1)
    p3 = at(from_host(M_PRIV, A_PRIV, A_NEW, UDP(sport=7000, dport=7001) / Raw(b"three")), 0.2)
    return Case("arp_resolve", base_config(), {"vpc": [p1, p2, rep, p3]},
                {"vpc": [arp_request_exp(M_VPC, "10.0.2.1", A_NEW),
                         to_vpc(p1, M_NEW), to_vpc(p2, M_NEW), to_vpc(p3, M_NEW)]},
                counters={"ports.vpc.forwarded": 3, "ports.vpc.local": 1})


def case_arp_unanswered():
    """A neighbor that never answers: the held packet is dropped and counted
    (arp_timeout) once the capture clock has moved on (10 s later); ARP
    requests themselves are not compared here."""
    p1 = at(from_host(M_PRIV, A_PRIV, "10.0.2.77", UDP(sport=7000, dport=7001)), 0.0)
    p2 = at(from_host(M_PRIV, A_PRIV, A_APP, UDP(sport=7000, dport=7002)), 10.0)
    return Case("arp_unanswered", base_config(), {"vpc": [p1, p2]}, {"vpc": [to_vpc(p2, M_APP)]},
                ignore=is_arp_request,
                counters={"drops.arp_timeout": 1, "ports.vpc.forwarded": 1,
                          "ports.vpc.generated": lambda v: v >= 1})


def _raw_ip(ver_ihl=0x45, tot=None, proto=17, payload=b"", chk=None, opts=b""):
    """A raw IPv4 header + payload with chosen (possibly wrong) fields."""
    ihl_bytes = 20 + len(opts)
    if tot is None:
        tot = ihl_bytes + len(payload)
    h = struct.pack("!BBHHHBBH4s4s", ver_ihl, 0, tot, 1, 0, 64, proto, 0,
                    bytes(map(int, A_PRIV.split("."))), bytes(map(int, A_APP.split(".")))) + opts
    if chk is None:
        s = sum(struct.unpack("!%dH" % (len(h) // 2), h))
        while s >> 16:
            s = (s & 0xffff) + (s >> 16)
        chk = ~s & 0xffff
    h = h[:10] + struct.pack("!H", chk) + h[12:]
    return h + payload


def case_malformed():
    """Each malformed kind is dropped under its own reason and nothing is
    sent; a valid packet after them is still forwarded."""
    eth = Ether(src=M_PRIV, dst=M_VPC, type=0x0800)
    good_udp = bytes(UDP(sport=1, dport=2, len=8, chksum=0))
    kinds = [
        ("eth_truncated", bytes(eth)[:10]),
        ("vlan_truncated", bytes(Ether(src=M_PRIV, dst=M_VPC, type=0x8100)) + b"\x00"),
        ("non_ip_ethertype", bytes(Ether(src=M_PRIV, dst=M_VPC, type=0x88b5)) + b"\x00" * 46),
        ("ipv6_unsupported", bytes(Ether(src=M_PRIV, dst=M_VPC, type=0x86dd)) +
         bytes.fromhex("6000000000083b40") + b"\x00" * 32 + b"\x00" * 8),
        ("ip_truncated", bytes(eth) + _raw_ip(payload=good_udp)[:12]),
        ("ip_version", bytes(eth) + _raw_ip(ver_ihl=0x65, payload=good_udp)),
        ("ip_ihl", bytes(eth) + _raw_ip(ver_ihl=0x44, payload=good_udp)),
        ("ip_total_len", bytes(eth) + _raw_ip(tot=200, payload=good_udp)),
        ("ip_checksum", bytes(eth) + _raw_ip(payload=good_udp, chk=0x1234)),
        ("ip_options", bytes(eth) + _raw_ip(ver_ihl=0x46, opts=b"\x01\x01\x01\x00", payload=good_udp)),
        ("tcp_truncated", bytes(eth) + _raw_ip(proto=6, payload=b"\x00" * 10)),
        ("tcp_doff", bytes(eth) + _raw_ip(proto=6, payload=bytes(TCP(sport=1, dport=2, dataofs=4)))),
        ("udp_truncated", bytes(eth) + _raw_ip(proto=17, payload=b"\x00\x01\x00")),
        ("udp_len", bytes(eth) + _raw_ip(proto=17, payload=bytes(UDP(sport=1, dport=2, len=40)) + b"x" * 4)),
        ("icmp_truncated", bytes(eth) + _raw_ip(proto=1, payload=b"\x08\x00\x00")),
    ]
    pkts = [Raw(b) for _, b in kinds]     # scapy cannot dissect some of them
    good = from_host(M_PRIV, A_PRIV, A_APP, UDP(sport=5, dport=6) / Raw(b"still alive"))
    timed(pkts + [good])
    counters = {"drops." + k: 1 for k, _ in kinds}
    counters["ports.vpc.dropped"] = len(kinds)
    counters["ports.vpc.forwarded"] = 1
    return Case("malformed", base_config(), {"vpc": pkts + [good]}, {"vpc": [to_vpc(good, M_APP)]},
                counters=counters)


def case_mtu():
    """The internet port's MTU is 1500: an IPv4 packet of 1500 bytes goes
    out, one of 1501 is dropped (mtu_exceeded) even with DF clear."""
    def sized(total, df):
        pay = b"m" * (total - 20 - 8)
        return from_host(M_PUB, A_PUB, REMOTE, UDP(sport=4000, dport=4001) / Raw(pay),
                         flags="DF" if df else 0)
    pkts = timed([sized(1500, True), sized(1501, True), sized(1501, False), sized(576, False)])
    return Case("mtu", base_config(), {"vpc": pkts},
                {"internet": [to_inet(pkts[0], src=EIP), to_inet(pkts[3], src=EIP)]},
                ignore=lambda p: ICMP in p and p[ICMP].type == 3,
                counters={"drops.mtu_exceeded": 2, "ports.vpc.forwarded": 2})


def frag_needed(orig, via_mac, router, mtu):
    """RFC 792/1191: ICMP type 3 code 4 from the address the sender routed
    through, to its MAC, next-hop MTU in the low 16 bits of the second word,
    quoting its IP header and 8 bytes exactly as it sent them (before the
    elastic IP's translation), TTL 64, id 0."""
    o = Ether(bytes(orig))
    r = Ether(src=via_mac, dst=o[Ether].src) / \
        IP(src=router, dst=o[IP].src, ttl=64, id=0) / \
        ICMP(type=3, code=4, nexthopmtu=mtu) / Raw(bytes(o[IP])[:o[IP].ihl * 4 + 8])
    return Exp(built(r), note="fragmentation needed")


def case_mtu_frag_needed():
    """Issue #24: over the internet port's MTU (1500) with DF set, the packet
    is dropped (mtu_exceeded) and its sender gets ICMP fragmentation needed,
    next-hop MTU 1500, from its subnet's .1, quoting what it sent (its own
    address, not the elastic IP it leaves as): on a new flow and on a known
    flow the fast stage carries."""
    def u(sport, total):
        return from_host(M_PUB, A_PUB, REMOTE, UDP(sport=sport, dport=4001) /
                         Raw(b"f" * (total - 28)), flags="DF")
    pkts = timed([u(4100, 100), u(4100, 100), u(4100, 1501), u(4102, 1600), u(4100, 1500)])
    return Case("mtu_frag_needed", base_config(), {"vpc": pkts},
                {"internet": [to_inet(pkts[0], src=EIP), to_inet(pkts[1], src=EIP),
                              to_inet(pkts[4], src=EIP)],
                 "vpc": [frag_needed(pkts[2], M_VPC, "10.0.0.1", 1500),
                         frag_needed(pkts[3], M_VPC, "10.0.0.1", 1500)]},
                counters={"drops.mtu_exceeded": 2, "ports.vpc.forwarded": 3,
                          "ports.vpc.generated": 2})


CASES = {
    "route_subnets": case_route_subnets,
    "burst_order": case_burst_order,
    "route_fused": case_route_fused,
    "igw_eip": case_igw_eip,
    "igw_drops": case_igw_drops,
    "blackhole_lpm": case_blackhole_lpm,
    "ttl": case_ttl,
    "ttl_inbound": case_ttl_inbound,
    "icmp_echo_local": case_icmp_echo_local,
    "arp_local": case_arp_local,
    "arp_resolve": case_arp_resolve,
    "arp_unanswered": case_arp_unanswered,
    "malformed": case_malformed,
    "mtu": case_mtu,
    "mtu_frag_needed": case_mtu_frag_needed,
}

if __name__ == "__main__":
    sys.exit(main(CASES))
