#!/bin/bash
# SPDX-License-Identifier: ISC
# The mail view lives in the state file: mail delivered while the daemon
# was stopped runs a mail-aware hook once after the start (and nothing
# from before the first start ever does), and a mail-aware run still owed
# at a stop (waiting out its debounce) keeps its mail data in the state
# file and runs once, with that data, after the next start.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/maillib.sh" || exit 99
STATE="$T/state/test.state"

server_start
# Mail from before the first start: learnt, never announced.
control 'mail/deliver?subject=Old' >/dev/null
mail_config
add_mail_hook inbox 'mailboxes = inbox'
daemon_start
wait_round 1
daemon_stop
grep -q '"mail":{"u1":{"version":1,"mailboxState":"m1","emailState":"e1","mailboxes":\[' "$STATE" ||
    fail "no mail view in the state file: $(cat "$STATE")"

# 1. Two deliveries and a draft while stopped: one run after the start.
control 'mail/deliver?subject=One' >/dev/null
control 'mail/deliver?subject=Two' >/dev/null
control 'mail/draft?subject=Draft' >/dev/null
: >"$T/daemon.log"
daemon_start
wait_runs "inbox 1"
expect_file "$T/inbox.1.env" "JMAP_ACCOUNT=test
JMAP_ACCOUNT_ID=u1
JMAP_EVENTS=new
JMAP_HOOK=inbox
JMAP_MAILBOX=Inbox
JMAP_MAILBOXES=Inbox
JMAP_NEW_COUNT=2
JMAP_REASON=resync
JMAP_TYPES=
JMAP_UNREAD=3"
grep -o '"subject":"[A-Za-z]*"' "$T/inbox.1.stdin" | tr '\n' ' ' >"$T/subjects"
expect_stdin "$T/subjects" '"subject":"One" "subject":"Two" '

# 2. A run owed at the stop keeps its mail data.
daemon_stop
sed -i 's/^debounce = 0$/debounce = 5s/' "$T/config"
: >"$T/daemon.log"
daemon_start
wait_round 1
control 'mail/deliver?subject=Owed' >/dev/null
wait_round 2
daemon_stop
expect_runs 0
grep -q '"pending":{"inbox":{"u1":{"changed":{},"reason":"push","mail":\[{"boxes":\[{"id":"mb-inbox","path":"Inbox","role":"inbox","unread":4,"total":4,"events":1,' "$STATE" ||
    fail "the owed run is not in the state file: $(cat "$STATE")"
sed -i 's/^debounce = 5s$/debounce = 0/' "$T/config"
: >"$T/daemon.log"
daemon_start
wait_runs "inbox 2"
wait_log "hook inbox: account test: queueing again the run owed for u1 from before the restart (push)"
expect_file "$T/inbox.2.env" "JMAP_ACCOUNT=test
JMAP_ACCOUNT_ID=u1
JMAP_EVENTS=new
JMAP_HOOK=inbox
JMAP_MAILBOX=Inbox
JMAP_MAILBOXES=Inbox
JMAP_NEW_COUNT=1
JMAP_REASON=push
JMAP_TYPES=
JMAP_UNREAD=4"
grep -q '"new":\[{"id":"M5","mailbox":"Inbox","from":\[{"name":"Sender 5","email":"sender5@example.com"}\],"subject":"Owed",' "$T/inbox.2.stdin" ||
    fail "inbox 2 stdin: $(cat "$T/inbox.2.stdin")"

# Closing: a fresh delivery is the next run, nothing ran twice.
control 'mail/deliver?subject=Fresh' >/dev/null
wait_runs "inbox 3"
grep -qx 'JMAP_NEW_COUNT=1' "$T/inbox.3.env" || fail "inbox 3: $(cat "$T/inbox.3.env")"
grep -q '"subject":"Fresh"' "$T/inbox.3.stdin" || fail "inbox 3 is not the fresh mail"
daemon_stop
[ "$(cat "$T/runs.inbox")" = 3 ] || fail "inbox ran $(cat "$T/runs.inbox") times"
grep -q '"pending"' "$STATE" && fail "runs still pending: $(cat "$STATE")"
echo ok
