#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
pcap suite, SPEC §8 overlapping VPCs kept apart by port + 802.1Q VLAN (issue
#18). Two VPCs with the same CIDR on one trunk port, each subnet on its own
VLAN; the same host addresses in both. Expectations from SPEC §8 (the port
and VLAN tell which VPC a frame belongs to; each VPC is a routing and
security domain of its own) and IEEE 802.1Q (a tag of 4 bytes after the
source MAC: TPID 0x8100, priority 0, VLAN id), never from vpcgw's output
(the NAT case learns only the NAT source ports, as test_nat does):

  vpcgw ports   p1 02:00:00:00:00:01 192.168.255.1/24: a trunk, every subnet
                on a VLAN (untagged frames: vlan_untagged);
                p2 02:00:00:00:00:02 203.0.113.2/24 the internet
  VPC blue      10.0.0.0/16: b1 10.0.1.0/24 VLAN 10 (table tb), b2 10.0.2.0/24
                VLAN 11 (NACL nb: inbound UDP 9 denied)
  VPC red       10.0.0.0/16: r1 10.0.1.0/24 VLAN 20 (table tr), r2 10.0.2.0/24
                VLAN 21 (no NACL)
  hosts         10.0.1.10 and 10.0.2.20 in both VPCs, each with its own MAC
  NAT gateways  nat-b in b2 (198.51.100.10), nat-r in r2 (198.51.100.20)
  tables        tb 0.0.0.0/0 nat-gateway:nat-b; tr 0.0.0.0/0 nat-gateway:nat-r
  internet      next hop 203.0.113.1 (02:00:00:00:02:fe)

vpcgw learns the hosts' MACs from ARP replies they send first (a static
neighbor names a port, not a VLAN).

Usage: test_vlan.py --workers N [--case NAME]... [--list]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from scapy.layers.l2 import Dot1Q  # noqa: E402

from vpcgwtest import (EAL_ARGS, ARP, Case, Ether, Exp, GEN_WILD, ICMP, IP, TCP,  # noqa: E402
                       TwoPhaseCase, UDP, Raw, check_ip_generated, first_run, main, timed)

M_P1, M_P2 = "02:00:00:00:00:01", "02:00:00:00:00:02"
M_NH, A_NH = "02:00:00:00:02:fe", "203.0.113.1"
H1, H2 = "10.0.1.10", "10.0.2.20"
# the MAC of each host, by VLAN: the same addresses, other machines
MAC = {10: "0a:00:00:0b:01:0a", 11: "0a:00:00:0b:02:14", 30: "0a:00:00:03:00:01",
       20: "0a:00:00:0e:01:0a", 21: "0a:00:00:0e:02:14"}
NAT_B, NAT_R = "198.51.100.10", "198.51.100.20"
SERVER = "192.0.2.53"


