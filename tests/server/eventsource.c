/* SPDX-License-Identifier: ISC */
/*
 * RFC 8620 7.3 EventSource: GET /jmap/eventsource streams `state` events
 * (StateChange data) for the types asked for, and `ping` events, until the
 * client goes, `closeafter=state` is satisfied, --es-close-after expires or
 * the control API closes it. Options imitate real servers: no `id:` lines
 * (Stalwart), ping intervals in milliseconds (Stalwart), and Fastmail's
 * plain URL, data without @type but with "type", and an event on connect.
 *
 * The body is chunked, as real servers send it over HTTP/1.1, so that a
 * dropped connection shows as a truncated body; --es-chunked no sends it
 * unframed, ended by the connection's end. Events gather in the stream's
 * buffer and leave from the writeable callback, so a stalled stream simply
 * keeps them until it is released.
 */
#include "autoconf.h"

#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

#include "testserver.h"

#define ES_PATH		"/jmap/eventsource"
/* Events are logged up to this many bytes. */
#define LOG_MAX		300

const char *
es_url(const struct ts_server *s)
{
	if (s->es_style == TS_ES_STYLE_FASTMAIL)
		return ES_PATH;
	return ES_PATH "?types={types}&closeafter={closeafter}&ping={ping}";
}

static void
es_append(struct ts_es *es, const char *text, size_t len)
{
	if (es->out_len + len > es->out_size) {
		es->out_size = es->out_size == 0 ? 4096 : es->out_size;
		while (es->out_len + len > es->out_size)
			es->out_size *= 2;
		es->out = xrealloc(es->out, es->out_size);
	}
	memcpy(es->out + es->out_len, text, len);
	es->out_len += len;
}

/* One event: "event:", optional "id:", one "data:" line, blank line. */
static void
es_event(struct ts_es *es, const char *event, const char *id,
    const char *data, size_t len)
{
	char head[128];
	int n;

	n = snprintf(head, sizeof(head), "event: %s\n", event);
	es_append(es, head, (size_t)n);
	if (id != NULL) {
		es_append(es, "id: ", 4);
		es_append(es, id, strlen(id));
		es_append(es, "\n", 1);
	}
	es_append(es, "data: ", 6);
	es_append(es, data, len);
	es_append(es, "\n\n", 2);
	if (len > LOG_MAX)
		ts_info("es #%u: event %s: %.*s... (%zu bytes)", es->id, event,
		    LOG_MAX, data, len);
	else
		ts_info("es #%u: event %s: %.*s", es->id, event, (int)len,
		    data);
	if (!es->stalled)
		lws_callback_on_writable(es->wsi);
}

/*
 * A state event with the current state of the types in masks; kind is
 * Fastmail's "type" ("connect" or "change"). Returns false when the masks
 * select nothing.
 */
static bool
es_state_event(struct ts_server *s, struct ts_es *es, const unsigned *masks,
    const char *kind)
{
	struct json_object *msg;
	const char *text;
	char id[32];
	size_t len;

	if ((msg = state_change_json(&s->state, masks)) == NULL)
		return false;
	if (s->es_style == TS_ES_STYLE_FASTMAIL) {
		json_object_object_del(msg, "@type");
		json_object_object_add(msg, "type",
		    json_object_new_string(kind));
	}
	state_push_string(s->state.push, id, sizeof(id));
	text = json_object_to_json_string_length(msg, TS_JSON_FLAGS, &len);
	es_event(es, "state", s->es_ids ? id : NULL, text, len);
	json_object_put(msg);
	/* Fastmail's greeting is not a change: closeafter waits for one. */
	if (es->close_after_state && strcmp(kind, "connect") != 0) {
		ts_info("es #%u: closeafter=state: closing", es->id);
		es->closing = true;
	}
	return true;
}

static void
es_ping(lws_sorted_usec_list_t *sul)
{
	struct ts_es *es = lws_container_of(sul, struct ts_es, ping_timer);
	char data[64];
	int n;

	n = snprintf(data, sizeof(data), "{\"interval\":%ld}",
	    es->server->es_ping_ms ? es->ping * 1000 : es->ping);
	es_event(es, "ping", NULL, data, (size_t)n);
	lws_sul_schedule(es->server->ctx, 0, &es->ping_timer, es_ping,
	    es->ping * LWS_US_PER_SEC);
}

