#!/bin/bash
# SPDX-License-Identifier: ISC
# url = the server's base URL (no path) means RFC 8620 autodiscovery, and a
# Session URL that answers 404 is a configuration error: said once with the
# URL tried and the fix, held as disabled until backoff_max instead of
# retried every few seconds, and tried again at once on jmap-pushctl
# reconnect and on SIGHUP (issue 12, item 15).
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

CTL="$top_builddir/src/jmap-pushctl"
server_start
write_config
sed -i -e "s|^url = .*|url = $BASE|" -e 's/^backoff_max = .*/backoff_max = 60s/' \
    "$T/config"

# The base URL: /.well-known/jmap is asked, and redirects to the Session.
daemon_start
wait_log "connected to ws://127.0.0.1:$PORT/jmap/ws/"
expect_log "account test: 301 redirect to $BASE/jmap/session"

# A Session URL where there is none.
sed -i "s|^url = .*|url = $BASE/jmap/nothing|" "$T/config"
kill -HUP "$DAEMON_PID"
msg="the Session URL $BASE/jmap/nothing answered HTTP 404: there is no JMAP Session there; set url = to the server's host name (for autodiscovery) or to its Session URL, then send SIGHUP or run jmap-pushctl reconnect"
wait_log "error: account test: $msg; retrying in 60s"
"$CTL" -s "$T/sock" status --json >"$T/status.json"
sed -e 's/"since":"[^"]*"/"since":"TIME"/' \
    -e 's/"retryIn":[0-9.]*/"retryIn":N/' -e 's/"states":{.*}}/"states":S/' \
    "$T/status.json" >"$T/status.out"
expect_file "$T/status.out" "{\"reply\":\"status\",\"accounts\":[{\"account\":\"test\",\"status\":\"disabled\",\"transport\":\"websocket\",\"since\":\"TIME\",\"lastPush\":null,\"states\":S,\"retryIn\":N,\"error\":\"$msg\",\"mailboxes\":[]}],\"muted\":false,\"mutedUntil\":null}"
# Held until backoff_max, not a few seconds.
retry=$(sed -n 's/.*"retryIn":\([0-9]*\).*/\1/p' "$T/status.json")
[ "$retry" -ge 55 ] || fail "next attempt in ${retry}s, expected backoff_max"

# The user asks: at once.
"$CTL" -s "$T/sock" reconnect test >/dev/null || fail "reconnect failed"
wait_log "$msg; retrying in 60s" 2
kill -HUP "$DAEMON_PID"
wait_log "$msg; retrying in 60s" 3

# Once the server serves a Session there, SIGHUP connects.
control "redirect?path=/jmap/nothing&status=307&location=/jmap/session" >/dev/null
kill -HUP "$DAEMON_PID"
wait_log "connected to ws://127.0.0.1:$PORT/jmap/ws/" 2
daemon_stop
echo "ok"
