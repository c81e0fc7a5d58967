#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
pcap suite, exhaustion (issue "Robustness"): what vpcgw does when a bounded
resource runs out — the ARP wait queue (DP_ARPQ_SIZE = 256 packets per
worker), a small mbuf pool (dpdk.mbufs = 1023, the smallest accepted), the
flow table (dpdk.flow_table_size = 1024, the smallest) at the NAT gateway,
the NAT gateway's per-destination bookkeeping and the neighbor table over a
long run — and that everything comes back once the load is gone: the named
counter rises by exactly the excess, established traffic keeps passing, and
after the flows expire (packet clock) flows.active and every service's
active count are back to what is live, and new flows pass again. Results
and findings (E1..E6): docs/RELIABILITY.md, "Exhaustion and soak".

The accounting identity (rx = forwarded + local + dropped, per port and in
total), rx == packets in the input captures (nothing lost in the device:
no mbuf shortage at rx) and tx + generated == packets in the output
captures are checked by vpcgwtest for every case; a leaked mbuf cannot
break those directly, so the cases that stress the pool end with packets
that must still pass, and mbuf_small_pool, where the device does run out
of mbufs, checks what must hold then (PoolCase) and that no mbuf is in
use at exit (totals.mbufs_in_use).

  vpcgw ports   vpc 02:00:00:00:00:01 10.0.0.1/16 (mtu 9001)
                internet 02:00:00:00:01:01 198.51.100.1/24
                appliances 02:00:00:00:02:01 192.168.50.1/24
  subnets       public-a 10.0.0.0/24 (table public: 0/0 igw),
                private-a 10.0.1.0/24 and app-a 10.0.2.0/24 (table private:
                0/0 nat-gateway:nat-a, 203.0.113.0/24 gwlb-endpoint:inspect-a),
                scan 10.0.32.0/19 (table private; the neighbor-table case)
  hosts         static neighbors, MAC 0a:00:00:00:<3rd byte>:<4th byte>;
                10.0.2.50 and 10.0.2.60 are not: vpcgw must ARP for them
  NAT gateway   nat-a in public-a, 198.51.100.10 and .11
  NLB           web 10.0.0.100: tcp:80 -> 10.0.2.10:8080, udp:53 -> 10.0.2.20:53
                (client IP preserved, health checks off)
  GWLB          inspect on port appliances, appliance 192.168.50.10, endpoint
                inspect-a in public-a (health checks off)
  ENI           10.0.2.30 with SG db: udp 5000 from 10.0.1.0/24 (tracked)

Usage: test_exhaust.py --workers N [--case NAME]... [--list]
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from vpcgwtest import (EAL_ARGS, ARP, Case, Ether, Exp, IP, TCP, UDP, Raw,  # noqa: E402
                       TwoPhaseCase, at, first_run, main, routed)

M_VPC = "02:00:00:00:00:01"
M_INET = "02:00:00:00:01:01"
M_APPS = "02:00:00:00:02:01"
M_NH, A_NH = "02:00:00:00:01:fe", "198.51.100.254"
BCAST = "ff:ff:ff:ff:ff:ff"

H1 = "10.0.1.10"        # private-a, behind the NAT gateway
H2 = "10.0.1.11"        # private-a
PUB = "10.0.0.10"       # public-a, elastic IP EIP
T1 = "10.0.2.10"        # NLB target (tcp 8080)
DNS = "10.0.2.20"       # NLB target (udp 53)
DB = "10.0.2.30"        # ENI with SG db
U1 = "10.0.2.50"        # not a static neighbor
U2 = "10.0.2.60"        # not a static neighbor
EIP = "198.51.100.20"
EIP2 = "198.51.100.21"    # -> H2
NAT_ADDRS = ("198.51.100.10", "198.51.100.11")
NLB = "10.0.0.100"
APP = "192.168.50.10"
M_APP = "0a:00:00:00:32:0a"
SERVER = "192.0.2.80"
REMOTE = "192.0.2.200"

NAT = "nat.nat-a."


def mac_of(a):
    b = [int(x) for x in a.split(".")]
    return "0a:00:00:00:%02x:%02x" % (b[2], b[3])


