#!/bin/bash
# SPDX-License-Identifier: ISC
# 503 with Retry-After is honoured; 401 re-reads the credentials once, then
# waits for backoff_max or a SIGHUP; a 404 upgrade falls back to
# EventSource; a StateChange for an account the Session did not list is
# still delivered.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

server_start
write_config 'backoff_max = 60s'
daemon_start

control 'fault?name=refuse&count=1&retryafter=2' >/dev/null
control 'fault?name=drop' >/dev/null
wait_log 'server refused the WebSocket upgrade with HTTP 503; retrying in 2.0s as the server asked (Retry-After)'
wait_server 'handshakes=2'

# One rejection: the password is read again and tried at once.
printf 'secret\n' >"$T/password"
control 'fault?name=unauthorized&count=1' >/dev/null
control 'fault?name=drop' >/dev/null
# The Session is kept across the drop: the WebSocket upgrade meets it.
wait_log 'rejected the credentials for the WebSocket (HTTP 401); reading them again; reconnecting now'
wait_server 'handshakes=3'

# Two in a row: auth_failed, no hammering; SIGHUP retries at once.
control 'fault?name=unauthorized&count=2' >/dev/null
control 'fault?name=drop' >/dev/null
wait_log 'check username and the password or token setting, then send SIGHUP or run jmap-pushctl reconnect; retrying in 60s'
kill -HUP "$DAEMON_PID"
wait_server 'handshakes=4'
wait_server 'pushEnabled=1'

# The WebSocket endpoint gone (404) while the Session offers an
# eventSourceUrl: transport = auto falls back to EventSource.
control 'fault?name=notfound&count=1' >/dev/null
control 'fault?name=drop' >/dev/null
wait_log 'the WebSocket endpoint answered HTTP 404; falling back to EventSource'
wait_server 'esStreams=1'

control 'fault?name=unknownaccount' >/dev/null
wait_hook 1
grep -qx 'JMAP_ACCOUNT_ID=x9' "$T/hook.1.env" || fail "unknown account not delivered"
wait_log 'Session refreshed: 1 account(s)'
expect_log 'a change for account x9, which the Session does not list; fetching it again' 
control 'deliver?account=u1' >/dev/null
wait_hook 2
expect_runs 2
daemon_stop
echo "ok"
