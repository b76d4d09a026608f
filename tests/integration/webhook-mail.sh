#!/bin/bash
# SPDX-License-Identifier: ISC
# A webhook with events = mailbox mail makes the daemon fetch the mail
# view, and gets the socket's mailbox and mail events, exact, in order;
# no state event.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/webhooklib.sh" || exit 99

untime() { sed -E 's/"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"/"TIME"/g' "$@"; }

server_start
write_config
receiver_start
add_webhook "http://127.0.0.1:$RPORT/" "events = mailbox, mail"
daemon_start
# The first round lists every mailbox.
wait_received 1
control 'mail/deliver?subject=Hello&name=Ann&email=ann@example.com' >/dev/null
wait_hook 1
wait_received 3
cut -d' ' -f2- "$T/rx.log" | untime >"$T/got"
expect_file "$T/got" '200 ok - {"event":"mailbox","account":"test","accountId":"u1","mailboxes":[{"id":"mb-archive","path":"Archive","role":"archive","unread":0,"total":0},{"id":"mb-drafts","path":"Drafts","role":"drafts","unread":0,"total":0},{"id":"mb-inbox","path":"Inbox","role":"inbox","unread":0,"total":0},{"id":"mb-junk","path":"Junk","role":"junk","unread":0,"total":0},{"id":"mb-lists","path":"Lists","role":null,"unread":0,"total":0},{"id":"mb-rust","path":"Lists/rust","role":null,"unread":0,"total":0},{"id":"mb-sent","path":"Sent","role":"sent","unread":0,"total":0},{"id":"mb-trash","path":"Trash","role":"trash","unread":0,"total":0},{"id":"mb-work","path":"Work","role":null,"unread":0,"total":0},{"id":"mb-projects","path":"Work/Projects","role":null,"unread":0,"total":0}],"complete":true}
200 ok - {"event":"mailbox","account":"test","accountId":"u1","mailboxes":[{"id":"mb-inbox","path":"Inbox","role":"inbox","unread":1,"total":1}]}
200 ok - {"event":"mail","account":"test","accountId":"u1","new":[{"id":"M1","mailbox":"Inbox","from":[{"name":"Ann","email":"ann@example.com"}],"subject":"Hello","receivedAt":"TIME","messageId":"msg1@example.com","threadId":"T1","preview":"Hello"}],"newTruncated":0}'
daemon_stop
echo ok
