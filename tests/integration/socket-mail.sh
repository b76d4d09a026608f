#!/bin/bash
# SPDX-License-Identifier: ISC
# The socket's mail events and status mailboxes against the real daemon:
# no Mailbox or Email request until a client subscribes to them; then the
# whole list once, and mailbox and mail events exact, each client through
# its own mailboxes filter; none for a client that did not ask; status with
# every mailbox or those asked for; once the last such client is gone, no
# Mailbox or Email request again; a client that names an account makes
# only that one fetch.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

CLIENT="$top_builddir/tests/integration/sockclient"
command -v python3 >/dev/null || { echo "SKIP: python3 is needed"; exit 77; }
untime() { sed -E 's/"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"/"TIME"/g' "$@"; }
# mail_calls: the server's count of Mailbox/Email method calls for u1.
mail_calls() { control status | python3 -c 'import json, sys; print(json.load(sys.stdin)["mailCalls"]["u1"])'; }
# lines FD N: the next N lines a client printed, times replaced.
lines() { for _ in $(seq "$2"); do read -r -t "$WAIT" l <&"$1" || fail "fd $1: no line"; echo "$l"; done | untime; }

server_start
write_config
daemon_start
wait_log 'states unchanged since last seen'
control 'mail/deliver?subject=before' >/dev/null
wait_hook 1
[ "$(mail_calls)" = 0 ] || fail "Mailbox/Email calls without a client asking: $(mail_calls)"

# A client that gets only what it did not subscribe to: state events.
mkfifo "$T/plain.fifo" "$T/inbox.fifo" "$T/all.fifo"
"$CLIENT" -n 2 "$T/sock" </dev/null >"$T/plain.fifo" &
exec 7<"$T/plain.fifo"
wait_log 'socket client [0-9]*: connected'

# The first subscriber makes the daemon fetch the mailboxes: the whole list
# (here: the inbox) comes at once.
{ echo '{"cmd":"subscribe","events":["mailbox","mail"],"mailboxes":["inbox"]}'; exec sleep 3600; } |
    "$CLIENT" "$T/sock" >"$T/inbox.fifo" &
INBOX_PID=$!
exec 8<"$T/inbox.fifo"
lines 8 2 >"$T/inbox"
expect_file "$T/inbox" '{"reply":"subscribe","ok":true}
{"event":"mailbox","account":"test","accountId":"u1","mailboxes":[{"id":"mb-inbox","path":"Inbox","role":"inbox","unread":1,"total":1}],"complete":true}'
{ echo '{"cmd":"subscribe","events":["mailbox","mail"]}'; exec sleep 3600; } |
    "$CLIENT" "$T/sock" >"$T/all.fifo" &
ALL_PID=$!
exec 9<"$T/all.fifo"
lines 9 1 >"$T/all"
expect_file "$T/all" '{"reply":"subscribe","ok":true}'

# One change at a time (changes during a round merge into the next).
control 'mail/deliver?subject=Hello&name=Ann&email=ann@example.com' >/dev/null
new2='{"event":"mail","account":"test","accountId":"u1","new":[{"id":"M2","mailbox":"Inbox","from":[{"name":"Ann","email":"ann@example.com"}],"subject":"Hello","receivedAt":"TIME","messageId":"msg2@example.com","threadId":"T2","preview":"Hello"}],"newTruncated":0}'
lines 9 2 >"$T/all"
expect_file "$T/all" '{"event":"mailbox","account":"test","accountId":"u1","mailboxes":[{"id":"mb-inbox","path":"Inbox","role":"inbox","unread":2,"total":2}]}
'"$new2"
control 'mail/deliver?mailbox=Lists/rust&subject=List' >/dev/null
lines 9 2 >"$T/all"
expect_file "$T/all" '{"event":"mailbox","account":"test","accountId":"u1","mailboxes":[{"id":"mb-rust","path":"Lists/rust","role":null,"unread":1,"total":1}]}
{"event":"mail","account":"test","accountId":"u1","new":[{"id":"M3","mailbox":"Lists/rust","from":[{"name":"Sender 3","email":"sender3@example.com"}],"subject":"List","receivedAt":"TIME","messageId":"msg3@example.com","threadId":"T3","preview":"List"}],"newTruncated":0}'
# A draft is no new mail: only Drafts' count changes.
control 'mail/draft?subject=Draft' >/dev/null
lines 9 1 >"$T/all"
expect_file "$T/all" '{"event":"mailbox","account":"test","accountId":"u1","mailboxes":[{"id":"mb-drafts","path":"Drafts","role":"drafts","unread":0,"total":1}]}'
# The inbox client: the inbox's only.  A mark-as-read comes next, without
# a mail event, so nothing about Lists/rust or Drafts was queued between.
control 'mail/keyword?id=M2&set=$seen' >/dev/null
lines 8 3 >"$T/inbox"
expect_file "$T/inbox" '{"event":"mailbox","account":"test","accountId":"u1","mailboxes":[{"id":"mb-inbox","path":"Inbox","role":"inbox","unread":2,"total":2}]}
'"$new2"'
{"event":"mailbox","account":"test","accountId":"u1","mailboxes":[{"id":"mb-inbox","path":"Inbox","role":"inbox","unread":1,"total":2}]}'
lines 7 2 | sed -E 's/"changed":\{[^}]*\},"pushState":"p[0-9]+"/CHANGE/' >"$T/plain"
expect_file "$T/plain" '{"event":"state","account":"test","accountId":"u1",CHANGE,"reason":"push","time":"TIME"}
{"event":"state","account":"test","accountId":"u1",CHANGE,"reason":"push","time":"TIME"}'

