#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
pcap suite, SPEC §8 Transit Gateway. Expectations from SPEC §8: a packet
routed to tgw:NAME is looked up in the route table associated with its
source attachment; propagation installs each attachment's VPC cidr (a port
attachment: its static routes) into the tables it propagates to; for the
same prefix a static route wins over a propagated one, the longest prefix
decides first; blackhole drops (tgw_blackhole), no route drops
(tgw_no_route); a VPC attachment delivers into its VPC (local route, NACL,
SG), a port attachment to its next hop; per attachment BytesIn/Out,
PacketsIn/Out, PacketDropCountBlackhole, PacketDropCountNoRoute.

  ports   p1 10.0.0.1/16 (VPC a), p2 10.1.0.1/16 (VPC b), p3 10.2.0.1/16 (VPC c),
          p4 192.0.2.2/24 (port attachment att-onprem, next hop 192.0.2.1)
  VPCs    a 10.0.0.0/16 (subnet sa 10.0.1.0/24, table ra: 10/8 and 172.16/12 -> tgw:tgw-a)
          b 10.1.0.0/16 (subnet sb 10.1.1.0/24, table rb: 0/0 -> tgw:tgw-a)
          c 10.2.0.0/16 (subnet sc 10.2.1.0/24, table rc: 10/8 -> tgw:tgw-a)
  tgw-a   att-a (a) associated with rt-a, propagates to rt-main;
          att-b (b), att-c (c) associated with rt-main, propagate to rt-main and rt-a;
          att-onprem (p4) associated with rt-main, propagates to rt-a
  rt-a    propagated: 10.1/16 -> att-b, 10.2/16 -> att-c, 172.16/12 -> att-onprem;
          static: 10.2.0.0/16 blackhole (beats the propagated one),
                  10.2.1.128/25 -> att-c (longer: wins over the blackhole)
  rt-main propagated: 10.0/16, 10.1/16, 10.2/16 (att-a, b, c);
          static: 172.16.0.0/12 -> att-onprem, 10.99.0.0/16 blackhole

Usage: test_tgw.py --workers N [--case NAME]... [--list]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from vpcgwtest import (EAL_ARGS, Case, Ether, Exp, IP, TCP, UDP, Raw,  # noqa: E402
                       main, routed, timed)

M_P = ["02:00:00:00:00:0%d" % i for i in range(1, 5)]
A_A, M_A = "10.0.1.10", "0a:00:00:00:01:0a"
A_B, M_B = "10.1.1.10", "0a:00:00:01:01:0a"
A_C, M_C = "10.2.1.10", "0a:00:00:02:01:0a"
A_C2, M_C2 = "10.2.1.200", "0a:00:00:02:01:c8"
A_NH, M_NH = "192.0.2.1", "02:00:00:00:04:fe"
A_OP = "172.16.5.5"     # an on-premises host behind the port attachment


