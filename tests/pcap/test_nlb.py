#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
pcap suite, Network Load Balancer (SPEC §4 "Network Load Balancer"):
flow spreading over the targets (Maglev), stickiness, translation both ways,
client IP preservation on and off, UDP listener, the NLB public address
through the internet gateway, no listener, health checks (unhealthy after
unhealthy_threshold failed probes, existing flows kept, fail open),
HealthyHostCount / UnHealthyHostCount, TCP idle timeout with RST.

  vpcgw ports       vpc 02:00:00:00:00:01 10.0.0.1/16 (mtu 9001)
                    internet 02:00:00:00:01:01 198.51.100.1/24
  subnets           public-a 10.0.0.0/24 (table public: 0.0.0.0/0 igw)
                    private-a 10.0.1.0/24 (clients), app-a 10.0.2.0/24 (targets)
  NLB web           10.0.0.100 in public-a, public address 198.51.100.30
                    tcp:80 -> web-tg (tcp 8080), udp:53 -> dns-tg (udp 53)
  web-tg            10.0.2.10 (port 8080) and 10.0.2.11 (port 8081)
  dns-tg            10.0.2.20

Where the target of a flow is vpcgw's choice (Maglev over a hash), a first
run of vpcgw with the clients' packets only tells which target each flow
chose; the second run adds the targets' answers, and every packet of a flow
must then reach that same target (and only a valid target).

Usage: test_nlb.py --workers N [--case NAME]... [--list]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from vpcgwtest import (EAL_ARGS, GEN_WILD, IP, TCP, UDP, Case, Ether, Exp, Raw,  # noqa: E402
                       TwoPhaseCase, at, check_ip_generated, first_run, is_health_probe, main,
                       rebuilt, routed)

# vpcgw
M_VPC = "02:00:00:00:00:01"
M_INET = "02:00:00:00:01:01"
# hosts
M_C1, A_C1 = "0a:00:00:00:01:0a", "10.0.1.10"      # client, private-a
M_C2, A_C2 = "0a:00:00:00:01:0b", "10.0.1.11"      # client, private-a
M_NH, A_NH = "02:00:00:00:01:fe", "198.51.100.254"  # internet next hop
REMOTE = "203.0.113.7"                              # internet client
NLB = "10.0.0.100"
NLB_PUB = "198.51.100.30"
# targets of web-tg, in configuration order (global target index = position)
T_ADDR = ["10.0.2.10", "10.0.2.11"]
T_PORT = [8080, 8081]
T_MAC = ["0a:00:00:00:02:0a", "0a:00:00:00:02:0b"]
DNS_ADDR, DNS_MAC = "10.0.2.20", "0a:00:00:00:02:14"
TG_KEYS = ["%s:%d" % (a, p) for a, p in zip(T_ADDR, T_PORT)]

HC_INTERVAL = 5       # seconds; probes at the first packet's time, then every interval
HC_TIMEOUT = 2
HC_UNHEALTHY = 2
HC_HEALTHY = 2


def config(targets=2, preserve=True, health=False):
    ports = [
        {"name": "vpc", "mac": M_VPC, "address": "10.0.0.1/16", "mtu": 9001},
        {"name": "internet", "mac": M_INET, "address": "198.51.100.1/24", "mtu": 1500},
    ]
    for i, p in enumerate(ports):
        p["devargs"] = "net_pcap%d,rx_pcap={dir}/%s-in.pcap,tx_pcap={dir}/%s-out.pcap" % (
            i, p["name"], p["name"])
    if health:
        hc = {"enabled": True, "protocol": "tcp", "port": "traffic-port",
              "interval": HC_INTERVAL, "timeout": HC_TIMEOUT,
              "healthy_threshold": HC_HEALTHY, "unhealthy_threshold": HC_UNHEALTHY}
    else:
        hc = {"enabled": False}
    tg_targets = [{"address": T_ADDR[0]}, {"address": T_ADDR[1], "port": T_PORT[1]}][:targets]
    return {
        "dpdk": {"eal_args": EAL_ARGS, "workers": 1, "mbufs": 8191, "flow_table_size": 8192},
        "ports": ports,
        "neighbors": [
            {"port": "internet", "address": A_NH, "mac": M_NH},
            {"port": "vpc", "address": A_C1, "mac": M_C1},
            {"port": "vpc", "address": A_C2, "mac": M_C2},
            {"port": "vpc", "address": T_ADDR[0], "mac": T_MAC[0]},
            {"port": "vpc", "address": T_ADDR[1], "mac": T_MAC[1]},
            {"port": "vpc", "address": DNS_ADDR, "mac": DNS_MAC},
        ],
        "vpc": {"cidr": "10.0.0.0/16", "subnets": [
            {"name": "public-a", "cidr": "10.0.0.0/24", "port": "vpc", "route_table": "public"},
            {"name": "private-a", "cidr": "10.0.1.0/24", "port": "vpc", "route_table": "private"},
            {"name": "app-a", "cidr": "10.0.2.0/24", "port": "vpc", "route_table": "private"},
        ]},
        "internet_gateway": {"port": "internet", "next_hop": A_NH},
        "route_tables": [
            {"name": "public", "routes": [{"destination": "0.0.0.0/0", "target": "igw"}]},
            {"name": "private", "routes": [{"destination": "192.0.2.0/24", "target": "blackhole"}]},
        ],
        "network_load_balancers": [
            {"name": "web", "subnet": "public-a", "address": NLB, "public_address": NLB_PUB,
             "listeners": [
                 {"protocol": "tcp", "port": 80, "target_group": "web-tg", "idle_timeout": 350},
                 {"protocol": "udp", "port": 53, "target_group": "dns-tg"}]},
        ],
        "target_groups": [
            {"name": "web-tg", "protocol": "tcp", "port": 8080, "preserve_client_ip": preserve,
             "deregistration_delay": 300, "health_check": hc, "targets": tg_targets},
            {"name": "dns-tg", "protocol": "udp", "port": 53, "health_check": {"enabled": False},
             "targets": [{"address": DNS_ADDR}]},
        ],
    }


