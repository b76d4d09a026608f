#!/bin/bash
# SPDX-License-Identifier: ISC
# jmap-pushctl's rendering of what a daemon may say, against a scripted
# socket instead of the daemon: retry times, errors and values that are not
# strings in status and watch, every event kind, lines that are not JSON
# objects (skipped), --format escapes, and a reply with no accounts list
# (the mail modes: pushctl-mail.sh).
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

CTL="$top_builddir/src/jmap-pushctl"
command -v python3 >/dev/null || { echo "SKIP: python3 is needed"; exit 77; }

# The fake daemon: listens on $T/sock, says "ready" on fd 1, then, for one
# client, sends the lines of $T/lines, reads its command line (if "read" is
# given) into $T/cmd, and closes once the client has.
cat >"$T/fake.py" <<'PY'
import socket, sys
path, lines, read = sys.argv[1], sys.argv[2], len(sys.argv) > 3
srv = socket.socket(socket.AF_UNIX)
srv.bind(path)
srv.listen(1)
print("ready", flush=True)
c, _ = srv.accept()
c.sendall(open(lines, "rb").read())
if read:
    open(path + ".cmd", "wb").write(c.makefile("rb").readline())
c.shutdown(socket.SHUT_WR)
while c.recv(4096):
    pass
PY

# ctl [read] ARGS...: jmap-pushctl ARGS against the fake daemon saying
# $T/lines; stdout in $T/out, stderr in $T/err, exit status in $rc.
ctl() {
	local read= ready
	if [ "$1" = read ]; then
		read=read
		shift
	fi
	rm -f "$T/sock" "$T/sock.cmd" "$T/ready"
	mkfifo "$T/ready"
	python3 "$T/fake.py" "$T/sock" "$T/lines" $read >"$T/ready" &
	exec 3<"$T/ready"
	read -r -t "$WAIT" ready <&3 || fail "the fake daemon did not start"
	exec 3<&-
	rc=0
	"$CTL" -s "$T/sock" "$@" >"$T/out" 2>"$T/err" || rc=$?
	wait $! || fail "the fake daemon failed"
}

STATUS='{"reply":"status","accounts":[{"account":"work","status":"connected","transport":"websocket","since":"2026-01-02T03:04:05Z","lastPush":null},{"account":"home","status":"backoff","retryIn":30,"error":"HTTP 503: try later","since":"2026-01-02T03:04:05Z","lastPush":"2026-01-02T03:05:00Z"},{"account":"odd","status":5,"transport":["x"],"error":{"a":"b/c"},"retryIn":"7"},{"status":"connecting"},{}]}'
EVENTS='not json

[1,2]
{"event":"connection","account":"work","status":"backoff","retryIn":5,"error":"closed 1006"}
{"event":"state","account":"work","accountId":"u1","changed":{"Email":"e1","Thread":"t1","Bad":3},"pushState":"p1","reason":"push","time":"2026-01-02T03:04:06Z"}
{"event":"state","account":"new","accountId":"u9","changed":{"Mailbox":"m1"},"reason":"resync","time":"2026-01-02T03:04:07Z"}
{"event":"connection","account":"new","status":"connected"}
{"event":"overflow","dropped":12}
{"event":"mystery","account":"work"}
{"reply":"stray"}'

# status: events and lines that are no JSON object come before the reply.
printf '%s\n' '{"event":"overflow","dropped":1}' 'garbage' "$STATUS" >"$T/lines"
ctl read status
[ $rc = 0 ] || fail "status exited with $rc: $(cat "$T/err")"
expect_file "$T/sock.cmd" '{"cmd":"status"}'
expect_file "$T/out" 'ACCOUNT          STATUS       TRANSPORT  SINCE                LAST PUSH            ERROR
work             connected    websocket  2026-01-02T03:04:05Z -
home             backoff 30s  -          2026-01-02T03:04:05Z 2026-01-02T03:05:00Z HTTP 503: try later
odd              5 7s         ["x"]      -                    -                    {"a":"b/c"}
?                connecting   -          -                    -
?                ?            -          -                    -'
ctl read status --json
expect_file "$T/out" "$STATUS"

printf '%s\n' '{"reply":"status","accounts":{}}' >"$T/lines"
ctl read status
[ $rc = 1 ] || fail "status of a reply without accounts exited with $rc"
[ ! -s "$T/out" ] || fail "status printed $(cat "$T/out")"
expect_file "$T/err" 'jmap-pushctl: unexpected reply: {"reply":"status","accounts":{}}'

# watch: the status first, then every event; the end of the connection is
# an error.
printf '%s\n' "$STATUS" "$EVENTS" >"$T/lines"
ctl read watch
[ $rc = 1 ] || fail "watch exited with $rc"
expect_file "$T/sock.cmd" '{"cmd":"status"}'
expect_file "$T/out" 'work: connected
home: backoff, retry in 30s (HTTP 503: try later)
odd: 5, retry in 7s ({"a":"b/c"})
?: connecting
?: ?
work: backoff, retry in 5s (closed 1006)
03:04:06Z work u1: Email=e1 Thread=t1 Bad (push, pushState p1)
03:04:07Z new u9: Mailbox=m1 (resync)
new: connected
too slow: the daemon dropped 12 event(s) and this connection'
expect_file "$T/err" 'jmap-pushctl: the daemon closed the connection'

# --format and --json send nothing: they only read events.
printf '%s\n' "$EVENTS" >"$T/lines"
ctl watch --format '{event}|{account}|{types}|{changed}|{retryIn}|{nokey}\t{dropped}\n{x'
[ $rc = 1 ] || fail "watch --format exited with $rc"
printf 'connection|work|||5|\t\n{x\nstate|work|Email Thread Bad|Email=e1 Thread=t1 Bad||\t\n{x\nstate|new|Mailbox|Mailbox=m1||\t\n{x\nconnection|new||||\t\n{x\noverflow|||||\t12\n{x\nmystery|work||||\t\n{x\n' >"$T/expected.fmt"
cmp "$T/expected.fmt" "$T/out" || fail "watch --format: $(cat "$T/out")"
ctl watch --json
[ $rc = 1 ] || fail "watch --json exited with $rc"
expect_file "$T/out" "$(printf '%s\n' "$EVENTS" | grep '"event"')"
echo "ok"
