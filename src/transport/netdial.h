/* SPDX-License-Identifier: ISC */
/* A client connection made on the network context (net.h): the plan of
 * dial.h carried out with lws, one attempt per address, until one wins. */
#ifndef JP_NETDIAL_H
#define JP_NETDIAL_H

#include <stdbool.h>
#include <stddef.h>

struct dial_addrs;
struct lws;
struct net;
struct netconn;
struct netdial;
struct url;

/* One client connection to make, HTTP or WebSocket.  The pointers are
 * borrowed until netdial_free(), except addrs, which is copied. */
struct netdial_target {
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
struct netdial *netdial_connect(struct net *, const struct netdial_target *,
    char *err, size_t errlen);
/* Stops trying: attempts in flight are dropped and failed() is not called.
 * A wsi that already won stays the caller's.  Safe from any callback. */
void netdial_stop(struct netdial *);
/* Stops and frees; NULL is fine.  Never from failed(). */
void netdial_free(struct netdial *);

#endif
