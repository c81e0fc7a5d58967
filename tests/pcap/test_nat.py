#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
pcap suite, NAT gateway and internet gateway (SPEC §3.3, §3.4, §4 "NAT
gateway" and "Internet gateway"). Every expectation is derived from the SPEC
and the RFCs it relies on (RFC 791/793/768/792/1624/5508), never from vpcgw's
output; the only values learned from vpcgw are the NAT source address and
port (ICMP identifier) it chose, from a first run with the packets from
inside only (vpcgwtest.first_run), so that the replies of the second run can
be addressed to them. Those are checked against the SPEC (a NAT address,
port 1024..65535, distinct per destination) before they are used.

  vpcgw ports       vpc 02:00:00:00:00:01 10.0.0.1/16 (mtu 9001)
                    internet 02:00:00:00:01:01 198.51.100.1/24 (mtu 1500)
  subnets           public-a 10.0.0.0/24 (table public), private-a 10.0.1.0/24
                    (table private)
  internet gateway  next hop 198.51.100.254 (02:00:00:00:01:fe),
                    elastic IP 198.51.100.20 <-> 10.0.0.10
  NAT gateway       nat-a in public-a, addresses 198.51.100.10 and .11,
                    idle_timeout left at its default (350 s)
  table public      0.0.0.0/0 igw
  table private     0.0.0.0/0 nat-gateway:nat-a

Usage: test_nat.py --workers N [--case NAME]... [--list]
"""
import os
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from scapy.utils import checksum  # noqa: E402

from vpcgwtest import (EAL_ARGS, Case, Ether, Exp, GEN_WILD, ICMP, IP, TCP, UDP,  # noqa: E402
                       Interleaved, Raw, StreamCase, TwoPhaseCase, at, check_ip_generated,
                       first_run, main, routed)

# vpcgw
M_VPC = "02:00:00:00:00:01"
M_INET = "02:00:00:00:01:01"
A_INET = "198.51.100.1"
# hosts
M_PRIV, A_PRIV = "0a:00:00:00:01:0a", "10.0.1.10"      # private-a, behind the NAT gateway
M_PRIV2, A_PRIV2 = "0a:00:00:00:01:0b", "10.0.1.11"    # private-a, behind the NAT gateway
M_PUB, A_PUB = "0a:00:00:00:00:0a", "10.0.0.10"        # public-a, elastic IP EIP
M_PUB2, A_PUB2 = "0a:00:00:00:00:0b", "10.0.0.11"      # public-a, no elastic IP
M_PUB3, A_PUB3 = "0a:00:00:00:00:0c", "10.0.0.12"      # public-a, elastic IP EIP3 (ingress case)
M_NH, A_NH = "02:00:00:00:01:fe", "198.51.100.254"     # internet next hop
EIP = "198.51.100.20"
EIP3 = "198.51.100.21"
NAT_ADDRS = ("198.51.100.10", "198.51.100.11")
# the internet
SERVER = "192.0.2.80"
SERVER2 = "192.0.2.81"
ROUTER = "203.0.113.1"
REMOTE = "192.0.2.200"

NAT = "nat.nat-a."


def base_config(max_ports=None, edge=None, eip3=False):
    ports = [
        {"name": "vpc", "mac": M_VPC, "address": "10.0.0.1/16", "mtu": 9001},
        {"name": "internet", "mac": M_INET, "address": A_INET + "/24", "mtu": 1500},
    ]
    for i, p in enumerate(ports):
        p["devargs"] = "net_pcap%d,rx_pcap={dir}/%s-in.pcap,tx_pcap={dir}/%s-out.pcap" % (
            i, p["name"], p["name"])
    nat = {"name": "nat-a", "subnet": "public-a", "addresses": list(NAT_ADDRS)}
    if max_ports is not None:
        nat["max_ports_per_destination"] = max_ports
    eips = [{"public": EIP, "private": A_PUB}]
    if eip3:
        eips.append({"public": EIP3, "private": A_PUB3})
    igw = {"port": "internet", "next_hop": A_NH, "elastic_ips": eips}
    tables = [
        {"name": "public", "routes": [{"destination": "0.0.0.0/0", "target": "igw"}]},
        {"name": "private", "routes": [{"destination": "0.0.0.0/0", "target": "nat-gateway:nat-a"}]},
    ]
    if edge is not None:
        igw["route_table"] = "edge"
        tables.append({"name": "edge", "routes": edge})
    return {
        "dpdk": {"eal_args": EAL_ARGS, "workers": 1, "mbufs": 4095, "flow_table_size": 4096},
        "ports": ports,
        "neighbors": [
            {"port": "internet", "address": A_NH, "mac": M_NH},
            {"port": "vpc", "address": A_PRIV, "mac": M_PRIV},
            {"port": "vpc", "address": A_PRIV2, "mac": M_PRIV2},
            {"port": "vpc", "address": A_PUB, "mac": M_PUB},
            {"port": "vpc", "address": A_PUB2, "mac": M_PUB2},
            {"port": "vpc", "address": A_PUB3, "mac": M_PUB3},
        ],
        "vpc": {"cidr": "10.0.0.0/16", "subnets": [
            {"name": "public-a", "cidr": "10.0.0.0/24", "port": "vpc", "route_table": "public"},
            {"name": "private-a", "cidr": "10.0.1.0/24", "port": "vpc", "route_table": "private"},
        ]},
        "internet_gateway": igw,
        "route_tables": tables,
        "nat_gateways": [nat],
    }


# ------------------------------------------------------------ packets


def from_host(mac, src, dst, l4, ttl=64, **ip):
    return Ether(src=mac, dst=M_VPC) / IP(src=src, dst=dst, ttl=ttl, **ip) / l4


def from_inet(src, dst, l4, ttl=64, **ip):
    return Ether(src=M_NH, dst=M_INET) / IP(src=src, dst=dst, ttl=ttl, **ip) / l4


def built(p):
    """p as it is on the wire (all lengths and checksums filled in)."""
    return Ether(bytes(p))


def iplen(p):
    return Ether(bytes(p))[IP].len


def l4_sport(p):
    """Source port (TCP/UDP) or echo identifier (ICMP) of a packet, read from
    the bytes (a first fragment too)."""
    ip = bytes(p[IP])
    ihl = (ip[0] & 0xf) * 4
    if ip[9] == 1:
        return struct.unpack("!H", ip[ihl + 4:ihl + 6])[0]
    return struct.unpack("!H", ip[ihl:ihl + 2])[0]


def with_icmp_id(p, ident):
    q = Ether(bytes(p))
    q[ICMP].id = ident
    del q[ICMP].chksum
    return Ether(bytes(q))


def nat_out(p, addr, port):
    """SPEC §3.3 nat-gateway target: source translated to (NAT address, port)
    -- the echo identifier for ICMP -- TTL - 1, all checksums right, out to
    the internet next hop."""
    if ICMP in p:
        return Exp(routed(with_icmp_id(p, port), M_INET, M_NH, src=addr))
    return Exp(routed(p, M_INET, M_NH, src=addr, sport=port))


def nat_in(p, mac, host, port):
    """SPEC §3.4: a reply to a NAT address translated back to the inside
    host and port (echo identifier), TTL - 1, all checksums right."""
    if ICMP in p:
        return Exp(routed(with_icmp_id(p, port), M_VPC, mac, dst=host))
    return Exp(routed(p, M_VPC, mac, dst=host, dport=port))


def learn_nat(outputs, pred, what, used=None):
    """(NAT address, port) of the first packet on the internet port of a
    first run that satisfies pred. SPEC §4: the address is one of the NAT
    gateway's, the port in 1024..65535 (TCP/UDP); `used` (a set of
    (address, port, destination)) catches a reuse toward one destination."""
    got = [p for p in outputs.get("internet", []) if IP in p and pred(p)]
    assert got, "first run: no packet out for %s (%d packets on the internet port)" % (
        what, len(outputs.get("internet", [])))
    p = got[0]
    addr, port = p[IP].src, l4_sport(p)
    assert addr in NAT_ADDRS, "%s: source %s is not a NAT gateway address" % (what, addr)
    if p[IP].proto in (6, 17):
        assert 1024 <= port <= 65535, "%s: NAT source port %d outside 1024..65535" % (what, port)
    if used is not None:
        key = (addr, port, p[IP].dst, p[IP].proto, l4_dport(p))
        assert key not in used, "%s: %s:%d reused toward the same destination" % (what, addr, port)
        used.add(key)
    return addr, port


def l4_dport(p):
    ip = bytes(p[IP])
    ihl = (ip[0] & 0xf) * 4
    if ip[9] == 1:
        return 0
    return struct.unpack("!H", ip[ihl + 2:ihl + 4])[0]


def is_tcp(dport=None, flags=None, seq=None):
    def pred(p):
        if TCP not in p:
            return False
        t = p[TCP]
        return ((dport is None or t.dport == dport) and (flags is None or str(t.flags) == flags)
                and (seq is None or t.seq == seq))
    return pred


def has_payload(data):
    """The TCP/UDP/ICMP payload starts with data (whatever scapy makes of it:
    UDP port 53 is dissected as DNS)."""
    def pred(p):
        for cls in (TCP, UDP, ICMP):
            if cls in p:
                return bytes(p[cls].payload).startswith(data)
        return False
    return pred


def rst_exp(late, src, sport, mac, host, hport):
    """SPEC §4: a TCP packet from inside on a timed-out NAT connection gets a
    TCP RST back, never a FIN. RFC 793 (reset generation): to the sender, from
    the address and port it sent to, and as the segment carries ACK,
    <SEQ=SEG.ACK><CTL=RST>; the acknowledgment field (ACK not set) and the
    window mean nothing in it and are taken from the packet. IP id/TTL/DF/TOS
    are vpcgw's."""
    q = Ether(bytes(late))

    def build(act):
        t = act[TCP] if act is not None and TCP in act else None
        r = Ether(src=M_VPC, dst=mac) / IP(src=src, dst=host, ttl=64, proto=6) / \
            TCP(sport=sport, dport=hport, flags="R", seq=q[TCP].ack,
                ack=t.ack if t is not None else 0, window=t.window if t is not None else 0)
        return built(r)

    return Exp(build, wild=GEN_WILD, check=check_ip_generated,
               note="RST to %s:%d from %s:%d" % (host, hport, src, sport))


