#!/bin/bash
# SPDX-License-Identifier: ISC
# jmap-pushctl mailboxes (the table, and --json, fetched on demand), and
# watch --waybar and --i3blocks against the real daemon: the
# inbox unread count at start and after every change (a delivery, then the
# new message in the tooltip; a delivery elsewhere changes nothing; a mark
# as read), disconnected when the daemon stops, and back on their own when
# it starts again.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

CTL="$top_builddir/src/jmap-pushctl"
# expect_next FD LINE: the next line of a watch is LINE.
expect_next() {
	read -r -t "$WAIT" l <&"$1" || fail "no line on fd $1, expected $2"
	[ "$l" = "$2" ] || fail "fd $1:
  got  $l
  want $2"
}
# expect_until FD LINE: LINE comes (after lines a restart may bring first:
# an account still connecting).
expect_until() {
	while read -r -t "$WAIT" l <&"$1"; do
		[ "$l" != "$2" ] || return 0
	done
	fail "fd $1: no line $2"
}

server_start
write_config
daemon_start
wait_log 'states unchanged since last seen'
control 'mail/deliver?subject=first' >/dev/null
wait_hook 1

# mailboxes: nothing wants the mail view yet, so it makes the daemon fetch
# the mailboxes and waits for them.
"$CTL" -s "$T/sock" mailboxes >"$T/out" || fail "mailboxes failed"
expect_file "$T/out" 'ACCOUNT          PATH                           ROLE        UNREAD   TOTAL
test             Archive                        archive          0       0
test             Drafts                         drafts           0       0
test             Inbox                          inbox            1       1
test             Junk                           junk             0       0
test             Lists                          -                0       0
test             Lists/rust                     -                0       0
test             Sent                           sent             0       0
test             Trash                          trash            0       0
test             Work                           -                0       0
test             Work/Projects                  -                0       0'
"$CTL" -s "$T/sock" mailboxes --json test | python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)[2], separators=(",", ":")))' >"$T/out"
expect_file "$T/out" '{"account":"test","accountId":"u1","id":"mb-inbox","path":"Inbox","role":"inbox","unread":1,"total":1}'

# The mailboxes are known now (the daemon keeps them while it runs), so the
# bars' status replies hold them.
mkfifo "$T/bar.fifo" "$T/i3.fifo"
"$CTL" -s "$T/sock" watch --waybar >"$T/bar.fifo" &
"$CTL" -s "$T/sock" watch --i3blocks >"$T/i3.fifo" &
exec 5<"$T/bar.fifo" 6<"$T/i3.fifo"
expect_next 5 '{"text":"1","tooltip":"test Inbox: 1 unread, 1 total","class":"unread","alt":"unread"}'
expect_next 6 '1'

control 'mail/deliver?subject=%3Cb%3EHi%3C/b%3E%20%26%20bye&name=Ann&email=ann@example.com' >/dev/null
R='\nAnn &lt;ann@example.com&gt;: &lt;b&gt;Hi&lt;/b&gt; &amp; bye'
expect_next 5 '{"text":"2","tooltip":"test Inbox: 2 unread, 2 total","class":"unread","alt":"unread"}'
expect_next 5 '{"text":"2","tooltip":"test Inbox: 2 unread, 2 total'"$R"'","class":"unread","alt":"unread"}'
expect_next 6 '2'
# Not counted, not shown; the mark as read after it is the next line.
control 'mail/deliver?mailbox=Lists/rust&subject=list' >/dev/null
control 'mail/keyword?id=M1&set=$seen' >/dev/null
expect_next 5 '{"text":"1","tooltip":"test Inbox: 1 unread, 2 total'"$R"'","class":"unread","alt":"unread"}'
expect_next 6 '1'
control 'mail/keyword?id=M2&set=$seen' >/dev/null
expect_next 5 '{"text":"0","tooltip":"test Inbox: 0 unread, 2 total'"$R"'","class":"empty","alt":"empty"}'
expect_next 6 '0'

# The daemon stops (its last word may be the account's "stopped"): both
# show it cannot be reached, and keep trying.
daemon_stop
expect_until 5 '{"text":"-","tooltip":"jmap-pushd cannot be reached; retrying'"$R"'","class":"disconnected","alt":"disconnected"}'
expect_until 6 '-'
control 'mail/deliver?subject=meanwhile' >/dev/null
daemon_start
expect_until 5 '{"text":"1","tooltip":"test Inbox: 1 unread, 3 total'"$R"'","class":"unread","alt":"unread"}'
expect_until 6 '1'
echo "ok"
