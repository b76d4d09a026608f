#!/bin/bash
# SPDX-License-Identifier: ISC
# An account without ca_file trusts the system's CAs.  Where every
# certificate of the CA bundle file has its hash link in the CA directory,
# the daemon reads the directory as a chain needs it instead of keeping the
# whole bundle parsed; where one lacks its link, the bundle is loaded.  Either
# way the server's chain verifies.  SSL_CERT_FILE and SSL_CERT_DIR stand in
# for the system's bundle and directory.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/tlslib.sh" || exit 99

make_ca ca
make_ca other-ca
cert good ca localhost
start_tls good
write_config
mkdir "$T/certs" "$T/empty"
cp "$T/ca.pem" "$T/other-ca.pem" "$T/certs/"
openssl rehash "$T/certs" 2>/dev/null || c_rehash "$T/certs" >/dev/null
cat "$T/ca.pem" "$T/other-ca.pem" >"$T/bundle.pem"

# Linked: read from the directory, and the chain still verifies.
SSL_CERT_FILE="$T/bundle.pem" SSL_CERT_DIR="$T/certs" daemon_start
expect_log "tls: the 2 system CA certificates of $T/bundle.pem are read from $T/certs as a connection needs them"
wait_log "connected to wss://localhost:$PORT/jmap/ws/"
daemon_stop

# Not linked: the bundle stays, and verifies.
SSL_CERT_FILE="$T/bundle.pem" SSL_CERT_DIR="$T/empty" daemon_start
expect_log "tls: the system CA certificates are loaded from $T/bundle.pem (not every one is linked in $T/empty)"
wait_log "connected to wss://localhost:$PORT/jmap/ws/" 2
daemon_stop

# Linked, but the server's CA is in neither: refused as before.
cp "$T/other-ca.pem" "$T/bundle.pem"
rm -f "$T/certs/"*
cp "$T/other-ca.pem" "$T/certs/"
openssl rehash "$T/certs" 2>/dev/null || c_rehash "$T/certs" >/dev/null
SSL_CERT_FILE="$T/bundle.pem" SSL_CERT_DIR="$T/certs" \
    "$DAEMON" -c "$T/config" -v 2>>"$T/daemon.log" &
DAEMON_PID=$!
wait_log "unable to get local issuer certificate"
daemon_stop
echo "ok"
