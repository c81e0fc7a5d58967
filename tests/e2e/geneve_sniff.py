# SPDX-License-Identifier: BSD-3-Clause
"""
Watch the GENEVE datagrams (UDP port 6081) crossing an interface, both ways,
and report their format; read only (an AF_PACKET socket beside the stack,
which changes nothing of what the stack receives or sends).

For each IPv4/UDP frame to or from port 6081 it checks what SPEC §4 says of
GWLB's GENEVE, with geneve_bounce.parse(): version 0, VNI 0, protocol type
0x0800 with an IPv4 packet or 0x86DD with an IPv6 packet as the payload (no
inner Ethernet header), the three options of class 0x0108; and it measures
the bytes from the outer IPv4 header to the inner IP header (20 + 8 + 8 + 32
= 68 with AWS's options). On SIGTERM it prints one JSON line per direction
("in": received on the interface, "out": sent): packets, malformed, the
protocol types, the offsets of the inner IP header, the largest outer IPv4
packet, the UDP source and destination ports, the UDP checksums that were 0.

  geneve_sniff.py --iface eth0 [--port 6081]
"""
import argparse
import json
import signal
import socket
import struct
import sys

from geneve_bounce import parse

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", required=True)
    ap.add_argument("--port", type=int, default=6081)
    a = ap.parse_args()
    dirs = {d: {"packets": 0, "malformed": 0, "protocols": set(), "inner_offsets": set(),
                "max_ip_len": 0, "sports": set(), "dports": set(), "csum_zero": 0,
                "endpoints": set(), "attachments": set(), "cookies": set(), "inner": {},
                "senders": set()}
            for d in ("in", "out")}

    def report(*_):
        out = {}
        for d, st in dirs.items():
            o = dict(st)
            for k in ("protocols", "inner_offsets", "sports", "dports", "endpoints",
                      "attachments", "senders"):
                o[k] = sorted(st[k])
            o["cookies"] = len(st["cookies"])
            del o["inner"]
            out[d] = o
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()
        sys.exit(0)

    signal.signal(signal.SIGTERM, report)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind((a.iface, 0))
    sys.stdout.write("watching GENEVE on %s\n" % a.iface)
    sys.stdout.flush()
    while True:
        frame, addr = s.recvfrom(65535)
        if len(frame) < 14 + 20 + 8 or frame[12:14] != b"\x08\x00":
            continue
        ip = frame[14:]
        ihl = (ip[0] & 0x0F) * 4
        if ip[0] >> 4 != 4 or ip[9] != 17 or len(ip) < ihl + 8:
            continue
        sport, dport, ulen, csum = struct.unpack_from("!HHHH", ip, ihl)
        if a.port not in (sport, dport):
            continue
        st = dirs["out" if addr[2] == PACKET_OUTGOING else "in"]
        st["packets"] += 1
        st["max_ip_len"] = max(st["max_ip_len"], struct.unpack_from("!H", ip, 2)[0])
        st["sports"].add(sport)
        st["dports"].add(dport)
        st["senders"].add(socket.inet_ntoa(ip[12:16]))
        st["csum_zero"] += csum == 0
        payload = ip[ihl + 8:ihl + ulen]
        if not parse(payload, st):
            st["malformed"] += 1
            continue
        st["inner_offsets"].add(ihl + 8 + 8 + (payload[0] & 0x3F) * 4)


if __name__ == "__main__":
    main()
