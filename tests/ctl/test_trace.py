#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Packet trace (issue #17): /vpcgw/trace,N,FILTER records the next N
matching packets only, each with its headers as received, the stages it went
through and how it ended: a NAT gateway's datagram sent out of the internet
port to the gateway's next hop with the gateway's address as source (SPEC §4,
examples/demo.cfg), a TTL-1 datagram dropped as ttl_expired; a packet the
filter does not match is not recorded; bad filters get an error."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from ctltest import Gateway  # noqa: E402
from scapy.all import IP, TCP, UDP, Ether, Raw  # noqa: E402
from test_telemetry import demo_config  # noqa: E402

NAT_ADDRS = ("198.51.100.10", "198.51.100.11")   # examples/demo.cfg nat-a
NEXT_HOP = "198.51.100.254"                       # the internet gateway's next hop


def pkt(ttl=64, sport=41000, l4=None):
    return (Ether(src="02:aa:0a:00:01:0a", dst="02:00:00:00:00:01") /
            IP(src="10.0.1.10", dst="93.184.216.34", ttl=ttl) /
            (l4 if l4 is not None else UDP(sport=sport, dport=53)) / Raw(b"q" * 20))


def records(tr):
    return [tr[str(i)] for i in range(tr["packets"])]


def main():
    with Gateway(demo_config, "trc") as gw:
        for bad, why in (("/vpcgw/trace,0", "usage"), ("/vpcgw/trace,5,colour=red", "filter key"),
                         ("/vpcgw/trace,5,dst=10.0.0.300", "bad value"),
                         ("/vpcgw/trace,5,port=nowhere", "bad value")):
            r = gw.telemetry(bad)
            assert why in r.get("error", ""), (bad, r)
        r = gw.telemetry("/vpcgw/trace,3,proto=udp,dst=93.184.216.34/32,port=vpc")
        assert r == {"armed": 3}, r
        gw.send(pkt(l4=TCP(sport=42000, dport=443, flags="S")))    # not UDP: not traced
        gw.send(pkt(sport=41000))
        gw.send(pkt(ttl=1, sport=41001))
        gw.flush()
        gw.wait_for(lambda: gw.telemetry("/vpcgw/trace")["packets"] == 2, "two traced packets")
        gw.send(pkt(sport=41000))                                   # the flow, known now
        gw.send(pkt(sport=41002))                                   # past N: not traced
        gw.flush()
        gw.wait_for(lambda: gw.telemetry("/vpcgw/trace")["packets"] == 3, "three traced packets")
        tr = gw.telemetry("/vpcgw/trace")
        assert tr["waiting"] == 0 and tr["asked"] == 3, tr
        recs = records(tr)
        first, ttl1, known = recs
        for r in recs:
            assert r["in_port"] == "vpc" and r["length"] == 62, r
        assert first["in"] == "udp 10.0.1.10:41000 > 93.184.216.34:53", first
        assert first["end"] == "sent" and first["out_port"] == "internet", first
        assert first["next_hop"] == NEXT_HOP, first
        m = re.fullmatch(r"udp ([\d.]+):(\d+) > 93\.184\.216\.34:53", first["out"])
        assert m and m.group(1) in NAT_ADDRS, first
        assert first["stages"].split()[:2] == ["eth_input", "ip_input"], first
        assert "policy" in first["stages"].split(), first
        assert ttl1["in"] == "udp 10.0.1.10:41001 > 93.184.216.34:53", ttl1
        assert ttl1["end"] == "dropped" and ttl1["drop_reason"] == "ttl_expired", ttl1
        assert "out_port" not in ttl1, ttl1
        assert known["in"] == first["in"] and known["end"] == "sent", known
        assert known["out"] == first["out"], (known, first)
        assert "flow_lookup" in known["stages"].split(), known
        # re-armed: the old records go; a port filter alone
        assert gw.telemetry("/vpcgw/trace,1,sport=42001") == {"armed": 1}
        assert gw.telemetry("/vpcgw/trace")["packets"] == 0
        gw.send(pkt(l4=TCP(sport=42001, dport=443, flags="S")))
        gw.flush()
        gw.wait_for(lambda: gw.telemetry("/vpcgw/trace")["packets"] == 1, "one traced packet")
        one = records(gw.telemetry("/vpcgw/trace"))[0]
        assert one["in"] == "tcp 10.0.1.10:42001 > 93.184.216.34:443", one
    print("trace: ok (%s)" % "; ".join("%s: %s" % (r["in"], r["end"]) for r in recs))


if __name__ == "__main__":
    main()
