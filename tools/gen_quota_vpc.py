#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write a vpcgw configuration of one VPC at AWS's default quotas (issue #22),
for tests and benchmarks:

  200 subnets (10.0.I.0/24), each with its own route table of 50 routes
  (0.0.0.0/0 and 49 more, /8 to /32, to igw, NAT gateways, GWLB endpoints
  and blackhole; every table different) and its own network ACL of 20 rules
  each way; 2,500 security groups of 60 rules each way (CIDR and sg:
  references); 1,000 ENIs (5 a subnet) with 5 security groups each; 5 NAT
  gateways of 2 addresses; 5 elastic IPs; one NLB with 50 listeners over two
  target groups of 500 targets (1,000 in all); one GWLB with 300 appliances
  and 4 endpoints.

Traffic that passes everything, for the tests: any TCP port 80 or 443 or
UDP 53 between ENIs (10.0.S.10..14, S = 0..199) — every NACL allows it after
its 19 denies, every security group allows TCP 80/443 and UDP 53 from the
VPC and everything out; 0.0.0.0/0 of subnets 1..199 goes to nat-gateway
nat-(S mod 5) (whose subnet 0 routes it to the igw).

usage: gen_quota_vpc.py [-o FILE] [--devargs NAME=DEVARGS]... [--workers N]
                        [--mbufs N] [--flows N] [--memory MB] [--scale F]
                        [--no-health-checks] [--neighbors] [--sgs N]
                        [--targets-per-group N] [--appliances N] [--listeners N]
