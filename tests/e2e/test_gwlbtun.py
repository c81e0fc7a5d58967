# SPDX-License-Identifier: BSD-3-Clause
"""
e2e-gwlbtun: the topology of test_gwlb.py with AWS's own appliance software
as the appliance: aws-gateway-load-balancer-tunnel-handler ("gwlbtun"), the
GENEVE handler AWS gives appliance vendors. It accepts only what AWS's GWLB
sends (SPEC §4: protocol type 0x0800/0x86DD, the payload the inner IP
packet, options of class 0x0108), so this is the proof that vpcgw's GWLB
speaks AWS's GENEVE, beside geneve_bounce.py (the fast case, which only
bounces datagrams).

  ns inet       198.51.100.254/24 (IGW next hop); client 203.0.113.50 and
                server 203.0.113.10 on lo
  ns instance   10.0.0.10/24 (subnet public-a), elastic IP 198.51.100.20
  ns appliance  192.168.50.10/24: gwlbtun -c passthrough-hook.sh -p 80 -d
                (GENEVE on UDP 6081, TCP 80 its health page)

gwlbtun is built from source with cmake, once for every test that uses it, into
the build tree (tests/e2e/gwlbtun-SRCHASH beside the vpcgw binary; never copied
into the project). Where the source is:

  VPCGW_GWLBTUN_SRC   gwlbtun's source tree; default <repo>/../shared/peers/
                      gwlbtun/src (the shared folder beside the project
                      clone on the development machines)
  VPCGW_GWLBTUN_HOOK  its create hook; default passthrough-hook.sh in the
                      folder above the source tree (<repo>/../shared/peers/
                      gwlbtun/passthrough-hook.sh)

A clean clone has no ../shared: then the test is skipped (exit 77) and says
so; so is it when cmake or g++ is missing and apt-get cannot install them
(tools/setup.sh installs both). Everything else missing is a failure.

The passthrough hook mirrors every packet gwlbtun writes to gwi-X (X: the
endpoint id in gwlbtun's base 60) out of gwo-X, which gwlbtun re-encapsulates
with the GENEVE header it received and returns to vpcgw: outer addresses
swapped, the source port it received kept, to port 6081, UDP checksum not
computed.

Checks: gwlbtun logs no refused packet ("Geneve Header not OK", "missing
GWLB options") and creates gwi-X/gwo-X for the configured endpoint id; HTTP
from the internet to the elastic IP (the instance sees the client's
address); 5 MB each way with sha256; the instance's own HTTP request to an
internet server (seen from the elastic IP); vpcgw's GWLB counters agree with
the traffic (new flows = the connections made, GENEVE packets and bytes
= what gwlbtun received, returns = what it sent back); full-size inner
packets (MTU 1432) fill 1500-byte outer packets; health checks against
gwlbtun's -p port: stopped, the appliance goes unhealthy and nothing passes;
started again, healthy and traffic passes again.
"""
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2etest  # noqa: E402
from e2etest import HTTPD, PY, check, log, run  # noqa: E402
import test_gwlb  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GWLBTUN_SRC = os.path.abspath(os.environ.get("VPCGW_GWLBTUN_SRC") or os.path.join(
    REPO, "..", "shared", "peers", "gwlbtun", "src"))
GWLBTUN_HOOK = os.path.abspath(os.environ.get("VPCGW_GWLBTUN_HOOK") or os.path.join(
    os.path.dirname(GWLBTUN_SRC), "passthrough-hook.sh"))

EIP = "198.51.100.20"
INSTANCE = "10.0.0.10"
CLIENT = "203.0.113.50"
SERVER = "203.0.113.10"
APPLIANCE = "192.168.50.10"
VPCE = "vpce-0a1b2c3d4e5f60718"
BLOB_MB = 5
INNER_MTU = 1500 - 68          # GENEVE's 68 bytes on a 1500-byte appliance port
GNV_HDR = 40                   # GENEVE header with the three AWS options
HC_INTERVAL, HC_TIMEOUT, HC_THRESHOLD = 5, 2, 2    # the shortest vpcgw takes

