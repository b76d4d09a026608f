#!/bin/bash
# SPDX-License-Identifier: ISC
# Events for a receiver that is down survive a clean stop of the daemon in
# the state directory (mode 0600) and reach the receiver after the next
# start, in order, with the ids of the failed attempts.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/webhooklib.sh" || exit 99

server_start
write_config
# Learn a free port, then leave it closed: connections are refused.
receiver_start
receiver_stop
add_webhook "http://127.0.0.1:$RPORT/" "events = state"
daemon_start

control 'deliver?account=u1' >/dev/null
wait_hook 1
wait_log 'webhook rx: account test: delivery [0-9a-f]* failed: .*; retrying in'
id1=$(sed -n 's/.*webhook rx: account test: delivery \([0-9a-f]*\) failed.*/\1/p' "$T/log.match")
control 'deliver?account=u1' >/dev/null
wait_hook 2
daemon_stop
expect_log 'webhook rx: saved the events not delivered yet (2) for the next start'
[ "$(stat -c %a "$T/state/webhook-rx.queue")" = 600 ] ||
    fail "queue file mode $(stat -c %a "$T/state/webhook-rx.queue")"
grep -q "\"id\":\"$id1\"" "$T/state/webhook-rx.queue" ||
    fail "the queue file lacks $id1: $(cat "$T/state/webhook-rx.queue")"

receiver_start
mv "$T/daemon.log" "$T/daemon.1.log"
daemon_start
wait_received 2
[ "$(received 1 1)" = "$id1" ] || fail "replayed with id $(received 1 1), not $id1"
[ "$(received 2 1)" != "$id1" ] || fail "the second event has the first's id"
received_body 1 | grep -q '"pushState":"p1"' || fail "first: $(received_body 1)"
received_body 2 | grep -q '"pushState":"p2"' || fail "second: $(received_body 2)"
[ "$(received 1 3)$(received 2 3)" = okok ] || fail "signatures"
expect_log 'webhook rx: sending the events saved at the last stop (2)'
[ ! -e "$T/state/webhook-rx.queue" ] || fail "the queue file was not removed"
[ "$(wc -l <"$T/rx.log")" = 2 ] || fail "sent twice: $(cat "$T/rx.log")"

# A reload that removes the webhook drops what it holds, and says so.
receiver_stop
control 'deliver?account=u1' >/dev/null
wait_hook 3
wait_log 'webhook rx: account test: delivery [0-9a-f]* failed'
sed -i '/^\[webhook rx\]/,$d' "$T/config"
kill -HUP "$DAEMON_PID"
wait_log 'webhook rx: removed from the configuration; dropped the events not delivered (1)'
daemon_stop
[ ! -e "$T/state/webhook-rx.queue" ] || fail "a removed webhook's queue was saved"
echo ok
