/* SPDX-License-Identifier: ISC */
/* An HTTP client on libwebsockets: one request per connection, GET with
 * redirects (within the origin, never from https to http) or POST with a
 * body; the response either collected (bounded
 * body, bounded time) or streamed to the caller as it arrives. */
#ifndef JP_HTTP_H
#define JP_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct endpoint;
struct net;
struct http_request;

struct http_opts {
	/* An http:// or https:// URL; referenced while the request lives
	 * (redirects keep its credential and TLS options). */
	struct endpoint *endpoint;
	const char *accept;
	const char *last_event_id;	/* sent as Last-Event-ID when set */
	const char *content_type;	/* with body: a POST */
	const char *body;
	size_t body_len;
	/* More request headers: names ("x-foo:", lowercase, with the colon)
	 * and values alternating, NULL-terminated; copied (and the copy
	 * wiped when freed: they may hold a token).  NULL: none. */
	const char *const *headers;
	int max_redirects;
	size_t max_body;
	uint64_t timeout_ms;		/* 0: none (a stream watches itself) */
	/* Streaming: a 200 response's body goes to on_data as it arrives,
	 * after on_open, which sees its Content-Type (NULL when absent) and
	 * may http_abort(); other statuses are collected as usual. */
	void (*on_open)(const char *content_type, void *arg);
	void (*on_data)(const char *data, size_t len, void *arg);
	const char *log_prefix;		/* "account personal: session" */
};

struct http_response {
	int status;		/* 0 when no response arrived */
	const char *final_url;	/* after redirects */
	const char *body;	/* NUL-terminated */
	size_t body_len;
	const char *retry_after;	/* NULL when absent */
	bool tls_failed;	/* the server's certificate was not trusted */
	bool redirect_refused;	/* to http or another origin: not followed */
	/* The request's headers did not fit lws's buffer: never sent, and
	 * the same headers never will be. */
	bool head_too_large;
};

/* error is NULL on any complete response (whatever its status).  The
 * request frees itself after the callback returns. */
typedef void (*http_done_cb)(const struct http_response *, const char *error,
    void *arg);

/* GET, or POST when opts->body is set. */
struct http_request *http_get(struct net *, const struct http_opts *,
    http_done_cb cb, void *arg);
/* Ends a stream from the caller's side: done follows with error why. */
void http_abort(struct http_request *, const char *why);
/* The callback is not called after this. */
void http_cancel(struct http_request *);

#endif