def config(sg=False):
    ports = [{"name": "p1", "mac": M_P1, "address": "192.168.255.1/24"},
             {"name": "p2", "mac": M_P2, "address": "203.0.113.2/24"}]
    for i, p in enumerate(ports):
        p["devargs"] = "net_pcap%d,rx_pcap={dir}/%s-in.pcap,tx_pcap={dir}/%s-out.pcap" % (
            i, p["name"], p["name"])
    c = {
        "dpdk": {"eal_args": EAL_ARGS, "workers": 1, "mbufs": 4095, "flow_table_size": 4096},
        "ports": ports,
        "neighbors": [{"port": "p2", "address": A_NH, "mac": M_NH}],
        "vpcs": [
            {"name": "blue", "cidr": "10.0.0.0/16", "subnets": [
                {"name": "b1", "cidr": "10.0.1.0/24", "port": "p1", "vlan": 10,
                 "route_table": "tb"},
                {"name": "b2", "cidr": "10.0.2.0/24", "port": "p1", "vlan": 11,
                 "network_acl": "nb"}]},
            {"name": "red", "cidr": "10.0.0.0/16", "subnets": [
                {"name": "r1", "cidr": "10.0.1.0/24", "port": "p1", "vlan": 20,
                 "route_table": "tr"},
                {"name": "r2", "cidr": "10.0.2.0/24", "port": "p1", "vlan": 21}]},
        ],
        "internet_gateway": {"port": "p2", "next_hop": A_NH},
        "nat_gateways": [{"name": "nat-b", "subnet": "b2", "addresses": [NAT_B]},
                         {"name": "nat-r", "subnet": "r2", "addresses": [NAT_R]}],
        "route_tables": [
            {"name": "tb", "routes": [{"destination": "0.0.0.0/0",
                                       "target": "nat-gateway:nat-b"}]},
            {"name": "tr", "routes": [{"destination": "0.0.0.0/0",
                                       "target": "nat-gateway:nat-r"}]},
        ],
        "network_acls": [{"name": "nb", "ingress": [
            {"rule": 10, "protocol": "udp", "ports": "9", "cidr": "0.0.0.0/0",
             "action": "deny"},
            {"rule": 100, "protocol": "all", "cidr": "0.0.0.0/0", "action": "allow"}],
            "egress": [{"rule": 100, "protocol": "all", "cidr": "0.0.0.0/0",
                        "action": "allow"}]}],
    }
    if sg:
        # one address, an ENI in each VPC: blue's takes TCP 80, red's TCP 22
        # only and sends nothing on its own (no egress rule)
        c["security_groups"] = [
            {"name": "web-b", "ingress": [{"protocol": "tcp", "ports": "80",
                                           "source": "10.0.0.0/16"}],
             "egress": [{"protocol": "all", "destination": "0.0.0.0/0"}]},
            {"name": "ssh-r", "ingress": [{"protocol": "tcp", "ports": "22",
                                           "source": "10.0.0.0/16"}],
             "egress": []}]
        c["interfaces"] = [{"address": H2, "vpc": "blue", "security_groups": ["web-b"]},
                           {"address": H2, "vpc": "red", "security_groups": ["ssh-r"]}]
    return c


def tagged(vlan, src_mac, dst_mac, payload):
    return Ether(src=src_mac, dst=dst_mac) / Dot1Q(vlan=vlan) / payload


def host(vlan, src, dst, l4):
    """A frame of the host at src on VLAN vlan, to vpcgw."""
    return tagged(vlan, MAC[vlan], M_P1, IP(src=src, dst=dst, ttl=64) / l4)


def seed(vlan, addr):
    """The host's ARP reply (gratuitous): vpcgw learns its MAC on that VLAN."""
    return tagged(vlan, MAC[vlan], M_P1, ARP(op=2, hwsrc=MAC[vlan], psrc=addr,
                                             hwdst=M_P1, pdst="0.0.0.0"))


def forwarded(p, vlan):
    """SPEC §3.6 on a VLAN port: TTL - 1, the neighbor's MAC, vpcgw's MAC,
    the tag of the destination subnet's VLAN (priority 0)."""
    ip = IP(bytes(p[IP]))
    ip.ttl -= 1
    del ip.chksum
    return Exp(Ether(bytes(tagged(vlan, M_P1, MAC[vlan], ip))), pad=True)


def seeds():
    return timed([seed(10, H1), seed(11, H2), seed(20, H1), seed(21, H2)])


def case_vlan_local():
    """The local route in each VPC: the same addresses on VLANs 10 -> 11
    (blue) and 20 -> 21 (red) are delivered in their own VPC only, tagged
    with the destination subnet's VLAN and sent to that VPC's host; blue's
    NACL drops UDP 9 into b2, red (no NACL) delivers it. An untagged frame
    on the trunk, a tag no subnet uses, and a source address from the other
    subnet of the VPC on a VLAN are dropped, each with its reason."""
    data = timed([
        host(10, H1, H2, UDP(sport=5000, dport=53) / Raw(b"blue-query")),
        host(20, H1, H2, UDP(sport=5000, dport=53) / Raw(b"red-query")),
        host(10, H1, H2, UDP(sport=5001, dport=9) / Raw(b"blue-discard")),
        host(20, H1, H2, UDP(sport=5001, dport=9) / Raw(b"red-discard")),
        host(21, H2, H1, UDP(sport=53, dport=5000) / Raw(b"red-answer")),
        Ether(src=MAC[10], dst=M_P1) / IP(src=H1, dst=H2) / UDP(sport=1, dport=2) / Raw(b"u"),
        host(30, H1, H2, UDP(sport=1, dport=2) / Raw(b"unknown-vlan")),
        host(10, H2, H1, UDP(sport=1, dport=2) / Raw(b"spoofed")),
    ], start=0.1)
    return Case("vlan_local", config(), {"p1": seeds() + data},
                {"p1": [forwarded(data[0], 11), forwarded(data[1], 21),
                        forwarded(data[3], 21), forwarded(data[4], 20)]},
                counters={"drops.nacl_deny_in": 1, "drops.vlan_untagged": 1,
                          "drops.vlan_unknown": 1, "drops.src_not_in_vpc": 1,
                          "ports.p1.10.rx": 3 + 1, "ports.p1.21.tx": 2,
                          "ports.p1.20.rx": 2 + 1, "ports.p1.11.tx": 1,
                          "ports.p1.rx": 2})


