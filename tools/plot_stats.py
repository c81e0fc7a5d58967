#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Plot a vpcgw --stats-series file (one JSON object a line) as a PNG report:
throughput (packets per second in and out, drops), active flows per service,
and consumed LCUs per load balancer, over time.

usage: plot_stats.py SERIES.jsonl OUT.png
Needs python3-matplotlib (apt-get install python3-matplotlib).
"""
import json
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def rates(series, key):
    t, v = [], []
    for a, b in zip(series, series[1:]):
        dt = (b["time_ms"] - a["time_ms"]) / 1000.0
        if dt > 0:
            t.append((b["time_ms"] - series[0]["time_ms"]) / 1000.0)
            v.append((key(b) - key(a)) / dt)
    return t, v


def lcus(s):
    out = {}
    for name, nlb in s.get("nlb", {}).items():
        out["NLB " + name] = float(nlb.get("ConsumedLCUs", 0))
    for name, g in s.get("gwlb", {}).items():
        out["GWLB " + name] = float(g.get("lcu", {}).get("ConsumedLCUs", 0))
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    s = load(sys.argv[1])
    if len(s) < 2:
        sys.exit("%s: need at least two snapshots (run with --stats-interval)" % sys.argv[1])
    t0 = s[0]["time_ms"]
    ts = [(x["time_ms"] - t0) / 1000.0 for x in s]
    fig, ax = plt.subplots(3, 1, figsize=(10, 10), sharex=True)

    for label, key in (("rx", lambda x: x["totals"]["rx"]), ("tx", lambda x: x["totals"]["tx"]),
                       ("drops", lambda x: x["totals"]["drops"])):
        t, v = rates(s, key)
        ax[0].plot(t, v, label=label)
    ax[0].set_ylabel("packets/s")
    ax[0].legend()
    ax[0].set_title("vpcgw throughput")

    for svc in ("security_group", "nat", "nlb", "gwlb"):
        ax[1].plot(ts, [x["flows"]["by_service"][svc]["active"] for x in s], label=svc)
    ax[1].set_ylabel("active flows")
    ax[1].legend()

    names = sorted({n for x in s for n in lcus(x)})
    for n in names:
        ax[2].plot(ts, [lcus(x).get(n, 0.0) for x in s], label=n)
    ax[2].set_ylabel("consumed LCUs")
    ax[2].set_xlabel("seconds")
    if names:
        ax[2].legend()
    fig.tight_layout()
    fig.savefig(sys.argv[2], dpi=90)
    print("wrote %s (%d snapshots, %.0f s)" % (sys.argv[2], len(s), ts[-1]))


if __name__ == "__main__":
    main()
