#!/bin/bash
# SPDX-License-Identifier: ISC
# An accountId the Session no longer lists is no longer watched (issue 12,
# item 10): the server stops sharing s2, a change for an accountId it does
# not list fetches the Session again, and s2's later changes are delivered
# but ask the server nothing and announce nothing; new mail elsewhere is
# still shown.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/buslib.sh" || exit 99

ARGS='actions=0 hints=category=email.arrived;desktop-entry=jmap-pushd;sound-name=message-new-email;urgency=1 timeout=-1'

server_start --accounts 3
notify_start
wait_log 'notifications: account test: accountId s2 at Email state'
wait_log 'notifications: account test: accountId s3 at Email state'

# notified ACCOUNT N: mail N delivered to ACCOUNT is announced.
notified() {
	control "deliver?account=$1" >/dev/null
	expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=Sender $2 <sender$2@example.com> body=Message $2 $ARGS"
}
# calls ACCOUNT: the Mailbox/ and Email/ calls the server had for it.
calls() {
	control status | grep -o '"mailCalls":{[^}]*}' |
	    sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"
}
notified u1 1
notified s2 2

control 'accounts?remove=s2' >/dev/null
control 'fault?name=unknownaccount' >/dev/null
wait_log 'account test: Session refreshed: 2 account(s)'
notified s3 3

# s2 is still pushed: delivered, not watched; u1's mail still shows.
before=$(calls s2)
[ -n "$before" ] || fail "no mailCalls for s2 in the server's status"
control 'deliver?account=s2' >/dev/null
wait_log 'change in s2: Email=e2'
notified u1 5
[ "$(calls s2)" = "$before" ] ||
    fail "the mail view of s2 asked the server $(( $(calls s2) - before )) time(s) after the Session dropped it"
daemon_stop
echo "ok"
