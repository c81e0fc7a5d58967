# SPDX-License-Identifier: BSD-3-Clause
"""
Runner of the `pcap` suite: the real vpcgw binary on net_pcap ports.

A Case holds a configuration (libconfig text with {dir} placeholders, or a
python dict rendered to libconfig), the input packets of each port (each with
an explicit capture time, the clock of `--clock packet`), the packets each
port must send (in order) and the counters to check. Case.run() writes the
input pcaps to a temporary directory, runs vpcgw, reads the output pcaps and
compares them packet by packet, then checks the counters of --stats-json and
the accounting invariants (rx == forwarded + local + drops, in total and per
port; packets in an output pcap == the port's tx + generated counters).

Expected packets are built by the tests from the SPEC (scapy), never copied
from vpcgw's output. Fields the SPEC leaves to the implementation (IP id and
TTL of a packet vpcgw generates, Ethernet padding) are named per expected
packet in Exp(wild=..., pad=True); the checksums that depend on them are
recomputed by scapy from the actual values, so a wrong checksum still fails.

Environment: VPCGW (path of the binary, default ../../build/vpcgw from this
file), VPCGW_KEEP=1 (keep the temporary directory), VPCGW_VERBOSE=1.
"""
import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile

from scapy.all import ARP, Ether, ICMP, IP, IPerror, TCP, UDP, Raw, rdpcap, wrpcap  # noqa: F401
from scapy.config import conf

conf.verb = 0
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)   # runt frames as Raw in a pcap

HERE = os.path.dirname(os.path.abspath(__file__))
T0 = 1700000000.0           # capture time of a case's first packet

EAL_ARGS = ["--no-huge", "-m", "256", "--no-pci", "--log-level", "lib.eal:error"]
# Idle workers sleep (dpdk.idle_sleep_us, up to 1 ms) rather than spin: the
# suites run in parallel on machines with 2 cores, where a spinning worker of
# one test takes the CPU another test needs. VPCGW_IDLE_SLEEP_US=0: spin.
IDLE_ARGS = ["--idle-sleep-us", os.environ.get("VPCGW_IDLE_SLEEP_US", "1000")]

# ------------------------------------------------------------ libconfig


def _scalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    raise TypeError("cannot render %r" % (v,))


def render(v, indent=0):
    """A python value as libconfig: dict -> group, list of dicts -> list,
    list of scalars -> array."""
    pad = "  " * indent
    if isinstance(v, dict):
        if all(not isinstance(x, (dict, list, tuple)) for x in v.values()):
            return "{ " + " ".join("%s = %s;" % (k, _scalar(x)) for k, x in v.items()) + " }"
        inner = "".join("%s  %s = %s;\n" % (pad, k, render(x, indent + 1)) for k, x in v.items())
        return "{\n" + inner + pad + "}"
    if isinstance(v, (list, tuple)):
        if not v:
            return "()"
        if all(isinstance(x, dict) for x in v):
            return "(\n" + ",\n".join(pad + "  " + render(x, indent + 1) for x in v) + "\n" + pad + ")"
        return "[ " + ", ".join(_scalar(x) for x in v) + " ]"
    return _scalar(v)


def render_top(d):
    return "".join("%s = %s;\n" % (k, render(v)) for k, v in d.items())


# ------------------------------------------------------------ expectations


class Exp:
    """An expected output packet.

    pkt:   the packet as the SPEC says it must leave, or a function of the
           actual packet returning it (for lengths the SPEC leaves open, such
           as the quote of an ICMP error).
    wild:  fields left to the implementation, as "Layer.field" (first layer
           of that class), e.g. "IP.ttl", "IP.id", "ARP.hwdst"; the actual
           values are copied into the expectation and the checksums that
           cover them recomputed.
    pad:   the actual frame may carry zero padding up to 60 bytes.
    check: optional function(actual_packet) -> list of problems (strings),
           for what bytes cannot express.
    """

    def __init__(self, pkt, wild=(), pad=False, check=None, note=""):
        self.pkt = pkt
        self.wild = tuple(wild)
        self.pad = pad
        self.check = check
        self.note = note

    def expected_bytes(self, act=None):
        if callable(self.pkt):
            return bytes(self.pkt(act)) if act is not None else b""
        return bytes(self.pkt)

    def summary(self):
        s = Ether(self.expected_bytes()).summary() if not callable(self.pkt) else ""
        return " ".join(x for x in (self.note, s) if x)

    def problems(self, actual_bytes):
        act = dissect(actual_bytes)
        exp = Ether(self.expected_bytes(act))
        out = []
        if self.wild:
            refresh = set()
            for w in self.wild:
                lname, field = w.split(".")
                cls = _LAYERS[lname]
                if cls not in exp or cls not in act:
                    out.append("layer %s missing for wildcard %s" % (lname, w))
                    continue
                setattr(exp[cls], field, getattr(act[cls], field))
                refresh.add(cls)
            if IP in refresh:
                del exp[IP].chksum
            exp = Ether(bytes(exp))
        eb = bytes(exp)
        ab = actual_bytes
        if self.pad and len(ab) > len(eb) and len(ab) <= 60 and ab[len(eb):] == bytes(len(ab) - len(eb)):
            ab = ab[:len(eb)]
        if eb != ab:
            out.append("bytes differ (expected %d bytes, got %d)\n%s" % (len(eb), len(ab), diff(eb, ab)))
        if self.check is not None:
            out.extend(self.check(act))
        return out


