#!/bin/bash
# SPDX-License-Identifier: ISC
# A real notification server: dunst on Xvfb, on a private session bus whose
# configuration has no service directories (so that nothing installed on
# the machine is ever activated in its place).  New mail reaches dunst
# (dunstctl count), dunst keeps what the daemon sent (dunstctl history:
# summary as plain text, body with markup escaped, app name, category),
# and a closed notification leaves the screen for the history, whether
# the user closed it or the daemon did (CloseNotification) because the
# mail was read elsewhere.  The mark-read action reaches dunst's context
# menu, and picking it there reads the mail and closes the notification.
# New mail in a thread replaces the thread's notification on the screen.
# A click on it there runs open_command.
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

server_start
bus_start
dunst_start
write_config
cat >>"$T/config" <<CONF

[notify]
timeout = never
CONF
daemon_start
wait_log "notifications: connected to the D-Bus session bus"
wait_log 'notifications: account test: accountId u1 at Email state e0:'
expect_count 0 0

control "mail?name=Alice&email=alice@example.com&subject=Tom%20%26%20Jerry%20%3C3%3E" >/dev/null
control 'deliver' >/dev/null
wait_log "notifications: shown"
expect_count 1 0

# Closed (here by the user), it moves to the history with what the daemon
# sent: dunst unescapes nothing in the body and shows the summary as text.
dunstctl close-all
expect_closed 2
expect_count 0 1
[ "$(history_field appname)" = jmap-pushd ] || fail "appname: $(dunstctl history)"
[ "$(history_field category)" = email.arrived ] ||
    fail "category: $(dunstctl history)"
[ "$(history_field summary)" = 'Alice <alice@example.com>' ] ||
    fail "summary: $(dunstctl history)"
[ "$(history_field body)" = 'Tom &amp; Jerry &lt;3&gt;' ] ||
    fail "body: $(dunstctl history)"

# Read elsewhere (on the phone): the daemon closes its notification with
# CloseNotification and dunst takes it off the screen.
out=$(control "mail/deliver?name=Bob&email=bob%40example.com&subject=Lunch")
id=$(printf '%s' "$out" | sed -n 's/.*"ids":\["\([^"]*\)".*/\1/p')
wait_log "notifications: shown" 2
expect_count 1 1
control "mail/keyword?id=$id&set=%24seen" >/dev/null
expect_closed 3
expect_count 0 2

# The actions reached dunst: its context menu (dunstctl context) lists
# mark-read and nothing else (no open_command, so no default action);
# picking it reads the mail on the server, and the notification closes.
control "mail/deliver?name=Carol&email=carol%40example.com&subject=Tea" >/dev/null
wait_log "notifications: shown" 3
expect_count 1 2
echo mark-read >"$T/pick"
dunstctl context
expect_closed 3
expect_count 0 3
[ "$(grep -c '' "$T/menu")" = 1 ] &&
    grep -q '^#.* (Carol <carol@example.com>) \[[0-9]*,mark-read\]$' "$T/menu" ||
    fail "dunst's menu: $(cat "$T/menu")"
[ "$(control status | sed -n 's/.*"Email\/set":\([0-9]*\).*/\1/p')" = 1 ] ||
    fail "not exactly one Email/set: $(control status)"

# New mail in the thread of an open notification replaces it in dunst
# (one on the screen), "NAME (N)" with the newest subject.
out=$(control "mail/deliver?name=Dave&email=dave%40example.com&subject=Plan")
id=$(printf '%s' "$out" | sed -n 's/.*"ids":\["\([^"]*\)".*/\1/p')
wait_log "notifications: shown" 4
control "mail/deliver?name=Dave&email=dave%40example.com&subject=Re%3A%20Plan&thread=$id" >/dev/null
wait_log "notifications: shown" 5
expect_count 1 3
dunstctl close-all
expect_closed 2
expect_count 0 4
[ "$(history_field summary)" = 'Dave (2)' ] || fail "summary: $(dunstctl history)"
[ "$(history_field body)" = 'Re: Plan' ] || fail "body: $(dunstctl history)"

# A click (dunstctl action: the default action, as dunst's own click
# would) runs open_command, once set (by a reload), for that email.
mkfifo "$T/open.fifo"
exec 9<>"$T/open.fifo"
cat >>"$T/config" <<CONF
open_command = echo "\$JMAP_ACCOUNT \$JMAP_EMAIL_ID" > "$T/open.fifo"
CONF
kill -HUP "$DAEMON_PID"
wait_log 'configuration reloaded'
out=$(control "mail/deliver?name=Erin&email=erin%40example.com&subject=Notes")
id=$(printf '%s' "$out" | sed -n 's/.*"ids":\["\([^"]*\)".*/\1/p')
wait_log "notifications: shown" 6
expect_count 1 4
dunstctl action 0
read -r -t "$WAIT" opened <&9 || fail "open_command did not run"
[ "$opened" = "test $id" ] || fail "open_command ran for $opened, expected test $id"

daemon_stop
echo ok
