#!/bin/bash
# SPDX-License-Identifier: ISC
# A mail view round the server fails (method errors) changes nothing: it
# is logged once as a warning (repeats at debug level), and the next
# change after the server recovers runs the hook once for everything
# that arrived meanwhile.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/maillib.sh" || exit 99

server_start
mail_config
add_mail_hook inbox 'mailboxes = inbox'
daemon_start
wait_round 1

control 'fault?name=mailerror&count=1000' >/dev/null
control 'mail/deliver?subject=One' >/dev/null
wait_log 'warning: account test: mail view of u1: the server refused a method'
control 'mail/deliver?subject=Two' >/dev/null
wait_log 'debug: account test: mail view of u1: the server refused a method'
[ "$(grep -c 'warning: account test: mail view of u1' "$T/daemon.log")" = 1 ] ||
    fail "the failure was not logged exactly once: $(grep 'mail view of u1' "$T/daemon.log")"
expect_log 'wait for the next change, which tries again'

control 'fault?name=none' >/dev/null
control 'mail/deliver?subject=Three' >/dev/null
wait_runs "inbox 1"
grep -qx 'JMAP_NEW_COUNT=3' "$T/inbox.1.env" || fail "inbox 1: $(cat "$T/inbox.1.env")"
grep -o '"subject":"[A-Za-z]*"' "$T/inbox.1.stdin" | tr '\n' ' ' >"$T/subjects"
expect_stdin "$T/subjects" '"subject":"One" "subject":"Two" "subject":"Three" '
daemon_stop
[ "$(cat "$T/runs.inbox")" = 1 ] || fail "inbox ran $(cat "$T/runs.inbox") times"
echo ok
