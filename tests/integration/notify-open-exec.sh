#!/bin/bash
# SPDX-License-Identifier: ISC
# open_exec: a click runs the program without a shell, its words split
# and quoted as for a hook's exec (a $ in them stays literal), once, with
# exactly the email's JMAP_* variables (any JMAP_* of the daemon's own
# environment left out).
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/buslib.sh" || exit 99

ARGS='actions=3:default=Open;open=Open;mark-read=Mark as read hints=category=email.arrived;desktop-entry=jmap-pushd;sound-name=message-new-email;urgency=1 timeout=-1'

mkfifo "$T/open.fifo"
exec 4<>"$T/open.fifo"
server_start
export JP_NOTIFYD_CAPS=body-markup,actions
export JMAP_STRAY=leaked
NOTIFY_EXTRA="open_exec = /bin/sh -c 'printf \"[%s]\\n\" \"\$0\" \"\$@\" >\"$T/argv\"; env | grep \"^JMAP_\" | sort >\"$T/env\"; echo ran >\"$T/open.fifo\"' zero \"two words\" \$JMAP_EMAIL_ID" notify_start
wait_log "notifications: the notification server shows actions"

control 'mail/deliver' >/dev/null
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=Sender 1 <sender1@example.com> body=Message 1 $ARGS"
wait_log "notifications: shown"
notifyd_cmd "invoke 1 default"
read -r -t "$WAIT" _ <&4 || fail "open_exec did not run"
expect_file "$T/argv" '[zero]
[two words]
[$JMAP_EMAIL_ID]'
expect_file "$T/env" 'JMAP_ACCOUNT=test
JMAP_ACCOUNT_ID=u1
JMAP_EMAIL_ID=M1
JMAP_MAILBOX=Inbox
JMAP_MESSAGE_ID=msg1@example.com
JMAP_THREAD_ID=T1'
[ "$(grep -c 'running open_command' "$T/daemon.log")" = 1 ] ||
    fail "open_exec did not run exactly once"
daemon_stop
echo ok
