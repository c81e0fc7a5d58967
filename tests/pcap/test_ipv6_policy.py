#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
pcap suite, IPv6 (SPEC §7), second part: network ACL rules with IPv6 CIDRs
and ICMPv6 in rule-number order, security groups with IPv6 rules and their
conntrack (reply traffic, unsolicited inbound, TCP RST ending a flow), and
the egress-only internet gateway (outbound opens a flow, its return comes
in, unsolicited inbound is dropped and counted eigw_unsolicited). The
topology is test_ipv6.py's; every expected packet is built by scapy: only
the hop limit and the Ethernet addresses change (RFC 8200), so every other
byte, checksums included, must be the input's.

Usage: test_ipv6_policy.py --workers N [--case NAME]... [--list]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from vpcgwtest import Case, Raw, at, main, timed  # noqa: E402
from scapy.all import ICMPv6EchoReply, ICMPv6EchoRequest, TCP, UDP  # noqa: E402
from test_ipv6 import (A6_APP, A6_PRIV, A6_PUB, A6_SEC, M_APP, M_INET, M_NH,  # noqa: E402
                       M_PRIV, M_PUB, M_SEC, M_VPC, PFX, REMOTE6, base_config, host6,
                       inet6, routed6)

BEEF = "2001:db8:beef::7"       # reached through the private table's igw route


def nacl6_config():
    cfg = base_config()
    cfg["network_acls"].append({
        "name": "v6",
        "ingress": [
            # an IPv4 rule never matches IPv6 (the first rule would allow all)
            {"rule": 50, "protocol": "all", "cidr": "0.0.0.0/0", "action": "allow"},
            {"rule": 100, "protocol": "udp", "ports": "53", "cidr": PFX + "1::/64",
             "action": "deny"},
            {"rule": 110, "protocol": "udp", "ports": "0-65535", "cidr": PFX + "1::/64",
             "action": "allow"},
            {"rule": 120, "protocol": "icmpv6", "icmp_type": 128, "cidr": PFX + "2::/64",
             "action": "deny"},
            {"rule": 130, "protocol": "icmpv6", "cidr": "::/0", "action": "allow"},
            {"rule": 140, "protocol": "tcp", "ports": "22", "cidr": "::/0", "action": "allow"},
        ],
        "egress": [
            {"rule": 90, "protocol": "tcp", "ports": "25", "cidr": "::/0", "action": "deny"},
            {"rule": 100, "protocol": "all", "cidr": "::/0", "action": "allow"},
        ]})
    cfg["vpc"]["subnets"][3]["network_acl"] = "v6"
    return cfg


def case_nacl6_rule_order():
    """The IPv6 rules of secure-a's NACL, lowest number first: UDP 53 from
    private-a denied by rule 100 though rule 110 allows it, UDP 54 allowed;
    echo request from app-a denied by 120, from private-a allowed by 130;
    TCP 22 allowed, TCP 80 denied (implicit deny; the IPv4 rule 50 that
    allows everything does not apply to IPv6); out of secure-a, TCP 25
    denied by egress rule 90, UDP allowed by 100."""
    ok = [
        host6(M_PRIV, A6_PRIV, A6_SEC, UDP(sport=5000, dport=54) / Raw(b"ok")),
        host6(M_PRIV, A6_PRIV, A6_SEC, ICMPv6EchoRequest(id=9, seq=1, data=b"icmp-ok")),
        host6(M_APP, A6_APP, A6_SEC, TCP(sport=40000, dport=22, flags="S", seq=1)),
        host6(M_SEC, A6_SEC, A6_APP, UDP(sport=54, dport=5000) / Raw(b"reply")),
    ]
    bad_in = [
        host6(M_PRIV, A6_PRIV, A6_SEC, UDP(sport=5000, dport=53) / Raw(b"dns")),
        host6(M_APP, A6_APP, A6_SEC, ICMPv6EchoRequest(id=9, seq=1, data=b"icmp-no")),
        host6(M_APP, A6_APP, A6_SEC, TCP(sport=40001, dport=80, flags="S", seq=1)),
    ]
    bad_out = [host6(M_SEC, A6_SEC, A6_APP, TCP(sport=40002, dport=25, flags="S", seq=1))]
    pkts = timed([bad_in[0], ok[0], bad_in[1], ok[1], ok[2], bad_in[2], ok[3], bad_out[0]])
    mac = {A6_SEC: M_SEC, A6_APP: M_APP}
    return Case("nacl6_rule_order", nacl6_config(), {"vpc": pkts},
                {"vpc": [routed6(p, M_VPC, mac[p["IPv6"].dst]) for p in
                         [bad_in[0], ok[0], bad_in[1], ok[1], ok[2], bad_in[2], ok[3],
                          bad_out[0]] if p in ok]},
                counters={"drops.nacl_deny_in": 3, "drops.nacl_deny_out": 1,
                          "ports.vpc.forwarded": 4})


