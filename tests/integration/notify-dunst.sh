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

# dunst_start: Xvfb on a display it picks itself (tests run in parallel),
# then dunst with a configuration of its own (never the user's), once it
# owns org.freedesktop.Notifications on the private bus.
dunst_start() {
	mkfifo "$T/display.fifo"
	Xvfb -displayfd 8 -nolisten tcp -screen 0 640x480x24 \
	    8>"$T/display.fifo" 2>>"$T/xvfb.log" &
	PROBES="$PROBES $!"
	exec 8<"$T/display.fifo"
	read -r -t "$WAIT" display <&8 || fail "Xvfb did not start: $(cat "$T/xvfb.log")"
	exec 8<&-

	# A monitor of the bus is set up once it has lost its own name; from
	# then on it sees dunst take the notification server's name.
	mkfifo "$T/owner.fifo"
	dbus-monitor --address "$DBUS_SESSION_BUS_ADDRESS" \
	    "type='signal',sender='org.freedesktop.DBus',member='NameOwnerChanged',arg0='org.freedesktop.Notifications'" \
	    "type='signal',member='NameLost'" \
	    "type='signal',interface='org.freedesktop.Notifications',member='NotificationClosed'" \
	    >"$T/owner.fifo" 2>>"$T/monitor.log" &
	PROBES="$PROBES $!"
	exec 8<"$T/owner.fifo"
	line=
	while read -r -t "$WAIT" line <&8; do
		case $line in *member=NameLost*) break ;; esac
		line=
	done
	[ -n "${line:-}" ] || fail "dbus-monitor did not start: $(cat "$T/monitor.log")"

	# dunst's context menu runs this in place of dmenu: it records the
	# menu it was given and picks the mark-read action.
	cat >"$T/dmenu" <<EOF
#!/bin/sh
cat >"$T/menu"
grep ',mark-read]\$' "$T/menu"
EOF
	chmod +x "$T/dmenu"
	printf '[global]\nignore_dbusclose = false\ndmenu = %s\n' "$T/dmenu" \
	    >"$T/dunstrc"
	env -u WAYLAND_DISPLAY DISPLAY=":$display" HOME="$T" \
	    XDG_CONFIG_HOME="$T" dunst -config "$T/dunstrc" 2>>"$T/dunst.log" &
	PROBES="$PROBES $!"
	line=
	while read -r -t "$WAIT" line <&8; do
		case $line in *'"org.freedesktop.Notifications"'*) break ;; esac
		line=
	done
	[ -n "$line" ] || fail "dunst did not take the bus name: $(cat "$T/dunst.log")"
}

# expect_closed REASON: the next notification dunst closes is closed for
# REASON (2: by the user, 3: by CloseNotification), as the monitor on fd
# 8 sees dunst's NotificationClosed.
expect_closed() {
	while read -r -t "$WAIT" line <&8; do
		case $line in *member=NotificationClosed*) break ;; esac
		line=
	done
	[ -n "${line:-}" ] || fail "dunst closed no notification (expected reason $1)"
	read -r -t "$WAIT" _ id <&8 && read -r -t "$WAIT" _ reason <&8 ||
	    fail "NotificationClosed without its arguments"
	[ "$reason" = "$1" ] ||
	    fail "dunst closed notification $id for reason $reason, expected $1"
}

# expect_count WAITING+DISPLAYED HISTORY: what dunst holds; the waiting
# queue and the screen are added up because dunst moves a notification
# from one to the other on its own schedule.
expect_count() {
	shown=$(( $(dunstctl count waiting) + $(dunstctl count displayed) ))
	history=$(dunstctl count history)
	[ "$shown/$history" = "$1/$2" ] ||
	    fail "dunst shows $shown and has $history in its history, expected $1 and $2: $(cat "$T/dunst.log")"
}

# history_field FIELD: that string field of dunst's newest history entry
# (dunstctl history lists the newest first).
history_field() {
	dunstctl history | tr -d '\n\t' |
	    grep -o "\"$1\" : {\"type\" : \"s\",\"data\" : \"[^\"]*\"}" |
	    head -n 1 | sed 's/.*"data" : "\(.*\)"}$/\1/'
}

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
