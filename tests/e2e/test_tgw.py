# SPDX-License-Identifier: BSD-3-Clause
"""
e2e-tgw: three VPCs in namespaces, two of them peered, all three on one
transit gateway (SPEC §8, issue #18): real TCP connections succeed or time
out exactly as the VPC and TGW route tables say.

  ns a  10.0.1.10/24  VPC a 10.0.0.0/16 on port pa; table ra: 10.1/16 -> pcx:pcx-ab,
                      10.2/16 -> tgw:tgw-x
  ns b  10.1.1.10/24  VPC b 10.1.0.0/16 on port pb; table rb: 10.0/16 -> pcx:pcx-ab,
                      10.2/16 -> tgw:tgw-x
  ns c  10.2.1.10/24  VPC c 10.2.0.0/16 on port pc; table rc: 10.0.0.0/8 -> tgw:tgw-x
  tgw-x att-a, att-c associated with rt-main, att-b with rt-b; all propagate into
        both; rt-b has 10.2.0.0/16 -> blackhole (static over propagated)

  a <-> b  over the peering: connects both ways
  a <-> c  through the TGW (rt-main): connects both ways
  b -> c   blackholed in rt-b: times out
  c -> b   the SYN is delivered (rt-main), the SYN-ACK blackholed: times out
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2etest import SERVERS, check, log, run  # noqa: E402

HOSTS = {"a": "10.0.1.10", "b": "10.1.1.10", "c": "10.2.1.10"}

CFG = """
dpdk = { workers = %(workers)d; mbufs = 8191; flow_table_size = 65536; };
ports = (
  { name = "pa"; devargs = "%(pa)s"; mac = "02:00:00:00:00:01"; address = "10.0.0.1/16"; },
  { name = "pb"; devargs = "%(pb)s"; mac = "02:00:00:00:00:02"; address = "10.1.0.1/16"; },
  { name = "pc"; devargs = "%(pc)s"; mac = "02:00:00:00:00:03"; address = "10.2.0.1/16"; } );
vpcs = (
  { name = "a"; cidr = "10.0.0.0/16";
    subnets = ( { name = "sa"; cidr = "10.0.1.0/24"; port = "pa"; route_table = "ra"; } ); },
  { name = "b"; cidr = "10.1.0.0/16";
    subnets = ( { name = "sb"; cidr = "10.1.1.0/24"; port = "pb"; route_table = "rb"; } ); },
  { name = "c"; cidr = "10.2.0.0/16";
    subnets = ( { name = "sc"; cidr = "10.2.1.0/24"; port = "pc"; route_table = "rc"; } ); } );
vpc_peering_connections = ( { name = "pcx-ab"; vpcs = [ "a", "b" ]; } );
route_tables = (
  { name = "ra"; routes = ( { destination = "10.1.0.0/16"; target = "pcx:pcx-ab"; },
                            { destination = "10.2.0.0/16"; target = "tgw:tgw-x"; } ); },
  { name = "rb"; routes = ( { destination = "10.0.0.0/16"; target = "pcx:pcx-ab"; },
                            { destination = "10.2.0.0/16"; target = "tgw:tgw-x"; } ); },
  { name = "rc"; routes = ( { destination = "10.0.0.0/8"; target = "tgw:tgw-x"; } ); } );
transit_gateways = ( { name = "tgw-x";
  attachments = (
    { name = "att-a"; vpc = "a"; subnets = [ "sa" ]; route_table = "rt-main";
      propagate = [ "rt-main", "rt-b" ]; },
    { name = "att-b"; vpc = "b"; subnets = [ "sb" ]; route_table = "rt-b";
      propagate = [ "rt-main", "rt-b" ]; },
    { name = "att-c"; vpc = "c"; subnets = [ "sc" ]; route_table = "rt-main";
      propagate = [ "rt-main", "rt-b" ]; } );
  route_tables = ( { name = "rt-main"; },
                   { name = "rt-b"; routes = ( { destination = "10.2.0.0/16";
                                                 target = "blackhole"; } ); } ); } );
"""


def body(env):
    devargs = {p: env.add_port(p) for p in ("pa", "pb", "pc")}
    ns = {}
    for v, addr in HOSTS.items():
        ns[v] = env.add_host(v, "p" + v, addr + "/24", gateway=addr.rsplit(".", 2)[0] + ".1.1")
        env.spawn(ns[v], SERVERS + ["--name", v, "--tcp", "80"], v + "-servers")
    for v in HOSTS:
        env.wait_listen(ns[v], 80)
    env.start_vpcgw(CFG % dict(devargs, workers=env.workers))

    def tcp(src, dst, want):
        res = env.probe(ns[src], "tcp", HOSTS[dst], 80, timeout=2)
        if want == "connects":
            ok = res["result"] == "connected" and res["reply"].startswith("%s tcp/80 " % dst)
        else:
            ok = res["result"] == "timeout"
        check(ok, "%s -> %s tcp/80 %s: %s" % (src, dst, want, res))

    tcp("a", "b", "connects")       # peering
    tcp("b", "a", "connects")
    tcp("a", "c", "connects")       # TGW, rt-main both ways
    tcp("c", "a", "connects")
    tcp("b", "c", "times out")      # rt-b: blackhole
    tcp("c", "b", "times out")      # the SYN-ACK meets rt-b's blackhole

    st = env.stop_vpcgw()
    drops = env.drops()
    log("drops: %s" % drops)
    att = st["tgw"]["tgw-x"]["attachments"]
    log("attachments: %s" % att)
    # each timed-out connection is a SYN and at least one retransmission
    check(drops.get("tgw_blackhole", 0) >= 4,
          "tgw_blackhole counts b's SYNs and SYN-ACKs (%d)" % drops.get("tgw_blackhole", 0))
    check(att["att-b"]["PacketDropCountBlackhole"] == drops.get("tgw_blackhole", 0),
          "all of them on att-b's counter")
    check(att["att-a"]["PacketsIn"] > 0 and att["att-a"]["PacketsOut"] > 0 and
          att["att-c"]["PacketsIn"] > 0 and att["att-c"]["PacketsOut"] > 0,
          "a and c exchanged packets through the TGW")
    check(att["att-b"]["PacketsOut"] >= 2, "c's SYNs reached b through the TGW")
    check(att["att-a"]["PacketsIn"] == att["att-c"]["PacketsOut"] and
          att["att-c"]["PacketsIn"] - att["att-b"]["PacketsOut"] == att["att-a"]["PacketsOut"],
          "every packet a sent to the TGW went out to c, and c's to a or b")


if __name__ == "__main__":
    run("tgw", body)
