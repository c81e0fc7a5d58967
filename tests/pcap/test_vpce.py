#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
pcap suite, SPEC §8 gateway endpoints and prefix lists. Expectations from
SPEC §8 ("a route whose destination is pl:NAME matches every CIDR of the
prefix list (longest prefix among them) and sends to the endpoint's next hop
untranslated") and §3 (NACL and SG as for any egress, TTL - 1, Ethernet
from the neighbor table, checksums right):

  vpcgw ports       vpc 02:00:00:00:00:01 10.0.0.1/16
                    internet 02:00:00:00:01:01 198.51.100.1/24
                    backbone 02:00:00:00:03:01 192.0.2.1/24
  subnets           private-a 10.0.1.0/24 (table private), app-a 10.0.2.0/24
                    (table plain: same routes, no endpoint)
  prefix list       pl-s3: 52.216.0.0/15, 54.231.0.0/16
  gateway endpoint  vpce-s3 on backbone, next hop 192.0.2.9
                    (02:00:00:00:03:09), installed in table private
  table private     0.0.0.0/0 igw, 52.0.0.0/8 blackhole (less specific than
                    the list), 54.231.128.0/17 igw (more specific than the list)
  internet gateway  next hop 198.51.100.254, elastic IPs 198.51.100.20 <->
                    10.0.1.10, 198.51.100.21 <-> 10.0.2.10

Usage: test_vpce.py --workers N [--case NAME]... [--list]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from vpcgwtest import (EAL_ARGS, Case, Ether, Exp, IP, TCP, UDP, Raw, at,  # noqa: E402
                       main, routed, timed)

M_VPC, M_INET, M_BB = "02:00:00:00:00:01", "02:00:00:00:01:01", "02:00:00:00:03:01"
M_NH, A_NH = "02:00:00:00:01:fe", "198.51.100.254"        # internet next hop
M_VE, A_VE = "02:00:00:00:03:09", "192.0.2.9"             # endpoint next hop
M_H1, A_H1 = "0a:00:00:00:01:0a", "10.0.1.10"             # private-a
M_H2, A_H2 = "0a:00:00:00:02:0a", "10.0.2.10"             # app-a
EIP1, EIP2 = "198.51.100.20", "198.51.100.21"
S3A, S3B = "52.216.7.9", "54.231.3.4"                     # in pl-s3
S3_OVER = "54.231.200.1"                                  # in the list and in 54.231.128.0/17
NET52 = "52.1.2.3"                                        # 52.0.0.0/8 only


def base_config(nacl=False, sg=False):
    ports = [
        {"name": "vpc", "mac": M_VPC, "address": "10.0.0.1/16"},
        {"name": "internet", "mac": M_INET, "address": "198.51.100.1/24"},
        {"name": "backbone", "mac": M_BB, "address": "192.0.2.1/24"},
    ]
    for i, p in enumerate(ports):
        p["devargs"] = "net_pcap%d,rx_pcap={dir}/%s-in.pcap,tx_pcap={dir}/%s-out.pcap" % (
            i, p["name"], p["name"])
    routes = [{"destination": "0.0.0.0/0", "target": "igw"},
              {"destination": "52.0.0.0/8", "target": "blackhole"},
              {"destination": "54.231.128.0/17", "target": "igw"}]
    private = {"name": "private-a", "cidr": "10.0.1.0/24", "port": "vpc",
               "route_table": "private"}
    if nacl:
        private["network_acl"] = "pa"
    c = {
        "dpdk": {"eal_args": EAL_ARGS, "workers": 1, "mbufs": 4095, "flow_table_size": 4096},
        "ports": ports,
        "neighbors": [
            {"port": "internet", "address": A_NH, "mac": M_NH},
            {"port": "backbone", "address": A_VE, "mac": M_VE},
            {"port": "vpc", "address": A_H1, "mac": M_H1},
            {"port": "vpc", "address": A_H2, "mac": M_H2},
        ],
        "vpc": {"cidr": "10.0.0.0/16", "subnets": [
            private,
            {"name": "app-a", "cidr": "10.0.2.0/24", "port": "vpc", "route_table": "plain"},
        ]},
        "internet_gateway": {"port": "internet", "next_hop": A_NH,
                             "elastic_ips": [{"public": EIP1, "private": A_H1},
                                             {"public": EIP2, "private": A_H2}]},
        "route_tables": [{"name": "private", "routes": routes},
                         {"name": "plain", "routes": routes}],
        "prefix_lists": [{"name": "pl-s3", "cidrs": ["52.216.0.0/15", "54.231.0.0/16"]}],
        "gateway_endpoints": [{"name": "vpce-s3", "vpc": "default", "prefix_list": "pl-s3",
                               "port": "backbone", "next_hop": A_VE,
                               "route_tables": ["private"]}],
    }
    if nacl:
        c["network_acls"] = [{"name": "pa", "ingress": [
            {"rule": 100, "protocol": "all", "cidr": "0.0.0.0/0", "action": "allow"}],
            "egress": [
            {"rule": 50, "protocol": "tcp", "ports": "443", "cidr": "52.217.0.0/16",
             "action": "deny"},
            {"rule": 100, "protocol": "all", "cidr": "0.0.0.0/0", "action": "allow"}]}]
    if sg:
        c["security_groups"] = [{"name": "web", "ingress": [],
                                 "egress": [{"protocol": "tcp", "ports": "443",
                                             "destination": "0.0.0.0/0"}]}]
        c["interfaces"] = [{"address": A_H1, "security_groups": ["web"]}]
    return c


def from_host(mac, src, dst, l4, ttl=64):
    return Ether(src=mac, dst=M_VPC) / IP(src=src, dst=dst, ttl=ttl) / l4


