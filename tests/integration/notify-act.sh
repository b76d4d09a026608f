#!/bin/bash
# SPDX-License-Identifier: ISC
# "Mark as read" from a notification: offered only by a notification
# server that shows actions; a click sends exactly one Email/set with
# keywords/$seen for that email alone, over the account's connection, and
# the mail view then sees it read (so the notification closes); an action
# of a closed notification or an unknown key is ignored; a failure
# (notFound) gives one low-urgency error notification without actions
# and is not retried; a hostile subject stays escaped.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/buslib.sh" || exit 99

HINTS='hints=category=email.arrived;desktop-entry=jmap-pushd;sound-name=message-new-email;urgency=1 timeout=-1'
ACT='actions=1:mark-read=Mark as read'

sets() {
	grep -c 'mail: Email/set ' "$T/server.log" || true
}

server_start
export JP_NOTIFYD_CAPS=body-markup,actions
notify_start
wait_log "notifications: the notification server shows actions"
control 'mail/deliver?subject=%3Cb%3Ehi%3C%2Fb%3E' >/dev/null
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=Sender 1 <sender1@example.com> body=&lt;b&gt;hi&lt;/b&gt; $ACT $HINTS"
wait_log "notifications: shown"
# An unknown key and another application's id: nothing sent.
notifyd_cmd "invoke 1 frobnicate"
notifyd_cmd "invoke 99 mark-read"
notifyd_cmd "invoke 1 mark-read"
expect_next 7 "CloseNotification id=1"
wait_log "notifications: account test: mark-read done"
[ "$(sets)" = 1 ] || fail "$(sets) Email/set sent, expected 1"
grep -q 'mail: Email/set {"accountId":"u1","update":{"M1":{"keywords/\$seen":true}}}$' "$T/server.log" ||
    fail "Email/set was not the update of M1's \$seen: $(grep 'Email/set' "$T/server.log")"
# Closed: its action is ignored.
notifyd_cmd "invoke 1 mark-read"

# The email is gone on the server before the click: one error
# notification, no retry.
control 'mail/deliver' >/dev/null
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=Sender 2 <sender2@example.com> body=Message 2 $ACT $HINTS"
wait_log "notifications: shown" 2
control 'fault?name=quiet' >/dev/null
control 'mail/destroy?id=M2' >/dev/null
notifyd_cmd "invoke 2 mark-read"
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=dialog-error summary=jmap-pushd: the mail was not changed body=mark-read failed: notFound actions=0 hints=category=email;desktop-entry=jmap-pushd;urgency=0 timeout=-1"
wait_log "notifications: account test: mark-read failed: notFound"
control 'fault?name=none' >/dev/null
[ "$(sets)" = 2 ] || fail "$(sets) Email/set sent, expected 2"
[ "$(grep -c 'mark-read of a notified email' "$T/daemon.log")" = 2 ] ||
    fail "an action was not ignored"

# Without the actions capability: no action.
probe_stop 7
JP_NOTIFYD_CAPS=body-markup probe_start 7 notifyd
wait_log "notifications: the notification server does not show actions"
control 'mail/deliver' >/dev/null
wait_line 7 "^Notify .*summary=Sender 3 "
[ "$line" = "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=Sender 3 <sender3@example.com> body=Message 3 actions=0 $HINTS" ] ||
    fail "notified as: $line"
daemon_stop
echo ok
