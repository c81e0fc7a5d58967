# SPDX-License-Identifier: BSD-3-Clause
"""
e2e-sg-nacl: security-group and network-ACL decisions seen by real kernels:
what is allowed answers, what is denied times out (no RST, no ICMP: the
packet just disappears in vpcgw, and the drop counters say why).

  ns client   10.0.1.10/24  subnet front (NACL front-acl), SG client
  ns bastion  10.0.1.11/24  subnet front, SG bastion
  ns server   10.0.2.10/24  subnet back (NACL back-acl), SG web:
              ingress tcp/80 and tcp/8081 from anywhere, tcp/22 from sg:bastion,
              udp/5353 from anywhere, icmp from sg:client; egress: nothing
  front-acl:  in: tcp 1024-65535, icmp, tcp/80 from back allowed, nothing else (no UDP)
  back-acl:   in: rule 100 denies tcp/8081, rule 200 allows the VPC

Cases (client or bastion -> server unless said):
  tcp/80 answers                       SG and NACLs allow, replies by state
  tcp/8080 times out                   no SG rule (sg_deny_ingress)
  tcp/8081 times out                   SG allows, back-acl rule 100 denies (nacl_deny_in)
  tcp/22 from client times out         sg:bastion only; from bastion answers
  ping from client answers, from bastion times out   icmp from sg:client
  udp/5353 times out, yet the server got the datagram: the SG lets the reply
                                       out by state, front-acl (stateless) drops it
  server -> client tcp/80 times out    SG web has no egress rule, so only
                                       replies leave the server (sg_deny_egress)
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2etest import SERVERS, check, log, run  # noqa: E402

SERVER = "10.0.2.10"
CLIENT = "10.0.1.10"

CFG = """
dpdk = { workers = %(workers)d; mbufs = 8191; flow_table_size = 65536; };
ports = ( { name = "vpc"; devargs = "%(vpc)s"; mac = "02:00:00:00:00:01"; address = "10.0.0.1/16";
            rx_queues = %(rxq)d; } );
