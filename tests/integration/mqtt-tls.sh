#!/bin/bash
# SPDX-License-Identifier: ISC
# [mqtt] over TLS (mqtts://) to a mosquitto listener with the tests' CA:
# the broker's name is resolved and its certificate checked against that
# name, not the address connected to; a certificate for another name is
# refused with a message that says so, and retried.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/tlslib.sh" || exit 99
. "$top_srcdir/tests/integration/mqttlib.sh" || exit 99
command -v openssl >/dev/null || { echo "SKIP: openssl is needed"; exit 77; }

make_ca ca
cert good ca localhost
cert other ca other.example
GOOD_PORT=$(free_port)
OTHER_PORT=$(free_port)
broker_conf 'allow_anonymous true' \
    "listener $GOOD_PORT 127.0.0.1" "cafile $T/ca.pem" \
    "certfile $T/good.pem" "keyfile $T/good.key" \
    "listener $OTHER_PORT 127.0.0.1" "cafile $T/ca.pem" \
    "certfile $T/other.pem" "keyfile $T/other.key"
broker_start
server_start
write_config
cat >>"$T/config" <<CONF

[mqtt]
broker = mqtts://localhost:$OTHER_PORT
ca_file = $T/ca.pem
client_id = test-client
CONF
daemon_start
wait_log "mqtt: mqtts://localhost:$OTHER_PORT: TLS: certificate of localhost: hostname mismatch" 2

sed -i "s|^broker = .*|broker = mqtts://localhost:$GOOD_PORT|" "$T/config"
kill -HUP "$DAEMON_PID"
wait_log "mqtt: up at mqtts://localhost:$GOOD_PORT as test-client"
retained 'jmap-pushd/daemon/+/status' >"$T/got"
expect_file "$T/got" 'jmap-pushd/daemon/test-client/status 1 1 online'

# The broker's name goes out as the TLS server name (SNI), not the
# address connected to: openssl s_server shows what it got.
# wait_file FILE PATTERN: FILE gets a line matching PATTERN.
wait_file() {
	rm -f "$T/wf.fifo"
	mkfifo "$T/wf.fifo"
	tail -n +1 -f "$1" >"$T/wf.fifo" &
	local tail_pid=$! rc=0
	timeout "$WAIT" grep -a -m 1 -- "$2" <"$T/wf.fifo" >"$T/wf.match" || rc=$?
	kill "$tail_pid" 2>/dev/null || true
	wait "$tail_pid" 2>/dev/null || true
	[ $rc -eq 0 ] || fail "$1 did not show: $2"
}
SNI_PORT=$(free_port)
mkfifo "$T/sni.in"
exec 8<>"$T/sni.in"
openssl s_server -accept "127.0.0.1:$SNI_PORT" -cert "$T/good.pem" \
    -key "$T/good.key" -tlsextdebug -naccept 1 <&8 >"$T/sni.log" 2>&1 &
wait_file "$T/sni.log" '^ACCEPT'
sed -i "s|^broker = .*|broker = mqtts://localhost:$SNI_PORT|" "$T/config"
kill -HUP "$DAEMON_PID"
wait_file "$T/sni.log" 'TLS client extension "server name"'
wait_file "$T/sni.log" '^0000 - .*\.localhost$'
daemon_stop
echo ok
