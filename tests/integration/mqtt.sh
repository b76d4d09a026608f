#!/bin/bash
# SPDX-License-Identifier: ISC
# [mqtt] against a real mosquitto: the daemon status (online, retained,
# QoS 1; offline on a clean stop; the Last Will offline when the daemon
# is killed), account statuses and mailbox counts retained, state and mail
# events not retained, QoS 1, exactly the socket's JSON; a mailbox named
# a/+/# is one topic level; Home Assistant discovery configs.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/mqttlib.sh" || exit 99

untime() { sed -E 's/"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"/"TIME"/g' "$@"; }
# lines N: the next N lines of the event subscriber, times replaced.
lines() { for _ in $(seq "$1"); do read -r -t "$WAIT" l <&5 || fail "no MQTT message"; echo "$l"; done | untime; }

broker_conf 'allow_anonymous true'
broker_start
server_start
write_config
mqtt_section 'homeassistant_discovery = yes'

mkfifo "$T/events.fifo"
sub_bg "$T/events.fifo" -q 1 -t 'jmap-pushd/+/state' -t 'jmap-pushd/+/mail'
exec 5<"$T/events.fifo"
daemon_start
wait_log 'mqtt: up at mqtt://127.0.0.1:[0-9]* as test-client'
wait_log 'mail view of u1: round done'

retained 'jmap-pushd/daemon/+/status' >"$T/got"
expect_file "$T/got" 'jmap-pushd/daemon/test-client/status 1 1 online'
retained 'jmap-pushd/test/status' >"$T/got"
expect_file "$T/got" 'jmap-pushd/test/status 1 1 connected'
retained 'jmap-pushd/test/mailbox/#' 10 >"$T/got"
expect_file "$T/got" 'jmap-pushd/test/mailbox/Archive 1 1 {"unread":0,"total":0}
jmap-pushd/test/mailbox/Drafts 1 1 {"unread":0,"total":0}
jmap-pushd/test/mailbox/Inbox 1 1 {"unread":0,"total":0}
jmap-pushd/test/mailbox/Junk 1 1 {"unread":0,"total":0}
jmap-pushd/test/mailbox/Lists 1 1 {"unread":0,"total":0}
jmap-pushd/test/mailbox/Lists/rust 1 1 {"unread":0,"total":0}
jmap-pushd/test/mailbox/Sent 1 1 {"unread":0,"total":0}
jmap-pushd/test/mailbox/Trash 1 1 {"unread":0,"total":0}
jmap-pushd/test/mailbox/Work 1 1 {"unread":0,"total":0}
jmap-pushd/test/mailbox/Work/Projects 1 1 {"unread":0,"total":0}'

# Home Assistant: a sensor for the inbox's unread count, a binary sensor
# for the connection, both available while the daemon is online.
retained 'homeassistant/#' 2 >"$T/got"
expect_file "$T/got" 'homeassistant/binary_sensor/test-client/test_connection/config 1 1 {"unique_id":"test-client_test_connection","object_id":"test-client_test_connection","availability_topic":"jmap-pushd/daemon/test-client/status","payload_available":"online","payload_not_available":"offline","device":{"identifiers":["test-client"],"name":"jmap-pushd test-client","model":"jmap-pushd"},"name":"test connection","state_topic":"jmap-pushd/test/status","value_template":"{{ '"'ON'"' if value == '"'connected'"' else '"'OFF'"' }}","device_class":"connectivity"}
homeassistant/sensor/test-client/test_unread/config 1 1 {"unique_id":"test-client_test_unread","object_id":"test-client_test_unread","availability_topic":"jmap-pushd/daemon/test-client/status","payload_available":"online","payload_not_available":"offline","device":{"identifiers":["test-client"],"name":"jmap-pushd test-client","model":"jmap-pushd"},"name":"test unread","state_topic":"jmap-pushd/test/mailbox/Inbox","value_template":"{{ value_json.unread }}","state_class":"measurement","icon":"mdi:email"}'

