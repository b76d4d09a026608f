/* SPDX-License-Identifier: ISC */
/*
 * Hostile sizes for the limits tests: a Session object of a given size, a
 * StateChange naming many accounts the Session never listed, and bodies
 * that never end (a Session or API response whose chunks keep
 * coming, an event-stream line that never meets its newline).  An endless
 * body is written one chunk per writeable callback, so the server's own
 * memory stays flat while the client has to stop it.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

#include "testserver.h"

#define ENDLESS_CHUNK	16384

/* Padding that makes the Session object's text exactly len bytes, when it
 * is not already longer. */
struct json_object *
endless_pad_session(struct json_object *session, size_t len)
{
	size_t have;
	char *pad;

	json_object_object_add(session, "padding",
	    json_object_new_string(""));
	have = strlen(json_object_to_json_string_ext(session, TS_JSON_FLAGS));
	if (have >= len)
		return session;
	pad = xmalloc(len - have + 1);
	memset(pad, 'x', len - have);
	pad[len - have] = '\0';
	json_object_object_add(session, "padding",
	    json_object_new_string(pad));
	free(pad);
	return session;
}

/*
 * Answers 200 with a chunked JSON body that never ends: {"padding":"xxx...
 * Returns 1 (the answer is streaming) or -1.
 */
int
endless_begin(struct lws *wsi, struct ts_http *hc, const char *what)
{
	unsigned char hbuf[LWS_PRE + 512];
	unsigned char *start = hbuf + LWS_PRE, *p = start;
	unsigned char *end = hbuf + sizeof(hbuf) - 1;

	if (lws_add_http_common_headers(wsi, HTTP_STATUS_OK,
	    "application/json", LWS_ILLEGAL_HTTP_CONTENT_LEN, &p, end) != 0 ||
	    lws_add_http_header_by_name(wsi,
	    (const unsigned char *)"transfer-encoding:",
	    (const unsigned char *)"chunked", 7, &p, end) != 0 ||
	    lws_finalize_write_http_header(wsi, start, &p, end) != 0) {
		ts_warnx("endless: cannot write the response headers");
		return -1;
	}
	ts_info("fault: endless: the %s response never ends", what);
	hc->endless = true;
	hc->endless_sent = 0;
	lws_set_timeout(wsi, NO_PENDING_TIMEOUT, 0);
	lws_callback_on_writable(wsi);
	return 1;
}

/* One chunk of an endless body; the first opens a JSON string. */
int
endless_writeable(struct lws *wsi, struct ts_http *hc)
{
	static const char head[] = "{\"padding\":\"";
	unsigned char *buf = xmalloc(LWS_PRE + 16 + ENDLESS_CHUNK + 2);
	unsigned char *p = buf + LWS_PRE;
	size_t hlen;
	int n;

	hlen = (size_t)snprintf((char *)p, 16, "%x\r\n", ENDLESS_CHUNK);
	memset(p + hlen, 'x', ENDLESS_CHUNK);
	if (hc->endless_sent == 0)
		memcpy(p + hlen, head, strlen(head));
	memcpy(p + hlen + ENDLESS_CHUNK, "\r\n", 2);
	n = lws_write(wsi, p, hlen + ENDLESS_CHUNK + 2, LWS_WRITE_HTTP);
	free(buf);
	if (n < 0)
		return -1;
	hc->endless_sent += ENDLESS_CHUNK;
	lws_callback_on_writable(wsi);
	return 0;
}

/* The connection is gone: how far the client read. */
void
endless_free(struct ts_http *hc)
{
	if (!hc->endless)
		return;
	ts_info("endless: the client closed after %zu KiB", hc->endless_sent /
	    1024);
	hc->endless = false;
}

/* A StateChange for accounts PREFIX1 .. PREFIXn, one type each, as text
 * to free. */
char *
endless_many_accounts(const struct ts_server *s, const char *prefix,
    long n, const char *type)
{
	struct json_object *frame = json_object_new_object();
	struct json_object *changed = json_object_new_object();
	char id[64], state[32];
	char *text;

	snprintf(state, sizeof(state), "p%lu-%s", s->state.push, type);
	for (long i = 1; i <= n; i++) {
		struct json_object *types = json_object_new_object();

		snprintf(id, sizeof(id), "%s%ld", prefix, i);
		json_object_object_add(types, type,
		    json_object_new_string(state));
		json_object_object_add(changed, id, types);
	}
	json_object_object_add(frame, "@type",
	    json_object_new_string("StateChange"));
	json_object_object_add(frame, "changed", changed);
	text = xstrdup(json_object_to_json_string_ext(frame, TS_JSON_FLAGS));
	json_object_put(frame);
	return text;
}
