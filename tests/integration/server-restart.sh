#!/bin/bash
# SPDX-License-Identifier: ISC
# The server goes away (connection refused while it is down) and comes back
# on the same port with its history lost: the daemon never gives up, and
# the changed states are found by comparison.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

server_start
write_config
daemon_start
control 'deliver?account=u1' >/dev/null
wait_hook 1

kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || true
SERVER_PID=
wait_log 'Connection refused\|connection refused\|closed before' 1
server_start --port "$PORT"
wait_connected 1
# The new server starts from e0 again: a resync sees the states move.
wait_hook 2
grep -qx 'JMAP_REASON=resync' "$T/hook.2.env" || fail "no resync after the restart"
control 'deliver?account=u1' >/dev/null
wait_hook 3
grep -qx 'JMAP_REASON=push' "$T/hook.3.env" || fail "push after restart not delivered"
expect_runs 3
daemon_stop
echo "ok"
