#!/bin/bash
# SPDX-License-Identifier: ISC
# A client that reads, but more slowly than changes that cannot be merged
# arrive (one accountId each), is dropped with one overflow event: every
# line it receives until then is whole and one of the events sent, in order,
# and nothing else (no bytes of the daemon's memory) reaches it.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

CLIENT="$top_builddir/tests/integration/sockclient"
server_start
write_config
sed -i "s|^socket = .*|&\nsocket_queue = 64k|" "$T/config"
daemon_start

# 100 ms per 4 KiB read: at most 40 KB/s, behind the rounds below even
# under valgrind.
"$CLIENT" -s 100 "$T/sock" </dev/null >"$T/slow.out" &
slow=$!
wait_log 'socket client 1: connected'

# Rounds of 300 changes, each for an accountId of its own, until the client
# is dropped; between rounds the daemon writes as the client reads, so the
# drop finds a line partly written.
: >"$T/sent"
for round in $(seq 200); do
	control "fault?name=manyaccounts&count=300&prefix=r${round}x" >/dev/null
	for i in $(seq 300); do
		printf '{"event":"state","account":"test","accountId":"r%sx%s","changed":{"Email":"p0-Email"},"reason":"push"}\n' "$round" "$i"
	done >>"$T/sent"
	grep -q 'socket client 1: output queue over' "$T/daemon.log" && break
done
wait_log 'socket client 1: output queue over 65536 bytes with state events merged (the client reads too slowly); dropped [0-9]* event(s), disconnecting'
dropped=$(sed -n 's/.*; dropped \([0-9]*\) event(s), disconnecting$/\1/p' "$T/log.match")
# The change that overflowed the queue is the last one logged before.
last=$(sed -n 's/.*: change in \(r[0-9]*x[0-9]*\): .*/\1/p; /output queue over/q' "$T/daemon.log" | tail -n 1)
trigger=$(grep -n "\"accountId\":\"$last\"" "$T/sent" | cut -d: -f1)
wait $slow

# What the client got, without the times: the events sent before the one
# that overflowed, in order, less the ones the overflow event counts as
# dropped (that one included), then that overflow event.
got=$(($(wc -l <"$T/slow.out") - 1))
[ "$got" -gt 0 ] || fail "the client got no event"
{
	head -n "$got" "$T/sent"
	printf '{"event":"overflow","dropped":%s}\n' "$dropped"
} >"$T/expected.out"
sed 's/,"time":"[0-9T:Z-]*"}$/}/' "$T/slow.out" >"$T/got.out"
cmp -s "$T/expected.out" "$T/got.out" || {
	diff -a -u "$T/expected.out" "$T/got.out" | head -n 20 | cat -v
	fail "the slow client got other bytes than the events sent"
}
[ $((got + dropped)) -eq "$trigger" ] ||
    fail "the client got $got events and was told $dropped were dropped; the queue overflowed at event $trigger"
daemon_stop
echo "ok"
