#!/bin/bash
# SPDX-License-Identifier: ISC
# A server cannot lock its account out with a huge event id (issue 12): an
# id longer than 256 bytes is ignored (logged once per stream) while its
# change is delivered, reconnections resume from the last shorter id, and a
# too-long id already in the state file is ignored instead of being sent.
JP_TRANSPORT=eventsource
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

PY=/usr/bin/python3
# stored_id: the eventId in the state file, "null" when there is none.
stored_id() {
	$PY -c 'import json, sys
print(json.load(open(sys.argv[1])).get("eventId"))' "$T/state/test.state"
}
last_event_id() {
	control status | sed -n 's/.*"lastEventId":\("[^"]*"\|null\).*/\1/p'
}

server_start
write_config
mkdir -m 700 "$T/state"
$PY -c 'import json, sys
json.dump({"version": 1, "eventId": "p0" + "x" * 6000}, open(sys.argv[1], "w"))' \
    "$T/state/test.state"

# Before the fix every handshake failed here ("Failed to generate handshake
# for client"): esConnects never reached 1.
daemon_start
wait_log 'ignoring the stored event id (6002 bytes, more than 256): connecting without Last-Event-ID'
[ "$(last_event_id)" = null ] || fail "Last-Event-ID sent: $(last_event_id)"
control 'deliver?account=u1' >/dev/null
wait_hook 1
grep -q '^JMAP_PUSH_STATE=p1$' "$T/hook.1.env" || fail "run 1 is not for p1"

# Changes whose event id is 6,002 bytes: delivered, the id ignored.
frame=$($PY -c 'import urllib.parse
print(urllib.parse.quote("{\"@type\":\"StateChange\",\"changed\":{\"u1\":{\"Foo\":\"f1\"}}}", safe=""))')
control "send?frame=$frame&id=p9&idpad=6000" >/dev/null
wait_hook 2
frame=$($PY -c 'import urllib.parse
print(urllib.parse.quote("{\"@type\":\"StateChange\",\"changed\":{\"u1\":{\"Foo\":\"f2\"}}}", safe=""))')
control "send?frame=$frame&id=p10&idpad=6000" >/dev/null
wait_hook 3
grep -q '^JMAP_STATE_Foo=f2$' "$T/hook.3.env" || fail "run 3 is not for f2"
grep -q '^JMAP_PUSH_STATE=p1$' "$T/hook.3.env" ||
    fail "run 3 has not the last short id: $(grep PUSH_STATE "$T/hook.3.env")"
n=$(grep -c 'the server sent an event id longer than 256 bytes; ignoring it' "$T/daemon.log")
[ "$n" = 1 ] || fail "the long id was logged $n times, expected once"

# The next connection resumes from p1, the last id that fit.
control 'close' >/dev/null
wait_server esConnects=2
[ "$(last_event_id)" = '"p1"' ] || fail "resumed from $(last_event_id)"
daemon_stop
[ "$(stored_id)" = p1 ] || fail "state file holds event id $(stored_id)"

# And so does the next start.
daemon_start
[ "$(last_event_id)" = '"p1"' ] || fail "restarted from $(last_event_id)"
control 'deliver?account=u1' >/dev/null
wait_hook 4
grep -q '^JMAP_PUSH_STATE=p2$' "$T/hook.4.env" || fail "run 4 is not for p2"
expect_runs 4
daemon_stop
echo "ok"
