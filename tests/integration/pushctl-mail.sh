#!/bin/bash
# SPDX-License-Identifier: ISC
# jmap-pushctl's mail modes against a scripted socket instead of the
# daemon: mailboxes (table, --json, an unknown account), watch --waybar and
# --i3blocks (the commands sent, one line at start and one per change,
# every class, markup escaped in the tooltip, disconnected once the daemon
# is gone, and back when it returns), and --format with mail fields.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

CTL="$top_builddir/src/jmap-pushctl"
command -v python3 >/dev/null || { echo "SKIP: python3 is needed"; exit 77; }

# The fake daemon: listens on $T/sock, says "ready" on fd 1, then, for one
# client, reads N command lines into $T/sock.cmd, sends the lines of
# $T/lines and closes once the client has.
cat >"$T/fake.py" <<'PY'
import socket, sys
path, lines, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
srv = socket.socket(socket.AF_UNIX)
srv.bind(path)
srv.listen(1)
print("ready", flush=True)
c, _ = srv.accept()
f = c.makefile("rb")
with open(path + ".cmd", "wb") as out:
    for _ in range(n):
        out.write(f.readline())
c.sendall(open(lines, "rb").read())
c.shutdown(socket.SHUT_WR)
while c.recv(4096):
    pass
PY

# fake N: starts the fake daemon reading N commands; returns once it
# listens.
fake() {
	rm -f "$T/sock" "$T/sock.cmd" "$T/ready"
	mkfifo "$T/ready"
	python3 "$T/fake.py" "$T/sock" "$T/lines" "$1" >"$T/ready" &
	FAKE_PID=$!
	exec 3<"$T/ready"
	read -r -t "$WAIT" ready <&3 || fail "the fake daemon did not start"
	exec 3<&-
}

# bar COUNT ARGS...: jmap-pushctl watch ARGS, which never ends by itself,
# until it printed COUNT lines (into $T/out); then it is stopped.
bar() {
	local count=$1 line i
	shift
	rm -f "$T/bar.fifo"
	mkfifo "$T/bar.fifo"
	"$CTL" -s "$T/sock" watch "$@" >"$T/bar.fifo" 2>"$T/err" &
	BAR_PID=$!
	exec 5<"$T/bar.fifo"
	: >"$T/out"
	for i in $(seq "$count"); do
		read -r -t "$WAIT" line <&5 ||
		    fail "watch $* printed $((i - 1)) lines: $(cat "$T/out")"
		printf '%s\n' "$line" >>"$T/out"
	done
}

bar_stop() {
	kill -TERM "$BAR_PID"
	wait "$BAR_PID" 2>/dev/null || true
	exec 5<&-
}

STATUS='{"reply":"status","accounts":[{"account":"personal","status":"connected","mailboxes":[{"accountId":"u1","id":"p1","path":"Inbox","role":"inbox","unread":3,"total":10},{"accountId":"u1","id":"p2","path":"Lists/rust dev","role":null,"unread":12,"total":400}]},{"account":"work","status":"connected","mailboxes":[{"accountId":"u2","id":"w1","path":"INBOX","role":"inbox","unread":0,"total":5}]},{"account":"empty","status":"connected"}]}'

# mailboxes: the table, every account.  (An account connected without
# mailboxes would make it wait for their first fetch: pushctl-bar.sh.)
printf '%s\n' '{"reply":"subscribe","ok":true}' \
    '{"event":"connection","account":"work","status":"connected"}' \
    "${STATUS/,\{\"account\":\"empty\",\"status\":\"connected\"\}/}" >"$T/lines"
