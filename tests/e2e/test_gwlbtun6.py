# SPDX-License-Identifier: BSD-3-Clause
"""
e2e-gwlbtun6: GWLB with IPv6 inner traffic (SPEC §7) through AWS's own
appliance software, gwlbtun (built as test_gwlbtun.py builds it), with Linux
IPv6 stacks on both ends. The outer network stays IPv4.

  ns inet       198.51.100.254/24, 2001:db8:ffff::1/64 (the IGW's next_hop6);
                client 2001:db8:1234::7 and server 2001:db8:53::10 on lo
  ns instance   10.0.0.10/24, 2600:1f18:a:b00::10/64 (subnet public-a, table
                public: ::/0 -> gwlb-endpoint), default route from vpcgw's RA;
                MTU 1500, as the internet's
  ns appliance  192.168.50.10/24 (IPv4 only): gwlbtun -c passthrough-hook.sh
  vpcgw         edge table 2600:1f18:a:b00::/64 -> gwlb-endpoint:inspect-a;
                endpoint subnet gwlbe (table: ::/0 igw); appliance port MTU 1500

Checks: curl -6 from the internet client to the instance (the instance sees
the client's IPv6 address) and from the instance to the internet server,
through gwlbtun both ways; 3 MB downloaded from the instance with sha256:
its 1500-byte IPv6 segments do not fit the appliance port with GENEVE's 68
bytes, so vpcgw answers ICMPv6 Packet Too Big (MTU 1432) and Linux's path MTU
discovery lowers the segment size (mtu_exceeded counted, the transfer
completes); gwlbtun logs one "IPv6 flow ... added" per connection and
refuses nothing; on the appliance's wire every GENEVE packet has protocol
type 0x86DD with the inner IPv6 header 68 bytes after the outer IPv4 header,
gwlbtun's returns the same header, and nothing is larger than 1500 bytes;
vpcgw's GWLB counters match the connections made, and vpcgw refused nothing
gwlbtun returned.
"""
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2etest import PY, check, log, run  # noqa: E402
import test_gwlbtun  # noqa: E402
from test_gwlbtun import (GWLBTUN_HOOK, GWLBTUN_SRC, base60, build_gwlbtun,  # noqa: E402
                          ensure_toolchain, sha256, skip)
from test_ipv6 import enable_ipv6, wait_ra  # noqa: E402

PFX = "2600:1f18:a:b0"
INSTANCE, INSTANCE6 = "10.0.0.10", PFX + "0::10"
CLIENT6, SERVER6 = "2001:db8:1234::7", "2001:db8:53::10"
NH6, GW6 = "2001:db8:ffff::1", "2001:db8:ffff::2"
ROUTER_LL = "fe80::ff:fe00:1"       # vpcgw on port vpc (02:00:00:00:00:01)
APPLIANCE = "192.168.50.10"
VPCE = "vpce-0a1b2c3d4e5f60718"
BLOB_MB = 3
INNER_MTU = 1500 - 68

