#!/bin/bash
# SPDX-License-Identifier: ISC
# Accounts are independent: while the receiver holds one account's event,
# the other account's events are delivered; the held account's events
# follow in order once the receiver answers.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/webhooklib.sh" || exit 99

server_start
write_config
add_account second
receiver_start --threaded
add_webhook "http://127.0.0.1:$RPORT/" "events = state"
printf 'hold\n' >"$T/rx.plan"
daemon_start
wait_connected 2

account_of() { received_body "$1" | sed -n 's/.*"account":"\([a-z]*\)".*/\1/p'; }
push_state_of() { received_body "$1" | sed -n 's/.*"pushState":"\([a-z0-9]*\)".*/\1/p'; }

# Both accounts (the same login) get p1: one POST is held, the other
# answered.
control 'deliver?account=u1' >/dev/null
wait_received 1
free=$(account_of 1)
case $free in
test) held=second ;;
second) held=test ;;
*) fail "request 1: $(received_body 1)" ;;
esac
[ "$(push_state_of 1)" = p1 ] || fail "request 1: $(received_body 1)"
# The free account goes on while the other waits.
control 'deliver?account=u1' >/dev/null
wait_received 2
[ "$(account_of 2) $(push_state_of 2)" = "$free p2" ] ||
    fail "request 2: $(received_body 2)"
touch "$T/rx.plan.go"
wait_received 4
[ "$(account_of 3) $(push_state_of 3)" = "$held p1" ] ||
    fail "request 3: $(received_body 3)"
[ "$(account_of 4) $(push_state_of 4)" = "$held p2" ] ||
    fail "request 4: $(received_body 4)"
daemon_stop
[ "$(wc -l <"$T/rx.log")" = 4 ] || fail "requests: $(cat "$T/rx.log")"
echo ok