def config(sg=False, peering=False):
    addrs = ["10.0.0.1/16", "10.1.0.1/16", "10.2.0.1/16", "192.0.2.2/24"]
    ports = []
    for i, a in enumerate(addrs):
        n = "p%d" % (i + 1)
        ports.append({"name": n, "mac": M_P[i], "address": a,
                      "devargs": "net_pcap%d,rx_pcap={dir}/%s-in.pcap,tx_pcap={dir}/%s-out.pcap"
                      % (i, n, n)})
    c = {
        "dpdk": {"eal_args": EAL_ARGS, "workers": 1, "mbufs": 4095, "flow_table_size": 4096},
        "ports": ports,
        "neighbors": [{"port": "p1", "address": A_A, "mac": M_A},
                      {"port": "p2", "address": A_B, "mac": M_B},
                      {"port": "p3", "address": A_C, "mac": M_C},
                      {"port": "p3", "address": A_C2, "mac": M_C2},
                      {"port": "p4", "address": A_NH, "mac": M_NH}],
        "vpcs": [
            {"name": "a", "cidr": "10.0.0.0/16", "subnets": [
                {"name": "sa", "cidr": "10.0.1.0/24", "port": "p1", "route_table": "ra"}]},
            {"name": "b", "cidr": "10.1.0.0/16", "subnets": [
                {"name": "sb", "cidr": "10.1.1.0/24", "port": "p2", "route_table": "rb",
                 "network_acl": "nb"}]},
            {"name": "c", "cidr": "10.2.0.0/16", "subnets": [
                {"name": "sc", "cidr": "10.2.1.0/24", "port": "p3", "route_table": "rc"}]},
        ],
        "route_tables": [
            {"name": "ra", "routes": [{"destination": "10.0.0.0/8", "target": "tgw:tgw-a"},
                                      {"destination": "172.16.0.0/12", "target": "tgw:tgw-a"}]},
            {"name": "rb", "routes": [{"destination": "0.0.0.0/0", "target": "tgw:tgw-a"}]},
            {"name": "rc", "routes": [{"destination": "10.0.0.0/8", "target": "tgw:tgw-a"}]},
        ],
        "network_acls": [{"name": "nb", "ingress": [
            {"rule": 10, "protocol": "udp", "ports": "9", "cidr": "10.0.0.0/8",
             "action": "deny"},
            {"rule": 100, "protocol": "all", "cidr": "0.0.0.0/0", "action": "allow"}],
            "egress": [{"rule": 100, "protocol": "all", "cidr": "0.0.0.0/0",
                        "action": "allow"}]}],
        "transit_gateways": [{"name": "tgw-a", "attachments": [
            {"name": "att-a", "vpc": "a", "subnets": ["sa"], "route_table": "rt-a",
             "propagate": ["rt-main"]},
            {"name": "att-b", "vpc": "b", "subnets": ["sb"], "route_table": "rt-main",
             "propagate": ["rt-main", "rt-a"]},
            {"name": "att-c", "vpc": "c", "subnets": ["sc"], "route_table": "rt-main",
             "propagate": ["rt-main", "rt-a"]},
            {"name": "att-onprem", "port": "p4", "next_hop": A_NH, "route_table": "rt-main",
             "propagate": ["rt-a"]}],
            "route_tables": [
                {"name": "rt-a", "routes": [
                    {"destination": "10.2.0.0/16", "target": "blackhole"},
                    {"destination": "10.2.1.128/25", "attachment": "att-c"}]},
                {"name": "rt-main", "routes": [
                    {"destination": "172.16.0.0/12", "attachment": "att-onprem"},
                    {"destination": "10.99.0.0/16", "target": "blackhole"}]}]}],
    }
    if sg:
        # c's host .200 takes TCP 8080 from 10.0.0.0/8 only; a's host may send anything
        c["security_groups"] = [
            {"name": "app", "ingress": [],
             "egress": [{"protocol": "all", "destination": "0.0.0.0/0"}]},
            {"name": "db", "ingress": [{"protocol": "tcp", "ports": "8080",
                                        "source": "10.0.0.0/8"}], "egress": []}]
        c["interfaces"] = [{"address": A_A, "security_groups": ["app"]},
                           {"address": A_C2, "security_groups": ["db"]}]
    if peering:
        # a and b peered as well: a's routes to b and c over the peering; rt-main
        # sends a's cidr to att-b (b is a's peer: a TGW packet never crosses a peering)
        c["vpc_peering_connections"] = [{"name": "pcx-ab", "vpcs": ["a", "b"]}]
        c["route_tables"][0]["routes"] = [
            {"destination": "10.1.0.0/16", "target": "pcx:pcx-ab"},
            {"destination": "10.2.0.0/16", "target": "pcx:pcx-ab"}]
        c["transit_gateways"][0]["route_tables"][1]["routes"].append(
            {"destination": "10.0.0.0/16", "attachment": "att-b"})
    return c


def pkt(mac, via, src, dst, l4):
    return Ether(src=mac, dst=via) / IP(src=src, dst=dst, ttl=64) / l4


def iplen(*ps):
    return sum(len(p[IP]) for p in ps)


def att(name, **kw):
    return {"tgw.tgw-a.attachments.%s.%s" % (name, k): v for k, v in kw.items()}


