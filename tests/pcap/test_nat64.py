#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
pcap suite, NAT64 on the NAT gateway (SPEC §7; RFC 6052 address mapping,
RFC 7915 header translation, SPEC §4 NAT gateway port allocation). Every
expected packet is built here by scapy from the RFC rules (scapy has no
NAT64 translator): IPv6 -> IPv4 (§5.1: version 4, IHL 5, TOS = traffic
class, identification 0 and DF set (our choice, docs/config.md "NAT64"),
TTL = hop limit - 1, protocol = next header, ICMPv6 echo -> ICMPv4 echo,
checksums over the new pseudo-header or none for ICMPv4) and back (§4.1:
traffic class = TOS, flow label 0, hop limit = TTL - 1, ICMPv6 checksum with
its pseudo-header), ICMPv4 errors -> ICMPv6 errors (§4.2) with the quoted
packet translated. The only values learned from vpcgw are the NAT address
and port it chose (a first run with the packets from inside), checked
against the SPEC before use.

  vpcgw ports       vpc 02:00:00:00:00:01 10.0.0.1/16 (mtu 9001)
                    internet 02:00:00:00:01:01 198.51.100.1/24 (mtu 1500)
  VPC               10.0.0.0/16, 2600:1f18:a:b00::/56
  subnets           public-a 10.0.0.0/24, b00::/64 (the NAT gateway's)
                    private-a 10.0.1.0/24, b01::/64 (table private)
  NAT gateway       nat-a in public-a, 198.51.100.10 and .11
  table private     0.0.0.0/0 and 64:ff9b::/96 -> nat-gateway:nat-a

Usage: test_nat64.py --workers N [--case NAME]... [--list]
"""
import ipaddress
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from scapy.all import (ICMPv6DestUnreach, ICMPv6EchoReply, ICMPv6EchoRequest,  # noqa: E402
                       ICMPv6PacketTooBig, ICMPv6TimeExceeded, IPv6, IPv6ExtHdrFragment,
                       IPv6ExtHdrDestOpt, ICMPv6ParamProblem, PadN)

from vpcgwtest import (EAL_ARGS, ICMP, IP, TCP, UDP, Case, Ether, Exp, Raw,  # noqa: E402
                       TwoPhaseCase, at, first_run, main)

M_VPC, M_INET = "02:00:00:00:00:01", "02:00:00:00:01:01"
M_NH, A_NH = "02:00:00:00:01:fe", "198.51.100.254"
PFX = "2600:1f18:a:b0"
C6, M_C6 = PFX + "1::10", "0a:00:00:00:01:10"
C6B, M_C6B = PFX + "1::11", "0a:00:00:00:01:11"
C4, M_C4 = "10.0.1.10", "0a:00:00:00:01:0a"
NAT_ADDRS = ("198.51.100.10", "198.51.100.11")
SERVER, SERVER2, ROUTER = "192.0.2.80", "192.0.2.81", "203.0.113.1"
NAT = "nat.nat-a."


def wkp(a4):
    """RFC 6052 §2.2: the IPv4 address in the last 32 bits of 64:ff9b::/96."""
    b = bytes(int(x) for x in a4.split("."))
    return "64:ff9b::%02x%02x:%02x%02x" % tuple(b)


def config(max_ports=None):
    ports = [
        {"name": "vpc", "mac": M_VPC, "address": "10.0.0.1/16", "mtu": 9001},
        {"name": "internet", "mac": M_INET, "address": "198.51.100.1/24", "mtu": 1500},
    ]
    for i, p in enumerate(ports):
        p["devargs"] = "net_pcap%d,rx_pcap={dir}/%s-in.pcap,tx_pcap={dir}/%s-out.pcap" % (
            i, p["name"], p["name"])
    nat = {"name": "nat-a", "subnet": "public-a", "addresses": list(NAT_ADDRS)}
    if max_ports is not None:
        nat["max_ports_per_destination"] = max_ports
    return {
        "dpdk": {"eal_args": EAL_ARGS, "workers": 1, "mbufs": 8191, "flow_table_size": 8192},
        "ports": ports,
        "neighbors": [
            {"port": "internet", "address": A_NH, "mac": M_NH},
            {"port": "vpc", "address": C6, "mac": M_C6},
            {"port": "vpc", "address": C6B, "mac": M_C6B},
            {"port": "vpc", "address": C4, "mac": M_C4},
        ],
        "vpc": {"cidr": "10.0.0.0/16", "ipv6_cidr": PFX + "0::/56", "subnets": [
            {"name": "public-a", "cidr": "10.0.0.0/24", "ipv6_cidr": PFX + "0::/64",
             "port": "vpc"},
            {"name": "private-a", "cidr": "10.0.1.0/24", "ipv6_cidr": PFX + "1::/64",
             "port": "vpc", "route_table": "private"},
        ]},
        "internet_gateway": {"port": "internet", "next_hop": A_NH},
        "nat_gateways": [nat],
        "route_tables": [
            {"name": "private", "routes": [
                {"destination": "0.0.0.0/0", "target": "nat-gateway:nat-a"},
                {"destination": "64:ff9b::/96", "target": "nat-gateway:nat-a"}]},
        ],
    }


def from_c6(l4, dst=SERVER, src=C6, mac=M_C6, hlim=64, tc=0):
    return Ether(src=mac, dst=M_VPC) / IPv6(src=src, dst=wkp(dst), hlim=hlim, tc=tc) / l4


def from_inet(src, dst, l4, ttl=64, tos=0):
    return Ether(src=M_NH, dst=M_INET) / IP(src=src, dst=dst, ttl=ttl, tos=tos) / l4


def to4(p6, nat, port):
    """RFC 7915 §5.1 of client packet p6, from nat:port."""
    q = Ether(bytes(p6))
    ip = IP(version=4, ihl=5, tos=q[IPv6].tc, id=0, flags="DF", frag=0, ttl=q[IPv6].hlim - 1,
            src=nat, dst=v4_of(q[IPv6].dst))
    if TCP in q or UDP in q:
        l4 = (q[TCP] if TCP in q else q[UDP]).copy()
        l4.sport = port
        del l4.chksum
        ip.proto = 6 if TCP in q else 17
        pkt = ip / l4
    else:
        e = q[ICMPv6EchoRequest]
        pkt = ip / ICMP(type=8, code=0, id=port, seq=e.seq) / Raw(bytes(e.data))
    return Ether(bytes(Ether(src=M_INET, dst=M_NH) / pkt))


def v4_of(a6):
    """RFC 6052: the IPv4 address in the last 32 bits."""
    return str(ipaddress.IPv4Address(ipaddress.IPv6Address(a6).packed[12:]))


def to6(p4, dst6, mac, cport):
    """RFC 7915 §4.1 of server packet p4, to dst6:cport (or echo id cport)."""
    q = Ether(bytes(p4))
    ip6 = IPv6(tc=q[IP].tos, fl=0, hlim=q[IP].ttl - 1, src=wkp(q[IP].src), dst=dst6)
    if TCP in q or UDP in q:
        l4 = (q[TCP] if TCP in q else q[UDP]).copy()
        l4.dport = cport
        del l4.chksum
        pkt = ip6 / l4
    else:
        pkt = ip6 / ICMPv6EchoReply(id=cport, seq=q[ICMP].seq, data=bytes(q[ICMP].payload))
    return Ether(bytes(Ether(src=M_VPC, dst=mac) / pkt))


def learn(outputs, pred, what):
    """(NAT address, port or echo id) of the first packet out that matches pred."""
    got = [p for p in outputs.get("internet", []) if IP in p and pred(p)]
    assert got, "first run: nothing out for %s" % what
    p = got[0]
    port = p[TCP].sport if TCP in p else p[UDP].sport if UDP in p else p[ICMP].id
    assert p[IP].src in NAT_ADDRS, "%s: source %s is not a NAT address" % (what, p[IP].src)
    if TCP in p or UDP in p:
        assert 1024 <= port <= 65535, "%s: port %d outside 1024..65535" % (what, port)
    return p[IP].src, port


def case_nat64_tcp():
    """SYN, SYN-ACK, ACK with data, FIN both ways: each translated per RFC
    7915 (TOS 0x28 from traffic class 0x28), the connection counted as
    attempted, established, active; bytes in from the source are IPv6
    bytes, out to the destination IPv4 bytes (20 fewer)."""
    syn = at(from_c6(TCP(sport=40000, dport=443, flags="S", seq=1000), tc=0x28), 0.0)
    ack = at(from_c6(TCP(sport=40000, dport=443, flags="A", seq=1001, ack=9001) /
                     Raw(b"GET / HTTP/1.1\r\n\r\n")), 0.2)
    out = [syn, ack]

    def build(workers):
        outs, _ = first_run(config(), {"vpc": [syn.copy()]}, workers)
        nat, port = learn(outs, lambda p: TCP in p, "the SYN")
        sa = at(from_inet(SERVER, nat, TCP(sport=443, dport=port, flags="SA", seq=9000,
                                           ack=1001), tos=0x10, ttl=50), 0.1)
        data = at(from_inet(SERVER, nat, TCP(sport=443, dport=port, flags="PA", seq=9001,
                                             ack=1019) / Raw(b"HTTP/1.1 200 OK\r\n")), 0.3)
        b6 = sum(len(p[IPv6]) for p in out)
        b4 = sum(len(p[IP]) for p in (sa, data))
        return Case("nat64_tcp", config(), {"vpc": out, "internet": [sa, data]},
                    {"internet": [Exp(to4(syn, nat, port), note="SYN as IPv4"),
                                  Exp(to4(ack, nat, port), note="ACK as IPv4")],
                     "vpc": [Exp(to6(sa, C6, M_C6, 40000), note="SYN-ACK as IPv6"),
                             Exp(to6(data, C6, M_C6, 40000), note="data as IPv6")]},
                    counters={NAT + "ConnectionAttemptCount": 1,
                              NAT + "ConnectionEstablishedCount": 1,
                              NAT + "ActiveConnectionCount": 1,
                              NAT + "PacketsDropCount": 0,
                              NAT + "PacketsInFromSource": 2,
                              NAT + "BytesInFromSource": b6,
                              NAT + "PacketsOutToDestination": 2,
                              NAT + "BytesOutToDestination": b6 - 40,
                              NAT + "PacketsInFromDestination": 2,
                              NAT + "BytesInFromDestination": b4,
                              NAT + "PacketsOutToSource": 2,
                              NAT + "BytesOutToSource": b4 + 40,
                              "flows.by_service.nat.active": 1})
    return TwoPhaseCase("nat64_tcp", build)


def case_nat64_udp():
    """UDP both ways; the server's reply with no UDP checksum (0, allowed in
    IPv4) gets one computed for IPv6 (RFC 7915 §4.5); a destination options
    header on the client's datagram goes (§5.1)."""
    q1 = at(from_c6(UDP(sport=5353, dport=53) / Raw(b"query-1")), 0.0)
    q2 = at(Ether(src=M_C6, dst=M_VPC) / IPv6(src=C6, dst=wkp(SERVER), hlim=30) /
            IPv6ExtHdrDestOpt() / UDP(sport=5353, dport=53) / Raw(b"query-2"), 0.2)

    def build(workers):
        outs, _ = first_run(config(), {"vpc": [q1.copy()]}, workers)
        nat, port = learn(outs, lambda p: UDP in p, "the query")
        a1 = from_inet(SERVER, nat, UDP(sport=53, dport=port) / Raw(b"answer-1"))
        a1[UDP].chksum = 0
        a1 = at(Ether(bytes(a1)), 0.1)
        e2 = Ether(bytes(Ether(src=M_INET, dst=M_NH) /
                         IP(tos=0, id=0, flags="DF", ttl=29, src=nat, dst=SERVER) /
                         UDP(sport=port, dport=53) / Raw(b"query-2")))
        return Case("nat64_udp", config(), {"vpc": [q1, q2], "internet": [a1]},
                    {"internet": [Exp(to4(q1, nat, port), note="query 1"),
                                  Exp(e2, note="query 2, no extension header")],
                     "vpc": [Exp(to6(a1, C6, M_C6, 5353), note="answer, checksum computed")]},
                    counters={NAT + "ConnectionAttemptCount": 1, NAT + "PacketsDropCount": 0,
                              NAT + "PacketsOutToSource": 1})
    return TwoPhaseCase("nat64_udp", build)


