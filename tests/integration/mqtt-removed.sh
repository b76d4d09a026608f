#!/bin/bash
# SPDX-License-Identifier: ISC
# An account a reload removes takes its retained topics with it: its
# status, mailbox counts and Home Assistant discovery configs are cleared
# (empty retained messages), and its closing says no status after that;
# the other account's topics stay.
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
mqtt_section 'homeassistant_discovery = yes'
cp "$T/config" "$T/config.one"
add_account other
cp "$T/config" "$T/config.two"
daemon_start
wait_connected 2
wait_log 'mail view of u1: round done' 2
# Both accounts: daemon, 2 x (status, 10 mailboxes, 2 discovery configs).
retained '#' 27 | grep -c '/other[/_]' >"$T/got"
expect_file "$T/got" 13

live_sub gone 6 'jmap-pushd/#' 'homeassistant/#'
cp "$T/config.one" "$T/config"
kill -HUP "$DAEMON_PID"
wait_log 'account other: removed from the configuration; closing'
read_lines 6 13 | LC_ALL=C sort >"$T/got"
expect_file "$T/got" "homeassistant/binary_sensor/test-client/other_connection/config 0 1
homeassistant/sensor/test-client/other_unread/config 0 1
$(boxes jmap-pushd/other '0 1')
jmap-pushd/other/status 0 1"
wait_server 'clientCloses=1'
# stays: what stays is the daemon's and the account test's, nothing of
# other's.
stays() {
	retained '#' 14 | cut -d' ' -f1-3 >"$T/got"
	expect_file "$T/got" "homeassistant/binary_sensor/test-client/test_connection/config 1 1
homeassistant/sensor/test-client/test_unread/config 1 1
jmap-pushd/daemon/test-client/status 1 1
$(boxes jmap-pushd/test '1 1')
jmap-pushd/test/status 1 1"
}
stays

# Back, then removed by a reload that also changes [mqtt] (a new
# connection to the same broker): the clearing goes first on it.
cp "$T/config.two" "$T/config"
kill -HUP "$DAEMON_PID"
retained '#' 27 | grep -c '/other[/_]' >"$T/got"
expect_file "$T/got" 13
live_sub gone2 7 'jmap-pushd/other/#' \
    'homeassistant/+/test-client/other_connection/config' \
    'homeassistant/+/test-client/other_unread/config'
sed 's/^client_id = test-client$/&\nkeepalive = 30s/' "$T/config.one" >"$T/config"
kill -HUP "$DAEMON_PID"
read_lines 7 13 | LC_ALL=C sort >"$T/got"
expect_file "$T/got" "homeassistant/binary_sensor/test-client/other_connection/config 0 1
homeassistant/sensor/test-client/other_unread/config 0 1
$(boxes jmap-pushd/other '0 1')
jmap-pushd/other/status 0 1"
wait_server 'clientCloses=2'
stays
daemon_stop
exec 6<&- 7<&-
echo ok