def case_routes():
    """Association (a's packets in rt-a, the others' in rt-main),
    propagation (VPC cidrs; att-onprem's static route into rt-a), a static
    route over a propagated one of the same prefix (a -> 10.2.1.10
    blackholed in rt-a), the longest prefix first (a -> 10.2.1.200 by the
    /25 to att-c), blackhole and no route, out of the port attachment to its
    next hop and in from it; the counters of each attachment."""
    u = lambda s, d, data=b"x": UDP(sport=s, dport=d) / Raw(data)
    p1 = timed([
        pkt(M_A, M_P[0], A_A, A_B, u(5000, 53, b"query")),     # -> b
        pkt(M_A, M_P[0], A_A, A_C, u(5001, 53)),               # static blackhole in rt-a
        pkt(M_A, M_P[0], A_A, A_C2, u(5002, 53, b"lpm")),      # /25 -> att-c
        pkt(M_A, M_P[0], A_A, "10.3.0.5", u(5003, 53)),        # no route in rt-a
        pkt(M_A, M_P[0], A_A, A_OP, u(5004, 53, b"onprem")),   # propagated from att-onprem
    ])
    p2 = timed([pkt(M_B, M_P[1], A_B, A_A, u(53, 5000, b"answer")),
                pkt(M_B, M_P[1], A_B, "10.99.0.5", u(5005, 53))], start=0.1)
    p3 = timed([pkt(M_C, M_P[2], A_C, A_A, u(5006, 53, b"from-c"))], start=0.2)
    p4 = timed([pkt(M_NH, M_P[3], A_OP, A_B, u(5007, 53, b"from-onprem")),
                pkt(M_NH, M_P[3], A_OP, "10.99.1.1", u(5008, 53))], start=0.3)
    counters = {"drops.tgw_blackhole": 3, "drops.tgw_no_route": 1}
    counters.update(att("att-a", PacketsIn=5, BytesIn=iplen(*p1), PacketsOut=2,
                        BytesOut=iplen(p2[0], p3[0]), PacketDropCountBlackhole=1,
                        PacketDropCountNoRoute=1))
    counters.update(att("att-b", PacketsIn=2, BytesIn=iplen(*p2), PacketsOut=2,
                        BytesOut=iplen(p1[0], p4[0]), PacketDropCountBlackhole=1,
                        PacketDropCountNoRoute=0))
    counters.update(att("att-c", PacketsIn=1, BytesIn=iplen(*p3), PacketsOut=1,
                        BytesOut=iplen(p1[2]), PacketDropCountBlackhole=0))
    counters.update(att("att-onprem", PacketsIn=2, BytesIn=iplen(*p4), PacketsOut=1,
                        BytesOut=iplen(p1[4]), PacketDropCountBlackhole=1))
    return Case("tgw_routes", config(), {"p1": p1, "p2": p2, "p3": p3, "p4": p4},
                {"p2": [Exp(routed(p1[0], M_P[1], M_B)), Exp(routed(p4[0], M_P[1], M_B))],
                 "p3": [Exp(routed(p1[2], M_P[2], M_C2))],
                 "p4": [Exp(routed(p1[4], M_P[3], M_NH))],
                 "p1": [Exp(routed(p2[0], M_P[0], M_A)), Exp(routed(p3[0], M_P[0], M_A))]},
                counters=counters)


def case_policy():
    """Delivery through the TGW into a VPC meets the destination's NACL and
    SG, as over a peering (SPEC §8): a TCP connection a -> c's .200:8080
    opens (SYN, SYN-ACK by the flow, ACK); TCP 22 is refused by c's group
    (sg_deny_ingress); UDP 9 into b is refused by b's inbound NACL."""
    p1 = timed([
        pkt(M_A, M_P[0], A_A, A_C2, TCP(sport=40000, dport=8080, flags="S", seq=1)),
        pkt(M_A, M_P[0], A_A, A_C2, TCP(sport=40001, dport=22, flags="S", seq=1)),
        pkt(M_A, M_P[0], A_A, A_B, UDP(sport=5000, dport=9) / Raw(b"discard")),
    ])
    p3 = timed([pkt(M_C2, M_P[2], A_C2, A_A, TCP(sport=8080, dport=40000, flags="SA", seq=9,
                                                  ack=2))], start=0.1)
    p1 += timed([pkt(M_A, M_P[0], A_A, A_C2, TCP(sport=40000, dport=8080, flags="A", seq=2,
                                                  ack=10) / Raw(b"GET"))], start=0.2)
    counters = {"drops.sg_deny_ingress": 1, "drops.nacl_deny_in": 1}
    counters.update(att("att-a", PacketsIn=4, PacketsOut=1))
    counters.update(att("att-c", PacketsIn=1, PacketsOut=3))
    counters.update(att("att-b", PacketsOut=1))
    return Case("tgw_policy", config(sg=True), {"p1": p1, "p3": p3},
                {"p3": [Exp(routed(p1[0], M_P[2], M_C2)), Exp(routed(p1[3], M_P[2], M_C2))],
                 "p1": [Exp(routed(p3[0], M_P[0], M_A))]},
                counters=counters)


def case_port_flow():
    """A connection from a VPC to the port attachment's network: a's SYN
    leaves by its egress SG (a tracked flow) to the next hop; the SYN-ACK
    from the port attachment enters a by the local route and passes a's
    group (which has no ingress rule) by the flow; a SYN from there to c's
    .200:8080 is refused by c's group (172.16.0.0/12 is not 10.0.0.0/8)."""
    p1 = timed([pkt(M_A, M_P[0], A_A, A_OP, TCP(sport=41000, dport=443, flags="S", seq=1))])
    p4 = timed([pkt(M_NH, M_P[3], A_OP, A_A, TCP(sport=443, dport=41000, flags="SA", seq=7,
                                                  ack=2)),
                pkt(M_NH, M_P[3], A_OP, A_C2, TCP(sport=41001, dport=8080, flags="S",
                                                   seq=1))], start=0.1)
    counters = {"drops.sg_deny_ingress": 1, "flows.by_service.security_group.created": 1}
    counters.update(att("att-a", PacketsIn=1, PacketsOut=1))
    counters.update(att("att-onprem", PacketsIn=2, PacketsOut=1))
    counters.update(att("att-c", PacketsOut=1))
    return Case("tgw_port_flow", config(sg=True), {"p1": p1, "p4": p4},
                {"p4": [Exp(routed(p1[0], M_P[3], M_NH))],
                 "p1": [Exp(routed(p4[0], M_P[0], M_A))]}, counters=counters)