def case_nat64_icmp_echo():
    """ping -6 64:ff9b::192.0.2.80: echo request (128) -> ICMPv4 echo (8)
    with the NAT's identifier, checksum without pseudo-header; the echo
    reply (0) -> ICMPv6 echo reply (129) with the client's identifier and
    the ICMPv6 checksum over its pseudo-header."""
    e1 = at(from_c6(ICMPv6EchoRequest(id=0x1234, seq=1, data=b"ping-data-01")), 0.0)
    e2 = at(from_c6(ICMPv6EchoRequest(id=0x1234, seq=2, data=b"ping-data-02")), 0.2)

    def build(workers):
        outs, _ = first_run(config(), {"vpc": [e1.copy()]}, workers)
        nat, ident = learn(outs, lambda p: ICMP in p, "the echo request")
        r1 = at(from_inet(SERVER, nat, ICMP(type=0, id=ident, seq=1) / Raw(b"ping-data-01")),
                0.1)
        r2 = at(from_inet(SERVER, nat, ICMP(type=0, id=ident, seq=2) / Raw(b"ping-data-02")),
                0.3)
        return Case("nat64_icmp_echo", config(), {"vpc": [e1, e2], "internet": [r1, r2]},
                    {"internet": [Exp(to4(e1, nat, ident)), Exp(to4(e2, nat, ident))],
                     "vpc": [Exp(to6(r1, C6, M_C6, 0x1234)), Exp(to6(r2, C6, M_C6, 0x1234))]},
                    counters={NAT + "ConnectionAttemptCount": 1, NAT + "PacketsDropCount": 0,
                              NAT + "ActiveConnectionCount": 1})
    return TwoPhaseCase("nat64_icmp_echo", build)


