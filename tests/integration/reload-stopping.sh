#!/bin/bash
# SPDX-License-Identifier: ISC
# A reload asked over the socket while the daemon is stopping is refused
# with a reason (SIGHUP always was ignored then): it would start the
# accounts the new configuration adds in the middle of the stop.  The
# daemon is held in its stop by a server that never answers the close
# frame (up to 3 s), and the socket still answers meanwhile.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

CLIENT="$top_builddir/tests/integration/sockclient"

server_start
write_config
daemon_start
wait_log 'account test: connected to'
control 'fault?name=stall' >/dev/null
# The reload would add this account.
add_account other
kill -TERM "$DAEMON_PID"
wait_log 'shutting down'
printf '%s\n' '{"cmd":"subscribe","events":[]}' '{"cmd":"reload"}' |
    "$CLIENT" -n 2 "$T/sock" >"$T/replies" || fail "reload client failed"
expect_file "$T/replies" '{"reply":"subscribe","ok":true}
{"error":"jmap-pushd is stopping; reload after it has started again","cmd":"reload"}'
rc=0
wait "$DAEMON_PID" || rc=$?
DAEMON_PID=
[ $rc -eq 0 ] || fail "daemon exited with status $rc on SIGTERM"
expect_log 'not reloading: the daemon is stopping'
! grep -q 'account other' "$T/daemon.log" ||
    fail "the refused reload started an account: $(grep 'account other' "$T/daemon.log")"
echo "ok"
