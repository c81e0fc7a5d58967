# SPDX-License-Identifier: BSD-3-Clause
"""Benchmark captures: 64-byte frames (60 bytes in the pcap, FCS excluded).

scapy builds one template frame per (protocol, flags); numpy stamps out the
N frames (addresses, ports, IPv4 and L4 checksums), so that captures of a
million flows take seconds instead of minutes. check() re-reads a sample
with scapy and verifies every checksum.
"""
import os
import struct

import numpy as np

FRAME = 60                      # 64 bytes on the wire with the FCS


def ip4(s):
    a = [int(x) for x in s.split(".")]
    return (a[0] << 24) | (a[1] << 16) | (a[2] << 8) | a[3]


def ip4s(v):
    return "%d.%d.%d.%d" % (v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255)


def template(proto, src_mac, dst_mac, tcp_flags="A"):
    """One 60-byte frame built by scapy: the fields numpy rewrites are zero."""
    from scapy.layers.inet import IP, TCP, UDP
    from scapy.layers.l2 import Ether

    eth = Ether(src=src_mac, dst=dst_mac)
    if proto == "udp":
        pkt = eth / IP(src="0.0.0.0", dst="0.0.0.0", ttl=64, id=0) / UDP(sport=0, dport=0)
    else:
        pkt = eth / IP(src="0.0.0.0", dst="0.0.0.0", ttl=64, id=0) / \
            TCP(sport=0, dport=0, flags=tcp_flags, seq=1000, ack=2000, window=8192)
    raw = bytes(pkt)
    raw += b"\x00" * (FRAME - len(raw))
    # IPv4 total length covers the padding: it is payload, not Ethernet padding
    b = bytearray(raw)
    struct.pack_into(">H", b, 16, FRAME - 14)
    if proto == "udp":
        struct.pack_into(">H", b, 38, FRAME - 34)
    return np.frombuffer(bytes(b), dtype=np.uint8)


def _fold(s):
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    return s


def _words(a):
    """Rows of big-endian 16-bit words of a (N, even) uint8 array, summed."""
    w = a.astype(np.uint32)
    return (w[:, 0::2] << 8).sum(axis=1) + w[:, 1::2].sum(axis=1)


def frames(n, proto, src, dst, sport, dport, src_mac="02:00:00:00:aa:01",
           dst_mac="02:00:00:00:00:01", tcp_flags="A"):
    """n frames; src, dst (int), sport, dport: scalars or arrays of n."""
    t = template(proto, src_mac, dst_mac, tcp_flags)
    f = np.tile(t, (n, 1))

    def put32(off, v):
        v = np.broadcast_to(np.asarray(v, dtype=np.uint64), (n,)).astype(np.uint32)
        f[:, off:off + 4] = v.astype(">u4").view(np.uint8).reshape(n, 4)

    def put16(off, v):
        v = np.broadcast_to(np.asarray(v, dtype=np.uint64), (n,)).astype(np.uint16)
        f[:, off:off + 2] = v.astype(">u2").view(np.uint8).reshape(n, 2)

    put32(26, src)
    put32(30, dst)
    put16(34, sport)
    put16(36, dport)
    # IPv4 header checksum
    f[:, 24:26] = 0
    c = (~_fold(_words(f[:, 14:34]))) & 0xFFFF
    put16(24, c)
    # L4 checksum over the pseudo header and the segment
    l4len = FRAME - 34
    pnum = 17 if proto == "udp" else 6
    coff = 40 if proto == "udp" else 50
    f[:, coff:coff + 2] = 0
    s = _words(f[:, 26:34]) + pnum + l4len + _words(f[:, 34:FRAME])
    c = (~_fold(s)) & 0xFFFF
    if proto == "udp":
        c = np.where(c == 0, 0xFFFF, c)
    put16(coff, c)
    return f


def write_pcap(path, chunks, t0=1700000000):
    """pcap (microseconds), one frame per microsecond; chunks: (N, len)
    arrays (or one array), written in order. Returns the frame count."""
    if isinstance(chunks, np.ndarray):
        chunks = [chunks]
    first = 0
    with open(path + ".tmp", "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for f in chunks:
            n, ln = f.shape
            rec = np.zeros((n, 16 + ln), dtype=np.uint8)
            us = np.arange(first, first + n, dtype=np.uint64)
            hdr = np.zeros((n, 4), dtype="<u4")
            hdr[:, 0] = t0 + us // 1000000
            hdr[:, 1] = us % 1000000
            hdr[:, 2] = ln
            hdr[:, 3] = ln
            rec[:, :16] = hdr.view(np.uint8).reshape(n, 16)
            rec[:, 16:] = f
            rec.tofile(out)
            first += n
    os.replace(path + ".tmp", path)
    return first


def check(path, sample=64):
    """Re-read the first frames with scapy: lengths and checksums valid."""
    from scapy.layers.inet import IP, TCP, UDP
    from scapy.utils import PcapReader

    from scapy.layers.inet6 import IPv6

    with PcapReader(path) as r:
        for i, p in enumerate(r):
            if i >= sample:
                break
            if IPv6 in p:
                # scapy's frames (routing6): the UDP checksum over the pseudo header
                u = p[IPv6][UDP]
                got = u.chksum
                del u.chksum
                if IPv6(bytes(p[IPv6]))[UDP].chksum != got:     # recomputed
                    raise SystemExit("%s: frame %d: bad UDP checksum" % (path, i))
                continue
            ip = p[IP]
            l4 = ip[UDP] if UDP in ip else ip[TCP]
            got = (ip.chksum, l4.chksum)
            del ip.chksum
            del l4.chksum
            q = IP(bytes(ip))
            q4 = q[UDP] if UDP in q else q[TCP]
            # an 802.1Q tag (routing_vlan): 4 bytes more
            if (q.chksum, q4.chksum) != got or \
                    len(p) != FRAME + (4 if bytes(p)[12:14] == b"\x81\x00" else 0):
                raise SystemExit("%s: frame %d: bad checksum or length" % (path, i))
