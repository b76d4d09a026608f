#!/bin/bash
# SPDX-License-Identifier: ISC
# A listening socket passed the systemd way (LISTEN_FDS, LISTEN_PID) wins
# over socket =: the daemon serves it and creates no socket of its own.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

command -v systemd-socket-activate >/dev/null ||
    { echo "SKIP: systemd-socket-activate is not installed"; exit 77; }
CLIENT="$top_builddir/tests/integration/sockclient"
server_start
write_config
# systemd-socket-activate listens, and starts the daemon on the first
# connection with the socket as fd 3.
systemd-socket-activate -l "$T/act.sock" ${JP_DAEMON_WRAPPER:-} "$DAEMON" -c "$T/config" -v \
    2>>"$T/daemon.log" &
DAEMON_PID=$!
wait_log 'Listening on'
# The first connection starts the daemon; its account connects.  Only then
# the client under test, so that no connection event comes before its
# subscribe reply.
echo '{"cmd":"status"}' | "$CLIENT" -n 1 "$T/act.sock" >"$T/first" ||
    fail "first client failed"
wait_server pushEnabled=1
echo '{"cmd":"subscribe","events":["state"]}' | "$CLIENT" -n 2 "$T/act.sock" >"$T/events" &
client=$!
wait_log 'socket client 2: connected'
expect_log 'socket: listening on the socket systemd passed'
[ ! -e "$T/sock" ] || fail "the daemon created $T/sock although it got a socket"
control 'deliver?account=u1' >/dev/null
wait $client || fail "client failed"
sed -n 1p "$T/events" | grep -qx '{"reply":"subscribe","ok":true}' || fail "no subscribe reply"
sed -n 2p "$T/events" | grep -q '^{"event":"state","account":"test","accountId":"u1",.*"pushState":"p1"' ||
    fail "no state event: $(cat "$T/events")"
daemon_stop
echo "ok"
