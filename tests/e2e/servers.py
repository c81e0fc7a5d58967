# SPDX-License-Identifier: BSD-3-Clause
"""
Small line servers for the e2e tests, run inside a namespace.

  servers.py --name NAME [--tcp PORT]... [--udp PORT]... [--bind ADDR]

Every TCP connection and UDP datagram is logged to stdout as one JSON line
{"proto", "port", "peer"} (flushed at once, so the test sees which address
the kernel's socket reported as the peer), and answered with
"NAME PROTO/PORT PEER_ADDR:PEER_PORT\n" (TCP: after the first line the client
sends; UDP: one datagram back to the sender). Stops on SIGTERM.
"""
import argparse
import json
import selectors
import signal
import socket
import sys
import threading


def log(proto, port, peer):
    sys.stdout.write(json.dumps({"proto": proto, "port": port, "peer": "%s:%d" % peer}) + "\n")
    sys.stdout.flush()


def tcp_client(conn, peer, name, port):
    conn.settimeout(10)
    try:
        buf = b""
        while not buf.endswith(b"\n"):
            chunk = conn.recv(4096)
            if not chunk:
                break
            buf += chunk
        conn.sendall(("%s tcp/%d %s:%d\n" % (name, port, peer[0], peer[1])).encode())
    except OSError:
        pass
    finally:
        conn.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True)
    ap.add_argument("--tcp", type=int, action="append", default=[])
    ap.add_argument("--udp", type=int, action="append", default=[])
    ap.add_argument("--bind", default="0.0.0.0")
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    sel = selectors.DefaultSelector()
    for port in a.tcp:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((a.bind, port))
        s.listen(64)
        sel.register(s, selectors.EVENT_READ, ("tcp", port))
    for port in a.udp:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((a.bind, port))
        sel.register(s, selectors.EVENT_READ, ("udp", port))
    while True:
        for key, _ in sel.select():
            proto, port = key.data
            if proto == "tcp":
                conn, peer = key.fileobj.accept()
                log(proto, port, peer)
                threading.Thread(target=tcp_client, args=(conn, peer, a.name, port),
                                 daemon=True).start()
            else:
                data, peer = key.fileobj.recvfrom(65535)
                log(proto, port, peer)
                key.fileobj.sendto(("%s udp/%d %s:%d\n" % (a.name, port, peer[0], peer[1]))
                                   .encode(), peer)


if __name__ == "__main__":
    main()
