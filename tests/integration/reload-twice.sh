#!/bin/bash
# SPDX-License-Identifier: ISC
# A reload while an account is still closing from the previous one: the
# account runs again from the newest config, whether the first reload
# changed it (it used to run from a freed config: a use-after-free under
# ASan) or removed it (it never started again).
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

CLIENT="$top_builddir/tests/integration/sockclient"
CTL="$top_builddir/src/jmap-pushctl"
# Two reloads in one write, after a subscribe to no event: only the
# replies come back.
RELOAD2='{"cmd":"subscribe","events":[]}
{"cmd":"reload"}
{"cmd":"reload"}'
REPLIES='{"reply":"subscribe","ok":true}
{"reply":"reload","ok":true}
{"reply":"reload","ok":true}'

# expect_accounts EXPECTED: the account and status of each entry of the
# socket's status reply, in order, one "account status" a line.
expect_accounts() {
	"$CTL" -s "$T/sock" status --json >"$T/status.json" ||
	    fail "jmap-pushctl status failed"
	grep -o '"account":"[^"]*","status":"[^"]*"' "$T/status.json" |
	    sed 's/"account":"\([^"]*\)","status":"\([^"]*\)"/\1 \2/' >"$T/status"
	expect_file "$T/status" "$1"
}

server_start
write_config 'ping_interval = 30s'
add_account other
daemon_start
wait_server 'pushEnabled=2'
wait_log 'account test: connected to'
wait_log 'account other: connected to'

# The exact report: the config edited, then two reloads in one write.  The
# second comes before the account the first one changed has closed.
sed 's/^ping_interval = 30s$/ping_interval = 20s/' "$T/config" >"$T/config.new"
mv "$T/config.new" "$T/config"
printf '%s\n' "$RELOAD2" |
    "$CLIENT" -n 3 "$T/sock" >"$T/replies" || fail "reload client failed"
expect_file "$T/replies" "$REPLIES"
wait_log 'configuration reloaded' 2
expect_log 'account test: still closing; starts again once closed'
wait_log 'account test: connected to' 2
expect_accounts 'other connected
test connected'

# Removed by one reload, added again by the next while it is still
# closing.  The config is a FIFO here: the daemon blocks reading it, so
# no loop turn (and no close) can come between the two reloads.  A test
# that fails with the daemon blocked there must not hang: the exit trap
# unblocks it.
unblock_config() {
	[ -p "$T/config" ] || return 0
	timeout 1 sh -c ': >"$1"' sh "$T/config" || true
	rm -f "$T/config"
}
trap 'rc=$?; set +e; unblock_config; (exit $rc); cleanup' EXIT
# feed_config FILE: FILE to the daemon's next read of the FIFO.
feed_config() {
	timeout "$WAIT" sh -c 'cat "$1" >"$2"' sh "$1" "$T/config" ||
	    fail "the daemon did not read $1"
}
cp "$T/config" "$T/config.full"
awk '/^\[account test\]$/ { skip = 1; next } /^\[/ { skip = 0 } !skip' \
    "$T/config.full" >"$T/config.removed"
grep -q '^\[account other\]$' "$T/config.removed" || fail "bad config.removed"
rm "$T/config"
mkfifo "$T/config"
printf '%s\n' "$RELOAD2" |
    "$CLIENT" -n 3 "$T/sock" >"$T/replies" &
client=$!
feed_config "$T/config.removed"
# "reloading" is logged before the config is opened, after the first
# reload closed it: the second read gets the second config alone.
wait_log 'reloading ' 4
feed_config "$T/config.full"
wait "$client" || fail "reload client failed"
expect_file "$T/replies" "$REPLIES"
wait_log 'configuration reloaded' 4
expect_log 'account test: removed from the configuration; closing'
wait_log 'account test: still closing; starts again once closed' 2
wait_log 'account test: connected to' 3
expect_accounts 'other connected
test connected'
# No reload touched the unchanged account.
n=$(grep -c 'account other: connected to' "$T/daemon.log")
[ "$n" = 1 ] || fail "account other connected $n times"

# Both still deliver.
control 'deliver?account=u1' >/dev/null
wait_hook 1
wait_hook 2
expect_runs 2
daemon_stop
echo "ok"
