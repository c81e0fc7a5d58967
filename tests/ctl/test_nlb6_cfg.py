#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Dualstack NLB configuration (SPEC §7): test_nlb6.py's topology passes
--check; each mistake gets `file:line: path: what and why` and exit 1:
preserve_client_ip true on an IPv4 group of a dualstack NLB (IPv6 clients
reach it translated, as AWS refuses), an ipv6 group on an IPv4-only NLB,
address6 without dualstack, dualstack without address6, address6 outside the
NLB's subnet, an ipv6 group's target outside every IPv6 subnet, a bad
ip_address_type."""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "../pcap"))
import test_nlb6  # noqa: E402
from vpcgwtest import render_top  # noqa: E402

VPCGW = os.environ.get("VPCGW", os.path.join(HERE, "../../build/vpcgw"))


def check(cfg, want=None):
    """--check of cfg (a dict); want: (text on the line, message part) or None (valid)."""
    cfg["ports"] = [dict(p, devargs="net_null%d" % i) for i, p in enumerate(cfg["ports"])]
    text = render_top(cfg)
    with tempfile.NamedTemporaryFile("w", suffix=".cfg", delete=False) as f:
        f.write(text)
        path = f.name
    try:
        r = subprocess.run([VPCGW, "-c", path, "--check"], capture_output=True, text=True,
                           timeout=60)
    finally:
        os.unlink(path)
    if want is None:
        assert r.returncode == 0, r.stderr
        return
    on_line, msg = want
    line = next(i for i, ln in enumerate(text.split("\n"), 1) if on_line in ln)
    expect = "%s:%d: " % (os.path.basename(path), line)
    assert r.returncode == 1, (want, r)
    hits = [ln for ln in r.stderr.splitlines() if expect in ln and msg in ln]
    assert hits, "expected %r with %r in:\n%s" % (expect, msg, r.stderr)
    print("ok: %s" % hits[0].split(": ", 1)[1])


def main():
    check(test_nlb6.config())
    c = test_nlb6.config()
    c["target_groups"][2]["preserve_client_ip"] = True
    check(c, ('target_group = "web4-tg"', 'needs preserve_client_ip = false'))
    c = test_nlb6.config()
    del c["network_load_balancers"][0]["ip_address_type"]
    del c["network_load_balancers"][0]["address6"]
    check(c, ('target_group = "web6-tg"', 'needs ip_address_type = "dualstack"'))
    c = test_nlb6.config()
    c["network_load_balancers"][0]["ip_address_type"] = "ipv4"
    check(c, ('address6 = "%s"' % test_nlb6.NLB6, 'address6 needs ip_address_type = "dualstack"'))
    c = test_nlb6.config()
    del c["network_load_balancers"][0]["address6"]
    check(c, ('ip_address_type = "dualstack"', 'needs address6'))
    c = test_nlb6.config()
    c["network_load_balancers"][0]["address6"] = test_nlb6.PFX + "1::100"
    check(c, ('address6 = "%s1::100"' % test_nlb6.PFX, 'is not inside subnet "lb-a"'))
    c = test_nlb6.config()
    c["target_groups"][0]["targets"][1]["address"] = "2001:db8:9::1"
    check(c, ('"2001:db8:9::1"', "is in no subnet's ipv6_cidr"))
    c = test_nlb6.config()
    c["target_groups"][0]["ip_address_type"] = "ipv5"
    check(c, ('"ipv5"', '"ipv5": one of "ipv4", "ipv6"'))
    print("nlb6 configuration: ok")


if __name__ == "__main__":
    main()
