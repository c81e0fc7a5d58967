#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Transit gateway attachments and routes across reloads (SPEC §8, issue #18:
"reload adds and removes ... attachments and routes without disturbing the
flows of the others").

VPCs a (10.0.1.10), b (10.1.1.10, ENI in group web: tcp 80 from 10.0.0.0/8,
tracked) and c (10.2.1.10) on one port. Generation 1: a and b attached to
tgw-x (rt-main, both propagating); a opens a TCP connection to b:80 (one
tracked flow). Generation 2 adds c's attachment, c's route to the TGW and a
static blackhole 10.9.0.0/16: the connection's data passes both ways, no new
flow; a reaches c; 10.9.0.5 is blackholed. Generation 3 removes c's attachment
again: the connection still passes; a -> c finds no route in the TGW."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from ctltest import Gateway, sent_l4, tcp_to, udp_to  # noqa: E402

M_VPC = "02:00:00:00:00:01"
A, M_A = "10.0.1.10", "0a:00:00:00:01:0a"
B, M_B = "10.1.1.10", "0a:00:00:01:01:0a"
C, M_C = "10.2.1.10", "0a:00:00:02:01:0a"


def config(d, gen):
    with_c = gen == 2
    att_c = """,
    { name = "att-c"; vpc = "c"; subnets = [ "sc" ]; route_table = "rt-main";
      propagate = [ "rt-main" ]; }""" if with_c else ""
    rc = '{ destination = "10.0.0.0/8"; target = "tgw:tgw-x"; }' if with_c else ""
    static = '{ destination = "10.9.0.0/16"; target = "blackhole"; }' if gen >= 2 else ""
    return """
dpdk = { eal_args = [ "--no-huge", "-m", "256", "--no-pci" ]; workers = 1; mbufs = 4095;
         flow_table_size = 4096; };
ports = ( { name = "vpc"; devargs = "net_pcap0,rx_pcap=%(d)s/vpc-in.fifo,tx_pcap=%(d)s/vpc-out.pcap";
            mac = "02:00:00:00:00:01"; address = "10.0.0.1/14"; } );
neighbors = ( { port = "vpc"; address = "%(a)s"; mac = "%(ma)s"; },
              { port = "vpc"; address = "%(b)s"; mac = "%(mb)s"; },
              { port = "vpc"; address = "%(c)s"; mac = "%(mc)s"; } );
vpcs = (
  { name = "a"; cidr = "10.0.0.0/16";
    subnets = ( { name = "sa"; cidr = "10.0.1.0/24"; port = "vpc"; route_table = "ra"; } ); },
  { name = "b"; cidr = "10.1.0.0/16";
    subnets = ( { name = "sb"; cidr = "10.1.1.0/24"; port = "vpc"; route_table = "rb"; } ); },
  { name = "c"; cidr = "10.2.0.0/16";
    subnets = ( { name = "sc"; cidr = "10.2.1.0/24"; port = "vpc"; route_table = "rc"; } ); } );
route_tables = (
  { name = "ra"; routes = ( { destination = "10.0.0.0/8"; target = "tgw:tgw-x"; } ); },
  { name = "rb"; routes = ( { destination = "10.0.0.0/8"; target = "tgw:tgw-x"; } ); },
  { name = "rc"; routes = ( %(rc)s ); } );
security_groups = ( { name = "web"; ingress = ( { protocol = "tcp"; ports = "80"; source = "10.0.0.0/8"; } );
                      egress = ( { protocol = "all"; destination = "0.0.0.0/0"; } ); } );
interfaces = ( { address = "%(b)s"; security_groups = [ "web" ]; } );
transit_gateways = ( { name = "tgw-x";
  attachments = (
    { name = "att-a"; vpc = "a"; subnets = [ "sa" ]; route_table = "rt-main"; propagate = [ "rt-main" ]; },
    { name = "att-b"; vpc = "b"; subnets = [ "sb" ]; route_table = "rt-main"; propagate = [ "rt-main" ]; }%(att_c)s );
  route_tables = ( { name = "rt-main"; routes = ( %(static)s ); } ); } );
""" % {"d": d, "a": A, "ma": M_A, "b": B, "mb": M_B, "c": C, "mc": M_C, "rc": rc,
       "att_c": att_c, "static": static}


def tcp(mac, src, dst, sport, dport, flags, seq, ackn=0, data=b""):
    return tcp_to(M_VPC, mac, src, dst, sport, dport, flags, seq, ackn, data)