def case_vlan_family_counters():
    """Per-family port counters on VLAN ports (SPEC §7; docs/OBSERVABILITY.md
    "Counters per family"): a VLAN port's rx/tx bytes are its frames on the
    trunk's wire, the 4-byte tag included, so are its IPv4 and IPv6 parts.
    On VLAN 10: the host's ARP (rx, not IPv6), an IPv4 datagram to H2
    (forwarded out on VLAN 11) and an IPv6 packet (no IPv6 in these VPCs:
    dropped, ipv6_unsupported, still received as IPv6)."""
    from scapy.all import IPv6  # noqa: E402
    s = seed(10, H1)
    data = timed([host(10, H1, H2, UDP(sport=5000, dport=53) / Raw(b"4" * 100)),
                  tagged(10, MAC[10], M_P1, IPv6(src="fd00::10", dst="fd00::20") /
                         UDP(sport=5000, dport=53) / Raw(b"6" * 120))], start=0.1)
    out = Ether(bytes(tagged(11, M_P1, MAC[11], IP(bytes(data[0][IP])))))
    out[IP].ttl -= 1
    out = Ether(bytes(out))
    return Case("vlan_family_counters", config(), {"p1": timed([s, seed(11, H2)]) + data},
                {"p1": [forwarded(data[0], 11)]},
                counters={"drops.ipv6_unsupported": 1,
                          "ports.p1.10.rx_ipv4": 2,
                          "ports.p1.10.rx_ipv4_bytes": len(bytes(s)) + len(bytes(data[0])),
                          "ports.p1.10.rx_ipv6": 1,
                          "ports.p1.10.rx_ipv6_bytes": len(bytes(data[1])),
                          "ports.p1.11.tx_ipv4": 1,
                          "ports.p1.11.tx_ipv4_bytes": len(bytes(out)),
                          "ports.p1.11.tx_ipv6": 0, "ports.p1.10.tx_ipv6": 0})


def time_exceeded(orig, vlan, router):
    """RFC 792 / RFC 1812: ICMP type 11 code 0 from the router of the
    sender's subnet, back on the sender's VLAN to its MAC, quoting the
    datagram as received (its IP header and at least 8 bytes of data, up to
    576 bytes in all: the length is vpcgw's choice)."""
    orig = Ether(bytes(orig))
    quote_all = bytes(orig[IP])
    need = orig[IP].ihl * 4 + 8

    def build(act):
        n = len(bytes(act[ICMP].payload)) if act is not None and ICMP in act else need
        n = max(need, min(n, len(quote_all), 576 - 28))
        return Ether(bytes(tagged(vlan, M_P1, MAC[vlan], IP(src=router, dst=orig[IP].src,
                                                               proto=1, ttl=64) /
                                  ICMP(type=11, code=0) / Raw(quote_all[:n]))))
    return Exp(build, wild=GEN_WILD, check=check_ip_generated, pad=True)