# ICMP errors from the internet (RFC 792, RFC 5508)

def quote_of(sent, n, ttl):
    """The quote a router puts in an ICMP error about `sent` (a packet vpcgw
    sent to the internet): its IP header as the router received it (TTL
    `ttl`, header checksum right for that TTL) and the first n bytes of
    what follows."""
    ip = Ether(bytes(sent))[IP].copy()
    ip.ttl = ttl
    del ip.chksum
    b = bytes(ip)
    ihl = (b[0] & 0xf) * 4
    return b[:ihl + n]


def icmp_error(err_type, code, src, dst, quote, mtu=None, ttl=250):
    l4 = ICMP(type=err_type, code=code)
    if mtu is not None:
        l4.nexthopmtu = mtu
    return from_inet(src, dst, l4 / Raw(quote), ttl=ttl)


def _ip_csum(h):
    h = bytearray(h)
    h[10:12] = b"\0\0"
    h[10:12] = struct.pack("!H", checksum(bytes(h)))
    return bytes(h)


def icmp_error_in(err, mac, host, hport, orig):
    """The ICMP error as vpcgw must deliver it to the inside host (SPEC §4:
    ICMP errors from outside translated back, inner header included; RFC
    5508 §4.2): outer destination = the host, TTL - 1, outer checksum right;
    in the quote, source = the host and source port (identifier) = its own,
    the quoted IPv4 header checksum right; the ICMP checksum right over the
    rewritten message; the rest (type, code, next-hop MTU, quoted bytes)
    unchanged. The quoted TCP/UDP checksum, when the quote holds it, is
    either left as it was quoted or restored to what the host sent (`orig`,
    the incremental update of RFC 1624): the SPEC does not choose."""
    e = Ether(bytes(err))
    icmp = bytes(e[ICMP])
    head, q = bytearray(icmp[:8]), bytearray(icmp[8:])
    ihl = (q[0] & 0xf) * 4
    proto = q[9]
    q[12:16] = socket.inet_aton(host)
    q[:ihl] = _ip_csum(q[:ihl])
    if proto == 1:
        q[ihl + 4:ihl + 6] = struct.pack("!H", hport)
    else:
        q[ihl:ihl + 2] = struct.pack("!H", hport)
    coff = ihl + {6: 16, 17: 6}.get(proto, 10 ** 6)
    o = bytes(Ether(bytes(orig))[IP])
    orig_csum = o[coff:coff + 2] if coff + 2 <= len(q) else None

    def build(act):
        qq = bytearray(q)
        if orig_csum is not None:
            a = bytes(act[ICMP])[8:] if act is not None and ICMP in act else b""
            got = a[coff:coff + 2] if len(a) >= coff + 2 else b""
            # what the router quoted (the translated packet's checksum) or the original
            qq[coff:coff + 2] = got if got in (bytes(q[coff:coff + 2]), orig_csum) else orig_csum
        h = bytearray(head)
        h[2:4] = b"\0\0"
        h[2:4] = struct.pack("!H", checksum(bytes(h) + bytes(qq)))
        outer = e[IP].copy()
        outer.remove_payload()
        outer.dst = host
        outer.ttl -= 1
        del outer.chksum
        return built(Ether(src=M_VPC, dst=mac) / outer / Raw(bytes(h) + bytes(qq)))

    return Exp(build, note="ICMP %d/%d from %s to %s" % (e[ICMP].type, e[ICMP].code, e[IP].src, host))


def nat_counters(out_pkts=(), in_pkts=(), **more):
    """SPEC §4 counters of nat-a for packets through it: In/Out From/To
    Source/Destination, bytes = IPv4 total length."""
    bo = sum(iplen(p) for p in out_pkts)
    bi = sum(iplen(p) for p in in_pkts)
    c = {NAT + "PacketsInFromSource": len(out_pkts), NAT + "PacketsOutToDestination": len(out_pkts),
         NAT + "BytesInFromSource": bo, NAT + "BytesOutToDestination": bo,
         NAT + "PacketsInFromDestination": len(in_pkts), NAT + "PacketsOutToSource": len(in_pkts),
         NAT + "BytesInFromDestination": bi, NAT + "BytesOutToSource": bi}
    c.update({(k if "." in k else NAT + k): v for k, v in more.items()})
    return c