_LAYERS = {"Ether": Ether, "IP": IP, "TCP": TCP, "UDP": UDP, "ICMP": ICMP, "ARP": ARP,
           "IPerror": IPerror}


def dissect(b):
    """Ether(b), or Raw(b) for what scapy cannot dissect (runt frames)."""
    try:
        return Ether(b)
    except Exception:  # noqa: BLE001 - any frame must print
        return Raw(b)


def _fields(pkt):
    """[(layer.field, repr)] of every field of every layer."""
    res = []
    layer = pkt
    n = 0
    while layer is not None:
        name = layer.__class__.__name__
        for f in layer.fields_desc:
            try:
                v = layer.getfieldval(f.name)
                r = f.i2repr(layer, v)
            except Exception:  # noqa: BLE001 - a broken packet still prints
                r = "?"
            res.append(("%d:%s.%s" % (n, name, f.name), r))
        layer = layer.payload if layer.payload else None
        n += 1
    return res


def diff(eb, ab):
    """Field-by-field difference of two frames, then both scapy dumps."""
    e, a = dissect(eb), dissect(ab)
    fe, fa = _fields(e), _fields(a)
    lines = []
    for i in range(max(len(fe), len(fa))):
        ke, ve = fe[i] if i < len(fe) else ("-", "-")
        ka, va = fa[i] if i < len(fa) else ("-", "-")
        if ke != ka or ve != va:
            lines.append("    %-28s expected %-30s got %s %s" % (ke, ve, va, "" if ke == ka else "(" + ka + ")"))
    lines.append("    --- expected:\n" + _indent(e.show(dump=True)))
    lines.append("    --- got:\n" + _indent(a.show(dump=True)))
    lines.append("    expected hex: " + eb.hex())
    lines.append("    got hex:      " + ab.hex())
    return "\n".join(lines)


def _indent(s):
    return "\n".join("      " + x for x in s.splitlines())


# ------------------------------------------------------------ ignore predicates


def is_arp_request(p):
    return ARP in p and p[ARP].op == 1


def is_arp(p):
    return ARP in p


def is_health_probe(p):
    """TCP probes vpcgw sends to NLB targets / GWLB appliances (sources 33000+)
    and the RSTs that end them."""
    return TCP in p and 33000 <= p[TCP].sport < 35000 and (p[TCP].flags.S or p[TCP].flags.R)


def any_of(*preds):
    return lambda p: any(f(p) for f in preds)


# ------------------------------------------------------------ derivations from the SPEC


def rebuilt(p, l4=False):
    """p with the IPv4 header checksum (and the L4 one when l4) recomputed."""
    p = p.copy()
    if IP in p:
        del p[IP].chksum
        if l4:
            if TCP in p:
                del p[TCP].chksum
            elif UDP in p and p[UDP].chksum != 0:
                del p[UDP].chksum
            elif ICMP in p:
                del p[ICMP].chksum
    return Ether(bytes(p))


def routed(p, src_mac, dst_mac, src=None, dst=None, sport=None, dport=None):
    """SPEC §3.6: TTL - 1, checksums updated, Ethernet rewritten from the
    neighbor table; src/dst/ports when a translation applies."""
    q = Ether(bytes(p))
    q[Ether].src = src_mac
    q[Ether].dst = dst_mac
    q[IP].ttl -= 1
    l4 = False
    if src is not None:
        q[IP].src = src
        l4 = True
    if dst is not None:
        q[IP].dst = dst
        l4 = True
    for name, val in (("sport", sport), ("dport", dport)):
        if val is not None:
            for cls in (TCP, UDP):
                if cls in q:
                    setattr(q[cls], name, val)
            l4 = True
    return rebuilt(q, l4=l4)


