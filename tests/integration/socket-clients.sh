#!/bin/bash
# SPDX-License-Identifier: ISC
# max_clients (default 64): with 64 clients connected the 65th and 66th
# get one error line and are closed, logged once for the burst; the daemon
# stays up, an old client still gets events, and once one leaves the burst's
# count is logged and a new client is served.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

CLIENT="$top_builddir/tests/integration/sockclient"
FULL='{"error":"too many clients: try again later, or raise max_clients","cmd":null}'
server_start
write_config
daemon_start

# Each client holds its connection until its stdin, this FIFO, ends.
mkfifo "$T/hold.fifo" "$T/first.fifo"
exec 5<>"$T/hold.fifo"
"$CLIENT" "$T/sock" <"$T/hold.fifo" >"$T/first.fifo" &
exec 6<"$T/first.fifo"
for i in $(seq 2 64); do
	"$CLIENT" "$T/sock" <"$T/hold.fifo" >"$T/client.$i" &
	eval "pid$i=$!"
done
wait_log 'socket client 64: connected'

for i in 65 66; do
	"$CLIENT" "$T/sock" </dev/null >"$T/client.$i" 2>&1 || fail "client $i: $(cat "$T/client.$i")"
	expect_file "$T/client.$i" "$FULL"
done
[ "$(grep -c 'socket: 64 clients connected, the max_clients limit: refusing new ones until one leaves$' "$T/daemon.log")" = 1 ] ||
    fail "the burst was not logged exactly once"

# The daemon is up and an old client gets events.
control 'deliver?account=u1' >/dev/null
read -r -t "$WAIT" line <&6 || fail "the first client got no event"
case $line in
*'"event":"state","account":"test","accountId":"u1"'*'"pushState":"p1"'*) ;;
*) fail "the first client got $line" ;;
esac

# One leaves: the burst ends, and a new client is served.
kill -TERM "$pid64"
wait "$pid64" 2>/dev/null || true
wait_log 'socket: 2 connection(s) refused while at max_clients (64); accepting again$'
echo '{"cmd":"status"}' | "$CLIENT" -n 1 "$T/sock" >"$T/client.67" ||
    fail "client 67 failed"
grep -q '^{"reply":"status","accounts":\[{"account":"test"' "$T/client.67" ||
    fail "client 67 got: $(cat "$T/client.67")"
expect_log 'socket client 65: connected'
exec 5>&- 6<&-
daemon_stop
echo "ok"
