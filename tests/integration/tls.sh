#!/bin/bash
# SPDX-License-Identifier: ISC
# TLS: a server whose certificate chains to ca_file works; one signed by
# another CA, issued for another host name, expired, or self-signed without
# ca_file is refused with OpenSSL's reason and the certificate's subject in
# the log, and retried at backoff_max.  insecure = yes connects to the
# self-signed one and warns on every connect.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/tlslib.sh" || exit 99

make_ca ca
make_ca other-ca
cert good ca localhost
cert wrong ca wrong.example
# expired: the same as good, but valid only for a day in 2020 (openssl x509
# cannot date a certificate in the past; openssl ca can).
cat >"$T/ca.cnf" <<CNF
[ca]
default_ca = test
[test]
database = $T/index.txt
new_certs_dir = $T
serial = $T/serial
default_md = sha256
policy = any
copy_extensions = copy
[any]
commonName = supplied
CNF
: >"$T/index.txt"
echo 01 >"$T/serial"
openssl ca -batch -config "$T/ca.cnf" -cert "$T/ca.pem" -keyfile "$T/ca.key" \
    -in "$T/good.csr" -out "$T/expired.pem" -notext -extfile "$T/good.ext" \
    -startdate 20200101000000Z -enddate 20200102000000Z 2>/dev/null
cp "$T/good.key" "$T/expired.key"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$T/selfsigned.key" -out "$T/selfsigned.pem" -days 2 \
    -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost" 2>/dev/null

# restart_tls NAME [CA]: the server with another certificate; the config
# follows it to its new port.
restart_tls() {
	kill -TERM "$SERVER_PID"
	wait "$SERVER_PID" || true
	start_tls "$@"
	sed -i "s|^url = .*|url = $BASE/.well-known/jmap|" "$T/config"
}

# refused REASON: the daemon refuses the server's certificate for REASON,
# says so, and retries at backoff_max, twice at least.
refused() {
	: >"$T/daemon.log"
	"$DAEMON" -c "$T/config" 2>>"$T/daemon.log" &
	DAEMON_PID=$!
	wait_log "TLS certificate rejected: $1; fix the server.s certificate, or set ca_file to the CA that signed it; retrying in 1s" 2
	daemon_stop
}

# The right CA: connects and delivers.
start_tls good
write_config "ca_file = $T/ca.pem"
daemon_start
wait_log 'connected to \(wss\|https\)://localhost:'
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
restart_tls wrong
sed -i "s|^ca_file = .*|ca_file = $T/ca.pem|" "$T/config"
refused 'hostname mismatch (subject /CN=wrong.example)'

# The right CA and name, but expired.
restart_tls expired
refused 'certificate has expired (subject /CN=localhost)'

# Self-signed, no ca_file: the system store does not know it.
restart_tls selfsigned selfsigned
sed -i "/^ca_file = /d" "$T/config"
refused 'self-signed certificate (subject /CN=localhost)'

# insecure = yes connects all the same, and says so on every connect: the
# first, and the one after the server closed the channel.
sed -i "s|^url = .*|&\ninsecure = yes|" "$T/config"
# The restarted server's states went back to zero: forget the old ones,
# whose comparison would run the hook.
rm -rf "$T/state"
: >"$T/daemon.log"
daemon_start
expect_log 'warning: account test: insecure = yes: TLS certificates are not verified'
control 'close?code=1001' >/dev/null
wait_log 'insecure = yes: TLS certificates are not verified' 2
wait_connected 1
control 'deliver?account=u1' >/dev/null
wait_hook 2
daemon_stop
expect_runs 2
echo "ok"
