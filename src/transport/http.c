#include "autoconf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <libwebsockets.h>

#include "transport/http.h"
#include "transport/net.h"
#include "transport/netconn.h"
#include "transport/url.h"
#include "util/log.h"
#include "util/xmalloc.h"

struct http_request {
	struct netconn nc;		/* first: see netconn.h */
	struct net *net;
	http_done_cb cb;
	void *arg;

	char *url;		/* current, after redirects */
	char *authorization;
	char *accept;
	char *last_event_id;
	char *content_type;
	char *body_out;		/* POST body */
	size_t body_out_len;
	char *ca_file;
	char *log_prefix;
	bool insecure;
	int redirects_left;
	size_t max_body;
	struct url u;

	struct net_resolve *resolve;
	struct net_dial *dial;
	struct lws *wsi;
	struct event *timeout;
	struct event *finish;	/* runs after lws let go of the wsi */

	int status;
	char *location;
	char *retry_after;
	char *body;
	size_t body_len;
	size_t body_cap;
	bool complete;
	bool streaming;		/* a 200 in stream mode: body goes to on_data */
	bool tls_failed;
	bool redirect_refused;
	bool dropped;		/* net_drop() asked; lws may clear that */
	void (*on_open)(const char *, void *);
	void (*on_data)(const char *, size_t, void *);
	char *error;
};

static void http_start(struct http_request *);
static int http_lws_callback(struct lws *, int, void *, void *, size_t);

static void
http_free(struct http_request *req)
{
	net_resolve_cancel(req->resolve);
	net_dial_free(req->dial);
	event_free(req->timeout);
	event_free(req->finish);
	url_clear(&req->u);
	free(req->url);
	if (req->authorization != NULL) {
		explicit_bzero(req->authorization, strlen(req->authorization));
		free(req->authorization);
	}
	free(req->accept);
	free(req->last_event_id);
	free(req->content_type);
	free(req->body_out);
	free(req->ca_file);
	free(req->log_prefix);
	free(req->location);
	free(req->retry_after);
	free(req->body);
	free(req->error);
	free(req);
}

static void
http_set_error(struct http_request *req, const char *fmt, ...)
{
	va_list ap;

	if (req->error != NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&req->error, fmt, ap) < 0)
		fatalx("out of memory formatting an error");
	va_end(ap);
}

static void
http_reset_response(struct http_request *req)
{
	req->status = 0;
	req->complete = false;
	req->body_len = 0;
	free(req->location);
	req->location = NULL;
	free(req->retry_after);
	req->retry_after = NULL;
	free(req->error);
	req->error = NULL;
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

	if (req->error == NULL && req->complete && req->status >= 300 &&
	    req->status < 400 && req->status != 304) {
		if (req->location == NULL) {
			http_set_error(req, "redirect %d without a Location",
			    req->status);
		} else if (req->redirects_left-- <= 0) {
			http_set_error(req, "too many redirects (last to %s)",
			    req->location);
		} else if ((next = url_resolve(req->url, req->location)) ==
		    NULL) {
			http_set_error(req, "redirect to an invalid URL: %s",
			    req->location);
		} else if ((why = http_redirect_refusal(&req->u, next)) !=
		    NULL) {
			http_set_error(req, "refused the %d redirect from %s "
			    "to %s: %s", req->status, req->url, next, why);
			req->redirect_refused = true;
			free(next);
		} else {
			log_debug("%s: %d redirect to %s", req->log_prefix,
			    req->status, next);
			free(req->url);
			req->url = next;
			http_reset_response(req);
			http_start(req);
			return;
		}
	}
	if (req->error == NULL && !req->complete)
		http_set_error(req, "connection closed before the response "
		    "was complete");

	memset(&resp, 0, sizeof(resp));
	resp.status = req->status;
	resp.final_url = req->url;
	resp.body = req->body != NULL ? req->body : "";
	resp.body_len = req->body_len;
	resp.retry_after = req->retry_after;
	resp.tls_failed = req->tls_failed;
	resp.redirect_refused = req->redirect_refused;
	req->cb(&resp, req->error, req->arg);
	http_free(req);
}

static void
http_fail_now(struct http_request *req)
{
	/* No address may win after this: it would reach a freed req. */
	net_dial_stop(req->dial);
	event_active(req->finish, EV_TIMEOUT, 0);
}

