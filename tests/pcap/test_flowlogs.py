#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
pcap suite, VPC flow logs (docs/config.md "Flow logs"): a known mix of
accepted flows, security-group rejects and NACL rejects on the packet clock,
and the lines vpcgw writes, field by field.

The expected lines are computed here from the traffic (scapy lengths) and
the rules of docs/config.md, never copied from vpcgw's output:
  - one line per interface, 5-tuple, action and flow-direction per
    aggregation interval; intervals are aligned on multiples of
    max_aggregation_interval of Unix time (the capture times);
  - an interface is any address of a subnet (an ENI or not); its id is
    "eni-" + 9 zeros + the address in hex; subnet-id and vpc-id likewise from
    the network address; instance-id "-"; account-id default 000000000000;
  - ACCEPT lines come from the flows (both ends that are interfaces, each
    direction): start is the flow's first packet or, for a flow older than
    the current minute, the minute's start; end its last packet (either
    direction); tcp-flags SYN (2) for the opening direction and SYN-ACK (18)
    for the reply in the interval where the flow starts;
  - REJECT lines: one per packet refused, summed (start first, end last,
    tcp-flags OR), at the interface that refused it (SG ingress: the
    destination, ingress; NACL ingress: the destination's subnet);
  - traffic-path 1 for egress inside the VPC, 8 to outside; "-" for ingress.

T0 = 1700000000 is 20 s into its minute: packets at T0+1..5 and at T0+50
straddle the 60 s boundary at T0+40, so a flow seen on both sides of it gives
two lines in a 60 s log and one in a 600 s log (T0 is 200 s into its 600 s
window).
"""
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from vpcgwtest import T0, Case, IP, TCP, UDP, main, timed, at  # noqa: E402,F401
from test_firewall import (CLI, CLIB, WEB, EGRESS_ALL, ack, config, fwd, nacl,  # noqa: E402
                           nrule, pkt, sg, sin, syn, synack)

V2 = ("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets "
      "bytes start end action log-status").split()
CUSTOM = ("version vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr "
          "srcport dstport pkt-srcaddr pkt-dstaddr protocol bytes packets start end action "
          "tcp-flags log-status flow-direction traffic-path").split()

SUBNETS = {"private-a": "10.0.1.0", "app-a": "10.0.2.0", "app-b": "10.0.3.0"}


def hexid(prefix, addr):
    return prefix + "000000000" + "".join("%02x" % int(x) for x in addr.split("."))


def subnet_of(a):
    return "10.0.%s.0" % a.split(".")[2]


def window(t, interval):
    return int(t) - int(t) % interval


class Line:
    """One expected record: the fields named by AWS."""

    def __init__(self, iface, src, dst, sport, dport, proto, action, egress):
        self.f = {"interface-id": hexid("eni-", iface), "srcaddr": src, "dstaddr": dst,
                  "pkt-srcaddr": src, "pkt-dstaddr": dst,
                  "srcport": str(sport), "dstport": str(dport), "protocol": str(proto),
                  "action": action, "flow-direction": "egress" if egress else "ingress",
                  "vpc-id": hexid("vpc-", "10.0.0.0"),
                  "subnet-id": hexid("subnet-", subnet_of(iface)),
                  "instance-id": "-", "account-id": "000000000000", "type": "IPv4",
                  "log-status": "OK",
                  "traffic-path": ("1" if dst.startswith("10.0.") else "8") if egress else "-"}
        self.packets = self.bytes = 0
        self.start = self.end = None
        self.flags = 0

    def add(self, n, nbytes, start, end, flags=0):
        self.packets += n
        self.bytes += nbytes
        self.start = start if self.start is None else min(self.start, start)
        self.end = end if self.end is None else max(self.end, end)
        self.flags |= flags

    def fields(self, version):
        f = dict(self.f)
        f.update({"packets": str(self.packets), "bytes": str(self.bytes),
                  "start": str(int(self.start)), "end": str(int(self.end)),
                  "tcp-flags": str(self.flags if f["protocol"] == "6" else 0),
                  "version": str(version)})
        return f


class FlowLogCase(Case):
    """A Case whose flow-log files are checked after the run: logs is
    {name: (format field list, version, {window start: [Line]})}."""

    def __init__(self, *a, logs=None, **kw):
        super().__init__(*a, **kw)
        self.logs = logs
        self.fl_dir = None
        self.skipped = 0

    def run(self, workers, **kw):
        self.fl_dir = tempfile.mkdtemp(prefix="vpcgw-fl-")
        for fl in self.config["flow_logs"]:
            fl["destination"] = "file:" + self.fl_dir
        try:
            return super().run(workers, **kw)
        finally:
            if os.environ.get("VPCGW_KEEP") == "1":
                print("kept %s" % self.fl_dir)
            else:
                shutil.rmtree(self.fl_dir, ignore_errors=True)

    def _check_counters(self, js, ports, outputs):
        errors = super()._check_counters(js, ports, outputs)
        seen = set()
        for name, (fields, version, windows) in self.logs.items():
            got = {}
            for w, lines in sorted(windows.items()):
                hour = time.strftime("%Y%m%dT%HZ", time.gmtime(w))
                got.setdefault(hour, []).extend(
                    " ".join(ln.fields(version)[k] for k in fields)
                    for ln in sorted(lines, key=lambda x: (x.start, x.f["interface-id"])))
            for hour, want in got.items():
                path = os.path.join(self.fl_dir, "%s-%s.log" % (name, hour))
                seen.add(os.path.basename(path))
                try:
                    with open(path) as f:
                        act = f.read().splitlines()
                except OSError as e:
                    errors.append("flow log %s: %s" % (name, e))
                    continue
                if not act or act[0] != " ".join(fields):
                    errors.append("%s: header %r, expected %r" %
                                  (path, act[0] if act else None, " ".join(fields)))
                act = act[1:]
                for ln in sorted(set(want) | set(act)):
                    if want.count(ln) != act.count(ln):
                        errors.append("%s: line %r: expected %d times, written %d" %
                                      (name, ln, want.count(ln), act.count(ln)))
                if len(act) != len(want):
                    errors.append("%s: %d lines, expected %d" % (name, len(act), len(want)))
            fl = js.get("flow_logs", {}).get("logs", {}).get(name, {})
            n = sum(len(v) for v in windows.values())
            if fl.get("written") != n:
                errors.append("stats flow_logs.logs.%s.written = %s, expected %d" %
                              (name, fl.get("written"), n))
        extra = set(os.listdir(self.fl_dir)) - seen
        if extra:
            errors.append("unexpected flow-log files: %s" % sorted(extra))
        if js.get("flow_logs", {}).get("skipped") != self.skipped:
            errors.append("flow_logs.skipped = %s, expected %d" %
                          (js.get("flow_logs", {}).get("skipped"), self.skipped))
        return errors


def iplen(p):
    return len(p[IP])


def case_mix():
    """Accepted TCP (CLI -> WEB:80, across the boundary) and UDP (CLI -> CLIB:53,
    CLIB without an ENI), a security-group reject twice (CLI -> WEB:22) and a
    NACL reject (CLI -> CLIB:22); three logs: the VPC, everything, 60 s,
    custom format; private-a, REJECT, default format; CLI's ENI, ACCEPT,
    600 s."""
    groups = [sg("web", ingress=[sin("tcp", "0.0.0.0/0", ports="80")], egress=EGRESS_ALL),
              sg("cli", ingress=[], egress=EGRESS_ALL)]
    acls = [nacl("nb", ingress=[nrule(100, "deny", "tcp", ports="22"), nrule(200, "allow")],
                 egress=[nrule(100, "allow")])]
    cfg = config(nacls=acls, subnet_nacl={"app-b": "nb"}, sgs=groups,
                 enis=[(WEB, ["web"]), (CLI, ["cli"])])
    cfg["flow_logs"] = [
        {"name": "all", "resource": "vpc", "traffic_type": "ALL",
         "max_aggregation_interval": 60, "destination": "",
         "format": " ".join("${%s}" % f for f in CUSTOM)},
        {"name": "rej", "resource": "subnet:private-a", "traffic_type": "REJECT",
         "max_aggregation_interval": 60, "destination": ""},
        {"name": "cli", "resource": "eni:" + CLI, "traffic_type": "ACCEPT",
         "destination": "", "max_aggregation_interval": 600},
    ]
    s1, s2, s3 = (pkt(CLI, WEB, syn(40000, 80)), pkt(WEB, CLI, synack(80, 40000)),
                  pkt(CLI, WEB, ack(40000, 80)))
    u1, u2 = (pkt(CLI, CLIB, UDP(sport=5000, dport=53) / b"query"),
              pkt(CLIB, CLI, UDP(sport=53, dport=5000) / b"answer!"))
    r1, r2 = pkt(CLI, WEB, syn(40001, 22)), pkt(CLI, WEB, syn(40001, 22, seq=1000))
    n1 = pkt(CLI, CLIB, syn(40002, 22))
    d1 = pkt(CLI, WEB, ack(40000, 80, data=b"GET / HTTP/1.0\r\n\r\n"))
    d2 = pkt(WEB, CLI, ack(80, 40000, seq=5001, ackn=1019, data=b"HTTP/1.0 200 OK\r\n"))
    times = [(s1, 1.0), (s2, 1.1), (s3, 1.2), (u1, 2.0), (u2, 2.1), (r1, 3.0), (r2, 4.0),
             (n1, 5.0), (d1, 50.0), (d2, 50.1)]
    for p, t in times:
        at(p, t)
    pkts = [p for p, _ in times]

    def T(t):
        return T0 + t

    # the TCP connection CLI:40000 <-> WEB:80; its UDP exchange; each seen
    # from both ends (CLI, WEB and CLIB are all interfaces of subnets)
    def accepted(interval, lines, only=None):
        def add(iface, src, dst, sport, dport, proto, egress, w, n, nb, st, en, fl):
            if only is not None and iface != only:
                return
            k = (window(w, interval), iface, src, dst, sport, dport, egress)
            if k not in lines:
                lines[k] = Line(iface, src, dst, sport, dport, proto, "ACCEPT", egress)
            lines[k].add(n, nb, st, en, fl)
        # minute 1 (before T0+40): SYN, ACK out; SYN-ACK back; flow created at T0+1
        out1, back1 = iplen(s1) + iplen(s3), iplen(s2)
        for iface, eg_out in ((CLI, True), (WEB, False)):
            add(iface, CLI, WEB, 40000, 80, 6, eg_out, T(1), 2, out1, T(1), T(1.2), 2)
            add(iface, WEB, CLI, 80, 40000, 6, not eg_out, T(1), 1, back1, T(1), T(1.2), 18)
            # minute 2: a flow older than the minute starts at the minute
            add(iface, CLI, WEB, 40000, 80, 6, eg_out, T(50), 1, iplen(d1), T(40), T(50.1), 0)
            add(iface, WEB, CLI, 80, 40000, 6, not eg_out, T(50), 1, iplen(d2), T(40),
                T(50.1), 0)
        for iface, eg_out in ((CLI, True), (CLIB, False)):
            add(iface, CLI, CLIB, 5000, 53, 17, eg_out, T(2), 1, iplen(u1), T(2), T(2.1), 0)
            add(iface, CLIB, CLI, 53, 5000, 17, not eg_out, T(2), 1, iplen(u2), T(2), T(2.1), 0)

    def rejects(lines, only_subnet=None):
        for iface, src, dst, sport, dport, ps in ((WEB, CLI, WEB, 40001, 22, (r1, r2)),
                                                   (CLIB, CLI, CLIB, 40002, 22, (n1,))):
            if only_subnet is not None and subnet_of(iface) != only_subnet:
                continue
            k = (window(ps[0].time, 60), iface, src, dst, sport, dport, False)
            ln = lines.setdefault(k, Line(iface, src, dst, sport, dport, 6, "REJECT", False))
            for p in ps:
                ln.add(1, iplen(p), p.time, p.time, int(p[TCP].flags))

    def by_window(lines):
        out = {}
        for k, ln in lines.items():
            out.setdefault(k[0], []).append(ln)
        return out

    all_lines, rej_lines, cli_lines = {}, {}, {}
    accepted(60, all_lines)
    rejects(all_lines)
    rejects(rej_lines, only_subnet="10.0.1.0")
    accepted(600, cli_lines, only=CLI)
    logs = {"all": (CUSTOM, 5, by_window(all_lines)),
            "rej": (V2, 2, by_window(rej_lines)),
            "cli": (V2, 2, by_window(cli_lines))}
    fwd_pkts = [s1, s2, s3, u1, u2, d1, d2]
    return FlowLogCase("flowlog_mix", cfg, {"vpc": pkts}, {"vpc": [fwd(p) for p in fwd_pkts]},
                       counters={"drops.sg_deny_ingress": 2, "drops.nacl_deny_in": 1,
                                 "ports.vpc.forwarded": 7},
                       logs=logs)


RING = 16383        # records a worker's ring holds (16,384 entries, one kept free)


def case_skipdata():
    """A burst of refused SYNs larger than the ring within one second (the
    control thread drains at each second of the packet clock): RING records
    kept, the rest skipped; every line of that minute says SKIPDATA, the next
    minute's line OK again."""
    groups = [sg("web", ingress=[sin("tcp", "0.0.0.0/0", ports="80")], egress=EGRESS_ALL)]
    cfg = config(sgs=groups, enis=[(WEB, ["web"])])
    cfg["flow_logs"] = [{"name": "rej", "resource": "eni:" + WEB, "traffic_type": "REJECT",
                         "max_aggregation_interval": 60, "destination": ""}]
    n = RING + 117
    burst = [at(pkt(CLI, WEB, syn(40001, 22)), 1.0 + i * 1e-6) for i in range(n)]
    late = at(pkt(CLI, WEB, syn(40001, 22)), 50.0)
    first = Line(WEB, CLI, WEB, 40001, 22, 6, "REJECT", False)
    first.add(RING, RING * iplen(burst[0]), burst[0].time, burst[0].time, 2)
    first.f["log-status"] = "SKIPDATA"
    second = Line(WEB, CLI, WEB, 40001, 22, 6, "REJECT", False)
    second.add(1, iplen(late), late.time, late.time, 2)
    logs = {"rej": (V2, 2, {window(T0, 60): [first], window(late.time, 60): [second]})}
    c = FlowLogCase("flowlog_skipdata", cfg, {"vpc": burst + [late]}, {"vpc": []},
                    counters={"drops.sg_deny_ingress": n + 1}, logs=logs)
    c.skipped = n - RING
    return c


CASES = {
    "flowlog_mix": case_mix,
    "flowlog_skipdata": case_skipdata,
}

if __name__ == "__main__":
    sys.exit(main(CASES))
