#!/bin/bash
# SPDX-License-Identifier: ISC
# A hook over its timeout gets SIGTERM on its whole process group: the
# background child dies with it, and the daemon logs it.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

server_start
write_config
sed -i '/^\[hook record\]/,$d' "$T/config"
mkfifo "$T/slow.fifo"
exec 5<>"$T/slow.fifo"
cat >>"$T/config" <<CONF
[hook slow]
debounce = 0
timeout = 300ms
command = sleep 600 & echo \$! > "$T/child.pid"; echo started > "$T/slow.fifo"; wait
CONF
daemon_start
control 'deliver?account=u1' >/dev/null
read -r -t "$WAIT" x <&5 || fail "slow hook did not start"
wait_log 'hook slow: timed out after 0.3s, sending SIGTERM'
# The run ends only once every holder of its output pipe is gone: the
# background sleep too.
wait_log 'hook slow: killed by signal 15'
expect_log_absent() { ! grep -q -- "$1" "$T/daemon.log" || fail "daemon log has: $1"; }
expect_log_absent 'sending SIGKILL'
pid=$(cat "$T/child.pid")
if [ -e "/proc/$pid" ] && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; then
	fail "background child $pid survived the timeout"
fi
daemon_stop
echo "ok"
