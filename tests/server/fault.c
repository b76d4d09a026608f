/* SPDX-License-Identifier: ISC */
/*
 * /control/fault: the faults a test arms (refusals, errors and redirects
 * for the next requests, holds and endless bodies) or sets off at once
 * on every client (garbage, oversized frames, drops, stalls), and
 * name=none, which clears them.  The arguments are read as every control
 * endpoint reads them (control.c).
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

#include "testserver.h"

#define OVERSIZED_KIB	2048	/* default size of the oversized frame */
#define GARBAGE		"{\"@type\":\"StateChange\",garbage"

/* fault?name=seterror: the SetError's type and description; the latter
 * in hex, since lws's query decoding ends an argument at a decoded
 * control character. */
static void
fault_set_error(struct ts_server *s, struct lws *wsi)
{
	char		 buf[2 * sizeof(s->fault_set_error_desc)];
	const char	*v;
	size_t		 n = 0;
	unsigned int	 c;

	if ((v = control_arg(wsi, "type", buf, sizeof(buf))) == NULL)
		v = "forbidden";
	snprintf(s->fault_set_error_type, sizeof(s->fault_set_error_type),
	    "%s", v);
	if ((v = control_arg(wsi, "descriptionhex", buf, sizeof(buf))) != NULL)
		for (; n + 1 < sizeof(s->fault_set_error_desc) &&
		    sscanf(v, "%2x", &c) == 1 && c != 0; v += 2)
			s->fault_set_error_desc[n++] = (char)c;
	s->fault_set_error_desc[n] = '\0';
}

/* {"@type":"StateChange",...,"padding":"xxx..."} of exactly len bytes. */
static void
fault_oversized(struct ts_server *s, size_t len)
{
	char head[128], *msg;
	const char *tail = "\"}";
	size_t hlen, tlen = strlen(tail);

	hlen = (size_t)snprintf(head, sizeof(head),
	    "{\"@type\":\"StateChange\",\"changed\":{},\"pushState\":\"p%lu\","
	    "\"padding\":\"", s->state.push);
	msg = xmalloc(len);
	memcpy(msg, head, hlen);
	memset(msg + hlen, 'x', len - hlen - tlen);
	memcpy(msg + len - tlen, tail, tlen);
	ws_send_all(s, msg, len);
	es_send_all(s, msg, len);
	free(msg);
}

/* endless&what=session|api (the next count responses) or stream (every
 * open event stream, now).  -1 when it answered an error (*rv its
 * result), else 0. */
static int
fault_endless(struct ts_server *s, struct lws *wsi, int *rv)
{
	char buf[16];
	const char *what = control_arg(wsi, "what", buf, sizeof(buf));
	long count;

	if (what != NULL && strcmp(what, "stream") == 0) {
		ts_info("fault: endless: a data line without end on %zu event "
		    "stream(s)", es_endless_all(s));
		return 0;
	}
	if (what == NULL || (strcmp(what, "session") != 0 &&
	    strcmp(what, "api") != 0)) {
		*rv = http_send_error(wsi, HTTP_STATUS_BAD_REQUEST,
		    "what: session, api or stream");
		return -1;
	}
	if (control_arg_long(wsi, "count", 1, 1000000, 1, &count, rv) == -1)
		return -1;
	if (strcmp(what, "session") == 0)
		s->fault_endless_session = (unsigned long)count;
	else
		s->fault_endless_api = (unsigned long)count;
	ts_info("fault: endless: the next %ld %s response(s) never end",
	    count, what);
	return 0;
}

/* manyaccounts&count=N&prefix=P&type=T: one StateChange for accounts
 * P1 .. PN.  -1 when it answered an error (*rv its result), else 0. */
static int
fault_many_accounts(struct ts_server *s, struct lws *wsi, int *rv)
{
	char pbuf[32], tbuf[32];
	const char *prefix = control_arg(wsi, "prefix", pbuf, sizeof(pbuf));
	const char *type = control_arg(wsi, "type", tbuf, sizeof(tbuf));
	char *msg;
	long count;

	if (control_arg_long(wsi, "count", 1, 100000, 100, &count, rv) == -1)
		return -1;
	msg = endless_many_accounts(s, prefix != NULL ? prefix : "x",
	    count, type != NULL ? type : "Email");
	ts_info("fault: manyaccounts: a StateChange for %ld accounts (%zu "
	    "bytes)", count, strlen(msg));
	ws_send_all(s, msg, strlen(msg));
	es_send_all(s, msg, strlen(msg));
	free(msg);
	return 0;
}

/* The status and Location of the wsredirect fault; -1 after a 400. */
static int
fault_wsredirect(struct ts_server *s, struct lws *wsi, int *rv)
{
	char buf[sizeof(s->fault_wsredirect_location)];
	const char *location;
	long status;

	if (control_arg_long(wsi, "status", 300, 399, 302, &status,
	    rv) == -1)
		return -1;
	location = control_arg(wsi, "location", buf, sizeof(buf));
	s->fault_wsredirect_status = (unsigned)status;
	snprintf(s->fault_wsredirect_location,
	    sizeof(s->fault_wsredirect_location), "%s",
	    location != NULL ? location : "");
	return 0;
}

