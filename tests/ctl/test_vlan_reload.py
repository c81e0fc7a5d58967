#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Overlapping VPCs across reloads (SPEC §8, issue #18: "reload adds and
removes VPCs ... without disturbing the flows of the others").

Port vpc is a trunk: VPC blue (10.0.0.0/16, b1 VLAN 10, b2 VLAN 11) and VPC
red (10.0.0.0/16, r1 VLAN 20, r2 VLAN 21); 10.0.2.20 in blue is an ENI whose
group takes TCP 80 and sends nothing of its own: its answers pass only by the
connection's flow. Generation 1: blue's client opens a connection to it (one
tracked flow). Generation 2 adds VPC green (172.16.0.0/16, untagged on the
same port): the connection's data passes both ways (its flow is kept, no new
flow), red still forwards, green forwards. Generation 3 removes green again:
the connection still passes; green's address is no longer routed. A reload
that adds a VLAN is refused (the VLAN ports are ports), generation 3 stays."""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from ctltest import Gateway  # noqa: E402
from scapy.all import IP, TCP, UDP, Dot1Q, Ether, Raw, rdpcap  # noqa: E402

M_VPC = "02:00:00:00:00:01"
C, S = "10.0.1.10", "10.0.2.20"
G = "172.16.1.10"
MAC = {10: "0a:00:00:0b:01:0a", 11: "0a:00:00:0b:02:14", 20: "0a:00:00:0e:01:0a",
       21: "0a:00:00:0e:02:14", 0: "0a:00:00:10:01:0a"}


def config(d, gen, extra_vlan=False):
    green = """,
  { name = "green"; cidr = "172.16.0.0/16";
    subnets = ( { name = "g1"; cidr = "172.16.1.0/24"; port = "vpc"; } ); }""" \
        if gen == 2 else ""
    r3 = """,
      { name = "r3"; cidr = "10.0.3.0/24"; port = "vpc"; vlan = 22; }""" if extra_vlan else ""
    return """
dpdk = { eal_args = [ "--no-huge", "-m", "256", "--no-pci" ]; workers = 1; mbufs = 4095;
         flow_table_size = 4096; };
ports = ( { name = "vpc"; devargs = "net_pcap0,rx_pcap=%(d)s/vpc-in.fifo,tx_pcap=%(d)s/vpc-out.pcap";
            mac = "02:00:00:00:00:01"; address = "10.0.0.1/8"; } );
vpcs = (
  { name = "blue"; cidr = "10.0.0.0/16"; subnets = (
      { name = "b1"; cidr = "10.0.1.0/24"; port = "vpc"; vlan = 10; },
      { name = "b2"; cidr = "10.0.2.0/24"; port = "vpc"; vlan = 11; } ); },
  { name = "red"; cidr = "10.0.0.0/16"; subnets = (
      { name = "r1"; cidr = "10.0.1.0/24"; port = "vpc"; vlan = 20; },
      { name = "r2"; cidr = "10.0.2.0/24"; port = "vpc"; vlan = 21; }%(r3)s ); }%(green)s );
security_groups = ( { name = "web"; ingress = ( { protocol = "tcp"; ports = "80"; source = "10.0.0.0/16"; } );
                      egress = (); } );
interfaces = ( { address = "%(s)s"; vpc = "blue"; security_groups = [ "web" ]; } );
""" % {"d": d, "s": S, "green": green, "r3": r3}


def tagged(vlan, src, dst, l4):
    e = Ether(src=MAC[vlan], dst=M_VPC)
    return (e / Dot1Q(vlan=vlan) if vlan else e) / IP(src=src, dst=dst, ttl=64) / l4


def seed(vlan, addr):
    """The host's ARP reply: vpcgw learns its MAC on that VLAN."""
    from scapy.all import ARP
    e = Ether(src=MAC[vlan], dst=M_VPC)
    return (e / Dot1Q(vlan=vlan) if vlan else e) / ARP(op=2, hwsrc=MAC[vlan], psrc=addr,
                                                       hwdst=M_VPC, pdst="0.0.0.0")


