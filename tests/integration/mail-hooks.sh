#!/bin/bash
# SPDX-License-Identifier: ISC
# Mail-aware hooks (issue 14): `mailboxes = inbox` runs once for an inbox
# delivery and never for a Drafts save, a Sent append or a move between
# two other mailboxes; `events = new` not on mark-as-read or a destroy;
# `events = deleted` on a destroy; per_mailbox once per mailbox, in path
# order, each with its own JMAP_MAILBOX; exact environment and stdin.
# Each step's runs are awaited; a run a step should not have made shows
# up as an unexpected run in a later step, and the last step (a delivery
# to the inbox that every hook but `deleted` sees) closes the count.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/maillib.sh" || exit 99

server_start
mail_config "types = Email EmailDelivery Mailbox Thread Identity"
add_mail_hook inbox 'mailboxes = inbox'
add_mail_hook new 'events = new'
add_mail_hook deleted 'events = deleted' 'types = Identity'
add_mail_hook perbox 'mailboxes = Work/*, Lists/*' 'per_mailbox = yes'
daemon_start
# The first round only learns the states.
wait_round 1

# 1. An inbox delivery.
id=$(id_of "$(control 'mail/deliver?name=Ann&email=ann@example.com&subject=Hello')")
[ "$id" = M1 ] || fail "first email is $id"
wait_runs "inbox 1" "new 1"
expect_file "$T/inbox.1.env" "JMAP_ACCOUNT=test
JMAP_ACCOUNT_ID=u1
JMAP_EVENTS=new
JMAP_HOOK=inbox
JMAP_MAILBOX=Inbox
JMAP_MAILBOXES=Inbox
JMAP_NEW_COUNT=1
JMAP_REASON=push
JMAP_TYPES=
JMAP_UNREAD=1"
sed 's/"receivedAt":"20[0-9-]*T[0-9:]*Z"/"receivedAt":"RECEIVED"/' "$T/inbox.1.stdin" >"$T/inbox.1.stdin.n"
expect_stdin "$T/inbox.1.stdin.n" '{"@type":"StateChange","changed":{"u1":{}},"mail":{"accountId":"u1","mailboxes":[{"id":"mb-inbox","path":"Inbox","role":"inbox","unread":1,"total":1,"events":["new"]}],"new":[{"id":"M1","mailbox":"Inbox","from":[{"name":"Ann","email":"ann@example.com"}],"subject":"Hello","receivedAt":"RECEIVED","messageId":"msg1@example.com","threadId":"T1","preview":"Hello"}],"newTruncated":0}}'
cmp -s "$T/new.1.stdin" "$T/inbox.1.stdin" || fail "new 1 and inbox 1 differ: $(cat "$T/new.1.stdin")"

# 2. Drafts, Sent, a delivery to Work (new there) and its move to Archive.
control 'mail/draft?subject=Draft' >/dev/null
control 'mail/sent?subject=Sent' >/dev/null
id=$(id_of "$(control 'mail/deliver?mailbox=Work&subject=Work')")
wait_runs "new 2"
expect_stdin "$T/new.2.mailboxes" "Work"
control "mail/move?id=$id&to=archive" >/dev/null
wait_round 6

# 3. Mark as read in the inbox: changed, not new.
control 'mail/keyword?id=M1&set=$seen' >/dev/null
wait_runs "inbox 2"
expect_file "$T/inbox.2.env" "JMAP_ACCOUNT=test
JMAP_ACCOUNT_ID=u1
JMAP_EVENTS=changed
JMAP_HOOK=inbox
JMAP_MAILBOX=Inbox
JMAP_MAILBOXES=Inbox
JMAP_NEW_COUNT=0
JMAP_REASON=push
JMAP_TYPES=
JMAP_UNREAD=0"

# 4. A destroy: deleted.  Without mailboxes =, JMAP_UNREAD counts every
# mailbox (the mail moved to Archive is unread).
control 'mail/destroy?id=M1' >/dev/null
wait_runs "inbox 3" "deleted 1"
grep -qx 'JMAP_EVENTS=deleted' "$T/inbox.3.env" || fail "inbox 3: $(cat "$T/inbox.3.env")"
expect_file "$T/deleted.1.env" "JMAP_ACCOUNT=test
JMAP_ACCOUNT_ID=u1
JMAP_EVENTS=deleted
JMAP_HOOK=deleted
JMAP_MAILBOX=Inbox
JMAP_MAILBOXES=Inbox
JMAP_NEW_COUNT=0
JMAP_REASON=push
JMAP_TYPES=
JMAP_UNREAD=1"
# types = Identity still runs it as a plain hook.
control 'change?type=Identity' >/dev/null
wait_runs "deleted 2"
expect_file "$T/deleted.2.env" "JMAP_ACCOUNT=test
JMAP_ACCOUNT_ID=u1
JMAP_HOOK=deleted
JMAP_PUSH_STATE=p8
JMAP_REASON=push
JMAP_STATE_Identity=i1
JMAP_TYPES=Identity"

# 5. One round, two mailboxes: per_mailbox runs once for each, in path
# order; `new` once for both.
control 'fault?name=quiet' >/dev/null
control 'mail/deliver?mailbox=Work/Projects&subject=P' >/dev/null
control 'mail/deliver?mailbox=Lists/rust&subject=R' >/dev/null
control 'fault?name=none' >/dev/null
control 'change?type=Email' >/dev/null
wait_runs "perbox 1" "perbox 2" "new 3"
expect_stdin "$T/perbox.1.mailbox" "Lists/rust"
expect_stdin "$T/perbox.2.mailbox" "Work/Projects"
grep -qx 'JMAP_NEW_COUNT=1' "$T/perbox.1.env" || fail "perbox 1: $(cat "$T/perbox.1.env")"
grep -qx 'JMAP_UNREAD=1' "$T/perbox.2.env" || fail "perbox 2: $(cat "$T/perbox.2.env")"
expect_stdin "$T/new.3.mailboxes" "Lists/rust
Work/Projects"
grep -qx 'JMAP_NEW_COUNT=2' "$T/new.3.env" || fail "new 3: $(cat "$T/new.3.env")"
[ ! -e "$T/new.3.mailbox" ] || [ ! -s "$T/new.3.mailbox" ] ||
    fail "JMAP_MAILBOX set with two mailboxes"

# 6. Closing: one more inbox delivery, and nothing else ran.
control 'mail/deliver?subject=Last' >/dev/null
wait_runs "inbox 4" "new 4"
daemon_stop
for h in inbox:4 new:4 deleted:2 perbox:2; do
	[ "$(cat "$T/runs.${h%%:*}")" = "${h#*:}" ] ||
	    fail "hook ${h%%:*} ran $(cat "$T/runs.${h%%:*}") times, expected ${h#*:}"
done
