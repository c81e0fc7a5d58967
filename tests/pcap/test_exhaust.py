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
active count are back to what is live, and new flows pass again.

The accounting identity (rx = forwarded + local + dropped, per port and in
total), rx == packets in the input captures (nothing lost in the device:
no mbuf shortage at rx) and tx + generated == packets in the output
captures are checked by vpcgwtest for every case; a leaked mbuf cannot
break those directly, so the cases that stress the pool end with packets
that must still pass.

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

from vpcgwtest import (EAL_ARGS, ARP, Case, Ether, Exp, IP, TCP, UDP, Interleaved,  # noqa: E402
                       Raw, StreamCase, TwoPhaseCase, at, first_run, is_arp_request, main,
                       rebuilt, routed)

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
                             "elastic_ips": [{"public": EIP, "private": PUB}]},
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


def totals_ok(js_key, n):
    return {js_key: n}


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


def case_mbuf_small_pool():
    """dpdk.mbufs = 1023 (the minimum). Every worker's ARP wait queue is
    filled (256 packets each): from the VPC toward 10.0.2.50 and from the
    internet toward the elastic IP's host 10.0.0.10, neither resolved; with
    one worker both share one queue. Meanwhile 400 packets of established
    traffic per direction cross vpcgw (H2 -> DB and the elastic-IP host's
    peer). Held mbufs + rx bursts + per-lcore mempool caches come close to
    the pool: nothing may be lost at rx (rx == input, checked), no
    generated packet may fail (no_mbuf = 0), the excess of each queue is
    arp_queue_full; after both ARP replies the held packets leave in
    order and later packets pass: the pool is whole again."""
    def build(workers):
        cfg = config(mbufs=1023, static=(H1, H2, T1, DNS, DB), workers=1)
        n = 300
        vheld = [at(from_host(H1, U1, udp(6000, 7000, b"held-v-%04d" % i)), i * 0.001)
                 for i in range(n)]
        iheld = [at(from_inet(REMOTE, EIP, udp(6001, 7001, b"held-i-%04d" % i)), i * 0.001 + 0.0005)
                 for i in range(n)]
        est = []
        for i in range(400):
            t = 0.31 + i * 0.0004
            est.append(at(from_host(H2, DB, udp(5100, 5000, b"q%03d" % i)), t))
        rv = at(arp_reply(U1, "10.0.2.1"), 0.6)
        rp = at(arp_reply(PUB, "10.0.0.1"), 0.61)
        after_v = [at(from_host(H1, U1, udp(6000, 7000, b"after-v-%d" % i)), 0.7 + 0.01 * i)
                   for i in range(3)]
        after_i = [at(from_inet(REMOTE, EIP, udp(6001, 7001, b"after-i-%d" % i)), 0.705 + 0.01 * i)
                   for i in range(3)]
        # per-worker queues: with 2 workers vpc and internet are polled by
        # different workers (a queue of 256 each); with 1 worker they share
        # one, filled by the first 256 packets in capture order
        if workers >= 2:
            kv, ki = 256, 256
        else:
            first = sorted(vheld + iheld, key=lambda p: float(p.time))[:256]
            kv = sum(1 for p in first if p in vheld)
            ki = 256 - kv
        eip_in = [Exp(routed(p, M_VPC, mac_of(PUB), dst=PUB)) for p in iheld[:ki] + after_i]
        exp_vpc = Interleaved(
            [arp_request_exp("10.0.2.1", U1)] + [local(p) for p in est] +
            [local(p, mac_of(U1)) for p in vheld[:kv] + after_v],
            [arp_request_exp("10.0.0.1", PUB)] + eip_in)
        return StreamCase("mbuf_small_pool", cfg,
                          {"vpc": vheld + est + [rv, rp] + after_v, "internet": iheld + after_i},
                          {"vpc": exp_vpc},
                          counters={"drops.arp_queue_full": 2 * n - kv - ki,
                                    "drops.no_mbuf": 0,
                                    "ports.vpc.nic_rx_nombuf": 0,
                                    "ports.internet.nic_rx_nombuf": 0})
    return TwoPhaseCase("mbuf_small_pool", build)


CASES = {
    "arp_queue_full": case_arp_queue_full,
    "arp_reply_same_ms": case_arp_reply_same_ms,
    "mbuf_small_pool": case_mbuf_small_pool,
}

if __name__ == "__main__":
    sys.exit(main(CASES))
