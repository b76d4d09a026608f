#!/bin/bash
# SPDX-License-Identifier: ISC
# A host name with several addresses (RFC 8305): every connection the
# daemon makes (Session GETs, the WebSocket, the event stream, API POSTs)
# goes through the address that works when the first one refuses or never
# answers.  The test server listens on 127.0.0.1 only; the name comes from
# the hosts file named by JMAP_PUSHD_HOSTS, so neither DNS nor the
# machine's /etc/hosts is involved.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

NAME=jmap-pushd-dual.test
export JMAP_PUSHD_HOSTS="$T/hosts"

# start_server TRANSPORT: a fresh test server whose Session names NAME.
start_server() {
	TRANSPORT=$1
	server_start --host "$NAME"
}

# run_daemon ADDRESS...: a fresh daemon resolves NAME to the addresses in
# this order, connects, runs the hook for a change, and stops.
run_daemon() {
	printf "%s $NAME\n" "$@" >"$T/hosts"
	rm -rf "$T/hook.fifo" "$T/runs" "$T/state" "$T/daemon.log"
	write_config
	sed -i "s|^url = .*|url = http://$NAME:$PORT/.well-known/jmap|" \
	    "$T/config"
	daemon_start
	wait_log 'states unchanged since last seen'
	control 'deliver?account=u1' >/dev/null
	wait_hook 1
	daemon_stop
}

stop_server() {
	kill -TERM "$SERVER_PID"
	wait "$SERVER_PID" || true
	SERVER_PID=
}

# expect_count N PATTERN: the daemon log has exactly N lines matching.
expect_count() {
	got=$(grep -c -- "$2" "$T/daemon.log" || true)
	[ "$got" = "$1" ] || fail "expected $1 lines matching '$2', got $got"
}

# The Session GET and its redirect, then the WebSocket; or over
# EventSource the same two GETs, the event stream and the POST of the
# state comparison.
for transport in websocket eventsource; do
	if [ $transport = websocket ]; then n=3; else n=4; fi
	start_server $transport

	# 127.0.0.2 refuses (nothing listens there): each connection moves on
	# to 127.0.0.1 at once.
	run_daemon 127.0.0.2 127.0.0.1
	expect_count $n ': trying 127.0.0.2 (address 1 of 2)$'
	expect_count $n ': 127.0.0.2: Connection refused$'
	expect_count $n ': trying 127.0.0.1 (address 2 of 2)$'
	expect_count $n ': reached 127.0.0.1$'
	expect_count 0 'no answer from'

	# IPv6 comes first whatever the order of the answer: ::1 refuses.
	if python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
		run_daemon 127.0.0.1 ::1
		expect_count $n ': trying ::1 (address 1 of 2)$'
		expect_count $n ': ::1: Connection refused$'
		expect_count $n ': reached 127.0.0.1$'
	else
		echo "no IPv6 loopback address (::1) here: its part is skipped"
	fi
	stop_server
done

# A blackhole: a listener on 127.0.0.2 whose backlog is full drops SYNs,
# as a host that vanished does.  After the connection attempt delay, 250ms,
# the daemon tries 127.0.0.1 alongside, long before lws's 20s connect
# timeout; the stalled attempt is dropped once 127.0.0.1 answered.
start_server websocket
mkfifo "$T/hole.fifo" "$T/hole.hold"
exec 5<>"$T/hole.hold"
python3 -c '
import select, socket, sys
port = int(sys.argv[1])
s = socket.socket()
s.bind(("127.0.0.2", port))
s.listen(0)
fill = socket.socket()
fill.connect(("127.0.0.2", port))
probe = socket.socket()
probe.setblocking(False)
probe.connect_ex(("127.0.0.2", port))
_, w, _ = select.select([], [probe], [], 1.0)
print("open" if w else "full", flush=True)
sys.stdin.read()
' "$PORT" <"$T/hole.hold" >"$T/hole.fifo" &
read -r -t "$WAIT" hole <"$T/hole.fifo" || fail "the blackhole did not start"
if [ "$hole" = full ]; then
	run_daemon 127.0.0.2 127.0.0.1
	expect_count 3 ': no answer from 127.0.0.2 within 250ms; trying 127.0.0.1 as well$'
	expect_count 3 ': reached 127.0.0.1$'
	expect_count 0 ': 127.0.0.2: '
else
	echo "a full listen backlog does not drop connections here: the blackhole part is skipped"
fi
exec 5>&-
stop_server
echo "ok"
