/* SPDX-License-Identifier: ISC */
/*
 * Left to itself, lws loads the system's CA bundle file into the client
 * TLS context that has no ca_file: on Debian 146 certificates parsed at
 * start-up and kept for the daemon's life, about 0.9 MB of heap, when a
 * connection needs one or two of them (bench/README.md, "RSS of 1 idle
 * account").  The same certificates sit in the system's CA directory under
 * their subject hashes, written by the same update-ca-certificates run
 * (Debian, Ubuntu, Arch, Alpine), and OpenSSL's directory lookup reads one
 * only when a chain needs it.  So net.c tells lws not to load them
 * (LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS) and this file sets the trust:
 * the directory alone when every certificate of the bundle has its link
 * there, which it checks one certificate at a time, keeping none; else
 * what lws would have done.  Fedora's directory has no links, and a bundle
 * edited by hand may hold a certificate the directory lacks.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "transport/tlsstore.h"
#include "util/log.h"

/* Whether one of the ':'-separated directories has "HASH.0". */
static int
tlsstore_has_link(const char *dirs, unsigned long hash)
{
	const char *p = dirs, *end;
	char path[4096];
	int n;

	while (*p != '\0') {
		end = strchr(p, ':');
		if (end == NULL)
			end = p + strlen(p);
		n = snprintf(path, sizeof(path), "%.*s/%08lx.0", (int)(end - p),
		    p, hash);
		if (end > p && n > 0 && (size_t)n < sizeof(path) &&
		    access(path, F_OK) == 0)
			return 1;
		p = *end == ':' ? end + 1 : end;
	}
	return 0;
}

/* The number of certificates in the PEM file, when every one has its link
 * in dirs; 0 when one has not, or the file cannot be read or has none.
 * Each certificate is freed before the next is read. */
static int
tlsstore_linked(const char *file, const char *dirs)
{
	FILE *f;
	X509 *x;
	int n = 0, ok;
	unsigned long hash;

	if ((f = fopen(file, "re")) == NULL)
		return 0;
	while ((x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) {
		ok = 0;
		hash = X509_NAME_hash_ex(X509_get_subject_name(x), NULL, NULL,
		    &ok);
		X509_free(x);
		if (!ok || !tlsstore_has_link(dirs, hash)) {
			n = 0;
			break;
		}
		n++;
	}
	/* The end of the file leaves a "no start line" error behind. */
	ERR_clear_error();
	fclose(f);
	return n;
}

/* getenv(name), else def: OpenSSL's own rule for these two. */
static const char *
tlsstore_default(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : def;
}

int
tlsstore_system(SSL_CTX *ctx)
{
	const char *file = tlsstore_default(X509_get_default_cert_file_env(),
	    X509_get_default_cert_file());
	const char *dirs = tlsstore_default(X509_get_default_cert_dir_env(),
	    X509_get_default_cert_dir());
	int n = tlsstore_linked(file, dirs);

	if (n > 0 &&
	    X509_STORE_load_path(SSL_CTX_get_cert_store(ctx), dirs) == 1) {
		log_debug("tls: the %d system CA certificates of %s are read "
		    "from %s as a connection needs them", n, file, dirs);
		return 1;
	}
	ERR_clear_error();
	if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
		log_warnx("tls: cannot load the system CA certificates (%s, "
		    "%s); only ca_file can be trusted", file, dirs);
		return -1;
	}
	log_debug("tls: the system CA certificates are loaded from %s (not "
	    "every one is linked in %s)", file, dirs);
	return 0;
}
