#!/bin/bash
# SPDX-License-Identifier: ISC
# A hook never runs twice at once: changes arriving while it runs make
# exactly one follow-up run, with the merged latest states.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

CLIENT="$top_builddir/tests/integration/sockclient"
server_start
write_config
sed -i '/^\[hook record\]/,$d' "$T/config"
mkfifo "$T/block.fifo" "$T/gate.fifo"
exec 5<>"$T/block.fifo"
cat >>"$T/config" <<CONF
[hook block]
debounce = 0
command = mkdir "$T/lock" || echo overlap > "$T/block.fifo"; echo "start \$JMAP_PUSH_STATE" > "$T/block.fifo"; read x < "$T/gate.fifo"; rmdir "$T/lock"; echo "end \$JMAP_PUSH_STATE" > "$T/block.fifo"
CONF
daemon_start

expect_line() {
	read -r -t "$WAIT" line <&5 || fail "hook did not say: $1"
	[ "$line" = "$1" ] || fail "hook said '$line', expected '$1'"
}

control 'deliver?account=u1' >/dev/null
expect_line "start p1"
# The socket sees each change after the hooks were given it: once the client
# got three events, the daemon has queued all three.
"$CLIENT" -n 3 "$T/sock" </dev/null >"$T/events" &
client=$!
wait_log 'socket client 1: connected'
control 'deliver?account=u1&count=3' >/dev/null
wait $client || fail "socket client failed"
[ "$(grep -c '"event":"state"' "$T/events")" = 3 ] || fail "missing events"
echo go >"$T/gate.fifo"
expect_line "end p1"
expect_line "start p4"
echo go >"$T/gate.fifo"
expect_line "end p4"
daemon_stop
# Nothing else ran (no "start" is left unread).
read -r -t 0.1 line <&5 && fail "unexpected hook output: $line"
echo "ok"
