# SPDX-License-Identifier: ISC
# Shared by the integration tests: a private directory, the test JMAP server,
# the real daemon, and a hook that reports each run through a FIFO so tests
# wait for events instead of sleeping.
set -eu

: "${top_builddir:?run through make check}"
: "${top_srcdir:?run through make check}"

DAEMON="$top_builddir/src/jmap-pushd"
SERVER="$top_builddir/tests/server/jmap-testserver"
# Sourced as `. lib.sh || exit 99`, where set -e does not act: a failed
# mktemp would leave T empty and the test writing to /.
T=$(mktemp -d "${TMPDIR:-/tmp}/jp-test.XXXXXX") || {
	echo "cannot make a directory in ${TMPDIR:-/tmp}" >&2
	exit 99
}
SERVER_PID=
DAEMON_PID=
WAIT=${JP_TEST_WAIT:-15}
# JP_TRANSPORT=eventsource runs a test over EventSource: the server then
# offers no WebSocket capability.
TRANSPORT=${JP_TRANSPORT:-websocket}

dump_logs() {
	for f in "$T"/server.log "$T"/daemon*.log; do
		[ -e "$f" ] || continue
		echo "----- $f"
		tail -n 60 "$f"
	done
}

fail() {
	echo "FAIL: $*" >&2
	dump_logs >&2
	exit 1
}

cleanup() {
	status=$?
	[ -z "$DAEMON_PID" ] || kill -TERM "$DAEMON_PID" 2>/dev/null || true
	[ -z "$SERVER_PID" ] || kill -TERM "$SERVER_PID" 2>/dev/null || true
	# Whatever else a failed test left running (a client blocked on a
	# FIFO, a tail) would make the wait below hang the whole suite.
	jobs -p | xargs -r kill -TERM 2>/dev/null || true
	wait 2>/dev/null || true
	[ $status -ne 0 ] || [ -n "${KEEP:-}" ] || rm -rf "$T"
	[ $status -eq 0 ] || echo "test files kept in $T"
}
trap cleanup EXIT

# server_start [OPTIONS]: starts the test server and learns its port.
server_start() {
	mkfifo "$T/port.fifo"
	if [ "$TRANSPORT" = eventsource ]; then
		set -- --ws-url none "$@"
	fi
	"$SERVER" --port-file - "$@" >"$T/port.fifo" 2>>"$T/server.log" &
	SERVER_PID=$!
	exec 3<"$T/port.fifo"
	read -r -t "$WAIT" PORT <&3 || fail "test server did not start"
	exec 3<&-
	rm -f "$T/port.fifo"
	BASE="http://127.0.0.1:$PORT"
}

# control PATH: one control request; prints the JSON body, fails on error.
control() {
	curl -sS ${CURL_OPTS:-} --max-time "$((WAIT + 5))" --fail-with-body "$BASE/control/$1" ||
	    fail "control request $1 failed"
}

# wait_server COND: blocks until the server reports COND (e.g.
# pushEnabled=1 or handshakes=3).
wait_server() {
	control "wait?$1&timeout=$((WAIT * 1000))" >/dev/null
}

# write_config [EXTRA]: a config for one account on the test server (EXTRA
# goes into its section) with a hook that records its environment and stdin.
write_config() {
	mkfifo "$T/hook.fifo"
	# Opened read-write so that hooks never block on it and reads time out.
	exec 4<>"$T/hook.fifo"
	cat >"$T/config" <<CONF
[daemon]
state_dir = $T/state
socket = $T/sock
backoff_initial = 100ms
backoff_max = 1s

[account test]
url = $BASE/.well-known/jmap
username = alice@example.com
password_file = $T/password
${1:-}

[hook record]
debounce = 0
command = n=\$(( \$(cat "$T/runs" 2>/dev/null || echo 0) + 1 )); echo \$n > "$T/runs"; env | grep '^JMAP_' | sort > "$T/hook.\$n.env"; cat > "$T/hook.\$n.stdin"; echo \$n > "$T/hook.fifo"
CONF
	printf 'secret\n' >"$T/password"
	chmod 600 "$T/password"
}

# add_account NAME: a second account on the test server, with the same
# login, appended to the config.
add_account() {
	cat >>"$T/config" <<CONF

[account $1]
url = $BASE/.well-known/jmap
username = alice@example.com
password_file = $T/password
CONF
}

# wait_connected N: N clients hold a push channel of the test's transport.
wait_connected() {
	if [ "$TRANSPORT" = eventsource ]; then
		wait_server "esStreams=$1"
	else
		wait_server "pushEnabled=$1"
	fi
}

