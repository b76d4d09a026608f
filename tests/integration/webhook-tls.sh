#!/bin/bash
# SPDX-License-Identifier: ISC
# A receiver whose certificate is not trusted gets nothing, and the event
# is retried rather than dropped; once a reload names the right CA, the
# event (kept across the reload, with its id) is delivered.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/tlslib.sh" || exit 99
. "$top_srcdir/tests/integration/webhooklib.sh" || exit 99

make_ca ca
make_ca other
cert rx ca localhost
server_start
write_config
receiver_start --tls-cert "$T/rx.pem" --tls-key "$T/rx.key"
cp "$T/config" "$T/config.base"
add_webhook "https://localhost:$RPORT/" "events = state
ca_file = $T/other.pem"
daemon_start

control 'deliver?account=u1' >/dev/null
wait_hook 1
wait_log 'webhook rx: account test: delivery [0-9a-f]* failed: .*certificate.*; retrying in' 2
id1=$(sed -n '1s/.*webhook rx: account test: delivery \([0-9a-f]*\) failed.*/\1/p' "$T/log.match")
[ "$(sed -n '2s/.*delivery \([0-9a-f]*\) failed.*/\1/p' "$T/log.match")" = "$id1" ] ||
    fail "the retry has another id: $(cat "$T/log.match")"
[ ! -s "$T/rx.log" ] || fail "the receiver got a request: $(cat "$T/rx.log")"
! grep -q 'dropped delivery' "$T/daemon.log" || fail "the event was dropped"

cp "$T/config.base" "$T/config"
add_webhook "https://localhost:$RPORT/" "events = state
ca_file = $T/ca.pem"
kill -HUP "$DAEMON_PID"
wait_received 1
[ "$(received 1 1)" = "$id1" ] || fail "delivered as $(received 1 1), not $id1"
[ "$(received 1 3)" = ok ] || fail "signature"
received_body 1 | grep -q '"pushState":"p1"' || fail "body $(received_body 1)"
daemon_stop
echo ok