def config(mbufs=4095, flow_table_size=4096, static=(H1, H2, PUB, T1, DNS, DB), nat_idle=350,
           workers=1):
    ports = [
        {"name": "vpc", "mac": M_VPC, "address": "10.0.0.1/16", "mtu": 9001},
        {"name": "internet", "mac": M_INET, "address": "198.51.100.1/24", "mtu": 1500},
        {"name": "appliances", "mac": M_APPS, "address": "192.168.50.1/24", "mtu": 9001},
    ]
    for i, p in enumerate(ports):
        p["devargs"] = "net_pcap%d,rx_pcap={dir}/%s-in.pcap,tx_pcap={dir}/%s-out.pcap" % (
            i, p["name"], p["name"])
    off = {"enabled": False}
    return {
        "dpdk": {"eal_args": EAL_ARGS, "workers": workers, "mbufs": mbufs,
                 "flow_table_size": flow_table_size},
        "ports": ports,
        "neighbors": [{"port": "internet", "address": A_NH, "mac": M_NH},
                      {"port": "appliances", "address": APP, "mac": M_APP}] +
                     [{"port": "vpc", "address": h, "mac": mac_of(h)} for h in static],
        "vpc": {"cidr": "10.0.0.0/16", "subnets": [
            {"name": "public-a", "cidr": "10.0.0.0/24", "port": "vpc", "route_table": "public"},
            {"name": "private-a", "cidr": "10.0.1.0/24", "port": "vpc", "route_table": "private"},
            {"name": "app-a", "cidr": "10.0.2.0/24", "port": "vpc", "route_table": "private"},
            {"name": "scan", "cidr": "10.0.32.0/19", "port": "vpc", "route_table": "private"},
        ]},
        "internet_gateway": {"port": "internet", "next_hop": A_NH,
                             "elastic_ips": [{"public": EIP, "private": PUB},
                                             {"public": EIP2, "private": H2}]},
        "route_tables": [
            {"name": "public", "routes": [{"destination": "0.0.0.0/0", "target": "igw"}]},
            {"name": "private", "routes": [
                {"destination": "0.0.0.0/0", "target": "nat-gateway:nat-a"},
                {"destination": "203.0.113.0/24", "target": "gwlb-endpoint:inspect-a"}]},
        ],
        "security_groups": [
            {"name": "db", "ingress": [{"protocol": "udp", "ports": "5000",
                                        "source": "10.0.1.0/24"}],
             "egress": []},
        ],
        "interfaces": [{"address": DB, "security_groups": ["db"]}],
        "nat_gateways": [{"name": "nat-a", "subnet": "public-a", "addresses": list(NAT_ADDRS),
                          "idle_timeout": nat_idle}],
        "network_load_balancers": [
            {"name": "web", "subnet": "public-a", "address": NLB,
             "listeners": [
                 {"protocol": "tcp", "port": 80, "target_group": "web-tg", "idle_timeout": 350},
                 {"protocol": "udp", "port": 53, "target_group": "dns-tg"}]},
        ],
        "target_groups": [
            {"name": "web-tg", "protocol": "tcp", "port": 8080, "preserve_client_ip": True,
             "health_check": off, "targets": [{"address": T1}]},
            {"name": "dns-tg", "protocol": "udp", "port": 53, "preserve_client_ip": True,
             "health_check": off, "targets": [{"address": DNS}]},
        ],
        "gateway_load_balancers": [
            {"name": "inspect", "port": "appliances", "health_check": off,
             "appliances": [{"address": APP}],
             "endpoints": [{"name": "inspect-a", "id": "vpce-0a1b2c3d4e5f60718",
                            "subnet": "public-a"}]},
        ],
    }


# ------------------------------------------------------------ packets


def from_host(src, dst, l4, ttl=64):
    return Ether(src=mac_of(src), dst=M_VPC) / IP(src=src, dst=dst, ttl=ttl) / l4


def from_inet(src, dst, l4, ttl=64):
    return Ether(src=M_NH, dst=M_INET) / IP(src=src, dst=dst, ttl=ttl) / l4


def local(p, mac=None):
    """SPEC §3.3 local target: TTL - 1, Ethernet from vpcgw to the host."""
    return Exp(routed(p, M_VPC, mac or mac_of(p[IP].dst)))


def arp_request_exp(sender_ip, target_ip, port_mac=M_VPC):
    """ARP request broadcast by vpcgw (RFC 826); sender = the subnet's .1."""
    r = Ether(src=port_mac, dst=BCAST) / ARP(op=1, hwsrc=port_mac, psrc=sender_ip,
                                              hwdst="00:00:00:00:00:00", pdst=target_ip)
    return Exp(Ether(bytes(r)), wild=("ARP.hwdst",), pad=True, note="ARP request for %s" % target_ip)


def arp_reply(ip, to_ip, mac=None):
    mac = mac or mac_of(ip)
    return Ether(src=mac, dst=M_VPC) / ARP(op=2, hwsrc=mac, psrc=ip, hwdst=M_VPC, pdst=to_ip)


def udp(sport, dport, data):
    return UDP(sport=sport, dport=dport) / Raw(data)


def l4_sport(p):
    ip = bytes(p[IP])
    ihl = (ip[0] & 0xf) * 4
    return struct.unpack("!H", ip[ihl:ihl + 2])[0]


