#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Security groups across a reload (SPEC §4: "Tracked flows survive a rule's
removal until they time out"; an untracked flow has no entry, so its next
packet meets the new rules).

web (10.0.1.10) allows tcp 80 from 10.0.2.0/24 (tracked: not 0.0.0.0/0) and
tcp 8080 from 0.0.0.0/0 with all egress to 0.0.0.0/0 (untracked). A client
without an ENI (10.0.2.20) opens one connection to each. A reload removes both
ingress rules: the tracked connection keeps passing, the untracked one is cut
at its next packet (sg_deny_ingress), and a new connection to port 80 is
refused."""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from ctltest import Gateway  # noqa: E402
from scapy.all import IP, TCP, Ether, Raw, rdpcap  # noqa: E402

M_VPC = "02:00:00:00:00:01"
WEB, M_WEB = "10.0.1.10", "0a:00:00:00:01:0a"
CLI, M_CLI = "10.0.2.20", "0a:00:00:00:02:14"

WEB_INGRESS = """( { protocol = "tcp"; ports = "80"; source = "10.0.2.0/24"; },
                  { protocol = "tcp"; ports = "8080"; source = "0.0.0.0/0"; } )"""


def config(d, web_ingress):
    return """
dpdk = { eal_args = [ "--no-huge", "-m", "256", "--no-pci" ]; workers = 1; mbufs = 4095;
         flow_table_size = 4096; };
ports = (
  { name = "vpc"; devargs = "net_pcap0,rx_pcap=%(d)s/vpc-in.fifo,tx_pcap=%(d)s/vpc-out.pcap";
    mac = "02:00:00:00:00:01"; address = "10.0.0.1/16"; },
  { name = "internet"; devargs = "net_pcap1,rx_pcap=%(d)s/empty.pcap,tx_pcap=%(d)s/inet-out.pcap";
    mac = "02:00:00:00:01:01"; address = "198.51.100.1/24"; }
);
neighbors = ( { port = "vpc"; address = "%(web)s"; mac = "%(mweb)s"; },
              { port = "vpc"; address = "%(cli)s"; mac = "%(mcli)s"; } );
vpc = { cidr = "10.0.0.0/16";
  subnets = ( { name = "private-a"; cidr = "10.0.1.0/24"; port = "vpc"; },
              { name = "app-a"; cidr = "10.0.2.0/24"; port = "vpc"; } ); };
