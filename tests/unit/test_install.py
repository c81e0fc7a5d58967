#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""meson install (issue #17) into a temporary --destdir: vpcgw, vpcgw-ctl, the
man pages vpcgw(8), vpcgw-ctl(8), vpcgw.cfg(5) (rendered by groff -ww without
a warning), the example configuration (the installed vpcgw --check accepts
it, and the example of vpcgw.cfg(5)), the defaults file and vpcgw@.service
(systemd-analyze verify without a word; config from SYSCONFDIR/vpcgw/%i.cfg,
reload through vpcgw-ctl, Restart=on-failure).

usage: test_install.py BUILD_DIR"""
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)
    print("ok: " + msg)


def main():
    build = sys.argv[1]
    opts = {o["name"]: o["value"] for o in json.loads(subprocess.run(
        ["meson", "introspect", build, "--buildoptions"], capture_output=True, text=True,
        check=True).stdout)}
    prefix = opts["prefix"]
    sysconf = os.path.join(prefix, opts["sysconfdir"])
    bindir = os.path.join(prefix, opts["bindir"])
    mandir = os.path.join(prefix, opts["mandir"])
    unitdir = opts["systemdunitdir"] or os.path.join(prefix, "lib/systemd/system")
    dest = tempfile.mkdtemp(prefix="vpcgw-install-")
    try:
        r = subprocess.run(["meson", "install", "-C", build, "--no-rebuild", "--quiet",
                            "--destdir", dest], capture_output=True, text=True)
        check(r.returncode == 0, "meson install --destdir %s (%s)" % (dest, r.stderr.strip()))

        def at(p):
            return dest + p

        for exe in ("vpcgw", "vpcgw-ctl"):
            st = os.stat(at(os.path.join(bindir, exe)))
            check(stat.S_ISREG(st.st_mode) and st.st_mode & 0o111,
                  "%s/%s installed, executable" % (bindir, exe))
        pages = [os.path.join(mandir, "man8/vpcgw.8"), os.path.join(mandir, "man8/vpcgw-ctl.8"),
                 os.path.join(mandir, "man5/vpcgw.cfg.5")]
        groff = shutil.which("groff")
        for page in pages:
            with open(at(page)) as f:
                text = f.read()
            check(not re.search(r"@[A-Z]+@", text) and "vpcgw 0." in text,
                  "%s installed, every @VARIABLE@ substituted" % page)
            if groff:
                r = subprocess.run([groff, "-ww", "-z", "-man", at(page)], capture_output=True,
                                   text=True)
                check(r.returncode == 0 and r.stderr == "", "groff -ww -man %s: no warning%s"
                      % (os.path.basename(page), r.stderr and ": " + r.stderr))
        example = os.path.join(sysconf, "vpcgw/example.cfg")
        vpcgw = at(os.path.join(bindir, "vpcgw"))
        r = subprocess.run([vpcgw, "-c", at(example), "--check"], capture_output=True,
                           text=True)
        check(r.returncode == 0 and "configuration valid" in r.stdout,
              "installed vpcgw --check accepts the installed %s (%s)" % (example,
                                                                           r.stderr.strip()))
        with open(at(example)) as f:
            broken = f.read().replace('target = "igw"', 'target = "igw-nope"')
        bad = os.path.join(dest, "broken.cfg")
        with open(bad, "w") as f:
            f.write(broken)
        r = subprocess.run([vpcgw, "-c", bad, "--check"], capture_output=True, text=True)
        check(r.returncode == 1 and re.search(r"broken\.cfg:\d+: route_tables\[0\]", r.stderr),
              "and rejects a broken copy with file:line (%s)" % r.stderr.strip()[:120])
        # the example of vpcgw.cfg(5) is a valid configuration too
        with open(at(pages[2])) as f:
            m = re.search(r"^\.SH EXAMPLE\n.*?^\.nf\n(.*?)^\.fi$", f.read(), re.S | re.M)
        man_ex = os.path.join(dest, "man-example.cfg")
        with open(man_ex, "w") as f:
            f.write(m.group(1).replace("\\-", "-"))
        r = subprocess.run([vpcgw, "-c", man_ex, "--check"], capture_output=True, text=True)
        check(r.returncode == 0, "vpcgw.cfg(5)'s EXAMPLE passes --check (%s)" % r.stderr.strip())
        r = subprocess.run([at(os.path.join(bindir, "vpcgw-ctl")), "--help"],
                           capture_output=True, text=True)
        check(r.returncode == 0 and "reload" in r.stdout, "installed vpcgw-ctl --help runs")
        check(os.path.isfile(at(os.path.join(sysconf, "default/vpcgw"))),
              "%s/default/vpcgw installed" % sysconf)

        unit = at(os.path.join(unitdir, "vpcgw@.service"))
        with open(unit) as f:
            u = f.read()
        keys = dict(re.findall(r"^(ExecStart|ExecReload|Restart|RestartPreventExitStatus)=(.*)$",
                               u, re.M))
        check(keys.get("ExecStart", "").startswith(
            "%s/vpcgw -c %s/vpcgw/%%i.cfg --file-prefix vpcgw-%%i " % (bindir, sysconf)),
            "vpcgw@.service: ExecStart runs %s/vpcgw -c %s/vpcgw/%%i.cfg" % (bindir, sysconf))
        check(keys.get("ExecReload") == "%s/vpcgw-ctl -p vpcgw-%%i reload" % bindir,
              "vpcgw@.service: ExecReload is vpcgw-ctl reload of the instance's prefix")
        check(keys.get("Restart") == "on-failure" and keys.get("RestartPreventExitStatus") == "1",
              "vpcgw@.service: Restart=on-failure, not after a bad configuration (exit 1)")
        check("EnvironmentFile=-%s/default/vpcgw-%%i" % sysconf in u and
              "$VPCGW_EAL_ARGS" in keys["ExecStart"],
              "vpcgw@.service: EAL arguments from %s/default/vpcgw-%%i" % sysconf)
        sa = shutil.which("systemd-analyze")
        if sa:
            # an instance of the template, its programs where the destdir has them
            inst = os.path.join(dest, "vpcgw@example.service")
            with open(inst, "w") as f:
                f.write(u.replace(bindir + "/", at(bindir) + "/"))
            r = subprocess.run([sa, "verify", "--man=no", inst], capture_output=True, text=True)
            check(r.returncode == 0 and (r.stdout + r.stderr).strip() == "",
                  "systemd-analyze verify vpcgw@.service: nothing to say%s"
                  % ((r.stdout + r.stderr).strip() and ": " + (r.stdout + r.stderr).strip()))
        else:
            print("note: no systemd-analyze, unit not verified")
    finally:
        shutil.rmtree(dest, ignore_errors=True)
    print("install: ok")


if __name__ == "__main__":
    main()
