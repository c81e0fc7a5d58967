# SPDX-License-Identifier: BSD-3-Clause
"""
`python3 -m http.server` for the e2e namespaces, without its name lookup.

http.server's HTTPServer.server_bind() calls socket.getfqdn() on the bind
address: a reverse DNS query that, inside a test namespace, goes to the
host's resolver through vpcgw (and out of the NAT gateway) and waits for its
timeouts, seconds before the server listens. This is the same server
(ThreadingHTTPServer + SimpleHTTPRequestHandler, HTTP/1.0, one request per
connection, the same access log on stderr: "PEER - - [date] "GET ..."")
with the lookup left out.

  httpd.py PORT --bind ADDR --directory DIR
"""
import argparse
import functools
import http.server
import signal
import socketserver
import sys


class Server(http.server.ThreadingHTTPServer):
    def server_bind(self):
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = host
        self.server_port = port


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("--bind", default="0.0.0.0")
    ap.add_argument("--directory", default=".")
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=a.directory)
    Server.request_queue_size = 128
    with Server((a.bind, a.port), handler) as httpd:
        sys.stderr.write("serving %s on %s:%d\n" % (a.directory, a.bind, a.port))
        sys.stderr.flush()
        httpd.serve_forever()


if __name__ == "__main__":
    main()
