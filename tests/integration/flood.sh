#!/bin/bash
# SPDX-License-Identifier: ISC
# A flood of 10,000 StateChanges: the daemon keeps up, its memory stays
# bounded, the hook coalesces the flood into a few runs ending at the last
# state, and a delivery afterwards reaches the hook exactly once.
# Under the sanitizers on two busy cores the flood takes half a minute, and
# the first hook run may wait for max_delay (30 s): eight times the usual
# wait (which check-valgrind raises).
JP_TEST_WAIT=$((${JP_TEST_WAIT:-15} * 8))
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99



measure_memory
server_start
write_config
sed -i 's/^debounce = 0$/debounce = 300ms/' "$T/config"
daemon_start
before=$(rss_kb)

# In chunks, so that the single-threaded test server still answers pings
# between them; the daemon takes the 10,000 frames as they come.
for _ in $(seq 10); do
	control 'deliver?account=u1&count=1000' >/dev/null
done
# Runs come as the debounce and max_delay allow; the last has e10000.
runs=0
while :; do
	runs=$((runs + 1))
	wait_hook "$runs"
	grep -qx 'JMAP_STATE_Email=e10000' "$T/hook.$runs.env" && break
	[ "$runs" -lt 100 ] || fail "no run reached e10000 in 100 runs"
done
# Bounded: nothing of the flood is kept.
echo "${runs} hook runs"
expect_rss_growth "$before"

control 'deliver?account=u1' >/dev/null
wait_hook $((runs + 1))
grep -qx 'JMAP_STATE_Email=e10001' "$T/hook.$((runs + 1)).env" || fail "no run for e10001"
expect_runs $((runs + 1))
kill -0 "$DAEMON_PID" || fail "daemon died"
daemon_stop
echo "ok"