# ------------------------------------------------------------ cases


def case_tcp_session():
    """A TCP connection from 10.0.1.10:40000 to 192.0.2.80:80 through nat-a:
    handshake, data both ways, FIN both ways. Out: source = a NAT address
    and a port in 1024..65535, the same for every packet; in: back to
    10.0.1.10:40000. Counters of §4 after it; a packet 60 s later (from the
    elastic-IP host, so it leaves by the internet port too) lets the closed
    connection expire: ActiveConnectionCount is back to 0."""
    H, S, hp = A_PRIV, SERVER, 40000
    out = [
        at(from_host(M_PRIV, H, S, TCP(sport=hp, dport=80, flags="S", seq=1000, window=64240)), 0.00),
        at(from_host(M_PRIV, H, S, TCP(sport=hp, dport=80, flags="A", seq=1001, ack=5001)), 0.02),
        at(from_host(M_PRIV, H, S, TCP(sport=hp, dport=80, flags="PA", seq=1001, ack=5001) /
                     Raw(b"GET / HTTP/1.1\r\n\r\n")), 0.03),
        at(from_host(M_PRIV, H, S, TCP(sport=hp, dport=80, flags="A", seq=1019, ack=5101)), 0.05),
        at(from_host(M_PRIV, H, S, TCP(sport=hp, dport=80, flags="FA", seq=1019, ack=5101)), 0.06),
        at(from_host(M_PRIV, H, S, TCP(sport=hp, dport=80, flags="A", seq=1020, ack=5102)), 0.08),
    ]
    tick = at(from_host(M_PUB, A_PUB, REMOTE, UDP(sport=9, dport=9) / Raw(b"tick")), 60.0)

    def build(workers):
        outputs, _ = first_run(base_config(), {"vpc": out}, workers)
        addr, port = learn_nat(outputs, is_tcp(dport=80, flags="S"), "the SYN")
        back = [
            at(from_inet(S, addr, TCP(sport=80, dport=port, flags="SA", seq=5000, ack=1001)), 0.01),
            at(from_inet(S, addr, TCP(sport=80, dport=port, flags="PA", seq=5001, ack=1019) /
                         Raw(b"H" * 100)), 0.04),
            at(from_inet(S, addr, TCP(sport=80, dport=port, flags="FA", seq=5101, ack=1020)), 0.07),
        ]
        return Case("nat_tcp_session", base_config(), {"vpc": out + [tick], "internet": back},
                    {"internet": [nat_out(p, addr, port) for p in out] +
                     [Exp(routed(tick, M_INET, M_NH, src=EIP))],
                     "vpc": [nat_in(p, M_PRIV, H, hp) for p in back]},
                    counters=nat_counters(
                        out, back, ConnectionAttemptCount=1, ConnectionEstablishedCount=1,
                        ActiveConnectionCount=0, ErrorPortAllocation=0, IdleTimeoutCount=0,
                        PacketsDropCount=0,
                        **{"ports.vpc.forwarded": 7, "ports.internet.forwarded": 3,
                           "flows.by_service.nat.created": 1, "flows.by_service.nat.deleted": 1}))
    return TwoPhaseCase("nat_tcp_session", build)


def case_tcp_reuse():
    """A TCP 5-tuple reused after its connection closed (issue #13): two
    connections from 10.0.1.10 (ports 40200 and 40201) to 192.0.2.80:80, the
    first closed by FIN/FIN (the server first: TIME_WAIT), the second by the
    client's RST (CLOSED); 1 s later the host opens a new connection from the
    same port of each, with a new sequence number. The NAT gateway keeps the
    mapping of a reused 5-tuple (RFC 5382 REQ-1: the same external address
    and port for the same internal endpoint and destination), so the new
    SYNs leave with the address and port of the first connections, and the
    server's answers return to the host; each new connection counts as one
    (ConnectionAttemptCount 4, ConnectionEstablishedCount 4), while the
    mappings stay 2 (ActiveConnectionCount 2, 2 NAT flows created, none
    deleted)."""
    H, S = A_PRIV, SERVER
    hp = (40200, 40201)

    def o(i, flags, seq, ack=0):
        return from_host(M_PRIV, H, S, TCP(sport=hp[i], dport=80, flags=flags, seq=seq, ack=ack))

    out = [
        at(o(0, "S", 1000), 0.00), at(o(1, "S", 2000), 0.001),
        at(o(0, "A", 1001, 5001), 0.02), at(o(1, "A", 2001, 6001), 0.021),
        at(o(0, "FA", 1001, 5002), 0.04),           # after the server's FIN: TIME_WAIT
        at(o(1, "R", 2001), 0.041),                 # CLOSED
        at(o(0, "S", 77000), 1.0), at(o(1, "S", 88000), 1.001),
        at(o(0, "A", 77001, 9001), 1.02), at(o(1, "A", 88001, 9501), 1.021),
    ]

    def build(workers):
        outputs, _ = first_run(base_config(), {"vpc": out}, workers)
        m = [learn_nat(outputs, lambda p, i=i: TCP in p and p[TCP].seq == (1000, 2000)[i] and
                       p[TCP].flags == "S", "the first SYN of %d" % hp[i]) for i in (0, 1)]
        assert m[0] != m[1], "first run: both connections got %s:%d" % m[0]

        def b(i, flags, seq, ack, t):
            return at(from_inet(S, m[i][0], TCP(sport=80, dport=m[i][1], flags=flags, seq=seq,
                                                ack=ack)), t)

        back = [b(0, "SA", 5000, 1001, 0.01), b(1, "SA", 6000, 2001, 0.011),
                b(0, "FA", 5001, 1001, 0.03), b(0, "A", 5002, 1002, 0.05),
                b(0, "SA", 9000, 77001, 1.01), b(1, "SA", 9500, 88001, 1.011)]
        exp_out = [nat_out(p, *m[hp.index(p[TCP].sport)]) for p in out]
        exp_in = [nat_in(p, M_PRIV, H, hp[m.index((p[IP].dst, p[TCP].dport))]) for p in back]
        return Case("nat_tcp_reuse", base_config(), {"vpc": out, "internet": back},
                    {"internet": exp_out, "vpc": exp_in},
                    counters=nat_counters(
                        out, back, ConnectionAttemptCount=4, ConnectionEstablishedCount=4,
                        ActiveConnectionCount=2, ErrorPortAllocation=0, IdleTimeoutCount=0,
                        PacketsDropCount=0,
                        **{"ports.vpc.forwarded": len(out), "ports.internet.forwarded": len(back),
                           "flows.by_service.nat.created": 2, "flows.by_service.nat.deleted": 0}))
    return TwoPhaseCase("nat_tcp_reuse", build)