# New mail: the state event, then the mail event, each once, QoS 1, not
# retained, and the inbox count.
control 'mail/deliver?subject=Hello&name=Ann&email=ann@example.com' >/dev/null
lines 2 >"$T/got"
expect_file "$T/got" 'jmap-pushd/test/state 0 1 {"event":"state","account":"test","accountId":"u1","changed":{"Email":"e1","EmailDelivery":"d1","Mailbox":"m1","Thread":"t1"},"pushState":"p1","reason":"push","time":"TIME"}
jmap-pushd/test/mail 0 1 {"event":"mail","account":"test","accountId":"u1","new":[{"id":"M1","mailbox":"Inbox","from":[{"name":"Ann","email":"ann@example.com"}],"subject":"Hello","receivedAt":"TIME","messageId":"msg1@example.com","threadId":"T1","preview":"Hello"}],"newTruncated":0}'
retained 'jmap-pushd/test/mailbox/Inbox' >"$T/got"
expect_file "$T/got" 'jmap-pushd/test/mailbox/Inbox 1 1 {"unread":1,"total":1}'

# A mailbox named a/+/# is one level: its topic matches no wildcard it
# spells; renamed, its old topic is cleared (an empty retained message).
live_sub boxes 6 'jmap-pushd/test/mailbox/#'
box=$(control 'mail/mailbox?op=create&name=a%2F%2B%2F%23' | sed -n 's/.*"mailbox":"\([^"]*\)".*/\1/p')
read_lines 6 1 >"$T/got"
expect_file "$T/got" 'jmap-pushd/test/mailbox/a%2F%2B%2F%23 0 1 {"unread":0,"total":0}'
retained 'jmap-pushd/test/mailbox/+' 9 | grep '^jmap-pushd/test/mailbox/a' >"$T/got"
expect_file "$T/got" 'jmap-pushd/test/mailbox/a%2F%2B%2F%23 1 1 {"unread":0,"total":0}'
control "mail/mailbox?op=rename&mailbox=$box&name=b%25" >/dev/null
read_lines 6 2 >"$T/got"
expect_file "$T/got" 'jmap-pushd/test/mailbox/b%25 0 1 {"unread":0,"total":0}
jmap-pushd/test/mailbox/a%2F%2B%2F%23 0 1'
retained 'jmap-pushd/test/mailbox/+' 9 | grep '^jmap-pushd/test/mailbox/[ab]' >"$T/got"
expect_file "$T/got" 'jmap-pushd/test/mailbox/b%25 1 1 {"unread":0,"total":0}'
lines 2 >"$T/got"
expect_file "$T/got" 'jmap-pushd/test/state 0 1 {"event":"state","account":"test","accountId":"u1","changed":{"Mailbox":"m2"},"pushState":"p2","reason":"push","time":"TIME"}
jmap-pushd/test/state 0 1 {"event":"state","account":"test","accountId":"u1","changed":{"Mailbox":"m3"},"pushState":"p3","reason":"push","time":"TIME"}'

# A clean stop says offline itself.
daemon_stop
retained 'jmap-pushd/daemon/+/status' >"$T/got"
expect_file "$T/got" 'jmap-pushd/daemon/test-client/status 1 1 offline'

# Killed: the broker publishes the Last Will.
live_sub will 7 'jmap-pushd/daemon/+/status'
daemon_start
read_lines 7 1 >"$T/got"
expect_file "$T/got" 'jmap-pushd/daemon/test-client/status 0 1 online'
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=
read_lines 7 1 >"$T/got"
expect_file "$T/got" 'jmap-pushd/daemon/test-client/status 0 1 offline'
retained 'jmap-pushd/daemon/+/status' >"$T/got"
expect_file "$T/got" 'jmap-pushd/daemon/test-client/status 1 1 offline'
echo ok
