#!/bin/bash
# SPDX-License-Identifier: ISC
# Every unit passes systemd-analyze verify, and the system unit's exposure
# score from systemd-analyze security is at most 2.0.
set -eu
: "${top_builddir:?run through make check}"
: "${top_srcdir:?run through make check}"

if ! command -v systemd-analyze >/dev/null; then
	echo "SKIP: systemd-analyze is missing (packaging/install-deps installs systemd)"
	exit 77
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/jp-units.XXXXXX")
trap 'rm -rf "$T"' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# verify checks that ExecStart= exists, and the units name the installed
# binary: check copies that run the one just built.
for u in jmap-pushd.service jmap-pushd-system.service; do
	[ -f "$top_builddir/systemd/$u" ] || fail "$top_builddir/systemd/$u was not generated"
	sed "s|^ExecStart=[^ ]*/jmap-pushd|ExecStart=$top_builddir/src/jmap-pushd|" \
	    "$top_builddir/systemd/$u" >"$T/$u"
done
cp "$top_srcdir/systemd/jmap-pushd.socket" "$T/"

# The man pages have their own test (tests/man/lint.sh).
verify() {
	out=$(systemd-analyze "$@" 2>&1) ||
	    fail "systemd-analyze $*: $out"
	[ -z "$out" ] || fail "systemd-analyze $* warns: $out"
}
# A user manager needs a runtime directory, even a pretend one.
mkdir -m 700 "$T/runtime"
XDG_RUNTIME_DIR="$T/runtime" verify --user verify --man=no \
    "$T/jmap-pushd.service" "$T/jmap-pushd.socket"
verify verify --man=no "$T/jmap-pushd-system.service"

out=$(systemd-analyze security --offline=yes --man=no --threshold=20 \
    "$T/jmap-pushd-system.service" 2>&1) || rc=$?
score=$(printf '%s\n' "$out" |
    sed -n 's/.*Overall exposure level for jmap-pushd-system.service: \([0-9.]*\).*/\1/p')
[ -n "$score" ] || fail "no exposure score in: $out"
awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' ||
    fail "exposure $score is above 2.0: $(printf '%s\n' "$out" | grep '✗')"
[ "${rc:-0}" -eq 0 ] || fail "systemd-analyze security failed ($rc): $out"
echo "jmap-pushd-system.service: exposure $score"
