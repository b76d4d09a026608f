#!/bin/bash
# SPDX-License-Identifier: ISC
# The system bus policy (dbus/org.jmappushd.Pushd1.conf): a private bus
# configured like Debian's system bus (deny by default) includes the built
# policy; the daemon (root, dbus = system) owns the name there.  Root's
# method call works, nobody's is refused by the bus.  Then the same policy
# with the group set to nogroup: its member nobody may call GetStatus and
# Reconnect and receives the signals, which the daemon user (not a member)
# does not.  Root runs it; it needs setpriv.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/buslib.sh" || exit 99

need_other_users

POLICY="$top_builddir/dbus/org.jmappushd.Pushd1.conf"
[ -r "$POLICY" ] || fail "no built policy $POLICY"
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$T/sysbus"
# jp-busprobe connects to the "session" bus: here, the system one.
export DBUS_SESSION_BUS_ADDRESS="$DBUS_SYSTEM_BUS_ADDRESS"
# Other users must reach the bus and the probe, which the build tree
# (under /root, say) may not let them.
chmod 755 "$T"
cp "$PROBE" "$T/"
PROBE="$T/jp-busprobe"

# bus_config POLICY: the system bus's rules as Debian's system.conf has
# them, with POLICY included the way system.d files are.
bus_config() {
	cat >"$T/sysbus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>$DBUS_SYSTEM_BUS_ADDRESS</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Properties"/>
  </policy>
  <include>$1</include>
</busconfig>
CONF
}

as() {
	u=$1 g=$2
	shift 2
	setpriv --reuid="$u" --regid="$g" --clear-groups -- "$@"
}

# call_as USER GROUP METHOD [SIG ARGS]: a method call; its output (or
# error) in $T/call.out.
call_as() {
	u=$1 g=$2 m=$3
	shift 3
	rc=0
	# shellcheck disable=SC2086
	as "$u" "$g" busctl --address="$DBUS_SYSTEM_BUS_ADDRESS" call $BUS_OBJ "$m" "$@" \
	    >"$T/call.out" 2>&1 || rc=$?
	return $rc
}

# denied_as USER GROUP METHOD [ARG] PATTERN: the call fails with
# AccessDenied, its message matching PATTERN (dbus-send shows both).
denied_as() {
	u=$1 g=$2 m=$3
	shift 3
	pat=${*: -1}
	set -- "${@:1:$#-1}"
	if as "$u" "$g" dbus-send --bus="$DBUS_SYSTEM_BUS_ADDRESS" --print-reply \
	    --dest=org.jmappushd.Pushd1 /org/jmappushd/Pushd1 \
	    "org.jmappushd.Pushd1.$m" "$@" >"$T/call.out" 2>&1; then
		fail "$m as $u answered: $(cat "$T/call.out")"
	fi
	grep -q "^Error org.freedesktop.DBus.Error.AccessDenied: $pat" "$T/call.out" ||
	    fail "$m as $u: $(cat "$T/call.out")"
}

# probe_as FD USER GROUP: jp-busprobe watch as USER on fd FD.
probe_as() {
	rm -f "$T/probe$1.fifo"
	mkfifo "$T/probe$1.fifo"
	as "$2" "$3" "$PROBE" watch >"$T/probe$1.fifo" 2>>"$T/probe.log" &
	PROBES="$PROBES $!"
	eval "exec $1<\"\$T/probe$1.fifo\""
	expect_next "$1" ready
}

bus_config "$POLICY"
mkfifo "$T/busaddr.fifo"
dbus-daemon --config-file="$T/sysbus.conf" --nofork --print-address=1 \
    >"$T/busaddr.fifo" 2>>"$T/bus.log" &
BUS_PID=$!
exec 5<"$T/busaddr.fifo"
read -r -t "$WAIT" _ <&5 || fail "dbus-daemon did not start: $(cat "$T/bus.log")"
exec 5<&-

server_start
write_config
config_daemon "dbus = system"
daemon_start
wait_log "D-Bus: owning org.jmappushd.Pushd1"

call_as root root GetStatus || fail "GetStatus as root: $(cat "$T/call.out")"
grep -Eq '^a\(sssx\) 1 "test" "connected" "websocket" ' "$T/call.out" ||
    fail "GetStatus as root answered: $(cat "$T/call.out")"
denied_as nobody nogroup GetStatus 'Rejected send message.*member="GetStatus"'
# Nobody may not take the name either.
as nobody nogroup dbus-send --bus="$DBUS_SYSTEM_BUS_ADDRESS" --print-reply \
    --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.RequestName string:org.jmappushd.Pushd1 uint32:0 \
    >"$T/own.out" 2>&1 && fail "nobody requested the name: $(cat "$T/own.out")"
grep -q '^Error org.freedesktop.DBus.Error.AccessDenied: .* is not allowed to own the service "org.jmappushd.Pushd1"' "$T/own.out" ||
    fail "RequestName as nobody: $(cat "$T/own.out")"

# The policy with nogroup as its group, loaded by the running bus.
sed 's|<policy group="[^"]*">|<policy group="nogroup">|' "$POLICY" >"$T/policy.conf"
grep -q '<policy group="nogroup">' "$T/policy.conf" || fail "no group policy in $POLICY"
bus_config "$T/policy.conf"
busctl --address="$DBUS_SYSTEM_BUS_ADDRESS" call org.freedesktop.DBus \
    /org/freedesktop/DBus org.freedesktop.DBus ReloadConfig ||
    fail "the bus did not reload its configuration"

call_as nobody nogroup GetStatus || fail "GetStatus as a member: $(cat "$T/call.out")"
grep -Eq '^a\(sssx\) 1 "test" "connected" "websocket" ' "$T/call.out" ||
    fail "GetStatus as a member answered: $(cat "$T/call.out")"
call_as nobody nogroup Reconnect s test ||
    fail "Reconnect as a member: $(cat "$T/call.out")"
wait_server "handshakes=2&pushEnabled=1"
denied_as daemon daemon GetStatus 'Rejected send message.*member="GetStatus"'

# Signals: the member sees StateChanged; the daemon user sees only the
# marker root sends after it (the bus delivers in order).
probe_as 6 nobody nogroup
probe_as 7 daemon daemon
control 'deliver?account=u1' >/dev/null
expect_next 6 "StateChanged account=test accountId=u1 changed=Email:e1,EmailDelivery:d1,Mailbox:m1,Thread:t1 pushState=p1 reason=push"
busctl --address="$DBUS_SYSTEM_BUS_ADDRESS" emit /org/jmappushd/Pushd1 \
    org.jmappushd.Test Marker
expect_next 6 "Signal Marker"
expect_next 7 "Signal Marker"
wait_hook 1
daemon_stop
echo "ok"
