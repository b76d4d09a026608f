#!/bin/bash
# SPDX-License-Identifier: ISC
# jmap-pushctl: status (table and JSON), watch (readable, --format,
# --json), reconnect, reload, and a clear message without a daemon (the
# status bar modes: pushctl-bar.sh).
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

CTL="$top_builddir/src/jmap-pushctl"
untime() { sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/TIME/g' "$@"; }

rc=0
"$CTL" -s "$T/nosock" status >"$T/out" 2>&1 || rc=$?
[ $rc -eq 1 ] || fail "status without a daemon exited with $rc"
expect_file "$T/out" "jmap-pushctl: jmap-pushd is not running (nothing listens on $T/nosock); start it (e.g. systemctl --user start jmap-pushd), or give its socket with -s"

server_start
write_config
daemon_start
wait_log 'states unchanged since last seen'

# -c: the socket = of that configuration.
"$CTL" -c "$T/config" status | untime >"$T/out"
expect_file "$T/out" 'ACCOUNT          STATUS       TRANSPORT  SINCE                LAST PUSH            ERROR
test             connected    websocket  TIME -'
"$CTL" -s "$T/sock" status --json | untime >"$T/out"
expect_file "$T/out" '{"reply":"status","accounts":[{"account":"test","status":"connected","transport":"websocket","since":"TIME","lastPush":null,"states":{"u1":{"Email":"e0","Mailbox":"m0","Thread":"t0"}},"mailboxes":[]}],"muted":false,"mutedUntil":null}'

mkfifo "$T/human" "$T/fmt" "$T/json"
"$CTL" -s "$T/sock" watch >"$T/human" &
"$CTL" -s "$T/sock" watch --format '{event} {account} {accountId} {types} {pushState}' >"$T/fmt" &
fmt_pid=$!
"$CTL" -s "$T/sock" watch --json >"$T/json" &
exec 5<"$T/human" 6<"$T/fmt" 7<"$T/json"
read -r -t "$WAIT" l <&5 || fail "no readable line"
[ "$l" = 'test: connected' ] || fail "watch starts with: $l"
wait_log 'socket client [0-9]*: connected' 5

control 'deliver?account=u1' >/dev/null
read -r -t "$WAIT" l <&5 || fail "no readable line"
l=$(echo "$l" | sed -E 's/^[0-9]{2}:[0-9]{2}:[0-9]{2}Z/TIME/')
[ "$l" = 'TIME test u1: Email=e1 EmailDelivery=d1 Mailbox=m1 Thread=t1 (push, pushState p1)' ] || fail "watch: $l"
read -r -t "$WAIT" l <&6 || fail "no formatted line"
[ "$l" = 'state test u1 Email EmailDelivery Mailbox Thread p1' ] || fail "watch --format: $l"
read -r -t "$WAIT" l <&7 || fail "no JSON line"
l=$(echo "$l" | untime)
[ "$l" = '{"event":"state","account":"test","accountId":"u1","changed":{"Email":"e1","EmailDelivery":"d1","Mailbox":"m1","Thread":"t1"},"pushState":"p1","reason":"push","time":"TIME"}' ] ||
    fail "watch --json: $l"

"$CTL" -s "$T/sock" reconnect test >"$T/out"
expect_file "$T/out" 'reconnecting test'
read -r -t "$WAIT" l <&5 && [ "$l" = 'test: connecting' ] || fail "watch: $l"
rc=0
"$CTL" -s "$T/sock" reconnect nobody >"$T/out" 2>&1 || rc=$?
[ $rc -eq 1 ] || fail "reconnect nobody exited with $rc"
expect_file "$T/out" 'jmap-pushctl: unknown account: use one of the names jmap-pushctl status shows'
"$CTL" -s "$T/sock" reload >"$T/out"
expect_file "$T/out" 'configuration reloaded'

# Events come before a reply, and a connection event carries the account's
# last error: that is no error reply.  Reconnecting an account that waits
# out its backoff announces "connecting", error included, before the reply.
cat >>"$T/config" <<CONF

[account locked]
url = $BASE/.well-known/jmap
username = alice@example.com
password_file = $T/missing
backoff_max = 1h
CONF
"$CTL" -s "$T/sock" reload >"$T/out"
expect_file "$T/out" 'configuration reloaded'
wait_log 'account locked: cannot get the credentials'
"$CTL" -s "$T/sock" reconnect locked >"$T/out" 2>&1 ||
    fail "reconnect locked: $(cat "$T/out")"
expect_file "$T/out" 'reconnecting locked'

# watch ends with status 1 when the daemon stops.
daemon_stop
rc=0
wait $fmt_pid || rc=$?
[ $rc -eq 1 ] || fail "watch --format exited with $rc when the daemon stopped"
echo "ok"
