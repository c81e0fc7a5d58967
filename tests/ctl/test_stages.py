#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Pipeline stages (issue #14): /vpcgw/stages names every stage and counts
the packets each one saw; a known flow's packets take the fast stage once
its direction has a cached action (the first known packet fills it in the
policy stage), and the translation the fast stage applies is the same the
policy stage applied (SNAT of a UDP flow: the three datagrams leave alike,
with checksums a fresh computation agrees with)."""
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(__file__))
from ctltest import Gateway  # noqa: E402
from scapy.all import IP, TCP, UDP, Ether, Raw, rdpcap  # noqa: E402
from test_telemetry import demo_config  # noqa: E402

STAGES = ["eth_input", "arp_input", "ip_input", "flow_lookup", "flow_fast", "ip_route",
          "policy", "ip_output"]


def main():
    os.environ["VPCGW_KEEP"] = "1"      # the output capture is read after the stop
    with Gateway(demo_config, "stg") as gw:
        dgram = (Ether(src="02:aa:0a:00:01:0a", dst="02:00:00:00:00:01") /
                 IP(src="10.0.1.10", dst="93.184.216.34") / UDP(sport=41000, dport=53) /
                 Raw(b"q" * 20))
        # three packets of one flow, each in a burst of its own: new (policy),
        # known (policy, fills the action), known (flow-fast)
        sent = 0
        for _ in range(3):
            gw.send(dgram)
            gw.flush()
            sent += 1
            gw.wait_for(lambda: gw.telemetry("/vpcgw/nat")["nat/nat_a/PacketsOutToDestination"]
                        == sent, "%d packets through the NAT gateway" % sent)
        # four more new flows
        for i in range(4):
            gw.send(Ether(src="02:aa:0a:00:01:0a", dst="02:00:00:00:00:01") /
                    IP(src="10.0.1.10", dst="93.184.216.34") /
                    TCP(sport=42000 + i, dport=443, flags="S"))
        gw.flush()
        gw.wait_for(lambda: gw.telemetry("/vpcgw/nat")["nat/nat_a/PacketsOutToDestination"] == 7,
                    "7 packets through the NAT gateway")
        st = gw.telemetry("/vpcgw/stages")
        missing = [s for s in STAGES if s not in st]
        assert not missing, "no stage %s in %s" % (missing, sorted(st))
        rx = gw.telemetry("/vpcgw/stats")["totals/rx"]
        assert st["eth_input"]["packets"] == rx, (st["eth_input"], rx)
        assert st["flow_fast"]["packets"] >= 1, st["flow_fast"]
        # 5 new flows and the first known packet of one: the policy stage;
        # the second known packet: the fast stage alone
        assert st["policy"]["packets"] == 6, st["policy"]
        for s in STAGES:
            assert st[s]["packets"] == 0 or st[s]["calls"] >= 1, (s, st[s])
    out = [p for p in rdpcap(os.path.join(gw.dir, "inet-out.pcap")) if UDP in p]
    same = [p for p in out if p[UDP].dport == 53]
    assert len(same) == 3, "the flow's three datagrams should leave: %r" % [
        (p[IP].src, p[UDP].sport) for p in out]
    for p in same:
        assert bytes(p[IP]) == bytes(same[0][IP]), "the fast stage's rewrite differs"
        q = p.copy()
        del q[IP].chksum
        del q[UDP].chksum
        q = Ether(bytes(q))
        assert q[IP].chksum == p[IP].chksum and q[UDP].chksum == p[UDP].chksum, \
            "checksums after the fast stage's rewrite"
        assert p[IP].ttl == 63 and p[IP].src != "10.0.1.10", (p[IP].ttl, p[IP].src)
    shutil.rmtree(gw.dir, ignore_errors=True)
    print("stages: ok (%s)" % ", ".join("%s %d" % (s, st[s]["packets"]) for s in STAGES))


if __name__ == "__main__":
    main()
