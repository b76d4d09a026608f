#!/bin/bash
# SPDX-License-Identifier: ISC
# Credentials stay on TLS and with the server they were meant for (issue 12,
# item 4).  Over https: redirects within the origin (302, 307, relative) are
# followed; a redirect to http, or to another host, is refused before
# anything is sent there, and the account holds as disabled until SIGHUP or
# jmap-pushctl reconnect.  From http, the upgrade to https on the same host
# is followed.  A Session fetched over https that names an http apiUrl or
# eventSourceUrl or a ws WebSocket url is refused, unless insecure = yes
# (then a warning, and it connects).  The event stream's redirects to http
# and to another host are refused too, and hold the account as disabled.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/tlslib.sh" || exit 99

CTL="$top_builddir/src/jmap-pushctl"
make_ca ca
# 127.0.0.1 is another origin on the same server, with a valid certificate.
cert good ca localhost DNS:localhost,IP:127.0.0.1
start_tls good
A=$BASE

# B: a plain http server with the same credentials, where a hostile
# redirect or Session would send the daemon.
mkfifo "$T/b.fifo"
"$SERVER" --port-file - >"$T/b.fifo" 2>>"$T/server-b.log" &
exec 5<"$T/b.fifo"
read -r -t "$WAIT" B_PORT <&5 || fail "test server B did not start"
exec 5<&-
B="http://127.0.0.1:$B_PORT"
bcontrol() {
	curl -sS --max-time "$((WAIT + 5))" --fail-with-body "$B/control/$1" ||
	    fail "control request $1 to B failed"
}
# field NAME: a number from a status object on stdin.
field() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
expect_b_untouched() {
	[ "$(bcontrol status | field jmapRequests)" = 0 ] ||
	    fail "server B got a request: $(cat "$T/server-b.log")"
}
# expect_status STATUS ERROR: what jmap-pushctl status --json says.
expect_status() {
	"$CTL" -s "$T/sock" status --json >"$T/status.json"
	grep -qF "\"status\":\"$1\"" "$T/status.json" &&
	    grep -qF "\"error\":\"$2\"" "$T/status.json" ||
	    fail "unexpected status: $(cat "$T/status.json")"
}
reconnect() {
	"$CTL" -s "$T/sock" reconnect test >/dev/null || fail "reconnect failed"
}

write_config "ca_file = $T/ca.pem"
# A refusal holds the account until the user acts: one attempt each here.
sed -i 's/^backoff_max = .*/backoff_max = 60s/' "$T/config"

# Same origin, 302 to an absolute URL: followed.
control "redirect?path=/.well-known/jmap&status=302&location=$A/jmap/session" >/dev/null
daemon_start
wait_log "account test: 302 redirect to $A/jmap/session"
wait_log "connected to wss://localhost:$PORT/jmap/ws/"

# Same origin, 307 to a relative URL: followed.
control "redirect?path=/.well-known/jmap&status=307&location=/jmap/session" >/dev/null
reconnect
wait_log "account test: 307 redirect to $A/jmap/session"
wait_log "connected to wss://localhost:$PORT/jmap/ws/" 2

# From https to http: refused, and B never hears of it.
control "redirect?path=/.well-known/jmap&status=301&location=http://localhost:$B_PORT/jmap/session" >/dev/null
reconnect
msg="session request failed: refused the 301 redirect from $A/.well-known/jmap to http://localhost:$B_PORT/jmap/session: it leaves TLS, and the request and its credentials would travel unencrypted; if you trust that address, set url = to it, then send SIGHUP or run jmap-pushctl reconnect"
wait_log "error: account test: $msg; retrying in 60s"
expect_b_untouched
expect_status disabled "$msg"

# To another host (the same server under another name, which its
# certificate covers): refused; the Session there is never asked for.
sessions=$(grep -c 'GET /jmap/session ' "$T/server.log")
control "redirect?path=/.well-known/jmap&status=307&location=https://127.0.0.1:$PORT/jmap/session" >/dev/null
kill -HUP "$DAEMON_PID"
wait_log "error: account test: session request failed: refused the 307 redirect from $A/.well-known/jmap to https://127.0.0.1:$PORT/jmap/session: it leads to another server, and the credentials are sent only where the request was addressed; if you trust that address, set url = to it, then send SIGHUP or run jmap-pushctl reconnect; retrying in 60s"
[ "$(grep -c 'GET /jmap/session ' "$T/server.log")" = "$sessions" ] ||
    fail "the Session was asked for at the other host"

