#!/bin/bash
# SPDX-License-Identifier: ISC
# jmap-pushctl test-notify [ACCOUNT]: a sample notification with the
# Notify arguments new mail gets, muted or not; what to do when [notify]
# is off or leaves the account out; an unknown account refused.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/buslib.sh" || exit 99

CTL="$top_builddir/src/jmap-pushctl"
HINTS_ARGS='actions=0 hints=category=email.arrived;desktop-entry=jmap-pushd;sound-name=message-new-email;urgency=1 timeout=-1'

server_start
write_config
bus_start
probe_start 7 notifyd
daemon_start
wait_log 'states unchanged since last seen'

# No [notify]: said, with what to do.
rc=0
"$CTL" -s "$T/sock" test-notify >"$T/out" 2>&1 || rc=$?
[ $rc -eq 1 ] || fail "test-notify without [notify] exited with $rc"
expect_file "$T/out" "jmap-pushctl: notifications are off: add a [notify] section to the configuration and reload"

cat >>"$T/config" <<CONF

[notify]
accounts = other
CONF
add_account other
"$CTL" -s "$T/sock" reload >/dev/null
wait_log "notifications: connected to the D-Bus session bus"
# An account [notify] leaves out.
rc=0
"$CTL" -s "$T/sock" test-notify test >"$T/out" 2>&1 || rc=$?
[ $rc -eq 1 ] || fail "test-notify of an account left out exited with $rc"
expect_file "$T/out" "jmap-pushctl: [notify] accounts = leaves that account out: add it there and reload, or test without an account"
sed -i 's/^accounts = other$/accounts = test other/' "$T/config"
"$CTL" -s "$T/sock" reload >/dev/null
"$CTL" -s "$T/sock" test-notify >"$T/out"
expect_file "$T/out" "test notification sent; if none appears, see the daemon's log"
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=jmap-pushd: test notification body=New mail is shown like this. $HINTS_ARGS"

# Muted: still shown, the user asked for it.
"$CTL" -s "$T/sock" mute >/dev/null
"$CTL" -s "$T/sock" test-notify test >"$T/out"
expect_file "$T/out" "test notification sent; if none appears, see the daemon's log"
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=jmap-pushd: test notification body=New mail of account test is shown like this. $HINTS_ARGS"
wait_log 'notifications: test notification for account test sent'

rc=0
"$CTL" -s "$T/sock" test-notify nope >"$T/out" 2>&1 || rc=$?
[ $rc -eq 1 ] || fail "test-notify nope exited with $rc"
expect_file "$T/out" "jmap-pushctl: unknown account: use one of the names jmap-pushctl status shows"

daemon_stop
echo ok
