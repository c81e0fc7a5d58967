#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
pcap suite, firewall cases: network ACLs (stateless, numbered rules, implicit
deny, ICMP type/code, protocol numbers, where they apply), security groups
(stateful: tracked replies, sg:NAME references, untracked flows, UDP and TCP
timeouts on the packet clock), a full flow table, per-ENI counters.
Every expectation is derived from SPEC §3 and §4:

  vpcgw ports   vpc 02:00:00:00:00:01 10.0.0.1/16, internet 02:00:00:00:01:01 198.51.100.1/24
  subnets       public-a 10.0.0.0/24 (table public: 0.0.0.0/0 -> igw),
                private-a 10.0.1.0/24, app-a 10.0.2.0/24, app-b 10.0.3.0/24 (local only)
  hosts         static neighbors, MAC 0a:00:00:00:<subnet>:<host>
  elastic IP    198.51.100.20 <-> 10.0.0.10

Each case chooses its NACLs, security groups and ENIs. Hosts without an ENI
are not filtered by any security group (the SPEC attaches groups to ENIs).
Timeouts (SPEC §4): UDP 30 s, UDP stream 180 s; half-open TCP SYN_SENT and a
closed (RST) flow use the short timeouts of fw/ct_tcp.h (30 s and 10 s).

Usage: test_firewall.py --workers N [--case NAME]... [--list]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from vpcgwtest import (EAL_ARGS, Case, Ether, Exp, ICMP, IP, IPerror, TCP, UDP,  # noqa: E402
                       Raw, at, main, routed, timed)
from scapy.all import IPOption, UDPerror  # noqa: E402
from test_routing import time_exceeded  # noqa: E402

# vpcgw
M_VPC = "02:00:00:00:00:01"
M_INET = "02:00:00:00:01:01"
A_INET = "198.51.100.1"
M_NH, A_NH = "02:00:00:00:01:fe", "198.51.100.254"
EIP = "198.51.100.20"
REMOTE = "8.8.8.8"

# hosts: address -> MAC
PUB = "10.0.0.10"       # public-a, elastic IP
WEB = "10.0.1.10"       # private-a
BAST = "10.0.1.11"      # private-a
OTHER = "10.0.1.12"     # private-a
SRV = "10.0.1.20"       # private-a
CLI = "10.0.2.20"       # app-a
CLI2 = "10.0.2.30"      # app-a
CLIB = "10.0.3.30"      # app-b
HOSTS = [PUB, WEB, BAST, OTHER, SRV, CLI, CLI2, CLIB]


def mac_of(a):
    b = [int(x) for x in a.split(".")]
    return "0a:00:00:00:%02x:%02x" % (b[2], b[3])


def config(nacls=(), subnet_nacl=None, sgs=(), enis=(), flow_table_size=4096):
    """The case's configuration: NACLs attached by subnet name, SGs, ENIs as
    (address, [groups])."""
    subnet_nacl = subnet_nacl or {}
    ports = [
        {"name": "vpc", "mac": M_VPC, "address": "10.0.0.1/16", "mtu": 9001},
        {"name": "internet", "mac": M_INET, "address": A_INET + "/24", "mtu": 1500},
    ]
    for i, p in enumerate(ports):
        p["devargs"] = "net_pcap%d,rx_pcap={dir}/%s-in.pcap,tx_pcap={dir}/%s-out.pcap" % (
            i, p["name"], p["name"])
    subnets = []
    for name, cidr, table in (("public-a", "10.0.0.0/24", "public"),
                              ("private-a", "10.0.1.0/24", None),
                              ("app-a", "10.0.2.0/24", None),
                              ("app-b", "10.0.3.0/24", None)):
        s = {"name": name, "cidr": cidr, "port": "vpc"}
        if table:
            s["route_table"] = table
        if name in subnet_nacl:
            s["network_acl"] = subnet_nacl[name]
        subnets.append(s)
    cfg = {
        "dpdk": {"eal_args": EAL_ARGS, "workers": 1, "mbufs": 8191,
                 "flow_table_size": flow_table_size},
        "ports": ports,
        "neighbors": [{"port": "internet", "address": A_NH, "mac": M_NH}] +
                     [{"port": "vpc", "address": h, "mac": mac_of(h)} for h in HOSTS],
        "vpc": {"cidr": "10.0.0.0/16", "subnets": subnets},
        "internet_gateway": {"port": "internet", "next_hop": A_NH,
                             "elastic_ips": [{"public": EIP, "private": PUB}]},
        "route_tables": [{"name": "public", "routes": [
            {"destination": "0.0.0.0/0", "target": "igw"}]}],
    }
    if nacls:
        cfg["network_acls"] = list(nacls)
    if sgs:
        cfg["security_groups"] = list(sgs)
    if enis:
        cfg["interfaces"] = [{"address": a, "security_groups": list(g)} for a, g in enis]
    return cfg


def nacl(name, ingress=(), egress=()):
    return {"name": name, "ingress": list(ingress), "egress": list(egress)}


