#!/bin/bash
# SPDX-License-Identifier: ISC
# The short mailbox topics (P/ACCOUNT/mailbox/...) are the Session's
# primary mail account's, whichever JMAP account's mail view a round
# brings first: with u1 (primaryAccounts) left out of the Session, the
# shared s2 is the only one seen, and still gets P/ACCOUNT/s2/mailbox/...;
# once the Session lists u1 again, u1 gets the short form.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/mqttlib.sh" || exit 99

# boxes TOPIC: the retained counts of the test server's mailboxes below
# TOPIC/mailbox, as retained prints them.
boxes() {
	for b in Archive Drafts Inbox Junk Lists Lists/rust Sent Trash Work \
	    Work/Projects; do
		echo "$1/mailbox/$b 1 1 {\"unread\":0,\"total\":0}"
	done
}

broker_conf 'allow_anonymous true'
broker_start
server_start --accounts 2
control 'accounts?remove=u1' >/dev/null
write_config
mqtt_section
live_sub first 5 'jmap-pushd/test/mailbox/#' 'jmap-pushd/test/+/mailbox/#'
daemon_start
read_lines 5 10 | LC_ALL=C sort >"$T/got"
expect_file "$T/got" "$(boxes jmap-pushd/test/s2 | sed 's/ 1 1 / 0 1 /')"

control 'accounts?add=u1' >/dev/null
live_sub again 6 'jmap-pushd/test/status' 'jmap-pushd/test/mailbox/#'
"$top_builddir/src/jmap-pushctl" -s "$T/sock" reconnect >/dev/null ||
    fail "jmap-pushctl reconnect failed"
# Once the broker has the new topics, what it keeps is complete.
read_lines 6 12 | LC_ALL=C sort >"$T/got"
expect_file "$T/got" "$(boxes jmap-pushd/test | sed 's/ 1 1 / 0 1 /')
jmap-pushd/test/status 0 1 connected
jmap-pushd/test/status 0 1 connecting"
retained 'jmap-pushd/test/#' 21 >"$T/got"
expect_file "$T/got" "$(boxes jmap-pushd/test)
$(boxes jmap-pushd/test/s2)
jmap-pushd/test/status 1 1 connected"

daemon_stop
exec 5<&- 6<&-
echo ok