# ------------------------------------------------------------ packets


def from_host(mac, src, dst, l4, ttl=64):
    return Ether(src=mac, dst=M_VPC) / IP(src=src, dst=dst, ttl=ttl) / l4


def from_inet(src, dst, l4, ttl=64):
    return Ether(src=M_NH, dst=M_INET) / IP(src=src, dst=dst, ttl=ttl) / l4


def client_tcp(cport, flags, seq, ack=0, data=b"", client=A_C1, mac=M_C1):
    p = from_host(mac, client, NLB, TCP(sport=cport, dport=80, flags=flags, seq=seq, ack=ack))
    return p / Raw(data) if data else p


def target_tcp(ti, client, cport, flags, seq, ack=0, data=b""):
    """What target ti sends to the client (client IP preserved: straight to it)."""
    p = Ether(src=T_MAC[ti], dst=M_VPC) / IP(src=T_ADDR[ti], dst=client, ttl=64) / \
        TCP(sport=T_PORT[ti], dport=cport, flags=flags, seq=seq, ack=ack)
    return p / Raw(data) if data else p


def to_target(p, ti, src=None, sport=None):
    """SPEC §4: only the destination is translated (client IP preservation),
    to the target's address and port; routed to it (TTL - 1)."""
    return Exp(routed(p, M_VPC, T_MAC[ti], dst=T_ADDR[ti], dport=T_PORT[ti], src=src, sport=sport),
               note="to target %s:%d" % (T_ADDR[ti], T_PORT[ti]))


def to_client(p, mac, listener_port=80, dst=None, dport=None):
    """A target's reply translated back: source = the NLB address and the
    listener port, routed to the client."""
    return Exp(routed(p, M_VPC, mac, src=NLB, sport=listener_port, dst=dst, dport=dport),
               note="reply as the NLB")


def target_of(p):
    """Index of the web-tg target an output packet is addressed to, or None."""
    if IP not in p or TCP not in p:
        return None
    for i in range(2):
        if p[IP].dst == T_ADDR[i] and p[TCP].dport == T_PORT[i]:
            return i
    return None


def learn_targets(pkts, n_expected):
    """{client (address, port): target index} from a first run's vpc output
    (health probes left out). Each flow's SYN must have reached one valid
    target exactly once."""
    got = {}
    for p in pkts:
        if is_health_probe(p) or TCP not in p:
            continue
        ti = target_of(p)
        assert ti is not None, "first run: packet to no target: %s" % p.summary()
        key = (p[IP].src, p[TCP].sport)
        assert key not in got, "first run: flow %s:%d reached a target twice" % key
        got[key] = ti
    assert len(got) == n_expected, "first run: %d flows reached a target, expected %d" % (
        len(got), n_expected)
    return got


def tg_check(pred):
    """A counter check over target_groups.web-tg.targets (keys hold dots)."""
    return lambda v: all(pred(v[k], i) for i, k in enumerate(TG_KEYS))


def seqn(i):
    return (1000 + i * 7919) & 0xffffffff


# ------------------------------------------------------------ cases


