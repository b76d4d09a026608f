#!/bin/bash
# SPDX-License-Identifier: ISC
# New mail in a thread whose notification is open replaces it (replaces_id,
# summary "NAME (N)" in plain text, body the newest subject, escaped)
# instead of stacking; once the notification is closed, the next mail of
# the thread gets a new one; the replaced notification follows every
# email it stands for (closed once all of them are read, moved out or
# destroyed elsewhere); other threads never replace.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/buslib.sh" || exit 99

ARGS='actions=0 hints=category=email.arrived;desktop-entry=jmap-pushd;sound-name=message-new-email;urgency=1 timeout=-1'

server_start
notify_start
control 'mail/deliver?name=Alice&email=alice@example.com&subject=Lunch' >/dev/null
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=Alice <alice@example.com> body=Lunch $ARGS"
wait_log "notifications: shown"
control 'mail/deliver?thread=M1' >/dev/null
expect_next 7 "Notify app=jmap-pushd replaces=1 icon=mail-unread summary=Sender 2 (2) body=Message 2 $ARGS"
wait_log "notifications: shown" 2
control 'mail/deliver?thread=M1&name=%3Cb%3EEve%26&email=eve@example.com&subject=Re%3A%20%3Ci%3ELunch%3C%2Fi%3E%20%26' >/dev/null
expect_next 7 "Notify app=jmap-pushd replaces=1 icon=mail-unread summary=<b>Eve& (3) body=Re: &lt;i&gt;Lunch&lt;/i&gt; &amp; $ARGS"
wait_log "notifications: shown" 3

# Another thread: its own notification.
control 'mail/deliver' >/dev/null
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=Sender 4 <sender4@example.com> body=Message 4 $ARGS"
wait_log "notifications: shown" 4

# Dismissed: the thread's next mail is a new notification (id 3), and it
# follows that mail.
notifyd_cmd "closed 1 2"
control 'mail/deliver?thread=M1' >/dev/null
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=Sender 5 <sender5@example.com> body=Message 5 $ARGS"
wait_log "notifications: shown" 5
control 'mail/deliver?thread=M1' >/dev/null
expect_next 7 "Notify app=jmap-pushd replaces=3 icon=mail-unread summary=Sender 6 (2) body=Message 6 $ARGS"
wait_log "notifications: shown" 6
# It stands for M5 and M6: read M6 alone and it stays (the next line of
# the notification server is the Notify of M7), read M5 as well and it
# closes.
control 'mail/keyword?id=M6&set=$seen' >/dev/null
wait_log "an email of notification 3 read elsewhere"
control 'mail/deliver' >/dev/null
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=Sender 7 <sender7@example.com> body=Message 7 $ARGS"
control 'mail/move?id=M5&to=archive&from=inbox' >/dev/null
expect_next 7 "CloseNotification id=3"
wait_log "notifications: account test: closing the notification of a thread: all its emails read, moved or destroyed elsewhere"
daemon_stop
echo ok
