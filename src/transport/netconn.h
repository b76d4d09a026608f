/* The base of every object that owns a wsi (an HTTP request, a WebSocket,
 * net.c's connection attempts).  lws hands a connection's callbacks to
 * whichever protocol it likes (the final WSI_DESTROY often goes to the
 * first one), so net.c has one lws callback for all, and it calls the
 * function in the base that the wsi's opaque user data starts with,
 * knowing nothing of what embeds it.  Used inside transport/ only. */
#ifndef JP_NETCONN_H
#define JP_NETCONN_H

#include <stddef.h>

struct lws;

struct netconn {
	/* lws's callback, for this connection's wsi; reason is an enum
	 * lws_callback_reasons, an int here so that headers need no
	 * <libwebsockets.h>. */
	int (*lws_cb)(struct lws *wsi, int reason, void *user, void *in,
	    size_t len);
};

#endif
