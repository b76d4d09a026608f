#!/bin/bash
# SPDX-License-Identifier: ISC
# Actions against a real notification server (dunst on Xvfb, as in
# notify-dunst.sh): Archive and Trash picked from dunst's context menu
# move the mail on the server, and the notification leaves the screen; a
# summary ("4 new messages") offers "Mark as read" alone, which reads all
# its mail, and dunst then closes it (CloseNotification); a failed action
# shows its error notification in dunst, the server's hostile text
# escaped (its low urgency is not in dunstctl history; notify-act.sh
# checks it).
# Skipped (77) without dunst, dunstctl, Xvfb or dbus-monitor.
for c in dunst dunstctl Xvfb dbus-monitor; do
	if ! command -v "$c" >/dev/null; then
		echo "SKIP: $c is not installed (packaging/install-deps installs it)"
		exit 77
	fi
done
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/buslib.sh" || exit 99
. "$top_srcdir/tests/integration/dunstlib.sh" || exit 99

# pick ACTION: picks ACTION in dunst's context menu, and the notification
# closes; $T/menu.txt is the menu as LABEL|SUMMARY|KEY lines (dunst sorts
# them by label and ends the last one without a newline).
pick() {
	echo "$1" >"$T/pick"
	dunstctl context
	expect_closed 3
	awk 1 "$T/menu" |
	    sed 's/^#\(.*\) (\(.*\)) \[[0-9]*,\(.*\)\]$/\1|\2|\3/' >"$T/menu.txt"
}

server_start
bus_start
dunst_start
write_config
cat >>"$T/config" <<CONF

[notify]
timeout = never
actions = mark-read, archive, trash
CONF
daemon_start
wait_log "notifications: the notification server shows actions"
wait_log 'notifications: account test: accountId u1 at Email state e0:'

# Archive: moved on the server, and closed once the mail view saw it.
control "mail/deliver?name=Bob&email=bob%40example.com&subject=Lunch" >/dev/null
wait_log "notifications: shown"
expect_count 1 0
pick archive
expect_file "$T/menu.txt" 'Archive|Bob <bob@example.com>|archive
Mark as read|Bob <bob@example.com>|mark-read
Trash|Bob <bob@example.com>|trash'
wait_log "notifications: account test: archive done"
grep -q 'mail: Email/set {"accountId":"u1","update":{"M1":{"mailboxIds/mb-inbox":null,"mailboxIds/mb-archive":true}}}$' "$T/server.log" ||
    fail "archive was not the move of M1: $(grep 'Email/set' "$T/server.log")"
expect_count 0 1

# Trash.
control "mail/deliver?name=Carol&email=carol%40example.com&subject=Tea" >/dev/null
wait_log "notifications: shown" 2
pick trash
wait_log "notifications: account test: trash done"
grep -q 'mail: Email/set {"accountId":"u1","update":{"M2":{"mailboxIds/mb-inbox":null,"mailboxIds/mb-trash":true}}}$' "$T/server.log" ||
    fail "trash was not the move of M2: $(grep 'Email/set' "$T/server.log")"
expect_count 0 2

# A summary: "Mark as read" only; all four read, dunst closes it.
control 'mail/deliver?count=4' >/dev/null
wait_log "notifications: shown" 3
expect_count 1 2
pick mark-read
expect_file "$T/menu.txt" 'Mark as read|4 new messages|mark-read'
wait_log "closing the notification of a summary: all its emails read, moved or destroyed elsewhere"
[ "$(grep -c 'mail: Email/set ' "$T/server.log")" = 3 ] ||
    fail "not one Email/set per action: $(grep 'Email/set' "$T/server.log")"
expect_count 0 3
[ "$(history_field summary)" = '4 new messages' ] ||
    fail "summary: $(dunstctl history)"

# A failure: the error notification reaches dunst, low urgency, escaped.
control "mail/deliver?name=Dave&email=dave%40example.com&subject=Plan" >/dev/null
wait_log "notifications: shown" 4
control "fault?name=seterror&type=forbidden&descriptionhex=$(printf '<b>no</b> & "x"\nnext' | od -An -tx1 | tr -d ' \n')" >/dev/null
echo mark-read >"$T/pick"
dunstctl context
wait_log "notifications: error notification shown"
expect_count 2 3
dunstctl close-all
expect_closed 2
expect_closed 2
expect_count 0 5
[ "$(history_field summary)" = 'jmap-pushd: the mail was not changed' ] ||
    fail "summary: $(dunstctl history)"
[ "$(history_field body)" = 'mark-read failed: forbidden: &lt;b&gt;no&lt;/b&gt; &amp; &quot;x&quot; next' ] ||
    fail "body: $(dunstctl history)"
daemon_stop
echo ok
