#!/bin/bash
# SPDX-License-Identifier: ISC
# Debounced mail-aware runs merge their mail data: two rounds within the
# debounce give one run with the union of events, the latest counts and
# every new email; with per_mailbox, one run per mailbox, each merged, in
# path order.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/maillib.sh" || exit 99

server_start
control 'mail/deliver?subject=Old' >/dev/null
mail_config
add_mail_hook inbox 'mailboxes = inbox'
add_mail_hook perbox 'mailboxes = inbox, Work' 'per_mailbox = yes'
sed -i 's/^debounce = 0$/debounce = 5s/' "$T/config"
daemon_start
wait_round 1

# Three rounds, each awaited, within the 5 s debounce.
control 'mail/keyword?id=M1&set=$seen' >/dev/null
wait_round 2
control 'mail/deliver?mailbox=Work&subject=W' >/dev/null
wait_round 3
control 'mail/deliver?subject=New' >/dev/null
wait_round 4
wait_runs "inbox 1" "perbox 1" "perbox 2"
expect_file "$T/inbox.1.env" "JMAP_ACCOUNT=test
JMAP_ACCOUNT_ID=u1
JMAP_EVENTS=new changed
JMAP_HOOK=inbox
JMAP_MAILBOX=Inbox
JMAP_MAILBOXES=Inbox
JMAP_NEW_COUNT=1
JMAP_REASON=push
JMAP_TYPES=
JMAP_UNREAD=1"
grep -o '"subject":"[A-Za-z]*"' "$T/inbox.1.stdin" | tr '\n' ' ' >"$T/subjects"
expect_stdin "$T/subjects" '"subject":"New" '
expect_stdin "$T/perbox.1.mailbox" "Inbox"
grep -qx 'JMAP_EVENTS=new changed' "$T/perbox.1.env" || fail "perbox 1: $(cat "$T/perbox.1.env")"
expect_stdin "$T/perbox.2.mailbox" "Work"
grep -qx 'JMAP_EVENTS=new' "$T/perbox.2.env" || fail "perbox 2: $(cat "$T/perbox.2.env")"
grep -qx 'JMAP_UNREAD=1' "$T/perbox.2.env" || fail "perbox 2: $(cat "$T/perbox.2.env")"
daemon_stop
[ "$(cat "$T/runs.inbox") $(cat "$T/runs.perbox")" = "1 2" ] ||
    fail "runs: inbox $(cat "$T/runs.inbox"), perbox $(cat "$T/runs.perbox")"
echo ok
