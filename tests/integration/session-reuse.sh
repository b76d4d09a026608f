#!/bin/bash
# SPDX-License-Identifier: ISC
# A server that goes away and comes back: the daemon opens the push
# channel again with the Session it has (one connection per account, not
# a Session GET and its redirect besides), fetches the Session again when a
# Response's sessionState says it changed, and starts afresh when the user
# asks for a reconnect.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

CTL="$top_builddir/src/jmap-pushctl"
field() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
expect_gets() {
	[ "$(control status | field sessionGets)" = "$1" ] ||
	    fail "$2: the server served $(control status | field sessionGets) Session(s), expected $1"
}

server_start
write_config
daemon_start
expect_gets 1 "first connection"

# Killed (no close frame) and back: the channel opens with the old Session.
kill -KILL "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
server_start --port "$PORT"
wait_connected 1
expect_gets 0 "after a server restart"
[ "$(control status | field handshakes)" = 1 ] ||
    fail "expected one WebSocket upgrade after the restart"
wait_log "opening the push channel with the Session fetched before"

# Back with another Session: the resync's Response says so.
kill -KILL "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
server_start --port "$PORT" --session-state s2
wait_connected 1
wait_log "account test: the server's Session changed (sessionState s2, was s1); fetching it again"
wait_log "account test: Session refreshed: 1 account(s)"
expect_gets 1 "after the Session changed"

# The user's reconnect fetches it again.
"$CTL" -s "$T/sock" reconnect test >/dev/null || fail "reconnect failed"
wait_server handshakes=2
expect_gets 2 "after jmap-pushctl reconnect"
daemon_stop
echo "ok"
