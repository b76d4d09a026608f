#!/bin/bash
# SPDX-License-Identifier: ISC
# More accounts with an event in flight than the output lets go at once
# (256): an account's event or acknowledgement hands on only that
# account's next event, so the accounts that found no room must be taken
# up again once acknowledgements free it.  The broker is stopped (SIGSTOP)
# while 300 accounts each get a change, so that no acknowledgement comes
# before all of them are queued; every account's state event must arrive
# once it runs again.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/mqttlib.sh" || exit 99

N=300
broker_conf 'allow_anonymous true'
broker_start
server_start
{
	printf '[daemon]\nstate_dir = %s/state\nsocket = %s/sock\n' "$T" "$T"
	for i in $(seq "$N"); do
		printf '\n[account a%d]\nurl = %s/.well-known/jmap\n' "$i" "$BASE"
		printf 'username = alice@example.com\npassword_file = %s/password\n' "$T"
	done
} >"$T/config"
printf 'secret\n' >"$T/password"
chmod 600 "$T/password"
mqtt_section
daemon_start
wait_server "pushEnabled=$N"
wait_log 'mqtt: up at'
live_sub watcher 5 'jmap-pushd/+/state'

kill -STOP "$BROKER_PID"
control 'deliver?account=u1' >/dev/null
wait_log 'change in u1' "$N"
kill -CONT "$BROKER_PID"
read_lines 5 "$N" | cut -d' ' -f1 | sort -u >"$T/topics"
for i in $(seq "$N"); do echo "jmap-pushd/a$i/state"; done | sort >"$T/expected.topics"
diff -u "$T/expected.topics" "$T/topics" || fail "not every account's state event arrived"
echo "ok"
