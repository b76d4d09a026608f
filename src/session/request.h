/* JMAP requests in flight over a push connection: ids, matching responses
 * by requestId, and a deadline per request. */
#ifndef JP_REQUEST_H
#define JP_REQUEST_H

#include <stdint.h>

struct event_base;
struct frame;
struct json_object;
struct requests;

/* method_responses is the Response's array (borrowed), or NULL with error
 * set: a RequestError, the deadline, or the connection going away. */
typedef void (*request_cb)(struct json_object *method_responses,
    const char *error, void *arg);

struct requests *requests_new(struct event_base *);
/* Fails every pending request with "shutting down". */
void requests_free(struct requests *);
/* Registers a request; returns its id (valid until its callback ran). */
const char *requests_add(struct requests *, uint64_t timeout_ms,
    request_cb cb, void *arg);
/* Forgets a request whose frame could not be sent; no callback. */
void requests_forget(struct requests *, const char *id);
/* Completes the request a Response or RequestError answers; -1 when no
 * request has that id. */
int requests_complete(struct requests *, const struct frame *);
void requests_fail_all(struct requests *, const char *error);
unsigned requests_pending(const struct requests *);

#endif