def main():
    problems = []

    def check(cond, what):
        if not cond:
            problems.append(what)

    def one(gw, p):
        gw.n_sent += 1
        gw.send(p)
        gw.flush()
        gw.n_sent += 32

    def settle(gw, what):
        gw.wait_for(lambda: stat(gw, "totals/rx") >= gw.n_sent // 32 * 32, what)
        time.sleep(0.2)

    def stat(gw, key):
        return gw.telemetry("/vpcgw/stats")[key]

    def out(gw):
        """(VLAN, src, dst, payload) of every TCP/UDP frame vpcgw sent."""
        res = []
        path = os.path.join(gw.dir, "vpc-out.pcap")
        if not os.path.exists(path) or os.path.getsize(path) <= 24:
            return res
        for p in rdpcap(path):
            if IP in p and (TCP in p or UDP in p):
                res.append((p[Dot1Q].vlan if Dot1Q in p else 0, p[IP].src, p[IP].dst,
                            bytes((p[TCP] if TCP in p else p[UDP]).payload)))
        return res

    def reload(gw, text, gen):
        gw.write_config(text)
        gw.proc.send_signal(signal.SIGHUP)
        gw.flush()
        gw.n_sent += 32
        if gen is not None:
            gw.wait_for(lambda: gw.telemetry("/vpcgw/config")["generation"] == gen,
                        "generation %d" % gen)

    with Gateway(lambda d: config(d, 1), "vlanreload") as gw:
        gw.n_sent = 0
        for v, a in ((10, C), (11, S), (20, C), (21, S)):
            one(gw, seed(v, a))
        # generation 1: blue's connection (tracked: the ENI's group)
        one(gw, tagged(10, C, S, TCP(sport=40000, dport=80, flags="S", seq=100)))
        one(gw, tagged(11, S, C, TCP(sport=80, dport=40000, flags="SA", seq=900, ack=101)))
        one(gw, tagged(10, C, S, TCP(sport=40000, dport=80, flags="A", seq=101, ack=901)))
        settle(gw, "generation 1")
        check(len([x for x in out(gw) if x[1] in (C, S)]) == 3,
              "generation 1: the handshake forwarded: %s" % out(gw))
        check(stat(gw, "flows/by_service/security_group/created") == 1, "one tracked flow")

        # generation 2: VPC green added
        reload(gw, config(gw.dir, 2), 2)
        one(gw, seed(0, G))
        one(gw, tagged(10, C, S, TCP(sport=40000, dport=80, flags="PA", seq=101, ack=901) /
                       Raw(b"data-gen2")))
        one(gw, tagged(11, S, C, TCP(sport=80, dport=40000, flags="PA", seq=901, ack=110) /
                       Raw(b"reply-gen2")))
        one(gw, tagged(20, C, S, UDP(sport=5000, dport=53) / Raw(b"red-gen2")))
        one(gw, tagged(20, C, G, UDP(sport=5000, dport=53) / Raw(b"red-to-green")))
        settle(gw, "generation 2")
        sent = out(gw)
        check((11, C, S, b"data-gen2") in sent and (10, S, C, b"reply-gen2") in sent,
              "generation 2: blue's connection passes both ways, tagged: %s" % sent)
        check((21, C, S, b"red-gen2") in sent, "generation 2: red forwards on VLAN 21")
        check(not any(x[3] == b"red-to-green" for x in sent),
              "generation 2: red has no route to green (no peering)")
        check(stat(gw, "flows/by_service/security_group/created") == 1,
              "generation 2: still the one flow")

        # generation 3: green removed
        reload(gw, config(gw.dir, 3), 3)
        one(gw, tagged(10, C, S, TCP(sport=40000, dport=80, flags="PA", seq=110, ack=911) /
                       Raw(b"data-gen3")))
        one(gw, tagged(11, S, C, TCP(sport=80, dport=40000, flags="PA", seq=911, ack=119) /
                       Raw(b"reply-gen3")))
        settle(gw, "generation 3")
        sent = out(gw)
        check((11, C, S, b"data-gen3") in sent and (10, S, C, b"reply-gen3") in sent,
              "generation 3: blue's connection still passes: %s" % sent)
        check(stat(gw, "flows/by_service/security_group/created") == 1,
              "generation 3: still the one flow")

        # a new VLAN is a new port: refused, generation 3 stays
        reload(gw, config(gw.dir, 3, extra_vlan=True), None)
        gw.wait_for(lambda: "reload" in gw.output() and "cannot change" in gw.output(),
                    "the rejection of a new VLAN")
        check(gw.telemetry("/vpcgw/config")["generation"] == 3, "generation 3 kept")
    st = gw.stats()
    t = st["totals"]
    check(t["rx"] == t["forwarded"] + t["local"] + t["drops"], "accounting %s" % t)
    if problems:
        print("vlan_reload: FAIL")
        for p in problems:
            print("  - " + p)
        sys.exit(1)
    print("vlan_reload: ok (a VPC added and removed beside two overlapping VPCs; the "
          "connection in one of them passes throughout; a new VLAN is refused)")


if __name__ == "__main__":
    main()