CFG = """
dpdk = { workers = %(workers)d; mbufs = 8191; flow_table_size = 65536; };
ports = (
  { name = "vpc"; devargs = "%(vpc)s"; mac = "02:00:00:00:00:01"; address = "10.0.0.1/16";
    rx_queues = %(rxq)d; },
  { name = "internet"; devargs = "%(internet)s"; mac = "02:00:00:00:01:01";
    address = "198.51.100.1/24"; address6 = "2001:db8:ffff::2/64"; rx_queues = %(rxq)d; },
  { name = "appliances"; devargs = "%(appliances)s"; mac = "02:00:00:00:02:01";
    address = "192.168.50.1/24"; mtu = 1500; rx_queues = %(rxq)d; }
);
vpc = {
  cidr = "10.0.0.0/16"; ipv6_cidr = "2600:1f18:a:b00::/56";
  subnets = (
    { name = "public-a"; cidr = "10.0.0.0/24"; ipv6_cidr = "2600:1f18:a:b00::/64"; port = "vpc";
      route_table = "public"; },
    { name = "gwlbe"; cidr = "10.0.3.0/24"; ipv6_cidr = "2600:1f18:a:b03::/64"; port = "vpc";
      route_table = "gwlbe-rt"; }
  );
};
internet_gateway = {
  port = "internet"; next_hop = "198.51.100.254"; next_hop6 = "2001:db8:ffff::1";
  route_table = "edge";
};
route_tables = (
  { name = "public";
    routes = ( { destination = "::/0"; target = "gwlb-endpoint:inspect-a"; } ); },
  { name = "gwlbe-rt"; routes = ( { destination = "::/0"; target = "igw"; } ); },
  { name = "edge";
    routes = ( { destination = "2600:1f18:a:b00::/64"; target = "gwlb-endpoint:inspect-a"; } ); }
);
security_groups = (
  { name = "web";
    ingress = ( { protocol = "tcp"; ports = "8000-9000"; source = "::/0"; } );
    egress = ( { protocol = "all"; destination = "::/0"; } ); }
);
interfaces = ( { address = "10.0.0.10"; address6 = "2600:1f18:a:b00::10";
                 security_groups = [ "web" ]; } );
gateway_load_balancers = (
  { name = "inspect"; port = "appliances";
    health_check = { protocol = "tcp"; port = 80; interval = 5; timeout = 2;
                     healthy_threshold = 2; unhealthy_threshold = 2; };
    appliances = ( { address = "%(appliance)s"; } );
    endpoints = ( { name = "inspect-a"; id = "%(vpce)s"; subnet = "gwlbe"; } ); }
);
"""


def http6(env, ns, addr, port, www, label):
    env.spawn(ns, [PY, "-m", "http.server", "--bind", addr, "--directory", www, str(port)],
              label)


def curl6(env, ns, url, out=None, timeout=10, src=None):
    args = ["curl", "-6", "-sS", "--max-time", str(timeout)]
    if src:
        args += ["--interface", src]
    if out:
        args += ["-o", out]
    return env.sh(args + [url], ns=ns, check_rc=False, timeout=timeout + 10)


