#!/bin/bash
# SPDX-License-Identifier: ISC
# [mqtt] while the broker is away: state events queue and reach the broker
# once each, in order, after it is back, behind the retained topics; a
# clean stop saves what is still queued (mode 0600) and the next start
# sends it; a broker that lost its retained messages gets them again.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/mqttlib.sh" || exit 99

# keeper N: the next N state events of the persistent session "keeper",
# pushState and subject only.
keeper() {
	mosquitto_sub -h 127.0.0.1 -p "$MQTT_PORT" -i keeper -c -q 0 \
	    -t 'jmap-pushd/test/state' -C "$1" -W "$WAIT" |
	    sed -E 's/.*"pushState":"(p[0-9]+)".*/\1/'
}

# The persistent subscriber takes QoS 0: at QoS 1 the broker sends again
# what mosquitto_sub -C did not acknowledge before it left.
broker_conf 'allow_anonymous true' 'queue_qos0_messages true'
broker_start
server_start
write_config
mqtt_section
daemon_start
wait_log 'mqtt: up at'
# The subscriber's session outlives it and the broker's restart: what is
# published meanwhile waits for it at the broker.
mosquitto_sub -h 127.0.0.1 -p "$MQTT_PORT" -i keeper -c -q 0 \
    -t 'jmap-pushd/test/state' -E

broker_stop
wait_log 'mqtt: mqtt://127.0.0.1:[0-9]*: connection lost'
wait_log "mqtt: cannot connect to mqtt://127.0.0.1:$MQTT_PORT at 127.0.0.1: Connection refused"
for n in 1 2 3; do
	control "mail/deliver?subject=m$n" >/dev/null
	wait_hook $n
done
broker_start
wait_log 'mqtt: up at' 2
keeper 3 >"$T/got"
expect_file "$T/got" 'p1
p2
p3'
# Nothing was sent twice: the next one comes right after.
control 'mail/deliver?subject=m4' >/dev/null
wait_hook 4
keeper 1 >"$T/got"
expect_file "$T/got" 'p4'
# and the broker got each once from the daemon, none marked as a resend.
n=$(grep -c "Received PUBLISH from test-client (d0, q1, r0, m[0-9]*, 'jmap-pushd/test/state'" "$T/broker.log" || true)
[ "$n" = 4 ] || fail "the broker got $n state events, expected 4"
! grep -q "Received PUBLISH from test-client (d1," "$T/broker.log" || fail "an event was sent again"

# Queued at a clean stop: saved, and sent by the next run.
broker_stop
wait_log 'mqtt: mqtt://127.0.0.1:[0-9]*: connection lost' 2
control 'mail/deliver?subject=m5' >/dev/null
wait_hook 5
daemon_stop
expect_log 'mqtt: 2 event(s) saved in '"$T"'/state/mqtt.queue for the next start'
[ "$(stat -c %a "$T/state/mqtt.queue")" = 600 ] || fail "mqtt.queue is not 0600"
broker_start
daemon_start
wait_log 'mqtt: 2 event(s) of the last run queued again'
keeper 1 >"$T/got"
expect_file "$T/got" 'p5'
[ ! -e "$T/state/mqtt.queue" ] || fail "mqtt.queue is still there after the start"

# A broker that lost its retained messages gets them again on the next
# connect: statuses and the counts the daemon knows.
broker_stop
rm -f "$T/broker/mosquitto.db"
broker_start
wait_log 'mqtt: up at' 4
retained 'jmap-pushd/test/status' >"$T/got"
expect_file "$T/got" 'jmap-pushd/test/status 1 1 connected'
retained 'jmap-pushd/test/mailbox/Inbox' >"$T/got"
expect_file "$T/got" 'jmap-pushd/test/mailbox/Inbox 1 1 {"unread":5,"total":5}'
echo ok
