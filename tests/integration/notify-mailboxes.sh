#!/bin/bash
# SPDX-License-Identifier: ISC
# [notify] mailboxes = through mailmatch, as hooks read it (a path glob:
# Work/* is every mailbox below Work, not Work), and configs written for
# the older meaning still work: INBOX names the inbox role in other letter
# case, rust the mailbox Lists/rust by its own name; the log says once per
# item how to write it now.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/buslib.sh" || exit 99

ARGS='actions=0 hints=category=email.arrived;desktop-entry=jmap-pushd;sound-name=message-new-email;urgency=1 timeout=-1'

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
older() {
	n=$(grep -c -- "$1" "$T/daemon.log" || true)
	[ "$n" = 1 ] || fail "logged $n times, expected once: $1"
}
older "notifications: \[notify\] mailboxes item 'INBOX' matched a mailbox by its role in other letter case (the older meaning, still honoured here); write the role in lower case, as hooks read it"
older "notifications: \[notify\] mailboxes item 'rust' matched a mailbox by its name below another one (the older meaning, still honoured here); write its path, or '\*/rust' for that name anywhere below another, as hooks read it"
n=$(grep -c "mailboxes item 'Work/\*' matched" "$T/daemon.log" || true)
[ "$n" = 0 ] || fail "Work/* taken for the older meaning"
daemon_stop
echo ok
