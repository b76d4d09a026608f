/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "session/channel.h"
#include "session/esource.h"
#include "session/frame.h"
#include "transport/endpoint.h"
#include "transport/http.h"
#include "transport/net.h"
#include "transport/ws.h"
#include "util/json.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define CHANNEL_API_MAX_BODY	(4 * 1024 * 1024)

/* A request over apiUrl (EventSource accounts). */
struct channel_post {
	TAILQ_ENTRY(channel_post) entry;
	struct channel *ch;
	struct http_request *http;
	request_cb cb;
	void *arg;
};
TAILQ_HEAD(channel_posts, channel_post);

struct channel {
	enum channel_kind kind;
	struct net *net;
	struct channel_callbacks cbs;
	void *arg;
	char *log_prefix;
	struct ws_conn *ws;
	struct esource *es;
	bool open;
	char **types;
	size_t ntypes;
	char *resume;
	/* WebSocket requests in flight, matched by requestId. */
	struct requests *requests;
	/* EventSource: apiUrl with the stream's credential, for POSTs;
	 * NULL over a WebSocket, which never needs the credential again. */
	struct endpoint *api;
	struct channel_posts posts;
};

const char *
channel_kind_name(enum channel_kind k)
{
	return k == CHANNEL_EVENTSOURCE ? "eventsource" : "websocket";
}

static void
channel_posts_fail(struct channel *ch, enum request_error why)
{
	struct channel_post *p;

	while ((p = TAILQ_FIRST(&ch->posts)) != NULL) {
		TAILQ_REMOVE(&ch->posts, p, entry);
		http_cancel(p->http);
		p->cb(NULL, why, request_error_text(why), p->arg);
		free(p);
	}
}

static void
channel_free(struct channel *ch)
{
	channel_posts_fail(ch, REQUEST_CLOSED);
	requests_free(ch->requests);
	for (size_t i = 0; i < ch->ntypes; i++)
		free(ch->types[i]);
	free(ch->types);
	free(ch->resume);
	endpoint_unref(ch->api);
	free(ch->log_prefix);
	free(ch);
}

static void
channel_closed(struct channel *ch, const struct close_info *info)
{
	ch->open = false;
	ch->ws = NULL;
	ch->es = NULL;
	requests_fail_all(ch->requests, REQUEST_CLOSED);
	channel_posts_fail(ch, REQUEST_CLOSED);
	ch->cbs.closed(ch, info, ch->arg);
	channel_free(ch);
}

static void
channel_established(struct channel *ch)
{
	ch->open = true;
	ch->cbs.established(ch, ch->arg);
}

/* WebSocket */

static void
channel_ws_established(struct ws_conn *ws, void *arg)
{
	struct channel *ch = arg;
	char *enable;

	enable = frame_push_enable(ch->types, ch->ntypes, ch->resume);
	if (enable == NULL || ws_send(ws, enable, strlen(enable)) == -1) {
		free(enable);
		ws_abort(ws, "cannot send WebSocketPushEnable");
		return;
	}
	free(enable);
	channel_established(ch);
}

static void
channel_ws_message(struct ws_conn *ws, const char *data, size_t len,
    void *arg)
{
	struct channel *ch = arg;
	struct frame f;
	char err[256];

	if (frame_parse(data, len, false, &f, err, sizeof(err)) == -1) {
		log_warnx("%s: the server sent a malformed frame (%s); "
		    "reconnecting", ch->log_prefix, err);
		ws_abort(ws, "malformed frame from the server");
		return;
	}
	switch (f.type) {
	case FRAME_STATE_CHANGE:
		ch->cbs.state(ch, &f, NULL, ch->arg);
		break;
	case FRAME_RESPONSE:
	case FRAME_REQUEST_ERROR:
		if (f.session_state != NULL && ch->cbs.session != NULL)
			ch->cbs.session(ch, f.session_state, ch->arg);
		if (requests_complete(ch->requests, &f) == -1)
			log_debug("%s: %s for an unknown request id %s",
			    ch->log_prefix, f.type_name, f.request_id ?
			    f.request_id : "(none)");
		break;
	case FRAME_UNKNOWN:
		log_debug("%s: ignoring a frame of type %s", ch->log_prefix,
		    f.type_name ? f.type_name : "(none)");
		break;
	}
	frame_clear(&f);
}

