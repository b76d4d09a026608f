/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "session/frame.h"
#include "session/request.h"
#include "util/timeutil.h"
#include "util/xevent.h"
#include "util/xmalloc.h"

struct request {
	TAILQ_ENTRY(request) entry;
	struct requests *owner;
	char id[24];
	struct event *deadline;
	request_cb cb;
	void *arg;
};
TAILQ_HEAD(request_list, request);

struct requests {
	struct event_base *base;
	struct request_list pending;
	uint64_t serial;
	unsigned n;
};

struct requests *
requests_new(struct event_base *base)
{
	struct requests *rs = xcalloc(1, sizeof(*rs));

	rs->base = base;
	TAILQ_INIT(&rs->pending);
	return rs;
}

static void
request_remove(struct request *r)
{
	TAILQ_REMOVE(&r->owner->pending, r, entry);
	r->owner->n--;
	event_free(r->deadline);
	free(r);
}

/* The entry leaves the list before its callback runs, so a callback may add
 * requests or fail the rest without meeting itself. */
static void
request_finish(struct request *r, struct json_object *responses,
    enum request_error why, const char *error)
{
	request_cb cb = r->cb;
	void *arg = r->arg;

	request_remove(r);
	cb(responses, why, error, arg);
}

const char *
request_error_text(enum request_error why)
{
	switch (why) {
	case REQUEST_TIMEOUT:
		return "no response within the time limit";
	case REQUEST_CLOSED:
		return "connection closed";
	case REQUEST_SHUTDOWN:
		return "shutting down";
	default:
		return "request failed";
	}
}

static void
request_timeout(evutil_socket_t fd, short what, void *arg)
{
	request_finish(arg, NULL, REQUEST_TIMEOUT,
	    request_error_text(REQUEST_TIMEOUT));
}

const char *
requests_add(struct requests *rs, uint64_t timeout_ms, request_cb cb,
    void *arg)
{
	struct request *r = xcalloc(1, sizeof(*r));
	struct timeval tv;

	r->owner = rs;
	r->cb = cb;
	r->arg = arg;
	snprintf(r->id, sizeof(r->id), "r%llu",
	    (unsigned long long)++rs->serial);
	r->deadline = xevtimer_new(rs->base, request_timeout, r);
	tv = timeutil_tv_ms(timeout_ms);
	evtimer_add(r->deadline, &tv);
	TAILQ_INSERT_TAIL(&rs->pending, r, entry);
	rs->n++;
	return r->id;
}

static struct request *
requests_find(struct requests *rs, const char *id)
{
	struct request *r;

	TAILQ_FOREACH(r, &rs->pending, entry)
		if (strcmp(r->id, id) == 0)
			return r;
	return NULL;
}

void
requests_forget(struct requests *rs, const char *id)
{
	struct request *r = requests_find(rs, id);

	if (r != NULL)
		request_remove(r);
}

int
requests_complete(struct requests *rs, const struct frame *f)
{
	struct request *r;
	struct json_object *v;
	char error[256];

	if (f->request_id == NULL ||
	    (r = requests_find(rs, f->request_id)) == NULL)
		return -1;
	if (f->type == FRAME_RESPONSE) {
		request_finish(r, f->method_responses, REQUEST_OK, NULL);
		return 0;
	}
	snprintf(error, sizeof(error), "request error %s",
	    json_object_object_get_ex(f->root, "type", &v) &&
	    json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : "(no type)");
	request_finish(r, NULL, REQUEST_REFUSED, error);
	return 0;
}

void
requests_fail_all(struct requests *rs, enum request_error why)
{
	struct request *r;

	while ((r = TAILQ_FIRST(&rs->pending)) != NULL)
		request_finish(r, NULL, why, request_error_text(why));
}

unsigned
requests_pending(const struct requests *rs)
{
	return rs->n;
}

void
requests_free(struct requests *rs)
{
	if (rs == NULL)
		return;
	requests_fail_all(rs, REQUEST_SHUTDOWN);
	free(rs);
}
