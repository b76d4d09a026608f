#!/bin/bash
# SPDX-License-Identifier: ISC
# SIGHUP: an unchanged account keeps its connection; a broken new config is
# rejected and the running one stays; a changed account reconnects.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

server_start
write_config
daemon_start

# Add a second hook: the account is unchanged and must not reconnect.
cat >>"$T/config" <<CONF
[hook second]
command = echo second >> "$T/second"
CONF
kill -HUP "$DAEMON_PID"
wait_log 'configuration reloaded' 1
control 'deliver?account=u1' >/dev/null
wait_hook 1
control status | grep -q '"handshakes":1,' || fail "reload reconnected an unchanged account"

# A broken config is refused and the old one keeps working.
cp "$T/config" "$T/config.good"
echo 'bogus_key = 1' >>"$T/config"
kill -HUP "$DAEMON_PID"
wait_log 'the new configuration has errors; keeping the running one'
control 'deliver?account=u1' >/dev/null
wait_hook 2

# Changing the account reconnects it.
sed 's/^backoff_max = 1s$/backoff_max = 2s/' "$T/config.good" >"$T/config"
kill -HUP "$DAEMON_PID"
wait_log 'configuration reloaded' 2
wait_server 'handshakes=2'
wait_server 'pushEnabled=1'
expect_log 'account test: configuration changed; reconnecting'
control 'deliver?account=u1' >/dev/null
wait_hook 3
expect_runs 3
daemon_stop
echo "ok"
