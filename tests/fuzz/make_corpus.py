#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seed corpora of the fuzz targets (tests/fuzz/corpus/).

    tests/fuzz/make_corpus.py [OUTDIR]      default: corpus/ beside this script

corpus/packet: inputs of fuzz_packet (format in fuzz_packet.c), against the
example configuration (examples/demo.cfg, which fuzz_packet builds in):
every kind of packet each service sees - ARP, ICMP echo, NAT (TCP, UDP,
ICMP, fragments), IGW elastic IP, NLB (public and private address), GWLB
(to the endpoint; GENEVE from an appliance as AWS's GWLB sends it: protocol
type 0x0800/0x86DD, the inner IP packet as payload, options; and what it
refuses: 0x6558 with an inner Ethernet frame, version mismatches, VNI,
empty payloads), ICMP errors with
inner headers, TTL expiry, MTU, and the malformed kinds the parser drops.
Sequences (several frames, with replies built by the harness from what
vpcgw sent) open flows and hit them again, let them expire, resolve ARP.

corpus/config: configuration texts for fuzz_config: the example and bench
configurations that are small, and variants around the validation rules.

The output is deterministic (no random field), so rerunning it changes
nothing unless this script changes.
"""
import os
import re
import struct
import sys

from scapy.all import (ARP, ICMP, IP, TCP, UDP, Dot1Q, Ether, IPOption_RR,  # noqa: E402
                       IPv6, Raw, fragment)

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))

# demo.cfg: ports and their addresses
VPC, INET, APPL = 0, 1, 2
MAC = {VPC: "02:00:00:00:00:01", INET: "02:00:00:00:01:01", APPL: "02:00:00:00:02:01"}
ROUTER = {VPC: "10.0.0.1", INET: "198.51.100.1", APPL: "192.168.50.1"}
NEXT_HOP, NEXT_HOP_MAC = "198.51.100.254", "02:00:00:00:01:fe"
HOST_MAC = "02:00:00:00:aa:01"
WEB, BASTION, APP = "10.0.1.10", "10.0.1.11", "10.0.2.5"     # private-a ENIs, app-a host
PUB_HOST = "10.0.0.10"                                        # has the elastic IP
EIP, NAT_A = "198.51.100.20", "198.51.100.10"
NLB, NLB_PUB = "10.0.0.100", "198.51.100.30"
APPLIANCE, APPL_MAC = "192.168.50.10", "02:00:00:00:50:0a"
REMOTE = "93.184.216.34"
INSPECTED = "203.0.113.7"                                     # private table: to the GWLB endpoint
ENDPOINT_ID = 0x0a1b2c3d4e5f60718

# fuzz_packet input flags
FIX_CSUM = 0x40
MULTI = 0x80
J = 0x40         # record: same burst as the previous one
R = 0x80         # record: reply built from what vpcgw last sent on the port
STEP = {0: 0, 1: 1, 10: 2, 100: 3, 1000: 4, 5000: 5, 60000: 6, 400000: 7}


def vpc(src, dst=None, mac=HOST_MAC):
    return Ether(src=mac, dst=MAC[VPC]) / IP(src=src, dst=dst)


def inet(src, dst):
    return Ether(src=NEXT_HOP_MAC, dst=MAC[INET]) / IP(src=src, dst=dst)


def single(port, frame, fix=False):
    return bytes([port | (FIX_CSUM if fix else 0)]) + bytes(frame)


def rec(port, data=b"", step=1, join=False, reply=False):
    data = bytes(data)
    ctl = port | STEP[step] << 3 | (J if join else 0) | (R if reply else 0)
    return bytes([ctl]) + struct.pack(">H", len(data)) + data


def multi(*records, fix=False):
    return bytes([MULTI | (FIX_CSUM if fix else 0)]) + b"".join(records)


# reply record data: first byte odd = ARP reply to vpcgw's last request
ARP_ANSWER = b"\x01"
MIRROR = b"\x00"


def geneve(inner, cookie=0x1234, endpoint=ENDPOINT_ID, extra=b"", flags=0, ver=0,
           proto=0x0800, vni=0):
    """GENEVE from the appliance (SPEC §4): inner is the IP packet itself."""
    opts = (struct.pack(">HBBQ", 0x0108, 1, 2, endpoint) +
            struct.pack(">HBBQ", 0x0108, 2, 2, 0) +
            struct.pack(">HBBI", 0x0108, 3, 1, cookie) + extra)
    hdr = struct.pack(">BBHI", ver << 6 | len(opts) // 4, flags, proto, vni << 8)
    return (Ether(src=APPL_MAC, dst=MAC[APPL]) / IP(src=APPLIANCE, dst=ROUTER[APPL]) /
            UDP(sport=40000, dport=6081) / Raw(hdr + opts + bytes(inner)))


def packet_seeds():
    s = {}
    syn = dict(flags="S", seq=1000)
    # --- ARP
    s["arp_req_router"] = single(VPC, Ether(src=HOST_MAC, dst="ff:ff:ff:ff:ff:ff") /
                                 ARP(op=1, hwsrc=HOST_MAC, psrc=WEB, pdst="10.0.1.1"))
    s["arp_req_nat"] = single(INET, Ether(src=NEXT_HOP_MAC, dst="ff:ff:ff:ff:ff:ff") /
                              ARP(op=1, hwsrc=NEXT_HOP_MAC, psrc=NEXT_HOP, pdst=NAT_A))
    s["arp_req_eip"] = single(INET, Ether(src=NEXT_HOP_MAC, dst="ff:ff:ff:ff:ff:ff") /
                              ARP(op=1, hwsrc=NEXT_HOP_MAC, psrc=NEXT_HOP, pdst=EIP))
    s["arp_req_nlb"] = single(VPC, Ether(src=HOST_MAC, dst="ff:ff:ff:ff:ff:ff") /
                              ARP(op=1, hwsrc=HOST_MAC, psrc=APP, pdst=NLB))
    s["arp_reply_learn"] = single(VPC, Ether(src=HOST_MAC, dst=MAC[VPC]) /
                                  ARP(op=2, hwsrc=HOST_MAC, psrc=WEB, hwdst=MAC[VPC],
                                      pdst=ROUTER[VPC]))
    s["arp_gratuitous"] = single(APPL, Ether(src=APPL_MAC, dst="ff:ff:ff:ff:ff:ff") /
                                 ARP(op=2, hwsrc=APPL_MAC, psrc=APPLIANCE, pdst=APPLIANCE))
    s["arp_truncated"] = single(VPC, bytes(Ether(src=HOST_MAC, dst=MAC[VPC]) /
                                           ARP(op=1, psrc=WEB, pdst="10.0.0.1"))[:30])
    # VLAN 100 of the vpc port carries subnet "tagged" (10.0.4.0/24): its ARP, a
    # frame routed from it (back out tagged), one to it, a tag no subnet uses
    s["arp_vlan_subnet"] = single(VPC, Ether(src=HOST_MAC, dst="ff:ff:ff:ff:ff:ff") /
                                  Dot1Q(vlan=100) /
                                  ARP(op=1, hwsrc=HOST_MAC, psrc="10.0.4.10", pdst="10.0.4.1"))
    s["vlan_subnet_out"] = single(VPC, Ether(src=HOST_MAC, dst=MAC[VPC]) / Dot1Q(vlan=100) /
                                  IP(src="10.0.4.10", dst=WEB) / UDP(sport=7, dport=7))
    s["vlan_subnet_in"] = single(VPC, vpc(WEB, "10.0.4.10") / TCP(sport=44002, dport=22,
                                                                  flags="S"))
    s["vlan_prio_dei"] = single(VPC, Ether(src=HOST_MAC, dst=MAC[VPC]) /
                                Dot1Q(vlan=100, prio=5, id=1) /
                                IP(src="10.0.4.10", dst="10.0.4.1") / ICMP(id=9))
    s["arp_vlan"] = single(VPC, Ether(src=HOST_MAC, dst="ff:ff:ff:ff:ff:ff") / Dot1Q(vlan=5) /
                           ARP(op=1, hwsrc=HOST_MAC, psrc=WEB, pdst="10.0.1.1"))
    # --- ICMP echo to vpcgw
    s["echo_router"] = single(VPC, vpc(WEB, "10.0.1.1") / ICMP(id=7, seq=1) / Raw(b"x" * 32))
    s["echo_port_addr"] = single(INET, inet(REMOTE, ROUTER[INET]) / ICMP(id=8))
    s["echo_ttl1_router"] = single(VPC, Ether(src=HOST_MAC, dst=MAC[VPC]) /
                                   IP(src=APP, dst="10.0.2.1", ttl=1) / ICMP(id=9))
    # --- NAT gateway (private route table: 0/0 → nat-a)
    s["nat_tcp_syn"] = single(VPC, vpc(WEB, REMOTE) / TCP(sport=40000, dport=443, **syn))
    s["nat_udp"] = single(VPC, vpc(APP, "8.8.8.8") / UDP(sport=5353, dport=53) / Raw(b"q" * 20))
    s["nat_icmp_echo"] = single(VPC, vpc(APP, "1.1.1.1") / ICMP(id=77, seq=1))
    s["nat_tcp_ack_no_flow"] = single(VPC, vpc(WEB, REMOTE) / TCP(sport=40001, dport=443,
                                                                  flags="A"))
    s["nat_inbound_no_session"] = single(INET, inet(REMOTE, NAT_A) /
                                         TCP(sport=443, dport=1024, flags="SA"))
    udp = vpc(APP, "8.8.8.8") / UDP(sport=5353, dport=53) / Raw(b"z" * 3000)
    frags = fragment(udp[IP], fragsize=1480)
    s["nat_udp_frag_first"] = single(VPC, Ether(src=HOST_MAC, dst=MAC[VPC]) / frags[0])
    s["nat_udp_frag_later"] = single(VPC, Ether(src=HOST_MAC, dst=MAC[VPC]) / frags[1])
    s["nat_udp_frags"] = multi(*[rec(VPC, Ether(src=HOST_MAC, dst=MAC[VPC]) / f, join=i > 0)
                                 for i, f in enumerate(frags)])
    tcpf = fragment((vpc(WEB, REMOTE) / TCP(sport=40002, dport=80, **syn) /
                     Raw(b"t" * 200))[IP], fragsize=96)
    s["nat_tcp_frags"] = multi(*[rec(VPC, Ether(src=HOST_MAC, dst=MAC[VPC]) / f)
                                 for f in tcpf])
    # --- IGW: elastic IP outbound (public table: 0/0 → igw) and inbound (edge → GWLB)
    s["eip_out"] = single(VPC, vpc(PUB_HOST, REMOTE) / TCP(sport=50000, dport=80, **syn))
    s["eip_in"] = single(INET, inet(REMOTE, EIP) / TCP(sport=50001, dport=80, **syn))
    s["igw_no_public_ip"] = single(VPC, vpc("10.0.0.20", REMOTE) / UDP(sport=1, dport=2))
    # --- NLB (listeners tcp/80 → web-tg, udp/53 → dns-tg)
    s["nlb_tcp_private"] = single(VPC, vpc(WEB, NLB) / TCP(sport=41000, dport=80, **syn))
    s["nlb_udp_private"] = single(VPC, vpc(APP, NLB) / UDP(sport=41001, dport=53) / Raw(b"d"))
    s["nlb_tcp_public"] = single(INET, inet(REMOTE, NLB_PUB) / TCP(sport=41002, dport=80, **syn))
    s["nlb_no_listener"] = single(VPC, vpc(WEB, NLB) / TCP(sport=41003, dport=81, **syn))
    # --- GWLB: to the endpoint (private table: 203.0.113.0/24), GENEVE from an appliance
    s["gwlb_to_endpoint"] = single(VPC, vpc(WEB, INSPECTED) / TCP(sport=42000, dport=80, **syn))
    inner = IP(src=WEB, dst=INSPECTED) / TCP(sport=42000, dport=80, **syn)
    inner6 = IPv6(src="2001:db8::5", dst="2001:db8::7") / TCP(sport=42000, dport=80, **syn)
    s["geneve_from_appliance"] = single(APPL, geneve(inner))
    s["geneve_unknown_opt"] = single(APPL, geneve(inner, extra=struct.pack(">HBBI", 0x0200, 5,
                                                                          1, 0xdeadbeef)))
    s["geneve_critical_opt"] = single(APPL, geneve(inner, flags=0x40, extra=struct.pack(
        ">HBBI", 0x0200, 0x85, 1, 0)))
    s["geneve_oam"] = single(APPL, geneve(inner, flags=0x80))
    s["geneve_bad_version"] = single(APPL, geneve(inner, ver=1))
    s["geneve_ether_payload"] = single(APPL, geneve(Ether(src=MAC[VPC], dst=HOST_MAC) / inner,
                                                    proto=0x6558))
    s["geneve_ipv6"] = single(APPL, geneve(inner6, proto=0x86DD))
    s["geneve_v6_as_v4"] = single(APPL, geneve(inner6))
    s["geneve_v4_as_v6"] = single(APPL, geneve(inner, proto=0x86DD))
    s["geneve_vni"] = single(APPL, geneve(inner, vni=7))
    s["geneve_no_payload"] = single(APPL, geneve(b""))
    s["geneve_inner_short"] = single(APPL, geneve(bytes(inner)[:9]))
    s["geneve_wrong_endpoint"] = single(APPL, geneve(inner, endpoint=1))
    s["geneve_truncated"] = single(APPL, bytes(geneve(inner))[:60])
    s["geneve_inner_arp"] = single(APPL, geneve(ARP(op=1, psrc=WEB, pdst=INSPECTED)))
    # --- security groups / NACLs / routing
    s["sg_ssh_bastion"] = single(VPC, vpc(BASTION, WEB) / TCP(sport=43000, dport=22, **syn))
    s["sg_denied"] = single(VPC, vpc(APP, WEB) / TCP(sport=43001, dport=23, **syn))
    s["nacl_udp_private_denied"] = single(VPC, vpc("10.0.0.50", WEB) / UDP(sport=1, dport=9))
    s["local_app_to_public"] = single(VPC, vpc(APP, "10.0.0.50") / UDP(sport=7, dport=7))
    s["blackhole"] = single(VPC, vpc(WEB, "192.0.2.9") / UDP(sport=1, dport=2))
    s["src_not_in_vpc"] = single(VPC, vpc("172.16.0.1", REMOTE) / UDP(sport=1, dport=2))
    s["inet_dst_unknown"] = single(INET, inet(REMOTE, "198.51.100.99") / UDP(sport=1, dport=2))
    s["ttl_expired"] = single(VPC, Ether(src=HOST_MAC, dst=MAC[VPC]) /
                              IP(src=WEB, dst=REMOTE, ttl=1) / TCP(sport=44000, dport=80, **syn))
    s["mtu_exceeded"] = single(VPC, vpc(PUB_HOST, REMOTE) / UDP(sport=3, dport=4) /
                               Raw(b"m" * 4000))
    s["vlan_tagged"] = single(VPC, Ether(src=HOST_MAC, dst=MAC[VPC]) / Dot1Q(vlan=10) /
                              IP(src=WEB, dst=REMOTE) / TCP(sport=44001, dport=443, **syn))
    s["eth_padding"] = single(VPC, bytes(vpc(WEB, "10.0.1.1") / ICMP(id=3)) + b"\0" * 20)
    # --- ICMP errors with inner headers
    quoted_udp = IP(src=NAT_A, dst="8.8.8.8") / UDP(sport=1024, dport=53)
    s["icmp_unreach_nat"] = single(INET, inet("8.8.8.8", NAT_A) / ICMP(type=3, code=3) /
                                   bytes(quoted_udp)[:28])
    quoted_tcp = IP(src=EIP, dst=REMOTE) / TCP(sport=50000, dport=80, flags="S")
    s["icmp_frag_needed_eip"] = single(INET, inet(REMOTE, EIP) / ICMP(type=3, code=4,
                                                                     nexthopmtu=1400) /
                                       bytes(quoted_tcp)[:28])
    quoted_icmp = IP(src=WEB, dst=REMOTE) / ICMP(type=8, id=5)
    s["icmp_time_exceeded_vpc"] = single(VPC, vpc(APP, WEB) / ICMP(type=11, code=0) /
                                         bytes(quoted_icmp)[:28])
    s["icmp_error_inner_short"] = single(INET, inet(REMOTE, NAT_A) / ICMP(type=3, code=1) /
                                         bytes(quoted_udp)[:24])
    s["icmp_error_inner_opts"] = single(INET, inet(REMOTE, NAT_A) / ICMP(type=11) /
                                        bytes(IP(src=NAT_A, dst=REMOTE, ihl=6,
                                                 options=[IPOption_RR()]) /
                                              UDP(sport=1, dport=2))[:32])
    s["icmp_param_problem_gre"] = single(INET, inet(REMOTE, EIP) / ICMP(type=12) /
                                         bytes(IP(src=EIP, dst=REMOTE, proto=47) / Raw(b"g" * 8)))
    # --- malformed: each stops at a different parser check
    good = bytes(vpc(WEB, REMOTE) / TCP(sport=45000, dport=443, **syn))
    s["bad_eth_short"] = single(VPC, good[:10])
    s["bad_vlan_short"] = single(VPC, bytes(Ether(src=HOST_MAC, dst=MAC[VPC]) / Dot1Q())[:16])
    s["bad_ipv6"] = single(VPC, bytes(Ether(src=HOST_MAC, dst=MAC[VPC], type=0x86dd)) +
                           b"\x60" + b"\0" * 39)
    s["bad_ethertype"] = single(VPC, bytes(Ether(src=HOST_MAC, dst=MAC[VPC], type=0x88cc)) +
                                b"\0" * 46)
    s["bad_ip_short"] = single(VPC, good[:25])
    s["bad_ip_version"] = single(VPC, good[:14] + b"\x65" + good[15:])
    s["bad_ip_ihl"] = single(VPC, good[:14] + b"\x44" + good[15:], fix=True)
    s["bad_ip_total_len"] = single(VPC, bytes(Ether(src=HOST_MAC, dst=MAC[VPC]) /
                                              IP(src=WEB, dst=REMOTE, len=400) / TCP()))
    s["bad_ip_checksum"] = single(VPC, bytes(Ether(src=HOST_MAC, dst=MAC[VPC]) /
                                             IP(src=WEB, dst=REMOTE, chksum=0x1234) / TCP()))
    s["bad_ip_options"] = single(VPC, Ether(src=HOST_MAC, dst=MAC[VPC]) /
                                 IP(src=WEB, dst=REMOTE, options=[IPOption_RR()]) / TCP())
    s["bad_tcp_short"] = single(VPC, Ether(src=HOST_MAC, dst=MAC[VPC]) /
                                IP(src=WEB, dst=REMOTE, proto=6) / Raw(b"\0" * 12))
    s["bad_tcp_doff"] = single(VPC, vpc(WEB, REMOTE) / TCP(sport=1, dport=2, dataofs=15))
    s["bad_udp_len"] = single(VPC, vpc(APP, "8.8.8.8") / UDP(sport=1, dport=53, len=99) /
                              Raw(b"u" * 10))
    s["bad_icmp_short"] = single(VPC, Ether(src=HOST_MAC, dst=MAC[VPC]) /
                                 IP(src=WEB, dst="10.0.1.1", proto=1) / Raw(b"\x08\0\0"))
    s["bad_frag_icmp_error"] = single(VPC, Ether(src=HOST_MAC, dst=MAC[VPC]) /
                                      IP(src=APP, dst=WEB, flags="MF") / ICMP(type=3) /
                                      bytes(quoted_icmp)[:28])
    s["empty"] = single(VPC, b"")
    # --- sequences: open, answer (replies built by the harness), expire
    s["seq_nat_tcp"] = multi(
        rec(VPC, vpc(WEB, REMOTE) / TCP(sport=40010, dport=443, **syn)),
        rec(INET, MIRROR, reply=True),                                  # SYN+ACK
        rec(VPC, ARP_ANSWER, reply=True),                               # resolve 10.0.1.10
        rec(VPC, vpc(WEB, REMOTE) / TCP(sport=40010, dport=443, flags="A", seq=1001)),
        rec(VPC, vpc(WEB, REMOTE) / TCP(sport=40010, dport=443, flags="PA", seq=1001) /
            Raw(b"GET /")),
        rec(INET, MIRROR + b"\0" * 9 + b"\x01", reply=True),            # reply with FIN
        rec(VPC, vpc(WEB, REMOTE) / TCP(sport=40010, dport=443, flags="PA", seq=1006) /
            Raw(b"late"), step=400000))                                 # idle: RST
    s["seq_nat_udp"] = multi(
        rec(VPC, vpc(APP, "8.8.8.8") / UDP(sport=5353, dport=53) / Raw(b"q")),
        rec(INET, MIRROR, reply=True),
        rec(VPC, ARP_ANSWER, reply=True, step=100),
        rec(VPC, vpc(APP, "8.8.8.8") / UDP(sport=5353, dport=53) / Raw(b"q2"), step=60000),
        rec(VPC, vpc(APP, "8.8.8.8") / UDP(sport=5353, dport=53) / Raw(b"q3"), step=400000))
    s["seq_nat_icmp"] = multi(
        rec(VPC, vpc(APP, "1.1.1.1") / ICMP(id=78, seq=1)),
        rec(INET, MIRROR, reply=True),
        rec(VPC, ARP_ANSWER, reply=True))
    s["seq_nat_same_burst"] = multi(
        rec(VPC, vpc(WEB, REMOTE) / TCP(sport=40011, dport=443, **syn)),
        rec(VPC, vpc(WEB, REMOTE) / TCP(sport=40011, dport=443, **syn), join=True),
        rec(VPC, vpc(APP, "8.8.8.8") / UDP(sport=7, dport=53), join=True),
        rec(VPC, vpc(APP, "8.8.8.8") / UDP(sport=7, dport=53), join=True))
    s["seq_nlb_public"] = multi(
        rec(INET, inet(REMOTE, NLB_PUB) / TCP(sport=41010, dport=80, **syn)),
        rec(VPC, ARP_ANSWER, reply=True),                               # resolve the target
        rec(VPC, MIRROR, reply=True),                                   # target's SYN+ACK
        rec(INET, inet(REMOTE, NLB_PUB) / TCP(sport=41010, dport=80, flags="A", seq=1001)),
        rec(INET, inet(REMOTE, NLB_PUB) / TCP(sport=41010, dport=80, flags="A", seq=1001),
            step=400000))
    s["seq_nlb_udp"] = multi(
        rec(VPC, vpc(APP, NLB) / UDP(sport=41011, dport=53) / Raw(b"d")),
        rec(VPC, ARP_ANSWER, reply=True),
        rec(VPC, MIRROR, reply=True))
    s["seq_gwlb_endpoint"] = multi(
        rec(VPC, vpc(WEB, INSPECTED) / TCP(sport=42010, dport=80, **syn)),
        rec(APPL, ARP_ANSWER, reply=True),                              # resolve the appliance
        rec(APPL, MIRROR, reply=True),                                  # appliance returns it
        rec(INET, MIRROR, reply=True))
    s["seq_eip_in_gwlb"] = multi(
        rec(INET, inet(REMOTE, EIP) / TCP(sport=50010, dport=80, **syn)),
        rec(APPL, ARP_ANSWER, reply=True),
        rec(APPL, MIRROR, reply=True),
        rec(VPC, ARP_ANSWER, reply=True),
        rec(VPC, MIRROR, reply=True))
    s["seq_health_probes"] = multi(
        rec(VPC, vpc(WEB, "10.0.1.1") / ICMP(id=1), step=60000),
        rec(VPC, ARP_ANSWER, reply=True),
        rec(VPC, MIRROR, reply=True),
        rec(APPL, ARP_ANSWER, reply=True, step=5000),
        rec(APPL, MIRROR, reply=True))
    s["seq_sg_tracked"] = multi(
        rec(VPC, vpc(BASTION, WEB) / TCP(sport=43010, dport=22, **syn)),
        rec(VPC, ARP_ANSWER, reply=True),
        rec(VPC, MIRROR, reply=True),
        rec(VPC, vpc(BASTION, WEB) / TCP(sport=43010, dport=22, flags="F", seq=1001)))
    s["seq_arp_queue"] = multi(*[rec(VPC, vpc(WEB, "10.0.2.%d" % (50 + i)) /
                                     UDP(sport=9, dport=9), join=i > 0) for i in range(8)],
                               rec(VPC, ARP_ANSWER, reply=True, step=1000),
                               rec(VPC, b"", step=5000))
    # --- IPv6 (SPEC §7): ND, RA, echo, routing with extension headers, the
    # malformed chains the parser drops; app-a b02::/64 and app-b b03::/64
    # have no NACL (routed), public-a and private-a have one (dropped)
    from scapy.all import (ICMPv6EchoReply, ICMPv6EchoRequest, ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6ND_RS,
                           ICMPv6NDOptDstLLAddr, ICMPv6NDOptSrcLLAddr, IPv6ExtHdrDestOpt,
                           IPv6ExtHdrFragment, IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, fragment6)
    h6, h6b, r6 = "2600:1f18:a:b02::5", "2600:1f18:a:b03::7", "2600:1f18:a:b02::1"

    def v6(src, dst, l4, mac=HOST_MAC, hlim=64):
        return Ether(src=mac, dst=MAC[VPC]) / IPv6(src=src, dst=dst, hlim=hlim) / l4
    s["ip6_udp_route"] = single(VPC, v6(h6, h6b, UDP(sport=5000, dport=53) / Raw(b"q")))
    s["ip6_tcp_igw"] = single(VPC, v6(h6b, "2001:db8:1::5", TCP(sport=4000, dport=443, **syn)))
    s["ip6_inet_in"] = single(INET, Ether(src=NEXT_HOP_MAC, dst=MAC[INET]) /
                              IPv6(src="2001:db8:1::5", dst=h6b) / TCP(sport=443, dport=4000))
    s["ip6_filtered"] = single(VPC, v6("2600:1f18:a:b01::10", h6, UDP(sport=1, dport=2)))
    s["ip6_ext_chain"] = single(VPC, v6(h6, h6b, IPv6ExtHdrHopByHop() / IPv6ExtHdrRouting(
        type=4, segleft=0, addresses=[h6b]) / IPv6ExtHdrDestOpt() / UDP(sport=1, dport=2)))
    s["ip6_hop_limit"] = single(VPC, v6(h6, h6b, UDP(sport=1, dport=2), hlim=1))
    s["ip6_echo"] = single(VPC, v6(h6, r6, ICMPv6EchoRequest(id=1, seq=1, data=b"x" * 16)))
    s["ip6_ns"] = single(VPC, v6(h6, "ff02::1:ff00:1", ICMPv6ND_NS(tgt=r6) /
                                 ICMPv6NDOptSrcLLAddr(lladdr=HOST_MAC), hlim=255))
    s["ip6_rs"] = single(VPC, v6("fe80::1", "ff02::2", ICMPv6ND_RS() /
                                 ICMPv6NDOptSrcLLAddr(lladdr=HOST_MAC), hlim=255))
    s["ip6_na"] = single(VPC, v6(h6b, "fe80::ff:fe00:1", ICMPv6ND_NA(S=1, tgt=h6b) /
                                 ICMPv6NDOptDstLLAddr(lladdr=HOST_MAC), hlim=255))
    frags = fragment6(IPv6(src=h6, dst=h6b) / IPv6ExtHdrFragment(id=9) / UDP(sport=1, dport=2) /
                      Raw(b"f" * 1400), 600)
    s["ip6_fragments"] = multi(*[rec(VPC, bytes(Ether(src=HOST_MAC, dst=MAC[VPC]) / f), join=True)
                                 for f in frags])
    # unresolved next hop, then its NA (the wait queue)
    s["ip6_resolve"] = multi(
        rec(VPC, bytes(v6(h6, "2600:1f18:a:b03::99", UDP(sport=1, dport=2)))),
        rec(VPC, bytes(v6("2600:1f18:a:b03::99", "fe80::ff:fe00:1",
                          ICMPv6ND_NA(S=1, tgt="2600:1f18:a:b03::99") /
                          ICMPv6NDOptDstLLAddr(lladdr=HOST_MAC), hlim=255)), step=1000),
        rec(VPC, bytes(v6(h6, "2600:1f18:a:b03::98", UDP(sport=1, dport=2))), step=5000))
    # GWLB with IPv6 inner packets (app-a's ::/.. to 2001:db8:cafe::/48, the edge
    # table's b02::/64) and the dualstack NLB web6 (b00::100, target b02::10)
    s["seq_gwlb6_out"] = multi(
        rec(VPC, v6(h6, "2001:db8:cafe::1", TCP(sport=42020, dport=80, **syn))),
        rec(APPL, ARP_ANSWER, reply=True),
        rec(APPL, MIRROR, reply=True),
        rec(VPC, v6(h6, "2001:db8:cafe::1", TCP(sport=42020, dport=80, flags="A", seq=1001))))
    s["seq_gwlb6_in"] = multi(
        rec(INET, Ether(src=NEXT_HOP_MAC, dst=MAC[INET]) /
            IPv6(src="2001:db8:1::5", dst=h6) / UDP(sport=53, dport=5353) / Raw(b"in")),
        rec(APPL, ARP_ANSWER, reply=True),
        rec(APPL, MIRROR, reply=True))
    s["seq_nlb6"] = multi(
        rec(INET, Ether(src=NEXT_HOP_MAC, dst=MAC[INET]) /
            IPv6(src="2001:db8:1::5", dst="2600:1f18:a:b00::100") /
            TCP(sport=43000, dport=80, **syn)),
        rec(VPC, v6("2600:1f18:a:b02::10", "2001:db8:1::5",
                    TCP(sport=8080, dport=43000, flags="SA", seq=9, ack=1001))),
        rec(INET, Ether(src=NEXT_HOP_MAC, dst=MAC[INET]) /
            IPv6(src="2001:db8:1::5", dst="2600:1f18:a:b00::100") /
            TCP(sport=43000, dport=80, flags="A", seq=1001, ack=10)))
    # NAT64 (issue #16): app-a's table sends 64:ff9b::/96 to nat-a; the
    # replies to the NAT address (its port is the fuzzer's to find), an ICMP
    # error quoting a translated datagram, ICMPv6 NAT64 does not translate
    srv6, nat = "64:ff9b::c000:250", "198.51.100.10"
    s["seq_nat64"] = multi(
        rec(VPC, v6(h6, srv6, TCP(sport=42100, dport=443, **syn))),
        rec(VPC, v6(h6, srv6, UDP(sport=42101, dport=53) / Raw(b"q64"))),
        rec(VPC, v6(h6, srv6, ICMPv6EchoRequest(id=7, seq=1, data=b"ping64"))),
        rec(INET, inet("192.0.2.80", nat) / TCP(sport=443, dport=1024, flags="SA", seq=5,
                                                   ack=1001)),
        rec(INET, inet("192.0.2.80", nat) / UDP(sport=53, dport=1025) / Raw(b"a64")),
        rec(INET, inet("192.0.2.80", nat) / ICMP(type=0, id=1026, seq=1) / Raw(b"ping64")),
        rec(INET, inet("203.0.113.1", nat) / ICMP(type=3, code=4, nexthopmtu=1300) /
            IP(src=nat, dst="192.0.2.80", ttl=1) / UDP(sport=1025, dport=53)),
        rec(VPC, v6(h6, srv6, ICMPv6EchoReply(id=7, seq=1))))
    s["ip6_nat64_frag"] = single(VPC, Ether(src=HOST_MAC, dst=MAC[VPC]) /
                                 IPv6(src=h6, dst=srv6) / IPv6ExtHdrFragment(id=3, m=1) /
                                 UDP(sport=1, dport=2) / Raw(b"f" * 24))
    # NAT64 fragments both ways (the first carries the ports, the later ones
    # follow it), a RST for TCP of no connection, an orphan later fragment
    u64 = bytes(UDP(sport=42102, dport=53) / Raw(b"F" * 40))
    s["seq_nat64_frags"] = multi(
        rec(VPC, v6(h6, srv6, IPv6ExtHdrFragment(nh=17, id=0x10203, m=1) / Raw(u64[:24]))),
        rec(VPC, v6(h6, srv6, IPv6ExtHdrFragment(nh=17, id=0x10203, offset=3) /
                    Raw(u64[24:])), join=True),
        rec(INET, Ether(src=NEXT_HOP_MAC, dst=MAC[INET]) /
            IP(src="192.0.2.80", dst=nat, proto=17, id=77, flags="MF") /
            Raw(bytes(UDP(sport=53, dport=1024, len=48, chksum=0x1234)) + b"a" * 16)),
        rec(INET, Ether(src=NEXT_HOP_MAC, dst=MAC[INET]) /
            IP(src="192.0.2.80", dst=nat, proto=17, id=77, frag=3) / Raw(b"b" * 16),
            join=True),
        rec(VPC, v6(h6, srv6, IPv6ExtHdrFragment(nh=17, id=0x999, offset=3) / Raw(b"x" * 8))))
    s["ip6_nat64_rst"] = single(VPC, v6(h6, srv6, TCP(sport=42103, dport=80, flags="PA", seq=1,
                                                    ack=2) / Raw(b"late")))
    s["ip6_nlb6_rst"] = single(INET, Ether(src=NEXT_HOP_MAC, dst=MAC[INET]) /
                               IPv6(src="2001:db8:1::5", dst="2600:1f18:a:b00::100") /
                               TCP(sport=43001, dport=80, flags="P", seq=7) / Raw(b"data"))
    # the answer to a health probe of an IPv6 target (to a subnet's ::1, port 33000 + i)
    s["ip6_health_answer"] = single(VPC, v6("2600:1f18:a:b02::10", r6,
                                            TCP(sport=8080, dport=33000, flags="SA", seq=5,
                                                ack=1)))
    eth6 = bytes(Ether(src=HOST_MAC, dst=MAC[VPC], type=0x86dd))
    hdr = bytes(IPv6(src=h6, dst=h6b, nh=60, plen=16))
    s["ip6_ext_past_payload"] = single(VPC, eth6 + hdr + bytes([17, 3, 1, 4, 0, 0, 0, 0]) +
                                       bytes(UDP(sport=1, dport=2)))
    s["ip6_truncated"] = single(VPC, eth6 + hdr[:20])
    s["ip6_big_dstopt"] = single(VPC, eth6 + bytes(IPv6(src=h6, dst=h6b, nh=60, plen=2056)) +
                                 bytes([17, 255]) + bytes(2046) + bytes(UDP(sport=1, dport=2)))
    return s


CONFIG_MIN = """\
ports = ( { name = "p0"; devargs = "net_null0"; address = "10.0.0.1/24"; } );
vpc = { cidr = "10.0.0.0/16";
        subnets = ( { name = "s"; cidr = "10.0.0.0/24"; port = "p0"; } ); };
