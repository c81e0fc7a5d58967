#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Per-flow counters (issue #17): /vpcgw/flows/list gives each flow's packets
and bytes each way (bytes from the IP header on, as AWS's flow logs count
them), its creation time and age. A security-group flow between two
instances (10.0.1.10, ENI "web", egress all; 10.0.2.20 in app-a): three
datagrams out, two replies back; a NAT flow to the internet: four datagrams
out, none back. Expected counts and byte totals come from the packets the
test builds, not from vpcgw."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from ctltest import Gateway  # noqa: E402
from scapy.all import IP, UDP, Ether, Raw  # noqa: E402
from test_telemetry import demo_config  # noqa: E402

VPC_MAC = "02:00:00:00:00:01"


def listing(gw, params):
    r = gw.telemetry("/vpcgw/flows/list" + params)
    assert "error" not in r, r
    return [r[k] for k in sorted((k for k in r if k.isdigit()), key=int)]


def main():
    out = [Ether(src="02:aa:0a:00:01:0a", dst=VPC_MAC) /
           IP(src="10.0.1.10", dst="10.0.2.20") / UDP(sport=6000, dport=5000) / Raw(b"x" * n)
           for n in (10, 20, 30)]
    back = [Ether(src="02:aa:0a:00:02:14", dst=VPC_MAC) /
            IP(src="10.0.2.20", dst="10.0.1.10") / UDP(sport=5000, dport=6000) / Raw(b"y" * n)
            for n in (5, 7)]
    nat = [Ether(src="02:aa:0a:00:01:0a", dst=VPC_MAC) /
           IP(src="10.0.1.10", dst="93.184.216.34") / UDP(sport=41000, dport=53) / Raw(b"q" * n)
           for n in (1, 2, 3, 4)]
    with Gateway(demo_config, "fcnt") as gw:
        # the first packet opens the flow: sent (and decided) before the rest
        gw.send(out[0])
        gw.flush()
        gw.wait_for(lambda: len(listing(gw, ",service=sg,addr=10.0.2.20")) == 1, "the SG flow")
        for p in out[1:] + back + nat:
            gw.send(p)
        gw.flush()

        def sg():
            fl = listing(gw, ",service=sg,addr=10.0.2.20")
            return fl[0] if len(fl) == 1 else {}
        gw.wait_for(lambda: sg().get("packets_reply") == len(back), "the replies counted")
        f = sg()
        assert f["original"] == "udp 10.0.1.10:6000 > 10.0.2.20:5000", f
        assert f["packets_original"] == len(out), f
        assert f["bytes_original"] == sum(len(p[IP]) for p in out), f
        assert f["bytes_reply"] == sum(len(p[IP]) for p in back), f
        assert "age_ms" in f and f["age_ms"] >= f.get("idle_ms", 0), f
        gw.wait_for(lambda: [x.get("packets_original") for x in
                             listing(gw, ",service=nat,addr=93.184.216.34")] == [len(nat)],
                    "the NAT flow's packets")
        n = listing(gw, ",service=nat,addr=93.184.216.34")[0]
        assert n["bytes_original"] == sum(len(p[IP]) for p in nat), n
        assert n["packets_reply"] == 0 and n["bytes_reply"] == 0, n
        ctl = os.path.join(os.path.dirname(__file__), "../../tools/vpcgw-ctl")
        o = subprocess.run(["/usr/bin/python3", ctl, "-p", gw.prefix, "flows", "service=sg"],
                           capture_output=True, text=True, timeout=60)
        assert o.returncode == 0, o.stderr
        row = [x for x in o.stdout.splitlines() if "10.0.1.10:6000 > 10.0.2.20:5000" in x]
        assert len(row) == 1 and row[0].split()[-2:] == [str(len(out)), str(len(back))], \
            o.stdout
    print("flow counters: ok (sg %d/%d packets, nat %d)" % (len(out), len(back), len(nat)))


if __name__ == "__main__":
    main()
