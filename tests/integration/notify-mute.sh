#!/bin/bash
# SPDX-License-Identifier: ISC
# Mute: jmap-pushctl mute/unmute, the socket's mute/unmute, D-Bus
# Mute/Unmute, Muted and MutedUntil, watch --waybar's class and
# --i3blocks's text.  Muted, no Notify call while hooks go on; the mail
# that came meanwhile is never announced, not after the unmute either; the
# mute survives a reload, ends after its duration, and a restart ends it.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/buslib.sh" || exit 99

CTL="$top_builddir/src/jmap-pushctl"
HINTS_ARGS='actions=0 hints=category=email.arrived;desktop-entry=jmap-pushd;sound-name=message-new-email;urgency=1 timeout=-1'
untime() { sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/TIME/g' "$@"; }
muted_json() {
	"$CTL" -s "$T/sock" status --json | sed -E 's/.*"muted"/"muted"/'
}
notify_of() {
	echo "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=Sender $1 <sender$1@example.com> body=Message $1 $HINTS_ARGS"
}

# A bad duration is refused before anything is sent.
rc=0
"$CTL" -s "$T/nosock" mute 1x >"$T/out" 2>&1 || rc=$?
[ $rc -eq 2 ] || fail "mute 1x exited with $rc"
expect_file "$T/out" "jmap-pushctl: invalid duration '1x': use e.g. 90s, 30m, 1h or 2d, or nothing for until unmute"

server_start
write_config
cat >>"$T/config" <<CONF

[notify]
CONF
config_daemon "dbus = session"
bus_start
probe_start 7 notifyd
probe_start 6 watch
daemon_start
wait_log "notifications: connected to the D-Bus session bus"
wait_log 'notifications: account test: accountId u1 at Email state e0:'

control 'deliver' >/dev/null
expect_next 7 "$(notify_of 1)"
wait_hook 1
[ "$(muted_json)" = '"muted":false,"mutedUntil":null}' ] ||
    fail "status before mute: $(muted_json)"
[ "$(bctl get-property $BUS_OBJ Muted)" = 'b false' ] ||
    fail "Muted before mute: $(bctl get-property $BUS_OBJ Muted)"
[ "$(bctl get-property $BUS_OBJ MutedUntil)" = 't 0' ] ||
    fail "MutedUntil before mute: $(bctl get-property $BUS_OBJ MutedUntil)"
mkfifo "$T/bar.fifo" "$T/i3.fifo"
"$CTL" -s "$T/sock" watch --waybar >"$T/bar.fifo" &
BAR_PID=$!
exec 8<"$T/bar.fifo"
expect_next 8 '{"text":"1","tooltip":"test Inbox: 1 unread, 1 total","class":"unread","alt":"unread"}'
"$CTL" -s "$T/sock" watch --i3blocks >"$T/i3.fifo" &
I3_PID=$!
exec 9<"$T/i3.fifo"
expect_next 9 '1'

# Until unmuted: the hook runs, no notification.
"$CTL" -s "$T/sock" mute >"$T/out"
expect_file "$T/out" "notifications muted until unmuted"
wait_line 6 '^PropertiesChanged org.jmappushd.Pushd1 Muted=true MutedUntil=0$'
expect_next 8 '{"text":"1","tooltip":"test Inbox: 1 unread, 1 total","class":"muted","alt":"muted"}'
expect_next 9 '1 (muted)'
[ "$(bctl get-property $BUS_OBJ MutedUntil)" = 't 0' ] ||
    fail "MutedUntil muted until unmuted: $(bctl get-property $BUS_OBJ MutedUntil)"
[ "$(muted_json)" = '"muted":true,"mutedUntil":null}' ] ||
    fail "status after mute: $(muted_json)"
"$CTL" -s "$T/sock" status | untime >"$T/out"
expect_file "$T/out" 'ACCOUNT          STATUS       TRANSPORT  SINCE                LAST PUSH            ERROR
test             connected    websocket  TIME TIME
notifications muted until unmuted'
[ "$(bctl get-property $BUS_OBJ Muted)" = 'b true' ] ||
    fail "Muted after mute: $(bctl get-property $BUS_OBJ Muted)"
control 'deliver' >/dev/null
wait_hook 2
wait_log 'notifications: account test: 1 new message(s), not announced: muted'

# A reload keeps the mute.
"$CTL" -s "$T/sock" reload >/dev/null
[ "$(muted_json)" = '"muted":true,"mutedUntil":null}' ] ||
    fail "status after reload: $(muted_json)"
control 'deliver' >/dev/null
wait_hook 3
wait_log 'not announced: muted' 2

# Unmute over D-Bus: mail 2 and 3 stay unannounced, mail 4 is.
bctl call $BUS_OBJ Unmute
wait_line 6 '^PropertiesChanged org.jmappushd.Pushd1 Muted=false MutedUntil=0$'
wait_line 8 '^{"text":"3",.*"class":"unread","alt":"unread"}$'
wait_line 9 '^3$'
kill "$BAR_PID" "$I3_PID"
wait "$BAR_PID" "$I3_PID" 2>/dev/null || true
exec 8<&- 9<&-
[ "$(muted_json)" = '"muted":false,"mutedUntil":null}' ] ||
    fail "status after unmute: $(muted_json)"
control 'deliver' >/dev/null
expect_next 7 "$(notify_of 4)"
wait_hook 4
# Not muted: not an error.
"$CTL" -s "$T/sock" unmute >"$T/out"
expect_file "$T/out" "notifications unmuted"

# Mute(3600) over D-Bus: until then, in status.
before=$(date +%s)
bctl call $BUS_OBJ Mute t 3600
after=$(date +%s)
until=$(muted_json | sed -nE 's/^"muted":true,"mutedUntil":([0-9]+)\}$/\1/p')
[ -n "$until" ] && [ "$until" -ge $((before + 3600)) ] &&
    [ "$until" -le $((after + 3600)) ] ||
    fail "status after Mute(3600): $(muted_json)"
wait_line 6 "^PropertiesChanged org.jmappushd.Pushd1 Muted=true MutedUntil=$until\$"
[ "$(bctl get-property $BUS_OBJ MutedUntil)" = "t $until" ] ||
    fail "MutedUntil after Mute(3600): $(bctl get-property $BUS_OBJ MutedUntil), expected $until"
"$CTL" -s "$T/sock" status | tail -n 1 | untime >"$T/out"
expect_file "$T/out" 'notifications muted until TIME'
# A new mute replaces it (MutedUntil announced anew): one second, then
# notifications again.
"$CTL" -s "$T/sock" mute 1s >"$T/out"
expect_file "$T/out" "notifications muted for 1s"
wait_line 6 '^PropertiesChanged org.jmappushd.Pushd1 Muted=true MutedUntil=[0-9]*$'
[ "${line##*=}" -lt "$until" ] || fail "MutedUntil not replaced: $line"
wait_log 'notifications: mute ended'
wait_line 6 '^PropertiesChanged org.jmappushd.Pushd1 Muted=false MutedUntil=0$'
[ "$(muted_json)" = '"muted":false,"mutedUntil":null}' ] ||
    fail "status after the mute ended: $(muted_json)"
control 'deliver' >/dev/null
expect_next 7 "$(notify_of 5)"
wait_hook 5

# A restart ends a mute.
"$CTL" -s "$T/sock" mute 2h >/dev/null
[ "$(muted_json | cut -c1-13)" = '"muted":true,' ] ||
    fail "status after mute 2h: $(muted_json)"
daemon_stop
daemon_start
wait_log 'notifications: connected to the D-Bus session bus'
[ "$(muted_json)" = '"muted":false,"mutedUntil":null}' ] ||
    fail "status after a restart: $(muted_json)"

daemon_stop
echo ok