def nat_out_any(p):
    """SPEC §3.3 nat-gateway target, for a case that does not need to know
    the port beforehand: source = one of nat-a's addresses and a port in
    1024..65535 (checked), the rest as routed() makes it."""
    def build(act):
        if act is None or IP not in act:
            return routed(p, M_INET, M_NH)
        return routed(p, M_INET, M_NH, src=act[IP].src, sport=l4_sport(act))

    def check(act):
        out = []
        if IP in act and act[IP].src not in NAT_ADDRS:
            out.append("source %s is not a NAT address" % act[IP].src)
        if IP in act and not 1024 <= l4_sport(act) <= 65535:
            out.append("NAT source port %d outside 1024..65535" % l4_sport(act))
        return out
    return Exp(build, check=check, note="NAT of %s:%d" % (p[IP].src, p[UDP].sport if UDP in p else 0))


def learn_nat(outputs, pred, what):
    got = [p for p in outputs.get("internet", []) if IP in p and pred(p)]
    assert got, "first run: no packet out for %s" % what
    addr, port = got[0][IP].src, l4_sport(got[0])
    assert addr in NAT_ADDRS and 1024 <= port <= 65535, "%s: %s:%d" % (what, addr, port)
    return addr, port


def payload_is(data):
    return lambda p: Raw in p and bytes(p[Raw]).startswith(data)


# ------------------------------------------------------------ ARP wait queue


def _arp_hold(n_held, gap=0.001, t_reply=0.5):
    """n_held UDP packets from H1 to U1 (unresolved), one per `gap` s from
    t = 0, then U1's ARP reply at t_reply, then 3 more packets."""
    held = [at(from_host(H1, U1, udp(6000, 7000, b"held-%04d" % i)), i * gap) for i in range(n_held)]
    reply = at(arp_reply(U1, "10.0.2.1"), t_reply)
    after = [at(from_host(H1, U1, udp(6000, 7000, b"after-%d" % i)), t_reply + 0.1 + 0.01 * i)
             for i in range(3)]
    return held, reply, after


def case_arp_queue_full():
    """300 packets to an unresolved neighbor (10.0.2.50) within 0.3 s, less
    than the ARP wait time (3 s): one ARP request (the first packet; no retry
    before 1 s), the first 256 are held (DP_ARPQ_SIZE), the other 44 are
    dropped as arp_queue_full — exactly the excess. Meanwhile an established
    exchange between resolved hosts (H2 -> DB, SG-tracked UDP, and DB's
    replies) keeps passing. The ARP reply at 0.5 s releases the 256 in the
    order they arrived, before the packets sent after the reply."""
    held, reply, after = _arp_hold(300)
    est = []
    for i in range(5):
        t = 0.05 + 0.05 * i
        est.append(at(from_host(H2, DB, udp(5100, 5000, b"q%d" % i)), t + 0.0005))
        est.append(at(from_host(DB, H2, udp(5000, 5100, b"a%d" % i)), t + 0.0007))
    inp = sorted(held + est + [reply] + after, key=lambda p: float(p.time))
    exp = [arp_request_exp("10.0.2.1", U1)] + [local(p) for p in est] + \
          [local(p, mac_of(U1)) for p in held[:256]] + [local(p, mac_of(U1)) for p in after]
    return Case("arp_queue_full", config(), {"vpc": inp}, {"vpc": exp},
                counters={"drops.arp_queue_full": 44, "ports.vpc.local": 1,
                          "ports.vpc.generated": 1,
                          "ports.vpc.forwarded": 256 + 3 + len(est),
                          "flows.by_service.security_group.created": 1})


def case_arp_reply_same_ms():
    """The ARP reply and a new packet to the same neighbor in the same
    millisecond (one rx burst): the packet sent after the reply must leave
    after the 10 packets that were waiting for that reply (same flow: a
    router must not reorder it)."""
    held, _, _ = _arp_hold(10, gap=0.001)
    reply = at(arp_reply(U1, "10.0.2.1"), 0.5)
    new = at(from_host(H1, U1, udp(6000, 7000, b"after-reply")), 0.5002)
    exp = [arp_request_exp("10.0.2.1", U1)] + [local(p, mac_of(U1)) for p in held + [new]]
    return Case("arp_reply_same_ms", config(), {"vpc": held + [reply, new]}, {"vpc": exp},
                counters={"ports.vpc.forwarded": 11})


def case_arp_reply_other_worker():
    """Packets from the internet to the elastic IP's host 10.0.0.10 wait for
    ARP (with 2 workers, in the queue of the worker polling the internet
    port); the ARP reply arrives on the vpc port (the other worker). A
    packet to the same host 0.1 s after the reply must leave after the 10
    that waited (same flow: no reordering)."""
    held = [at(from_inet(REMOTE, EIP, udp(6001, 7001, b"held-i-%02d" % i)), 0.001 * i)
            for i in range(10)]
    reply = at(arp_reply(PUB, "10.0.0.1"), 0.5)
    late = at(from_inet(REMOTE, EIP, udp(6001, 7001, b"after-reply")), 0.6)
    exp = [arp_request_exp("10.0.0.1", PUB)] + \
          [Exp(routed(p, M_VPC, mac_of(PUB), dst=PUB)) for p in held + [late]]
    return Case("arp_reply_other_worker", config(static=(H1, H2, T1, DNS, DB)),
                {"vpc": [reply], "internet": held + [late]}, {"vpc": exp},
                counters={"ports.internet.forwarded": 11, "ports.vpc.local": 1})


