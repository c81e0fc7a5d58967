# SPDX-License-Identifier: BSD-3-Clause
"""
One connection attempt, run inside a namespace by the e2e tests; prints one
JSON object.

  probe.py tcp HOST PORT [--src ADDR] [--sport PORT] [--timeout S] [--data TEXT]
          [--http PATH]
      connect (from PORT when --sport: bound with SO_REUSEADDR, so a port
      whose last connection has closed can be used again at once); on
      success send TEXT + newline and read one line of answer; with --http,
      send "GET PATH HTTP/1.0" and read to the end: "reply" is the body's
      last line. result: connected (with "reply", "" if none came), refused
      (a RST came back), timeout (nothing came back), error.
  probe.py udp HOST PORT [...]
      send TEXT in one datagram from a connected socket, wait for one.
      result: reply, refused (an ICMP port unreachable), timeout, error.
"""
import argparse
import json
import socket
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("proto", choices=["tcp", "udp"])
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--src", default=None)
    ap.add_argument("--sport", type=int, default=0)
    ap.add_argument("--http", default=None)
    ap.add_argument("--timeout", type=float, default=3.0)
    ap.add_argument("--data", default="ping")
    a = ap.parse_args()
    out = {"proto": a.proto, "dst": "%s:%d" % (a.host, a.port)}
    t0 = time.monotonic()
    kind = socket.SOCK_STREAM if a.proto == "tcp" else socket.SOCK_DGRAM
    s = socket.socket(socket.AF_INET, kind)
    s.settimeout(a.timeout)
    try:
        if a.sport:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if a.src or a.sport:
            s.bind((a.src or "0.0.0.0", a.sport))
        s.connect((a.host, a.port))
        out["src"] = "%s:%d" % s.getsockname()
        if a.proto == "tcp" and a.http:
            out["result"] = "connected"
            s.sendall(("GET %s HTTP/1.0\r\n\r\n" % a.http).encode())
            buf = b""
            try:
                while True:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    buf += chunk
            except socket.timeout:
                pass
            body = buf.partition(b"\r\n\r\n")[2].decode(errors="replace").strip()
            out["reply"] = body.splitlines()[-1] if body else ""
        elif a.proto == "tcp":
            out["result"] = "connected"
            s.sendall((a.data + "\n").encode())
            buf = b""
            try:
                while not buf.endswith(b"\n"):
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    buf += chunk
            except socket.timeout:
                pass
            out["reply"] = buf.decode(errors="replace").strip()
        else:
            s.send(a.data.encode())
            out["reply"] = s.recv(65535).decode(errors="replace")
            out["result"] = "reply"
    except socket.timeout:
        out["result"] = "timeout"
    except ConnectionRefusedError:
        out["result"] = "refused"
    except OSError as e:
        out["result"] = "error"
        out["error"] = str(e)
    finally:
        s.close()
    out["seconds"] = round(time.monotonic() - t0, 3)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
