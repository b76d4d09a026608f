/* SPDX-License-Identifier: ISC */
/*
 * RFC 8887 WebSocket: push enable/disable with resume from pushState,
 * Request/Response (the methods are api.c's), and the faults that act on
 * open connections (stall, drop, close, garbage and oversized frames).
 *
 * Frames to a client wait in its own queue and leave one per writeable
 * callback, so a stalled client simply keeps them until it is released.
 */
#include "autoconf.h"

#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

#include "testserver.h"

/* Incoming messages larger than this end the connection with 1009. */
#define RX_MAX		(1024 * 1024)
/* Frames are logged up to this many bytes. */
#define LOG_MAX		300

#define ERR_NOT_JSON	"urn:ietf:params:jmap:error:notJSON"
#define ERR_NOT_REQUEST	"urn:ietf:params:jmap:error:notRequest"

static struct ts_server *
ws_server(struct lws *wsi)
{
	return lws_context_user(lws_get_context(wsi));
}

static void
ws_enqueue(struct ts_client *c, const char *text, size_t len)
{
	struct ts_frame *f = xmalloc(sizeof(*f));

	f->len = len;
	f->buf = xmalloc(LWS_PRE + len);
	memcpy(f->buf + LWS_PRE, text, len);
	TAILQ_INSERT_TAIL(&c->outq, f, entry);
	if (!c->stalled)
		lws_callback_on_writable(c->wsi);
}

/* Queues obj and drops the caller's reference to it. */
static void
ws_enqueue_json(struct ts_client *c, struct json_object *obj)
{
	size_t len;
	const char *text;

	text = json_object_to_json_string_length(obj, TS_JSON_FLAGS, &len);
	ws_enqueue(c, text, len);
	json_object_put(obj);
}

static void
ws_frame_free(struct ts_frame *f)
{
	free(f->buf);
	free(f);
}

static void
ws_client_free(struct ts_server *s, struct ts_client *c)
{
	struct ts_frame *f;

	while ((f = TAILQ_FIRST(&c->outq)) != NULL) {
		TAILQ_REMOVE(&c->outq, f, entry);
		ws_frame_free(f);
	}
	free(c->rx);
	c->rx = NULL;
	TAILQ_REMOVE(&s->clients, c, entry);
	s->nclients--;
	if (c->push_enabled)
		s->npush_enabled--;
	c->wsi = NULL;
}

static void
ws_request_error(struct ts_client *c, const char *id, const char *type,
    const char *detail)
{
	struct json_object *err = json_object_new_object();

	ts_info("ws #%u: RequestError %s: %s", c->id, type, detail);
	json_object_object_add(err, "@type",
	    json_object_new_string("RequestError"));
	if (id != NULL)
		json_object_object_add(err, "requestId",
		    json_object_new_string(id));
	json_object_object_add(err, "type", json_object_new_string(type));
	json_object_object_add(err, "status", json_object_new_int(400));
	json_object_object_add(err, "detail", json_object_new_string(detail));
	ws_enqueue_json(c, err);
}

/* A dataTypes array or null as a mask; -1 when it is neither. */
static int
ws_types_parse(struct json_object *dt, unsigned *types)
{
	size_t n;
	int t;

	if (dt == NULL) {
		*types = TS_ALL_TYPES;
		return 0;
	}
	if (!json_object_is_type(dt, json_type_array))
		return -1;
	*types = 0;
	n = json_object_array_length(dt);
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(dt, i);

		if (!json_object_is_type(e, json_type_string))
			return -1;
		/* Unknown types are allowed: they just never change. */
		if ((t = state_type_parse(json_object_get_string(e))) != -1)
			*types |= 1u << t;
	}
	return 0;
}