class PoolCase(Case):
    """A case where the device may refuse packets for want of mbufs (net_pcap
    reads a record, finds the pool empty, counts it in nic_rx_nombuf and
    loses it). Which packets it loses depends on when the workers call rx,
    in wall time: under --clock packet a worker reads its next burst as soon
    as it has handled the previous one, whatever the capture times. So the
    check names what must hold whichever packets the device lost:

    1. nothing is lost uncounted: per port, rx + nic_rx_nombuf == input;
    2. what vpcgw received it handled as the SPEC says: every output packet
       is the expected one (bytes) for one input packet, none leaves twice,
       and every flow's packets leave in input order (a loss is a gap);
    3. what did not leave is counted: per input port, input - local ==
       delivered + dropped + nic_rx_nombuf, with arp_queue_full the only
       drop reason;
    4. an ARP wait queue keeps the first packets it receives: it releases
       at most `cap`, drops (arp_queue_full) only when it released `cap`,
       and every packet of its flows before the last one it released was
       released or lost by the device;
    5. no mbuf is lost: totals.mbufs_in_use is 0 at exit, no packet vpcgw
       builds is lost (no_mbuf, generated_dropped 0), and the ARP requests
       are sent, once per unresolved neighbor, before what they release.

    flows: [(name, port, [(input packet, Exp)])], each list in input order;
    queues: [(names of the queue's flows, neighbor, count held of them)]:
    a queue holds the packets of its flows that come before the neighbor's
    ARP reply (the first `held` of each flow); arp: {neighbor: (Exp of the
    ARP request, [names of the flows to it])}. Every input packet carries a
    unique payload."""

    def __init__(self, name, config, flows, queues, arp, local_in, cap, counters):
        self.flows = flows
        self.queues = queues
        self.arp = arp
        inputs = {}
        for _, port, pk in flows:
            inputs.setdefault(port, []).extend(p for p, _ in pk)
        for port, p in local_in:
            inputs.setdefault(port, []).append(p)
        self.cap = cap
        self.by_tag = {bytes(p[Raw]): (fname, k) for fname, _, pk in flows
                       for k, (p, _) in enumerate(pk)}
        self.exp = {fname: pk for fname, _, pk in flows}
        Case.__init__(self, name, config, inputs, {}, counters=counters)

    def _compare(self, ports, outputs):
        errors = []
        self.sent = {fname: [] for fname, _, _ in self.flows}
        first = {}          # flow -> output index of its first packet
        arp_seen = {}       # neighbor -> output index of its ARP request
        for pn in ports:
            for n, b in enumerate(outputs[pn]):
                a = Ether(b)
                if ARP in a and pn == "vpc" and a[ARP].op == 1 and a[ARP].pdst in self.arp:
                    if a[ARP].pdst in arp_seen:
                        errors.append("vpc: second ARP request for %s" % a[ARP].pdst)
                    pr = self.arp[a[ARP].pdst][0].problems(b)
                    if pr:
                        errors.append("vpc: ARP request #%d:\n  %s" % (n, "\n  ".join(pr)))
                    arp_seen[a[ARP].pdst] = n
                    continue
                who = self.by_tag.get(bytes(a[Raw])) if Raw in a and pn == "vpc" else None
                if who is None:
                    errors.append("%s: unexpected packet #%d: %s" % (pn, n, a.summary()))
                    continue
                fname, k = who
                exp = self.exp[fname][k][1]
                if b != exp.expected_bytes():
                    pr = exp.problems(b)
                    if pr:
                        errors.append("vpc: packet #%d, %s[%d]:\n  %s" % (n, fname, k,
                                                                         "\n  ".join(pr)))
                got = self.sent[fname]
                if got and k <= got[-1]:
                    errors.append("vpc: %s[%d] after %s[%d] (out of order or twice)" %
                                  (fname, k, fname, got[-1]))
                got.append(k)
                first.setdefault(fname, n)
        for nb, (_, fnames) in self.arp.items():
            if nb not in arp_seen:
                errors.append("vpc: no ARP request for %s" % nb)
            elif any(first.get(f, arp_seen[nb]) < arp_seen[nb] for f in fnames):
                errors.append("vpc: a packet to %s left before vpcgw asked for it (ARP)" % nb)
        return errors

    def _check_counters(self, js, ports, outputs):
        # rx == input (vpcgwtest) does not hold when the device loses packets: rule 1 instead
        errors = [e for e in Case._check_counters(self, js, ports, outputs)
                  if not e.startswith("totals.rx ") and not
                  (e.startswith("ports.") and " input packets" in e and ".rx " in e)]
        pj = js.get("ports", {})
        nombuf = {pn: pj.get(pn, {}).get("nic_rx_nombuf", 0) for pn in ports}
        for pn in ports:
            p, n = pj.get(pn, {}), len(self.inputs.get(pn, []))
            if p.get("rx", 0) + nombuf[pn] != n:
                errors.append("ports.%s: rx %d + nic_rx_nombuf %d != %d input packets "
                              "(packets neither received nor counted)" % (pn, p.get("rx", 0),
                                                                         nombuf[pn], n))
            delivered = sum(len(self.sent[f]) for f, port, _ in self.flows if port == pn)
            if n - p.get("local", 0) != delivered + p.get("dropped", 0) + nombuf[pn]:
                errors.append("ports.%s: %d input - %d local != %d delivered + %d dropped + %d "
                              "nic_rx_nombuf" % (pn, n, p.get("local", 0), delivered,
                                                  p.get("dropped", 0), nombuf[pn]))
        port_of = {f: port for f, port, _ in self.flows}
        for fnames, nb, held in self.queues:
            qports = sorted(set(port_of[f] for f in fnames))
            # the queue's packets in input (capture) order, and which left
            order = sorted(((float(self.exp[f][k][0].time), f, k) for f in fnames
                            for k in range(held[f])))
            rel = [i for i, (_, f, k) in enumerate(order) if k in self.sent[f]]
            dropped = sum(pj.get(pn, {}).get("dropped", 0) for pn in qports)
            lost = sum(nombuf[pn] for pn in qports)
            if len(rel) > self.cap:
                errors.append("queue %s: %d released, more than %d" % (nb, len(rel), self.cap))
            if dropped and len(rel) != self.cap:
                errors.append("queue %s: %d dropped while only %d of %d were held" %
                              (nb, dropped, len(rel), self.cap))
            if rel and rel[-1] + 1 - len(rel) > lost:
                errors.append("queue %s: %d of its first %d packets neither released nor lost "
                              "by the device (%d)" % (nb, rel[-1] + 1 - len(rel), rel[-1] + 1, lost))
        if js.get("totals", {}).get("mbufs_in_use") != 0:
            errors.append("totals.mbufs_in_use %s at exit, expected 0 (leak)" %
                          js.get("totals", {}).get("mbufs_in_use"))
        self.nombuf = nombuf
        return errors


