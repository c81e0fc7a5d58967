#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
pcap suite, SPEC §8 several VPCs and VPC peering (VPCs that do not overlap,
untagged). Expectations from SPEC §8: each VPC is a routing domain of its
own; traffic for the peer's CIDR routed to pcx:NAME is delivered in the peer
VPC through its inbound NACL and SG; no transitive routing
(peering_not_transitive):

  vpcgw ports   p1 02:00:00:00:00:01 10.0.0.1/14 (static neighbors must be on the
                port's prefix: it covers prod and dev), p2 02:00:00:00:00:02 172.16.0.1/16
  VPC prod      10.0.0.0/16, subnet pa 10.0.1.0/24 on p1 (table rp)
  VPC shared    172.16.0.0/16, subnet sa 172.16.1.0/24 on p2 (table rs, NACL sn)
  VPC dev       10.2.0.0/16, subnet da 10.2.1.0/24 on p1 (no table: local only)
  peering       pcx-ps: prod <-> shared
  table rp      172.16.0.0/16 pcx:pcx-ps; 10.2.0.0/16 pcx:pcx-ps (a transitive attempt)
  table rs      10.0.0.0/16 pcx:pcx-ps
  NACL sn       inbound: deny UDP 9 from 10.0.0.0/16 (rule 10), allow all;
                outbound: allow all

Usage: test_vpcs.py --workers N [--case NAME]... [--list]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from vpcgwtest import (EAL_ARGS, Case, Ether, Exp, IP, TCP, UDP, Raw,  # noqa: E402
                       main, routed, timed)

M_P1, M_P2 = "02:00:00:00:00:01", "02:00:00:00:00:02"
M_PA, A_PA = "0a:00:00:00:01:0a", "10.0.1.10"     # prod
M_SA, A_SA = "0a:00:00:01:01:0a", "172.16.1.10"   # shared
M_DA, A_DA = "0a:00:00:02:01:0a", "10.2.1.10"     # dev
M_P3, M_VE = "02:00:00:00:00:03", "02:00:00:00:03:09"   # port p3, endpoint next hop


def config(sg=False):
    ports = [{"name": "p1", "mac": M_P1, "address": "10.0.0.1/14"},
             {"name": "p2", "mac": M_P2, "address": "172.16.0.1/16"}]
    for i, p in enumerate(ports):
        p["devargs"] = "net_pcap%d,rx_pcap={dir}/%s-in.pcap,tx_pcap={dir}/%s-out.pcap" % (
            i, p["name"], p["name"])
    c = {
        "dpdk": {"eal_args": EAL_ARGS, "workers": 1, "mbufs": 4095, "flow_table_size": 4096},
        "ports": ports,
        "neighbors": [{"port": "p1", "address": A_PA, "mac": M_PA},
                      {"port": "p2", "address": A_SA, "mac": M_SA},
                      {"port": "p1", "address": A_DA, "mac": M_DA}],
        "vpcs": [
            {"name": "prod", "cidr": "10.0.0.0/16", "subnets": [
                {"name": "pa", "cidr": "10.0.1.0/24", "port": "p1", "route_table": "rp"}]},
            {"name": "shared", "cidr": "172.16.0.0/16", "subnets": [
                {"name": "sa", "cidr": "172.16.1.0/24", "port": "p2", "route_table": "rs",
                 "network_acl": "sn"}]},
            {"name": "dev", "cidr": "10.2.0.0/16", "subnets": [
                {"name": "da", "cidr": "10.2.1.0/24", "port": "p1"}]},
        ],
        "vpc_peering_connections": [{"name": "pcx-ps", "vpcs": ["prod", "shared"]}],
        "route_tables": [
            {"name": "rp", "routes": [{"destination": "172.16.0.0/16", "target": "pcx:pcx-ps"},
                                      {"destination": "10.2.0.0/16", "target": "pcx:pcx-ps"}]},
            {"name": "rs", "routes": [{"destination": "10.0.0.0/16", "target": "pcx:pcx-ps"}]},
        ],
        "network_acls": [{"name": "sn", "ingress": [
            {"rule": 10, "protocol": "udp", "ports": "9", "cidr": "10.0.0.0/16",
             "action": "deny"},
            {"rule": 100, "protocol": "all", "cidr": "0.0.0.0/0", "action": "allow"}],
            "egress": [{"rule": 100, "protocol": "all", "cidr": "0.0.0.0/0",
                        "action": "allow"}]}],
    }
    if sg:
        # the shared host takes TCP 8080 only from prod's group "app" (a
        # group of the peer VPC, SPEC §8)
        c["security_groups"] = [
            {"name": "app", "ingress": [],
             "egress": [{"protocol": "all", "destination": "0.0.0.0/0"}]},
            {"name": "db", "ingress": [{"protocol": "tcp", "ports": "8080", "source": "sg:app"}],
             "egress": []}]
        c["interfaces"] = [{"address": A_PA, "security_groups": ["app"]},
                           {"address": A_SA, "security_groups": ["db"]}]
    return c


def pkt(mac, via, src, dst, l4):
    return Ether(src=mac, dst=via) / IP(src=src, dst=dst, ttl=64) / l4


def case_peering():
    """prod -> shared and back over the peering (TTL - 1, the peer host's
    MAC, untranslated); shared's inbound NACL applies (UDP 9 denied); prod's
    route to dev through the peering is transitive (dropped); dev has no
    route to the others (each VPC is its own routing domain)."""
    p1 = timed([
        pkt(M_PA, M_P1, A_PA, A_SA, UDP(sport=5000, dport=53) / Raw(b"query")),
        pkt(M_PA, M_P1, A_PA, A_SA, UDP(sport=5001, dport=9) / Raw(b"discard")),
        pkt(M_PA, M_P1, A_PA, A_DA, UDP(sport=5002, dport=53)),
        pkt(M_DA, M_P1, A_DA, A_PA, UDP(sport=5003, dport=53)),
        pkt(M_DA, M_P1, A_DA, A_SA, UDP(sport=5004, dport=53)),
    ])
    p2 = timed([pkt(M_SA, M_P2, A_SA, A_PA, UDP(sport=53, dport=5000) / Raw(b"answer"))],
               start=0.1)
    return Case("peering", config(), {"p1": p1, "p2": p2},
                {"p2": [Exp(routed(p1[0], M_P2, M_SA))],
                 "p1": [Exp(routed(p2[0], M_P1, M_PA))]},
                counters={"drops.nacl_deny_in": 1, "drops.peering_not_transitive": 1,
                          "drops.no_route": 2})


def case_peering_sg():
    """A security group of the peer VPC as a source (sg:app of prod in
    shared's group db): the SYN from prod's ENI is delivered, the answer
    returns by the flow; TCP 22 is refused by db (sg_deny_ingress)."""
    p1 = timed([
        pkt(M_PA, M_P1, A_PA, A_SA, TCP(sport=40000, dport=8080, flags="S", seq=1)),
        pkt(M_PA, M_P1, A_PA, A_SA, TCP(sport=40001, dport=22, flags="S", seq=1)),
    ])
    p2 = timed([pkt(M_SA, M_P2, A_SA, A_PA, TCP(sport=8080, dport=40000, flags="SA", seq=9,
                                                 ack=2))], start=0.1)
    return Case("peering_sg", config(sg=True), {"p1": p1, "p2": p2},
                {"p2": [Exp(routed(p1[0], M_P2, M_SA))],
                 "p1": [Exp(routed(p2[0], M_P1, M_PA))]},
                counters={"drops.sg_deny_ingress": 1})


def case_vpce_two_vpcs():
    """A gateway endpoint of VPC prod among several VPCs (SPEC §8): prod's
    table sends the list's traffic to it; what comes back is delivered into
    prod only: to an address of dev it has no route."""
    c = config()
    c["ports"].append({"name": "p3", "mac": M_P3, "address": "192.0.2.1/24",
                       "devargs": "net_pcap2,rx_pcap={dir}/p3-in.pcap,tx_pcap={dir}/p3-out.pcap"})
    c["neighbors"].append({"port": "p3", "address": "192.0.2.9", "mac": M_VE})
    c["prefix_lists"] = [{"name": "pl-s3", "cidrs": ["52.216.0.0/15"]}]
    c["gateway_endpoints"] = [{"name": "vpce-s3", "vpc": "prod", "prefix_list": "pl-s3",
                               "port": "p3", "next_hop": "192.0.2.9", "route_tables": ["rp"]}]
    p1 = timed([pkt(M_PA, M_P1, A_PA, "52.216.1.1", UDP(sport=5000, dport=443) / Raw(b"get"))])
    p3 = timed([pkt(M_VE, M_P3, "52.216.1.1", A_PA, UDP(sport=443, dport=5000) / Raw(b"obj")),
                pkt(M_VE, M_P3, "52.216.1.1", A_DA, UDP(sport=443, dport=5000) / Raw(b"obj"))],
               start=0.1)
    return Case("vpce_two_vpcs", c, {"p1": p1, "p3": p3},
                {"p3": [Exp(routed(p1[0], M_P3, M_VE))],
                 "p1": [Exp(routed(p3[0], M_P1, M_PA))]},
                counters={"drops.no_route": 1,
                          "gateway_endpoints.vpce-s3.packets_out": 1,
                          "gateway_endpoints.vpce-s3.packets_in": 1})


def case_ipv4_not_by_ipv6_route():
    """Route tables hold IPv4 and IPv6 routes side by side (SPEC §7): an IPv6
    route is not an IPv4 one. test_ipv6's configuration: table private has
    only 2001:db8:beef::/48 -> igw, so IPv4 from private-a to 8.8.8.8 has no
    route (before issue #18's route-table build, an IPv6 route entered the
    IPv4 table as 0.0.0.0/0 and this went to the IGW)."""
    import test_ipv6
    p = timed([Ether(src="0a:00:00:00:01:0a", dst=test_ipv6.M_VPC) /
               IP(src="10.0.1.10", dst="8.8.8.8") / UDP(sport=1, dport=2)])
    return Case("ipv4_not_by_ipv6_route", test_ipv6.base_config(), {"vpc": p}, {},
                counters={"drops.no_route": 1})


def case_dual_stack():
    """One VPC of `vpcs` dual stack (SPEC §7, §8): shared gets the /56
    2600:1f18:a:b00::/56 and two more subnets on p2, sb b02::/64 and sc
    b03::/64 (no NACL); IPv6 from sb's host to sc's is routed by the local
    route (hop limit - 1, the neighbor's MAC, nothing else changes); IPv6 on
    p1 (prod's and dev's port, IPv4-only VPCs) is dropped
    (ipv6_unsupported); IPv4 over the peering is as before."""
    from scapy.all import IPv6
    pfx = "2600:1f18:a:b0"
    b6, c6 = pfx + "2::10", pfx + "3::10"
    m_b, m_c = "0a:00:00:01:02:0a", "0a:00:00:01:03:0a"
    c = config()
    c["vpcs"][1]["ipv6_cidr"] = pfx + "0::/56"
    c["vpcs"][1]["subnets"] += [
        {"name": "sb", "cidr": "172.16.2.0/24", "ipv6_cidr": pfx + "2::/64", "port": "p2"},
        {"name": "sc", "cidr": "172.16.3.0/24", "ipv6_cidr": pfx + "3::/64", "port": "p2"}]
    c["neighbors"] += [{"port": "p2", "address": b6, "mac": m_b},
                       {"port": "p2", "address": c6, "mac": m_c}]
    p2 = timed([Ether(src=m_b, dst=M_P2) / IPv6(src=b6, dst=c6, hlim=64) /
                UDP(sport=5000, dport=53) / Raw(b"v6")])
    p1 = timed([Ether(src=M_PA, dst=M_P1) / IPv6(src=pfx + "1::10", dst=c6) /
                UDP(sport=1, dport=2),
                pkt(M_PA, M_P1, A_PA, A_SA, UDP(sport=5001, dport=53) / Raw(b"v4"))], start=0.1)
    fwd = Ether(bytes(p2[0]))
    fwd[Ether].src, fwd[Ether].dst = M_P2, m_c
    fwd[IPv6].hlim = 63
    return Case("vpcs_dual_stack", c, {"p1": p1, "p2": p2},
                {"p2": [Exp(Ether(bytes(fwd)), note="IPv6 sb -> sc"),
                        Exp(routed(p1[1], M_P2, M_SA), note="IPv4 over the peering")]},
                counters={"drops.ipv6_unsupported": 1})


CASES = {
    "vpcs_dual_stack": case_dual_stack,
    "peering": case_peering,
    "peering_sg": case_peering_sg,
    "ipv4_not_by_ipv6_route": case_ipv4_not_by_ipv6_route,
    "vpce_two_vpcs": case_vpce_two_vpcs,
}

if __name__ == "__main__":
    sys.exit(main(CASES))