security_groups = (
  { name = "web"; ingress = %(ingress)s;
    egress = ( { protocol = "all"; destination = "0.0.0.0/0"; } ); }
);
interfaces = ( { address = "%(web)s"; security_groups = [ "web" ]; } );
""" % {"d": d, "ingress": web_ingress, "web": WEB, "mweb": M_WEB, "cli": CLI, "mcli": M_CLI}


def tcp(src_mac, src, dst, sport, dport, flags, seq, ackn=0, data=b""):
    p = Ether(src=src_mac, dst=M_VPC) / IP(src=src, dst=dst, ttl=64) / \
        TCP(sport=sport, dport=dport, flags=flags, seq=seq, ack=ackn)
    return p / Raw(data) if data else p


def one(gw, p):
    """Send p in a burst of its own: the data plane looks up the flows of a
    whole rx burst at once, and a reply never shares a burst with the packet
    it answers on a real link (that one leaves only after its burst)."""
    gw.send(p)
    gw.flush()


def counting(gw):
    """Count what is written to the FIFO: net_pcap hands over whole bursts
    of 32, so vpcgw has read floor(n / 32) * 32 packets once it caught up."""
    send = gw.send
    gw.n_sent = 0

    def counted(p):
        gw.n_sent += 1
        send(p)
    gw.send = counted


def caught_up(gw):
    return stat(gw, "totals/rx") >= gw.n_sent // 32 * 32


def stat(gw, key):
    return gw.telemetry("/vpcgw/stats")[key]


def sent_tcp(gw):
    """(sport, dport, payload) of the TCP packets vpcgw sent so far on vpc."""
    path = os.path.join(gw.dir, "vpc-out.pcap")
    out = []
    for p in rdpcap(path):
        if TCP in p:
            out.append((p[TCP].sport, p[TCP].dport, bytes(p[TCP].payload)))
    return out


def main():
    problems = []

    def check(cond, what):
        if not cond:
            problems.append(what)

    with Gateway(lambda d: config(d, WEB_INGRESS), "sgreload") as gw:
        counting(gw)
        # generation 1: both connections open (the reply of the untracked one
        # is allowed by web's egress rule and must create no entry either)
        one(gw, tcp(M_CLI, CLI, WEB, 40000, 80, "S", 100))
        one(gw, tcp(M_WEB, WEB, CLI, 80, 40000, "SA", 900, 101))
        one(gw, tcp(M_CLI, CLI, WEB, 40000, 80, "A", 101, 901))
        one(gw, tcp(M_CLI, CLI, WEB, 40001, 8080, "S", 200))
        one(gw, tcp(M_WEB, WEB, CLI, 8080, 40001, "SA", 700, 201))
        one(gw, tcp(M_CLI, CLI, WEB, 40001, 8080, "A", 201, 701))
        gw.flush()
        gw.wait_for(lambda: caught_up(gw), "generation 1 processed")
        time.sleep(0.2)
        sent = sent_tcp(gw)
        check(len(sent) == 6, "generation 1: 6 packets forwarded, got %s" % (sent,))
        check(stat(gw, "flows/by_service/security_group/created") == 1,
              "generation 1: one tracked flow (port 80), the 8080 connection untracked; "
              "created %d" % stat(gw, "flows/by_service/security_group/created"))
        gen1_drops = {k: v for k, v in gw.telemetry("/vpcgw/stats").items()
                      if k.startswith("drops/") and v}
        check(not gen1_drops, "generation 1: drops %s" % gen1_drops)

        # generation 2: web has no ingress rule left
        gw.write_config(config(gw.dir, "()"))
        gw.proc.send_signal(signal.SIGHUP)
        gw.flush()
        gw.wait_for(lambda: gw.telemetry("/vpcgw/config")["generation"] == 2, "generation 2")
        deny0 = stat(gw, "drops/sg_deny_ingress")

        one(gw, tcp(M_CLI, CLI, WEB, 40000, 80, "PA", 101, 901, b"tracked"))
        one(gw, tcp(M_WEB, WEB, CLI, 80, 40000, "PA", 901, 108, b"reply"))
        one(gw, tcp(M_CLI, CLI, WEB, 40001, 8080, "PA", 201, 701, b"untracked"))
        one(gw, tcp(M_CLI, CLI, WEB, 40002, 80, "S", 300))
        gw.flush()
        gw.wait_for(lambda: caught_up(gw), "generation 2 processed")
        time.sleep(0.2)
        sent = sent_tcp(gw)
        check(stat(gw, "drops/sg_deny_ingress") - deny0 == 2,
              "generation 2: 2 sg_deny_ingress (untracked data, new SYN), got %d" %
              (stat(gw, "drops/sg_deny_ingress") - deny0))
        check((40000, 80, b"tracked") in sent, "tracked flow cut by the reload: %s" % (sent,))
        check((80, 40000, b"reply") in sent, "tracked flow's reply cut by the reload: %s" % (sent,))
        check(not any(x[0] == 40001 and x[2] == b"untracked" for x in sent),
              "untracked flow still passes after its rule was removed: %s" % (sent,))
        check(not any(x[0] == 40002 for x in sent), "new connection to the removed rule passed")
    st = gw.stats()
    t = st["totals"]
    check(t["rx"] == t["forwarded"] + t["local"] + t["drops"], "accounting %s" % t)
    if problems:
        print("sg_reload: FAIL")
        for p in problems:
            print("  - " + p)
        sys.exit(1)
    print("sg_reload: ok (tracked flow survives the rule's removal; untracked flow and "
          "new connection denied)")


if __name__ == "__main__":
    main()