def quote(p4, n, ttl):
    """What a router quotes of packet p4 it received with TTL ttl."""
    ip = Ether(bytes(p4))[IP].copy()
    ip.ttl = ttl
    del ip.chksum
    b = bytes(ip)
    return b[:20 + n]


def err6(outer4, t6, inner6, n, hlim=1):
    """RFC 7915 §4.2: the ICMPv6 error from 64:ff9b::<router> to the client,
    hop limit TTL - 1; quoting inner6 (the client's packet as it sent it, hop
    limit as the router saw the TTL) cut to the n bytes after its header."""
    q = Ether(bytes(outer4))
    i = Ether(bytes(inner6))[IPv6]
    body = bytes(i.payload)[:n]
    inner = IPv6(tc=i.tc, fl=0, plen=i.plen, nh=i.nh, hlim=hlim, src=i.src, dst=i.dst)
    pkt = Ether(src=M_VPC, dst=M_C6) / \
        IPv6(tc=q[IP].tos, hlim=q[IP].ttl - 1, src=wkp(q[IP].src), dst=C6) / t6 / \
        inner / Raw(body)
    return Ether(bytes(pkt))


def case_nat64_icmp_errors():
    """ICMPv4 errors from a router about NAT64 packets, each quoting the
    translated packet (TTL 1 as received): time exceeded (11/0) -> ICMPv6
    time exceeded (3/0); fragmentation needed with next-hop MTU 1300 (3/4)
    -> Packet Too Big, MTU 1320; port unreachable (3/3) -> destination
    unreachable code 4; protocol unreachable (3/2) -> parameter problem
    code 1 pointer 6. The quoted header becomes the client's IPv6 header, the
    ports and quoted TCP/UDP checksum the client's own again."""
    u = at(from_c6(UDP(sport=33434, dport=33435) / Raw(b"traceroute")), 0.00)
    t = at(from_c6(TCP(sport=40100, dport=443, flags="S", seq=5)), 0.01)

    def build(workers):
        outs, _ = first_run(config(), {"vpc": [u, t]}, workers)
        nu, pu = learn(outs, lambda p: UDP in p, "the UDP datagram")
        nt, pt = learn(outs, lambda p: TCP in p, "the SYN")
        su, st = to4(u, nu, pu), to4(t, nt, pt)
        errs = [at(from_inet(ROUTER, nu, ICMP(type=11, code=0) / Raw(quote(su, 8, 1)), ttl=60),
                   0.02),
                at(from_inet(ROUTER, nt, ICMP(type=3, code=4, nexthopmtu=1300) /
                             Raw(quote(st, 20, 1)), ttl=60), 0.03),
                at(from_inet(SERVER, nu, ICMP(type=3, code=3) / Raw(quote(su, 18, 1)), ttl=60),
                   0.04),
                at(from_inet(SERVER, nt, ICMP(type=3, code=2) / Raw(quote(st, 8, 1)), ttl=60),
                   0.05)]
        exp = [err6(errs[0], ICMPv6TimeExceeded(code=0), u, 8),
               err6(errs[1], ICMPv6PacketTooBig(mtu=1320), t, 20),
               err6(errs[2], ICMPv6DestUnreach(code=4), u, 18),
               err6(errs[3], ICMPv6ParamProblem(code=1, ptr=6), t, 8)]
        return Case("nat64_icmp_errors", config(), {"vpc": [u, t], "internet": errs},
                    {"internet": [Exp(su), Exp(st)], "vpc": [Exp(e) for e in exp]},
                    counters={NAT + "PacketsDropCount": 0, "ports.vpc.forwarded": 2,
                              "ports.internet.forwarded": 4})
    return TwoPhaseCase("nat64_icmp_errors", build)


