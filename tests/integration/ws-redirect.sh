#!/bin/bash
# SPDX-License-Identifier: ISC
# A redirect in answer to the WebSocket upgrade is not followed: libwebsockets
# would follow it by itself, resolving the new host with a blocking lookup,
# sending the credentials there and wedging in "connecting".  The attempt
# fails with a clear error and is retried after a backoff, the redirect
# target never sees a connection, and a stop during the retries is prompt
# and clean.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

# log_ms PATTERN: the time of the last daemon log line matching PATTERN,
# in milliseconds since midnight; stop_ms: how long the last stop took.
log_ms() {
	grep -- "$1" "$T/daemon.log" | tail -n 1 |
	    awk '{ split($2, t, "[:.]"); print ((t[1] * 60 + t[2]) * 60 + t[3]) * 1000 + t[4] }'
}
stop_ms() {
	echo $(( ($(log_ms ' stopped$') - $(log_ms ' shutting down$') + 86400000) % 86400000 ))
}

# expect_untouched: no upgrade ever reached the redirect target.
expect_untouched() {
	target_status=$(curl -sS --max-time "$WAIT" "$TARGET/control/status")
	case $target_status in
	'{"connections":0,"pushEnabled":0,"handshakes":0,"refused":0,'*) ;;
	*) fail "the redirect target was reached: $target_status" ;;
	esac
}

# The redirect target: a second server, which must see no upgrade at all.
mkfifo "$T/target.fifo"
"$SERVER" --port-file - >"$T/target.fifo" 2>>"$T/target.log" &
exec 3<"$T/target.fifo"
read -r -t "$WAIT" TARGET_PORT <&3 || fail "second test server did not start"
exec 3<&-
TARGET="http://127.0.0.1:$TARGET_PORT"

server_start --ws-url absolute
control "fault?name=wsredirect&count=2&location=$TARGET/jmap/ws/" >/dev/null
write_config
# Connected at the third attempt, after two refused ones.
daemon_start
error="account test: the server answered the WebSocket upgrade with a redirect (HTTP 302 to $TARGET/jmap/ws/); redirects are not followed there: the server's Session must give the final WebSocket URL (or set transport = eventsource); retrying in "
[ "$(grep -cF -- "$error" "$T/daemon.log")" = 2 ] ||
    fail "expected the redirect error twice"
control status | grep -q '"handshakes":1,"refused":2,' ||
    fail "expected 2 refused upgrades, then 1 handshake: $(control status)"
expect_untouched

# Redirected again and again: a stop between the attempts is prompt.
control "fault?name=wsredirect&count=1000&location=$TARGET/jmap/ws/" >/dev/null
control 'close?code=1000' >/dev/null
wait_log "$error" 4
daemon_stop
took=$(stop_ms)
echo "stop took $took ms"
[ "$took" -lt 2000 ] || fail "the stop took $took ms"
expect_untouched
echo "ok"
