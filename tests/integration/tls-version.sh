#!/bin/bash
# SPDX-License-Identifier: ISC
# TLS 1.2 is the floor whatever the system's OpenSSL configuration says: a
# server that speaks only TLS 1.1 is refused with a clear reason and
# retried at backoff_max.  The daemon runs under an OpenSSL configuration
# that allows TLS 1.0 at security level 0, so only the daemon's own floor
# can refuse (curl shows that the server works under it).
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/server.key" \
    -out "$T/server.pem" -days 2 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost" 2>/dev/null
cat >"$T/openssl.cnf" <<CNF
openssl_conf = init
[init]
ssl_conf = ssl
[ssl]
system_default = lax
[lax]
MinProtocol = TLSv1
CipherString = DEFAULT@SECLEVEL=0
CNF
export OPENSSL_CONF="$T/openssl.cnf"

mkfifo "$T/sserver.fifo"
openssl s_server -accept 127.0.0.1:0 -tls1_1 -cipher 'DEFAULT@SECLEVEL=0' \
    -cert "$T/server.pem" -key "$T/server.key" -www \
    >"$T/sserver.fifo" 2>"$T/server.log" </dev/null &
SERVER_PID=$!
exec 3<"$T/sserver.fifo"
PORT=
while read -r -t "$WAIT" line <&3; do
	case $line in
	ACCEPT\ *) PORT=${line##*:}; break ;;
	esac
done
[ -n "$PORT" ] || fail "openssl s_server did not start"
# Keep reading what s_server prints so that it never blocks on the FIFO.
cat <&3 >/dev/null &
exec 3<&-

curl -sS --cacert "$T/server.pem" -o /dev/null \
    "https://localhost:$PORT/" || fail "the TLS 1.1 server does not answer"

BASE="https://localhost:$PORT"
refused() {
	: >"$T/daemon.log"
	"$DAEMON" -c "$T/config" 2>>"$T/daemon.log" &
	DAEMON_PID=$!
	wait_log "session request failed: TLS handshake failed: the server offers no TLS version this daemon accepts (TLS 1.2 or later); upgrade the server's TLS configuration; retrying in 1s" 2
	daemon_stop
}
write_config "ca_file = $T/server.pem"
refused
# Accounts without ca_file share another TLS context: the same floor, and
# insecure = yes does not lower it.
sed -i "s|^ca_file = .*|insecure = yes|" "$T/config"
refused
echo "ok"