def case_nat64_param_problem():
    """ICMPv4 parameter problem about a NAT64 packet (RFC 7915 §4.2): code 0
    with the pointer at the protocol field (9) -> ICMPv6 parameter problem
    code 0 pointer 6 (next header), and code 2 (bad length) at the TTL (8) ->
    pointer 7 (hop limit); the quote translated as for other errors. A
    pointer with no IPv6 counterpart (4, the identification) is dropped
    (nat64_unsupported), as the RFC says."""
    t = at(from_c6(TCP(sport=40300, dport=443, flags="S", seq=5)), 0.00)

    def build(workers):
        outs, _ = first_run(config(), {"vpc": [t]}, workers)
        nt, pt = learn(outs, lambda p: TCP in p, "the SYN")
        st = to4(t, nt, pt)
        errs = [at(from_inet(SERVER, nt, ICMP(type=12, code=0, ptr=9) / Raw(quote(st, 20, 60)),
                             ttl=50), 0.01),
                at(from_inet(SERVER, nt, ICMP(type=12, code=2, ptr=8) / Raw(quote(st, 8, 60)),
                             ttl=50), 0.02),
                at(from_inet(SERVER, nt, ICMP(type=12, code=0, ptr=4) / Raw(quote(st, 8, 60)),
                             ttl=50), 0.03)]
        exp = [err6(errs[0], ICMPv6ParamProblem(code=0, ptr=6), t, 20, hlim=60),
               err6(errs[1], ICMPv6ParamProblem(code=0, ptr=7), t, 8, hlim=60)]
        return Case("nat64_param_problem", config(), {"vpc": [t], "internet": errs},
                    {"internet": [Exp(st)], "vpc": [Exp(e) for e in exp]},
                    counters={"drops.nat64_unsupported": 1, NAT + "PacketsDropCount": 1})
    return TwoPhaseCase("nat64_param_problem", build)


def err4(err6, t4, reply4, n):
    """RFC 7915 §5.2: client ICMPv6 error err6 as ICMPv4 from the NAT address
    (the quoted reply's destination) to the server: TOS = traffic class, TTL
    = hop limit - 1, identification 0, DF clear (1260 bytes or less); the
    quote is the server's reply reply4 as the server sent it (identification
    0, DF, TTL = the hop limit the client saw), cut to the n bytes the client
    quoted after the IPv6 header."""
    e = Ether(bytes(err6))
    r = Ether(bytes(reply4))[IP]
    inner = IP(version=4, ihl=5, tos=r.tos, len=r.len, id=0, flags="DF", frag=0,
               ttl=e[IPv6].payload.payload.hlim, proto=r.proto, src=r.src, dst=r.dst)
    body = bytes(r.payload)[:n]
    return Ether(bytes(Ether(src=M_INET, dst=M_NH) /
                       IP(tos=e[IPv6].tc, id=0, flags=0, ttl=e[IPv6].hlim - 1, src=r.dst,
                          dst=r.src) / t4 / inner / Raw(body)))


def case_nat64_client_errors():
    """ICMPv6 errors from the client about NAT64 replies (RFC 7915 §5.2),
    each quoting the reply as the client received it: port unreachable
    (1/4) -> ICMPv4 port unreachable (3/3); Packet Too Big with MTU 1400 ->
    fragmentation needed, next-hop MTU 1380; time exceeded (3/0) -> 11/0;
    parameter problem (4/0) pointer 7 (hop limit) -> 12/0 pointer 8;
    address unreachable (1/3) -> host unreachable (3/1). The quote becomes
    the server's IPv4 packet again (addresses, ports, TCP/UDP checksum).
    Dropped (nat64_unsupported): parameter problem code 2 (RFC 7915 drops
    it), and an error quoting a packet of no connection."""
    u = at(from_c6(UDP(sport=5300, dport=53) / Raw(b"query")), 0.00)
    t = at(from_c6(TCP(sport=40200, dport=443, flags="S", seq=9)), 0.01)

    def build(workers):
        outs, _ = first_run(config(), {"vpc": [u, t]}, workers)
        nu, pu = learn(outs, lambda p: UDP in p, "the UDP datagram")
        nt, pt = learn(outs, lambda p: TCP in p, "the SYN")
        ru = at(from_inet(SERVER, nu, UDP(sport=53, dport=pu) / Raw(b"answer-answer"), tos=0x20),
                0.02)
        rt = at(from_inet(SERVER, nt, TCP(sport=443, dport=pt, flags="SA", seq=70, ack=10)),
                0.03)
        ru6, rt6 = to6(ru, C6, M_C6, 5300), to6(rt, C6, M_C6, 40200)

        def quoted(p6, n):
            return bytes(Ether(bytes(p6))[IPv6])[:40 + n]

        def err(l4, p6, n, tc=0, when=0.1):
            return at(from_c6(l4 / Raw(quoted(p6, n)), tc=tc), when)
        errs = [err(ICMPv6DestUnreach(code=4), ru6, 21, tc=0x10, when=0.10),
                err(ICMPv6PacketTooBig(mtu=1400), rt6, 20, when=0.11),
                err(ICMPv6TimeExceeded(code=0), ru6, 8, when=0.12),
                err(ICMPv6ParamProblem(code=0, ptr=7), rt6, 8, when=0.13),
                err(ICMPv6DestUnreach(code=3), rt6, 20, when=0.14)]
        drops = [err(ICMPv6ParamProblem(code=2, ptr=40), rt6, 20, when=0.15),
                 err(ICMPv6DestUnreach(code=4), to6(ru, C6, M_C6, 5999), 8, when=0.16)]
        exp = [err4(errs[0], ICMP(type=3, code=3), ru, 21),
               err4(errs[1], ICMP(type=3, code=4, nexthopmtu=1380), rt, 20),
               err4(errs[2], ICMP(type=11, code=0), ru, 8),
               err4(errs[3], ICMP(type=12, code=0, ptr=8), rt, 8),
               err4(errs[4], ICMP(type=3, code=1), rt, 20)]
        return Case("nat64_client_errors", config(), {"vpc": [u, t] + errs + drops,
                                                      "internet": [ru, rt]},
                    {"internet": [Exp(to4(u, nu, pu)), Exp(to4(t, nt, pt))] +
                     [Exp(e) for e in exp],
                     "vpc": [Exp(ru6), Exp(rt6)]},
                    counters={"drops.nat64_unsupported": 2, NAT + "PacketsDropCount": 2,
                              "ports.vpc.forwarded": 7})
    return TwoPhaseCase("nat64_client_errors", build)


