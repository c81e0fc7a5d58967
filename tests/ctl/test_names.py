#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Names are data: objects named with quotes, backslashes, braces and UTF-8
pass --check and come out intact in --stats-json (valid JSON) and
--prometheus-file (valid label values, read back by prometheus_client's
parser and by a strict line check), and as [A-Za-z0-9_/] keys in telemetry;
names with control characters or bytes that are not UTF-8 are refused by
--check with file:line and exit 1. The exposition follows Prometheus's
conventions: HELP and TYPE once per family before its samples, each family's
samples together, counters end in _total, gauges for what goes up and down."""
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from ctltest import VPCGW, Gateway  # noqa: E402
from test_telemetry import demo_config  # noqa: E402
from prometheus_client.parser import text_string_to_metric_families  # noqa: E402
from scapy.all import ARP, IP, TCP, Ether  # noqa: E402

# (name in the configuration file as libconfig writes it, the name itself)
NAT = ('nat\\"a\\\\b', 'nat"a\\b')
SG = ('w\u00e9b \\"\u7ec4\\" {x=\\"1\\"}', 'w\u00e9b "\u7ec4" {x="1"}')
NLB = ('web\\\\', 'web\\')
TG = ('tg,a=\\"1\\"}', 'tg,a="1"}')
PORT = ('vp\u00e7 #1', 'vp\u00e7 #1')


def hostile_config(d):
    text = demo_config(d)
    text = text.replace('"nat-a"', '"%s"' % NAT[0])
    text = text.replace('"nat-gateway:nat-a"', '"nat-gateway:%s"' % NAT[0])
    text = text.replace('{ name = "web";\n', '{ name = "%s";\n' % SG[0])
    text = text.replace('security_groups = [ "web" ]', 'security_groups = [ "%s" ]' % SG[0])
    text = text.replace('{ name = "web"; subnet', '{ name = "%s"; subnet' % NLB[0])
    text = text.replace('"web-tg"', '"%s"' % TG[0])
    text = text.replace('"vpc"', '"%s"' % PORT[0])
    for n in (NAT, SG, NLB, TG, PORT):
        assert n[0] in text, n
    return text


def check_refused():
    """Control characters and non-UTF-8 bytes: file:line, exit 1."""
    d = tempfile.mkdtemp(prefix="vpcgw-names-")
    base = demo_config(d)
    for lit, what in (('nat\\na', "a control character"), ('nat\\ta', "a control character"),
                      ('nat\\xffa', "a byte that is not UTF-8"),
                      ('nat\\xc3(', "a byte that is not UTF-8")):
        path = os.path.join(d, "bad.cfg")
        text = base.replace('"nat-a"', '"%s"' % lit)
        with open(path, "w") as f:
            f.write(text)
        line = text[:text.index('"%s"; subnet' % lit)].count("\n") + 1
        r = subprocess.run([VPCGW, "-c", path, "--check"], capture_output=True, text=True,
                           errors="replace")
        assert r.returncode == 1, (lit, r.returncode, r.stdout, r.stderr)
        want = "%s:%d: nat_gateways[0].name: name has %s" % (path, line, what)
        assert want in r.stderr, (want, r.stderr)
    os.unlink(os.path.join(d, "bad.cfg"))
    os.rmdir(d)


SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|'
                    r'\\[\\"n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*)?\})? '
                    r'(-?[0-9.]+(?:e[+-]?[0-9]+)?|NaN|[+-]Inf)$')


def check_exposition(text):
    """The text format line by line: every family has one HELP and one TYPE
    before its samples, its samples are together, counters end in _total."""
    types, done, current = {}, set(), None
    helps = set()
    for ln in text.split("\n")[:-1]:
        if ln.startswith("# HELP "):
            name = ln.split(" ")[2]
            assert name not in helps, "second HELP for " + name
            helps.add(name)
            continue
        if ln.startswith("# TYPE "):
            _, _, name, typ = ln.split(" ")
            assert name in helps and name not in types, "TYPE of %s: HELP first, once" % name
            assert typ in ("counter", "gauge"), ln
            types[name] = typ
            if current is not None:
                done.add(current)
            current = name
            continue
        if ln.startswith("#"):
            continue
        m = SAMPLE.match(ln)
        assert m, "not a sample line: %r" % ln
        name = m.group(1)
        assert name == current, "%s sampled outside its family (%s)" % (name, current)
        assert name not in done, name
        if types[name] == "counter":
            assert name.endswith("_total"), "counter without _total: " + name
    return types


def main():
    check_refused()
    with Gateway(hostile_config, "names",
                 args=["--prometheus-file", "@DIR@/metrics.prom"]) as gw:
        for i in range(5):
            gw.send(Ether(src="02:aa:0a:00:01:0a", dst="02:00:00:00:00:01") /
                    IP(src="10.0.1.10", dst="93.184.216.34") /
                    TCP(sport=40000 + i, dport=443, flags="S"))
        for i in range(27):
            gw.send(Ether(src="02:aa:00:00:00:99", dst="ff:ff:ff:ff:ff:ff") /
                    ARP(op=1, hwsrc="02:aa:00:00:00:99", psrc="10.0.0.99", pdst="10.0.0.1"))
        gw.flush()
        gw.wait_for(lambda: gw.telemetry("/vpcgw/nat")["nat/nat_a_b/ConnectionAttemptCount"] == 5,
                    "5 NAT connection attempts under the telemetry key nat/nat_a_b")
        st = gw.telemetry("/vpcgw/stats")
        k = "security_groups/w__b________x__1__/allowed"
        assert k in st, sorted(x for x in st if x.startswith("security_groups/"))
        assert "ports/vp____1/rx" in gw.telemetry("/vpcgw/ports")
    # JSON: valid, the names as they are
    js = gw.stats()
    assert js is not None, "stats.json is not JSON"
    assert js["nat"][NAT[1]]["ConnectionAttemptCount"] == 5, js["nat"]
    assert SG[1] in js["security_groups"], js["security_groups"].keys()
    assert NLB[1] in js["nlb"] and TG[1] in js["target_groups"], (js["nlb"], js["target_groups"])
    assert PORT[1] in js["ports"], js["ports"].keys()
    # Prometheus: a strict line check, then the client library's parser
    raw = gw.final_prom
    assert raw is not None, "no --prometheus-file"
    text = raw.decode("utf-8")
    types = check_exposition(text)
    fams = {f.name: f for f in text_string_to_metric_families(text)}
    for f in fams.values():
        assert f.documentation, "no HELP for " + f.name
        assert f.type in ("counter", "gauge"), (f.name, f.type)

    def samples(family, **labels):
        out = [s for s in fams[family].samples
               if all(s.labels.get(k) == v for k, v in labels.items())]
        assert out, (family, labels, fams[family].samples[:5])
        return out

    # label values come back as the names themselves
    assert samples("vpcgw_nat_connection_attempts", nat_gateway=NAT[1])[0].value == 5
    assert samples("vpcgw_nat_active_connections", nat_gateway=NAT[1])[0].value == 5
    samples("vpcgw_security_groups_allowed_packets", group=SG[1])
    samples("vpcgw_nlb_listeners_new_flows", nlb=NLB[1], listener="tcp:80")
    samples("vpcgw_target_groups_healthy_hosts", target_group=TG[1])
    samples("vpcgw_ports_rx_packets", port=PORT[1])
    # one family per metric, objects and reasons as labels
    drops = samples("vpcgw_drops")
    assert len(drops) > 40 and all(set(s.labels) == {"reason"} for s in drops), drops[:3]
    by_svc = samples("vpcgw_flows_by_service_active_flows")
    assert sorted(s.labels["service"] for s in by_svc) == ["gwlb", "nat", "nlb",
                                                           "security_group"], by_svc
    # gauges for what goes up and down, counters for what only grows
    for name in ("vpcgw_flows_active_flows", "vpcgw_nat_active_connections",
                 "vpcgw_nlb_listeners_active_flows", "vpcgw_nlb_listeners_lcu_consumed_lcus",
                 "vpcgw_gwlb_lcu_consumed_lcus", "vpcgw_target_groups_healthy_hosts",
                 "vpcgw_interfaces_active_flows", "vpcgw_totals_mbufs_in_use"):
        assert fams[name].type == "gauge" and types[name] == "gauge", name
    for name in ("vpcgw_drops", "vpcgw_ports_rx_packets", "vpcgw_nat_connection_attempts",
                 "vpcgw_nlb_new_flows", "vpcgw_gwlb_processed_bytes",
                 "vpcgw_interfaces_created_flows"):
        assert fams[name].type == "counter" and types[name + "_total"] == "counter", name
    print("names: ok (%d Prometheus families)" % len(fams))


if __name__ == "__main__":
    main()
