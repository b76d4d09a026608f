#!/bin/bash
# SPDX-License-Identifier: ISC
# A notification tracker whose accountId the Session no longer lists goes
# at the account's next change (issue 12, item 10): the server stops
# sharing s2, a change for an accountId it does not list fetches the Session
# again, and the next change counts the trackers without s2's.  s2's later
# changes are delivered but not watched; new mail elsewhere is still shown.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/buslib.sh" || exit 99

ARGS='actions=0 hints=category=email.arrived;desktop-entry=jmap-pushd;urgency=1 timeout=-1'

server_start --accounts 3
notify_start

# notified ACCOUNT N: mail N delivered to ACCOUNT is announced (its
# tracker's round is over: a busy tracker would not be dropped).
notified() {
	control "deliver?account=$1" >/dev/null
	expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=Sender $2 <sender$2@example.com> body=Message $2 $ARGS"
}
notified u1 1
notified s2 2
expect_log 'notifications: account test: watching accountId u1 (1 tracked)'
expect_log 'notifications: account test: watching accountId s2 (2 tracked)'

control 'accounts?remove=s2' >/dev/null
control 'fault?name=unknownaccount' >/dev/null
wait_log 'account test: Session refreshed: 2 account(s)'
# s3's first change drops s2's tracker on the way: two, not three.
notified s3 3
expect_log 'notifications: account test: watching accountId s3 (2 tracked)'
expect_log 'notifications: account test: forgetting accountId s2, which the Session no longer lists'

# s2 is still pushed: delivered, not watched; u1's mail still shows.
control 'deliver?account=s2' >/dev/null
wait_log 'not watching accountId s2, which the Session does not list'
notified u1 5
n=$(grep -c 'notifications: account test: watching accountId' "$T/daemon.log")
[ "$n" = 3 ] || fail "$n trackers made, expected 3 (u1, s2, s3)"
daemon_stop
echo "ok"