def case_nat64_ports():
    """SPEC §4 port allocation shared with IPv4 SNAT: with
    max_ports_per_destination 1, an IPv4 connection to 192.0.2.80:443 takes
    the first address, an IPv6 one to 64:ff9b::192.0.2.80 port 443 the
    second, a third (IPv6) finds none: ErrorPortAllocation, dropped
    (nat_port_allocation); one to another destination takes the first
    address again."""
    v4 = at(Ether(src=M_C4, dst=M_VPC) / IP(src=C4, dst=SERVER) /
            TCP(sport=41000, dport=443, flags="S"), 0.0)
    a = at(from_c6(TCP(sport=41001, dport=443, flags="S")), 0.1)
    b = at(from_c6(TCP(sport=41002, dport=443, flags="S"), src=C6B, mac=M_C6B), 0.2)
    c = at(from_c6(TCP(sport=41003, dport=443, flags="S"), dst=SERVER2), 0.3)

    def is_from(addr, dst):
        return lambda p: p[IP].src == addr and p[IP].dst == dst

    def build(workers):
        outs, _ = first_run(config(1), {"vpc": [v4, a, b, c]}, workers)
        assert len(outs["internet"]) == 3, "first run: %d packets out" % len(outs["internet"])
        _, pa = learn(outs, is_from(NAT_ADDRS[1], SERVER), "the IPv6 SYN on the second address")
        _, pc = learn(outs, is_from(NAT_ADDRS[0], SERVER2), "the SYN to the other server")
        v4out = outs["internet"][0]
        assert v4out[IP].src == NAT_ADDRS[0], "IPv4 SYN not from the first address"
        return Case("nat64_ports", config(1), {"vpc": [v4, a, b, c]},
                    {"internet": [Exp(v4out, note="IPv4 SYN (checked in test_nat)"),
                                  Exp(to4(a, NAT_ADDRS[1], pa), note="IPv6 SYN, 2nd address"),
                                  Exp(to4(c, NAT_ADDRS[0], pc), note="IPv6 SYN, other server")]},
                    counters={NAT + "ErrorPortAllocation": 1, NAT + "ActiveConnectionCount": 3,
                              NAT + "PacketsDropCount": 1, "drops.nat_port_allocation": 1})
    return TwoPhaseCase("nat64_ports", build)


def case_nat64_drops():
    """Drops by reason: an ICMPv6 echo fragment to 64:ff9b:: (nat64_fragment:
    TCP and UDP fragments are translated, cases nat64_fragments and
    nat64_tcp_fragments); an
    ICMPv6 error and an echo reply from the client (nat64_unsupported); TCP
    data for no connection (nat_idle_timeout, IdleTimeoutCount + 1, and a
    RST to the client as IPv4 SNAT: case nat64_rst); an
    unsolicited IPv4 packet to a NAT address (nat_no_session); hop limit 1
    (ip6_hop_limit: ICMPv6 time exceeded back, from vpcgw)."""
    frag = at(Ether(src=M_C6, dst=M_VPC) / IPv6(src=C6, dst=wkp(SERVER)) /
              IPv6ExtHdrFragment(id=7, m=1, offset=0) / ICMPv6EchoRequest(id=1, seq=1) /
              Raw(b"x" * 32),
              0.0)
    err = at(from_c6(ICMPv6DestUnreach(code=4) / Raw(b"\x60" + b"\0" * 47)), 0.1)
    rep = at(from_c6(ICMPv6EchoReply(id=1, seq=1)), 0.2)
    data = at(from_c6(TCP(sport=42000, dport=80, flags="A", seq=1, ack=1)), 0.3)
    unsol = at(from_inet(SERVER, NAT_ADDRS[0], UDP(sport=53, dport=3000)), 0.4)
    hop = at(from_c6(UDP(sport=42001, dport=53), hlim=1), 0.5)
    return Case("nat64_drops", config(), {"vpc": [frag, err, rep, data, hop],
                                          "internet": [unsol]},
                {"vpc": [Exp(rst6(data), note="RST for data of no connection"),
                         Exp(lambda act: act, check=lambda act: [] if
                             ICMPv6TimeExceeded in act and act[IPv6].dst == C6 else
                             ["not an ICMPv6 time exceeded to the client"],
                             note="time exceeded")]},
                counters={"drops.nat64_fragment": 1, "drops.nat64_unsupported": 2,
                          "drops.nat_idle_timeout": 1, "drops.nat_no_session": 1,
                          "drops.ip6_hop_limit": 1, NAT + "IdleTimeoutCount": 1,
                          NAT + "PacketsDropCount": 5, NAT + "ActiveConnectionCount": 0})


def udp_bytes6(src, dst, sport, dport, data):
    """A whole UDP datagram's bytes with its checksum over the IPv6 pseudo-header."""
    return bytes(IPv6(bytes(IPv6(src=src, dst=dst) / UDP(sport=sport, dport=dport) /
                            Raw(data)))[UDP])


def udp_bytes4(src, dst, sport, dport, data):
    """The same over the IPv4 pseudo-header."""
    return bytes(IP(bytes(IP(src=src, dst=dst) / UDP(sport=sport, dport=dport) /
                          Raw(data)))[UDP])


