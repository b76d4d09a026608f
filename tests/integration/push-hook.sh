#!/bin/bash
# SPDX-License-Identifier: ISC
# A delivery reaches the hook exactly once, with the exact environment and
# the StateChange on stdin.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

server_start
write_config
daemon_start

control 'deliver?account=u1' >/dev/null
wait_hook 1
expect_file "$T/hook.1.env" 'JMAP_ACCOUNT=test
JMAP_ACCOUNT_ID=u1
JMAP_HOOK=record
JMAP_PUSH_STATE=p1
JMAP_REASON=push
JMAP_STATE_Email=e1
JMAP_STATE_EmailDelivery=d1
JMAP_STATE_Mailbox=m1
JMAP_STATE_Thread=t1
JMAP_TYPES=Email EmailDelivery Mailbox Thread'
expect_stdin "$T/hook.1.stdin" '{"@type":"StateChange","changed":{"u1":{"Email":"e1","EmailDelivery":"d1","Mailbox":"m1","Thread":"t1"}},"pushState":"p1"}'

# A second delivery is a second run, and no run is repeated.
control 'deliver?account=u1' >/dev/null
wait_hook 2
expect_runs 2
grep -q '^JMAP_PUSH_STATE=p2$' "$T/hook.2.env" || fail "second run has the wrong pushState"

# The pushState is saved after the hook started (soon, or at the latest
# when the daemon stops).
daemon_stop
grep -q '"p2"' "$T"/state/test.state || fail "pushState p2 not in the state file"
expect_log 'connected to \(ws\|http\)://127.0.0.1'
echo "ok"