# Sessions over https naming plain URLs, each refused; nothing reaches B.
control "redirect?path=/.well-known/jmap&location=" >/dev/null
refused_session() {
	wait_log "error: account test: refused the Session from $A/jmap/session: it names $1, which is not encrypted, and the credentials would travel in clear; ask the server's administrator to fix it, or set insecure = yes to accept it; retrying in 60s"
	expect_b_untouched
}
control "session?wsUrl=ws://127.0.0.1:$B_PORT/jmap/ws/" >/dev/null
reconnect
refused_session "the WebSocket url ws://127.0.0.1:$B_PORT/jmap/ws/"
control "session?wsUrl=&eventSourceUrl=http://127.0.0.1:$B_PORT/jmap/eventsource" >/dev/null
reconnect
refused_session "eventSourceUrl http://127.0.0.1:$B_PORT/jmap/eventsource"
control "session?eventSourceUrl=&apiUrl=http://127.0.0.1:$B_PORT/jmap/api" >/dev/null
reconnect
refused_session "apiUrl http://127.0.0.1:$B_PORT/jmap/api"
expect_status disabled "refused the Session from $A/jmap/session: it names apiUrl http://127.0.0.1:$B_PORT/jmap/api, which is not encrypted, and the credentials would travel in clear; ask the server's administrator to fix it, or set insecure = yes to accept it"

# insecure = yes accepts a plain WebSocket url, with a warning.
control "session?apiUrl=&wsUrl=ws://127.0.0.1:$B_PORT/jmap/ws/" >/dev/null
sed -i "s|^url = .*|&\ninsecure = yes|" "$T/config"
kill -HUP "$DAEMON_PID"
wait_log "warning: account test: insecure = yes: the Session from $A/jmap/session names the WebSocket url ws://127.0.0.1:$B_PORT/jmap/ws/, which is not encrypted; the credentials travel in clear"
wait_log "connected to ws://127.0.0.1:$B_PORT/jmap/ws/"
bcontrol "wait?pushEnabled=1&timeout=$((WAIT * 1000))" >/dev/null
bcontrol 'deliver?account=u1' >/dev/null
wait_hook 1

# From http to https on the same host: followed (it only adds TLS).
control "session?wsUrl=" >/dev/null
bcontrol "redirect?path=/.well-known/jmap&status=301&location=$A/jmap/session" >/dev/null
sed -i -e "s|^url = .*|url = http://localhost:$B_PORT/.well-known/jmap|" \
    -e '/^insecure = /d' "$T/config"
kill -HUP "$DAEMON_PID"
wait_log "account test: 301 redirect to $A/jmap/session"
wait_log "connected to wss://localhost:$PORT/jmap/ws/" 3

# The event stream's redirect to http: refused, B never hears of it.
b_before=$(bcontrol status | field jmapRequests)
control "redirect?path=/jmap/eventsource&status=302&location=http://localhost:$B_PORT/jmap/eventsource" >/dev/null
sed -i "s|^url = .*|url = $A/.well-known/jmap\ntransport = eventsource|" "$T/config"
kill -HUP "$DAEMON_PID"
es_url="$A/jmap/eventsource?types=%2A&closeafter=no&ping=30"
msg="event stream request failed: refused the 302 redirect from $es_url to http://localhost:$B_PORT/jmap/eventsource: it leaves TLS, and the request and its credentials would travel unencrypted; ask the server's administrator to fix it, then send SIGHUP or run jmap-pushctl reconnect"
wait_log "error: account test: $msg; retrying in 60s"
[ "$(bcontrol status | field jmapRequests)" = "$b_before" ] ||
    fail "server B got the event stream request"
expect_status disabled "$msg"

# The event stream's redirect to another host: refused, held as well.
streams=$(grep -c 'GET /jmap/eventsource' "$T/server.log")
control "redirect?path=/jmap/eventsource&status=307&location=https://127.0.0.1:$PORT/jmap/eventsource" >/dev/null
reconnect
msg="event stream request failed: refused the 307 redirect from $es_url to https://127.0.0.1:$PORT/jmap/eventsource: it leads to another server, and the credentials are sent only where the request was addressed; ask the server's administrator to fix it, then send SIGHUP or run jmap-pushctl reconnect"
wait_log "error: account test: $msg; retrying in 60s"
expect_status disabled "$msg"
[ "$(grep -c 'GET /jmap/eventsource' "$T/server.log")" = "$((streams + 1))" ] ||
    fail "the event stream was asked for at the other host"
daemon_stop
echo "ok"
