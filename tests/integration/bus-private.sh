#!/bin/bash
# SPDX-License-Identifier: ISC
# The tests' private session bus activates nothing: a notification daemon
# installed on the machine (here a fake one, found through XDG_DATA_DIRS and
# XDG_DATA_HOME as a desktop's would be) must not take
# org.freedesktop.Notifications from the tests' fake server, nor pop up on
# the desktop.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/buslib.sh" || exit 99

mkdir -p "$T/xdg/dbus-1/services" "$T/home/dbus-1/services"
printf '#!/bin/sh\necho "$0" >>"%s/activated"\n' "$T" >"$T/activated.sh"
chmod +x "$T/activated.sh"
for dir in "$T/xdg" "$T/home"; do
	printf '[D-BUS Service]\nName=org.freedesktop.Notifications\nExec=%s\n' \
	    "$T/activated.sh" >"$dir/dbus-1/services/org.freedesktop.Notifications.service"
done
export XDG_DATA_DIRS="$T/xdg${XDG_DATA_DIRS:+:$XDG_DATA_DIRS}"
export XDG_DATA_HOME="$T/home"
bus_start

# Only the bus itself is activatable...
out=$(bctl call org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus ListActivatableNames) ||
    fail "ListActivatableNames failed"
[ "$out" = 'as 1 "org.freedesktop.DBus"' ] ||
    fail "the test bus can activate: $out"
# ... and a call to the notification service starts nothing.
if bctl call org.freedesktop.Notifications /org/freedesktop/Notifications \
    org.freedesktop.Notifications GetServerInformation >"$T/call.out" 2>&1; then
	fail "a notification service answered: $(cat "$T/call.out")"
fi
[ ! -e "$T/activated" ] || fail "the test bus ran $(cat "$T/activated")"
grep -q 'org.freedesktop.Notifications' "$T/call.out" ||
    fail "unexpected error: $(cat "$T/call.out")"
echo "ok"
