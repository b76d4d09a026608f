#!/bin/bash
# SPDX-License-Identifier: ISC
# A hostile server: shell syntax in states, a pushState and an accountId,
# type names no variable name can hold, invalid UTF-8.  Nothing is ever run,
# the hook gets exactly the expected environment and stdin, socket lines
# stay valid JSON, D-Bus signals go out (sd-bus refuses invalid UTF-8) and
# log lines stay valid UTF-8, one line each.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/buslib.sh" || exit 99

CLIENT="$top_builddir/tests/integration/sockclient"
PY=/usr/bin/python3
server_start
bus_start
probe_start 6 watch
mkfifo "$T/hook.fifo"
exec 4<>"$T/hook.fifo"
# The hook keeps its exact environment (/proc/$$/environ, NUL-separated: a
# value may hold newlines), its argv and stdin.
cat >"$T/config" <<CONF
[daemon]
state_dir = $T/state
socket = $T/sock
dbus = session

[account test]
url = $BASE/.well-known/jmap
username = alice@example.com
password_file = $T/password

[hook hostile]
debounce = 0
command = n=\$(( \$(cat "$T/runs" 2>/dev/null || echo 0) + 1 )); echo \$n > "$T/runs"; cat /proc/\$\$/environ > "$T/hook.\$n.env"; cat /proc/\$\$/cmdline > "$T/hook.\$n.cmdline"; cat > "$T/hook.\$n.stdin"; echo \$n > "$T/hook.fifo"
CONF
printf 'secret\n' >"$T/password"
chmod 600 "$T/password"
daemon_start
wait_log 'states unchanged since last seen'

"$CLIENT" -n 3 "$T/sock" </dev/null >"$T/sub" &
SUB=$!
wait_log 'socket client [0-9]*: connected'

# send FRAME: the server sends these very bytes as one text frame.
send() {
	control "send?frame=$(printf '%s' "$1" | $PY -c 'import sys, urllib.parse
print(urllib.parse.quote(sys.stdin.buffer.read(), safe=""))')" >/dev/null
}

# The hook's JMAP_ variables, sorted, one a line, newlines shown as \n.
hook_env() {
	$PY -c 'import sys
env = open(sys.argv[1], "rb").read().split(b"\0")
for v in sorted(e for e in env if e.startswith(b"JMAP_")):
	print(v.decode("utf-8").replace("\n", "\\n"))' "$1" ||
	    fail "environment of $1 is not UTF-8"
}

