/* SPDX-License-Identifier: ISC */
/*
 * Where a connection goes and with what: the URL, the TLS options and the
 * Authorization header.  Built once per connection (the Session GET, a
 * push channel, an event stream's requests to apiUrl) and shared by
 * reference by every layer that carries it out, down to the HTTP request
 * or WebSocket: immutable after endpoint_new(), so nobody copies it.  The
 * credential is a util/secret.h reference, wiped when its last holder lets
 * go.
 */
#ifndef JP_ENDPOINT_H
#define JP_ENDPOINT_H

#include <stdbool.h>

struct secret;

struct endpoint {
	char *url;
	struct secret *authorization;	/* NULL: none; never logged */
	char *ca_file;			/* NULL: the system store only */
	bool insecure;			/* certificates are not verified */
	unsigned int refs;		/* endpoint.c's */
};

/* url and ca_file are copied, authorization referenced; one reference. */
struct endpoint	*endpoint_new(const char *url, struct secret *authorization,
		    const char *ca_file, bool insecure);
/* The same credentials and TLS options for another URL (copied). */
struct endpoint	*endpoint_with_url(const struct endpoint *, const char *url);
/* Another reference. */
struct endpoint	*endpoint_ref(struct endpoint *);
/* Drops a reference; the last one frees.  NULL is a no-op. */
void		 endpoint_unref(struct endpoint *);
/* The whole Authorization header value, or NULL. */
const char	*endpoint_authorization(const struct endpoint *);

#endif
