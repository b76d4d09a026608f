#!/bin/bash
# SPDX-License-Identifier: ISC
# A summary ("N new messages") offers a click and "Mark as read" only: the
# click runs open_command without an email's variables, mark-read sends one
# Email/set with $seen for every email it summarises; hostile senders stay
# escaped in its body, its summary is plain text.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/buslib.sh" || exit 99

HINTS='hints=category=email.arrived;desktop-entry=jmap-pushd;sound-name=message-new-email;urgency=1 timeout=-1'

mkfifo "$T/open.fifo"
exec 4<>"$T/open.fifo"
server_start
export JP_NOTIFYD_CAPS=body-markup,actions
NOTIFY_EXTRA="open_command = env | grep '^JMAP_' | sort > \"$T/open.env\"; echo \"\${JMAP_EMAIL_ID-none}\" > \"$T/open.fifo\"" notify_start
wait_log "notifications: the notification server shows actions"

control 'mail/deliver?count=4&name=%3Cb%3EEve%26&email=eve@example.com' >/dev/null
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=4 new messages body=From &lt;b&gt;Eve&amp; actions=2:default=Open;mark-read=Mark as read $HINTS"
wait_log "notifications: shown"
notifyd_cmd "invoke 1 archive"
notifyd_cmd "invoke 1 default"
read -r -t "$WAIT" id <&4 || fail "open_command did not run"
[ "$id" = none ] || fail "open_command ran for $id"
printf '%s\n' JMAP_ACCOUNT=test JMAP_ACCOUNT_ID=u1 >"$T/expect.env"
diff -u "$T/expect.env" "$T/open.env" || fail "open_command's environment differs"
notifyd_cmd "invoke 1 mark-read"
wait_log "notifications: account test: mark-read done"
[ "$(grep -c 'mail: Email/set ' "$T/server.log")" = 1 ] ||
    fail "not exactly one Email/set: $(grep 'Email/set' "$T/server.log")"
grep -q 'mail: Email/set {"accountId":"u1","update":{"M1":{"keywords/\$seen":true},"M2":{"keywords/\$seen":true},"M3":{"keywords/\$seen":true},"M4":{"keywords/\$seen":true}}}$' "$T/server.log" ||
    fail "Email/set was not the update of M1 to M4: $(grep 'Email/set' "$T/server.log")"
daemon_stop
echo ok