static void
channel_ws_closed(struct ws_conn *ws, const struct close_info *info,
    void *arg)
{
	channel_closed(arg, info);
}

/* EventSource */

static void
channel_es_established(struct esource *es, void *arg)
{
	channel_established(arg);
}

static void
channel_es_last_id(struct esource *es, const char *id, void *arg)
{
	struct channel *ch = arg;

	ch->cbs.resume(ch, *id != '\0' ? id : NULL, ch->arg);
}

static void
channel_es_state(struct esource *es, const char *data, size_t len,
    const char *id, void *arg)
{
	struct channel *ch = arg;
	struct frame f;
	char err[256];

	/* Fastmail leaves out @type and adds a "type" field. */
	if (frame_parse(data, len, true, &f, err, sizeof(err)) == -1) {
		log_warnx("%s: the server sent a malformed state event (%s); "
		    "reconnecting", ch->log_prefix, err);
		esource_close(es, "malformed state event from the server");
		return;
	}
	/* The id is valid UTF-8 (the parser decodes the stream): fit for
	 * JMAP_PUSH_STATE and socket JSON. */
	if (f.type == FRAME_STATE_CHANGE)
		ch->cbs.state(ch, &f, *id != '\0' ? id : NULL, ch->arg);
	else
		log_debug("%s: ignoring a state event of type %s",
		    ch->log_prefix, f.type_name ? f.type_name : "(none)");
	frame_clear(&f);
}

static void
channel_es_closed(struct esource *es, const struct close_info *info,
    void *arg)
{
	channel_closed(arg, info);
}

struct channel *
channel_open(struct net *net, const struct channel_opts *o,
    const struct channel_callbacks *cbs, void *arg)
{
	struct channel *ch = xcalloc(1, sizeof(*ch));

	ch->kind = o->kind;
	ch->net = net;
	ch->cbs = *cbs;
	ch->arg = arg;
	ch->log_prefix = xstrdup(o->log_prefix ? o->log_prefix : "channel");
	ch->types = xcalloc(o->ntypes ? o->ntypes : 1, sizeof(char *));
	for (size_t i = 0; i < o->ntypes; i++)
		ch->types[i] = xstrdup(o->types[i]);
	ch->ntypes = o->ntypes;
	ch->resume = o->resume ? xstrdup(o->resume) : NULL;
	ch->requests = requests_new(net_base(net));
	if (o->kind == CHANNEL_EVENTSOURCE && o->api_url != NULL)
		ch->api = endpoint_with_url(o->endpoint, o->api_url);
	TAILQ_INIT(&ch->posts);

	if (o->kind == CHANNEL_WEBSOCKET) {
		struct ws_callbacks wcb = {
			.established = channel_ws_established,
			.message = channel_ws_message,
			.closed = channel_ws_closed,
		};
		struct ws_opts w;

		memset(&w, 0, sizeof(w));
		w.endpoint = o->endpoint;
		w.max_frame = o->max_frame;
		w.ping_interval_ms = o->ping_interval_ms;
		w.ping_timeout_ms = o->ping_timeout_ms;
		w.log_prefix = ch->log_prefix;
		ch->ws = ws_connect(net, &w, &wcb, ch);
	} else {
		struct esource_callbacks ecb = {
			.established = channel_es_established,
			.last_id = channel_es_last_id,
			.state = channel_es_state,
			.closed = channel_es_closed,
		};
		struct esource_opts e;

		memset(&e, 0, sizeof(e));
		e.endpoint = o->endpoint;
		e.last_event_id = o->resume;
		e.max_event = o->max_frame;
		e.ping_interval_ms = o->ping_interval_ms;
		e.log_prefix = ch->log_prefix;
		ch->es = esource_open(net, &e, &ecb, ch);
	}
	return ch;
}