def udp(mac, src, dst, data):
    return udp_to(M_VPC, mac, src, dst, data)


def main():
    problems = []

    def check(cond, what):
        if not cond:
            problems.append(what)

    def att(gw, name, counter):
        # telemetry names keep [A-Za-z0-9_/] only (docs/OBSERVABILITY.md)
        return gw.telemetry("/vpcgw/tgw").get("tgw/tgw_x/attachments/%s/%s" %
                                              (name.replace("-", "_"), counter))

    with Gateway(lambda d: config(d, 1), "tgwreload") as gw:
        # generation 1: a <-> b through the TGW, one tracked flow (b's group)
        gw.one(tcp(M_A, A, B, 40000, 80, "S", 100))
        gw.one(tcp(M_B, B, A, 80, 40000, "SA", 900, 101))
        gw.one(tcp(M_A, A, B, 40000, 80, "A", 101, 901))
        gw.one(udp(M_A, A, C, b"c-gen1"))          # c is not attached: no route in rt-main
        gw.settle("generation 1")
        check(len([x for x in sent_l4(gw) if x[0] in (A, B)]) == 3,
              "generation 1: the handshake forwarded: %s" % sent_l4(gw))
        check(gw.stat("flows/by_service/security_group/created") == 1, "one tracked flow")
        check(gw.stat("drops/tgw_no_route") == 1, "a -> c: tgw_no_route in generation 1")

        # generation 2: c attached, a static blackhole
        gw.reload_to(config(gw.dir, 2), 2)
        gw.one(tcp(M_A, A, B, 40000, 80, "PA", 101, 901, b"data-gen2"))
        gw.one(tcp(M_B, B, A, 80, 40000, "PA", 901, 110, b"reply-gen2"))
        gw.one(udp(M_A, A, C, b"c-gen2"))
        gw.one(udp(M_C, C, A, b"from-c-gen2"))
        gw.one(udp(M_A, A, "10.9.0.5", b"bh"))
        gw.settle("generation 2")
        sent = sent_l4(gw)
        check((A, B, b"data-gen2") in sent and (B, A, b"reply-gen2") in sent,
              "generation 2: the connection a <-> b passes both ways: %s" % sent)
        check((A, C, b"c-gen2") in sent and (C, A, b"from-c-gen2") in sent,
              "generation 2: a <-> c through the new attachment: %s" % sent)
        check(gw.stat("drops/tgw_blackhole") == 1, "generation 2: the new static blackhole")
        check(gw.stat("flows/by_service/security_group/created") == 1,
              "generation 2: still the one flow (no new flow for the connection)")
        check(att(gw, "att-c", "PacketsIn") == 1 and att(gw, "att-c", "PacketsOut") == 1,
              "att-c counted one packet each way")

        # generation 3: c's attachment removed again
        gw.reload_to(config(gw.dir, 3), 3)
        gw.one(tcp(M_A, A, B, 40000, 80, "PA", 110, 911, b"data-gen3"))
        gw.one(tcp(M_B, B, A, 80, 40000, "PA", 911, 119, b"reply-gen3"))
        gw.one(udp(M_A, A, C, b"c-gen3"))
        gw.settle("generation 3")
        sent = sent_l4(gw)
        check((A, B, b"data-gen3") in sent and (B, A, b"reply-gen3") in sent,
              "generation 3: the connection a <-> b still passes: %s" % sent)
        check((A, C, b"c-gen3") not in sent, "generation 3: nothing reaches c")
        check(gw.stat("drops/tgw_no_route") == 2, "generation 3: a -> c tgw_no_route again")
        check(att(gw, "att-c", "PacketsIn") is None, "att-c gone from /vpcgw/tgw")
        check(att(gw, "att-a", "PacketsIn") == 8 and att(gw, "att-b", "PacketsIn") == 3,
              "att-a and att-b counted across the reloads (a: %s, b: %s)" %
              (att(gw, "att-a", "PacketsIn"), att(gw, "att-b", "PacketsIn")))
    st = gw.stats()
    t = st["totals"]
    check(t["rx"] == t["forwarded"] + t["local"] + t["drops"], "accounting %s" % t)
    if problems:
        print("tgw_reload: FAIL")
        for p in problems:
            print("  - " + p)
        sys.exit(1)
    print("tgw_reload: ok (an attachment and a route added and removed by reload; the "
          "connection between the other attachments passes throughout)")


if __name__ == "__main__":
    main()
