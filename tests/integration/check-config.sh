#!/bin/bash
# SPDX-License-Identifier: ISC
# --check-config accepts the shipped example and reports every error of a
# broken file as FILE:LINE: message with a non-zero exit.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

"$DAEMON" --check-config -c "$top_srcdir/etc/jmap-pushd.conf.example" >"$T/out" 2>&1 ||
    fail "example config rejected: $(cat "$T/out")"
expect_file "$T/out" "$top_srcdir/etc/jmap-pushd.conf.example: configuration OK"

cat >"$T/bad.conf" <<'CONF'
[daemon]
pong_timeout = 5s

[account personal]
username = me@example.com
ping_interval = soon
CONF
rc=0
"$DAEMON" --check-config -c "$T/bad.conf" >"$T/out" 2>&1 || rc=$?
[ $rc -ne 0 ] || fail "broken config accepted"
grep -qx "$T/bad.conf:2: unknown key 'pong_timeout' in \[daemon\]; did you mean 'ping_timeout'?" "$T/out" ||
    fail "no suggestion for pong_timeout: $(cat "$T/out")"
grep -q "^$T/bad.conf:6: .*ping_interval" "$T/out" || fail "bad duration not reported: $(cat "$T/out")"
grep -q "^$T/bad.conf:4: .*needs url" "$T/out" || fail "missing url not reported: $(cat "$T/out")"

# The daemon refuses to start on it, saying where to look.
rc=0
"$DAEMON" -c "$T/bad.conf" 2>"$T/out" || rc=$?
[ $rc -eq 1 ] || fail "daemon started with a broken config (status $rc)"
grep -q 'check-config' "$T/out" || fail "no hint to --check-config"
echo "ok"