# test_gwlb.py's topology, with the health check spelled out (gwlbtun's -p port)
CFG = test_gwlb.CFG.replace(
    "interval = 5; timeout = 2;\n                     healthy_threshold = 2; unhealthy_threshold = 2;",
    "interval = %(hci)d; timeout = %(hct)d;\n"
    "                     healthy_threshold = %(hcn)d; unhealthy_threshold = %(hcn)d;")
assert "%(hci)d" in CFG, "test_gwlb.CFG's health check changed: update test_gwlbtun.CFG"


def skip(msg):
    log("SKIP e2e-gwlbtun: " + msg)
    sys.exit(77)


def ensure_toolchain():
    """cmake and g++, installed with apt-get when missing (as tools/setup.sh
    would); skip only when that is impossible."""
    need = [t for t in ("cmake", "g++", "make") if shutil.which(t) is None]
    if not need:
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("installing cmake g++ make (missing: %s)" % " ".join(need))
        envp = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        for args in (["apt-get", "update", "-qq"],
                     ["apt-get", "install", "-y", "-qq", "--no-install-recommends",
                      "cmake", "g++", "make"]):
            try:
                subprocess.run(args, env=envp, capture_output=True, timeout=600)
            except (OSError, subprocess.TimeoutExpired) as e:
                log("%s: %s" % (" ".join(args), e))
    need = [t for t in ("cmake", "g++", "make") if shutil.which(t) is None]
    if need:
        skip("cannot build gwlbtun: %s missing and apt-get could not install it "
             "(tools/setup.sh installs cmake and g++)" % " ".join(need))


