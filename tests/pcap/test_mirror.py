#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
pcap suite, traffic mirroring (docs/config.md "traffic_mirror_sessions[]"):
a traffic mix to and from two mirrored ENIs, run once without sessions and
once with them. The production ports must send exactly the same frames and
count the same (the original is unaffected, its fate too); the monitor port
must send exactly the VXLAN copies this script derives from the rules:

  outbound  every frame a source ENI sends, as received (before NAT, TTL);
  inbound   every frame vpcgw delivers to it, as it leaves (after NAT):
            the production run's frames to the ENI, and nothing refused;
  filter    cidr: the remote end (inbound the source, outbound the
            destination); ports: the destination port, as a NACL rule's;
            rules by number, first match decides, no match: not copied;
  sessions  of one ENI: the lowest session_number whose filter accepts takes
            the packet, once (AWS);
  copy      the frame cut to packet_length and to the target port's MTU - 36,
            in Ether/IPv4(ttl 64, id 0, df clear)/UDP(dst 4789, checksum 0)/
            VXLAN(flags I, the session's VNI) from the monitor port's address
            and MAC to target.address and its MAC; the UDP source port from a
            flow hash: in 49152..65535 and the same both ways of one flow.

Topology: test_firewall's (vpc and internet ports, hosts, elastic IP
198.51.100.20 <-> PUB 10.0.0.10) plus a port "mon" 192.168.60.1/24 with the
VXLAN receiver 192.168.60.9 (static neighbor).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from vpcgwtest import (ARP, Case, Ether, Exp, ICMP, IP, TCP, UDP, Raw,  # noqa: E402
                       TwoPhaseCase, first_run, main, timed)
from scapy.layers.vxlan import VXLAN  # noqa: E402
from test_firewall import (A_NH, CLI, CLIB, EIP, M_INET, M_NH, M_VPC, PUB, REMOTE,  # noqa: E402
                           SRV, WEB, CLI2, ack, config, mac_of, pkt, sg, sin, syn, synack,
                           EGRESS_ALL)

M_MON, A_MON = "02:00:00:00:03:01", "192.168.60.1"
M_TGT, A_TGT = "02:00:00:00:03:09", "192.168.60.9"
MON_MTU = 1500


def rule(n, action, protocol="all", cidr="0.0.0.0/0", **kw):
    r = {"rule": n, "protocol": protocol}
    r.update(kw)
    r["cidr"] = cidr
    r["action"] = action
    return r


# Sessions (listed out of session_number order: precedence is by number).
SESSIONS = [
    {"name": "pub-high", "source": "eni:" + PUB, "vni": 200, "session_number": 2,
     "inbound": [rule(1, "accept")],
     "outbound": [rule(5, "accept")]},
    {"name": "pub-low", "source": "eni:" + PUB, "vni": 100, "session_number": 1,
     "inbound": [rule(10, "accept", "icmp")],
     "outbound": [rule(20, "accept"), rule(10, "reject", "tcp", ports="22")]},
    {"name": "web", "source": "eni:" + WEB, "vni": 16777215, "session_number": 7,
     "packet_length": 60,
     "inbound": [rule(200, "reject"), rule(100, "accept", "tcp", "10.0.2.0/24", ports="80")],
     "outbound": [rule(1, "accept", "tcp", "10.0.2.0/24", ports="40000-40009")]},
]


