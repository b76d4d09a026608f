#!/bin/bash
# SPDX-License-Identifier: ISC
# An action the server does not answer (over EventSource the Email/set is
# a POST, which the holdapi fault holds, though the change is made): the
# error notification comes
# within 8 s of the click, at low urgency, and the action is not retried.
export JP_TRANSPORT=eventsource
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/buslib.sh" || exit 99

server_start
export JP_NOTIFYD_CAPS=body-markup,actions
notify_start
wait_log "notifications: the notification server shows actions"
control 'mail/deliver' >/dev/null
wait_line 7 "^Notify .*summary=Sender 1 .*actions=1:mark-read=Mark as read "
wait_log "notifications: shown"
control 'fault?name=holdapi&count=1' >/dev/null
notifyd_cmd "invoke 1 mark-read"
control "wait?apiHeld=1&timeout=$((WAIT * 1000))" >/dev/null
start=$(date +%s)
# The held answer was computed at once: the mail view sees the email read
# and closes its notification first.
expect_next 7 "CloseNotification id=1"
read -r -t 10 line <&7 || fail "no error notification within 10 s"
end=$(date +%s)
case $line in
"Notify app=jmap-pushd replaces=0 icon=dialog-error summary=jmap-pushd: the mail was not changed body=mark-read failed: "*" actions=0 hints=category=email;desktop-entry=jmap-pushd;urgency=0 timeout=-1") ;;
*) fail "not the error notification: $line" ;;
esac
[ $((end - start)) -le 8 ] || fail "the error notification took $((end - start)) s"
control 'release' >/dev/null
wait_log "notifications: account test: mark-read failed"
[ "$(grep -c 'mail: Email/set ' "$T/server.log")" = 1 ] ||
    fail "the action was retried"
daemon_stop
echo ok
