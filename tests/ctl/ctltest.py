# SPDX-License-Identifier: BSD-3-Clause
"""Helpers for control-plane tests: a vpcgw fed through a FIFO (so the test
decides when each packet arrives), its telemetry socket, its output."""
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time

from scapy.all import ARP, IP, TCP, UDP, Ether, PcapWriter, Raw, rdpcap, wrpcap

VPCGW = os.environ.get("VPCGW", os.path.join(os.path.dirname(__file__), "../../build/vpcgw"))
# idle workers sleep rather than spin (tests/pcap/vpcgwtest.py says why);
# VPCGW_IDLE_SLEEP_US=0: spin
IDLE_ARGS = ["--idle-sleep-us", os.environ.get("VPCGW_IDLE_SLEEP_US", "1000")]


class Gateway:
    """vpcgw with a FIFO as the rx capture of port 0 ('vpc') and empty captures
    on the others. Use as a context manager: everything is stopped and removed."""

    def __init__(self, config_fn, name, args=()):
        self.dir = tempfile.mkdtemp(prefix="vpcgw-%s-" % name)
        self.prefix = "vpcgwt%s%d" % (name, os.getpid())
        self.fifo = os.path.join(self.dir, "vpc-in.fifo")
        os.mkfifo(self.fifo)
        wrpcap(os.path.join(self.dir, "empty.pcap"), [], linktype=1)
        self.cfg = os.path.join(self.dir, "gw.cfg")
        self.config_fn = config_fn
        self.write_config(config_fn(self.dir))
        self.proc = None
        self.writer = None
        self.log = os.path.join(self.dir, "vpcgw.log")
        self.args = [a.replace("@DIR@", self.dir) for a in args]

    def write_config(self, text):
        tmp = self.cfg + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.rename(tmp, self.cfg)

    def __enter__(self):
        self.logf = open(self.log, "w")
        self.proc = subprocess.Popen(
            [VPCGW, "-c", self.cfg, "--exit-idle-ms", "5000",
             "--stats-json", os.path.join(self.dir, "stats.json")] + IDLE_ARGS + self.args + ["--",
             "--no-huge", "-m", "256", "--no-pci", "--file-prefix", self.prefix,
             "--log-level", "lib.eal:error"],
            stdout=self.logf, stderr=subprocess.STDOUT)
        # opening the FIFO for writing waits for vpcgw to open it for reading
        deadline = time.time() + 20
        while True:
            try:
                fd = os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK)
                break
            except OSError:
                if time.time() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("vpcgw did not open its capture:\n" + self.output())
                time.sleep(0.05)
        os.set_blocking(fd, True)
        self.writer = PcapWriter(os.fdopen(fd, "wb", buffering=0), linktype=1, sync=True)
        self.writer._write_header(None)
        self.wait_for(lambda: os.path.exists(self.sock_path()), "telemetry socket")
        # commands exist once vpcgw has finished starting
        self.wait_for(lambda: self.telemetry("/vpcgw/config") is not None, "vpcgw running")
        return self

    def __exit__(self, *exc):
        try:
            if self.writer is not None:
                self.writer.close()
            if self.proc is not None:
                try:
                    self.proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    self.proc.send_signal(signal.SIGTERM)
                    self.proc.wait(timeout=10)
        finally:
            if self.proc is not None and self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self.logf.close()
            try:
                with open(os.path.join(self.dir, "stats.json")) as f:
                    self.final_stats = json.load(f)
            except (OSError, ValueError):
                self.final_stats = None
            try:
                with open(os.path.join(self.dir, "metrics.prom"), "rb") as f:
                    self.final_prom = f.read()
            except OSError:
                self.final_prom = None
            if exc[0] is not None:
                print(self.output())
            if os.environ.get("VPCGW_KEEP") != "1":
                shutil.rmtree(self.dir, ignore_errors=True)
        return False

    def output(self):
        with open(self.log) as f:
            return f.read()

    def send(self, pkt):
        pkt.time = time.time()
        self.writer.write(pkt)

    def flush(self):
        """net_pcap reads a burst of 32 before it returns, and blocks on an
        empty FIFO: 32 harmless packets (ARP requests for the router, answered
        and counted as local) push what was sent before through the worker."""
        for i in range(32):
            self.send(Ether(src="02:aa:00:00:00:99", dst="ff:ff:ff:ff:ff:ff") /
                      ARP(op=1, hwsrc="02:aa:00:00:00:99", psrc="10.0.0.99", pdst="10.0.0.1"))

    def sock_path(self):
        return "/var/run/dpdk/%s/dpdk_telemetry.v2" % self.prefix

    def telemetry(self, cmd):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        s.settimeout(10)
        s.connect(self.sock_path())
        try:
            json.loads(s.recv(16384))
            s.send(cmd.encode())
            return json.loads(s.recv(65536))[cmd.split(",")[0]]
        finally:
            s.close()

    def wait_for(self, cond, what, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if cond():
                    return
            except (OSError, ValueError, KeyError):
                pass
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError("vpcgw exited while waiting for %s:\n%s" % (what, self.output()))
            time.sleep(0.05)
        raise AssertionError("timed out waiting for %s\n%s" % (what, self.output()))

    def stats(self):
        """The --stats-json vpcgw wrote at exit (after the with block)."""
        return self.final_stats

    # --- one packet at a time, counted (self.n_sent: packets the worker got) ---

    def one(self, pkt):
        """pkt, then a flush to push it through the worker."""
        self.n_sent = getattr(self, "n_sent", 0) + 1
        self.send(pkt)
        self.flush()
        self.n_sent += 32

    def stat(self, key):
        return self.telemetry("/vpcgw/stats")[key]

    def settle(self, what):
        """Until the worker has taken every packet sent (whole bursts)."""
        n = getattr(self, "n_sent", 0) // 32 * 32
        self.wait_for(lambda: self.stat("totals/rx") >= n, what)
        time.sleep(0.2)

    def reload_to(self, text, gen):
        """Write text as the configuration, SIGHUP, until generation gen runs."""
        self.write_config(text)
        self.proc.send_signal(signal.SIGHUP)
        self.flush()
        self.n_sent = getattr(self, "n_sent", 0) + 32
        self.wait_for(lambda: self.telemetry("/vpcgw/config")["generation"] == gen,
                      "generation %d" % gen)


def base_config(d, private_routes):
    """SPEC §2's VPC, trimmed to what the control tests need, with port 0's
    capture a FIFO."""
    return """
dpdk = { eal_args = [ "--no-huge", "-m", "256", "--no-pci" ]; workers = 1; mbufs = 4095;
         flow_table_size = 4096; };
ports = (
  { name = "vpc"; devargs = "net_pcap0,rx_pcap=%(d)s/vpc-in.fifo,tx_pcap=%(d)s/vpc-out.pcap";
    mac = "02:00:00:00:00:01"; address = "10.0.0.1/16"; },
  { name = "internet"; devargs = "net_pcap1,rx_pcap=%(d)s/empty.pcap,tx_pcap=%(d)s/inet-out.pcap";
    mac = "02:00:00:00:01:01"; address = "198.51.100.1/24"; }
);
neighbors = ( { port = "internet"; address = "198.51.100.254"; mac = "02:00:00:00:01:fe"; } );
vpc = { cidr = "10.0.0.0/16";
  subnets = ( { name = "public-a"; cidr = "10.0.0.0/24"; port = "vpc"; route_table = "public"; },
              { name = "private-a"; cidr = "10.0.1.0/24"; port = "vpc"; route_table = "private"; } ); };
internet_gateway = { port = "internet"; next_hop = "198.51.100.254"; };
route_tables = (
  { name = "public"; routes = ( { destination = "0.0.0.0/0"; target = "igw"; } ); },
  { name = "private"; routes = ( %(routes)s ); }
);
nat_gateways = ( { name = "nat-a"; subnet = "public-a"; addresses = [ "198.51.100.10" ]; } );
""" % {"d": d, "routes": private_routes}


# --- frames toward the router's port mac (the tests' "vpc" port), and what left ---

def tcp_to(router_mac, mac, src, dst, sport, dport, flags, seq, ackn=0, data=b""):
    p = Ether(src=mac, dst=router_mac) / IP(src=src, dst=dst, ttl=64) / \
        TCP(sport=sport, dport=dport, flags=flags, seq=seq, ack=ackn)
    return p / Raw(data) if data else p


def udp_to(router_mac, mac, src, dst, data, sport=5000, dport=53):
    return Ether(src=mac, dst=router_mac) / IP(src=src, dst=dst, ttl=64) / \
        UDP(sport=sport, dport=dport) / Raw(data)


def sent_l4(gw, pcap="vpc-out.pcap"):
    """(source, destination, TCP/UDP payload) of each TCP or UDP packet out."""
    res = []
    for p in rdpcap(os.path.join(gw.dir, pcap)):
        if IP in p and (TCP in p or UDP in p):
            res.append((p[IP].src, p[IP].dst, bytes((p[TCP] if TCP in p else p[UDP]).payload)))
    return res