def case_vlan_arp():
    """ARP and ICMP per VLAN: vpcgw answers for a subnet's router (.1) on
    that subnet's VLAN, with that tag; not for a router of a subnet on
    another VLAN of the same VPC (arp_not_for_us); an echo request to the
    router of r1 is answered on VLAN 20; a datagram with TTL 1 from red's
    host gets its time exceeded from r1's router on VLAN 20."""
    def arp_req(vlan, tip):
        return tagged(vlan, MAC[vlan], "ff:ff:ff:ff:ff:ff",
                      ARP(op=1, hwsrc=MAC[vlan], psrc=H1, pdst=tip))

    def arp_rep(vlan, tip):
        return Exp(Ether(bytes(tagged(vlan, M_P1, MAC[vlan],
                                      ARP(op=2, hwsrc=M_P1, psrc=tip, hwdst=MAC[vlan],
                                          pdst=H1)))), pad=True)
    echo = host(20, H1, "10.0.1.1", ICMP(type=8, id=7, seq=1) / Raw(b"ping-red"))
    ttl1 = tagged(20, MAC[20], M_P1, IP(src=H1, dst=H2, ttl=1) / UDP(sport=7, dport=7) /
                  Raw(b"short-lived"))
    inp = timed([arp_req(10, "10.0.1.1"), arp_req(20, "10.0.1.1"), arp_req(10, "10.0.2.1"),
                 seed(20, H1), echo, ttl1])
    reply = tagged(20, M_P1, MAC[20], IP(src="10.0.1.1", dst=H1) /
                   ICMP(type=0, id=7, seq=1) / Raw(b"ping-red"))
    return Case("vlan_arp", config(), {"p1": inp},
                {"p1": [arp_rep(10, "10.0.1.1"), arp_rep(20, "10.0.1.1"),
                        Exp(reply, wild=GEN_WILD, pad=True, check=check_ip_generated),
                        time_exceeded(inp[5], 20, "10.0.1.1")]},
                counters={"drops.arp_not_for_us": 1, "drops.ttl_expired": 1,
                          "ports.p1.20.local": 3, "ports.p1.20.generated": 3,
                          "ports.p1.10.generated": 1})


def case_vlan_neighbors():
    """Neighbors per port, VLAN and address: a static neighbor on VLAN 21
    (neighbors[].vlan) takes red's packet to H2 with no ARP; blue's H2 (the
    same address on VLAN 11) is unknown: vpcgw asks for it on VLAN 11, tagged,
    as the router of b2 (RFC 826), and sends the waiting packet to the MAC
    the reply gives."""
    c = config()
    static_mac = "0a:00:00:0e:02:99"
    c["neighbors"].append({"port": "p1", "vlan": 21, "address": H2, "mac": static_mac})
    data = timed([host(20, H1, H2, UDP(sport=5000, dport=53) / Raw(b"red-static")),
                  host(10, H1, H2, UDP(sport=5000, dport=53) / Raw(b"blue-arp"))], start=0.1)
    reply = timed([tagged(11, MAC[11], M_P1, ARP(op=2, hwsrc=MAC[11], psrc=H2, hwdst=M_P1,
                                                 pdst="10.0.2.1"))], start=0.3)
    red = IP(bytes(data[0][IP]))
    red.ttl -= 1
    del red.chksum
    req = tagged(11, M_P1, "ff:ff:ff:ff:ff:ff",
                 ARP(op=1, hwsrc=M_P1, psrc="10.0.2.1", hwdst="00:00:00:00:00:00", pdst=H2))
    return Case("vlan_neighbors", c, {"p1": seeds()[:1] + seeds()[2:3] + data + reply},
                {"p1": [Exp(Ether(bytes(tagged(21, M_P1, static_mac, red))), pad=True),
                        Exp(Ether(bytes(req)), pad=True),
                        forwarded(data[1], 11)]},
                counters={"ports.p1.11.generated": 1, "ports.p1.11.local": 1})