GEN_WILD = ("IP.ttl", "IP.id", "IP.flags", "IP.tos")


def check_ip_generated(act):
    out = []
    if IP in act and act[IP].ttl == 0:
        out.append("generated packet with TTL 0")
    return out


# ------------------------------------------------------------ the case


class Case:
    """
    name:      case name
    config:    libconfig text with {dir} (the temp dir) and {EAL} placeholders,
               or a dict rendered by render_top (devargs may use {dir})
    inputs:    {port name: [packets with .time]}
    expected:  {port name: [scapy packets or Exp]}, in order; a port absent
               from `expected` must send nothing (after `ignore`)
    ignore:    predicate on an actual output packet: not compared (health
               probes, ARP requests a case does not care about)
    counters:  {"drops.ttl_expired": 1, "ports.vpc.local": 2, ...}
    strict_drops: every drop reason not named in counters must be 0
    ports:     [port names in config order]; devargs are generated as
               net_pcapI,rx_pcap={dir}/NAME-in.pcap,tx_pcap={dir}/NAME-out.pcap
    """

    def __init__(self, name, config, inputs, expected, counters=None, ignore=None,
                 strict_drops=True, extra_args=()):
        self.name = name
        self.config = config
        self.inputs = inputs
        self.expected = expected
        self.counters = counters or {}
        self.ignore = ignore
        self.strict_drops = strict_drops
        self.extra_args = list(extra_args)

    def _port_names(self):
        if isinstance(self.config, dict):
            return [p["name"] for p in self.config["ports"]]
        raise ValueError("text configs must list their ports via Case.port_names")

    port_names = None

    def run(self, workers, binary=None, idle_ms=300, timeout=60):
        binary = os.path.abspath(binary or os.environ.get("VPCGW") or
                                 os.path.join(HERE, "..", "..", "build", "vpcgw"))
        keep = os.environ.get("VPCGW_KEEP") == "1"
        d = tempfile.mkdtemp(prefix="vpcgw-pcap-%s-" % self.name)
        ports = self.port_names or self._port_names()
        errors = []
        try:
            cfg_path = os.path.join(d, "vpcgw.cfg")
            if isinstance(self.config, dict):
                text = render_top(self.config)
            else:
                text = self.config
            text = text.replace("{dir}", d)
            with open(cfg_path, "w") as f:
                f.write(text)
            for pn in ports:
                pkts = self.inputs.get(pn, [])
                for p in pkts:
                    if not hasattr(p, "time") or p.time is None:
                        raise ValueError("input packet without a time on %s" % pn)
                pkts = sorted(pkts, key=lambda p: float(p.time))
                path = os.path.join(d, "%s-in.pcap" % pn)
                wrpcap(path, pkts, linktype=1) if pkts else _empty_pcap(path)
            stats = os.path.join(d, "stats.json")
            cmd = [binary, "-c", cfg_path, "--clock", "packet", "--exit-idle-ms", str(idle_ms),
                   "--stats-json", stats, "-w", str(workers)] + IDLE_ARGS + self.extra_args
            try:
                r = subprocess.run(cmd, cwd=d, capture_output=True, text=True, timeout=timeout)
            except subprocess.TimeoutExpired as e:
                errors.append("vpcgw did not exit within %d s\nstdout:\n%s\nstderr:\n%s" %
                              (timeout, e.stdout, e.stderr))
                return errors
            if os.environ.get("VPCGW_VERBOSE") == "1" or r.returncode != 0:
                sys.stdout.write("$ %s\n--- stdout\n%s--- stderr\n%s" % (" ".join(cmd), r.stdout, r.stderr))
            if r.returncode != 0:
                errors.append("vpcgw exited with %d" % r.returncode)
                return errors
            try:
                with open(stats) as f:
                    js = json.load(f)
            except (OSError, ValueError) as e:
                errors.append("cannot read --stats-json output: %s" % e)
                return errors
            outputs = {}
            for pn in ports:
                path = os.path.join(d, "%s-out.pcap" % pn)
                outputs[pn] = [bytes(p) for p in rdpcap(path)] if os.path.exists(path) and \
                    os.path.getsize(path) > 24 else []
            errors += self._compare(ports, outputs)
            errors += self._check_counters(js, ports, outputs)
            return errors
        finally:
            if keep:
                print("kept %s" % d)
            else:
                shutil.rmtree(d, ignore_errors=True)

    def _compare(self, ports, outputs):
        errors = []
        for pn in ports:
            got = [b for b in outputs[pn] if not (self.ignore and self.ignore(dissect(b)))]
            exp = [e if isinstance(e, Exp) else Exp(e) for e in self.expected.get(pn, [])]
            for i in range(max(len(got), len(exp))):
                if i >= len(exp):
                    errors.append("port %s: unexpected packet #%d: %s\n%s" %
                                  (pn, i, dissect(got[i]).summary(), _indent(dissect(got[i]).show(dump=True))))
                    continue
                if i >= len(got):
                    errors.append("port %s: missing packet #%d: %s" % (pn, i, exp[i].summary()))
                    continue
                pr = exp[i].problems(got[i])
                if pr:
                    errors.append("port %s: packet #%d, expected %s:\n  %s" %
                                  (pn, i, exp[i].summary(), "\n  ".join(pr)))
        return errors

    def _check_counters(self, js, ports, outputs):
        errors = []
        t = js.get("totals", {})
        if t.get("rx") != t.get("forwarded", 0) + t.get("local", 0) + t.get("drops", 0):
            errors.append("totals: rx %s != forwarded %s + local %s + drops %s" %
                          (t.get("rx"), t.get("forwarded"), t.get("local"), t.get("drops")))
        nin = sum(len(self.inputs.get(pn, [])) for pn in ports)
        if t.get("rx") != nin:
            errors.append("totals.rx %s != %d input packets" % (t.get("rx"), nin))
        for pn in ports:
            p = js.get("ports", {}).get(pn)
            if p is None:
                errors.append("ports.%s missing from the JSON" % pn)
                continue
            # a VLAN port ("PORT.VLAN", issue #18) receives and sends on its
            # device's wire: the device's pcaps hold its frames too
            vlans = [v for k, v in js["ports"].items() if "vlan" in v and k.startswith(pn + ".")]
            if vlans:
                p = dict(p)
                for k in ("rx", "forwarded", "local", "dropped", "tx", "generated"):
                    p[k] += sum(v[k] for v in vlans)
            if p["rx"] != p["forwarded"] + p["local"] + p["dropped"]:
                errors.append("ports.%s: rx %d != forwarded %d + local %d + dropped %d" %
                              (pn, p["rx"], p["forwarded"], p["local"], p["dropped"]))
            if p["rx"] != len(self.inputs.get(pn, [])):
                errors.append("ports.%s.rx %d != %d input packets" % (pn, p["rx"], len(self.inputs.get(pn, []))))
            # tx: forwarded packets sent; generated: packets vpcgw made itself
            if p["tx"] + p["generated"] != len(outputs[pn]):
                errors.append("ports.%s: tx %d + generated %d != %d packets in its output pcap" %
                              (pn, p["tx"], p["generated"], len(outputs[pn])))
        drops = js.get("drops", {})
        if sum(drops.values()) < t.get("drops", 0):
            errors.append("sum of drops by reason %d < totals.drops %d" % (sum(drops.values()), t.get("drops", 0)))
        for path, want in self.counters.items():
            v = js
            parts = path.split(".")
            while parts:
                k = parts.pop(0)
                # a key with a dot (a VLAN port "p1.10"): the longest that is there
                for j in range(len(parts), 0, -1):
                    if isinstance(v, dict) and ".".join([k] + parts[:j]) in v:
                        k = ".".join([k] + parts[:j])
                        parts = parts[j:]
                        break
                if not isinstance(v, dict) or k not in v:
                    v = None
                    break
                v = v[k]
            if v is None:
                errors.append("counter %s: missing from the JSON" % path)
            elif callable(want):
                if not want(v):
                    errors.append("counter %s: %s fails its check" % (path, v))
            elif v != want:
                errors.append("counter %s: expected %s, got %s" % (path, want, v))
        if self.strict_drops:
            for k, v in drops.items():
                if v and ("drops." + k) not in self.counters:
                    errors.append("unexpected drops.%s = %d" % (k, v))
        return errors


