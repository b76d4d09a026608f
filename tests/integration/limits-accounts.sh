#!/bin/bash
# SPDX-License-Identifier: ISC
# A server naming ever new accounts: the state store keeps at most 10000
# states and the hook at most 100 waiting runs, each bound logged once per
# overflow; the daemon stays up, its memory bounded, and a delivery after
# that still reaches the hook.
JP_TEST_WAIT=${JP_TEST_WAIT:-60}
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99


measure_memory
server_start
write_config
# Only Email changes reach the hook: the store's part uses another type.
sed -i 's/^debounce = 0$/&\ntypes = Email/' "$T/config"
daemon_start

# 12000 new states in two messages: 10000 are kept.
control 'fault?name=manyaccounts&count=6000&prefix=a&type=Thread' >/dev/null
control 'fault?name=manyaccounts&count=6000&prefix=b&type=Thread' >/dev/null
wait_log "warning: state $T/state/test.state: the server sent more states than the 10000 kept (or names longer than 1024 bytes); changes of the others are still delivered but not remembered across restarts"
wait_log 'change in b6000: Thread='
before=$(rss_kb)

# 200 accounts in one message: 100 runs wait for the hook, the rest are
# dropped with one warning.
control 'fault?name=manyaccounts&count=200&prefix=c&type=Email' >/dev/null
for n in $(seq 100); do
	wait_hook "$n"
done
# Another 200 once the hook is idle again: 100 more runs, one more warning.
control 'fault?name=manyaccounts&count=200&prefix=d&type=Email' >/dev/null
for n in $(seq 101 200); do
	wait_hook "$n"
done
expect_rss_growth "$before"
[ "$(grep -c 'warning: hook record: changes dropped: the server sent more than the hook can queue (too many accounts; at most 100 runs waiting, 100 types per run, 1024 bytes per type name and state)' "$T/daemon.log")" = 2 ] ||
    fail "expected two warnings of dropped hook runs"
[ "$(grep -c 'the server sent more states than the 10000 kept' "$T/daemon.log")" = 1 ] ||
    fail "expected one warning of the full store"

control 'deliver?account=u1' >/dev/null
wait_hook 201
grep -qx 'JMAP_ACCOUNT_ID=u1' "$T/hook.201.env" || fail "run 201 is not u1's"
expect_runs 201
kill -0 "$DAEMON_PID" || fail "daemon died"
daemon_stop
size=$(stat -c %s "$T/state/test.state")
[ "$size" -lt 1048576 ] || fail "state file of $size bytes"
echo "ok"
