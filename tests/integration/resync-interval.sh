#!/bin/bash
# SPDX-License-Identifier: ISC
# resync_interval: a server whose push went quiet while its connection
# stays alive (pings answered) still gets its changes delivered, found by
# the periodic state comparison with JMAP_REASON=resync, each once; a
# comparison that finds nothing new runs nothing.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

server_start
write_config 'resync_interval = 1s'
daemon_start

control 'fault?name=quiet' | grep -q '"quiet":true' || fail "quiet fault not set"
control 'deliver?account=u1' >/dev/null
wait_hook 1
# EmailDelivery has no /get: only a push can tell it.
expect_file "$T/hook.1.env" 'JMAP_ACCOUNT=test
JMAP_ACCOUNT_ID=u1
JMAP_HOOK=record
JMAP_REASON=resync
JMAP_STATE_Email=e1
JMAP_STATE_Mailbox=m1
JMAP_STATE_Thread=t1
JMAP_TYPES=Email Mailbox Thread'
expect_stdin "$T/hook.1.stdin" '{"@type":"StateChange","changed":{"u1":{"Email":"e1","Mailbox":"m1","Thread":"t1"}}}'
expect_log 'account test: change found by resync in u1 (alice@example.com): Email=e1 Mailbox=m1 Thread=t1'

control 'change?account=u1&type=Mailbox' >/dev/null
wait_hook 2
expect_file "$T/hook.2.env" 'JMAP_ACCOUNT=test
JMAP_ACCOUNT_ID=u1
JMAP_HOOK=record
JMAP_REASON=resync
JMAP_STATE_Mailbox=m2
JMAP_TYPES=Mailbox'

# Push works again: the change comes as a push, and the comparisons after
# it find nothing to deliver a second time.
control 'fault?name=none' >/dev/null
control 'deliver?account=u1' >/dev/null
wait_hook 3
grep -qx 'JMAP_REASON=push' "$T/hook.3.env" || fail "run 3 is not a push: $(cat "$T/hook.3.env")"
grep -qx 'JMAP_STATE_Email=e2' "$T/hook.3.env" || fail "run 3 is not for e2: $(cat "$T/hook.3.env")"
n=$(grep -c 'comparing states (resync_interval)' "$T/daemon.log")
# The second starts only once the first was answered.
wait_log 'comparing states (resync_interval)' "$((n + 2))"
expect_runs 3
daemon_stop
echo "ok"
