#!/bin/bash
# SPDX-License-Identifier: ISC
# A webhook gets each state event as one signed POST, in order, with the
# headers of headers_file; a 503 with Retry-After is retried no sooner,
# with the same delivery id; a 400 drops the event and the next one goes.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/webhooklib.sh" || exit 99

server_start
write_config
receiver_start
printf '# a comment\nAuthorization: Bearer tok123\n' >"$T/whheaders"
chmod 600 "$T/whheaders"
add_webhook "http://127.0.0.1:$RPORT/hook" "headers_file = $T/whheaders
events = state"
printf '503 1\n200\n400\n' >"$T/rx.plan"
daemon_start

state() {
	printf '{"event":"state","account":"test","accountId":"u1","changed":{"Email":"e%s","EmailDelivery":"d%s","Mailbox":"m%s","Thread":"t%s"},"pushState":"p%s","reason":"push","time":"T"}' "$1" "$1" "$1" "$1" "$1"
}

control 'deliver?account=u1' >/dev/null
wait_received 2
id1=$(received 1 1)
echo "$id1" | grep -qx '[0-9a-f]\{32\}' || fail "delivery id $id1"
[ "$(received 2 1)" = "$id1" ] || fail "the retry has another delivery id"
for n in 1 2; do
	[ "$(received $n 3)" = ok ] || fail "request $n: signature not ok"
	[ "$(received $n 4)" = Bearer_tok123 ] || fail "request $n: no Authorization"
	[ "$(received_body $n)" = "$(state 1)" ] || fail "request $n: body $(received_body $n)"
done
[ "$(received 1 2)" = 503 ] && [ "$(received 2 2)" = 200 ] || fail "statuses"
# Retry-After: 1 is a lower bound for the retry.
awk 'NR == 1 { t = $1 } NR == 2 { exit !($1 - t >= 1.0) }' "$T/rx.log.times" ||
    fail "retried sooner than Retry-After: $(cat "$T/rx.log.times")"
wait_log "webhook rx: account test: delivery $id1 failed: HTTP 503; retrying in"

# A 400 is not retried: logged, dropped, and the next event goes.
control 'deliver?account=u1' >/dev/null
wait_received 3
id3=$(received 3 1)
[ "$(received_body 3)" = "$(state 2)" ] || fail "request 3: $(received_body 3)"
wait_log "webhook rx: account test: the receiver refused the event (pushState p2) with HTTP 400: dropped delivery $id3; fix the receiver or the url"
control 'deliver?account=u1' >/dev/null
wait_received 4
[ "$(received_body 4)" = "$(state 3)" ] || fail "request 4: $(received_body 4)"
[ "$(received 4 2)" = 200 ] || fail "request 4 status"
[ "$(received 4 1)" != "$id3" ] && [ "$(received 4 1)" != "$id1" ] ||
    fail "delivery ids not unique"

daemon_stop
[ "$(wc -l <"$T/rx.log")" = 4 ] || fail "more requests than expected: $(cat "$T/rx.log")"
# Nothing was left to save, and no secret reached the log.
[ ! -e "$T/state/webhook-rx.queue" ] || fail "a queue file was left"
! grep -q 'whsecret\|tok123' "$T/daemon.log" || fail "a secret in the log"
echo ok