def from_bb(src, dst, l4, ttl=64):
    return Ether(src=M_VE, dst=M_BB) / IP(src=src, dst=dst, ttl=ttl) / l4


def to_endpoint(p):
    """SPEC §8: untranslated, to the endpoint's next hop (its MAC from the
    neighbor table), TTL - 1 and the checksum recomputed by scapy."""
    return Exp(routed(p, M_BB, M_VE))


def case_vpce_route():
    """Each CIDR of the list goes to the endpoint; the list's /16 beats the
    table's 52.0.0.0/8 blackhole; the table's 54.231.128.0/17 beats the
    list's /16 (igw, elastic IP); outside the list: the default route; a
    table without the endpoint (app-a) never uses it. Returns from the
    endpoint come back into the VPC, untranslated."""
    out = timed([
        from_host(M_H1, A_H1, S3A, UDP(sport=5000, dport=443) / Raw(b"get-object")),
        from_host(M_H1, A_H1, S3B, TCP(sport=40000, dport=443, flags="S", seq=7)),
        from_host(M_H1, A_H1, S3_OVER, UDP(sport=5001, dport=443) / Raw(b"x")),
        from_host(M_H1, A_H1, "8.8.8.8", UDP(sport=5002, dport=53) / Raw(b"dns")),
        from_host(M_H1, A_H1, NET52, UDP(sport=5003, dport=80)),
        from_host(M_H2, A_H2, S3B, UDP(sport=5004, dport=443) / Raw(b"app")),
        from_host(M_H1, A_H1, S3A, UDP(sport=5005, dport=443) / Raw(b"t" * 300), ttl=9),
    ])
    back = timed([
        from_bb(S3A, A_H1, UDP(sport=443, dport=5000) / Raw(b"object")),
        from_bb(S3B, A_H1, TCP(sport=443, dport=40000, flags="SA", seq=99, ack=8)),
    ], start=0.2)
    return Case("vpce_route", base_config(), {"vpc": out, "backbone": back},
                {"backbone": [to_endpoint(out[0]), to_endpoint(out[1]), to_endpoint(out[6])],
                 "internet": [Exp(routed(out[2], M_INET, M_NH, src=EIP1)),
                              Exp(routed(out[3], M_INET, M_NH, src=EIP1)),
                              Exp(routed(out[5], M_INET, M_NH, src=EIP2))],
                 "vpc": [Exp(routed(p, M_VPC, M_H1)) for p in back]},
                counters={"drops.route_blackhole": 1,
                          "gateway_endpoints.vpce-s3.packets_out": 3,
                          "gateway_endpoints.vpce-s3.bytes_out":
                              sum(len(out[i][IP]) for i in (0, 1, 6)),
                          "gateway_endpoints.vpce-s3.packets_in": 2,
                          "gateway_endpoints.vpce-s3.bytes_in": sum(len(p[IP]) for p in back)})


def case_vpce_policy():
    """Through the endpoint as any egress: the subnet's outbound NACL (TCP
    443 to 52.217.0.0/16 denied) and the ENI's egress SG (TCP 443 only); the
    SG's flow lets the endpoint's answer in though the SG has no ingress
    rule; on the backbone, a source outside the list is dropped
    (vpce_src_unknown), and an unsolicited packet from the list meets the
    SG (no ingress rule: denied)."""
    out = timed([
        from_host(M_H1, A_H1, S3A, TCP(sport=40001, dport=443, flags="S", seq=1)),
        from_host(M_H1, A_H1, "52.217.1.1", TCP(sport=40003, dport=443, flags="S")),
        from_host(M_H1, A_H1, S3B, UDP(sport=5000, dport=53)),
    ])
    back = [at(from_bb(S3A, A_H1, TCP(sport=443, dport=40001, flags="SA", seq=50, ack=2)), 0.2),
            at(from_bb("8.8.8.8", A_H1, UDP(sport=53, dport=5000)), 0.21),
            at(from_bb(S3B, A_H1, TCP(sport=443, dport=40002, flags="S", seq=1)), 0.22)]
    ack = [at(from_host(M_H1, A_H1, S3A, TCP(sport=40001, dport=443, flags="A", seq=2,
                                              ack=51)), 0.3)]
    return Case("vpce_policy", base_config(nacl=True, sg=True),
                {"vpc": out + ack, "backbone": back},
                {"backbone": [to_endpoint(out[0]), to_endpoint(ack[0])],
                 "vpc": [Exp(routed(back[0], M_VPC, M_H1))]},
                counters={"drops.nacl_deny_out": 1, "drops.sg_deny_egress": 1,
                          "drops.vpce_src_unknown": 1, "drops.sg_deny_ingress": 1,
                          "gateway_endpoints.vpce-s3.packets_out": 2,
                          "gateway_endpoints.vpce-s3.packets_in": 2})


def case_vpce_vpcs_one():
    """The same as vpce_route, with the VPC given as `vpcs = ( { name =
    "prod"; ... } )` (SPEC §8: one VPC in the list behaves as `vpc = {...}`)
    and the endpoint naming it."""
    c = case_vpce_route()
    cfg = c.config
    vpc = cfg.pop("vpc")
    cfg["vpcs"] = [dict({"name": "prod"}, **vpc)]
    cfg["gateway_endpoints"][0]["vpc"] = "prod"
    c.name = "vpce_vpcs_one"
    return c


CASES = {
    "vpce_route": case_vpce_route,
    "vpce_policy": case_vpce_policy,
    "vpce_vpcs_one": case_vpce_vpcs_one,
}

if __name__ == "__main__":
    sys.exit(main(CASES))