def _empty_pcap(path):
    # pcap global header, microsecond resolution, LINKTYPE_ETHERNET
    import struct
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))


def timed(pkts, start=0.0, step=0.01):
    """Give packets consecutive capture times (T0 + start + i * step)."""
    for i, p in enumerate(pkts):
        p.time = T0 + start + i * step
    return pkts


def at(p, t):
    """p with capture time T0 + t."""
    p.time = T0 + t
    return p


def main(cases):
    """Command line of a test file: --workers N [--case NAME | --list]."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", "-w", type=int, default=1)
    ap.add_argument("--case", action="append")
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args()
    if a.list:
        for c in cases:
            print(c)
        return 0
    names = a.case or list(cases)
    failed = 0
    for n in names:
        if n not in cases:
            print("unknown case %s" % n)
            return 2
        case = cases[n]()
        errs = case.run(a.workers)
        if errs:
            failed += 1
            print("FAIL %s (workers %d)" % (n, a.workers))
            for e in errs:
                print("  - " + e)
        else:
            print("ok   %s (workers %d)" % (n, a.workers))
    return 1 if failed else 0


# ------------------------------------------------------------ two-phase cases


class _FirstRun(Case):
    """A Case that records what vpcgw sent and its counters instead of
    comparing them (the first run of a two-phase case)."""

    outputs = None
    stats = None

    def _compare(self, ports, outputs):
        self.outputs = {pn: [dissect(b) for b in outputs[pn]] for pn in ports}
        return []

    def _check_counters(self, js, ports, outputs):
        self.stats = js
        return []


class FirstRunError(Exception):
    pass


def first_run(config, inputs, workers, port_names=None, extra_args=()):
    """Run vpcgw once on `inputs` (same files, flags and worker count as the
    case will use) and return ({port: [scapy packets sent]}, stats JSON).

    For values the SPEC leaves to vpcgw that a reply must quote (NAT source
    ports, GENEVE flow cookies, the NLB target of a flow, health-check
    sequence numbers): they are deterministic for the same input and worker
    count under --clock packet, so a second run with the replies added sees
    the same ones. Raises FirstRunError when vpcgw fails."""
    c = _FirstRun("first-run", config, inputs, {}, extra_args=extra_args)
    if port_names is not None:
        c.port_names = port_names
    errs = c.run(workers)
    if errs or c.outputs is None:
        raise FirstRunError("first run failed: " + "; ".join(errs))
    return c.outputs, c.stats


class TwoPhaseCase(Case):
    """A case built at run time: build(workers) returns the Case to run,
    typically after first_run() taught it values to quote in the replies.
    build may raise FirstRunError, or AssertionError with a message (a
    property of the first run's output that the SPEC requires)."""

    def __init__(self, name, build):
        self.name = name
        self.build = build

    def run(self, workers, binary=None, idle_ms=300, timeout=60):
        try:
            case = self.build(workers)
        except (FirstRunError, AssertionError) as e:
            return ["%s: %s" % (type(e).__name__, e)]
        return case.run(workers, binary=binary, idle_ms=idle_ms, timeout=timeout)


# ------------------------------------------------------------ interleaved streams


class Interleaved:
    """Expected packets of one output port that come from independent
    streams (e.g. packets forwarded from two input ports polled by different
    workers, and packets vpcgw generates): the order is checked within each
    stream, not between streams. Use as a value of `expected` in a case built
    by StreamCase (the plain Case compares in strict order only)."""

    def __init__(self, *streams):
        self.streams = [[e if isinstance(e, Exp) else Exp(e) for e in s] for s in streams]


class StreamCase(Case):
    """A Case whose `expected` values may also be Interleaved."""

    def _compare(self, ports, outputs):
        plain = [pn for pn in ports if not isinstance(self.expected.get(pn), Interleaved)]
        errors = Case._compare(self, plain, outputs)
        for pn in ports:
            exp = self.expected.get(pn)
            if not isinstance(exp, Interleaved):
                continue
            got = [b for b in outputs[pn] if not (self.ignore and self.ignore(dissect(b)))]
            heads = [0] * len(exp.streams)
            for i, b in enumerate(got):
                cands = [s for s, h in enumerate(heads) if h < len(exp.streams[s])]
                match = next((s for s in cands if not exp.streams[s][heads[s]].problems(b)), None)
                if match is not None:
                    heads[match] += 1
                    continue
                if not cands:
                    errors.append("port %s: unexpected packet #%d: %s\n%s" %
                                  (pn, i, dissect(b).summary(), _indent(dissect(b).show(dump=True))))
                    continue
                for s in cands:
                    errors.append("port %s: packet #%d matches no stream head; stream %d expected %s:\n  %s" %
                                  (pn, i, s, exp.streams[s][heads[s]].summary(),
                                   "\n  ".join(exp.streams[s][heads[s]].problems(b))))
                break
            else:
                for s, h in enumerate(heads):
                    for e in exp.streams[s][h:]:
                        errors.append("port %s: missing packet of stream %d: %s" % (pn, s, e.summary()))
        return errors
