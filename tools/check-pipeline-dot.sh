#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# docs/pipeline.dot is what tools/vpcgw-pipeline-dot draws from the code now
# (redraw: build/tools/vpcgw-pipeline-dot > docs/pipeline.dot &&
#  dot -Tsvg docs/pipeline.dot > docs/pipeline.svg).
set -eu
gen=$1
doc=$2
if ! "$gen" | diff -u "$doc" -; then
	echo "docs/pipeline.dot is out of date: redraw it (see tools/check-pipeline-dot.sh)" >&2
	exit 1
fi
