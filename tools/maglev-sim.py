#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
Scale-out simulation (docs/SCALE-OUT.md, issue #19): what moves when one
target or one vpcgw node is added or removed.

The model is vpcgw's own placement, re-implemented line by line from
lb/maglev.c (mix64, lb_maglev_size, lb_maglev_build with equal weights,
lb_flow_hash) and checked against the C code by tests/pcap/test_scaleout.py,
which predicts with this module the target vpcgw picks for each flow.

  tools/maglev-sim.py [--flows 200000] [--n 4 16 64] [--seed 1]

Per N it prints, for one target added and one removed:
  new-moved     share of new flows whose target changes (Maglev: about 1/N)
  est-changed   share of established flows on an unchanged target that a node
                WITHOUT their state would place elsewhere (a mid-stream
                pickup after the change); with state: 0 by construction
and, for N vpcgw nodes behind ECMP, one node added and one removed:
  ecmp-moved    share of flows the router sends to another node (Linux
                hash-threshold over equal next hops)
  tgt-changed   share of those whose target changes on the new node
                (node.mid_flow = "place": same table, same hash: 0)
  broken        share of established flows lost without mid-flow placement
                (node.mid_flow = "reset", or a hash over the SYN's
                sequence number): every moved flow is reset
"""
import argparse
import random
import sys

M64 = (1 << 64) - 1
SEED_OFFSET = 0x6a09e667f3bcc908
SEED_SKIP = 0xbb67ae8584caa73b
FLOW_SEED = 0x3c6ef372fe94f82b


def mix64(x):
    x &= M64
    x ^= x >> 30
    x = (x * 0xbf58476d1ce4e5b9) & M64
    x ^= x >> 27
    x = (x * 0x94d049bb133111eb) & M64
    x ^= x >> 31
    return x


def is_prime(v):
    if v < 2:
        return False
    if v % 2 == 0:
        return v == 2
    d = 3
    while d * d <= v:
        if v % d == 0:
            return False
        d += 2
    return True


def maglev_size(n):
    v = max(65537, 100 * n)
    while not is_prime(v):
        v += 1
    return v


def maglev_build(keys, size=None):
    """lb_maglev_build() with equal weights, every target usable: a list of
    target indices (into keys), one per slot."""
    size = size or maglev_size(len(keys))
    walks = []
    for i, k in enumerate(keys):
        walks.append([k, i, mix64(k ^ SEED_OFFSET) % size, mix64(k ^ SEED_SKIP) % (size - 1) + 1])
    walks.sort(key=lambda w: (w[0], w[1]))
    table = [-1] * size
    filled = 0
    while True:
        for w in walks:
            pos, skip = w[2], w[3]
            while table[pos] != -1:
                pos += skip
                if pos >= size:
                    pos -= size
            table[pos] = w[1]
            w[2] = pos
            filled += 1
            if filled == size:
                return table


def target_key(addr, port):
    """((uint64_t)addr << 16) | port, as lb/lb.c keys a target."""
    return (addr << 16) | port


def flow_hash(proto, src, dst, sport, dport, seq=0):
    """lb_flow_hash(): host-order fields, seq 0 unless TCP with SYN hashing."""
    h = mix64(FLOW_SEED ^ proto)
    h = mix64(h ^ (((src << 32) | dst) & M64))
    h = mix64(h ^ (((sport << 48) | (dport << 32) | seq) & M64))
    return (h ^ (h >> 32)) & 0xffffffff


def ip(s):
    a = [int(x) for x in s.split(".")]
    return (a[0] << 24) | (a[1] << 16) | (a[2] << 8) | a[3]


def targets(n, base="10.0.2.0"):
    b = ip(base)
    return [target_key(b + 10 + i, 8080) for i in range(n)]


def flows(count, rng):
    """TCP flows from random clients to one listener 198.51.100.30:80."""
    dst = ip("198.51.100.30")
    return [flow_hash(6, rng.getrandbits(32), dst, rng.randrange(1024, 65536), 80)
            for _ in range(count)]


def place(table, hashes):
    return [table[h % len(table)] for h in hashes]


def target_change(n, hashes, add):
    """N targets, then N + 1 (add) or N - 1 (the last one removed)."""
    keys = targets(n + 1)
    before_keys, after_keys = keys[:n], (keys if add else keys[:n - 1])
    # indices are into `keys` in both tables (a prefix of it)
    before = place(maglev_build(before_keys), hashes)
    after = place(maglev_build(after_keys), hashes)
    moved = sum(1 for a, b in zip(before, after) if a != b)
    surviving = [(a, b) for a, b in zip(before, after) if a < len(after_keys)]
    est = sum(1 for a, b in surviving if a != b)
    return moved / len(hashes), est / max(1, len(surviving))


def ecmp_node(h, n):
    """Linux hash-threshold: the hash space cut into n equal regions."""
    return (h * n) >> 32


def node_change(n, rng, hashes, add, keys):
    """N nodes behind the router, one added or the last one removed: the flows
    the router moves, and of those, the ones whose target differs between the
    node that had them and the node that gets them. Each node builds its own
    table from the same configuration (here: the same target keys)."""
    m = n + 1 if add else n - 1
    old_node, new_node = maglev_build(keys), maglev_build(keys)
    moved = changed = 0
    for fh in hashes:
        rh = rng.getrandbits(32)    # the router's hash of the packet, its own
        if ecmp_node(rh, n) != ecmp_node(rh, m):
            moved += 1
            changed += old_node[fh % len(old_node)] != new_node[fh % len(new_node)]
    return moved / len(hashes), changed / max(1, moved)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--flows", type=int, default=200000)
    ap.add_argument("--n", type=int, nargs="+", default=[4, 16, 64])
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    hashes = flows(a.flows, rng)
    print("%d flows, Maglev table %d slots (lb/maglev.c), seed %d" %
          (a.flows, maglev_size(max(a.n) + 1), a.seed))
    print("| N targets | change | new-moved | 1/(N+1), 1/N | est-changed (no state) | "
          "est-changed (state) |")
    print("|---|---|---|---|---|---|")
    for n in a.n:
        for add in (True, False):
            nm, est = target_change(n, hashes, add)
            print("| %d | target %s | %.4f | %.4f | %.5f | 0 |" %
                  (n, "added" if add else "removed", nm, 1 / (n + 1) if add else 1 / n, est))
    print()
    print("| N nodes | change | ecmp-moved | tgt-changed (place) | broken (reset) |")
    print("|---|---|---|---|---|")
    keys = targets(16)
    for n in a.n:
        for add in (True, False):
            em, tc = node_change(n, rng, hashes, add, keys)
            print("| %d | node %s | %.4f | %.4f | %.4f |" %
                  (n, "added" if add else "removed", em, tc, em))
    return 0


if __name__ == "__main__":
    sys.exit(main())
