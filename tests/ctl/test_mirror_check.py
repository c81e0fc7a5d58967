#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""traffic_mirror_sessions (issue #21) through `vpcgw --check`: a good session
on the demo configuration passes (exit 0); bad ones are refused, each problem
at its file:line with what and why (exit 1): a target not on its port's link,
an unknown source ENI, a session_number used twice for one source (the
session after it is still checked), and more than 64 sessions (the data
path's counters)."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from ctltest import VPCGW  # noqa: E402

DEMO = os.path.join(os.path.dirname(__file__), "../../examples/demo.cfg")


def session(name, source="eni:10.0.1.10", target="10.0.0.99", number=1, port="vpc"):
    return ("""  { name = "%s"; source = "%s";
    target = { address = "%s"; port = "%s"; }; vni = 7;
    filter = { outbound = ( { rule = 1; protocol = "all"; cidr = "0.0.0.0/0";
                              action = "accept"; } ); };
    session_number = %d; }""" % (name, source, target, port, number))


def check(d, name, text):
    path = os.path.join(d, name)
    with open(path, "w") as f:
        f.write(text)
    r = subprocess.run([VPCGW, "-c", path, "--check"], capture_output=True, text=True,
                       cwd=os.path.dirname(DEMO))
    return path, r.returncode, r.stderr + r.stdout


def main():
    with open(DEMO) as f:
        demo = f.read()
    base = demo.count("\n") + 1     # the section's first line
    with tempfile.TemporaryDirectory() as d:
        _, rc, out = check(d, "plain.cfg", demo)
        assert rc == 0, out
        # good: two sessions on one ENI, another on a second ENI
        good = demo + "traffic_mirror_sessions = (\n%s,\n%s,\n%s );\n" % (
            session("a"), session("b", number=2), session("c", source="eni:10.0.1.11"))
        _, rc, out = check(d, "good.cfg", good)
        assert rc == 0, out
        assert "traffic_mirror" not in out, out
        # bad: each session is 5 lines, the list opens on line `base`
        bad = demo + "traffic_mirror_sessions = (\n%s,\n%s,\n%s,\n%s );\n" % (
            session("off-link", target="192.0.2.9"),
            session("no-eni", source="eni:10.0.1.77"),
            session("first", number=3),
            session("twice", number=3))
        path, rc, out = check(d, "bad.cfg", bad)
        assert rc == 1, out
        want = [
            '%s:%d: traffic_mirror_sessions[0].target.address: target.address 192.0.2.9 is '
            'not a host on port "vpc"\'s prefix (the VXLAN receiver must be on the link)' %
            (path, base + 2),
            '%s:%d: traffic_mirror_sessions[1].source: no interface has address 10.0.1.77 '
            '(interfaces[].address)' % (path, base + 6),
            '%s:%d: traffic_mirror_sessions[3].session_number: session_number 3 already used '
            'for this source by "first"' % (path, base + 20),
        ]
        for w in want:
            assert w in out.splitlines(), "missing %r in:\n%s" % (w, out)
        # 65 sessions: one more than the data path counts
        many = demo + "traffic_mirror_sessions = (\n%s );\n" % ",\n".join(
            session("s%d" % i, number=i + 1) for i in range(65))
        path, rc, out = check(d, "many.cfg", many)
        assert rc == 1, out
        w = ('%s:%d: traffic_mirror_sessions[64]: more than 64 traffic mirror sessions' %
             (path, base + 1 + 64 * 5))
        assert w in out.splitlines(), "missing %r in:\n%s" % (w, out)
    print("ok")


main()
