/* SPDX-License-Identifier: ISC */
/*
 * The control API under /control/: how tests deliver mail, inject faults
 * (/control/fault, in fault.c) and wait for the daemon without sleeping.
 * No authentication: the server listens on the loopback address only.
 *
 * /control/wait parks its request: the answer is written when a watched
 * count changes (control_wake) or when the wsi's own lws timer fires.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

#include "testserver.h"

/* Query argument `name`, or NULL when absent. */
const char *
control_arg(struct lws *wsi, const char *name, char *buf, size_t size)
{
	char key[32];

	snprintf(key, sizeof(key), "%s=", name);
	return lws_get_urlarg_by_name(wsi, key, buf, (int)size);
}

/*
 * Integer argument within [min, max], def when absent. On a bad value,
 * answers 400 and returns -1 with *rv set to what the callback returns.
 */
int
control_arg_long(struct lws *wsi, const char *name, long min, long max,
    long def, long *out, int *rv)
{
	char buf[64], msg[128], *end;
	const char *v;

	if ((v = control_arg(wsi, name, buf, sizeof(buf))) == NULL) {
		*out = def;
		return 0;
	}
	errno = 0;
	*out = strtol(v, &end, 10);
	if (*v != '\0' && *end == '\0' && errno == 0 && *out >= min &&
	    *out <= max)
		return 0;
	snprintf(msg, sizeof(msg), "%s: expected an integer from %ld to %ld",
	    name, min, max);
	*rv = http_send_error(wsi, HTTP_STATUS_BAD_REQUEST, msg);
	return -1;
}

static unsigned long
control_es_streams(const struct ts_server *s)
{
	const struct ts_es *es;
	unsigned long n = 0;

	TAILQ_FOREACH(es, &s->streams, entry)
		n++;
	return n;
}

static struct json_object *
control_status_json(struct ts_server *s)
{
	struct json_object *obj, *faults, *listed;
	unsigned long conns, enabled;
	char push[32];

	ws_counts(s, &conns, &enabled);
	obj = json_object_new_object();
	json_object_object_add(obj, "connections",
	    json_object_new_int64((int64_t)conns));
	json_object_object_add(obj, "pushEnabled",
	    json_object_new_int64((int64_t)enabled));
	json_object_object_add(obj, "handshakes",
	    json_object_new_int64((int64_t)s->handshakes));
	json_object_object_add(obj, "refused",
	    json_object_new_int64((int64_t)s->refused));
	json_object_object_add(obj, "sessionGets",
	    json_object_new_int64((int64_t)s->session_gets));
	json_object_object_add(obj, "lastPushEnable",
	    json_object_get(s->last_push_enable));
	json_object_object_add(obj, "esStreams",
	    json_object_new_int64((int64_t)control_es_streams(s)));
	json_object_object_add(obj, "esConnects",
	    json_object_new_int64((int64_t)s->es_connects));
	json_object_object_add(obj, "lastEventId", s->last_event_id == NULL ?
	    NULL : json_object_new_string(s->last_event_id));
	json_object_object_add(obj, "apiHeld",
	    json_object_new_int64((int64_t)s->api_held));
	json_object_object_add(obj, "clientCloses",
	    json_object_new_int64((int64_t)s->client_closes));
	json_object_object_add(obj, "lastClientClose",
	    s->last_client_close == 0 ? NULL :
	    json_object_new_int(s->last_client_close));
	state_push_string(s->state.push, push, sizeof(push));
	json_object_object_add(obj, "pushState", json_object_new_string(push));
	json_object_object_add(obj, "states", state_states_json(&s->state));
	listed = json_object_new_array();
	for (size_t i = 0; i < s->state.naccounts; i++)
		if (!s->state.accounts[i].unlisted)
			json_object_array_add(listed, json_object_new_string(
			    s->state.accounts[i].id));
	json_object_object_add(obj, "sessionAccounts", listed);
	faults = json_object_new_object();
	json_object_object_add(faults, "refuse",
	    json_object_new_int64((int64_t)s->fault_refuse));
	json_object_object_add(faults, "unauthorized",
	    json_object_new_int64((int64_t)s->fault_unauthorized));
	json_object_object_add(faults, "nosubprotocol",
	    json_object_new_int64((int64_t)s->fault_nosubprotocol));
	json_object_object_add(faults, "wsredirect",
	    json_object_new_int64((int64_t)s->fault_wsredirect));
	json_object_object_add(faults, "stall",
	    json_object_new_boolean(s->stalled));
	json_object_object_add(faults, "quiet",
	    json_object_new_boolean(s->quiet));
	json_object_object_add(obj, "faults", faults);
	json_object_object_add(obj, "jmapRequests",
	    json_object_new_int64((int64_t)s->jmap_requests));
	json_object_object_add(obj, "authorizations",
	    json_object_new_int64((int64_t)s->authorizations));
	json_object_object_add(obj, "apiRequests",
	    json_object_new_int64((int64_t)s->api_requests));
	scale_status(s, obj);
	mail_status(s, obj);
	return obj;
}

