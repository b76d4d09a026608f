#!/bin/bash
# SPDX-License-Identifier: ISC
# A hostile server's sizes: a Session object of 8 MiB and one that never
# ends, an event-stream line that never ends, an API response that never
# ends.  Each is cut at its bound with one clear line in the log, the
# daemon carries on, and its memory stays bounded over repeats.
JP_TRANSPORT=eventsource
JP_TEST_WAIT=${JP_TEST_WAIT:-60}
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99


measure_memory
server_start
write_config
control 'fault?name=endless&what=session' >/dev/null
control 'fault?name=hugesession&kib=8192' >/dev/null
daemon_start
expect_log 'warning: account test: session request failed: response larger than 4194304 bytes; retrying in'
[ "$(grep -c 'session request failed: response larger than 4194304 bytes' "$T/daemon.log")" = 2 ] ||
    fail "expected two oversized Sessions in the log"
grep -q 'testserver: endless: the client closed after' "$T/server.log" ||
    fail "the endless Session did not end"

# round N: an endless event-stream line, then an endless API response to
# the resync that follows the reconnect.
round() {
	control 'fault?name=endless&what=api' >/dev/null
	control 'fault?name=endless&what=stream' >/dev/null
	wait_log 'event stream: line longer than 1048576 bytes' "$1"
	wait_log 'response larger than 4194304 bytes' "$1"
	wait_server "esConnects=$(( $1 + 1 ))"
}
round 1
before=$(rss_kb)
round 2
round 3
round 4
expect_rss_growth "$before"

control 'deliver?account=u1' >/dev/null
wait_hook 1
expect_runs 1
kill -0 "$DAEMON_PID" || fail "daemon died"
daemon_stop
echo "ok"
