/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <libwebsockets.h>

#include "transport/endpoint.h"
#include "transport/net.h"
#include "transport/netconn.h"
#include "transport/netdial.h"
#include "transport/url.h"
#include "util/log.h"
#include "util/xmalloc.h"

void
netconn_init(struct netconn *nc, struct net *net, struct endpoint *ep,
    const char *log_prefix, const char *default_prefix)
{
	nc->net = net;
	nc->ep = endpoint_ref(ep);
	nc->url = xstrdup(ep->url);
	nc->log_prefix = xstrdup(log_prefix ? log_prefix : default_prefix);
}

void
netconn_clear(struct netconn *nc)
{
	net_resolve_cancel(nc->resolve);
	netdial_free(nc->dial);
	event_free(nc->finish);
	url_clear(&nc->u);
	free(nc->url);
	endpoint_unref(nc->ep);
	free(nc->log_prefix);
	free(nc->error);
	free(nc->retry_after);
	free(nc->rx);
}

void
netconn_set_error(struct netconn *nc, const char *fmt, ...)
{
	va_list ap;

	if (nc->error != NULL)
		return;
	va_start(ap, fmt);
	xvasprintf(&nc->error, fmt, ap);
	va_end(ap);
}

void
netconn_fail_now(struct netconn *nc)
{
	/* No address may win after this: it would reach a freed owner. */
	netdial_stop(nc->dial);
	event_active(nc->finish, EV_TIMEOUT, 0);
}

static void
netconn_dial_failed(struct netconn *nc, const char *error)
{
	netconn_set_error(nc, "%s", error);
	nc->failed(nc);
}

static void
netconn_resolved(const struct dial_addrs *addrs, const char *error,
    void *arg)
{
	struct netconn *nc = arg;
	struct netdial_target t;
	char err[256];

	nc->resolve = NULL;
	if (addrs == NULL) {
		netconn_set_error(nc, "cannot resolve %s: %s", nc->u.host,
		    error);
		nc->failed(nc);
		return;
	}
	memset(&t, 0, sizeof(t));
	t.u = &nc->u;
	t.addrs = addrs;
	t.ca_file = nc->ep->ca_file;
	t.insecure = nc->ep->insecure;
	t.ws_protocol = nc->ws_protocol;
	t.local_protocol = nc->local_protocol;
	t.method = nc->method;
	t.conn = nc;
	t.pwsi = &nc->wsi;
	t.failed = netconn_dial_failed;
	t.log_prefix = nc->log_prefix;
	nc->dialling(nc);
	nc->dial = netdial_connect(nc->net, &t, err, sizeof(err));
	if (nc->dial == NULL) {
		netconn_set_error(nc, "%s", err);
		nc->failed(nc);
	}
}

void
netconn_dial(struct netconn *nc)
{
	nc->resolve = net_resolve(nc->net, nc->u.host, netconn_resolved, nc);
}

int
netconn_rx_append(struct netconn *nc, const void *data, size_t len)
{
	if (nc->rx_len + len > nc->rx_max)
		return -1;
	if (nc->rx_len + len + 1 > nc->rx_cap) {
		nc->rx_cap = (nc->rx_len + len + 1) * 2;
		if (nc->rx_cap > nc->rx_max + 1)
			nc->rx_cap = nc->rx_max + 1;
		nc->rx = xrealloc(nc->rx, nc->rx_cap);
	}
	memcpy(nc->rx + nc->rx_len, data, len);
	nc->rx_len += len;
	nc->rx[nc->rx_len] = '\0';
	return 0;
}

void
netconn_tls_verify(struct netconn *nc, void *x509_store_ctx,
    size_t preverify_ok)
{
	char *tls = net_tls_verify_error(x509_store_ctx, preverify_ok);

	if (tls != NULL) {
		netconn_set_error(nc, "%s", tls);
		nc->tls_failed = true;
	}
	free(tls);
}

void
netconn_connection_error(struct netconn *nc, struct lws *wsi, const char *in)
{
	char *tls;

	if ((tls = net_tls_handshake_error(wsi)) != NULL) {
		netconn_set_error(nc, "%s", tls);
		nc->tls_failed = true;
		free(tls);
	}
	netconn_set_error(nc, "%s", in != NULL ? in : "connection failed");
}

void
netconn_destroyed(struct netconn *nc, struct lws *wsi)
{
	nc->wsi = NULL;
	lws_set_opaque_user_data(wsi, NULL);
	event_active(nc->finish, EV_TIMEOUT, 0);
}