int
fault_control(struct ts_server *s, struct lws *wsi)
{
	char buf[64], msg[128];
	const char *name;
	unsigned long *counter = NULL;
	long count, kib;
	int rv;

	if ((name = control_arg(wsi, "name", buf, sizeof(buf))) == NULL)
		return http_send_error(wsi, HTTP_STATUS_BAD_REQUEST,
		    "name: missing");
	if (strcmp(name, "refuse") == 0)
		counter = &s->fault_refuse;
	else if (strcmp(name, "unauthorized") == 0)
		counter = &s->fault_unauthorized;
	else if (strcmp(name, "nosubprotocol") == 0)
		counter = &s->fault_nosubprotocol;
	else if (strcmp(name, "notfound") == 0)
		counter = &s->fault_notfound;
	else if (strcmp(name, "wrongtype") == 0)
		counter = &s->fault_wrongtype;
	else if (strcmp(name, "wsredirect") == 0)
		counter = &s->fault_wsredirect;
	else if (strcmp(name, "holdapi") == 0)
		counter = &s->fault_hold_api;
	else if (strcmp(name, "mailerror") == 0)
		counter = &s->fault_mail_error;
	else if (strcmp(name, "seterror") == 0) {
		counter = &s->fault_set_error;
		fault_set_error(s, wsi);
	}
	if (counter == &s->fault_wsredirect &&
	    fault_wsredirect(s, wsi, &rv) == -1)
		return rv;
	if (counter == &s->fault_refuse && control_arg_long(wsi,
	    "retryafter", 0, 86400, 1, &s->fault_retry_after, &rv) == -1)
		return rv;
	if (counter != NULL) {
		if (control_arg_long(wsi, "count", 1, 1000000, 1, &count,
		    &rv) == -1)
			return rv;
		*counter = (unsigned long)count;
		ts_info("fault: %s armed for the next %ld request(s)", name,
		    count);
	} else if (strcmp(name, "garbage") == 0) {
		ts_info("fault: garbage: sending invalid JSON to every client");
		ws_send_all(s, GARBAGE, strlen(GARBAGE));
		es_send_all(s, GARBAGE, strlen(GARBAGE));
	} else if (strcmp(name, "oversized") == 0) {
		if (control_arg_long(wsi, "kib", 1, 65536, OVERSIZED_KIB,
		    &count, &rv) == -1)
			return rv;
		ts_info("fault: oversized: sending a %ld KiB frame to every "
		    "client", count);
		fault_oversized(s, (size_t)count * 1024);
	} else if (strcmp(name, "hugesession") == 0) {
		if (control_arg_long(wsi, "kib", 1, 65536, 8192, &kib,
		    &rv) == -1 || control_arg_long(wsi, "count", 1, 1000000,
		    1, &count, &rv) == -1)
			return rv;
		s->fault_huge_session = (unsigned long)count;
		s->fault_huge_session_len = (size_t)kib * 1024;
		ts_info("fault: hugesession: the next %ld Session(s) of %ld "
		    "KiB", count, kib);
	} else if (strcmp(name, "manyaccounts") == 0) {
		if (fault_many_accounts(s, wsi, &rv) == -1)
			return rv;
	} else if (strcmp(name, "endless") == 0) {
		if (fault_endless(s, wsi, &rv) == -1)
			return rv;
	} else if (strcmp(name, "drop") == 0) {
		ts_info("fault: drop: dropped %zu connection(s) and %zu "
		    "event stream(s)", ws_drop_all(s), es_drop_all(s));
	} else if (strcmp(name, "stall") == 0) {
		ts_info("fault: stall: no more reading or writing on the "
		    "connected clients");
		s->stalled = true;
		ws_stall_all(s, true);
		es_stall_all(s, true);
	} else if (strcmp(name, "quiet") == 0) {
		ts_info("fault: quiet: changes are no longer pushed; pings "
		    "and requests are still answered");
		s->quiet = true;
	} else if (strcmp(name, "unknownaccount") == 0) {
		snprintf(msg, sizeof(msg), "{\"@type\":\"StateChange\","
		    "\"changed\":{\"x9\":{\"Email\":\"x9e1\"}},"
		    "\"pushState\":\"p%lu\"}", s->state.push);
		ts_info("fault: unknownaccount: a StateChange for account x9");
		ws_send_all(s, msg, strlen(msg));
		es_send_all(s, msg, strlen(msg));
	} else if (strcmp(name, "forget") == 0) {
		state_forget(&s->state);
		ts_info("fault: forget: change history lost, pushState now "
		    "p%lu", s->state.push);
	} else if (strcmp(name, "none") == 0) {
		s->fault_refuse = s->fault_unauthorized = 0;
		s->fault_nosubprotocol = s->fault_notfound = 0;
		s->fault_wrongtype = 0;
		s->fault_wsredirect = 0;
		s->fault_hold_api = 0;
		s->fault_mail_error = 0;
		s->fault_set_error = 0;
		s->fault_huge_session = 0;
		s->fault_endless_session = s->fault_endless_api = 0;
		if (s->stalled) {
			ws_stall_all(s, false);
			es_stall_all(s, false);
		}
		s->stalled = false;
		s->quiet = false;
		ts_info("fault: none: all faults cleared");
	} else {
		snprintf(msg, sizeof(msg), "name: unknown fault \"%s\"", name);
		return http_send_error(wsi, HTTP_STATUS_BAD_REQUEST, msg);
	}
	return control_status(s, wsi);
}
