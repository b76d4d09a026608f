#!/bin/sh
# make demo: the test JMAP server, the daemon with etc/demo.conf, three
# deliveries, each firing the hook; then everything stops cleanly.
set -eu
builddir=$1
srcdir=$2
dir=$(mktemp -d "${TMPDIR:-/tmp}/jmap-pushd-demo.XXXXXX")
server_pid=
daemon_pid=

cleanup() {
	[ -z "$daemon_pid" ] || kill -TERM "$daemon_pid" 2>/dev/null || true
	[ -z "$server_pid" ] || kill -TERM "$server_pid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM

say() { printf '\n==> %s\n' "$*"; }

say "starting the test JMAP server on 127.0.0.1"
mkfifo "$dir/port.fifo" "$dir/hook.fifo"
"$builddir/tests/server/jmap-testserver" --port-file - >"$dir/port.fifo" \
    2>"$dir/server.log" &
server_pid=$!
read -r port <"$dir/port.fifo"
echo "test server listening on port $port"

sed -e "s|@PORT@|$port|g" -e "s|@DIR@|$dir|g" "$srcdir/etc/demo.conf.in" \
    >"$dir/demo.conf"
say "starting jmap-pushd -c demo.conf"
exec 4<>"$dir/hook.fifo"
"$builddir/src/jmap-pushd" -c "$dir/demo.conf" &
daemon_pid=$!
curl -sS --fail --max-time 20 \
    "http://127.0.0.1:$port/control/wait?pushEnabled=1&timeout=15000" >/dev/null

for i in 1 2 3; do
	say "delivering message $i"
	curl -sS --fail "http://127.0.0.1:$port/control/deliver?account=u1" >/dev/null
	read -r -t 15 state <&4 || { echo "the hook did not run"; exit 1; }
	echo "hook ran for pushState $state"
done

say "stopping jmap-pushd (SIGTERM)"
kill -TERM "$daemon_pid"
wait "$daemon_pid"
daemon_pid=
say "demo finished: three deliveries, three hook runs, clean shutdown"