int
control_status(struct ts_server *s, struct lws *wsi)
{
	return http_send_json(wsi, HTTP_STATUS_OK, control_status_json(s));
}

/* Account argument ("u1" when absent) as an index, or -1 after a 400. */
static int
control_account(struct ts_server *s, struct lws *wsi, int *rv)
{
	char buf[64], msg[128];
	const char *id;
	int account;

	if ((id = control_arg(wsi, "account", buf, sizeof(buf))) == NULL)
		id = s->state.accounts[0].id;
	if ((account = state_account_find(&s->state, id)) == -1) {
		snprintf(msg, sizeof(msg), "account: no account \"%s\"", id);
		*rv = http_send_error(wsi, HTTP_STATUS_BAD_REQUEST, msg);
	}
	return account;
}

/* One change: bumps the types, takes a pushState and pushes it (unless
 * quiet). */
void
control_bump(struct ts_server *s, size_t account, unsigned types)
{
	char push[32];

	state_bump(&s->state, account, types);
	state_push_string(s->state.push, push, sizeof(push));
	ts_info("change: account %s, pushState %s%s",
	    s->state.accounts[account].id, push, s->quiet ? " (not pushed: "
	    "quiet)" : "");
	if (s->quiet)
		return;
	ws_push(s, account, types);
	es_push(s, account, types);
}

static int
control_deliver(struct ts_server *s, struct lws *wsi)
{
	long count;
	int account, rv;

	if ((account = control_account(s, wsi, &rv)) == -1 ||
	    control_arg_long(wsi, "count", 1, 100000, 1, &count, &rv) == -1)
		return rv;
	ts_info("deliver: %ld new mail(s) to account %s", count,
	    s->state.accounts[account].id);
	for (long i = 0; i < count; i++)
		mailctl_deliver(s, (size_t)account);
	return control_status(s, wsi);
}

static int
control_change(struct ts_server *s, struct lws *wsi)
{
	char buf[64], msg[128];
	const char *name;
	int account, type, rv;
	long count;

	if ((account = control_account(s, wsi, &rv)) == -1 ||
	    control_arg_long(wsi, "count", 1, 100000, 1, &count, &rv) == -1)
		return rv;
	if ((name = control_arg(wsi, "type", buf, sizeof(buf))) == NULL)
		return http_send_error(wsi, HTTP_STATUS_BAD_REQUEST,
		    "type: missing");
	if ((type = state_type_parse(name)) == -1) {
		snprintf(msg, sizeof(msg), "type: unknown data type \"%s\"",
		    name);
		return http_send_error(wsi, HTTP_STATUS_BAD_REQUEST, msg);
	}
	for (long i = 0; i < count; i++)
		control_bump(s, account, 1u << type);
	return control_status(s, wsi);
}

/* Room for the frame argument of /control/send, URL-decoded. */
#define SEND_MAX	4096

/* Whatever the test wrote, byte for byte: hostile values need no model.
 * Event streams get it with `id` followed by `idpad` bytes "x" as the
 * event's id (none when both are absent): ids longer than a URL. */
