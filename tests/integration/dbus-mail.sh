#!/bin/bash
# SPDX-License-Identifier: ISC
# D-Bus and the mail view on a private session bus: no Mailbox or Email
# request until a client asks; GetMailboxes waits for the first fetch and
# answers every mailbox, an unknown account fails; MailboxesChanged,
# NewMail and Unread (with PropertiesChanged) exact on a delivery, a
# delivery elsewhere, a draft and a mark as read; a hostile mailbox name
# and subject repaired, not refused; GetMailboxes of an account
# that never connects answers after 10 s.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/buslib.sh" || exit 99
command -v python3 >/dev/null || { echo "SKIP: python3 is needed"; exit 77; }
mail_calls() { control status | python3 -c 'import json, sys; print(json.load(sys.stdin)["mailCalls"]["u1"])'; }

server_start
bus_start
probe_start 6 watch
write_config
config_daemon "dbus = session"
daemon_start
wait_log "D-Bus: owning org.jmappushd.Pushd1"
wait_line 6 '^ConnectionChanged account=test status=connected error=$'
control 'mail/deliver?subject=first' >/dev/null
wait_line 6 '^StateChanged account=test accountId=u1 changed=Email:e1,'
wait_hook 1
[ "$(mail_calls)" = 0 ] || fail "Mailbox/Email calls before a D-Bus client asked: $(mail_calls)"

# shellcheck disable=SC2086
if bctl call $BUS_OBJ GetMailboxes s nope 2>"$T/err"; then
	fail "GetMailboxes of an unknown account succeeded"
fi
expect_file "$T/err" "Call failed: no account named 'nope'"

# The first call makes the daemon fetch, and waits for it.
# shellcheck disable=SC2086
bctl call $BUS_OBJ GetMailboxes s test >"$T/boxes"
expect_file "$T/boxes" 'a(ssssuu) 10 "u1" "mb-archive" "Archive" "archive" 0 0 "u1" "mb-drafts" "Drafts" "drafts" 0 0 "u1" "mb-inbox" "Inbox" "inbox" 1 1 "u1" "mb-junk" "Junk" "junk" 0 0 "u1" "mb-lists" "Lists" "" 0 0 "u1" "mb-rust" "Lists/rust" "" 0 0 "u1" "mb-sent" "Sent" "sent" 0 0 "u1" "mb-trash" "Trash" "trash" 0 0 "u1" "mb-work" "Work" "" 0 0 "u1" "mb-projects" "Work/Projects" "" 0 0'
expect_next 6 'MailboxesChanged account=test accountId=u1 mailboxes=mb-archive|Archive|archive|0|0;mb-drafts|Drafts|drafts|0|0;mb-inbox|Inbox|inbox|1|1;mb-junk|Junk|junk|0|0;mb-lists|Lists||0|0;mb-rust|Lists/rust||0|0;mb-sent|Sent|sent|0|0;mb-trash|Trash|trash|0|0;mb-work|Work||0|0;mb-projects|Work/Projects||0|0'
expect_next 6 'PropertiesChanged org.jmappushd.Pushd1 Unread=1'
# shellcheck disable=SC2086
[ "$(bctl get-property $BUS_OBJ Unread)" = 'u 1' ] ||
    fail "Unread is $(bctl get-property $BUS_OBJ Unread)"

