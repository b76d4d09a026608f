#!/bin/bash
# SPDX-License-Identifier: ISC
# make demo: the test JMAP server, the daemon with etc/demo.conf, three
# mails delivered into the inbox, each firing the mail-aware hook; the
# mailboxes with their counts; then everything stops cleanly.
set -eu
builddir=$1
srcdir=$2
dir=$(mktemp -d "${TMPDIR:-/tmp}/jmap-pushd-demo.XXXXXX")
server_pid=
daemon_pid=
bus_pid=
monitor_pid=

cleanup() {
	[ -z "$daemon_pid" ] || kill -TERM "$daemon_pid" 2>/dev/null || true
	[ -z "$server_pid" ] || kill -TERM "$server_pid" 2>/dev/null || true
	[ -z "$monitor_pid" ] || kill -TERM "$monitor_pid" 2>/dev/null || true
	[ -z "$bus_pid" ] || kill -TERM "$bus_pid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM

say() { printf '\n==> %s\n' "$*"; }

say "starting the test JMAP server on 127.0.0.1"
mkfifo "$dir/port.fifo" "$dir/hook.fifo" "$dir/watch.fifo"
"$builddir/tests/server/jmap-testserver" --port-file - >"$dir/port.fifo" \
    2>"$dir/server.log" &
server_pid=$!
read -r port <"$dir/port.fifo"
echo "test server listening on port $port"

sed -e "s|@PORT@|$port|g" -e "s|@DIR@|$dir|g" "$srcdir/etc/demo.conf.in" \
    >"$dir/demo.conf"
# A private session bus, so that the D-Bus StateChanged signals show.
if command -v dbus-daemon >/dev/null && command -v dbus-monitor >/dev/null; then
	say "starting a private D-Bus session bus and dbus-monitor"
	export DBUS_SESSION_BUS_ADDRESS="unix:path=$dir/bus"
	mkfifo "$dir/bus.fifo"
	# Its own config, without the standard service directories: a
	# desktop's notification daemon must not be started on it.
	sed "s|@ADDRESS@|$DBUS_SESSION_BUS_ADDRESS|" \
	    "$srcdir/tests/dbus/private-bus.conf.in" >"$dir/bus.conf"
	dbus-daemon --config-file="$dir/bus.conf" --nofork \
	    --print-address=1 >"$dir/bus.fifo" 2>/dev/null &
	bus_pid=$!
	read -r _ <"$dir/bus.fifo"
	dbus-monitor --address "$DBUS_SESSION_BUS_ADDRESS" \
	    "type='signal',interface='org.jmappushd.Pushd1',member='StateChanged'" \
	    2>/dev/null | sed -un 's/^signal .*member=/D-Bus signal: /p; s/^ *string /    /p' &
	monitor_pid=$!
else
	echo "no dbus-daemon/dbus-monitor: the D-Bus part of the demo is skipped"
	export DBUS_SESSION_BUS_ADDRESS="unix:path=$dir/no-bus"
fi
say "starting jmap-pushd -c demo.conf"
exec 4<>"$dir/hook.fifo"
"$builddir/src/jmap-pushd" -c "$dir/demo.conf" &
daemon_pid=$!
curl -sS --fail --max-time 20 \
    "http://127.0.0.1:$port/control/wait?pushEnabled=1&timeout=15000" >/dev/null

say "jmap-pushctl watch: a client of the daemon's socket"
"$builddir/src/jmap-pushctl" -s "$dir/sock" watch >"$dir/watch.fifo" 2>/dev/null &
exec 5<"$dir/watch.fifo"
# Its first line (where the account stands) means it is subscribed.
read -r -t 15 line <&5 || { echo "jmap-pushctl watch said nothing"; exit 1; }
echo "watch: $line"

for i in 1 2 3; do
	say "delivering message $i into the inbox"
	curl -sS --fail "http://127.0.0.1:$port/control/mail/deliver?account=u1&name=Bob%20Tester&email=bob@example.com&subject=Lunch%20on%20Friday%3F%20($i)" >/dev/null
	read -r -t 15 line <&5 || { echo "no socket event"; exit 1; }
	echo "watch: $line"
	read -r -t 15 unread <&4 || { echo "the hook did not run"; exit 1; }
	echo "hook ran: $unread unread in the inbox"
done

say "jmap-pushctl status"
"$builddir/src/jmap-pushctl" -s "$dir/sock" status

say "jmap-pushctl mailboxes"
"$builddir/src/jmap-pushctl" -s "$dir/sock" mailboxes

say "stopping jmap-pushd (SIGTERM)"
kill -TERM "$daemon_pid"
wait "$daemon_pid"
daemon_pid=
say "demo finished: three mails, three socket events, three mail-aware hook runs, clean shutdown"
