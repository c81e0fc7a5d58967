#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Telemetry returns everything: on a configuration with 1,000 ENIs and 500
security groups (far past DPDK 22.11's 256 entries and 16 kB a reply), every
/vpcgw command read page by page holds exactly the keys and counters of
--stats-json, no reply crosses DPDK's limits, and the section filters
(/vpcgw/stats,eni and /vpcgw/stats,sg,PAGE) and /vpcgw/flows,SERVICE answer
what they are asked."""
import json
import os
import re
import socket
import sys

sys.path.insert(0, os.path.dirname(__file__))
from ctltest import Gateway  # noqa: E402
from scapy.all import ARP, IP, UDP, Ether  # noqa: E402

N_ENIS = 1000
N_SGS = 500
# long names: 253 entries of security_groups/<name>/allowed exceed 16 kB, so
# pages must be cut by size too, not only by count
PAD = "-" + "x" * 52


def sg(i):
    return "sg-%03d%s" % (i, PAD)
META = ("page", "pages", "entries")


def eni_addr(i):
    return "10.0.%d.%d" % (17 + i // 250, 1 + i % 250)


def config(d):
    sgs = ",\n".join(
        '  { name = "%s"; ingress = ( { protocol = "tcp"; ports = "%d"; '
        'source = "10.0.0.0/16"; } ); egress = ( { protocol = "all"; '
        'destination = "0.0.0.0/0"; } ); }' % (sg(i), 1000 + i) for i in range(N_SGS))
    enis = ",\n".join(
        '  { address = "%s"; security_groups = [ "%s"%s ]; }'
        % (eni_addr(i), sg(i % N_SGS), ', "%s"' % sg((i + 7) % N_SGS) if i % 3 == 0 else "")
        for i in range(N_ENIS))
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
              { name = "big"; cidr = "10.0.16.0/20"; port = "vpc"; route_table = "private"; } ); };
internet_gateway = { port = "internet"; next_hop = "198.51.100.254"; };
route_tables = (
  { name = "public"; routes = ( { destination = "0.0.0.0/0"; target = "igw"; } ); },
  { name = "private"; routes = ( { destination = "0.0.0.0/0"; target = "nat-gateway:nat-a"; } ); }
);
nat_gateways = ( { name = "nat-a"; subnet = "public-a"; addresses = [ "198.51.100.10" ]; } );
security_groups = (
%(sgs)s
);
interfaces = (
%(enis)s
);
""" % {"d": d, "sgs": sgs, "enis": enis}


class Raw:
    """The telemetry socket, with the raw reply kept to check its size."""

    def __init__(self, gw):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.s.settimeout(10)
        self.s.connect(gw.sock_path())
        hello = json.loads(self.s.recv(16384))
        self.max_len = hello["max_output_len"]

    def get(self, cmd):
        self.s.send(cmd.encode())
        raw = self.s.recv(1 << 20)
        assert len(raw) < self.max_len, "%s: reply of %d bytes reached the limit %d" % (
            cmd, len(raw), self.max_len)
        reply = json.loads(raw)[cmd.split(",")[0]]
        assert reply is not None, "%s: error reply" % cmd
        assert len(reply) <= 256, "%s: %d entries" % (cmd, len(reply))
        return reply

    def all_pages(self, cmd, section=None):
        """Every page of cmd: the union of the counters, checked for overlap."""
        out = {}
        pfx = cmd + "," + (section + "," if section else "")
        first = self.get(cmd + ("," + section if section else ""))
        pages = first["pages"]
        for p in range(pages):
            d = first if p == 0 else self.get(pfx + str(p))
            assert d["page"] == p and d["pages"] == pages, (cmd, p, d["page"], d["pages"])
            body = {k: v for k, v in d.items() if k not in META}
            if p < pages - 1:
                assert body, "%s page %d of %d empty" % (cmd, p, pages)
            dup = set(body) & set(out)
            assert not dup, "%s page %d repeats %s" % (cmd, p, sorted(dup)[:5])
            out.update(body)
        assert len(out) == first["entries"], (cmd, len(out), first["entries"])
        # past the last page: only the page's own keys
        past = self.get(pfx + str(pages))
        assert set(past) == set(META), past
        return out, pages


def flatten(obj, prefix=""):
    """--stats-json as telemetry keys: path joined by '/', every byte not in
    [A-Za-z0-9_/] a '_' (docs/OBSERVABILITY.md)."""
    out = {}
    for k, v in obj.items():
        key = prefix + re.sub(rb"[^A-Za-z0-9_]", b"_", k.encode()).decode()
        if isinstance(v, dict):
            out.update(flatten(v, key + "/"))
        else:
            out[key] = v
    return out


def main():
    with Gateway(config, "pages") as gw:
        src = [eni_addr(i) for i in (0, 1, 999)]
        for i, a in enumerate(src):
            gw.send(Ether(src="02:aa:00:00:00:10", dst="02:00:00:00:00:01") /
                    IP(src=a, dst="93.184.216.34") / UDP(sport=4000 + i, dport=53))
        # net_pcap hands packets on by bursts of 32: 64 in all, every one seen
        # now, so that the counters read here are those written at exit
        for i in range(32 - len(src)):
            gw.send(Ether(src="02:aa:00:00:00:99", dst="ff:ff:ff:ff:ff:ff") /
                    ARP(op=1, hwsrc="02:aa:00:00:00:99", psrc="10.0.0.99", pdst="10.0.0.1"))
        gw.flush()
        gw.wait_for(lambda: gw.telemetry("/vpcgw/stats")["totals/rx"] == 64, "64 packets")
        raw = Raw(gw)
        got, pages = {}, {}
        for cmd in ("/vpcgw/stats", "/vpcgw/ports", "/vpcgw/nat", "/vpcgw/nlb", "/vpcgw/gwlb"):
            d, pages[cmd] = raw.all_pages(cmd)
            got.update(d)
        assert pages["/vpcgw/stats"] > 20, pages
        # the section filters give the same counters as the pages of everything
        enis, n_eni = raw.all_pages("/vpcgw/stats", "eni")
        sgs, n_sg = raw.all_pages("/vpcgw/stats", "sg")
        assert enis == {k: v for k, v in got.items() if k.startswith("interfaces/")}, "eni"
        assert sgs == {k: v for k, v in got.items() if k.startswith("security_groups/")}, "sg"
        assert len(enis) == N_ENIS * 4 and len(sgs) == N_SGS * 2, (len(enis), len(sgs))
        assert n_eni > 1 and n_sg > 1, (n_eni, n_sg)
        for i, a in enumerate(src):
            k = "interfaces/%s/flows_created" % a.replace(".", "_")
            assert enis[k] == 1, (k, enis[k])
        # an unknown section or a malformed page is an error, not everything
        for bad in ("/vpcgw/stats,nonesuch", "/vpcgw/stats,eni,x", "/vpcgw/flows,bogus"):
            raw.s.send(bad.encode())
            assert json.loads(raw.s.recv(1 << 20))[bad.split(",")[0]] is None, bad
        # /vpcgw/flows honours its parameter
        nat = raw.get("/vpcgw/flows,nat")
        sg = raw.get("/vpcgw/flows,security_group")
        every = raw.get("/vpcgw/flows")
        assert "flows/by_service/nat/active" in nat and \
            "flows/by_service/security_group/active" not in nat, nat
        assert list(k for k in sg if k.startswith("flows/by_service/")) == [
            "flows/by_service/security_group/active", "flows/by_service/security_group/created",
            "flows/by_service/security_group/deleted"], sg
        assert nat["flows/by_service/nat/created"] == 3, nat
        assert len([k for k in every if k.startswith("flows/by_service/")]) == 12, every
        raw.s.close()
    final = gw.stats()
    assert final is not None, "no --stats-json"
    want = flatten({k: v for k, v in final.items() if k != "time_ms"})
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    assert not missing, "telemetry lacks %d counters of --stats-json: %s" % (
        len(missing), missing[:10])
    assert not extra, "telemetry has keys --stats-json lacks: %s" % extra[:10]
    # idle_sleeps: the sleeps of an idle worker (--idle-sleep-us, which the
    # harness sets) go on between the last read and the exit
    moving = ("mbufs_in_use", "in_flight", "idle_sleeps")
    differ = [(k, got[k], want[k]) for k in want
              if isinstance(want[k], int) and not k.endswith(moving) and got[k] != want[k]]
    assert not differ, "counters differ: %s" % differ[:10]
    print("telemetry pages: ok (%d counters; /vpcgw/stats %d pages, eni %d, sg %d)" % (
        len(got), pages["/vpcgw/stats"], n_eni, n_sg))


if __name__ == "__main__":
    main()
