#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Gateway endpoints in telemetry (SPEC §5, §8): a running vpcgw answers
/vpcgw/gateway_endpoints with each endpoint's packets and bytes, /vpcgw/stats
includes them, and /vpcgw/routes shows the installed pl: route. The demo
configuration plus a prefix list, a fourth port and an endpoint associated
with the route table "private"."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from ctltest import Gateway  # noqa: E402
from scapy.all import IP, UDP, Ether, Raw  # noqa: E402

DEMO = os.path.join(os.path.dirname(__file__), "../../examples/demo.cfg")


def config(d):
    with open(DEMO) as f:
        text = f.read()
    text = text.replace("rx_pcap=vpc-in.pcap,tx_pcap=vpc-out.pcap",
                        "rx_pcap=%s/vpc-in.fifo,tx_pcap=%s/vpc-out.pcap" % (d, d))
    for p in ("inet", "app"):
        text = text.replace("rx_pcap=%s-in.pcap,tx_pcap=%s-out.pcap" % (p, p),
                            "rx_pcap=%s/empty.pcap,tx_pcap=%s/%s-out.pcap" % (d, d, p))
    text = text.replace('mac = "02:00:00:00:02:01"; address = "192.168.50.1/24"; }',
                        'mac = "02:00:00:00:02:01"; address = "192.168.50.1/24"; },\n'
                        '  { name = "backbone"; devargs = "net_pcap3,rx_pcap=%s/empty.pcap,'
                        'tx_pcap=%s/bb-out.pcap"; address = "192.0.2.1/24"; }' % (d, d))
    text = re.sub(r"flow_table_size = \d+;", "flow_table_size = 4096;", text)
    text = re.sub(r"mbufs = \d+;", "mbufs = 4095;", text)
    return text + """
prefix_lists = ( { name = "pl-s3"; cidrs = [ "52.216.0.0/15", "54.231.0.0/16" ]; } );
gateway_endpoints = ( { name = "vpce-s3"; prefix_list = "pl-s3"; port = "backbone";
                        next_hop = "192.0.2.9"; route_tables = [ "private" ]; } );
"""


def main():
    with Gateway(config, "vpce") as gw:
        for i in range(3):
            gw.send(Ether(src="02:aa:0a:00:01:0a", dst="02:00:00:00:00:01") /
                    IP(src="10.0.1.10", dst="52.216.1.1") / UDP(sport=5000 + i, dport=443) /
                    Raw(b"x" * 72))
        gw.flush()
        gw.wait_for(lambda: gw.telemetry("/vpcgw/gateway_endpoints")
                    .get("gateway_endpoints/vpce_s3/packets_out") == 3, "3 packets out")
        d = gw.telemetry("/vpcgw/gateway_endpoints")
        # IP bytes: 20 + 8 + 72
        assert d["gateway_endpoints/vpce_s3/bytes_out"] == 300, d
        assert d["gateway_endpoints/vpce_s3/packets_in"] == 0, d
        st = gw.telemetry("/vpcgw/stats")
        assert st["gateway_endpoints/vpce_s3/packets_out"] == 3, st
        assert st["drops/vpce_src_unknown"] == 0, st
        routes = gw.telemetry("/vpcgw/routes,table=private")
        flat = repr(routes)
        assert "pl:pl-s3" in flat and "gateway-endpoint:vpce-s3" in flat, flat
    print("gateway endpoint telemetry: ok")


if __name__ == "__main__":
    main()
