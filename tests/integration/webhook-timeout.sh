#!/bin/bash
# SPDX-License-Identifier: ISC
# A receiver that does not answer within timeout: the attempt is given up,
# logged, and the same event retried with the same id; the receiver, which
# did get the first attempt, sees the duplicate by its id.  Hooks go on
# meanwhile.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/webhooklib.sh" || exit 99

server_start
write_config
receiver_start
add_webhook "http://127.0.0.1:$RPORT/" "events = state
timeout = 1s"
printf 'hold\n' >"$T/rx.plan"
daemon_start

control 'deliver?account=u1' >/dev/null
wait_hook 1
wait_log 'webhook rx: account test: delivery [0-9a-f]* failed: no complete response within the time limit; retrying in'
id1=$(sed -n 's/.*delivery \([0-9a-f]*\) failed.*/\1/p' "$T/log.match")
# The receiver hangs, the daemon does not.
control 'change?account=u1&type=Mailbox' >/dev/null
wait_hook 2
touch "$T/rx.plan.go"
# Attempts of the first event that time out while others wait their turn
# at the receiver are all logged there, with the same id.
wait_log 'webhook rx: account test: delivered ' 2
n=$(wc -l <"$T/rx.log")
[ "$n" -ge 3 ] || fail "only $n requests: $(cat "$T/rx.log")"
[ "$(head -n $((n - 1)) "$T/rx.log" | cut -d' ' -f1 | sort -u)" = "$id1" ] ||
    fail "the retries changed the id: $(cat "$T/rx.log")"
received_body "$n" | grep -q '"pushState":"p2"' || fail "last: $(received_body "$n")"
[ "$(received "$n" 1)" != "$id1" ] || fail "the second event has the first's id"
daemon_stop
echo ok
