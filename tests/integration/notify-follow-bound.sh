#!/bin/bash
# SPDX-License-Identifier: ISC
# The notifications followed are bounded: of 130 on screen, the state
# file keeps the last 128 (the oldest two are forgotten: they stay until
# they expire), and after a restart those 128 are still closed when their
# mail is read, the two forgotten ones not.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/buslib.sh" || exit 99

ARGS='actions=0 hints=category=email.arrived;desktop-entry=jmap-pushd;sound-name=message-new-email;urgency=1 timeout=-1'

server_start
notify_start
for i in $(seq 1 130); do
	control 'mail/deliver' >/dev/null
	expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=Sender $i <sender$i@example.com> body=Message $i $ARGS"
done
wait_log "notifications: shown" 130
daemon_stop
grep -o '"emailId":"M[0-9]*"' "$T/state/test.state" >"$T/kept"
[ "$(wc -l <"$T/kept")" = 128 ] && [ "$(head -n 1 "$T/kept")" = '"emailId":"M3"' ] &&
    [ "$(tail -n 1 "$T/kept")" = '"emailId":"M130"' ] ||
    fail "the state file keeps $(wc -l <"$T/kept") notifications, $(head -n 1 "$T/kept") to $(tail -n 1 "$T/kept")"

daemon_start
wait_log 'notifications: account test: 128 notification(s) followed from before'
control 'mail/keyword?id=M1,M2,M3&set=$seen' >/dev/null
expect_next 7 "CloseNotification id=3"
control 'mail/keyword?id=M130&set=$seen' >/dev/null
expect_next 7 "CloseNotification id=130"
[ "$(grep -c 'closing the notification' "$T/daemon.log")" = 2 ] ||
    fail "not exactly the notifications of M3 and M130 closed"
daemon_stop
echo ok