def case_nlb_spread():
    """400 TCP SYNs from distinct client ports: each target gets 35..65 % of
    the new flows (Maglev over a 5-tuple + SYN-sequence hash). For 50 of the
    flows a full exchange follows (SYN-ACK, ACK + data, data back, data):
    every client packet reaches the flow's target with only the destination
    translated; every target packet reaches the client as from 10.0.0.100:80."""
    n, n_full = 400, 50

    def syns():
        return [at(client_tcp(20000 + i, "S", seqn(i)), i * 0.002) for i in range(n)]

    def build(workers):
        outs, _ = first_run(config(), {"vpc": syns()}, workers)
        tmap = learn_targets(outs["vpc"], n)
        counts = [sum(1 for t in tmap.values() if t == i) for i in range(2)]
        for i in range(2):
            assert 0.35 * n <= counts[i] <= 0.65 * n, \
                "first run: target %s got %d of %d new flows (35..65 %% required)" % (
                    TG_KEYS[i], counts[i], n)
        ins, exp = syns(), []
        for i, p in enumerate(ins):
            exp.append((float(p.time), to_target(p, tmap[(A_C1, 20000 + i)])))
        nbytes = sum(len(p[IP]) for p in ins)
        for i in range(n_full):
            cp, ti, cs, ss = 20000 + i, tmap[(A_C1, 20000 + i)], seqn(i), 500000 + i
            req = b"GET /%d HTTP/1.1\r\n\r\n" % i
            resp = b"HTTP/1.1 200 OK\r\n\r\n" + b"x" * i
            pk = [
                (1.0, target_tcp(ti, A_C1, cp, "SA", ss, cs + 1), False),
                (2.0, client_tcp(cp, "A", cs + 1, ss + 1), True),
                (2.5, client_tcp(cp, "PA", cs + 1, ss + 1, req), True),
                (3.0, target_tcp(ti, A_C1, cp, "PA", ss + 1, cs + 1 + len(req), resp), False),
                (4.0, client_tcp(cp, "FA", cs + 1 + len(req), ss + 1 + len(resp)), True),
            ]
            for t, p, to_t in pk:
                at(p, t + i * 0.002)
                ins.append(p)
                nbytes += len(p[IP])
                exp.append((float(p.time), to_target(p, ti) if to_t else to_client(p, M_C1)))
        exp.sort(key=lambda x: x[0])
        total_pkts = n + 5 * n_full
        return Case("nlb_spread", config(), {"vpc": ins}, {"vpc": [e for _, e in exp]},
                    counters={
                        "nlb.web.listeners.tcp:80.NewFlowCount": n,
                        "nlb.web.listeners.tcp:80.ActiveFlowCount": n,
                        "nlb.web.listeners.tcp:80.ProcessedPackets": total_pkts,
                        "nlb.web.listeners.tcp:80.ProcessedBytes": nbytes,
                        "nlb.web.listeners.tcp:80.TCP_ELB_Reset_Count": 0,
                        "nlb.web.NewFlowCount": n,
                        "target_groups.web-tg.targets": tg_check(
                            lambda v, i: v["NewFlowCount"] == counts[i]),
                        "target_groups.web-tg.HealthyHostCount": 2,
                        "target_groups.web-tg.UnHealthyHostCount": 0,
                        "flows.by_service.nlb.active": n,
                        "ports.vpc.forwarded": total_pkts,
                    })

    return TwoPhaseCase("nlb_spread", build)


def case_nlb_translate():
    """One target: a TCP connection from a client in another subnet. The
    target sees the client's own address and port (client IP preservation);
    its replies leave as from 10.0.0.100:80. A second client and a second
    connection from the first client are separate flows to the same target."""
    pk = [
        (0.0, client_tcp(40000, "S", 100)),
        (0.1, target_tcp(0, A_C1, 40000, "SA", 9000, 101)),
        (0.2, client_tcp(40000, "A", 101, 9001)),
        (0.3, client_tcp(40000, "PA", 101, 9001, b"hello")),
        (0.4, target_tcp(0, A_C1, 40000, "PA", 9001, 106, b"world!")),
        (0.5, client_tcp(40001, "S", 555)),
        (0.6, client_tcp(41000, "S", 777, client=A_C2, mac=M_C2)),
        (0.7, target_tcp(0, A_C2, 41000, "SA", 1, 778)),
    ]
    ins = [at(p, t) for t, p in pk]
    exp = []
    for p in ins:
        if p[Ether].src in (M_C1, M_C2):
            exp.append(to_target(p, 0))
        else:
            exp.append(to_client(p, M_C1 if p[IP].dst == A_C1 else M_C2))
    nbytes = sum(len(p[IP]) for p in ins)
    return Case("nlb_translate", config(targets=1), {"vpc": ins}, {"vpc": exp},
                counters={"nlb.web.listeners.tcp:80.NewFlowCount": 3,
                          "nlb.web.listeners.tcp:80.ActiveFlowCount": 3,
                          "nlb.web.listeners.tcp:80.ProcessedPackets": len(ins),
                          "nlb.web.listeners.tcp:80.ProcessedBytes": nbytes,
                          "ports.vpc.forwarded": len(ins)})


def case_nlb_no_preserve():
    """preserve_client_ip = false: the target sees the NLB address as the
    source, with a port the NLB chose (1024..65535, the same for every packet
    of a flow, different for different flows); its replies to that address
    and port go back to the client as from 10.0.0.100:80."""
    flows = [(A_C1, M_C1, 40000, 100), (A_C1, M_C1, 40001, 200), (A_C2, M_C2, 40000, 300)]

    def syns():
        return [at(client_tcp(cp, "S", s, client=a, mac=m), i * 0.01)
                for i, (a, m, cp, s) in enumerate(flows)]

    def build(workers):
        outs, _ = first_run(config(targets=1, preserve=False), {"vpc": syns()}, workers)
        got = [p for p in outs["vpc"] if TCP in p]      # health checks are off
        assert len(got) == 3, "first run: %d SYNs reached the target, expected 3" % len(got)
        nat = []
        for p in got:
            assert p[IP].src == NLB, "first run: target saw source %s, expected %s" % (
                p[IP].src, NLB)
            assert 1024 <= p[TCP].sport <= 65535, "first run: NLB source port %d" % p[TCP].sport
            nat.append(p[TCP].sport)
        assert len(set(nat)) == 3, "first run: flows share NLB source ports %s" % nat
        ins, exp = [], []
        for i, (a, m, cp, s) in enumerate(flows):
            t = 1.0 + i
            pk = [
                (i * 0.01, client_tcp(cp, "S", s, client=a, mac=m), True),
                (t, Ether(src=T_MAC[0], dst=M_VPC) / IP(src=T_ADDR[0], dst=NLB) /
                 TCP(sport=8080, dport=nat[i], flags="SA", seq=7000, ack=s + 1), False),
                (t + 0.1, client_tcp(cp, "A", s + 1, 7001, client=a, mac=m), True),
                (t + 0.2, client_tcp(cp, "PA", s + 1, 7001, b"data", client=a, mac=m), True),
                (t + 0.3, Ether(src=T_MAC[0], dst=M_VPC) / IP(src=T_ADDR[0], dst=NLB) /
                 TCP(sport=8080, dport=nat[i], flags="PA", seq=7001, ack=s + 5) / Raw(b"ok"), False),
            ]
            for tt, p, to_t in pk:
                ins.append(at(p, tt))
                if to_t:
                    e = to_target(p, 0, src=NLB, sport=nat[i])
                else:
                    e = to_client(p, m, dst=a, dport=cp)
                exp.append((tt, e))
        exp.sort(key=lambda x: x[0])
        return Case("nlb_no_preserve", config(targets=1, preserve=False),
                    {"vpc": ins}, {"vpc": [e for _, e in exp]},
                    counters={"nlb.web.listeners.tcp:80.NewFlowCount": 3,
                              "nlb.web.listeners.tcp:80.ActiveFlowCount": 3,
                              "nlb.web.listeners.tcp:80.PortAllocationErrorCount": 0,
                              "ports.vpc.forwarded": len(ins)})

    return TwoPhaseCase("nlb_no_preserve", build)