def nrule(rule, action, protocol="all", cidr="0.0.0.0/0", **kw):
    r = {"rule": rule, "protocol": protocol}
    r.update(kw)
    r["cidr"] = cidr
    r["action"] = action
    return r


def sg(name, ingress=(), egress=(), timeouts=None):
    g = {"name": name, "ingress": list(ingress), "egress": list(egress)}
    if timeouts:
        g["timeouts"] = timeouts
    return g


def sin(protocol, source, **kw):
    r = {"protocol": protocol}
    r.update(kw)
    r["source"] = source
    return r


def sout(protocol, destination, **kw):
    r = {"protocol": protocol}
    r.update(kw)
    r["destination"] = destination
    return r


EGRESS_ALL = [sout("all", "0.0.0.0/0")]


def pkt(src, dst, l4, **ip):
    """A packet from host src (on the vpc port) to dst."""
    return Ether(src=mac_of(src), dst=M_VPC) / IP(src=src, dst=dst, ttl=64, **ip) / l4


def fwd(p):
    """SPEC §3.6: p routed to its destination host on the vpc port."""
    return Exp(routed(p, M_VPC, mac_of(p[IP].dst)))


def syn(sport, dport, seq=1000):
    return TCP(sport=sport, dport=dport, flags="S", seq=seq)


def synack(sport, dport, seq=5000, ack=1001):
    return TCP(sport=sport, dport=dport, flags="SA", seq=seq, ack=ack)


def ack(sport, dport, seq=1001, ackn=5001, data=b""):
    t = TCP(sport=sport, dport=dport, flags="A" if not data else "PA", seq=seq, ack=ackn)
    return t / Raw(data) if data else t


def enis_are(want):
    """Check of the "interfaces" JSON object (keyed by address, which has dots,
    so not reachable by a counter path): {address: {counter: value}}."""
    def check(v):
        bad = ["%s.%s: expected %s, got %s" % (a, k, n, v.get(a, {}).get(k))
               for a, kv in want.items() for k, n in kv.items()
               if v.get(a, {}).get(k) != n]
        if bad:
            print("  interfaces: " + "; ".join(bad))
        return not bad
    return check


# ------------------------------------------------------------ network ACLs


def case_nacl_rule_order():
    """Lowest rule number first, first match wins, whatever the order in the
    file: deny tcp 22 at rule 90 beats allow all at 100; other traffic passes
    rule 100. Hosts have no ENI, so only the NACL filters."""
    acl = nacl("app", ingress=[nrule(100, "allow"),
                               nrule(90, "deny", "tcp", "10.0.1.0/24", ports="22")],
               egress=[nrule(100, "allow")])
    pkts = timed([
        pkt(SRV, CLI, syn(40000, 22)),
        pkt(SRV, CLI, syn(40001, 80)),
        pkt(SRV, CLI, UDP(sport=5000, dport=22) / Raw(b"udp-22")),
        pkt(SRV, CLI, syn(40002, 23)),
    ])
    return Case("nacl_rule_order", config([acl], {"app-a": "app"}), {"vpc": pkts},
                {"vpc": [fwd(pkts[1]), fwd(pkts[2]), fwd(pkts[3])]},
                counters={"drops.nacl_deny_in": 1, "ports.vpc.forwarded": 3})


def case_nacl_implicit_deny():
    """No rule matches: denied (the implicit final `*` rule). A direction
    with no rule at all denies everything."""
    acl = nacl("web80", ingress=[nrule(100, "allow", "tcp", "10.0.0.0/16", ports="80")],
               egress=[])
    pkts = timed([
        pkt(CLI, SRV, syn(40000, 80)),                        # allowed in
        pkt(CLI, SRV, syn(40001, 81)),                        # port: no rule
        pkt(CLI, SRV, UDP(sport=40002, dport=80)),            # protocol: no rule
        pkt(SRV, CLI, UDP(sport=53, dport=40002)),            # egress empty: denied out
        pkt(SRV, CLI, synack(80, 40000)),                     # even the reply (stateless)
    ])
    return Case("nacl_implicit_deny", config([acl], {"private-a": "web80"}), {"vpc": pkts},
                {"vpc": [fwd(pkts[0])]},
                counters={"drops.nacl_deny_in": 2, "drops.nacl_deny_out": 2,
                          "ports.vpc.forwarded": 1})