def case_nat64_fragments():
    """RFC 7915 fragment translation, UDP (as the IPv4 NAT): a 608-byte UDP
    datagram from the client in two IPv6 fragments (id 0x12345678) leaves as
    two IPv4 fragments: identification 0x5678 (the low 16 bits), MF and the
    offset copied, DF clear, TTL = hop limit - 1, from the NAT address and
    port of the connection its first fragment opened, the UDP checksum
    (in the first) the datagram's over the IPv4 pseudo-header (§5.1.1); the
    server's 508-byte answer in two IPv4 fragments (id 0x4242) comes back as
    two IPv6 fragments with a Fragment header (next header UDP, offset and M
    copied, identification 0x4242), from 64:ff9b::<server> to the client,
    checksum over the IPv6 pseudo-header (§4.1). A later fragment with no
    first (either way) is dropped (nat64_frag_orphan; IPv4: nat_fragment, it
    could be the IPv4 NAT's); an ICMPv6 echo first fragment is not translated
    (nat64_fragment: an ICMPv6 checksum covers the whole message's length)."""
    q = b"Q" * 600
    u6 = udp_bytes6(C6, wkp(SERVER), 5300, 53, q)
    fid = 0x12345678

    def frag6(data, off, m, t, fid=fid, src=C6):
        return at(Ether(src=M_C6, dst=M_VPC) / IPv6(src=src, dst=wkp(SERVER), hlim=64, tc=0x10) /
                  IPv6ExtHdrFragment(nh=17, id=fid, m=m, offset=off // 8) / Raw(data), t)

    q1, q2 = frag6(u6[:304], 0, 1, 0.0), frag6(u6[304:], 304, 0, 0.1)
    orphan6 = frag6(u6[304:], 304, 0, 0.4, fid=0x9999)
    icmp6 = at(Ether(src=M_C6, dst=M_VPC) / IPv6(src=C6, dst=wkp(SERVER)) /
               IPv6ExtHdrFragment(id=0x77, m=1, offset=0) /
               ICMPv6EchoRequest(id=7, seq=1) / Raw(b"x" * 16), 0.5)

    def build(workers):
        outs, _ = first_run(config(), {"vpc": [q1.copy()]}, workers)
        nat, port = learn(outs, lambda p: UDP in p, "the first fragment")
        u4 = udp_bytes4(nat, SERVER, port, 53, q)
        e = [Ether(bytes(Ether(src=M_INET, dst=M_NH) /
                         IP(tos=0x10, id=0x5678, flags=fl, frag=off // 8, ttl=63, proto=17,
                            src=nat, dst=SERVER) / Raw(data)))
             for data, off, fl in ((u4[:304], 0, "MF"), (u4[304:], 304, 0))]
        a = b"A" * 500
        a4 = udp_bytes4(SERVER, nat, 53, port, a)

        def frag4(data, off, mf, t, ident=0x4242):
            return at(Ether(src=M_NH, dst=M_INET) /
                      IP(src=SERVER, dst=nat, ttl=50, tos=0x20, id=ident, proto=17,
                         flags="MF" if mf else 0, frag=off // 8) / Raw(data), t)

        r1, r2 = frag4(a4[:256], 0, 1, 0.2), frag4(a4[256:], 256, 0, 0.3)
        orphan4 = frag4(a4[256:], 256, 0, 0.6, ident=0x4343)
        a6 = udp_bytes6(wkp(SERVER), C6, 53, 5300, a)
        r = [Ether(bytes(Ether(src=M_VPC, dst=M_C6) /
                         IPv6(src=wkp(SERVER), dst=C6, hlim=49, tc=0x20, fl=0) /
                         IPv6ExtHdrFragment(nh=17, res1=0, res2=0, id=0x4242, m=m,
                                            offset=off // 8) / Raw(data)))
             for data, off, m in ((a6[:256], 0, 1), (a6[256:], 256, 0))]
        return Case("nat64_fragments", config(),
                    {"vpc": [q1, q2, orphan6, icmp6], "internet": [r1, r2, orphan4]},
                    {"internet": [Exp(e[0], note="first IPv4 fragment"),
                                  Exp(e[1], note="second IPv4 fragment")],
                     "vpc": [Exp(r[0], note="first IPv6 fragment"),
                             Exp(r[1], note="second IPv6 fragment")]},
                    counters={"drops.nat64_fragment": 1, "drops.nat64_frag_orphan": 1,
                              "drops.nat_fragment": 1,
                              NAT + "ConnectionAttemptCount": 1,
                              NAT + "ActiveConnectionCount": 1,
                              NAT + "PacketsOutToDestination": 2,
                              NAT + "PacketsOutToSource": 2,
                              NAT + "PacketsDropCount": 3})

    return TwoPhaseCase("nat64_fragments", build)


def tcp_bytes(ipcls, src, dst, sport, dport, flags, seq, ack, data):
    """A whole TCP segment's bytes with its checksum over ipcls's pseudo-header."""
    return bytes(ipcls(bytes(ipcls(src=src, dst=dst) /
                             TCP(sport=sport, dport=dport, flags=flags, seq=seq, ack=ack,
                                 window=8192) / Raw(data)))[TCP])


def case_nat64_tcp_fragments():
    """RFC 7915 fragment translation, TCP (§5.1.1, §4.1): after a SYN and
    SYN-ACK, the client's 620-byte segment in two IPv6 fragments (id
    0x0a0b0c0d, traffic class 0x10) leaves as two IPv4 fragments
    (identification 0x0c0d, MF and offset copied, DF clear, TTL = hop limit
    - 1) from the connection's NAT address and port, the TCP checksum (in the
    first fragment only) the segment's over the IPv4 pseudo-header with the
    new source port; the server's 520-byte segment in two IPv4 fragments
    (id 0x2121) comes back as two IPv6 fragments with a Fragment header (next
    header 6, offset and M copied, identification 0x2121), TCP checksum over
    the IPv6 pseudo-header with the client's port. Not translated: a later
    TCP fragment with no first (IPv6: nat64_frag_orphan; IPv4: nat_fragment),
    an ICMPv4 echo reply's first fragment of a NAT64 echo connection
    (nat64_fragment)."""
    syn = at(from_c6(TCP(sport=40200, dport=443, flags="S", seq=1000, window=8192)), 0.0)
    ping = at(from_c6(ICMPv6EchoRequest(id=0x77, seq=1, data=b"p" * 8)), 0.05)
    d6 = b"C" * 600
    fid = 0x0a0b0c0d
    seg6 = tcp_bytes(IPv6, C6, wkp(SERVER), 40200, 443, "PA", 1001, 9001, d6)

    def frag6(data, off, m, t, fid=fid):
        return at(Ether(src=M_C6, dst=M_VPC) / IPv6(src=C6, dst=wkp(SERVER), hlim=64, tc=0x10) /
                  IPv6ExtHdrFragment(nh=6, id=fid, m=m, offset=off // 8) / Raw(data), t)

    c1, c2 = frag6(seg6[:304], 0, 1, 0.2), frag6(seg6[304:], 304, 0, 0.3)
    orphan6 = frag6(seg6[304:], 304, 0, 0.6, fid=0x0a0b0c0e)

    def build(workers):
        outs, _ = first_run(config(), {"vpc": [syn.copy(), ping.copy()]}, workers)
        nat, port = learn(outs, lambda p: TCP in p, "the SYN")
        inat, ident = learn(outs, lambda p: ICMP in p, "the echo request")
        sa = at(from_inet(SERVER, nat, TCP(sport=443, dport=port, flags="SA", seq=9000,
                                           ack=1001, window=8192)), 0.1)
        seg4 = tcp_bytes(IP, nat, SERVER, port, 443, "PA", 1001, 9001, d6)
        e = [Ether(bytes(Ether(src=M_INET, dst=M_NH) /
                         IP(tos=0x10, id=0x0c0d, flags=fl, frag=off // 8, ttl=63, proto=6,
                            src=nat, dst=SERVER) / Raw(data)))
             for data, off, fl in ((seg4[:304], 0, "MF"), (seg4[304:], 304, 0))]
        d4 = b"S" * 500
        rseg4 = tcp_bytes(IP, SERVER, nat, 443, port, "PA", 9001, 1601, d4)

        def frag4(data, off, mf, t, ident4=0x2121, proto=6, dst=nat):
            return at(Ether(src=M_NH, dst=M_INET) /
                      IP(src=SERVER, dst=dst, ttl=50, tos=0x20, id=ident4, proto=proto,
                         flags="MF" if mf else 0, frag=off // 8) / Raw(data), t)

        r1, r2 = frag4(rseg4[:256], 0, 1, 0.4), frag4(rseg4[256:], 256, 0, 0.5)
        orphan4 = frag4(rseg4[256:], 256, 0, 0.7, ident4=0x2122)
        echo = bytes(ICMP(type=0, id=ident, seq=1) / Raw(b"p" * 40))
        icmp4 = frag4(echo[:24], 0, 1, 0.8, ident4=0x3131, proto=1, dst=inat)
        rseg6 = tcp_bytes(IPv6, wkp(SERVER), C6, 443, 40200, "PA", 9001, 1601, d4)
        r = [Ether(bytes(Ether(src=M_VPC, dst=M_C6) /
                         IPv6(src=wkp(SERVER), dst=C6, hlim=49, tc=0x20, fl=0) /
                         IPv6ExtHdrFragment(nh=6, res1=0, res2=0, id=0x2121, m=m,
                                            offset=off // 8) / Raw(data)))
             for data, off, m in ((rseg6[:256], 0, 1), (rseg6[256:], 256, 0))]
        b6 = len(syn[IPv6]) + len(c1[IPv6]) + len(c2[IPv6])
        return Case("nat64_tcp_fragments", config(),
                    {"vpc": [syn, ping, c1, c2, orphan6],
                     "internet": [sa, r1, r2, orphan4, icmp4]},
                    {"internet": [Exp(to4(syn, nat, port), note="SYN"),
                                  Exp(lambda act: act, check=lambda act: [] if
                                      ICMP in act and act[ICMP].type == 8 else
                                      ["not the echo request"], note="echo request"),
                                  Exp(e[0], note="first IPv4 fragment"),
                                  Exp(e[1], note="second IPv4 fragment")],
                     "vpc": [Exp(to6(sa, C6, M_C6, 40200), note="SYN-ACK"),
                             Exp(r[0], note="first IPv6 fragment"),
                             Exp(r[1], note="second IPv6 fragment")]},
                    counters={"drops.nat64_fragment": 1, "drops.nat64_frag_orphan": 1,
                              "drops.nat_fragment": 1,
                              NAT + "ConnectionAttemptCount": 2,
                              NAT + "ConnectionEstablishedCount": 1,
                              NAT + "ActiveConnectionCount": 2,
                              NAT + "PacketsInFromSource": 4,
                              NAT + "BytesInFromSource": b6 + len(ping[IPv6]),
                              NAT + "PacketsOutToDestination": 4,
                              NAT + "PacketsInFromDestination": 3,
                              NAT + "PacketsOutToSource": 3,
                              NAT + "PacketsDropCount": 3})

    return TwoPhaseCase("nat64_tcp_fragments", build)


def snat4(p4, nat, port):
    """SPEC §4 IPv4 SNAT of client packet p4 from nat:port: source address
    and port replaced, TTL - 1, checksums computed again, the rest kept."""
    q = Ether(bytes(p4))
    ip = q[IP].copy()
    ip.src = nat
    ip.ttl -= 1
    ip[UDP].sport = port
    del ip.chksum
    del ip[UDP].chksum
    return Ether(bytes(Ether(src=M_INET, dst=M_NH) / ip))


def unsnat4(p4, dst, mac, port):
    """The reverse of snat4 for server reply p4: to dst:port (the client)."""
    q = Ether(bytes(p4))
    ip = q[IP].copy()
    ip.dst = dst
    ip.ttl -= 1
    ip[UDP].dport = port
    del ip.chksum
    del ip[UDP].chksum
    return Ether(bytes(Ether(src=M_VPC, dst=mac) / ip))


def case_nat64_family_counters():
    """Per-family counters (SPEC §7): known IPv4 and IPv6 traffic through one
    NAT gateway (IPv4 SNAT and NAT64) and the exported figures exactly: per
    port rx/tx packets and bytes (frames as on the wire) of each family (an
    IPv6 packet dropped for its hop limit counts in rx_ipv6; the ICMPv6 error
    it gets is generated, not tx), and the gateway's IPv4/IPv6 bytes and
    packets in from and out to the source (IP header on: the CloudWatch
    bytes), IPv4 ones the IPv4 clients', IPv6 ones the NAT64 clients'."""
    def c4(n, t):
        return at(Ether(src=M_C4, dst=M_VPC) / IP(src=C4, dst=SERVER, id=n) /
                  UDP(sport=5000, dport=53) / Raw(b"4" * n), t)

    q4 = [c4(100, 0.0), c4(30, 0.2)]
    q6 = [at(from_c6(UDP(sport=6000, dport=123) / Raw(b"6" * n)), t)
          for n, t in ((70, 0.1), (200, 0.3))]
    hop = at(from_c6(UDP(sport=6001, dport=123) / Raw(b"h" * 10), hlim=1), 0.4)

    def build(workers):
        outs, _ = first_run(config(), {"vpc": [q4[0].copy(), q6[0].copy()]}, workers)
        n4, p4 = learn(outs, lambda p: UDP in p and p[UDP].dport == 53, "the IPv4 query")
        n6, p6 = learn(outs, lambda p: UDP in p and p[UDP].dport == 123, "the IPv6 query")
        r4 = at(from_inet(SERVER, n4, UDP(sport=53, dport=p4) / Raw(b"a" * 50)), 0.5)
        r6 = at(from_inet(SERVER, n6, UDP(sport=123, dport=p6) / Raw(b"b" * 80)), 0.6)
        out_i = [snat4(q4[0], n4, p4), to4(q6[0], n6, p6), snat4(q4[1], n4, p4),
                 to4(q6[1], n6, p6)]
        b4, b6 = unsnat4(r4, C4, M_C4, 5000), to6(r6, C6, M_C6, 6000)

        def flen(ps):
            return sum(len(bytes(p)) for p in ps)

        v6in = q6 + [hop]
        V, I = "ports.vpc.", "ports.internet."
        return Case("nat64_family_counters", config(),
                    {"vpc": q4 + q6 + [hop], "internet": [r4, r6]},
                    {"internet": [Exp(p) for p in out_i],
                     "vpc": [Exp(lambda act: act, check=lambda act: [] if
                                 ICMPv6TimeExceeded in act and act[IPv6].dst == C6 else
                                 ["not an ICMPv6 time exceeded to the client"],
                                 note="time exceeded"),
                             Exp(b4, note="IPv4 reply"), Exp(b6, note="IPv6 reply")]},
                    counters={V + "rx_ipv4": 2, V + "rx_ipv4_bytes": flen(q4),
                              V + "rx_ipv6": 3, V + "rx_ipv6_bytes": flen(v6in),
                              V + "tx_ipv4": 1, V + "tx_ipv4_bytes": flen([b4]),
                              V + "tx_ipv6": 1, V + "tx_ipv6_bytes": flen([b6]),
                              I + "rx_ipv4": 2, I + "rx_ipv4_bytes": flen([r4, r6]),
                              I + "rx_ipv6": 0, I + "rx_ipv6_bytes": 0,
                              I + "tx_ipv4": 4, I + "tx_ipv4_bytes": flen(out_i),
                              I + "tx_ipv6": 0, I + "tx_ipv6_bytes": 0,
                              NAT + "IPv4PacketsInFromSource": 2,
                              NAT + "IPv4BytesInFromSource": sum(len(p[IP]) for p in q4),
                              NAT + "IPv6PacketsInFromSource": 2,
                              NAT + "IPv6BytesInFromSource": sum(len(p[IPv6]) for p in q6),
                              NAT + "IPv4PacketsOutToSource": 1,
                              NAT + "IPv4BytesOutToSource": len(b4[IP]),
                              NAT + "IPv6PacketsOutToSource": 1,
                              NAT + "IPv6BytesOutToSource": len(b6[IPv6]),
                              NAT + "PacketsDropCount": 0, "drops.ip6_hop_limit": 1})

    return TwoPhaseCase("nat64_family_counters", build)


def rst6(p):
    """RFC 9293 3.10.7.1 (SPEC §4: the NAT gateway resets TCP of no
    connection, never a FIN), over IPv6: to the client, out of the port and
    to the MAC the segment came from, from the address and port it was sent
    to (64:ff9b::<server>); a segment with ACK: seq = its ack, flags R;
    without: seq 0, ack = its seq + data length (+1 for SYN, FIN), flags RA.
    Traffic class and flow label 0, hop limit 64, no extension headers,
    window 0 (as IPv4's)."""
    q = Ether(bytes(p))
    t = q[TCP]
    if t.flags & 0x10:
        seq, ack, fl = t.ack, 0, "R"
    else:
        seq, fl = 0, "RA"
        ack = (t.seq + len(bytes(t.payload)) + (1 if t.flags & 0x02 else 0) +
               (1 if t.flags & 0x01 else 0)) % (1 << 32)
    return Ether(bytes(Ether(src=M_VPC, dst=q.src) /
                       IPv6(src=q[IPv6].dst, dst=q[IPv6].src, hlim=64, tc=0, fl=0) /
                       TCP(sport=t.dport, dport=t.sport, seq=seq, ack=ack, flags=fl, window=0)))


def case_nat64_rst():
    """TCP of no connection from an IPv6 client (SPEC §4, as IPv4 SNAT): data
    with ACK gets a RST with seq = its ack; a FIN without ACK behind a
    destination options header gets a RST+ACK acking its data and FIN; a RST
    is dropped unanswered. nat_idle_timeout 3, IdleTimeoutCount 2 (the RST
    is not counted there), nothing leaves to the internet; a SYN after them
    still opens a connection."""
    a = at(from_c6(TCP(sport=42100, dport=80, flags="PA", seq=5, ack=0x80000001) /
                   Raw(b"late")), 0.0)
    b = at(Ether(src=M_C6B, dst=M_VPC) / IPv6(src=C6B, dst=wkp(SERVER2)) /
           IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\0" * 4)]) /
           TCP(sport=42101, dport=443, flags="F", seq=0xfffffffa) / Raw(b"bye!!!"), 0.1)
    r = at(from_c6(TCP(sport=42102, dport=80, flags="R", seq=9)), 0.2)
    return Case("nat64_rst", config(), {"vpc": [a, b, r]},
                {"vpc": [Exp(rst6(a), note="RST to the client"),
                         Exp(rst6(b), note="RST+ACK to the other client")]},
                counters={"drops.nat_idle_timeout": 3, NAT + "IdleTimeoutCount": 2,
                          NAT + "PacketsDropCount": 3, NAT + "ActiveConnectionCount": 0,
                          "ports.vpc.generated": 2, "ports.internet.generated": 0})


CASES = {
    "nat64_tcp": case_nat64_tcp,
    "nat64_udp": case_nat64_udp,
    "nat64_icmp_echo": case_nat64_icmp_echo,
    "nat64_icmp_errors": case_nat64_icmp_errors,
    "nat64_client_errors": case_nat64_client_errors,
    "nat64_param_problem": case_nat64_param_problem,
    "nat64_ports": case_nat64_ports,
    "nat64_drops": case_nat64_drops,
    "nat64_rst": case_nat64_rst,
    "nat64_fragments": case_nat64_fragments,
    "nat64_tcp_fragments": case_nat64_tcp_fragments,
    "nat64_family_counters": case_nat64_family_counters,
}

if __name__ == "__main__":
    sys.exit(main(CASES))
