# SPDX-License-Identifier: BSD-3-Clause
"""
An 802.1Q access port in user space, for kernels without VLAN devices (no
8021q module, no bridge VLAN filtering, no tc vlan action, as the e2e VMs):

  vlan_relay.py --access IF --trunk IF --vlan N

Frames the host sends on ACCESS leave on TRUNK with tag N (priority 0);
frames with tag N that arrive on TRUNK leave on ACCESS untagged; everything
else is dropped. Run inside the gw namespace (tests/e2e/test_vlan.py).

The kernel takes the tag off a received frame into its metadata (it reaches
a packet socket in PACKET_AUXDATA), and a frame the host's stack sent on a
veth may carry a TCP/UDP checksum the offload has not finished
(TP_STATUS_CSUMNOTREADY): it is finished here, as a NIC would.
"""
import argparse
import select
import socket
import struct

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_AUXDATA = 8
TP_STATUS_CSUMNOTREADY = 0x8
TP_STATUS_VLAN_VALID = 0x10
PACKET_OUTGOING = 4


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s


def finish_l4(frame):
    """The TCP/UDP checksum of an untagged IPv4 frame, computed in full."""
    if len(frame) < 34 or frame[12:14] != b"\x08\x00":
        return frame
    ihl = (frame[14] & 0xf) * 4
    proto = frame[23]
    tot = struct.unpack("!H", frame[16:18])[0]
    l4 = frame[14 + ihl:14 + tot]
    off = {6: 16, 17: 6}.get(proto)
    if off is None or len(l4) < off + 2:
        return frame
    pseudo = frame[26:34] + struct.pack("!BBH", 0, proto, len(l4))
    l4 = l4[:off] + b"\0\0" + l4[off + 2:]
    c = (~csum(pseudo + l4)) & 0xffff
    if proto == 17 and c == 0:
        c = 0xffff
    l4 = l4[:off] + struct.pack("!H", c) + l4[off + 2:]
    return frame[:14 + ihl] + l4 + frame[14 + tot:]


def open_sock(ifname):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    s.bind((ifname, 0))
    return s


def recv(s):
    data, anc, _, addr = s.recvmsg(65536, socket.CMSG_SPACE(32))
    status, tci = 0, None
    for level, typ, val in anc:
        if level == SOL_PACKET and typ == PACKET_AUXDATA and len(val) >= 20:
            status, _, _, _, _, vtci, _ = struct.unpack("IIIHHHH", val[:20])
            if status & TP_STATUS_VLAN_VALID or vtci:
                tci = vtci
    return data, status, tci, addr[2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--access", required=True)
    ap.add_argument("--trunk", required=True)
    ap.add_argument("--vlan", type=int, required=True)
    a = ap.parse_args()
    acc, trk = open_sock(a.access), open_sock(a.trunk)
    tag = struct.pack("!HH", 0x8100, a.vlan)
    print("relay %s <-> %s vlan %d" % (a.access, a.trunk, a.vlan), flush=True)
    while True:
        for s in select.select([acc, trk], [], [])[0]:
            data, status, tci, pkttype = recv(s)
            if pkttype == PACKET_OUTGOING:
                continue
            if s is acc:
                if status & TP_STATUS_CSUMNOTREADY:
                    data = finish_l4(data)
                trk.send(data[:12] + tag + data[12:])
            elif tci is not None and tci & 0xfff == a.vlan:
                acc.send(data)
            elif tci is None and data[12:14] == b"\x81\x00" and \
                    struct.unpack("!H", data[14:16])[0] & 0xfff == a.vlan:
                acc.send(data[:12] + data[16:])


if __name__ == "__main__":
    main()
