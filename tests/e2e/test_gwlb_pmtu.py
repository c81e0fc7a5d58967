# SPDX-License-Identifier: BSD-3-Clause
"""
e2e-gwlb-pmtu (issue #24): test_gwlb.py's topology with every MTU at 1500 --
the hosts' and the appliance port's -- so that a full-size TCP segment
(1500 bytes) and GWLB's 68 bytes of GENEVE (outer IPv4 20 + UDP 8 + GENEVE
8 + AWS options 32) do not fit the appliance port. vpcgw never fragments;
it answers each such segment (DF set, as Linux sends TCP) with ICMP
fragmentation needed, next-hop MTU 1432, rate-limited, and Linux's path MTU
discovery lowers the connection's segment size, so bulk TCP completes.

  ns inet       198.51.100.254/24 (IGW next hop); client 203.0.113.50 on lo
  ns instance   10.0.0.10/24 (subnet public-a), elastic IP 198.51.100.20
  ns appliance  192.168.50.10/24: the appliance (--appliance gwlbtun:
                AWS's gwlbtun, built as test_gwlbtun.py does, skipped (77)
                where its source is absent; --appliance bounce:
                geneve_bounce.py)

Checks: 5 MB downloaded from the instance by the internet client and 5 MB
uploaded by it (sha256 both), each direction's sender having been told:
frag needed seen on the wire (tshark in the instance's and the client's
namespaces) from the address each routed through (10.0.0.1, the instance's
subnet router; 198.51.100.1, vpcgw's internet address), next-hop MTU 1432,
quoting the sender's own packet (to the elastic IP, not the private
address); vpcgw counted the oversize segments as mtu_exceeded (at least as
many as the ICMP messages seen: rate limited); GWLB ProcessedPackets =
the GENEVE datagrams that reached the appliance's UDP layer, and
ProcessedBytes >= 2 x 5 MB; nothing larger than 1500 bytes on its wire.

Usage: test_gwlb_pmtu.py --workers N [--appliance gwlbtun|bounce]
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2etest import HTTPD, PY, check, log, run  # noqa: E402
import test_gwlb  # noqa: E402
import test_gwlbtun  # noqa: E402

from scapy.all import ICMP, IP, IPerror, TCPerror, rdpcap  # noqa: E402

EIP = "198.51.100.20"
INSTANCE = "10.0.0.10"
CLIENT = "203.0.113.50"
APPLIANCE = "192.168.50.10"
VPCE = "vpce-0a1b2c3d4e5f60718"
BLOB_MB = 5
GWLB_OVERHEAD = 20 + 8 + 8 + 32      # outer IPv4, UDP, GENEVE, AWS options
INNER_MTU = 1500 - GWLB_OVERHEAD     # 1432
HERE = os.path.dirname(os.path.abspath(__file__))

APPLIANCE_KIND = "gwlbtun"
if "--appliance" in sys.argv:
    i = sys.argv.index("--appliance")
    APPLIANCE_KIND = sys.argv[i + 1]
    del sys.argv[i:i + 2]


def capture(env, ns, label):
    """tshark on ns's eth0, ICMP fragmentation needed only, into a pcap."""
    path = os.path.join(env.dir, label + ".pcapng")
    p = env.spawn(ns, ["tshark", "-i", "eth0", "-f", "icmp[0] == 3 and icmp[1] == 4",
                       "-w", path], label)
    deadline = time.monotonic() + 15
    while "Capturing on" not in env.logtext(label):
        if time.monotonic() > deadline or p.poll() is not None:
            check(False, "tshark starts in %s: %s" % (ns, env.logtext(label)[-300:]))
        time.sleep(0.1)
    return p, path


def frag_needed(p, path):
    p.terminate()
    p.wait(timeout=10)
    return [q for q in rdpcap(path) if ICMP in q and q[ICMP].type == 3 and q[ICMP].code == 4] \
        if os.path.exists(path) and os.path.getsize(path) > 0 else []


def check_icmp(pkts, who, router, sender, quoted_dst, sport=None, dport=None):
    check(len(pkts) > 0, "%s got ICMP fragmentation needed (%d seen on its wire)"
          % (who, len(pkts)))
    bad = [q.summary() for q in pkts
           if q[IP].src != router or q[IP].dst != sender or q[ICMP].nexthopmtu != INNER_MTU or
           IPerror not in q or q[IPerror].src != sender or q[IPerror].dst != quoted_dst or
           (sport is not None and TCPerror in q and q[TCPerror].sport != sport) or
           (dport is not None and TCPerror in q and q[TCPerror].dport != dport)]
    check(not bad, "%s: every one from %s, next-hop MTU %d, quoting %s -> %s (%s)"
          % (who, router, INNER_MTU, sender, quoted_dst, bad[:2]))


