#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
Soak test of vpcgw (issue "Robustness", not in CI): an hour of flow churn
replayed with --clock packet in a few minutes, then checks that the number
of live flows and the process's resident memory are flat.

Traffic (deterministic, no randomness): RATE new flows per second for
DURATION seconds of capture time, mixing
  40 %  NAT UDP       client -> 203.0.113.x:5001 via nat-a, one reply
  20 %  NAT TCP       handshake via nat-a; half closed by FIN both ways
                      after 1 s, half left idle (NAT idle timeout 350 s)
  20 %  SG UDP        client -> 10.0.2.3x:5000 (ENI with a tracked SG), reply
  10 %  NLB TCP       client -> 10.0.0.100:80 -> 10.0.2.10:8080, handshake,
                      half closed after 1 s
  10 %  NLB UDP       client -> 10.0.0.100:53 -> 10.0.2.20:53, reply
from 50 clients (10.0.1.10..59) toward 100 servers; then, 400 s after
the last flow (every timeout involved is at most 350 s), one packet that
opens a single flow: the flow table must then hold that flow only.

The NAT gateway chooses its ports, so the replies from the internet are
built from a first run with the VPC side only (one worker: the port choice
is deterministic under the packet clock and does not depend on replies,
since UDP and TCP NAT flows have the same idle timeout whatever their
state). The second run adds the replies and is the one measured:
--stats-interval 60 --stats-series, VmRSS of the process every 0.25 s.

Checks (exit status 1 if one fails), after WARMUP s of capture time
(default 900 s, 2.5 x the longest timeout):
  - flows.active at each 60 s point stays within +-FLOW_TOL (10 %) of
    its mean over the steady part, and the mean of the last third is
    within 3 % of the mean of the middle third (no drift);
  - VmRSS grows by at most RSS_BOUND_KB (4096 kB) between the first
    sample at the end of the warm-up and the end of the traffic, and by at
    most RSS_HALF_BOUND_KB (1024 kB) over the second half of the traffic
    (the flow array, hash and mempool pages are touched once; after that
    nothing may grow with the number of flows seen);
  - after the final packet: flows.active == 1, every service's active
    count 0 except the SG flow; no drop other than the ones listed in
    ALLOWED_DROPS; rx = forwarded + local + dropped.

