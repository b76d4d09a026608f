# SPDX-License-Identifier: ISC
# TLS for the integration tests, sourced after lib.sh: a test CA, server
# certificates it signs, and the test server over https.

# make_ca NAME: a self-signed P-256 CA in $T/NAME.pem and $T/NAME.key.
make_ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -keyout "$T/$1.key" -out "$T/$1.pem" -days 2 \
	    -subj "/CN=jmap-pushd test $1" 2>/dev/null
}

# cert NAME CA CN [SAN]: a P-256 certificate for CN signed by CA; SAN is
# the subjectAltName list (default DNS:CN).
cert() {
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	    -keyout "$T/$1.key" -out "$T/$1.csr" -subj "/CN=$3" 2>/dev/null
	printf 'subjectAltName=%s\n' "${4:-DNS:$3}" >"$T/$1.ext"
	openssl x509 -req -in "$T/$1.csr" -CA "$T/$2.pem" -CAkey "$T/$2.key" \
	    -CAcreateserial -out "$T/$1.pem" -days 2 -extfile "$T/$1.ext" 2>/dev/null
}

# start_tls NAME [CA]: the test server on localhost with certificate NAME;
# BASE is its https URL, control requests trust CA (default ca).
start_tls() {
	server_start --host localhost --tls-cert "$T/$1.pem" --tls-key "$T/$1.key"
	BASE="https://localhost:$PORT"
	CURL_OPTS="--cacert $T/${2:-ca}.pem"
}
