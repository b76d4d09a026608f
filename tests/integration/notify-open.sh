#!/bin/bash
# SPDX-License-Identifier: ISC
# open_command: with a notification server that shows actions, the
# notification of one email carries default and "Open" (then "Mark as
# read"); a click runs open_command once, like a hook, with exactly the
# email's JMAP_* variables (JMAP_MESSAGE_ID unset when it has none, any
# JMAP_* of the daemon's own environment left out).
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/buslib.sh" || exit 99

ARGS='actions=3:default=Open;open=Open;mark-read=Mark as read hints=category=email.arrived;desktop-entry=jmap-pushd;sound-name=message-new-email;urgency=1 timeout=-1'

mkfifo "$T/open.fifo"
exec 4<>"$T/open.fifo"
server_start
export JP_NOTIFYD_CAPS=body-markup,actions
export JMAP_STRAY=leaked
NOTIFY_EXTRA="open_command = env | grep '^JMAP_' | sort > \"$T/open.\$JMAP_EMAIL_ID.env\"; echo \"\$JMAP_EMAIL_ID\" > \"$T/open.fifo\"" notify_start
wait_log "notifications: the notification server shows actions"

control 'mail/deliver' >/dev/null
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=Sender 1 <sender1@example.com> body=Message 1 $ARGS"
wait_log "notifications: shown"
notifyd_cmd "invoke 1 default"
read -r -t "$WAIT" id <&4 || fail "open_command did not run"
[ "$id" = M1 ] || fail "open_command ran for $id"
printf '%s\n' JMAP_ACCOUNT=test JMAP_ACCOUNT_ID=u1 JMAP_EMAIL_ID=M1 \
    JMAP_MAILBOX=Inbox JMAP_MESSAGE_ID=msg1@example.com JMAP_THREAD_ID=T1 \
    >"$T/expect.env"
diff -u "$T/expect.env" "$T/open.M1.env" || fail "open_command's environment differs"

control 'mail/deliver?messageId=' >/dev/null
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=Sender 2 <sender2@example.com> body=Message 2 $ARGS"
wait_log "notifications: shown" 2
notifyd_cmd "invoke 2 open"
read -r -t "$WAIT" id <&4 || fail "open_command did not run"
[ "$id" = M2 ] || fail "open_command ran for $id"
printf '%s\n' JMAP_ACCOUNT=test JMAP_ACCOUNT_ID=u1 JMAP_EMAIL_ID=M2 \
    JMAP_MAILBOX=Inbox JMAP_THREAD_ID=T2 >"$T/expect.env"
diff -u "$T/expect.env" "$T/open.M2.env" || fail "open_command's environment differs"
[ "$(grep -c 'running open_command' "$T/daemon.log")" = 2 ] ||
    fail "open_command ran more than once per click"
[ "$(grep -c 'mail: Email/set ' "$T/server.log" || true)" = 0 ] ||
    fail "a click changed the mail"
daemon_stop
echo ok
