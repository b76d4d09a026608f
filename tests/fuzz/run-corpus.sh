#!/bin/sh
# SPDX-License-Identifier: ISC
# Runs every fuzz target over its seed corpus; a crash or sanitizer report
# fails the test.
set -eu
status=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for corpus in "$top_srcdir"/tests/fuzz/corpus/*/; do
	name=$(basename "$corpus")
	bin="$top_builddir/tests/fuzz/fuzz_$name"
	set -- "$corpus"*
	[ -e "$1" ] || { echo "no seeds for $name"; status=1; continue; }
	if "$bin" "$@" >/dev/null 2>"$log"; then
		echo "ok: fuzz_$name over $# seeds"
	else
		echo "FAIL: fuzz_$name"; cat "$log"; status=1
	fi
done
exit $status