static int
control_send(struct ts_server *s, struct lws *wsi)
{
	char *buf = xmalloc(SEND_MAX), ibuf[128], *id = NULL;
	const char *frame, *idarg;
	size_t len, ilen;
	long pad;
	int rv;

	if ((frame = control_arg(wsi, "frame", buf, SEND_MAX)) == NULL) {
		free(buf);
		return http_send_error(wsi, HTTP_STATUS_BAD_REQUEST,
		    "frame: missing");
	}
	if (control_arg_long(wsi, "idpad", 0, 65536, 0, &pad, &rv) == -1) {
		free(buf);
		return rv;
	}
	idarg = control_arg(wsi, "id", ibuf, sizeof(ibuf));
	if (idarg != NULL || pad > 0) {
		ilen = idarg != NULL ? strlen(idarg) : 0;
		id = xmalloc(ilen + (size_t)pad + 1);
		memcpy(id, idarg != NULL ? idarg : "", ilen);
		memset(id + ilen, 'x', (size_t)pad);
		id[ilen + (size_t)pad] = '\0';
	}
	len = strlen(frame);
	if (id != NULL)
		ts_info("send: a %zu-byte frame to every client (event id of "
		    "%zu bytes)", len, strlen(id));
	else
		ts_info("send: a %zu-byte frame to every client", len);
	ws_send_all(s, frame, len);
	es_send_all_id(s, frame, len, id);
	free(id);
	free(buf);
	return control_status(s, wsi);
}

static int
control_close(struct ts_server *s, struct lws *wsi)
{
	long code;
	int rv;

	if (control_arg_long(wsi, "code", 1000, 4999, 1000, &code, &rv) == -1)
		return rv;
	/* RFC 6455 7.4.1: these must never be sent in a close frame. */
	if (code == 1004 || code == 1005 || code == 1006 || code == 1015)
		return http_send_error(wsi, HTTP_STATUS_BAD_REQUEST,
		    "code: 1004, 1005, 1006 and 1015 cannot be sent");
	ts_info("close: closing %zu connection(s) with code %ld",
	    ws_close_all(s, (int)code), code);
	ts_info("close: closing %zu event stream(s)", es_close_all(s));
	return control_status(s, wsi);
}

/*
 * As --es-close-after, for the event streams opened from now on; those open
 * now keep their timer. A test stops the churn so that a later fault cannot
 * meet a clean close.
 */
static int
control_closeafter(struct ts_server *s, struct lws *wsi)
{
	long secs;
	int rv;

	if (control_arg_long(wsi, "seconds", 0, 86400, 0, &secs, &rv) == -1)
		return rv;
	s->es_close_after = secs;
	ts_info("closeafter: event streams opened from now on last %ld s "
	    "(0: no limit)", secs);
	return control_status(s, wsi);
}

/* Replaces *slot with a copy of the argument when it is given; an empty
 * value restores the default (NULL). */
static void
control_set_string(struct lws *wsi, const char *name, char **slot)
{
	char buf[1024];
	const char *v;

	if ((v = control_arg(wsi, name, buf, sizeof(buf))) == NULL)
		return;
	free(*slot);
	*slot = *v != '\0' ? xstrdup(v) : NULL;
}

/* GET requests for path are answered with status and Location: from now
 * on, until a request with an empty location. */
static int
control_redirect(struct ts_server *s, struct lws *wsi)
{
	long status;
	int rv;

	if (control_arg_long(wsi, "status", 300, 308, 302, &status, &rv) == -1)
		return rv;
	free(s->redirect_path);
	s->redirect_path = NULL;
	control_set_string(wsi, "path", &s->redirect_path);
	control_set_string(wsi, "location", &s->redirect_location);
	if (s->redirect_path == NULL || s->redirect_location == NULL) {
		free(s->redirect_path);
		s->redirect_path = NULL;
		ts_info("redirect: none");
	} else {
		s->redirect_status = (unsigned)status;
		ts_info("redirect: %s -> %ld %s", s->redirect_path, status,
		    s->redirect_location);
	}
	return control_status(s, wsi);
}

/* The Session's apiUrl, eventSourceUrl and WebSocket url, verbatim. */
static int
control_session(struct ts_server *s, struct lws *wsi)
{
	control_set_string(wsi, "apiUrl", &s->session_api_url);
	control_set_string(wsi, "eventSourceUrl", &s->session_es_url);
	control_set_string(wsi, "wsUrl", &s->session_ws_url);
	ts_info("session: apiUrl %s, eventSourceUrl %s, WebSocket url %s",
	    s->session_api_url ? s->session_api_url : "(default)",
	    s->session_es_url ? s->session_es_url : "(default)",
	    s->session_ws_url ? s->session_ws_url : "(default)");
	return control_status(s, wsi);
}

/* remove=ID and add=ID: which accounts the Sessions served from now on
 * list; states, deliveries and pushes go on for every account, as from a
 * server that stopped (or started) sharing one. */
