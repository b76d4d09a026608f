/* SPDX-License-Identifier: ISC */
/* The trust store of the client TLS context that uses the system's CA
 * certificates (no ca_file). */
#ifndef JP_TLSSTORE_H
#define JP_TLSSTORE_H

typedef struct ssl_ctx_st SSL_CTX;

/*
 * Replaces ctx's store, which lws filled from the system's CA bundle file,
 * by one that reads the system's CA directory as a verification needs it,
 * when every certificate of the store has its hash link in that directory
 * (SSL_CERT_DIR, else OpenSSL's default).  Returns 1 when it did, 0 when
 * the store stays as it was (a certificate without its link, a CRL, no
 * directory), -1 on an OpenSSL error (the store stays too).  Only for the
 * context of the system's CAs: a ca_file's store must keep its own.
 */
int tlsstore_lazy(SSL_CTX *ctx);

#endif
