#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
pcap suite, scale-out placement (issue #19, docs/SCALE-OUT.md): two vpcgw
runs with the same configuration place the same flows on the same NLB
targets, including runs that see a connection only from the middle.

  place-same     run 1 gets the SYNs of N connections (node.mid_flow =
                 "place"); run 2, a separate process with the same file, gets
                 only a later data segment (PSH|ACK) of each. Every segment of
                 run 2 must reach the target run 1 chose for its connection,
                 which must be the target tools/maglev-sim.py (the Python model
                 of lb/maglev.c) predicts from the 5-tuple alone;
                 MidFlowPlacedCount = N, no reset.
  reset-default  the same data segments without the node section: nothing
                 reaches a target, each is answered with a RST
                 (TCP_ELB_Reset_Count = N), as before #19.
  gwlb-place     the same for a GWLB: run 1 sends the SYNs of N connections
                 from the internet to an elastic IP routed through a GWLB
                 endpoint, run 2 only an ACK of each: each reaches, in GENEVE,
                 the appliance run 1 chose (MidFlowPlacedCount = N); without
                 the node section run 2 sends nothing to the appliances
                 (ct_not_syn), as before.

Usage: test_scaleout.py --workers N [--case NAME]
"""
import importlib.util
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from vpcgwtest import IP, TCP, at, first_run  # noqa: E402
import test_nlb as nlb  # noqa: E402
import test_gwlb as gw  # noqa: E402

spec = importlib.util.spec_from_file_location(
    "maglev_sim", os.path.join(HERE, "..", "..", "tools", "maglev-sim.py"))
sim = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sim)

N = 96
T_ADDR = ["10.0.2.10", "10.0.2.11", "10.0.2.12", "10.0.2.13"]
T_PORT = [8080, 8081, 8082, 8083]
T_MAC = ["0a:00:00:00:02:%02x" % (0x0a + i) for i in range(4)]


def config(place):
    c = nlb.config()
    tg = c["target_groups"][0]
    tg["targets"] = [{"address": a, "port": p} for a, p in zip(T_ADDR, T_PORT)]
    c["neighbors"] += [{"port": "vpc", "address": a, "mac": m}
                       for a, m in zip(T_ADDR[2:], T_MAC[2:])]
    if place:
        c["node"] = {"name": "gw-a", "mid_flow": "place"}
    return c


def conns():
    rng = random.Random(19)
    return [(30000 + i, rng.getrandbits(32)) for i in range(N)]


def targets_of(pkts):
    """{client port: target index} of the TCP segments sent to targets."""
    got = {}
    for p in pkts:
        if TCP not in p or p[IP].dst not in T_ADDR:
            continue
        ti = T_ADDR.index(p[IP].dst)
        assert p[TCP].dport == T_PORT[ti], "segment to %s:%d" % (p[IP].dst, p[TCP].dport)
        assert p[TCP].sport not in got or got[p[TCP].sport] == ti, \
            "client port %d reached two targets" % p[TCP].sport
        got[p[TCP].sport] = ti
    return got


def predicted():
    table = sim.maglev_build([sim.target_key(sim.ip(a), p) for a, p in zip(T_ADDR, T_PORT)])
    return {cp: table[sim.flow_hash(6, sim.ip(nlb.A_C1), sim.ip(nlb.NLB), cp, 80) % len(table)]
            for cp, _ in conns()}


def listener(js):
    return js["nlb"]["web"]["listeners"]["tcp:80"]


def data_segments():
    return [at(nlb.client_tcp(cp, "PA", s + 1001, 777, b"more data"), i * 0.002)
            for i, (cp, s) in enumerate(conns())]


def case_place_same(workers):
    errs = []
    syns = [at(nlb.client_tcp(cp, "S", s), i * 0.002) for i, (cp, s) in enumerate(conns())]
    out1, js1 = first_run(config(True), {"vpc": syns}, workers)
    t1 = targets_of(out1["vpc"])
    out2, js2 = first_run(config(True), {"vpc": data_segments()}, workers)
    t2 = targets_of(out2["vpc"])
    pred = predicted()
    spread = [sum(1 for t in t1.values() if t == i) for i in range(4)]
    if len(t1) != N:
        errs.append("run 1: %d of %d SYNs reached a target" % (len(t1), N))
    if min(spread) < N // 8:
        errs.append("run 1: targets got %s of %d flows (each at least %d)" % (spread, N, N // 8))
    if t1 != pred:
        bad = [cp for cp in pred if t1.get(cp) != pred[cp]]
        errs.append("run 1: %d flows not on the target of the 5-tuple Maglev hash (e.g. port "
                    "%d: %s, model %d)" % (len(bad), bad[0], t1.get(bad[0]), pred[bad[0]]))
    if t2 != t1:
        bad = [cp for cp in t1 if t2.get(cp) != t1[cp]]
        errs.append("run 2: %d mid-flow segments not on run 1's target (e.g. port %d: %s, "
                    "run 1 %d)" % (len(bad), bad[0], t2.get(bad[0]), t1[bad[0]]))
    l2 = listener(js2)
    if l2.get("MidFlowPlacedCount") != N or l2.get("TCP_ELB_Reset_Count") != 0:
        errs.append("run 2: MidFlowPlacedCount %s (expected %d), TCP_ELB_Reset_Count %s "
                    "(expected 0)" % (l2.get("MidFlowPlacedCount"), N,
                                      l2.get("TCP_ELB_Reset_Count")))
    if listener(js1).get("MidFlowPlacedCount") != 0:
        errs.append("run 1: MidFlowPlacedCount %s, expected 0 (SYNs open flows)"
                    % listener(js1).get("MidFlowPlacedCount"))
    return errs


def case_reset_default(workers):
    errs = []
    out, js = first_run(config(False), {"vpc": data_segments()}, workers)
    t = targets_of(out["vpc"])
    rst = [p for p in out["vpc"] if TCP in p and p[IP].dst == nlb.A_C1 and "R" in p[TCP].flags]
    if t:
        errs.append("%d mid-flow segments reached a target without node.mid_flow" % len(t))
    if len(rst) != N or listener(js).get("TCP_ELB_Reset_Count") != N:
        errs.append("%d RSTs sent, TCP_ELB_Reset_Count %s (expected %d)"
                    % (len(rst), listener(js).get("TCP_ELB_Reset_Count"), N))
    if "MidFlowPlacedCount" in listener(js):
        errs.append("MidFlowPlacedCount reported without the node section")
    return errs


def gwlb_config(place):
    c = gw.config()
    if place:
        c["node"] = {"name": "gw-a", "mid_flow": "place"}
    return c


def gwlb_segments(flags):
    return {"internet": [at(gw.from_inet(gw.CLIENT, gw.EIP1,
                                         TCP(sport=cp, dport=80, flags=flags, seq=s,
                                             ack=777 if "A" in flags else 0)), i * 0.002)
                         for i, (cp, s) in enumerate(conns())]}


def appliances_of(pkts):
    """{client port: appliance index} of the GENEVE frames to the appliances."""
    got = {}
    for p in gw.encaps(pkts):
        inner = gw.inner_of(p)
        got[inner[TCP].sport] = gw.APP_ADDR.index(p[IP].dst)
    return got


def case_gwlb_place(workers):
    errs = []
    out1, _ = first_run(gwlb_config(True), gwlb_segments("S"), workers)
    a1 = appliances_of(out1["appliances"])
    out2, js2 = first_run(gwlb_config(True), gwlb_segments("A"), workers)
    a2 = appliances_of(out2["appliances"])
    out3, js3 = first_run(gwlb_config(False), gwlb_segments("A"), workers)
    a3 = appliances_of(out3["appliances"])
    spread = [sum(1 for a in a1.values() if a == i) for i in range(2)]
    if len(a1) != N or min(spread) < N // 4:
        errs.append("run 1: %d of %d SYNs to the appliances, spread %s" % (len(a1), N, spread))
    if a2 != a1:
        bad = [cp for cp in a1 if a2.get(cp) != a1[cp]]
        errs.append("run 2: %d mid-flow segments not on run 1's appliance (e.g. port %d: %s, "
                    "run 1 %d)" % (len(bad), bad[0], a2.get(bad[0]), a1[bad[0]]))
    if js2["gwlb"]["inspect"].get("MidFlowPlacedCount") != N:
        errs.append("run 2: MidFlowPlacedCount %s, expected %d"
                    % (js2["gwlb"]["inspect"].get("MidFlowPlacedCount"), N))
    if a3 or js3["drops"].get("ct_not_syn") != N:
        errs.append("without the node section: %d segments to the appliances, ct_not_syn %s "
                    "(expected 0 and %d)" % (len(a3), js3["drops"].get("ct_not_syn"), N))
    return errs


CASES = {"place-same": case_place_same, "reset-default": case_reset_default,
         "gwlb-place": case_gwlb_place}


def main():
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", "-w", type=int, default=1)
    ap.add_argument("--case", action="append")
    a = ap.parse_args()
    failed = 0
    for name in a.case or list(CASES):
        errs = CASES[name](a.workers)
        print("%s %s (workers %d)" % ("FAIL" if errs else "ok  ", name, a.workers))
        for e in errs:
            print("  - " + e)
        failed += bool(errs)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