def case_nacl_stateless_reply():
    """NACLs are stateless: the reply of an allowed connection is dropped
    when the client subnet has no inbound rule for the ephemeral port, even
    though the client's security group (tracked flow) would allow it. With
    the ephemeral-port rule (app-b) the same exchange passes."""
    srv_acl = nacl("srv", ingress=[nrule(100, "allow", "tcp", "10.0.0.0/16", ports="80")],
                   egress=[nrule(100, "allow")])
    noret = nacl("noret", ingress=[nrule(100, "allow", "tcp", "0.0.0.0/0", ports="22")],
                 egress=[nrule(100, "allow")])
    ret = nacl("ret", ingress=[nrule(100, "allow", "tcp", "0.0.0.0/0", ports="1024-65535")],
               egress=[nrule(100, "allow")])
    groups = [sg("client", ingress=[], egress=EGRESS_ALL),
              sg("web", ingress=[sin("tcp", "10.0.0.0/16", ports="80")], egress=EGRESS_ALL)]
    enis = [(CLI, ["client"]), (CLIB, ["client"]), (WEB, ["web"])]
    pkts = timed([
        pkt(CLI, WEB, syn(40000, 80)),
        pkt(WEB, CLI, synack(80, 40000)),        # app-a inbound: no rule for 40000
        pkt(CLIB, WEB, syn(40000, 80)),
        pkt(WEB, CLIB, synack(80, 40000)),       # app-b inbound: 1024-65535 allowed
        pkt(CLIB, WEB, ack(40000, 80)),
    ])
    cfg = config([srv_acl, noret, ret], {"private-a": "srv", "app-a": "noret", "app-b": "ret"},
                 groups, enis)
    return Case("nacl_stateless_reply", cfg, {"vpc": pkts},
                {"vpc": [fwd(pkts[0]), fwd(pkts[2]), fwd(pkts[3]), fwd(pkts[4])]},
                counters={"drops.nacl_deny_in": 1, "ports.vpc.forwarded": 4})


def icmp_error(src, dst, typ, code):
    """An ICMP error from src to dst quoting a UDP datagram dst sent to src."""
    inner = IPerror(src=dst, dst=src, ttl=63, proto=17) / UDPerror(sport=33000, dport=33434)
    return pkt(src, dst, ICMP(type=typ, code=code) / inner)


def case_nacl_icmp():
    """ICMP rules with a type and a code: type 8 any code, type 13 code 0
    only, type 3 code 4 only; everything else ICMP falls to the implicit
    deny."""
    acl = nacl("icmp", ingress=[nrule(100, "allow", "icmp", icmp_type=8),
                                nrule(110, "allow", "icmp", icmp_type=13, icmp_code=0),
                                nrule(120, "allow", "icmp", icmp_type=3, icmp_code=4)],
               egress=[nrule(100, "allow")])
    pkts = timed([
        pkt(SRV, CLI, ICMP(type=8, code=0, id=1, seq=1) / Raw(b"ping")),     # allowed
        pkt(SRV, CLI, ICMP(type=8, code=5, id=2, seq=1) / Raw(b"ping")),     # allowed: any code
        pkt(SRV, CLI, ICMP(type=0, code=0, id=3, seq=1) / Raw(b"pong")),     # denied
        pkt(SRV, CLI, ICMP(type=13, code=0, id=4, seq=1) / Raw(b"\0" * 12)),  # allowed
        pkt(SRV, CLI, ICMP(type=13, code=1, id=5, seq=1) / Raw(b"\0" * 12)),  # denied: code
        icmp_error(SRV, CLI, 3, 4),                                           # allowed
        icmp_error(SRV, CLI, 3, 3),                                           # denied: code
        icmp_error(SRV, CLI, 11, 0),                                          # denied: type
    ])
    return Case("nacl_icmp", config([acl], {"app-a": "icmp"}), {"vpc": pkts},
                {"vpc": [fwd(pkts[i]) for i in (0, 1, 3, 5)]},
                counters={"drops.nacl_deny_in": 4, "ports.vpc.forwarded": 4})


def gre(src, dst, proto=47, data=b"\x00\x00\x65\x58" + b"g" * 20):
    return pkt(src, dst, Raw(data), proto=proto)


def case_nacl_protocol_number():
    """Protocol numbers: app-a allows only protocol 47 (GRE) by number, so
    GRE passes and ESP (50) and UDP do not; app-b denies "47" at rule 50
    before allowing all, so there GRE is denied and ESP passes."""
    only_gre = nacl("gre", ingress=[nrule(100, "allow", 47)], egress=[nrule(100, "allow")])
    no_gre = nacl("nogre", ingress=[nrule(50, "deny", "47"), nrule(100, "allow")],
                  egress=[nrule(100, "allow")])
    pkts = timed([
        gre(SRV, CLI),
        gre(SRV, CLI, proto=50, data=b"e" * 24),
        pkt(SRV, CLI, UDP(sport=1, dport=2)),
        gre(SRV, CLIB),
        gre(SRV, CLIB, proto=50, data=b"e" * 24),
    ])
    cfg = config([only_gre, no_gre], {"app-a": "gre", "app-b": "nogre"})
    return Case("nacl_protocol_number", cfg, {"vpc": pkts},
                {"vpc": [fwd(pkts[0]), fwd(pkts[4])]},
                counters={"drops.nacl_deny_in": 3, "ports.vpc.forwarded": 2})


