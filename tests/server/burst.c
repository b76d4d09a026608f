/* SPDX-License-Identifier: ISC */
/*
 * /control/burst, for the benchmarks (needs --stamp-states): N StateChanges
 * to every push-enabled client, written as fast as its socket takes them.
 *
 * A burst frame is made in the writeable callback, right before lws_write(),
 * so the CLOCK_MONOTONIC time inside it is the moment the server writes it:
 * {"@type":"StateChange","changed":{"u1":{"Mailbox":"b<seq>-<ns>"}},
 *  "pushState":"b<seq>"}. seq counts the burst frames of that client from 1.
 * Burst frames do not touch the server's states or history: a client that
 * resumes from a "b" pushState resumes from an unknown one.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testserver.h"

/* Frames per writeable callback at most, so other clients get their turn. */
#define BURST_PER_CALLBACK	64

/* Answers 400, or queues the burst and answers {"clients": N}. */
int
burst_control(struct ts_server *s, struct lws *wsi)
{
	struct json_object *obj;
	struct ts_client *c;
	char buf[64], msg[128], *end;
	const char *v;
	unsigned long count = 1, n = 0;
	int type = TS_MAILBOX;

	if (!s->stamp_states)
		return http_send_error(wsi, HTTP_STATUS_BAD_REQUEST,
		    "burst: start the server with --stamp-states");
	if ((v = lws_get_urlarg_by_name(wsi, "count=", buf,
	    (int)sizeof(buf))) != NULL) {
		count = strtoul(v, &end, 10);
		if (*v < '1' || *v > '9' || *end != '\0' || count > 10000000)
			return http_send_error(wsi, HTTP_STATUS_BAD_REQUEST,
			    "count: expected an integer from 1 to 10000000");
	}
	if ((v = lws_get_urlarg_by_name(wsi, "type=", buf,
	    (int)sizeof(buf))) != NULL &&
	    (type = state_type_parse(v)) == -1) {
		snprintf(msg, sizeof(msg), "type: unknown data type \"%s\"", v);
		return http_send_error(wsi, HTTP_STATUS_BAD_REQUEST, msg);
	}
	TAILQ_FOREACH(c, &s->clients, entry) {
		if (!c->push_enabled || !(c->types & (1u << type)))
			continue;
		c->burst_left += count;
		c->burst_type = type;
		if (!c->stalled)
			lws_callback_on_writable(c->wsi);
		n++;
	}
	ts_debug("burst: %lu frame(s) of %s to %lu client(s)", count,
	    state_type_name(type), n);
	obj = json_object_new_object();
	json_object_object_add(obj, "clients", json_object_new_int64(
	    (int64_t)n));
	return http_send_json(wsi, HTTP_STATUS_OK, obj);
}

/* Writes burst frames until the socket is choked; -1 on a failed write. */
int
burst_writeable(struct ts_client *c)
{
	unsigned char buf[LWS_PRE + 256];
	struct timespec ts;
	int len, n;

	for (int i = 0; i < BURST_PER_CALLBACK && c->burst_left > 0; i++) {
		if (lws_send_pipe_choked(c->wsi))
			break;
		c->burst_seq++;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		len = snprintf((char *)buf + LWS_PRE, sizeof(buf) - LWS_PRE,
		    "{\"@type\":\"StateChange\",\"changed\":{\"u1\":"
		    "{\"%s\":\"b%lu-%lld\"}},\"pushState\":\"b%lu\"}",
		    state_type_name(c->burst_type), c->burst_seq,
		    (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec,
		    c->burst_seq);
		n = lws_write(c->wsi, buf + LWS_PRE, (size_t)len,
		    LWS_WRITE_TEXT);
		if (n < len) {
			ts_warnx("ws #%u: burst write failed", c->id);
			return -1;
		}
		c->burst_left--;
	}
	if (c->burst_left > 0)
		lws_callback_on_writable(c->wsi);
	return 0;
}