/* Ends the request from our side, whatever stage it is in.  Without a wsi
 * the resolve must be cancelled too: its answer may already be queued, and
 * http_resolved would then open a connection for a request that finish is
 * about to free. */
static void
http_stop(struct http_request *req)
{
	if (req->wsi != NULL) {
		req->dropped = true;
		net_drop(req->net, req->wsi);
	} else {
		net_resolve_cancel(req->resolve);
		req->resolve = NULL;
		http_fail_now(req);
	}
}

static void
http_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct http_request *req = arg;

	http_set_error(req, "no complete response within the time limit");
	http_stop(req);
}

static void
http_dial_failed(struct netconn *nc, const char *error)
{
	struct http_request *req = (struct http_request *)nc;

	http_set_error(req, "%s", error);
	http_fail_now(req);
}

static void
http_resolved(const struct dial_addrs *addrs, const char *error, void *arg)
{
	struct http_request *req = arg;
	struct net_target t;
	char err[256];

	req->resolve = NULL;
	if (addrs == NULL) {
		http_set_error(req, "cannot resolve %s: %s", req->u.host, error);
		http_fail_now(req);
		return;
	}
	memset(&t, 0, sizeof(t));
	t.u = &req->u;
	t.addrs = addrs;
	t.ca_file = req->ca_file;
	t.insecure = req->insecure;
	t.local_protocol = "jp-http";
	t.method = req->body_out != NULL ? "POST" : NULL;
	t.conn = &req->nc;
	t.pwsi = &req->wsi;
	t.failed = http_dial_failed;
	t.log_prefix = req->log_prefix;
	log_debug("%s: %s %s", req->log_prefix, req->body_out != NULL ?
	    "POST" : "GET", req->url);
	req->dial = net_connect(req->net, &t, err, sizeof(err));
	if (req->dial == NULL) {
		http_set_error(req, "%s", err);
		http_fail_now(req);
	}
}

static void
http_start(struct http_request *req)
{
	/* A redirect: the last connection's dial is over, and borrows u. */
	net_dial_free(req->dial);
	req->dial = NULL;
	url_clear(&req->u);
	if (url_parse(req->url, &req->u) == -1 ||
	    (strcmp(req->u.scheme, "http") != 0 &&
	    strcmp(req->u.scheme, "https") != 0)) {
		http_set_error(req, "not an http or https URL: %s", req->url);
		http_fail_now(req);
		return;
	}
	req->resolve = net_resolve(req->net, req->u.host, http_resolved, req);
}

struct http_request *
http_get(struct net *net, const struct http_opts *o, http_done_cb cb,
    void *arg)
{
	struct http_request *req = xcalloc(1, sizeof(*req));
	struct event_base *base = net_base(net);
	struct timeval tv;

	req->nc.lws_cb = http_lws_callback;
	req->net = net;
	req->cb = cb;
	req->arg = arg;
	req->url = xstrdup(o->url);
	req->authorization = o->authorization ? xstrdup(o->authorization) : NULL;
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
	req->on_open = o->on_open;
	req->on_data = o->on_data;
	req->ca_file = o->ca_file ? xstrdup(o->ca_file) : NULL;
	req->log_prefix = xstrdup(o->log_prefix ? o->log_prefix : "http");
	req->insecure = o->insecure;
	req->redirects_left = o->max_redirects;
	req->max_body = o->max_body;
	req->timeout = evtimer_new(base, http_timeout, req);
	req->finish = event_new(base, -1, 0, http_finish, req);
	if (req->timeout == NULL || req->finish == NULL)
		fatalx("libevent: cannot create http request events");
	tv.tv_sec = o->timeout_ms / 1000;
	tv.tv_usec = (o->timeout_ms % 1000) * 1000;
	if (o->timeout_ms > 0)
		evtimer_add(req->timeout, &tv);
	http_start(req);
	return req;
}

void
http_abort(struct http_request *req, const char *why)
{
	http_set_error(req, "%s", why);
	http_stop(req);
}

void
http_cancel(struct http_request *req)
{
	if (req == NULL)
		return;
	if (req->wsi != NULL) {
		/* lws still holds the wsi: detach it and let it die alone. */
		lws_set_opaque_user_data(req->wsi, NULL);
		net_drop(req->net, req->wsi);
	}
	http_free(req);
}

