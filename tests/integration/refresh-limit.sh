#!/bin/bash
# SPDX-License-Identifier: ISC
# A server inventing accountIds cannot make the daemon run password_command
# back to back (issue 12): a StateChange for an accountId the Session does
# not list fetches the Session again at most once a minute, with the
# credentials the server accepted for the connection, and every such change
# is still delivered.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

server_start
write_config "password_command = echo run >> \"$T/pwruns\"; cat \"$T/password\""
sed -i '/^password_file = /d' "$T/config"
daemon_start
wait_log 'states unchanged since last seen'

# unknown N: a StateChange for the accountId yN, which the Session does not
# list, reaches the hook as run N.
unknown() {
	control "fault?name=manyaccounts&count=1&prefix=y$1" >/dev/null
	wait_hook "$1"
	grep -qx "JMAP_ACCOUNT_ID=y${1}1" "$T/hook.$1.env" ||
	    fail "run $1 is not for y${1}1"
}
unknown 1
wait_log 'Session refreshed: 1 account(s)'
# Once, to connect; the refresh reused what the server accepted.
expect_file "$T/pwruns" "run"
for i in 2 3 4 5 6; do
	unknown $i
done
wait_log 'the Session was fetched [0-9]*s ago; fetching it again in [0-9]*s'
n=$(grep -c 'fetching it again in' "$T/daemon.log")
[ "$n" = 1 ] || fail "the later refresh was planned $n times, expected once"
n=$(grep -c 'Session refreshed' "$T/daemon.log")
[ "$n" = 1 ] || fail "the Session was refreshed $n times, expected once"
expect_file "$T/pwruns" "run"
control 'deliver?account=u1' >/dev/null
wait_hook 7
expect_runs 7
daemon_stop
echo "ok"