def case_vlan_sg():
    """Security groups and conntrack per VPC: the same address has an ENI in
    each VPC. Blue's SYN to port 80 opens a flow, its SYN-ACK returns by it;
    red's SYN of the same 5-tuple is refused by red's group (it allows 22),
    so the flow of blue does not carry it; red's SYN to 22 opens a flow of
    red, its SYN-ACK returns by it; a SYN-ACK from red's host on port 80 has
    no flow in red (blue's does not count) and red's group sends nothing:
    refused (sg_deny_egress)."""
    data = timed([
        host(10, H1, H2, TCP(sport=40000, dport=80, flags="S", seq=1)),
        host(20, H1, H2, TCP(sport=40000, dport=80, flags="S", seq=1)),
        host(20, H1, H2, TCP(sport=40001, dport=22, flags="S", seq=1)),
        host(11, H2, H1, TCP(sport=80, dport=40000, flags="SA", seq=9, ack=2)),
        host(21, H2, H1, TCP(sport=80, dport=40000, flags="SA", seq=9, ack=2)),
        host(21, H2, H1, TCP(sport=22, dport=40001, flags="SA", seq=9, ack=2)),
    ], start=0.1)
    return Case("vlan_sg", config(sg=True), {"p1": seeds() + data},
                {"p1": [forwarded(data[0], 11), forwarded(data[2], 21),
                        forwarded(data[3], 10), forwarded(data[5], 20)]},
                counters={"drops.sg_deny_ingress": 1, "drops.sg_deny_egress": 1})


def case_vlan_nat():
    """A NAT gateway in each VPC (SPEC §8: a VPC's objects are its own): the
    same private 5-tuple from blue and from red leaves through its own VPC's
    gateway address; each reply comes back into its own VPC, on the VLAN of
    the host's subnet, to that VPC's host."""
    out = timed([host(10, H1, SERVER, UDP(sport=5353, dport=53) / Raw(b"q-blue")),
                 host(20, H1, SERVER, UDP(sport=5353, dport=53) / Raw(b"q-red"))], start=0.1)
    inputs = seeds() + out

    def learn(outputs, payload, addr):
        got = [p for p in outputs.get("p2", []) if UDP in p and bytes(p[UDP].payload) == payload]
        assert got, "first run: nothing out for %r" % payload
        assert got[0][IP].src == addr, "%r left from %s, not its VPC's NAT gateway %s" % (
            payload, got[0][IP].src, addr)
        port = got[0][UDP].sport
        assert 1024 <= port <= 65535, "NAT source port %d outside 1024..65535" % port
        return port

    def build(workers):
        outputs, _ = first_run(config(), {"p1": inputs}, workers)
        pb = learn(outputs, b"q-blue", NAT_B)
        pr = learn(outputs, b"q-red", NAT_R)

        def nat_out(p, addr, port):
            ip = IP(bytes(p[IP]))
            ip.ttl -= 1
            ip.src = addr
            ip[UDP].sport = port
            del ip.chksum
            del ip[UDP].chksum
            return Exp(Ether(bytes(Ether(src=M_P2, dst=M_NH) / ip)), pad=True)

        back = timed([Ether(src=M_NH, dst=M_P2) / IP(src=SERVER, dst=NAT_R, ttl=60) /
                      UDP(sport=53, dport=pr) / Raw(b"a-red"),
                      Ether(src=M_NH, dst=M_P2) / IP(src=SERVER, dst=NAT_B, ttl=60) /
                      UDP(sport=53, dport=pb) / Raw(b"a-blue")], start=0.3)

        def nat_in(p, vlan):
            ip = IP(bytes(p[IP]))
            ip.ttl -= 1
            ip.dst = H1
            ip[UDP].dport = 5353
            del ip.chksum
            del ip[UDP].chksum
            return Exp(Ether(bytes(tagged(vlan, M_P1, MAC[vlan], ip))), pad=True)
        return Case("vlan_nat", config(), {"p1": inputs, "p2": back},
                    {"p2": [nat_out(out[0], NAT_B, pb), nat_out(out[1], NAT_R, pr)],
                     "p1": [nat_in(back[0], 20), nat_in(back[1], 10)]},
                    counters={"nat.nat-b.ActiveConnectionCount": 1,
                              "nat.nat-r.ActiveConnectionCount": 1})
    return TwoPhaseCase("vlan_nat", build)


