/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <libwebsockets.h>

#include "transport/endpoint.h"
#include "transport/http.h"
#include "transport/net.h"
#include "transport/netconn.h"
#include "transport/netdial.h"
#include "transport/url.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xevent.h"
#include "util/xmalloc.h"

struct http_request {
	struct netconn nc;		/* first: see netconn.h */
	http_done_cb cb;
	void *arg;

	char *accept;
	char *last_event_id;
	char *content_type;
	char *body_out;		/* POST body */
	size_t body_out_len;
	char **headers;		/* http_opts' headers, copied */
	bool head_too_large;
	int redirects_left;

	struct event *timeout;

	int status;
	char *location;
	bool complete;
	bool streaming;		/* a 200 in stream mode: body goes to on_data */
	bool redirect_refused;
	bool dropped;		/* net_drop() asked; lws may clear that */
	void (*on_open)(const char *, void *);
	void (*on_data)(const char *, size_t, void *);
};

static void http_start(struct http_request *);
static int http_lws_callback(struct lws *, int, void *, void *, size_t);

static void
http_free(struct http_request *req)
{
	netconn_clear(&req->nc);
	event_free(req->timeout);
	free(req->accept);
	free(req->last_event_id);
	free(req->content_type);
	free(req->body_out);
	free(req->location);
	for (size_t i = 0; req->headers != NULL && req->headers[i] != NULL;
	    i++) {
		explicit_bzero(req->headers[i], strlen(req->headers[i]));
		free(req->headers[i]);
	}
	free(req->headers);
	free(req);
}

static void
http_reset_response(struct http_request *req)
{
	req->status = 0;
	req->complete = false;
	req->nc.rx_len = 0;
	free(req->location);
	req->location = NULL;
	free(req->nc.retry_after);
	req->nc.retry_after = NULL;
	free(req->nc.error);
	req->nc.error = NULL;
}

/*
 * Why a redirect from the current URL to next must not be followed, or
 * NULL when it may be.  Every request carries the account's credentials,
 * so a redirect may neither leave TLS nor lead anywhere but the origin the
 * request was made to (scheme, host and port).  The one exception is the
 * move from http to https on the same host, which only adds TLS.  Refusing
 * (rather than dropping the credentials) sends nothing at all there, and
 * no JMAP endpoint answers without credentials anyway.
 */
static const char *
http_redirect_refusal(const struct url *cur, const char *next)
{
	struct url u;
	const char *why = NULL;

	if (url_parse(next, &u) == -1)
		return NULL;	/* http_start reports it */
	if (cur->tls && !u.tls)
		why = "it leaves TLS, and the request and its credentials "
		    "would travel unencrypted";
	else if (strcmp(cur->host, u.host) != 0 ||
	    (u.port != cur->port && !(u.tls && !cur->tls)))
		why = "it leads to another server, and the credentials are "
		    "sent only where the request was addressed";
	url_clear(&u);
	return why;
}

/* Runs on a fresh loop turn once the wsi is gone (or never existed):
 * either follows a redirect or hands the result to the owner. */
static void
http_finish(evutil_socket_t fd, short what, void *arg)
{
	struct http_request *req = arg;
	struct http_response resp;
	const char *why;
	char *next;

	if (req->nc.error == NULL && req->complete && req->status >= 300 &&
	    req->status < 400 && req->status != 304) {
		if (req->location == NULL) {
			netconn_set_error(&req->nc, "redirect %d without a "
			    "Location", req->status);
		} else if (req->redirects_left-- <= 0) {
			netconn_set_error(&req->nc, "too many redirects (last "
			    "to %s)", req->location);
		} else if ((next = url_resolve(req->nc.url, req->location)) ==
		    NULL) {
			netconn_set_error(&req->nc, "redirect to an invalid "
			    "URL: %s", req->location);
		} else if ((why = http_redirect_refusal(&req->nc.u, next)) !=
		    NULL) {
			netconn_set_error(&req->nc, "refused the %d redirect "
			    "from %s to %s: %s", req->status, req->nc.url, next,
			    why);
			req->redirect_refused = true;
			free(next);
		} else {
			log_debug("%s: %d redirect to %s", req->nc.log_prefix,
			    req->status, next);
			free(req->nc.url);
			req->nc.url = next;
			http_reset_response(req);
			http_start(req);
			return;
		}
	}
	if (req->nc.error == NULL && !req->complete)
		netconn_set_error(&req->nc, "connection closed before the "
		    "response was complete");

	memset(&resp, 0, sizeof(resp));
	resp.status = req->status;
	resp.final_url = req->nc.url;
	resp.body = req->nc.rx != NULL ? req->nc.rx : "";
	resp.body_len = req->nc.rx_len;
	resp.retry_after = req->nc.retry_after;
	resp.tls_failed = req->nc.tls_failed;
	resp.redirect_refused = req->redirect_refused;
	resp.head_too_large = req->head_too_large;
	req->cb(&resp, req->nc.error, req->arg);
	http_free(req);
}

