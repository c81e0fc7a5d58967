#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
pcap suite, LCU counters (SPEC §4 "LCU counters"), under --clock packet.

One configuration with an NLB TCP listener (web tcp:80), an NLB UDP listener
(web udp:53) and a GWLB (inspect, reached by the private table's route
203.0.113.0/24 -> gwlb-endpoint:inspect-a). Captures with a known number of
new flows, active flows and bytes in each second; the expected LCUs are
computed here from AWS's figures:

                 new flows / s   active flows   processed bytes
  NLB TCP LCU         800          100,000       1 GB per hour
  NLB UDP LCU         400           50,000       1 GB per hour
  GWLB LCU            600           60,000       1 GB per hour

LCUs = the largest of the three ratios. Current rate (the "lcu" block of a
listener or GWLB in --stats-json): the last completed second, which is the
second before the one holding the final packet (the final packet belongs to
no load balancer). bytes_per_hour = that second's bytes x 3600; active flows
= the flows open at that time (no flow ends during these captures' last
seconds). Per hour (current_hour, last_hour): the largest per-second new flow
count, the largest active flow count, the hour's total bytes.

Processed bytes are the IPv4 bytes (header included) of the load balancers'
packets as they arrive (for the GWLB: the inner packet, before GENEVE).

T0 (1700000000) is 800 s into hour 472222; 1700002800 starts hour 472223.

Usage: test_lcu.py --workers N [--case NAME]... [--list]
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import test_nlb as nlb  # noqa: E402
from vpcgwtest import EAL_ARGS, IP, TCP, UDP, Case, Ether, Raw, T0, at, main  # noqa: E402, F401

LCU = {"tcp": (800.0, 100000.0), "udp": (400.0, 50000.0), "gwlb": (600.0, 60000.0)}
BYTES_PER_LCU_HOUR = 1e9

M_APPS, A_APPS = "02:00:00:00:02:01", "192.168.50.1"
APP_ADDR, APP_MAC = "192.168.50.10", "0a:00:00:00:32:0a"
HOUR0 = int(T0) // 3600
HOUR1_T = (HOUR0 + 1) * 3600 - T0      # relative time of the next hour: 2800 s


def config():
    c = nlb.config(targets=1)
    c["ports"].append({"name": "appliances", "mac": M_APPS, "address": A_APPS + "/24",
                       "mtu": 9001,
                       "devargs": "net_pcap2,rx_pcap={dir}/appliances-in.pcap,"
                                  "tx_pcap={dir}/appliances-out.pcap"})
    c["neighbors"].append({"port": "appliances", "address": APP_ADDR, "mac": APP_MAC})
    c["route_tables"][1]["routes"].append({"destination": "203.0.113.0/24",
                                           "target": "gwlb-endpoint:inspect-a"})
    c["gateway_load_balancers"] = [
        {"name": "inspect", "port": "appliances", "health_check": {"enabled": False},
         "appliances": [{"address": APP_ADDR}],
         "endpoints": [{"name": "inspect-a", "id": "vpce-0a1b2c3d4e5f60718",
                        "subnet": "public-a"}]}]
    c["dpdk"]["flow_table_size"] = 16384
    c["dpdk"]["mbufs"] = 4095
    return c


def lcus(kind, new_per_s, active, bytes_per_hour):
    f, a = LCU[kind]
    return max(new_per_s / f, active / a, bytes_per_hour / BYTES_PER_LCU_HOUR)


