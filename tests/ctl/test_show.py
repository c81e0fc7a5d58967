#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""vpcgw-ctl show routes|neighbors and reload (issue #17) against a running
vpcgw: the routes listed (JSON and the aligned table, over several pages) are
those of the configuration file with their targets, the implicit local route
first; the neighbors are the static ones of the file (IPv4 and IPv6), a host
learned from its ARP request (reachable, its age growing) and an address asked
for and never answered (incomplete); `reload` of a changed file prints the new generation
and the new routes are listed, `reload` of a broken file exits 1 with the
reason and the running routes stay."""
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from ctltest import Gateway, base_config  # noqa: E402
from scapy.all import ARP, IP, UDP, Ether  # noqa: E402

CTL = os.path.join(os.path.dirname(__file__), "../../tools/vpcgw-ctl")
PRIVATE = [("0.0.0.0/0", "nat-gateway:nat-a"), ("192.0.2.0/24", "blackhole")]
# a third table of 40 routes: the listing takes two pages
MANY = [("172.16.%d.0/24" % i, "igw" if i % 2 else "blackhole") for i in range(40)]


def config(d, private, many=MANY):
    text = base_config(d, ", ".join('{ destination = "%s"; target = "%s"; }' % r
                                    for r in private))
    routes = ", ".join('{ destination = "%s"; target = "%s"; }' % r for r in many)
    # an IPv6 static neighbor (link-local) beside the IPv4 one
    text = text.replace('address = "198.51.100.1/24"; }',
                        'address = "198.51.100.1/24"; address6 = "2001:db8:1::1/64"; }')
    text = text.replace('neighbors = ( {', 'neighbors = ( { port = "internet"; address = '
                        '"fe80::1"; mac = "02:00:00:00:01:fd"; }, {')
    return text.replace('  { name = "private";',
                        '  { name = "many"; routes = ( %s ); },\n  { name = "private";' % routes)


def expected(private, many=MANY):
    out = []
    for name, routes in (("public", [("0.0.0.0/0", "igw")]), ("many", many),
                         ("private", private)):
        out.append((name, "10.0.0.0/16", "local", "implicit"))
        out += [(name, dst, tg, "config") for dst, tg in routes]
    return out


def ctl(gw, *args, check=True):
    r = subprocess.run(["/usr/bin/python3", CTL, "-p", gw.prefix] + list(args),
                       capture_output=True, text=True, timeout=60)
    if check:
        assert r.returncode == 0, (args, r.stdout, r.stderr)
    return r


def reload(gw):
    """vpcgw-ctl reload, with packets pushed meanwhile: a worker blocked on the
    FIFO must pass a quiescent state for the swap to end."""
    p = subprocess.Popen(["/usr/bin/python3", CTL, "-p", gw.prefix, "reload", "--wait", "30"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    while p.poll() is None:
        gw.flush()
        time.sleep(0.1)
    o, e = p.communicate()
    return p.returncode, o, e


def routes(gw, *args):
    return [(r["table"], r["destination"], r["target"], r["origin"])
            for r in json.loads(ctl(gw, "--json", "show", "routes", *args).stdout)]


def neighbors(gw):
    return {n["address"]: n for n in json.loads(ctl(gw, "--json", "show", "neighbors").stdout)}


def main():
    with Gateway(lambda d: config(d, PRIVATE), "show", args=["--exit-idle-ms", "60000"]) as gw:
        # routes: every page, equal to the file
        page0 = gw.telemetry("/vpcgw/routes")
        assert page0["matched"] == len(expected(PRIVATE)) > page0["per_page"], page0["matched"]
        assert routes(gw) == expected(PRIVATE), routes(gw)
        assert routes(gw, "private") == [r for r in expected(PRIVATE) if r[0] == "private"]
        text = ctl(gw, "show", "routes", "private").stdout.splitlines()
        assert text[0].split() == ["table", "destination", "target", "origin"], text
        assert [tuple(line.split()) for line in text[1:]] == \
            [r for r in expected(PRIVATE) if r[0] == "private"], text
        bad = ctl(gw, "show", "routes", "nosuchtable", check=False)
        assert bad.returncode != 0 and "no route table" in bad.stderr, bad.stderr

        # neighbors: static, learned from an ARP request, asked for and unanswered
        gw.flush()      # 32 ARP requests from 10.0.0.99 for the router
        gw.send(Ether(src="02:aa:0a:00:01:0a", dst="02:00:00:00:00:01") /
                IP(src="10.0.1.10", dst="10.0.0.50") / UDP(sport=5000, dport=53))
        gw.flush()
        gw.wait_for(lambda: "10.0.0.50" in neighbors(gw), "10.0.0.50 asked for")
        nb = neighbors(gw)
        st = nb["198.51.100.254"]
        assert (st["port"], st["mac"], st["state"]) == ("internet", "02:00:00:00:01:fe",
                                                        "static"), st
        assert "age_ms" not in st and st["family"] == "ipv4", st
        st6 = nb["fe80::1"]
        assert (st6["port"], st6["family"], st6["mac"], st6["state"]) == \
            ("internet", "ipv6", "02:00:00:00:01:fd", "static"), st6
        h = nb["10.0.0.99"]
        assert (h["port"], h["mac"], h["state"]) == ("vpc", "02:aa:00:00:00:99", "reachable"), h
        assert h["age_ms"] < 10000, h
        q = nb["10.0.0.50"]
        assert (q["port"], q["state"], q["mac"]) == ("vpc", "incomplete", "-"), q
        assert len([n for n in nb.values() if n["family"] == "ipv4"]) == \
            gw.telemetry("/vpcgw/config")["neighbors"], (nb, gw.telemetry("/vpcgw/config"))
        time.sleep(1.0)
        later = neighbors(gw)["10.0.0.99"]["age_ms"]
        assert later >= h["age_ms"] + 900, (h["age_ms"], later)
        text = ctl(gw, "show", "neighbors", "internet").stdout.splitlines()
        assert text[0].split() == ["port", "address", "mac", "state", "age_ms"], text
        assert [line.split() for line in text[1:]] == \
            [["internet", "198.51.100.254", "02:00:00:00:01:fe", "static", "-"],
             ["internet", "fe80::1", "02:00:00:00:01:fd", "static", "-"]], text

        # reload of a changed file: the new routes
        changed = [("0.0.0.0/0", "nat-gateway:nat-a"), ("192.0.2.0/25", "igw")]
        gw.write_config(config(gw.dir, changed, MANY[:3]))
        rc, o, e = reload(gw)
        assert rc == 0 and o.strip() == "configuration reloaded (generation 2)", (rc, o, e)
        assert routes(gw) == expected(changed, MANY[:3]), routes(gw)
        # a broken file: exit 1, the reason, the routes of generation 2 stay
        gw.write_config(config(gw.dir, changed, MANY[:3]).replace(
            'target = "nat-gateway:nat-a"', 'target = "nat-gateway:nat-b"'))
        rc, o, e = reload(gw)
        assert rc == 1 and "reload rejected:" in e and "nat-b" in e and "(generation 2) stays" \
            in e, (rc, o, e)
        assert routes(gw) == expected(changed, MANY[:3])
        st = gw.telemetry("/vpcgw/reload,status")
        assert (st["reloaded"], st["rejected"], st["generation"]) == (1, 1, 2), st
        gw.proc.send_signal(signal.SIGTERM)     # not the minute of --exit-idle-ms
    print("show routes, neighbors, reload: ok")


if __name__ == "__main__":
    main()
