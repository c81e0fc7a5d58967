#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Flow listing of IPv6 flows (issue #16, SPEC §7): /vpcgw/flows/list shows
an IPv6 flow with its full addresses (the flow table keys them folded to 32
bits), "[addr]:port" both ways; addr= takes an IPv6 address and finds its
flows, an IPv4 address none of them; proto=icmpv6. examples/ipv6.cfg: an ENI
of private-a (security group "web") reaching the internet through the
egress-only internet gateway."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from ctltest import Gateway  # noqa: E402
from scapy.all import ICMPv6EchoRequest, IPv6, TCP, UDP, Ether, Raw  # noqa: E402

EXAMPLE = os.path.join(os.path.dirname(__file__), "../../examples/ipv6.cfg")
ENI6 = "2600:1f18:a:b01::10"
FAR = ("2001:db8:1234::7", "2001:db8:1234::8")


def config(d):
    with open(EXAMPLE) as f:
        text = f.read()
    text = text.replace("rx_pcap=vpc-in.pcap,tx_pcap=vpc-out.pcap",
                        "rx_pcap=%s/vpc-in.fifo,tx_pcap=%s/vpc-out.pcap" % (d, d))
    text = text.replace("rx_pcap=inet-in.pcap,tx_pcap=inet-out.pcap",
                        "rx_pcap=%s/empty.pcap,tx_pcap=%s/inet-out.pcap" % (d, d))
    return re.sub(r"flow_table_size = \d+;", "flow_table_size = 4096;", text)


def flows(gw, params=""):
    r = gw.telemetry("/vpcgw/flows/list" + params)
    assert "error" not in r, r
    return r, [r[k] for k in sorted((k for k in r if k.isdigit()), key=int)]


def main():
    with Gateway(config, "fl6") as gw:
        def pkt(dst, l4):
            return (Ether(src="0a:00:00:00:01:0a", dst="02:00:00:00:00:01") /
                    IPv6(src=ENI6, dst=dst, hlim=64) / l4)

        gw.send(pkt(FAR[0], TCP(sport=42000, dport=443, flags="S")))
        gw.send(pkt(FAR[1], UDP(sport=41000, dport=53) / Raw(b"q")))
        gw.send(pkt(FAR[0], ICMPv6EchoRequest(id=0x77, seq=1)))
        gw.flush()
        gw.wait_for(lambda: flows(gw)[0]["matched"] == 3, "3 IPv6 flows")
        r, fl = flows(gw, ",proto=tcp")
        assert r["matched"] == 1, r
        f = fl[0]
        assert f["service"] == "sg", f
        assert f["original"] == "tcp [%s]:42000 > [%s]:443" % (ENI6, FAR[0]), f
        assert f["reply"] == "tcp [%s]:443 > [%s]:42000" % (FAR[0], ENI6), f
        assert f["state"] == "syn_sent", f
        r, fl = flows(gw, ",addr=%s" % FAR[1])
        assert [x["original"] for x in fl] == ["udp [%s]:41000 > [%s]:53" % (ENI6, FAR[1])], fl
        r, fl = flows(gw, ",addr=%s" % ENI6)
        assert r["matched"] == 3, r
        r, fl = flows(gw, ",proto=icmpv6")
        assert r["matched"] == 1 and fl[0]["original"].startswith("icmpv6 [%s]:" % ENI6), fl
        # an IPv4 filter never names an IPv6 flow (their keys hold folded addresses)
        for a in ("10.0.1.10", "0.0.0.1"):
            r, fl = flows(gw, ",addr=%s" % a)
            assert r["matched"] == 0, (a, r)
        e = gw.telemetry("/vpcgw/flows/list,addr=2001:db8::zz")
        assert "bad value" in e.get("error", ""), e
    print("flows/list: ok (IPv6 flows with their addresses, IPv6 filters)")


if __name__ == "__main__":
    main()
