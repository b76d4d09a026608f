#!/bin/bash
# SPDX-License-Identifier: ISC
# Session refreshes reuse the credentials the server accepted, until it
# rejects them (issue 12, item 12): a refresh answered 401 drops them, and
# the next refresh (a minute later at the earliest) runs password_command
# again, is accepted, and the account stays connected; the refresh after
# that reuses what was read.  password_command runs once to connect, not
# at all for the first refresh, once for the refresh after the 401, and
# not for the third.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

CTL="$top_builddir/src/jmap-pushctl"
server_start
write_config "password_command = echo run >> \"$T/pwruns\"; cat \"$T/password\""
sed -i '/^password_file = /d' "$T/config"
daemon_start
wait_log 'states unchanged since last seen'
expect_file "$T/pwruns" "run"

# unknown N: a StateChange for the accountId yN1, which the Session does
# not list, reaches the hook as run N (and asks for a refresh).
unknown() {
	control "fault?name=manyaccounts&count=1&prefix=y$1" >/dev/null
	wait_hook "$1"
	grep -qx "JMAP_ACCOUNT_ID=y${1}1" "$T/hook.$1.env" ||
	    fail "run $1 is not for y${1}1"
}

# The first refresh reuses the credentials of the connection: no run; the
# server rejects them this once.
control 'fault?name=unauthorized&count=1' >/dev/null
unknown 1
wait_log 'account test: refreshing the Session failed with HTTP 401'
expect_file "$T/pwruns" "run"

# The next refresh waits out the minute, then reads the credentials again.
unknown 2
wait_log 'the Session was fetched [0-9]*s ago; fetching it again in [0-9]*s'
WAIT=$((WAIT + 60)) wait_log 'account test: Session refreshed: 1 account(s)'
expect_file "$T/pwruns" "run
run"

# What was read again and accepted is reused: the third refresh, another
# minute later, runs nothing.
unknown 3
wait_log 'the Session was fetched [0-9]*s ago; fetching it again in [0-9]*s' 2
WAIT=$((WAIT + 60)) wait_log 'account test: Session refreshed: 1 account(s)' 2
expect_file "$T/pwruns" "run
run"
n=$(grep -c 'Session refreshed\|refreshing the Session failed' "$T/daemon.log")
[ "$n" = 3 ] || fail "$n Session refreshes, expected 3"

# Still connected over the same connection, and changes still arrive.
"$CTL" -s "$T/sock" status --json >"$T/status.json"
grep -qF '"status":"connected"' "$T/status.json" ||
    fail "unexpected status: $(cat "$T/status.json")"
[ "$(control status | sed -n 's/.*"handshakes":\([0-9]*\).*/\1/p')" = 1 ] ||
    fail "the daemon connected again"
control 'deliver?account=u1' >/dev/null
wait_hook 4
expect_runs 4
daemon_stop
expect_file "$T/pwruns" "run
run"
echo "ok"
