/* SPDX-License-Identifier: ISC */
/* JMAP requests in flight over a push connection: ids, matching responses
 * by requestId, and a deadline per request. */
#ifndef JP_REQUEST_H
#define JP_REQUEST_H

#include <stdint.h>

struct event_base;
struct frame;
struct json_object;
struct requests;

/* Why a request got no Response: callers decide on this, never on the
 * text, which is for the log. */
enum request_error {
	REQUEST_OK,		/* method_responses is set */
	REQUEST_REFUSED,	/* the server's RequestError */
	REQUEST_FAILED,		/* an API POST failed or its answer is bad */
	REQUEST_TIMEOUT,	/* no Response within the time limit */
	REQUEST_CLOSED,		/* the connection closed first */
	REQUEST_SHUTDOWN,	/* the requests were freed first */
};

/* method_responses is the Response's array (borrowed), or NULL with why
 * and error (the text, borrowed for the call) saying why not. */
typedef void (*request_cb)(struct json_object *method_responses,
    enum request_error why, const char *error, void *arg);

struct requests *requests_new(struct event_base *);
/* Fails every pending request with REQUEST_SHUTDOWN. */
void requests_free(struct requests *);
/* Registers a request; returns its id (valid until its callback ran). */
const char *requests_add(struct requests *, uint64_t timeout_ms,
    request_cb cb, void *arg);
/* Forgets a request whose frame could not be sent; no callback. */
void requests_forget(struct requests *, const char *id);
/* Completes the request a Response or RequestError answers; -1 when no
 * request has that id. */
int requests_complete(struct requests *, const struct frame *);
/* Fails every pending request with why (its text: request_error_text). */
void requests_fail_all(struct requests *, enum request_error why);
/* The text of REQUEST_TIMEOUT, REQUEST_CLOSED and REQUEST_SHUTDOWN, whose
 * reason needs no detail ("connection closed"). */
const char *request_error_text(enum request_error);
unsigned requests_pending(const struct requests *);

#endif