def case_nacl_intra_subnet():
    """Traffic inside one subnet does not cross its NACL: app-a's NACL denies
    everything both ways, yet CLI <-> CLI2 passes; leaving or entering app-a
    is denied."""
    deny_all = nacl("closed", ingress=[], egress=[])
    pkts = timed([
        pkt(CLI, CLI2, UDP(sport=1000, dport=2000) / Raw(b"same subnet")),
        pkt(CLI2, CLI, syn(40000, 22)),
        pkt(CLI, SRV, UDP(sport=1000, dport=2000)),       # leaves app-a: outbound deny
        pkt(SRV, CLI, UDP(sport=2000, dport=1000)),       # enters app-a: inbound deny
    ])
    return Case("nacl_intra_subnet", config([deny_all], {"app-a": "closed"}), {"vpc": pkts},
                {"vpc": [fwd(pkts[0]), fwd(pkts[1])]},
                counters={"drops.nacl_deny_out": 1, "drops.nacl_deny_in": 1,
                          "ports.vpc.forwarded": 2})


def case_nacl_out_in():
    """The source subnet's outbound NACL applies when a packet leaves it,
    the destination subnet's inbound NACL when it enters: app-a denies tcp 443
    out, private-a denies udp 53 in; the same kinds in the other direction are
    not affected (app-a's egress rule is not applied to what enters app-a).
    At the internet edge: public-a's outbound NACL denies 8.8.8.8, its
    inbound NACL denies udp from 1.1.1.1 (after the elastic-IP translation)."""
    app = nacl("app", ingress=[nrule(100, "allow")],
               egress=[nrule(10, "deny", "tcp", "0.0.0.0/0", ports="443"), nrule(100, "allow")])
    priv = nacl("priv", ingress=[nrule(10, "deny", "udp", "0.0.0.0/0", ports="53"),
                                 nrule(100, "allow")],
                egress=[nrule(100, "allow")])
    pub = nacl("pub", ingress=[nrule(10, "deny", "udp", "1.1.1.1/32"), nrule(100, "allow")],
               egress=[nrule(10, "deny", "all", "8.8.8.8/32"), nrule(100, "allow")])
    vpc = timed([
        pkt(CLI, SRV, syn(40000, 443)),                            # app-a out: denied
        pkt(CLI, SRV, UDP(sport=5353, dport=53)),                  # private-a in: denied
        pkt(SRV, CLI, syn(40001, 443)),                            # into app-a: allowed
        pkt(SRV, CLI, UDP(sport=5353, dport=53)),                  # out of private-a: allowed
        pkt(CLI, SRV, syn(40002, 80)),                             # allowed
        pkt(PUB, REMOTE, UDP(sport=1000, dport=53)),               # public-a out: denied
        pkt(PUB, "9.9.9.9", UDP(sport=1000, dport=53)),            # allowed, to the IGW
    ])
    inet = timed([
        Ether(src=M_NH, dst=M_INET) / IP(src=a, dst=EIP, ttl=64) / UDP(sport=53, dport=1000)
        for a in ("1.1.1.1", "9.9.9.9")
    ], start=1.0)
    cfg = config([app, priv, pub], {"app-a": "app", "private-a": "priv", "public-a": "pub"})
    return Case("nacl_out_in", cfg, {"vpc": vpc, "internet": inet},
                {"vpc": [fwd(vpc[2]), fwd(vpc[3]), fwd(vpc[4]),
                         Exp(routed(inet[1], M_VPC, mac_of(PUB), dst=PUB))],
                 "internet": [Exp(routed(vpc[6], M_INET, M_NH, src=EIP))]},
                counters={"drops.nacl_deny_out": 2, "drops.nacl_deny_in": 2,
                          "ports.vpc.forwarded": 4, "ports.internet.forwarded": 1})


def case_nacl_burst():
    """NACL verdicts inside one burst (vpcgw classifies a burst's packets
    together, per NACL and direction): 64 packets with one capture time,
    app-a -> private-a and back, interleaved. app-a's outbound NACL denies
    UDP to port 7; private-a's inbound NACL denies 10.0.2.30 (CLI2); the
    reverse direction (private-a out, app-a in) allows everything. A packet
    that both would deny is stopped by the first, the outbound NACL."""
    app = nacl("app", ingress=[nrule(100, "allow")],
               egress=[nrule(10, "deny", "udp", "0.0.0.0/0", ports="7"), nrule(100, "allow")])
    priv = nacl("priv", ingress=[nrule(10, "deny", "all", CLI2 + "/32"), nrule(100, "allow")],
                egress=[nrule(100, "allow")])
    pkts, exp, deny_out, deny_in = [], [], 0, 0
    for i in range(64):
        if i % 4 == 3:
            p = pkt(SRV, CLI if i % 8 == 3 else CLI2, UDP(sport=2000, dport=1000 + i))
            exp.append(fwd(p))
        else:
            src = CLI if i % 2 == 0 else CLI2
            dport = 7 if i % 3 == 0 else 3000 + i
            p = pkt(src, SRV, UDP(sport=1000 + i, dport=dport))
            if dport == 7:
                deny_out += 1
            elif src == CLI2:
                deny_in += 1
            else:
                exp.append(fwd(p))
        pkts.append(p)
    timed(pkts, step=0.0)
    assert deny_out and deny_in and len(exp) > 16
    cfg = config([app, priv], {"app-a": "app", "private-a": "priv"})
    return Case("nacl_burst", cfg, {"vpc": pkts}, {"vpc": exp},
                counters={"drops.nacl_deny_out": deny_out, "drops.nacl_deny_in": deny_in,
                          "ports.vpc.forwarded": len(exp)})


