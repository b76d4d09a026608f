/* SPDX-License-Identifier: ISC */
/* The network context: libwebsockets on the bridged libuv loop, the async
 * resolver, and the routing of both libraries' logs into ours. */
#ifndef JP_NET_H
#define JP_NET_H

#include <stdbool.h>
#include <sys/socket.h>

struct event_base;
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

struct url;
struct dial_addrs;
struct net_dial;
struct netconn;

/* One client connection to make, HTTP or WebSocket.  The pointers are
 * borrowed until net_dial_free(), except addrs, which is copied. */
struct net_target {
	const struct url *u;
	const struct dial_addrs *addrs;	/* from net_resolve() */
	const char *ca_file;		/* NULL: the system store only */
	bool insecure;
	const char *ws_protocol;	/* subprotocol to ask for; NULL: HTTP */
	const char *method;		/* HTTP: NULL is GET */
	const char *local_protocol;	/* our lws protocol handling it */
	struct netconn *conn;		/* the wsi's owner (netconn.h) */
	struct lws **pwsi;		/* set when an address answered */
	/* No address answered: error says which failed and why.  Called
	 * once, on a fresh loop turn; the dial is over, but still the
	 * caller's to free. */
	void (*failed)(struct netconn *conn, const char *error);
	const char *log_prefix;		/* "account personal: session" */
};

/*
 * Connects to the target's addresses the Happy Eyeballs way (RFC 8305,
 * see dial.h): the next address is tried as soon as one fails, or
 * alongside one that has not answered within DIAL_ATTEMPT_DELAY_MS.  The
 * first to complete its TCP handshake wins: from then on the wsi is the
 * caller's (*pwsi is set, its callbacks go to conn, TLS and HTTP follow
 * as with a single address) and the other attempts are dropped.  Every
 * attempt gets what every connection needs: the numeric address, Host
 * with its port (lws strips it for SNI and the certificate check), TLS
 * flags, HTTP/1.1.  NULL with a message in err when nothing can start.
 */
struct net_dial *net_connect(struct net *, const struct net_target *,
    char *err, size_t errlen);
/* Stops trying: attempts in flight are dropped and failed() is not called.
 * A wsi that already won stays the caller's.  Safe from any callback. */
void net_dial_stop(struct net_dial *);
/* Stops and frees; NULL is fine.  Never from failed(). */
void net_dial_free(struct net_dial *);
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
