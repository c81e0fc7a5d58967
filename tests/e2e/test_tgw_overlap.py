# SPDX-License-Identifier: BSD-3-Clause
"""
e2e-tgw-overlap: three VPCs in namespaces, one overlapping another (SPEC §8,
issue #18): a and c have the same CIDR (on ports of their own, which tell
them apart), a is peered with b, all three are on one transit gateway. Real
Linux TCP connections succeed or time out exactly as the VPC and TGW route
tables say; each server names itself in its reply, so a connection that
reached the wrong VPC would show.

  ns a  10.0.1.10/24  VPC a 10.0.0.0/16 on port pa; table ra: 10.1/16 -> pcx:pcx-ab
  ns b  10.1.1.10/24  VPC b 10.1.0.0/16 on port pb; table rb: 10.0.1.0/24 -> pcx:pcx-ab,
                      10.0.2.0/24 -> tgw:tgw-x
  ns c  10.0.2.10/24  VPC c 10.0.0.0/16 on port pc; table rc: 10.1/16 -> tgw:tgw-x
  tgw-x att-a, att-c associated with rt-ac (att-b propagates 10.1/16 into it);
        att-b with rt-b: 10.0.2.0/24 -> att-c (static: a's and c's identical
        CIDRs cannot both be propagated into one table)

  a <-> b  over the peering (a overlaps c, b does not overlap a): connects
  b <-> c  through the transit gateway, into and out of the overlapping VPC
  a -> 10.0.2.10, c -> 10.0.1.10: each VPC's own local route (its CIDR holds
           the address, none of its subnets does): times out, never
           reaching the other VPC's host of that address range
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2etest import SERVERS, check, log, run  # noqa: E402

HOSTS = {"a": "10.0.1.10", "b": "10.1.1.10", "c": "10.0.2.10"}

CFG = """
dpdk = { workers = %(workers)d; mbufs = 8191; flow_table_size = 65536; };
ports = (
  { name = "pa"; devargs = "%(pa)s"; mac = "02:00:00:00:00:01"; address = "10.0.1.1/24"; },
  { name = "pb"; devargs = "%(pb)s"; mac = "02:00:00:00:00:02"; address = "10.1.0.1/16"; },
  { name = "pc"; devargs = "%(pc)s"; mac = "02:00:00:00:00:03"; address = "10.0.2.1/24"; } );
vpcs = (
  { name = "a"; cidr = "10.0.0.0/16";
    subnets = ( { name = "sa"; cidr = "10.0.1.0/24"; port = "pa"; route_table = "ra"; } ); },
  { name = "b"; cidr = "10.1.0.0/16";
    subnets = ( { name = "sb"; cidr = "10.1.1.0/24"; port = "pb"; route_table = "rb"; } ); },
  { name = "c"; cidr = "10.0.0.0/16";
    subnets = ( { name = "sc"; cidr = "10.0.2.0/24"; port = "pc"; route_table = "rc"; } ); } );
vpc_peering_connections = ( { name = "pcx-ab"; vpcs = [ "a", "b" ]; } );
route_tables = (
  { name = "ra"; routes = ( { destination = "10.1.0.0/16"; target = "pcx:pcx-ab"; } ); },
  { name = "rb"; routes = ( { destination = "10.0.1.0/24"; target = "pcx:pcx-ab"; },
                            { destination = "10.0.2.0/24"; target = "tgw:tgw-x"; } ); },
  { name = "rc"; routes = ( { destination = "10.1.0.0/16"; target = "tgw:tgw-x"; } ); } );
transit_gateways = ( { name = "tgw-x";
  attachments = (
    { name = "att-a"; vpc = "a"; subnets = [ "sa" ]; route_table = "rt-ac"; },
    { name = "att-b"; vpc = "b"; subnets = [ "sb" ]; route_table = "rt-b";
      propagate = [ "rt-ac" ]; },
    { name = "att-c"; vpc = "c"; subnets = [ "sc" ]; route_table = "rt-ac"; } );
  route_tables = ( { name = "rt-ac"; },
                   { name = "rt-b"; routes = ( { destination = "10.0.2.0/24";
                                                 attachment = "att-c"; } ); } ); } );
"""


def body(env):
    devargs = {p: env.add_port(p) for p in ("pa", "pb", "pc")}
    ns = {}
    for v, addr in HOSTS.items():
        ns[v] = env.add_host(v, "p" + v, addr + "/24", gateway=addr.rsplit(".", 1)[0] + ".1")
        env.spawn(ns[v], SERVERS + ["--name", v, "--tcp", "80"], v + "-servers")
    for v in HOSTS:
        env.wait_listen(ns[v], 80)
    env.start_vpcgw(CFG % dict(devargs, workers=env.workers))

    def tcp(src, dst, want, addr=None):
        res = env.probe(ns[src], "tcp", addr or HOSTS[dst], 80, timeout=2)
        if want == "connects":
            ok = res["result"] == "connected" and res["reply"].startswith("%s tcp/80 " % dst)
        else:
            ok = res["result"] == "timeout"
        check(ok, "%s -> %s tcp/80 %s: %s" % (src, addr or dst, want, res))

    tcp("a", "b", "connects")       # peering, a overlapping c
    tcp("b", "a", "connects")
    tcp("b", "c", "connects")       # transit gateway into the overlapping VPC
    tcp("c", "b", "connects")       # and out of it
    tcp("a", None, "times out", addr=HOSTS["c"])    # a's own 10.0.0.0/16
    tcp("c", None, "times out", addr=HOSTS["a"])    # c's own 10.0.0.0/16

    st = env.stop_vpcgw()
    drops = env.drops()
    log("drops: %s" % drops)
    att = st["tgw"]["tgw-x"]["attachments"]
    log("attachments: %s" % att)
    check(drops.get("no_route", 0) >= 4,
          "the SYNs a and c sent to the other's range stayed in their VPC: no_route (%d)" %
          drops.get("no_route", 0))
    check(att["att-a"]["PacketsIn"] == 0 and att["att-a"]["PacketsOut"] == 0,
          "a's traffic with b took the peering, not the transit gateway")
    check(att["att-b"]["PacketsOut"] > 0 and att["att-c"]["PacketsOut"] > 0 and
          att["att-b"]["PacketsIn"] == att["att-c"]["PacketsOut"] and
          att["att-c"]["PacketsIn"] == att["att-b"]["PacketsOut"],
          "b and c exchanged every packet through the transit gateway")


if __name__ == "__main__":
    run("tgw-overlap", body)
