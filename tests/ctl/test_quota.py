#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A VPC at AWS's default quotas (issue #22; tools/gen_quota_vpc.py: 200
subnets, 200 route tables of 50 routes, 200 NACLs of 20 rules each way, 2,500
security groups of 60 rules each way, 1,000 ENIs of 5 groups, 50 listeners,
1,000 targets, 300 appliances) loads, checks and reloads:

- --check passes it with the EAL arguments the test starts it with, and the
  DPDK memory vpcgw then uses is within the bound --check printed;
- 40 tracked TCP connections between ENIs of different subnets (NACLs,
  security groups, each subnet's route table) open, then carry data while
  a SIGHUP reloads a changed file (every route table differs): no packet is
  dropped, every packet is forwarded, no flow is created or lost by the reload;
- the same VPC one over each limit: --check names every limit with its
  file:line, and so does a start (exit 1); with too small a -m --check says
  so, and a start indeed fails.
Times are printed (docs/PERFORMANCE.md), not asserted."""
import os
import re
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from ctltest import VPCGW, Gateway  # noqa: E402
from scapy.all import IP, TCP, Ether, Raw  # noqa: E402

GEN = os.path.join(os.path.dirname(__file__), "../../tools/gen_quota_vpc.py")
EAL = ["--no-huge", "-m", "256", "--no-pci"]     # what ctltest.Gateway starts vpcgw with
M_VPC = "02:00:00:00:00:01"
N_FLOWS = 40


def generate(path, *args):
    subprocess.run(["/usr/bin/python3", GEN, "-o", path, *args], check=True)
    with open(path) as f:
        return f.read()


def quota_config(d):
    return generate(os.path.join(d, "gen.cfg"), "--neighbors", "--memory", "256",
                    "--devargs", "vpc=net_pcap0,rx_pcap=%s/vpc-in.fifo,tx_pcap=%s/vpc-out.pcap"
                    % (d, d),
                    "--devargs", "internet=net_pcap1,rx_pcap=%s/empty.pcap,tx_pcap=%s/inet-out.pcap"
                    % (d, d),
                    "--devargs", "appliances=net_pcap2,rx_pcap=%s/empty.pcap,tx_pcap=%s/app-out.pcap"
                    % (d, d))


def eni(s, k):
    return "10.0.%d.%d" % (s, 10 + k), "02:aa:0a:00:%02x:%02x" % (s, 10 + k)


def flow_ends(i):
    """Connection i: an ENI of subnet 1 + i to an ENI of subnet 100 + i."""
    return eni(1 + i, 0), eni(100 + i, 1)


def tcp(src, dst, sport, dport, flags, seq, ackn=0, data=b""):
    p = Ether(src=src[1], dst=M_VPC) / IP(src=src[0], dst=dst[0], ttl=64) / \
        TCP(sport=sport, dport=dport, flags=flags, seq=seq, ack=ackn)
    return p / Raw(data) if data else p


def stats(gw):
    return gw.telemetry("/vpcgw/stats")


def drops(st):
    return {k: v for k, v in st.items() if k.startswith("drops/") and v}


def run(*args, timeout=120):
    return subprocess.run([VPCGW, *args], capture_output=True, text=True, timeout=timeout)


def line_of(text, needle, nth=0):
    hits = [i + 1 for i, l in enumerate(text.split("\n")) if needle in l]
    return hits[nth]


def check_limits(d, problems):
    """One over each limit: every one reported at its line, by --check and by a start."""
    path = os.path.join(d, "over.cfg")
    text = generate(path, "--sgs", "2501", "--targets-per-group", "501", "--appliances", "1001",
                    "--listeners", "2501")
    want = [(line_of(text, 'name = "sg-2500";'), "security_groups[2500]"),
            (line_of(text, "port = 10500;"), "network_load_balancers[0].listeners[2500]"),
            (line_of(text, 'name = "tg-1"') + 500, "target_groups[1].targets[499]"),
            (line_of(text, '"192.168.51.242"'), "gateway_load_balancers[0].appliances[1000]")]
    for how in (["--check"], ["--exit-idle-ms", "0"]):
        r = run("-c", path, *how, "--", *EAL, "--file-prefix", "vpcgwtquota%d" % os.getpid())
        if r.returncode != 1:
            problems.append("%s over the limits: exit %d, want 1\n%s" % (how, r.returncode, r.stderr))
        for line, what in want:
            if "over.cfg:%d: %s: more than" % (line, what) not in r.stderr:
                problems.append("%s: no error at line %d about %s in:\n%s" %
                                (how, line, what, r.stderr))


def check_memory(d, problems):
    """-m 64 is too little: --check says so, and a start fails indeed."""
    cfg = os.path.join(d, "quota.cfg")
    generate(cfg)
    small = ["--no-huge", "-m", "64", "--no-pci", "--file-prefix", "vpcgwtquotam%d" % os.getpid()]
    r = run("-c", cfg, "--check", "--", *small)
    if r.returncode != 1 or "EAL arguments after --: -m 64 MB is less than" not in r.stderr:
        problems.append("--check with -m 64: exit %d\n%s" % (r.returncode, r.stderr))
    r = run("-c", cfg, "--exit-idle-ms", "0", "--", *small)
    if r.returncode != 2 or "raise -m" not in r.stderr:
        problems.append("start with -m 64: exit %d, want 2 (out of memory)\n%s" %
                        (r.returncode, r.stderr))


def main():
    problems = []

    def check(cond, what):
        if not cond:
            problems.append(what)

    with Gateway(quota_config, "quota") as gw:
        out = gw.output()
        m = re.search(r"started in (\d+) ms .*DPDK memory ([\d.]+) MB in use "
                      r"\(--check's bound ([\d.]+) MB\)", out)
        check(m is not None, "no start line:\n" + out)
        if m:
            print("quota: started in %s ms, DPDK memory %s MB (bound %s MB)" % m.groups())
            check(float(m.group(2)) <= float(m.group(3)),
                  "DPDK memory %s MB over --check's bound %s MB" % (m.group(2), m.group(3)))
        r = run("-c", gw.cfg, "--check", "--", *EAL)
        mb = re.search(r"needed at most (\d+) MB \(-m 256 MB\)", r.stdout)
        check(r.returncode == 0 and "configuration valid" in r.stdout and mb is not None,
              "--check of the running configuration: %s" % (r,))

        # 40 connections open: SYN, SYN-ACK, ACK
        n_sent = 0
        for i in range(N_FLOWS):
            c, s = flow_ends(i)
            for p in (tcp(c, s, 40000 + i, 80, "S", 1000),
                      tcp(s, c, 80, 40000 + i, "SA", 5000, 1001),
                      tcp(c, s, 40000 + i, 80, "A", 1001, 5001)):
                gw.send(p)
                n_sent += 1
        gw.flush()
        gw.wait_for(lambda: stats(gw)["totals/rx"] >= n_sent, "the handshakes", timeout=60)
        st = stats(gw)
        created = st["flows/by_service/security_group/created"]
        check(created == N_FLOWS, "%d tracked flows, want %d" % (created, N_FLOWS))
        check(not drops(st), "before the reload: drops %s" % drops(st))

        # a changed file (every route table differs), reloaded under traffic
        text = open(gw.cfg).read()
        gw.write_config(text.replace('target = "blackhole"', 'target = "igw"'))
        gw.proc.send_signal(signal.SIGHUP)
        seq = [1001] * N_FLOWS
        rounds = 0
        while True:
            for i in range(N_FLOWS):
                c, s = flow_ends(i)
                gw.send(tcp(c, s, 40000 + i, 80, "PA", seq[i], 5001, b"data"))
                seq[i] += 4
                n_sent += 1
            rounds += 1
            if rounds >= 4 and gw.telemetry("/vpcgw/config")["generation"] == 2:
                break
            check(rounds < 2000, "no reload after %d rounds" % rounds)
            if rounds >= 2000:
                break
        # one more round after it, both ways
        for i in range(N_FLOWS):
            c, s = flow_ends(i)
            gw.send(tcp(c, s, 40000 + i, 80, "PA", seq[i], 5001, b"after"))
            gw.send(tcp(s, c, 80, 40000 + i, "PA", 5001, seq[i] + 5, b"reply"))
            n_sent += 2
        gw.flush()
        gw.wait_for(lambda: stats(gw)["totals/rx"] >= n_sent, "the traffic", timeout=60)
        st = stats(gw)
        check(not drops(st), "drops %s" % drops(st))
        check(st["totals/forwarded"] == n_sent,
              "forwarded %d of %d" % (st["totals/forwarded"], n_sent))
        check(st["flows/by_service/security_group/created"] == N_FLOWS,
              "flows created by the reload: %d" % st["flows/by_service/security_group/created"])
        check(st["flows/active"] == N_FLOWS, "active flows %d" % st["flows/active"])
        m = re.search(r"reloaded \(generation 2\) in (\d+) ms", gw.output())
        check(m is not None, "no reload line:\n" + gw.output())
        if m:
            print("quota: reloaded in %s ms under traffic (%d data rounds of %d flows during it)"
                  % (m.group(1), rounds, N_FLOWS))
    st = gw.stats()
    t = st["totals"]
    check(t["rx"] == t["forwarded"] + t["local"] + t["drops"], "accounting %s" % t)
    with tempfile.TemporaryDirectory(prefix="vpcgw-quota-") as d:
        check_memory(d, problems)
        check_limits(d, problems)
    if problems:
        print("quota: FAIL")
        for p in problems:
            print("  - " + p[:3000])
        sys.exit(1)
    print("quota: ok (AWS-quota VPC checked, started, reloaded under traffic with no packet "
          "or flow lost; every limit and a short -m reported with file:line)")


if __name__ == "__main__":
    main()
