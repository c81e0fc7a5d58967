#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
pcap suite, IPv6 (SPEC §7), first part: routing between IPv6 subnets and to
the internet gateway (untranslated), extension headers, Neighbor Discovery
(NS/NA for vpcgw's addresses, resolution of next hops), router
advertisements, ICMPv6 echo and time exceeded, malformed packets, and the
implicit deny of IPv6 by a NACL without IPv6 rules (test_ipv6_policy.py
has the IPv6 NACL, SG and egress-only gateway cases).
Every expected packet is built by scapy from the RFCs (4861, 4443, 8200):

  vpcgw ports       vpc 02:00:00:00:00:01 10.0.0.1/16, link-local fe80::ff:fe00:1
                    internet 02:00:00:00:01:01 198.51.100.1/24, 2001:db8:ffff::2/64
                    other 02:00:00:00:02:01 192.168.9.1/24 (IPv4 only)
  VPC               10.0.0.0/16, 2600:1f18:a:b00::/56
  subnets           public-a  b00::/64 (table public)
                    private-a b01::/64, app-a b02::/64 (table private)
                    secure-a  b03::/64 (NACL "open": IPv4 rules only, IPv6 denied)
  internet gateway  next_hop6 2001:db8:ffff::1 (02:00:00:00:01:fe)
  table public      ::/0 igw, 2001:db8:dead::/48 blackhole
  table private     2001:db8:beef::/48 igw (no default route)

Usage: test_ipv6.py --workers N [--case NAME]... [--list]
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from vpcgwtest import EAL_ARGS, Case, Exp, Raw, at, main, timed  # noqa: E402
from scapy.all import (ICMPv6DestUnreach, ICMPv6EchoReply, ICMPv6EchoRequest,  # noqa: E402
                       ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6ND_RA, ICMPv6ND_RS,
                       ICMPv6NDOptDstLLAddr, ICMPv6NDOptMTU, ICMPv6NDOptPrefixInfo,
                       ICMPv6NDOptSrcLLAddr, ICMPv6PacketTooBig, ICMPv6TimeExceeded, IPv6, IPv6ExtHdrDestOpt,
                       IPv6ExtHdrFragment, IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, TCP, UDP,
                       Ether, Dot1Q, IP, in6_getnsma, in6_getnsmac, inet_pton, socket)

M_VPC, M_INET, M_OTHER = "02:00:00:00:00:01", "02:00:00:00:01:01", "02:00:00:00:02:01"
LL_VPC, LL_INET = "fe80::ff:fe00:1", "fe80::ff:fe00:101"
A6_INET = "2001:db8:ffff::2"
M_NH, A6_NH = "02:00:00:00:01:fe", "2001:db8:ffff::1"
PFX = "2600:1f18:a:b0"
R_PUB, R_PRIV, R_APP = PFX + "0::1", PFX + "1::1", PFX + "2::1"
M_PUB, A6_PUB = "0a:00:00:00:00:0a", PFX + "0::10"
M_PRIV, A6_PRIV = "0a:00:00:00:01:0a", PFX + "1::10"
M_APP, A6_APP = "0a:00:00:00:02:14", PFX + "2::20"
M_NEW, A6_NEW = "0a:00:00:00:02:32", PFX + "2::50"     # learned by ND only
M_SEC, A6_SEC = "0a:00:00:00:03:0a", PFX + "3::10"     # subnet with a NACL
REMOTE6 = "2001:db8:1234::7"


def base_config():
    ports = [
        {"name": "vpc", "mac": M_VPC, "address": "10.0.0.1/16", "mtu": 9001},
        {"name": "internet", "mac": M_INET, "address": "198.51.100.1/24",
         "address6": A6_INET + "/64", "mtu": 1500},
        {"name": "other", "mac": M_OTHER, "address": "192.168.9.1/24"},
    ]
    for i, p in enumerate(ports):
        p["devargs"] = "net_pcap%d,rx_pcap={dir}/%s-in.pcap,tx_pcap={dir}/%s-out.pcap" % (
            i, p["name"], p["name"])
    return {
        "dpdk": {"eal_args": EAL_ARGS, "workers": 1, "mbufs": 4095, "flow_table_size": 4096},
        "ports": ports,
        "neighbors": [
            {"port": "internet", "address": "198.51.100.254", "mac": M_NH},
            {"port": "internet", "address": A6_NH, "mac": M_NH},
            {"port": "vpc", "address": A6_PUB, "mac": M_PUB},
            {"port": "vpc", "address": A6_PRIV, "mac": M_PRIV},
            {"port": "vpc", "address": A6_APP, "mac": M_APP},
            {"port": "vpc", "address": A6_SEC, "mac": M_SEC},
        ],
        "vpc": {"cidr": "10.0.0.0/16", "ipv6_cidr": PFX + "0::/56", "subnets": [
            {"name": "public-a", "cidr": "10.0.0.0/24", "ipv6_cidr": PFX + "0::/64",
             "port": "vpc", "route_table": "public"},
            {"name": "private-a", "cidr": "10.0.1.0/24", "ipv6_cidr": PFX + "1::/64",
             "port": "vpc", "route_table": "private"},
            {"name": "app-a", "cidr": "10.0.2.0/24", "ipv6_cidr": PFX + "2::/64",
             "port": "vpc", "route_table": "private"},
            {"name": "secure-a", "cidr": "10.0.3.0/24", "ipv6_cidr": PFX + "3::/64",
             "port": "vpc", "route_table": "private", "network_acl": "open"},
        ]},
        "internet_gateway": {"port": "internet", "next_hop": "198.51.100.254",
                             "next_hop6": A6_NH},
        "network_acls": [{"name": "open",
                          "ingress": [{"rule": 100, "protocol": "all", "cidr": "0.0.0.0/0",
                                       "action": "allow"}],
                          "egress": [{"rule": 100, "protocol": "all", "cidr": "0.0.0.0/0",
                                      "action": "allow"}]}],
        "route_tables": [
            {"name": "public", "routes": [
                {"destination": "0.0.0.0/0", "target": "igw"},
                {"destination": "::/0", "target": "igw"},
                {"destination": "2001:db8:dead::/48", "target": "blackhole"}]},
            {"name": "private", "routes": [
                {"destination": "2001:db8:beef::/48", "target": "igw"}]},
        ],
    }


def built(p):
    return Ether(bytes(p))


def host6(mac, src, dst, l4, hlim=64, ext=None, **ip):
    p = IPv6(src=src, dst=dst, hlim=hlim, **ip)
    if ext is not None:
        p = p / ext
    return Ether(src=mac, dst=M_VPC) / p / l4


def inet6(src, dst, l4, hlim=64):
    return Ether(src=M_NH, dst=M_INET) / IPv6(src=src, dst=dst, hlim=hlim) / l4


def routed6(p, src_mac, dst_mac):
    """RFC 8200: hop limit - 1 (not in any checksum); Ethernet rewritten from
    the neighbor table; every other byte as received."""
    q = Ether(bytes(p))
    q[Ether].src = src_mac
    q[Ether].dst = dst_mac
    q[IPv6].hlim -= 1
    return Exp(built(q), note="routed6")


def l4_ok(p):
    """Problems with the L4 checksum of an actual packet: scapy recomputes it."""
    out = []
    for cls in (TCP, UDP):
        if cls in p:
            q = Ether(bytes(p))
            del q[cls].chksum
            if Ether(bytes(q))[cls].chksum != p[cls].chksum:
                out.append("%s checksum wrong" % cls.__name__)
    return out


def icmp6_csum_ok(p):
    """The ICMPv6 checksum of an actual packet, recomputed by scapy."""
    q = Ether(bytes(p))
    layer = q[IPv6].payload
    if not hasattr(layer, "cksum"):
        return []
    want = layer.cksum
    del layer.cksum
    got = Ether(bytes(q))[IPv6].payload.cksum
    return [] if got == want else ["ICMPv6 checksum 0x%04x, expected 0x%04x" % (want, got)]


def gen6(pkt, note):
    return Exp(built(pkt), check=icmp6_csum_ok, note=note)


def na_exp(port_mac, dst_mac, target, dst, solicited=True):
    """RFC 4861 §7.2.4: NA from the target address, hop limit 255, R=1,
    S=1 (0 to a DAD probe, then to all nodes), O=1, TLLA = the port's MAC."""
    r = Ether(src=port_mac, dst=dst_mac) / IPv6(src=target, dst=dst, hlim=255) / \
        ICMPv6ND_NA(R=1, S=1 if solicited else 0, O=1, tgt=target) / \
        ICMPv6NDOptDstLLAddr(lladdr=port_mac)
    return gen6(r, "NA for %s" % target)


def ns_exp(port_mac, src_ll, target):
    """RFC 4861 §7.2.2: NS to the target's solicited-node group, from the
    port's link-local address, hop limit 255, SLLA = the port's MAC."""
    r = Ether(src=port_mac, dst=in6_getnsmac(in6_getnsma(inet_pton(socket.AF_INET6, target)))) / \
        IPv6(src=src_ll, dst=socket.inet_ntop(socket.AF_INET6, in6_getnsma(
            inet_pton(socket.AF_INET6, target))), hlim=255) / \
        ICMPv6ND_NS(tgt=target) / ICMPv6NDOptSrcLLAddr(lladdr=port_mac)
    return gen6(r, "NS for %s" % target)


def ns(mac, src, target, dst=None, hlim=255, slla=True, port_mac=M_VPC, cksum=None):
    dst = dst or socket.inet_ntop(socket.AF_INET6, in6_getnsma(inet_pton(socket.AF_INET6, target)))
    p = Ether(src=mac, dst=port_mac) / IPv6(src=src, dst=dst, hlim=hlim) / ICMPv6ND_NS(tgt=target)
    if slla:
        p = p / ICMPv6NDOptSrcLLAddr(lladdr=mac)
    if cksum is not None:
        p[ICMPv6ND_NS].cksum = cksum
    return p


def echo_reply6(req, port_mac):
    """RFC 4443 §4.2: to the requester, addresses swapped, same identifier,
    sequence and data; vpcgw's hop limit 64."""
    q = Ether(bytes(req))
    r = Ether(src=port_mac, dst=q[Ether].src) / IPv6(src=q[IPv6].dst, dst=q[IPv6].src, hlim=64) / \
        ICMPv6EchoReply(id=q[ICMPv6EchoRequest].id, seq=q[ICMPv6EchoRequest].seq,
                        data=q[ICMPv6EchoRequest].data)
    return gen6(r, "echo reply from %s" % q[IPv6].dst)


def time_exceeded6(orig, port_mac, router):
    """RFC 4443 §3.3: type 3 code 0 from the router's address on the sender's
    link, hop limit 64, quoting as much of the packet as fits in 1280 bytes."""
    o = Ether(bytes(orig))
    quote = bytes(o[IPv6])[:1280 - 48]
    r = Ether(src=port_mac, dst=o[Ether].src) / IPv6(src=router, dst=o[IPv6].src, hlim=64) / \
        ICMPv6TimeExceeded(code=0) / Raw(quote)
    return gen6(r, "time exceeded to %s" % o[IPv6].src)


def too_big6(orig, port_mac, router, mtu):
    """RFC 4443 §3.2: type 2 code 0, the next-hop MTU, from the router's
    address on the sender's link, hop limit 64, quoting as much of the packet
    as fits in 1280 bytes."""
    o = Ether(bytes(orig))
    quote = bytes(o[IPv6])[:1280 - 48]
    r = Ether(src=port_mac, dst=o[Ether].src) / IPv6(src=router, dst=o[IPv6].src, hlim=64) / \
        ICMPv6PacketTooBig(mtu=mtu) / Raw(quote)
    return gen6(r, "packet too big to %s" % o[IPv6].src)


# ------------------------------------------------------------ cases


def case_route6_subnets():
    """Local route of the /56 between two subnets, both directions, UDP, TCP,
    ICMPv6 echo; a packet with hop-by-hop and destination options, one with
    a routing header (type 4, segments left 0), and both fragments of a
    datagram are forwarded with only the hop limit and Ethernet changed;
    802.1Q input leaves untagged."""
    pkts = timed([
        host6(M_PRIV, A6_PRIV, A6_APP, UDP(sport=5000, dport=53) / Raw(b"query")),
        host6(M_APP, A6_APP, A6_PRIV, UDP(sport=53, dport=5000) / Raw(b"answer")),
        host6(M_PRIV, A6_PRIV, A6_APP, TCP(sport=40000, dport=8080, flags="S", seq=1000)),
        host6(M_APP, A6_APP, A6_PRIV, TCP(sport=8080, dport=40000, flags="SA", seq=5, ack=1001)),
        host6(M_PRIV, A6_PRIV, A6_APP, ICMPv6EchoRequest(id=0x1234, seq=1, data=b"ping" * 8)),
        host6(M_APP, A6_APP, A6_PRIV, ICMPv6EchoReply(id=0x1234, seq=1, data=b"ping" * 8)),
        host6(M_PUB, A6_PUB, A6_APP, UDP(sport=1, dport=2) / Raw(b"x" * 100), hlim=2, tc=0x28,
              fl=0x12345),
        host6(M_PRIV, A6_PRIV, A6_APP, UDP(sport=7, dport=8) / Raw(b"ext"),
              ext=IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt()),
        host6(M_PRIV, A6_PRIV, A6_APP, UDP(sport=7, dport=9) / Raw(b"rh"),
              ext=IPv6ExtHdrRouting(type=4, segleft=0, addresses=[A6_APP])),
    ])
    frags = [bytes(Ether(src=M_PRIV, dst=M_VPC) / f) for f in
             __import__("scapy.all", fromlist=["fragment6"]).fragment6(
                 IPv6(src=A6_PRIV, dst=A6_APP) / IPv6ExtHdrFragment(id=77) /
                 UDP(sport=9, dport=10) / Raw(b"f" * 1500), 1000)]
    frags = timed([Ether(b) for b in frags], start=1.0)
    tagged = at(Ether(src=M_APP, dst=M_VPC) / Dot1Q(vlan=5) / IPv6(src=A6_APP, dst=A6_PRIV) /
                UDP(sport=3, dport=4) / Raw(b"vlan"), 2.0)
    untagged = Ether(src=M_APP, dst=M_VPC) / IPv6(src=A6_APP, dst=A6_PRIV) / UDP(sport=3, dport=4) / \
        Raw(b"vlan")
    mac = {A6_APP: M_APP, A6_PRIV: M_PRIV}
    exp = [routed6(p, M_VPC, mac[p[IPv6].dst]) for p in pkts + frags] + \
        [routed6(untagged, M_VPC, M_PRIV)]
    allp = pkts + frags + [tagged]
    return Case("route6_subnets", base_config(), {"vpc": allp}, {"vpc": exp},
                counters={"ports.vpc.forwarded": len(allp), "ports.vpc.tx": len(allp),
                          "totals.drops": 0})


def case_igw6():
    """::/0 of the public table to the internet gateway: untranslated, to
    next_hop6; from the internet back to a VPC address (local route);
    blackhole /48; longest prefix match in the private table (a /48 to igw,
    no default route: no_route); from the internet to an address outside
    the VPC: dst_unknown."""
    out = timed([
        host6(M_PUB, A6_PUB, REMOTE6, TCP(sport=40001, dport=443, flags="S", seq=77)),
        host6(M_PUB, A6_PUB, REMOTE6, ICMPv6EchoRequest(id=7, seq=1, data=b"abcdefgh")),
        host6(M_PRIV, A6_PRIV, "2001:db8:beef::5", UDP(sport=5353, dport=53) / Raw(b"dns")),
    ])
    drops = timed([
        host6(M_PUB, A6_PUB, "2001:db8:dead::1", UDP(sport=1, dport=2)),
        host6(M_PRIV, A6_PRIV, REMOTE6, UDP(sport=1, dport=2)),
    ], start=0.5)
    back = timed([
        inet6(REMOTE6, A6_PUB, TCP(sport=443, dport=40001, flags="SA", seq=900, ack=78)),
        inet6(REMOTE6, A6_PRIV, UDP(sport=53, dport=5353) / Raw(b"dns-answer")),
        inet6(REMOTE6, "2001:db8:9999::1", UDP(sport=1, dport=2)),
    ], start=0.005)
    return Case("igw6", base_config(), {"vpc": out + drops, "internet": back},
                {"internet": [routed6(p, M_INET, M_NH) for p in out],
                 "vpc": [routed6(back[0], M_VPC, M_PUB), routed6(back[1], M_VPC, M_PRIV)]},
                counters={"ports.vpc.forwarded": 3, "ports.internet.forwarded": 2,
                          "drops.route_blackhole": 1, "drops.no_route": 1,
                          "drops.dst_unknown": 1})


def case_nd6_local():
    """NS for vpcgw's addresses on the port that owns them is answered with
    an NA (a subnet's ::1, the port's link-local, the internet port's
    address6; a DAD probe from :: gets its NA at all nodes); NS for another
    address: nd_not_for_us; hop limit not 255: nd_invalid; bad checksum:
    icmp6_checksum; ::1 of a VPC subnet asked on the internet port:
    nd_not_for_us."""
    vpc = timed([
        ns(M_PRIV, A6_PRIV, R_PRIV),
        ns(M_APP, "fe80::814:ff:fe00:214", LL_VPC),
        ns(M_PUB, "::", R_PUB, slla=False),
        ns(M_PRIV, A6_PRIV, PFX + "1::99"),
        ns(M_PRIV, A6_PRIV, R_PRIV, hlim=64),
        ns(M_PRIV, A6_PRIV, R_PRIV, cksum=0x1234),
    ])
    inet = timed([ns(M_NH, A6_NH, A6_INET, port_mac=M_INET),
                  ns(M_NH, A6_NH, R_PRIV, port_mac=M_INET)], start=0.1)
    return Case("nd6_local", base_config(), {"vpc": vpc, "internet": inet},
                {"vpc": [na_exp(M_VPC, M_PRIV, R_PRIV, A6_PRIV),
                         na_exp(M_VPC, M_APP, LL_VPC, "fe80::814:ff:fe00:214"),
                         na_exp(M_VPC, "33:33:00:00:00:01", R_PUB, "ff02::1", solicited=False)],
                 "internet": [na_exp(M_INET, M_NH, A6_INET, A6_NH)]},
                counters={"ports.vpc.local": 3, "ports.internet.local": 1,
                          "drops.nd_not_for_us": 2, "drops.nd_invalid": 1,
                          "drops.icmp6_checksum": 1})


def case_echo6_local():
    """ICMPv6 echo to vpcgw's addresses (subnets' ::1, link-local, the
    internet port's address6) is answered, hop limit 1 or not; UDP to vpcgw:
    local_unhandled; echo to all nodes (ff02::1) is not answered."""
    vpc = timed([
        host6(M_PRIV, A6_PRIV, R_PRIV, ICMPv6EchoRequest(id=1, seq=1, data=b"0123456789abcdef")),
        host6(M_APP, A6_APP, R_APP, ICMPv6EchoRequest(id=2, seq=5, data=b"x" * 56)),
        host6(M_PUB, "fe80::1", LL_VPC, ICMPv6EchoRequest(id=3, seq=7)),
        host6(M_PRIV, A6_PRIV, R_PRIV, ICMPv6EchoRequest(id=4, seq=1), hlim=1),
        host6(M_PRIV, A6_PRIV, R_PRIV, UDP(sport=1, dport=7)),
        host6(M_PRIV, A6_PRIV, "ff02::1", ICMPv6EchoRequest(id=5, seq=1)),
    ])
    inet = [at(inet6(REMOTE6, A6_INET, ICMPv6EchoRequest(id=0xbeef, seq=0x0102, data=b"hello")), 0.1)]
    return Case("echo6_local", base_config(), {"vpc": vpc, "internet": inet},
                {"vpc": [echo_reply6(p, M_VPC) for p in vpc[:4]],
                 "internet": [echo_reply6(inet[0], M_INET)]},
                counters={"ports.vpc.local": 4, "ports.internet.local": 1,
                          "drops.local_unhandled": 1, "drops.ip6_dst_invalid": 1})


def case_nd6_resolve():
    """A destination with no neighbor: vpcgw sends one NS (solicited-node
    group, from its link-local) and holds the packets; the NA releases them
    in order and later packets go straight out. A neighbor that never
    answers: its packet is dropped (nd_timeout) once the clock moved on."""
    p1 = at(host6(M_PRIV, A6_PRIV, A6_NEW, UDP(sport=7000, dport=7001) / Raw(b"one")), 0.0)
    p2 = at(host6(M_PRIV, A6_PRIV, A6_NEW, UDP(sport=7000, dport=7001) / Raw(b"two")), 0.01)
    na = at(Ether(src=M_NEW, dst=M_VPC) / IPv6(src=A6_NEW, dst=LL_VPC, hlim=255) /
            ICMPv6ND_NA(R=0, S=1, O=1, tgt=A6_NEW) / ICMPv6NDOptDstLLAddr(lladdr=M_NEW), 0.1)
    p3 = at(host6(M_PRIV, A6_PRIV, A6_NEW, UDP(sport=7000, dport=7001) / Raw(b"three")), 0.2)
    lost = at(host6(M_PRIV, A6_PRIV, PFX + "2::77", UDP(sport=1, dport=2)), 0.3)
    late = at(host6(M_PRIV, A6_PRIV, A6_APP, UDP(sport=1, dport=3)), 10.0)
    return Case("nd6_resolve", base_config(), {"vpc": [p1, p2, na, p3, lost, late]},
                {"vpc": [ns_exp(M_VPC, LL_VPC, A6_NEW), routed6(p1, M_VPC, M_NEW),
                         routed6(p2, M_VPC, M_NEW), routed6(p3, M_VPC, M_NEW),
                         ns_exp(M_VPC, LL_VPC, PFX + "2::77"), routed6(late, M_VPC, M_APP)]},
                counters={"ports.vpc.forwarded": 4, "ports.vpc.local": 1,
                          "drops.nd_timeout": 1,
                          "ports.vpc.generated": lambda v: v >= 2})


def case_hop_limit6():
    """Hop limit 1: dropped (ip6_hop_limit) with ICMPv6 time exceeded from
    the sender's subnet router (::1), quoting the packet; hop limit 2 is
    forwarded with 1; from the internet, the error comes from address6."""
    t1 = at(host6(M_PRIV, A6_PRIV, A6_APP, UDP(sport=33434, dport=33435) / Raw(b"trace"), hlim=1), 0.0)
    t2 = at(host6(M_PRIV, A6_PRIV, A6_APP, UDP(sport=33434, dport=33436) / Raw(b"trace"), hlim=2), 0.01)
    big = at(host6(M_PUB, A6_PUB, REMOTE6, UDP(sport=1, dport=2) / Raw(b"b" * 1400), hlim=1), 0.02)
    t3 = at(inet6(REMOTE6, A6_PUB, TCP(sport=80, dport=33000, flags="S"), hlim=1), 0.03)
    return Case("hop_limit6", base_config(), {"vpc": [t1, t2, big], "internet": [t3]},
                {"vpc": [time_exceeded6(t1, M_VPC, R_PRIV), routed6(t2, M_VPC, M_APP),
                         time_exceeded6(big, M_VPC, R_PUB)],
                 "internet": [time_exceeded6(t3, M_INET, A6_INET)]},
                counters={"drops.ip6_hop_limit": 3, "ports.vpc.forwarded": 1})


def ra_exp(dst_mac, dst, prefixes, on_link):
    """RFC 4861 §6.2.3 as SPEC §7 sets it: from the port's link-local, hop
    limit 255, cur hop limit 64, router lifetime 1800 s, SLLA, MTU, each
    subnet /64 (L when the RA names one subnet; A never)."""
    r = Ether(src=M_VPC, dst=dst_mac) / IPv6(src=LL_VPC, dst=dst, hlim=255) / \
        ICMPv6ND_RA(chlim=64, M=0, O=0, prf=0, routerlifetime=1800, reachabletime=0, retranstimer=0) / \
        ICMPv6NDOptSrcLLAddr(lladdr=M_VPC) / ICMPv6NDOptMTU(mtu=9001)
    for pf in prefixes:
        r = r / ICMPv6NDOptPrefixInfo(prefixlen=64, L=1 if on_link else 0, A=0,
                                      validlifetime=2592000, preferredlifetime=604800,
                                      prefix=pf)
    return gen6(r, "RA to %s" % dst)


def rs(mac, src, slla=True):
    p = Ether(src=mac, dst="33:33:00:00:00:02") / IPv6(src=src, dst="ff02::2", hlim=255) / ICMPv6ND_RS()
    return p / ICMPv6NDOptSrcLLAddr(lladdr=mac) if slla else p


def case_too_big6():
    """Issue #24 (RFC 8201): over the internet port's MTU (1500) an IPv6
    packet is dropped (mtu_exceeded, IPv6 is never fragmented) and its
    sender gets ICMPv6 Packet Too Big, MTU 1500, from its subnet's router
    address; 1500 bytes pass. Rate-limited: of 4 at once, 2 get one."""
    def u(total, t, sport=1):
        return at(host6(M_PUB, A6_PUB, REMOTE6, UDP(sport=sport, dport=2) /
                        Raw(b"t" * (total - 48))), t)
    ok, big = u(1500, 0.0), u(1501, 0.01)
    burst = [u(2000, 1.0, sport=3) for _ in range(4)]
    return Case("too_big6", base_config(), {"vpc": [ok, big] + burst},
                {"internet": [routed6(ok, M_INET, M_NH)],
                 "vpc": [too_big6(big, M_VPC, R_PUB, 1500), too_big6(burst[0], M_VPC, R_PUB, 1500),
                         too_big6(burst[1], M_VPC, R_PUB, 1500)]},
                counters={"drops.mtu_exceeded": 5, "ports.vpc.forwarded": 1,
                          "ports.vpc.generated": 3})


def case_ra6():
    """RS from a host's global address: RA unicast to it with its subnet's
    /64 on-link; from a link-local address: every IPv6 subnet of the port
    (not on-link: they share the port); from ::, to all nodes; RS with hop
    limit 64: nd_invalid. 200 s later vpcgw sends its periodic RA to all
    nodes."""
    all4 = [PFX + "%d::" % i for i in range(4)]
    pkts = timed([rs(M_PRIV, A6_PRIV), rs(M_APP, "fe80::814:ff:fe00:214"),
                  rs(M_PUB, "::", slla=False)])
    bad = at(Ether(src=M_PRIV, dst=M_VPC) / IPv6(src=A6_PRIV, dst="ff02::2", hlim=64) / ICMPv6ND_RS(), 0.5)
    # moves the capture clock past 200 s; out of another port (the periodic RA
    # comes from the control thread, in no fixed order with the workers' output)
    later = at(host6(M_PUB, A6_PUB, REMOTE6, UDP(sport=1, dport=2)), 201.0)
    return Case("ra6", base_config(), {"vpc": pkts + [bad, later]},
                {"vpc": [ra_exp(M_PRIV, A6_PRIV, [PFX + "1::"], True),
                         ra_exp(M_APP, "fe80::814:ff:fe00:214", all4, False),
                         ra_exp("33:33:00:00:00:01", "ff02::1", all4, False),
                         ra_exp("33:33:00:00:00:01", "ff02::1", all4, False)],
                 "internet": [routed6(later, M_INET, M_NH)]},
                counters={"ports.vpc.local": 3, "drops.nd_invalid": 1,
                          "ports.vpc.generated": 4})


def _raw6(nh, payload, plen=None, ver=6, src=A6_PRIV, dst=A6_APP, hlim=64):
    if plen is None:
        plen = len(payload)
    return struct.pack("!IHBB16s16s", ver << 28, plen, nh, hlim,
                       inet_pton(socket.AF_INET6, src), inet_pton(socket.AF_INET6, dst)) + payload


def case_malformed6():
    """Each malformed kind is dropped under its own reason and nothing is
    sent: header truncated, version, payload length past the frame,
    hop-by-hop not first, an extension header past the payload, routing
    type 0 with segments left, a fragment header's reserved bits, nine
    extension headers, a chain past the first segment (a 2 KB destination
    options header, the UDP header beyond the mbuf's first segment), TCP
    truncated, UDP length, multicast source, link-local destination, IPv6
    on a port without IPv6 (ipv6_unsupported), and to/from a subnet whose
    NACL has IPv4 rules only (the implicit deny of its IPv6 rules:
    nacl_deny_in, nacl_deny_out). A valid packet after them is forwarded."""
    eth = bytes(Ether(src=M_PRIV, dst=M_VPC, type=0x86dd))
    udp = bytes(UDP(sport=1, dport=2, len=8, chksum=0))
    dopt = bytes([17, 0, 1, 4, 0, 0, 0, 0])             # dst options, next UDP, PadN
    hbh_udp = bytes([17, 0, 1, 4, 0, 0, 0, 0])
    nine = b"".join(bytes([60, 0, 1, 4, 0, 0, 0, 0]) for _ in range(8)) + dopt
    big = bytes([17, 255]) + bytes(2046)            # 2 KB of Pad1 options
    assert len(big) == 2048, len(big)
    kinds = [
        ("ip6_truncated", eth + _raw6(17, udp)[:30]),
        ("ip6_version", eth + _raw6(17, udp, ver=4)),
        ("ip6_payload_len", eth + _raw6(17, udp, plen=100)),
        ("ip6_ext_malformed", eth + _raw6(60, bytes([0, 0, 1, 4, 0, 0, 0, 0]) + hbh_udp + udp)),
        ("ip6_ext_malformed", eth + _raw6(60, bytes([17, 3, 1, 4, 0, 0, 0, 0]) + udp)),
        ("ip6_ext_malformed", eth + _raw6(43, bytes([17, 2, 0, 1, 0, 0, 0, 0]) +
                                          inet_pton(socket.AF_INET6, A6_APP) + udp)),
        ("ip6_ext_malformed", eth + _raw6(44, bytes([17, 0, 0, 6, 0, 0, 0, 1]) + udp)),
        ("ip6_ext_too_long", eth + _raw6(60, nine + udp)),
        ("ip6_ext_too_long", eth + _raw6(60, big + udp)),
        ("tcp_truncated", eth + _raw6(6, b"\x00" * 10)),
        ("udp_len", eth + _raw6(17, bytes(UDP(sport=1, dport=2, len=40)) + b"x" * 4)),
        ("ip6_src_invalid", eth + _raw6(17, udp, src="ff02::1")),
        ("ip6_dst_invalid", eth + _raw6(17, udp, dst="fe80::99")),
        ("nacl_deny_in", eth + _raw6(17, udp, dst=A6_SEC)),
        ("nacl_deny_out", bytes(Ether(src=M_SEC, dst=M_VPC, type=0x86dd)) +
         _raw6(17, udp, src=A6_SEC)),
    ]
    pkts = [Raw(b) for _, b in kinds]
    good = host6(M_PRIV, A6_PRIV, A6_APP, UDP(sport=5, dport=6) / Raw(b"still alive"))
    other = Raw(bytes(Ether(src="0a:00:00:00:09:09", dst=M_OTHER, type=0x86dd)) + _raw6(17, udp))
    timed(pkts + [good, other])
    counters = {}
    for k, _ in kinds:
        counters["drops." + k] = counters.get("drops." + k, 0) + 1
    counters["drops.ipv6_unsupported"] = 1
    counters["ports.vpc.dropped"] = len(kinds)
    counters["ports.vpc.forwarded"] = 1
    cfg = base_config()
    cfg["ports"][0]["mtu"] = 1500       # mbufs of 2 KB: the big chain spans two segments
    return Case("malformed6", cfg, {"vpc": pkts + [good], "other": [other]},
                {"vpc": [routed6(good, M_VPC, M_APP)]}, counters=counters)


def case_mixed46_order():
    """IPv4 and IPv6 packets of one burst (one capture time) between two
    subnets leave the port in the order they arrived (the IPv6 stage runs
    after the IPv4 ones: an IPv4 packet may not leave before an earlier IPv6
    one); IPv4: TTL - 1 and its checksum, IPv6: hop limit - 1."""
    cfg = base_config()
    cfg["neighbors"] += [{"port": "vpc", "address": "10.0.1.10", "mac": M_PRIV},
                         {"port": "vpc", "address": "10.0.2.20", "mac": M_APP}]
    v4 = [Ether(src=M_PRIV, dst=M_VPC) / IP(src="10.0.1.10", dst="10.0.2.20") /
          UDP(sport=6000 + i, dport=53) / Raw(b"v4") for i in range(3)]
    v6 = [host6(M_PRIV, A6_PRIV, A6_APP, UDP(sport=7000 + i, dport=53) / Raw(b"v6"))
          for i in range(3)]
    pkts = timed([v6[0], v4[0], v4[1], v6[1], v4[2], v6[2]], step=0)
    exp = []
    for p in pkts:
        if IPv6 in p:
            exp.append(routed6(p, M_VPC, M_APP))
        else:
            q = Ether(bytes(p))
            q[Ether].src, q[Ether].dst = M_VPC, M_APP
            q[IP].ttl -= 1
            del q[IP].chksum
            exp.append(Exp(built(q), note="routed4"))
    return Case("mixed46_order", cfg, {"vpc": pkts}, {"vpc": exp},
                counters={"ports.vpc.forwarded": len(pkts), "totals.drops": 0})


def case_route6_fused():
    """Bursts (one capture time each) of plain IPv6 packets between two
    subnets with one packet between them that a check of the input or
    routing stage refuses or sends elsewhere: hop limit 1, UDP to the
    subnet's router (::1), to multicast, a source in no subnet, the default
    route to the internet gateway, a blackhole route (and one inside a
    subnet, more specific than the local route), into the subnet whose
    NACL denies IPv6, a hop-by-hop header, ICMPv6 echo, an IPv4 packet, a
    frame with Ethernet padding. The port's IPv6 rx counters (SPEC §7, per
    family) count every IPv6 frame as received, padding included.
    Each gets what SPEC §7 says, whichever path routed it (hop limit - 1,
    every other byte as received), and the port's packets leave in arrival
    order (SPEC §3.6)."""
    M_HOLE, A6_HOLE = "0a:00:00:00:02:c8", PFX + "2:8000::5"

    def g(tag, hlim=64, src=(M_PRIV, A6_PRIV), dst=A6_APP, ext=None):
        return host6(src[0], src[1], dst, UDP(sport=7000, dport=5353) / Raw(tag),
                     hlim=hlim, ext=ext)

    def back():
        return host6(M_APP, A6_APP, A6_PRIV, TCP(sport=8080, dport=40000, flags="A", seq=7, ack=9))
    v4 = Ether(src=M_PRIV, dst=M_VPC) / IP(src="10.0.1.10", dst="10.0.2.20", ttl=9) / \
        UDP(sport=6000, dport=53) / Raw(b"v4")
    # 62 bytes of frame padded to 64 on the wire: forwarded without the padding
    tiny = host6(M_PRIV, A6_PRIV, A6_APP, UDP(sport=7001, dport=5353))
    bursts = [
        ([g(b"a1", hlim=2), g(b"hl1", hlim=1), back()], "ip6_hop_limit", None),
        ([g(b"b1"), g(b"router", dst=R_APP), g(b"b3")], "local_unhandled", None),
        ([g(b"c1"), g(b"mcast", dst="ff0e::42"), g(b"c3")], "ip6_dst_invalid", None),
        ([g(b"d1"), g(b"spoof", src=(M_PRIV, PFX + "9::5")), g(b"d3")], "src_not_in_vpc", None),
        ([g(b"e1"), g(b"igw", src=(M_PUB, A6_PUB), dst=REMOTE6), back()], None, "internet"),
        ([g(b"f1"), g(b"hole", src=(M_PUB, A6_PUB), dst="2001:db8:dead::1"), g(b"f3")],
         "route_blackhole", None),
        ([g(b"g1"), g(b"public-local", src=(M_PUB, A6_PUB), dst=A6_HOLE), g(b"g3")], None, None),
        ([g(b"z1"), g(b"inner-hole", dst=A6_HOLE), g(b"z3")], "route_blackhole", None),
        ([g(b"h1"), g(b"nacl", dst=A6_SEC), g(b"h3")], "nacl_deny_in", None),
        ([g(b"i1"), g(b"hbh", ext=IPv6ExtHdrHopByHop()), g(b"i3")], None, "vpc"),
        ([g(b"j1"), host6(M_PRIV, A6_PRIV, A6_APP, ICMPv6EchoRequest(id=5, seq=6)), back()],
         None, "vpc"),
        ([g(b"k1"), v4, g(b"k3")], None, "v4"),
        ([g(b"l1"), tiny, g(b"l3")], None, "padded"),
    ]
    sent, vpc_exp, inet_exp, drops = [], [], [], {}
    for k, (pkts, drop, odd) in enumerate(bursts):
        wire = [Raw(bytes(p) + b"\0" * 2) if odd == "padded" and j == 1 else p
                for j, p in enumerate(pkts)]
        for p in wire:
            at(p, 0.01 * k)
        sent += wire
        for j, p in enumerate(pkts):
            if j == 1 and drop == "ip6_hop_limit":
                vpc_exp.append(time_exceeded6(p, M_VPC, R_PRIV))
            elif j == 1 and drop is not None:
                pass
            elif j == 1 and odd == "internet":
                inet_exp.append(routed6(p, M_INET, M_NH))
            elif j == 1 and odd == "v4":
                q = Ether(bytes(p))
                q[Ether].src, q[Ether].dst = M_VPC, M_APP
                q[IP].ttl -= 1
                del q[IP].chksum
                vpc_exp.append(Exp(built(q), note="routed4"))
            else:
                q = Ether(bytes(p))
                vpc_exp.append(routed6(q, M_VPC, {A6_APP: M_APP, A6_PRIV: M_PRIV,
                                                  A6_HOLE: M_HOLE}[q[IPv6].dst]))
        if drop is not None:
            drops["drops." + drop] = drops.get("drops." + drop, 0) + 1
    # a route more specific than the local one, inside app-a, in the private
    # table only (public-a reaches A6_HOLE)
    cfg = base_config()
    cfg["route_tables"][1]["routes"].append({"destination": PFX + "2:8000::/65",
                                              "target": "blackhole"})
    cfg["neighbors"] += [{"port": "vpc", "address": "10.0.2.20", "mac": M_APP},
                         {"port": "vpc", "address": A6_HOLE, "mac": M_HOLE}]
    v6 = [bytes(p) for p in sent if bytes(p)[12:14] == b"\x86\xdd"]
    counters = dict(drops, **{"ports.vpc.forwarded": len(sent) - sum(drops.values()),
                              "ports.vpc.generated": 1,
                              "ports.vpc.rx_ipv6": len(v6),
                              "ports.vpc.rx_ipv6_bytes": sum(len(b) for b in v6)})
    return Case("route6_fused", cfg, {"vpc": sent}, {"vpc": vpc_exp, "internet": inet_exp},
                counters=counters)


CASES = {
    "route6_subnets": case_route6_subnets,
    "igw6": case_igw6,
    "nd6_local": case_nd6_local,
    "echo6_local": case_echo6_local,
    "nd6_resolve": case_nd6_resolve,
    "hop_limit6": case_hop_limit6,
    "too_big6": case_too_big6,
    "ra6": case_ra6,
    "malformed6": case_malformed6,
    "mixed46_order": case_mixed46_order,
    "route6_fused": case_route6_fused,
}

if __name__ == "__main__":
    sys.exit(main(CASES))
