#!/bin/bash
# TLS: a server whose certificate chains to ca_file works; one signed by
# another CA, or issued for another host name, is refused with OpenSSL's
# reason and the certificate's subject in the log, and retried at
# backoff_max.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

# cert NAME CA SAN: a P-256 certificate for SAN signed by CA.
cert() {
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	    -keyout "$T/$1.key" -out "$T/$1.csr" -subj "/CN=$3" 2>/dev/null
	printf 'subjectAltName=DNS:%s\n' "$3" >"$T/$1.ext"
	openssl x509 -req -in "$T/$1.csr" -CA "$T/$2.pem" -CAkey "$T/$2.key" \
	    -CAcreateserial -out "$T/$1.pem" -days 2 -extfile "$T/$1.ext" 2>/dev/null
}
for ca in ca other-ca; do
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -keyout "$T/$ca.key" -out "$T/$ca.pem" -days 2 \
	    -subj "/CN=jmap-pushd test $ca" 2>/dev/null
done
cert good ca localhost
cert wrong ca wrong.example

start_tls() {
	server_start --host localhost --tls-cert "$T/$1.pem" --tls-key "$T/$1.key"
	BASE="https://localhost:$PORT"
	CURL_OPTS="--cacert $T/ca.pem"
}

# The right CA: connects and delivers.
start_tls good
write_config "ca_file = $T/ca.pem"
daemon_start
expect_log 'connected to \(wss\|https\)://localhost:'
control 'deliver?account=u1' >/dev/null
wait_hook 1
daemon_stop

# Another CA: refused, explained, retried at backoff_max (1s here).
sed -i "s|^ca_file = .*|ca_file = $T/other-ca.pem|" "$T/config"
"$DAEMON" -c "$T/config" 2>>"$T/daemon.log" &
DAEMON_PID=$!
wait_log 'TLS certificate rejected: unable to get local issuer certificate (subject /CN=localhost); fix the server.s certificate, or set ca_file to the CA that signed it; retrying in 1s'
daemon_stop

# The right CA but a certificate for another name.
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || true
start_tls wrong
sed -i "s|^ca_file = .*|ca_file = $T/ca.pem|; s|^url = .*|url = $BASE/.well-known/jmap|" "$T/config"
"$DAEMON" -c "$T/config" 2>>"$T/daemon.log" &
DAEMON_PID=$!
wait_log 'TLS certificate rejected: hostname mismatch (subject /CN=wrong.example)'
daemon_stop
expect_runs 1
echo "ok"
