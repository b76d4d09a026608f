/* SPDX-License-Identifier: ISC */
/* The network context: libwebsockets on the bridged libuv loop, the async
 * resolver, and the routing of both libraries' logs into ours. */
#ifndef JP_NET_H
#define JP_NET_H

#include <stdbool.h>
#include <sys/socket.h>

struct dial_addrs;
struct event_base;
struct lws;
struct net;
struct net_resolve;

struct net *net_new(struct event_base *base);
/* Starts the two-step lws shutdown; net_free() finishes it. */
void net_free(struct net *);
struct event_base *net_base(struct net *);
/* Call after any lws call made outside an lws callback. */
void net_kick(struct net *);
/* Same, but from inside an lws callback: runs on the next loop turn. */
void net_kick_deferred(struct net *);
/* A WebSocket ping is going out, or its answer came (any frame while one
 * is owed): once many go out on one loop turn, the answers are read
 * together (net.c). */
void net_pinged(struct net *);
void net_ponged(struct net *);

/* From LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER (in, len): adds a request
 * header unless value is NULL; -1 when it does not fit. */
int net_add_header(struct lws *wsi, void *in, size_t len, int token,
    const char *value);
/* Ends a connection on lws's next turn (WSI_DESTROY follows); safe from
 * anywhere, inside lws callbacks too. */
void net_drop(struct net *, struct lws *wsi);
/* A response header, allocated; NULL when absent. */
char *net_header(struct lws *wsi, int token);

/* From LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION: NULL when
 * OpenSSL accepted the certificate, else what is wrong with it and whose
 * it is ("certificate has expired (subject CN=...)"), allocated.  lws's
 * own error for the same failure says nothing useful. */
char *net_tls_verify_error(void *x509_store_ctx, size_t preverify_ok);
/* From LWS_CALLBACK_CLIENT_CONNECTION_ERROR: NULL unless the TLS
 * handshake ended with an alert, else what went wrong ("the server offers
 * no TLS version this daemon accepts ..."), allocated. */
char *net_tls_handshake_error(struct lws *wsi);

/* Resolves host without blocking, through /etc/hosts (and the file named
 * by $JMAP_PUSHD_HOSTS) and then DNS; cb gets the addresses in the order
 * to try them (borrowed for the call), or NULL and an error message.  The
 * callback runs on a later loop turn. */
typedef void (*net_resolve_cb)(const struct dial_addrs *addrs,
    const char *error, void *arg);
struct net_resolve *net_resolve(struct net *, const char *host,
    net_resolve_cb cb, void *arg);
/* Cancels a pending resolution; its callback is not called. */
void net_resolve_cancel(struct net_resolve *);

#endif