FLOOD = b"flood"


def case_mbuf_small_pool():
    """dpdk.mbufs = 1023 (the minimum). Each worker's ARP wait queue is
    filled (256 held): from the VPC toward 10.0.2.50 and from the internet
    toward the elastic IP's host 10.0.0.10, neither resolved (with one
    worker both share one queue: 256 in all). Then 5000 packets from the
    internet to the second elastic IP (host 10.0.1.11, resolved) in 50 ms,
    and 100 of established SG-tracked traffic inside. With 2 workers the
    internet's packets are received by worker 1 and sent on the vpc port by
    worker 0 (handoff ring), so their mbufs return to worker 0's mempool
    cache: held (512) + rx bursts + caches + the handoff ring exceed the
    pool and the device runs out of mbufs at rx now and then, losing the
    record it read: any packet of the internet port read in such a moment,
    the flood or what follows it (a worker reads ahead of the packet clock).
    The ARP replies at 0.6 s release both queues in order; the packets after
    them pass, unless the device lost them. PoolCase states what must hold
    whichever packets were lost; with no loss (nic_rx_nombuf 0) it is the
    exact outcome: each queue releases its first 256 and drops 44."""
    def build(workers):
        cfg = config(mbufs=1023, static=(H1, H2, T1, DNS, DB))
        n = 300
        vheld = [at(from_host(H1, U1, udp(6000, 7000, b"held-v-%04d" % i)), i * 0.001)
                 for i in range(n)]
        iheld = [at(from_inet(REMOTE, EIP, udp(6001, 7001, b"held-i-%04d" % i)), i * 0.001 + 0.0005)
                 for i in range(n)]
        est = [at(from_host(H2, DB, udp(5100, 5000, b"q%03d" % i)), 0.0002 + i * 0.003)
               for i in range(100)]
        flood = [at(from_inet(SERVER, EIP2, udp(6002, 7002, FLOOD + b"-%04d" % i)), 0.31 + i * 0.00001)
                 for i in range(5000)]
        rv = at(arp_reply(U1, "10.0.2.1"), 0.6)
        rp = at(arp_reply(PUB, "10.0.0.1"), 0.61)
        after_v = [at(from_host(H1, U1, udp(6000, 7000, b"after-v-%d" % i)), 0.7 + 0.01 * i)
                   for i in range(3)]
        after_i = [at(from_inet(REMOTE, EIP, udp(6001, 7001, b"after-i-%d" % i)), 0.705 + 0.01 * i)
                   for i in range(3)]
        after_f = [at(from_inet(SERVER, EIP2, udp(6002, 7002, b"after-f-%d" % i)), 0.8 + 0.01 * i)
                   for i in range(3)]

        def to_pub(p):
            return Exp(routed(p, M_VPC, mac_of(PUB), dst=PUB))

        def to_h2(p):
            return Exp(routed(p, M_VPC, mac_of(H2), dst=H2))

        flows = [
            ("to-u1", "vpc", [(p, local(p, mac_of(U1))) for p in vheld + after_v]),
            ("est", "vpc", [(p, local(p)) for p in est]),
            ("to-pub", "internet", [(p, to_pub(p)) for p in iheld + after_i]),
            ("to-h2", "internet", [(p, to_h2(p)) for p in flood + after_f]),
        ]
        # per-worker queues: with 2 workers vpc and internet are polled by
        # different workers (a queue of 256 each); with 1 worker they share one
        held = {"to-u1": n, "to-pub": n}
        if workers >= 2:
            queues = [(["to-u1"], U1, held), (["to-pub"], PUB, held)]
        else:
            queues = [(["to-u1", "to-pub"], U1 + "+" + PUB, held)]
        return PoolCase("mbuf_small_pool", cfg, flows, queues,
                        {U1: (arp_request_exp("10.0.2.1", U1), ["to-u1"]),
                         PUB: (arp_request_exp("10.0.0.1", PUB), ["to-pub"])},
                        [("vpc", rv), ("vpc", rp)], 256,
                        counters={"drops.arp_queue_full": lambda v: v >= 0,
                                  "drops.no_mbuf": 0,
                                  "ports.vpc.generated_dropped": 0,
                                  "ports.vpc.local": 2})
    return TwoPhaseCase("mbuf_small_pool", build)