control 'mail/deliver?subject=Hello%20%3Cthere%3E&name=Ann&email=ann@example.com' >/dev/null
expect_next 6 "StateChanged account=test accountId=u1 changed=Email:e2,EmailDelivery:d2,Mailbox:m2,Thread:t2 pushState=p2 reason=push"
expect_next 6 'MailboxesChanged account=test accountId=u1 mailboxes=mb-inbox|Inbox|inbox|2|2'
expect_next 6 'NewMail account=test accountId=u1 emails=M2|Inbox|Ann|ann@example.com|Hello <there>|T2|TIME'
expect_next 6 'PropertiesChanged org.jmappushd.Pushd1 Unread=2'
# Elsewhere: the inbox count, and so Unread, stays.
control 'mail/deliver?mailbox=Lists/rust&subject=list' >/dev/null
wait_line 6 '^StateChanged account=test accountId=u1 changed=Email:e3,'
expect_next 6 'MailboxesChanged account=test accountId=u1 mailboxes=mb-rust|Lists/rust||1|1'
expect_next 6 'NewMail account=test accountId=u1 emails=M3|Lists/rust|Sender 3|sender3@example.com|list|T3|TIME'
# A draft is no new mail.
control 'mail/draft?subject=draft' >/dev/null
wait_line 6 '^StateChanged account=test accountId=u1 changed=Email:e4,'
expect_next 6 'MailboxesChanged account=test accountId=u1 mailboxes=mb-drafts|Drafts|drafts|0|1'
control 'mail/keyword?id=M1&set=$seen' >/dev/null
wait_line 6 '^StateChanged account=test accountId=u1 changed=Email:e5,'
expect_next 6 'MailboxesChanged account=test accountId=u1 mailboxes=mb-inbox|Inbox|inbox|1|2'
expect_next 6 'PropertiesChanged org.jmappushd.Pushd1 Unread=1'
# shellcheck disable=SC2086
[ "$(bctl get-property $BUS_OBJ Unread)" = 'u 1' ] ||
    fail "Unread is $(bctl get-property $BUS_OBJ Unread)"
# A hostile mailbox name and subject (shell text, a byte that is not
# UTF-8): repaired, never refused by the bus.
printf 'x$(id)\377"' >"$T/hostile"
control "mail/mailbox?op=create&namefile=$T/hostile&parent=inbox" >/dev/null
wait_line 6 '^StateChanged account=test accountId=u1 changed=Mailbox:'
read -r -t "$WAIT" line <&6 || fail "no MailboxesChanged for a new mailbox"
case $line in
"MailboxesChanged account=test accountId=u1 mailboxes="*';mb-11|Inbox/x$(id)'$'\xef\xbf\xbd''"||0|0;'*) ;;
*) fail "MailboxesChanged for a hostile name: $line" ;;
esac
control "mail/deliver?mailbox=mb-11&subjectfile=$T/hostile" >/dev/null
wait_line 6 '^StateChanged account=test accountId=u1 changed=Email:'
expect_next 6 'MailboxesChanged account=test accountId=u1 mailboxes=mb-11|Inbox/x$(id)'$'\xef\xbf\xbd''"||1|1'
expect_next 6 'NewMail account=test accountId=u1 emails=M5|Inbox/x$(id)'$'\xef\xbf\xbd''"|Sender 5|sender5@example.com|x$(id)'$'\xef\xbf\xbd''"|T5|TIME'
# shellcheck disable=SC2086
bctl call $BUS_OBJ GetMailboxes s "" >"$T/boxes"
grep -q '^a(ssssuu) 11 .*"u1" "mb-inbox" "Inbox" "inbox" 1 2 ' "$T/boxes" ||
    fail "GetMailboxes of every account: $(cat "$T/boxes")"

# An account that never connects: GetMailboxes waits for its first fetch
# 10 s, then answers with what is known.
cat >>"$T/config" <<CONF

[account down]
url = http://127.0.0.1:1/.well-known/jmap
username = alice@example.com
password_file = $T/password
CONF
# shellcheck disable=SC2086
bctl call $BUS_OBJ Reload
wait_line 6 '^PropertiesChanged org.jmappushd.Pushd1 Accounts=test,down$'
start=$(date +%s)
# shellcheck disable=SC2086
out=$(bctl --timeout=60 call $BUS_OBJ GetMailboxes s down)
took=$(( $(date +%s) - start ))
[ "$out" = 'a(ssssuu) 0' ] || fail "GetMailboxes of an account without a fetch: $out"
[ $took -ge 9 ] && [ $took -le 15 ] || fail "GetMailboxes waited ${took}s, not 10"
daemon_stop
echo ok
