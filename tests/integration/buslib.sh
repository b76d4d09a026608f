# SPDX-License-Identifier: ISC
# D-Bus helpers on top of lib.sh: a private session bus at a fixed address
# (so that a new one can take over after a kill) and jp-busprobe peers whose
# lines are read from FIFOs.
PROBE="$top_builddir/tests/dbus/jp-busprobe"
BUS_PID=
PROBES=
export DBUS_SESSION_BUS_ADDRESS="unix:path=$T/bus"

bus_cleanup() {
	for p in $PROBES $BUS_PID; do
		kill -TERM "$p" 2>/dev/null || true
	done
}
trap 'st=$?; bus_cleanup; set +e; (exit $st); cleanup' EXIT

# bus_start: a private session bus listening at $T/bus, configured by
# tests/dbus/private-bus.conf.in (no service directories).
bus_start() {
	rm -f "$T/bus" "$T/busaddr.fifo"
	sed "s|@ADDRESS@|$DBUS_SESSION_BUS_ADDRESS|" \
	    "$top_srcdir/tests/dbus/private-bus.conf.in" >"$T/bus.conf"
	mkfifo "$T/busaddr.fifo"
	dbus-daemon --config-file="$T/bus.conf" --nofork --print-address=1 \
	    >"$T/busaddr.fifo" 2>>"$T/bus.log" &
	BUS_PID=$!
	exec 5<"$T/busaddr.fifo"
	read -r -t "$WAIT" _ <&5 || fail "dbus-daemon did not start: $(cat "$T/bus.log")"
	exec 5<&-
	rm -f "$T/busaddr.fifo"
}

# notify_start: the daemon with one account and a bare [notify] (no hook;
# NOTIFY_EXTRA, when set, is a line added to [notify]) on a private bus, a
# fake notification server on fd 7, connected and resynced, and the first
# mail view round of u1 over.
notify_start() {
	cat >"$T/config" <<CONF
[daemon]
state_dir = $T/state
socket = $T/sock

[account test]
url = $BASE/.well-known/jmap
username = alice@example.com
password_file = $T/password

[notify]
${NOTIFY_EXTRA:-}
CONF
	printf 'secret\n' >"$T/password"
	chmod 600 "$T/password"
	bus_start
	probe_start 7 notifyd
	daemon_start
	wait_log "notifications: connected to the D-Bus session bus"
	wait_log 'states unchanged since last seen'
	wait_log 'notifications: account test: accountId u1 at Email state'
}

bus_kill() {
	kill -KILL "$BUS_PID"
	wait "$BUS_PID" 2>/dev/null || true
	BUS_PID=
}

# probe_start FD MODE: jp-busprobe MODE with its lines on fd FD (6 or 7),
# once it is ready; a notifyd reads its commands (notifyd_cmd) from fd 8.
probe_start() {
	rm -f "$T/probe$1.fifo" "$T/probe$1.in"
	mkfifo "$T/probe$1.fifo"
	in=/dev/null
	if [ "$2" = notifyd ]; then
		mkfifo "$T/probe$1.in"
		exec 8<>"$T/probe$1.in"
		in="$T/probe$1.in"
	fi
	"$PROBE" "$2" >"$T/probe$1.fifo" <"$in" 2>>"$T/probe.log" &
	PROBES="$PROBES $!"
	eval "PROBE$1=$!"
	eval "exec $1<\"\$T/probe$1.fifo\""
	expect_next "$1" ready
}

probe_stop() {
	pid=$(eval echo "\$PROBE$1")
	kill -TERM "$pid"
	wait "$pid" 2>/dev/null || true
	eval "exec $1<&-"
}

# notifyd_cmd LINE: a command to the fake notification server ("invoke ID
# KEY", "closed ID REASON").
notifyd_cmd() {
	printf '%s\n' "$1" >&8
}

# expect_next FD LINE: the probe's next line is exactly LINE.
expect_next() {
	read -r -t "$WAIT" line <&"$1" || fail "no line from the D-Bus probe (expected: $2)"
	[ "$line" = "$2" ] || fail "D-Bus probe said: $line
expected: $2"
}

# wait_line FD REGEX: skips lines until one matches.
wait_line() {
	while read -r -t "$WAIT" line <&"$1"; do
		printf '%s\n' "$line" | grep -q -- "$2" && return 0
	done
	fail "the D-Bus probe never said: $2"
}

# config_daemon LINE...: adds lines to the [daemon] section.
config_daemon() {
	for l in "$@"; do
		sed -i "s|^\[daemon\]\$|[daemon]\n$l|" "$T/config"
	done
}

bctl() {
	busctl --address="$DBUS_SESSION_BUS_ADDRESS" "$@"
}

BUS_OBJ="org.jmappushd.Pushd1 /org/jmappushd/Pushd1 org.jmappushd.Pushd1"
