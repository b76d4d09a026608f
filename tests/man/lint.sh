#!/bin/bash
# SPDX-License-Identifier: ISC
# The manual pages: free of mandoc warnings and of groff's (-ww: every
# warning, "can't break line" among them), the examples in jmap-pushd.conf(5)
# accepted by --check-config, and every key of the configuration parser
# documented there.
set -eu
: "${top_srcdir:?run through make check}"

pages=$(ls "$top_srcdir"/man/*.[1-8])
if ! command -v mandoc >/dev/null && ! command -v groff >/dev/null; then
	echo "SKIP: neither mandoc nor groff is installed (packaging/install-deps installs both)"
	exit 77
fi
out=
# shellcheck disable=SC2086
if command -v mandoc >/dev/null; then
	# -W warning: style hints such as "referenced manual not found" name
	# pages of other packages that need not be installed here.
	out=$(mandoc -T lint -W warning $pages 2>&1 |
	    grep -E ': (WARNING|ERROR|UNSUPP|BADARG):') || true
fi
if command -v groff >/dev/null; then
	# On a terminal, as man shows them, and on paper, groff's default
	# device, when it is installed (groff-base has only terminals).
	devices=utf8
	! groff -Tps -z </dev/null >/dev/null 2>&1 || devices="$devices ps"
	for p in $pages; do
		for d in $devices; do
			w=$(groff -ww -z -man -T"$d" "$p" 2>&1) || true
			[ -z "$w" ] || out="$out${out:+
}$w"
		done
	done
fi
if [ -n "$out" ]; then
	printf '%s\n' "$out" >&2
	exit 1
fi
echo "$(echo "$pages" | wc -w) pages clean"

# Every example configuration in jmap-pushd.conf(5) is valid.
: "${top_builddir:?run through make check}"
T=$(mktemp -d "${TMPDIR:-/tmp}/jp-man.XXXXXX")
trap 'rm -rf "$T"' EXIT
awk -v dir="$T" '
	/^\.Sh / { examples = ($2 == "EXAMPLES") }
	examples && /^\.Bd -literal/ { n++; file = dir "/example" n ".conf"; next }
	/^\.Ed/ { file = ""; next }
	file != "" { gsub(/\\-/, "-"); gsub(/\\e/, "\\"); print > file }
' "$top_srcdir/man/jmap-pushd.conf.5"
n=0
for f in "$T"/example*.conf; do
	[ -e "$f" ] || break
	n=$((n + 1))
	HOME=$T "$top_builddir/src/jmap-pushd" --check-config -c "$f" >/dev/null || {
		echo "FAIL: example $n of jmap-pushd.conf(5) is rejected:" >&2
		cat "$f" >&2
		exit 1
	}
done
[ "$n" -ge 3 ] || { echo "FAIL: found $n examples in jmap-pushd.conf(5), expected 3" >&2; exit 1; }
echo "$n examples in jmap-pushd.conf(5) valid"

# Every key the parser accepts is documented in jmap-pushd.conf(5).
keys=$(sed -n '/^} keys\[K_COUNT\] = {/,/^};/s/.*{ "\([a-z_]*\)".*/\1/p' \
    "$top_srcdir/src/config/keys.c")
[ "$(echo "$keys" | wc -w)" -ge 20 ] ||
    { echo "FAIL: cannot find the key table in src/config/keys.c" >&2; exit 1; }
missing=$(for key in $keys; do
	grep -q "^\.It Ic $key " "$top_srcdir/man/jmap-pushd.conf.5" || echo "$key"
done)
[ -z "$missing" ] ||
    { echo "FAIL: jmap-pushd.conf(5) does not document: $missing" >&2; exit 1; }
echo "all $(echo "$keys" | wc -w) configuration keys documented"