/* With a known pushState: one StateChange with all that changed since. */
static void
ws_resume(struct ts_server *s, struct ts_client *c, const char *push)
{
	struct json_object *msg;
	unsigned *masks;

	masks = xcalloc(s->state.naccounts, sizeof(*masks));
	if (state_since(&s->state, push, masks) == -1) {
		ts_info("ws #%u: pushState %s is unknown: nothing to resume",
		    c->id, push);
		free(masks);
		return;
	}
	for (size_t i = 0; i < s->state.naccounts; i++)
		masks[i] &= c->types;
	if ((msg = state_change_json(&s->state, masks)) == NULL)
		ts_info("ws #%u: nothing changed since pushState %s", c->id,
		    push);
	else
		ws_enqueue_json(c, msg);
	free(masks);
}

static void
ws_push_enable(struct ts_server *s, struct ts_client *c,
    struct json_object *msg)
{
	struct json_object *dt = NULL, *ps = NULL, *record;
	const char *push = NULL;
	unsigned types;

	json_object_object_get_ex(msg, "dataTypes", &dt);
	if (ws_types_parse(dt, &types) == -1) {
		ws_request_error(c, NULL, ERR_NOT_REQUEST,
		    "dataTypes: expected an array of strings or null");
		return;
	}
	json_object_object_get_ex(msg, "pushState", &ps);
	if (ps != NULL && !json_object_is_type(ps, json_type_string)) {
		ws_request_error(c, NULL, ERR_NOT_REQUEST,
		    "pushState: expected a string");
		return;
	}
	if (ps != NULL)
		push = json_object_get_string(ps);

	if (!c->push_enabled)
		s->npush_enabled++;
	c->push_enabled = true;
	c->types = types;
	record = json_object_new_object();
	json_object_object_add(record, "dataTypes", json_object_get(dt));
	json_object_object_add(record, "pushState", json_object_get(ps));
	json_object_put(s->last_push_enable);
	s->last_push_enable = record;
	ts_info("ws #%u: push enabled: dataTypes %s, pushState %s", c->id,
	    dt == NULL ? "null" : json_object_to_json_string_ext(dt,
	    TS_JSON_FLAGS), push == NULL ? "none" : push);
	if (push != NULL)
		ws_resume(s, c, push);
	control_wake(s);
}

static void
ws_request(struct ts_server *s, struct ts_client *c, struct json_object *msg)
{
	struct json_object *idobj = NULL, *resp, *responses;
	const char *id = NULL, *err = NULL;
	size_t n;

	if (json_object_object_get_ex(msg, "id", &idobj)) {
		if (!json_object_is_type(idobj, json_type_string)) {
			ws_request_error(c, NULL, ERR_NOT_REQUEST,
			    "id: expected a string");
			return;
		}
		id = json_object_get_string(idobj);
	}
	if ((responses = api_method_calls(s, msg, &err)) == NULL) {
		ws_request_error(c, id, ERR_NOT_REQUEST, err);
		return;
	}
	n = json_object_array_length(responses);
	resp = json_object_new_object();
	json_object_object_add(resp, "@type",
	    json_object_new_string("Response"));
	if (id != NULL)
		json_object_object_add(resp, "requestId",
		    json_object_get(idobj));
	json_object_object_add(resp, "methodResponses", responses);
	json_object_object_add(resp, "sessionState",
	    json_object_new_string(s->session_state));
	ts_info("ws #%u: Request %s with %zu call(s)", c->id,
	    id != NULL ? id : "(no id)", n);
	ws_enqueue_json(c, resp);
}