def case_nlb_udp():
    """UDP listener 53 -> dns-tg (10.0.2.20:53): queries reach the target
    with only the destination translated, answers come back as from
    10.0.0.100:53; each client port is its own flow."""
    q1 = at(from_host(M_C1, A_C1, NLB, UDP(sport=5353, dport=53) / Raw(b"query-1")), 0.0)
    a1 = at(Ether(src=DNS_MAC, dst=M_VPC) / IP(src=DNS_ADDR, dst=A_C1) /
            UDP(sport=53, dport=5353) / Raw(b"answer-1"), 0.1)
    q2 = at(from_host(M_C1, A_C1, NLB, UDP(sport=5353, dport=53) / Raw(b"query-2")), 0.2)
    q3 = at(from_host(M_C2, A_C2, NLB, UDP(sport=6000, dport=53, chksum=0) / Raw(b"q3")), 0.3)
    a3 = at(Ether(src=DNS_MAC, dst=M_VPC) / IP(src=DNS_ADDR, dst=A_C2) /
            UDP(sport=53, dport=6000) / Raw(b"answer-3"), 0.4)
    ins = [q1, a1, q2, q3, a3]

    def to_dns(p):
        return Exp(routed(p, M_VPC, DNS_MAC, dst=DNS_ADDR, dport=53))

    exp = [to_dns(q1), to_client(a1, M_C1, listener_port=53), to_dns(q2), to_dns(q3),
           to_client(a3, M_C2, listener_port=53)]
    return Case("nlb_udp", config(targets=1), {"vpc": ins}, {"vpc": exp},
                counters={"nlb.web.listeners.udp:53.NewFlowCount": 2,
                          "nlb.web.listeners.udp:53.ActiveFlowCount": 2,
                          "nlb.web.listeners.udp:53.ProcessedPackets": 5,
                          "nlb.web.listeners.udp:53.ProcessedBytes": sum(len(p[IP]) for p in ins),
                          "nlb.web.listeners.tcp:80.NewFlowCount": 0,
                          "ports.vpc.forwarded": 5})


def case_nlb_public():
    """The NLB public address through the internet gateway: 198.51.100.30 is
    translated to 10.0.0.100 and the listener forwards to the target with the
    internet client's address; the target's reply leaves to the internet as
    from 198.51.100.30:80 (TCP) and 198.51.100.30:53 (UDP)."""
    s = at(from_inet(REMOTE, NLB_PUB, TCP(sport=40000, dport=80, flags="S", seq=10)), 0.0)
    sa = at(target_tcp(0, REMOTE, 40000, "SA", 3000, 11), 0.1)
    d = at(from_inet(REMOTE, NLB_PUB, TCP(sport=40000, dport=80, flags="PA", seq=11, ack=3001) /
                     Raw(b"GET /")), 0.2)
    r = at(target_tcp(0, REMOTE, 40000, "PA", 3001, 16, b"200 OK"), 0.3)
    uq = at(from_inet(REMOTE, NLB_PUB, UDP(sport=3333, dport=53) / Raw(b"q")), 0.4)
    ua = at(Ether(src=DNS_MAC, dst=M_VPC) / IP(src=DNS_ADDR, dst=REMOTE) /
            UDP(sport=53, dport=3333) / Raw(b"a"), 0.5)
    inet = [s, d, uq]
    vpc = [sa, r, ua]
    exp_vpc = [to_target(s, 0), to_target(d, 0),
               Exp(routed(uq, M_VPC, DNS_MAC, dst=DNS_ADDR, dport=53))]
    exp_inet = [Exp(routed(p, M_INET, M_NH, src=NLB_PUB, sport=sp)) for p, sp in
                ((sa, 80), (r, 80), (ua, 53))]
    return Case("nlb_public", config(targets=1), {"internet": inet, "vpc": vpc},
                {"vpc": exp_vpc, "internet": exp_inet},
                counters={"nlb.web.listeners.tcp:80.NewFlowCount": 1,
                          "nlb.web.listeners.udp:53.NewFlowCount": 1,
                          "nlb.web.listeners.tcp:80.ProcessedPackets": 4,
                          "ports.internet.forwarded": 3, "ports.vpc.forwarded": 3})


