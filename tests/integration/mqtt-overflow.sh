#!/bin/bash
# SPDX-License-Identifier: ISC
# [mqtt] queue = 2 while the broker is away: state events of the account
# merge into the latest, mail events are dropped oldest first and counted,
# and the overflow event takes the first dropped one's place; all of it
# reaches the broker, in that order, once it is back.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/mqttlib.sh" || exit 99
. "$top_srcdir/tests/integration/maillib.sh" || exit 99

untime() { sed -E 's/"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"/"TIME"/g' "$@"; }

# The persistent subscriber takes QoS 0: at QoS 1 the broker sends again
# what mosquitto_sub -C did not acknowledge before it left.
broker_conf 'allow_anonymous true' 'queue_qos0_messages true'
broker_start
server_start
write_config
mqtt_section 'queue = 2'
daemon_start
wait_log 'mqtt: up at'
wait_round 1
mosquitto_sub -h 127.0.0.1 -p "$MQTT_PORT" -i keeper -c -q 0 \
    -t 'jmap-pushd/test/state' -t 'jmap-pushd/test/mail' -E

broker_stop
wait_log 'mqtt: mqtt://127.0.0.1:[0-9]*: connection lost'
# One at a time: each change's state event, then its mail event.
for n in 1 2 3; do
	control "mail/deliver?subject=m$n" >/dev/null
	wait_hook $n
	wait_round $((n + 1))
done
broker_start
mosquitto_sub -h 127.0.0.1 -p "$MQTT_PORT" -i keeper -c -q 0 \
    -t 'jmap-pushd/test/state' -t 'jmap-pushd/test/mail' -C 3 -W "$WAIT" \
    -F '%t %p' | untime >"$T/got"
expect_file "$T/got" 'jmap-pushd/test/mail {"event":"overflow","account":"test","dropped":2}
jmap-pushd/test/state {"event":"state","account":"test","accountId":"u1","changed":{"Email":"e3","EmailDelivery":"d3","Mailbox":"m3","Thread":"t3"},"pushState":"p3","reason":"push","time":"TIME"}
jmap-pushd/test/mail {"event":"mail","account":"test","accountId":"u1","new":[{"id":"M3","mailbox":"Inbox","from":[{"name":"Sender 3","email":"sender3@example.com"}],"subject":"m3","receivedAt":"TIME","messageId":"msg3@example.com","threadId":"T3","preview":"m3"}],"newTruncated":0}'
daemon_stop
echo ok
