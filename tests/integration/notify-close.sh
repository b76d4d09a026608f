#!/bin/bash
# SPDX-License-Identifier: ISC
# Notifications that stay true: the notification of an email is closed
# (CloseNotification with the id the server gave) when the mail view
# shows it read, moved out of the mailbox it was announced in, or
# destroyed; not when it only joins another mailbox; and not once the
# notification server said it closed (the user dismissed it).
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/buslib.sh" || exit 99

ARGS='actions=0 hints=category=email.arrived;desktop-entry=jmap-pushd;sound-name=message-new-email;urgency=1 timeout=-1'

# note N: the next notification is mail M<N> (the fake server numbers its
# notifications from 1, so it gets id N as well here).
note() {
	control 'mail/deliver' >/dev/null
	expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=Sender $1 <sender$1@example.com> body=Message $1 $ARGS"
	wait_log "notifications: shown" "$1"
}

server_start
notify_start

# Read on another device.
note 1
control 'mail/keyword?id=M1&set=$seen' >/dev/null
expect_next 7 "CloseNotification id=1"
wait_log "notifications: account test: closing the notification of an email read elsewhere"

# Archived elsewhere; only joining another mailbox keeps it.
note 2
control 'mail/move?id=M2&to=archive&add=1' >/dev/null
control 'mail/keyword?id=M2&set=$flagged' >/dev/null
control 'mail/move?id=M2&to=archive&from=inbox' >/dev/null
expect_next 7 "CloseNotification id=2"
wait_log "closing the notification of an email moved elsewhere"

# Destroyed.
note 3
control 'mail/destroy?id=M3' >/dev/null
expect_next 7 "CloseNotification id=3"
wait_log "closing the notification of an email destroyed elsewhere"

# Dismissed by the user before it was read: not closed again.  The fake
# server's signal goes out before its answer to the next Notify, so the
# daemon knows of it by then.
note 4
notifyd_cmd "closed 4 2"
note 5
control 'mail/keyword?id=M4,M5&set=$seen' >/dev/null
expect_next 7 "CloseNotification id=5"
note 6
control 'mail/destroy?id=M6' >/dev/null
expect_next 7 "CloseNotification id=6"
n=$(grep -c "closing the notification" "$T/daemon.log" || true)
[ "$n" = 5 ] || fail "closed $n notifications, expected 5"
daemon_stop
echo ok
