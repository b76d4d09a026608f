#!/bin/bash
# SPDX-License-Identifier: ISC
# EventSource (RFC 8620 7.3) for a server without WebSocket push: requests
# go through apiUrl, the status says eventsource, and a restart resumes with
# Last-Event-ID.  (es-push-hook.sh checks the hook's exact environment.)
JP_TRANSPORT=eventsource
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

server_start
write_config
daemon_start
# The state comparison after connecting went through POST /jmap/api.
wait_log 'states unchanged since last seen'
expect_log 'connected to http://127.0.0.1:.*/jmap/eventsource?types=%2A&closeafter=no&ping=30 over eventsource'

control 'deliver?account=u1' >/dev/null
wait_hook 1
"$top_builddir/src/jmap-pushctl" -s "$T/sock" status --json >"$T/status.json"
grep -q '"transport":"eventsource"' "$T/status.json" ||
    fail "status does not say eventsource: $(cat "$T/status.json")"

# Down while a mail arrives; the restart resumes from the last event id.
daemon_stop
control 'deliver?account=u1' >/dev/null
daemon_start
wait_hook 2
grep -qx 'JMAP_PUSH_STATE=p2' "$T/hook.2.env" || fail "no replay of p2"
control status | grep -q '"lastEventId":"p1"' ||
    fail "Last-Event-ID p1 not sent: $(control status)"
expect_runs 2
daemon_stop
echo "ok"
