#!/bin/bash
# SPDX-License-Identifier: ISC
# --check-config on the mail-aware hook keys: mailboxes and events are
# checked as the mail view reads them, per_mailbox needs one of them, and
# each error says where and what to do.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

cat >"$T/bad.conf" <<'CONF'
[account personal]
url = https://jmap.example.com/
username = me@example.com
password_command = true

[hook a]
mailboxes = inbox,,Work
command = true

[hook b]
events = new removed
command = true

[hook c]
per_mailbox = yes
command = true

[hook d]
mailboxes = inbox, Work/*
events = new, deleted
per_mailbox = yes
command = true
CONF
rc=0
"$DAEMON" --check-config -c "$T/bad.conf" >"$T/out" 2>&1 || rc=$?
[ $rc -ne 0 ] || fail "broken config accepted"
expect_file "$T/out" "$T/bad.conf:7: [hook a]: empty item in mailboxes 'inbox,,Work'; separate mailbox names with single commas
$T/bad.conf:11: [hook b]: unknown event 'removed'; use new, changed or deleted
$T/bad.conf:15: [hook c] has per_mailbox but neither mailboxes nor events: add mailboxes = (such as inbox, Work/*) or events = new changed deleted"
echo ok