# status: every JMAP account's mailboxes, or the ones asked for.
echo '{"cmd":"status","mailboxes":["inbox","Lists/*","Work"]}' |
    "$CLIENT" -n 1 "$T/sock" | python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)["accounts"][0]["mailboxes"], separators=(",", ":")))' >"$T/status"
expect_file "$T/status" '[{"accountId":"u1","id":"mb-inbox","path":"Inbox","role":"inbox","unread":1,"total":2},{"accountId":"u1","id":"mb-rust","path":"Lists/rust","role":null,"unread":1,"total":1},{"accountId":"u1","id":"mb-work","path":"Work","role":null,"unread":0,"total":0}]'
echo '{"cmd":"status"}' | "$CLIENT" -n 1 "$T/sock" |
    python3 -c 'import json, sys; print(" ".join(m["path"] for m in json.load(sys.stdin)["accounts"][0]["mailboxes"]))' >"$T/status"
expect_file "$T/status" 'Archive Drafts Inbox Junk Lists Lists/rust Sent Trash Work Work/Projects'
echo '{"cmd":"status","mailboxes":["Work,"]}' | "$CLIENT" -n 1 "$T/sock" >"$T/status"
expect_file "$T/status" '{"error":"\"mailboxes\" must be an array of roles (e.g. \"inbox\") and mailbox paths (e.g. \"Work/*\"), none empty and none with a comma","cmd":"status"}'

# The subscribers leave: the view is no longer wanted, and nothing more is
# fetched.
kill $INBOX_PID
wait_log 'socket client [0-9]*: closed'
[ "$(grep -c 'the mail view is not wanted' "$T/daemon.log")" = 0 ] ||
    fail "the mail view was dropped while a client still wants it"
kill $ALL_PID
wait_log 'the mail view is not wanted'
calls=$(mail_calls)
control 'mail/deliver?subject=after' >/dev/null
# The hook run for that change (push state p6) comes after the daemon sent
# whatever it sends for it.
while read -r -t "$WAIT" run <&4; do
	! grep -qx 'JMAP_PUSH_STATE=p6' "$T/hook.$run.env" || break
done
grep -qx 'JMAP_PUSH_STATE=p6' "$T/hook.$run.env" || fail "no hook run for the last delivery"
[ "$(mail_calls)" = "$calls" ] || fail "Mailbox/Email calls after the last subscriber left: $calls, then $(mail_calls)"

# A subscriber of one account's mail makes only that account fetch it.
add_account second
kill -HUP "$DAEMON_PID"
wait_log 'configuration reloaded'
wait_server "pushEnabled=2"
{ echo '{"cmd":"subscribe","events":["mailbox"],"accounts":["second"]}'; exec sleep 3600; } |
    "$CLIENT" "$T/sock" >/dev/null &
wait_log 'account second: the mail view is wanted'
[ "$(grep -c 'account test: the mail view is wanted' "$T/daemon.log")" = 1 ] ||
    fail "a subscriber of account second made account test fetch mail"
echo "ok"
