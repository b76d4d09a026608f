#!/bin/bash
# SPDX-License-Identifier: ISC
# A dropped event (HTTP 400) is an answer from a live receiver: like a
# 2xx it resets the backoff, so the next event's first retry waits at
# most backoff_initial, not the ceiling the failures before the drop had
# doubled up to (eight of them: 5.12 s).
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/webhooklib.sh" || exit 99

server_start
write_config
receiver_start
add_webhook "http://127.0.0.1:$RPORT/hook" "events = state
backoff_initial = 20ms
backoff_max = 1h"
printf '503\n503\n503\n503\n503\n503\n503\n503\n400\n503\n200\n' >"$T/rx.plan"
daemon_start

control 'deliver?account=u1' >/dev/null
wait_received 9
[ "$(received 9 2)" = 400 ] || fail "request 9: $(received 9 2)"
id1=$(received 1 1)
wait_log "dropped delivery $id1"
control 'deliver?account=u1' >/dev/null
wait_received 11
id2=$(received 10 1)
[ "$id2" != "$id1" ] && [ "$(received 11 1)" = "$id2" ] ||
    fail "delivery ids: $id1 $id2 $(received 11 1)"
[ "$(received 11 2)" = 200 ] || fail "request 11: $(received 11 2)"
wait_log "webhook rx: account test: delivery $id2 failed: HTTP 503; retrying in"
delay=$(sed -n 's/.* retrying in \([0-9]*ms\)$/\1/p' "$T/log.match")
case "$delay" in
[0-9]ms|1[0-9]ms|20ms) ;;
*) fail "the retry after a drop waited $(cat "$T/log.match"), not <= 20ms" ;;
esac

daemon_stop
[ "$(wc -l <"$T/rx.log")" = 11 ] || fail "requests: $(cat "$T/rx.log")"
echo ok
