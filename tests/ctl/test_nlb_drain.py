#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""NLB deregistration delay by reload (SPEC §4 "Network Load Balancer": a
deregistered target keeps its flows for deregistration_delay seconds and gets
no new ones).

A UDP listener (10.0.0.100:53) over two targets, 10.0.2.20 and 10.0.2.21,
deregistration_delay 4 s. 20 flows are spread over both; a reload removes
10.0.2.20; then, within the delay, the 20 flows send again (each to the
target it had) and 20 new flows start (all to 10.0.2.21); after the delay
the flows of 10.0.2.20 no longer reach it (nlb_deregistered), those of
10.0.2.21 still do. A TCP listener (10.0.0.100:80) over the same two
addresses (port 8080): 10 connections open (SYN) before the reload; after the
delay each client sends a new SYN (new sequence number) on the same
5-tuple: on a flow of the deregistered target it is a new connection, placed
on 10.0.2.21 (issue #13), not a packet of the gone flow to drop. Checked on
vpc-out.pcap after exit, by payload (UDP) and sequence number (TCP)."""
import os
import shutil
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from ctltest import Gateway  # noqa: E402
from scapy.all import IP, TCP, UDP, Ether, Raw, rdpcap  # noqa: E402

M_VPC = "02:00:00:00:00:01"
M_CLIENT, A_CLIENT = "02:aa:0a:00:01:0a", "10.0.1.10"
TGT = [("10.0.2.20", "02:aa:0a:00:02:14"), ("10.0.2.21", "02:aa:0a:00:02:15")]
NLB = "10.0.0.100"
DELAY = 4
N = 20
NT = 10


def config(d, targets):
    tl = ", ".join('{ address = "%s"; }' % TGT[i][0] for i in targets)
    tlt = ", ".join('{ address = "%s"; port = 8080; }' % TGT[i][0] for i in targets)
    return """
dpdk = { eal_args = [ "--no-huge", "-m", "256", "--no-pci" ]; workers = 1; mbufs = 4095;
         flow_table_size = 4096; };
ports = (
  { name = "vpc"; devargs = "net_pcap0,rx_pcap=%(d)s/vpc-in.fifo,tx_pcap=%(d)s/vpc-out.pcap";
    mac = "02:00:00:00:00:01"; address = "10.0.0.1/16"; },
  { name = "internet"; devargs = "net_pcap1,rx_pcap=%(d)s/empty.pcap,tx_pcap=%(d)s/inet-out.pcap";
    mac = "02:00:00:00:01:01"; address = "198.51.100.1/24"; }
);
neighbors = ( { port = "internet"; address = "198.51.100.254"; mac = "02:00:00:00:01:fe"; },
              { port = "vpc"; address = "%(c)s"; mac = "%(cm)s"; },
              { port = "vpc"; address = "%(t0)s"; mac = "%(t0m)s"; },
              { port = "vpc"; address = "%(t1)s"; mac = "%(t1m)s"; } );
vpc = { cidr = "10.0.0.0/16";
  subnets = ( { name = "public-a"; cidr = "10.0.0.0/24"; port = "vpc"; route_table = "public"; },
              { name = "private-a"; cidr = "10.0.1.0/24"; port = "vpc"; route_table = "private"; },
              { name = "app-a"; cidr = "10.0.2.0/24"; port = "vpc"; route_table = "private"; } ); };
internet_gateway = { port = "internet"; next_hop = "198.51.100.254"; };
route_tables = (
  { name = "public"; routes = ( { destination = "0.0.0.0/0"; target = "igw"; } ); },
  { name = "private"; routes = ( { destination = "192.0.2.0/24"; target = "blackhole"; } ); }
);
network_load_balancers = ( { name = "web"; subnet = "public-a"; address = "%(nlb)s";
  listeners = ( { protocol = "udp"; port = 53; target_group = "dns-tg"; },
                { protocol = "tcp"; port = 80; target_group = "web-tg"; } ); } );
target_groups = ( { name = "dns-tg"; protocol = "udp"; port = 53; deregistration_delay = %(delay)d;
  health_check = { enabled = false; }; targets = ( %(tl)s ); },
  { name = "web-tg"; protocol = "tcp"; port = 8080; deregistration_delay = %(delay)d;
  health_check = { enabled = false; }; targets = ( %(tlt)s ); } );
""" % {"d": d, "c": A_CLIENT, "cm": M_CLIENT, "t0": TGT[0][0], "t0m": TGT[0][1],
       "t1": TGT[1][0], "t1m": TGT[1][1], "nlb": NLB, "delay": DELAY, "tl": tl, "tlt": tlt}


def query(sport, tag):
    return Ether(src=M_CLIENT, dst=M_VPC) / IP(src=A_CLIENT, dst=NLB, ttl=64) / \
        UDP(sport=sport, dport=53) / Raw(tag.encode())


def syn(sport, seq):
    return Ether(src=M_CLIENT, dst=M_VPC) / IP(src=A_CLIENT, dst=NLB, ttl=64) / \
        TCP(sport=sport, dport=80, flags="S", seq=seq)


def stat(gw, name):
    """A counter from /vpcgw/nlb or /vpcgw/stats whose key ends with name."""
    for cmd in ("/vpcgw/nlb", "/vpcgw/stats"):
        d = gw.telemetry(cmd)
        for k, v in d.items():
            if k.endswith(name) and isinstance(v, int):
                return v
    raise KeyError(name)


def listener_packets(gw, name="53"):
    d = gw.telemetry("/vpcgw/nlb")
    for k, v in d.items():
        if "listeners" in k and name in k and k.endswith("ProcessedPackets"):
            return v
    raise KeyError("listener ProcessedPackets in %s" % sorted(d))


def main():
    # the output capture is complete only once vpcgw has exited: keep the
    # directory past the with block, and remove it here
    keep = os.environ.get("VPCGW_KEEP") == "1"
    os.environ["VPCGW_KEEP"] = "1"
    try:
        return run(keep)
    finally:
        if not keep:
            os.environ.pop("VPCGW_KEEP", None)


def run(keep):
    with Gateway(lambda d: config(d, [0, 1]), "nlbdrain") as gw:
        for i in range(N):
            gw.send(query(5000 + i, "p1-%d" % i))
        for i in range(NT):
            gw.send(syn(7000 + i, 100 + i))
        gw.flush()
        gw.wait_for(lambda: listener_packets(gw) == N, "%d packets through the listener" % N)
        gw.wait_for(lambda: listener_packets(gw, "80") == NT, "%d SYNs through tcp:80" % NT)

        gw.write_config(config(gw.dir, [1]))
        gw.proc.send_signal(signal.SIGHUP)
        gw.flush()
        gw.wait_for(lambda: gw.telemetry("/vpcgw/config")["generation"] == 2, "generation 2")
        t_reload = time.time()

        for i in range(N):
            gw.send(query(5000 + i, "p2-%d" % i))
        for i in range(N):
            gw.send(query(6000 + i, "n-%d" % i))
        gw.flush()
        gw.wait_for(lambda: listener_packets(gw) == 3 * N, "%d packets through the listener" % (3 * N))
        assert time.time() - t_reload < DELAY - 1, "too slow: the delay was over before phase 2"

        # wait out the delay; vpcgw exits after 5 s without a received burst:
        # keep it fed with whole bursts (net_pcap returns after 32 packets)
        while time.time() < t_reload + DELAY + 1.5:
            gw.flush()
            time.sleep(0.5)
        for i in range(NT):
            gw.send(syn(7000 + i, 900000 + i))
        for i in range(N):
            gw.send(query(5000 + i, "p3-%d" % i))
        gw.flush()
        gw.wait_for(lambda: listener_packets(gw, "80") + stat(gw, "nlb_deregistered") >= 2 * NT,
                    "the new SYNs handled")
        gw.wait_for(lambda: listener_packets(gw) + stat(gw, "nlb_deregistered") >= 4 * N,
                    "the third round handled")
    st = gw.stats()

    path = os.path.join(gw.dir, "vpc-out.pcap")
    out = [Ether(bytes(p)) for p in rdpcap(path)] if os.path.exists(path) else []
    if not keep:
        shutil.rmtree(gw.dir, ignore_errors=True)
    sent, syns = {}, {}
    for p in out:
        if UDP in p and p[UDP].dport == 53:     # payload: scapy would read it as DNS
            sent.setdefault(bytes(p[UDP].payload).decode(errors="replace"), []).append(p[IP].dst)
        if TCP in p and p[TCP].dport == 8080 and p[TCP].flags == "S":
            syns.setdefault(p[TCP].seq, []).append(p[IP].dst)
    errors = []
    first = {}
    for i in range(N):
        d = sent.get("p1-%d" % i, [])
        if len(d) != 1 or d[0] not in (TGT[0][0], TGT[1][0]):
            errors.append("p1-%d: sent to %s, expected one target" % (i, d))
        else:
            first[i] = d[0]
    on0 = [i for i, t in first.items() if t == TGT[0][0]]
    if not on0:
        errors.append("no flow went to %s before the reload: nothing tested" % TGT[0][0])
    for i, t in first.items():
        d = sent.get("p2-%d" % i, [])
        if d != [t]:
            errors.append("p2-%d (within the delay): sent to %s, expected [%s] (its target)" %
                          (i, d, t))
        d = sent.get("p3-%d" % i, [])
        if t == TGT[0][0] and TGT[0][0] in d:
            errors.append("p3-%d (after the delay): still sent to the deregistered %s" % (i, t))
        if t == TGT[1][0] and d != [t]:
            errors.append("p3-%d (after the delay): sent to %s, expected [%s]" % (i, d, t))
    for i in range(N):
        d = sent.get("n-%d" % i, [])
        if d != [TGT[1][0]]:
            errors.append("n-%d (new flow after the reload): sent to %s, expected [%s]" %
                          (i, d, TGT[1][0]))
    tfirst = {}
    for i in range(NT):
        d = syns.get(100 + i, [])
        if len(d) != 1 or d[0] not in (TGT[0][0], TGT[1][0]):
            errors.append("SYN of %d: sent to %s, expected one target" % (7000 + i, d))
            continue
        tfirst[i] = d[0]
        d2 = syns.get(900000 + i, [])
        if d2 != [TGT[1][0]]:
            errors.append("new SYN of %d after the delay (first on %s): sent to %s, expected [%s]" %
                          (7000 + i, d[0], d2, TGT[1][0]))
    t_on0 = sum(1 for t in tfirst.values() if t == TGT[0][0])
    if not t_on0:
        errors.append("no TCP flow went to %s before the reload: nothing tested" % TGT[0][0])
    if st is not None:
        lis = st["nlb"]["web"]["listeners"]["tcp:80"]
        if lis["NewFlowCount"] != NT + t_on0:
            errors.append("tcp:80 NewFlowCount %d, expected %d (%d new connections on the "
                          "deregistered target's 5-tuples)" % (lis["NewFlowCount"], NT + t_on0, t_on0))
        dropped = st["drops"].get("nlb_deregistered", 0)
        gone = sum(1 for i in on0 if not sent.get("p3-%d" % i))
        if dropped != gone:
            errors.append("drops.nlb_deregistered = %d, %d packets of deregistered flows not sent" %
                          (dropped, gone))
    else:
        errors.append("no --stats-json at exit")
    if errors:
        print("FAIL nlb_drain\n  - " + "\n  - ".join(errors))
        return 1
    print("ok   nlb_drain (%d of %d UDP flows, %d of %d TCP connections on the deregistered "
          "target)" % (len(on0), N, t_on0, NT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
