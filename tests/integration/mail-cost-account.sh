#!/bin/bash
# SPDX-License-Identifier: ISC
# A mail-aware hook of one account (account =) makes only that account
# fetch mail: the other account's mail view is never wanted and never
# asks (10,000 plain accounts beside one mail-aware hook pay nothing).
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/maillib.sh" || exit 99

server_start
mail_config
add_account other
add_mail_hook inbox 'account = test' 'mailboxes = inbox'
daemon_start
wait_connected 2
wait_round 1
control 'mail/deliver' >/dev/null
wait_runs "inbox 1"
grep -qx 'JMAP_ACCOUNT=test' "$T/inbox.1.env" || fail "inbox 1: $(cat "$T/inbox.1.env")"
wait_log 'account other: change in u1'
daemon_stop
expect_log 'account test: the mail view is wanted'
! grep 'account other: .*mail view' "$T/daemon.log" ||
    fail "account other used the mail view"
[ "$(cat "$T/runs.inbox")" = 1 ] || fail "inbox ran $(cat "$T/runs.inbox") times"
echo ok
