#!/bin/bash
# SPDX-License-Identifier: ISC
# [notify] with accounts = makes only the accounts it names fetch mail:
# the other account's mail view is never wanted and never asks, and its
# changes announce nothing, while the named account's mail is announced.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/buslib.sh" || exit 99

ARGS='actions=0 hints=category=email.arrived;desktop-entry=jmap-pushd;sound-name=message-new-email;urgency=1 timeout=-1'

server_start
cat >"$T/config" <<CONF
[daemon]
state_dir = $T/state
socket = $T/sock

[account test]
url = $BASE/.well-known/jmap
username = alice@example.com
password_file = $T/password

[account other]
url = $BASE/.well-known/jmap
username = alice@example.com
password_file = $T/password

[notify]
accounts = test
CONF
printf 'secret\n' >"$T/password"
chmod 600 "$T/password"
bus_start
probe_start 7 notifyd
daemon_start
wait_connected 2
wait_log 'notifications: account test: accountId u1 at Email state'
control 'mail/deliver' >/dev/null
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=Sender 1 <sender1@example.com> body=Message 1 $ARGS"
wait_log 'account other: change in u1'
control 'mail/deliver' >/dev/null
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=Sender 2 <sender2@example.com> body=Message 2 $ARGS"
wait_log 'account other: change in u1' 2
daemon_stop
expect_log 'account test: the mail view is wanted'
! grep 'account other: .*mail view' "$T/daemon.log" ||
    fail "account other used the mail view"
n=$(grep -c 'notifications: account other' "$T/daemon.log" || true)
[ "$n" = 0 ] || fail "$n notification lines for account other"
echo ok