/* One whole message from c->rx. */
static void
ws_message(struct ts_server *s, struct ts_client *c)
{
	struct json_tokener *tok;
	struct json_object *msg, *type;
	enum json_tokener_error err;
	const char *t;
	size_t end;

	if (c->rx_binary) {
		ws_request_error(c, NULL, ERR_NOT_JSON,
		    "binary frames are not JSON");
		return;
	}
	tok = json_tokener_new();
	msg = json_tokener_parse_ex(tok, c->rx, (int)c->rx_len);
	err = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (msg == NULL || err != json_tokener_success) {
		json_object_put(msg);
		ws_request_error(c, NULL, ERR_NOT_JSON, msg == NULL &&
		    err == json_tokener_continue ? "truncated JSON" :
		    json_tokener_error_desc(err));
		return;
	}
	for (; end < c->rx_len; end++)
		if (strchr(" \t\r\n", c->rx[end]) == NULL) {
			json_object_put(msg);
			ws_request_error(c, NULL, ERR_NOT_JSON,
			    "data after the JSON value");
			return;
		}
	if (!json_object_is_type(msg, json_type_object) ||
	    !json_object_object_get_ex(msg, "@type", &type) ||
	    !json_object_is_type(type, json_type_string)) {
		ws_request_error(c, NULL, ERR_NOT_REQUEST,
		    "expected an object with a string @type");
		json_object_put(msg);
		return;
	}
	t = json_object_get_string(type);
	if (strcmp(t, "WebSocketPushEnable") == 0)
		ws_push_enable(s, c, msg);
	else if (strcmp(t, "WebSocketPushDisable") == 0) {
		if (c->push_enabled)
			s->npush_enabled--;
		c->push_enabled = false;
		ts_info("ws #%u: push disabled", c->id);
		control_wake(s);
	} else if (strcmp(t, "Request") == 0)
		ws_request(s, c, msg);
	else
		ws_request_error(c, NULL, ERR_NOT_REQUEST, "unknown @type");
	json_object_put(msg);
}

/* Gathers fragments; returns -1 to close the connection. */
static int
ws_receive(struct ts_server *s, struct ts_client *c, const char *in,
    size_t len)
{
	if (!c->rx_open) {
		c->rx_open = true;
		c->rx_len = 0;
		c->rx_binary = lws_frame_is_binary(c->wsi);
	}
	if (len > RX_MAX - c->rx_len) {
		ts_warnx("ws #%u: message over %d bytes: closing with 1009",
		    c->id, RX_MAX);
		lws_close_reason(c->wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE,
		    (unsigned char *)"message too big", 15);
		return -1;
	}
	if (c->rx_len + len + 1 > c->rx_size) {
		c->rx_size = c->rx_size == 0 ? 4096 : c->rx_size;
		while (c->rx_len + len + 1 > c->rx_size)
			c->rx_size *= 2;
		c->rx = xrealloc(c->rx, c->rx_size);
	}
	memcpy(c->rx + c->rx_len, in, len);
	c->rx_len += len;
	if (!lws_is_final_fragment(c->wsi) ||
	    lws_remaining_packet_payload(c->wsi) > 0)
		return 0;
	c->rx_open = false;
	c->rx[c->rx_len] = '\0';
	ts_debug("ws #%u: received %.*s", c->id, (int)c->rx_len, c->rx);
	ws_message(s, c);
	return 0;
}

static int
ws_writeable(struct ts_client *c)
{
	struct ts_frame *f;
	int n;

	if (c->stalled)
		return 0;
	if ((f = TAILQ_FIRST(&c->outq)) != NULL) {
		TAILQ_REMOVE(&c->outq, f, entry);
		n = lws_write(c->wsi, f->buf + LWS_PRE, f->len, LWS_WRITE_TEXT);
		if (f->len > LOG_MAX)
			ts_info("ws #%u: sent %.*s... (%zu bytes)", c->id,
			    LOG_MAX, f->buf + LWS_PRE, f->len);
		else
			ts_info("ws #%u: sent %.*s", c->id, (int)f->len,
			    f->buf + LWS_PRE);
		if (n < 0 || (size_t)n != f->len) {
			ts_warnx("ws #%u: write failed", c->id);
			ws_frame_free(f);
			return -1;
		}
		ws_frame_free(f);
		/* lws merges requests for a writeable callback into one: the
		 * burst frames due with this frame need another. */
		if (!TAILQ_EMPTY(&c->outq) || c->close_code != 0 ||
		    c->burst_left > 0)
			lws_callback_on_writable(c->wsi);
		return 0;
	}
	if (c->close_code != 0) {
		/* lws may call again while its close handshake runs. */
		if (!c->close_sent)
			ts_info("ws #%u: sending close %d", c->id,
			    c->close_code);
		c->close_sent = true;
		lws_close_reason(c->wsi, c->close_code, NULL, 0);
		return -1;
	}
	if (c->burst_left > 0)
		return burst_writeable(c);
	return 0;
}

