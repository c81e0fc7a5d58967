# SPDX-License-Identifier: BSD-3-Clause
"""
e2e-flowlogs: a real TCP connection refused by a security group appears in
the VPC flow log as a REJECT line (docs/config.md "Flow logs"), and one the
group allows as ACCEPT lines, on the TSC clock (wall time).

  ns client   10.0.1.10/24  subnet front, SG client (egress anything)
  ns server   10.0.2.10/24  subnet back, SG web: ingress tcp/80 only

client -> server tcp/80 connects; tcp/8080 times out (SYN and its
retransmissions dropped: sg_deny_ingress). The log (resource vpc, ALL, 60 s,
a custom format) is written when vpcgw stops (its last interval); its lines
are checked field by field against what the client did, with times inside
the test's own wall-clock bounds.
"""
import glob
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2etest import SERVERS, check, log, run  # noqa: E402

SERVER = "10.0.2.10"
CLIENT = "10.0.1.10"
FIELDS = ("version interface-id srcaddr dstaddr srcport dstport protocol packets bytes "
          "start end action tcp-flags log-status flow-direction traffic-path").split()

CFG = """
dpdk = { workers = %(workers)d; mbufs = 8191; flow_table_size = 65536; };
ports = ( { name = "vpc"; devargs = "%(vpc)s"; mac = "02:00:00:00:00:01"; address = "10.0.0.1/16";
            rx_queues = %(rxq)d; } );
vpc = {
  cidr = "10.0.0.0/16";
  subnets = (
    { name = "front"; cidr = "10.0.1.0/24"; port = "vpc"; },
    { name = "back"; cidr = "10.0.2.0/24"; port = "vpc"; }
  );
};
security_groups = (
  { name = "web"; ingress = ( { protocol = "tcp"; ports = "80"; source = "0.0.0.0/0"; } );
    egress = (); },
  { name = "client"; ingress = ();
    egress = ( { protocol = "all"; destination = "0.0.0.0/0"; } ); }
);
interfaces = (
  { address = "10.0.1.10"; security_groups = [ "client" ]; },
  { address = "10.0.2.10"; security_groups = [ "web" ]; }
);
flow_logs = ( { name = "vpc"; resource = "vpc"; traffic_type = "ALL";
                max_aggregation_interval = 60; destination = "file:%(dir)s";
                format = "%(format)s"; } );
"""


def eni(a):
    return "eni-000000000" + "".join("%02x" % int(x) for x in a.split("."))


def body(env):
    devargs = {"vpc": env.add_port("vpc")}
    client = env.add_host("client", "vpc", CLIENT + "/24", gateway="10.0.1.1")
    server = env.add_host("server", "vpc", SERVER + "/24", gateway="10.0.2.1")
    env.spawn(server, SERVERS + ["--name", "server", "--tcp", "80", "--tcp", "8080"],
              "server-servers")
    env.wait_listen(server, 8080)
    fldir = os.path.join(env.dir, "flowlogs")
    os.mkdir(fldir)
    env.start_vpcgw(CFG % dict(devargs, workers=env.workers, rxq=env.rxq(), dir=fldir,
                               format=" ".join("${%s}" % f for f in FIELDS)))
    t0 = int(time.time())
    res = env.probe(client, "tcp", SERVER, 80, timeout=2, sport=41080)
    check(res["result"] == "connected", "client -> server tcp/80 connects: %s" % res)
    res = env.probe(client, "tcp", SERVER, 8080, timeout=2, sport=41081)
    check(res["result"] == "timeout", "client -> server tcp/8080 times out: %s" % res)
    st = env.stop_vpcgw()
    t1 = int(time.time()) + 1
    denied = env.drops().get("sg_deny_ingress", 0)
    check(denied >= 1, "sg_deny_ingress counts the refused SYNs (%d)" % denied)

    files = sorted(glob.glob(os.path.join(fldir, "vpc-*.log")))
    check(len(files) >= 1, "a flow-log file was written: %s" % os.listdir(fldir))
    lines = []
    for path in files:
        with open(path) as f:
            text = f.read().splitlines()
        check(text[0] == " ".join(FIELDS), "%s: header line %r" % (path, text[0]))
        lines += [dict(zip(FIELDS, ln.split(" "))) for ln in text[1:]]
    for ln in lines:
        log("flow log: %s" % " ".join(ln[f] for f in FIELDS))
    check(all(len(ln) == len(FIELDS) for ln in lines), "every line has %d fields" % len(FIELDS))

    # the test may straddle a minute boundary: one 5-tuple then has a line in
    # each interval; merge them (packets and bytes add up, start/end span)
    merged = {}
    for ln in lines:
        k = tuple(ln[f] for f in ("interface-id", "srcaddr", "dstaddr", "srcport", "dstport",
                                  "protocol", "action", "flow-direction"))
        if k in merged:
            m = merged[k]
            for f in ("packets", "bytes"):
                m[f] = str(int(m[f]) + int(ln[f]))
            m["start"], m["end"] = min(m["start"], ln["start"]), max(m["end"], ln["end"])
            m["tcp-flags"] = str(int(m["tcp-flags"]) | int(ln["tcp-flags"]))
        else:
            merged[k] = dict(ln)
    n_lines = len(lines)
    lines = list(merged.values())
    rej = [ln for ln in lines if ln["action"] == "REJECT"]
    check(len(rej) == 1, "one REJECT 5-tuple: %d" % len(rej))
    r = rej[0]
    want = {"version": "5", "interface-id": eni(SERVER), "srcaddr": CLIENT, "dstaddr": SERVER,
            "srcport": "41081", "dstport": "8080", "protocol": "6", "tcp-flags": "2",
            "log-status": "OK", "flow-direction": "ingress", "traffic-path": "-"}
    for k, v in want.items():
        check(r[k] == v, "REJECT line: %s = %s (expected %s)" % (k, r[k], v))
    check(int(r["packets"]) == denied and int(r["bytes"]) >= 40 * denied,
          "REJECT line: packets %s = sg_deny_ingress %d, bytes %s" % (r["packets"], denied,
                                                                    r["bytes"]))
    check(t0 <= int(r["start"]) <= int(r["end"]) <= t1,
          "REJECT line: start %s, end %s within [%d, %d]" % (r["start"], r["end"], t0, t1))

    acc = [ln for ln in lines if ln["action"] == "ACCEPT"]
    out = [ln for ln in acc if ln["interface-id"] == eni(CLIENT) and ln["srcport"] == "41080"
           and ln["dstport"] == "80" and ln["flow-direction"] == "egress"]
    back = [ln for ln in acc if ln["interface-id"] == eni(SERVER) and ln["srcport"] == "80"
            and ln["dstport"] == "41080" and ln["flow-direction"] == "egress"]
    check(len(out) == 1 and int(out[0]["packets"]) >= 3 and out[0]["traffic-path"] == "1",
          "ACCEPT egress line of the client's connection (SYN, ACK, data, FIN...): %s" % out)
    check(len(back) == 1 and int(back[0]["packets"]) >= 2,
          "ACCEPT egress line of the server's replies: %s" % back)
    check(not any(ln["dstport"] == "8080" for ln in acc), "no ACCEPT line for tcp/8080")
    fl = st["flow_logs"]
    check(fl["logs"]["vpc"]["written"] == n_lines and fl["skipped"] == 0,
          "stats: flow_logs %s, %d lines in the files" % (fl, n_lines))


if __name__ == "__main__":
    run("flowlogs", body)
