#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""traffic_mirror_sessions (issue #21 part 2) loads in mirror/, but the data
path that makes the copies is not built: --check refuses a configuration with
a session at its file:line and exits 1, and the same configuration without
the section passes (exit 0), so no session is ever silently ignored."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from ctltest import VPCGW  # noqa: E402

DEMO = os.path.join(os.path.dirname(__file__), "../../examples/demo.cfg")
SESSION = """traffic_mirror_sessions = ( { name = "m"; source = "eni:10.0.1.10";
  target = { address = "10.0.0.99"; port = "vpc"; }; vni = 7;
  filter = { outbound = ( { rule = 1; protocol = "all"; cidr = "0.0.0.0/0";
                            action = "accept"; } ); };
  session_number = 1; } );
"""


def check(path):
    r = subprocess.run([VPCGW, "-c", path, "--check"], capture_output=True, text=True,
                       cwd=os.path.dirname(DEMO))
    return r.returncode, r.stderr + r.stdout


def main():
    with open(DEMO) as f:
        demo = f.read()
    with tempfile.TemporaryDirectory() as d:
        plain = os.path.join(d, "plain.cfg")
        with open(plain, "w") as f:
            f.write(demo)
        rc, out = check(plain)
        assert rc == 0, out
        assert "traffic_mirror" not in out, out
        mirrored = os.path.join(d, "mirror.cfg")
        with open(mirrored, "w") as f:
            f.write(demo + SESSION)
        line = demo.count("\n") + 1
        rc, out = check(mirrored)
        assert rc == 1, out
        want = ('%s:%d: traffic_mirror_sessions[0]: traffic mirroring is not in the data '
                'plane yet (docs/config.md "Traffic mirroring")' % (mirrored, line))
        assert want in out.splitlines(), out
    print("ok")


main()
