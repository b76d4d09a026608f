#!/bin/bash
# SPDX-License-Identifier: ISC
# headers_file lines that would not fit libwebsockets' request buffer
# with the url are refused where the file is read, saying how many bytes
# fit (else every POST would fail and be retried forever); as many as fit
# are sent.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/webhooklib.sh" || exit 99

# big N: a headers_file of one header line that takes N bytes as sent
# ("X-Big: VALUE" and CRLF).
big() {
	printf 'X-Big: %s\n' "$(head -c $(($1 - 9)) /dev/zero | tr '\0' a)" >"$T/whheaders"
	chmod 600 "$T/whheaders"
}

server_start
write_config
receiver_start
url="http://127.0.0.1:$RPORT/hook"
room=$((3840 - ${#url}))
add_webhook "$url" "headers_file = $T/whheaders
events = state"
line=$(grep -n '^headers_file = ' "$T/config" | cut -d: -f1)

big $((room + 1))
rc=0
"$DAEMON" --check-config -c "$T/config" >"$T/out" 2>&1 || rc=$?
[ $rc -ne 0 ] || fail "headers_file too large accepted"
grep -vx "$T/config:$line: \[webhook rx\]: headers_file $T/whheaders: $((room + 1)) bytes of headers, at most $room fit (with this url); shorten or remove some" \
    "$T/out" >"$T/other" && fail "unexpected output: $(cat "$T/out")"
[ -s "$T/out" ] || fail "nothing said"

big "$room"
"$DAEMON" --check-config -c "$T/config" >"$T/out" 2>&1 ||
    fail "headers_file that fits refused: $(cat "$T/out")"
daemon_start
control 'deliver?account=u1' >/dev/null
wait_received 1
[ "$(received 1 2)" = 200 ] || fail "status $(received 1 2)"
[ "$(received 1 3)" = ok ] || fail "signature not ok"
daemon_stop
echo ok