void
channel_close(struct channel *ch, enum channel_close_why why)
{
	if (ch->ws != NULL)
		ws_close(ch->ws, why == CHANNEL_CLOSE_GOING_AWAY ?
		    WS_CLOSE_GOING_AWAY : WS_CLOSE_NORMAL);
	else if (ch->es != NULL)
		esource_close(ch->es, "closed by us");
}

void
channel_probe(struct channel *ch, uint64_t deadline_ms)
{
	if (ch->ws != NULL && ws_is_open(ch->ws))
		ws_probe(ch->ws, deadline_ms);
	else if (ch->es != NULL)
		esource_close(ch->es, "replacing the event stream after a "
		    "suspend or network change");
}

bool
channel_is_open(const struct channel *ch)
{
	return ch->open;
}

static void
channel_post_done(const struct http_response *resp, const char *error,
    void *arg)
{
	struct channel_post *p = arg;
	struct json_object *root = NULL;
	const char *state;
	char err[256];

	TAILQ_REMOVE(&p->ch->posts, p, entry);
	if (error != NULL) {
		p->cb(NULL, REQUEST_FAILED, error, p->arg);
	} else if (resp->status != 200) {
		snprintf(err, sizeof(err), "the API answered HTTP %d",
		    resp->status);
		p->cb(NULL, REQUEST_FAILED, err, p->arg);
	} else if (jsonu_parse_buffer(resp->body, resp->body_len, 64, &root,
	    err, sizeof(err)) == -1) {
		p->cb(NULL, REQUEST_FAILED, err, p->arg);
	} else if (!json_object_is_type(jsonu_member(root, "methodResponses"),
	    json_type_array)) {
		p->cb(NULL, REQUEST_FAILED, "the API response has no "
		    "methodResponses", p->arg);
	} else {
		state = jsonu_string_of(jsonu_member(root, "sessionState"));
		if (state != NULL && p->ch->cbs.session != NULL)
			p->ch->cbs.session(p->ch, state, p->ch->arg);
		p->cb(jsonu_member(root, "methodResponses"), REQUEST_OK, NULL,
		    p->arg);
	}
	json_object_put(root);
	free(p);
}

int
channel_request(struct channel *ch, struct json_object *using,
    struct json_object *method_calls, uint64_t timeout_ms, request_cb cb,
    void *arg)
{
	struct channel_post *p;
	struct json_object *req;
	struct http_opts o;
	const char *id, *body;
	char *text;

	if (!ch->open)
		return -1;
	if (ch->kind == CHANNEL_WEBSOCKET) {
		id = requests_add(ch->requests, timeout_ms, cb, arg);
		text = frame_request(id, using, method_calls);
		if (ws_send(ch->ws, text, strlen(text)) == -1) {
			requests_forget(ch->requests, id);
			free(text);
			return -1;
		}
		free(text);
		return 0;
	}
	if (ch->api == NULL)
		return -1;
	req = json_object_new_object();
	json_object_object_add(req, "using", json_object_get(using));
	json_object_object_add(req, "methodCalls",
	    json_object_get(method_calls));
	body = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	memset(&o, 0, sizeof(o));
	o.endpoint = ch->api;
	o.accept = "application/json";
	o.content_type = "application/json";
	o.body = body;
	o.body_len = strlen(body);
	o.max_body = CHANNEL_API_MAX_BODY;
	o.timeout_ms = timeout_ms;
	o.log_prefix = ch->log_prefix;
	p = xcalloc(1, sizeof(*p));
	p->ch = ch;
	p->cb = cb;
	p->arg = arg;
	TAILQ_INSERT_TAIL(&ch->posts, p, entry);
	p->http = http_get(ch->net, &o, channel_post_done, p);
	json_object_put(req);
	return 0;
}