/* Ends the request from our side, whatever stage it is in.  Without a wsi
 * the resolve must be cancelled too: its answer may already be queued, and
 * netconn.c would then open a connection for a request that finish is
 * about to free. */
static void
http_stop(struct http_request *req)
{
	if (req->nc.wsi != NULL) {
		req->dropped = true;
		net_drop(req->nc.net, req->nc.wsi);
	} else {
		net_resolve_cancel(req->nc.resolve);
		req->nc.resolve = NULL;
		netconn_fail_now(&req->nc);
	}
}

static void
http_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct http_request *req = arg;

	netconn_set_error(&req->nc, "no complete response within the time "
	    "limit");
	http_stop(req);
}

static void
http_dialling(struct netconn *nc)
{
	struct http_request *req = (struct http_request *)nc;

	log_debug("%s: %s %s", nc->log_prefix, req->body_out != NULL ?
	    "POST" : "GET", nc->url);
}

static void
http_start(struct http_request *req)
{
	/* A redirect: the last connection's dial is over, and borrows u. */
	netdial_free(req->nc.dial);
	req->nc.dial = NULL;
	url_clear(&req->nc.u);
	if (url_parse(req->nc.url, &req->nc.u) == -1 ||
	    (strcmp(req->nc.u.scheme, "http") != 0 &&
	    strcmp(req->nc.u.scheme, "https") != 0)) {
		netconn_set_error(&req->nc, "not an http or https URL: %s",
		    req->nc.url);
		netconn_fail_now(&req->nc);
		return;
	}
	netconn_dial(&req->nc);
}

struct http_request *
http_get(struct net *net, const struct http_opts *o, http_done_cb cb,
    void *arg)
{
	struct http_request *req = xcalloc(1, sizeof(*req));
	struct event_base *base = net_base(net);
	struct timeval tv;

	netconn_init(&req->nc, net, o->endpoint, o->log_prefix, "http");
	req->nc.lws_cb = http_lws_callback;
	req->nc.local_protocol = "jp-http";
	req->nc.method = o->body != NULL ? "POST" : NULL;
	req->nc.dialling = http_dialling;
	req->nc.failed = netconn_fail_now;
	req->nc.rx_max = o->max_body;
	req->cb = cb;
	req->arg = arg;
	req->accept = o->accept ? xstrdup(o->accept) : NULL;
	req->last_event_id = o->last_event_id ? xstrdup(o->last_event_id) :
	    NULL;
	if (o->body != NULL) {
		req->content_type = xstrdup(o->content_type ? o->content_type :
		    "application/json");
		req->body_out = xmalloc(o->body_len ? o->body_len : 1);
		memcpy(req->body_out, o->body, o->body_len);
		req->body_out_len = o->body_len;
	}
	if (o->headers != NULL) {
		size_t n = 0;

		while (o->headers[n] != NULL)
			n++;
		req->headers = xcalloc(n + 1, sizeof(*req->headers));
		for (size_t i = 0; i < n; i++)
			req->headers[i] = xstrdup(o->headers[i]);
	}
	req->on_open = o->on_open;
	req->on_data = o->on_data;
	req->redirects_left = o->max_redirects;
	req->timeout = xevtimer_new(base, http_timeout, req);
	req->nc.finish = xevent_new(base, -1, 0, http_finish, req);
	tv = timeutil_tv_ms(o->timeout_ms);
	if (o->timeout_ms > 0)
		evtimer_add(req->timeout, &tv);
	http_start(req);
	return req;
}

void
http_abort(struct http_request *req, const char *why)
{
	netconn_set_error(&req->nc, "%s", why);
	http_stop(req);
}

void
http_cancel(struct http_request *req)
{
	if (req == NULL)
		return;
	if (req->nc.wsi != NULL) {
		/* lws still holds the wsi: detach it and let it die alone. */
		lws_set_opaque_user_data(req->nc.wsi, NULL);
		net_drop(req->nc.net, req->nc.wsi);
	}
	http_free(req);
}

static int
http_append(struct http_request *req, const void *data, size_t len)
{
	if (netconn_rx_append(&req->nc, data, len) == -1) {
		netconn_set_error(&req->nc, "response larger than %zu bytes",
		    req->nc.rx_max);
		return -1;
	}
	return 0;
}

