#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Reload on SIGHUP (issue: foundation): a new route takes effect; a broken
file is rejected with file:line errors and the running configuration stays."""
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(__file__))
from ctltest import Gateway, base_config  # noqa: E402
from scapy.all import IP, UDP, Ether  # noqa: E402

HOST_MAC = "02:aa:0a:00:01:0a"


def probe(gw, n):
    """n UDP packets from the private subnet to 192.0.2.7 (the route under test)."""
    for i in range(n):
        gw.send(Ether(src=HOST_MAC, dst="02:00:00:00:00:01") /
                IP(src="10.0.1.10", dst="192.0.2.7", ttl=64) / UDP(sport=4000 + i, dport=53))


def nudge(gw):
    """Packets that need no route: they let a worker blocked on the FIFO report
    a quiescent state, so the control thread's grace period can end."""
    gw.flush()


def drops(gw, reason):
    return gw.telemetry("/vpcgw/stats")["drops/" + reason]


def nat_out(gw):
    return gw.telemetry("/vpcgw/nat")["nat/nat_a/PacketsOutToDestination"]


def main():
    blackhole = '{ destination = "0.0.0.0/0"; target = "nat-gateway:nat-a"; }, ' \
                '{ destination = "192.0.2.0/24"; target = "blackhole"; }'
    via_nat = '{ destination = "0.0.0.0/0"; target = "nat-gateway:nat-a"; }'
    with Gateway(lambda d: base_config(d, blackhole), "reload") as gw:
        # generation 1: 192.0.2.0/24 is a blackhole
        probe(gw, 3)
        gw.flush()
        gw.wait_for(lambda: drops(gw, "route_blackhole") == 3, "3 blackhole drops")
        assert nat_out(gw) == 0

        # generation 2: the blackhole route is gone, the default route (NAT) applies
        gw.write_config(base_config(gw.dir, via_nat))
        gw.proc.send_signal(signal.SIGHUP)
        nudge(gw)
        gw.wait_for(lambda: gw.telemetry("/vpcgw/config")["generation"] == 2, "generation 2")
        probe(gw, 2)
        gw.flush()
        gw.wait_for(lambda: nat_out(gw) == 2, "2 packets through the NAT gateway")
        assert drops(gw, "route_blackhole") == 3

        # a broken file: rejected, listed with file and line, generation 2 stays
        bad = base_config(gw.dir, via_nat).replace('target = "nat-gateway:nat-a"',
                                                   'target = "nat-gateway:nat-b"')
        bad += "\nbogus_key = 1;\n"
        gw.write_config(bad)
        gw.proc.send_signal(signal.SIGHUP)
        nudge(gw)
        gw.wait_for(lambda: "reload of" in gw.output(), "the rejection message")
        out = gw.output()
        assert "gw.cfg:" in out and 'unknown NAT gateway "nat-b"' in out, out
        assert "bogus_key" in out, out
        assert gw.telemetry("/vpcgw/config")["generation"] == 2
        probe(gw, 1)
        gw.flush()
        gw.wait_for(lambda: nat_out(gw) == 3, "the old configuration still routing")
    st = gw.stats()
    t = st["totals"]
    assert t["rx"] == t["forwarded"] + t["local"] + t["drops"], t
    print("reload: ok (blackhole → NAT by SIGHUP; broken file rejected, old config kept)")


if __name__ == "__main__":
    main()