# ------------------------------------------------------------ security groups


def case_sg_port():
    """An ENI's ingress rule allows tcp 80 from the VPC; another port, or
    udp 80, is denied (sg_deny_ingress)."""
    groups = [sg("web", ingress=[sin("tcp", "10.0.0.0/16", ports="80")], egress=EGRESS_ALL)]
    pkts = timed([
        pkt(CLI, WEB, syn(40000, 80)),
        pkt(CLI, WEB, syn(40001, 8080)),
        pkt(CLI, WEB, UDP(sport=40002, dport=80)),
        pkt(CLIB, WEB, syn(40003, 80)),
    ])
    return Case("sg_port", config(sgs=groups, enis=[(WEB, ["web"])]), {"vpc": pkts},
                {"vpc": [fwd(pkts[0]), fwd(pkts[3])]},
                counters={"drops.sg_deny_ingress": 2, "ports.vpc.forwarded": 2,
                          "interfaces": enis_are({WEB: {"denied": 2}})})


def case_sg_tracked_reply():
    """Stateful: CLI's group allows only egress tcp 443 to private-a and no
    ingress at all, yet the replies of its connection come back (tracked).
    Unsolicited inbound (a SYN, or a SYN-ACK that belongs to no flow) is
    denied; egress to another port is denied."""
    groups = [sg("client", ingress=[], egress=[sout("tcp", "10.0.1.0/24", ports="443")])]
    pkts = timed([
        pkt(CLI, SRV, syn(40000, 443)),
        pkt(SRV, CLI, synack(443, 40000)),
        pkt(CLI, SRV, ack(40000, 443, data=b"hello")),
        pkt(SRV, CLI, ack(443, 40000, seq=5001, ackn=1006, data=b"world")),
        pkt(SRV, CLI, syn(40100, 22)),                  # unsolicited
        pkt(SRV, CLI, synack(443, 40001)),              # no such flow
        pkt(CLI, SRV, syn(40002, 80)),                  # egress: port not allowed
    ])
    return Case("sg_tracked_reply", config(sgs=groups, enis=[(CLI, ["client"])]), {"vpc": pkts},
                {"vpc": [fwd(p) for p in pkts[:4]]},
                counters={"drops.sg_deny_ingress": 2, "drops.sg_deny_egress": 1,
                          "ports.vpc.forwarded": 4,
                          "flows.by_service.security_group.created": 1,
                          "interfaces": enis_are({CLI: {"flows_created": 1, "active_flows": 1}})})


def case_sg_reference():
    """`sg:bastion` in web's ingress: the bastion ENI reaches web:22; an ENI
    without that group, and a host with no ENI, are denied."""
    groups = [sg("web", ingress=[sin("tcp", "sg:bastion", ports="22")], egress=EGRESS_ALL),
              sg("bastion", ingress=[], egress=EGRESS_ALL),
              sg("other", ingress=[], egress=EGRESS_ALL)]
    enis = [(WEB, ["web"]), (BAST, ["bastion"]), (OTHER, ["other"])]
    pkts = timed([
        pkt(BAST, WEB, syn(40000, 22)),
        pkt(WEB, BAST, synack(22, 40000)),
        pkt(OTHER, WEB, syn(40001, 22)),
        pkt(CLI, WEB, syn(40002, 22)),
        pkt(BAST, WEB, syn(40003, 80)),      # the reference is for port 22 only
    ])
    return Case("sg_reference", config(sgs=groups, enis=enis), {"vpc": pkts},
                {"vpc": [fwd(pkts[0]), fwd(pkts[1])]},
                counters={"drops.sg_deny_ingress": 3, "ports.vpc.forwarded": 2})


def case_sg_untracked():
    """web allows tcp 80 from 0.0.0.0/0 and all egress to 0.0.0.0/0: the flow
    is untracked (SPEC §4), so no flow entry is created, in either direction,
    and every packet is evaluated (flows.untracked_packets)."""
    groups = [sg("web", ingress=[sin("tcp", "0.0.0.0/0", ports="80")], egress=EGRESS_ALL)]
    pkts = timed([
        pkt(CLI, WEB, syn(40000, 80)),
        pkt(WEB, CLI, synack(80, 40000)),
        pkt(CLI, WEB, ack(40000, 80, data=b"GET /")),
        pkt(WEB, CLI, ack(80, 40000, seq=5001, ackn=1006, data=b"200 OK")),
    ])
    return Case("sg_untracked", config(sgs=groups, enis=[(WEB, ["web"])]), {"vpc": pkts},
                {"vpc": [fwd(p) for p in pkts]},
                counters={"flows.by_service.security_group.created": 0,
                          "flows.active": 0,
                          "flows.untracked_packets": 4,
                          "interfaces": enis_are({WEB: {"flows_created": 0}}),
                          "ports.vpc.forwarded": 4})


