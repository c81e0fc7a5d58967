#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
pcap suite, SPEC §8: a transit gateway between overlapping VPCs (issue #18).
VPCs a and c have the same CIDR and are kept apart by VLAN; both are
attached to one transit gateway with VPC b. As in AWS, the transit gateway's
route tables say where a packet goes: b's table sends 10.0.1.0/24 to a and
10.0.2.0/24 to c (static routes: the two VPCs' identical CIDRs cannot both
be propagated into one table), a's and c's send 10.1.0.0/16 to b. A packet
the transit gateway delivers into a VPC is that VPC's: its subnet is looked
up there, its NACL and its ENIs' security groups apply, it leaves tagged
with its subnet's VLAN; a connection's flow keeps each side in its own VPC
(its replies come back from there). Expectations from SPEC §8 and IEEE
802.1Q, never from vpcgw's output:

  vpcgw ports   p1 02:00:00:00:00:01 192.168.255.1/24: a trunk (VLANs only)
                p2 02:00:00:00:00:02 10.1.0.1/16: VPC b, untagged
  VPC a         10.0.0.0/16: sa 10.0.1.0/24 VLAN 10 (table ra), host A 10.0.1.10
  VPC c         10.0.0.0/16: sc 10.0.2.0/24 VLAN 20 (table rc, NACL nc:
                inbound UDP 9 denied), host C 10.0.2.10
  VPC b         10.1.0.0/16: sb 10.1.1.0/24 on p2 (table rb), host B 10.1.1.10,
                an ENI in group web-b: in TCP 80 from 10.0.0.0/8, out all
  tables        ra, rc: 10.1.0.0/16 -> tgw:tgw-1; rb: 10.0.0.0/16 -> tgw:tgw-1
  tgw-1         att-a (a), att-c (c) associated with rt-ac, att-b (b) with rt-b;
                att-b propagates to rt-ac;
                rt-b static: 10.0.1.0/24 -> att-a, 10.0.2.0/24 -> att-c,
                10.0.99.0/24 blackhole
  pcx-ab        (tgwz_peering only) a and b peered: rb 10.0.1.0/24 and ra
                10.1.1.0/24 -> pcx:pcx-ab, more specific than the tgw routes

Usage: test_tgw_zone.py --workers N [--case NAME]... [--list]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from scapy.layers.l2 import Dot1Q  # noqa: E402

from vpcgwtest import (EAL_ARGS, Case, Ether, Exp, IP, TCP, UDP, Raw, at, main)  # noqa: E402

M_P1, M_P2 = "02:00:00:00:00:01", "02:00:00:00:00:02"
A, M_A = "10.0.1.10", "0a:00:00:0a:01:0a"
C, M_C = "10.0.2.10", "0a:00:00:0c:02:0a"
B, M_B = "10.1.1.10", "0a:00:00:0b:01:0a"
VLAN_A, VLAN_C = 10, 20


def config(peering=False):
    ports = [{"name": "p1", "mac": M_P1, "address": "192.168.255.1/24"},
             {"name": "p2", "mac": M_P2, "address": "10.1.0.1/16"}]
    for i, p in enumerate(ports):
        p["devargs"] = "net_pcap%d,rx_pcap={dir}/%s-in.pcap,tx_pcap={dir}/%s-out.pcap" % (
            i, p["name"], p["name"])
    allow = {"rule": 100, "protocol": "all", "cidr": "0.0.0.0/0", "action": "allow"}
    c = {
        "dpdk": {"eal_args": EAL_ARGS, "workers": 1, "mbufs": 4095, "flow_table_size": 4096},
        "ports": ports,
        "neighbors": [{"port": "p1", "vlan": VLAN_A, "address": A, "mac": M_A},
                      {"port": "p1", "vlan": VLAN_C, "address": C, "mac": M_C},
                      {"port": "p2", "address": B, "mac": M_B}],
        "vpcs": [
            {"name": "a", "cidr": "10.0.0.0/16", "subnets": [
                {"name": "sa", "cidr": "10.0.1.0/24", "port": "p1", "vlan": VLAN_A,
                 "route_table": "ra"}]},
            {"name": "b", "cidr": "10.1.0.0/16", "subnets": [
                {"name": "sb", "cidr": "10.1.1.0/24", "port": "p2", "route_table": "rb"}]},
            {"name": "c", "cidr": "10.0.0.0/16", "subnets": [
                {"name": "sc", "cidr": "10.0.2.0/24", "port": "p1", "vlan": VLAN_C,
                 "route_table": "rc", "network_acl": "nc"}]},
        ],
        "route_tables": [
            {"name": "ra", "routes": [{"destination": "10.1.0.0/16", "target": "tgw:tgw-1"}]},
            {"name": "rb", "routes": [{"destination": "10.0.0.0/16", "target": "tgw:tgw-1"}]},
            {"name": "rc", "routes": [{"destination": "10.1.0.0/16", "target": "tgw:tgw-1"}]},
        ],
        "network_acls": [{"name": "nc", "ingress": [
            {"rule": 10, "protocol": "udp", "ports": "9", "cidr": "0.0.0.0/0",
             "action": "deny"}, allow], "egress": [allow]}],
        "security_groups": [{"name": "web-b", "ingress": [
            {"protocol": "tcp", "ports": "80", "source": "10.0.0.0/8"}],
            "egress": [{"protocol": "all", "destination": "0.0.0.0/0"}]}],
        "interfaces": [{"address": B, "security_groups": ["web-b"]}],
        "transit_gateways": [{
            "name": "tgw-1",
            "route_tables": [
                {"name": "rt-ac"},
                {"name": "rt-b", "routes": [
                    {"destination": "10.0.1.0/24", "attachment": "att-a"},
                    {"destination": "10.0.2.0/24", "attachment": "att-c"},
                    {"destination": "10.0.99.0/24", "target": "blackhole"}]}],
            "attachments": [
                {"name": "att-a", "vpc": "a", "subnets": ["sa"], "route_table": "rt-ac"},
                {"name": "att-b", "vpc": "b", "subnets": ["sb"], "route_table": "rt-b",
                 "propagate": ["rt-ac"]},
                {"name": "att-c", "vpc": "c", "subnets": ["sc"], "route_table": "rt-ac"}]}],
    }
    if peering:
        c["vpc_peering_connections"] = [{"name": "pcx-ab", "vpcs": ["a", "b"]}]
        c["route_tables"][0]["routes"].append({"destination": "10.1.1.0/24",
                                               "target": "pcx:pcx-ab"})
        c["route_tables"][1]["routes"].append({"destination": "10.0.1.0/24",
                                               "target": "pcx:pcx-ab"})
    return c


def att(**kw):
    """Counters of tgw-1's attachments: att(a_PacketsIn=1) names
    tgw.tgw-1.attachments.att-a.PacketsIn."""
    return {"tgw.tgw-1.attachments.att-%s.%s" % tuple(k.split("_", 1)): v for k, v in kw.items()}


def from_vlan(vlan, mac, src, dst, l4, ttl=64):
    return Ether(src=mac, dst=M_P1) / Dot1Q(vlan=vlan) / IP(src=src, dst=dst, ttl=ttl) / l4


def from_b(dst, l4, ttl=64):
    return Ether(src=M_B, dst=M_P2) / IP(src=B, dst=dst, ttl=ttl) / l4


def routed(p, src_mac, dst_mac, vlan=None):
    """SPEC §3.6: TTL - 1 (header checksum again), vpcgw's MAC as source, the
    neighbor's as destination, the destination subnet's VLAN tag (802.1Q,
    priority 0) or none; nothing else changes."""
    ip = IP(bytes(p[IP]))
    ip.ttl -= 1
    del ip.chksum
    e = Ether(src=src_mac, dst=dst_mac)
    return Ether(bytes(e / Dot1Q(vlan=vlan) / ip if vlan is not None else e / ip))


def to_c(p):
    return routed(p, M_P1, M_C, VLAN_C)


def to_a(p):
    return routed(p, M_P1, M_A, VLAN_A)


def to_b(p):
    return routed(p, M_P2, M_B)


def case_tgwz_b_to_c():
    """B opens TCP to C's port 22 through the transit gateway (rt-b:
    10.0.2.0/24 -> att-c): out on VLAN 20 (c's subnet), never VLAN 10 (a has
    the same range). C's SYN-ACK comes back from c's VLAN: rc -> tgw, rt-ac
    -> att-b. B's ENI admits only TCP 80: the SYN-ACK from port 22 passes as
    the reply of B's connection (a flow keyed in b's zone on B's side, in
    c's on C's), and so does B's ACK after it."""
    syn = at(from_b(C, TCP(sport=40000, dport=22, flags="S", seq=1)), 0.0)
    sa = at(from_vlan(VLAN_C, M_C, C, B, TCP(sport=22, dport=40000, flags="SA", seq=100,
                                            ack=2)), 0.1)
    ack = at(from_b(C, TCP(sport=40000, dport=22, flags="A", seq=2, ack=101)), 0.2)
    return Case("tgwz_b_to_c", config(), {"p2": [syn, ack], "p1": [sa]},
                {"p1": [Exp(to_c(syn), note="SYN on c's VLAN"),
                        Exp(to_c(ack), note="ACK on c's VLAN")],
                 "p2": [Exp(to_b(sa), note="SYN-ACK to B")]},
                counters=dict(att(b_PacketsIn=2, c_PacketsOut=2, c_PacketsIn=1, b_PacketsOut=1,
                                  a_PacketsOut=0), **{"drops.sg_deny_ingress": 0,
                          "drops.ct_invalid": 0, "flows.by_service.security_group.created": 1,
                          "flows.untracked_packets": 0}))


def case_tgwz_c_to_b():
    """C (VPC c, VLAN 20) opens TCP to B:80 (B's ENI admits it); B's SYN-ACK
    goes back to C on VLAN 20 through rt-b's route to att-c, C's ACK and
    data follow. A (VPC a) does the same from its own address: both reach
    B, each reply goes to its own VPC's VLAN."""
    syn = at(from_vlan(VLAN_C, M_C, C, B, TCP(sport=41000, dport=80, flags="S", seq=1)), 0.0)
    sa = at(from_b(C, TCP(sport=80, dport=41000, flags="SA", seq=500, ack=2)), 0.1)
    ack = at(from_vlan(VLAN_C, M_C, C, B, TCP(sport=41000, dport=80, flags="A", seq=2,
                                             ack=501) / Raw(b"GET /")), 0.2)
    syn_a = at(from_vlan(VLAN_A, M_A, A, B, TCP(sport=41000, dport=80, flags="S", seq=7)), 0.3)
    sa_a = at(from_b(A, TCP(sport=80, dport=41000, flags="SA", seq=900, ack=8)), 0.4)
    return Case("tgwz_c_to_b", config(), {"p1": [syn, ack, syn_a], "p2": [sa, sa_a]},
                {"p2": [Exp(to_b(syn), note="C's SYN"), Exp(to_b(ack), note="C's data"),
                        Exp(to_b(syn_a), note="A's SYN")],
                 "p1": [Exp(to_c(sa), note="SYN-ACK on c's VLAN"),
                        Exp(to_a(sa_a), note="SYN-ACK on a's VLAN")]},
                counters=dict(att(c_PacketsIn=2, a_PacketsIn=1, b_PacketsOut=3, c_PacketsOut=1,
                                  a_PacketsOut=1),
                              **{"flows.by_service.security_group.created": 2,
                                 "drops.ct_invalid": 0, "flows.untracked_packets": 0}))


def case_tgwz_routes():
    """What the route tables do not say does not happen: B to 10.0.3.10
    (inside both VPCs' CIDR, in no route of rt-b) is tgw_no_route; to
    10.0.99.1 tgw_blackhole; A to 10.0.2.10 stays in VPC a (its local
    route, where no subnet holds it: no_route), never reaching c; UDP 9 from
    B to C meets c's NACL (nacl_deny_in); UDP 7 from B to A reaches a."""
    ins = [at(from_b("10.0.3.10", UDP(sport=1, dport=7)), 0.0),
           at(from_b("10.0.99.1", UDP(sport=1, dport=7)), 0.1),
           at(from_b(C, UDP(sport=1, dport=9)), 0.2),
           at(from_b(A, UDP(sport=1, dport=7) / Raw(b"to-a")), 0.3)]
    a2c = at(from_vlan(VLAN_A, M_A, A, C, UDP(sport=1, dport=7)), 0.4)
    return Case("tgwz_routes", config(), {"p2": ins, "p1": [a2c]},
                {"p1": [Exp(to_a(ins[3]), note="B to A on a's VLAN")]},
                counters=dict(att(b_PacketDropCountNoRoute=1, b_PacketDropCountBlackhole=1,
                                  c_PacketsOut=1, a_PacketsOut=1),
                              **{"drops.tgw_no_route": 1, "drops.tgw_blackhole": 1,
                                 "drops.nacl_deny_in": 1, "drops.no_route": 1}))


def case_tgwz_peering():
    """A VPC that overlaps another (a) peered with one it does not overlap
    (b): B opens TCP to A:22 over pcx-ab (rb's 10.0.1.0/24 is more specific
    than the transit gateway's route), out on a's VLAN; A's SYN-ACK comes
    back over the peering (ra) as the reply of B's connection (B's ENI
    admits only TCP 80), B's ACK follows; the transit gateway counts none of
    it. C (VPC c, the same range as a) still reaches B through the transit
    gateway."""
    syn = at(from_b(A, TCP(sport=42000, dport=22, flags="S", seq=1)), 0.0)
    sa = at(from_vlan(VLAN_A, M_A, A, B, TCP(sport=22, dport=42000, flags="SA", seq=100,
                                             ack=2)), 0.1)
    ack = at(from_b(A, TCP(sport=42000, dport=22, flags="A", seq=2, ack=101)), 0.2)
    c_syn = at(from_vlan(VLAN_C, M_C, C, B, TCP(sport=42001, dport=80, flags="S", seq=1)), 0.3)
    return Case("tgwz_peering", config(peering=True), {"p2": [syn, ack], "p1": [sa, c_syn]},
                {"p1": [Exp(to_a(syn), note="SYN on a's VLAN"),
                        Exp(to_a(ack), note="ACK on a's VLAN")],
                 "p2": [Exp(to_b(sa), note="SYN-ACK to B"), Exp(to_b(c_syn), note="C's SYN")]},
                counters=dict(att(a_PacketsIn=0, a_PacketsOut=0, b_PacketsIn=0, c_PacketsIn=1,
                                  b_PacketsOut=1),
                              **{"flows.by_service.security_group.created": 2,
                                 "drops.sg_deny_ingress": 0, "flows.untracked_packets": 0}))


CASES = {
    "tgwz_peering": case_tgwz_peering,
    "tgwz_b_to_c": case_tgwz_b_to_c,
    "tgwz_c_to_b": case_tgwz_c_to_b,
    "tgwz_routes": case_tgwz_routes,
}

if __name__ == "__main__":
    sys.exit(main(CASES))