class Traffic:
    """The capture being built, with what each second holds per meter."""

    def __init__(self):
        self.pkts = []
        self.sec = {}           # (kind, second) -> [new flows, bytes]
        self.port = 10000

    def _add(self, kind, second, p, new):
        self.pkts.append(p)
        s = self.sec.setdefault((kind, second), [0, 0])
        s[0] += 1 if new else 0
        s[1] += len(p[IP])

    def second(self, s, tcp=0, udp=0, gwlb=0, udp_payload=1200, gwlb_payload=100):
        """New flows of each kind spread over [s, s + 0.9)."""
        for kind, n in (("tcp", tcp), ("udp", udp), ("gwlb", gwlb)):
            for i in range(n):
                t = s + 0.9 * i / n + {"tcp": 0.0, "udp": 0.0002, "gwlb": 0.0004}[kind]
                self.port += 1
                sp = 1024 + self.port % 60000
                src = "10.0.1.%d" % (10 + self.port // 60000)
                if kind == "tcp":
                    l4 = TCP(sport=sp, dport=80, flags="S", seq=self.port)
                    dst = nlb.NLB
                elif kind == "udp":
                    l4 = UDP(sport=sp, dport=53) / Raw(b"u" * udp_payload)
                    dst = nlb.NLB
                else:
                    l4 = UDP(sport=sp, dport=9) / Raw(b"g" * gwlb_payload)
                    dst = "203.0.113.%d" % (1 + i % 200)
                self._add(kind, s, at(nlb.from_host(nlb.M_C1, nlb.A_C1, dst, l4), t), True)

    def final(self, t):
        """The last packet: no load balancer's (client -> DNS server, routed)."""
        self.pkts.append(at(nlb.from_host(nlb.M_C1, nlb.A_C1, nlb.DNS_ADDR,
                                          UDP(sport=1, dport=7)), t))

    def new(self, kind, s):
        return self.sec.get((kind, s), [0, 0])[0]

    def nbytes(self, kind, s):
        return self.sec.get((kind, s), [0, 0])[1]

    def secs(self, kind, lo, hi):
        return [s for (k, s) in self.sec if k == kind and lo <= s < hi]


def close(want):
    """A fractional counter: --stats-json prints 6 decimals."""
    return lambda v: isinstance(v, (int, float)) and math.isclose(v, want, rel_tol=1e-9,
                                                                  abs_tol=1e-6)


PATHS = {"tcp": "nlb.web.listeners.tcp:80.lcu", "udp": "nlb.web.listeners.udp:53.lcu",
         "gwlb": "gwlb.inspect.lcu"}


def rate_counters(tr, last_s, active):
    """Expected current-rate counters of the three meters for second last_s."""
    c = {}
    for kind, path in PATHS.items():
        n, b = tr.new(kind, last_s), tr.nbytes(kind, last_s)
        bph = b * 3600.0
        f, a = LCU[kind]
        c[path + ".new_flows_per_s"] = close(n)
        c[path + ".active_flows"] = active[kind]
        c[path + ".bytes_per_hour"] = close(bph)
        c[path + ".lcu_new_flows"] = close(n / f)
        c[path + ".lcu_active_flows"] = close(active[kind] / a)
        c[path + ".lcu_processed_bytes"] = close(bph / BYTES_PER_LCU_HOUR)
        c[path + ".ConsumedLCUs"] = close(lcus(kind, n, active[kind], bph))
    return c


def hour_counters(tr, block, hour, lo, hi, peak_active):
    c = {}
    for kind, path in PATHS.items():
        ss = tr.secs(kind, lo, hi)
        peak_new = max([tr.new(kind, s) for s in ss] or [0])
        b = sum(tr.nbytes(kind, s) for s in ss)
        p = "%s.%s." % (path, block)
        c[p + "hour"] = hour
        c[p + "peak_new_flows_per_s"] = close(peak_new)
        c[p + "peak_active_flows"] = peak_active[kind]
        c[p + "bytes"] = b
        c[p + "ConsumedLCUs"] = close(lcus(kind, peak_new, peak_active[kind], float(b)))
    return c


def totals(tr):
    return {k: sum(v[0] for (kk, _), v in tr.sec.items() if kk == k) for k in LCU}


def case_lcu_rates():
    """Second 0: 200 TCP, 50 UDP, 100 GWLB new flows; second 1 (the last
    completed one): 1000 TCP flows (1.25 LCU of new flows), 100 UDP flows of
    1228-byte packets (bytes: 0.442 LCU), 700 GWLB flows (1.17 LCU); final
    packet at 2.5 s."""
    tr = Traffic()
    tr.second(0, tcp=200, udp=50, gwlb=100)
    tr.second(1, tcp=1000, udp=100, gwlb=700)
    tr.final(2.5)
    active = totals(tr)
    c = rate_counters(tr, 1, active)
    c.update(hour_counters(tr, "current_hour", HOUR0, 0, 3, active))
    c["nlb.web.ConsumedLCUs"] = close(lcus("tcp", tr.new("tcp", 1), active["tcp"],
                                           tr.nbytes("tcp", 1) * 3600.0) +
                                      lcus("udp", tr.new("udp", 1), active["udp"],
                                           tr.nbytes("udp", 1) * 3600.0))
    c["ports.vpc.forwarded"] = len(tr.pkts)
    return Case("lcu_rates", config(), {"vpc": tr.pkts}, {}, ignore=lambda p: True,
                counters=c)


def case_lcu_hours():
    """Hour 472222 (from T0, 800 s into it): seconds 0 and 1 as in lcu_rates;
    every flow ends (idle timeouts 350 s / 120 s) long before hour 472223,
    where second 2800 has 300 TCP, 80 UDP, 90 GWLB new flows and second 2801
    (the last completed one) 500 TCP, 30 UDP, 650 GWLB; final packet at
    2802.5 s. last_hour = hour 472222, current_hour = hour 472223."""
    tr = Traffic()
    tr.second(0, tcp=200, udp=50, gwlb=100)
    tr.second(1, tcp=1000, udp=100, gwlb=700)
    h1 = HOUR1_T
    tr.second(h1, tcp=300, udp=80, gwlb=90, udp_payload=1400)
    tr.second(h1 + 1, tcp=500, udp=30, gwlb=650, udp_payload=1400, gwlb_payload=1000)
    tr.final(h1 + 2.5)
    first_hour_active = {k: tr.new(k, 0) + tr.new(k, 1) for k in LCU}
    now_active = {k: tr.new(k, h1) + tr.new(k, h1 + 1) for k in LCU}
    c = rate_counters(tr, h1 + 1, now_active)
    c.update(hour_counters(tr, "last_hour", HOUR0, 0, h1, first_hour_active))
    c.update(hour_counters(tr, "current_hour", HOUR0 + 1, h1, h1 + 3, now_active))
    c["ports.vpc.forwarded"] = len(tr.pkts)
    return Case("lcu_hours", config(), {"vpc": tr.pkts}, {}, ignore=lambda p: True,
                counters=c)


CASES = {
    "lcu_rates": case_lcu_rates,
    "lcu_hours": case_lcu_hours,
}

if __name__ == "__main__":
    sys.exit(main(CASES))