def mirror_config(with_sessions, target=A_TGT):
    cfg = config(sgs=[sg("web", ingress=[sin("tcp", "0.0.0.0/0", ports="80")],
                         egress=EGRESS_ALL),
                      sg("pub", ingress=[], egress=EGRESS_ALL)],
                 enis=[(WEB, ["web"]), (PUB, ["pub"])])
    cfg["ports"].append({"name": "mon", "mac": M_MON, "address": A_MON + "/24", "mtu": MON_MTU,
                         "devargs": "net_pcap2,rx_pcap={dir}/mon-in.pcap,"
                                    "tx_pcap={dir}/mon-out.pcap"})
    cfg["neighbors"].append({"port": "mon", "address": A_TGT, "mac": M_TGT})
    if with_sessions:
        ss = []
        for s in SESSIONS:
            m = {"name": s["name"], "source": s["source"],
                 "target": {"address": target, "port": "mon"}, "vni": s["vni"],
                 "filter": {"inbound": s["inbound"], "outbound": s["outbound"]},
                 "session_number": s["session_number"]}
            if "packet_length" in s:
                m["packet_length"] = s["packet_length"]
            ss.append(m)
        cfg["traffic_mirror_sessions"] = ss
    return cfg


def traffic():
    """The mix: {port: [frames]} with capture times."""
    vpc = [
        # CLI -> WEB:80, SG allows: inbound copies (SYN, data), WEB's replies outbound
        pkt(CLI, WEB, syn(40000, 80)),
        pkt(WEB, CLI, synack(80, 40000)),
        pkt(CLI, WEB, ack(40000, 80, data=b"GET / HTTP/1.0\r\nHost: web\r\n\r\n" * 3)),
        pkt(WEB, CLI, ack(80, 40000, seq=5001, ackn=1094, data=b"HTTP/1.0 200 OK\r\n\r\n")),
        # CLI -> WEB udp 53: the SG refuses it, nothing delivered, no copy
        pkt(CLI, WEB, UDP(sport=5353, dport=53) / Raw(b"q" * 20)),
        # CLIB (10.0.3.30) -> WEB:80: delivered, but web's inbound rule 100 wants 10.0.2.0/24
        pkt(CLIB, WEB, syn(40001, 80)),
        # WEB -> CLI from port 80 to 40020: outbound rule's ports miss: no copy
        pkt(WEB, CLI, ack(80, 40020, data=b"late")),
        # not mirrored ENIs at all
        pkt(CLI2, SRV, UDP(sport=1000, dport=2000) / Raw(b"x")),
        # PUB -> internet: icmp (pub-low rule 20), tcp 22 (pub-low rejects: pub-high),
        # a UDP frame larger than the monitor port's MTU allows in a copy
        pkt(PUB, REMOTE, ICMP(type=8, id=7, seq=1) / Raw(b"ping" * 8)),
        pkt(PUB, REMOTE, syn(41000, 22)),
        pkt(PUB, REMOTE, UDP(sport=41001, dport=53) / Raw(bytes(range(256)) * 6)),
    ]
    inet = [
        # replies through the elastic IP: translated to PUB, then copied inbound
        Ether(src=M_NH, dst=M_INET) / IP(src=REMOTE, dst=EIP, ttl=50) /
        ICMP(type=0, id=7, seq=1) / Raw(b"ping" * 8),
        Ether(src=M_NH, dst=M_INET) / IP(src=REMOTE, dst=EIP, ttl=50) / synack(22, 41000),
    ]
    timed(vpc, 0.0, 0.01)
    timed(inet, 0.5, 0.01)
    return {"vpc": vpc, "internet": inet}


def matches(r, addr, port, ip):
    proto = {"all": None, "tcp": 6, "udp": 17, "icmp": 1}.get(r["protocol"], r["protocol"])
    if proto is not None and proto != ip.proto:
        return False
    net, plen = r["cidr"].split("/")
    mask = (0xffffffff << (32 - int(plen))) & 0xffffffff
    if (addr & mask) != (ip2int(net) & mask):
        return False
    if "ports" in r:
        lo, _, hi = str(r["ports"]).partition("-")
        if port is None or not int(lo) <= port <= int(hi or lo):
            return False
    return True


def ip2int(a):
    b = [int(x) for x in a.split(".")]
    return b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]


