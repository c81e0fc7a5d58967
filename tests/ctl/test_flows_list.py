#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Flow listing (issue #17): /vpcgw/flows/list shows the live flows with both
keys (the reply key carries the NAT gateway's translation, SPEC §4), the
service and object, the TCP state and the timeout; filters by service,
proto, state, addr and port keep exactly the flows they name; pages of 32;
bad filters get an error."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from ctltest import Gateway  # noqa: E402
from scapy.all import IP, TCP, UDP, Ether, Raw  # noqa: E402
from test_telemetry import demo_config  # noqa: E402

NAT_ADDRS = ("198.51.100.10", "198.51.100.11")   # examples/demo.cfg nat-a


def flows(gw, params=""):
    r = gw.telemetry("/vpcgw/flows/list" + params)
    assert "error" not in r, r
    return r, [r[k] for k in sorted((k for k in r if k.isdigit()), key=int)]


def main():
    with Gateway(demo_config, "fls") as gw:
        def pkt(dst, l4):
            return (Ether(src="02:aa:0a:00:01:0a", dst="02:00:00:00:00:01") /
                    IP(src="10.0.1.10", dst=dst) / l4)

        gw.send(pkt("93.184.216.34", UDP(sport=41000, dport=53) / Raw(b"q")))
        gw.send(pkt("93.184.216.35", TCP(sport=42000, dport=443, flags="S")))
        for i in range(40):     # 40 more UDP flows: two pages
            gw.send(pkt("93.184.217.%d" % i, UDP(sport=43000 + i, dport=53)))
        gw.flush()
        gw.wait_for(lambda: flows(gw, ",service=nat")[0]["matched"] == 42, "42 NAT flows")
        r, fl = flows(gw, ",service=nat,proto=tcp")
        assert r["matched"] == 1 and len(fl) == 1, r
        f = fl[0]
        assert f["service"] == "nat" and f["object"] == "nat-a", f
        assert f["original"] == "tcp 10.0.1.10:42000 > 93.184.216.35:443", f
        m = re.fullmatch(r"tcp 93\.184\.216\.35:443 > ([\d.]+):(\d+)", f["reply"])
        assert m and m.group(1) in NAT_ADDRS, f
        assert f["state"] == "syn_sent" and f["timeout_s"] > 0, f
        r, fl = flows(gw, ",state=syn_sent")
        assert [x["original"] for x in fl] == [f["original"]], fl
        r, fl = flows(gw, ",addr=93.184.216.34,port=53")
        assert len(fl) == 1 and fl[0]["original"] == "udp 10.0.1.10:41000 > 93.184.216.34:53", fl
        assert fl[0]["state"] == "-", fl
        # the reply key's NAT address and port find the flow too
        r, fl = flows(gw, ",addr=%s,port=%s" % (m.group(1), m.group(2)))
        assert [x["original"] for x in fl] == [f["original"]], fl
        r0, p0 = flows(gw, ",service=nat")
        r1, p1 = flows(gw, ",service=nat,page=1")
        assert r0["per_page"] == 32 and len(p0) == 32 and len(p1) == 10, (len(p0), len(p1))
        allf = {x["original"] for x in p0 + p1}
        assert len(allf) == 42, len(allf)
        r, fl = flows(gw, ",addr=10.9.9.9")
        assert r["matched"] == 0 and fl == [], r
        # vpcgw-ctl reads every page
        ctl = os.path.join(os.path.dirname(__file__), "../../tools/vpcgw-ctl")
        out = subprocess.run(["/usr/bin/python3", ctl, "-p", gw.prefix, "flows", "service=nat"],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        lines = out.stdout.splitlines()
        assert lines[-1] == "42 flows" and len(lines) == 44, lines[-3:]
        assert any("tcp 10.0.1.10:42000 > 93.184.216.35:443" in x for x in lines), lines
        for bad, why in ((",colour=red", "one of"), (",service=dns", "bad value"),
                         (",addr=1.2.3", "bad value"), (",port=0", "bad value"),
                         (",state=open", "bad value"), ("nokey", "expected key=value")):
            e = gw.telemetry("/vpcgw/flows/list" + ("," + bad.lstrip(",")))
            assert why in e.get("error", ""), (bad, e)
    print("flows/list: ok (42 NAT flows, filters and pages)")


if __name__ == "__main__":
    main()
