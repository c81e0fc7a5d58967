#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
pcap suite, dualstack Network Load Balancer (SPEC §7): IPv6 clients of a
listener whose target group is "ipv6" reach an IPv6 target with their own
address preserved (destination address and port translated, TCP/UDP
checksum updated, hop limit - 1); the target's replies leave as from the
NLB's address6 and the listener's port; the flow sticks to its target;
IPv4 clients of such a listener and IPv6 clients of an IPv4 group are
dropped (nlb_family: the IPv6-to-IPv4 translation is not built); vpcgw
answers Neighbor Solicitations for the NLB's address6. Expected packets are
built by scapy from the SPEC and RFC 8200/4861; the target of a flow is
vpcgw's choice (Maglev), taken from the output and then held to.

  vpcgw ports       vpc 02:00:00:00:00:01 10.0.0.1/16
                    internet 02:00:00:00:01:01 198.51.100.1/24, 2001:db8:ffff::2/64
  VPC               10.0.0.0/16, 2600:1f18:a:b00::/56
  subnets           lb-a b00::/64 (the NLB's; table lb: ::/0 igw)
                    client-a b01::/64, app-a b02::/64
  NLB web6          10.0.0.100, dualstack, address6 b00::100
                    tcp 80 -> web6-tg (ipv6, port 8080: b02::10, b02::11)
                    udp 53 -> dns6-tg (ipv6, port 5353: b02::20)
                    tcp 81 -> web4-tg (ipv4, preserve_client_ip false: 10.0.2.10)

Usage: test_nlb6.py --workers N [--case NAME]... [--list]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from scapy.all import (ICMP, ICMPv6DestUnreach, ICMPv6ND_NA, ICMPv6ND_NS,  # noqa: E402
                       ICMPv6ND_RA, ICMPv6NDOptDstLLAddr, ICMPv6PacketTooBig,
                       ICMPv6NDOptSrcLLAddr, IPv6, IPv6ExtHdrDestOpt, PadN, in6_getnsma,
                       in6_getnsmac, inet_pton, socket)

from vpcgwtest import (EAL_ARGS, IP, TCP, UDP, Case, Ether, Exp, Raw, TwoPhaseCase,  # noqa: E402
                       at, first_run, main)

M_VPC, M_INET = "02:00:00:00:00:01", "02:00:00:00:01:01"
M_NH, A_NH, A6_NH = "02:00:00:00:01:fe", "198.51.100.254", "2001:db8:ffff::1"
PFX = "2600:1f18:a:b0"
NLB4, NLB6 = "10.0.0.100", PFX + "0::100"
T6 = [PFX + "2::10", PFX + "2::11"]
T6_MAC = ["0a:00:00:00:02:10", "0a:00:00:00:02:11"]
DNS6, DNS6_MAC = PFX + "2::20", "0a:00:00:00:02:20"
T4, T4_MAC = "10.0.2.10", "0a:00:00:00:02:0a"
C6, C6_MAC = PFX + "1::10", "0a:00:00:00:01:10"
C4, C4_MAC = "10.0.1.10", "0a:00:00:00:01:0a"
REMOTE6 = "2001:db8:1234::7"


def config():
    ports = [
        {"name": "vpc", "mac": M_VPC, "address": "10.0.0.1/16", "mtu": 9001},
        {"name": "internet", "mac": M_INET, "address": "198.51.100.1/24",
         "address6": "2001:db8:ffff::2/64", "mtu": 1500},
    ]
    for i, p in enumerate(ports):
        p["devargs"] = "net_pcap%d,rx_pcap={dir}/%s-in.pcap,tx_pcap={dir}/%s-out.pcap" % (
            i, p["name"], p["name"])
    off = {"enabled": False}
    return {
        "dpdk": {"eal_args": EAL_ARGS, "workers": 1, "mbufs": 8191, "flow_table_size": 8192},
        "ports": ports,
        "neighbors": [
            {"port": "internet", "address": A_NH, "mac": M_NH},
            {"port": "internet", "address": A6_NH, "mac": M_NH},
            {"port": "vpc", "address": T6[0], "mac": T6_MAC[0]},
            {"port": "vpc", "address": T6[1], "mac": T6_MAC[1]},
            {"port": "vpc", "address": DNS6, "mac": DNS6_MAC},
            {"port": "vpc", "address": T4, "mac": T4_MAC},
            {"port": "vpc", "address": C6, "mac": C6_MAC},
        ],
        "vpc": {"cidr": "10.0.0.0/16", "ipv6_cidr": PFX + "0::/56", "subnets": [
            {"name": "lb-a", "cidr": "10.0.0.0/24", "ipv6_cidr": PFX + "0::/64", "port": "vpc",
             "route_table": "lb"},
            {"name": "client-a", "cidr": "10.0.1.0/24", "ipv6_cidr": PFX + "1::/64",
             "port": "vpc"},
            {"name": "app-a", "cidr": "10.0.2.0/24", "ipv6_cidr": PFX + "2::/64", "port": "vpc"},
        ]},
        "internet_gateway": {"port": "internet", "next_hop": A_NH, "next_hop6": A6_NH},
        "route_tables": [
            {"name": "lb", "routes": [{"destination": "0.0.0.0/0", "target": "igw"},
                                      {"destination": "::/0", "target": "igw"}]},
        ],
        "network_load_balancers": [
            {"name": "web6", "subnet": "lb-a", "address": NLB4,
             "ip_address_type": "dualstack", "address6": NLB6,
             "listeners": [
                 {"protocol": "tcp", "port": 80, "target_group": "web6-tg"},
                 {"protocol": "udp", "port": 53, "target_group": "dns6-tg"},
                 {"protocol": "tcp", "port": 81, "target_group": "web4-tg"}]},
        ],
        "target_groups": [
            {"name": "web6-tg", "protocol": "tcp", "port": 8080, "ip_address_type": "ipv6",
             "health_check": off, "targets": [{"address": T6[0]}, {"address": T6[1]}]},
            {"name": "dns6-tg", "protocol": "udp", "port": 5353, "ip_address_type": "ipv6",
             "health_check": off, "targets": [{"address": DNS6}]},
            {"name": "web4-tg", "protocol": "tcp", "port": 8080, "preserve_client_ip": False,
             "health_check": off, "targets": [{"address": T4}]},
        ],
    }


def from_inet6(src, dst, l4, hlim=64):
    return Ether(src=M_NH, dst=M_INET) / IPv6(src=src, dst=dst, hlim=hlim) / l4


def from_vpc6(mac, src, dst, l4, hlim=64):
    return Ether(src=mac, dst=M_VPC) / IPv6(src=src, dst=dst, hlim=hlim) / l4


def xlated(p, src_mac, dst_mac, src=None, dst=None, sport=None, dport=None):
    """SPEC §7 (§4 NLB): the addresses and ports named replaced, the TCP/UDP
    checksum recomputed by scapy over the new pseudo-header, hop limit - 1,
    Ethernet from the neighbor table; nothing else changes."""
    q = Ether(bytes(p))
    q[Ether].src, q[Ether].dst = src_mac, dst_mac
    q[IPv6].hlim -= 1
    if src:
        q[IPv6].src = src
    if dst:
        q[IPv6].dst = dst
    l4 = q[TCP] if TCP in q else q[UDP]
    if sport:
        l4.sport = sport
    if dport:
        l4.dport = dport
    del l4.chksum
    return Ether(bytes(q))


def target_of(pkts):
    """Index of the web6-tg target a translated packet went to."""
    return T6.index(pkts[0][IPv6].dst)


def case_nlb6_tcp_internet():
    """An IPv6 client on the internet: SYN to [NLB6]:80 reaches one target at
    :8080 with the client's address preserved; the target's SYN-ACK leaves to
    the internet from [NLB6]:80; the client's ACK and data reach the same
    target. Counters: one new flow on the listener and its target."""
    syn = at(from_inet6(REMOTE6, NLB6, TCP(sport=40000, dport=80, flags="S", seq=100)), 0.0)
    ack = at(from_inet6(REMOTE6, NLB6, TCP(sport=40000, dport=80, flags="A", seq=101,
                                           ack=5001) / Raw(b"GET / HTTP/1.0\r\n\r\n")), 2.0)

    def build(workers):
        outs, _ = first_run(config(), {"internet": [syn.copy()]}, workers)
        assert len(outs["vpc"]) == 1, "first run: %d packets to the VPC" % len(outs["vpc"])
        k = target_of(outs["vpc"])
        synack = at(from_vpc6(T6_MAC[k], T6[k], REMOTE6, TCP(sport=8080, dport=40000,
                                                             flags="SA", seq=5000, ack=101)), 1.0)
        exp_vpc = [Exp(xlated(syn, M_VPC, T6_MAC[k], dst=T6[k], dport=8080), note="SYN"),
                   Exp(xlated(ack, M_VPC, T6_MAC[k], dst=T6[k], dport=8080), note="ACK")]
        exp_inet = [Exp(xlated(synack, M_INET, M_NH, src=NLB6, sport=80), note="SYN-ACK")]
        n = sum(len(p[IPv6]) for p in (syn, synack, ack))
        return Case("nlb6_tcp_internet", config(),
                    {"internet": [syn.copy(), ack.copy()], "vpc": [synack]},
                    {"vpc": exp_vpc, "internet": exp_inet},
                    counters={"nlb.web6.listeners.tcp:80.NewFlowCount": 1,
                              "nlb.web6.listeners.tcp:80.ActiveFlowCount": 1,
                              "nlb.web6.listeners.tcp:80.ProcessedPackets": 3,
                              "nlb.web6.listeners.tcp:80.ProcessedBytes": n,
                              "flows.by_service.nlb.active": 1,
                              "target_groups.web6-tg.targets": lambda v: v["[%s]:8080" % T6[k]]
                              ["NewFlowCount"] == 1})

    return TwoPhaseCase("nlb6_tcp_internet", build)


def case_nlb6_udp_vpc():
    """A client in the VPC (another IPv6 subnet): UDP to [NLB6]:53 reaches
    [b02::20]:5353 from the client's own address; the answer comes back to the
    client from [NLB6]:53 (local route); a second query sticks to the flow."""
    q1 = at(from_vpc6(C6_MAC, C6, NLB6, UDP(sport=5000, dport=53) / Raw(b"query-1")), 0.0)
    a1 = at(from_vpc6(DNS6_MAC, DNS6, C6, UDP(sport=5353, dport=5000) / Raw(b"answer-1")), 1.0)
    q2 = at(from_vpc6(C6_MAC, C6, NLB6, UDP(sport=5000, dport=53) / Raw(b"query-2")), 2.0)
    return Case("nlb6_udp_vpc", config(), {"vpc": [q1, a1, q2]},
                {"vpc": [Exp(xlated(q1, M_VPC, DNS6_MAC, dst=DNS6, dport=5353), note="query 1"),
                         Exp(xlated(a1, M_VPC, C6_MAC, src=NLB6, sport=53), note="answer 1"),
                         Exp(xlated(q2, M_VPC, DNS6_MAC, dst=DNS6, dport=5353), note="query 2")]},
                counters={"nlb.web6.listeners.udp:53.NewFlowCount": 1,
                          "nlb.web6.listeners.udp:53.ProcessedPackets": 3,
                          "ports.vpc.forwarded": 3})


def case_nlb6_sticky():
    """16 IPv6 clients: each flow's packets (a SYN, retransmitted twice) stay
    on the target its first SYN got;
    both targets are used (Maglev over the full IPv6 addresses)."""
    ins, chosen = [], {}
    for c in range(16):
        src = "2001:db8:77::%x" % (c + 1)
        for j in range(3):          # the SYN and two retransmissions
            ins.append(at(from_inet6(src, NLB6, TCP(sport=41000, dport=80, flags="S", seq=1)),
                          c * 0.01 + j * 0.001))
    ins.sort(key=lambda p: p.time)

    def same_target(p):
        def build(act):
            k = T6.index(act[IPv6].dst) if act is not None and IPv6 in act and \
                act[IPv6].dst in T6 else 0
            k = chosen.setdefault(p[IPv6].src, k)
            return xlated(p, M_VPC, T6_MAC[k], dst=T6[k], dport=8080)
        return Exp(build, note="to the flow's target")

    def both(v):
        return all(v["[%s]:8080" % a]["NewFlowCount"] > 0 for a in T6)

    return Case("nlb6_sticky", config(), {"internet": ins}, {"vpc": [same_target(p) for p in ins]},
                counters={"nlb.web6.listeners.tcp:80.NewFlowCount": 16,
                          "target_groups.web6-tg.targets": both})


def case_nlb6_to_ipv4():
    """SPEC §7: an IPv6 client of the ipv4 group's listener ([NLB6]:81) is
    translated to IPv4 (RFC 7915 §5.1: version 4, IHL 5, TOS = traffic
    class, total length = payload + 20, DF set, TTL = hop limit - 1,
    protocol = next header) from the NLB's private IPv4 address and a port of
    its choosing (1024..65535, the same for the flow) to the target's :8080,
    TCP checksum over the IPv4 pseudo-header; the target's SYN-ACK to that
    address and port is translated back (RFC 7915 §4.1: traffic class = TOS,
    flow label 0, hop limit = TTL - 1 after routing) from [NLB6]:81 to the
    client; the client's ACK follows the same translation."""
    syn = at(from_inet6(REMOTE6, NLB6, TCP(sport=40001, dport=81, flags="S", seq=7)), 0.0)
    ack = at(from_inet6(REMOTE6, NLB6, TCP(sport=40001, dport=81, flags="A", seq=8, ack=501)
                        / Raw(b"hello")), 2.0)
    seen = {}

    def to4(p, note):
        q = Ether(bytes(p))

        def build(act):
            sport = act[TCP].sport if act is not None and TCP in act else 1024
            sport = seen.setdefault("sport", sport)
            e = Ether(src=M_VPC, dst=T4_MAC) / \
                IP(src=NLB4, dst=T4, ttl=q[IPv6].hlim - 1, flags="DF", id=0, tos=q[IPv6].tc) / \
                TCP(bytes(q[TCP]))
            e[TCP].sport, e[TCP].dport = sport, 8080
            del e[TCP].chksum
            return Ether(bytes(e))

        def check(act):
            sp = act[TCP].sport if TCP in act else 0
            return [] if 1024 <= sp <= 65535 else ["source port %d not in 1024..65535" % sp]
        return Exp(build, check=check, note=note)

    def build(workers):
        outs, _ = first_run(config(), {"internet": [syn.copy()]}, workers)
        assert len(outs["vpc"]) == 1 and TCP in outs["vpc"][0], "first run: %s" % outs["vpc"]
        port = outs["vpc"][0][TCP].sport
        synack = at(Ether(src=T4_MAC, dst=M_VPC) / IP(src=T4, dst=NLB4, ttl=64, tos=0x20) /
                    TCP(sport=8080, dport=port, flags="SA", seq=500, ack=8), 1.0)
        back = Ether(src=M_INET, dst=M_NH) / IPv6(src=NLB6, dst=REMOTE6, hlim=63, tc=0x20) / \
            TCP(bytes(synack[TCP]))
        back[TCP].sport, back[TCP].dport = 81, 40001
        del back[TCP].chksum
        return Case("nlb6_to_ipv4", config(), {"internet": [syn.copy(), ack.copy()],
                                                "vpc": [synack]},
                    {"vpc": [to4(syn, "SYN as IPv4"), to4(ack, "ACK as IPv4")],
                     "internet": [Exp(Ether(bytes(back)), note="SYN-ACK as IPv6")]},
                    counters={"nlb.web6.listeners.tcp:81.NewFlowCount": 1,
                              "nlb.web6.listeners.tcp:81.ProcessedPackets": 3,
                              "drops.nlb_family": 0})

    return TwoPhaseCase("nlb6_to_ipv4", build)


def v4leg_config(nacl_in=None, nacl_out=None, sg_src=None):
    """config() with the IPv4 leg's checks on app-a (web4-tg's target
    10.0.2.10): a NACL with one deny rule (IPv4) in each direction given
    before allow-all, and the target's ENI in a group allowing TCP 8080 from
    sg_src only."""
    cfg = config()
    if nacl_in or nacl_out:
        allow = {"rule": 100, "protocol": "all", "cidr": "0.0.0.0/0", "action": "allow"}
        cfg["network_acls"] = [{"name": "app",
                                "ingress": ([nacl_in] if nacl_in else []) + [allow],
                                "egress": ([nacl_out] if nacl_out else []) + [allow]}]
        for sn in cfg["vpc"]["subnets"]:
            if sn["name"] == "app-a":
                sn["network_acl"] = "app"
    if sg_src:
        cfg["security_groups"] = [{"name": "t4", "ingress": [
            {"protocol": "tcp", "ports": "8080", "source": sg_src}], "egress": []}]
        cfg["interfaces"] = [{"address": T4, "security_groups": ["t4"]}]
    return cfg


def case_nlb6_to_ipv4_checks():
    """The IPv4 leg of an IPv6 client's flow to the ipv4 group meets what an
    IPv4 client's would (SPEC §4, §7): the target subnet's inbound NACL
    (IPv4 rules; deny TCP 8080: nacl_deny_in, no flow), the target ENI's
    security groups (TCP 8080 allowed from 10.0.1.0/24 only, not from the
    NLB's 10.0.0.100: sg_deny_ingress, no flow), and on the target's reply
    its subnet's outbound NACL (deny TCP to 10.0.0.100: nacl_deny_out, the
    SYN reached the target, nothing comes back). Three runs, one per check."""
    syn = at(from_inet6(REMOTE6, NLB6, TCP(sport=40002, dport=81, flags="S", seq=7)), 0.0)
    deny_in = {"rule": 10, "protocol": "tcp", "ports": "8080", "cidr": "0.0.0.0/0",
               "action": "deny"}
    deny_out = {"rule": 10, "protocol": "tcp", "cidr": NLB4 + "/32", "action": "deny"}
    sub = {
        "nacl_in": Case("nlb6_to_ipv4_checks-nacl_in", v4leg_config(nacl_in=deny_in),
                        {"internet": [syn.copy()]}, {},
                        counters={"drops.nacl_deny_in": 1,
                                  "nlb.web6.listeners.tcp:81.NewFlowCount": 0,
                                  "flows.by_service.nlb.active": 0}),
        "sg": Case("nlb6_to_ipv4_checks-sg", v4leg_config(sg_src="10.0.1.0/24"),
                   {"internet": [syn.copy()]}, {},
                   counters={"drops.sg_deny_ingress": 1,
                             "nlb.web6.listeners.tcp:81.NewFlowCount": 0,
                             "flows.by_service.nlb.active": 0}),
    }

    def build(workers):
        cfg = v4leg_config(nacl_out=deny_out, sg_src=NLB4 + "/32")
        outs, _ = first_run(cfg, {"internet": [syn.copy()]}, workers)
        assert len(outs["vpc"]) == 1 and TCP in outs["vpc"][0], \
            "first run: the SYN allowed by the SG did not reach the target: %s" % outs["vpc"]
        port = outs["vpc"][0][TCP].sport
        synack = at(Ether(src=T4_MAC, dst=M_VPC) / IP(src=T4, dst=NLB4, ttl=64) /
                    TCP(sport=8080, dport=port, flags="SA", seq=500, ack=8), 1.0)
        e = Ether(src=M_VPC, dst=T4_MAC) / \
            IP(src=NLB4, dst=T4, ttl=63, flags="DF", id=0, tos=0) / \
            TCP(sport=port, dport=8080, flags="S", seq=7)
        return Case("nlb6_to_ipv4_checks-nacl_out", cfg,
                    {"internet": [syn.copy()], "vpc": [synack]},
                    {"vpc": [Exp(Ether(bytes(e)), note="SYN as IPv4 (SG allows the NLB)")]},
                    counters={"drops.nacl_deny_out": 1,
                              "nlb.web6.listeners.tcp:81.NewFlowCount": 1,
                              "nlb.web6.listeners.tcp:81.ProcessedPackets": 1})

    class Three(Case):
        def __init__(self):
            self.name = "nlb6_to_ipv4_checks"

        def run(self, workers, binary=None, idle_ms=300, timeout=60):
            errs = []
            for c in list(sub.values()) + [TwoPhaseCase("nlb6_to_ipv4_checks-nacl_out", build)]:
                errs += ["%s: %s" % (c.name, e) for e in
                         c.run(workers, binary=binary, idle_ms=idle_ms, timeout=timeout)]
            return errs

    return Three()


def case_nlb6_health():
    """Health checks of IPv6 targets (SPEC §4, as IPv4's): interval 5 s,
    timeout 2 s, thresholds 2. vpcgw probes each target with a TCP SYN from
    its subnet's router address (b02::1), source port 33000 + the target's
    index, to port 8080, hop limit 64, window 65535 (its sequence number is
    vpcgw's choice), at 0, 5 and 10 s; b02::11 answers each with a SYN-ACK,
    which vpcgw resets (RFC 9293 3.10.7.3: seq = the SYN-ACK's ack, no ACK);
    b02::10 never answers: unhealthy after its second probe times out (7 s).
    HealthyHostCount 1, UnHealthyHostCount 1; the answers count as local."""
    cfg = config()
    cfg["target_groups"][0]["health_check"] = {
        "protocol": "tcp", "interval": 5, "timeout": 2, "healthy_threshold": 2,
        "unhealthy_threshold": 2}
    router = PFX + "2::1"
    # packets that only move the clock (no listener on port 99: dropped)
    ticks = [at(from_vpc6(C6_MAC, C6, NLB6, TCP(sport=1000 + i, dport=99, flags="S")), t)
             for i, t in enumerate((0.0, 12.0))]

    def probe(i):
        def build(act):
            # the sequence number is vpcgw's; the checksum scapy's over it
            seq = act[TCP].seq if act is not None and TCP in act else 0
            return Ether(bytes(Ether(src=M_VPC, dst=T6_MAC[i]) /
                               IPv6(src=router, dst=T6[i], hlim=64, tc=0, fl=0) /
                               TCP(sport=33000 + i, dport=8080, flags="S", seq=seq, ack=0,
                                   window=65535)))
        return Exp(build, note="probe of %s" % T6[i])

    def build(workers):
        outs, _ = first_run(cfg, {"vpc": [p.copy() for p in ticks]}, workers)
        probes = [p for p in outs["vpc"] if TCP in p and p[TCP].flags == "S"]
        got = [p[IPv6].dst for p in probes]
        assert got == T6 * 3, "first run: probes to %s, expected %s at 0, 5, 10 s" % (got, T6)
        ins, exp = [p.copy() for p in ticks], []
        for k, t in enumerate((0.0, 5.0, 10.0)):
            q = probes[2 * k + 1]
            sa = at(Ether(src=T6_MAC[1], dst=M_VPC) / IPv6(src=T6[1], dst=router) /
                    TCP(sport=8080, dport=q[TCP].sport, flags="SA", seq=777000 + k,
                        ack=q[TCP].seq + 1), t + 0.5)
            ins.append(sa)
            rst = Ether(src=M_VPC, dst=T6_MAC[1]) / \
                IPv6(src=router, dst=T6[1], hlim=64, tc=0, fl=0) / \
                TCP(sport=q[TCP].sport, dport=8080, flags="R", seq=q[TCP].seq + 1, ack=0,
                    window=0)
            exp += [probe(0), probe(1), Exp(Ether(bytes(rst)), note="RST for the SYN-ACK")]
        ins.sort(key=lambda p: p.time)
        t6 = ["[%s]:8080" % a for a in T6]
        return Case("nlb6_health", cfg, {"vpc": ins}, {"vpc": exp},
                    ignore=lambda p: ICMPv6ND_RA in p,
                    counters={"target_groups.web6-tg.HealthyHostCount": 1,
                              "target_groups.web6-tg.UnHealthyHostCount": 1,
                              "target_groups.web6-tg.targets": lambda v:
                                  v[t6[0]]["health"] == "unhealthy" and
                                  v[t6[1]]["health"] == "healthy",
                              "drops.nlb_no_listener": 2, "ports.vpc.local": 3})

    return TwoPhaseCase("nlb6_health", build)


def case_nlb6_family():
    """An IPv4 client of the ipv6 group's listener (10.0.0.100:80): nlb_family
    (IPv4 is not translated to IPv6); an IPv6 packet to a port with no
    listener: nlb_no_listener. vpcgw answers a Neighbor Solicitation for the
    NLB's address6 (RFC 4861 §7.2.4: from it, S=1, O=1, R=1, its MAC)."""
    v4 = at(Ether(src=C4_MAC, dst=M_VPC) / IP(src=C4, dst=NLB4) /
            TCP(sport=40000, dport=80, flags="S"), 0.0)
    nol = at(from_inet6(REMOTE6, NLB6, TCP(sport=40002, dport=82, flags="S")), 0.2)
    nsma = socket.inet_ntop(socket.AF_INET6, in6_getnsma(inet_pton(socket.AF_INET6, NLB6)))
    ns = at(Ether(src=C6_MAC, dst=in6_getnsmac(inet_pton(socket.AF_INET6, nsma))) /
            IPv6(src=C6, dst=nsma, hlim=255) / ICMPv6ND_NS(tgt=NLB6) /
            ICMPv6NDOptSrcLLAddr(lladdr=C6_MAC), 0.3)
    na = Ether(src=M_VPC, dst=C6_MAC) / IPv6(src=NLB6, dst=C6, hlim=255) / \
        ICMPv6ND_NA(R=1, S=1, O=1, tgt=NLB6) / ICMPv6NDOptDstLLAddr(lladdr=M_VPC)
    return Case("nlb6_family", config(), {"vpc": [v4, ns], "internet": [nol]},
                {"vpc": [Exp(Ether(bytes(na)), note="NA for the NLB's address6")]},
                counters={"drops.nlb_family": 1, "drops.nlb_no_listener": 1,
                          "nlb.web6.listeners.tcp:80.NewFlowCount": 0})


def rst6(p, src_mac):
    """RFC 9293 3.10.7.1 (SPEC §4: data for no flow or after the idle timeout
    gets a RST), over IPv6: to the sender of TCP segment p, out of the port it
    came in by to the MAC it came from, from the address and port it was sent
    to; a segment with ACK: seq = its ack, flags R; without: seq 0, ack = its
    seq + data length (+1 for SYN, FIN), flags RA. Traffic class and flow
    label 0, hop limit 64, no extension headers, window 0 (as IPv4's)."""
    q = Ether(bytes(p))
    t = q[TCP]
    if t.flags & 0x10:
        seq, ack, fl = t.ack, 0, "R"
    else:
        seq, fl = 0, "RA"
        ack = (t.seq + len(bytes(t.payload)) + (1 if t.flags & 0x02 else 0) +
               (1 if t.flags & 0x01 else 0)) % (1 << 32)
    return Ether(bytes(Ether(src=src_mac, dst=q.src) /
                       IPv6(src=q[IPv6].dst, dst=q[IPv6].src, hlim=64, tc=0, fl=0) /
                       TCP(sport=t.dport, dport=t.sport, seq=seq, ack=ack, flags=fl, window=0)))


def case_nlb6_rst():
    """TCP for no flow to [NLB6]:80 (SPEC §4, as IPv4): data with ACK from the
    internet gets a RST with seq = its ack; a segment without ACK from the VPC
    client, behind a destination options header, gets a RST+ACK acking its
    data (the payload length counts the extension header, not the data); a
    RST for no flow is dropped unanswered. All three nlb_idle_timeout;
    TCP_ELB_Reset_Count 2; nothing reaches a target."""
    a = at(from_inet6(REMOTE6, NLB6, TCP(sport=40100, dport=80, flags="PA", seq=7,
                                         ack=0xfffffff0) / Raw(b"late data")), 0.0)
    b = at(Ether(src=C6_MAC, dst=M_VPC) / IPv6(src=C6, dst=NLB6) /
           IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\0" * 4)]) /
           TCP(sport=40101, dport=80, flags="P", seq=0xfffffffe) / Raw(b"0123456789"), 0.1)
    r = at(from_inet6(REMOTE6, NLB6, TCP(sport=40102, dport=80, flags="R", seq=9)), 0.2)
    return Case("nlb6_rst", config(), {"internet": [a, r], "vpc": [b]},
                {"internet": [Exp(rst6(a, M_INET), note="RST to the internet client")],
                 "vpc": [Exp(rst6(b, M_VPC), note="RST+ACK to the VPC client")]},
                counters={"nlb.web6.listeners.tcp:80.TCP_ELB_Reset_Count": 2,
                          "nlb.web6.listeners.tcp:80.NewFlowCount": 0,
                          "drops.nlb_idle_timeout": 3, "ports.internet.generated": 1,
                          "ports.vpc.generated": 1})


def case_nlb6_idle_timeout():
    """TCP idle timeout 350 s (SPEC §4) on IPv6 flows: data on a connection
    idle for 349 s reaches its target; on one idle for 351 s it is dropped
    (nlb_idle_timeout) and the client gets a RST (seq = its ack);
    TCP_ELB_Reset_Count 1."""
    def flow(cp, cs, t0):
        return at(from_inet6(REMOTE6, NLB6, TCP(sport=cp, dport=80, flags="S", seq=cs)), t0)

    t0s = (0.0, 1.0)
    syns = [flow(40200, 100, t0s[0]), flow(40201, 200, t0s[1])]

    def build(workers):
        outs, _ = first_run(config(), {"internet": [p.copy() for p in syns]}, workers)
        assert len(outs["vpc"]) == 2, "first run: %d packets to the VPC" % len(outs["vpc"])
        ks = [T6.index(p[IPv6].dst) for p in outs["vpc"]]
        ins = {"internet": [], "vpc": []}
        exp = {"internet": [], "vpc": []}
        for i, (syn, k) in enumerate(zip(syns, ks)):
            cp, cs, ss, t0 = syn[TCP].sport, syn[TCP].seq, 5000 + 1000 * i, t0s[i]
            sa = at(from_vpc6(T6_MAC[k], T6[k], REMOTE6, TCP(sport=8080, dport=cp, flags="SA",
                                                             seq=ss, ack=cs + 1)), t0 + 0.1)
            ack = at(from_inet6(REMOTE6, NLB6, TCP(sport=cp, dport=80, flags="A", seq=cs + 1,
                                                   ack=ss + 1)), t0 + 0.2)
            data = at(from_inet6(REMOTE6, NLB6, TCP(sport=cp, dport=80, flags="PA",
                                                    seq=cs + 1, ack=ss + 1) /
                                 Raw(b"still here" if i == 0 else b"too late")),
                      t0 + 0.2 + (349.0 if i == 0 else 351.0))
            ins["internet"] += [syn.copy(), ack, data]
            ins["vpc"].append(sa)
            exp["vpc"] += [(t0, xlated(syn, M_VPC, T6_MAC[k], dst=T6[k], dport=8080)),
                           (t0 + 0.2, xlated(ack, M_VPC, T6_MAC[k], dst=T6[k], dport=8080))]
            exp["internet"].append((t0 + 0.1, xlated(sa, M_INET, M_NH, src=NLB6, sport=80)))
            td = t0 + 0.2 + (349.0 if i == 0 else 351.0)
            if i == 0:
                exp["vpc"].append((td, xlated(data, M_VPC, T6_MAC[k], dst=T6[k], dport=8080)))
            else:
                exp["internet"].append((td, rst6(data, M_INET)))
        ins["internet"].sort(key=lambda p: p.time)
        return Case("nlb6_idle_timeout", config(), ins,
                    {port: [Exp(e) for _, e in sorted(v, key=lambda x: x[0])]
                     for port, v in exp.items()},
                    ignore=lambda p: ICMPv6ND_RA in p,     # periodic router advertisements
                    counters={"nlb.web6.listeners.tcp:80.TCP_ELB_Reset_Count": 1,
                              "drops.nlb_idle_timeout": 1, "ports.internet.generated": 1})

    return TwoPhaseCase("nlb6_idle_timeout", build)


def case_nlb6_reply_nacl():
    """SPEC §3 NACLs on the way back to a client inside the VPC, as an IPv4
    NLB's reply meets them: the NLB subnet's outbound and the client
    subnet's inbound NACL (IPv6 rules). client-a's inbound NACL denies UDP
    to port 5000 from lb-a's /64, lb-a's outbound denies UDP to port 5002
    towards client-a's /64: of three answers from the target only the one to
    port 5001 reaches the client; the queries all reach the target."""
    cfg = config()
    allow = [{"rule": 100, "protocol": "all", "cidr": "::/0", "action": "allow"},
             {"rule": 101, "protocol": "all", "cidr": "0.0.0.0/0", "action": "allow"}]
    cfg["network_acls"] = [
        {"name": "cl", "ingress": [{"rule": 10, "protocol": "udp", "ports": "5000",
                                    "cidr": PFX + "0::/64", "action": "deny"}] + allow,
         "egress": allow},
        {"name": "lb", "ingress": allow,
         "egress": [{"rule": 10, "protocol": "udp", "ports": "5002", "cidr": PFX + "1::/64",
                     "action": "deny"}] + allow}]
    for sn in cfg["vpc"]["subnets"]:
        if sn["name"] == "client-a":
            sn["network_acl"] = "cl"
        if sn["name"] == "lb-a":
            sn["network_acl"] = "lb"
    qs = [at(from_vpc6(C6_MAC, C6, NLB6, UDP(sport=5000 + i, dport=53) / Raw(b"q%d" % i)),
             0.01 * i) for i in range(3)]
    ans = [at(from_vpc6(DNS6_MAC, DNS6, C6, UDP(sport=5353, dport=5000 + i) / Raw(b"a%d" % i)),
              0.1 + 0.01 * i) for i in range(3)]
    return Case("nlb6_reply_nacl", cfg, {"vpc": qs + ans},
                {"vpc": [Exp(xlated(q, M_VPC, DNS6_MAC, dst=DNS6, dport=5353)) for q in qs] +
                 [Exp(xlated(ans[1], M_VPC, C6_MAC, src=NLB6, sport=53), note="answer to 5001")]},
                counters={"drops.nacl_deny_in": 1, "drops.nacl_deny_out": 1,
                          "nlb.web6.listeners.udp:53.NewFlowCount": 3})


def quote4(p4, n, ttl):
    """What an IPv4 host quotes of packet p4 it received with TTL ttl: its
    header and the n bytes after it."""
    ip = Ether(bytes(p4))[IP].copy()
    ip.ttl = ttl
    del ip.chksum
    return bytes(ip)[:20 + n]


def quote6(p6, hlim):
    """What an IPv6 node quotes of packet p6 it received with hop limit hlim
    (RFC 4443 §2.4: as much as fits; these are short: all of it)."""
    ip = Ether(bytes(p6))[IPv6].copy()
    ip.hlim = hlim
    return bytes(ip)


def case_nlb6_icmp_errors():
    """ICMP errors about a flow's packets reach the other side of the flow,
    their quote translated back to what that side sent or received:
    - an IPv4 target's fragmentation needed (3/4, next-hop MTU 1400) and port
      unreachable (3/3), quoting the translated SYN (RFC 7915 §4.2): Packet
      Too Big with MTU 1420 and destination unreachable code 4, from [NLB6]
      to the client, hop limit = TTL - 1, the quote the client's SYN as it
      sent it (its ports and checksum), hop limit as the target saw it;
    - an IPv6 target's port unreachable (1/4) quoting the translated query:
      to the client from the target's address (as IPv4's NLB), the quote the
      client's query to [NLB6]:53 (UDP checksum the client's), hop limit - 1;
    - a router's Packet Too Big (MTU 1280) to [NLB6] quoting the SYN-ACK the
      NLB sent the client: to the flow's target, destination and quote the
      target's address and port (TCP checksum updated), hop limit - 1;
    - the same about the IPv4 group's flow (RFC 7915 §5.2): fragmentation
      needed with next-hop MTU 1260 from the NLB's IPv4 address to the IPv4
      target, TTL = hop limit - 1, DF clear, quoting the target's SYN-ACK as
      it sent it (to the NLB's address and port; DF, identification 0, TTL
      the hop limit quoted);
    - dropped (icmp_unsupported): a Packet Too Big to [NLB6] quoting a packet
      of no flow."""
    router = "2001:db8:99::1"
    syn4 = at(from_inet6(REMOTE6, NLB6, TCP(sport=40001, dport=81, flags="S", seq=7)), 0.0)
    q = at(from_vpc6(C6_MAC, C6, NLB6, UDP(sport=5000, dport=53) / Raw(b"query-1")), 0.01)
    syn6 = at(from_inet6(REMOTE6, NLB6, TCP(sport=40002, dport=80, flags="S", seq=100)), 0.02)

    def build(workers):
        outs, _ = first_run(config(), {"internet": [syn4.copy(), syn6.copy()], "vpc": [q.copy()]},
                            workers)
        v4 = [p for p in outs["vpc"] if IP in p and TCP in p]
        v6 = [p for p in outs["vpc"] if IPv6 in p and TCP in p]
        assert len(v4) == 1 and len(v6) == 1, "first run: %s" % outs["vpc"]
        st, k = v4[0], target_of(v6)
        # the IPv4 target's errors about the translated SYN
        e1 = at(Ether(src=T4_MAC, dst=M_VPC) / IP(src=T4, dst=NLB4, ttl=64, tos=0x10) /
                ICMP(type=3, code=4, nexthopmtu=1400) / Raw(quote4(st, 20, st[IP].ttl)), 1.0)
        e2 = at(Ether(src=T4_MAC, dst=M_VPC) / IP(src=T4, dst=NLB4, ttl=64) /
                ICMP(type=3, code=3) / Raw(quote4(st, 8, st[IP].ttl)), 1.1)
        # the IPv6 target's port unreachable about the translated query
        qt = xlated(q, M_VPC, DNS6_MAC, dst=DNS6, dport=5353)
        e3 = at(from_vpc6(DNS6_MAC, DNS6, C6, ICMPv6DestUnreach(code=4) /
                          Raw(quote6(qt, qt[IPv6].hlim))), 1.2)
        # the SYN-ACK of web6-tg's target to the client, then a router's PTB about it
        sa = at(from_vpc6(T6_MAC[k], T6[k], REMOTE6, TCP(sport=8080, dport=40002, flags="SA",
                                                         seq=5000, ack=101)), 1.3)
        sa_out = xlated(sa, M_INET, M_NH, src=NLB6, sport=80)
        e4 = at(from_inet6(router, NLB6, ICMPv6PacketTooBig(mtu=1280) /
                           Raw(quote6(sa_out, 60))), 1.4)
        # unrelated (no flow), and about the IPv4 group's flow
        other = xlated(sa, M_INET, M_NH, src=NLB6, sport=80, dport=40999)
        e5 = at(from_inet6(router, NLB6, ICMPv6PacketTooBig(mtu=1280) /
                           Raw(quote6(other, 60))), 1.5)
        back4 = Ether(src=M_INET, dst=M_NH) / IPv6(src=NLB6, dst=REMOTE6, hlim=63) / \
            TCP(sport=81, dport=40001, flags="SA", seq=1, ack=8)
        e6 = at(from_inet6(router, NLB6, ICMPv6PacketTooBig(mtu=1280) /
                           Raw(quote6(back4, 60))), 1.6)

        def err6(outer4, t6, inner6, n, hlim):
            o = Ether(bytes(outer4))
            i = Ether(bytes(inner6))[IPv6]
            inner = IPv6(tc=i.tc, fl=0, plen=i.plen, nh=i.nh, hlim=hlim, src=i.src, dst=i.dst)
            return Ether(bytes(Ether(src=M_INET, dst=M_NH) /
                               IPv6(tc=o[IP].tos, hlim=o[IP].ttl - 1, src=NLB6, dst=REMOTE6) /
                               t6 / inner / Raw(bytes(i.payload)[:n])))
        exp_inet = [Exp(err6(e1, ICMPv6PacketTooBig(mtu=1420), syn4, 20, st[IP].ttl),
                        note="fragmentation needed as Packet Too Big"),
                    Exp(err6(e2, ICMPv6DestUnreach(code=4), syn4, 8, st[IP].ttl),
                        note="port unreachable as ICMPv6"),
                    Exp(xlated(sa, M_INET, M_NH, src=NLB6, sport=80), note="SYN-ACK")]
        x3 = Ether(src=M_VPC, dst=C6_MAC) / IPv6(src=DNS6, dst=C6, hlim=63) / \
            ICMPv6DestUnreach(code=4) / Raw(quote6(q, qt[IPv6].hlim))
        x4 = Ether(src=M_VPC, dst=T6_MAC[k]) / IPv6(src=router, dst=T6[k], hlim=63) / \
            ICMPv6PacketTooBig(mtu=1280) / Raw(quote6(sa, 60))
        t4sa = IP(id=0, flags="DF", ttl=60, src=T4, dst=NLB4) / \
            TCP(sport=8080, dport=st[TCP].sport, flags="SA", seq=1, ack=8)
        x6 = Ether(src=M_VPC, dst=T4_MAC) / IP(id=0, flags=0, ttl=63, src=NLB4, dst=T4) / \
            ICMP(type=3, code=4, nexthopmtu=1260) / Raw(bytes(IP(bytes(t4sa))))
        exp_vpc = [Exp(st, note="SYN as IPv4"), Exp(qt, note="query"),
                   Exp(xlated(syn6, M_VPC, T6_MAC[k], dst=T6[k], dport=8080), note="SYN"),
                   Exp(Ether(bytes(x3)), note="port unreachable to the client"),
                   Exp(Ether(bytes(x4)), note="Packet Too Big to the target"),
                   Exp(Ether(bytes(x6)), note="fragmentation needed to the IPv4 target")]
        return Case("nlb6_icmp_errors", config(),
                    {"internet": [syn4.copy(), syn6.copy(), e4, e5, e6],
                     "vpc": [q.copy(), e1, e2, e3, sa]},
                    {"vpc": exp_vpc, "internet": exp_inet},
                    counters={"drops.icmp_unsupported": 1, "drops.icmp6_checksum": 0})

    return TwoPhaseCase("nlb6_icmp_errors", build)


CASES = {
    "nlb6_tcp_internet": case_nlb6_tcp_internet,
    "nlb6_udp_vpc": case_nlb6_udp_vpc,
    "nlb6_sticky": case_nlb6_sticky,
    "nlb6_to_ipv4": case_nlb6_to_ipv4,
    "nlb6_family": case_nlb6_family,
    "nlb6_to_ipv4_checks": case_nlb6_to_ipv4_checks,
    "nlb6_health": case_nlb6_health,
    "nlb6_rst": case_nlb6_rst,
    "nlb6_idle_timeout": case_nlb6_idle_timeout,
    "nlb6_icmp_errors": case_nlb6_icmp_errors,
    "nlb6_reply_nacl": case_nlb6_reply_nacl,
}

if __name__ == "__main__":
    sys.exit(main(CASES))