static int
http_append(struct http_request *req, const void *data, size_t len)
{
	if (req->body_len + len > req->max_body) {
		http_set_error(req, "response larger than %zu bytes",
		    req->max_body);
		return -1;
	}
	if (req->body_len + len + 1 > req->body_cap) {
		req->body_cap = (req->body_len + len + 1) * 2;
		if (req->body_cap > req->max_body + 1)
			req->body_cap = req->max_body + 1;
		req->body = xrealloc(req->body, req->body_cap);
	}
	memcpy(req->body + req->body_len, data, len);
	req->body_len += len;
	req->body[req->body_len] = '\0';
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

/* lws's callbacks for the request's wsi, through net.c. */
static int
http_lws_callback(struct lws *wsi, int reason, void *user, void *in,
    size_t len)
{
	struct http_request *req = lws_get_opaque_user_data(wsi);
	char buf[LWS_PRE + 4096], *px;
	int n;

	/* lws replaces the pending timeout that net_drop() kills with as
	 * the request goes on (sent, answered): end a dropped one here. */
	if (req != NULL && req->dropped &&
	    (reason == LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER ||
	    reason == LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP ||
	    reason == LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ))
		return -1;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
		if (req == NULL || net_add_header(wsi, in, len,
		    WSI_TOKEN_HTTP_AUTHORIZATION, req->authorization) == -1 ||
		    net_add_header(wsi, in, len, WSI_TOKEN_HTTP_ACCEPT,
		    req->accept) == -1 ||
		    http_add_named(wsi, in, len, "last-event-id:",
		    req->last_event_id) == -1)
			return -1;
		if (req->body_out != NULL) {
			char clen[24];

			snprintf(clen, sizeof(clen), "%zu", req->body_out_len);
			if (net_add_header(wsi, in, len,
			    WSI_TOKEN_HTTP_CONTENT_TYPE, req->content_type) == -1 ||
			    net_add_header(wsi, in, len,
			    WSI_TOKEN_HTTP_CONTENT_LENGTH, clen) == -1)
				return -1;
			lws_client_http_body_pending(wsi, 1);
			lws_callback_on_writable(wsi);
		}
		return 0;
	case LWS_CALLBACK_CLIENT_HTTP_WRITEABLE:
		if (req == NULL || req->body_out == NULL)
			return 0;
		lws_client_http_body_pending(wsi, 0);
		if (lws_write(wsi, (unsigned char *)req->body_out,
		    req->body_out_len, LWS_WRITE_HTTP_FINAL) <
		    (int)req->body_out_len) {
			http_set_error(req, "cannot send the request body");
			return -1;
		}
		return 0;
	case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
		if (req == NULL)
			return -1;
		req->status = (int)lws_http_client_http_response(wsi);
		req->location = net_header(wsi, WSI_TOKEN_HTTP_LOCATION);
		req->retry_after = net_header(wsi, WSI_TOKEN_HTTP_RETRY_AFTER);
		if (req->on_data != NULL && req->status == 200) {
			char *type = net_header(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE);

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
		if (req == NULL)
			return -1;
		if (req->streaming) {
			req->on_data(in, len, req->arg);
			return 0;
		}
		return http_append(req, in, len);
	case LWS_CALLBACK_COMPLETED_CLIENT_HTTP:
		if (req != NULL)
			req->complete = true;
		/* One request per connection: close now rather than idle. */
		return -1;
	case LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION: {
		char *tls = net_tls_verify_error(user, len);

		if (tls != NULL && req != NULL) {
			http_set_error(req, "%s", tls);
			req->tls_failed = true;
		}
		free(tls);
		return 0;
	}
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR: {
		char *tls;

		if (req == NULL)
			return 0;
		if ((tls = net_tls_handshake_error(wsi)) != NULL) {
			http_set_error(req, "%s", tls);
			req->tls_failed = true;
			free(tls);
		}
		http_set_error(req, "%s", in != NULL ? (const char *)in :
		    "connection failed");
		return 0;
	}
	case LWS_CALLBACK_WSI_DESTROY:
		if (req != NULL) {
			req->wsi = NULL;
			lws_set_opaque_user_data(wsi, NULL);
			event_active(req->finish, EV_TIMEOUT, 0);
		}
		return 0;
	default:
		return 0;
	}
}
