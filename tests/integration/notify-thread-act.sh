#!/bin/bash
# SPDX-License-Identifier: ISC
# "Mark as read" on a thread's notification that replaced another marks
# every email it stands for, in one Email/set, so that it closes;
# "Archive" moves the newest alone, and the notification stays for the
# others.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/buslib.sh" || exit 99

HINTS='hints=category=email.arrived;desktop-entry=jmap-pushd;sound-name=message-new-email;urgency=1 timeout=-1'
ACT='actions=2:mark-read=Mark as read;archive=Archive'

server_start
export JP_NOTIFYD_CAPS=body-markup,actions
NOTIFY_EXTRA='actions = mark-read, archive' notify_start
wait_log "notifications: the notification server shows actions"
control 'mail/deliver' >/dev/null
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=Sender 1 <sender1@example.com> body=Message 1 $ACT $HINTS"
wait_log "notifications: shown"
control 'mail/deliver?thread=M1' >/dev/null
expect_next 7 "Notify app=jmap-pushd replaces=1 icon=mail-unread summary=Sender 2 (2) body=Message 2 $ACT $HINTS"
wait_log "notifications: shown" 2
notifyd_cmd "invoke 1 mark-read"
expect_next 7 "CloseNotification id=1"
wait_log "notifications: account test: mark-read done"
grep 'mail: Email/set ' "$T/server.log" >"$T/sets"
[ "$(wc -l <"$T/sets")" = 1 ] || fail "not one Email/set: $(cat "$T/sets")"
grep -q 'mail: Email/set {"accountId":"u1","update":{"M2":{"keywords/\$seen":true},"M1":{"keywords/\$seen":true}}}$' "$T/sets" ||
    fail "mark-read was not one Email/set of M1 and M2: $(cat "$T/sets")"

# Archive: the newest only; the notification stays for M3.
control 'mail/deliver' >/dev/null
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=Sender 3 <sender3@example.com> body=Message 3 $ACT $HINTS"
wait_log "notifications: shown" 3
control 'mail/deliver?thread=M3' >/dev/null
expect_next 7 "Notify app=jmap-pushd replaces=2 icon=mail-unread summary=Sender 4 (2) body=Message 4 $ACT $HINTS"
wait_log "notifications: shown" 4
notifyd_cmd "invoke 2 archive"
wait_log "notifications: account test: archive done"
wait_log "an email of notification 2 moved elsewhere"
grep -q 'mail: Email/set {"accountId":"u1","update":{"M4":{"mailboxIds/mb-inbox":null,"mailboxIds/mb-archive":true}}}$' "$T/server.log" ||
    fail "archive was not the move of M4 alone: $(grep 'Email/set' "$T/server.log")"
control 'mail/keyword?id=M3&set=$seen' >/dev/null
expect_next 7 "CloseNotification id=2"
daemon_stop
echo ok
