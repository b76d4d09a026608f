#!/bin/bash
# SPDX-License-Identifier: ISC
# A summary ("N new messages") follows every email it counts: it stays
# while some of them are unread in the mailbox they were announced in,
# and is closed (CloseNotification) once all of them are read, moved out
# or destroyed elsewhere.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/buslib.sh" || exit 99

ARGS='actions=0 hints=category=email.arrived;desktop-entry=jmap-pushd;sound-name=message-new-email;urgency=1 timeout=-1'

server_start
notify_start
control 'mail/deliver?count=4' >/dev/null
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=4 new messages body=From Sender 4, Sender 3, Sender 2 and 1 other $ARGS"
wait_log "notifications: shown"

# Three of the four gone, one way each: the summary stays (the next line
# of the notification server is the Notify of M5).
control 'mail/keyword?id=M1&set=$seen' >/dev/null
wait_log "an email of notification 1 read elsewhere"
control 'mail/move?id=M2&to=archive&from=inbox' >/dev/null
wait_log "an email of notification 1 moved elsewhere"
control 'mail/destroy?id=M3' >/dev/null
wait_log "an email of notification 1 destroyed elsewhere"
control 'mail/deliver' >/dev/null
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=Sender 5 <sender5@example.com> body=Message 5 $ARGS"
wait_log "notifications: shown" 2

# The last one read: closed.
control 'mail/keyword?id=M4&set=$seen' >/dev/null
expect_next 7 "CloseNotification id=1"
wait_log "notifications: account test: closing the notification of a summary: all its emails read, moved or destroyed elsewhere"
daemon_stop
echo ok
