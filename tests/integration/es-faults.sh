#!/bin/bash
# SPDX-License-Identifier: ISC
# EventSource faults: a server that closes a long-lived stream (Cyrus after
# its HTTP timeout) is rejoined at once; a silent stream is declared dead
# after twice the ping interval plus 10 s; a dropped one is rejoined; every
# delivery after a fault reaches the hook exactly once.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

# A stream counts as long-lived after backoff_reset: the server's streams
# outlive it by 2 s, and the drop below comes as soon as a stream opened,
# 2 s before it would.
server_start --ws-url none --es-close-after 4
write_config 'ping_interval = 1s
backoff_reset = 2s'
${JP_DAEMON_WRAPPER:-} "$DAEMON" -c "$T/config" -v 2>>"$T/daemon.log" &
DAEMON_PID=$!
wait_server 'esConnects=1'

wait_log 'the server closed the event stream; reconnecting now'
wait_server 'esConnects=2'
control 'deliver?account=u1' >/dev/null
wait_hook 1

# A drop landing as the server closes a stream looks like a clean close, and
# one between two streams finds none: streams opened from now on last until
# a fault ends them, and the faults wait for such a stream.  (The daemon
# cannot tell a dropped stream from a clean end: lws completes a chunked body
# at EOF.  A drop is only a failure because the stream is young.)
n=$(control 'closeafter?seconds=0' | sed -n 's/.*"esConnects":\([0-9]*\).*/\1/p')
wait_server "esConnects=$((n + 1))"
control 'fault?name=drop' >/dev/null
wait_log 'account test: .*retrying in'
wait_server "esConnects=$((n + 2))"
control 'deliver?account=u1' >/dev/null
wait_hook 2

control 'fault?name=stall' >/dev/null
wait_log 'nothing from the event stream for 12s; the connection is dead'
control 'fault?name=none' >/dev/null
wait_server "esConnects=$((n + 3))"
control 'deliver?account=u1' >/dev/null
wait_hook 3
expect_runs 3
daemon_stop
echo "ok"
