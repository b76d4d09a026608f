/* SPDX-License-Identifier: ISC */
/*
 * lws loads the system's CA bundle file into the client TLS context that
 * has no ca_file: on Debian 146 certificates parsed at start-up and kept
 * for the daemon's life, 0.9 MB of heap and a third of a megabyte of
 * libcrypto pages, when a connection needs one or two of them
 * (bench/README.md, "RSS of 1 idle account").  The same certificates sit
 * in the system's CA directory under their subject hashes, written by the
 * same update-ca-certificates run (Debian, Ubuntu, Arch, Alpine), and
 * OpenSSL's directory lookup reads one only when a chain needs it.  Where
 * every certificate of the loaded store has its link there, the store is
 * swapped for a directory-only one that trusts the same anchors.
 * Fedora's directory has no links, and a bundle edited by hand may hold a
 * certificate the directory lacks: then nothing changes.
 */
#include "autoconf.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* Whether every object of the store is a certificate with its link in
 * dirs; *n gets their number. */
static int
tlsstore_all_linked(X509_STORE *store, const char *dirs, int *n)
{
	STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(store);
	X509_OBJECT *obj;
	X509 *x;
	int ok;

	*n = 0;
	for (int i = 0; i < sk_X509_OBJECT_num(objs); i++) {
		obj = sk_X509_OBJECT_value(objs, i);
		if (X509_OBJECT_get_type(obj) != X509_LU_X509 ||
		    (x = X509_OBJECT_get0_X509(obj)) == NULL)
			return 0;
		ok = 0;
		if (!tlsstore_has_link(dirs, X509_NAME_hash_ex(
		    X509_get_subject_name(x), NULL, NULL, &ok)) || !ok)
			return 0;
		(*n)++;
	}
	return 1;
}

int
tlsstore_lazy(SSL_CTX *ctx)
{
	X509_STORE *old = SSL_CTX_get_cert_store(ctx), *store;
	const char *dirs = getenv(X509_get_default_cert_dir_env());
	int n;

	if (dirs == NULL || *dirs == '\0')
		dirs = X509_get_default_cert_dir();
	if (old == NULL || !tlsstore_all_linked(old, dirs, &n) || n == 0) {
		log_debug("tls: the system CA certificates stay loaded from "
		    "the bundle file (not all of them are linked in %s)", dirs);
		return 0;
	}
	if ((store = X509_STORE_new()) == NULL ||
	    X509_STORE_set1_param(store, X509_STORE_get0_param(old)) != 1 ||
	    X509_STORE_load_path(store, dirs) != 1) {
		X509_STORE_free(store);
		log_warnx("tls: cannot set up a store for %s; keeping the CA "
		    "bundle file", dirs);
		return -1;
	}
	/* Frees the old store and its certificates. */
	SSL_CTX_set_cert_store(ctx, store);
	/* Give the freed bundle back now: it sat among what stays. */
	malloc_trim(0);
	log_debug("tls: the %d system CA certificates are read from %s as a "
	    "connection needs them", n, dirs);
	return 1;
}
