#!/bin/bash
# SPDX-License-Identifier: ISC
# A server inventing accountIds cannot grow what notifications keep
# (issue 12: 85,000 trackers, RSS 27 MB -> 140 MB): notifications keep
# nothing per accountId, and the mail view they read runs only for the
# accountIds the Session lists with mail, so no Mailbox or Email request
# goes out for an invented one; new mail in the real account is still
# announced.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/buslib.sh" || exit 99

server_start
notify_start

# 10,000 invented accountIds with an Email change each: before issue 12's
# fix one tracker each, kept until exit, and one new mail request each.
for i in 1 2; do
	control "fault?name=manyaccounts&count=5000&prefix=z$i" >/dev/null
	wait_log "change in z${i}5000: Email="
done
# The real account's mail, looked for over the same connection after
# whatever the invented ones caused.
control 'deliver' >/dev/null
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=Sender 1 <sender1@example.com> body=Message 1 actions=0 hints=category=email.arrived;desktop-entry=jmap-pushd;sound-name=message-new-email;urgency=1 timeout=-1"
n=$(grep -c 'mail view of z' "$T/daemon.log" || true)
[ "$n" = 0 ] || fail "$n mail view lines for invented accountIds"
daemon_stop
echo "ok"