def session_for(eni, ip, outbound):
    """The session taking a packet of eni, or None (docs/config.md)."""
    l4 = ip.payload
    ports = (l4.sport, l4.dport) if ip.proto in (6, 17) else (None, None)
    addr = ip2int(ip.dst if outbound else ip.src)
    port = ports[1]             # the destination port, as a NACL rule's
    for s in sorted((s for s in SESSIONS if s["source"] == "eni:" + eni),
                    key=lambda s: s["session_number"]):
        for r in sorted(s["outbound" if outbound else "inbound"], key=lambda r: r["rule"]):
            if matches(r, addr, port, ip):
                if r["action"] == "accept":
                    return s
                break
    return None


def vxlan_of(s, frame):
    """The copy of frame for session s, UDP source port left open."""
    n = min(len(frame), MON_MTU - 36, s.get("packet_length", 1 << 20))
    return (Ether(src=M_MON, dst=M_TGT) / IP(src=A_MON, dst=A_TGT, ttl=64, id=0, flags=0) /
            UDP(sport=0, dport=4789, chksum=0) / VXLAN(flags=0x08, vni=s["vni"]) /
            Raw(bytes(frame)[:n]))


def flow_of(frame):
    ip = Ether(bytes(frame))[IP]
    ports = (ip.sport, ip.dport) if ip.proto in (6, 17) else (0, 0)
    a, b = (ip.src, ports[0]), (ip.dst, ports[1])
    return (ip.proto,) + tuple(sorted([a, b]))


def expected_copies(inputs, base_out):
    """[(session, copy with sport 0, flow)] from the inputs (outbound) and the
    production run's deliveries on the vpc port (inbound)."""
    enis = {PUB, WEB}
    out = []
    for f in inputs["vpc"]:
        ip = f[IP]
        if ip.src in enis:
            s = session_for(ip.src, ip, True)
            if s:
                out.append((s, vxlan_of(s, f), flow_of(f)))
    for f in base_out["vpc"]:
        if IP in f and f[IP].dst in enis:
            # as the SPEC says it leaves: to the ENI's MAC from vpcgw's
            assert f[Ether].dst == mac_of(f[IP].dst) and f[Ether].src == M_VPC, f.summary()
            s = session_for(f[IP].dst, f[IP], False)
            if s:
                out.append((s, vxlan_of(s, f), flow_of(f)))
    return out


class MirrorCase(Case):
    """Production ports compared in order with the run without sessions; the
    monitor port's copies as a multiset (two workers interleave them), UDP
    source ports checked apart; production counters equal the first run's."""

    def __init__(self, name, config, inputs, base_out, base_stats, copies):
        names = {s["name"]: {"packets": 0, "bytes": 0, "inbound": 0, "outbound": 0}
                 for s in SESSIONS}
        for s, c, _ in copies:
            names[s["name"]]["packets"] += 1
            names[s["name"]]["bytes"] += len(c)
        counters = {"mirror.packets": len(copies),
                    "mirror.bytes": sum(len(c) for _, c, _ in copies),
                    "ports.mon.generated": len(copies), "ports.mon.tx": 0}
        for n, kv in names.items():
            for k, v in kv.items():
                if k in ("packets", "bytes"):
                    counters["mirror.sessions.%s.%s" % (n, k)] = v
            counters["mirror.sessions.%s.dropped_no_mbuf" % n] = 0
            counters["mirror.sessions.%s.dropped_tx_full" % n] = 0
            counters["mirror.sessions.%s.dropped_target_unresolved" % n] = 0
        for k, v in base_stats.get("drops", {}).items():
            counters["drops." + k] = v
        for pn in ("vpc", "internet"):
            for k in ("rx", "tx", "forwarded", "local", "dropped", "generated"):
                counters["ports.%s.%s" % (pn, k)] = base_stats["ports"][pn][k]
        self.copies = copies
        Case.__init__(self, name, config, inputs,
                      {"vpc": base_out["vpc"], "internet": base_out["internet"]},
                      counters=counters)

    def _compare(self, ports, outputs):
        errors = Case._compare(self, ["vpc", "internet"], outputs)
        got = [Ether(b) for b in outputs["mon"]]
        sports = {}
        want = {}
        for s, c, flow in self.copies:
            want.setdefault(bytes(c), []).append(flow)
        for g in got:
            if UDP not in g or g[UDP].dport != 4789:
                errors.append("mon: not a VXLAN copy: %s" % g.summary())
                continue
            sp = g[UDP].sport
            g[UDP].sport = 0
            b = bytes(g)
            if not want.get(b):
                errors.append("mon: unexpected copy (vni %s, %d bytes): %s" %
                              (g[VXLAN].vni if VXLAN in g else "?", len(b),
                               Ether(bytes(g[VXLAN].payload)).summary() if VXLAN in g else ""))
                continue
            flow = want[b].pop()
            if not 49152 <= sp <= 65535:
                errors.append("mon: UDP source port %d outside 49152..65535" % sp)
            if sports.setdefault(flow, sp) != sp:
                errors.append("mon: flow %s: source ports %d and %d" % (flow, sports[flow], sp))
        for b, fl in want.items():
            for _ in fl:
                e = Ether(b)
                errors.append("mon: missing copy vni %d: %s" %
                              (e[VXLAN].vni, Ether(bytes(e[VXLAN].payload)).summary()))
        return errors


