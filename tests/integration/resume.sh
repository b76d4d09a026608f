#!/bin/bash
# SPDX-License-Identifier: ISC
# A change made while the daemon is down reaches the hook when it starts
# again: the stored pushState makes the server replay it.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

server_start
write_config
daemon_start
control 'deliver?account=u1' >/dev/null
wait_hook 1
daemon_stop

# Delivered while nobody listens.
control 'deliver?account=u1' >/dev/null

daemon_start
wait_hook 2
expect_stdin "$T/hook.2.stdin" '{"@type":"StateChange","changed":{"u1":{"Email":"e2","EmailDelivery":"d2","Mailbox":"m2","Thread":"t2"}},"pushState":"p2"}'
control status | grep -q '"lastPushEnable":{"dataTypes":\[[^]]*\],"pushState":"p1"}' ||
    fail "the daemon did not resume from pushState p1: $(control status)"
expect_runs 2

# The replayed change is not replayed again on the next start.
daemon_stop
daemon_start
control 'deliver?account=u1' >/dev/null
wait_hook 3
grep -q '^JMAP_PUSH_STATE=p3$' "$T/hook.3.env" || fail "run 3 is not for p3"
expect_runs 3
echo "ok"
