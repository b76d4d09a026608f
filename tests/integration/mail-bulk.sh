#!/bin/bash
# SPDX-License-Identifier: ISC
# 10,000 new emails in one change stay bounded for a mail-aware hook: one
# run, 256 entries on stdin, the rest in newTruncated, JMAP_NEW_COUNT=10000.
# After the server lost its history (cannotCalculateChanges) the hook sees
# `changed` with the server's counts and no `new` at all.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/maillib.sh" || exit 99
command -v python3 >/dev/null || { echo "SKIP: python3 is needed"; exit 77; }

server_start
mail_config
add_mail_hook inbox 'mailboxes = inbox'
daemon_start
wait_round 1

control 'mail/deliver?count=10000' >/dev/null
wait_runs "inbox 1"
expect_file "$T/inbox.1.env" "JMAP_ACCOUNT=test
JMAP_ACCOUNT_ID=u1
JMAP_EVENTS=new
JMAP_HOOK=inbox
JMAP_MAILBOX=Inbox
JMAP_MAILBOXES=Inbox
JMAP_NEW_COUNT=10000
JMAP_REASON=push
JMAP_TYPES=
JMAP_UNREAD=10000"
python3 - "$T/inbox.1.stdin" <<'PY' || fail "inbox 1 stdin is not bounded as it should be"
import json, sys
m = json.load(open(sys.argv[1]))["mail"]
assert len(m["new"]) == 256, len(m["new"])
assert m["newTruncated"] == 9744, m["newTruncated"]
assert m["new"][0]["id"] == "M1", m["new"][0]["id"]
assert m["mailboxes"] == [{"id": "mb-inbox", "path": "Inbox", "role": "inbox",
    "unread": 10000, "total": 10000, "events": ["new"]}], m["mailboxes"]
PY

# Lost history: three mails the daemon was not told about, then the
# server forgets.
control 'fault?name=quiet' >/dev/null
control 'mail/deliver?count=3' >/dev/null
control 'fault?name=none' >/dev/null
control 'mail/forget' >/dev/null
wait_runs "inbox 2"
wait_log 'mail view of u1: the server cannot tell what changed since the saved state'
expect_file "$T/inbox.2.env" "JMAP_ACCOUNT=test
JMAP_ACCOUNT_ID=u1
JMAP_EVENTS=changed
JMAP_HOOK=inbox
JMAP_MAILBOX=Inbox
JMAP_MAILBOXES=Inbox
JMAP_NEW_COUNT=0
JMAP_REASON=push
JMAP_TYPES=
JMAP_UNREAD=10003"
grep -q '"new":\[\],"newTruncated":0}' "$T/inbox.2.stdin" || fail "inbox 2 stdin: $(cat "$T/inbox.2.stdin")"

# Closing: the next delivery is new again, and nothing else ran.
control 'mail/deliver' >/dev/null
wait_runs "inbox 3"
grep -qx 'JMAP_NEW_COUNT=1' "$T/inbox.3.env" || fail "inbox 3: $(cat "$T/inbox.3.env")"
daemon_stop
[ "$(cat "$T/runs.inbox")" = 3 ] || fail "inbox ran $(cat "$T/runs.inbox") times"
echo ok