def case_nlb_no_listener():
    """No listener on the port (or protocol): dropped, nlb_no_listener, from
    the VPC and through the public address; nothing is sent."""
    ins_vpc = [
        at(from_host(M_C1, A_C1, NLB, TCP(sport=40000, dport=81, flags="S")), 0.0),
        at(from_host(M_C1, A_C1, NLB, UDP(sport=1000, dport=80)), 0.01),
        at(from_host(M_C1, A_C1, NLB, TCP(sport=1000, dport=53, flags="S")), 0.02),
    ]
    ins_inet = [at(from_inet(REMOTE, NLB_PUB, TCP(sport=5, dport=443, flags="S")), 0.03)]
    return Case("nlb_no_listener", config(targets=1), {"vpc": ins_vpc, "internet": ins_inet}, {},
                counters={"drops.nlb_no_listener": 4, "ports.vpc.dropped": 3,
                          "ports.internet.dropped": 1,
                          "nlb.web.listeners.tcp:80.NewFlowCount": 0})


def case_nlb_nacl():
    """NACLs on the way through the NLB: one NACL on public-a (the NLB's
    subnet) and app-a (the targets') denies inbound TCP to port 8080. The
    client's SYN to 10.0.0.100:80 enters public-a (port 80: allowed), is
    translated to 10.0.2.10:8080 and is denied entering app-a; a UDP query to
    :53 in the same burst passes both. Both packets carry one capture time,
    so vpcgw classifies them in one burst before the translation."""
    shared = {"name": "shared",
              "ingress": [{"rule": 10, "protocol": "tcp", "ports": "8080",
                           "cidr": "0.0.0.0/0", "action": "deny"},
                          {"rule": 100, "protocol": "all", "cidr": "0.0.0.0/0",
                           "action": "allow"}],
              "egress": [{"rule": 100, "protocol": "all", "cidr": "0.0.0.0/0",
                          "action": "allow"}]}
    cfg = config(targets=1)
    cfg["network_acls"] = [shared]
    for sn in cfg["vpc"]["subnets"]:
        if sn["name"] in ("public-a", "app-a"):
            sn["network_acl"] = "shared"
    syn = at(client_tcp(40000, "S", 100), 0.0)
    q = at(from_host(M_C2, A_C2, NLB, UDP(sport=5353, dport=53) / Raw(b"query")), 0.0)
    return Case("nlb_nacl", cfg, {"vpc": [syn, q]},
                {"vpc": [Exp(routed(q, M_VPC, DNS_MAC, dst=DNS_ADDR, dport=53))]},
                counters={"drops.nacl_deny_in": 1, "ports.vpc.forwarded": 1,
                          "nlb.web.listeners.tcp:80.NewFlowCount": 0,
                          "nlb.web.listeners.udp:53.NewFlowCount": 1})


# ------------------------------------------------------------ health


