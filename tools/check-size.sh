#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Sizes of the sources (issue #14; docs/ARCHITECTURE.md "Functions over 80
# lines, and why"), checked on every .c file
# outside tests/:
#   a file has at most 800 lines;
#   a function body (the lines between a "{" and a "}" in column 0, after a
#   definition whose name starts column 0) has at most 80 lines, unless the
#   comment right above the definition gives the reason, as "Long (~N lines)
#   because ..." or "... longer than 80 lines by ...".
# Prints each breach as file:line: what; exits 1 if there is one.
set -eu
cd "$(dirname "$0")/.."
rc=0
for f in $(find bench config dp flowlog fw geneve lb mirror nat tgw tools -name '*.c' | sort); do
	awk -v f="$f" '
	function reason(from,   i) {
		for (i = from; i >= 1 && i > from - 20; i--) {
			if (text[i] == "")
				return 0
			if (text[i] ~ /Long \(~[0-9]+ lines\)|[Ll]onger than 80 lines/)
				return 1
		}
		return 0
	}
	{ text[NR] = $0 }
	/^[A-Za-z_][A-Za-z0-9_]*\(/ { name = $0; sub(/\(.*/, "", name); head = NR }
	/^\{$/ { open = NR }
	/^\}/ && open {
		n = NR - open - 1
		if (n > 80 && !reason(head - 2))
			printf "%s:%d: %s has %d lines (over 80, and no reason above it)\n", f, head, name, n
		open = 0
	}
	END {
		if (NR > 800)
			printf "%s:%d: %d lines (over 800)\n", f, NR, NR
	}' "$f" >"${TMPDIR:-/tmp}/check-size.$$"
	if [ -s "${TMPDIR:-/tmp}/check-size.$$" ]; then
		cat "${TMPDIR:-/tmp}/check-size.$$"
		rc=1
	fi
	rm -f "${TMPDIR:-/tmp}/check-size.$$"
done
[ "$rc" = 0 ] && echo "size: ok (files <= 800 lines, functions <= 80 or with a reason)"
exit "$rc"