def sg6_config():
    cfg = base_config()
    cfg["security_groups"] = [{
        "name": "web6",
        "ingress": [{"protocol": "tcp", "ports": "80", "source": "::/0"},
                    {"protocol": "icmpv6", "icmp_type": 128, "source": PFX + "1::/64"},
                    {"protocol": "all", "source": "10.0.0.0/16"}],     # IPv4 only
        "egress": [{"protocol": "tcp", "ports": "443", "destination": "::/0"}],
    }]
    cfg["interfaces"] = [{"address": "10.0.2.20", "address6": A6_APP,
                          "security_groups": ["web6"]}]
    return cfg


def case_sg6_stateful():
    """ENI app-a ::20 with group web6 (in: TCP 80 from ::/0, echo request
    from private-a; out: TCP 443 only). A connection to port 80 from the
    internet opens a flow: its SYN-ACK and data go back out though no egress
    rule allows them, the client's ACK comes in; a SYN to port 8080 is
    denied (sg_deny_ingress); UDP out is denied (sg_deny_egress); an echo
    from private-a passes and its reply goes back on the flow; an echo from
    public-a is denied. The server's RST ends the connection: the client's
    next segment is invalid for the closed flow (ct_invalid)."""
    p = [
        at(inet6(BEEF, A6_APP, TCP(sport=40000, dport=80, flags="S", seq=100)), 0.0),
        at(host6(M_APP, A6_APP, BEEF, TCP(sport=80, dport=40000, flags="SA", seq=900,
                                           ack=101)), 0.01),
        at(inet6(BEEF, A6_APP, TCP(sport=40000, dport=80, flags="A", seq=101, ack=901)), 0.02),
        at(host6(M_APP, A6_APP, BEEF, TCP(sport=80, dport=40000, flags="PA", seq=901, ack=101) /
                 Raw(b"HTTP/1.1 200 OK\r\n")), 0.03),
        at(inet6(BEEF, A6_APP, TCP(sport=40001, dport=8080, flags="S", seq=1)), 0.04),
        at(host6(M_APP, A6_APP, BEEF, UDP(sport=5000, dport=53) / Raw(b"q")), 0.05),
        at(host6(M_PRIV, A6_PRIV, A6_APP, ICMPv6EchoRequest(id=7, seq=1, data=b"ping")), 0.06),
        at(host6(M_APP, A6_APP, A6_PRIV, ICMPv6EchoReply(id=7, seq=1, data=b"ping")), 0.07),
        at(host6(M_PUB, A6_PUB, A6_APP, ICMPv6EchoRequest(id=8, seq=1, data=b"ping")), 0.08),
        at(host6(M_APP, A6_APP, BEEF, TCP(sport=80, dport=40000, flags="R", seq=918)), 1.0),
        at(inet6(BEEF, A6_APP, TCP(sport=40000, dport=80, flags="A", seq=101, ack=918)), 1.5),
    ]
    return Case("sg6_stateful", sg6_config(), {"vpc": [x for x in p if x.src != M_NH],
                                              "internet": [x for x in p if x.src == M_NH]},
                {"vpc": [routed6(p[i], M_VPC, M_APP) for i in (0, 2, 6)] +
                        [routed6(p[7], M_VPC, M_PRIV)],
                 "internet": [routed6(p[i], M_INET, M_NH) for i in (1, 3, 9)]},
                counters={"drops.sg_deny_ingress": 2, "drops.sg_deny_egress": 1,
                          "drops.ct_invalid": 1,
                          "flows.by_service.security_group.created": 2,
                          "ports.vpc.forwarded": 5, "ports.internet.forwarded": 2})


def eigw_config():
    cfg = base_config()
    cfg["egress_only_internet_gateways"] = [{"name": "eigw-a"}]
    cfg["route_tables"][1]["routes"].append({"destination": "::/0",
                                             "target": "egress-only-igw:eigw-a"})
    return cfg


