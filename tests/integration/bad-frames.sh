#!/bin/bash
# SPDX-License-Identifier: ISC
# Garbage and oversized frames: the daemon logs a warning, drops the
# connection, reconnects, and the next delivery still fires the hook once.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

server_start
write_config 'max_frame = 1M'
daemon_start

control 'fault?name=garbage' >/dev/null
wait_server 'handshakes=2'
wait_server 'pushEnabled=1'
expect_log 'account test: the server sent a malformed frame'
control 'deliver?account=u1' >/dev/null
wait_hook 1

# 10 MB, as a hostile server might: the daemon stops reading at 1 MiB.
control 'fault?name=oversized&kib=10240' >/dev/null
wait_server 'handshakes=3'
wait_server 'pushEnabled=1'
expect_log 'account test: server sent a message larger than max_frame (1048576 bytes)'
control 'deliver?account=u1' >/dev/null
wait_hook 2
expect_runs 2
kill -0 "$DAEMON_PID" || fail "daemon died"
daemon_stop
echo "ok"
