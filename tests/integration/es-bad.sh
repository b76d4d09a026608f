#!/bin/bash
# SPDX-License-Identifier: ISC
# The resilience faults over EventSource: garbage state data, a 10 MB
# event, a refused stream (503 with Retry-After), rejected credentials and
# an account the Session does not list.  The daemon stays up and the next
# delivery reaches the hook exactly once.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

server_start --ws-url none
write_config 'backoff_max = 60s'
${JP_DAEMON_WRAPPER:-} "$DAEMON" -c "$T/config" -v 2>>"$T/daemon.log" &
DAEMON_PID=$!
wait_server 'esConnects=1'

control 'fault?name=garbage' >/dev/null
wait_log 'the server sent a malformed state event'
wait_server 'esConnects=2'
control 'deliver?account=u1' >/dev/null
wait_hook 1

control 'fault?name=oversized&kib=10240' >/dev/null
wait_log 'line longer than 1048576 bytes'
wait_server 'esConnects=3'
control 'deliver?account=u1' >/dev/null
wait_hook 2

control 'fault?name=refuse&count=1&retryafter=2' >/dev/null
control 'fault?name=drop' >/dev/null
wait_log 'the server refused the event stream with HTTP 503; retrying in 2.0s as the server asked (Retry-After)'
wait_server 'esConnects=4'

control 'fault?name=unauthorized&count=2' >/dev/null
control 'fault?name=drop' >/dev/null
wait_log 'check username and the password or token setting, then send SIGHUP or run jmap-pushctl reconnect; retrying in 60s'
kill -HUP "$DAEMON_PID"
wait_server 'esConnects=5'

control 'fault?name=unknownaccount' >/dev/null
wait_hook 3
grep -qx 'JMAP_ACCOUNT_ID=x9' "$T/hook.3.env" || fail "unknown account not delivered"
control 'deliver?account=u1' >/dev/null
wait_hook 4
expect_runs 4
kill -0 "$DAEMON_PID" || fail "daemon died"
daemon_stop
echo "ok"