def case_eigw6():
    """private-a's ::/0 goes to the egress-only internet gateway: outbound
    TCP, UDP and echo leave untranslated through the internet gateway's port
    to next_hop6 and open flows; their answers come in. Unsolicited from the
    internet (a SYN, a UDP datagram, an echo request) to private-a: dropped,
    eigw_unsolicited, counted per gateway; the same to public-a (route back
    igw) is let in."""
    p = [
        at(host6(M_PRIV, A6_PRIV, REMOTE6, TCP(sport=41000, dport=443, flags="S", seq=10)), 0.0),
        at(inet6(REMOTE6, A6_PRIV, TCP(sport=443, dport=41000, flags="SA", seq=70, ack=11)), 0.01),
        at(host6(M_PRIV, A6_PRIV, REMOTE6, TCP(sport=41000, dport=443, flags="A", seq=11,
                                                ack=71)), 0.02),
        at(host6(M_PRIV, A6_PRIV, REMOTE6, UDP(sport=5353, dport=53) / Raw(b"query")), 0.03),
        at(inet6(REMOTE6, A6_PRIV, UDP(sport=53, dport=5353) / Raw(b"answer")), 0.04),
        at(host6(M_PRIV, A6_PRIV, REMOTE6, ICMPv6EchoRequest(id=3, seq=1, data=b"out")), 0.05),
        at(inet6(REMOTE6, A6_PRIV, ICMPv6EchoReply(id=3, seq=1, data=b"out")), 0.06),
        at(inet6(REMOTE6, A6_PRIV, TCP(sport=50000, dport=22, flags="S", seq=1)), 0.07),
        at(inet6(REMOTE6, A6_PRIV, UDP(sport=53, dport=5354) / Raw(b"spoof")), 0.08),
        at(inet6(REMOTE6, A6_PRIV, ICMPv6EchoRequest(id=4, seq=1, data=b"in")), 0.09),
        at(inet6(REMOTE6, A6_PUB, TCP(sport=50000, dport=22, flags="S", seq=1)), 0.10),
    ]
    return Case("eigw6", eigw_config(), {"vpc": [x for x in p if x.src != M_NH],
                                        "internet": [x for x in p if x.src == M_NH]},
                {"internet": [routed6(p[i], M_INET, M_NH) for i in (0, 2, 3, 5)],
                 "vpc": [routed6(p[i], M_VPC, M_PRIV) for i in (1, 4, 6)] +
                        [routed6(p[10], M_VPC, M_PUB)]},
                counters={"drops.eigw_unsolicited": 3,
                          "egress_only_internet_gateways.eigw-a.packets_out": 4,
                          "egress_only_internet_gateways.eigw-a.packets_in": 3,
                          "egress_only_internet_gateways.eigw-a.unsolicited": 3,
                          "flows.by_service.security_group.created": 3,
                          "ports.vpc.forwarded": 4, "ports.internet.forwarded": 4})


def case_frag6_policy():
    """Fragments and the IPv6 policy (SPEC §7: the first fragment carries the
    ports, later ones follow it): a fragmented UDP datagram to an ENI whose
    group allows it: the first fragment passes on the rules, the later one
    follows it (both delivered). A later fragment whose first never came,
    and one of a datagram whose first the group refused (another port): no
    first to follow, dropped (ip6_filter_unsupported). To secure-a, whose
    NACL allows all IPv6, both fragments pass (a NACL sees a later fragment
    with ports 0, as for IPv4)."""
    from scapy.all import IPv6, IPv6ExtHdrFragment, Ether, fragment6
    cfg = sg6_config()
    cfg["security_groups"][0]["ingress"].append(
        {"protocol": "udp", "ports": "9000-9100", "source": PFX + "1::/64"})
    cfg["network_acls"][0]["ingress"].append(
        {"rule": 200, "protocol": "all", "cidr": "::/0", "action": "allow"})

    def frag(dst, ident, dport):
        return [Ether(src=M_PRIV, dst=M_VPC) / f for f in fragment6(
            IPv6(src=A6_PRIV, dst=dst) / IPv6ExtHdrFragment(id=ident) /
            UDP(sport=9, dport=dport) / Raw(b"f" * 1500), 1000)]
    frags = frag(A6_APP, 99, 9000) + frag(A6_SEC, 99, 9000)
    orphan = frag(A6_APP, 100, 9000)[1]         # its first fragment is never sent
    refused = frag(A6_APP, 101, 7000)           # the group allows 9000-9100 only
    assert len(frags) == 4 and len(refused) == 2
    sent = timed([Ether(bytes(f)) for f in frags + [orphan] + refused])
    return Case("frag6_policy", cfg, {"vpc": sent},
                {"vpc": [routed6(sent[i], M_VPC, M_APP if i < 2 else M_SEC)
                         for i in range(4)]},
                counters={"drops.ip6_filter_unsupported": 2, "drops.sg_deny_ingress": 1,
                          "ports.vpc.forwarded": 4,
                          "flows.by_service.security_group.created": 0})


