#!/bin/bash
# SPDX-License-Identifier: ISC
# A reload that changes [mqtt] on the same broker clears what the new
# section no longer publishes, before publishing the rest: discovery
# switched off takes its Home Assistant configs with it; a new
# topic_prefix takes the old prefix's daemon status, account status and
# mailbox counts.  A fresh subscriber then sees only the new topics.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/mqttlib.sh" || exit 99

# boxes TOPIC REST: the test server's mailboxes below TOPIC/mailbox, each
# followed by REST.
boxes() {
	for b in Archive Drafts Inbox Junk Lists Lists/rust Sent Trash Work \
	    Work/Projects; do
		echo "$1/mailbox/$b $2"
	done
}

broker_conf 'allow_anonymous true'
broker_start
server_start
write_config
cp "$T/config" "$T/config.base"
mqtt_section 'homeassistant_discovery = yes'
daemon_start
wait_log 'mqtt: up at'
wait_log 'mail view of u1: round done'
retained '#' 14 | cut -d' ' -f1-3 >"$T/got"
expect_file "$T/got" "homeassistant/binary_sensor/test-client/test_connection/config 1 1
homeassistant/sensor/test-client/test_unread/config 1 1
jmap-pushd/daemon/test-client/status 1 1
$(boxes jmap-pushd/test '1 1')
jmap-pushd/test/status 1 1"

# Discovery off: the old connection says offline, the new one clears the
# two configs, then says online.
live_sub off 6 'homeassistant/#' 'jmap-pushd/daemon/#'
cp "$T/config.base" "$T/config"
mqtt_section 'homeassistant_discovery = no'
kill -HUP "$DAEMON_PID"
read_lines 6 4 | LC_ALL=C sort >"$T/got"
expect_file "$T/got" "homeassistant/binary_sensor/test-client/test_connection/config 0 1
homeassistant/sensor/test-client/test_unread/config 0 1
jmap-pushd/daemon/test-client/status 0 1 offline
jmap-pushd/daemon/test-client/status 0 1 online"
all_retained >"$T/got"
expect_file "$T/got" "jmap-pushd/daemon/test-client/status 1 1 online
$(boxes jmap-pushd/test '1 1 {"unread":0,"total":0}')
jmap-pushd/test/status 1 1 connected"

# A new topic_prefix: everything under the old one is cleared, the
# daemon status too, and published under the new one.
live_sub prefix 7 'jmap-pushd/#' 'home/mail/#'
cp "$T/config.base" "$T/config"
mqtt_section 'topic_prefix = home/mail'
kill -HUP "$DAEMON_PID"
read_lines 7 25 | LC_ALL=C sort >"$T/got"
expect_file "$T/got" "home/mail/daemon/test-client/status 0 1 online
$(boxes home/mail/test '0 1 {"unread":0,"total":0}')
home/mail/test/status 0 1 connected
jmap-pushd/daemon/test-client/status 0 1
jmap-pushd/daemon/test-client/status 0 1 offline
$(boxes jmap-pushd/test '0 1')
jmap-pushd/test/status 0 1"
all_retained >"$T/got"
expect_file "$T/got" "home/mail/daemon/test-client/status 1 1 online
$(boxes home/mail/test '1 1 {"unread":0,"total":0}')
home/mail/test/status 1 1 connected"
daemon_stop
exec 6<&- 7<&-
echo ok
