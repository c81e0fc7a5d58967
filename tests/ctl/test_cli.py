#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The command line of SPEC §1: --check, exit codes, errors with file:line."""
import os
import subprocess
import sys
import tempfile

VPCGW = os.environ.get("VPCGW", os.path.join(os.path.dirname(__file__), "../../build/vpcgw"))
DEMO = os.path.join(os.path.dirname(__file__), "../../examples/demo.cfg")


def run(*args, timeout=60):
    return subprocess.run([VPCGW, *args], capture_output=True, text=True, timeout=timeout)


def main():
    r = run("-c", DEMO, "--check")
    assert r.returncode == 0 and "valid" in r.stdout, r

    with open(DEMO) as f:
        lines = f.read().split("\n")
    # three independent mistakes on known lines
    idx_nat = next(i for i, l in enumerate(lines) if "nat-gateway:nat-a" in l)
    lines[idx_nat] = lines[idx_nat].replace("nat-gateway:nat-a", "nat-gateway:nat-b")
    idx_cidr = next(i for i, l in enumerate(lines) if 'name = "app-a"' in l)
    lines[idx_cidr] = lines[idx_cidr].replace('"10.0.2.0/24"', '"10.0.2.0/33"')
    idx_rule = next(i for i, l in enumerate(lines) if "rule = 110" in l)
    lines[idx_rule] = lines[idx_rule].replace("rule = 110", "rule = 100")
    with tempfile.NamedTemporaryFile("w", suffix=".cfg", delete=False) as f:
        f.write("\n".join(lines))
        bad = f.name
    try:
        r = run("-c", bad, "--check")
        assert r.returncode == 1, r
        err = r.stderr
        name = os.path.basename(bad)
        for line_no, what in ((idx_nat + 1, 'unknown NAT gateway "nat-b"'),
                              (idx_cidr + 1, "10.0.2.0/33"),
                              (idx_rule + 1, "100")):
            hit = [l for l in err.splitlines() if "%s:%d:" % (name, line_no) in l and what in l]
            assert hit, "no error at line %d about %s in:\n%s" % (line_no, what, err)
        # a bad file does not start the data plane either
        r = run("-c", bad)
        assert r.returncode == 1, r
    finally:
        os.unlink(bad)

    # an @include of a directory: an error with file and line (libconfig 1.5
    # would exit() on it), not a crash
    with tempfile.TemporaryDirectory() as d:
        os.mkdir(os.path.join(d, "sub"))
        with open(DEMO) as f:
            text = f.read()
        cfg = os.path.join(d, "inc.cfg")
        with open(cfg, "w") as f:
            f.write('@include "sub"\n' + text)
        r = run("-c", cfg, "--check")
        assert r.returncode == 1 and "inc.cfg:1: @include" in r.stderr, r

    r = run("--version")
    assert r.returncode == 0 and "vpcgw" in r.stdout, r
    r = run("--help")
    assert r.returncode == 0 and "--stats-json" in r.stdout, r
    for args in (("--bogus",), ("--check",), ("-c", DEMO, "--clock", "sundial"),
                 ("-c", DEMO, "--workers", "0"), ("-c", DEMO, "--exit-idle-ms", "-5"),
                 ("-c", "/nonexistent.cfg", "--check")):
        r = run(*args)
        assert r.returncode == 1 and r.stderr.strip(), (args, r)
    # a runtime failure (a capture that does not exist) is exit code 2 with a message
    with tempfile.TemporaryDirectory() as d:
        with open(DEMO) as f:
            text = f.read().replace("rx_pcap=vpc-in.pcap", "rx_pcap=%s/missing.pcap" % d)
        cfg = os.path.join(d, "x.cfg")
        with open(cfg, "w") as f:
            f.write(text.replace('"-m", "1024"', '"-m", "512"').replace(
                "flow_table_size = 1048576", "flow_table_size = 4096"))
        r = run("-c", cfg)
        assert r.returncode == 2 and "port vpc" in r.stderr, r
    print("cli: ok")


if __name__ == "__main__":
    main()