def base60(v):
    """gwlbtun's name for an endpoint id in its tun interfaces (utils.cpp toBase60)."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    s = digits[v % 60]
    while v >= 60:
        v //= 60
        s = digits[v % 60] + s
    return s


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def gwlbtun_src_hash():
    """sha256 over the names and contents of every file of GWLBTUN_SRC."""
    h = hashlib.sha256()
    for top, dirs, files in os.walk(GWLBTUN_SRC):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(top, name)
            h.update(os.path.relpath(path, GWLBTUN_SRC).encode() + b"\0")
            with open(path, "rb") as f:
                h.update(f.read())
    return h.hexdigest()[:16]


def build_gwlbtun(env):
    """gwlbtun built with cmake from GWLBTUN_SRC, once per source for all the
    tests that use it: into the build tree's tests/e2e/gwlbtun-SRCHASH (beside
    vpcgw; the first test to need it builds it under a lock, in a temporary
    directory renamed into place), so six tests do not compile it six times."""
    import fcntl
    cache = os.path.join(os.path.dirname(os.path.abspath(os.environ.get("VPCGW") or
                                                         e2etest.vpcgw_path())),
                         "tests", "e2e")
    if not os.path.isdir(cache):
        cache = env.dir
    out = os.path.join(cache, "gwlbtun-" + gwlbtun_src_hash())
    exe = os.path.join(out, "gwlbtun")
    with open(os.path.join(cache, ".gwlbtun.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.access(exe, os.X_OK):
            log("ok: gwlbtun from %s, built earlier from %s" % (out, GWLBTUN_SRC))
            return exe
        tmp = out + ".tmp%d" % os.getpid()
        t0 = time.monotonic()
        env.sh(["cmake", "-S", GWLBTUN_SRC, "-B", tmp, "-DCMAKE_BUILD_TYPE=Release"],
               timeout=120)
        env.sh(["make", "-C", tmp, "-j2"], timeout=600)
        check(os.access(os.path.join(tmp, "gwlbtun"), os.X_OK),
              "gwlbtun built from %s in %.0f s" % (GWLBTUN_SRC, time.monotonic() - t0))
        shutil.rmtree(out, ignore_errors=True)
        os.rename(tmp, out)
    return exe


def gwlbtun_status(env, appl):
    """Counters of gwlbtun's health page (-p 80): UDP packets/bytes in,
    per tun interface packets/bytes out to the OS and in from the OS."""
    r = env.sh(["curl", "-sS", "-i", "--max-time", "5", "http://127.0.0.1:80/"], ns=appl,
               check_rc=False)
    first = (r.stdout.splitlines() or [""])[0]
    # gwlbtun closes without reading the request: curl may see a reset after the page
    check("200 OK" in first and r.stdout.rstrip().endswith("</html>"),
          "gwlbtun's health page answers 200 OK (%r, curl rc %d %s)"
          % (first, r.returncode, r.stderr.strip()))
    st = {"udp_pkts": 0, "udp_bytes": 0, "tun": {}}
    for m in re.finditer(r"UDP receiver thread \d+ \(ID \d+\): \w+, (\d+) packets in, "
                         r"(\d+) bytes in", r.stdout):
        st["udp_pkts"] += int(m.group(1))
        st["udp_bytes"] += int(m.group(2))
    for blk in re.split(r"Interface ", r.stdout)[1:]:
        name = blk.split(":", 1)[0]
        m = re.search(r"(\d+) packets out to OS, (\d+) bytes out to OS", blk)
        ins = re.findall(r"(\d+) packets in from OS, (\d+) bytes in from OS", blk)
        st["tun"][name] = {"out_pkts": int(m.group(1)), "out_bytes": int(m.group(2)),
                           "in_pkts": sum(int(a) for a, _ in ins),
                           "in_bytes": sum(int(b) for _, b in ins)}
    return st


def appliance_udp(env, ns):
    """The Udp line of /proc/net/snmp in namespace ns, as a dict."""
    lines = [ln.split() for ln in env.sh(["cat", "/proc/net/snmp"], ns=ns).stdout.splitlines()
             if ln.startswith("Udp:")]
    return dict(zip(lines[0][1:], (int(x) for x in lines[1][1:])))


def body(env):
    devargs = {"vpc": env.add_port("vpc"), "internet": env.add_port("internet"),
               "appliances": env.add_port("appliances")}
    inet = env.add_host("inet", "internet", "198.51.100.254/24",
                        extra=[CLIENT + "/32", SERVER + "/32"], mtu=INNER_MTU)
    inst = env.add_host("instance", "vpc", INSTANCE + "/24", gateway="10.0.0.1", mtu=INNER_MTU)
    appl = env.add_host("appliance", "appliances", APPLIANCE + "/24", gateway="192.168.50.1")
    exe = build_gwlbtun(env)

    www = os.path.join(env.dir, "www")
    os.mkdir(www)
    token = "hello-through-gwlbtun-%s" % env.sfx
    with open(os.path.join(www, "hello.txt"), "w") as f:
        f.write(token + "\n")
    blob = os.path.join(www, "blob.bin")
    with open(blob, "wb") as f:
        f.write(os.urandom(BLOB_MB << 20))
    blob_sum = sha256(blob)

    gwlbtun_args = [exe, "-c", GWLBTUN_HOOK, "-p", "80", "-d", "--udpthreads", "1",
                    "--tunthreads", "1"]
    env.spawn(inst, HTTPD + ["8000", "--bind", INSTANCE, "--directory", www], "http-instance")
    env.spawn(inet, HTTPD + ["8000", "--bind", SERVER, "--directory", www], "http-internet")
    gt = env.spawn(appl, gwlbtun_args, "gwlbtun")
    # the GENEVE on the appliance's wire, both ways, as it is (read only)
    sniff = env.spawn(appl, [PY, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                              "geneve_sniff.py"), "--iface", "eth0"], "sniff")
    env.wait_listen(inst, 8000)
    env.wait_listen(inet, 8000)
    env.wait_listen(appl, 6081, "udp")
    env.wait_listen(appl, 80)
    deadline = time.monotonic() + 10
    while "watching GENEVE" not in env.logtext("sniff"):
        if time.monotonic() > deadline or sniff.poll() is not None:
            check(False, "the sniffer starts on the appliance's eth0: %s"
                  % env.logtext("sniff")[-500:])
        time.sleep(0.1)
    env.start_vpcgw(CFG % dict(devargs, workers=env.workers, rxq=env.rxq(), eip=EIP,
                               instance=INSTANCE, appliance=APPLIANCE, vpce=VPCE,
                               hci=HC_INTERVAL, hct=HC_TIMEOUT, hcn=HC_THRESHOLD),
                    stats_interval=1)
    flows = 0           # TCP connections made through the GWLB endpoint

    # internet -> elastic IP, through gwlbtun both ways
    r = env.sh(["curl", "-sS", "--max-time", "10", "--interface", CLIENT,
                "http://%s:8000/hello.txt" % EIP], ns=inet, check_rc=False)
    flows += 1
    gtlog = env.logtext("gwlbtun")
    check(r.returncode == 0 and r.stdout.strip() == token,
          "curl internet -> http://%s:8000/hello.txt through gwlbtun (rc %d, %r %s)"
          % (EIP, r.returncode, r.stdout[:80], r.stderr.strip()) +
          ("" if r.returncode == 0 else "\n---- gwlbtun log (tail)\n" +
           "\n".join(gtlog.splitlines()[-20:])))
    peers = re.findall(r'^(\S+) - - \[.*"GET /hello.txt', env.logtext("http-instance"), re.M)
    check(peers == [CLIENT], "the instance saw the client address %s (%s)" % (CLIENT, peers))

    # gwlbtun's tunnel for the configured endpoint id
    ep_val = int(VPCE[5:], 16)
    gwi, gwo = "gwi-" + base60(ep_val), "gwo-" + base60(ep_val)
    # gwlbtun's threads share an unbuffered log written piece by piece (each
    # << a write): another thread's text may land between any two pieces of
    # "New ENI ID <id> detected.  New tunnel interfaces <in> and <out>
    # created.", so the pieces are looked for each on its own; the links
    # themselves are checked below
    m = re.search(r"New ENI ID ([0-9a-f]+) detected\.\s+New tunnel interfaces (\S+) and (\S+) "
                  r"created", gtlog)
    pieces = ["New ENI ID ", "%x" % ep_val, " detected.", "New tunnel interfaces ", gwi, gwo]
    check((m is not None and int(m.group(1), 16) == ep_val and m.group(2) == gwi and
           m.group(3) == gwo) or (m is None and all(x in gtlog for x in pieces)),
          "gwlbtun: endpoint %x (%s) -> tunnel interfaces %s and %s (log: %s)"
          % (ep_val, VPCE, gwi, gwo, m.group(0) if m else gtlog[-2000:]))
    links = env.ip(appl, "-o", "link", "show").stdout
    check(re.search(r"\d+: %s: .*\bUP\b" % re.escape(gwi), links) is not None and
          re.search(r"\d+: %s: .*\bUP\b" % re.escape(gwo), links) is not None,
          "%s and %s are up in the appliance namespace (passthrough hook ran)" % (gwi, gwo))

    got = os.path.join(env.dir, "download.bin")
    r = env.sh(["curl", "-sS", "--max-time", "90", "--interface", CLIENT, "-o", got,
                "-w", "%{speed_download}", "http://%s:8000/blob.bin" % EIP],
               ns=inet, timeout=100, check_rc=False)
    flows += 1
    check(r.returncode == 0, "curl of %d MB from the instance through gwlbtun (rc %d %s)"
          % (BLOB_MB, r.returncode, r.stderr.strip()))
    log("download speed: %.1f MB/s" % (float(r.stdout or 0) / 1e6))
    check(sha256(got) == blob_sum, "download: sha256 of the %d MB received == sent (%s)"
          % (BLOB_MB, blob_sum[:16]))

    up = os.path.join(env.dir, "upload.bin")
    rx = env.spawn(inst, ["socat", "-u", "TCP4-LISTEN:9000,bind=%s,reuseaddr" % INSTANCE,
                          "CREATE:" + up], "socat-rx")
    env.wait_listen(inst, 9000)
    r = env.sh(["socat", "-u", "OPEN:" + blob,
                "TCP4:%s:9000,bind=%s,connect-timeout=5" % (EIP, CLIENT)],
               ns=inet, timeout=90, check_rc=False)
    flows += 1
    check(r.returncode == 0, "socat upload of %d MB to the elastic IP through gwlbtun (rc %d %s)"
          % (BLOB_MB, r.returncode, r.stderr.strip()))
    rx.wait(timeout=30)
    check(sha256(up) == blob_sum, "upload: sha256 of the %d MB received == sent (%s)"
          % (BLOB_MB, blob_sum[:16]))

    # the instance's own connection to the internet: public-a -> gwlbtun -> igw
    r = env.sh(["curl", "-sS", "--max-time", "10", "http://%s:8000/hello.txt" % SERVER],
               ns=inst, check_rc=False)
    flows += 1
    check(r.returncode == 0 and r.stdout.strip() == token,
          "curl instance -> http://%s:8000/hello.txt through gwlbtun (rc %d, %s)"
          % (SERVER, r.returncode, r.stderr.strip()))
    peers = re.findall(r'^(\S+) - - \[.*"GET /hello.txt', env.logtext("http-internet"), re.M)
    check(peers == [EIP], "the internet server saw the elastic IP %s (%s)" % (EIP, peers))

    # what gwlbtun made of it
    gtlog = env.logtext("gwlbtun")
    refused = [ln for ln in gtlog.splitlines()
               if "Geneve Header not OK" in ln or "missing GWLB options" in ln or
               "GWLBe ENI ID not valid" in ln or "has not been seen coming in" in ln]
    check(not refused, "gwlbtun refused no packet (%d refusals%s)"
          % (len(refused), (": " + refused[0]) if refused else ""))
    flows_seen = gtlog.count(" added:")        # "GWLB : IPv4 flow <5-tuple> added: <header>"
    check(flows_seen == flows, "gwlbtun saw %d IPv4 flows from vpcgw, the %d connections made"
          % (flows_seen, flows))

    # counters, once the traffic has settled: vpcgw's GWLB vs gwlbtun's
    time.sleep(1.5)
    gs = gwlbtun_status(env, appl)
    st = env.stats_now()
    g = st["gwlb"]["inspect"]
    udp = appliance_udp(env, appl)
    ap = st["ports"]["appliances"]
    log("gwlbtun: %s" % gs)
    log("appliance kernel UDP: %s" % udp)
    log("vpcgw gwlb inspect: %s" % {k: v for k, v in g.items() if k != "lcu"})
    log("vpcgw port appliances: %s" % ap)
    gi, go = gs["tun"].get(gwi, {}), gs["tun"].get(gwo, {})
    check(g["NewFlowCount"] == flows and g["ActiveFlowCount"] == flows,
          "GWLB NewFlowCount = ActiveFlowCount = %d, the connections made (%d, %d)"
          % (flows, g["NewFlowCount"], g["ActiveFlowCount"]))
    # every GENEVE packet vpcgw sent reached the appliance's UDP layer; the
    # kernel may drop some there when gwlbtun (logging every packet) falls
    # behind, and counts them (RcvbufErrors); TCP resends what was lost
    arrived = udp["InDatagrams"] + udp["InErrors"] + udp["NoPorts"]
    check(arrived == g["ProcessedPackets"],
          "GENEVE packets vpcgw sent (ProcessedPackets %d) = UDP datagrams at the appliance "
          "(%d: %d to gwlbtun's socket, %d dropped by its kernel, socket buffer full)"
          % (g["ProcessedPackets"], arrived, udp["InDatagrams"], udp["InErrors"]))
    check(gs["udp_pkts"] == udp["InDatagrams"],
          "gwlbtun counted every datagram its socket got (%d)" % gs["udp_pkts"])
    # each one: 40 bytes of GENEVE header, then the inner IP packet it wrote to gwi-X
    check(gi.get("out_pkts") == gs["udp_pkts"] and
          gs["udp_bytes"] == gi.get("out_bytes", -1) + GNV_HDR * gs["udp_pkts"],
          "gwlbtun wrote every inner packet to %s: %d packets, %d bytes = %d GENEVE bytes "
          "- 40 x %d" % (gwi, gi.get("out_pkts", -1), gi.get("out_bytes", -1), gs["udp_bytes"],
                         gs["udp_pkts"]))
    lost = g["ProcessedPackets"] - gs["udp_pkts"]
    check(gi["out_bytes"] <= g["ProcessedBytes"] <= gi["out_bytes"] + lost * INNER_MTU and
          (lost > 0 or gi["out_bytes"] == g["ProcessedBytes"]),
          "GWLB ProcessedBytes (%d) = the inner bytes gwlbtun got (%d) + at most %d lost "
          "packets of %d bytes" % (g["ProcessedBytes"], gi["out_bytes"], lost, INNER_MTU))
    back = go.get("in_pkts", -1)
    check(back > 0 and (ap["forwarded"] == back if ap.get("nic_missed", 0) == 0 else
                        back - ap["nic_missed"] <= ap["forwarded"] <= back),
          "what gwlbtun sent back (%d read from %s) = what vpcgw forwarded from the "
          "appliance port (%d; nic_missed %d)" % (back, gwo, ap["forwarded"],
                                                   ap.get("nic_missed", 0)))
    check(g["ProcessedBytes"] > 2 * (BLOB_MB << 20),
          "GWLB ProcessedBytes > 2 x %d MB (%d)" % (BLOB_MB, g["ProcessedBytes"]))
    # full-size inner IP packets: 1432 bytes inside, 1500-byte outer IPv4 packets
    sniff.terminate()
    sniff.wait(timeout=5)
    lines = [ln for ln in env.logtext("sniff").splitlines() if ln.startswith("{")]
    check(len(lines) == 1, "the sniffer on the appliance's eth0 reported")
    wire = json.loads(lines[0])
    log("GENEVE on the appliance wire: %s" % wire)
    w_in, w_out = wire["in"], wire["out"]
    check(w_in["packets"] > 0 and w_in["malformed"] == 0 and w_in["protocols"] == ["0x0800"]
          and w_in["inner_offsets"] == [68],
          "vpcgw -> gwlbtun: %d GENEVE packets, protocol type %s, the inner IPv4 packet %s "
          "bytes after the outer IPv4 header (SPEC: 0x0800, 68), %d malformed"
          % (w_in["packets"], w_in["protocols"], w_in["inner_offsets"], w_in["malformed"]))
    check(w_in["max_ip_len"] == INNER_MTU + 68,
          "full-size inner packets: largest outer IPv4 packet %d bytes = %d + 68"
          % (w_in["max_ip_len"], INNER_MTU))
    check(w_in["dports"] == [6081] and all(49152 <= p <= 65535 for p in w_in["sports"]) and
          w_in["senders"] == ["192.168.50.1"],
          "vpcgw -> gwlbtun: from %s, UDP %s -> %s (entropy ports 49152..65535 -> 6081)"
          % (w_in["senders"], w_in["sports"], w_in["dports"]))
    check(w_out["packets"] > 0 and w_out["malformed"] == 0 and
          w_out["protocols"] == ["0x0800"] and w_out["inner_offsets"] == [68] and
          w_out["dports"] == [6081] and w_out["sports"] == w_in["sports"] and
          w_out["endpoints"] == w_in["endpoints"] and w_out["cookies"] == w_in["cookies"],
          "gwlbtun -> vpcgw: %d packets, the same header (%s, offset %s), to port 6081 from the "
          "source ports it received %s; %d with UDP checksum 0" % (
              w_out["packets"], w_out["protocols"], w_out["inner_offsets"], w_out["sports"],
              w_out["csum_zero"]))
    check(all(st["drops"][k] == 0 for k in ("gwlb_cookie_mismatch", "gwlb_malformed",
                                             "gwlb_bad_protocol", "gwlb_no_flow",
                                             "gwlb_not_appliance", "gwlb_no_room",
                                             "mtu_exceeded")),
          "vpcgw refused nothing gwlbtun returned (drops %s)" % env.drops(st))

    # health checks against gwlbtun's -p port: stopped -> unhealthy
    gt.send_signal(signal.SIGINT)
    try:
        gt.wait(timeout=15)
    except subprocess.TimeoutExpired:
        gt.kill()
        gt.wait()
    env.wait_stats(lambda s: s["gwlb"]["inspect"]["HealthyHostCount"] == 0 and
                   s["gwlb"]["inspect"]["UnHealthyHostCount"] == 1 and
                   s["gwlb"]["inspect"]["appliances"][APPLIANCE]["health"] == "unhealthy",
                   "gwlbtun stopped: the appliance is unhealthy", timeout=30)
    res = env.probe(inet, "tcp", EIP, 8000, src=CLIENT, timeout=2)
    flows += 1              # all unhealthy: the flow still goes to the appliance
    check(res["result"] == "timeout",
          "without gwlbtun, internet -> %s:8000 times out: %s" % (EIP, res))

    # started again -> healthy, and traffic passes again through a new tunnel
    env.spawn(appl, gwlbtun_args, "gwlbtun-2")
    env.wait_listen(appl, 6081, "udp")
    env.wait_listen(appl, 80)
    env.wait_stats(lambda s: s["gwlb"]["inspect"]["HealthyHostCount"] == 1 and
                   s["gwlb"]["inspect"]["UnHealthyHostCount"] == 0,
                   "gwlbtun started again: the appliance is healthy", timeout=30)
    r = env.sh(["curl", "-sS", "--max-time", "10", "--interface", CLIENT,
                "http://%s:8000/hello.txt" % EIP], ns=inet, check_rc=False)
    flows += 1
    check(r.returncode == 0 and r.stdout.strip() == token,
          "curl internet -> http://%s:8000/hello.txt through the restarted gwlbtun (rc %d %s)"
          % (EIP, r.returncode, r.stderr.strip()))
    gtlog2 = env.logtext("gwlbtun-2")
    check("New tunnel interfaces %s and %s" % (gwi, gwo) in gtlog2 and
          "Geneve Header not OK" not in gtlog2,
          "the restarted gwlbtun created %s/%s again and refused nothing" % (gwi, gwo))

    st = env.stop_vpcgw()
    log("drops: %s" % env.drops())
    g = st["gwlb"]["inspect"]
    log("gwlb inspect: %s" % {k: v for k, v in g.items() if k != "lcu"})
    check(g["NewFlowCount"] == flows, "GWLB NewFlowCount = %d connections (%d)"
          % (flows, g["NewFlowCount"]))
    check(g["HealthyHostCount"] == 1 and g["UnHealthyHostCount"] == 0,
          "GWLB HealthyHostCount 1, UnHealthyHostCount 0 at the end")


if __name__ == "__main__":
    if not os.path.isfile(os.path.join(GWLBTUN_SRC, "CMakeLists.txt")):
        skip("gwlbtun's source is not at %s (set VPCGW_GWLBTUN_SRC; on the development "
             "machines it is ../shared/peers/gwlbtun/src beside the project, which a clean "
             "clone does not have)" % GWLBTUN_SRC)
    if not os.access(GWLBTUN_HOOK, os.X_OK):
        skip("gwlbtun's passthrough hook is not at %s (set VPCGW_GWLBTUN_HOOK)" % GWLBTUN_HOOK)
    if os.geteuid() == 0:
        ensure_toolchain()
    run("gwlbtun", body)