def probe_times(last):
    """Probe times under the packet clock (first probe at the first packet's
    time, 0 here, then every interval), up to the last packet's time."""
    return [k * HC_INTERVAL for k in range(int(last // HC_INTERVAL) + 1)]


def learn_probes(pkts, ti):
    """The health-check SYNs sent to target ti, in order: SPEC §4 TCP probes
    (SYN to the traffic port of the target)."""
    res = []
    for p in pkts:
        if TCP in p and p[IP].dst == T_ADDR[ti] and p[TCP].dport == T_PORT[ti] and \
                p[TCP].flags == "S" and is_health_probe(p):
            res.append(p)
    return res


def probe_answer(probe, ti, t):
    """The target's SYN-ACK to a probe (acks its sequence number + 1)."""
    return at(Ether(src=T_MAC[ti], dst=M_VPC) / IP(src=T_ADDR[ti], dst=probe[IP].src) /
              TCP(sport=probe[TCP].dport, dport=probe[TCP].sport, flags="SA", seq=424242,
                  ack=probe[TCP].seq + 1), t)


def case_nlb_health():
    """Health checks, interval 5 s, timeout 2 s, unhealthy threshold 2:
    target 10.0.2.10 never answers its probes (unhealthy once its second
    probe has timed out: 5 + 2 = 7 s), 10.0.2.11 answers each with a SYN-ACK
    (stays healthy). Connections opened at 0 s keep their target at 10 s,
    also those on the unhealthy one; the 40 connections opened at 10.5 s all
    go to 10.0.2.11. HealthyHostCount 1, UnHealthyHostCount 1."""
    n = 40

    def syns_a():
        return [at(client_tcp(20000 + i, "S", seqn(i)), 0.01 + i * 0.001) for i in range(n)]

    def syns_b():
        return [at(client_tcp(30000 + i, "S", seqn(n + i)), 10.5 + i * 0.001) for i in range(n)]

    def build(workers):
        cfg = config(health=True)
        outs, _ = first_run(cfg, {"vpc": syns_a() + syns_b()}, workers)
        flows = {k: v for k, v in learn_targets(outs["vpc"], 2 * n).items() if k[1] < 30000}
        assert any(v == 0 for v in flows.values()), \
            "first run: no connection of the first batch went to %s: the case tests nothing" % TG_KEYS[0]
        probes = learn_probes(outs["vpc"], 1)
        times = probe_times(10.5 + n * 0.001)
        assert len(probes) >= len(times), "first run: %d probes to %s, expected %d (at %s s)" % (
            len(probes), TG_KEYS[1], len(times), times)
        ins, exp = [], []
        for k, t in enumerate(times):
            ins.append(probe_answer(probes[k], 1, t + 0.5))
        for i, p in enumerate(syns_a()):
            cp, ti, cs, ss = 20000 + i, flows[(A_C1, 20000 + i)], seqn(i), 800000 + i
            sa = at(target_tcp(ti, A_C1, cp, "SA", ss, cs + 1), 1.0 + i * 0.001)
            ack = at(client_tcp(cp, "A", cs + 1, ss + 1), 1.5 + i * 0.001)
            data = at(client_tcp(cp, "PA", cs + 1, ss + 1, b"late data"), 10.0 + i * 0.001)
            ins += [p, sa, ack, data]
            exp += [(float(p.time), to_target(p, ti)), (float(sa.time), to_client(sa, M_C1)),
                    (float(ack.time), to_target(ack, ti)), (float(data.time), to_target(data, ti))]
        for p in syns_b():
            ins.append(p)
            exp.append((float(p.time), to_target(p, 1)))
        exp.sort(key=lambda x: x[0])
        a_on = [sum(1 for v in flows.values() if v == i) for i in range(2)]
        return Case("nlb_health", cfg, {"vpc": ins}, {"vpc": [e for _, e in exp]},
                    ignore=is_health_probe,
                    counters={"target_groups.web-tg.HealthyHostCount": 1,
                              "target_groups.web-tg.UnHealthyHostCount": 1,
                              "target_groups.web-tg.targets": tg_check(
                                  lambda v, i: v["health"] == ("unhealthy", "healthy")[i] and
                                  v["NewFlowCount"] == a_on[i] + (n if i == 1 else 0)),
                              "nlb.web.listeners.tcp:80.NewFlowCount": 2 * n,
                              "ports.vpc.local": len(times)})

    return TwoPhaseCase("nlb_health", build)


def case_nlb_fail_open():
    """Every target fails its probes (unhealthy at 7 s): new connections at
    10 s still go to the targets, spread over all of them (fail open), none
    is dropped. HealthyHostCount 0, UnHealthyHostCount 2."""
    n = 40
    first = at(from_host(M_C1, A_C1, "10.0.2.20", UDP(sport=1, dport=9)), 0.0)   # starts the clock
    syns = [at(client_tcp(30000 + i, "S", seqn(i)), 10.0 + i * 0.001) for i in range(n)]
    seen = {}

    def either(p):
        def build(act):
            ti = target_of(act)
            if ti is None:
                ti = 0      # a wrong destination: shown as a difference from target 0
            seen[p[TCP].sport] = ti
            return routed(p, M_VPC, T_MAC[ti], dst=T_ADDR[ti], dport=T_PORT[ti])
        return Exp(build, note="to either target")

    return Case("nlb_fail_open", config(health=True), {"vpc": [first] + syns},
                {"vpc": [Exp(routed(first, M_VPC, DNS_MAC))] + [either(p) for p in syns]},
                ignore=is_health_probe,
                counters={"target_groups.web-tg.HealthyHostCount": 0,
                          "target_groups.web-tg.UnHealthyHostCount": 2,
                          "target_groups.web-tg.targets": tg_check(
                              lambda v, i: v["health"] == "unhealthy" and
                              0.2 * n <= v["NewFlowCount"] <= 0.8 * n),
                          "nlb.web.listeners.tcp:80.NewFlowCount": n})


# ------------------------------------------------------------ idle timeout


def rst_to_client(data_pkt, mac):
    """SPEC §4: TCP data after the idle timeout gets a RST. To the client, as
    from the address and port it sent to (10.0.0.100:80), sequence = the
    segment's acknowledgment (RFC 9293 3.10.7.1); window, IP id/TTL/flags are
    vpcgw's choice."""
    q = Ether(bytes(data_pkt))

    def build(act):
        win = act[TCP].window if act is not None and TCP in act else 0
        return Ether(bytes(Ether(src=M_VPC, dst=mac) /
                           IP(src=q[IP].dst, dst=q[IP].src, proto=6, ttl=64) /
                           TCP(sport=q[TCP].dport, dport=q[TCP].sport, flags="R",
                               seq=q[TCP].ack, ack=0, window=win)))
    return Exp(build, wild=GEN_WILD, check=check_ip_generated, note="RST to the client")


def idle_flow(cp, cs, ss, t0):
    return [
        at(client_tcp(cp, "S", cs), t0),
        at(target_tcp(0, A_C1, cp, "SA", ss, cs + 1), t0 + 0.1),
        at(client_tcp(cp, "A", cs + 1, ss + 1), t0 + 0.2),
    ]


def case_nlb_idle_timeout():
    """TCP idle timeout 350 s: data on a connection idle for 349 s is
    forwarded; on one idle for 351 s it is dropped (nlb_idle_timeout) and the
    client gets a RST; TCP_ELB_Reset_Count = 1."""
    a = idle_flow(40000, 100, 5000, 0.0)
    b = idle_flow(40001, 200, 6000, 1.0)
    da = at(client_tcp(40000, "PA", 101, 5001, b"still here"), 0.2 + 349.0)
    db = at(client_tcp(40001, "PA", 201, 6001, b"too late"), 1.2 + 351.0)
    ins = a + b + [da, db]
    exp = [to_target(a[0], 0), to_client(a[1], M_C1), to_target(a[2], 0),
           to_target(b[0], 0), to_client(b[1], M_C1), to_target(b[2], 0),
           to_target(da, 0), rst_to_client(db, M_C1)]
    return Case("nlb_idle_timeout", config(targets=1), {"vpc": ins}, {"vpc": exp},
                counters={"nlb.web.listeners.tcp:80.TCP_ELB_Reset_Count": 1,
                          "nlb.web.TCP_ELB_Reset_Count": 1,
                          "drops.nlb_idle_timeout": 1, "ports.vpc.generated": 1,
                          "ports.vpc.forwarded": 7})


def case_nlb_idle_timeout_long():
    """Data on a connection idle for 600 s (long past the timeout, whenever
    vpcgw forgets the flow) still gets a RST, never reaches the target."""
    a = idle_flow(40000, 100, 5000, 0.0)
    d = at(client_tcp(40000, "PA", 101, 5001, b"much too late"), 0.2 + 600.0)
    exp = [to_target(a[0], 0), to_client(a[1], M_C1), to_target(a[2], 0), rst_to_client(d, M_C1)]
    return Case("nlb_idle_timeout_long", config(targets=1), {"vpc": a + [d]}, {"vpc": exp},
                counters={"nlb.web.listeners.tcp:80.TCP_ELB_Reset_Count": 1,
                          "drops.nlb_idle_timeout": 1, "ports.vpc.generated": 1,
                          "ports.vpc.forwarded": 3})


# ------------------------------------------------------------ reused 5-tuples


def reuse_client(public, cport, flags, seq, ack=0, data=b""):
    """A client packet to the listener: from the VPC client to 10.0.0.100, or
    from the internet client to the public address 198.51.100.30."""
    l4 = TCP(sport=cport, dport=80, flags=flags, seq=seq, ack=ack)
    p = from_inet(REMOTE, NLB_PUB, l4) if public else from_host(M_C1, A_C1, NLB, l4)
    return p / Raw(data) if data else p


def reuse_case(name, close, public):
    """A TCP 5-tuple reused after its connection closed is a new flow (SPEC §4:
    a new flow's target comes from the hash with the SYN's sequence number
    over the healthy targets; issue #13). Health checks as in nlb_health:
    10.0.2.10 never answers (unhealthy from 7 s), 10.0.2.11 answers. Two
    connections A (0 s) and B (1 s) from one client land on 10.0.2.10 (client
    ports picked by a first run), exchange data and close at 9 s: `close`
    "fin" (the server closes first, then the client: TIME_WAIT) or "rst"
    (the client resets: CLOSED). At 10.5 s and 10.6 s the client opens a new
    connection from the same port of each, with a new sequence number, and
    the first of these SYNs is retransmitted in the same millisecond (one
    burst). Each new SYN must reach 10.0.2.11, the only healthy target, and
    its handshake completes there; nothing reaches 10.0.2.10 after the close.
    Counters: NewFlowCount 4 (listener), 2 per target; ActiveFlowCount 2;
    flows created 4, deleted 2 (the closed ones, ended by the new SYNs); the
    LCU new-flow rate of second 10 is 2 (the last completed second: the final
    packet is at 11.2 s); no drop. `public`: the client is on the internet
    and reaches the public address (with 2 workers its packets and the
    targets' are handled by different workers)."""
    cports = [20000 + i for i in range(16)]
    inet_port = "internet" if public else "vpc"
    client = REMOTE if public else A_C1

    def first_syns():
        return [at(reuse_client(public, cp, "S", seqn(i)), 0.01 + i * 0.001)
                for i, cp in enumerate(cports)]

    def build(workers):
        cfg = config(health=True)
        # the clock must run to 10.5 s for the probes to be sent: a late packet
        late = at(from_host(M_C2, A_C2, DNS_ADDR, UDP(sport=1, dport=9)), 10.5)
        outs, _ = first_run(cfg, {inet_port: first_syns(), "vpc": [late]} if public else
                            {"vpc": first_syns() + [late]}, workers)
        placed = {}
        for p in outs["vpc"]:
            ti = target_of(p)
            if ti is not None and not is_health_probe(p) and p[IP].src == client:
                placed.setdefault(p[TCP].sport, ti)
        on0 = [cp for cp in cports if placed.get(cp) == 0]
        assert len(placed) == len(cports), "first run: %d of %d SYNs reached a target" % (
            len(placed), len(cports))
        assert len(on0) >= 2, "first run: fewer than 2 of %d flows went to %s" % (
            len(cports), TG_KEYS[0])
        probes = learn_probes(outs["vpc"], 1)
        times = probe_times(11.2)
        assert len(probes) >= 3, "first run: %d probes to %s, expected 3" % (len(probes), TG_KEYS[1])
        vpc = [probe_answer(probes[k], 1, t + 0.5) for k, t in enumerate(times[:3])]
        cli, exp_t, exp_c = [], [], []

        def send(p, t, to_t, ti):
            at(p, t)
            if to_t:
                cli.append(p)
                exp_t.append((t, to_target(p, ti)))
            else:
                vpc.append(p)
                if public:
                    exp_c.append((t, Exp(routed(p, M_INET, M_NH, src=NLB_PUB, sport=80),
                                         note="reply as the NLB public address")))
                else:
                    exp_t.append((t, to_client(p, M_C1)))

        nbytes = 0
        for k, cp in enumerate(on0[:2]):
            i = cports.index(cp)
            t0 = 0.01 + i * 0.001 if k == 0 else 1.0
            cs, ss = seqn(i), 700000 + k
            req, resp = b"GET / HTTP/1.1\r\n\r\n", b"HTTP/1.1 200 OK\r\n\r\nbody"
            cs2, ss2 = (cs + 0x10000000 + k) & 0xffffffff, 900000 + k
            t1 = 10.5 + 0.1 * k
            pk = [
                (t0, reuse_client(public, cp, "S", cs), True, 0),
                (t0 + 0.1, target_tcp(0, client, cp, "SA", ss, cs + 1), False, 0),
                (t0 + 0.2, reuse_client(public, cp, "A", cs + 1, ss + 1), True, 0),
                (t0 + 0.3, reuse_client(public, cp, "PA", cs + 1, ss + 1, req), True, 0),
                (t0 + 0.4, target_tcp(0, client, cp, "PA", ss + 1, cs + 1 + len(req), resp),
                 False, 0),
            ]
            cseq, sseq = cs + 1 + len(req), ss + 1 + len(resp)
            if close == "fin":
                pk += [
                    (9.0 + 0.01 * k, target_tcp(0, client, cp, "FA", sseq, cseq), False, 0),
                    (9.1 + 0.01 * k, reuse_client(public, cp, "FA", cseq, sseq + 1), True, 0),
                    (9.2 + 0.01 * k, target_tcp(0, client, cp, "A", sseq + 1, cseq + 1), False, 0),
                ]
            else:
                pk += [(9.0 + 0.01 * k, reuse_client(public, cp, "R", cseq), True, 0)]
            pk += [(t1, reuse_client(public, cp, "S", cs2), True, 1)]
            if k == 0:
                pk += [(t1, reuse_client(public, cp, "S", cs2), True, 1)]    # same burst
            pk += [
                (t1 + 0.02, target_tcp(1, client, cp, "SA", ss2, cs2 + 1), False, 1),
                (t1 + 0.03, reuse_client(public, cp, "A", cs2 + 1, ss2 + 1), True, 1),
            ]
            for t, p, to_t, ti in pk:
                send(p, t, to_t, ti)
                nbytes += len(p[IP])
        last = reuse_client(public, on0[0], "PA", (seqn(cports.index(on0[0])) + 0x10000001) &
                            0xffffffff, 900001, b"late")
        send(last, 11.2, True, 1)
        nbytes += len(last[IP])
        exp_t.sort(key=lambda x: x[0])
        exp_c.sort(key=lambda x: x[0])
        ins = {"vpc": vpc + ([] if public else cli)}
        expected = {"vpc": [e for _, e in exp_t]}
        if public:
            ins["internet"] = cli
            expected["internet"] = [e for _, e in exp_c]
        lis = "nlb.web.listeners.tcp:80."
        return Case(name, cfg, ins, expected, ignore=is_health_probe,
                    counters={lis + "NewFlowCount": 4,
                              lis + "ActiveFlowCount": 2,
                              lis + "ProcessedBytes": nbytes,
                              lis + "TCP_ELB_Reset_Count": 0,
                              lis + "lcu.new_flows_per_s": 2.0,
                              "nlb.web.NewFlowCount": 4,
                              "target_groups.web-tg.targets": tg_check(
                                  lambda v, i: v["NewFlowCount"] == 2 and
                                  v["ActiveFlowCount"] == (0, 2)[i] and
                                  v["health"] == ("unhealthy", "healthy")[i]),
                              "flows.by_service.nlb.created": 4,
                              "flows.by_service.nlb.deleted": 2,
                              "flows.by_service.nlb.active": 2,
                              "ports.vpc.local": 3})

    return TwoPhaseCase(name, build)


def case_nlb_reuse_fin():
    """Reuse of a 5-tuple closed by FIN/FIN (TIME_WAIT), VPC client."""
    return reuse_case("nlb_reuse_fin", "fin", False)


def case_nlb_reuse_rst():
    """Reuse of a 5-tuple closed by the client's RST (CLOSED), internet client."""
    return reuse_case("nlb_reuse_rst", "rst", True)


CASES = {
    "nlb_reuse_fin": case_nlb_reuse_fin,
    "nlb_reuse_rst": case_nlb_reuse_rst,
    "nlb_nacl": case_nlb_nacl,
    "nlb_spread": case_nlb_spread,
    "nlb_translate": case_nlb_translate,
    "nlb_no_preserve": case_nlb_no_preserve,
    "nlb_udp": case_nlb_udp,
    "nlb_public": case_nlb_public,
    "nlb_no_listener": case_nlb_no_listener,
    "nlb_health": case_nlb_health,
    "nlb_fail_open": case_nlb_fail_open,
    "nlb_idle_timeout": case_nlb_idle_timeout,
    "nlb_idle_timeout_long": case_nlb_idle_timeout_long,
}

if __name__ == "__main__":
    sys.exit(main(CASES))