int
ws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct ts_client *c = user;
	struct ts_server *s = ws_server(wsi);
	char peer[64];
	const unsigned char *p = in;

	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
		c->wsi = wsi;
		c->id = ++s->next_client_id;
		TAILQ_INIT(&c->outq);
		TAILQ_INSERT_TAIL(&s->clients, c, entry);
		s->nclients++;
		s->handshakes++;
		lws_get_peer_simple(wsi, peer, sizeof(peer));
		ts_info("ws #%u: connected from %s", c->id, peer);
		control_wake(s);
		break;
	case LWS_CALLBACK_RECEIVE:
		if (c->wsi != NULL)
			return ws_receive(s, c, in, len);
		break;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		if (c->wsi != NULL)
			return ws_writeable(c);
		break;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (c->wsi == NULL)
			break;
		s->last_client_close = len >= 2 ? p[0] << 8 | p[1] : 1005;
		s->client_closes++;
		ts_info("ws #%u: the client sent close %d", c->id,
		    s->last_client_close);
		control_wake(s);
		break;
	case LWS_CALLBACK_CLOSED:
		if (c->wsi == NULL)
			break;
		ts_info("ws #%u: closed", c->id);
		ws_client_free(s, c);
		control_wake(s);
		break;
	default:
		break;
	}
	return 0;
}

void
ws_push(struct ts_server *s, size_t account, unsigned types)
{
	struct ts_client *c;
	unsigned *masks;

	masks = xcalloc(s->state.naccounts, sizeof(*masks));
	TAILQ_FOREACH(c, &s->clients, entry) {
		if (!c->push_enabled || (c->types & types) == 0)
			continue;
		masks[account] = c->types & types;
		ws_enqueue_json(c, state_change_json(&s->state, masks));
	}
	free(masks);
}

void
ws_send_all(struct ts_server *s, const char *text, size_t len)
{
	struct ts_client *c;

	TAILQ_FOREACH(c, &s->clients, entry)
		ws_enqueue(c, text, len);
}

/*
 * Shuts the sockets down under lws' feet: the peer sees the TCP connection
 * end without a close frame, and lws notices the hang-up by itself.
 */
size_t
ws_drop_all(struct ts_server *s)
{
	struct ts_client *c;
	size_t n = 0;

	TAILQ_FOREACH(c, &s->clients, entry) {
		if (shutdown(lws_get_socket_fd(c->wsi), SHUT_RDWR) == -1)
			log_warn("testserver: ws #%u: shutdown", c->id);
		else
			n++;
	}
	return n;
}

void
ws_stall_all(struct ts_server *s, bool stall)
{
	struct ts_client *c;

	TAILQ_FOREACH(c, &s->clients, entry) {
		if (c->stalled == stall)
			continue;
		c->stalled = stall;
		lws_rx_flow_control(c->wsi, !stall);
		if (!stall && (!TAILQ_EMPTY(&c->outq) || c->close_code != 0 ||
		    c->burst_left > 0))
			lws_callback_on_writable(c->wsi);
	}
}

size_t
ws_close_all(struct ts_server *s, int code)
{
	struct ts_client *c;
	size_t n = 0;

	TAILQ_FOREACH(c, &s->clients, entry) {
		c->close_code = code;
		if (!c->stalled)
			lws_callback_on_writable(c->wsi);
		n++;
	}
	return n;
}

void
ws_counts(const struct ts_server *s, unsigned long *connections,
    unsigned long *push_enabled)
{
	/* Counted as they change: a wait is checked on every change, and a
	 * walk of 10,000 clients each time made a storm quadratic. */
	*connections = s->nclients;
	*push_enabled = s->npush_enabled;
}