fake 2
rc=0
"$CTL" -s "$T/sock" mailboxes >"$T/out" 2>"$T/err" || rc=$?
wait $FAKE_PID
[ $rc = 0 ] || fail "mailboxes exited with $rc: $(cat "$T/err")"
expect_file "$T/sock.cmd" '{"cmd":"subscribe","events":["mailbox"]}
{"cmd":"status"}'
expect_file "$T/out" 'ACCOUNT          PATH                           ROLE        UNREAD   TOTAL
personal         Inbox                          inbox            3      10
personal         Lists/rust dev                 -               12     400
work             INBOX                          inbox            0       5'
# One account, as JSON.
fake 2
rc=0
"$CTL" -s "$T/sock" mailboxes --json personal >"$T/out" 2>"$T/err" || rc=$?
wait $FAKE_PID
[ $rc = 0 ] || fail "mailboxes --json exited with $rc: $(cat "$T/err")"
expect_file "$T/out" '[{"account":"personal","accountId":"u1","id":"p1","path":"Inbox","role":"inbox","unread":3,"total":10},{"account":"personal","accountId":"u1","id":"p2","path":"Lists/rust dev","role":null,"unread":12,"total":400}]'
fake 2
rc=0
"$CTL" -s "$T/sock" mailboxes nosuch >"$T/out" 2>"$T/err" || rc=$?
wait $FAKE_PID
[ $rc = 1 ] || fail "mailboxes of an unknown account exited with $rc"
expect_file "$T/err" "jmap-pushctl: unknown account 'nosuch': use one of the names jmap-pushctl status shows"

# watch --waybar: a line for the status, one per change (an event that
# changes nothing prints nothing), then disconnected once the daemon is
# gone, which stays so while it cannot be reached.
printf '%s\n' '{"reply":"subscribe","ok":true}' \
    '{"event":"mailbox","account":"work","accountId":"u2","mailboxes":[{"id":"w1","path":"INBOX","role":"inbox","unread":9,"total":9}]}' \
    "$STATUS" \
    '{"event":"mailbox","account":"work","accountId":"u2","mailboxes":[{"id":"w1","path":"INBOX","role":"inbox","unread":2,"total":7}]}' \
    '{"event":"mail","account":"work","accountId":"u2","new":[{"id":"e1","mailbox":"INBOX","from":[{"name":"Ann & Co","email":"ann@x.org"}],"subject":"<b>Hi</b>","receivedAt":"2026-12-03T10:00:00Z","messageId":null,"threadId":"t1","preview":"x"},{"id":"e2","mailbox":"INBOX","from":[],"subject":null,"receivedAt":null,"messageId":null,"threadId":"t2","preview":null}],"newTruncated":0}' \
    '{"event":"state","account":"work","accountId":"u2","changed":{"Email":"s9"}}' \
    '{"event":"connection","account":"work","status":"auth_failed","error":"HTTP 401"}' \
    '{"event":"connection","account":"work","status":"backoff","retryIn":2}' \
    '{"event":"connection","account":"work","status":"connected"}' \
    '{"event":"mailbox","account":"personal","accountId":"u1","mailboxes":[{"id":"p1","path":"Inbox","role":"inbox","unread":0,"total":10}],"complete":true}' \
    '{"event":"mailbox","account":"work","accountId":"u2","mailboxes":[],"complete":true}' \
    >"$T/lines"
