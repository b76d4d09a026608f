#!/bin/bash
# SPDX-License-Identifier: ISC
# The state comparison after connecting travels as a POST, apart from the
# event stream: when the server answered it before a change but the answer
# arrives after that change's push, its older states must neither run the
# hook again (JMAP_REASON=resync with a stale state) nor replace the pushed
# states in the store (which would run it a third time later).
JP_TRANSPORT=eventsource
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

server_start
write_config
control 'fault?name=holdapi' >/dev/null
daemon_start
wait_server 'apiHeld=1'

control 'deliver?account=u1' >/dev/null
wait_hook 1
grep -qx 'JMAP_REASON=push' "$T/hook.1.env" || fail "run 1 is not the push"
grep -qx 'JMAP_STATE_Email=e1' "$T/hook.1.env" || fail "run 1 lacks e1"

# The comparison's answer (Email e0, Mailbox m0, Thread t0) arrives now.
control release >/dev/null
wait_log 'the state comparison predates 3 pushed state(s); those stand'
wait_log 'states unchanged since last seen'

control 'deliver?account=u1' >/dev/null
wait_hook 2
grep -qx 'JMAP_REASON=push' "$T/hook.2.env" || fail "run 2 is not the push"
grep -qx 'JMAP_STATE_Email=e2' "$T/hook.2.env" || fail "run 2 lacks e2"

# A restart compares again: the store holds e2, so nothing runs.
daemon_stop
daemon_start
wait_log 'states unchanged since last seen' 2
daemon_stop
expect_runs 2
echo "ok"
