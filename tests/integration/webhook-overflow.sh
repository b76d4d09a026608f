#!/bin/bash
# SPDX-License-Identifier: ISC
# A full webhook queue coalesces while the receiver hangs: a later state
# event of the same JMAP account absorbs an earlier one, an event with no
# later twin is dropped and counted in one overflow event, in the
# account's order, and the event in flight is left alone.  The signing
# key comes from secret_command.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/webhooklib.sh" || exit 99

server_start --accounts 2
write_config
receiver_start
add_webhook "http://127.0.0.1:$RPORT/" "events = state
queue = 2"
# The key from secret_command this time.
sed -i "s|^secret_file = .*|secret_command = cat $T/whkey|" "$T/config"
# The first POST hangs until rx.plan.go exists.
printf 'hold\n' >"$T/rx.plan"
daemon_start
# The first event must find the key there, or it would not be in flight.
wait_log 'webhook rx: signing key read'

# Each change has run the hook once it was queued for the webhook too
# (outputs_state hands it to both).
control 'deliver?account=u1' >/dev/null		# p1: in flight, held
wait_hook 1
control 'deliver?account=s2' >/dev/null		# p2: dropped, counted
wait_hook 2
control 'deliver?account=u1' >/dev/null		# p3: merged into p4
wait_hook 3
control 'change?account=u1&type=Mailbox' >/dev/null	# p4
wait_hook 4
touch "$T/rx.plan.go"
wait_received 3
expect_file <(cut -d' ' -f2- "$T/rx.log") '200 ok - {"event":"state","account":"test","accountId":"u1","changed":{"Email":"e1","EmailDelivery":"d1","Mailbox":"m1","Thread":"t1"},"pushState":"p1","reason":"push","time":"T"}
200 ok - {"event":"overflow","account":"test","dropped":1}
200 ok - {"event":"state","account":"test","accountId":"u1","changed":{"Email":"e2","EmailDelivery":"d2","Mailbox":"m3","Thread":"t2"},"pushState":"p4","reason":"push","time":"T"}'
[ "$(cut -d' ' -f1 "$T/rx.log" | sort -u | wc -l)" = 3 ] ||
    fail "delivery ids not distinct"

# The queue is empty again: the next event goes at once.
control 'deliver?account=s2' >/dev/null
wait_received 4
[ "$(received 4 2)" = 200 ] || fail "request 4"
received_body 4 | grep -q '"accountId":"s2".*"pushState":"p5"' ||
    fail "request 4: $(received_body 4)"
daemon_stop
echo ok
