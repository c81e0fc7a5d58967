#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
pcap suite, Gateway Load Balancer with IPv6 inner packets (SPEC §7, §4):
the inner IPv6 packet is encapsulated as an IPv4 one is (outer IPv4, UDP
6081, GENEVE version 0, VNI 0, protocol type 0x86DD, the three AWS options
of class 0x0108: 68 bytes of outer IPv4/UDP/GENEVE before the inner IPv6
header, which is carried unchanged); the symmetric hash covers the IPv6
addresses (both directions of a flow on one appliance, 3-tuple stickiness);
what the appliance returns is decapsulated, checked against the flow
(cookie, endpoint) and routed by the endpoint subnet's table; an inner
packet too big for the appliance port gets ICMPv6 Packet Too Big (never
fragmented). Expected frames are built by scapy from the SPEC and RFCs 8926,
8200 and 4443; the cookie, outer source port and appliance are vpcgw's
choice, taken from the output and their SPEC properties checked.

  vpcgw ports       vpc 02:00:00:00:00:01 10.0.0.1/16 (mtu 9001)
                    internet 02:00:00:00:01:01 198.51.100.1/24, 2001:db8:ffff::2/64
                    appliances 02:00:00:00:02:01 192.168.50.1/24 (mtu 9001)
  VPC               10.0.0.0/16, 2600:1f18:a:b00::/56
  subnets           fw-a b00::/64 (the endpoint's; table fw: ::/0 igw)
                    app-a b01::/64 (instances; table app: ::/0 endpoint)
  internet gateway  next_hop6 2001:db8:ffff::1; edge table:
                    2600:1f18:a:b01::/64 -> gwlb-endpoint:inspect-a
  GWLB inspect      appliances 192.168.50.10, 192.168.50.11; endpoint inspect-a

Usage: test_gwlb6.py --workers N [--case NAME]... [--list]
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from scapy.contrib.geneve import GENEVE  # noqa: E402
from scapy.all import ICMPv6EchoRequest, ICMPv6PacketTooBig, IPv6  # noqa: E402

from vpcgwtest import (EAL_ARGS, GEN_WILD, IP, TCP, UDP, Case, Ether, Exp, Raw,  # noqa: E402
                       TwoPhaseCase, at, first_run, main)
from test_gwlb import (APP_ADDR, APP_MAC, A_APPS, A_NH, ATTACH, GNV_CLASS, M_APPS,  # noqa: E402
                       M_INET, M_NH, M_VPC, VPCE_ID, GnvState, appliance_return, encaps,
                       gnv_opts, parse_gnv)

A6_INET, A6_NH = "2001:db8:ffff::2", "2001:db8:ffff::1"
PFX = "2600:1f18:a:b0"
R_APP = PFX + "1::1"                    # vpcgw, router of app-a
M_I1, A6_I1 = "0a:00:00:00:01:0a", PFX + "1::10"
CLIENT6 = "2001:db8:1234::7"
REMOTE6 = "2001:db8:53::53"


def config(stickiness="5-tuple", app_mtu=9001, sg=False):
    ports = [
        {"name": "vpc", "mac": M_VPC, "address": "10.0.0.1/16", "mtu": 9001},
        {"name": "internet", "mac": M_INET, "address": "198.51.100.1/24",
         "address6": A6_INET + "/64", "mtu": 1500},
        {"name": "appliances", "mac": M_APPS, "address": A_APPS + "/24", "mtu": app_mtu},
    ]
    for i, p in enumerate(ports):
        p["devargs"] = "net_pcap%d,rx_pcap={dir}/%s-in.pcap,tx_pcap={dir}/%s-out.pcap" % (
            i, p["name"], p["name"])
    return {
        "dpdk": {"eal_args": EAL_ARGS, "workers": 1, "mbufs": 8191, "flow_table_size": 8192},
        "ports": ports,
        "neighbors": [
            {"port": "internet", "address": A_NH, "mac": M_NH},
            {"port": "internet", "address": A6_NH, "mac": M_NH},
            {"port": "vpc", "address": A6_I1, "mac": M_I1},
            {"port": "appliances", "address": APP_ADDR[0], "mac": APP_MAC[0]},
            {"port": "appliances", "address": APP_ADDR[1], "mac": APP_MAC[1]},
        ],
        "vpc": {"cidr": "10.0.0.0/16", "ipv6_cidr": PFX + "0::/56", "subnets": [
            {"name": "fw-a", "cidr": "10.0.0.0/24", "ipv6_cidr": PFX + "0::/64",
             "port": "vpc", "route_table": "fw"},
            {"name": "app-a", "cidr": "10.0.1.0/24", "ipv6_cidr": PFX + "1::/64",
             "port": "vpc", "route_table": "app"},
        ]},
        "internet_gateway": {"port": "internet", "next_hop": A_NH, "next_hop6": A6_NH,
                             "route_table": "edge"},
        "route_tables": [
            {"name": "fw", "routes": [{"destination": "0.0.0.0/0", "target": "igw"},
                                      {"destination": "::/0", "target": "igw"}]},
            {"name": "app", "routes": [{"destination": "0.0.0.0/0",
                                        "target": "gwlb-endpoint:inspect-a"},
                                       {"destination": "::/0",
                                        "target": "gwlb-endpoint:inspect-a"}]},
            {"name": "edge", "routes": [{"destination": "10.0.1.0/24",
                                         "target": "gwlb-endpoint:inspect-a"},
                                        {"destination": PFX + "1::/64",
                                         "target": "gwlb-endpoint:inspect-a"}]},
        ],
        "security_groups": [
            {"name": "web6", "ingress": [{"protocol": "tcp", "ports": "80", "source": "::/0"}],
             "egress": [{"protocol": "all", "destination": "::/0"}]}] if sg else [],
        "interfaces": [{"address": "10.0.1.10", "address6": A6_I1,
                        "security_groups": ["web6"]}] if sg else [],
        "gateway_load_balancers": [
            {"name": "inspect", "port": "appliances", "stickiness": stickiness,
             "target_failover": "no_rebalance", "tcp_idle_timeout": 350,
             "health_check": {"enabled": False},
             "appliances": [{"address": APP_ADDR[0]}, {"address": APP_ADDR[1]}],
             "endpoints": [{"name": "inspect-a", "id": VPCE_ID, "subnet": "fw-a",
                            "attachment_id": "%016x" % ATTACH}]},
        ],
    }


# ------------------------------------------------------------ packets


def from_inet6(src, dst, l4, hlim=64):
    return Ether(src=M_NH, dst=M_INET) / IPv6(src=src, dst=dst, hlim=hlim) / l4


def from_inst6(src, dst, l4, hlim=64):
    return Ether(src=M_I1, dst=M_VPC) / IPv6(src=src, dst=dst, hlim=hlim) / l4


def routed6(p, src_mac, dst_mac):
    """RFC 8200: hop limit - 1 (in no checksum), Ethernet from the neighbor
    table; nothing else changes."""
    q = Ether(bytes(p))
    q[Ether].src = src_mac
    q[Ether].dst = dst_mac
    q[IPv6].hlim -= 1
    return Exp(Ether(bytes(q)), note="routed6")


def flow_id6(inner):
    q = IPv6(bytes(inner))
    l4 = q[TCP] if TCP in q else q[UDP] if UDP in q else None
    a = (q.src, l4.sport if l4 is not None else 0)
    b = (q.dst, l4.dport if l4 is not None else 0)
    return (q.nh,) + tuple(sorted((a, b)))


def to_appliance6(pkt, st, note, app=None):
    """SPEC §4/§7: the inner IPv6 packet exactly as it arrived (hop limit
    included: it is not routed yet), in GENEVE to an appliance: outer
    Ethernet from the appliance port to the appliance's MAC, outer IPv4 from
    the appliance port's address to the appliance, UDP to 6081 from a
    flow-entropy port 49152..65535, checksum 0 or right; GENEVE version 0,
    no O/C flags, options length 8 words, protocol type 0x86DD, VNI 0,
    options class 0x0108 type 1 (the vpce id value), type 2 (attachment id),
    type 3 (flow cookie, non-zero); 68 bytes before the inner IPv6 header.
    One cookie, one source port and one appliance per flow, both ways.
    app: a callable(actual index) -> wanted index, or None (any, constant
    per flow)."""
    inner = bytes(Ether(bytes(pkt))[IPv6])
    fid = flow_id6(inner)

    def actual(act):
        try:
            return APP_ADDR.index(act[IP].dst)
        except (ValueError, IndexError):
            return 0

    def build(act):
        b = bytes(act) if act is not None else b""
        sport, cookie, csum, a = 49152, 1, 0, 0
        if act is not None and len(b) >= 14 + 68 and IP in act and UDP in act:
            sport, csum, opts, _ = parse_gnv(b)
            c = opts.get((GNV_CLASS, 3), b"")
            cookie = struct.unpack("!I", c)[0] if len(c) == 4 else 1
            a = actual(act)
            if app is not None:
                a = app(a)
        e = Ether(src=M_APPS, dst=APP_MAC[a]) / \
            IP(src=A_APPS, dst=APP_ADDR[a], proto=17, ttl=64) / \
            UDP(sport=sport, dport=6081, chksum=csum) / \
            GENEVE(version=0, optionlen=8, oam=0, critical=0, proto=0x86DD, vni=0,
                   options=gnv_opts(cookie)) / Raw(inner)
        return Ether(bytes(e))

    def check(act):
        b = bytes(act)
        if len(b) < 14 + 68 + 40:
            return ["encapsulated frame too short (%d bytes)" % len(b)]
        out = []
        sport, csum, opts, off = parse_gnv(b)
        if off - 14 != 68:
            out.append("outer IPv4/UDP/GENEVE is %d bytes, SPEC: 68" % (off - 14))
        if b[14 + 28 + 2:14 + 28 + 4] != b"\x86\xdd" or b[off] >> 4 != 6:
            out.append("GENEVE protocol type %s, payload version %d: SPEC 0x86DD, IPv6" %
                       (b[44:46].hex(), b[off] >> 4))
        if not 49152 <= sport <= 65535:
            out.append("outer UDP source port %d not in 49152..65535" % sport)
        if csum != 0:
            ref = Ether(b)
            del ref[UDP].chksum
            if Ether(bytes(ref))[UDP].chksum != csum:
                out.append("outer UDP checksum 0x%04x is neither 0 nor right" % csum)
        c = opts.get((GNV_CLASS, 3), b"")
        cookie = struct.unpack("!I", c)[0] if len(c) == 4 else 0
        if cookie == 0:
            out.append("flow cookie missing or zero")
        if st.cookie.setdefault(fid, cookie) != cookie:
            out.append("cookie 0x%08x differs from 0x%08x of the same flow" %
                       (cookie, st.cookie[fid]))
        if st.sport.setdefault(fid, sport) != sport:
            out.append("outer source port %d differs from %d of the same flow" %
                       (sport, st.sport[fid]))
        a = actual(act)
        if st.app.setdefault(fid, a) != a:
            out.append("flow went to appliance %s, earlier to %s" % (APP_ADDR[a],
                                                                      APP_ADDR[st.app[fid]]))
        return out

    return Exp(build, wild=GEN_WILD, check=check, note=note)


def too_big6(orig, port_mac, router, mtu):
    """RFC 4443 §3.2: type 2 code 0, the MTU left for the inner packet, from
    the router's address on the sender's link, hop limit 64, quoting as
    much of the packet as it was sent as fits in 1280 bytes; checksum
    recomputed by scapy."""
    o = Ether(bytes(orig))
    r = Ether(src=port_mac, dst=o[Ether].src) / IPv6(src=router, dst=o[IPv6].src, hlim=64) / \
        ICMPv6PacketTooBig(mtu=mtu) / Raw(bytes(o[IPv6])[:1280 - 48])
    return Exp(Ether(bytes(r)), note="packet too big to %s" % o[IPv6].src)


# ------------------------------------------------------------ cases


def case_gwlb6_basic():
    """Ingress routing for IPv6 (the edge table, untranslated): a TCP SYN from
    an IPv6 client to an instance goes in GENEVE (0x86DD) to an appliance; its
    return is delivered to the instance. The instance's SYN-ACK (::/0 to the
    endpoint) reaches the same appliance with the same cookie and source port
    and, returned, leaves to the internet gateway's next_hop6. The same for a
    UDP flow the instance starts."""
    syn = at(from_inet6(CLIENT6, A6_I1, TCP(sport=40000, dport=80, flags="S", seq=1000)), 0.0)
    synack = at(from_inst6(A6_I1, CLIENT6, TCP(sport=80, dport=40000, flags="SA", seq=7000,
                                               ack=1001)), 1.0)
    query = at(from_inst6(A6_I1, REMOTE6, UDP(sport=5353, dport=53) / Raw(b"query")), 2.0)
    answer = at(from_inet6(REMOTE6, A6_I1, UDP(sport=53, dport=5353) / Raw(b"answer")), 3.0)

    def phase1():
        return {"internet": [syn.copy(), answer.copy()], "vpc": [synack.copy(), query.copy()]}

    def build(workers):
        outs, _ = first_run(config(), phase1(), workers)
        enc = encaps(outs["appliances"])
        assert len(enc) == 4, "first run: %d GENEVE packets, expected 4" % len(enc)
        ins = phase1()
        ins["appliances"] = [appliance_return(e, t, csum0=k % 2 == 0, proto=0x86DD)
                             for k, (e, t) in enumerate(zip(enc, (0.5, 1.5, 2.5, 3.5)))]
        st = GnvState()
        exp_app = [to_appliance6(syn, st, "SYN in GENEVE"),
                   to_appliance6(synack, st, "SYN-ACK in GENEVE"),
                   to_appliance6(query, st, "query in GENEVE"),
                   to_appliance6(answer, st, "answer in GENEVE")]
        exp_vpc = [routed6(syn, M_VPC, M_I1), routed6(answer, M_VPC, M_I1)]
        exp_inet = [routed6(synack, M_INET, M_NH), routed6(query, M_INET, M_NH)]
        return Case("gwlb6_basic", config(), ins,
                    {"appliances": exp_app, "vpc": exp_vpc, "internet": exp_inet},
                    counters={"gwlb.inspect.NewFlowCount": 2,
                              "gwlb.inspect.ActiveFlowCount": 2,
                              "gwlb.inspect.ProcessedPackets": 4,
                              "gwlb.inspect.ProcessedBytes": sum(
                                  len(bytes(p[IPv6])) for p in (syn, synack, query, answer)),
                              "flows.by_service.gwlb.active": 2,
                              "ports.appliances.forwarded": 4,
                              "ports.vpc.forwarded": 2, "ports.internet.forwarded": 2})

    return TwoPhaseCase("gwlb6_basic", build)


def case_gwlb6_sticky3():
    """stickiness 3-tuple: the symmetric hash over the IPv6 addresses and the
    protocol; four TCP flows of one client that differ in ports go to one
    appliance; 16 clients use both appliances."""
    ins, exp, chosen = [], [], {}
    st = GnvState()

    def same_for(client):
        def pick(actual):
            return chosen.setdefault(client, actual)
        return pick

    k = 0
    for c in range(16):
        client = "2001:db8:77::%x" % (c + 1)
        for i in range(4):
            p = at(from_inet6(client, A6_I1, TCP(sport=40000 + i, dport=80 + i, flags="S")),
                   k * 0.001)
            k += 1
            ins.append(p)
            exp.append(to_appliance6(p, st, "SYN of %s" % client, app=same_for(client)))

    def both_used(v):
        return all(v[a]["NewFlowCount"] > 0 for a in APP_ADDR)

    return Case("gwlb6_sticky3", config(stickiness="3-tuple"), {"internet": ins},
                {"appliances": exp},
                counters={"gwlb.inspect.NewFlowCount": len(ins),
                          "gwlb.inspect.appliances": both_used})


def case_gwlb6_sticky2():
    """stickiness 2-tuple, symmetric: for each of 16 clients, a TCP flow the
    client opens to the instance, a UDP flow the instance opens to the
    client and an ICMPv6 echo from the client are three flows with one pair
    of addresses (in either order): one appliance for all three; the 16
    clients use both appliances."""
    ins, exp, chosen = {"internet": [], "vpc": []}, [], {}
    st = GnvState()

    def same_for(client):
        def pick(actual):
            return chosen.setdefault(client, actual)
        return pick

    k = 0
    for c in range(16):
        client = "2001:db8:78::%x" % (c + 1)
        for port, p in (("internet", from_inet6(client, A6_I1, TCP(sport=41000, dport=22,
                                                                    flags="S"))),
                        ("vpc", from_inst6(A6_I1, client, UDP(sport=123, dport=123 + c))),
                        ("internet", from_inet6(client, A6_I1,
                                                ICMPv6EchoRequest(id=c + 1, seq=1)))):
            p = at(p, k * 0.001)
            k += 1
            ins[port].append(p)
            exp.append(to_appliance6(p, st, "flow of %s (%s)" % (client, port),
                                     app=same_for(client)))

    def both_used(v):
        return all(v[a]["NewFlowCount"] > 0 for a in APP_ADDR)

    return Case("gwlb6_sticky2", config(stickiness="2-tuple"), ins, {"appliances": exp},
                counters={"gwlb.inspect.NewFlowCount": 48,
                          "gwlb.inspect.appliances": both_used})


def case_gwlb6_sg():
    """The instance's security group (tcp 80 from ::/0) on a GWLB flow from the
    internet: both SYNs go through the appliance (the GWLB comes first, SPEC
    §3), and on the delivery leg after it the SYN to port 80 is delivered, the
    SYN to port 22 dropped (sg_deny_ingress); the answer to port 80 goes back
    through the appliance without meeting the rules again (stateful)."""
    syn80 = at(from_inet6(CLIENT6, A6_I1, TCP(sport=40080, dport=80, flags="S", seq=1)), 0.0)
    syn22 = at(from_inet6(CLIENT6, A6_I1, TCP(sport=40022, dport=22, flags="S", seq=1)), 0.1)
    synack = at(from_inst6(A6_I1, CLIENT6, TCP(sport=80, dport=40080, flags="SA", seq=9,
                                               ack=2)), 1.0)

    def phase1():
        return {"internet": [syn80.copy(), syn22.copy()], "vpc": [synack.copy()]}

    def build(workers):
        outs, _ = first_run(config(sg=True), phase1(), workers)
        enc = encaps(outs["appliances"])
        assert len(enc) == 3, "first run: %d GENEVE packets, expected 3" % len(enc)
        ins = phase1()
        ins["appliances"] = [appliance_return(e, t, proto=0x86DD)
                             for e, t in zip(enc, (0.5, 0.6, 1.5))]
        st = GnvState()
        return Case("gwlb6_sg", config(sg=True), ins,
                    {"appliances": [to_appliance6(syn80, st, "SYN 80 in GENEVE"),
                                    to_appliance6(syn22, st, "SYN 22 in GENEVE"),
                                    to_appliance6(synack, st, "SYN-ACK in GENEVE")],
                     "vpc": [routed6(syn80, M_VPC, M_I1)],
                     "internet": [routed6(synack, M_INET, M_NH)]},
                    counters={"drops.sg_deny_ingress": 1, "gwlb.inspect.NewFlowCount": 2})

    return TwoPhaseCase("gwlb6_sg", build)


def case_gwlb6_forged():
    """What an appliance returns must match the flow: a wrong cookie or
    endpoint id (gwlb_cookie_mismatch), an inner IPv6 packet of no flow
    (gwlb_no_flow), protocol type 0x0800 over an IPv6 payload
    (gwlb_bad_protocol) are dropped; the faithful return is delivered."""
    syn = at(from_inet6(CLIENT6, A6_I1, TCP(sport=40001, dport=443, flags="S", seq=5)), 0.0)
    stray = from_inet6(CLIENT6, A6_I1, TCP(sport=40002, dport=443, flags="S", seq=5))

    def build(workers):
        outs, _ = first_run(config(), {"internet": [syn.copy()]}, workers)
        enc = encaps(outs["appliances"])
        assert len(enc) == 1, "first run: %d GENEVE packets, expected 1" % len(enc)
        e = enc[0]
        ck = struct.unpack("!I", parse_gnv(bytes(e))[2][(GNV_CLASS, 3)])[0]
        rets = [appliance_return(e, 0.5, cookie=ck ^ 0x5a5a, proto=0x86DD),
                appliance_return(e, 0.6, endpoint=0x0a1b2c3d4e5f6071, proto=0x86DD),
                appliance_return(e, 0.7, proto=0x86DD, payload=bytes(stray[IPv6])),
                appliance_return(e, 0.8, proto=0x0800),
                appliance_return(e, 0.9, proto=0x86DD)]
        st = GnvState()
        return Case("gwlb6_forged", config(),
                    {"internet": [syn.copy()], "appliances": rets},
                    {"appliances": [to_appliance6(syn, st, "SYN in GENEVE")],
                     "vpc": [routed6(syn, M_VPC, M_I1)]},
                    counters={"drops.gwlb_cookie_mismatch": 2, "drops.gwlb_no_flow": 1,
                              "drops.gwlb_bad_protocol": 1, "ports.appliances.dropped": 4,
                              "ports.vpc.tx": 1})

    return TwoPhaseCase("gwlb6_forged", build)


def case_gwlb6_too_big():
    """Appliance port MTU 1500: room for 1432 bytes of inner packet. An IPv6
    packet of 1432 bytes is encapsulated (1500 bytes of outer IPv4); one of
    1433 is dropped (mtu_exceeded) and its sender gets ICMPv6 Packet Too Big
    with MTU 1432 from the subnet's router address (IPv6 is never
    fragmented), on an existing flow too."""
    def sized(n, sport):
        return from_inst6(A6_I1, REMOTE6, UDP(sport=sport, dport=9) / Raw(b"g" * (n - 48)))
    ok = at(sized(1432, 7000), 0.0)
    big = at(sized(1433, 7001), 0.1)
    big2 = at(sized(1433, 7000), 0.2)
    st = GnvState()
    return Case("gwlb6_too_big", config(app_mtu=1500), {"vpc": [ok, big, big2]},
                {"appliances": [to_appliance6(ok, st, "1432 bytes in GENEVE")],
                 "vpc": [too_big6(big, M_VPC, R_APP, 1432), too_big6(big2, M_VPC, R_APP, 1432)]},
                counters={"drops.mtu_exceeded": 2, "ports.vpc.dropped": 2,
                          "ports.appliances.tx": 1, "gwlb.inspect.ProcessedPackets": 1})


CASES = {
    "gwlb6_basic": case_gwlb6_basic,
    "gwlb6_sticky3": case_gwlb6_sticky3,
    "gwlb6_sticky2": case_gwlb6_sticky2,
    "gwlb6_sg": case_gwlb6_sg,
    "gwlb6_forged": case_gwlb6_forged,
    "gwlb6_too_big": case_gwlb6_too_big,
}

if __name__ == "__main__":
    sys.exit(main(CASES))
