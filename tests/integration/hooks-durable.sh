#!/bin/bash
# SPDX-License-Identifier: ISC
# A hook run still owed when the daemon stops or crashes (waiting out its
# debounce, or queued behind a running run) is kept in the state file with
# the states it was recorded with, and runs exactly once after the restart;
# a run the stop has to cut short is owed too (it runs again, merged with
# what queued behind it), one that ends by itself during the stop is not.  Run 2 of each part is a fresh change: the proof that
# nothing ran twice.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

server_start
write_config
# The record hook of lib.sh, which blocks (as a slow hook) while
# $T/block exists, or until a line comes through the FIFO $T/gate.
sed -i '/^\[hook record\]/,$d' "$T/config"
cat >>"$T/config" <<CONF
[hook record]
debounce = 5s
command = n=\$(( \$(cat "$T/runs" 2>/dev/null || echo 0) + 1 )); echo \$n > "$T/runs"; env | grep '^JMAP_' | LC_ALL=C sort > "$T/hook.\$n.env"; cat > "$T/hook.\$n.stdin"; echo \$n > "$T/hook.fifo"; [ ! -e "$T/block" ] || { echo \$\$ > "$T/slow.pid"; exec sleep 60; }; [ ! -p "$T/gate" ] || read x < "$T/gate"
CONF
STATE="$T/state/test.state"

# set_debounce D: the record hook's debounce for the next start.
set_debounce() {
	sed -i "s/^debounce = .*/debounce = $1/" "$T/config"
}

# saves: how often the daemon has saved the state file so far.
saves() {
	grep -c "state file $STATE saved" "$T/daemon.log" || true
}

# kill_daemon: a crash.
kill_daemon() {
	kill -KILL "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null || true
	DAEMON_PID=
}

# expect_run N PUSHSTATE EMAIL: run N was for that change, as a push.
expect_run() {
	expect_file "$T/hook.$1.env" "JMAP_ACCOUNT=test
JMAP_ACCOUNT_ID=u1
JMAP_HOOK=record
JMAP_PUSH_STATE=$2
JMAP_REASON=push
JMAP_STATE_Email=e$3
JMAP_STATE_EmailDelivery=d$3
JMAP_STATE_Mailbox=m$3
JMAP_STATE_Thread=t$3
JMAP_TYPES=Email EmailDelivery Mailbox Thread"
	expect_stdin "$T/hook.$1.stdin" "{\"@type\":\"StateChange\",\"changed\":{\"u1\":{\"Email\":\"e$3\",\"EmailDelivery\":\"d$3\",\"Mailbox\":\"m$3\",\"Thread\":\"t$3\"}},\"pushState\":\"$2\"}"
}

# restart_check N PUSHSTATE EMAIL: starts again with a short debounce; the
# owed run is run N, then a fresh delivery is run N+1 and nothing else.
restart_check() {
	set_debounce 100ms
	daemon_start
	wait_hook "$1"
	expect_run "$1" "$2" "$3"
	wait_log "hook record: account test: queueing again the run owed for u1 from before the restart (push)"
	control 'deliver?account=u1' >/dev/null
	wait_hook "$(($1 + 1))"
	grep -qx "JMAP_STATE_Email=e$(($3 + 1))" "$T/hook.$(($1 + 1)).env" ||
	    fail "run $(($1 + 1)) is not the fresh change: $(cat "$T/hook.$(($1 + 1)).env")"
	expect_runs "$(($1 + 1))"
	daemon_stop
	grep -q '"pending"' "$STATE" && fail "runs still pending: $(cat "$STATE")"
	: >"$T/daemon.log"
}

# 1. SIGTERM while the run waits out a 5 s debounce.
set_debounce 5s
daemon_start
control 'deliver?account=u1' >/dev/null
wait_log 'account test: change in u1'
daemon_stop
expect_runs 0
grep -q '"pending":{"record":{"u1":{"changed":{"Email":"e1","EmailDelivery":"d1","Mailbox":"m1","Thread":"t1"},"pushState":"p1","reason":"push"}}}' "$STATE" ||
    fail "the owed run is not in the state file: $(cat "$STATE")"
restart_check 1 p1 1

# 2. A crash once the state file holds the change (and so the run).
set_debounce 5s
daemon_start
n=$(saves)
control 'deliver?account=u1' >/dev/null
wait_log 'account test: change in u1'
wait_log "state file $STATE saved" "$((n + 1))"
kill_daemon
grep -q '"Email":"e3"' "$STATE" || fail "state not saved: $(cat "$STATE")"
expect_runs 2
restart_check 3 p3 3

# 3. A run queued behind a slow one when SIGTERM comes: the slow one is cut
# short, so both are owed and run once, merged.
set_debounce 0
touch "$T/block"
daemon_start
control 'deliver?account=u1' >/dev/null
wait_hook 5
expect_run 5 p5 5
control 'deliver?account=u1' >/dev/null
wait_log 'account test: change in u1.*pushState p6'
daemon_stop
rm -f "$T/block"
expect_runs 5
restart_check 6 p6 6

# 4. The same, with a crash: the slow run outlives the daemon.
touch "$T/block"
daemon_start
control 'deliver?account=u1' >/dev/null
wait_hook 8
expect_run 8 p8 8
n=$(saves)
control 'deliver?account=u1' >/dev/null
wait_log 'account test: change in u1.*pushState p9'
wait_log "state file $STATE saved" "$((n + 1))"
kill_daemon
kill -TERM "$(cat "$T/slow.pid")"
rm -f "$T/block"
expect_runs 8
restart_check 9 p9 9

# 5. A run that ends by itself while the daemon stops is done: only what
# queued behind it (another type) runs after the restart.
set_debounce 0
mkfifo "$T/gate"
daemon_start
control 'change?account=u1&type=Mailbox' >/dev/null
wait_hook 11
control 'change?account=u1&type=Thread' >/dev/null
wait_log 'account test: change in u1 .*: Thread=t11, pushState p12'
kill -TERM "$DAEMON_PID"
wait_log 'waiting for 1 running hook(s) to end'
# Read-write: never blocks, even when no hook reads any more.
exec 7<>"$T/gate"
echo go >&7
exec 7>&-
rc=0
wait "$DAEMON_PID" || rc=$?
DAEMON_PID=
[ $rc -eq 0 ] || fail "daemon exited with status $rc on SIGTERM"
rm -f "$T/gate"
expect_log 'hook record: exited with status 0'
expect_runs 11
set_debounce 100ms
daemon_start
wait_hook 12
expect_file "$T/hook.12.env" "JMAP_ACCOUNT=test
JMAP_ACCOUNT_ID=u1
JMAP_HOOK=record
JMAP_PUSH_STATE=p12
JMAP_REASON=push
JMAP_STATE_Thread=t11
JMAP_TYPES=Thread"
control 'deliver?account=u1' >/dev/null
wait_hook 13
grep -qx 'JMAP_PUSH_STATE=p13' "$T/hook.13.env" || fail "run 13 is not the fresh change"
expect_runs 13
daemon_stop
echo "ok"
