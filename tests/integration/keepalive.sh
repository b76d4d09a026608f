#!/bin/bash
# SPDX-License-Identifier: ISC
# A peer that stops answering (TCP open, nothing flows) is found dead within
# ping_interval + ping_timeout and replaced; nothing is delivered twice.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

server_start
write_config 'ping_interval = 1s
ping_timeout = 1s'
daemon_start
control 'deliver?account=u1' >/dev/null
wait_hook 1

# The whole server process stops: its kernel keeps the TCP connection open.
kill -STOP "$SERVER_PID"
wait_log 'no answer to a ping within 1.0s; the connection is dead'
kill -CONT "$SERVER_PID"
wait_server 'handshakes=2'
wait_server 'pushEnabled=1'
control 'deliver?account=u1' >/dev/null
wait_hook 2

# The server keeps the connection but neither reads nor writes on it.
control 'fault?name=stall' >/dev/null
wait_log 'no answer to a ping within 1.0s; the connection is dead' 2
control 'fault?name=none' >/dev/null
wait_server 'handshakes=3'
wait_server 'pushEnabled=1'
control 'deliver?account=u1' >/dev/null
wait_hook 3
expect_runs 3
daemon_stop
echo "ok"
