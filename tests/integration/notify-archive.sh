#!/bin/bash
# SPDX-License-Identifier: ISC
# actions = archive, trash: the notification offers exactly those; each
# sends one Email/set that takes the email out of the mailbox it was
# announced in and into the role's mailbox, and the notification closes
# when the mail view sees it moved; with no archive role left, an error
# notification (escaped, low urgency, no actions) and no Email/set at all.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/buslib.sh" || exit 99

HINTS='hints=category=email.arrived;desktop-entry=jmap-pushd;sound-name=message-new-email;urgency=1 timeout=-1'
ACT='actions=2:archive=Archive;trash=Trash'

sets() {
	grep -c 'mail: Email/set ' "$T/server.log" || true
}

server_start
export JP_NOTIFYD_CAPS=body-markup,actions
NOTIFY_EXTRA='actions = archive, trash, archive' notify_start
wait_log "notifications: the notification server shows actions"

control 'mail/deliver' >/dev/null
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=Sender 1 <sender1@example.com> body=Message 1 $ACT $HINTS"
wait_log "notifications: shown"
notifyd_cmd "invoke 1 mark-read"
notifyd_cmd "invoke 1 archive"
expect_next 7 "CloseNotification id=1"
wait_log "notifications: account test: archive done"
grep -q 'mail: Email/set {"accountId":"u1","update":{"M1":{"mailboxIds/mb-inbox":null,"mailboxIds/mb-archive":true}}}$' "$T/server.log" ||
    fail "Email/set was not the move of M1 to the archive: $(grep 'Email/set' "$T/server.log")"

control 'mail/deliver' >/dev/null
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=Sender 2 <sender2@example.com> body=Message 2 $ACT $HINTS"
wait_log "notifications: shown" 2
notifyd_cmd "invoke 2 trash"
expect_next 7 "CloseNotification id=2"
wait_log "notifications: account test: trash done"
grep -q 'mail: Email/set {"accountId":"u1","update":{"M2":{"mailboxIds/mb-inbox":null,"mailboxIds/mb-trash":true}}}$' "$T/server.log" ||
    fail "Email/set was not the move of M2 to the trash: $(grep 'Email/set' "$T/server.log")"
[ "$(sets)" = 2 ] || fail "$(sets) Email/set sent, expected 2 (mark-read is not offered)"

# No archive role any more (the view learns it with the next round).
control 'mail/mailbox?op=destroy&mailbox=mb-archive' >/dev/null
control 'mail/deliver' >/dev/null
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=Sender 3 <sender3@example.com> body=Message 3 $ACT $HINTS"
wait_log "notifications: shown" 3
notifyd_cmd "invoke 3 archive"
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=dialog-error summary=jmap-pushd: the mail was not changed body=archive failed: no mailbox has the role archive actions=0 hints=category=email;desktop-entry=jmap-pushd;urgency=0 timeout=-1"
wait_log "archive not sent: no mailbox has the role archive"
[ "$(sets)" = 2 ] || fail "$(sets) Email/set sent, expected 2"
daemon_stop
echo ok
