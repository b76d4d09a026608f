#!/bin/bash
# SPDX-License-Identifier: ISC
# A broker that accepts the connection and then never answers holds up
# nothing: hooks and socket events go on, the events for the broker wait
# in the queue, and a stop is not delayed (the queue is saved).
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/mqttlib.sh" || exit 99

CLIENT="$top_builddir/tests/integration/sockclient"
# A black hole on a free port: accepts, reports it, reads nothing.
mkfifo "$T/hole.fifo"
python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(4)
print(s.getsockname()[1], flush=True)
conns = []
while True:
    c, _ = s.accept()
    conns.append(c)
    print("accepted", flush=True)
' >"$T/hole.fifo" &
exec 6<"$T/hole.fifo"
read -r -t "$WAIT" MQTT_PORT <&6 || fail "the black hole did not start"

server_start
write_config
mqtt_section
daemon_start
read -r -t "$WAIT" line <&6 || fail "the daemon did not connect to the broker"
[ "$line" = accepted ] || fail "black hole: $line"

mkfifo "$T/sock.fifo"
"$CLIENT" -n 1 "$T/sock" </dev/null >"$T/sock.fifo" &
exec 7<"$T/sock.fifo"
wait_log 'socket client [0-9]*: connected'
control 'mail/deliver?subject=one' >/dev/null
wait_hook 1
read -r -t "$WAIT" line <&7 || fail "no socket event"
case $line in
'{"event":"state","account":"test",'*'"pushState":"p1",'*) ;;
*) fail "unexpected socket line: $line" ;;
esac
daemon_stop
expect_log 'mqtt: 2 event(s) saved in '"$T"'/state/mqtt.queue for the next start'
echo ok
