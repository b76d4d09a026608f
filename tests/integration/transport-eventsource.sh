#!/bin/bash
# SPDX-License-Identifier: ISC
# transport = eventsource on a server that also offers WebSocket push: the
# daemon takes the event stream it was told to, never the WebSocket, and
# changes arrive over it.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

server_start
write_config "transport = eventsource"
TRANSPORT=eventsource
daemon_start
wait_log 'connected to http://127.0.0.1:.*/jmap/eventsource?types=%2A&closeafter=no&ping=30 over eventsource'

control 'deliver?account=u1' >/dev/null
wait_hook 1
grep -qx 'JMAP_STATE_Email=e1' "$T/hook.1.env" || fail "hook 1 did not see e1: $(cat "$T/hook.1.env")"
control status >"$T/status.json"
grep -q '"handshakes":0,' "$T/status.json" ||
    fail "the daemon opened a WebSocket: $(cat "$T/status.json")"
expect_runs 1
daemon_stop
echo "ok"