def case_tcp_active():
    """An established connection that is still open when vpcgw stops counts
    in ActiveConnectionCount (1); attempts and established 1 each."""
    out = [
        at(from_host(M_PRIV, A_PRIV, SERVER, TCP(sport=40100, dport=443, flags="S", seq=1)), 0.00),
        at(from_host(M_PRIV, A_PRIV, SERVER, TCP(sport=40100, dport=443, flags="A", seq=2, ack=901)), 0.02),
    ]

    def build(workers):
        outputs, _ = first_run(base_config(), {"vpc": out}, workers)
        addr, port = learn_nat(outputs, is_tcp(dport=443, flags="S"), "the SYN")
        back = [at(from_inet(SERVER, addr, TCP(sport=443, dport=port, flags="SA", seq=900, ack=2)), 0.01)]
        return Case("nat_tcp_active", base_config(), {"vpc": out, "internet": back},
                    {"internet": [nat_out(p, addr, port) for p in out],
                     "vpc": [nat_in(back[0], M_PRIV, A_PRIV, 40100)]},
                    counters=nat_counters(out, back, ConnectionAttemptCount=1,
                                          ConnectionEstablishedCount=1, ActiveConnectionCount=1))
    return TwoPhaseCase("nat_tcp_active", build)


def case_udp():
    """UDP both ways: two datagrams each way on one flow, and a second flow
    whose datagrams carry no checksum (0 stays 0, RFC 768)."""
    out = [
        at(from_host(M_PRIV, A_PRIV, SERVER, UDP(sport=5353, dport=53) / Raw(b"query-1")), 0.00),
        at(from_host(M_PRIV, A_PRIV, SERVER2, UDP(sport=5354, dport=123, chksum=0) / Raw(b"ntp-q")), 0.01),
        at(from_host(M_PRIV, A_PRIV, SERVER, UDP(sport=5353, dport=53) / Raw(b"query-2")), 0.04),
    ]

    def build(workers):
        outputs, _ = first_run(base_config(), {"vpc": out}, workers)
        used = set()
        a1, p1 = learn_nat(outputs, has_payload(b"query-1"), "flow 1", used)
        a2, p2 = learn_nat(outputs, has_payload(b"ntp-q"), "flow 2", used)
        back = [
            at(from_inet(SERVER, a1, UDP(sport=53, dport=p1) / Raw(b"answer-1")), 0.02),
            at(from_inet(SERVER2, a2, UDP(sport=123, dport=p2, chksum=0) / Raw(b"ntp-answer")), 0.03),
            at(from_inet(SERVER, a1, UDP(sport=53, dport=p1) / Raw(b"answer-2")), 0.05),
        ]
        return Case("nat_udp", base_config(), {"vpc": out, "internet": back},
                    {"internet": [nat_out(out[0], a1, p1), nat_out(out[1], a2, p2),
                                  nat_out(out[2], a1, p1)],
                     "vpc": [nat_in(back[0], M_PRIV, A_PRIV, 5353), nat_in(back[1], M_PRIV, A_PRIV, 5354),
                             nat_in(back[2], M_PRIV, A_PRIV, 5353)]},
                    counters=nat_counters(out, back, ErrorPortAllocation=0, PacketsDropCount=0))
    return TwoPhaseCase("nat_udp", build)


def case_icmp_echo():
    """ICMP echo: the identifier is translated out and back in the reply. Two
    hosts using the same identifier toward the same server get different
    identifiers outside (else their replies could not be told apart)."""
    out = [
        at(from_host(M_PRIV, A_PRIV, SERVER, ICMP(type=8, id=0x4242, seq=1) / Raw(b"ping-a-1")), 0.00),
        at(from_host(M_PRIV2, A_PRIV2, SERVER, ICMP(type=8, id=0x4242, seq=1) / Raw(b"ping-b-1")), 0.01),
        at(from_host(M_PRIV, A_PRIV, SERVER, ICMP(type=8, id=0x4242, seq=2) / Raw(b"ping-a-2")), 0.04),
    ]

    def build(workers):
        outputs, _ = first_run(base_config(), {"vpc": out}, workers)
        used = set()
        a1, i1 = learn_nat(outputs, has_payload(b"ping-a-1"), "echo of 10.0.1.10", used)
        a2, i2 = learn_nat(outputs, has_payload(b"ping-b-1"), "echo of 10.0.1.11", used)
        assert (a1, i1) != (a2, i2), "both hosts' echoes leave as %s id %d" % (a1, i1)
        back = [
            at(from_inet(SERVER, a1, ICMP(type=0, id=i1, seq=1) / Raw(b"ping-a-1")), 0.02),
            at(from_inet(SERVER, a2, ICMP(type=0, id=i2, seq=1) / Raw(b"ping-b-1")), 0.03),
            at(from_inet(SERVER, a1, ICMP(type=0, id=i1, seq=2) / Raw(b"ping-a-2")), 0.05),
        ]
        return Case("nat_icmp_echo", base_config(), {"vpc": out, "internet": back},
                    {"internet": [nat_out(out[0], a1, i1), nat_out(out[1], a2, i2), nat_out(out[2], a1, i1)],
                     "vpc": [nat_in(back[0], M_PRIV, A_PRIV, 0x4242),
                             nat_in(back[1], M_PRIV2, A_PRIV2, 0x4242),
                             nat_in(back[2], M_PRIV, A_PRIV, 0x4242)]},
                    counters=nat_counters(out, back, PacketsDropCount=0))
    return TwoPhaseCase("nat_icmp_echo", build)


def case_icmp_time_exceeded():
    """ICMP time exceeded from a router on the internet side (203.0.113.1)
    about a translated UDP datagram (quote: IP header + 8 bytes) and a
    translated TCP SYN (quote: the whole segment): delivered to 10.0.1.10
    with the outer destination and the quoted header translated back."""
    u = at(from_host(M_PRIV, A_PRIV, SERVER, UDP(sport=33434, dport=33435) / Raw(b"traceroute")), 0.00)
    t = at(from_host(M_PRIV, A_PRIV, SERVER, TCP(sport=40200, dport=443, flags="S", seq=77777)), 0.01)

    def build(workers):
        outputs, _ = first_run(base_config(), {"vpc": [u, t]}, workers)
        au, pu = learn_nat(outputs, lambda p: UDP in p, "the UDP datagram")
        at_, pt = learn_nat(outputs, is_tcp(dport=443), "the SYN")
        su = routed(u, M_INET, M_NH, src=au, sport=pu)
        st = routed(t, M_INET, M_NH, src=at_, sport=pt)
        errs = [at(icmp_error(11, 0, ROUTER, au, quote_of(su, 8, 1)), 0.02),
                at(icmp_error(11, 0, ROUTER, at_, quote_of(st, 20, 1)), 0.03)]
        return Case("nat_icmp_time_exceeded", base_config(), {"vpc": [u, t], "internet": errs},
                    {"internet": [Exp(su), Exp(st)],
                     "vpc": [icmp_error_in(errs[0], M_PRIV, A_PRIV, 33434, u),
                             icmp_error_in(errs[1], M_PRIV, A_PRIV, 40200, t)]},
                    counters={"ports.internet.forwarded": 2, "ports.vpc.forwarded": 2,
                              NAT + "PacketsDropCount": 0})
    return TwoPhaseCase("nat_icmp_time_exceeded", build)


