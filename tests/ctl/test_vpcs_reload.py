#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""VPCs added and removed by reload (SPEC §8, issue #18: "reload adds and
removes VPCs, attachments and routes without disturbing the flows of the
others").

Generation 1: VPCs a (10.0.1.10) and b (10.1.1.10, ENI in group web: tcp 80
from 10.0.0.0/8, tracked) peered by pcx-ab; a opens a TCP connection to b:80
(one tracked flow); a -> 10.2.1.10 finds no route. Generation 2 adds VPC c
(10.2.1.10) first in `vpcs`, so a and b move in the list, and peers it with a:
the connection's data passes both ways with no new flow; a and c reach each
other; c -> b is not routed (no route in c's table: peering is not
transitive). Generation 3 removes c and its peering again: the connection still
passes; a -> c finds no route; c's address is in no subnet."""
import os
import json
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from ctltest import Gateway, sent_l4, tcp_to, udp_to  # noqa: E402

M_VPC = "02:00:00:00:00:01"
A, M_A = "10.0.1.10", "0a:00:00:00:01:0a"
B, M_B = "10.1.1.10", "0a:00:00:01:01:0a"
C, M_C = "10.2.1.10", "0a:00:00:02:01:0a"
CTL = os.path.join(os.path.dirname(__file__), "../../tools/vpcgw-ctl")


def config(d, gen):
    with_c = gen == 2
    vpc_a = """{ name = "a"; cidr = "10.0.0.0/16";
    subnets = ( { name = "sa"; cidr = "10.0.1.0/24"; port = "vpc"; route_table = "ra"; } ); }"""
    vpc_b = """{ name = "b"; cidr = "10.1.0.0/16";
    subnets = ( { name = "sb"; cidr = "10.1.1.0/24"; port = "vpc"; route_table = "rb"; } ); }"""
    vpc_c = """{ name = "c"; cidr = "10.2.0.0/16";
    subnets = ( { name = "sc"; cidr = "10.2.1.0/24"; port = "vpc"; route_table = "rc"; } ); }"""
    vpcs = ",\n  ".join(([vpc_c] if with_c else []) + [vpc_a, vpc_b])
    pcx = '{ name = "pcx-ab"; vpcs = [ "a", "b" ]; }'
    if with_c:
        pcx += ', { name = "pcx-ac"; vpcs = [ "c", "a" ]; }'
    ra_c = ', { destination = "10.2.0.0/16"; target = "pcx:pcx-ac"; }' if with_c else ""
    rc = """,
  { name = "rc"; routes = ( { destination = "10.0.0.0/16"; target = "pcx:pcx-ac"; } ); }""" \
        if with_c else ""
    return """
dpdk = { eal_args = [ "--no-huge", "-m", "256", "--no-pci" ]; workers = 1; mbufs = 4095;
         flow_table_size = 4096; };
ports = ( { name = "vpc"; devargs = "net_pcap0,rx_pcap=%(d)s/vpc-in.fifo,tx_pcap=%(d)s/vpc-out.pcap";
            mac = "02:00:00:00:00:01"; address = "10.0.0.1/14"; } );
neighbors = ( { port = "vpc"; address = "%(a)s"; mac = "%(ma)s"; },
              { port = "vpc"; address = "%(b)s"; mac = "%(mb)s"; },
              { port = "vpc"; address = "%(c)s"; mac = "%(mc)s"; } );
vpcs = (
  %(vpcs)s );
vpc_peering_connections = ( %(pcx)s );
route_tables = (
  { name = "ra"; routes = ( { destination = "10.1.0.0/16"; target = "pcx:pcx-ab"; }%(ra_c)s ); },
  { name = "rb"; routes = ( { destination = "10.0.0.0/16"; target = "pcx:pcx-ab"; } ); }%(rc)s );
security_groups = ( { name = "web";
                      ingress = ( { protocol = "tcp"; ports = "80"; source = "10.0.0.0/8"; } );
                      egress = ( { protocol = "all"; destination = "0.0.0.0/0"; } ); } );
interfaces = ( { address = "%(b)s"; security_groups = [ "web" ]; } );
""" % {"d": d, "a": A, "ma": M_A, "b": B, "mb": M_B, "c": C, "mc": M_C, "vpcs": vpcs,
       "pcx": pcx, "ra_c": ra_c, "rc": rc}


def tcp(mac, src, dst, sport, dport, flags, seq, ackn=0, data=b""):
    return tcp_to(M_VPC, mac, src, dst, sport, dport, flags, seq, ackn, data)


def udp(mac, src, dst, data):
    return udp_to(M_VPC, mac, src, dst, data)


