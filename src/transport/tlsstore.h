/* SPDX-License-Identifier: ISC */
/* The trust store of the client TLS context that uses the system's CA
 * certificates (no ca_file). */
#ifndef JP_TLSSTORE_H
#define JP_TLSSTORE_H

typedef struct ssl_ctx_st SSL_CTX;

/*
 * Makes ctx trust the system's CAs: OpenSSL's default bundle file and
 * directory (SSL_CERT_FILE and SSL_CERT_DIR override them).  When every
 * certificate of the bundle has its hash link in the directory, only the
 * directory is used, read as a verification needs it; otherwise both, the
 * bundle parsed up front, as SSL_CTX_set_default_verify_paths() does.
 * Returns 1 for the directory alone, 0 for both, -1 when OpenSSL failed
 * (logged).  Only for the context of the system's CAs: a ca_file's store
 * keeps its own trust.
 */
int tlsstore_system(SSL_CTX *ctx);

#endif