def case_icmp_frag_needed():
    """ICMP destination unreachable / fragmentation needed (type 3 code 4,
    next-hop MTU 1300) from a router about a translated 1400-byte TCP segment
    with DF (quote: 548 bytes, RFC 1812's 576 in all) and a translated
    1400-byte UDP datagram (quote: IP header + 8): delivered to the host
    translated back, the next-hop MTU unchanged."""
    H, hp = A_PRIV, 40300
    syn = at(from_host(M_PRIV, H, SERVER, TCP(sport=hp, dport=443, flags="S", seq=100)), 0.00)
    ack = at(from_host(M_PRIV, H, SERVER, TCP(sport=hp, dport=443, flags="A", seq=101, ack=801)), 0.02)
    big = at(from_host(M_PRIV, H, SERVER, TCP(sport=hp, dport=443, flags="PA", seq=101, ack=801) /
                       Raw(bytes(range(256)) * 5 + b"x" * 80), flags="DF"), 0.03)
    ubig = at(from_host(M_PRIV, H, SERVER2, UDP(sport=7000, dport=7001) / Raw(b"u" * 1372),
                        flags="DF"), 0.04)
    out = [syn, ack, big, ubig]

    def build(workers):
        outputs, _ = first_run(base_config(), {"vpc": out}, workers)
        at_, pt = learn_nat(outputs, is_tcp(dport=443, flags="S"), "the SYN")
        au, pu = learn_nat(outputs, lambda p: UDP in p, "the UDP datagram")
        sbig = routed(big, M_INET, M_NH, src=at_, sport=pt)
        subig = routed(ubig, M_INET, M_NH, src=au, sport=pu)
        synack = at(from_inet(SERVER, at_, TCP(sport=443, dport=pt, flags="SA", seq=800, ack=101)), 0.01)
        e1 = at(icmp_error(3, 4, ROUTER, at_, quote_of(sbig, 528, 61), mtu=1300), 0.05)
        e2 = at(icmp_error(3, 4, ROUTER, au, quote_of(subig, 8, 61), mtu=1300), 0.06)
        return Case("nat_icmp_frag_needed", base_config(), {"vpc": out, "internet": [synack, e1, e2]},
                    {"internet": [nat_out(syn, at_, pt), nat_out(ack, at_, pt), Exp(sbig), Exp(subig)],
                     "vpc": [nat_in(synack, M_PRIV, H, hp),
                             icmp_error_in(e1, M_PRIV, H, hp, big),
                             icmp_error_in(e2, M_PRIV, H, 7000, ubig)]},
                    counters={"ports.internet.forwarded": 3, "ports.vpc.forwarded": 4,
                              NAT + "PacketsDropCount": 0})
    return TwoPhaseCase("nat_icmp_frag_needed", build)


def case_mtu_frag_needed():
    """Issue #24: a translated UDP flow's datagram over the internet port's
    MTU (1500) with DF: dropped (mtu_exceeded), and the host gets ICMP
    fragmentation needed (next-hop MTU 1500) from its subnet's .1, the quote
    as the host sent it -- its own address and port, not the NAT's, the UDP
    checksum its own -- whether the policy stage or the fast stage (the flow's
    later packets) has it."""
    def u(total, t):
        return at(from_host(M_PRIV, A_PRIV, SERVER, UDP(sport=5400, dport=53) /
                            Raw(b"m" * (total - 28)), flags="DF"), t)
    out = [u(100, 0.00), u(100, 0.01), u(1501, 0.02), u(100, 0.03), u(1600, 0.04)]

    def fn(p):
        o = Ether(bytes(p))
        r = Ether(src=M_VPC, dst=M_PRIV) / IP(src="10.0.1.1", dst=A_PRIV, ttl=64, id=0) / \
            ICMP(type=3, code=4, nexthopmtu=1500) / Raw(bytes(o[IP])[:28])
        return Exp(built(r), note="fragmentation needed")

    def build(workers):
        outputs, _ = first_run(base_config(), {"vpc": out}, workers)
        a, pt = learn_nat(outputs, lambda p: UDP in p, "the flow")
        return Case("nat_mtu_frag_needed", base_config(), {"vpc": out},
                    {"internet": [nat_out(out[0], a, pt), nat_out(out[1], a, pt),
                                  nat_out(out[3], a, pt)],
                     "vpc": [fn(out[2]), fn(out[4])]},
                    counters={"drops.mtu_exceeded": 2, "ports.vpc.generated": 2,
                              "ports.vpc.forwarded": 3})
    return TwoPhaseCase("nat_mtu_frag_needed", build)


def case_unsolicited():
    """SPEC §3.4/§4 (outbound only): packets from the internet to a NAT
    address that match no connection are dropped and counted: UDP, a TCP SYN,
    an ICMP echo reply nobody asked for."""
    pkts = [
        at(from_inet(SERVER, NAT_ADDRS[0], UDP(sport=53, dport=40000) / Raw(b"x")), 0.00),
        at(from_inet(SERVER, NAT_ADDRS[1], TCP(sport=51000, dport=22, flags="S", seq=1)), 0.01),
        at(from_inet(SERVER, NAT_ADDRS[0], ICMP(type=0, id=999, seq=1)), 0.02),
    ]
    return Case("nat_unsolicited", base_config(), {"internet": pkts}, {},
                counters={"drops.nat_no_session": 3, NAT + "PacketsDropCount": 3,
                          "ports.internet.dropped": 3, NAT + "ActiveConnectionCount": 0,
                          NAT + "PacketsOutToSource": 0})


def case_unsolicited_icmp_error():
    """An ICMP error from the internet to a NAT address about a datagram of
    no connection (quoting NAT address:4444 -> 192.0.2.80:53) is unsolicited
    too: dropped as nat_no_session, PacketsDropCount."""
    fake = Ether() / IP(src=NAT_ADDRS[0], dst=SERVER, ttl=1) / UDP(sport=4444, dport=53) / Raw(b"q")
    err = at(icmp_error(11, 0, ROUTER, NAT_ADDRS[0], quote_of(fake, 8, 1)), 0.0)
    return Case("nat_unsolicited_icmp_error", base_config(), {"internet": [err]}, {},
                counters={"drops.nat_no_session": 1, NAT + "PacketsDropCount": 1,
                          "ports.internet.dropped": 1})


def case_port_reuse():
    """Many flows (24 inside ports of two hosts, each to two destinations,
    48 UDP flows) all succeed: SPEC §4 limits ports per NAT address per
    destination, so a port may be reused toward different destinations. Each
    (address, port) is unique per destination and every reply returns to
    its own inside host and port."""
    dests = (SERVER, SERVER2)
    out = []
    t = 0.0
    for i in range(24):
        mac, host = (M_PRIV, A_PRIV) if i % 2 == 0 else (M_PRIV2, A_PRIV2)
        for d in dests:
            out.append(at(from_host(mac, host, d, UDP(sport=20000 + i, dport=53) /
                                    Raw(b"q-%02d-%s" % (i, d.encode()))), t))
            t += 0.001

    def build(workers):
        outputs, _ = first_run(base_config(), {"vpc": out}, workers)
        used = set()
        back, exp_in = [], []
        tt = 1.0
        for p in out:
            tag = bytes(p[Raw])
            a, port = learn_nat(outputs, has_payload(tag), tag.decode(), used)
            r = at(from_inet(p[IP].dst, a, UDP(sport=53, dport=port) / Raw(b"r" + tag)), tt)
            tt += 0.001
            back.append(r)
            exp_in.append(nat_in(r, p[Ether].src, p[IP].src, p[UDP].sport))
        nat_out_exp = [nat_out(p, a, port) for p, (a, port) in
                       zip(out, [learn_nat(outputs, has_payload(bytes(p[Raw])), "") for p in out])]
        return Case("nat_port_reuse", base_config(), {"vpc": out, "internet": back},
                    {"internet": nat_out_exp, "vpc": exp_in},
                    counters=nat_counters(out, back, ErrorPortAllocation=0, PacketsDropCount=0))
    return TwoPhaseCase("nat_port_reuse", build)


