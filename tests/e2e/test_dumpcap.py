# SPDX-License-Identifier: BSD-3-Clause
"""
e2e-dumpcap: dpdk-dumpcap captures the live traffic of a running vpcgw
(rte_pdump, issue #17), and the capture holds what was sent.

  ns inside  10.0.1.10/24 (private-a, gw 10.0.1.1) --- vpc port (net_tap0)
  ns inet    198.51.100.254/24 (the IGW next hop)  --- internet port (net_tap1)

dpdk-dumpcap is a DPDK secondary process: it can only attach to a primary
whose memory is in hugetlbfs files (docs/OBSERVABILITY.md, Capture), so this
test runs vpcgw on hugepages: it reserves the 2 MB pages it lacks
(nr_hugepages), mounts a hugetlbfs of its own, and gives both back at the
end; where pages cannot be had it skips (77).

Checks: 20 UDP datagrams with distinct payloads sent by the kernel of ns
inside are in the capture of both ports: as received on vpc (10.0.1.10 to
198.51.100.254, the payloads in order) and as sent on internet (from the NAT
address, same payloads, one source port, the NAT gateway's counter +20).
"""
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2etest  # noqa: E402
from e2etest import PY, check, log, run  # noqa: E402

NR = "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"
PAGES = 160                 # 320 MB: vpcgw's -m 256 and dumpcap's pool
NAT_ADDR = "198.51.100.10"
N = 20

CFG = """
dpdk = { workers = %(workers)d; mbufs = 4095; flow_table_size = 4096; };
ports = (
  { name = "vpc"; devargs = "%(vpc)s"; mac = "02:00:00:00:00:01"; address = "10.0.0.1/16";
    rx_queues = %(rxq)d; },
  { name = "internet"; devargs = "%(internet)s"; mac = "02:00:00:00:01:01";
    address = "198.51.100.1/24"; rx_queues = %(rxq)d; }
);
vpc = { cidr = "10.0.0.0/16";
  subnets = ( { name = "public-a"; cidr = "10.0.0.0/24"; port = "vpc"; route_table = "public"; },
              { name = "private-a"; cidr = "10.0.1.0/24"; port = "vpc";
                route_table = "private"; } ); };
internet_gateway = { port = "internet"; next_hop = "198.51.100.254"; };
route_tables = (
  { name = "public"; routes = ( { destination = "0.0.0.0/0"; target = "igw"; } ); },
  { name = "private"; routes = ( { destination = "0.0.0.0/0"; target = "nat-gateway:nat-a"; } ); }
);
nat_gateways = ( { name = "nat-a"; subnet = "public-a"; addresses = [ "%(nat)s" ]; } );
"""

SEND = """
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.0.1.10", 41234))
for i in range(%d):
    s.sendto(("dumpcap-%%s-%%02d" %% (sys.argv[1], i)).encode(), ("198.51.100.254", 7000))
    time.sleep(0.02)
""" % N


def free_pages():
    with open("/proc/meminfo") as f:
        return int(re.search(r"HugePages_Free:\s+(\d+)", f.read()).group(1))


class Hugepages:
    """PAGES free 2 MB pages and a hugetlbfs mount, given back by close()."""

    def __init__(self):
        self.added = 0
        self.mnt = None
        free = free_pages()
        if free < PAGES:
            with open(NR) as f:
                before = int(f.read())
            with open(NR, "w") as f:
                f.write(str(before + PAGES - free))
            with open(NR) as f:
                self.added = int(f.read()) - before
        if free_pages() < PAGES:
            self.close()
            raise OSError("%d free 2 MB hugepages, %d needed" % (free_pages(), PAGES))
        self.mnt = tempfile.mkdtemp(prefix="vpcgw-huge-")
        subprocess.run(["mount", "-t", "hugetlbfs", "-o", "pagesize=2M", "nodev", self.mnt],
                       check=True)

    def close(self):
        if self.mnt is not None:
            if subprocess.run(["umount", self.mnt]).returncode == 0:
                os.rmdir(self.mnt)
            self.mnt = None
        if self.added > 0:
            with open(NR) as f:
                now = int(f.read())
            with open(NR, "w") as f:
                f.write(str(max(0, now - self.added)))
            self.added = 0


def read_capture(path):
    from scapy.all import IP, UDP, rdpcap
    out = []
    for p in rdpcap(path):
        if IP in p and UDP in p and p[UDP].dport == 7000:
            out.append((p[IP].src, p[IP].dst, p[UDP].sport, bytes(p[UDP].payload)))
    return out


