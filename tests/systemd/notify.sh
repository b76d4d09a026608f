#!/bin/bash
# SPDX-License-Identifier: ISC
# The daemon speaks systemd's notify protocol: READY=1, a STATUS= line,
# watchdog keep-alives, RELOADING=1 then READY=1 around a reload, and
# STOPPING=1, in that order; without NOTIFY_SOCKET, or with one nobody
# listens on, it runs and stops all the same.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

unset NOTIFY_SOCKET WATCHDOG_USEC WATCHDOG_PID
LISTENER="$top_builddir/tests/systemd/notify-listen"
LISTENER_PID=
trap 'st=$?; set +e; [ -z "$LISTENER_PID" ] || kill "$LISTENER_PID" 2>/dev/null; (exit $st); cleanup' EXIT

# expect_notify PATTERN: reads notifications until one matches the shell
# PATTERN; the ones before it are skipped (keep-alives come at any time).
expect_notify() {
	deadline=$((SECONDS + WAIT))
	while [ "$SECONDS" -lt "$deadline" ] &&
	    read -r -t "$WAIT" line <&5; do
		echo "$line" >>"$T/notify.seen"
		# shellcheck disable=SC2254
		case $line in $1) return 0 ;; esac
	done
	fail "no notification matching '$1'; received: $(tr '\n' '|' <"$T/notify.seen")"
}

server_start
write_config
# Not the default socket, which another test may hold.
grep -q '^socket *=' "$T/config" ||
    sed -i "/^\[daemon\]\$/a socket = $T/control.sock" "$T/config"

mkfifo "$T/notify.fifo"
"$LISTENER" "$T/notify" >"$T/notify.fifo" 2>>"$T/listener.log" &
LISTENER_PID=$!
exec 5<"$T/notify.fifo"
read -r -t "$WAIT" line <&5 && [ "$line" = listening ] ||
    fail "notify-listen did not start: $(cat "$T/listener.log")"

# WATCHDOG_PID must be the daemon's own pid: the subshell's, kept by exec.
(
	export NOTIFY_SOCKET="$T/notify" WATCHDOG_USEC=1000000
	WATCHDOG_PID=$BASHPID
	export WATCHDOG_PID
	exec ${JP_DAEMON_WRAPPER:-} "$DAEMON" -c "$T/config" -v \
	    2>>"$T/daemon.log"
) &
DAEMON_PID=$!
# Ready at start, not when connected; the connection shows in STATUS= later.
expect_notify 'READY=1'
expect_notify 'STATUS=1/1 accounts connected'
expect_notify 'WATCHDOG=1'
kill -HUP "$DAEMON_PID"
expect_notify 'RELOADING=1'
expect_notify 'READY=1'
expect_notify 'WATCHDOG=1'
# An account that cannot connect is named with its reason; once a reload
# removed it, the counts are back.
cp "$T/config" "$T/config.one"
add_account broken
sed -i "\$s|^password_file = .*|&\nurl = $BASE/jmap/nothing|" "$T/config"
sed -i "/^\[account broken\]/,\$ { /^url = .*well-known/d }" "$T/config"
kill -HUP "$DAEMON_PID"
expect_notify "STATUS=1/2 accounts connected; broken: disabled *(the Session URL $BASE/jmap/nothing answered HTTP 404*"
cp "$T/config.one" "$T/config"
kill -HUP "$DAEMON_PID"
expect_notify 'STATUS=1/1 accounts connected'
daemon_stop
expect_notify 'STOPPING=1'

# Without systemd: no notify socket at all, then one nobody listens on.
daemon_start
kill -HUP "$DAEMON_PID"
wait_log 'configuration reloaded' 2
daemon_stop
NOTIFY_SOCKET="$T/nobody" daemon_start
daemon_stop
