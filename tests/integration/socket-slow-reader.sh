#!/bin/bash
# SPDX-License-Identifier: ISC
# A client that reads, but more slowly than a burst of changes arrives, is
# never cut off: the state events waiting for it are merged, and it ends
# with the exact final state of every type.  Every line it gets is a whole
# state event that tells the truth: each type's state is the one that type
# had when that event's pushState was issued.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

CLIENT="$top_builddir/tests/integration/sockclient"
PY=/usr/bin/python3
N=10000		# deliveries: Email, EmailDelivery, Mailbox and Thread
M=3000		# then Mailbox alone, merged into what still waits
server_start
write_config
# No hook: this is about the socket alone.
sed -i '/^\[hook record\]/,$d' "$T/config"
sed -i "s|^socket = .*|&\nsocket_queue = 64k|" "$T/config"
daemon_start

mkfifo "$T/slow.in" "$T/slow.fifo"
# 100 ms per 4 KiB read: at most 40 KB/s, behind the bursts even under
# valgrind.
"$CLIENT" -s 100 "$T/sock" <"$T/slow.in" >"$T/slow.fifo" &
exec 5>"$T/slow.in"
exec 6<"$T/slow.fifo"
wait_log 'socket client 1: connected'

control "deliver?account=u1&count=$N" >/dev/null
control "change?account=u1&type=Mailbox&count=$M" >/dev/null
: >"$T/got"
while :; do
	read -r -t "$WAIT" line <&6 ||
	    fail "the slow client got no more events after $(wc -l <"$T/got")"
	printf '%s\n' "$line" >>"$T/got"
	case $line in
	*'"event":"overflow"'*) fail "the slow client was dropped: $line" ;;
	*"\"pushState\":\"p$((N + M))\""*) break ;;
	esac
done

"$PY" - "$T/got" "$N" "$M" <<'PY' || fail "the slow client got a wrong event"
import json, re, sys

path, n, m = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
prefix = {"Email": "e", "EmailDelivery": "d", "Mailbox": "m", "Thread": "t"}
known, last, merged = {}, 0, 0
for no, raw in enumerate(open(path, encoding="utf-8"), 1):
    ev = json.loads(raw)
    time = ev.pop("time", "")
    changed = ev.pop("changed", None)
    ps = ev.pop("pushState", "")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", time), (no, raw)
    assert ev == {"event": "state", "account": "test", "accountId": "u1",
                  "reason": "push"}, (no, raw)
    assert re.fullmatch(r"p\d+", ps), (no, raw)
    k = int(ps[1:])
    assert last < k <= n + m, ("pushState out of order", no, raw)
    last = k
    # The change that took pushState k: a delivery (every type) up to n,
    # then Mailbox alone.
    own = set(prefix) if k <= n else {"Mailbox"}
    assert own <= set(changed) <= set(prefix), (no, raw)
    for t, state in changed.items():
        want = k if t == "Mailbox" else min(k, n)
        assert state == prefix[t] + str(want), ("wrong state", no, t, raw)
        known[t] = state
    merged += set(changed) != own
final = {t: p + str(n + m if t == "Mailbox" else n) for t, p in prefix.items()}
assert known == final, ("final state", known)
print(f"{no} events for {n + m} changes, {merged} of them merged across types")
PY

# Still connected: it is answered.
echo '{"cmd":"subscribe"}' >&5
read -r -t "$WAIT" line <&6 || fail "the slow client was disconnected"
[ "$line" = '{"reply":"subscribe","ok":true}' ] || fail "unexpected reply $line"
! grep -q 'socket client 1: .*disconnecting' "$T/daemon.log" ||
    fail "the slow client was dropped"
exec 5>&-
exec 6<&-
daemon_stop
echo "ok"