def body(env):
    huge = Hugepages()
    prefix = "vpcgwe2edc" + env.sfx
    try:
        e2etest.EAL_ARGS = ["--huge-dir", huge.mnt, "-m", "256", "--no-pci",
                            "--file-prefix", prefix, "--log-level", "lib.eal:error"]
        devargs = {"vpc": env.add_port("vpc"), "internet": env.add_port("internet")}
        inside = env.add_host("inside", "vpc", "10.0.1.10/24", gateway="10.0.1.1")
        env.add_host("inet", "internet", "198.51.100.254/24")
        env.start_vpcgw(CFG % dict(devargs, workers=env.workers, rxq=env.rxq(), nat=NAT_ADDR),
                        stats_interval=1)
        check("packet capture: dpdk-dumpcap --file-prefix %s" % prefix in env.logtext("vpcgw"),
              "vpcgw on hugepages says how to capture")
        # the ARP exchanges first, so that the capture holds the datagrams only
        r = env.sh(["ping", "-c", "2", "-i", "0.2", "-W", "2", "198.51.100.254"], ns=inside,
                   check_rc=False)
        check(r.returncode == 0, "ping inside -> 198.51.100.254 through the NAT")

        # one dpdk-dumpcap per port (22.11's takes the last -i only): two
        # secondary processes attached at once
        caps, dcs = {}, {}
        for port, dev in (("vpc", "net_tap0"), ("internet", "net_tap1")):
            caps[port] = os.path.join(env.dir, "dumpcap-%s.pcapng" % port)
            dcs[port] = env.spawn(env.gw, ["stdbuf", "-oL", "-eL", "dpdk-dumpcap",
                                           "--file-prefix", prefix, "-i", dev,
                                           "-w", caps[port]], "dumpcap-" + port)
        deadline = time.monotonic() + 20
        for port, dc in dcs.items():
            while "Capturing on" not in env.logtext("dumpcap-" + port):
                if dc.poll() is not None or time.monotonic() > deadline:
                    raise e2etest.TestFailure("dpdk-dumpcap did not attach to %s:\n%s" %
                                              (port, env.logtext("dumpcap-" + port)))
                time.sleep(0.1)
        env.wait_stats(lambda s: "nat-a" in s["nat"], "--stats-json written")
        nat0 = env.stats_now()["nat"]["nat-a"]["PacketsOutToDestination"]
        env.sh([PY, "-c", SEND, env.sfx], ns=inside)
        env.wait_stats(lambda s: s["nat"]["nat-a"]["PacketsOutToDestination"] >= nat0 + N,
                       "the NAT gateway sent the %d datagrams" % N)
        time.sleep(0.5)
        for port, dc in dcs.items():
            dc.send_signal(2)
            dc.wait(timeout=10)
            log("dumpcap %s: %s" % (port, env.logtext("dumpcap-" + port).strip()
                                    .replace("\n", " | ")))
        payloads = [("dumpcap-%s-%02d" % (env.sfx, i)).encode() for i in range(N)]
        inbound = read_capture(caps["vpc"])
        check([(s, d, sp) for s, d, sp, _ in inbound] == [("10.0.1.10", "198.51.100.254",
                                                           41234)] * N and
              [g[3] for g in inbound] == payloads,
              "capture of vpc: the %d datagrams as sent, in order (%d)" % (N, len(inbound)))
        outbound = read_capture(caps["internet"])
        check(len({g[2] for g in outbound}) == 1 and
              [(s, d) for s, d, _, _ in outbound] == [(NAT_ADDR, "198.51.100.254")] * N and
              [g[3] for g in outbound] == payloads,
              "capture of internet: the %d datagrams from the NAT address %s (%d)"
              % (N, NAT_ADDR, len(outbound)))
        env.stop_vpcgw()
    finally:
        env.close()
        huge.close()
        subprocess.run(["rm", "-rf", "/var/run/dpdk/" + prefix])


def main():
    if os.geteuid() == 0 and not os.path.exists("/usr/bin/dpdk-dumpcap"):
        log("no /usr/bin/dpdk-dumpcap (Debian package dpdk)")
        sys.exit(77)
    if os.geteuid() == 0 and not os.path.exists(NR):
        log("no 2 MB hugepages in this kernel")
        sys.exit(77)
    run("dumpcap", body_or_skip)


def body_or_skip(env):
    try:
        body(env)
    except OSError as e:
        if "hugepages" in str(e):
            log("skip: %s" % e)
            env.close()
            sys.exit(77)
        raise


if __name__ == "__main__":
    main()