def case_port_exhaustion():
    """max_ports_per_destination = 3 (vpcgw's test override of AWS's 55,000)
    on nat-a's two addresses: toward one destination (192.0.2.80, 443, TCP)
    the first 3 connections use the first address, the next 3 the second,
    the 7th cannot be allocated: dropped (nat_port_allocation),
    ErrorPortAllocation = 1. The limit is per destination (IP, port,
    protocol): 6 more toward 192.0.2.81:443, one toward 192.0.2.80:80 and
    a UDP flow toward 192.0.2.80:443 all succeed."""
    syn = [at(from_host(M_PRIV, A_PRIV, SERVER, TCP(sport=30001 + i, dport=443, flags="S", seq=100 + i)),
              0.001 * i) for i in range(7)]
    syn2 = [at(from_host(M_PRIV, A_PRIV, SERVER2, TCP(sport=30001 + i, dport=443, flags="S", seq=200 + i)),
               0.01 + 0.001 * i) for i in range(6)]
    other = [at(from_host(M_PRIV, A_PRIV, SERVER, TCP(sport=30008, dport=80, flags="S", seq=300)), 0.02),
             at(from_host(M_PRIV, A_PRIV, SERVER, UDP(sport=30009, dport=443) / Raw(b"quic")), 0.021)]
    out = syn + syn2 + other
    cfg = base_config(max_ports=3)

    def build(workers):
        outputs, _ = first_run(cfg, {"vpc": out}, workers)
        used = set()
        exp = []
        for group in (syn[:6], syn2):
            for k, p in enumerate(group):
                a, port = learn_nat(outputs, is_tcp(seq=p[TCP].seq), "SYN seq %d" % p[TCP].seq, used)
                want = NAT_ADDRS[0] if k < 3 else NAT_ADDRS[1]
                assert a == want, "connection %d toward %s:443 left from %s, expected %s" % (
                    k + 1, p[IP].dst, a, want)
                exp.append(nat_out(p, a, port))
        assert not [p for p in outputs.get("internet", []) if TCP in p and p[TCP].seq == 106], \
            "the 7th connection toward 192.0.2.80:443 went out"
        a, port = learn_nat(outputs, is_tcp(seq=300), "SYN to port 80", used)
        exp.append(nat_out(other[0], a, port))
        a, port = learn_nat(outputs, lambda p: UDP in p, "UDP to port 443", used)
        exp.append(nat_out(other[1], a, port))
        return Case("nat_port_exhaustion", cfg, {"vpc": out}, {"internet": exp},
                    counters={NAT + "ErrorPortAllocation": 1, "drops.nat_port_allocation": 1,
                              NAT + "PacketsDropCount": 1, NAT + "PacketsOutToDestination": 14,
                              "ports.vpc.forwarded": 14, "ports.vpc.dropped": 1})
    return TwoPhaseCase("nat_port_exhaustion", build)


def case_port_sequence():
    """Port selection (docs/config.md, RFC 6056 §3.3.4 "double-hash"): a
    worker hands out the ports toward one destination (IP, port, protocol)
    one after the other, from an offset of the destination, in its share of
    1024..65535 ((port - 1024) % workers == worker). Ten connections toward
    192.0.2.80:443 from two hosts: on each worker, each next connection's port
    is the previous one's + workers; the address is nat-a's first."""
    syn = [at(from_host(M_PRIV if i % 2 == 0 else M_PRIV2, A_PRIV if i % 2 == 0 else A_PRIV2,
                        SERVER, TCP(sport=31001 + i, dport=443, flags="S", seq=500 + i)),
              0.001 * i) for i in range(10)]

    def build(workers):
        outputs, _ = first_run(base_config(), {"vpc": syn}, workers)
        used, exp, last = set(), [], {}
        for p in syn:
            a, port = learn_nat(outputs, is_tcp(seq=p[TCP].seq), "SYN seq %d" % p[TCP].seq, used)
            assert a == NAT_ADDRS[0], "SYN seq %d left from %s" % (p[TCP].seq, a)
            w = (port - 1024) % workers
            if w in last:
                assert port == last[w] + workers, \
                    "worker %d: port %d after %d, expected %d" % (w, port, last[w],
                                                                 last[w] + workers)
            last[w] = port
            exp.append(nat_out(p, a, port))
        return Case("nat_port_sequence", base_config(), {"vpc": syn}, {"internet": exp},
                    counters={NAT + "PacketsOutToDestination": 10, "ports.vpc.forwarded": 10})
    return TwoPhaseCase("nat_port_sequence", build)


def _idle_case(late_after):
    H = A_PRIV
    T = 0.02     # time of the last packet of each connection before the pause
    out = [
        at(from_host(M_PRIV, H, SERVER, TCP(sport=41000, dport=80, flags="S", seq=1000)), 0.000),
        at(from_host(M_PRIV, H, SERVER, TCP(sport=41001, dport=80, flags="S", seq=3000)), 0.001),
        at(from_host(M_PRIV, H, SERVER, TCP(sport=41000, dport=80, flags="A", seq=1001, ack=5001)), T),
        at(from_host(M_PRIV, H, SERVER, TCP(sport=41001, dport=80, flags="A", seq=3001, ack=7001)), T),
    ]
    late = [
        at(from_host(M_PRIV, H, SERVER, TCP(sport=41000, dport=80, flags="PA", seq=1001, ack=5001) /
                     Raw(b"still there?")), T + late_after),
        at(from_host(M_PRIV, H, SERVER, TCP(sport=41001, dport=80, flags="FA", seq=3001, ack=7001)),
           T + late_after + 0.001),
    ]
    return out, late, T


def case_idle_timeout():
    """idle_timeout 350 s (the default) with the packet clock: 351 s after
    the last packet of two established connections, data (and a FIN) from
    inside get a TCP RST back to 10.0.1.10 each, never a FIN, and nothing
    goes out; IdleTimeoutCount = 2 (drops.nat_idle_timeout)."""
    out, late, T = _idle_case(351.0)

    def build(workers):
        outputs, _ = first_run(base_config(), {"vpc": out}, workers)
        a0, p0 = learn_nat(outputs, is_tcp(seq=1000), "SYN 1")
        a1, p1 = learn_nat(outputs, is_tcp(seq=3000), "SYN 2")
        back = [at(from_inet(SERVER, a0, TCP(sport=80, dport=p0, flags="SA", seq=5000, ack=1001)), 0.010),
                at(from_inet(SERVER, a1, TCP(sport=80, dport=p1, flags="SA", seq=7000, ack=3001)), 0.011)]
        return StreamCase("nat_idle_timeout", base_config(), {"vpc": out + late, "internet": back},
                          {"internet": [nat_out(out[0], a0, p0), nat_out(out[1], a1, p1),
                                        nat_out(out[2], a0, p0), nat_out(out[3], a1, p1)],
                           "vpc": Interleaved([nat_in(back[0], M_PRIV, A_PRIV, 41000),
                                               nat_in(back[1], M_PRIV, A_PRIV, 41001)],
                                              [rst_exp(late[0], SERVER, 80, M_PRIV, A_PRIV, 41000),
                                               rst_exp(late[1], SERVER, 80, M_PRIV, A_PRIV, 41001)])},
                          counters={NAT + "IdleTimeoutCount": 2, "drops.nat_idle_timeout": 2,
                                    NAT + "PacketsDropCount": 2, NAT + "ConnectionEstablishedCount": 2,
                                    NAT + "ActiveConnectionCount": 0, "ports.vpc.generated": 2,
                                    "ports.vpc.dropped": 2, "ports.internet.forwarded": 2})
    return TwoPhaseCase("nat_idle_timeout", build)


