#!/bin/bash
# SPDX-License-Identifier: ISC
# The control socket: mode 0600, the exact status reply, several clients with
# their own subscriptions, hostile lines answered with errors, a stale socket
# replaced, and a second daemon refused.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

CLIENT="$top_builddir/tests/integration/sockclient"
server_start
write_config
daemon_start

[ "$(stat -c %a "$T/sock")" = 600 ] || fail "socket mode is $(stat -c %a "$T/sock")"

# times vary: ISO 8601 UTC with Z, replaced by TIME
untime() { sed -E 's/"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"/"TIME"/g' "$@"; }

# After the first resync, the last seen states are known.
wait_log 'states unchanged since last seen'
echo '{"cmd":"status"}' | "$CLIENT" -n 1 "$T/sock" >"$T/status" || fail "status failed"
untime "$T/status" >"$T/status.u"
expect_file "$T/status.u" '{"reply":"status","accounts":[{"account":"test","status":"connected","transport":"websocket","since":"TIME","lastPush":null,"states":{"u1":{"Email":"e0","Mailbox":"m0","Thread":"t0"}},"mailboxes":[]}],"muted":false,"mutedUntil":null}'

# Hostile and wrong lines get an error each; the connection stays usable.
{
	echo 'not json'
	echo '{"cmd":"frobnicate"}'
	echo '{"nocmd":1}'
	echo '[1,2]'
	head -c 70000 /dev/zero | tr '\0' 'x'; echo
	echo '{"cmd":"subscribe","events":["nope"]}'
	echo '{"cmd":"subscribe","accounts":"test"}'
	echo '{"cmd":"reconnect","account":"nobody"}'
	echo '{"cmd":"status"} {"cmd":"status"}'
	echo
	printf '{"cmd":"reload"}\r\n'
} | "$CLIENT" -n 10 "$T/sock" >"$T/hostile" || fail "hostile client failed"
expect_file "$T/hostile" '{"error":"invalid JSON: send one object a line, e.g. {\"cmd\":\"status\"}","cmd":null}
{"error":"unknown command: use status, subscribe, reconnect, reload, mute, unmute or test-notify","cmd":"frobnicate"}
{"error":"missing \"cmd\": send e.g. {\"cmd\":\"status\"}","cmd":null}
{"error":"missing \"cmd\": send e.g. {\"cmd\":\"status\"}","cmd":null}
{"error":"line too long: at most 65536 bytes","cmd":null}
{"error":"unknown event in \"events\": use \"state\", \"connection\", \"mailbox\", \"mail\" and \"mute\"","cmd":"subscribe"}
{"error":"\"accounts\" must be an array of account names","cmd":"subscribe"}
{"error":"unknown account: use one of the names jmap-pushctl status shows","cmd":"reconnect"}
{"error":"invalid JSON: send one object a line, e.g. {\"cmd\":\"status\"}","cmd":null}
{"reply":"reload","ok":true}'
wait_log 'configuration reloaded'

# Three clients: everything; Mailbox state only; connection events only.
mkfifo "$T/all.fifo" "$T/mbox.fifo" "$T/conn.fifo"
"$CLIENT" -n 4 "$T/sock" </dev/null >"$T/all.fifo" &
echo '{"cmd":"subscribe","accounts":["test"],"types":["Mailbox"],"events":["state"]}' |
    "$CLIENT" -n 2 "$T/sock" >"$T/mbox.fifo" &
echo '{"cmd":"subscribe","events":["connection"]}' |
    "$CLIENT" -n 3 "$T/sock" >"$T/conn.fifo" &
exec 7<"$T/all.fifo" 8<"$T/mbox.fifo" 9<"$T/conn.fifo"
read -r -t "$WAIT" l <&8 && [ "$l" = '{"reply":"subscribe","ok":true}' ] || fail "mbox subscribe: $l"
read -r -t "$WAIT" l <&9 && [ "$l" = '{"reply":"subscribe","ok":true}' ] || fail "conn subscribe: $l"
wait_log 'socket client [0-9]*: connected' 4

control 'change?account=u1&type=Thread' >/dev/null
control 'change?account=u1&type=Mailbox' >/dev/null
echo '{"cmd":"reconnect","account":"test"}' | "$CLIENT" -n 1 "$T/sock" >"$T/reconnect"
expect_file "$T/reconnect" '{"reply":"reconnect","ok":true}'
wait_server "handshakes=2"

lines() { for _ in $(seq "$2"); do read -r -t "$WAIT" l <&"$1" || fail "fd $1: no line"; echo "$l"; done; }
lines 7 4 | untime >"$T/all"
lines 8 1 | untime >"$T/mbox"
lines 9 2 | untime >"$T/conn"
expect_file "$T/all" '{"event":"state","account":"test","accountId":"u1","changed":{"Thread":"t1"},"pushState":"p1","reason":"push","time":"TIME"}
{"event":"state","account":"test","accountId":"u1","changed":{"Mailbox":"m1"},"pushState":"p2","reason":"push","time":"TIME"}
{"event":"connection","account":"test","status":"connecting"}
{"event":"connection","account":"test","status":"connected"}'
expect_file "$T/mbox" '{"event":"state","account":"test","accountId":"u1","changed":{"Mailbox":"m1"},"pushState":"p2","reason":"push","time":"TIME"}'
expect_file "$T/conn" '{"event":"connection","account":"test","status":"connecting"}
{"event":"connection","account":"test","status":"connected"}'

# A second daemon on the same socket refuses to start.
rc=0
"$DAEMON" -c "$T/config" 2>"$T/second.log" || rc=$?
[ $rc -eq 1 ] || fail "second daemon exited with $rc"
grep -q "socket $T/sock: another jmap-pushd is listening there" "$T/second.log" ||
    fail "no clear message: $(cat "$T/second.log")"

# A daemon killed hard leaves its socket behind; the next one replaces it.
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=
[ -S "$T/sock" ] || fail "no stale socket left"
: >"$T/daemon.log"
daemon_start
expect_log "socket $T/sock: replacing a stale socket"
daemon_stop
[ ! -e "$T/sock" ] || fail "socket not removed on exit"
echo "ok"