def main():
    problems = []

    def check(cond, what):
        if not cond:
            problems.append(what)

    def local_routes(gw):
        r = subprocess.run(["/usr/bin/python3", CTL, "-p", gw.prefix, "--json", "show",
                            "routes"], capture_output=True, text=True, timeout=60)
        return sorted((x["table"], x["destination"]) for x in json.loads(r.stdout)
                      if x["target"] == "local")

    with Gateway(lambda d: config(d, 1), "vpcsreload") as gw:
        # generation 1: a <-> b over the peering, one tracked flow (b's group)
        gw.one(tcp(M_A, A, B, 40000, 80, "S", 100))
        gw.one(tcp(M_B, B, A, 80, 40000, "SA", 900, 101))
        gw.one(tcp(M_A, A, B, 40000, 80, "A", 101, 901))
        gw.one(udp(M_A, A, C, b"c-gen1"))          # no VPC c: no route in ra
        gw.settle("generation 1")
        check(len([x for x in sent_l4(gw) if x[0] in (A, B)]) == 3,
              "generation 1: the handshake forwarded: %s" % sent_l4(gw))
        check(gw.stat("flows/by_service/security_group/created") == 1, "one tracked flow")
        check(gw.stat("drops/no_route") == 1, "a -> c: no_route in generation 1")

        # generation 2: VPC c added first in the list, peered with a
        gw.reload_to(config(gw.dir, 2), 2)
        gw.one(tcp(M_A, A, B, 40000, 80, "PA", 101, 901, b"data-gen2"))
        gw.one(tcp(M_B, B, A, 80, 40000, "PA", 901, 110, b"reply-gen2"))
        gw.one(udp(M_A, A, C, b"c-gen2"))
        gw.one(udp(M_C, C, A, b"from-c-gen2"))
        gw.one(udp(M_C, C, B, b"c-to-b-gen2"))
        gw.settle("generation 2")
        sent = sent_l4(gw)
        check((A, B, b"data-gen2") in sent and (B, A, b"reply-gen2") in sent,
              "generation 2: the connection a <-> b passes both ways: %s" % sent)
        check((A, C, b"c-gen2") in sent and (C, A, b"from-c-gen2") in sent,
              "generation 2: a <-> c over the new peering: %s" % sent)
        check((C, B, b"c-to-b-gen2") not in sent and gw.stat("drops/no_route") == 2,
              "generation 2: c -> b not routed (no_route %d)" % gw.stat("drops/no_route"))
        check(gw.stat("flows/by_service/security_group/created") == 1,
              "generation 2: still the one flow (no new flow for the connection)")
        check(gw.telemetry("/vpcgw/config").get("vpcs") == 3,
              "generation 2: three VPCs in /vpcgw/config")
        check(local_routes(gw) == [("ra", "10.0.0.0/16"), ("rb", "10.1.0.0/16"),
                                   ("rc", "10.2.0.0/16")],
              "generation 2: each table's local route its VPC's: %s" % local_routes(gw))

        # generation 3: c and its peering removed again
        gw.reload_to(config(gw.dir, 3), 3)
        gw.one(tcp(M_A, A, B, 40000, 80, "PA", 110, 911, b"data-gen3"))
        gw.one(tcp(M_B, B, A, 80, 40000, "PA", 911, 119, b"reply-gen3"))
        gw.one(udp(M_A, A, C, b"c-gen3"))
        gw.one(udp(M_C, C, A, b"from-c-gen3"))
        gw.settle("generation 3")
        sent = sent_l4(gw)
        check((A, B, b"data-gen3") in sent and (B, A, b"reply-gen3") in sent,
              "generation 3: the connection a <-> b still passes: %s" % sent)
        check((A, C, b"c-gen3") not in sent and (C, A, b"from-c-gen3") not in sent,
              "generation 3: nothing between a and c")
        check(gw.stat("drops/no_route") == 3, "generation 3: a -> c no_route again")
        check(gw.stat("drops/src_not_in_vpc") == 1, "generation 3: c's address in no subnet")
        check(gw.stat("flows/by_service/security_group/created") == 1,
              "generation 3: still the one flow")
        check(gw.telemetry("/vpcgw/config").get("vpcs") == 2, "generation 3: two VPCs")
    st = gw.stats()
    t = st["totals"]
    check(t["rx"] == t["forwarded"] + t["local"] + t["drops"], "accounting %s" % t)
    if problems:
        print("vpcs_reload: FAIL")
        for p in problems:
            print("  - " + p)
        sys.exit(1)
    print("vpcs_reload: ok (a VPC and its peering added first in the list and removed by "
          "reload; the connection between the other VPCs passes throughout)")


if __name__ == "__main__":
    main()