LONG=$(printf 'L%.0s' $(seq 300))
# printf's own escapes make the bytes: \\n stays a JSON escape, \xff is a
# byte that is not UTF-8.
send "$(printf '{"@type":"StateChange","changed":{"u1":{"Email":"$(touch %s/pwned)","Mailbox":"`touch %s/pwned2`","Thread":"; touch %s/pwned3\\n","a=b":"s1","a\\nb":"s2","a b":"s3","a\\"b":"s4","Caf\xc3\xa9":"s5","\xff\xfeX":"s6\xff","%s":"s7","Ok_1":"s8"}},"pushState":"p9'"'"'; touch %s/pwned4 #"}' "$T" "$T" "$T" "$LONG" "$T")"
wait_hook 1
hook_env "$T/hook.1.env" >"$T/env.1"
expect_file "$T/env.1" "JMAP_ACCOUNT=test
JMAP_ACCOUNT_ID=u1
JMAP_HOOK=hostile
JMAP_PUSH_STATE=p9'; touch $T/pwned4 #
JMAP_REASON=push
JMAP_STATE_Email=\$(touch $T/pwned)
JMAP_STATE_Mailbox=\`touch $T/pwned2\`
JMAP_STATE_Ok_1=s8
JMAP_STATE_Thread=; touch $T/pwned3\\n
JMAP_TYPES=Email Mailbox Ok_1 Thread"
R=$(printf '\xef\xbf\xbd')
expect_stdin "$T/hook.1.stdin" "$(printf '{"@type":"StateChange","changed":{"u1":{"Caf\xc3\xa9":"s5","Email":"$(touch %s/pwned)","%s":"s7","Mailbox":"`touch %s/pwned2`","Ok_1":"s8","Thread":"; touch %s/pwned3\\n","a\\nb":"s2","a b":"s3","a\\"b":"s4","a=b":"s1","%s%sX":"s6%s"}},"pushState":"p9'"'"'; touch %s/pwned4 #"}' "$T" "$LONG" "$T" "$T" "$R" "$R" "$R" "$T")"

# An accountId the Session does not list is delivered all the same.
send "$(printf '{"@type":"StateChange","changed":{"u1$(touch %s/pwned5)\\n\xff":{"Email":"e9"}},"pushState":"p10"}' "$T")"
wait_hook 2
hook_env "$T/hook.2.env" >"$T/env.2"
expect_file "$T/env.2" "JMAP_ACCOUNT=test
JMAP_ACCOUNT_ID=u1\$(touch $T/pwned5)\\n$R
JMAP_HOOK=hostile
JMAP_PUSH_STATE=p10
JMAP_REASON=push
JMAP_STATE_Email=e9
JMAP_TYPES=Email"
expect_stdin "$T/hook.2.stdin" "$(printf '{"@type":"StateChange","changed":{"u1$(touch %s/pwned5)\\n%s":{"Email":"e9"}},"pushState":"p10"}' "$T" "$R")"

# Invalid UTF-8 in a D-Bus signal: repaired, and the signal is sent.
send "$(printf '{"@type":"StateChange","changed":{"u1":{"Email":"e\xff"}},"pushState":"p\xfe"}')"
wait_hook 3
wait_line 6 "^StateChanged account=test accountId=u1 changed=Email:e$R pushState=p$R reason=push\$"
! grep -q 'D-Bus: .*cannot' "$T/daemon.log" ||
    fail "a D-Bus signal was not sent: $(grep 'D-Bus: .*cannot' "$T/daemon.log")"

# Socket subscribers get one valid JSON object a line.
wait "$SUB" || fail "socket subscriber failed"
SUB=
$PY -c 'import json, sys
[json.loads(l) for l in sys.stdin.buffer]' <"$T/sub" ||
    fail "socket lines are not valid JSON: $(cat "$T/sub")"
sed -E 's/"time":"[^"]*"/"time":"TIME"/' "$T/sub" >"$T/sub.u"
expect_file "$T/sub.u" "$(printf '{"event":"state","account":"test","accountId":"u1","changed":{"Email":"$(touch %s/pwned)","Mailbox":"`touch %s/pwned2`","Thread":"; touch %s/pwned3\\n","a=b":"s1","a\\nb":"s2","a b":"s3","a\\"b":"s4","Caf\xc3\xa9":"s5","%s%sX":"s6%s","%s":"s7","Ok_1":"s8"},"pushState":"p9'"'"'; touch %s/pwned4 #","reason":"push","time":"TIME"}
{"event":"state","account":"test","accountId":"u1$(touch %s/pwned5)\\n%s","changed":{"Email":"e9"},"pushState":"p10","reason":"push","time":"TIME"}
{"event":"state","account":"test","accountId":"u1","changed":{"Email":"e%s"},"pushState":"p%s","reason":"push","time":"TIME"}' "$T" "$T" "$T" "$R" "$R" "$R" "$LONG" "$T" "$T" "$R" "$R" "$R")"

daemon_stop
for n in 1 2 3; do
	[ -s "$T/hook.$n.cmdline" ] || fail "hook run $n left no argv"
	! grep -qa 'pwned\|touch' "$T/hook.$n.cmdline" ||
	    fail "a server value is in the argv of hook run $n"
done
for f in pwned pwned2 pwned3 pwned4 pwned5; do
	[ ! -e "$T/$f" ] || fail "a server value was run: $T/$f exists"
done
# Every log line valid UTF-8 without control characters: nothing a server
# sent can forge a line.
$PY -c 'import sys
for n, l in enumerate(open(sys.argv[1], "rb").read().split(b"\n"), 1):
	t = l.decode("utf-8")
	if any((ord(c) < 32 and c != "\t") or 127 <= ord(c) < 160 for c in t):
		sys.exit("line %d has a control character: %r" % (n, t))' \
    "$T/daemon.log" || fail "the log is not clean UTF-8 lines"
expect_log "hook hostile: account test: type \"a=b\" only on stdin"
echo "ok"
