#!/bin/bash
# SPDX-License-Identifier: ISC
# A client that never reads is dropped once it has taken none of its output
# for socket_stall (its state events merged, its queue stays within
# socket_queue), with the number of events it lost logged once; a reading
# client meanwhile gets every event.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

CLIENT="$top_builddir/tests/integration/sockclient"
server_start
write_config
sed -i "s|^socket = .*|&\nsocket_queue = 64k\nsocket_stall = 1s|" "$T/config"
daemon_start

mkfifo "$T/stuck.in" "$T/good.fifo"
"$CLIENT" -r "$T/sock" <"$T/stuck.in" >"$T/stuck.out" &
stuck=$!
exec 5>"$T/stuck.in"
wait_log 'socket client 1: connected'
"$CLIENT" "$T/sock" </dev/null >"$T/good.fifo" 5>&- &
exec 6<"$T/good.fifo"
wait_log 'socket client 2: connected'

# In rounds of 100 (18 KB of events, well within the bound), each read by
# the good client before the next: the stuck one fills the kernel's buffer,
# then its queue, where the state events waiting merge into one.
n=0
for round in $(seq 20); do
	control "deliver?account=u1&count=100" >/dev/null
	for _ in $(seq 100); do
		read -r -t "$WAIT" line <&6 || fail "good client: no event after p$n"
		n=$((n + 1))
		case $line in
		*"\"pushState\":\"p$n\""*) ;;
		*) fail "good client: expected p$n, got $line" ;;
		esac
	done
done
wait_log 'socket client 1: read nothing for 1s while output waited (the client does not read); dropped [01] event(s), disconnecting'
wait_log 'socket client 1: dropped$'
[ "$(grep -c 'socket client 1: .*disconnecting' "$T/daemon.log")" = 1 ] ||
    fail "client 1 was dropped more than once"
control 'deliver?account=u1' >/dev/null
read -r -t "$WAIT" line <&6 || fail "good client: no event after the drop"
case $line in *'"pushState":"p2001"'*) ;; *) fail "good client got $line" ;; esac

# The stuck client finds its connection closed.
exec 5>&-
wait $stuck
expect_file "$T/stuck.out" eof
daemon_stop
echo "ok"
