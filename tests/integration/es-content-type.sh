#!/bin/bash
# SPDX-License-Identifier: ISC
# WHATWG HTML: "if res's Content-Type is not `text/event-stream`, then fail
# the connection".  A 200 of another type is not read as an event stream
# (its body here reads like a state event: it must not reach the hook), and
# the account waits backoff_max, as for any error only the server's operator
# can fix, instead of reconnecting as after a stream that worked.
JP_TRANSPORT=eventsource
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

server_start
write_config
control 'fault?name=wrongtype' >/dev/null
daemon_start
wait_log 'states unchanged since last seen'
expect_log "account test: the event stream answered with Content-Type text/html, not text/event-stream; check the server's eventSourceUrl; retrying in 1s"
control status | grep -q '"refused":1,' || fail "not refused once: $(control status)"
control 'deliver?account=u1' >/dev/null
wait_hook 1
grep -q '^JMAP_STATE_Email=e1$' "$T/hook.1.env" || fail "run 1 is not for e1"
expect_runs 1
daemon_stop
echo "ok"
