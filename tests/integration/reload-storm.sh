#!/bin/bash
# SPDX-License-Identifier: ISC
# 50 reloads in a row, each with accounts changed, removed and added
# again, many while accounts of the previous ones are still closing: then
# every account of the last config is connected, once, and no other.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

CLIENT="$top_builddir/tests/integration/sockclient"
CTL="$top_builddir/src/jmap-pushctl"
RELOADS=50
NACCOUNTS=6

# present I J: whether account aJ is in config I.  Each account is
# missing from every fourth config and back in the next.
present() { [ $((($1 + $2) % 4)) -ne 0 ]; }

# gen_config I: config I; ping_interval changes most accounts each time.
gen_config() {
	cat <<CONF
[daemon]
state_dir = $T/state
socket = $T/sock
backoff_initial = 100ms
backoff_max = 1s
CONF
	for j in $(seq "$NACCOUNTS"); do
		present "$1" "$j" || continue
		cat <<CONF

[account a$j]
url = $BASE/.well-known/jmap
username = alice@example.com
password_file = $T/password
ping_interval = $((20 + $1 * j % 3))s
CONF
	done
}

server_start
printf 'secret\n' >"$T/password"
chmod 600 "$T/password"
gen_config 0 >"$T/config"
n=0
for j in $(seq "$NACCOUNTS"); do
	present 0 "$j" && n=$((n + 1))
done
daemon_start
wait_connected "$n"

# The config becomes a FIFO: the daemon blocks reading it, so the two
# reloads of one socket write run in one loop turn, and every account the
# first closes is still closing when the second comes.  A test that fails
# with the daemon blocked there must not hang: the exit trap unblocks it.
unblock_config() {
	[ -p "$T/config" ] || return 0
	timeout 1 sh -c ': >"$1"' sh "$T/config" || true
	rm -f "$T/config"
}
# feed_config I: config I to the daemon's next read of the FIFO.
feed_config() {
	gen_config "$1" >"$T/config.$1"
	timeout "$WAIT" sh -c 'cat "$1" >"$2"' sh "$T/config.$1" "$T/config" ||
	    fail "the daemon did not read config $1"
}
trap 'rc=$?; set +e; unblock_config; (exit $rc); cleanup' EXIT
rm "$T/config"
mkfifo "$T/config"

# One client, subscribed to no event, sends every reload and reads each
# reply.
mkfifo "$T/cmd.fifo" "$T/reply.fifo"
"$CLIENT" "$T/sock" <"$T/cmd.fifo" >"$T/reply.fifo" &
client=$!
exec 5>"$T/cmd.fifo" 6<"$T/reply.fifo"
# subscribed FD: reads up to the reply to a subscribe; events may come
# before it.
subscribed() {
	local reply=
	while [ "$reply" != '{"reply":"subscribe","ok":true}' ]; do
		read -r -t "$WAIT" reply <&"$1" || fail "no reply to subscribe"
		case $reply in
		'{"event":'*|'{"reply":"subscribe","ok":true}') ;;
		*) fail "subscribe: $reply" ;;
		esac
	done
}
echo '{"cmd":"subscribe","events":[]}' >&5
subscribed 6
i=0
while [ "$i" -lt "$RELOADS" ]; do
	printf '{"cmd":"reload"}\n{"cmd":"reload"}\n' >&5
	i=$((i + 1))
	feed_config "$i"
	# Logged after the daemon closed the config it read before.
	wait_log 'reloading ' "$((i + 1))"
	i=$((i + 1))
	feed_config "$i"
	for r in $((i - 1)) "$i"; do
		read -r -t "$WAIT" reply <&6 || fail "no reply to reload $r"
		[ "$reply" = '{"reply":"reload","ok":true}' ] ||
		    fail "reload $r: $reply"
	done
done
exec 5>&-
kill "$client"
wait "$client" 2>/dev/null || true
exec 6<&-
wait_log 'configuration reloaded' "$RELOADS"
closing=$(grep -c 'still closing; starts again once closed' "$T/daemon.log")
echo "reloads that found an account closing: $closing"
[ "$closing" -gt 0 ] || fail "no reload came while an account was closing"

# The accounts of the last config, as the status lists them when all run.
expected=
n=0
for j in $(seq "$NACCOUNTS"); do
	present "$RELOADS" "$j" || continue
	expected="$expected${expected:+
}a$j connected"
	n=$((n + 1))
done

# Wait for each of them to connect: the status, then connection events
# after it on the same client.
mkfifo "$T/ev.fifo"
printf '%s\n' '{"cmd":"subscribe","events":["connection"]}' '{"cmd":"status"}' |
    "$CLIENT" "$T/sock" >"$T/ev.fifo" &
watcher=$!
exec 7<"$T/ev.fifo"
declare -A st
pairs() {
	grep -o '"account":"[^"]*","status":"[^"]*"' |
	    sed 's/"account":"\([^"]*\)","status":"\([^"]*\)"/\1 \2/'
}
all_connected() {
	for j in $(seq "$NACCOUNTS"); do
		present "$RELOADS" "$j" || continue
		[ "${st[a$j]:-}" = connected ] || return 1
	done
}
subscribed 7
while ! all_connected; do
	read -r -t "$WAIT" line <&7 ||
	    fail "accounts not all connected: $(declare -p st)"
	while read -r a s; do
		st[$a]=$s
	done < <(printf '%s\n' "$line" | pairs)
done
kill "$watcher"
wait "$watcher" 2>/dev/null || true
exec 7<&-

# The server sees exactly those over WebSocket: every account that closed
# is gone.  (The test server does not see at once that a client ended an
# event stream: its socket stays in CLOSE-WAIT.  Over EventSource the
# status below is the check.)
if [ "$TRANSPORT" != eventsource ]; then
	wait_server "pushEnabled=$n&maxChannels=$n"
	control status >"$T/server.json"
	grep -q "\"connections\":$n,\"pushEnabled\":$n," "$T/server.json" ||
	    fail "server: $(cat "$T/server.json")"
fi
"$CTL" -s "$T/sock" status --json >"$T/status.json" ||
    fail "jmap-pushctl status failed"
pairs <"$T/status.json" | sort >"$T/status"
expect_file "$T/status" "$expected"
daemon_stop
echo "ok"
