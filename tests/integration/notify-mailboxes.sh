#!/bin/bash
# SPDX-License-Identifier: ISC
# [notify] mailboxes = through mailmatch, as hooks read it (a path glob:
# Work/* is every mailbox below Work, not Work), and configs written for
# the older meaning still work: INBOX names the inbox role in other letter
# case, rust the mailbox Lists/rust by its own name; the log says once per
# item how to write it now.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/buslib.sh" || exit 99

ARGS='actions=0 hints=category=email.arrived;desktop-entry=jmap-pushd;urgency=1 timeout=-1'

# note N: the next notification is mail M<N>.
note() {
	expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=Sender $1 <sender$1@example.com> body=Message $1 $ARGS"
}

server_start
NOTIFY_EXTRA='mailboxes = INBOX, rust, Work/*' notify_start
control 'mail/deliver?mailbox=Lists/rust' >/dev/null
note 1
# Neither Work itself nor the archive: M2 and M3 are not announced.
control 'mail/deliver?mailbox=Work' >/dev/null
control 'mail/deliver?mailbox=archive' >/dev/null
control 'mail/deliver?mailbox=Work/Projects' >/dev/null
note 4
control 'mail/deliver' >/dev/null
note 5
control 'mail/deliver?mailbox=Lists/rust' >/dev/null
note 6
for item in INBOX rust; do
	n=$(grep -c "mailboxes item '$item' matched a mailbox only by its role in other letter case or by its name below another mailbox" "$T/daemon.log" || true)
	[ "$n" = 1 ] || fail "the older meaning of '$item' logged $n times, expected once"
done
n=$(grep -c "mailboxes item 'Work/\*' matched" "$T/daemon.log" || true)
[ "$n" = 0 ] || fail "Work/* taken for the older meaning"
daemon_stop
echo ok
