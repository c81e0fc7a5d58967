#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The Debian package (issue #17): `dpkg-buildpackage -b -uc -us` on a copy of
the source tree builds vpcgw_VERSION_amd64.deb; `dpkg --root` installs it into
an empty root with a fresh dpkg database (--force-depends: the root has no
libc, the libraries come from the host, where every package the .deb
depends on must be installed); the installed vpcgw --check accepts the
installed example configuration and refuses a broken one; every library
vpcgw links is in a package the .deb depends on; the unit and the man pages
are where systemd and man look.

usage: test_deb.py SOURCE_DIR"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time


def check(cond, msg):
    if not cond:
        print("FAIL: " + msg)
        sys.exit(1)
    print("ok: " + msg)


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, **kw)


def main():
    src = os.path.abspath(sys.argv[1])
    for tool in ("dpkg-buildpackage", "dh", "fakeroot"):
        check(shutil.which(tool) is not None,
              "%s is installed (tools/setup.sh installs debhelper, dpkg-dev, fakeroot)" % tool)
    work = tempfile.mkdtemp(prefix="vpcgw-deb-")
    try:
        tree = os.path.join(work, "vpcgw")
        shutil.copytree(src, tree, symlinks=True, ignore=lambda d, names: [
            n for n in names if d == src and (n.startswith("build") or n.startswith("obj-") or
                                               n in (".git", "demo-out"))])
        env = dict(os.environ, DEB_BUILD_OPTIONS="parallel=2 nocheck noddebs",
                   LC_ALL="C.UTF-8")
        t0 = time.monotonic()
        r = run(["dpkg-buildpackage", "-b", "-uc", "-us"], cwd=tree, env=env)
        took = time.monotonic() - t0
        if r.returncode != 0:
            print(r.stdout[-4000:] + r.stderr[-4000:])
        check(r.returncode == 0, "dpkg-buildpackage -b -uc -us (%.0f s)" % took)
        debs = glob.glob(os.path.join(work, "vpcgw_*_amd64.deb"))
        check(len(debs) == 1, "one .deb: %s" % [os.path.basename(d) for d in debs])
        deb = debs[0]
        files = set(re.findall(r"\s\./(\S+)$", run(["dpkg", "-c", deb]).stdout, re.M))
        want = {"usr/bin/vpcgw", "usr/bin/vpcgw-ctl", "etc/vpcgw/example.cfg",
                "etc/default/vpcgw", "lib/systemd/system/vpcgw@.service",
                "usr/share/man/man8/vpcgw.8.gz", "usr/share/man/man8/vpcgw-ctl.8.gz",
                "usr/share/man/man5/vpcgw.cfg.5.gz"}
        check(want <= files, "the .deb holds %s (missing: %s)" % (sorted(want),
                                                                  sorted(want - files)))

        root = os.path.join(work, "root")
        for d in ("var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers",
                  "var/log"):
            os.makedirs(os.path.join(root, d))
        for f in ("var/lib/dpkg/status", "var/lib/dpkg/available"):
            open(os.path.join(root, f), "w").close()
        r = run(["dpkg", "--root=" + root, "--log=" + os.path.join(root, "var/log/dpkg.log"),
                 "--force-depends", "-i", deb])
        check(r.returncode == 0, "dpkg --root (empty root, fresh database) -i %s (%s)"
              % (os.path.basename(deb), r.stderr.strip().splitlines()[0] if r.returncode
                 else "ok"))
        st = run(["dpkg", "--root=" + root, "-s", "vpcgw"]).stdout
        check("Status: install ok installed" in st, "dpkg in the root: vpcgw installed")
        conf = re.findall(r"^ (/\S+) [0-9a-f]{32}$", st, re.M)
        check(sorted(conf) == ["/etc/default/vpcgw", "/etc/vpcgw/example.cfg"],
              "conffiles: %s" % conf)

        depends = re.search(r"^Depends: (.*)$", st, re.M).group(1)
        pkgs = [re.match(r"\s*([^ (|]+)", d).group(1) for d in depends.split(",")]
        missing = [p for p in pkgs if "install ok installed" not in
                   run(["dpkg-query", "-W", "-f=${Status}", p]).stdout]
        check(not missing, "the host has every package the .deb depends on (%s)" % missing)
        vpcgw = os.path.join(root, "usr/bin/vpcgw")
        needed = re.findall(r"NEEDED\s+(\S+)", run(["objdump", "-p", vpcgw]).stdout)
        ldd = dict(re.findall(r"^\s*(\S+) => (\S+)", run(["ldd", vpcgw]).stdout, re.M))
        owners = {}
        for so in needed:
            path = os.path.realpath(ldd.get(so, "/nonexistent"))
            for cand in (ldd.get(so, ""), path, path.replace("/usr/lib/", "/lib/")):
                o = run(["dpkg", "-S", cand]).stdout.split(":")[0]
                if o:
                    owners[so] = o
                    break
        stray = {so: owners.get(so) for so in needed if owners.get(so) not in pkgs}
        check(needed and not stray, "each of vpcgw's %d libraries is in a package it depends "
              "on (not: %s)" % (len(needed), stray))

        example = os.path.join(root, "etc/vpcgw/example.cfg")
        r = run([vpcgw, "-c", example, "--check"])
        check(r.returncode == 0 and "configuration valid" in r.stdout,
              "installed vpcgw --check on the installed example.cfg (%s)" % r.stderr.strip())
        bad = os.path.join(work, "bad.cfg")
        with open(example) as f, open(bad, "w") as g:
            g.write(f.read().replace('cidr = "10.0.1.0/24"', 'cidr = "10.9.1.0/24"'))
        r = run([vpcgw, "-c", bad, "--check"])
        check(r.returncode == 1 and re.search(r"bad\.cfg:\d+: vpc\.subnets\[1\]\.cidr", r.stderr),
              "and refuses a broken copy with file:line (%s)" % r.stderr.strip()[:100])
        r = run(["/usr/bin/python3", os.path.join(root, "usr/bin/vpcgw-ctl"), "--help"])
        check(r.returncode == 0 and "reload" in r.stdout, "installed vpcgw-ctl --help")
        with open(os.path.join(root, "lib/systemd/system/vpcgw@.service")) as f:
            unit = f.read()
        check("ExecStart=/usr/bin/vpcgw -c /etc/vpcgw/%i.cfg " in unit and
              "ExecReload=/usr/bin/vpcgw-ctl -p vpcgw-%i reload" in unit,
              "vpcgw@.service runs /usr/bin/vpcgw on /etc/vpcgw/%i.cfg, reloads with vpcgw-ctl")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("deb: ok")


if __name__ == "__main__":
    main()