def body(env):
    devargs = {"vpc": env.add_port("vpc"), "internet": env.add_port("internet"),
               "appliances": env.add_port("appliances")}
    inet = env.add_host("inet", "internet", "198.51.100.254/24")
    inst = env.add_host("instance", "vpc", INSTANCE + "/24", gateway="10.0.0.1")
    appl = env.add_host("appliance", "appliances", APPLIANCE + "/24", gateway="192.168.50.1")
    enable_ipv6(env, inet, NH6)
    for a in (CLIENT6, SERVER6):
        env.ip(inet, "-6", "addr", "add", a + "/128", "dev", "lo")
    env.ip(inet, "-6", "route", "add", PFX + "0::/56", "via", GW6)
    exe = build_gwlbtun(env)

    www = os.path.join(env.dir, "www")
    os.mkdir(www)
    token = "hello-v6-through-gwlbtun-%s" % env.sfx
    with open(os.path.join(www, "hello.txt"), "w") as f:
        f.write(token + "\n")
    blob = os.path.join(www, "blob.bin")
    with open(blob, "wb") as f:
        f.write(os.urandom(BLOB_MB << 20))
    blob_sum = sha256(blob)

    http6(env, inet, SERVER6, 8000, www, "http-internet")
    env.spawn(appl, [exe, "-c", GWLBTUN_HOOK, "-p", "80", "-d", "--udpthreads", "1",
                     "--tunthreads", "1"], "gwlbtun")
    sniff = env.spawn(appl, [PY, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                              "geneve_sniff.py"), "--iface", "eth0"], "sniff")
    env.wait_listen(appl, 6081, "udp")
    env.wait_listen(appl, 80)
    deadline = time.monotonic() + 10
    while "watching GENEVE" not in env.logtext("sniff"):
        check(time.monotonic() < deadline and sniff.poll() is None,
              "the sniffer starts on the appliance's eth0")
        time.sleep(0.1)
    env.start_vpcgw(CFG % dict(devargs, workers=env.workers, rxq=env.rxq(), appliance=APPLIANCE,
                               vpce=VPCE), stats_interval=1)
    # IPv6 on the instance once vpcgw runs: its Router Solicitations (3, 4 s
    # apart) must meet vpcgw, not the 200 s wait for a periodic RA
    enable_ipv6(env, inst, INSTANCE6)
    wait_ra(env, inst, ROUTER_LL)
    # the instance's server once its address and route are in place; its own
    # log in the failure (a server that could not start is not vpcgw's fault,
    # but the test cannot go on without it)
    http6(env, inst, INSTANCE6, 8000, www, "http-instance")
    for ns, label in ((inst, "http-instance"), (inet, None)):
        deadline = time.monotonic() + 20
        while not env.sh(["ss", "-ltnH", "sport = :8000"], ns=ns, check_rc=False).stdout.strip():
            check(time.monotonic() < deadline, "%s: http server on port 8000 (%s)" %
                  (ns, env.logtext(label).strip()[-300:] if label else ""))
            time.sleep(0.1)
    flows = 0

    # internet -> instance (edge table), through gwlbtun both ways
    r = curl6(env, inet, "http://[%s]:8000/hello.txt" % INSTANCE6, src=CLIENT6)
    flows += 1
    check(r.returncode == 0 and r.stdout.strip() == token,
          "curl -6 internet -> http://[%s]:8000/hello.txt through gwlbtun (rc %d, %r %s)"
          % (INSTANCE6, r.returncode, r.stdout[:80], r.stderr.strip()))
    peers = re.findall(r'^(\S+) - - \[.*"GET /hello.txt', env.logtext("http-instance"), re.M)
    check(peers == [CLIENT6], "the instance saw the client address %s (%s)" % (CLIENT6, peers))
    ep_val = int(VPCE[5:], 16)
    gwi = "gwi-" + base60(ep_val)

    # 1500-byte segments from the instance: Packet Too Big, path MTU discovery
    got = os.path.join(env.dir, "download.bin")
    r = curl6(env, inet, "http://[%s]:8000/blob.bin" % INSTANCE6, out=got, timeout=90,
              src=CLIENT6)
    flows += 1
    check(r.returncode == 0 and sha256(got) == blob_sum,
          "curl -6 of %d MB from the instance through gwlbtun, sha256 equal (rc %d %s)"
          % (BLOB_MB, r.returncode, r.stderr.strip()))
    pmtu = env.ip(inst, "-6", "route", "get", CLIENT6).stdout
    log("instance's route to the client after the transfer: %s" % pmtu.strip())
    check("mtu %d" % INNER_MTU in pmtu, "the instance learned path MTU %d toward %s from "
          "vpcgw's Packet Too Big: %s" % (INNER_MTU, CLIENT6, pmtu.strip()))

    # the instance's own connection to the internet: public -> gwlbtun -> igw
    r = curl6(env, inst, "http://[%s]:8000/hello.txt" % SERVER6)
    flows += 1
    check(r.returncode == 0 and r.stdout.strip() == token,
          "curl -6 instance -> http://[%s]:8000/hello.txt through gwlbtun (rc %d %s)"
          % (SERVER6, r.returncode, r.stderr.strip()))
    peers = re.findall(r'^(\S+) - - \[.*"GET /hello.txt', env.logtext("http-internet"), re.M)
    check(peers == [INSTANCE6], "the internet server saw the instance's own address %s (%s)"
          % (INSTANCE6, peers))

    gtlog = env.logtext("gwlbtun")
    refused = [ln for ln in gtlog.splitlines()
               if "Geneve Header not OK" in ln or "missing GWLB options" in ln or
               "GWLBe ENI ID not valid" in ln or "has not been seen coming in" in ln or
               "isn't IPv6" in ln]
    check(not refused, "gwlbtun refused no packet (%d refusals%s)"
          % (len(refused), (": " + refused[0]) if refused else ""))
    added6 = len(re.findall(r"IPv6 flow .* added:", gtlog))
    check(added6 == flows and " IPv4 flow " not in gtlog,
          "gwlbtun saw %d IPv6 flows (and no IPv4 one) from vpcgw, the %d connections made"
          % (added6, flows))

    time.sleep(1.5)
    gs = test_gwlbtun.gwlbtun_status(env, appl)
    st = env.stats_now()
    g = st["gwlb"]["inspect"]
    log("gwlbtun: %s" % gs)
    log("vpcgw gwlb inspect: %s" % {k: v for k, v in g.items() if k != "lcu"})
    check(g["NewFlowCount"] == flows and g["ActiveFlowCount"] == flows,
          "GWLB NewFlowCount = ActiveFlowCount = %d, the connections made (%d, %d)"
          % (flows, g["NewFlowCount"], g["ActiveFlowCount"]))
    check(gs["tun"].get(gwi, {}).get("out_pkts", 0) > 0 and
          g["ProcessedPackets"] >= gs["udp_pkts"] > 0,
          "gwlbtun wrote the inner IPv6 packets to %s (%s); vpcgw sent %d"
          % (gwi, gs["tun"].get(gwi), g["ProcessedPackets"]))
    check(g["ProcessedBytes"] > BLOB_MB << 20, "GWLB ProcessedBytes > %d MB (%d)"
          % (BLOB_MB, g["ProcessedBytes"]))
    check(st["drops"]["mtu_exceeded"] >= 1, "vpcgw dropped the 1500-byte segments "
          "(mtu_exceeded %d) after its Packet Too Big" % st["drops"]["mtu_exceeded"])
    check(all(st["drops"][k] == 0 for k in ("gwlb_cookie_mismatch", "gwlb_malformed",
                                             "gwlb_bad_protocol", "gwlb_no_flow",
                                             "gwlb_not_appliance", "gwlb_no_room",
                                             "ipv6_unsupported")),
          "vpcgw refused nothing gwlbtun returned (drops %s)" % env.drops(st))

    sniff.terminate()
    sniff.wait(timeout=5)
    lines = [ln for ln in env.logtext("sniff").splitlines() if ln.startswith("{")]
    check(len(lines) == 1, "the sniffer on the appliance's eth0 reported")
    wire = json.loads(lines[0])
    log("GENEVE on the appliance wire: %s" % wire)
    w_in, w_out = wire["in"], wire["out"]
    check(w_in["packets"] > 0 and w_in["malformed"] == 0 and w_in["protocols"] == ["0x86dd"]
          and w_in["inner_offsets"] == [68] and w_in["max_ip_len"] <= 1500,
          "vpcgw -> gwlbtun: %d GENEVE packets, protocol type %s, inner IPv6 header %s bytes "
          "after the outer IPv4 header (SPEC: 0x86DD, 68), largest %d bytes, %d malformed"
          % (w_in["packets"], w_in["protocols"], w_in["inner_offsets"], w_in["max_ip_len"],
             w_in["malformed"]))
    check(w_in["max_ip_len"] == 1500, "full-size inner IPv6 packets after PMTU discovery: "
          "largest outer IPv4 packet %d = %d + 68" % (w_in["max_ip_len"], INNER_MTU))
    check(w_out["packets"] > 0 and w_out["malformed"] == 0 and
          w_out["protocols"] == ["0x86dd"] and w_out["inner_offsets"] == [68] and
          w_out["sports"] == w_in["sports"] and w_out["cookies"] == w_in["cookies"],
          "gwlbtun -> vpcgw: %d packets with the same header (%s, offset %s)"
          % (w_out["packets"], w_out["protocols"], w_out["inner_offsets"]))

    st = env.stop_vpcgw()
    log("drops: %s" % env.drops())


if __name__ == "__main__":
    if not os.path.isfile(os.path.join(GWLBTUN_SRC, "CMakeLists.txt")):
        skip("gwlbtun's source is not at %s (set VPCGW_GWLBTUN_SRC)" % GWLBTUN_SRC)
    if not os.access(GWLBTUN_HOOK, os.X_OK):
        skip("gwlbtun's passthrough hook is not at %s (set VPCGW_GWLBTUN_HOOK)" % GWLBTUN_HOOK)
    if os.geteuid() == 0:
        ensure_toolchain()
    run("gwlbtun6", body)