fake 2
bar 9 --waybar
wait $FAKE_PID
expect_file "$T/sock.cmd" '{"cmd":"subscribe","events":["connection","mailbox","mail","mute"],"mailboxes":["inbox"]}
{"cmd":"status","mailboxes":["inbox"]}'
R='\nAnn &amp; Co &lt;ann@x.org&gt;: &lt;b&gt;Hi&lt;/b&gt;'
expect_file "$T/out" '{"text":"15","tooltip":"personal Inbox: 3 unread, 10 total\npersonal Lists/rust dev: 12 unread, 400 total\nwork INBOX: 0 unread, 5 total","class":"unread","alt":"unread"}
{"text":"17","tooltip":"personal Inbox: 3 unread, 10 total\npersonal Lists/rust dev: 12 unread, 400 total\nwork INBOX: 2 unread, 7 total","class":"unread","alt":"unread"}
{"text":"17","tooltip":"personal Inbox: 3 unread, 10 total\npersonal Lists/rust dev: 12 unread, 400 total\nwork INBOX: 2 unread, 7 total\n: '"$R"'","class":"unread","alt":"unread"}
{"text":"17","tooltip":"personal Inbox: 3 unread, 10 total\npersonal Lists/rust dev: 12 unread, 400 total\nwork INBOX: 2 unread, 7 total\nwork: auth_failed\n: '"$R"'","class":"error","alt":"error"}
{"text":"17","tooltip":"personal Inbox: 3 unread, 10 total\npersonal Lists/rust dev: 12 unread, 400 total\nwork INBOX: 2 unread, 7 total\nwork: backoff\n: '"$R"'","class":"disconnected","alt":"disconnected"}
{"text":"17","tooltip":"personal Inbox: 3 unread, 10 total\npersonal Lists/rust dev: 12 unread, 400 total\nwork INBOX: 2 unread, 7 total\n: '"$R"'","class":"unread","alt":"unread"}
{"text":"2","tooltip":"personal Inbox: 0 unread, 10 total\nwork INBOX: 2 unread, 7 total\n: '"$R"'","class":"unread","alt":"unread"}
{"text":"0","tooltip":"personal Inbox: 0 unread, 10 total\n: '"$R"'","class":"empty","alt":"empty"}
{"text":"-","tooltip":"jmap-pushd cannot be reached; retrying\n: '"$R"'","class":"disconnected","alt":"disconnected"}'
# The daemon is back: the bar asks again by itself.
printf '%s\n' "$STATUS" >"$T/lines"
fake 2
read -r -t "$WAIT" line <&5 || fail "watch --waybar did not come back"
wait $FAKE_PID
expect_file "$T/sock.cmd" '{"cmd":"subscribe","events":["connection","mailbox","mail","mute"],"mailboxes":["inbox"]}
{"cmd":"status","mailboxes":["inbox"]}'
[ "$line" = '{"text":"15","tooltip":"personal Inbox: 3 unread, 10 total\npersonal Lists/rust dev: 12 unread, 400 total\nwork INBOX: 0 unread, 5 total\n: '"$R"'","class":"unread","alt":"unread"}' ] ||
    fail "watch --waybar after the daemon came back: $line"
bar_stop

# --i3blocks: the count, one line per change of it; --mailboxes as given.
printf '%s\n' "$STATUS" \
    '{"event":"mailbox","account":"work","accountId":"u2","mailboxes":[{"id":"w1","path":"INBOX","role":"inbox","unread":2,"total":7}]}' \
    '{"event":"connection","account":"work","status":"backoff","retryIn":2}' \
    '{"event":"mailbox","account":"personal","accountId":"u1","mailboxes":[{"id":"p1","path":"Inbox","role":"inbox","unread":0,"total":10}]}' \
    >"$T/lines"
fake 2
bar 4 --i3blocks --mailboxes 'inbox, Lists/*'
wait $FAKE_PID
bar_stop
expect_file "$T/sock.cmd" '{"cmd":"subscribe","events":["connection","mailbox","mail","mute"],"mailboxes":["inbox"," Lists/*"]}
{"cmd":"status","mailboxes":["inbox"," Lists/*"]}'
expect_file "$T/out" '15
17
14
-'

# --format with mail fields: one line per mail event (none for the
# others); the connection's end is an error, as for every watch --format.
printf '%s\n' "$STATUS" \
    '{"event":"mailbox","account":"work","accountId":"u2","mailboxes":[{"id":"w1","path":"INBOX","role":"inbox","unread":2,"total":7}]}' \
    '{"event":"mail","account":"work","accountId":"u2","new":[{"id":"e1","mailbox":"INBOX","from":[{"name":"Ann & Co","email":"ann@x.org"}],"subject":"<b>Hi</b>"},{"id":"e2"}],"newTruncated":3}' \
    '{"event":"mail","account":"personal","accountId":"u1","new":[{"id":"e3","mailbox":"Inbox","from":[{"name":null,"email":"bob@y.org"}],"subject":"Re: x"}],"newTruncated":0}' \
    >"$T/lines"
fake 2
rc=0
"$CTL" -s "$T/sock" watch --format '{account}|{unread}|{new}|{mailbox}|{from}|{subject}' >"$T/out" 2>"$T/err" || rc=$?
wait $FAKE_PID
[ $rc = 1 ] || fail "watch --format exited with $rc"
expect_file "$T/sock.cmd" '{"cmd":"subscribe","events":["mailbox","mail"],"mailboxes":["inbox"]}
{"cmd":"status","mailboxes":["inbox"]}'
expect_file "$T/out" 'work|17|5|INBOX|Ann & Co <ann@x.org>|<b>Hi</b>
personal|17|1|Inbox|bob@y.org|Re: x'
expect_file "$T/err" 'jmap-pushctl: the daemon closed the connection'
echo "ok"
