#!/bin/bash
# SPDX-License-Identifier: ISC
# The D-Bus service on a private session bus: exact StateChanged and
# ConnectionChanged signals, GetStatus, Reconnect, introspection, the
# Accounts property; a killed dbus-daemon stops neither pushes nor hooks,
# and a new bus at the same address is joined again.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/buslib.sh" || exit 99

server_start
bus_start
probe_start 6 watch
write_config
config_daemon "dbus = session"
daemon_start
wait_log "D-Bus: owning org.jmappushd.Pushd1"
wait_line 6 '^ConnectionChanged account=test status=connected error=$'

control 'deliver?account=u1' >/dev/null
expect_next 6 "StateChanged account=test accountId=u1 changed=Email:e1,EmailDelivery:d1,Mailbox:m1,Thread:t1 pushState=p1 reason=push"
wait_hook 1

# shellcheck disable=SC2086
out=$(bctl call $BUS_OBJ GetStatus)
printf '%s\n' "$out" | grep -Eq '^a\(sssx\) 1 "test" "connected" "websocket" [1-9][0-9]+$' ||
    fail "GetStatus answered: $out"
# shellcheck disable=SC2086
[ "$(bctl get-property $BUS_OBJ Accounts)" = 'as 1 "test"' ] ||
    fail "Accounts is $(bctl get-property $BUS_OBJ Accounts)"
bctl introspect org.jmappushd.Pushd1 /org/jmappushd/Pushd1 \
    org.jmappushd.Pushd1 | awk '{ print $1, $2, $3, $4 }' >"$T/introspect"
expect_file "$T/introspect" 'NAME TYPE SIGNATURE RESULT/VALUE
.GetMailboxes method s a(ssssuu)
.GetStatus method - a(sssx)
.Mute method t -
.Reconnect method s -
.Reload method - -
.Unmute method - -
.Accounts property as 1
.Muted property b false
.MutedUntil property t 0
.Unread property u 0
.ConnectionChanged signal sss -
.MailboxesChanged signal ssa(sssuu) -
.NewMail signal ssa(ssssssx) -
.StateChanged signal ssa{ss}ss -'

# Reconnect: the account goes through connecting to connected again.
# shellcheck disable=SC2086
bctl call $BUS_OBJ Reconnect s test
wait_line 6 '^ConnectionChanged account=test status=connecting error='
wait_line 6 '^ConnectionChanged account=test status=connected error=$'
wait_server handshakes=2
# shellcheck disable=SC2086
if bctl call $BUS_OBJ Reconnect s nope 2>"$T/err"; then
	fail "Reconnect of an unknown account succeeded"
fi
grep -q "no account named 'nope'" "$T/err" || fail "Reconnect error: $(cat "$T/err")"

# The bus dies: pushes and hooks go on.
probe_stop 6
bus_kill
wait_log "lost the D-Bus session bus"
control 'deliver?account=u1' >/dev/null
wait_hook 2

# A new bus at the same address is joined again.
bus_start
probe_start 6 watch
wait_log "D-Bus: owning org.jmappushd.Pushd1" 2
control 'deliver?account=u1' >/dev/null
expect_next 6 "StateChanged account=test accountId=u1 changed=Email:e3,EmailDelivery:d3,Mailbox:m3,Thread:t3 pushState=p3 reason=push"
wait_hook 3
# shellcheck disable=SC2086
bctl call $BUS_OBJ GetStatus | grep -q '"test" "connected"' ||
    fail "GetStatus after the bus came back"

# Reload (over D-Bus) with a second account: Accounts changes.
cat >>"$T/config" <<CONF

[account second]
url = $BASE/.well-known/jmap
username = alice@example.com
password_file = $T/password
CONF
# shellcheck disable=SC2086
bctl call $BUS_OBJ Reload
wait_line 6 '^PropertiesChanged org.jmappushd.Pushd1 Accounts=test,second$'
# shellcheck disable=SC2086
[ "$(bctl get-property $BUS_OBJ Accounts)" = 'as 2 "test" "second"' ] ||
    fail "Accounts after reload: $(bctl get-property $BUS_OBJ Accounts)"

daemon_stop
echo ok
