#!/bin/bash
# SPDX-License-Identifier: ISC
# A server inventing accountIds cannot grow the notification trackers
# without bound (issue 12: 85,000 trackers, RSS 27 MB -> 140 MB): only
# accountIds the Session lists are watched (the debug log counts them), and
# new mail in the real account is still announced.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/buslib.sh" || exit 99

server_start
notify_start

# 10,000 invented accountIds with an Email change each: before the fix one
# tracker each, kept until exit, and one new mail request each.
for i in 1 2; do
	control "fault?name=manyaccounts&count=5000&prefix=z$i" >/dev/null
	wait_log "change in z${i}5000: Email="
done
# The real account's mail, looked for over the same connection after the
# requests for the invented ones (answered in order).
control 'deliver' >/dev/null
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=Sender 1 <sender1@example.com> body=Message 1 actions=0 hints=category=email.arrived;desktop-entry=jmap-pushd;urgency=1 timeout=-1"
n=$(grep -c 'the new mail request\|cannot fetch new mail' "$T/daemon.log" || true)
[ "$n" = 0 ] || fail "$n new mail requests for invented accountIds"
n=$(grep -c 'notifications: account test: watching accountId' "$T/daemon.log" || true)
[ "$n" = 1 ] || fail "$n accountIds watched, expected 1"
expect_log 'notifications: account test: watching accountId u1 (1 tracked)'
expect_log 'not watching accountId z25000, which the Session does not list'
daemon_stop
echo "ok"
