#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Telemetry (SPEC §5): a running vpcgw answers every /vpcgw command with JSON
holding the counters under the names of SPEC §4, through the telemetry socket
and through dpdk-telemetry.py."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from ctltest import Gateway  # noqa: E402
from scapy.all import IP, TCP, UDP, Ether  # noqa: E402

DEMO = os.path.join(os.path.dirname(__file__), "../../examples/demo.cfg")


def demo_config(d):
    """examples/demo.cfg with port 0 fed by the test's FIFO, small tables."""
    with open(DEMO) as f:
        text = f.read()
    text = text.replace("rx_pcap=vpc-in.pcap,tx_pcap=vpc-out.pcap",
                        "rx_pcap=%s/vpc-in.fifo,tx_pcap=%s/vpc-out.pcap" % (d, d))
    for p in ("inet", "app"):
        text = text.replace("rx_pcap=%s-in.pcap,tx_pcap=%s-out.pcap" % (p, p),
                            "rx_pcap=%s/empty.pcap,tx_pcap=%s/%s-out.pcap" % (d, d, p))
    text = re.sub(r"flow_table_size = \d+;", "flow_table_size = 4096;", text)
    text = re.sub(r"mbufs = \d+;", "mbufs = 4095;", text)
    return text


EXPECT = {
    "/vpcgw/stats": ["totals/rx", "totals/drops", "drops/ttl_expired",
                     "drops/conntrack_allowance_exceeded", "flows/active",
                     "security_groups/web/allowed", "interfaces/10_0_1_10/denied"],
    "/vpcgw/ports": ["ports/vpc/rx", "ports/internet/tx", "ports/appliances/generated"] +
                    ["ports/vpc/%s_ipv%d%s" % (d, v, b) for d in ("rx", "tx") for v in (4, 6)
                     for b in ("", "_bytes")],
    "/vpcgw/flows": ["flows/active", "flows/capacity", "flows/by_service/nat/active",
                     "flows/by_service/security_group/created", "tcp_states/established", "tcp_states/syn_sent"],
    "/vpcgw/nat": ["nat/nat_a/" + n for n in (
        "ActiveConnectionCount", "ConnectionAttemptCount", "ConnectionEstablishedCount",
        "ErrorPortAllocation", "IdleTimeoutCount", "PacketsDropCount", "BytesInFromSource",
        "BytesOutToDestination", "BytesInFromDestination", "BytesOutToSource",
        "PacketsInFromSource", "PacketsOutToDestination", "PacketsInFromDestination",
        "PacketsOutToSource")] +
                  ["nat/nat_a/IPv%d%sSource" % (v, n) for v in (4, 6) for n in (
                      "BytesInFrom", "BytesOutTo", "PacketsInFrom", "PacketsOutTo")],
    "/vpcgw/nlb": ["nlb/web/listeners/tcp_80/" + n for n in (
        "ActiveFlowCount", "NewFlowCount", "ProcessedBytes", "TCP_ELB_Reset_Count")] +
                  ["nlb/web/ConsumedLCUs", "target_groups/web_tg/HealthyHostCount",
                   "target_groups/web_tg/UnHealthyHostCount"],
    "/vpcgw/gwlb": ["gwlb/inspect/" + n for n in (
        "ActiveFlowCount", "NewFlowCount", "ProcessedBytes", "HealthyHostCount",
        "UnHealthyHostCount", "lcu/ConsumedLCUs")],
    "/vpcgw/lcu": ["nlb/web/tcp_80/lcu/ConsumedLCUs", "nlb/web/udp_53/lcu/new_flows_per_s",
                   "gwlb/inspect/lcu/ConsumedLCUs"],
    "/vpcgw/config": ["file", "generation", "workers", "clock", "flow_table_size"],
}


def main():
    with Gateway(demo_config, "tel") as gw:
        # NAT traffic from the private subnet, so counters are not all zero
        for i in range(5):
            gw.send(Ether(src="02:aa:0a:00:01:0a", dst="02:00:00:00:00:01") /
                    IP(src="10.0.1.10", dst="93.184.216.34") /
                    TCP(sport=40000 + i, dport=443, flags="S"))
        gw.send(Ether(src="02:aa:0a:00:01:0a", dst="02:00:00:00:00:01") /
                IP(src="10.0.1.10", dst="9.9.9.9", ttl=1) / UDP(sport=1, dport=2))
        gw.flush()
        gw.wait_for(lambda: gw.telemetry("/vpcgw/nat")["nat/nat_a/ConnectionAttemptCount"] == 5,
                    "5 NAT connection attempts")
        for cmd, keys in EXPECT.items():
            d = gw.telemetry(cmd)
            assert isinstance(d, dict), (cmd, d)
            missing = [k for k in keys if k not in d]
            assert not missing, "%s lacks %s; has %s" % (cmd, missing, sorted(d)[:40])
        st = gw.telemetry("/vpcgw/stats")
        assert st["drops/ttl_expired"] == 1, st
        nat = gw.telemetry("/vpcgw/nat")
        assert nat["nat/nat_a/ActiveConnectionCount"] == 5, nat
        assert nat["nat/nat_a/PacketsOutToDestination"] == 5, nat
        # per family (SPEC §7): all of this traffic is IPv4
        assert nat["nat/nat_a/IPv4PacketsInFromSource"] == 5, nat
        assert nat["nat/nat_a/IPv6PacketsInFromSource"] == 0, nat
        pt = gw.telemetry("/vpcgw/ports")
        for port in ("vpc", "internet"):
            for d in ("rx", "tx"):
                assert pt["ports/%s/%s_ipv4" % (port, d)] == pt["ports/%s/%s" % (port, d)], pt
                assert pt["ports/%s/%s_ipv6_bytes" % (port, d)] == 0, pt
        assert pt["ports/internet/tx_ipv4"] == 5, pt
        # the tool users have: dpdk-telemetry.py, fed the command on stdin
        tool = subprocess.run(["/usr/bin/python3", "/usr/bin/dpdk-telemetry.py", "-f", gw.prefix],
                              input="/vpcgw/nat\n", capture_output=True, text=True, timeout=30)
        assert "ConnectionAttemptCount" in tool.stdout, tool.stdout + tool.stderr
    print("telemetry: ok (%d commands)" % len(EXPECT))


if __name__ == "__main__":
    main()
