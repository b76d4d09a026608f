# SPDX-License-Identifier: ISC
# A real notification server for the tests, on top of lib.sh and
# buslib.sh: Xvfb, a bus monitor on fd 8, and dunst with a configuration
# of its own; dunstctl's view of what it holds.

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
	# menu it was given and picks the action named in $T/pick.
	cat >"$T/dmenu" <<EOF
#!/bin/sh
cat >"$T/menu"
grep ",\$(cat "$T/pick")]\$" "$T/menu"
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
