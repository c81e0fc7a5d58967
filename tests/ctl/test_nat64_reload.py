#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""NAT64 connections in the flow listing and across a reload (issue #16):
an IPv6 client's UDP flow to 64:ff9b::192.0.2.80 is listed as a NAT flow of
nat-a, its original key with the full IPv6 addresses, its reply as the IPv4
packet arrives (192.0.2.80:53 > the NAT address and port); a reload (SIGHUP,
generation 2, the gateway unchanged) keeps it: the next datagram is no new
connection (ConnectionAttemptCount stays 1) and the flow keeps its port."""
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(__file__))
from ctltest import Gateway, base_config  # noqa: E402
from scapy.all import UDP, Ether, IPv6, Raw  # noqa: E402

C6 = "2600:1f18:a:b01::10"
ROUTES = '{ destination = "0.0.0.0/0"; target = "nat-gateway:nat-a"; }, ' \
         '{ destination = "64:ff9b::/96"; target = "nat-gateway:nat-a"; }'


def config(d, extra=""):
    text = base_config(d, ROUTES + extra)
    text = text.replace('vpc = { cidr = "10.0.0.0/16";',
                        'vpc = { cidr = "10.0.0.0/16"; ipv6_cidr = "2600:1f18:a:b00::/56";')
    text = text.replace('cidr = "10.0.0.0/24"; port',
                        'cidr = "10.0.0.0/24"; ipv6_cidr = "2600:1f18:a:b00::/64"; port')
    text = text.replace('cidr = "10.0.1.0/24"; port',
                        'cidr = "10.0.1.0/24"; ipv6_cidr = "2600:1f18:a:b01::/64"; port')
    assert text.count("ipv6_cidr") == 3, text
    return text


def nat(gw, k):
    return gw.telemetry("/vpcgw/nat")["nat/nat_a/" + k]


def flows(gw):
    r = gw.telemetry("/vpcgw/flows/list")
    assert "error" not in r, r
    return [r[k] for k in sorted((k for k in r if k.isdigit()), key=int)]


def main():
    def q(i):
        return (Ether(src="0a:00:00:00:01:10", dst="02:00:00:00:00:01") /
                IPv6(src=C6, dst="64:ff9b::c000:250", hlim=64) /
                UDP(sport=5000, dport=53) / Raw(b"query-%d" % i))

    with Gateway(config, "nat64") as gw:
        gw.send(q(1))
        gw.flush()
        gw.wait_for(lambda: nat(gw, "PacketsOutToDestination") == 1, "the first datagram out")
        fl = flows(gw)
        assert len(fl) == 1, fl
        f = fl[0]
        assert f["service"] == "nat" and "nat-a" in str(f.values()), f
        assert f["original"] == "udp [%s]:5000 > [64:ff9b::c000:250]:53" % C6, f
        assert f["reply"].startswith("udp 192.0.2.80:53 > 198.51.100.10:"), f
        port = int(f["reply"].rsplit(":", 1)[1])
        assert 1024 <= port <= 65535, f

        gw.write_config(config(gw.dir, ', { destination = "192.0.2.99/32"; '
                                       'target = "blackhole"; }'))
        gw.proc.send_signal(signal.SIGHUP)
        gw.flush()
        gw.wait_for(lambda: gw.telemetry("/vpcgw/config")["generation"] == 2, "generation 2")
        gw.send(q(2))
        gw.flush()
        gw.wait_for(lambda: nat(gw, "PacketsOutToDestination") == 2, "the second datagram out")
        assert nat(gw, "ConnectionAttemptCount") == 1, "a reload made a new connection"
        assert nat(gw, "ActiveConnectionCount") == 1
        fl = flows(gw)
        assert len(fl) == 1 and fl[0]["reply"] == f["reply"], (f, fl)
    st = gw.stats()
    t = st["totals"]
    assert t["rx"] == t["forwarded"] + t["local"] + t["drops"], t
    assert st["nat"]["nat-a"]["ConnectionAttemptCount"] == 1, st["nat"]
    print("nat64 reload: ok (flow listed, kept by a reload, same port %d)" % port)


if __name__ == "__main__":
    main()
