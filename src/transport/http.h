/* A one-shot HTTP client on libwebsockets: GET with redirects, bounded
 * body, bounded time. */
#ifndef JP_HTTP_H
#define JP_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libwebsockets.h>

struct net;
struct http_request;

struct http_opts {
	const char *url;
	const char *authorization;	/* whole header value; never logged */
	const char *accept;
	const char *ca_file;
	bool insecure;
	int max_redirects;
	size_t max_body;
	uint64_t timeout_ms;
	const char *log_prefix;		/* "account personal: session" */
};

struct http_response {
	int status;		/* 0 when no response arrived */
	const char *final_url;	/* after redirects */
	const char *body;	/* NUL-terminated */
	size_t body_len;
	const char *retry_after;	/* NULL when absent */
	bool tls_failed;	/* the server's certificate was not trusted */
};

/* error is NULL on any complete response (whatever its status).  The
 * request frees itself after the callback returns. */
typedef void (*http_done_cb)(const struct http_response *, const char *error,
    void *arg);

struct http_request *http_get(struct net *, const struct http_opts *,
    http_done_cb cb, void *arg);
/* The callback is not called after this. */
void http_cancel(struct http_request *);

int http_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
    size_t len);

#endif
