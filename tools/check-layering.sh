#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The layers of docs/ARCHITECTURE.md "Datapath v2", checked on every
# #include "x/y.h" of the sources:
#   config/                 includes config/ only (layer 0: the model)
#   dp/ (the core)          includes dp/ and config/; dp/pipeline.c (the
#                           stages and hooks) and dp/main.c assemble the
#                           services and may include them (each service
#                           registers its configuration sections itself:
#                           config/cfg_section.h)
#   fw/ nat/ lb/ geneve/ flowlog/ tgw/ mirror/
#                           include their own folder, dp/ and config/, never
#                           another service's folder
# tools/layering.allow lists the includes that still break a rule, each with
# its reason: the check fails on any other, and on an allowed line that is no
# longer needed (so the list only shrinks).
set -eu
cd "$(dirname "$0")/.."
allow=tools/layering.allow
found=$(mktemp)
trap 'rm -f "$found"' EXIT
for f in config/*.[ch] dp/*.[ch] fw/*.[ch] nat/*.[ch] lb/*.[ch] geneve/*.[ch] flowlog/*.[ch] tgw/*.[ch] mirror/*.[ch]; do
	own=${f%%/*}
	sed -n 's/^#include "\([a-z_]*\)\/[^"]*".*/\1 &/p' "$f" | while read -r dir line; do
		ok=0
		case "$own:$dir" in
		config:config) ok=1 ;;
		dp:dp | dp:config) ok=1 ;;
		fw:fw | nat:nat | lb:lb | geneve:geneve | flowlog:flowlog | tgw:tgw) ok=1 ;;
		fw:dp | fw:config | nat:dp | nat:config | lb:dp | lb:config | geneve:dp | geneve:config) ok=1 ;;
		flowlog:dp | flowlog:config | tgw:dp | tgw:config) ok=1 ;;
		mirror:mirror | mirror:dp | mirror:config) ok=1 ;;
		esac
		case "$f" in dp/pipeline.c | dp/main.c) ok=1 ;; esac
		[ "$ok" = 1 ] && continue
		hdr=$(echo "$line" | sed 's/^#include "\([^"]*\)".*/\1/')
		echo "$f -> $hdr"
	done
done | sort -u >"$found"
bad=0
while read -r v; do
	if ! grep -qxF "$v" "$allow" 2>/dev/null && ! grep -q "^$v  *#" "$allow" 2>/dev/null; then
		echo "layering: $v: $(echo "${v%% ->*}" | cut -d/ -f1)/ may not include ${v##*-> }" >&2
		bad=1
	fi
done <"$found"
grep -v '^#' "$allow" | grep -v '^$' | sed 's/  *#.*//' | while read -r a; do
	if ! grep -qxF "$a" "$found"; then
		echo "layering: $allow: '$a' is no longer needed: remove it" >&2
		exit 1
	fi
done || bad=1
[ "$bad" = 0 ] && echo "layering: ok ($(grep -vc '^#\|^$' "$allow" || true) allowed exceptions)"
exit "$bad"
