#!/bin/bash
# SPDX-License-Identifier: ISC
# Who may use the control socket.  A client of another uid (nobody) is
# refused by the file's mode 0600, and by its credentials when the mode lets
# it connect: one error line, then closed, the refusal logged (5 a minute at
# most).  With socket_group the file is 0660 of that group and its members
# (by the user database or the process's group) are served; a socket passed
# by systemd is checked the same way.  Root runs it; it needs setpriv.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

need_other_users

# Other users must reach the socket's directory and the clients, which the
# build tree (under /root, say) may not let them.
chmod 755 "$T"
cp "$top_builddir/tests/integration/sockclient" "$top_builddir/src/jmap-pushctl" "$T/"
CLIENT="$T/sockclient"
PUSHCTL="$T/jmap-pushctl"
DENIED='{"error":"permission denied: only the daemon'"'"'s user, root and the members of its socket_group may use this socket","cmd":null}'

# as USER GROUP CMD...: runs CMD as USER with only GROUP.
as() {
	u=$1 g=$2
	shift 2
	setpriv --reuid="$u" --regid="$g" --clear-groups -- "$@"
}

# status_as USER GROUP SOCKET OUT: a status request as USER, its lines in OUT.
status_as() {
	echo '{"cmd":"status"}' | as "$1" "$2" "$CLIENT" -n 1 "$3" >"$4" 2>"$4.err" || true
}

expect_served() {
	grep -q '^{"reply":"status","accounts":\[{"account":"test"' "$1" ||
	    fail "not served: $(cat "$1" "$1.err")"
}

server_start
write_config
daemon_start
[ "$(stat -c '%a %U %G' "$T/sock")" = '600 root root' ] ||
    fail "socket is $(stat -c '%a %U %G' "$T/sock")"

# The file's mode stops nobody at connect().
status_as nobody nogroup "$T/sock" "$T/nobody"
[ ! -s "$T/nobody" ] || fail "nobody got: $(cat "$T/nobody")"
grep -q "Permission denied" "$T/nobody.err" || fail "nobody: $(cat "$T/nobody.err")"
rc=0
as nobody nogroup "$PUSHCTL" -s "$T/sock" status 2>"$T/pushctl.err" || rc=$?
[ $rc = 1 ] || fail "jmap-pushctl as nobody exited with $rc"
expect_file "$T/pushctl.err" "jmap-pushctl: $T/sock: permission denied: only the daemon's user, root and the members of its socket_group may use it"

# An admin widens the mode: the credentials still keep nobody out, and
# repeated tries are logged 5 times.
chmod 666 "$T/sock"
for i in $(seq 8); do
	status_as nobody nogroup "$T/sock" "$T/nobody.$i"
	expect_file "$T/nobody.$i" "$DENIED"
done
[ "$(grep -c "socket: refused a client with uid 65534 (pid [0-9]*): not the daemon's user, root$" "$T/daemon.log")" = 5 ] ||
    fail "refusals logged: $(grep -c 'socket: refused' "$T/daemon.log"), expected 5"
rc=0
as nobody nogroup "$PUSHCTL" -s "$T/sock" status 2>"$T/pushctl.err" || rc=$?
[ $rc = 1 ] || fail "jmap-pushctl as nobody exited with $rc"
expect_file "$T/pushctl.err" "jmap-pushctl: permission denied: only the daemon's user, root and the members of its socket_group may use this socket"
# None of it counted against root, who is served as before.
status_as root root "$T/sock" "$T/root"
expect_served "$T/root"
expect_log "socket client 1: connected (uid 0, pid [0-9]*)"
daemon_stop

# socket_group: the file is 0660 of nogroup, and nobody (in it) is served.
sed -i "s|^socket = .*|&\nsocket_group = nogroup|" "$T/config"
: >"$T/daemon.log"
daemon_start
[ "$(stat -c '%a %U %G' "$T/sock")" = '660 root nogroup' ] ||
    fail "socket with socket_group is $(stat -c '%a %U %G' "$T/sock")"
status_as nobody nogroup "$T/sock" "$T/member"
expect_served "$T/member"
# Not in the group: daemon (uid 1) cannot even connect.
status_as daemon daemon "$T/sock" "$T/daemon1"
grep -q "Permission denied" "$T/daemon1.err" || fail "daemon user: $(cat "$T/daemon1" "$T/daemon1.err")"
# With the mode wide open, the credentials decide: nobody is a member by
# its primary group in the user database even while running as another
# group; a process running with the group is let in, as the file's mode
# would let it; the daemon user with its own group is not.
chmod 666 "$T/sock"
status_as nobody daemon "$T/sock" "$T/member2"
expect_served "$T/member2"
status_as daemon nogroup "$T/sock" "$T/member3"
expect_served "$T/member3"
status_as daemon daemon "$T/sock" "$T/daemon2"
expect_file "$T/daemon2" "$DENIED"
expect_log "socket: refused a client with uid 1 (pid [0-9]*): not the daemon's user, root or a member of nogroup$"
daemon_stop

# An unknown group stops the daemon from starting.
sed -i "s|^socket_group = .*|socket_group = jp-no-such-group|" "$T/config"
rc=0
"$DAEMON" -c "$T/config" 2>"$T/nogroup.log" || rc=$?
[ $rc = 1 ] || fail "daemon with an unknown socket_group exited with $rc"
grep -q "socket: no group jp-no-such-group: create it (groupadd jp-no-such-group) or fix socket_group" "$T/nogroup.log" ||
    fail "no clear message: $(cat "$T/nogroup.log")"
sed -i "/^socket_group = /d" "$T/config"

# A socket passed by systemd: its unit's SocketMode= decides the file's
# mode, the credentials are checked all the same.
if command -v systemd-socket-activate >/dev/null; then
	: >"$T/daemon.log"
	systemd-socket-activate -l "$T/act.sock" ${JP_DAEMON_WRAPPER:-} "$DAEMON" -c "$T/config" -v \
	    2>>"$T/daemon.log" &
	DAEMON_PID=$!
	wait_log 'Listening on'
	chmod 666 "$T/act.sock"
	# The first client starts the daemon; once its account is connected
	# a status request is answered before any event.
	before=$(control status | sed -n 's/.*"pushEnabled":\([0-9]*\).*/\1/p')
	echo '{"cmd":"status"}' | "$CLIENT" -n 1 "$T/act.sock" >/dev/null ||
	    fail "first client failed"
	wait_server "pushEnabled=$((before + 1))"
	status_as root root "$T/act.sock" "$T/act.root"
	expect_served "$T/act.root"
	status_as nobody nogroup "$T/act.sock" "$T/act.nobody"
	expect_file "$T/act.nobody" "$DENIED"
	expect_log "socket: refused a client with uid 65534 (pid [0-9]*): not the daemon's user, root$"
	daemon_stop
else
	echo "systemd-socket-activate is not installed: passed socket not tested"
fi
echo "ok"