def client_udp_cfg():
    groups = [sg("client", ingress=[], egress=[sout("udp", "10.0.1.0/24")])]
    return config(sgs=groups, enis=[(CLI, ["client"])])


def case_sg_udp_timeout():
    """A UDP flow that saw one direction only times out after 30 s (SPEC §4,
    default udp timeout): its reply at +31 s is denied; the reply of another
    flow at +29 s passes."""
    p = [
        at(pkt(CLI, SRV, UDP(sport=5000, dport=53) / Raw(b"q1")), 0.0),
        at(pkt(CLI, SRV, UDP(sport=5001, dport=53) / Raw(b"q2")), 0.01),
        at(pkt(SRV, CLI, UDP(sport=53, dport=5001) / Raw(b"a2")), 29.0),
        at(pkt(SRV, CLI, UDP(sport=53, dport=5000) / Raw(b"a1")), 31.0),
    ]
    return Case("sg_udp_timeout", client_udp_cfg(), {"vpc": p},
                {"vpc": [fwd(p[0]), fwd(p[1]), fwd(p[2])]},
                counters={"drops.sg_deny_ingress": 1, "ports.vpc.forwarded": 3,
                          "flows.by_service.security_group.created": 2})


def case_sg_udp_stream():
    """A UDP flow with traffic both ways is a stream (timeout 180 s): a reply
    31 s after the last packet passes; one 181 s after the last packet is
    denied. A second stream idle for 181 s is gone as well."""
    p = [
        at(pkt(CLI, SRV, UDP(sport=6000, dport=4500) / Raw(b"a")), 0.0),
        at(pkt(SRV, CLI, UDP(sport=4500, dport=6000) / Raw(b"b")), 0.1),
        at(pkt(CLI, SRV, UDP(sport=6001, dport=4500) / Raw(b"c")), 0.2),
        at(pkt(SRV, CLI, UDP(sport=4500, dport=6001) / Raw(b"d")), 0.3),
        at(pkt(SRV, CLI, UDP(sport=4500, dport=6000) / Raw(b"e")), 31.1),    # idle 31 s: alive
        at(pkt(SRV, CLI, UDP(sport=4500, dport=6001) / Raw(b"f")), 181.4),   # idle 181.1 s: gone
        at(pkt(SRV, CLI, UDP(sport=4500, dport=6000) / Raw(b"g")), 212.2),   # idle 181.1 s: gone
    ]
    return Case("sg_udp_stream", client_udp_cfg(), {"vpc": p},
                {"vpc": [fwd(x) for x in p[:5]]},
                counters={"drops.sg_deny_ingress": 2, "ports.vpc.forwarded": 5})


def case_sg_same_burst():
    """Packets of one new tracked flow that arrive together (same capture
    millisecond, hence one rx burst): the first creates the flow, the others
    belong to it and pass; one flow entry."""
    p = [at(pkt(CLI, SRV, UDP(sport=5100, dport=443) / Raw(b"quic-%d" % i)), 0.0)
         for i in range(3)]
    p.append(at(pkt(SRV, CLI, UDP(sport=443, dport=5100) / Raw(b"answer")), 0.01))
    return Case("sg_same_burst", client_udp_cfg(), {"vpc": p}, {"vpc": [fwd(x) for x in p]},
                counters={"ports.vpc.forwarded": 4,
                          "flows.by_service.security_group.created": 1})