def case_peering():
    """Peering is not transitive (SPEC §8): a's route to c over its peering
    with b is dropped (peering_not_transitive), a reaches b over the peering;
    c -> a, which rt-main sends to att-b (b peers with a), is not carried
    over b's peering: dropped as peering_not_transitive (AWS: no traffic of a
    transit gateway crosses a peering), counted out to att-b."""
    p1 = timed([
        pkt(M_A, M_P[0], A_A, A_B, UDP(sport=5000, dport=53) / Raw(b"peer")),
        pkt(M_A, M_P[0], A_A, A_C, UDP(sport=5001, dport=53)),
    ])
    p3 = timed([pkt(M_C, M_P[2], A_C, A_A, UDP(sport=5002, dport=53))], start=0.1)
    counters = {"drops.peering_not_transitive": 2}
    counters.update(att("att-a", PacketsIn=0, PacketsOut=0))
    counters.update(att("att-c", PacketsIn=1))
    counters.update(att("att-b", PacketsOut=1, PacketsIn=0))
    return Case("tgw_peering", config(peering=True), {"p1": p1, "p3": p3},
                {"p2": [Exp(routed(p1[0], M_P[1], M_B))]}, counters=counters)


def case_unassociated():
    """An attachment with no route table associated (AWS allows it): what
    it sends finds no route (tgw_no_route, PacketDropCountNoRoute of it),
    while what others send to it is delivered."""
    c = config()
    del c["transit_gateways"][0]["attachments"][2]["route_table"]     # att-c
    p3 = timed([pkt(M_C, M_P[2], A_C, A_A, UDP(sport=5000, dport=53))])
    p1 = timed([pkt(M_A, M_P[0], A_A, A_C2, UDP(sport=5001, dport=53))], start=0.1)
    counters = {"drops.tgw_no_route": 1}
    counters.update(att("att-c", PacketsIn=1, PacketDropCountNoRoute=1, PacketsOut=1))
    counters.update(att("att-a", PacketsIn=1, PacketsOut=0))
    return Case("tgw_unassociated", c, {"p1": p1, "p3": p3},
                {"p3": [Exp(routed(p1[0], M_P[2], M_C2))]}, counters=counters)


def case_split():
    """A route longer than a subnet and inside it: rt-main blackholes
    10.0.1.64/26, inside a's subnet sa (10.0.1.0/24), whose VPC cidr att-a
    propagates into rt-main. From c (rt-main), 10.0.1.10 is delivered into a
    and 10.0.1.70 is blackholed, packet by packet in one burst, whatever
    the rest of the subnet does (SPEC §8: longest prefix first). Into b's
    subnet, whose NACL denies UDP 9 from 10.0.0.0/8: port 53 is delivered,
    port 9 denied (nacl_deny_in), in the same burst."""
    c = config()
    c["transit_gateways"][0]["route_tables"][1]["routes"].append(
        {"destination": "10.0.1.64/26", "target": "blackhole"})
    p3 = timed([pkt(M_C, M_P[2], A_C, A_A, UDP(sport=5000 + i, dport=53) / Raw(b"in"))
                if i % 2 == 0 else
                pkt(M_C, M_P[2], A_C, "10.0.1.70", UDP(sport=5000 + i, dport=53))
                for i in range(8)] +
               [pkt(M_C, M_P[2], A_C, A_B, UDP(sport=6000 + i, dport=53 if i % 2 else 9))
                for i in range(4)])
    counters = {"drops.tgw_blackhole": 4, "drops.nacl_deny_in": 2}
    counters.update(att("att-c", PacketsIn=12, PacketDropCountBlackhole=4))
    counters.update(att("att-a", PacketsOut=4))
    return Case("tgw_split", c, {"p3": p3},
                {"p1": [Exp(routed(p, M_P[0], M_A)) for p in p3[0:8:2]],
                 "p2": [Exp(routed(p, M_P[1], M_B)) for p in p3[9::2]]}, counters=counters)


CASES = {
    "tgw_split": case_split,
    "tgw_routes": case_routes,
    "tgw_policy": case_policy,
    "tgw_peering": case_peering,
    "tgw_unassociated": case_unassociated,
    "tgw_port_flow": case_port_flow,
}

if __name__ == "__main__":
    sys.exit(main(CASES))
