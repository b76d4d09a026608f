#!/bin/bash
# SPDX-License-Identifier: ISC
# A Fastmail-like event stream: a plain eventSourceUrl (the daemon adds the
# query), data without @type and with an extra "type" field, no ids, the
# ping interval in milliseconds.  Changes still reach the hook.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

server_start --ws-url none --es-style fastmail --es-ids no --es-ping-ms
write_config
${JP_DAEMON_WRAPPER:-} "$DAEMON" -c "$T/config" -v 2>>"$T/daemon.log" &
DAEMON_PID=$!
wait_server 'esConnects=1'
wait_log 'eventsource?types=%2A&closeafter=no&ping=30 over eventsource'
control 'deliver?account=u1' >/dev/null
# The state sent on connect may come first: wait for the delivered one.
runs=0
while :; do
	runs=$((runs + 1))
	wait_hook "$runs"
	grep -qx 'JMAP_STATE_Email=e1' "$T/hook.$runs.env" && break
	[ "$runs" -lt 3 ] || fail "no run for e1"
done
grep -q '^JMAP_PUSH_STATE=' "$T/hook.$runs.env" &&
    ! grep -qx 'JMAP_PUSH_STATE=p1' "$T/hook.$runs.env" &&
    fail "unexpected pushState without ids"
daemon_stop
echo "ok"
