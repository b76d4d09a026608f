#!/bin/bash
# SPDX-License-Identifier: ISC
# Refused handshakes, rejected credentials and a dropped TCP connection:
# the daemon keeps retrying and a delivery after the fault reaches the hook
# exactly once.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

server_start
write_config
daemon_start

# Dropped without a close frame.
control 'fault?name=drop' >/dev/null
wait_server 'handshakes=2'
wait_server 'pushEnabled=1'
expect_log 'account test: connection lost'
control 'deliver?account=u1' >/dev/null
wait_hook 1

# The next two upgrades are refused with 503, then it works again.
control 'fault?name=refuse&count=2' >/dev/null
control 'fault?name=drop' >/dev/null
wait_server 'handshakes=3'
wait_server 'pushEnabled=1'
expect_log 'server refused the WebSocket upgrade with HTTP 503'
control 'deliver?account=u1' >/dev/null
wait_hook 2

# Rejected credentials are reported as such.
control 'fault?name=unauthorized&count=1' >/dev/null
control 'fault?name=drop' >/dev/null
wait_server 'handshakes=4'
wait_server 'pushEnabled=1'
expect_log 'the server rejected the credentials'
control 'deliver?account=u1' >/dev/null
wait_hook 3

# A server that does not speak the jmap subprotocol is refused.
control 'fault?name=nosubprotocol&count=1' >/dev/null
control 'fault?name=drop' >/dev/null
wait_server 'handshakes=5'
wait_server 'pushEnabled=1'
expect_log 'subprotocol'
control 'deliver?account=u1' >/dev/null
wait_hook 4
expect_runs 4
daemon_stop
echo "ok"