def case_idle_not_yet():
    """349 s after the last packet (idle timeout 350 s) the same data and FIN
    from inside still pass, translated as before, and the server's answers
    come back; no idle timeout."""
    out, late, T = _idle_case(349.0)

    def build(workers):
        outputs, _ = first_run(base_config(), {"vpc": out}, workers)
        a0, p0 = learn_nat(outputs, is_tcp(seq=1000), "SYN 1")
        a1, p1 = learn_nat(outputs, is_tcp(seq=3000), "SYN 2")
        back = [at(from_inet(SERVER, a0, TCP(sport=80, dport=p0, flags="SA", seq=5000, ack=1001)), 0.010),
                at(from_inet(SERVER, a1, TCP(sport=80, dport=p1, flags="SA", seq=7000, ack=3001)), 0.011),
                at(from_inet(SERVER, a0, TCP(sport=80, dport=p0, flags="A", seq=5001, ack=1013)), T + 349.5)]
        ports = [(a0, p0), (a1, p1), (a0, p0), (a1, p1), (a0, p0), (a1, p1)]
        return Case("nat_idle_not_yet", base_config(), {"vpc": out + late, "internet": back},
                    {"internet": [nat_out(p, a, port) for p, (a, port) in zip(out + late, ports)],
                     "vpc": [nat_in(back[0], M_PRIV, A_PRIV, 41000), nat_in(back[1], M_PRIV, A_PRIV, 41001),
                             nat_in(back[2], M_PRIV, A_PRIV, 41000)]},
                    counters={NAT + "IdleTimeoutCount": 0, NAT + "PacketsDropCount": 0,
                              NAT + "ConnectionEstablishedCount": 2, NAT + "PacketsInFromSource": 6})
    return TwoPhaseCase("nat_idle_not_yet", build)


def fragments(p, size):
    """RFC 791 fragmentation of p (Ether/IP/...) at `size` bytes of IP
    payload per fragment (a multiple of 8), keeping the IP id."""
    e = Ether(bytes(p))
    ip = e[IP]
    data = bytes(ip.payload)
    res = []
    for off in range(0, len(data), size):
        chunk = data[off:off + size]
        more = off + size < len(data)
        h = ip.copy()
        h.remove_payload()
        h.flags = "MF" if more else 0
        h.frag = off // 8
        h.len = None
        h.chksum = None
        res.append(Ether(src=e.src, dst=e.dst) / IP(bytes(h / Raw(chunk))))
    for f in res:
        f.time = p.time
    return [Ether(bytes(f)) for f in res]


def nat_frags(frags, whole, addr=None, port=None, dst=None, dport=None, mac_src=M_INET, mac_dst=M_NH):
    """Translated fragments: each fragment gets the new addresses (TTL - 1,
    header checksum right); the first also the new port and, in its UDP
    header, the checksum of the whole translated datagram."""
    t = Ether(bytes(whole))
    if addr is not None:
        t[IP].src = addr
        t[UDP].sport = port
    if dst is not None:
        t[IP].dst = dst
        t[UDP].dport = dport
    del t[UDP].chksum
    udp = bytes(Ether(bytes(t))[UDP])[:8]
    res = []
    for i, f in enumerate(frags):
        q = Ether(bytes(f))
        q[Ether].src, q[Ether].dst = mac_src, mac_dst
        q[IP].ttl -= 1
        if addr is not None:
            q[IP].src = addr
        if dst is not None:
            q[IP].dst = dst
        pay = bytes(q[IP].payload)
        if i == 0:
            pay = udp + pay[8:]
        q[IP].remove_payload()
        del q[IP].chksum
        res.append(Exp(Ether(bytes(q / Raw(pay)))))
    return res


def case_udp_fragments_out():
    """SPEC §4: UDP fragments are forwarded; a 1400-byte datagram from inside
    in two fragments leaves as two fragments: the first with the NAT address
    and port (and the UDP checksum of the whole translated datagram), the
    later one with the first's address; the reply comes back to the host."""
    whole = at(from_host(M_PRIV, A_PRIV, SERVER, UDP(sport=6000, dport=6001) / Raw(b"F" * 1392),
                         id=0x1234), 0.0)
    frags = fragments(whole, 1008)
    frags[0].time, frags[1].time = whole.time, whole.time + 0.001

    def build(workers):
        outputs, _ = first_run(base_config(), {"vpc": frags}, workers)
        a, port = learn_nat(outputs, lambda p: p[IP].frag == 0, "the first fragment")
        back = [at(from_inet(SERVER, a, UDP(sport=6001, dport=port) / Raw(b"got it")), 0.01)]
        return Case("nat_udp_fragments_out", base_config(), {"vpc": frags, "internet": back},
                    {"internet": nat_frags(frags, whole, addr=a, port=port),
                     "vpc": [nat_in(back[0], M_PRIV, A_PRIV, 6000)]},
                    counters=nat_counters(frags, back, PacketsDropCount=0))
    return TwoPhaseCase("nat_udp_fragments_out", build)


def case_udp_fragments_in():
    """The reply direction: a fragmented UDP datagram from the server to the
    NAT address and port of a connection is delivered in fragments to the
    host, the first with the inside port (UDP checksum of the whole
    datagram), the later one following the first's translation."""
    q = at(from_host(M_PRIV, A_PRIV, SERVER, UDP(sport=6100, dport=6101) / Raw(b"request")), 0.0)

    def build(workers):
        outputs, _ = first_run(base_config(), {"vpc": [q]}, workers)
        a, port = learn_nat(outputs, lambda p: UDP in p, "the request")
        whole = at(from_inet(SERVER, a, UDP(sport=6101, dport=port) / Raw(b"R" * 1392), id=0x4321), 0.01)
        frags = fragments(whole, 1008)
        frags[0].time, frags[1].time = whole.time, whole.time + 0.001
        return Case("nat_udp_fragments_in", base_config(), {"vpc": [q], "internet": frags},
                    {"internet": [nat_out(q, a, port)],
                     "vpc": nat_frags(frags, whole, dst=A_PRIV, dport=6100, mac_src=M_VPC, mac_dst=M_PRIV)},
                    counters=nat_counters([q], frags, PacketsDropCount=0))
    return TwoPhaseCase("nat_udp_fragments_in", build)


