#!/bin/bash
# EventSource (RFC 8620 7.3) for a server without WebSocket push: the hook
# fires exactly as over a WebSocket, requests go through apiUrl, and a
# restart resumes with Last-Event-ID.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

server_start --ws-url none
write_config
daemon_start_es() {
	before=$(control status | sed -n 's/.*"esConnects":\([0-9]*\).*/\1/p')
	${JP_DAEMON_WRAPPER:-} "$DAEMON" -c "$T/config" -v 2>>"$T/daemon.log" &
	DAEMON_PID=$!
	wait_server "esConnects=$((before + 1))"
}
daemon_start_es
# The state comparison after connecting went through POST /jmap/api.
wait_log 'states unchanged since last seen'
expect_log 'connected to http://127.0.0.1:.*/jmap/eventsource?types=%2A&closeafter=no&ping=30 over eventsource'

control 'deliver?account=u1' >/dev/null
wait_hook 1
expect_file "$T/hook.1.env" 'JMAP_ACCOUNT=test
JMAP_ACCOUNT_ID=u1
JMAP_HOOK=record
JMAP_PUSH_STATE=p1
JMAP_REASON=push
JMAP_STATE_Email=e1
JMAP_STATE_EmailDelivery=d1
JMAP_STATE_Mailbox=m1
JMAP_STATE_Thread=t1
JMAP_TYPES=Email EmailDelivery Mailbox Thread'
"$top_builddir/src/jmap-pushctl" -s "$T/sock" status --json >"$T/status.json"
grep -q '"transport":"eventsource"' "$T/status.json" ||
    fail "status does not say eventsource: $(cat "$T/status.json")"

# Down while a mail arrives; the restart resumes from the last event id.
daemon_stop
control 'deliver?account=u1' >/dev/null
daemon_start_es
wait_hook 2
grep -qx 'JMAP_PUSH_STATE=p2' "$T/hook.2.env" || fail "no replay of p2"
control status | grep -q '"lastEventId":"p1"' ||
    fail "Last-Event-ID p1 not sent: $(control status)"
expect_runs 2
daemon_stop
echo "ok"