static int
control_accounts(struct ts_server *s, struct lws *wsi)
{
	char add[64], remove[64], msg[128];
	const char *ids[2];
	int found[2];

	ids[0] = control_arg(wsi, "remove", remove, sizeof(remove));
	ids[1] = control_arg(wsi, "add", add, sizeof(add));
	if (ids[0] == NULL && ids[1] == NULL)
		return http_send_error(wsi, HTTP_STATUS_BAD_REQUEST,
		    "give remove=ID or add=ID");
	for (int i = 0; i < 2; i++) {
		found[i] = ids[i] != NULL ? state_account_find(&s->state,
		    ids[i]) : 0;
		if (found[i] == -1) {
			snprintf(msg, sizeof(msg), "%s: no account \"%s\"",
			    i == 0 ? "remove" : "add", ids[i]);
			return http_send_error(wsi, HTTP_STATUS_BAD_REQUEST,
			    msg);
		}
	}
	for (int i = 0; i < 2; i++) {
		if (ids[i] == NULL)
			continue;
		s->state.accounts[found[i]].unlisted = i == 0;
		ts_info("session: account %s %s", ids[i], i == 0 ?
		    "no longer listed" : "listed");
	}
	return control_status(s, wsi);
}

static bool
control_wait_met(struct ts_server *s, const struct ts_http *hc)
{
	unsigned long conns, enabled;

	ws_counts(s, &conns, &enabled);
	return (hc->want_push_enabled < 0 ||
	    enabled >= (unsigned long)hc->want_push_enabled) &&
	    (hc->want_handshakes < 0 ||
	    s->handshakes >= (unsigned long)hc->want_handshakes) &&
	    (hc->want_refused < 0 ||
	    s->refused >= (unsigned long)hc->want_refused) &&
	    (hc->want_es_streams < 0 ||
	    control_es_streams(s) >= (unsigned long)hc->want_es_streams) &&
	    (hc->want_es_connects < 0 ||
	    s->es_connects >= (unsigned long)hc->want_es_connects) &&
	    (hc->want_max_channels < 0 ||
	    conns + control_es_streams(s) <=
	    (unsigned long)hc->want_max_channels) &&
	    (hc->want_client_closes < 0 ||
	    s->client_closes >= (unsigned long)hc->want_client_closes) &&
	    (hc->want_api_held < 0 ||
	    s->api_held >= (unsigned long)hc->want_api_held);
}

static int
control_wait(struct ts_server *s, struct lws *wsi, struct ts_http *hc)
{
	long timeout;
	int rv;

	if (control_arg_long(wsi, "pushEnabled", 0, 100000, -1,
	    &hc->want_push_enabled, &rv) == -1 ||
	    control_arg_long(wsi, "handshakes", 0, 100000000, -1,
	    &hc->want_handshakes, &rv) == -1 ||
	    control_arg_long(wsi, "refused", 0, 100000000, -1,
	    &hc->want_refused, &rv) == -1 ||
	    control_arg_long(wsi, "esStreams", 0, 100000, -1,
	    &hc->want_es_streams, &rv) == -1 ||
	    control_arg_long(wsi, "esConnects", 0, 100000000, -1,
	    &hc->want_es_connects, &rv) == -1 ||
	    control_arg_long(wsi, "maxChannels", 0, 100000, -1,
	    &hc->want_max_channels, &rv) == -1 ||
	    control_arg_long(wsi, "clientCloses", 0, 100000000, -1,
	    &hc->want_client_closes, &rv) == -1 ||
	    control_arg_long(wsi, "apiHeld", 0, 100000000, -1,
	    &hc->want_api_held, &rv) == -1 ||
	    control_arg_long(wsi, "timeout", 0, 3600000, 10000, &timeout,
	    &rv) == -1)
		return rv;
	if (hc->want_push_enabled < 0 && hc->want_handshakes < 0 &&
	    hc->want_refused < 0 && hc->want_es_streams < 0 &&
	    hc->want_es_connects < 0 && hc->want_max_channels < 0 &&
	    hc->want_client_closes < 0 && hc->want_api_held < 0)
		return http_send_error(wsi, HTTP_STATUS_BAD_REQUEST,
		    "give pushEnabled=N, handshakes=N, refused=N, "
		    "esStreams=N, esConnects=N, maxChannels=N, "
		    "clientCloses=N or apiHeld=N");
	if (control_wait_met(s, hc))
		return control_status(s, wsi);
	if (timeout == 0)
		return http_send_error(wsi, HTTP_STATUS_REQUEST_TIMEOUT,
		    "timeout");
	hc->waiting = true;
	hc->timed_out = false;
	TAILQ_INSERT_TAIL(&s->waiters, hc, entry);
	lws_set_timer_usecs(wsi, (lws_usec_t)timeout * 1000);
	/* lws gives a request's content a few seconds: we have our timer. */
	lws_set_timeout(wsi, NO_PENDING_TIMEOUT, 0);
	ts_debug("wait: parked (pushEnabled>=%ld handshakes>=%ld "
	    "refused>=%ld esStreams>=%ld esConnects>=%ld "
	    "channels<=%ld clientCloses>=%ld apiHeld>=%ld, %ld ms)",
	    hc->want_push_enabled, hc->want_handshakes, hc->want_refused,
	    hc->want_es_streams, hc->want_es_connects,
	    hc->want_max_channels, hc->want_client_closes,
	    hc->want_api_held, timeout);
	return 1;
}

