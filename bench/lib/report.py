# SPDX-License-Identifier: BSD-3-Clause
"""Markdown tables from bench/run.sh and bench/callgrind.sh output:
    python3 bench/lib/report.py RESULTS.jsonl [CALLGRIND.jsonl]
The last line of each scenario wins. Used to write docs/PERFORMANCE.md."""
import json
import sys

COLS = [("vpcgw", "vpcgw"), ("testpmd_io", "testpmd io"), ("testpmd_macswap", "macswap"),
        ("l3fwd", "l3fwd"), ("ovs", "OVS")]


def last(path):
    out = {}
    for line in open(path):
        line = line.strip()
        if line.startswith("{"):
            d = json.loads(line)
            out[d["scenario"]] = d
    return out


def f3(m):
    return "%.2f / **%.2f** / %.2f" % (m["min"], m["median"], m["max"]) if m else "–"


def main():
    res = last(sys.argv[1])
    cg = last(sys.argv[2]) if len(sys.argv) > 2 else {}
    for n, d in res.items():
        print("### %s\n" % n)
        print("%s; %s flows.\n" % (d.get("desc", ""), "{:,}".format(d.get("flows", 0))))
        print("| system | Mpps min / **median** / max | vpcgw ÷ system (medians) | "
              "(paired runs) | instructions/packet |")
        print("|---|---|---|---|---|")
        ipp = cg.get(n, {}).get("instr_per_packet", {})
        for key, label in COLS:
            m = d["mpps"] if key == "vpcgw" else d["baseline"].get(key)
            if m is None and key != "vpcgw":
                continue
            r = "" if key == "vpcgw" else str(d["ratios"].get(key, "–"))
            rp = "" if key == "vpcgw" else str(d.get("ratios_paired", {}).get(key, "–"))
            print("| %s | %s | %s | %s | %s |" % (label, f3(m), r, rp, ipp.get(key, "–")))
        if d.get("flows_per_s"):
            fp = d["flows_per_s"]
            print("\nNew flows per second (vpcgw): %s / **%s** / %s" %
                  tuple("{:,.0f}".format(fp[k]) for k in ("min", "median", "max")))
        drops = d.get("lost", {}).get("exit_drops")
        print("\nDropped by vpcgw over all runs: %s. %s runs × %s s, %s, vpcgw %s.\n" %
              (drops or "none", d.get("runs"), d.get("window_s"), d.get("date"),
               d.get("vpcgw_build", {}).get("commit", "?")))


if __name__ == "__main__":
    main()
