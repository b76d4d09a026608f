/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "session/esource.h"
#include "transport/http.h"
#include "transport/net.h"
#include "transport/sse.h"
#include "util/json.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xevent.h"
#include "util/xmalloc.h"

/* Silence longer than twice the ping interval plus this means the stream
 * is dead (issue 5). */
#define ESOURCE_GRACE_MS	10000
#define ESOURCE_HOUR_MS		3600000

struct esource {
	struct net *net;
	struct esource_callbacks cbs;
	void *arg;
	char *log_prefix;
	struct http_request *http;
	struct sse_parser *sse;
	struct event *silence;
	uint64_t ping_ms;
	bool established;
	bool wrong_content_type;
	bool long_id_logged;
	char last_id[SSE_ID_MAX + 1];	/* sent, then as last told to the
					 * owner */
	bool last_id_told;	/* the owner heard from this stream */
};

uint64_t
esource_ping_ms(const char *data, size_t len)
{
	struct json_object *root = NULL, *v;
	char err[64];
	int64_t n;

	if (jsonu_parse_buffer(data, len, 8, &root, err, sizeof(err)) == -1)
		return 0;
	v = jsonu_member(root, "interval");
	n = json_object_is_type(v, json_type_int) ?
	    json_object_get_int64(v) : 0;
	json_object_put(root);
	if (n <= 0)
		return 0;
	return (uint64_t)n * 1000 > ESOURCE_HOUR_MS ? (uint64_t)n :
	    (uint64_t)n * 1000;
}

static void
esource_watch(struct esource *es)
{
	uint64_t ms = 2 * es->ping_ms + ESOURCE_GRACE_MS;
	struct timeval tv = timeutil_tv_ms(ms);

	if (es->ping_ms > 0)
		evtimer_add(es->silence, &tv);
}

static void
esource_silence(evutil_socket_t fd, short what, void *arg)
{
	struct esource *es = arg;
	char why[128];

	snprintf(why, sizeof(why), "nothing from the event stream for %.0fs; "
	    "the connection is dead",
	    (double)(2 * es->ping_ms + ESOURCE_GRACE_MS) / 1000);
	http_abort(es->http, why);
}

/* Tells the owner when the last event ID string moved: at an event, or at
 * a blank line that dispatched nothing.  The first dispatch of a stream is
 * told whatever its id: the owner may hold one this stream did not send. */
static void
esource_last_id(struct esource *es, const char *id)
{
	if (es->last_id_told && strcmp(es->last_id, id) == 0)
		return;
	es->last_id_told = true;
	snprintf(es->last_id, sizeof(es->last_id), "%s", id);
	es->cbs.last_id(es, es->last_id, es->arg);
}

static void
esource_event(const struct sse_event *ev, void *arg)
{
	struct esource *es = arg;
	uint64_t ms;

	esource_last_id(es, ev->last_id);
	if (strcmp(ev->type, "state") == 0) {
		es->cbs.state(es, ev->data, ev->data_len, ev->last_id, es->arg);
	} else if (strcmp(ev->type, "ping") == 0) {
		/* The server's interval, not ours, decides when to worry. */
		if ((ms = esource_ping_ms(ev->data, ev->data_len)) > 0 &&
		    ms != es->ping_ms) {
			es->ping_ms = ms;
			esource_watch(es);
		}
	} else {
		log_debug("%s: ignoring an event of type %s", es->log_prefix,
		    ev->type);
	}
}

static void
esource_open_cb(const char *content_type, void *arg)
{
	struct esource *es = arg;
	char why[256];

	if (!sse_content_type_ok(content_type)) {
		snprintf(why, sizeof(why), "the event stream answered with "
		    "Content-Type %.80s, not text/event-stream; check the "
		    "server's eventSourceUrl", content_type != NULL ?
		    content_type : "(none)");
		es->wrong_content_type = true;
		http_abort(es->http, why);
		return;
	}
	es->established = true;
	esource_watch(es);
	es->cbs.established(es, es->arg);
}

static void
esource_data(const char *data, size_t len, void *arg)
{
	struct esource *es = arg;
	char why[256];

	if (es->wrong_content_type)
		return;
	esource_watch(es);
	if (sse_feed(es->sse, data, len) == -1) {
		snprintf(why, sizeof(why), "event stream: %s (max_frame); "
		    "raise max_frame if the server's events are that large",
		    sse_error(es->sse));
		http_abort(es->http, why);
	}
	if (sse_ids_too_long(es->sse) > 0 && !es->long_id_logged) {
		log_warnx("%s: the server sent an event id longer than %d "
		    "bytes; ignoring it (a reconnection resumes from the last "
		    "shorter one)", es->log_prefix, SSE_ID_MAX);
		es->long_id_logged = true;
	}
	if (sse_dispatches(es->sse) > 0)
		esource_last_id(es, sse_last_event_id(es->sse));
}

static void
esource_done(const struct http_response *resp, const char *error, void *arg)
{
	struct esource *es = arg;
	struct close_info info;
	char status[96];

	es->http = NULL;
	memset(&info, 0, sizeof(info));
	info.error = error;
	info.tls_failed = resp->tls_failed;
	info.wrong_content_type = es->wrong_content_type;
	info.redirect_refused = resp->redirect_refused;
	info.was_established = es->established;
	if (error == NULL && resp->status != 200) {
		snprintf(status, sizeof(status), "the server refused the event "
		    "stream with HTTP %d", resp->status);
		info.error = status;
		info.http_status = resp->status;
		info.retry_after = resp->retry_after;
	} else if (error == NULL && sse_pending(es->sse) > 0) {
		info.error = "the event stream ended in the middle of an event";
	}
	es->cbs.closed(es, &info, es->arg);
	event_free(es->silence);
	sse_free(es->sse);
	free(es->log_prefix);
	free(es);
}

struct esource *
esource_open(struct net *net, const struct esource_opts *o,
    const struct esource_callbacks *cbs, void *arg)
{
	struct esource *es = xcalloc(1, sizeof(*es));
	struct http_opts h;

	es->net = net;
	es->cbs = *cbs;
	es->arg = arg;
	es->log_prefix = xstrdup(o->log_prefix ? o->log_prefix : "eventsource");
	es->ping_ms = o->ping_interval_ms;
	/* An id this long can only come from a state file written before ids
	 * were bounded (issue 12): sent back, it made every handshake fail. */
	if (o->last_event_id != NULL && strlen(o->last_event_id) > SSE_ID_MAX)
		log_warnx("%s: ignoring the stored event id (%zu bytes, more "
		    "than %d): connecting without Last-Event-ID",
		    es->log_prefix, strlen(o->last_event_id), SSE_ID_MAX);
	else if (o->last_event_id != NULL)
		snprintf(es->last_id, sizeof(es->last_id), "%s",
		    o->last_event_id);
	es->sse = sse_new(o->max_event, esource_event, es);
	es->silence = xevtimer_new(net_base(net), esource_silence, es);

	memset(&h, 0, sizeof(h));
	h.endpoint = o->endpoint;
	h.accept = "text/event-stream";
	h.last_event_id = es->last_id[0] != '\0' ? es->last_id : NULL;
	h.max_redirects = 5;
	h.max_body = 64 * 1024;
	h.log_prefix = es->log_prefix;
	h.on_open = esource_open_cb;
	h.on_data = esource_data;
	es->http = http_get(net, &h, esource_done, es);
	return es;
}

void
esource_close(struct esource *es, const char *why)
{
	if (es->http != NULL)
		http_abort(es->http, why);
}