# daemon_start [ARGS]: starts the daemon and waits until it enabled push.
daemon_start() {
	counter=pushEnabled
	[ "$TRANSPORT" != eventsource ] || counter=esConnects
	before=$(control status | sed -n "s/.*\"$counter\":\([0-9]*\).*/\1/p")
	# JP_DAEMON_WRAPPER runs the daemon under a tool, e.g.
	# "valgrind --leak-check=full --error-exitcode=99".
	${JP_DAEMON_WRAPPER:-} "$DAEMON" -c "$T/config" -v "$@" 2>>"$T/daemon.log" &
	DAEMON_PID=$!
	wait_server "$counter=$((before + 1))"
}

daemon_stop() {
	kill -TERM "$DAEMON_PID"
	rc=0
	wait "$DAEMON_PID" || rc=$?
	DAEMON_PID=
	[ $rc -eq 0 ] || fail "daemon exited with status $rc on SIGTERM"
}

# wait_hook N: waits for the hook's run number N.
wait_hook() {
	local run
	read -r -t "$WAIT" run <&4 || fail "hook run $1 did not happen"
	[ "$run" = "$1" ] || fail "expected hook run $1, got run $run"
}

# expect_file FILE EXPECTED: exact content comparison, EXPECTED plus a
# final newline; expect_stdin: the same for a hook's stdin, which has none.
expect_file() {
	printf '%s\n' "$2" >"$T/expected"
	diff -u "$T/expected" "$1" || fail "unexpected content of $1"
}

expect_stdin() {
	printf '%s' "$2" >"$T/expected"
	cmp -s "$T/expected" "$1" ||
	    fail "unexpected stdin in $1: $(cat "$1"), expected $2"
}

# wait_log PATTERN [COUNT]: waits until the daemon log holds COUNT (1)
# lines matching PATTERN; tail -f follows the file as it grows.
wait_log() {
	rm -f "$T/log.fifo"
	mkfifo "$T/log.fifo"
	tail -n +1 -f "$T/daemon.log" >"$T/log.fifo" &
	tail_pid=$!
	rc=0
	# Neither -q nor >/dev/null: GNU grep then stops at the first match
	# (or never) whatever -m says.
	timeout "$WAIT" grep -m "${2:-1}" -- "$1" <"$T/log.fifo" >"$T/log.match" || rc=$?
	kill "$tail_pid" 2>/dev/null || true
	wait "$tail_pid" 2>/dev/null || true
	[ $rc -eq 0 ] || fail "daemon log did not show ${2:-1} x: $1"
}

expect_log() {
	grep -q -- "$1" "$T/daemon.log" || fail "daemon log lacks: $1"
}

expect_runs() {
	[ "$(cat "$T/runs" 2>/dev/null || echo 0)" = "$1" ] ||
	    fail "hook ran $(cat "$T/runs" 2>/dev/null || echo 0) times, expected $1"
}

# Memory bounds.  measure_memory, before the daemon starts: AddressSanitizer
# keeps freed memory in a quarantine (256 MiB by default) that would hide a
# leak and fail the bound, so a test that measures keeps it small.
# rss_kb: the daemon's resident set.  expect_rss_growth BEFORE_KB: fails
# when it grew by 8 MiB or more since BEFORE_KB.  Under valgrind
# (JP_DAEMON_WRAPPER) the RSS is valgrind's own and its leak check is the
# bound.
measure_memory() {
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4"
}
rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$DAEMON_PID/status"; }
expect_rss_growth() {
	now_kb=$(rss_kb)
	echo "RSS before $1 kB, after $now_kb kB"
	[ -z "${JP_DAEMON_WRAPPER:-}" ] || return 0
	[ $((now_kb - $1)) -lt 8192 ] || fail "RSS grew by $((now_kb - $1)) kB"
}

# need_other_users: skips the test unless it runs as root with setpriv and
# the users nobody and daemon and the group nogroup exist.
need_other_users() {
	[ "$(id -u)" = 0 ] || { echo "SKIP: run as root (switches to nobody)"; exit 77; }
	command -v setpriv >/dev/null ||
	    { echo "SKIP: setpriv (util-linux) is not installed"; exit 77; }
	if ! getent passwd nobody daemon >/dev/null || ! getent group nogroup >/dev/null; then
		echo "SKIP: no user nobody or daemon, or no group nogroup"
		exit 77
	fi
}
