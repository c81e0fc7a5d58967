#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""vpcgw-ctl (issue #17) against a running vpcgw: `show stats --json` holds
every counter of every page and agrees with the telemetry (rx counted for the
packets sent), `show stages` prints a line per stage, `show` of an unknown
section fails, `trace` prints the packets the gateway traced (a NAT gateway's
datagram: out of the internet port with the NAT address as source), and
`-p` with no such instance fails with a message."""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from ctltest import Gateway  # noqa: E402
from scapy.all import IP, UDP, Ether, Raw  # noqa: E402
from test_telemetry import demo_config  # noqa: E402
from test_telemetry_pages import config as big_config  # noqa: E402

CTL = os.path.join(os.path.dirname(__file__), "../../tools/vpcgw-ctl")


def ctl(gw, *args, check=True):
    r = subprocess.run(["/usr/bin/python3", CTL, "-p", gw.prefix] + list(args),
                       capture_output=True, text=True, timeout=60)
    if check:
        assert r.returncode == 0, (args, r.stdout, r.stderr)
    return r


def dgram(sport):
    return (Ether(src="02:aa:0a:00:01:0a", dst="02:00:00:00:00:01") /
            IP(src="10.0.1.10", dst="93.184.216.34") / UDP(sport=sport, dport=53) /
            Raw(b"q" * 20))


def main():
    with Gateway(demo_config, "ctl") as gw:
        for i in range(5):
            gw.send(dgram(43000 + i))
        gw.flush()
        gw.wait_for(lambda: gw.telemetry("/vpcgw/nat")["nat/nat_a/PacketsOutToDestination"] == 5,
                    "5 datagrams through the NAT gateway")
        st = json.loads(ctl(gw, "--json", "show", "stats").stdout)
        page0 = gw.telemetry("/vpcgw/stats")
        assert "page" not in st and "pages" not in st, sorted(st)[:5]
        assert len(st) == page0.get("entries", len(st)), (len(st), page0.get("entries"))
        assert st["totals/rx"] >= 5, st["totals/rx"]
        nat = json.loads(ctl(gw, "--json", "show", "nat").stdout)
        assert nat["nat/nat_a/PacketsOutToDestination"] == 5, nat
        out = ctl(gw, "show", "stages").stdout.splitlines()
        assert out[0].split()[:3] == ["stage", "calls", "packets"], out
        names = [line.split()[0] for line in out[1:]]
        assert names[0] == "eth_input" and "policy" in names and "ip_output" in names, names
        bad = ctl(gw, "show", "stats", "nosuchsection", check=False)
        assert bad.returncode != 0 and "no such" in bad.stderr, (bad.returncode, bad.stderr)
        tr = subprocess.Popen(["/usr/bin/python3", CTL, "-p", gw.prefix, "trace", "1",
                               "proto=udp", "sport=43100", "--wait", "30"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        gw.wait_for(lambda: gw.telemetry("/vpcgw/trace").get("waiting") == 1, "trace armed")
        gw.send(dgram(43100))
        gw.flush()
        o, e = tr.communicate(timeout=60)
        assert tr.returncode == 0, (o, e)
        lines = o.splitlines()
        assert lines[0] == "1 of 1 packets traced", lines
        assert "udp 10.0.1.10:43100 > 93.184.216.34:53" in lines[1], lines
        assert lines[2].strip().startswith("stages: eth_input > ip_input"), lines
        assert lines[3].strip().startswith("sent on internet via 198.51.100.254: udp 198.51.100.1"), lines
    # 1,000 ENIs and 500 security groups: /vpcgw/stats takes many pages
    with Gateway(big_config, "ctlp") as gw:
        page0 = gw.telemetry("/vpcgw/stats")
        assert page0["pages"] > 1, page0["pages"]
        st = json.loads(ctl(gw, "--json", "show", "stats").stdout)
        assert len(st) == page0["entries"], (len(st), page0["entries"])
        last = gw.telemetry("/vpcgw/stats,%d" % (page0["pages"] - 1))
        for k, v in last.items():
            if k not in ("page", "pages", "entries"):
                assert st[k] == v, (k, st.get(k), v)
    gone = subprocess.run(["/usr/bin/python3", CTL, "-p", "nosuchvpcgw%d" % os.getpid(),
                           "show", "stats"], capture_output=True, text=True, timeout=30)
    assert gone.returncode != 0 and "no telemetry socket" in gone.stderr, gone.stderr
    print("vpcgw-ctl: ok (%d counters)" % len(st))


if __name__ == "__main__":
    main()
