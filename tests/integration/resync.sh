#!/bin/bash
# SPDX-License-Identifier: ISC
# Servers that cannot replay: changes made while the daemon was down are
# found by comparing states and delivered once with JMAP_REASON=resync; a
# first start with no stored state fires nothing; sync_on_start fires once.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

server_start
write_config
control 'deliver?account=u1' >/dev/null

# First start: nothing stored, nothing to compare with, nothing fires.
daemon_start
wait_log 'states unchanged since last seen'
daemon_stop
expect_runs 0

# Down: one delivery, then the server forgets its history (a restart).
control 'deliver?account=u1' >/dev/null
control 'fault?name=forget' >/dev/null
daemon_start
wait_hook 1
expect_file "$T/hook.1.env" 'JMAP_ACCOUNT=test
JMAP_ACCOUNT_ID=u1
JMAP_HOOK=record
JMAP_REASON=resync
JMAP_STATE_Email=e2
JMAP_STATE_Mailbox=m2
JMAP_STATE_Thread=t2
JMAP_TYPES=Email Mailbox Thread'
expect_stdin "$T/hook.1.stdin" '{"@type":"StateChange","changed":{"u1":{"Email":"e2","Mailbox":"m2","Thread":"t2"}}}'

# The next push is delivered once, and the replay of a known state is not.
control 'deliver?account=u1' >/dev/null
wait_hook 2
daemon_stop
daemon_start
wait_log 'states unchanged since last seen' 2
expect_runs 2

# sync_on_start: the first connect delivers every state once.
daemon_stop
sed -i 's/^\[account test\]$/[account test]\nsync_on_start = yes/' "$T/config"
daemon_start
wait_hook 3
grep -qx 'JMAP_REASON=resync' "$T/hook.3.env" || fail "sync_on_start run is not a resync"
grep -qx 'JMAP_STATE_Email=e3' "$T/hook.3.env" || fail "sync_on_start run lacks Email"
daemon_stop
expect_runs 3
echo "ok"