vpc = {
  cidr = "10.0.0.0/16";
  subnets = (
    { name = "front"; cidr = "10.0.1.0/24"; port = "vpc"; network_acl = "front-acl"; },
    { name = "back"; cidr = "10.0.2.0/24"; port = "vpc"; network_acl = "back-acl"; }
  );
};
network_acls = (
  { name = "front-acl";
    ingress = ( { rule = 100; protocol = "tcp"; ports = "1024-65535";
                  cidr = "0.0.0.0/0"; action = "allow"; },
                { rule = 110; protocol = "icmp"; cidr = "0.0.0.0/0"; action = "allow"; },
                { rule = 120; protocol = "tcp"; ports = "80";
                  cidr = "10.0.2.0/24"; action = "allow"; } );
    egress = ( { rule = 100; protocol = "all"; cidr = "0.0.0.0/0"; action = "allow"; } ); },
  { name = "back-acl";
    ingress = ( { rule = 100; protocol = "tcp"; ports = "8081";
                  cidr = "0.0.0.0/0"; action = "deny"; },
                { rule = 200; protocol = "all"; cidr = "10.0.0.0/16"; action = "allow"; } );
    egress = ( { rule = 100; protocol = "all"; cidr = "0.0.0.0/0"; action = "allow"; } ); }
);
security_groups = (
  { name = "web";
    ingress = ( { protocol = "tcp"; ports = "80"; source = "0.0.0.0/0"; },
                { protocol = "tcp"; ports = "8081"; source = "0.0.0.0/0"; },
                { protocol = "tcp"; ports = "22"; source = "sg:bastion"; },
                { protocol = "udp"; ports = "5353"; source = "0.0.0.0/0"; },
                { protocol = "icmp"; source = "sg:client"; } );
    egress = (); },
  { name = "client"; ingress = ( { protocol = "tcp"; ports = "80"; source = "0.0.0.0/0"; } );
    egress = ( { protocol = "all"; destination = "0.0.0.0/0"; } ); },
  { name = "bastion"; ingress = ();
    egress = ( { protocol = "all"; destination = "0.0.0.0/0"; } ); }
);
interfaces = (
  { address = "10.0.1.10"; security_groups = [ "client" ]; },
  { address = "10.0.1.11"; security_groups = [ "bastion" ]; },
  { address = "10.0.2.10"; security_groups = [ "web" ]; }
);
"""


def server_saw(env, proto, port):
    return '"proto": "%s", "port": %d,' % (proto, port) in env.logtext("server-servers")


def body(env):
    devargs = {"vpc": env.add_port("vpc")}
    client = env.add_host("client", "vpc", CLIENT + "/24", gateway="10.0.1.1")
    bastion = env.add_host("bastion", "vpc", "10.0.1.11/24", gateway="10.0.1.1")
    server = env.add_host("server", "vpc", SERVER + "/24", gateway="10.0.2.1")
    env.spawn(server, SERVERS + ["--name", "server", "--tcp", "22", "--tcp", "80", "--tcp", "8080",
                                 "--tcp", "8081", "--udp", "5353"], "server-servers")
    env.spawn(client, SERVERS + ["--name", "client", "--tcp", "80"], "client-servers")
    env.wait_listen(server, 8081)
    env.wait_listen(server, 5353, "udp")
    env.wait_listen(client, 80)
    env.start_vpcgw(CFG % dict(devargs, workers=env.workers, rxq=env.rxq()))

    def tcp(ns, who, port, want):
        res = env.probe(ns, "tcp", SERVER, port, timeout=2)
        if want == "answers":
            ok = res["result"] == "connected" and res["reply"].startswith("server tcp/%d " % port)
        else:
            ok = res["result"] == "timeout"
        check(ok, "%s -> server tcp/%d %s: %s" % (who, port, want, res))
        return res

    res = tcp(client, "client", 80, "answers")
    check(res["reply"].split()[2].startswith(CLIENT + ":"),
          "the server saw the client's own address (%s)" % res["reply"])
    tcp(client, "client", 8080, "times out")
    check(not server_saw(env, "tcp", 8080), "nothing reached the server on tcp/8080")
    tcp(client, "client", 8081, "times out")
    check(not server_saw(env, "tcp", 8081), "nothing reached the server on tcp/8081")
    tcp(client, "client", 22, "times out")
    check(not server_saw(env, "tcp", 22), "nothing reached the server on tcp/22 from the client")
    tcp(bastion, "bastion", 22, "answers")

    r = env.sh(["ping", "-c", "2", "-i", "0.2", "-W", "2", SERVER], ns=client, check_rc=False)
    check(r.returncode == 0, "ping client -> server answers (icmp from sg:client)")
    r = env.sh(["ping", "-c", "2", "-i", "0.2", "-W", "1", SERVER], ns=bastion, check_rc=False)
    check(r.returncode != 0 and " 100% packet loss" in r.stdout,
          "ping bastion -> server times out (bastion is not in sg:client)")

    res = env.probe(client, "udp", SERVER, 5353, timeout=2)
    check(res["result"] == "timeout", "client -> server udp/5353 times out: %s" % res)
    check(server_saw(env, "udp", 5353),
          "... though the request reached the server: the reply died in front-acl (stateless)")

    res = env.probe(server, "tcp", CLIENT, 80, timeout=2)
    check(res["result"] == "timeout",
          "server -> client tcp/80 times out (SG web allows no egress): %s" % res)
    check("tcp" not in env.logtext("client-servers"), "nothing reached the client's server")
    # and what was allowed before still is: the flows in the other direction are tracked
    tcp(client, "client", 80, "answers")

    st = env.stop_vpcgw()
    drops = env.drops()
    log("drops: %s" % drops)
    log("interfaces: %s" % st["interfaces"])
    # each timed-out TCP probe is a SYN and its retransmission
    check(drops.get("sg_deny_ingress", 0) >= 2 + 2 + 2,
          "sg_deny_ingress counts tcp/8080, tcp/22 from the client and the bastion's pings (%d)"
          % drops.get("sg_deny_ingress", 0))
    check(drops.get("nacl_deny_in", 0) >= 2 + 1,
          "nacl_deny_in counts tcp/8081 and the udp reply (%d)" % drops.get("nacl_deny_in", 0))
    check(drops.get("sg_deny_egress", 0) >= 2,
          "sg_deny_egress counts the server's own connection attempt (%d)"
          % drops.get("sg_deny_egress", 0))
    web = st["interfaces"][SERVER]
    check(web["denied"] >= 6 and web["allowed"] > 0,
          "ENI %s counts allowed (%d) and denied (%d) packets" % (SERVER, web["allowed"],
                                                                  web["denied"]))


if __name__ == "__main__":
    run("sg-nacl", body)