def case_sg_fused_order():
    """Bursts (one capture time each) of packets of known flows with, between
    them, one packet the known-flow path does not answer: a new flow, an
    ICMP echo (CLI's group allows UDP only: denied), a known flow's packet
    with a bad header checksum, one with TTL 1 (time exceeded), one with IP
    options (the general parse: dropped). Every packet gets what SPEC §3 says and the
    port's packets leave in arrival order (SPEC §3.6), including the known
    ones after the odd one: they are not sent ahead of it."""
    def out(sport, tag):
        return pkt(CLI, SRV, UDP(sport=sport, dport=443) / Raw(tag))
    def back(sport, tag):
        return pkt(SRV, CLI, UDP(sport=443, dport=sport) / Raw(tag))
    bad_sum = Ether(bytes(out(5201, b"badsum")))
    bad_sum[IP].chksum ^= 0x0101
    ttl1 = pkt(CLI, SRV, UDP(sport=5202, dport=443) / Raw(b"ttl1"))
    ttl1[IP].ttl = 1
    opts = pkt(CLI, SRV, UDP(sport=5203, dport=443) / Raw(b"opt"),
               options=[IPOption(b"\x94\x04\x00\x00")])
    echo = pkt(CLI, SRV, ICMP(type=8, id=7, seq=1) / Raw(b"echo"))
    bursts = [
        [out(5200 + i, b"open%d" % i) for i in range(4)],
        [back(5200 + i, b"answer%d" % i) for i in range(4)],
        [out(5200, b"a1"), back(5201, b"a2"), out(5300, b"new"), out(5202, b"a4"),
         back(5203, b"a5")],
        [back(5200, b"b1"), echo, out(5201, b"b3"), back(5202, b"b4")],
        [out(5203, b"c1"), Ether(bytes(bad_sum)), back(5200, b"c3"), out(5201, b"c4")],
        [back(5201, b"d1"), ttl1, out(5203, b"d3")],
        [out(5200, b"e1"), opts, back(5202, b"e3"), out(5203, b"e4")],
    ]
    sent, exp = [], []
    for k, pkts in enumerate(bursts):
        for p in pkts:
            at(p, 0.01 * k)
            sent.append(p)
            if p is ttl1:
                exp.append(time_exceeded(p, M_VPC, "10.0.2.1"))
            elif not any(p is q for q in (echo, opts)) and bytes(p) != bytes(bad_sum):
                exp.append(fwd(p))
    return Case("sg_fused_order", client_udp_cfg(), {"vpc": sent}, {"vpc": exp},
                counters={"drops.ip_checksum": 1, "drops.ttl_expired": 1,
                          "drops.sg_deny_egress": 1, "drops.ip_options": 1,
                          "ports.vpc.forwarded": len(sent) - 4, "ports.vpc.generated": 1,
                          "flows.by_service.security_group.created": 5})


def client_tcp_cfg():
    groups = [sg("client", ingress=[], egress=[sout("tcp", "10.0.1.0/24")])]
    return config(sgs=groups, enis=[(CLI, ["client"])])


def case_sg_syn_timeout():
    """A half-open connection (SYN only) expires after the SYN_SENT timeout
    (30 s): a SYN-ACK 31 s later is denied by CLI's group (no ingress rule);
    the SYN-ACK of another connection 29 s after its SYN passes."""
    p = [
        at(pkt(CLI, SRV, syn(41000, 443)), 0.0),
        at(pkt(CLI, SRV, syn(41001, 443)), 0.01),
        at(pkt(SRV, CLI, synack(443, 41001)), 29.0),
        at(pkt(SRV, CLI, synack(443, 41000)), 31.0),
    ]
    return Case("sg_syn_timeout", client_tcp_cfg(), {"vpc": p},
                {"vpc": [fwd(p[0]), fwd(p[1]), fwd(p[2])]},
                counters={"drops.sg_deny_ingress": 1, "ports.vpc.forwarded": 3})


def case_sg_rst():
    """A RST ends a tracked connection: a segment from the server right after
    it is invalid for the closed flow (ct_invalid), and once the CLOSED
    timeout (10 s) is over the flow is gone, so the server's packets are
    denied by CLI's group (no ingress rule)."""
    p = [
        at(pkt(CLI, SRV, syn(42000, 443)), 0.0),
        at(pkt(SRV, CLI, synack(443, 42000)), 0.01),
        at(pkt(CLI, SRV, ack(42000, 443)), 0.02),
        at(pkt(SRV, CLI, ack(443, 42000, seq=5001, ackn=1001, data=b"data")), 0.03),
        at(pkt(CLI, SRV, TCP(sport=42000, dport=443, flags="R", seq=1001)), 1.0),
        at(pkt(SRV, CLI, ack(443, 42000, seq=5005, ackn=1001, data=b"late")), 1.5),
        at(pkt(SRV, CLI, ack(443, 42000, seq=5005, ackn=1001, data=b"later")), 12.0),
    ]
    return Case("sg_rst", client_tcp_cfg(), {"vpc": p},
                {"vpc": [fwd(x) for x in p[:5]]},
                counters={"drops.ct_invalid": 1, "drops.sg_deny_ingress": 1,
                          "ports.vpc.forwarded": 5})


def case_sg_reuse():
    """A TCP 5-tuple reused after a RST (issue #13): the new SYN ends the
    CLOSED flow and opens a new tracked one, checked by the security groups
    again (flows created 2, deleted 1, one active; CLI's ENI counts 2 flows);
    the new connection's answers pass as its return traffic."""
    p = [
        at(pkt(CLI, SRV, syn(42100, 443)), 0.0),
        at(pkt(SRV, CLI, synack(443, 42100)), 0.01),
        at(pkt(CLI, SRV, ack(42100, 443)), 0.02),
        at(pkt(CLI, SRV, TCP(sport=42100, dport=443, flags="R", seq=1001)), 1.0),
        at(pkt(CLI, SRV, syn(42100, 443, seq=70000)), 2.0),
        at(pkt(SRV, CLI, synack(443, 42100, seq=8000, ack=70001)), 2.01),
        at(pkt(CLI, SRV, ack(42100, 443, seq=70001, ackn=8001, data=b"again")), 2.02),
    ]
    return Case("sg_reuse", client_tcp_cfg(), {"vpc": p}, {"vpc": [fwd(x) for x in p]},
                counters={"ports.vpc.forwarded": len(p),
                          "flows.by_service.security_group.created": 2,
                          "flows.by_service.security_group.deleted": 1,
                          "flows.by_service.security_group.active": 1,
                          "interfaces": enis_are({CLI: {"flows_created": 2, "active_flows": 1}})})


