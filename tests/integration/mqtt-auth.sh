#!/bin/bash
# SPDX-License-Identifier: ISC
# [mqtt] with a broker that wants a password: a wrong one is an error
# that says what to check, retried with the backoff; the right one after a
# reload connects, also through a second address of the broker's name
# when the first refuses (the name from the hosts file named by
# JMAP_PUSHD_HOSTS: ::1, where nobody listens, then 127.0.0.1).
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/mqttlib.sh" || exit 99

command -v mosquitto_passwd >/dev/null || { echo "SKIP: mosquitto_passwd is needed"; exit 77; }
mosquitto_passwd -c -b "$T/passwd" jp right
export JMAP_PUSHD_HOSTS="$T/hosts"
printf '::1 mqtt-dual.test\n127.0.0.1 mqtt-dual.test\n' >"$T/hosts"
broker_conf 'allow_anonymous false' "password_file $T/passwd"
broker_start
server_start
write_config
mqtt_section 'username = jp' "password_file = $T/mqtt-password"
printf 'wrong\n' >"$T/mqtt-password"
chmod 600 "$T/mqtt-password"
daemon_start
wait_log 'mqtt: mqtt://127.0.0.1:[0-9]* refused the login: Connection Refused: not authorised. (CONNACK 5); check username and password_file or password_command in \[mqtt\]' 2
grep 'refused the login' "$T/daemon.log" | grep -q '^[0-9-]* [0-9:.]* error: ' ||
    fail "a refused login is not logged at error level"
! grep -q 'wrong' "$T/daemon.log" || fail "the password was logged"
# mqtt_status PATTERN...: the status reply's "mqtt" member, the status
# word as S when it matches PATTERN (retries come and go), retryIn left
# out.
mqtt_status() {
	"$top_builddir/src/jmap-pushctl" -s "$T/sock" status --json |
	    grep -o '"mqtt":.*' |
	    sed -E "s/\"status\":\"($1)\"/\"status\":\"S\"/; s/,\"retryIn\":[0-9.]+//"
}
# The status reply says why until a connection.
mqtt_status 'connecting|backoff' >"$T/got"
expect_file "$T/got" "\"mqtt\":{\"status\":\"S\",\"broker\":\"mqtt://127.0.0.1:$MQTT_PORT\",\"queued\":0,\"lastError\":\"mqtt://127.0.0.1:$MQTT_PORT refused the login: Connection Refused: not authorised. (CONNACK 5); check username and password_file or password_command in [mqtt]\"}}}"

printf 'right\n' >"$T/mqtt-password"
sed -i "s|^broker = .*|broker = mqtt://mqtt-dual.test:$MQTT_PORT|" "$T/config"
kill -HUP "$DAEMON_PID"
wait_log "mqtt: cannot connect to mqtt://mqtt-dual.test:$MQTT_PORT at ::1: "
wait_log "mqtt: up at mqtt://mqtt-dual.test:$MQTT_PORT as test-client"
SUB_AUTH='-u jp -P right' retained 'jmap-pushd/daemon/+/status' >"$T/got"
expect_file "$T/got" 'jmap-pushd/daemon/test-client/status 1 1 online'
mqtt_status connected >"$T/got"
expect_file "$T/got" "\"mqtt\":{\"status\":\"S\",\"broker\":\"mqtt://mqtt-dual.test:$MQTT_PORT\",\"queued\":0,\"lastError\":null}}}"

# [mqtt] removed by a reload: offline, said by the daemon itself; the
# rest goes on.
SUB_AUTH='-u jp -P right' live_sub gone 7 'jmap-pushd/daemon/+/status'
sed -i '/^\[mqtt\]/,$d' "$T/config"
kill -HUP "$DAEMON_PID"
read_lines 7 1 >"$T/got"
expect_file "$T/got" 'jmap-pushd/daemon/test-client/status 0 1 offline'
wait_log 'configuration reloaded'
control 'mail/deliver?subject=after' >/dev/null
wait_hook 1
daemon_stop
echo ok