# ------------------------------------------------------------ flow table, NAT


def case_nat_table_full():
    """dpdk.flow_table_size = 1024. An established NAT TCP connection
    (10.0.1.10:43000 -> 192.0.2.80:443) and 1023 NAT UDP flows fill the
    table; a new UDP flow and a new SYN through the NAT gateway are dropped
    as conntrack_allowance_exceeded (PacketsDropCount 2, no port allocation
    error), while the established connection still passes both ways."""
    syn = at(from_host(H1, SERVER, TCP(sport=43000, dport=443, flags="S", seq=1000)), 0.0)
    ack = at(from_host(H1, SERVER, TCP(sport=43000, dport=443, flags="A", seq=1001, ack=5001)), 0.004)
    fill = [at(from_host(H1, SERVER, udp(10000 + i, 53, b"fill-%04d" % i)), 0.01 + 0.001 * i)
            for i in range(1023)]
    over = [at(from_host(H1, SERVER, udp(20000, 53, b"over")), 1.1),
            at(from_host(H1, SERVER, TCP(sport=43001, dport=443, flags="S", seq=7000)), 1.101)]
    data = at(from_host(H1, SERVER, TCP(sport=43000, dport=443, flags="PA", seq=1001, ack=5001) /
                        Raw(b"still")), 1.2)
    out = [syn, ack] + fill + over + [data]
    cfg = config(flow_table_size=1024)

    def build(workers):
        outputs, _ = first_run(cfg, {"vpc": out}, workers)
        a, port = learn_nat(outputs, lambda p: TCP in p and p[TCP].seq == 1000, "the SYN")
        back = [at(from_inet(SERVER, a, TCP(sport=443, dport=port, flags="SA", seq=5000, ack=1001)),
                   0.002),
                at(from_inet(SERVER, a, TCP(sport=443, dport=port, flags="PA", seq=5001, ack=1006) /
                             Raw(b"here")), 1.21)]
        exp_inet = [Exp(routed(p, M_INET, M_NH, src=a, sport=port)) for p in (syn, ack)] + \
            [nat_out_any(p) for p in fill] + [Exp(routed(data, M_INET, M_NH, src=a, sport=port))]
        exp_vpc = [Exp(routed(p, M_VPC, mac_of(H1), dst=H1, dport=43000)) for p in back]
        return Case("nat_table_full", cfg, {"vpc": out, "internet": back},
                    {"internet": exp_inet, "vpc": exp_vpc},
                    counters={"drops.conntrack_allowance_exceeded": 2,
                              NAT + "PacketsDropCount": 2, NAT + "ErrorPortAllocation": 0,
                              NAT + "ConnectionEstablishedCount": 1,
                              NAT + "ActiveConnectionCount": 1024,
                              "flows.capacity": 1024, "flows.active": 1024,
                              "flows.by_service.nat.created": 1024,
                              "ports.vpc.forwarded": len(out) - 2,
                              "ports.internet.forwarded": 2})
    return TwoPhaseCase("nat_table_full", build)


