#!/bin/bash
# SPDX-License-Identifier: ISC
# The test server's stamped bursts (the benchmarks' pushes) are never left
# behind: a burst frame due in the same writeable callback as a queued frame
# (a Response, a StateChange) goes out after it, and a stalled client that
# is released gets the burst frames it owes.  Figure 1's D-Bus row lost its
# second push when the daemon's first state comparison was answered in the
# callback meant for it.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

CLIENT="$top_builddir/tests/integration/sockclient"
server_start --stamp-states
write_config
daemon_start
# The first resync was answered: nothing of the daemon's is in flight.
wait_log 'states unchanged since last seen'

mkfifo "$T/state.fifo"
echo '{"cmd":"subscribe","types":["Mailbox"],"events":["state"]}' |
    "$CLIENT" -n 4 "$T/sock" >"$T/state.fifo" &
exec 7<"$T/state.fifo"
read -r -t "$WAIT" l <&7 && [ "$l" = '{"reply":"subscribe","ok":true}' ] ||
    fail "subscribe: ${l:-nothing}"

# expect_state WHAT LINE: the client's next line is LINE once the burst
# frame's time (nanoseconds) is replaced by NS and the event's by TIME.
expect_state() {
	read -r -t "$WAIT" l <&7 || fail "no state event: $1"
	l=$(printf '%s\n' "$l" | sed -E -e 's/"b([0-9]+)-[0-9]+"/"b\1-NS"/' \
	    -e 's/"time":"[0-9T:Z-]+"/"time":"TIME"/')
	[ "$l" = "$2" ] || fail "$1: got $l"
}

# A burst frame and a queued StateChange, released in one callback.
control 'fault?name=stall' >/dev/null
control 'burst?count=1' >/dev/null
control 'deliver?account=u1' >/dev/null
control 'fault?name=none' >/dev/null
expect_state 'the queued StateChange' '{"event":"state","account":"test","accountId":"u1","changed":{"Email":"e1","EmailDelivery":"d1","Mailbox":"m1","Thread":"t1"},"pushState":"p1","reason":"push","time":"TIME"}'
expect_state 'the burst frame after it' '{"event":"state","account":"test","accountId":"u1","changed":{"Mailbox":"b1-NS"},"pushState":"b1","reason":"push","time":"TIME"}'

# A burst frame alone, owed to a stalled client.
control 'fault?name=stall' >/dev/null
control 'burst?count=1' >/dev/null
control 'fault?name=none' >/dev/null
expect_state 'the burst frame owed' '{"event":"state","account":"test","accountId":"u1","changed":{"Mailbox":"b2-NS"},"pushState":"b2","reason":"push","time":"TIME"}'
exec 7<&-
daemon_stop
echo "ok"
