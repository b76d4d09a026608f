#!/bin/bash
# SPDX-License-Identifier: ISC
# Followed notifications survive a restart of the daemon (kept in the
# account's state file): mail read while the daemon was down, or after its
# restart (and a reload), still closes its notification, as long as the
# same notification server runs.  Another notification server (a new
# owner of org.freedesktop.Notifications, while the daemon runs or while
# it is down) makes them forgotten: their ids mean nothing to it.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/buslib.sh" || exit 99

ARGS='actions=0 hints=category=email.arrived;desktop-entry=jmap-pushd;sound-name=message-new-email;urgency=1 timeout=-1'

# note N ID: the next notification is mail M<N>, shown with id ID.
note() {
	control 'mail/deliver' >/dev/null
	expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=Sender $1 <sender$1@example.com> body=Message $1 $ARGS"
	wait_log "notifications: shown" "$2"
}

server_start
notify_start
note 1 1
note 2 2
daemon_stop
grep -q '"notify":\[{"id":1,"accountId":"u1","emailId":"M1","mailboxId":"' "$T/state/test.state" ||
    fail "the state file lacks the followed notifications: $(cat "$T/state/test.state")"

# Read while the daemon was down: closed after its start.
control 'mail/keyword?id=M1&set=$seen' >/dev/null
daemon_start
expect_next 7 "CloseNotification id=1"
# Read after the restart and a reload.
kill -HUP "$DAEMON_PID"
wait_log 'configuration reloaded'
control 'mail/keyword?id=M2&set=$seen' >/dev/null
expect_next 7 "CloseNotification id=2"
[ "$(grep -c 'closing the notification' "$T/daemon.log")" = 2 ] ||
    fail "not exactly two notifications closed"

# Another notification server while the daemon runs: M3's notification
# is forgotten; read, it is not closed (the new server's next line is the
# Notify of M4).
note 3 3
probe_stop 7
probe_start 7 notifyd
wait_log "notifications: 1 notification(s) forgotten: another notification server runs now"
control 'mail/keyword?id=M3&set=$seen' >/dev/null
note 4 4
[ "$(grep -c 'closing the notification' "$T/daemon.log")" = 2 ] ||
    fail "a notification of another server was closed"

# Another notification server while the daemon is down: the same.
daemon_stop
probe_stop 7
probe_start 7 notifyd
control 'mail/keyword?id=M4&set=$seen' >/dev/null
daemon_start
wait_log "notifications: 1 notification(s) forgotten: another notification server runs now" 2
note 5 5
[ "$(grep -c 'closing the notification' "$T/daemon.log")" = 2 ] ||
    fail "a notification of another server was closed"
daemon_stop
echo ok