Ports: vpc (10.0.0.1/16), internet (198.51.100.1/24), appliances
(192.168.48.1/22); each a net_null device unless --devargs names it.
--scale F multiplies every count (0 < F <= 1): smaller VPCs of the same shape;
--sgs, --targets-per-group, --appliances, --listeners set one count (above a
limit, for the tests of --check).
"""
import argparse
import ipaddress
import sys

N_SUBNETS = 200
ROUTES_PER_TABLE = 50
NACL_RULES = 20
N_SGS = 2500
SG_RULES = 60
ENIS_PER_SUBNET = 5
SGS_PER_ENI = 5
N_NATGW = 5
N_EIPS = 5
N_LISTENERS = 50
TARGETS_PER_GROUP = 500
N_TARGET_GROUPS = 2
N_APPLIANCES = 300
N_ENDPOINTS = 4
PREFIX_LENS = (8, 12, 16, 20, 24, 28, 32)


def net(first, second, third, length):
    """The network of a.b.c.0/len (host bits cleared)."""
    n = ipaddress.ip_network("%d.%d.%d.0/%d" % (first, second, third, length), strict=False)
    return str(n)


def eni_addr(s, k):
    return "10.0.%d.%d" % (s, 10 + k)


def eni_mac(s, k):
    return "02:aa:0a:00:%02x:%02x" % (s, 10 + k)


def gen(a):
    sc = a.scale
    n_sub = max(2, int(N_SUBNETS * sc))
    n_sg = a.sgs or max(SGS_PER_ENI, int(N_SGS * sc))
    per_tg = a.targets_per_group or max(1, int(TARGETS_PER_GROUP * sc))
    n_app = a.appliances or max(1, int(N_APPLIANCES * sc))
    n_lis = a.listeners or max(1, int(N_LISTENERS * sc))
    devargs = {"vpc": "net_null0,no-rx=1", "internet": "net_null1,no-rx=1",
               "appliances": "net_null2,no-rx=1"}
    for d in a.devargs:
        name, _, value = d.partition("=")
        if name not in devargs:
            sys.exit("gen_quota_vpc.py: no port %r (vpc, internet, appliances)" % name)
        devargs[name] = value
    o = []
    w = o.append
    w("# A VPC at AWS's default quotas: tools/gen_quota_vpc.py --scale %g (issue #22)." % sc)
    w("dpdk = { eal_args = [ \"--no-huge\", \"-m\", \"%d\", \"--no-pci\" ]; workers = %d; "
      "mbufs = %d; flow_table_size = %d; };" % (a.memory, a.workers, a.mbufs, a.flows))
    w("ports = (")
    w("  { name = \"vpc\"; devargs = \"%s\"; mac = \"02:00:00:00:00:01\"; "
      "address = \"10.0.0.1/16\"; }," % devargs["vpc"])
    w("  { name = \"internet\"; devargs = \"%s\"; mac = \"02:00:00:00:01:01\"; "
      "address = \"198.51.100.1/24\"; }," % devargs["internet"])
    w("  { name = \"appliances\"; devargs = \"%s\"; mac = \"02:00:00:00:02:01\"; "
      "address = \"192.168.48.1/22\"; mtu = 8568; }" % devargs["appliances"])
    w(");")
    neigh = ["  { port = \"internet\"; address = \"198.51.100.254\"; mac = \"02:00:00:00:01:fe\"; }"]
    if a.neighbors:
        neigh += ["  { port = \"vpc\"; address = \"%s\"; mac = \"%s\"; }"
                  % (eni_addr(s, k), eni_mac(s, k))
                  for s in range(n_sub) for k in range(ENIS_PER_SUBNET)]
    w("neighbors = (\n%s\n);" % ",\n".join(neigh))
    subnets = []
    for s in range(n_sub):
        subnets.append("    { name = \"sn-%d\"; cidr = \"10.0.%d.0/24\"; port = \"vpc\"; "
                       "route_table = \"rt-%d\"; network_acl = \"acl-%d\"; }" % (s, s, s, s))
    w("vpc = { cidr = \"10.0.0.0/16\";\n  subnets = (\n%s\n  ); };" % ",\n".join(subnets))
    eips = ", ".join("{ public = \"198.51.100.%d\"; private = \"10.0.0.%d\"; }" % (20 + i, 20 + i)
                     for i in range(N_EIPS))
    w("internet_gateway = { port = \"internet\"; next_hop = \"198.51.100.254\";\n"
      "  elastic_ips = ( %s ); };" % eips)

    # route tables: 0.0.0.0/0 and 49 prefixes of 7 lengths, different in every table
    w("route_tables = (")
    kinds = ("igw", "nat", "blackhole", "gwlbe")
    for s in range(n_sub):
        routes = ["{ destination = \"0.0.0.0/0\"; target = \"%s\"; }"
                  % ("igw" if s == 0 else "nat-gateway:nat-%d" % (s % N_NATGW))]
        for j in range(1, ROUTES_PER_TABLE):
            dst = net(11 + j, s, (j * 37) % 256, PREFIX_LENS[j % len(PREFIX_LENS)])
            k = kinds[j % 4]
            t = {"igw": "igw", "nat": "nat-gateway:nat-%d" % (j % N_NATGW),
                 "blackhole": "blackhole",
                 "gwlbe": "gwlb-endpoint:inspect-%d" % (j % N_ENDPOINTS)}[k]
            routes.append("{ destination = \"%s\"; target = \"%s\"; }" % (dst, t))
        w("  { name = \"rt-%d\"; routes = (\n      %s ); }%s"
          % (s, ",\n      ".join(routes), "," if s + 1 < n_sub else ""))
    w(");")

    # network ACLs: 19 denies for traffic the tests never send, then allow all
    w("network_acls = (")
    for s in range(n_sub):
        rules = {}
        for d in ("ingress", "egress"):
            r = []
            for k in range(NACL_RULES - 1):
                proto = ("tcp", "udp", "icmp")[k % 3]
                extra = "ports = \"%d\"; " % (1000 + k * 7 + s) if proto != "icmp" else ""
                r.append("{ rule = %d; protocol = \"%s\"; %scidr = \"192.0.2.%d/32\"; "
                         "action = \"deny\"; }" % (100 + 10 * k, proto, extra, (s + k) % 256))
            r.append("{ rule = 1000; protocol = \"all\"; cidr = \"0.0.0.0/0\"; action = \"allow\"; }")
            rules[d] = ",\n        ".join(r)
        w("  { name = \"acl-%d\";\n    ingress = ( %s );\n    egress = ( %s ); }%s"
          % (s, rules["ingress"], rules["egress"], "," if s + 1 < n_sub else ""))
    w(");")

    # security groups: 3 rules the tests' traffic meets, 57 more (CIDRs, sg: references)
    w("security_groups = (")
    for g in range(n_sg):
        ing = ["{ protocol = \"tcp\"; ports = \"80\"; source = \"10.0.0.0/16\"; }",
               "{ protocol = \"tcp\"; ports = \"443\"; source = \"10.0.0.0/16\"; }",
               "{ protocol = \"udp\"; ports = \"53\"; source = \"10.0.0.0/16\"; }"]
        eg = ["{ protocol = \"all\"; destination = \"0.0.0.0/0\"; }"]
        for k in range(len(ing), SG_RULES):
            if k % 10 == 0:
                ing.append("{ protocol = \"tcp\"; ports = \"%d\"; source = \"sg:sg-%d\"; }"
                           % (2000 + k, (g + k) % n_sg))
            else:
                ing.append("{ protocol = \"%s\"; ports = \"%d-%d\"; source = \"%s\"; }"
                           % ("tcp" if k % 2 else "udp", 3000 + k * 10, 3005 + k * 10,
                              net(172, 16 + k % 16, (g + k) % 256, 24)))
        for k in range(len(eg), SG_RULES):
            if k % 10 == 0:
                eg.append("{ protocol = \"tcp\"; ports = \"%d\"; destination = \"sg:sg-%d\"; }"
                          % (2000 + k, (g + 2 * k) % n_sg))
            else:
                eg.append("{ protocol = \"%s\"; ports = \"%d\"; destination = \"%s\"; }"
                          % ("tcp" if k % 2 else "udp", 4000 + k,
                             net(100, 64 + k % 64, (g * 3 + k) % 256, 28)))
        w("  { name = \"sg-%d\";\n    ingress = ( %s );\n    egress = ( %s ); }%s"
          % (g, ",\n      ".join(ing), ",\n      ".join(eg), "," if g + 1 < n_sg else ""))
    w(");")

    # ENIs: 5 a subnet, 5 groups each, every group used
    w("interfaces = (")
    enis = []
    for s in range(n_sub):
        for k in range(ENIS_PER_SUBNET):
            e = s * ENIS_PER_SUBNET + k
            gs = ", ".join("\"sg-%d\"" % ((e * SGS_PER_ENI + i) % n_sg) for i in range(SGS_PER_ENI))
            enis.append("  { address = \"%s\"; security_groups = [ %s ]; }" % (eni_addr(s, k), gs))
    w(",\n".join(enis))
    w(");")

    w("nat_gateways = (")
    w(",\n".join("  { name = \"nat-%d\"; subnet = \"sn-0\"; addresses = [ \"198.51.100.%d\", "
                 "\"198.51.100.%d\" ]; }" % (i, 100 + 2 * i, 101 + 2 * i) for i in range(N_NATGW)))
    w(");")

    hc = "" if not a.no_health_checks else " health_check = { enabled = false; };"
    lis = ",\n      ".join("{ protocol = \"tcp\"; port = %d; target_group = \"tg-%d\"; }"
                           % (8000 + i, i % N_TARGET_GROUPS) for i in range(n_lis))
    w("network_load_balancers = (\n  { name = \"nlb\"; subnet = \"sn-0\"; address = \"10.0.0.200\";"
      " public_address = \"198.51.100.200\";\n    listeners = ( %s ); }\n);" % lis)
    w("target_groups = (")
    tgs = []
    for g in range(N_TARGET_GROUPS):
        ts = []
        for t in range(per_tg):
            i = g * per_tg + t
            # hosts 100..254 of subnets 1..: ENIs are .10 to .14
            ts.append("{ address = \"10.0.%d.%d\"; }" % (1 + i % (n_sub - 1), 100 + i // (n_sub - 1)))
        tgs.append("  { name = \"tg-%d\"; protocol = \"tcp\"; port = 8080;%s\n    targets = ( %s ); }"
                   % (g, hc, ",\n      ".join(ts)))
    w(",\n".join(tgs))
    w(");")

    apps = ",\n      ".join("{ address = \"192.168.%d.%d\"; }" % (48 + (10 + i) // 256, (10 + i) % 256)
                            for i in range(n_app))
    eps = ",\n      ".join("{ name = \"inspect-%d\"; id = \"vpce-0%016x\"; subnet = \"sn-%d\"; }"
                           % (i, 0xa1b2c3d4e5f60700 + i, i % n_sub) for i in range(N_ENDPOINTS))
    w("gateway_load_balancers = (\n  { name = \"inspect\"; port = \"appliances\";%s\n"
      "    appliances = ( %s );\n    endpoints = ( %s ); }\n);" % (hc, apps, eps))
    return "\n".join(o) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("-o", "--output", default="-")
    p.add_argument("--devargs", action="append", default=[], metavar="NAME=DEVARGS")
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--mbufs", type=int, default=8191)
    p.add_argument("--flows", type=int, default=65536)
    p.add_argument("--memory", type=int, default=2048, help="-m of dpdk.eal_args (MB)")
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--no-health-checks", action="store_true")
    p.add_argument("--neighbors", action="store_true",
                   help="static neighbors for every ENI (MAC 02:aa:0a:00:S:10+K)")
    p.add_argument("--sgs", type=int, default=0, help="security groups (default 2,500)")
    p.add_argument("--targets-per-group", type=int, default=0, help="of 2 groups (default 500)")
    p.add_argument("--appliances", type=int, default=0, help="of the GWLB (default 300)")
    p.add_argument("--listeners", type=int, default=0, help="of the NLB (default 50)")
    a = p.parse_args()
    if not 0 < a.scale <= 1:
        sys.exit("gen_quota_vpc.py: --scale must be in (0, 1]")
    text = gen(a)
    if a.output == "-":
        sys.stdout.write(text)
    else:
        with open(a.output, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
