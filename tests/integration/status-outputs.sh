#!/bin/bash
# SPDX-License-Identifier: ISC
# The status reply's "outputs": each webhook's queue, requests in flight,
# last error and the wait before its retry, and the MQTT connection; and
# jmap-pushctl status's lines for them below the table.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/mqttlib.sh" || exit 99
. "$top_srcdir/tests/integration/webhooklib.sh" || exit 99
CTL="$top_builddir/src/jmap-pushctl"

broker_conf 'allow_anonymous true'
broker_start
server_start
write_config
mqtt_section
receiver_start
add_webhook "http://127.0.0.1:$RPORT/hook" "events = connection"
# The first connection event: refused for 30 s.
printf '503 30\n' >"$T/rx.plan"
daemon_start
wait_log 'mqtt: up at mqtt://127.0.0.1:[0-9]* as test-client'
wait_log 'webhook rx: account test: delivery [0-9a-f]* failed: HTTP 503; retrying in 30s'

"$CTL" -s "$T/sock" status --json >"$T/status.json" || fail "status --json"
retry=$(sed -n 's/.*"retryIn":\([0-9.]*\)}\],"mqtt".*/\1/p' "$T/status.json")
awk -v r="$retry" 'BEGIN { exit !(r > 20 && r <= 30) }' ||
    fail "retryIn $retry: $(cat "$T/status.json")"
grep -o '"outputs":.*' "$T/status.json" | sed "s/\"retryIn\":$retry/\"retryIn\":R/" >"$T/got"
expect_file "$T/got" "\"outputs\":{\"webhooks\":[{\"name\":\"rx\",\"queued\":2,\"inFlight\":0,\"lastError\":\"account test: HTTP 503\",\"retryIn\":R}],\"mqtt\":{\"status\":\"connected\",\"broker\":\"mqtt://127.0.0.1:$MQTT_PORT\",\"queued\":0,\"lastError\":null}}}"

"$CTL" -s "$T/sock" status >"$T/table" || fail "status"
tail -n 2 "$T/table" | sed 's/retry in [0-9]*\.[0-9]s/retry in Rs/' >"$T/got"
expect_file "$T/got" "webhook rx: 2 queued, 0 in flight, retry in Rs, last error: account test: HTTP 503
mqtt mqtt://127.0.0.1:$MQTT_PORT: connected, 0 queued"

daemon_stop
receiver_stop
echo ok