def case_fragments_dropped():
    """SPEC §4: TCP and ICMP fragments are dropped at the NAT gateway; so is
    a later UDP fragment whose first fragment never came (nothing to follow).
    All nat_fragment, PacketsDropCount."""
    orphan = fragments(from_host(M_PRIV, A_PRIV, SERVER, UDP(sport=6200, dport=6201) / Raw(b"o" * 64),
                                 id=0x7777), 32)[1]
    tcp = fragments(from_host(M_PRIV, A_PRIV, SERVER, TCP(sport=6300, dport=80, flags="S", seq=1) /
                              Raw(b"t" * 40), id=0x8888), 24)
    icmp = fragments(from_host(M_PRIV, A_PRIV, SERVER, ICMP(type=8, id=5, seq=1) / Raw(b"i" * 64),
                               id=0x9999), 32)[0]
    pkts = [orphan, tcp[0], tcp[1], icmp]
    for i, p in enumerate(pkts):
        at(p, 0.01 * i)
    return Case("nat_fragments_dropped", base_config(), {"vpc": pkts}, {},
                counters={"drops.nat_fragment": 4, NAT + "PacketsDropCount": 4,
                          NAT + "PacketsOutToDestination": 0, "ports.vpc.dropped": 4})


def case_eip_inbound_tcp():
    """Internet gateway 1:1 (SPEC §4): a TCP connection initiated from the
    internet to the elastic IP 198.51.100.20 reaches 10.0.0.10 (no edge
    route table: local), its answers leave from the elastic IP; the whole
    handshake, data both ways and FIN both ways. Also an ICMP echo from the
    internet to the elastic IP goes to the host (vpcgw does not answer it)
    and the host's reply leaves from the elastic IP; and a UDP exchange the
    host starts."""
    C, cp = REMOTE, 51000
    inb = [
        at(from_inet(C, EIP, TCP(sport=cp, dport=22, flags="S", seq=10)), 0.00),
        at(from_inet(C, EIP, TCP(sport=cp, dport=22, flags="A", seq=11, ack=501)), 0.02),
        at(from_inet(C, EIP, TCP(sport=cp, dport=22, flags="PA", seq=11, ack=501) /
                     Raw(b"SSH-2.0-x\r\n")), 0.03),
        at(from_inet(C, EIP, TCP(sport=cp, dport=22, flags="FA", seq=22, ack=521)), 0.05),
        at(from_inet(C, EIP, ICMP(type=8, id=77, seq=3) / Raw(b"are you there")), 0.07),
        at(from_inet(C, EIP, UDP(sport=53, dport=5300) / Raw(b"answer")), 0.10),
    ]
    outb = [
        at(from_host(M_PUB, A_PUB, C, TCP(sport=22, dport=cp, flags="SA", seq=500, ack=11)), 0.01),
        at(from_host(M_PUB, A_PUB, C, TCP(sport=22, dport=cp, flags="PA", seq=501, ack=22) /
                     Raw(b"SSH-2.0-y\r\n" + b"z" * 9)), 0.04),
        at(from_host(M_PUB, A_PUB, C, TCP(sport=22, dport=cp, flags="FA", seq=521, ack=23)), 0.06),
        at(from_host(M_PUB, A_PUB, C, ICMP(type=0, id=77, seq=3) / Raw(b"are you there")), 0.08),
        at(from_host(M_PUB, A_PUB, C, UDP(sport=5300, dport=53) / Raw(b"question")), 0.09),
    ]
    # the client's last ACK after the host's FIN
    inb.append(at(from_inet(C, EIP, TCP(sport=cp, dport=22, flags="A", seq=23, ack=522)), 0.12))
    return Case("igw_eip_inbound_tcp", base_config(), {"vpc": outb, "internet": inb},
                {"vpc": [Exp(routed(p, M_VPC, M_PUB, dst=A_PUB)) for p in inb],
                 "internet": [Exp(routed(p, M_INET, M_NH, src=EIP)) for p in outb]},
                counters={"ports.vpc.forwarded": len(outb), "ports.internet.forwarded": len(inb),
                          NAT + "PacketsInFromSource": 0})


def case_eip_no_public_ip():
    """To the internet from public-a's 10.0.0.11, which has no elastic IP
    (the public table sends it to the igw): dropped, igw_no_public_ip."""
    pkts = [at(from_host(M_PUB2, A_PUB2, REMOTE, UDP(sport=1000, dport=53) / Raw(b"q")), 0.0),
            at(from_host(M_PUB2, A_PUB2, REMOTE, TCP(sport=1001, dport=443, flags="S")), 0.01),
            at(from_host(M_PUB2, A_PUB2, REMOTE, ICMP(type=8, id=1, seq=1)), 0.02)]
    return Case("igw_no_public_ip", base_config(), {"vpc": pkts}, {},
                counters={"drops.igw_no_public_ip": 3, "ports.vpc.dropped": 3})


def case_ingress_routing():
    """internet_gateway.route_table = edge (SPEC §3.4, ingress routing):
    traffic from the internet to an elastic IP is translated, then routed by
    the edge table: 10.0.0.10/32 -> blackhole drops what comes to
    198.51.100.20 (route_blackhole); 198.51.100.21 -> 10.0.0.12 is not
    covered and goes by the local route. The edge table is not used for
    what leaves: 10.0.0.10 still goes out from its elastic IP."""
    cfg = base_config(edge=[{"destination": "10.0.0.10/32", "target": "blackhole"}], eip3=True)
    inb = [at(from_inet(REMOTE, EIP, UDP(sport=53, dport=5300) / Raw(b"to-blackhole")), 0.00),
           at(from_inet(REMOTE, EIP3, UDP(sport=53, dport=5300) / Raw(b"to-10.0.0.12")), 0.01),
           at(from_inet(REMOTE, EIP, TCP(sport=51000, dport=22, flags="S", seq=1)), 0.02)]
    outb = [at(from_host(M_PUB, A_PUB, REMOTE, UDP(sport=5300, dport=53) / Raw(b"out")), 0.03)]
    return Case("igw_ingress_routing", cfg, {"internet": inb, "vpc": outb},
                {"vpc": [Exp(routed(inb[1], M_VPC, M_PUB3, dst=A_PUB3))],
                 "internet": [Exp(routed(outb[0], M_INET, M_NH, src=EIP))]},
                counters={"drops.route_blackhole": 2, "ports.internet.dropped": 2,
                          "ports.internet.forwarded": 1, "ports.vpc.forwarded": 1})


CASES = {
    "nat_tcp_session": case_tcp_session,
    "nat_tcp_active": case_tcp_active,
    "nat_tcp_reuse": case_tcp_reuse,
    "nat_udp": case_udp,
    "nat_icmp_echo": case_icmp_echo,
    "nat_icmp_time_exceeded": case_icmp_time_exceeded,
    "nat_icmp_frag_needed": case_icmp_frag_needed,
    "nat_mtu_frag_needed": case_mtu_frag_needed,
    "nat_unsolicited": case_unsolicited,
    "nat_unsolicited_icmp_error": case_unsolicited_icmp_error,
    "nat_port_reuse": case_port_reuse,
    "nat_port_exhaustion": case_port_exhaustion,
    "nat_port_sequence": case_port_sequence,
    "nat_idle_timeout": case_idle_timeout,
    "nat_idle_not_yet": case_idle_not_yet,
    "nat_udp_fragments_out": case_udp_fragments_out,
    "nat_udp_fragments_in": case_udp_fragments_in,
    "nat_fragments_dropped": case_fragments_dropped,
    "igw_eip_inbound_tcp": case_eip_inbound_tcp,
    "igw_no_public_ip": case_eip_no_public_ip,
    "igw_ingress_routing": case_ingress_routing,
}

if __name__ == "__main__":
    sys.exit(main(CASES))
