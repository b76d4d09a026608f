#!/bin/bash
# SPDX-License-Identifier: ISC
# [notify] through the mail view across restarts (issue 14): a first start
# announces none of the mail already there; mail delivered while the daemon
# was stopped is announced after the restart (only new mail in the inbox,
# max_per_burst applies); a restart on a server that lost its Email history
# announces nothing and says so in the log.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/buslib.sh" || exit 99

ARGS='actions=0 hints=category=email.arrived;desktop-entry=jmap-pushd;sound-name=message-new-email;urgency=1 timeout=-1'

# note N: the next notification is mail M<N> with its default sender and
# subject.
note() {
	expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=Sender $1 <sender$1@example.com> body=Message $1 $ARGS"
}

server_start
# M1, there before the first start: the first round only learns the states.
control 'mail/deliver' >/dev/null
notify_start
expect_log 'notifications: account test: accountId u1 at Email state e1: 0 new'
control 'mail/deliver' >/dev/null
note 2

# While stopped: M3 new in the inbox, M4 in the archive, M5 a draft, M6
# read.  Only M3 is announced after the start.
daemon_stop
control 'mail/deliver' >/dev/null
control 'mail/deliver?mailbox=archive' >/dev/null
control 'mail/draft' >/dev/null
control 'mail/deliver?keywords=$seen' >/dev/null
daemon_start
note 3
wait_log 'notifications: account test: 1 new message(s)' 2

# More than max_per_burst (3) while stopped: one summary.
daemon_stop
control 'mail/deliver?count=4' >/dev/null
daemon_start
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=4 new messages body=From Sender 10, Sender 9, Sender 8 and 1 other $ARGS"

# The server lost its history while the daemon was stopped: M11 is not
# announced (nothing tells it from older mail), the log says why, and
# mail after it is announced again.
daemon_stop
control 'mail/deliver' >/dev/null
control 'mail/forget?what=email' >/dev/null
daemon_start
wait_log 'the server cannot tell what changed since the saved state'
wait_log 'notifications: account test: accountId u1 at Email state e9:'
control 'mail/deliver' >/dev/null
note 12
daemon_stop
echo ok