def case_table_refill():
    """dpdk.flow_table_size = 1024, filled by 1024 NAT UDP flows in about
    1 s; they all expire (idle timeout 350 s). 400 s later, 100 new flows
    arrive one per 10 ms: the table is empty (flows.active 0 before them),
    so every one must pass and flows.active end at 100. (A flow's slot may
    come back only after an RCU grace period, but the grace period of a
    flow deleted 40 s earlier is long over.)"""
    fill = [at(from_host(H1, SERVER, udp(10000 + i, 53, b"fill-%04d" % i)), 0.001 * i)
            for i in range(1024)]
    late = [at(from_host(H1, SERVER, udp(30000 + i, 53, b"late-%03d" % i)), 400.0 + 0.01 * i)
            for i in range(100)]
    return Case("table_refill", config(flow_table_size=1024), {"vpc": fill + late},
                {"internet": [nat_out_any(p) for p in fill + late]},
                counters={"flows.active": 100, "flows.by_service.nat.created": 1124,
                          "flows.by_service.nat.deleted": 1024,
                          NAT + "ActiveConnectionCount": 100, NAT + "PacketsDropCount": 0})


def case_nat_destinations_churn():
    """NAT idle timeout 60 s, flow table 1024. 1100 UDP flows from
    10.0.1.10, one every 0.1 s, each toward a destination never used
    before (198.18.x.y:53); at most ~610 are alive at any time, so neither
    the flow table nor any destination's port range is ever full. Every
    one must be translated and sent: the bookkeeping per destination must
    not grow with the number of destinations ever seen."""
    out = [at(from_host(H1, "198.18.%d.%d" % (i // 200, i % 200 + 1), udp(20000, 53, b"d%04d" % i)),
              0.1 * i) for i in range(1100)]
    return Case("nat_destinations_churn", config(flow_table_size=1024, nat_idle=60),
                {"vpc": out}, {"internet": [nat_out_any(p) for p in out]},
                counters={NAT + "ErrorPortAllocation": 0,
                          "flows.by_service.nat.created": 1100,
                          "flows.active": lambda v: v <= 700})


# ------------------------------------------------------------ neighbor table


SCAN_N = 4096    # DP_NEIGH_MAX


def _in_scan(p):
    return ARP in p and p[ARP].op == 1 and p[ARP].pdst.startswith("10.0.") and \
        32 <= int(p[ARP].pdst.split(".")[2]) < 64


def case_neigh_table_churn():
    """A host scans its VPC: 4096 packets to addresses of 10.0.32.0/19 that
    nobody answers, one every 20 ms (so the ARP wait queue never fills).
    Each is held, asked for (ARP), and dropped after the ARP wait time
    (arp_timeout: 4096). An hour later a new host 10.0.2.60 appears: a
    packet to it must be held and asked for, and once it answers, that
    packet and the next are delivered. The entries of addresses that never
    answered must not keep the neighbor table (4096 entries) full forever."""
    scan = [at(from_host(H1, "10.0.%d.%d" % (32 + (i + 2) // 256, (i + 2) % 256),
                         udp(6100, 9, b"scan")), 0.02 * i) for i in range(SCAN_N)]
    t = 3700.0
    first = at(from_host(H1, U2, udp(6200, 7000, b"new-host-1")), t)
    reply = at(arp_reply(U2, "10.0.2.1"), t + 0.2)
    second = at(from_host(H1, U2, udp(6200, 7000, b"new-host-2")), t + 0.3)
    return Case("neigh_table_churn", config(), {"vpc": scan + [first, reply, second]},
                {"vpc": [arp_request_exp("10.0.2.1", U2), local(first, mac_of(U2)),
                         local(second, mac_of(U2))]},
                ignore=_in_scan,
                counters={"drops.arp_timeout": SCAN_N, "ports.vpc.forwarded": 2,
                          "ports.vpc.local": 1})


# ------------------------------------------------------------ idle expiry


FINAL = b"one-hour-later"


def case_idle_expiry():
    """1000 flows in 10 s, all services: 200 NAT TCP connections
    (handshake through the NAT gateway), 200 NAT UDP flows with a reply,
    200 SG-tracked UDP flows with a reply (10.0.1.11 -> 10.0.2.30:5000),
    200 NLB TCP connections (handshake with target 10.0.2.10:8080), 100
    NLB UDP flows with a reply (10.0.2.20:53), 100 flows through the GWLB
    endpoint. Every timeout involved is at most 350 s: one packet an hour
    later (packet clock) opens one new SG flow, and it is the only flow
    left — flows.active == 1, every service's ActiveFlowCount /
    ActiveConnectionCount 0, created == deleted per service, the ENI's
    active_flows 1. Only the last packet is compared; the 1000 flows are
    checked by their counters (all forwarded, no drop)."""
    vpc, nat_out = [], []
    nat_tcp, nat_udp = [], []
    for i in range(1000):
        T = 0.01 * i
        k = i % 10
        if k in (0, 1):
            p = at(from_host(H1, SERVER, TCP(sport=40000 + i, dport=443, flags="S", seq=i * 10)), T)
            a = at(from_host(H1, SERVER, TCP(sport=40000 + i, dport=443, flags="A", seq=i * 10 + 1,
                                             ack=9001)), T + 0.004)
            nat_out += [p, a]
            nat_tcp.append((i, p))
        elif k in (2, 3):
            p = at(from_host(H1, SERVER, udp(40000 + i, 5001, b"nat-%04d" % i)), T)
            nat_out.append(p)
            nat_udp.append((i, p))
        elif k in (4, 5):
            vpc += [at(from_host(H2, DB, udp(20000 + i, 5000, b"sg-%04d" % i)), T),
                    at(from_host(DB, H2, udp(5000, 20000 + i, b"sg-r-%04d" % i)), T + 0.002)]
        elif k in (6, 7):
            vpc += [at(from_host(H2, NLB, TCP(sport=30000 + i, dport=80, flags="S", seq=i)), T),
                    at(from_host(T1, H2, TCP(sport=8080, dport=30000 + i, flags="SA", seq=7000,
                                             ack=i + 1)), T + 0.002),
                    at(from_host(H2, NLB, TCP(sport=30000 + i, dport=80, flags="A", seq=i + 1,
                                              ack=7001)), T + 0.004)]
        elif k == 8:
            vpc += [at(from_host(H2, NLB, udp(30000 + i, 53, b"nlb-%04d" % i)), T),
                    at(from_host(DNS, H2, udp(53, 30000 + i, b"nlb-r-%04d" % i)), T + 0.002)]
        else:
            vpc.append(at(from_host(H1, "203.0.113.%d" % (i % 200 + 1), udp(50000 + i, 9,
                                                                          b"gwlb-%04d" % i)), T))
    final = at(from_host(H2, DB, udp(9999, 5000, FINAL)), 3600.0)
    cfg = config()

    def build(workers):
        outputs, _ = first_run(cfg, {"vpc": vpc + nat_out + [final]}, workers)
        back = []
        for i, p in nat_tcp:
            a, port = learn_nat(outputs, lambda q, s=p[TCP].seq: TCP in q and q[TCP].seq == s,
                                "SYN %d" % i)
            back.append(at(from_inet(SERVER, a, TCP(sport=443, dport=port, flags="SA", seq=9000,
                                                    ack=p[TCP].seq + 1)), 0.01 * i + 0.002))
        for i, p in nat_udp:
            a, port = learn_nat(outputs, payload_is(b"nat-%04d" % i), "UDP %d" % i)
            back.append(at(from_inet(SERVER, a, udp(5001, port, b"nat-r-%04d" % i)), 0.01 * i + 0.002))
        n_in = len(vpc) + len(nat_out) + 1 + len(back)

        def enis(v):
            return isinstance(v, dict) and v.get(DB, {}).get("active_flows") == 1

        return Case("idle_expiry", cfg, {"vpc": vpc + nat_out + [final], "internet": back},
                    {"vpc": [local(final)]},
                    ignore=lambda p: not (Raw in p and bytes(p[Raw]) == FINAL),
                    counters={"totals.forwarded": n_in,
                              "flows.active": 1,
                              "flows.by_service.nat.created": 400,
                              "flows.by_service.nat.deleted": 400,
                              "flows.by_service.nat.active": 0,
                              "flows.by_service.security_group.created": 201,
                              "flows.by_service.security_group.deleted": 200,
                              "flows.by_service.security_group.active": 1,
                              "flows.by_service.nlb.created": 300,
                              "flows.by_service.nlb.deleted": 300,
                              "flows.by_service.nlb.active": 0,
                              "flows.by_service.gwlb.created": 100,
                              "flows.by_service.gwlb.deleted": 100,
                              "flows.by_service.gwlb.active": 0,
                              NAT + "ActiveConnectionCount": 0,
                              NAT + "ConnectionEstablishedCount": 200,
                              "nlb.web.ActiveFlowCount": 0,
                              "nlb.web.NewFlowCount": 300,
                              "nlb.web.listeners.tcp:80.ActiveFlowCount": 0,
                              "nlb.web.listeners.udp:53.ActiveFlowCount": 0,
                              "gwlb.inspect.ActiveFlowCount": 0,
                              "gwlb.inspect.NewFlowCount": 100,
                              "interfaces": enis})
    return TwoPhaseCase("idle_expiry", build)


CASES = {
    "arp_queue_full": case_arp_queue_full,
    "arp_reply_same_ms": case_arp_reply_same_ms,
    "arp_reply_other_worker": case_arp_reply_other_worker,
    "mbuf_small_pool": case_mbuf_small_pool,
    "nat_table_full": case_nat_table_full,
    "table_refill": case_table_refill,
    "nat_destinations_churn": case_nat_destinations_churn,
    "neigh_table_churn": case_neigh_table_churn,
    "idle_expiry": case_idle_expiry,
}

if __name__ == "__main__":
    sys.exit(main(CASES))