class CheckCase:
    """`vpcgw --check` on a configuration: exit 1 and exactly these
    file:line messages (docs/config.md: what overlapping VPCs do not run)."""

    def __init__(self, name, config, want):
        self.name, self.config, self.want = name, config, want

    def run(self, workers, binary=None, **_):
        import subprocess
        import tempfile
        from vpcgwtest import render_top
        binary = os.path.abspath(binary or os.environ.get("VPCGW") or
                                 os.path.join(os.path.dirname(__file__), "..", "..", "build",
                                              "vpcgw"))
        with tempfile.TemporaryDirectory(prefix="vpcgw-pcap-%s-" % self.name) as d:
            path = os.path.join(d, "vpcgw.cfg")
            text = render_top(self.config).replace("{dir}", d)
            with open(path, "w") as f:
                f.write(text)
            r = subprocess.run([binary, "-c", path, "--check", "-w", str(workers)],
                               capture_output=True, text=True, timeout=60)
            lines = text.splitlines()
            errs = []
            if r.returncode != 1:
                errs.append("--check exited with %d, not 1" % r.returncode)
            got = [x for x in (r.stdout + r.stderr).splitlines()
                   if x.startswith(path + ":") and x[len(path) + 1:].split(":")[0].isdigit()]
            for key, msg in self.want:
                # the line of the group that holds key (where its "{" is)
                line = next((i for i, x in enumerate(lines) if key in x), None)
                while line is not None and line > 0 and "{" not in lines[line]:
                    line -= 1
                line = None if line is None else line + 1
                exp = "%s:%s: %s" % (path, line, msg)
                if exp not in got:
                    errs.append("missing: %s" % exp)
            if len(got) != len(self.want):
                errs.append("got %d messages, want %d:\n    %s" % (
                    len(got), len(self.want), "\n    ".join(got)))
            return errs


def case_vlan_check():
    """What overlapping VPCs do not run is refused with file:line: an NLB,
    an elastic IP in one of them (at an address of a subnet the other VPC
    does not have: one both have is ambiguous, refused by the loader,
    tests/unit/test_cfg_vpc.c). A transit gateway attachment of one, and a
    peering with a VPC it does not overlap, are accepted (test_tgw_zone.py);
    a peering of two VPCs that overlap each other is the loader's error."""
    c = config()
    c["ports"].append({"name": "p3", "mac": "02:00:00:00:00:03", "address": "192.0.2.1/24",
                       "devargs": "net_pcap2,rx_pcap={dir}/p3-in.pcap,tx_pcap={dir}/p3-out.pcap"})
    c["vpcs"][0]["subnets"].append({"name": "b3", "cidr": "10.0.3.0/24", "port": "p1",
                                    "vlan": 12})
    c["vpcs"].append({"name": "green", "cidr": "172.16.0.0/16", "subnets": [
        {"name": "g1", "cidr": "172.16.1.0/24", "port": "p1", "vlan": 40}]})
    c["vpc_peering_connections"] = [{"name": "pcx-bg", "vpcs": ["blue", "green"]}]
    c["transit_gateways"] = [{"name": "tgw", "attachments": [
        {"name": "att-red", "vpc": "red", "subnets": ["r2"]}]}]
    c["internet_gateway"]["elastic_ips"] = [{"public": "198.51.100.99", "private": "10.0.3.99"}]
    c["target_groups"] = [{"name": "tg", "protocol": "tcp", "port": 80,
                           "targets": [{"address": "10.0.3.30"}]}]
    c["network_load_balancers"] = [{"name": "nlb-b", "subnet": "b3", "address": "10.0.3.40",
                                    "listeners": [{"protocol": "tcp", "port": 80,
                                                   "target_group": "tg"}]}]
    why = ("not built in a VPC that overlaps another (the port and VLAN tell them apart: "
           "docs/config.md)")
    return CheckCase("vlan_check", c, [
        ('public = "198.51.100.99"', 'elastic IP: private address in VPC "blue": an elastic IP is '
         + why),
        ('name = "nlb-b"', 'network load balancer "nlb-b": an NLB is ' + why)])


CASES = {
    "vlan_check": case_vlan_check,
    "vlan_family_counters": case_vlan_family_counters,
    "vlan_local": case_vlan_local,
    "vlan_arp": case_vlan_arp,
    "vlan_sg": case_vlan_sg,
    "vlan_neighbors": case_vlan_neighbors,
    "vlan_nat": case_vlan_nat,
}

if __name__ == "__main__":
    sys.exit(main(CASES))
