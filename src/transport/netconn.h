/* SPDX-License-Identifier: ISC */
/*
 * The base of every object that owns a wsi (an HTTP request, a WebSocket,
 * netdial.c's connection attempts), and what the first two share: the
 * endpoint (URL, TLS options, credential), resolving and dialling, errors
 * (TLS ones included), the wsi until WSI_DESTROY, and a bounded receive
 * buffer.
 *
 * lws hands a connection's callbacks to whichever protocol it likes (the
 * final WSI_DESTROY often goes to the first one), so net.c has one lws
 * callback for all, and it calls lws_cb in the base that the wsi's opaque
 * user data starts with, knowing nothing of what embeds it.  Used inside
 * transport/ only.
 */
#ifndef JP_NETCONN_H
#define JP_NETCONN_H

#include <stdbool.h>
#include <stddef.h>

#include "transport/url.h"

struct endpoint;
struct event;
struct lws;
struct net;
struct net_resolve;
struct netdial;

struct netconn {
	/* lws's callback, for this connection's wsi; reason is an enum
	 * lws_callback_reasons, an int here so that headers need no
	 * <libwebsockets.h>. */
	int (*lws_cb)(struct lws *wsi, int reason, void *user, void *in,
	    size_t len);

	/* The rest is netconn_init()'s and unused by netdial.c's attempts. */
	struct net *net;
	struct endpoint *ep;	/* referenced: URL, TLS options, credential */
	char *url;		/* current: ep's, or where a redirect led */
	struct url u;		/* parsed by the owner before netconn_dial() */
	char *log_prefix;

	/* Set by the owner before netconn_dial(). */
	const char *ws_protocol;	/* subprotocol to ask for; NULL: HTTP */
	const char *local_protocol;	/* our lws protocol handling it */
	const char *method;		/* HTTP: NULL is GET */
	/* Called just before the connection starts (after resolving). */
	void (*dialling)(struct netconn *);
	/* Resolving or dialling failed, error recorded: netconn_fail_now()
	 * or the owner's own that calls it. */
	void (*failed)(struct netconn *);

	struct net_resolve *resolve;
	struct netdial *dial;
	struct lws *wsi;	/* set when an address answered */
	struct event *finish;	/* the owner's: runs once the wsi is gone */
	char *error;		/* the first reason it failed */
	bool tls_failed;	/* the server's certificate was not trusted */
	char *retry_after;	/* the HTTP response's header, or NULL */

	char *rx;		/* received, NUL-terminated */
	size_t rx_len;
	size_t rx_cap;
	size_t rx_max;		/* the most rx may hold */
};

/* References ep, copies its URL and log_prefix (default_prefix when
 * NULL); the rest starts zeroed.  The caller sets finish and the hooks. */
void netconn_init(struct netconn *, struct net *, struct endpoint *ep,
    const char *log_prefix, const char *default_prefix);
/* Frees what the base holds (finish too) and drops its endpoint. */
void netconn_clear(struct netconn *);
/* Records the first error only: later ones are consequences. */
void netconn_set_error(struct netconn *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Resolves u's host, then connects to its addresses (netdial_connect()); a
 * dial before (a redirect's) must have been freed before u changed. */
void netconn_dial(struct netconn *);
/* Over before any wsi: no address may win after this, and finish runs on
 * a fresh loop turn. */
void netconn_fail_now(struct netconn *);
/* Appends to rx; -1, with nothing appended, when rx would exceed rx_max. */
int netconn_rx_append(struct netconn *, const void *data, size_t len);

/* The lws callbacks every connection handles the same way.  From
 * LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION: */
void netconn_tls_verify(struct netconn *, void *x509_store_ctx,
    size_t preverify_ok);
/* From LWS_CALLBACK_CLIENT_CONNECTION_ERROR (in: lws's message or NULL): */
void netconn_connection_error(struct netconn *, struct lws *wsi,
    const char *in);
/* From LWS_CALLBACK_WSI_DESTROY: lws lets go of the wsi, finish runs. */
void netconn_destroyed(struct netconn *, struct lws *wsi);

#endif
