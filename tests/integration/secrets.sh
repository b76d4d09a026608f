#!/bin/bash
# SPDX-License-Identifier: ISC
# A known password (password_command) and a known token (token_file) at
# debug level: neither, nor the Basic header's base64, shows in the log, a
# hook's environment or argv, the socket's status replies, the D-Bus
# replies or the state files.  A secret file readable by others is refused
# with the chmod to run.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/buslib.sh" || exit 99

CTL="$top_builddir/src/jmap-pushctl"
CLIENT="$top_builddir/tests/integration/sockclient"
PW="pw-Kq7Vz3sTr8"
TOKEN="tok-Jm4Xc9Lw2Pa"
B64=$(printf 'alice@example.com:%s' "$PW" | base64 -w0)

server_start --password "$PW" --token "$TOKEN"
bus_start
# The password comes from a command, so that the config holds no secret
# either; the hook stops until the test has looked at it.
printf '%s\n' "$PW" >"$T/pw.src"
printf '%s\n' "$TOKEN" >"$T/token"
chmod 600 "$T/token"
mkfifo "$T/hookpid.fifo" "$T/release.fifo"
exec 4<>"$T/hookpid.fifo"
cat >"$T/config" <<CONF
[daemon]
state_dir = $T/state
socket = $T/sock
dbus = session

[account pw]
url = $BASE/.well-known/jmap
username = alice@example.com
password_command = cat "$T/pw.src"

[account tok]
url = $BASE/.well-known/jmap
token_file = $T/token

[hook hold]
debounce = 0
account = pw
command = echo \$\$ > "$T/hookpid.fifo"; read -r _ < "$T/release.fifo"
CONF
"$DAEMON" -c "$T/config" -v 2>>"$T/daemon.log" &
DAEMON_PID=$!
wait_server pushEnabled=2
wait_log 'D-Bus: owning org.jmappushd.Pushd1'
wait_log 'states unchanged since last seen' 2

# A hook run, looked at while it waits.
control 'deliver?account=u1' >/dev/null
read -r -t "$WAIT" hookpid <&4 || fail "the hook did not start"
cat "/proc/$hookpid/environ" >"$T/hook.environ"
cat "/proc/$hookpid/cmdline" >"$T/hook.cmdline"
grep -qa 'JMAP_HOOK=hold' "$T/hook.environ" || fail "not the hook's environment"
echo go >"$T/release.fifo"
wait_log 'hook hold: exited with status 0'

# Every place a secret could leak to.
"$CTL" -s "$T/sock" status >"$T/ctl.status"
"$CTL" -s "$T/sock" status --json >"$T/ctl.json"
echo '{"cmd":"status"}' | "$CLIENT" -n 1 "$T/sock" >"$T/raw.status"
grep -q '"account":"tok","status":"connected"' "$T/raw.status" ||
    fail "the token account is not connected: $(cat "$T/raw.status")"
# shellcheck disable=SC2086
{
	bctl call $BUS_OBJ GetStatus
	bctl get-property $BUS_OBJ Accounts
	bctl introspect org.jmappushd.Pushd1 /org/jmappushd/Pushd1
} >"$T/dbus.replies" || fail "a D-Bus call failed"
daemon_stop
[ -n "$(ls "$T/state")" ] || fail "no state files"

for s in "$PW" "$TOKEN" "$B64"; do
	for f in "$T/daemon.log" "$T/hook.environ" "$T/hook.cmdline" \
	    "$T/ctl.status" "$T/ctl.json" "$T/raw.status" "$T/dbus.replies"; do
		! grep -qaF -- "$s" "$f" || fail "$f holds the secret $s"
	done
	! grep -rqaF -- "$s" "$T/state" || fail "a state file holds the secret $s"
done
! grep -qi 'authorization:' "$T/daemon.log" ||
    fail "the log shows an Authorization header"

# A token file others may read is refused, naming the file and the fix.
chmod 640 "$T/token"
: >"$T/daemon.log"
"$DAEMON" -c "$T/config" -v 2>>"$T/daemon.log" &
DAEMON_PID=$!
wait_log "account tok: cannot get the credentials: $T/token is readable by group or others; run chmod 600 $T/token"
"$CTL" -s "$T/sock" status --json >"$T/ctl.json"
grep -qF "run chmod 600 $T/token" "$T/ctl.json" ||
    fail "status does not say what to do: $(cat "$T/ctl.json")"
daemon_stop
! grep -qaF -- "$TOKEN" "$T/daemon.log" || fail "the refused token was logged"
echo ok
