#!/bin/bash
# SPDX-License-Identifier: ISC
# Several accounts, each with its own connection and backoff, and a login
# that sees a shared account: a change there is fanned out under its own
# accountId; one server going down leaves the other account working.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

server_start --accounts 2
write_config

# A second server for a second account.
mkfifo "$T/port2.fifo"
"$SERVER" --port-file - >"$T/port2.fifo" 2>>"$T/server2.log" &
server2=$!
read -r -t "$WAIT" port2 <"$T/port2.fifo" || fail "second server did not start"
cat >>"$T/config" <<CONF

[account work]
url = http://127.0.0.1:$port2/.well-known/jmap
username = alice@example.com
password_file = $T/password
CONF
daemon_start
curl -sS --fail "http://127.0.0.1:$port2/control/wait?pushEnabled=1&timeout=$((WAIT * 1000))" >/dev/null ||
    fail "account work did not connect"

# The shared account s2 of the first login.
control 'deliver?account=s2' >/dev/null
wait_hook 1
grep -qx 'JMAP_ACCOUNT=test' "$T/hook.1.env" || fail "wrong account name"
grep -qx 'JMAP_ACCOUNT_ID=s2' "$T/hook.1.env" || fail "shared account not fanned out"

# The second server goes away: its account backs off, the first goes on.
kill -TERM "$server2"
wait "$server2" || true
wait_log 'account work: .*retrying in'
control 'deliver?account=u1' >/dev/null
wait_hook 2
grep -qx 'JMAP_ACCOUNT_ID=u1' "$T/hook.2.env" || fail "first account stopped working"
"$top_builddir/src/jmap-pushctl" -s "$T/sock" status --json >"$T/status.json"
grep -q '"account":"test","status":"connected"' "$T/status.json" ||
    fail "test not connected: $(cat "$T/status.json")"
grep -q '"account":"work","status":"\(backoff\|connecting\)"' "$T/status.json" ||
    fail "work not in backoff: $(cat "$T/status.json")"
expect_runs 2
daemon_stop
echo "ok"