static void
es_expire(lws_sorted_usec_list_t *sul)
{
	struct ts_es *es = lws_container_of(sul, struct ts_es, close_timer);

	ts_info("es #%u: open for %ld s: closing (--es-close-after)", es->id,
	    es->server->es_close_after);
	es->closing = true;
	if (!es->stalled)
		lws_callback_on_writable(es->wsi);
}

/* A comma list of type names, or "*", as a mask; unknown names ignored. */
static unsigned
es_types_parse(const char *list)
{
	char buf[512], *tok, *save;
	unsigned types = 0;
	int t;

	if (strcmp(list, "*") == 0)
		return TS_ALL_TYPES;
	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save))
		if ((t = state_type_parse(tok)) != -1)
			types |= 1u << t;
	return types;
}

/* Query arguments; -1 after answering 400. */
static int
es_args(struct lws *wsi, struct ts_es *es, int *rv)
{
	char buf[512], *end;
	const char *v;

	es->types = TS_ALL_TYPES;
	if ((v = lws_get_urlarg_by_name(wsi, "types=", buf,
	    (int)sizeof(buf))) != NULL)
		es->types = es_types_parse(v);
	if ((v = lws_get_urlarg_by_name(wsi, "closeafter=", buf,
	    (int)sizeof(buf))) != NULL) {
		if (strcmp(v, "state") != 0 && strcmp(v, "no") != 0) {
			*rv = http_send_error(wsi, HTTP_STATUS_BAD_REQUEST,
			    "closeafter: expected state or no");
			return -1;
		}
		es->close_after_state = strcmp(v, "state") == 0;
	}
	if ((v = lws_get_urlarg_by_name(wsi, "ping=", buf,
	    (int)sizeof(buf))) != NULL) {
		errno = 0;
		es->ping = strtol(v, &end, 10);
		if (*v == '\0' || *end != '\0' || errno != 0 || es->ping < 0 ||
		    es->ping > 86400) {
			*rv = http_send_error(wsi, HTTP_STATUS_BAD_REQUEST,
			    "ping: expected an integer from 0 to 86400");
			return -1;
		}
	}
	return 0;
}

/* The faults that refuse a connection; 1 when none applies. */
static int
es_refuse(struct ts_server *s, struct lws *wsi)
{
	char secs[24];
	struct http_header hdr = { "retry-after:", secs };

	if (s->fault_notfound > 0) {
		s->fault_notfound--;
		s->refused++;
		ts_info("fault: notfound: event stream refused with 404 "
		    "(%lu more)", s->fault_notfound);
		return http_send_error(wsi, HTTP_STATUS_NOT_FOUND,
		    "no event source here");
	}
	if (s->fault_refuse > 0) {
		s->fault_refuse--;
		s->refused++;
		snprintf(secs, sizeof(secs), "%ld", s->fault_retry_after);
		ts_info("fault: refuse: event stream refused with 503 "
		    "(%lu more)", s->fault_refuse);
		return http_send(wsi, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    "{\"error\":\"service unavailable\"}", &hdr, 1);
	}
	if (s->fault_unauthorized > 0) {
		s->fault_unauthorized--;
		s->refused++;
		ts_info("fault: unauthorized: event stream refused with 401 "
		    "(%lu more)", s->fault_unauthorized);
		return http_send_unauthorized(wsi);
	}
	if (s->fault_wrongtype > 0) {
		s->fault_wrongtype--;
		s->refused++;
		ts_info("fault: wrongtype: event stream answered as text/html "
		    "(%lu more)", s->fault_wrongtype);
		return http_send_typed(wsi, HTTP_STATUS_OK, "text/html",
		    "event: state\ndata: {\"@type\":\"StateChange\","
		    "\"changed\":{\"u1\":{\"Email\":\"html1\"}}}\n\n");
	}
	if (!http_authorized(s, wsi, "eventsource")) {
		s->refused++;
		return http_send_unauthorized(wsi);
	}
	return 1;
}

