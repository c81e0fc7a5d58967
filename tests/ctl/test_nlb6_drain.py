#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Deregistration delay of a dualstack NLB's IPv6 clients, by reload (SPEC §4
"Network Load Balancer", §7): a deregistered target keeps its flows for
deregistration_delay seconds and gets no new ones; after the delay its flows
end (nlb_deregistered), and a client's new SYN on the same 5-tuple is a new
connection, placed on a registered target. test_nlb_drain.py is the IPv4
model; this is the same for IPv6 clients, on both kinds of group:

  udp 53 -> dns6-tg (ipv6: [2600:1f18:a:b02::20], [..::21] port 5353):
            client address preserved, IPv6 to IPv6
  udp 54 -> dns4-tg (ipv4: 10.0.2.10, 10.0.2.11 port 53) and
  tcp 81 -> web4-tg (ipv4: the same, port 8080): translated to IPv4 from the
            NLB's private address (RFC 7915)

The reload removes the first target of each group. It also renumbers every
target after them (web6-tg keeps its two in front): a flow's packets must
keep going to the flow's own target, not to whatever sits at its old index.
Within the delay each UDP flow sends again and must reach its own target; new
flows reach the remaining targets only. After the delay the UDP flows of the
removed targets are dropped and counted, the others still reach their
target; each TCP client sends a new SYN (new sequence number) on its
5-tuple, which must reach the remaining target. Checked on
vpc-out.pcap after exit: UDP by payload, TCP by sequence number."""
import os
import shutil
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "../pcap"))
from ctltest import Gateway  # noqa: E402
from scapy.all import IP, TCP, UDP, Ether, IPv6, Raw, rdpcap  # noqa: E402
import test_nlb6 as n6  # noqa: E402
from vpcgwtest import render_top  # noqa: E402

D6 = [(n6.PFX + "2::20", "0a:00:00:00:02:20"), (n6.PFX + "2::21", "0a:00:00:00:02:21")]
T4 = [("10.0.2.10", "0a:00:00:00:02:0a"), ("10.0.2.11", "0a:00:00:00:02:0b")]
DELAY = 4
N = 20
NT = 10


def config(d, keep):
    """test_nlb6.py's topology, the vpc port fed by the FIFO; keep: the
    indexes of D6 and T4 registered."""
    c = n6.config()
    c["dpdk"]["eal_args"] = ["--no-huge", "-m", "256", "--no-pci"]
    c["ports"][0]["devargs"] = "net_pcap0,rx_pcap=%s/vpc-in.fifo,tx_pcap=%s/vpc-out.pcap" % (d, d)
    c["ports"][1]["devargs"] = "net_pcap1,rx_pcap=%s/empty.pcap,tx_pcap=%s/inet-out.pcap" % (d, d)
    c["neighbors"] = [nb for nb in c["neighbors"] if nb["address"] not in (n6.DNS6, n6.T4)]
    c["neighbors"] += [{"port": "vpc", "address": a, "mac": m} for a, m in D6 + T4]
    for tg in c["target_groups"]:
        if tg["name"] == "dns6-tg":
            tg["targets"] = [{"address": D6[i][0]} for i in keep]
            tg["deregistration_delay"] = DELAY
        if tg["name"] == "web4-tg":
            tg["targets"] = [{"address": T4[i][0]} for i in keep]
            tg["deregistration_delay"] = DELAY
    c["target_groups"].append({"name": "dns4-tg", "protocol": "udp", "port": 53,
                               "preserve_client_ip": False, "health_check": {"enabled": False},
                               "deregistration_delay": DELAY,
                               "targets": [{"address": T4[i][0]} for i in keep]})
    c["network_load_balancers"][0]["listeners"].append(
        {"protocol": "udp", "port": 54, "target_group": "dns4-tg"})
    return render_top(c)


def query(sport, tag, dport=53):
    return Ether(src=n6.C6_MAC, dst=n6.M_VPC) / IPv6(src=n6.C6, dst=n6.NLB6, hlim=64) / \
        UDP(sport=sport, dport=dport) / Raw(("%d-%s" % (dport, tag)).encode())


def syn(sport, seq):
    return Ether(src=n6.C6_MAC, dst=n6.M_VPC) / IPv6(src=n6.C6, dst=n6.NLB6, hlim=64) / \
        TCP(sport=sport, dport=81, flags="S", seq=seq)


def stat(gw, name):
    for cmd in ("/vpcgw/nlb", "/vpcgw/stats"):
        d = gw.telemetry(cmd)
        for k, v in d.items():
            if k.endswith(name) and isinstance(v, int):
                return v
    raise KeyError(name)


def listener_packets(gw, name):
    d = gw.telemetry("/vpcgw/nlb")
    for k, v in d.items():
        if "listeners" in k and name in k and k.endswith("ProcessedPackets"):
            return v
    raise KeyError("listener %s ProcessedPackets in %s" % (name, sorted(d)))


def main():
    keep = os.environ.get("VPCGW_KEEP") == "1"
    os.environ["VPCGW_KEEP"] = "1"
    try:
        return run(keep)
    finally:
        if not keep:
            os.environ.pop("VPCGW_KEEP", None)


def udp_round(gw, tag, sport0):
    for dport in (53, 54):
        for i in range(N):
            gw.send(query(sport0 + i, "%s-%d" % (tag, i), dport))


def run(keep):
    with Gateway(lambda d: config(d, [0, 1]), "nlb6drain") as gw:
        udp_round(gw, "p1", 5000)
        for i in range(NT):
            gw.send(syn(7000 + i, 100 + i))
        gw.flush()
        for ls in ("udp_53", "udp_54"):
            gw.wait_for(lambda: listener_packets(gw, ls) == N, "%d queries through %s" % (N, ls))
        gw.wait_for(lambda: listener_packets(gw, "tcp_81") == NT, "%d SYNs through tcp:81" % NT)

        gw.write_config(config(gw.dir, [1]))
        gw.proc.send_signal(signal.SIGHUP)
        gw.flush()
        gw.wait_for(lambda: gw.telemetry("/vpcgw/config")["generation"] == 2, "generation 2")
        t_reload = time.time()

        udp_round(gw, "p2", 5000)
        udp_round(gw, "n", 6000)
        gw.flush()
        for ls in ("udp_53", "udp_54"):
            gw.wait_for(lambda: listener_packets(gw, ls) == 3 * N, "the second round, " + ls)
        assert time.time() - t_reload < DELAY - 1, "too slow: the delay was over before phase 2"

        # wait out the delay; vpcgw exits after 5 s without a received burst
        while time.time() < t_reload + DELAY + 1.5:
            gw.flush()
            time.sleep(0.5)
        for i in range(NT):
            gw.send(syn(7000 + i, 900000 + i))
        udp_round(gw, "p3", 5000)
        gw.flush()
        gw.wait_for(lambda: listener_packets(gw, "udp_53") + listener_packets(gw, "udp_54") +
                    listener_packets(gw, "tcp_81") + stat(gw, "nlb_deregistered") >=
                    8 * N + 2 * NT, "the third round handled")
    path = os.path.join(gw.dir, "vpc-out.pcap")
    out = [Ether(bytes(p)) for p in rdpcap(path)] if os.path.exists(path) else []
    if not keep:
        shutil.rmtree(gw.dir, ignore_errors=True)
    sent, syns = {}, {}
    for p in out:
        if UDP in p and p[UDP].dport in (5353, 53):     # by payload: scapy would read DNS
            dst = p[IPv6].dst if IPv6 in p else p[IP].dst
            sent.setdefault(bytes(p[UDP].payload).decode(errors="replace"), []).append(dst)
        if IP in p and TCP in p and p[TCP].dport == 8080 and p[TCP].flags == "S":
            syns.setdefault(p[TCP].seq, []).append(p[IP].dst)
    errors = []
    gone = 0
    for dport, tg in ((53, D6), (54, T4)):
        first = {}
        for i in range(N):
            d = sent.get("%d-p1-%d" % (dport, i), [])
            if len(d) != 1 or d[0] not in (tg[0][0], tg[1][0]):
                errors.append("udp %d p1-%d: sent to %s, expected one target" % (dport, i, d))
            else:
                first[i] = d[0]
        on0 = [i for i, t in first.items() if t == tg[0][0]]
        if not on0 or len(on0) == len(first):
            errors.append("udp %d: %d of %d flows on %s before the reload: nothing tested" %
                          (dport, len(on0), len(first), tg[0][0]))
        for i, t in first.items():
            d = sent.get("%d-p2-%d" % (dport, i), [])
            if d != [t]:
                errors.append("udp %d p2-%d (within the delay): sent to %s, expected [%s] "
                              "(its target)" % (dport, i, d, t))
            d = sent.get("%d-p3-%d" % (dport, i), [])
            if t == tg[0][0] and d:
                errors.append("udp %d p3-%d (after the delay): still sent, to %s (deregistered "
                              "%s)" % (dport, i, d, t))
            if t == tg[1][0] and d != [t]:
                errors.append("udp %d p3-%d (after the delay): sent to %s, expected [%s]" %
                              (dport, i, d, t))
        for i in range(N):
            d = sent.get("%d-n-%d" % (dport, i), [])
            if d != [tg[1][0]]:
                errors.append("udp %d n-%d (new flow after the reload): sent to %s, expected "
                              "[%s]" % (dport, i, d, tg[1][0]))
        gone += sum(1 for i in on0 if not sent.get("%d-p3-%d" % (dport, i)))
    tfirst = {}
    for i in range(NT):
        d = syns.get(100 + i, [])
        if len(d) != 1 or d[0] not in (T4[0][0], T4[1][0]):
            errors.append("SYN of %d: sent to %s, expected one target" % (7000 + i, d))
            continue
        tfirst[i] = d[0]
        d2 = syns.get(900000 + i, [])
        if d2 != [T4[1][0]]:
            errors.append("new SYN of %d after the delay (first on %s): sent to %s, expected [%s]"
                          % (7000 + i, d[0], d2, T4[1][0]))
    t_on0 = sum(1 for t in tfirst.values() if t == T4[0][0])
    if not t_on0 or t_on0 == len(tfirst):
        errors.append("%d of %d TCP flows on %s before the reload: nothing tested" %
                      (t_on0, len(tfirst), T4[0][0]))
    st = gw.stats()
    if st is not None:
        lis = st["nlb"]["web6"]["listeners"]["tcp:81"]
        if lis["NewFlowCount"] != NT + t_on0:
            errors.append("tcp:81 NewFlowCount %d, expected %d (%d new connections on the "
                          "deregistered target's 5-tuples)" % (lis["NewFlowCount"], NT + t_on0,
                                                               t_on0))
        dropped = st["drops"].get("nlb_deregistered", 0)
        if dropped != gone:
            errors.append("drops.nlb_deregistered = %d, %d packets of deregistered flows not sent"
                          % (dropped, gone))
    else:
        errors.append("no --stats-json at exit")
    if errors:
        print("FAIL nlb6_drain\n  - " + "\n  - ".join(errors))
        return 1
    print("ok   nlb6_drain (%d UDP packets of deregistered flows dropped, %d of %d TCP "
          "connections on the deregistered target)" % (gone, t_on0, NT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
