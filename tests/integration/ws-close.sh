#!/bin/bash
# SPDX-License-Identifier: ISC
# The WebSocket close handshake (RFC 6455 7.1.2): a daemon that stops sends
# close 1001 (going away), a reload that removes an account sends 1000, and
# a server that never answers the close holds a stop for 3 s at most, well
# within the stop bound of 5 s.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

# expect_closes N CODE: the server received N close frames, the last CODE.
expect_closes() {
	status=$(control status)
	case $status in
	*"\"clientCloses\":$1,\"lastClientClose\":$2,"*) ;;
	*) fail "expected $1 close frame(s), the last $2: $status" ;;
	esac
}

# log_ms PATTERN: the time of the last daemon log line matching PATTERN,
# in milliseconds since midnight; stop_ms: how long the last stop took.
log_ms() {
	grep -- "$1" "$T/daemon.log" | tail -n 1 |
	    awk '{ split($2, t, "[:.]"); print ((t[1] * 60 + t[2]) * 60 + t[3]) * 1000 + t[4] }'
}
stop_ms() {
	echo $(( ($(log_ms ' stopped$') - $(log_ms ' shutting down$') + 86400000) % 86400000 ))
}

server_start
write_config
cp "$T/config" "$T/config.one"

# SIGTERM: the server hears 1001 and answers; the daemon then exits.
daemon_start
daemon_stop
expect_closes 1 1001

# A second account, removed again by a reload: 1000 for it alone.
add_account other
daemon_start
wait_server 'pushEnabled=2'
cp "$T/config.one" "$T/config"
kill -HUP "$DAEMON_PID"
wait_server 'clientCloses=2'
expect_closes 2 1000
expect_log 'account other: removed from the configuration; closing'
control 'deliver?account=u1' >/dev/null
wait_hook 1

# A server that reads nothing more never answers the close: the daemon
# gives it 3 s, then drops the connection and exits.
control 'fault?name=stall' >/dev/null
daemon_stop
expect_log 'account test: the server did not answer our close frame within 3.0s; dropping the connection'
took=$(stop_ms)
echo "stop took $took ms"
[ "$took" -lt 5000 ] ||
    fail "the stop took $took ms, not within the 5 s bound"
expect_closes 2 1000
echo "ok"