static int
es_headers(struct ts_server *s, struct lws *wsi)
{
	unsigned char hbuf[LWS_PRE + 1024];
	unsigned char *start = hbuf + LWS_PRE, *p = start;
	unsigned char *end = hbuf + sizeof(hbuf) - 1;

	if (lws_add_http_common_headers(wsi, HTTP_STATUS_OK,
	    "text/event-stream", LWS_ILLEGAL_HTTP_CONTENT_LEN, &p, end) != 0 ||
	    lws_add_http_header_by_name(wsi,
	    (const unsigned char *)"cache-control:",
	    (const unsigned char *)"no-cache", 8, &p, end) != 0 ||
	    (s->es_chunked && lws_add_http_header_by_name(wsi,
	    (const unsigned char *)"transfer-encoding:",
	    (const unsigned char *)"chunked", 7, &p, end) != 0) ||
	    lws_finalize_write_http_header(wsi, start, &p, end) != 0) {
		ts_warnx("es: cannot write the response headers");
		return -1;
	}
	return 0;
}

/*
 * GET /jmap/eventsource. Returns what http_send returns when it answered
 * with an error, 1 when the stream is open, -1 to hang up.
 */
int
es_open(struct ts_server *s, struct lws *wsi, struct ts_http *hc)
{
	struct ts_es *es;
	char last[128], peer[64];
	unsigned *masks;
	int rv;

	if ((rv = es_refuse(s, wsi)) != 1) {
		control_wake(s);
		return rv;
	}
	es = xcalloc(1, sizeof(*es));
	if (es_args(wsi, es, &rv) == -1) {
		free(es);
		return rv;
	}
	if (es_headers(s, wsi) == -1) {
		free(es);
		return -1;
	}
	es->server = s;
	es->wsi = wsi;
	es->id = ++s->next_client_id;
	hc->es = es;
	TAILQ_INSERT_TAIL(&s->streams, es, entry);
	s->es_connects++;
	/* lws gives a response a few seconds; this one lasts. */
	lws_set_timeout(wsi, NO_PENDING_TIMEOUT, 0);
	lws_get_peer_simple(wsi, peer, sizeof(peer));
	ts_info("es #%u: connected from %s (types 0x%x, closeafter %s, "
	    "ping %ld)", es->id, peer, es->types,
	    es->close_after_state ? "state" : "no", es->ping);

	masks = xcalloc(s->state.naccounts, sizeof(*masks));
	if (s->es_style == TS_ES_STYLE_FASTMAIL) {
		for (size_t i = 0; i < s->state.naccounts; i++)
			masks[i] = es->types;
		es_state_event(s, es, masks, "connect");
	}
	if (lws_hdr_custom_copy(wsi, last, sizeof(last), "last-event-id:",
	    14) > 0) {
		free(s->last_event_id);
		s->last_event_id = xstrdup(last);
		if (state_since(&s->state, last, masks) == -1)
			ts_info("es #%u: Last-Event-ID %s is unknown: nothing "
			    "to replay", es->id, last);
		else {
			for (size_t i = 0; i < s->state.naccounts; i++)
				masks[i] &= es->types;
			if (!es_state_event(s, es, masks, "change"))
				ts_info("es #%u: nothing changed since %s",
				    es->id, last);
		}
	}
	free(masks);
	if (es->ping > 0)
		lws_sul_schedule(s->ctx, 0, &es->ping_timer, es_ping,
		    es->ping * LWS_US_PER_SEC);
	if (s->es_close_after > 0)
		lws_sul_schedule(s->ctx, 0, &es->close_timer, es_expire,
		    s->es_close_after * LWS_US_PER_SEC);
	control_wake(s);
	return 1;
}

/* Writes data, as one chunk when the body is chunked. */
static int
es_write(struct ts_es *es, const char *data, size_t len)
{
	unsigned char *buf;
	size_t hlen = 0, total;
	int n;

	buf = xmalloc(LWS_PRE + 32 + len + 2);
	if (es->server->es_chunked)
		hlen = (size_t)snprintf((char *)buf + LWS_PRE, 32, "%zx\r\n",
		    len);
	memcpy(buf + LWS_PRE + hlen, data, len);
	total = hlen + len;
	if (es->server->es_chunked) {
		memcpy(buf + LWS_PRE + total, "\r\n", 2);
		total += 2;
	}
	n = lws_write(es->wsi, buf + LWS_PRE, total, LWS_WRITE_HTTP);
	free(buf);
	if (n < 0 || (size_t)n != total) {
		ts_warnx("es #%u: write failed", es->id);
		return -1;
	}
	return 0;
}

