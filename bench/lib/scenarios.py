# SPDX-License-Identifier: BSD-3-Clause
"""Benchmark scenarios: configuration, traffic, devices.

Every scenario feeds one worker core from net_pcap (infinite_rx) ports and
sends to net_null (or net_pcap without tx_pcap: counted and dropped). The
baselines (testpmd io/macswap, l3fwd) get the same two devices: port 0 is
the first capture, port 1 is net_null (or the second capture when the
scenario has replies). l3fwd gets the same frames with destinations
rewritten into its built-in routes (198.18.P.0/24 -> port P).
Addresses match bench/configs/*.cfg.
"""
import os

import numpy as np

import gen

MAC_VPC = "02:00:00:00:00:01"
MAC_LAN2 = "02:00:00:00:01:01"
CLIENT_MAC = "02:00:00:00:aa:01"
SERVER_MAC = "02:00:00:00:bb:01"
L3 = gen.ip4("198.18.0.0")


def _i(n):
    return np.arange(n, dtype=np.int64)


# --------------------------------------------------------------- traffic
# Each function returns (src, dst, sport, dport, l3fwd_dst) arrays of one
# direction; l3fwd_dst is the destination rewritten for l3fwd.

def t_routing(n=1024):
    i = _i(n)
    src = gen.ip4("10.0.2.2") + i % 16
    k = (i // 16) % 64
    return src, gen.ip4("10.0.129.2") + k, 10000, 5001, L3 + 256 + 2 + k


def frames_routing6(l3fwd=False, n=1024):
    """routing's 1,024 flows in IPv6: 16 clients of subnet r to 64 servers of
    subnet rs (bench/configs/routing6.cfg), UDP 10000 -> 5001, hop limit 64;
    62-byte frames (an IPv6 UDP header leaves no room in 60). For l3fwd the
    servers are in 2001:200:0:1::/64, its built-in route to port 1 (RFC 5180's
    benchmarking range). Built by scapy: 1,024 frames take a second."""
    from scapy.layers.inet import UDP
    from scapy.layers.inet6 import IPv6
    from scapy.layers.l2 import Ether

    out = []
    for i in range(n):
        k = (i // 16) % 64
        dst = ("2001:200:0:1::%x" if l3fwd else "2600:1f18:a:b081::%x") % (2 + k)
        f = bytes(Ether(src=CLIENT_MAC, dst=MAC_VPC) /
                  IPv6(src="2600:1f18:a:b002::%x" % (2 + i % 16), dst=dst, hlim=64) /
                  UDP(sport=10000, dport=5001))
        out.append(np.frombuffer(f, dtype=np.uint8))
    return np.stack(out)


def frames_nat64(l3fwd=False, n=10000):
    """nat_10k's flows in IPv6 (bench/configs/nat64_10k.cfg): 200 clients of
    subnet priv (…:b010::/64) to 50 destinations 64:ff9b::203.0.113.x (RFC
    6052), UDP 10000.. -> 443, hop limit 64, 62-byte frames; for l3fwd the
    destinations are in its IPv6 route 2001:200:0:1::/64 (as routing6).
    Built by scapy (about 10 s)."""
    from scapy.layers.inet import UDP
    from scapy.layers.inet6 import IPv6
    from scapy.layers.l2 import Ether

    out = []
    for i in range(n):
        k = i // 200
        dst = ("2001:200:0:1::%x" % (1 + k % 250)) if l3fwd else \
            ("64:ff9b::cb00:71%02x" % (1 + k % 250))
        f = bytes(Ether(src=CLIENT_MAC, dst=MAC_VPC) /
                  IPv6(src="2600:1f18:a:b010::%x" % (2 + i % 200), dst=dst, hlim=64) /
                  UDP(sport=10000 + k // 250, dport=443))
        out.append(np.frombuffer(f, dtype=np.uint8))
    return np.stack(out)


def t_nacl_sg(n=10000):
    i = _i(n)
    c, s = i % 200, (i // 200) % 50
    sport = 20000 + i % 1000
    req = (gen.ip4("10.0.0.2") + c, gen.ip4("10.0.128.2") + s, sport, 5001,
           L3 + 256 + 2 + s)
    rep = (gen.ip4("10.0.128.2") + s, gen.ip4("10.0.0.2") + c, 5001, sport,
           L3 + 2 + c)
    return req, rep


def t_tgw(n=10000):
    """VPC a -> TGW -> VPC b (bench/configs/tgw.cfg): 200 clients x 50 servers."""
    i = _i(n)
    c, s = i % 200, (i // 200) % 50
    return (gen.ip4("10.0.2.2") + c, gen.ip4("10.1.129.2") + s, 20000 + i % 1000, 5001,
            L3 + 256 + 2 + s)


def t_nat(n, clients):
    i = _i(n)
    k = i // clients
    return (gen.ip4("10.0.16.2") + i % clients, gen.ip4("203.0.113.1") + k % 250,
            10000 + k // 250, 443, L3 + 256 + 1 + k % 250)


def t_nlb(n=10000, vip="10.0.1.100"):
    i = _i(n)
    return (gen.ip4("10.0.48.2") + i % 200, gen.ip4(vip), 10000 + (i // 200) % 50000, 53,
            L3 + 256 + 100)


def t_gwlb(n=10000):
    i = _i(n)
    k = i // 200
    return (gen.ip4("10.0.32.2") + i % 200, gen.ip4("203.0.113.1") + k % 250, 10000, 443,
            L3 + 256 + 1 + k % 250)


def _frames(t, l3fwd=False, dst_mac=MAC_VPC, src_mac=CLIENT_MAC, dst=None):
    src, d, sp, dp, l3 = t
    if dst is not None:
        d = dst
    return gen.frames(len(src), "udp", src, l3 if l3fwd else d, sp, dp, src_mac=src_mac,
                      dst_mac=dst_mac)


def _tagged(f, vlan):
    """Frames f with an 802.1Q tag (priority 0, VLAN vlan) after the MACs."""
    tag = np.array([0x81, 0x00, vlan >> 8, vlan & 0xff], dtype=np.uint8)
    return np.concatenate((f[:, :12], np.tile(tag, (len(f), 1)), f[:, 12:]), axis=1)


def _cyc(f, n):
    return f[np.arange(n) % len(f)]


def _churn(n, l3fwd, lag=4096, chunk=1 << 20):
    """n TCP connections through the NAT gateway (the 5-tuples of t_nat), each
    a SYN and, lag connections later, a RST from the client: SYN 0..lag-1,
    then SYN i and RST i - lag in turn, then the last lag RSTs. A reset flow
    stays in the table for its CLOSED timeout (10 s), then the sweep frees it:
    after 10 s every new connection is matched by a flow leaving."""
    src, d, sp, dp, l3 = t_nat(n, 4000)
    sp = np.broadcast_to(sp, (n,))
    dst = l3 if l3fwd else d

    def conn(a, b, flags):
        return gen.frames(b - a, "tcp", src[a:b], dst[a:b], sp[a:b], dp, src_mac=CLIENT_MAC,
                          dst_mac=MAC_VPC, tcp_flags=flags)

    yield conn(0, lag, "S")
    for a in range(lag, n, chunk):
        b = min(a + chunk, n)
        syn, rst = conn(a, b, "S"), conn(a - lag, b - lag, "R")
        yield np.stack((syn, rst), axis=1).reshape(2 * (b - a), -1)
    yield conn(n - lag, n, "R")


def _mixed(l3fwd):
    parts = [_frames(t_routing(), l3fwd), _frames(t_nacl_sg()[0], l3fwd),
             _frames(t_nat(10000, 200), l3fwd), _frames(t_nlb(), l3fwd),
             _frames(t_gwlb(), l3fwd)]
    per = 10240
    parts = [_cyc(p, per) for p in parts]
    return np.stack(parts, axis=1).reshape(per * len(parts), -1)


def _chunked_nat(n, l3fwd, chunk=1 << 20):
    clients = 4000
    for a in range(0, n, chunk):
        m = min(chunk, n - a)
        src, d, sp, dp, l3 = t_nat(a + m, clients)
        sl = slice(a, a + m)
        sp = np.broadcast_to(sp, (a + m,))
        yield gen.frames(m, "udp", src[sl], (l3 if l3fwd else d)[sl], sp[sl], dp,
                         src_mac=CLIENT_MAC, dst_mac=MAC_VPC)


# --------------------------------------------------------------- scenarios
# name: cfg, two-port layout for baselines ("null" or "pcap" second port),
# flows, number of frames per capture (mbuf sizing), flow table size,
# memory (-m MB), single pass (no infinite_rx), OVS peer function.

NEW_FLOWS = int(os.environ.get("BENCH_NEW_FLOWS", 6000000))
CHURN_CONNS = int(os.environ.get("BENCH_CHURN_CONNS", 64000000))

SCENARIOS = {
    "routing": dict(flows=1024, frames=1024, table=65536, mem=512, ovs="p2p",
                    desc="local route, LPM/TTL/checksum/L2 rewrite, 1,024 UDP flows"),
    "routing6": dict(flows=1024, frames=1024, table=65536, mem=512, ovs=None,
                     desc="IPv6 local route (/56 of the VPC, /64 subnets): rte_fib6 or "
                          "the /56 compare, hop limit, L2 rewrite, 1,024 UDP flows; "
                          "l3fwd in its IPv6 LPM mode on the same frames"),
    "routing_nacl": dict(flows=1024, frames=1024, table=65536, mem=512, ovs=None,
                         base="routing", edit="nacl17",
                         desc="routing through 17-rule NACLs (out of the source subnet, into "
                              "the destination's), untracked: every packet classified"),
    "routing_quota": dict(flows=1024, frames=1024, table=65536, mem=512, ovs=None,
                          base="routing", edit="quota_rt",
                          desc="routing in a VPC of 200 route tables of 50 routes (AWS's "
                               "quota, issue #22): the source subnet's table one of them, "
                               "the servers' /24 three levels down its trie"),
    "routing_vlan": dict(flows=1024, frames=1024, table=65536, mem=512, ovs=None,
                         base="routing", edit="vlan",
                         desc="routing with both subnets on 802.1Q VLANs (10 in, 20 out; "
                              "issue #18): the tag taken off and pushed again"),
    "routing_overlap": dict(flows=1024, frames=1024, table=65536, mem=512, ovs=None,
                            base="routing", edit="overlap",
                            desc="routing_vlan in a VPC that another one overlaps (issue "
                                 "#18): the flow zone, untracked traffic by the policy stage"),
    "tgw": dict(flows=10000, frames=10000, table=65536, mem=512, ovs=None,
                desc="VPC -> Transit Gateway -> VPC (route to tgw:, the TGW route table of "
                     "the source attachment, delivery by the destination VPC's local route), "
                     "10,000 UDP flows"),
    "nacl_sg": dict(flows=10000, frames=10000, table=65536, mem=512, ovs="fw", second="pcap",
                    desc="NACL (17 rules) + SG tracked flows, 10,000 UDP flows, both directions"),
    "nacl_sg_flowlogs": dict(flows=10000, frames=10000, table=65536, mem=512, ovs=None,
                             second="pcap", base="nacl_sg", edit="flowlogs",
                             desc="nacl_sg with a VPC flow log (resource vpc, ALL, 60 s; "
                                  "issue #21)"),
    "nat_10k": dict(flows=10000, frames=10000, table=65536, mem=512, ovs="snat",
                    desc="NAT gateway SNAT, 10,000 established UDP flows"),
    "nat64_10k": dict(flows=10000, frames=10000, table=65536, mem=512, ovs=None,
                      desc="NAT gateway NAT64 (issue #16), 10,000 established IPv6 UDP "
                           "flows to 64:ff9b::/96 translated to IPv4; l3fwd in its IPv6 "
                           "LPM mode on the same frames"),
    "nat_10k_flowlogs": dict(flows=10000, frames=10000, table=65536, mem=512, ovs=None,
                             base="nat_10k", edit="flowlogs",
                             desc="nat_10k with a VPC flow log (resource vpc, ALL, 60 s; "
                                  "issue #21)"),
    "nat_1m": dict(flows=1000000, frames=1000000, table=2097152, mem=6144, ovs=None,
                   desc="NAT gateway SNAT, 1,000,000 established UDP flows"),
    "nat_new_flows": dict(flows=NEW_FLOWS, frames=NEW_FLOWS, table=8388608, mem=2048,
                          ovs=None, single_pass=True, warmup=0.3, window=1.0,
                          baselines=["testpmd_io"], warmup_baseline=0.02,
                          window_baseline=0.1,
                          desc="NAT gateway, every packet a new flow (single pass)"),
    # the first reset flows leave at 11-12 s (CLOSED 10 s + 1 s grace); the
    # replay's rate changes once deletions start, so the window waits from
    # 13 s for a measured steady state (bench.py churn_steady: a second with
    # as many flows leaving as arriving, within 10 %, and >= 4 M live); the
    # flow table is outside -m under --no-huge (dp_mem_table_socket)
    "nat_churn": dict(flows=CHURN_CONNS, frames=2 * CHURN_CONNS, table=33554432, mem=4096,
                      ovs=None, single_pass=True, warmup=13.0, window=3.0, churn=True,
                      steady_live=4000000, steady_max=30.0,
                      baselines=["testpmd_io"], warmup_baseline=0.5, window_baseline=1.0,
                      base="nat_new_flows",
                      desc="NAT gateway, TCP connections opened (SYN) and reset (RST): "
                           "after the 10 s CLOSED timeout, as many flows leave as arrive"),
    "nlb_10k": dict(flows=10000, frames=10000, table=65536, mem=512, ovs="lb_hash",
                    desc="NLB UDP listener, Maglev over 8 targets, 10,000 flows"),
    "nlb_1m": dict(flows=1000000, frames=1000000, table=2097152, mem=6144, ovs=None,
                   desc="NLB UDP listener, Maglev over 8 targets, 1,000,000 flows"),
    "nlb_new_flows": dict(flows=NEW_FLOWS, frames=NEW_FLOWS, table=8388608, mem=2048,
                          ovs=None, single_pass=True, warmup=0.3, window=1.0,
                          baselines=["testpmd_io"], warmup_baseline=0.02,
                          window_baseline=0.1,
                          desc="NLB, every packet a new flow (single pass)"),
    "gwlb": dict(flows=10000, frames=10000, table=65536, mem=512, ovs="geneve",
                 desc="GWLB endpoint route, GENEVE encap to 4 appliances, 10,000 flows"),
    "mixed": dict(flows=41024, frames=51200, table=131072, mem=512, ovs=None,
                  desc="routing, NACL+SG, NAT, NLB, GWLB in equal parts, 41,024 flows"),
}
ORDER = ["routing", "routing6", "routing_nacl", "routing_quota", "routing_vlan",
         "routing_overlap", "tgw", "nacl_sg", "nacl_sg_flowlogs",
         "nat_10k", "nat64_10k", "nat_10k_flowlogs", "nat_1m", "nat_new_flows", "nat_churn",
         "nlb_10k", "nlb_1m",
         "nlb_new_flows", "gwlb", "mixed"]


def _nacl17_rules(peer):
    """16 deny rules that do not match the traffic, then the allow rule (the
    same shape as nacl_sg's NACLs: the matching rule last)."""
    r = ['      { rule = %d; protocol = "tcp"; ports = "%d"; cidr = "192.0.2.%d/32"; '
         'action = "deny"; }' % (10 * (j + 1), 1000 + j, j) for j in range(16)]
    r.append('      { rule = 500; protocol = "udp"; ports = "1024-65535"; cidr = "%s"; '
             'action = "allow"; }' % peer)
    return ",\n".join(r)


def _with_nacl17(src):
    """routing.cfg with a NACL on each subnet: "r" lets out UDP to the servers'
    subnet, "rs" lets it in from the clients' subnet; both allow all else."""
    src = src.replace('port = "vpc"; }', 'port = "vpc"; network_acl = "r-nacl"; }')
    src = src.replace('port = "lan2"; }', 'port = "lan2"; network_acl = "rs-nacl"; }')
    assert src.count("network_acl =") == 2, "routing.cfg subnets changed"
    allow = '      { rule = 900; protocol = "all"; cidr = "0.0.0.0/0"; action = "allow"; }'
    return src + """
network_acls = (
  { name = "r-nacl";
    egress = (
%s );
    ingress = (
%s ); },
  { name = "rs-nacl";
    ingress = (
%s );
    egress = (
%s ); }
);
""" % (_nacl17_rules("10.0.129.0/24"), allow, _nacl17_rules("10.0.2.0/24"), allow)


QUOTA_LENS = (8, 12, 16, 20, 24, 28, 32)


def with_quota_route_tables(src):
    """routing.cfg in a VPC of 200 route tables of 50 routes, every one
    different (tools/gen_quota_vpc.py's prefixes), the clients' subnet on
    rt-1; two more-specific routes inside the VPC (10.0.129.128/25, the
    servers are .2-.65) take the servers' lookups three levels down the
    trie (dp/dp_lpm.h). The traffic still takes the local route."""
    import ipaddress
    src = src.replace('port = "vpc"; }', 'port = "vpc"; route_table = "rt-1"; }')
    assert src.count("route_table =") == 1, "routing.cfg subnets changed"
    tables = []
    for t in range(200):
        routes = ['{ destination = "0.0.0.0/0"; target = "blackhole"; }',
                  '{ destination = "10.0.129.128/25"; target = "blackhole"; }',
                  '{ destination = "10.0.200.0/24"; target = "blackhole"; }']
        for j in range(1, 48):
            n = ipaddress.ip_network("%d.%d.%d.0/%d" % (11 + j, t, (j * 37) % 256,
                                                        QUOTA_LENS[j % len(QUOTA_LENS)]),
                                     strict=False)
            routes.append('{ destination = "%s"; target = "blackhole"; }' % n)
        tables.append('  { name = "rt-%d"; routes = (\n    %s ); }' % (t, ",\n    ".join(routes)))
    return src + "route_tables = (\n%s\n);\n" % ",\n".join(tables)


def _with_vlans(src, overlap):
    """routing.cfg with subnet r on VLAN 10 of port vpc and rs on VLAN 20 of
    lan2 (static neighbors on VLAN 20); overlap: in VPC "a", beside a VPC "b"
    of the same cidr on VLANs 11 and 21 (no traffic)."""
    subnets = ('{ name = "r";    cidr = "10.0.2.0/24";   port = "vpc"; },\n'
               '    { name = "rs";   cidr = "10.0.129.0/24"; port = "lan2"; } ); };')
    assert subnets in src, "routing.cfg subnets changed"
    src = src.replace('port = "lan2"; address', 'port = "lan2"; vlan = 20; address')
    vlans = ('{ name = "r";    cidr = "10.0.2.0/24";   port = "vpc"; vlan = 10; },\n'
             '    { name = "rs";   cidr = "10.0.129.0/24"; port = "lan2"; vlan = 20; } ); };')
    src = src.replace(subnets, vlans)
    if overlap:
        src = src.replace('vpc = { cidr = "10.0.0.0/16";', 'vpcs = ( { name = "a"; cidr = "10.0.0.0/16";')
        src = src.replace(vlans, vlans[:-1] + ',\n  { name = "b"; cidr = "10.0.0.0/16"; subnets = (\n'
                          '    { name = "rb"; cidr = "10.0.2.0/24"; port = "vpc"; vlan = 11; },\n'
                          '    { name = "rsb"; cidr = "10.0.129.0/24"; port = "lan2"; vlan = 21; } ); } );')
    return src


def build_inputs(name, d):
    """Write the captures of a scenario into directory d (kept when present).
    Returns {"vpcgw": [in0, in1?], "l3fwd": [...], "ovs": [...]}"""
    os.makedirs(d, exist_ok=True)
    if SCENARIOS[name].get("edit") == "flowlogs":
        name = SCENARIOS[name]["base"]      # the same traffic
    tag = "v3-%s-%d" % (name, SCENARIOS[name]["frames"])
    stamp = os.path.join(d, "inputs.stamp")
    p = lambda f: os.path.join(d, f)
    out = {"vpcgw": [p("in0.pcap")], "l3fwd": [p("l3fwd0.pcap")], "ovs": [p("in0.pcap")]}
    if name == "nacl_sg":
        out["vpcgw"].append(p("in1.pcap"))
        out["l3fwd"].append(p("l3fwd1.pcap"))
        out["ovs"].append(p("in1.pcap"))
    if name == "nlb_10k":
        out["ovs"] = [p("ovs0.pcap")]
    if name == "nat_churn":
        out["l3fwd"] = []
    if os.path.exists(stamp) and open(stamp).read() == tag:
        return out
    if name in ("routing_vlan", "routing_overlap"):
        gen.write_pcap(p("in0.pcap"), _tagged(_frames(t_routing()), 10))
        gen.write_pcap(p("l3fwd0.pcap"), _frames(t_routing(), True))
    elif name in ("routing", "routing_nacl", "routing_quota"):
        gen.write_pcap(p("in0.pcap"), _frames(t_routing()))
        gen.write_pcap(p("l3fwd0.pcap"), _frames(t_routing(), True))
    elif name == "routing6":
        gen.write_pcap(p("in0.pcap"), frames_routing6())
        gen.write_pcap(p("l3fwd0.pcap"), frames_routing6(True))
    elif name == "tgw":
        gen.write_pcap(p("in0.pcap"), _frames(t_tgw()))
        gen.write_pcap(p("l3fwd0.pcap"), _frames(t_tgw(), True))
    elif name == "nacl_sg":
        req, rep = t_nacl_sg()
        gen.write_pcap(p("in0.pcap"), _frames(req))
        gen.write_pcap(p("in1.pcap"), _frames(rep, dst_mac=MAC_LAN2, src_mac=SERVER_MAC))
        gen.write_pcap(p("l3fwd0.pcap"), _frames(req, True))
        gen.write_pcap(p("l3fwd1.pcap"), _frames(rep, True, dst_mac=MAC_LAN2,
                                                 src_mac=SERVER_MAC))
    elif name == "nat_10k":
        gen.write_pcap(p("in0.pcap"), _frames(t_nat(10000, 200)))
        gen.write_pcap(p("l3fwd0.pcap"), _frames(t_nat(10000, 200), True))
    elif name == "nat64_10k":
        gen.write_pcap(p("in0.pcap"), frames_nat64())
        gen.write_pcap(p("l3fwd0.pcap"), frames_nat64(True))
    elif name == "nat_churn":
        # baseline testpmd io only (no l3fwd): one 3.6 GB capture, not two
        gen.write_pcap(p("in0.pcap"), _churn(SCENARIOS[name]["flows"], False))
        out["l3fwd"] = []
    elif name in ("nat_1m", "nat_new_flows"):
        n = SCENARIOS[name]["frames"]
        gen.write_pcap(p("in0.pcap"), _chunked_nat(n, False))
        gen.write_pcap(p("l3fwd0.pcap"), _chunked_nat(n, True))
    elif name == "nlb_10k":
        gen.write_pcap(p("in0.pcap"), _frames(t_nlb()))
        gen.write_pcap(p("l3fwd0.pcap"), _frames(t_nlb(), True))
        gen.write_pcap(p("ovs0.pcap"), _frames(t_nlb(vip="198.51.100.1")))
    elif name in ("nlb_1m", "nlb_new_flows"):
        n = SCENARIOS[name]["frames"]
        gen.write_pcap(p("in0.pcap"), _frames(t_nlb(n)))
        gen.write_pcap(p("l3fwd0.pcap"), _frames(t_nlb(n), True))
    elif name == "gwlb":
        gen.write_pcap(p("in0.pcap"), _frames(t_gwlb()))
        gen.write_pcap(p("l3fwd0.pcap"), _frames(t_gwlb(), True))
    elif name == "mixed":
        gen.write_pcap(p("in0.pcap"), _mixed(False))
        gen.write_pcap(p("l3fwd0.pcap"), _mixed(True))
    for f in set(out["vpcgw"] + out["l3fwd"]):
        gen.check(f)
    with open(stamp, "w") as s:
        s.write(tag)
    return out


def config(name, bench_dir, d, inputs):
    """The scenario's configuration with its captures and sizes filled in."""
    sc = SCENARIOS[name]
    src = open(os.path.join(bench_dir, "configs", sc.get("base", name) + ".cfg")).read()
    if sc.get("edit") == "nacl17":
        src = _with_nacl17(src)
    if sc.get("edit") == "quota_rt":
        src = with_quota_route_tables(src)
    if sc.get("edit") in ("vlan", "overlap"):
        src = _with_vlans(src, sc["edit"] == "overlap")
    if sc.get("edit") == "flowlogs":
        fl = os.path.join(d, "flowlogs")
        os.makedirs(fl, exist_ok=True)
        src += ('flow_logs = ( { name = "bench"; resource = "vpc"; traffic_type = "ALL";\n'
                '  max_aggregation_interval = 60; destination = "file:%s"; } );\n' % fl)
    mbufs = 32767 if sc.get("single_pass") else \
        max(32767, sc["frames"] * len(inputs["vpcgw"]) + 32768)
    src = src.replace("@IN0@", inputs["vpcgw"][0]).replace("@MBUFS@", str(mbufs))
    src = src.replace("@FLOWS@", str(sc["table"]))
    if len(inputs["vpcgw"]) > 1:
        src = src.replace("@IN1@", inputs["vpcgw"][1])
    path = os.path.join(d, name + ".cfg")
    with open(path, "w") as f:
        f.write(src)
    return path