"""


def config_seeds():
    s = {}
    for name in ("examples/demo.cfg", "bench/configs/gwlb.cfg", "bench/configs/nat_10k.cfg",
                 "bench/configs/nlb_10k.cfg", "bench/configs/routing.cfg"):
        p = os.path.join(TOP, name)
        if os.path.exists(p):
            with open(p) as f:
                text = f.read()
            # bench configurations are templates (bench/run.sh fills them)
            for k, v in (("@MBUFS@", "8191"), ("@FLOWS@", "65536")):
                text = text.replace(k, v)
            text = re.sub(r"@IN(\d+)@", r"in\1.pcap", text)
            s[os.path.basename(name).replace(".cfg", "")] = text.encode()
    demo = s.get("demo", b"").decode()
    s["minimal"] = CONFIG_MIN.encode()
    s["empty"] = b""
    s["syntax_error"] = b"ports = ( { name = \"p0\"; ;\n"
    s["unknown_key"] = (CONFIG_MIN + "colour = \"blue\";\n").encode()
    s["bad_prefix"] = CONFIG_MIN.replace("10.0.0.0/24", "10.0.0.1/24").encode()
    s["vlan_overlap"] = (
        'ports = ( { name = "p0"; devargs = "net_null0"; address = "192.168.0.1/24"; } );\n'
        'vpcs = ( { name = "a"; cidr = "10.0.0.0/16"; subnets = ( { name = "a1"; '
        'cidr = "10.0.1.0/24"; port = "p0"; vlan = 10; } ); },\n'
        '  { name = "b"; cidr = "10.0.0.0/16"; subnets = ( { name = "b1"; '
        'cidr = "10.0.1.0/24"; port = "p0"; vlan = 20; } ); } );\n'
        'security_groups = ( { name = "s"; ingress = (); egress = (); } );\n'
        'interfaces = ( { address = "10.0.1.10"; vpc = "b"; security_groups = [ "s" ]; } );\n'
    ).encode()
    s["overlap"] = CONFIG_MIN.replace(
        '"p0"; } );', '"p0"; }, { name = "t"; cidr = "10.0.0.128/25"; port = "p0"; } );').encode()
    if demo:
        s["demo_dangling_ref"] = demo.replace('target = "nat-gateway:nat-a"',
                                              'target = "nat-gateway:nat-b"').encode()
        s["demo_big_numbers"] = demo.replace("idle_timeout = 350", "idle_timeout = 99999999999"
                                             ).replace("mtu = 9001", "mtu = -1").encode()
        s["demo_dup_names"] = demo.replace('name = "bastion"', 'name = "web"').encode()
        s["demo_bad_vpce"] = demo.replace("vpce-0a1b2c3d4e5f60718", "vpce-zz").encode()
    return s


def write(dirname, seeds):
    os.makedirs(dirname, exist_ok=True)
    for old in os.listdir(dirname):
        os.unlink(os.path.join(dirname, old))
    total = 0
    for name, data in sorted(seeds.items()):
        with open(os.path.join(dirname, name), "wb") as f:
            f.write(data)
        total += len(data)
    return total


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus")
    n1 = write(os.path.join(out, "packet"), packet_seeds())
    n2 = write(os.path.join(out, "config"), config_seeds())
    print("corpus: packet %d bytes, config %d bytes in %s" % (n1, n2, out))


if __name__ == "__main__":
    main()