Usage: soak.py [--duration S] [--rate N] [--workers N] [--out DIR] [--vpcgw PATH] [--keep]
Environment: VPCGW (binary, default build/vpcgw of this tree).
"""
import argparse
import heapq
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
T0 = 1700000000
WARMUP = 900.0
FLOW_TOL = 0.10
RSS_BOUND_KB = 4096
RSS_HALF_BOUND_KB = 1024
ALLOWED_DROPS = ()
MAX_RUNS = 4
WORKERS = 1

M_VPC = bytes.fromhex("020000000001")
M_INET = bytes.fromhex("020000000101")
M_NH = bytes.fromhex("0200000001fe")
NAT_ADDRS = ("198.51.100.10", "198.51.100.11")
NLB = "10.0.0.100"
T_WEB = "10.0.2.10"
T_DNS = "10.0.2.20"
N_CLIENTS = 50
N_SERVERS = 100
N_DB = 10


def client(k):
    return "10.0.1.%d" % (10 + k % N_CLIENTS)


def server(k):
    return "203.0.113.%d" % (1 + k % N_SERVERS)


def db(k):
    return "10.0.2.%d" % (30 + k % N_DB)


def mac_of(a):
    b = [int(x) for x in a.split(".")]
    return bytes([0x0a, 0, 0, 0, b[2], b[3]])


# ------------------------------------------------------------ frames


def _csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ipv4(src, dst, proto, l4):
    s, d = socket.inet_aton(src), socket.inet_aton(dst)
    h = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0, 64, proto, 0, s, d))
    struct.pack_into("!H", h, 10, _csum(bytes(h)))
    return bytes(h) + l4


def udp(src, dst, sport, dport, data):
    # checksum 0: none (RFC 768); vpcgw keeps it 0 through translations
    return ipv4(src, dst, 17, struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data)


def tcp(src, dst, sport, dport, seq, ack, flags):
    fl = {"S": 0x02, "SA": 0x12, "A": 0x10, "FA": 0x11}[flags]
    h = bytearray(struct.pack("!HHIIBBHHH", sport, dport, seq & 0xffffffff, ack & 0xffffffff,
                              5 << 4, fl, 65535, 0, 0))
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(h))
    struct.pack_into("!H", h, 16, _csum(pseudo + bytes(h)))
    return ipv4(src, dst, 6, bytes(h))


def frame(dst_mac, src_mac, ip):
    f = dst_mac + src_mac + b"\x08\x00" + ip
    return f + bytes(max(0, 60 - len(f)))


def from_host(a, ip):
    return frame(M_VPC, mac_of(a), ip)


def from_inet(ip):
    return frame(M_INET, M_NH, ip)


def tag(k):
    return b"K" + struct.pack("!I", k)


# ------------------------------------------------------------ traffic


class Pcap:
    def __init__(self, path):
        self.f = open(path, "wb", buffering=1 << 20)
        self.f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        self.n = 0

    def write(self, t, data):
        us = int(round(t * 1e6))
        self.f.write(struct.pack("<IIII", T0 + us // 1000000, us % 1000000, len(data), len(data)))
        self.f.write(data)
        self.n += 1

    def close(self):
        self.f.close()


def flows(duration, rate):
    """(k, kind, t) of every flow, in time order."""
    k = 0
    for s in range(int(duration)):
        for j in range(rate):
            kind = j % 20
            yield k, kind, s + (j + 0.5) / rate
            k += 1


def packets(k, kind, t, nat):
    """[(time, port, frame)] of flow k. nat: {k: (address, port)} learned
    from the first run, or None (first run: no internet side)."""
    c = client(k)
    sport = 1024 + (k // N_CLIENTS) % 64000
    out = []
    if kind < 8:                                    # NAT UDP
        out.append((t, "vpc", from_host(c, udp(c, server(k), sport, 5001, tag(k)))))
        if nat is not None and k in nat:
            a, p = nat[k]
            out.append((t + 0.002, "internet", from_inet(udp(server(k), a, 5001, p, tag(k)))))
    elif kind < 12:                                 # NAT TCP
        S, cs, ss = server(k), k * 4, 1000
        out.append((t, "vpc", from_host(c, tcp(c, S, sport, 443, cs, 0, "S"))))
        out.append((t + 0.004, "vpc", from_host(c, tcp(c, S, sport, 443, cs + 1, ss + 1, "A"))))
        if nat is not None and k in nat:
            a, p = nat[k]
            out.append((t + 0.002, "internet", from_inet(tcp(S, a, 443, p, ss, cs + 1, "SA"))))
        if k % 2 == 0:
            out.append((t + 1.0, "vpc", from_host(c, tcp(c, S, sport, 443, cs + 1, ss + 1, "FA"))))
            out.append((t + 1.004, "vpc", from_host(c, tcp(c, S, sport, 443, cs + 2, ss + 2, "A"))))
            if nat is not None and k in nat:
                a, p = nat[k]
                out.append((t + 1.002, "internet", from_inet(tcp(S, a, 443, p, ss + 1, cs + 2, "FA"))))
    elif kind < 16:                                 # SG UDP, tracked
        D = db(k)
        out.append((t, "vpc", from_host(c, udp(c, D, sport, 5000, tag(k)))))
        out.append((t + 0.002, "vpc", from_host(D, udp(D, c, 5000, sport, tag(k)))))
    elif kind < 18:                                 # NLB TCP
        cs, ss = k * 4, 7000
        out.append((t, "vpc", from_host(c, tcp(c, NLB, sport, 80, cs, 0, "S"))))
        out.append((t + 0.002, "vpc", from_host(T_WEB, tcp(T_WEB, c, 8080, sport, ss, cs + 1, "SA"))))
        out.append((t + 0.004, "vpc", from_host(c, tcp(c, NLB, sport, 80, cs + 1, ss + 1, "A"))))
        if k % 2 == 0:
            out.append((t + 1.0, "vpc", from_host(c, tcp(c, NLB, sport, 80, cs + 1, ss + 1, "FA"))))
            out.append((t + 1.002, "vpc",
                        from_host(T_WEB, tcp(T_WEB, c, 8080, sport, ss + 1, cs + 2, "FA"))))
            out.append((t + 1.004, "vpc", from_host(c, tcp(c, NLB, sport, 80, cs + 2, ss + 2, "A"))))
    else:                                           # NLB UDP
        out.append((t, "vpc", from_host(c, udp(c, NLB, sport, 53, tag(k)))))
        out.append((t + 0.002, "vpc", from_host(T_DNS, udp(T_DNS, c, 53, sport, tag(k)))))
    return out


def final_probe(duration):
    c, D = client(0), db(0)
    return [(duration + 400.0, "vpc", from_host(c, udp(c, D, 999, 5000, b"final")))]


def write_captures(d, duration, rate, nat, ports):
    """Stream the traffic into DIR/<port>-in.pcap in capture order (a heap
    per port; a flow's packets span at most 1.004 s)."""
    pc = {p: Pcap(os.path.join(d, "%s-in.pcap" % p)) for p in ports}
    heaps = {p: [] for p in ports}
    seq = 0

    def flush(upto):
        for p in ports:
            h = heaps[p]
            while h and h[0][0] < upto:
                t, _, data = heapq.heappop(h)
                pc[p].write(t, data)

    cur = 0
    for k, kind, t in flows(duration, rate):
        if int(t) != cur:
            flush(float(int(t)))
            cur = int(t)
        for (pt, port, data) in packets(k, kind, t, nat):
            if port in heaps:
                heapq.heappush(heaps[port], (pt, seq, data))
                seq += 1
    for (pt, port, data) in final_probe(duration):
        if port in heaps:
            heapq.heappush(heaps[port], (pt, seq, data))
            seq += 1
    flush(float("inf"))
    n = {p: pc[p].n for p in ports}
    for p in ports:
        pc[p].close()
    return n


def learn_nat(path):
    """{k: (NAT address, port)} from the NAT gateway's first packet of
    each flow in a first run's internet output."""
    nat = {}
    with open(path, "rb") as f:
        f.read(24)
        while True:
            h = f.read(16)
            if len(h) < 16:
                break
            n = struct.unpack("<IIII", h)[2]
            b = f.read(n)
            if len(b) < 34 or b[12:14] != b"\x08\x00":
                continue
            ihl = (b[14] & 0xf) * 4
            proto, src = b[23], socket.inet_ntoa(b[26:30])
            l4 = 14 + ihl
            sport = struct.unpack("!H", b[l4:l4 + 2])[0]
            if proto == 17 and b[l4 + 8:l4 + 9] == b"K":
                k = struct.unpack("!I", b[l4 + 9:l4 + 13])[0]
            elif proto == 6 and b[l4 + 13] == 0x02:      # SYN: seq = 4 k
                k = struct.unpack("!I", b[l4 + 4:l4 + 8])[0] // 4
            else:
                continue
            nat.setdefault(k, (src, sport))
    return nat


# ------------------------------------------------------------ vpcgw


def config(d):
    hosts = ["10.0.1.%d" % (10 + i) for i in range(N_CLIENTS)] + \
            ["10.0.2.%d" % (30 + i) for i in range(N_DB)] + [T_WEB, T_DNS]
    neigh = ",\n  ".join('{ port = "vpc"; address = "%s"; mac = "%s"; }' %
                         (h, ":".join("%02x" % x for x in mac_of(h))) for h in hosts)
    enis = ", ".join('{ address = "10.0.2.%d"; security_groups = [ "db" ]; }' % (30 + i)
                     for i in range(N_DB))
    return """
dpdk = { eal_args = [ "--no-huge", "-m", "512", "--no-pci", "--file-prefix", "vpcgwsoak%(pid)d",
                      "--log-level", "lib.eal:error" ];
         workers = 1; mbufs = 8191; flow_table_size = 131072; };
ports = (
  { name = "vpc"; devargs = "net_pcap0,rx_pcap=%(d)s/vpc-in.pcap,tx_pcap=%(d)s/vpc-out.pcap";
    mac = "02:00:00:00:00:01"; address = "10.0.0.1/16"; },
  { name = "internet"; devargs = "net_pcap1,rx_pcap=%(d)s/internet-in.pcap,tx_pcap=%(d)s/internet-out.pcap";
    mac = "02:00:00:00:01:01"; address = "198.51.100.1/24"; }
);
neighbors = (
  { port = "internet"; address = "198.51.100.254"; mac = "02:00:00:00:01:fe"; },
  %(neigh)s
);
vpc = { cidr = "10.0.0.0/16";
  subnets = ( { name = "public-a"; cidr = "10.0.0.0/24"; port = "vpc"; route_table = "public"; },
              { name = "private-a"; cidr = "10.0.1.0/24"; port = "vpc"; route_table = "private"; },
              { name = "app-a"; cidr = "10.0.2.0/24"; port = "vpc"; route_table = "private"; } ); };
internet_gateway = { port = "internet"; next_hop = "198.51.100.254"; };
route_tables = (
  { name = "public"; routes = ( { destination = "0.0.0.0/0"; target = "igw"; } ); },
  { name = "private"; routes = ( { destination = "0.0.0.0/0"; target = "nat-gateway:nat-a"; } ); }
);
security_groups = (
  { name = "db"; ingress = ( { protocol = "udp"; ports = "5000"; source = "10.0.1.0/24"; } );
    egress = (); }
);
interfaces = ( %(enis)s );
nat_gateways = ( { name = "nat-a"; subnet = "public-a"; addresses = [ "%(nat0)s", "%(nat1)s" ]; } );
network_load_balancers = (
  { name = "web"; subnet = "public-a"; address = "%(nlb)s";
    listeners = ( { protocol = "tcp"; port = 80; target_group = "web-tg"; },
                  { protocol = "udp"; port = 53; target_group = "dns-tg"; } ); }
);
target_groups = (
  { name = "web-tg"; protocol = "tcp"; port = 8080; health_check = { enabled = false; };
    targets = ( { address = "%(web)s"; } ); },
  { name = "dns-tg"; protocol = "udp"; port = 53; health_check = { enabled = false; };
    targets = ( { address = "%(dns)s"; } ); }
);
""" % {"d": d, "pid": os.getpid(), "neigh": neigh, "enis": enis, "nat0": NAT_ADDRS[0],
       "nat1": NAT_ADDRS[1], "nlb": NLB, "web": T_WEB, "dns": T_DNS}


def run_vpcgw(binary, d, series=None, sample=False):
    """Run vpcgw on d's captures; returns (stats, [(wall s, VmRSS kB, series
    lines so far)], wall seconds)."""
    for p in ("vpc-out.pcap", "internet-out.pcap", "series.jsonl", "stats.json"):
        if os.path.exists(os.path.join(d, p)):
            os.unlink(os.path.join(d, p))
    cmd = [binary, "-c", os.path.join(d, "soak.cfg"), "--clock", "packet", "--exit-idle-ms", "1000",
           "--stats-json", os.path.join(d, "stats.json"), "-w", str(WORKERS)]
    if series:
        cmd += ["--stats-interval", "60", "--stats-series", os.path.join(d, "series.jsonl")]
    log = open(os.path.join(d, "vpcgw.log"), "w")
    t0 = time.time()
    proc = subprocess.Popen(cmd, cwd=d, stdout=log, stderr=subprocess.STDOUT)
    samples = []
    stop = threading.Event()

    def sampler():
        sp = os.path.join(d, "series.jsonl")
        while not stop.is_set():
            try:
                with open("/proc/%d/status" % proc.pid) as f:
                    rss = next(int(x.split()[1]) for x in f if x.startswith("VmRSS:"))
                lines = 0
                if os.path.exists(sp):
                    with open(sp, "rb") as f:
                        lines = f.read().count(b"\n")
                samples.append((time.time() - t0, rss, lines))
            except (OSError, StopIteration):
                pass
            stop.wait(0.25)

    th = threading.Thread(target=sampler)
    if sample:
        th.start()
    rc = proc.wait()
    stop.set()
    if sample:
        th.join()
    log.close()
    wall = time.time() - t0
    if rc != 0:
        sys.exit("vpcgw exited with %d, see %s/vpcgw.log" % (rc, d))
    with open(os.path.join(d, "stats.json")) as f:
        return json.load(f), samples, wall


# ------------------------------------------------------------ checks


def analyse(d, stats, samples, duration, args):
    series = []
    with open(os.path.join(d, "series.jsonl")) as f:
        for line in f:
            if line.strip():
                series.append(json.loads(line))
    # one line every 60 s of capture time, and one at exit
    pts = [(s["time_ms"] / 1000.0 - T0, s["flows"]["active"]) for s in series[:-1]]
    problems = []
    steady = [(t, a) for t, a in pts if WARMUP <= t <= duration]
    res = {"series_points": len(pts), "wall_s": None,
           "flows_active_series": [[round(t), a] for t, a in pts]}
    if len(steady) < 6:
        problems.append("only %d series points after the warm-up" % len(steady))
    else:
        vals = [a for _, a in steady]
        mean = sum(vals) / len(vals)
        third = len(vals) // 3
        mid = sum(vals[third:2 * third]) / third
        last = sum(vals[-third:]) / third
        res.update(flows_min=min(vals), flows_max=max(vals), flows_mean=round(mean),
                   flows_mid_third=round(mid), flows_last_third=round(last))
        if max(vals) > mean * (1 + FLOW_TOL) or min(vals) < mean * (1 - FLOW_TOL):
            problems.append("flows.active leaves +-%d%% of its mean %d: %d..%d" %
                            (FLOW_TOL * 100, mean, min(vals), max(vals)))
        if abs(last - mid) > 0.03 * mid:
            problems.append("flows.active drifts: middle third %d, last third %d" % (mid, last))
    # VmRSS: first sample once the series has passed the warm-up, then the
    # largest until the traffic ends (the series line at `duration`)
    w_line = next((i + 1 for i, (t, _) in enumerate(pts) if t >= WARMUP), len(series) + 1)
    e_line = max([i + 1 for i, (t, _) in enumerate(pts) if t <= duration] or [0])
    warm = [r for _, r, n in samples if n >= w_line]
    during = [r for _, r, n in samples if w_line <= n <= e_line]
    res.update(rss_start_kb=samples[0][1] if samples else None,
               rss_max_kb=max(r for _, r, _ in samples) if samples else None,
               rss_end_kb=samples[-1][1] if samples else None)
    if not warm or not during:
        problems.append("not enough VmRSS samples (%d)" % len(samples))
    else:
        res.update(rss_at_warmup_kb=warm[0], rss_max_after_warmup_kb=max(during),
                   rss_growth_after_warmup_kb=max(during) - warm[0])
        if max(during) - warm[0] > RSS_BOUND_KB:
            problems.append("VmRSS grew by %d kB after the warm-up (bound %d kB)" %
                            (max(during) - warm[0], RSS_BOUND_KB))
        # second half of the traffic: no growth at all beyond page noise
        h_line = next((i + 1 for i, (t, _) in enumerate(pts) if t >= duration / 2), e_line)
        half = [r for _, r, n in samples if h_line <= n <= e_line]
        if half:
            res.update(rss_second_half_kb=[min(half), max(half)])
            if max(half) - half[0] > RSS_HALF_BOUND_KB:
                problems.append("VmRSS grew by %d kB in the second half (bound %d kB)" %
                                (max(half) - half[0], RSS_HALF_BOUND_KB))
    # the end: one flow left
    fl = stats["flows"]
    res["final_flows"] = {"active": fl["active"], "by_service": fl["by_service"]}
    if fl["active"] != 1:
        problems.append("flows.active %d after every flow expired and one new (want 1)" % fl["active"])
    for svc, v in fl["by_service"].items():
        want = 1 if svc == "security_group" else 0
        if v["active"] != want or v["created"] - v["deleted"] != want:
            problems.append("flows.by_service.%s: %s (want active %d)" % (svc, v, want))
    nat = stats["nat"]["nat-a"]
    res["nat"] = {k: nat[k] for k in ("ActiveConnectionCount", "ConnectionAttemptCount",
                                      "ConnectionEstablishedCount", "ErrorPortAllocation",
                                      "PacketsDropCount")}
    if nat["ActiveConnectionCount"] != 0 or nat["ErrorPortAllocation"] != 0:
        problems.append("nat-a: %s" % res["nat"])
    nlb = stats["nlb"]["web"]
    res["nlb_active"] = nlb["ActiveFlowCount"]
    if nlb["ActiveFlowCount"] != 0:
        problems.append("nlb web ActiveFlowCount %d" % nlb["ActiveFlowCount"])
    drops = {k: v for k, v in stats["drops"].items() if v}
    res["drops"] = drops
    for k, v in drops.items():
        if k not in ALLOWED_DROPS:
            problems.append("drops.%s = %d" % (k, v))
    t = stats["totals"]
    res["totals"] = t
    if t["rx"] != t["forwarded"] + t["local"] + t["drops"]:
        problems.append("totals: rx != forwarded + local + drops: %s" % t)
    return res, problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=float, default=3600.0)
    ap.add_argument("--rate", type=int, default=200)
    ap.add_argument("--out", default=os.environ.get("SOAK_OUT", "/tmp/vpcgw-soak"))
    ap.add_argument("--vpcgw", default=os.environ.get("VPCGW",
                                                      os.path.join(HERE, "..", "build", "vpcgw")))
    ap.add_argument("--keep", action="store_true", help="keep the captures")
    ap.add_argument("--workers", type=int, default=1)
    a = ap.parse_args()
    global WORKERS
    WORKERS = a.workers
    if a.rate % 20:
        sys.exit("--rate must be a multiple of 20 (the traffic mix)")
    binary = os.path.abspath(a.vpcgw)
    d = a.out
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    with open(os.path.join(d, "soak.cfg"), "w") as f:
        f.write(config(d))
    t0 = time.time()
    print("soak: %g s of capture, %d new flows/s, output in %s" % (a.duration, a.rate, d), flush=True)
    # run 1: the VPC side only, to learn the NAT gateway's ports
    n1 = write_captures(d, a.duration, a.rate, None, ["vpc"])
    Pcap(os.path.join(d, "internet-in.pcap")).close()
    _, _, w1 = run_vpcgw(binary, d)
    nat = learn_nat(os.path.join(d, "internet-out.pcap"))
    print("soak: run 1 (learn NAT ports): %d packets, %.0f s, %d NAT flows learned" %
          (n1["vpc"], w1, len(nat)), flush=True)
    # run 2..: both sides, measured. A reply built from run 1 can miss when
    # a TCP connection's state changed which ports were live when a later
    # one was allocated (run 1 has no handshakes); learn again from each
    # run until the ports no longer change, and keep the last run.
    for it in range(2, 2 + MAX_RUNS):
        n2 = write_captures(d, a.duration, a.rate, nat, ["internet"])
        n2["vpc"] = n1["vpc"]
        stats, samples, w2 = run_vpcgw(binary, d, series=True, sample=True)
        again = learn_nat(os.path.join(d, "internet-out.pcap"))
        changed = sum(1 for k, v in again.items() if nat.get(k) != v)
        print("soak: run %d (measured): %d + %d packets, %.0f s, %d NAT ports differ from "
              "the previous run" % (it, n2["vpc"], n2["internet"], w2, changed), flush=True)
        nat = again
        if changed == 0:
            break
    res, problems = analyse(d, stats, samples, a.duration, a)
    res.update(wall_s=round(w2, 1), wall_total_s=round(time.time() - t0, 1),
               packets=sum(n2.values()), pps_replay=round(sum(n2.values()) / w2),
               duration_s=a.duration, rate=a.rate, workers=a.workers, runs=it, nat_ports_unstable=changed)
    with open(os.path.join(d, "samples.tsv"), "w") as f:
        f.write("wall_s\tvmrss_kb\tseries_lines\n")
        for s in samples:
            f.write("%.2f\t%d\t%d\n" % s)
    with open(os.path.join(d, "result.json"), "w") as f:
        json.dump({"result": res, "problems": problems}, f, indent=1)
    print(json.dumps(res, indent=1))
    if not a.keep:
        for p in ("vpc-in.pcap", "internet-in.pcap", "vpc-out.pcap", "internet-out.pcap"):
            try:
                os.unlink(os.path.join(d, p))
            except OSError:
                pass
    if changed:
        problems.append("NAT ports still changed in the last run (%d): replies may miss" % changed)
    if problems:
        print("soak: FAIL\n  - " + "\n  - ".join(problems))
        return 1
    print("soak: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