def case_eigw6_frag():
    """Fragments through the egress-only gateway: a UDP datagram out opens
    the flow (fragments are not tracked: a first fragment passes on the
    rules, untracked), then a fragmented one out (the later fragment follows
    its first) and the fragmented answer in (its first fragment is the
    flow's, its later one follows it); an unsolicited fragmented datagram
    from the internet: both fragments eigw_unsolicited (the later one has no
    first to follow)."""
    from scapy.all import IPv6, IPv6ExtHdrFragment, Ether, fragment6

    def frag(src_mac, dst_mac, src, dst, ident, sport, dport):
        return [Ether(src=src_mac, dst=dst_mac) / f for f in fragment6(
            IPv6(src=src, dst=dst, hlim=64) / IPv6ExtHdrFragment(id=ident) /
            UDP(sport=sport, dport=dport) / Raw(b"g" * 1500), 1000)]
    out = frag(M_PRIV, M_VPC, A6_PRIV, REMOTE6, 7, 5353, 5353)
    back = frag(M_NH, M_INET, REMOTE6, A6_PRIV, 8, 5353, 5353)
    unsol = frag(M_NH, M_INET, REMOTE6, A6_PRIV, 9, 5353, 6000)
    opener = host6(M_PRIV, A6_PRIV, REMOTE6, UDP(sport=5353, dport=5353) / Raw(b"open"))
    out = timed([Ether(bytes(f)) for f in [opener] + out])
    back = timed([Ether(bytes(f)) for f in back + unsol], start=0.1)
    return Case("eigw6_frag", eigw_config(), {"vpc": out, "internet": back},
                {"internet": [routed6(p, M_INET, M_NH) for p in out],
                 "vpc": [routed6(p, M_VPC, M_PRIV) for p in back[:2]]},
                counters={"drops.eigw_unsolicited": 2, "drops.ip6_filter_unsupported": 0,
                          "egress_only_internet_gateways.eigw-a.packets_out": 3,
                          "egress_only_internet_gateways.eigw-a.packets_in": 2,
                          "flows.by_service.security_group.created": 1,
                          "ports.vpc.forwarded": 3, "ports.internet.forwarded": 2})


def case_eigw6_icmp_error():
    """ICMPv6 errors through the egress-only gateway (RFC 4443): a Packet Too
    Big from a router on the path, quoting a packet of an open flow, comes
    in (path MTU discovery works); one quoting a packet of no flow is
    unsolicited; both unchanged but the hop limit."""
    from scapy.all import ICMPv6PacketTooBig, IPv6
    syn = at(host6(M_PRIV, A6_PRIV, REMOTE6, TCP(sport=41000, dport=443, flags="S", seq=10)), 0.0)
    router = "2001:db8:4444::1"
    quote = bytes(IPv6(src=A6_PRIV, dst=REMOTE6) /
                  TCP(sport=41000, dport=443, flags="A", seq=11) / Raw(b"d" * 1400))
    other = bytes(IPv6(src=A6_PRIV, dst=REMOTE6) /
                  TCP(sport=41001, dport=443, flags="A", seq=11) / Raw(b"d" * 1400))
    ptb = at(inet6(router, A6_PRIV, ICMPv6PacketTooBig(mtu=1280) / Raw(quote[:1232])), 0.01)
    bad = at(inet6(router, A6_PRIV, ICMPv6PacketTooBig(mtu=1280) / Raw(other[:1232])), 0.02)
    return Case("eigw6_icmp_error", eigw_config(), {"vpc": [syn], "internet": [ptb, bad]},
                {"internet": [routed6(syn, M_INET, M_NH)], "vpc": [routed6(ptb, M_VPC, M_PRIV)]},
                counters={"drops.eigw_unsolicited": 1,
                          "egress_only_internet_gateways.eigw-a.packets_in": 1,
                          "flows.by_service.security_group.created": 1})


CASES = {
    "eigw6_icmp_error": case_eigw6_icmp_error,
    "frag6_policy": case_frag6_policy,
    "eigw6_frag": case_eigw6_frag,
    "nacl6_rule_order": case_nacl6_rule_order,
    "sg6_stateful": case_sg6_stateful,
    "eigw6": case_eigw6,
}

if __name__ == "__main__":
    sys.exit(main(CASES))