def body(env):
    devargs = {"vpc": env.add_port("vpc"), "internet": env.add_port("internet"),
               "appliances": env.add_port("appliances")}
    inet = env.add_host("inet", "internet", "198.51.100.254/24", extra=[CLIENT + "/32"])
    inst = env.add_host("instance", "vpc", INSTANCE + "/24", gateway="10.0.0.1")
    appl = env.add_host("appliance", "appliances", APPLIANCE + "/24", gateway="192.168.50.1")
    for ns in (inet, inst):
        env.sh(["sysctl", "-qw", "net.ipv4.ip_no_pmtu_disc=0"], ns=ns)

    www = os.path.join(env.dir, "www")
    os.mkdir(www)
    blob = os.path.join(www, "blob.bin")
    with open(blob, "wb") as f:
        f.write(os.urandom(BLOB_MB << 20))
    blob_sum = test_gwlb.sha256(blob)

    if APPLIANCE_KIND == "gwlbtun":
        exe = test_gwlbtun.build_gwlbtun(env)
        app = env.spawn(appl, [exe, "-c", test_gwlbtun.GWLBTUN_HOOK, "-p", "80",
                               "--udpthreads", "1", "--tunthreads", "1"], "gwlbtun")
    else:
        app = env.spawn(appl, [PY, os.path.join(HERE, "geneve_bounce.py"), "--bind", APPLIANCE,
                               "--health-port", "80"], "bounce")
    env.spawn(inst, HTTPD + ["8000", "--bind", INSTANCE, "--directory", www], "http-instance")
    env.wait_listen(inst, 8000)
    env.wait_listen(appl, 6081, "udp")
    env.wait_listen(appl, 80)
    sniff = env.spawn(appl, [PY, os.path.join(HERE, "geneve_sniff.py"), "--iface", "eth0"],
                      "sniff")
    deadline = time.monotonic() + 10
    while "watching GENEVE" not in env.logtext("sniff"):
        if time.monotonic() > deadline or sniff.poll() is not None:
            check(False, "the sniffer starts on the appliance's eth0: %s"
                  % env.logtext("sniff")[-500:])
        time.sleep(0.1)
    cap_inst = capture(env, inst, "tshark-instance")
    cap_inet = capture(env, inet, "tshark-inet")
    env.start_vpcgw(test_gwlb.CFG % dict(devargs, workers=env.workers, rxq=env.rxq(), eip=EIP,
                                         instance=INSTANCE, appliance=APPLIANCE, vpce=VPCE))
    udp0 = test_gwlbtun.appliance_udp(env, appl)

    # download: the instance sends full-size segments; it must learn 1432
    got = os.path.join(env.dir, "download.bin")
    r = env.sh(["curl", "-sS", "--max-time", "60", "--interface", CLIENT, "-o", got,
                "-w", "%{speed_download}", "http://%s:8000/blob.bin" % EIP],
               ns=inet, timeout=70, check_rc=False)
    check(r.returncode == 0, "curl of %d MB from the instance, all MTUs 1500 (rc %d %s)"
          % (BLOB_MB, r.returncode, r.stderr.strip()))
    log("download speed: %.1f MB/s" % (float(r.stdout or 0) / 1e6))
    check(test_gwlb.sha256(got) == blob_sum, "download: sha256 of the %d MB received == sent"
          % BLOB_MB)

    r = env.sh(["ip", "route", "get", CLIENT], ns=inst)
    log("instance: ip route get %s: %s" % (CLIENT, r.stdout.strip()))
    check("mtu 1432" in r.stdout, "the instance's kernel learned path MTU 1432 to the client")
    # forgotten again, or the instance would announce MSS 1392 to the client
    env.sh(["ip", "route", "flush", "cache"], ns=inst)
    r = env.sh(["ip", "route", "get", CLIENT], ns=inst)
    check("mtu" not in r.stdout, "the instance forgot that path MTU (%s)" % r.stdout.strip())

    # upload: the client's full-size segments to the elastic IP
    up = os.path.join(env.dir, "upload.bin")
    rx = env.spawn(inst, ["socat", "-u", "TCP4-LISTEN:9000,bind=%s,reuseaddr" % INSTANCE,
                          "CREATE:" + up], "socat-rx")
    env.wait_listen(inst, 9000)
    r = env.sh(["socat", "-u", "OPEN:" + blob,
                "TCP4:%s:9000,bind=%s,connect-timeout=5" % (EIP, CLIENT)],
               ns=inet, timeout=60, check_rc=False)
    check(r.returncode == 0, "socat upload of %d MB to the elastic IP (rc %d %s)"
          % (BLOB_MB, r.returncode, r.stderr.strip()))
    rx.wait(timeout=30)
    check(test_gwlb.sha256(up) == blob_sum, "upload: sha256 of the %d MB received == sent"
          % BLOB_MB)
    r = env.sh(["ip", "route", "get", EIP, "from", CLIENT], ns=inet)
    log("inet: ip route get %s: %s" % (EIP, r.stdout.strip()))
    check("mtu 1432" in r.stdout, "the client's kernel learned path MTU 1432 to the elastic IP")

    time.sleep(1.0)
    udp1 = test_gwlbtun.appliance_udp(env, appl)
    st = env.stop_vpcgw()
    g = st["gwlb"]["inspect"]
    log("drops: %s" % env.drops(st))
    log("gwlb inspect: %s" % {k: v for k, v in g.items() if k != "lcu"})
    log("appliance UDP: %s" % {k: udp1[k] - udp0.get(k, 0) for k in udp1})

    inst_icmp = frag_needed(*cap_inst)
    inet_icmp = frag_needed(*cap_inet)
    log("frag needed seen: %d at the instance, %d at the client" % (len(inst_icmp),
                                                                     len(inet_icmp)))
    check_icmp(inst_icmp, "the instance", "10.0.0.1", INSTANCE, CLIENT, sport=8000)
    check_icmp(inet_icmp, "the client", "198.51.100.1", CLIENT, EIP, dport=9000)
    drops = st["drops"]
    check(drops["mtu_exceeded"] >= len(inst_icmp) + len(inet_icmp) and
          drops["gwlb_mtu_no_df"] == 0,
          "vpcgw dropped %d oversize segments (mtu_exceeded), told the senders %d times "
          "(rate-limited), none without DF" % (drops["mtu_exceeded"],
                                               len(inst_icmp) + len(inet_icmp)))
    arrived = sum(udp1[k] - udp0.get(k, 0) for k in ("InDatagrams", "InErrors", "NoPorts"))
    check(g["ProcessedPackets"] == arrived,
          "GWLB ProcessedPackets %d = the GENEVE datagrams at the appliance's UDP layer %d "
          "(the oversize ones not counted)" % (g["ProcessedPackets"], arrived))
    check(g["ProcessedBytes"] > 2 * (BLOB_MB << 20),
          "GWLB ProcessedBytes > 2 x %d MB (%d)" % (BLOB_MB, g["ProcessedBytes"]))
    apps = g["appliances"][APPLIANCE]
    check(apps["ProcessedPackets"] == g["ProcessedPackets"] and
          apps["ProcessedBytes"] == g["ProcessedBytes"],
          "the appliance's ProcessedPackets/Bytes = the GWLB's (one appliance)")

    sniff.terminate()
    sniff.wait(timeout=5)
    lines = [ln for ln in env.logtext("sniff").splitlines() if ln.startswith("{")]
    check(len(lines) == 1, "the sniffer on the appliance's eth0 reported")
    w_in = json.loads(lines[0])["in"]
    check(w_in["max_ip_len"] == 1500,
          "largest outer IPv4 packet to the appliance: %d bytes (= 1432 + 68)"
          % w_in["max_ip_len"])
    app.terminate()


if __name__ == "__main__":
    if APPLIANCE_KIND == "gwlbtun":
        if not os.path.isfile(os.path.join(test_gwlbtun.GWLBTUN_SRC, "CMakeLists.txt")):
            test_gwlbtun.skip("gwlbtun's source is not at %s (set VPCGW_GWLBTUN_SRC)"
                              % test_gwlbtun.GWLBTUN_SRC)
        if not os.access(test_gwlbtun.GWLBTUN_HOOK, os.X_OK):
            test_gwlbtun.skip("gwlbtun's passthrough hook is not at %s"
                              % test_gwlbtun.GWLBTUN_HOOK)
        if os.geteuid() == 0:
            test_gwlbtun.ensure_toolchain()
    elif APPLIANCE_KIND != "bounce":
        sys.exit("--appliance gwlbtun|bounce")
    run("gwlb-pmtu-" + APPLIANCE_KIND, body)
