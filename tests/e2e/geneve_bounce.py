# SPDX-License-Identifier: BSD-3-Clause
"""
A GWLB appliance for the e2e tests: every UDP datagram received on port 6081
goes back to its sender unchanged (GENEVE header, options and inner IP
packet byte for byte), which is what an inspection appliance that lets
everything through does (SPEC §4: "The appliance returns the packet with the
GENEVE header and options unchanged"). It answers from port 6081 to the
source port it received (ports swapped, as testpmd's 5tswap does); AWS's
own appliance software keeps the source port and sends to 6081 instead,
which tests/e2e/test_gwlbtun.py covers.

It also reads what it bounces, to report it (never to change it): GENEVE
version 0, VNI 0, protocol type 0x0800 with an IPv4 packet or 0x86DD with an
IPv6 packet as the payload (SPEC §4: no inner Ethernet header), and the
options of class 0x0108 (type 1 endpoint ID, 8 bytes; type 2 attachment ID,
8 bytes; type 3 flow cookie, 4 bytes). On SIGTERM it prints one JSON line:
packets, bytes, malformed, the protocol types, endpoint IDs and attachment
IDs seen, the number of distinct cookies, inner IPv4 address pairs with
packet counts, and the largest datagram.

  geneve_bounce.py [--bind ADDR] [--port 6081] [--health-port N]

--health-port N also listens on TCP port N and accepts (then closes) every
connection, so vpcgw's TCP health probes find the appliance healthy.
"""
import argparse
import json
import selectors
import signal
import socket
import struct
import sys

OPT_CLASS = 0x0108


def parse(buf, st):
    """Fill st from one GENEVE datagram; False if it is not what SPEC §4 describes."""
    if len(buf) < 8:
        return False
    b0, b1, proto, vni = struct.unpack_from("!BBHI", buf, 0)
    ver, optlen = b0 >> 6, (b0 & 0x3F) * 4
    if ver != 0 or vni >> 8 != 0 or proto not in (0x0800, 0x86DD) or len(buf) < 8 + optlen:
        return False
    opts = {}
    off = 8
    while off < 8 + optlen:
        if off + 4 > 8 + optlen:
            return False
        cls, typ, ln = struct.unpack_from("!HBB", buf, off)
        ln = (ln & 0x1F) * 4
        if off + 4 + ln > 8 + optlen:
            return False
        if cls == OPT_CLASS:
            opts[typ & 0x7F] = buf[off + 4:off + 4 + ln]
        off += 4 + ln
    if len(opts.get(1, b"")) != 8 or len(opts.get(2, b"")) != 8 or len(opts.get(3, b"")) != 4:
        return False
    st["endpoints"].add("%016x" % struct.unpack("!Q", opts[1])[0])
    st["attachments"].add("%016x" % struct.unpack("!Q", opts[2])[0])
    st["cookies"].add(opts[3])
    inner = buf[8 + optlen:]
    if not inner or inner[0] >> 4 != (4 if proto == 0x0800 else 6):
        return False
    st["protocols"].add("0x%04x" % proto)
    if proto == 0x0800 and len(inner) >= 20:
        pair = "%s>%s" % (socket.inet_ntoa(inner[12:16]), socket.inet_ntoa(inner[16:20]))
        st["inner"][pair] = st["inner"].get(pair, 0) + 1
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bind", default="0.0.0.0")
    ap.add_argument("--port", type=int, default=6081)
    ap.add_argument("--health-port", type=int, default=0)
    a = ap.parse_args()
    st = {"packets": 0, "bytes": 0, "malformed": 0, "max_len": 0, "endpoints": set(),
          "attachments": set(), "cookies": set(), "inner": {}, "senders": set(),
          "protocols": set(), "health_accepts": 0}

    def report(*_):
        out = dict(st)
        for k in ("endpoints", "attachments", "senders", "protocols"):
            out[k] = sorted(st[k])
        out["cookies"] = len(st["cookies"])
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()
        sys.exit(0)

    signal.signal(signal.SIGTERM, report)
    sel = selectors.DefaultSelector()
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    u.bind((a.bind, a.port))
    sel.register(u, selectors.EVENT_READ, "udp")
    if a.health_port:
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        t.bind((a.bind, a.health_port))
        t.listen(16)
        sel.register(t, selectors.EVENT_READ, "tcp")
    sys.stdout.write("bouncing UDP %s:%d\n" % (a.bind, a.port))
    sys.stdout.flush()
    while True:
        for key, _ in sel.select():
            if key.data == "tcp":
                c, _ = key.fileobj.accept()
                c.close()
                st["health_accepts"] += 1
                continue
            buf, peer = u.recvfrom(65535)
            u.sendto(buf, peer)         # unchanged, to whoever sent it
            st["packets"] += 1
            st["bytes"] += len(buf)
            st["max_len"] = max(st["max_len"], len(buf))
            st["senders"].add(peer[0])
            if not parse(buf, st):
                st["malformed"] += 1


if __name__ == "__main__":
    main()
