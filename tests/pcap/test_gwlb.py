#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
pcap suite, Gateway Load Balancer (SPEC §4 "Gateway Load Balancer", §3.5):
GENEVE encapsulation to an appliance as AWS's GWLB sends it (RFC 8926, AWS
options; protocol type 0x0800, the payload the inner IP packet itself, no
inner Ethernet header: 68 bytes of outer IPv4/UDP/GENEVE before the inner IP
header), decapsulation of what the appliance returns (source port kept, UDP
checksum 0 or not), both directions of a flow on one appliance, 3-tuple and
2-tuple stickiness, oversize inner packets and the MTU arithmetic at the
appliance port, returns of another protocol type (0x6558 with an inner
Ethernet frame included) or VNI, forged cookies and endpoints, GENEVE from a
non-appliance, failover (no_rebalance / rebalance), all appliances unhealthy.

  vpcgw ports       vpc 02:00:00:00:00:01 10.0.0.1/16 (mtu 9001)
                    internet 02:00:00:00:01:01 198.51.100.1/24
                    appliances 02:00:00:00:02:01 192.168.50.1/24 (mtu 9001)
  subnets           fw-a 10.0.0.0/24 (the endpoint's; table fw: 0.0.0.0/0 igw)
                    app-a 10.0.1.0/24 (instances; table app: 0.0.0.0/0 endpoint)
  internet gateway  edge table: 10.0.1.0/24 -> gwlb-endpoint:inspect-a;
                    elastic IPs 198.51.100.20 <-> 10.0.1.10, 198.51.100.21 <-> 10.0.1.11
  GWLB inspect      appliances 192.168.50.10, 192.168.50.11; endpoint inspect-a
                    vpce-0a1b2c3d4e5f60718, attachment id 0x0102030405060708

The GENEVE flow cookie and the outer UDP source port are vpcgw's choice
(flow-derived): they are taken from the output and their SPEC properties
checked (cookie non-zero and the same in both directions of a flow; source
port 49152..65535, the same both ways). An appliance's return quotes the
cookie: a first run of vpcgw teaches it (see vpcgwtest.first_run).

Usage: test_gwlb.py --workers N [--case NAME]... [--list]
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from scapy.contrib.geneve import GENEVE, GeneveOptions  # noqa: E402
from scapy.layers.inet6 import IPv6  # noqa: E402

from vpcgwtest import (EAL_ARGS, GEN_WILD, ICMP, IP, TCP, UDP, Case, Ether, Exp,  # noqa: E402
                       Interleaved, Raw, StreamCase, TwoPhaseCase, at, first_run,
                       is_health_probe, main, rebuilt, routed)

M_VPC = "02:00:00:00:00:01"
M_INET = "02:00:00:00:01:01"
M_APPS, A_APPS = "02:00:00:00:02:01", "192.168.50.1"
M_NH, A_NH = "02:00:00:00:01:fe", "198.51.100.254"
M_I1, A_I1, EIP1 = "0a:00:00:00:01:0a", "10.0.1.10", "198.51.100.20"
M_I2, A_I2, EIP2 = "0a:00:00:00:01:0b", "10.0.1.11", "198.51.100.21"
APP_ADDR = ["192.168.50.10", "192.168.50.11"]
APP_MAC = ["0a:00:00:00:32:0a", "0a:00:00:00:32:0b"]
STRANGER = "192.168.50.99"      # on the appliance network, not an appliance
VPCE_ID = "vpce-0a1b2c3d4e5f60718"
VPCE_VAL = 0x0a1b2c3d4e5f60718
ATTACH = 0x0102030405060708
GNV_CLASS = 0x0108
CLIENT = "203.0.113.50"

HC_INTERVAL = 5
HC_TIMEOUT = 2


def config(stickiness="5-tuple", failover="no_rebalance", health=False, app_mtu=9001):
    ports = [
        {"name": "vpc", "mac": M_VPC, "address": "10.0.0.1/16", "mtu": 9001},
        {"name": "internet", "mac": M_INET, "address": "198.51.100.1/24", "mtu": 1500},
        {"name": "appliances", "mac": M_APPS, "address": A_APPS + "/24", "mtu": app_mtu},
    ]
    for i, p in enumerate(ports):
        p["devargs"] = "net_pcap%d,rx_pcap={dir}/%s-in.pcap,tx_pcap={dir}/%s-out.pcap" % (
            i, p["name"], p["name"])
    if health:
        hc = {"enabled": True, "protocol": "tcp", "port": 80, "interval": HC_INTERVAL,
              "timeout": HC_TIMEOUT, "healthy_threshold": 2, "unhealthy_threshold": 2}
    else:
        hc = {"enabled": False}
    return {
        "dpdk": {"eal_args": EAL_ARGS, "workers": 1, "mbufs": 8191, "flow_table_size": 8192},
        "ports": ports,
        "neighbors": [
            {"port": "internet", "address": A_NH, "mac": M_NH},
            {"port": "vpc", "address": A_I1, "mac": M_I1},
            {"port": "vpc", "address": A_I2, "mac": M_I2},
            {"port": "appliances", "address": APP_ADDR[0], "mac": APP_MAC[0]},
            {"port": "appliances", "address": APP_ADDR[1], "mac": APP_MAC[1]},
        ],
        "vpc": {"cidr": "10.0.0.0/16", "subnets": [
            {"name": "fw-a", "cidr": "10.0.0.0/24", "port": "vpc", "route_table": "fw"},
            {"name": "app-a", "cidr": "10.0.1.0/24", "port": "vpc", "route_table": "app"},
        ]},
        "internet_gateway": {"port": "internet", "next_hop": A_NH, "route_table": "edge",
                             "elastic_ips": [{"public": EIP1, "private": A_I1},
                                             {"public": EIP2, "private": A_I2}]},
        "route_tables": [
            {"name": "fw", "routes": [{"destination": "0.0.0.0/0", "target": "igw"}]},
            {"name": "app", "routes": [{"destination": "0.0.0.0/0",
                                        "target": "gwlb-endpoint:inspect-a"}]},
            {"name": "edge", "routes": [{"destination": "10.0.1.0/24",
                                         "target": "gwlb-endpoint:inspect-a"}]},
        ],
        "gateway_load_balancers": [
            {"name": "inspect", "port": "appliances", "stickiness": stickiness,
             "target_failover": failover, "tcp_idle_timeout": 350, "health_check": hc,
             "appliances": [{"address": APP_ADDR[0]}, {"address": APP_ADDR[1]}],
             "endpoints": [{"name": "inspect-a", "id": VPCE_ID, "subnet": "fw-a",
                            "attachment_id": "%016x" % ATTACH}]},
        ],
    }


# ------------------------------------------------------------ packets


def from_inet(src, dst, l4, ttl=64):
    return Ether(src=M_NH, dst=M_INET) / IP(src=src, dst=dst, ttl=ttl) / l4


def from_inst(mac, src, dst, l4, ttl=64, **ip):
    return Ether(src=mac, dst=M_VPC) / IP(src=src, dst=dst, ttl=ttl, **ip) / l4


def eip_translated(p, private):
    """SPEC §3.4: the internet gateway's 1:1 translation of the destination,
    no other change (checksums updated)."""
    q = Ether(bytes(p))
    q[IP].dst = private
    return rebuilt(q, l4=True)


def gnv_opts(cookie, endpoint=VPCE_VAL, attach=ATTACH):
    return [GeneveOptions(classid=GNV_CLASS, type=1, data=struct.pack("!Q", endpoint)),
            GeneveOptions(classid=GNV_CLASS, type=2, data=struct.pack("!Q", attach)),
            GeneveOptions(classid=GNV_CLASS, type=3, data=struct.pack("!I", cookie))]


def parse_gnv(b):
    """(UDP sport, UDP checksum, options {(class, type): data}, offset of the
    inner IP packet) of an encapsulated frame, from its bytes."""
    ihl = (b[14] & 0x0f) * 4
    u = 14 + ihl
    sport, dport, ulen, csum = struct.unpack("!HHHH", b[u:u + 8])
    g = u + 8
    optlen = (b[g] & 0x3f) * 4
    opts, o = {}, g + 8
    while o < g + 8 + optlen:
        cls, typ, ln = struct.unpack("!HBB", b[o:o + 4])
        n = (ln & 0x1f) * 4
        opts[(cls, typ)] = b[o + 4:o + 4 + n]
        o += 4 + n
    return sport, csum, opts, g + 8 + optlen


def flow_id(inner):
    """Direction-free identity of the flow an inner packet belongs to."""
    q = inner
    l4 = q[TCP] if TCP in q else q[UDP] if UDP in q else None
    a = (q[IP].src, l4.sport if l4 is not None else 0)
    b = (q[IP].dst, l4.dport if l4 is not None else 0)
    return (q[IP].proto,) + tuple(sorted((a, b)))


class GnvState:
    """What a case learns from the actual encapsulated packets, to check the
    SPEC's properties across packets: per flow, one cookie, one source port
    (the same in both directions) and one appliance."""

    def __init__(self):
        self.cookie = {}
        self.sport = {}
        self.app = {}


class NoState:
    """A GnvState that remembers nothing: for expectations tried against
    several packets (Interleaved streams), where a failed trial must not
    record another flow's cookie."""

    cookie = property(lambda self: {})
    sport = property(lambda self: {})
    app = property(lambda self: {})


def to_appliance(inner, app, st, fid=None, note="", track_app=True):
    """SPEC §4: the inner IP packet as given (after any elastic IP
    translation; its Ethernet header is not carried), in GENEVE (RFC 8926) to
    appliance app: outer Ethernet from the appliance port to the appliance's
    MAC, outer IPv4 from the appliance port's address to the appliance, UDP
    to 6081 from a flow-entropy port, GENEVE version 0, no O/C flags,
    protocol 0x0800 (inner IPv4), VNI 0, three options of class 0x0108: type
    1 the endpoint's vpce id value (8 bytes), type 2 the attachment id
    (8 bytes), type 3 the flow cookie (4 bytes): 68 bytes of outer
    IPv4/UDP/GENEVE, then the inner IP header.

    app: an appliance index, or a function(actual appliance index or None)
    returning the expected one (where the SPEC allows several)."""
    inner = Ether(bytes(inner))
    fid = fid or flow_id(inner)

    def actual_app(act):
        try:
            return APP_ADDR.index(act[IP].dst)
        except (ValueError, IndexError):
            return None

    def want_app(act):
        return app(actual_app(act) if act is not None else None) if callable(app) else app

    def build(act):
        b = bytes(act) if act is not None else b""
        sport, cookie, csum = 49152, 1, 0
        if len(b) >= 14 + 20 + 8 + 8 + 32 and IP in act and UDP in act:
            sport, csum, opts, _ = parse_gnv(b)
            c = opts.get((GNV_CLASS, 3), b"")
            cookie = struct.unpack("!I", c)[0] if len(c) == 4 else 1
        a = want_app(act)
        a = 0 if a is None else a
        e = Ether(src=M_APPS, dst=APP_MAC[a]) / \
            IP(src=A_APPS, dst=APP_ADDR[a], proto=17, ttl=64) / \
            UDP(sport=sport, dport=6081, chksum=csum) / \
            GENEVE(version=0, optionlen=8, oam=0, critical=0, proto=0x0800, vni=0,
                   options=gnv_opts(cookie)) / inner[IP]
        return Ether(bytes(e))

    def check(act):
        out = []
        b = bytes(act)
        if len(b) < 14 + 68:
            return ["encapsulated frame too short (%d bytes)" % len(b)]
        sport, csum, opts, inner_off = parse_gnv(b)
        if inner_off - 14 != 68:
            out.append("outer IPv4/UDP/GENEVE is %d bytes, SPEC: 68" % (inner_off - 14))
        if b[14 + 28 + 2:14 + 28 + 4] != b"\x08\x00" or b[inner_off] >> 4 != 4:
            out.append("GENEVE protocol type %s with payload version %d, SPEC: 0x0800, "
                       "an IPv4 packet" % (b[44:46].hex(), b[inner_off] >> 4))
        if not 49152 <= sport <= 65535:
            out.append("outer UDP source port %d not in 49152..65535" % sport)
        if csum != 0:
            ref = Ether(b)
            del ref[UDP].chksum
            if Ether(bytes(ref))[UDP].chksum != csum:
                out.append("outer UDP checksum 0x%04x is neither 0 nor right" % csum)
        c = opts.get((GNV_CLASS, 3), b"")
        cookie = struct.unpack("!I", c)[0] if len(c) == 4 else None
        if cookie is None or cookie == 0:
            out.append("flow cookie missing or zero: %r" % (c,))
        if st.cookie.setdefault(fid, cookie) != cookie:
            out.append("flow cookie 0x%08x differs from 0x%08x of the same flow" %
                       (cookie, st.cookie[fid]))
        if st.sport.setdefault(fid, sport) != sport:
            out.append("outer source port %d differs from %d of the same flow" %
                       (sport, st.sport[fid]))
        a = actual_app(act)
        if track_app and a is not None and st.app.setdefault(fid, a) != a and not callable(app):
            out.append("flow went to appliance %s, earlier to %s" % (APP_ADDR[a],
                                                                      APP_ADDR[st.app[fid]]))
        if callable(app) and want_app(act) is None:
            out.append("no acceptable appliance (sent to %s)" % act[IP].dst)
        return out

    return Exp(build, wild=GEN_WILD, check=check, note=note or "GENEVE to an appliance")


def appliance_return(enc, t, src=None, cookie=None, endpoint=None, csum0=True, proto=0x0800,
                     vni=0, payload=None):
    """What an appliance sends back (SPEC §4): the same GENEVE header and
    options, the inner IP packet unchanged, from the appliance to vpcgw's
    appliance-port address (outer addresses swapped), UDP to 6081 from the
    source port it received, UDP checksum 0 (as AWS's appliance software
    sends it; csum0=False: a computed one). enc: the encapsulated packet
    vpcgw sent (first run). proto, vni, payload: to make returns the SPEC
    does not allow."""
    b = bytes(enc)
    sport, _, opts, off = parse_gnv(b)
    app = APP_ADDR.index(Ether(b)[IP].dst)
    ck = cookie if cookie is not None else struct.unpack("!I", opts[(GNV_CLASS, 3)])[0]
    ep = endpoint if endpoint is not None else VPCE_VAL
    s = src or APP_ADDR[app]
    mac = APP_MAC[app] if src is None else "0a:00:00:00:32:63"
    p = Ether(src=mac, dst=M_APPS) / IP(src=s, dst=A_APPS, ttl=64) / \
        UDP(sport=sport, dport=6081, chksum=0 if csum0 else None) / \
        GENEVE(version=0, proto=proto, vni=vni, options=gnv_opts(ck, endpoint=ep)) / \
        Raw(b[off:] if payload is None else bytes(payload))
    return at(Ether(bytes(p)), t)


def encaps(pkts):
    return [p for p in pkts if UDP in p and p[UDP].dport == 6081]


def inner_of(enc):
    """The inner IP packet of a GENEVE frame vpcgw sent."""
    return IP(bytes(enc)[parse_gnv(bytes(enc))[3]:])


def app_counts(pred):
    """Counter check over gwlb.inspect.appliances (keys hold dots)."""
    return lambda v: all(pred(v[a], i) for i, a in enumerate(APP_ADDR))


# ------------------------------------------------------------ cases


def case_gwlb_basic():
    """Ingress routing: a TCP SYN from the internet to an elastic IP is
    translated and, by the edge table, sent in GENEVE to an appliance; the
    appliance's return is decapsulated and delivered to the instance. The
    instance's answer (its subnet routes 0.0.0.0/0 to the endpoint) reaches
    the same appliance with the same cookie and source port; returned, it
    leaves to the internet as from the elastic IP. The same for a UDP flow
    started by the instance."""
    syn = at(from_inet(CLIENT, EIP1, TCP(sport=40000, dport=80, flags="S", seq=1000)), 0.0)
    synack = at(from_inst(M_I1, A_I1, CLIENT, TCP(sport=80, dport=40000, flags="SA", seq=7000,
                                                  ack=1001)), 1.0)
    query = at(from_inst(M_I1, A_I1, "8.8.8.8", UDP(sport=5353, dport=53) / Raw(b"query")), 2.0)
    answer = at(from_inet("8.8.8.8", EIP1, UDP(sport=53, dport=5353) / Raw(b"answer")), 3.0)

    def phase1():
        return {"internet": [syn.copy(), answer.copy()], "vpc": [synack.copy(), query.copy()]}

    def build(workers):
        outs, _ = first_run(config(), phase1(), workers)
        enc = encaps(outs["appliances"])
        assert len(enc) == 4, "first run: %d GENEVE packets to the appliances, expected 4" % len(enc)
        ins = phase1()
        # UDP checksum 0 (as gwlbtun sends) and a computed one: both accepted
        ins["appliances"] = [appliance_return(e, t, csum0=k % 2 == 0)
                             for k, (e, t) in enumerate(zip(enc, (0.5, 1.5, 2.5, 3.5)))]
        st = GnvState()
        syn_in = eip_translated(syn, A_I1)
        ans_in = eip_translated(answer, A_I1)
        # the appliance of a flow: whichever the first packet chose, then the same
        a_tcp = APP_ADDR.index(enc[0][IP].dst)
        a_udp = APP_ADDR.index(enc[2][IP].dst)
        exp_app = [to_appliance(syn_in, a_tcp, st, note="SYN in GENEVE"),
                   to_appliance(synack, a_tcp, st, note="SYN-ACK in GENEVE"),
                   to_appliance(query, a_udp, st, note="query in GENEVE"),
                   to_appliance(ans_in, a_udp, st, note="answer in GENEVE")]
        exp_vpc = [Exp(routed(syn_in, M_VPC, M_I1)), Exp(routed(ans_in, M_VPC, M_I1))]
        exp_inet = [Exp(routed(synack, M_INET, M_NH, src=EIP1)),
                    Exp(routed(query, M_INET, M_NH, src=EIP1))]
        return Case("gwlb_basic", config(), ins,
                    {"appliances": exp_app, "vpc": exp_vpc, "internet": exp_inet},
                    counters={"gwlb.inspect.NewFlowCount": 2,
                              "gwlb.inspect.ActiveFlowCount": 2,
                              "gwlb.inspect.ProcessedPackets": 4,
                              "gwlb.inspect.HealthyHostCount": 2,
                              "gwlb.inspect.UnHealthyHostCount": 0,
                              "flows.by_service.gwlb.active": 2,
                              "ports.appliances.forwarded": 4})

    return TwoPhaseCase("gwlb_basic", build)


def sticky_case(name, stickiness, per_client):
    n_clients = 16
    ins, exp = [], []
    st = GnvState()
    chosen = {}

    def same_for(client):
        def pick(actual):
            if client not in chosen:
                chosen[client] = actual
            return chosen[client]
        return pick

    k = 0
    for c in range(n_clients):
        client = "203.0.113.%d" % (c + 1)
        for l4 in per_client:
            p = at(from_inet(client, EIP1, l4.copy()), k * 0.001)
            k += 1
            ins.append(p)
            exp.append(to_appliance(eip_translated(p, A_I1), same_for(client), st))

    def both_used(v):
        return all(v[a]["NewFlowCount"] > 0 for a in APP_ADDR)

    return Case(name, config(stickiness=stickiness), {"internet": ins}, {"appliances": exp},
                counters={"gwlb.inspect.NewFlowCount": len(ins),
                          "gwlb.inspect.appliances": both_used})


def case_gwlb_sticky3():
    """stickiness 3-tuple (addresses and protocol): TCP flows of one client
    that differ only in ports all go to the same appliance; 16 clients use
    both appliances."""
    return sticky_case("gwlb_sticky3", "3-tuple",
                       [TCP(sport=40000 + i, dport=80 + i, flags="S") for i in range(4)])


def case_gwlb_sticky2():
    """stickiness 2-tuple (addresses): TCP, UDP and ICMP flows of one client
    to one instance all go to the same appliance; 16 clients use both."""
    return sticky_case("gwlb_sticky2", "2-tuple",
                       [TCP(sport=40000, dport=80, flags="S"), TCP(sport=40001, dport=443, flags="S"),
                        UDP(sport=5000, dport=53), ICMP(type=8, id=7, seq=1)])


def case_gwlb_oversize():
    """Inner IP packets up to 8500 bytes are encapsulated (8568 bytes of
    outer IPv4 on a 9001-byte MTU port); 8501 bytes: dropped, gwlb_oversize
    (no fragmentation)."""
    def sized(n, sport):
        return from_inst(M_I1, A_I1, "8.8.8.8", UDP(sport=sport, dport=9) / Raw(b"g" * (n - 28)),
                         flags="DF")
    ok = at(sized(8500, 7000), 0.0)
    big = at(sized(8501, 7001), 0.1)
    big2 = at(sized(8501, 7000), 0.2)      # on the existing flow too
    st = GnvState()
    return Case("gwlb_oversize", config(), {"vpc": [ok, big, big2]},
                {"appliances": [to_appliance(ok, lambda a: a, st)]},
                counters={"drops.gwlb_oversize": 2, "ports.vpc.dropped": 2,
                          "ports.appliances.tx": 1})


def mtu_case(name, app_mtu, fits):
    """SPEC §4: GENEVE adds 68 bytes to the inner IP packet (20 IPv4 + 8 UDP
    + 8 GENEVE + 32 options): an 8500-byte inner packet is an 8568-byte outer
    IPv4 packet, which an appliance port of MTU 8568 carries and one of MTU
    8567 does not (mtu_exceeded; vpcgw never fragments)."""
    ok = at(from_inst(M_I1, A_I1, "8.8.8.8", UDP(sport=7002, dport=9) / Raw(b"h" * (8500 - 28)),
                      flags="DF"), 0.0)
    small = at(from_inst(M_I1, A_I1, "8.8.8.8", UDP(sport=7003, dport=9) / Raw(b"s" * 100),
                         flags="DF"), 0.1)
    st = GnvState()
    exp = [to_appliance(small, lambda a: a, st, note="small packet in GENEVE")]
    counters = {"ports.appliances.tx": 2 if fits else 1, "gwlb.inspect.NewFlowCount": 2}
    out = {"appliances": exp}
    if fits:
        exp.insert(0, to_appliance(ok, lambda a: a, st, note="8500-byte inner packet in GENEVE"))
    else:
        # issue #24: DF set, so the sender learns the path MTU
        out["vpc"] = [frag_needed(ok, M_VPC, "10.0.1.1", app_mtu - 68)]
        counters.update({"drops.mtu_exceeded": 1, "ports.vpc.dropped": 1})
    return Case(name, config(app_mtu=app_mtu), {"vpc": [ok, small]}, out,
                counters=counters)


def frag_needed(p, src_mac, src, mtu, quote=None):
    """RFC 792/1191: ICMP destination unreachable, code 4 (fragmentation
    needed and DF set), next-hop MTU in the low 16 bits of the second word,
    quoting the IP header and 8 bytes of the datagram as its sender sent it;
    from src (the address the sender routed through) back to the sender's
    MAC, TTL 64, id 0, no flags."""
    p = Ether(bytes(p))
    ip = p[IP]
    q = quote if quote is not None else bytes(ip)[:ip.ihl * 4 + 8]
    return Ether(src=src_mac, dst=p[Ether].src) / \
        IP(src=src, dst=ip.src, ttl=64, id=0, flags=0) / \
        ICMP(type=3, code=4, nexthopmtu=mtu) / Raw(q)


def frag_needed_check(p, mtu):
    """Field by field, for the report (the bytes are compared as well)."""
    p = Ether(bytes(p))
    want = bytes(p[IP])[:p[IP].ihl * 4 + 8]

    def check(a):
        out = []
        if ICMP not in a:
            return ["no ICMP"]
        ic = a[ICMP]
        raw = bytes(ic)
        if (ic.type, ic.code) != (3, 4):
            out.append("ICMP type/code %d/%d, want 3/4" % (ic.type, ic.code))
        if struct.unpack("!HH", raw[4:8]) != (0, mtu):
            out.append("next-hop MTU word %s, want (0, %d)" % (raw[4:8].hex(), mtu))
        if raw[8:] != want:
            out.append("quote %s, want %s" % (raw[8:].hex(), want.hex()))
        if a[IP].dst != p[IP].src:
            out.append("to %s, want the sender %s" % (a[IP].dst, p[IP].src))
        c = IP(bytes(a[IP]))
        del c.chksum
        del c[ICMP].chksum
        c = IP(bytes(c))
        if (c.chksum, c[ICMP].chksum) != (a[IP].chksum, ic.chksum):
            out.append("checksums IP %#x ICMP %#x, want %#x %#x" %
                       (a[IP].chksum, ic.chksum, c.chksum, c[ICMP].chksum))
        return out
    return check


def case_gwlb_frag_needed():
    """Issue #24, appliance port MTU 1500: an inner packet fits when it and
    the 68 bytes of GENEVE fit (1432 bytes). Over that, with DF: dropped
    (mtu_exceeded) and ICMP fragmentation needed, next-hop MTU 1432, to the
    sender from the address it routed through (its subnet's .1; from the
    internet: vpcgw's internet address, the quote naming the elastic IP it
    sent to), on a new flow, a known flow the fast stage carries, and rate
    limited (a burst of 4 gets 2). Without DF: dropped, gwlb_mtu_no_df (a
    GWLB does not fragment), no ICMP. ProcessedPackets/Bytes count the two
    packets encapsulated, not the dropped ones."""
    def u(sport, total, df=True, t=0.0):
        return at(from_inst(M_I1, A_I1, "8.8.8.8", UDP(sport=sport, dport=9) /
                            Raw(b"q" * (total - 28)), flags="DF" if df else 0), t)
    a0, a1 = u(7100, 1432, t=0.0), u(7100, 100, t=0.01)
    a2 = u(7100, 1433, t=0.02)                      # known flow, fast stage
    b0 = u(7101, 1433, t=0.03)                      # new flow
    c0 = u(7102, 1433, df=False, t=0.04)            # new flow, no DF
    a3 = u(7100, 1433, df=False, t=0.05)            # known flow, no DF
    burst = [u(7100, 1500, t=1.0) for _ in range(4)]
    inet = at(Ether(src=M_NH, dst=M_INET) / IP(src=CLIENT, dst=EIP1, flags="DF") /
              UDP(sport=5300, dport=53) / Raw(b"i" * (1500 - 28)), 0.06)
    st = GnvState()
    icmp = [Exp(frag_needed(p, M_VPC, "10.0.1.1", 1432), check=frag_needed_check(p, 1432))
            for p in (a2, b0, burst[0], burst[1])]
    icmp_inet = Exp(frag_needed(inet, M_INET, "198.51.100.1", 1432),
                    check=frag_needed_check(inet, 1432))
    return Case("gwlb_frag_needed", config(app_mtu=1500),
                {"vpc": [a0, a1, a2, b0, c0, a3] + burst, "internet": [inet]},
                {"appliances": [to_appliance(a0, lambda a: a, st),
                                to_appliance(a1, lambda a: a, st)],
                 "vpc": icmp, "internet": [icmp_inet]},
                counters={"drops.mtu_exceeded": 7, "drops.gwlb_mtu_no_df": 2,
                          "ports.vpc.dropped": 8, "ports.vpc.generated": 4,
                          "ports.internet.dropped": 1, "ports.internet.generated": 1,
                          "ports.appliances.tx": 2,
                          "gwlb.inspect.NewFlowCount": 4,
                          "gwlb.inspect.ProcessedPackets": 2,
                          "gwlb.inspect.ProcessedBytes": 1432 + 100,
                          "gwlb.inspect.appliances": lambda v: (
                              sum(x["ProcessedPackets"] for x in v.values()) == 2 and
                              sum(x["ProcessedBytes"] for x in v.values()) == 1532),
                          # the one endpoint: every flow and what was sent
                          "gwlb.inspect.endpoints.inspect-a.NewFlowCount": 4,
                          "gwlb.inspect.endpoints.inspect-a.ProcessedPackets": 2,
                          "gwlb.inspect.endpoints.inspect-a.ProcessedBytes": 1532})


def case_gwlb_mtu_exact():
    """Appliance port MTU 8568: an 8500-byte inner IP packet leaves as an
    8568-byte outer IPv4 packet (8582-byte frame)."""
    return mtu_case("gwlb_mtu_exact", 8568, True)


def case_gwlb_mtu_short():
    """Appliance port MTU 8567: the 8500-byte inner packet, 8568 bytes once
    encapsulated, is dropped (mtu_exceeded); a small one passes."""
    return mtu_case("gwlb_mtu_short", 8567, False)


def case_gwlb_bad_protocol():
    """What an appliance returns must be GENEVE as AWS's GWLB sends it
    (SPEC §4): protocol type 0x0800 with an IPv4 packet or 0x86DD with an
    IPv6 packet, VNI 0. Refused and counted, nothing delivered: protocol
    0x6558 with an inner Ethernet frame, 0x0800 with an IPv6 packet, 0x86DD
    with an IPv4 packet (gwlb_bad_protocol); VNI 1 and a header without a
    payload (gwlb_malformed); 0x0800 with 10 bytes of an IPv4 header
    (ip_truncated); 0x86DD with an IPv6 packet (ipv6_unsupported: vpcgw
    forwards IPv4 only). The genuine return after them is delivered."""
    syn = at(from_inet(CLIENT, EIP1, TCP(sport=40000, dport=80, flags="S", seq=1000)), 0.0)

    def build(workers):
        outs, _ = first_run(config(), {"internet": [syn.copy()]}, workers)
        enc = encaps(outs["appliances"])
        assert len(enc) == 1, "first run: %d GENEVE packets, expected 1" % len(enc)
        inner = inner_of(enc[0])
        v6 = IPv6(src="2001:db8::10", dst="2001:db8::20") / TCP(sport=40000, dport=80, flags="S")
        eth_frame = Ether(src=M_APPS, dst=APP_MAC[0]) / inner
        apps = [
            appliance_return(enc[0], 0.2, proto=0x6558, payload=eth_frame),
            appliance_return(enc[0], 0.3, proto=0x0800, payload=v6),
            appliance_return(enc[0], 0.4, proto=0x86DD, payload=inner),
            appliance_return(enc[0], 0.5, vni=1),
            appliance_return(enc[0], 0.6, payload=b""),
            appliance_return(enc[0], 0.7, payload=bytes(inner)[:10]),
            appliance_return(enc[0], 0.8, proto=0x86DD, payload=v6),
            appliance_return(enc[0], 0.9),
        ]
        st = GnvState()
        syn_in = eip_translated(syn, A_I1)
        return Case("gwlb_bad_protocol", config(), {"internet": [syn.copy()], "appliances": apps},
                    {"appliances": [to_appliance(syn_in, lambda a: a, st)],
                     "vpc": [Exp(routed(syn_in, M_VPC, M_I1))]},
                    counters={"drops.gwlb_bad_protocol": 3, "drops.gwlb_malformed": 2,
                              "drops.ip_truncated": 1, "drops.ipv6_unsupported": 1,
                              "ports.appliances.dropped": 7, "ports.appliances.forwarded": 1})

    return TwoPhaseCase("gwlb_bad_protocol", build)


def forged_case(name, stranger):
    syn = at(from_inet(CLIENT, EIP1, TCP(sport=40000, dport=80, flags="S", seq=1000)), 0.0)

    def build(workers):
        outs, _ = first_run(config(), {"internet": [syn.copy()]}, workers)
        enc = encaps(outs["appliances"])
        assert len(enc) == 1, "first run: %d GENEVE packets, expected 1" % len(enc)
        ck = struct.unpack("!I", parse_gnv(bytes(enc[0]))[2][(GNV_CLASS, 3)])[0]
        # a packet of no flow: the same, from another client port
        inner = inner_of(enc[0])
        inner[TCP].sport = 40001
        del inner[IP].chksum
        del inner[TCP].chksum
        nof = Ether(bytes(enc[0])[:parse_gnv(bytes(enc[0]))[3]] + bytes(inner))
        apps = [
            appliance_return(enc[0], 0.5, cookie=ck ^ 0x5a5a5a5a),
            appliance_return(enc[0], 0.6, endpoint=VPCE_VAL ^ 1),
            appliance_return(nof, 0.7),
            appliance_return(enc[0], 0.9),
        ]
        counters = {"drops.gwlb_cookie_mismatch": 2, "drops.gwlb_no_flow": 1,
                    "ports.appliances.dropped": 3, "ports.appliances.forwarded": 1}
        if stranger:
            apps = [appliance_return(enc[0], 0.8, src=STRANGER), apps[-1]]
            counters = {"drops.gwlb_not_appliance": 1, "ports.appliances.dropped": 1,
                        "ports.appliances.forwarded": 1}
        st = GnvState()
        syn_in = eip_translated(syn, A_I1)
        return Case(name, config(), {"internet": [syn.copy()], "appliances": apps},
                    {"appliances": [to_appliance(syn_in, lambda a: a, st)],
                     "vpc": [Exp(routed(syn_in, M_VPC, M_I1))]},
                    counters=counters)

    return TwoPhaseCase(name, build)


def case_gwlb_forged():
    """Returns that do not match the flow are dropped: a forged cookie and a
    wrong endpoint id (gwlb_cookie_mismatch), a GENEVE packet for no flow
    (gwlb_no_flow). The genuine return after them is delivered."""
    return forged_case("gwlb_forged", False)


def case_gwlb_not_appliance():
    """GENEVE (with the right cookie) from 192.168.50.99, on the appliance
    network but no registered appliance: not decapsulated, nothing delivered,
    counted as gwlb_not_appliance (the drop reason vpcgw names for exactly
    this). The genuine return after it is delivered."""
    return forged_case("gwlb_not_appliance", True)


# ------------------------------------------------------------ failover


def probes_to(pkts, a):
    return [p for p in pkts if TCP in p and p[IP].dst == APP_ADDR[a] and p[TCP].flags == "S"
            and is_health_probe(p)]


def probe_answer(probe, a, t):
    return at(Ether(src=APP_MAC[a], dst=M_APPS) / IP(src=APP_ADDR[a], dst=probe[IP].src) /
              TCP(sport=probe[TCP].dport, dport=probe[TCP].sport, flags="SA", seq=31337,
                  ack=probe[TCP].seq + 1), t)


def failover_case(name, failover, answer):
    """UDP flows from an instance to 16 destinations at 0 s (spread over both
    appliances); health checks every 5 s, timeout 2 s, unhealthy threshold 2:
    appliance 192.168.50.10 never answers (unhealthy at 7 s); 192.168.50.11
    answers when `answer`. At 10 s every flow sends again and 16 new flows
    start."""
    n = 16

    def batch(t0, dport):
        return [at(from_inst(M_I1, A_I1, "8.8.%d.%d" % (dport - 50, i + 1),
                             UDP(sport=6000 + i, dport=dport) / Raw(b"x%d" % i)), t0 + i * 0.001)
                for i in range(n)]

    def inputs():
        return batch(0.01, 53) + batch(10.0, 53) + batch(10.5, 54)

    def build(workers):
        cfg = config(failover=failover, health=True)
        outs, _ = first_run(cfg, {"vpc": inputs()}, workers)
        enc = encaps(outs["appliances"])
        assert len(enc) == 3 * n, "first run: %d GENEVE packets, expected %d" % (len(enc), 3 * n)
        first = {flow_id(inner_of(e)): APP_ADDR.index(e[IP].dst) for e in enc[:n]}
        assert 0 in first.values() and 1 in first.values(), \
            "first run: the first flows did not use both appliances: the case tests nothing"
        vpc = inputs()
        app_in = []
        if answer:
            probes = probes_to(outs["appliances"], 1)
            times = [0, 5, 10]
            assert len(probes) >= len(times), "first run: %d probes to %s" % (len(probes), APP_ADDR[1])
            app_in = [probe_answer(probes[k], 1, t + 0.5) for k, t in enumerate(times)]
        st = GnvState()
        exp = []
        for i, p in enumerate(vpc):
            fid = flow_id(p)
            if i < n:
                want = first[fid]
            elif i < 2 * n:
                # existing flow: kept (no_rebalance) or moved to the healthy one (rebalance)
                want = first[fid] if (failover == "no_rebalance" or not answer) else 1
            else:
                want = 1 if answer else (lambda a: a)   # all unhealthy: one of them
            # the appliance is checked by the expectation itself; cookie and
            # source port must stay those of the flow, wherever it goes
            exp.append(to_appliance(p, want, st, track_app=False))
        healthy = 1 if answer else 0
        return Case(name, cfg, {"vpc": vpc, "appliances": app_in}, {"appliances": exp},
                    ignore=is_health_probe,
                    counters={"gwlb.inspect.HealthyHostCount": healthy,
                              "gwlb.inspect.UnHealthyHostCount": 2 - healthy,
                              "gwlb.inspect.NewFlowCount": 2 * n,
                              "gwlb.inspect.appliances": app_counts(
                                  lambda v, i: v["health"] == ("healthy" if (i == 1 and answer)
                                                               else "unhealthy")),
                              "ports.appliances.local": len(app_in)})

    return TwoPhaseCase(name, build)


def case_gwlb_failover_keep():
    """target_failover no_rebalance: flows on the unhealthy appliance stay on
    it; new flows all go to the healthy one."""
    return failover_case("gwlb_failover_keep", "no_rebalance", True)


def case_gwlb_failover_move():
    """target_failover rebalance: flows of the unhealthy appliance move to the
    healthy one (same cookie); new flows all go to the healthy one."""
    return failover_case("gwlb_failover_move", "rebalance", True)


def case_gwlb_all_down():
    """Both appliances unhealthy: existing flows stay, new flows still go to
    one of them (never dropped)."""
    return failover_case("gwlb_all_down", "no_rebalance", False)


# ------------------------------------------------------------ reused 5-tuples


def case_gwlb_reuse():
    """A TCP 5-tuple reused after its connection closed is a new flow (issue
    #13): its appliance is chosen again among the healthy ones (SPEC §4), as
    for any new flow. target_failover no_rebalance; health checks every 5 s,
    timeout 2 s, unhealthy threshold 2: 192.168.50.10 never answers
    (unhealthy at 7 s), 192.168.50.11 answers. Two connections from an
    internet client to the elastic IP 198.51.100.20 (ingress routing to the
    endpoint), A at 0 s and B at 1 s, both on 192.168.50.10 (client ports
    picked by a first run), complete their handshake; at 9 s A closes with
    FIN/FIN (TIME_WAIT) and B with the client's RST (CLOSED). At 10.5 s and
    10.6 s the client opens a new connection from the same port of each
    (new sequence number; A's SYN retransmitted in the same millisecond).
    Every packet of the new connections must go to 192.168.50.11, with the
    flow's cookie and source port (a function of the 5-tuple). Counters:
    NewFlowCount 4 (2 per appliance), ActiveFlowCount 2, flows created 4,
    deleted 2, LCU new-flow rate of second 10: 2. With 2 workers the client's
    and the instance's packets are handled by different workers."""
    cports = [41000 + i for i in range(16)]

    def client(cp, flags, seq, ack=0, data=b""):
        p = from_inet(CLIENT, EIP1, TCP(sport=cp, dport=80, flags=flags, seq=seq, ack=ack))
        return p / Raw(data) if data else p

    def inst(cp, flags, seq, ack=0):
        return from_inst(M_I1, A_I1, CLIENT, TCP(sport=80, dport=cp, flags=flags, seq=seq,
                                                 ack=ack))

    def first_syns():
        return [at(client(cp, "S", 1000 + i), 0.01 + i * 0.001) for i, cp in enumerate(cports)]

    def build(workers):
        cfg = config(health=True)
        late = at(from_inst(M_I2, A_I2, "8.8.8.8", UDP(sport=1, dport=9)), 10.5)
        outs, _ = first_run(cfg, {"internet": first_syns(), "vpc": [late]}, workers)
        placed = {}
        for e in encaps(outs["appliances"]):
            q = inner_of(e)
            if TCP in q and q[IP].src == CLIENT:
                placed.setdefault(q[TCP].sport, APP_ADDR.index(e[IP].dst))
        assert len(placed) == len(cports), "first run: %d of %d SYNs encapsulated" % (
            len(placed), len(cports))
        on0 = [cp for cp in cports if placed[cp] == 0]
        assert len(on0) >= 2, "first run: fewer than 2 flows went to %s" % APP_ADDR[0]
        probes = probes_to(outs["appliances"], 1)
        assert len(probes) >= 3, "first run: %d probes to %s" % (len(probes), APP_ADDR[1])
        app_in = [probe_answer(probes[k], 1, t + 0.5) for k, t in enumerate((0, 5, 10))]
        inet, vpc, exp = [], [], {True: [], False: []}
        for k, cp in enumerate(on0[:2]):
            i = cports.index(cp)
            t0 = 0.01 + i * 0.001 if k == 0 else 1.0
            cs, ss, cs2, ss2 = 1000 + i, 5000 + k, 90000 + k, 95000 + k
            t1 = 10.5 + 0.1 * k
            pk = [(t0, client(cp, "S", cs), 0), (t0 + 0.1, inst(cp, "SA", ss, cs + 1), 0),
                  (t0 + 0.2, client(cp, "A", cs + 1, ss + 1), 0)]
            if k == 0:
                pk += [(9.0, inst(cp, "FA", ss + 1, cs + 1), 0),
                       (9.1, client(cp, "FA", cs + 1, ss + 2), 0),
                       (9.2, inst(cp, "A", ss + 2, cs + 2), 0)]
            else:
                pk += [(9.0, client(cp, "R", cs + 1), 0)]
            pk += [(t1, client(cp, "S", cs2), 1)]
            if k == 0:
                pk += [(t1, client(cp, "S", cs2), 1)]       # same burst
            pk += [(t1 + 0.02, inst(cp, "SA", ss2, cs2 + 1), 1),
                   (t1 + 0.03, client(cp, "A", cs2 + 1, ss2 + 1), 1)]
            if k == 0:
                pk += [(11.2, client(cp, "PA", cs2 + 1, ss2 + 1, b"late"), 1)]
            for t, p, a in pk:
                at(p, t)
                from_client = p[IP].src == CLIENT
                (inet if from_client else vpc).append(p)
                inner = eip_translated(p, A_I1) if from_client else p
                exp[from_client].append((t, to_appliance(inner, a, NoState(), track_app=False)))
        streams = [[e for _, e in sorted(exp[d], key=lambda x: x[0])] for d in (True, False)]
        return StreamCase("gwlb_reuse", cfg,
                          {"internet": inet, "vpc": vpc, "appliances": app_in},
                          {"appliances": Interleaved(*streams)}, ignore=is_health_probe,
                          counters={"gwlb.inspect.NewFlowCount": 4,
                                    "gwlb.inspect.ActiveFlowCount": 2,
                                    "gwlb.inspect.lcu.new_flows_per_s": 2.0,
                                    "gwlb.inspect.HealthyHostCount": 1,
                                    "gwlb.inspect.appliances": app_counts(
                                        lambda v, i: v["NewFlowCount"] == 2 and
                                        v["ActiveFlowCount"] == (0, 2)[i]),
                                    "flows.by_service.gwlb.created": 4,
                                    "flows.by_service.gwlb.deleted": 2,
                                    "flows.by_service.gwlb.active": 2,
                                    "ports.appliances.local": len(app_in)})

    return TwoPhaseCase("gwlb_reuse", build)


CASES = {
    "gwlb_reuse": case_gwlb_reuse,
    "gwlb_basic": case_gwlb_basic,
    "gwlb_sticky3": case_gwlb_sticky3,
    "gwlb_sticky2": case_gwlb_sticky2,
    "gwlb_oversize": case_gwlb_oversize,
    "gwlb_mtu_exact": case_gwlb_mtu_exact,
    "gwlb_mtu_short": case_gwlb_mtu_short,
    "gwlb_frag_needed": case_gwlb_frag_needed,
    "gwlb_bad_protocol": case_gwlb_bad_protocol,
    "gwlb_forged": case_gwlb_forged,
    "gwlb_not_appliance": case_gwlb_not_appliance,
    "gwlb_failover_keep": case_gwlb_failover_keep,
    "gwlb_failover_move": case_gwlb_failover_move,
    "gwlb_all_down": case_gwlb_all_down,
}

if __name__ == "__main__":
    sys.exit(main(CASES))