def case_sg_table_full():
    """dpdk.flow_table_size = 1024 (the smallest the configuration accepts):
    one established TCP connection plus 1023 UDP flows fill the table; the
    next new flows (UDP, TCP SYN) are dropped as conntrack_allowance_exceeded,
    while the established connection still passes both ways."""
    groups = [sg("client", ingress=[], egress=[sout("all", "10.0.1.0/24")])]
    cfg = config(sgs=groups, enis=[(CLI, ["client"])], flow_table_size=1024)
    hs = [pkt(CLI, SRV, syn(43000, 443)), pkt(SRV, CLI, synack(443, 43000)),
          pkt(CLI, SRV, ack(43000, 443))]
    fill = [pkt(CLI, SRV, UDP(sport=10000 + i, dport=53)) for i in range(1023)]
    over = [pkt(CLI, SRV, UDP(sport=20000, dport=53)), pkt(CLI, SRV, syn(43001, 443))]
    est = [pkt(CLI, SRV, ack(43000, 443, data=b"still")),
           pkt(SRV, CLI, ack(443, 43000, seq=5001, ackn=1006, data=b"here"))]
    allp = timed(hs + fill + over + est, step=0.001)
    exp = [fwd(x) for x in hs + fill + est]
    return Case("sg_table_full", cfg, {"vpc": allp}, {"vpc": exp},
                counters={"drops.conntrack_allowance_exceeded": 2,
                          "flows.capacity": 1024, "flows.active": 1024,
                          "flows.by_service.security_group.created": 1024,
                          "ports.vpc.forwarded": len(exp)})


def case_eni_counters():
    """Per-ENI counters (interfaces.ADDRESS): packets allowed and denied by
    the ENI's groups, flows created. Each packet here is the first of its
    flow, so the counts do not depend on whether later packets of a tracked
    flow are counted."""
    groups = [sg("web", ingress=[sin("tcp", "10.0.0.0/16", ports="80")],
                 egress=[sout("udp", "10.0.0.0/16", ports="53")]),
              sg("client", ingress=[], egress=EGRESS_ALL)]
    enis = [(WEB, ["web"]), (CLI, ["client"])]
    pkts = timed([
        pkt(SRV, WEB, syn(40000, 80)),                   # web allowed 1
        pkt(SRV, WEB, syn(40001, 81)),                   # web denied 1
        pkt(SRV, WEB, syn(40002, 80)),                   # web allowed 2
        pkt(WEB, SRV, UDP(sport=7000, dport=53)),        # web allowed 3 (egress)
        pkt(WEB, SRV, UDP(sport=7001, dport=54)),        # web denied 2 (egress)
        pkt(CLI, SRV, UDP(sport=7002, dport=9)),         # client allowed 1
        pkt(SRV, CLI, UDP(sport=9, dport=7003)),         # client denied 1
    ])
    return Case("eni_counters", config(sgs=groups, enis=enis), {"vpc": pkts},
                {"vpc": [fwd(pkts[i]) for i in (0, 2, 3, 5)]},
                counters={"interfaces": enis_are({
                              WEB: {"allowed": 3, "denied": 2, "flows_created": 3,
                                    "active_flows": 3},
                              CLI: {"allowed": 1, "denied": 1, "flows_created": 1,
                                    "active_flows": 1}}),
                          "drops.sg_deny_ingress": 2, "drops.sg_deny_egress": 1,
                          "ports.vpc.forwarded": 4})


CASES = {
    "nacl_rule_order": case_nacl_rule_order,
    "nacl_implicit_deny": case_nacl_implicit_deny,
    "nacl_stateless_reply": case_nacl_stateless_reply,
    "nacl_icmp": case_nacl_icmp,
    "nacl_protocol_number": case_nacl_protocol_number,
    "nacl_intra_subnet": case_nacl_intra_subnet,
    "nacl_out_in": case_nacl_out_in,
    "nacl_burst": case_nacl_burst,
    "sg_port": case_sg_port,
    "sg_tracked_reply": case_sg_tracked_reply,
    "sg_reference": case_sg_reference,
    "sg_untracked": case_sg_untracked,
    "sg_udp_timeout": case_sg_udp_timeout,
    "sg_udp_stream": case_sg_udp_stream,
    "sg_same_burst": case_sg_same_burst,
    "sg_fused_order": case_sg_fused_order,
    "sg_syn_timeout": case_sg_syn_timeout,
    "sg_rst": case_sg_rst,
    "sg_reuse": case_sg_reuse,
    "sg_table_full": case_sg_table_full,
    "eni_counters": case_eni_counters,
}

if __name__ == "__main__":
    sys.exit(main(CASES))
