#!/bin/bash
# SPDX-License-Identifier: ISC
# Close frames 1000, 1001 and 1011: a long-lived connection closed cleanly
# comes back at once without a backoff penalty; a delivery afterwards
# reaches the hook exactly once each time.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

server_start
write_config 'backoff_reset = 1ms'
daemon_start

n=1
for code in 1000 1001 1011; do
	# Long-lived: up longer than backoff_reset (1ms: any connection that
	# reached the server's wait endpoint).
	wait_log 'connected to ws://' "$n"
	control "close?code=$code" >/dev/null
	wait_log "the server closed the connection (code $code); reconnecting now"
	n=$((n + 1))
	wait_server "handshakes=$n"
	wait_server 'pushEnabled=1'
	control 'deliver?account=u1' >/dev/null
	wait_hook $((n - 1))
done
expect_runs 3
daemon_stop
echo "ok"