/*
 * Returns what http_send returns, or 1 when the request was parked and will
 * be answered later from control_writeable.
 */
int
control_handle(struct ts_server *s, struct lws *wsi, struct ts_http *hc,
    const char *path)
{
	const char *what = path + strlen("/control/");

	if (strcmp(what, "status") == 0)
		return control_status(s, wsi);
	if (strcmp(what, "deliver") == 0)
		return control_deliver(s, wsi);
	if (strcmp(what, "change") == 0)
		return control_change(s, wsi);
	if (strcmp(what, "fault") == 0)
		return fault_control(s, wsi);
	if (strcmp(what, "close") == 0)
		return control_close(s, wsi);
	if (strcmp(what, "closeafter") == 0)
		return control_closeafter(s, wsi);
	if (strcmp(what, "send") == 0)
		return control_send(s, wsi);
	if (strcmp(what, "wait") == 0)
		return control_wait(s, wsi, hc);
	if (strcmp(what, "release") == 0) {
		ts_info("release: %lu held answer(s) sent", api_release(s));
		return control_status(s, wsi);
	}
	if (strcmp(what, "mail") == 0 || strncmp(what, "mail/", 5) == 0)
		return mailctl_handle(s, wsi, what);
	if (strcmp(what, "burst") == 0)
		return burst_control(s, wsi);
	if (strcmp(what, "redirect") == 0)
		return control_redirect(s, wsi);
	if (strcmp(what, "session") == 0)
		return control_session(s, wsi);
	if (strcmp(what, "accounts") == 0)
		return control_accounts(s, wsi);
	return http_send_error(wsi, HTTP_STATUS_NOT_FOUND,
	    "unknown control endpoint");
}

static void
control_ready(struct ts_server *s, struct ts_http *hc, bool timed_out)
{
	TAILQ_REMOVE(&s->waiters, hc, entry);
	hc->waiting = false;
	hc->answer = true;
	hc->timed_out = timed_out;
	lws_callback_on_writable(hc->wsi);
}

/* A watched count may have changed: answer the waits now satisfied. */
void
control_wake(struct ts_server *s)
{
	struct ts_http *hc, *next;

	if (s->stopping)
		return;
	for (hc = TAILQ_FIRST(&s->waiters); hc != NULL; hc = next) {
		next = TAILQ_NEXT(hc, entry);
		if (!control_wait_met(s, hc))
			continue;
		lws_set_timer_usecs(hc->wsi, LWS_SET_TIMER_USEC_CANCEL);
		control_ready(s, hc, false);
	}
}

void
control_timer(struct ts_server *s, struct ts_http *hc)
{
	if (hc->waiting)
		control_ready(s, hc, true);
}

/* The connection goes away: forget its parked request, if any. */
void
control_unpark(struct ts_server *s, struct ts_http *hc)
{
	if (hc->waiting)
		TAILQ_REMOVE(&s->waiters, hc, entry);
	hc->waiting = false;
	hc->answer = false;
}

int
control_writeable(struct ts_server *s, struct ts_http *hc)
{
	hc->answer = false;
	if (hc->timed_out)
		return http_send_error(hc->wsi, HTTP_STATUS_REQUEST_TIMEOUT,
		    "timeout");
	return control_status(s, hc->wsi);
}
