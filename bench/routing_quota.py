#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write DIR/routing.cfg: bench scenario "routing" (configs/routing.cfg) in a VPC
with AWS's quota of route tables (issue #22): 200 tables of 50 routes, the
source subnet's table one of them (lib/scenarios.py with_quota_route_tables,
also bench/run.sh's scenario routing_quota), for the in-process stages:

usage: routing_quota.py DIR   then   vpcgw-bench --configs DIR --scenario routing
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from scenarios import with_quota_route_tables  # noqa: E402


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    text = open(os.path.join(here, "configs", "routing.cfg")).read()
    os.makedirs(sys.argv[1], exist_ok=True)
    with open(os.path.join(sys.argv[1], "routing.cfg"), "w") as f:
        f.write(with_quota_route_tables(text))


if __name__ == "__main__":
    main()
