#!/bin/bash
# SPDX-License-Identifier: ISC
# jmap-pushctl test-notify with a notification server that shows actions:
# the sample carries the configured actions; its click and "Open" run
# open_command with JMAP_ACCOUNT alone (nothing when no account was
# named); "Mark as read", "Archive" and "Trash" are logged and change no
# mail.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/buslib.sh" || exit 99

CTL="$top_builddir/src/jmap-pushctl"
ACT='actions=5:default=Open;open=Open;mark-read=Mark as read;archive=Archive;trash=Trash'
HINTS='hints=category=email.arrived;desktop-entry=jmap-pushd;sound-name=message-new-email;urgency=1 timeout=-1'

mkfifo "$T/open.fifo"
exec 4<>"$T/open.fifo"
server_start
export JP_NOTIFYD_CAPS=body-markup,actions
export JMAP_STRAY=leaked
NOTIFY_EXTRA="open_command = env | grep '^JMAP_' | sort > \"$T/open.env\"; echo ran > \"$T/open.fifo\"
actions = open, mark-read, archive, trash" notify_start
wait_log "notifications: the notification server shows actions"

"$CTL" -s "$T/sock" test-notify test >"$T/out"
expect_file "$T/out" "test notification sent; if none appears, see the daemon's log"
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=jmap-pushd: test notification body=New mail of account test is shown like this. $ACT $HINTS"
wait_log "notifications: shown"
for a in mark-read archive trash; do
	notifyd_cmd "invoke 1 $a"
	wait_log "notifications: test notification: action '$a' received"
done
notifyd_cmd "invoke 1 default"
read -r -t "$WAIT" _ <&4 || fail "open_command did not run on the click"
expect_file "$T/open.env" "JMAP_ACCOUNT=test"
notifyd_cmd "invoke 1 open"
read -r -t "$WAIT" _ <&4 || fail "open_command did not run on Open"
expect_file "$T/open.env" "JMAP_ACCOUNT=test"

# No account: no JMAP_* variable at all.
"$CTL" -s "$T/sock" test-notify >"$T/out"
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=jmap-pushd: test notification body=New mail is shown like this. $ACT $HINTS"
wait_log "notifications: shown" 2
notifyd_cmd "invoke 2 default"
read -r -t "$WAIT" _ <&4 || fail "open_command did not run"
[ ! -s "$T/open.env" ] || fail "open_command of the sample without account got: $(cat "$T/open.env")"

[ "$(grep -c 'running open_command' "$T/daemon.log")" = 3 ] ||
    fail "open_command did not run exactly once per click"
[ "$(grep -c 'mail: Email/set ' "$T/server.log" || true)" = 0 ] ||
    fail "an action of the sample changed the mail"
[ "$(grep -c "test notification: action" "$T/daemon.log")" = 3 ] ||
    fail "not exactly three actions of the sample logged"
daemon_stop
echo ok