def build(workers):
    inputs = traffic()
    base_out, base_stats = first_run(mirror_config(False), inputs, workers)
    copies = expected_copies(inputs, base_out)
    # the mix must exercise what it names
    kinds = {(s["name"], Ether(bytes(c[VXLAN].payload))[IP].dst in (PUB, WEB)) for s, c, _ in copies}
    assert kinds == {("pub-low", False), ("pub-low", True), ("pub-high", False),
                     ("pub-high", True), ("web", False), ("web", True)}, kinds
    assert base_out["mon"] == [], "the run without sessions sent on mon"
    return MirrorCase("mirror_mix", mirror_config(True), traffic(), base_out, base_stats, copies)


def build_unresolved(workers):
    """The same sessions toward 192.168.60.10, which no neighbor entry
    names and nobody answers: each copy is dropped and counted (a copy never
    waits for ARP), one ARP request goes out (the retry is 1 s, the mix lasts
    0.5 s), production is unchanged."""
    inputs = traffic()
    base_out, base_stats = first_run(mirror_config(False), inputs, workers)
    copies = expected_copies(inputs, base_out)
    lost = {}
    for s, _, _ in copies:
        lost[s["name"]] = lost.get(s["name"], 0) + 1
    counters = {"mirror.packets": 0, "mirror.dropped_target_unresolved": len(copies),
                "ports.mon.generated": 1}
    for n, v in lost.items():
        counters["mirror.sessions.%s.dropped_target_unresolved" % n] = v
        counters["mirror.sessions.%s.packets" % n] = 0
    for k, v in base_stats.get("drops", {}).items():
        counters["drops." + k] = v
    for pn in ("vpc", "internet"):
        for k in ("rx", "tx", "forwarded", "local", "dropped", "generated"):
            counters["ports.%s.%s" % (pn, k)] = base_stats["ports"][pn][k]
    arp = (Ether(dst="ff:ff:ff:ff:ff:ff", src=M_MON) /
           ARP(op=1, hwsrc=M_MON, psrc=A_MON, hwdst="00:00:00:00:00:00", pdst="192.168.60.10"))
    return Case("mirror_unresolved", mirror_config(True, "192.168.60.10"), inputs,
                {"vpc": base_out["vpc"], "internet": base_out["internet"],
                 "mon": [Exp(arp, pad=True)]}, counters=counters)


CASES = {
    "mirror_mix": lambda: TwoPhaseCase("mirror_mix", build),
    "mirror_unresolved": lambda: TwoPhaseCase("mirror_unresolved", build_unresolved),
}

if __name__ == "__main__":
    sys.exit(main(CASES))