/* LWS_CALLBACK_HTTP_WRITEABLE of a stream; -1 ends it. */
int
es_writeable(struct ts_es *es)
{
	if (es->stalled)
		return 0;
	if (es->out_len == 0 && es->endless) {
		static char line[16384];

		if (line[0] == '\0')
			memset(line, 'x', sizeof(line));
		if (es_write(es, line, sizeof(line)) == -1)
			return -1;
		lws_callback_on_writable(es->wsi);
		return 0;
	}
	if (es->out_len > 0) {
		if (es_write(es, es->out, es->out_len) == -1)
			return -1;
		es->out_len = 0;
		/* lws calls again once what it buffered has left. */
		if (es->closing || es->endless)
			lws_callback_on_writable(es->wsi);
		return 0;
	}
	if (!es->closing)
		return 0;
	if (es->server->es_chunked && !es->eof_sent) {
		es->eof_sent = true;
		if (es_write(es, "", 0) == -1)
			return -1;
		lws_callback_on_writable(es->wsi);
		return 0;
	}
	ts_info("es #%u: closing the stream", es->id);
	return -1;
}

/* The connection is gone. */
void
es_free(struct ts_server *s, struct ts_http *hc)
{
	struct ts_es *es = hc->es;

	if (es == NULL)
		return;
	hc->es = NULL;
	ts_info("es #%u: closed", es->id);
	lws_sul_cancel(&es->ping_timer);
	lws_sul_cancel(&es->close_timer);
	TAILQ_REMOVE(&s->streams, es, entry);
	free(es->out);
	free(es);
	control_wake(s);
}

void
es_push(struct ts_server *s, size_t account, unsigned types)
{
	struct ts_es *es;
	unsigned *masks;

	masks = xcalloc(s->state.naccounts, sizeof(*masks));
	TAILQ_FOREACH(es, &s->streams, entry) {
		if (es->closing || (es->types & types) == 0)
			continue;
		masks[account] = es->types & types;
		es_state_event(s, es, masks, "change");
	}
	free(masks);
}

/* text as the data of a state event, whatever it is (faults), with an id:
 * line when id is not NULL. */
void
es_send_all_id(struct ts_server *s, const char *text, size_t len,
    const char *id)
{
	struct ts_es *es;

	TAILQ_FOREACH(es, &s->streams, entry)
		es_event(es, "state", id, text, len);
}

void
es_send_all(struct ts_server *s, const char *text, size_t len)
{
	es_send_all_id(s, text, len, NULL);
}

/* As ws_drop_all: the TCP connection ends under lws' feet. */
size_t
es_drop_all(struct ts_server *s)
{
	struct ts_es *es;
	size_t n = 0;

	TAILQ_FOREACH(es, &s->streams, entry) {
		if (shutdown(lws_get_socket_fd(es->wsi), SHUT_RDWR) == -1)
			log_warn("testserver: es #%u: shutdown", es->id);
		else
			n++;
	}
	return n;
}

void
es_stall_all(struct ts_server *s, bool stall)
{
	struct ts_es *es;

	TAILQ_FOREACH(es, &s->streams, entry) {
		if (es->stalled == stall)
			continue;
		es->stalled = stall;
		lws_rx_flow_control(es->wsi, !stall);
		if (!stall && (es->out_len > 0 || es->closing))
			lws_callback_on_writable(es->wsi);
	}
}

/* Ends every stream once its pending events are written. */
size_t
es_close_all(struct ts_server *s)
{
	struct ts_es *es;
	size_t n = 0;

	TAILQ_FOREACH(es, &s->streams, entry) {
		es->closing = true;
		if (!es->stalled)
			lws_callback_on_writable(es->wsi);
		n++;
	}
	return n;
}

/* Starts a state event whose data line never ends on every stream. */
size_t
es_endless_all(struct ts_server *s)
{
	static const char head[] = "event: state\ndata: {\"padding\":\"";
	struct ts_es *es;
	size_t n = 0;

	TAILQ_FOREACH(es, &s->streams, entry) {
		es_append(es, head, strlen(head));
		es->endless = true;
		if (!es->stalled)
			lws_callback_on_writable(es->wsi);
		n++;
	}
	return n;
}