/* A request header lws has no token for; nothing when value is NULL. */
static int
http_add_named(struct lws *wsi, void *in, size_t len, const char *name,
    const char *value)
{
	unsigned char **p = in, *end = *p + len;

	if (value == NULL)
		return 0;
	return lws_add_http_header_by_name(wsi, (const unsigned char *)name,
	    (const unsigned char *)value, (int)strlen(value), p, end) ? -1 : 0;
}

/* lws's callbacks for the request's wsi, through net.c, which calls this
 * only for a wsi whose opaque user data is the request: never NULL here
 * (http_cancel() detaches a wsi it leaves to die). */
static int
http_lws_callback(struct lws *wsi, int reason, void *user, void *in,
    size_t len)
{
	struct http_request *req = lws_get_opaque_user_data(wsi);
	char buf[LWS_PRE + 4096], *px;
	int n;

	/* lws replaces the pending timeout that net_drop() kills with as
	 * the request goes on (sent, answered): end a dropped one here. */
	if (req->dropped &&
	    (reason == LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER ||
	    reason == LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP ||
	    reason == LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ))
		return -1;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
		if (net_add_header(wsi, in, len,
		    WSI_TOKEN_HTTP_AUTHORIZATION,
		    endpoint_authorization(req->nc.ep)) == -1 ||
		    net_add_header(wsi, in, len, WSI_TOKEN_HTTP_ACCEPT,
		    req->accept) == -1 ||
		    http_add_named(wsi, in, len, "last-event-id:",
		    req->last_event_id) == -1)
			goto too_large;
		for (size_t i = 0; req->headers != NULL &&
		    req->headers[i] != NULL; i += 2)
			if (http_add_named(wsi, in, len, req->headers[i],
			    req->headers[i + 1]) == -1)
				goto too_large;
		if (req->body_out != NULL) {
			char clen[24];

			snprintf(clen, sizeof(clen), "%zu", req->body_out_len);
			if (net_add_header(wsi, in, len,
			    WSI_TOKEN_HTTP_CONTENT_TYPE,
			    req->content_type) == -1 ||
			    net_add_header(wsi, in, len,
			    WSI_TOKEN_HTTP_CONTENT_LENGTH, clen) == -1)
				goto too_large;
			lws_client_http_body_pending(wsi, 1);
			lws_callback_on_writable(wsi);
		}
		return 0;
	too_large:
		/* Else lws reports a connection closed early.  A webhook's
		 * headers_file is checked against this at load
		 * (config/keys.c). */
		netconn_set_error(&req->nc, "the request headers do not fit "
		    "libwebsockets' buffer");
		req->head_too_large = true;
		return -1;
	case LWS_CALLBACK_CLIENT_HTTP_WRITEABLE:
		if (req->body_out == NULL)
			return 0;
		lws_client_http_body_pending(wsi, 0);
		if (lws_write(wsi, (unsigned char *)req->body_out,
		    req->body_out_len, LWS_WRITE_HTTP_FINAL) <
		    (int)req->body_out_len) {
			netconn_set_error(&req->nc, "cannot send the request "
			    "body");
			return -1;
		}
		return 0;
	case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
		req->status = (int)lws_http_client_http_response(wsi);
		req->location = net_header(wsi, WSI_TOKEN_HTTP_LOCATION);
		req->nc.retry_after = net_header(wsi,
		    WSI_TOKEN_HTTP_RETRY_AFTER);
		if (req->on_data != NULL && req->status == 200) {
			char *type = net_header(wsi,
			    WSI_TOKEN_HTTP_CONTENT_TYPE);

			req->streaming = true;
			if (req->on_open != NULL)
				req->on_open(type, req->arg);
			free(type);
		}
		return 0;
	case LWS_CALLBACK_RECEIVE_CLIENT_HTTP:
		px = buf + LWS_PRE;
		n = sizeof(buf) - LWS_PRE;
		if (lws_http_client_read(wsi, &px, &n) < 0)
			return -1;
		return 0;
	case LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ:
		if (req->streaming) {
			req->on_data(in, len, req->arg);
			return 0;
		}
		return http_append(req, in, len);
	case LWS_CALLBACK_COMPLETED_CLIENT_HTTP:
		req->complete = true;
		/* One request per connection: close now rather than idle. */
		return -1;
	case LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION:
		netconn_tls_verify(&req->nc, user, len);
		return 0;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		netconn_connection_error(&req->nc, wsi, in);
		return 0;
	case LWS_CALLBACK_WSI_DESTROY:
		netconn_destroyed(&req->nc, wsi);
		return 0;
	default:
		return 0;
	}
}
