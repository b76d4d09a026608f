#include "autoconf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "config/config.h"
#include "output/hook.h"
#include "session/account.h"
#include "session/credentials.h"
#include "session/frame.h"
#include "session/request.h"
#include "session/session.h"
#include "session/url.h"
#include "state/store.h"
#include "transport/http.h"
#include "transport/net.h"
#include "transport/ws.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define ACCOUNT_SESSION_TIMEOUT_MS	30000
#define ACCOUNT_MAX_REDIRECTS		5

struct account {
	struct net *net;
	const struct config_account *cfg;
	struct account_callbacks cbs;
	void *arg;
	char *prefix;		/* "account personal" for logs */
	char *state_dir;

	enum account_status status;
	time_t since;
	time_t last_push;
	char *error;
	bool stopping;
	bool reconnect_now;	/* the user asked; the close is expected */

	struct store *store;
	struct credentials_req *cred;
	char *authorization;	/* only between credentials and connect */
	struct http_request *http;
	struct jmap_session session;
	bool have_session;
	struct ws_conn *ws;
	struct requests *requests;

	struct event *retry;
	uint64_t delay_ms;	/* the next backoff delay */
	struct timespec retry_at;
	struct event *stopped_ev;
};

static void account_connect(struct account *);

static const char *
account_status_names[] = {
	[ACCOUNT_CONNECTING] = "connecting",
	[ACCOUNT_CONNECTED] = "connected",
	[ACCOUNT_BACKOFF] = "backoff",
	[ACCOUNT_AUTH_FAILED] = "auth_failed",
	[ACCOUNT_DISABLED] = "disabled",
	[ACCOUNT_STOPPED] = "stopped",
};

const char *
account_status_name(enum account_status s)
{
	return account_status_names[s];
}

const char *
account_name(const struct account *a)
{
	return a->cfg->name;
}

const struct config_account *
account_config(const struct account *a)
{
	return a->cfg;
}

enum account_status
account_status(const struct account *a)
{
	return a->status;
}

time_t
account_since(const struct account *a)
{
	return a->since;
}

time_t
account_last_push(const struct account *a)
{
	return a->last_push;
}

const char *
account_transport(const struct account *a)
{
	return "websocket";
}

const struct store *
account_store(const struct account *a)
{
	return a->store;
}

const char *
account_error(const struct account *a)
{
	return a->error;
}

double
account_retry_in(const struct account *a)
{
	struct timespec now;
	double d;

	if (a->status != ACCOUNT_BACKOFF && a->status != ACCOUNT_AUTH_FAILED)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	d = (double)(a->retry_at.tv_sec - now.tv_sec) +
	    (double)(a->retry_at.tv_nsec - now.tv_nsec) / 1e9;
	return d > 0 ? d : 0;
}

static void
account_set_status(struct account *a, enum account_status s)
{
	if (a->status == s)
		return;
	a->status = s;
	a->since = time(NULL);
	if (a->cbs.status != NULL)
		a->cbs.status(a, a->arg);
}

static void
account_wipe_authorization(struct account *a)
{
	if (a->authorization != NULL) {
		explicit_bzero(a->authorization, strlen(a->authorization));
		free(a->authorization);
		a->authorization = NULL;
	}
}

static void
account_stopped_cb(evutil_socket_t fd, short what, void *arg)
{
	struct account *a = arg;

	account_set_status(a, ACCOUNT_STOPPED);
	if (a->cbs.stopped != NULL)
		a->cbs.stopped(a, a->arg);
}

/* Schedules the next attempt.  The simple doubling here keeps a dead
 * server from being hammered; jitter and Retry-After are the resilience
 * work's. */
static void
account_retry(struct account *a, enum account_status status, const char *fmt,
    ...)
{
	const struct config_tuning *t = &a->cfg->tuning;
	struct timeval tv;
	uint64_t delay;
	va_list ap;

	account_wipe_authorization(a);
	if (a->stopping) {
		event_active(a->stopped_ev, EV_TIMEOUT, 0);
		return;
	}
	free(a->error);
	va_start(ap, fmt);
	if (vasprintf(&a->error, fmt, ap) < 0)
		fatalx("out of memory formatting an error");
	va_end(ap);

	if (a->delay_ms < t->backoff_initial_ms)
		a->delay_ms = t->backoff_initial_ms;
	delay = a->delay_ms;
	if (status == ACCOUNT_AUTH_FAILED || status == ACCOUNT_DISABLED)
		delay = t->backoff_max_ms;
	a->delay_ms = a->delay_ms * 2 > t->backoff_max_ms ?
	    t->backoff_max_ms : a->delay_ms * 2;

	log_warnx("%s: %s; retrying in %.1fs", a->prefix, a->error,
	    (double)delay / 1000);
	clock_gettime(CLOCK_MONOTONIC, &a->retry_at);
	a->retry_at.tv_sec += delay / 1000;
	a->retry_at.tv_nsec += (delay % 1000) * 1000000;
	if (a->retry_at.tv_nsec >= 1000000000) {
		a->retry_at.tv_sec++;
		a->retry_at.tv_nsec -= 1000000000;
	}
	tv.tv_sec = delay / 1000;
	tv.tv_usec = (delay % 1000) * 1000;
	evtimer_add(a->retry, &tv);
	account_set_status(a, status);
}

static void
account_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	account_connect(arg);
}

static char **
account_types(struct account *a, size_t *n)
{
	if (a->cfg->tuning.types != NULL) {
		*n = a->cfg->tuning.ntypes;
		return a->cfg->tuning.types;
	}
	*n = a->session.npush_types;
	return a->session.push_types;
}

static void
account_ws_established(struct ws_conn *ws, void *arg)
{
	struct account *a = arg;
	char **types, *enable;
	size_t ntypes;

	account_wipe_authorization(a);
	types = account_types(a, &ntypes);
	enable = frame_push_enable(types, ntypes, store_push_state(a->store));
	if (enable == NULL || ws_send(ws, enable, strlen(enable)) == -1) {
		free(enable);
		ws_abort(ws, "cannot send WebSocketPushEnable");
		return;
	}
	free(enable);
	free(a->error);
	a->error = NULL;
	a->delay_ms = a->cfg->tuning.backoff_initial_ms;
	log_info("%s: connected to %s, push enabled%s%s", a->prefix,
	    a->session.ws_url, store_push_state(a->store) ?
	    " from pushState " : "", store_push_state(a->store) ?
	    store_push_state(a->store) : "");
	account_set_status(a, ACCOUNT_CONNECTED);
}

static void
account_log_change(struct account *a, const char *account_id,
    struct json_object *types, const char *push_state)
{
	char list[512];
	size_t off = 0;
	const char *name = a->have_session ?
	    session_account_name(&a->session, account_id) : NULL;

	list[0] = '\0';
	json_object_object_foreach(types, type, state) {
		int n = snprintf(list + off, sizeof(list) - off, "%s%s=%s",
		    off ? " " : "", type, json_object_get_string(state));

		if (n < 0 || (size_t)n >= sizeof(list) - off)
			break;
		off += (size_t)n;
	}
	log_info("%s: change in %s%s%s%s: %s%s%s", a->prefix, account_id,
	    name ? " (" : "", name ? name : "", name ? ")" : "", list,
	    push_state ? ", pushState " : "", push_state ? push_state : "");
}

static void
account_state_change(struct account *a, const struct frame *f)
{
	struct push_event ev;

	json_object_object_foreach(f->changed, account_id, types) {
		json_object_object_foreach(types, type, state)
			store_set_type_state(a->store, account_id, type,
			    json_object_get_string(state));
	}
	if (f->push_state != NULL)
		store_set_push_state(a->store, f->push_state);
	a->last_push = time(NULL);
	/* Saved before any output sees the change, so a crash in between
	 * never replays it twice nor loses the resume point. */
	store_save(a->store);

	json_object_object_foreach(f->changed, id, changed) {
		account_log_change(a, id, changed, f->push_state);
		if (a->cbs.change == NULL)
			continue;
		memset(&ev, 0, sizeof(ev));
		ev.account = a->cfg->name;
		ev.account_id = id;
		ev.changed = changed;
		ev.push_state = f->push_state;
		ev.reason = "push";
		a->cbs.change(a, &ev, a->arg);
	}
}

static void
account_ws_message(struct ws_conn *ws, const char *data, size_t len,
    void *arg)
{
	struct account *a = arg;
	struct frame f;
	char err[256];

	if (frame_parse(data, len, false, &f, err, sizeof(err)) == -1) {
		log_warnx("%s: the server sent a malformed frame (%s); "
		    "reconnecting", a->prefix, err);
		ws_abort(ws, "malformed frame from the server");
		return;
	}
	switch (f.type) {
	case FRAME_STATE_CHANGE:
		account_state_change(a, &f);
		break;
	case FRAME_RESPONSE:
	case FRAME_REQUEST_ERROR:
		if (requests_complete(a->requests, &f) == -1)
			log_debug("%s: %s for an unknown request id %s",
			    a->prefix, f.type_name, f.request_id ?
			    f.request_id : "(none)");
		break;
	case FRAME_UNKNOWN:
		log_debug("%s: ignoring a frame of type %s", a->prefix,
		    f.type_name ? f.type_name : "(none)");
		break;
	}
	frame_clear(&f);
}

static void
account_ws_closed(struct ws_conn *ws, const struct ws_close_info *info,
    void *arg)
{
	struct account *a = arg;

	a->ws = NULL;
	requests_fail_all(a->requests, "connection closed");
	if (a->stopping) {
		event_active(a->stopped_ev, EV_TIMEOUT, 0);
		return;
	}
	if (a->reconnect_now) {
		a->reconnect_now = false;
		account_connect(a);
		return;
	}
	if (info->http_status == 401 || info->http_status == 403)
		account_retry(a, ACCOUNT_AUTH_FAILED, "the server rejected "
		    "the credentials for the WebSocket (HTTP %d); check "
		    "username and the password or token setting",
		    info->http_status);
	else if (info->error != NULL)
		account_retry(a, ACCOUNT_BACKOFF, "%s", info->error);
	else {
		/* A clean close of a working connection (server restart,
		 * idle timeout) is normal: come back at once. */
		a->delay_ms = 0;
		account_retry(a, ACCOUNT_BACKOFF, "the server closed the "
		    "connection (code %d)", info->close_code);
	}
}

static void
account_session_done(const struct http_response *resp, const char *error,
    void *arg)
{
	struct account *a = arg;
	struct ws_callbacks cbs;
	struct ws_opts o;
	char *perr = NULL;

	a->http = NULL;
	if (error != NULL) {
		account_retry(a, ACCOUNT_BACKOFF, "session request failed: %s",
		    error);
		return;
	}
	if (resp->status == 401 || resp->status == 403) {
		account_retry(a, ACCOUNT_AUTH_FAILED, "the server rejected the "
		    "credentials (HTTP %d); check username and the password "
		    "or token setting", resp->status);
		return;
	}
	if (resp->status != 200) {
		account_retry(a, ACCOUNT_BACKOFF, "session request to %s "
		    "failed with HTTP %d", resp->final_url, resp->status);
		return;
	}
	if (a->have_session)
		session_clear(&a->session);
	a->have_session = false;
	if (session_parse(resp->body, resp->body_len, resp->final_url,
	    &a->session, &perr) == -1) {
		account_retry(a, ACCOUNT_BACKOFF, "invalid Session from %s: %s",
		    resp->final_url, perr);
		free(perr);
		return;
	}
	a->have_session = true;
	if (a->session.ws_url == NULL || !a->session.ws_supports_push) {
		account_retry(a, ACCOUNT_DISABLED, "the server offers no "
		    "WebSocket push (%s); this version supports only "
		    "transport = websocket", a->session.ws_url == NULL ?
		    "no urn:ietf:params:jmap:websocket capability" :
		    "supportsPush is false");
		return;
	}
	log_debug("%s: session at %s, WebSocket %s", a->prefix,
	    resp->final_url, a->session.ws_url);

	memset(&o, 0, sizeof(o));
	o.url = a->session.ws_url;
	o.authorization = a->authorization;
	o.ca_file = a->cfg->ca_file;
	o.insecure = a->cfg->insecure;
	o.max_frame = a->cfg->tuning.max_frame;
	o.log_prefix = a->prefix;
	cbs.established = account_ws_established;
	cbs.message = account_ws_message;
	cbs.closed = account_ws_closed;
	a->ws = ws_connect(a->net, &o, &cbs, a);
}

static void
account_credentials_done(const char *authorization, const char *error,
    void *arg)
{
	struct account *a = arg;
	struct http_opts o;
	char *url;

	a->cred = NULL;
	if (error != NULL) {
		account_retry(a, ACCOUNT_AUTH_FAILED, "cannot get the "
		    "credentials: %s", error);
		return;
	}
	a->authorization = authorization ? xstrdup(authorization) : NULL;
	if ((url = url_from_config(a->cfg->url)) == NULL) {
		account_retry(a, ACCOUNT_DISABLED, "url = %s is neither a host "
		    "name nor an http(s) URL", a->cfg->url);
		return;
	}
	memset(&o, 0, sizeof(o));
	o.url = url;
	o.authorization = a->authorization;
	o.accept = "application/json";
	o.ca_file = a->cfg->ca_file;
	o.insecure = a->cfg->insecure;
	o.max_redirects = ACCOUNT_MAX_REDIRECTS;
	o.max_body = SESSION_MAX_LEN;
	o.timeout_ms = ACCOUNT_SESSION_TIMEOUT_MS;
	o.log_prefix = a->prefix;
	a->http = http_get(a->net, &o, account_session_done, a);
	free(url);
}

static void
account_connect(struct account *a)
{
	if (a->stopping)
		return;
	if (a->cfg->insecure)
		log_warnx("%s: insecure = yes: TLS certificates are not "
		    "verified; anyone on the network path can read this "
		    "account's mail", a->prefix);
	if (a->cfg->tuning.transport == TRANSPORT_EVENTSOURCE) {
		account_retry(a, ACCOUNT_DISABLED, "transport = eventsource "
		    "is not supported by this version; use auto or "
		    "websocket");
		return;
	}
	/* Without its resume state an account would silently lose changes
	 * across restarts: better to say so and wait. */
	if (a->store == NULL &&
	    (a->store = store_open(a->state_dir, a->cfg->name)) == NULL) {
		account_retry(a, ACCOUNT_DISABLED, "cannot use the state "
		    "directory %s; fix its permissions or set state_dir",
		    a->state_dir);
		return;
	}
	account_set_status(a, ACCOUNT_CONNECTING);
	a->cred = credentials_get(net_base(a->net), a->cfg,
	    account_credentials_done, a);
}

struct account *
account_new(struct net *net, const struct config_account *cfg,
    const char *state_dir, const struct account_callbacks *cbs, void *arg)
{
	struct account *a = xcalloc(1, sizeof(*a));
	struct event_base *base = net_base(net);

	a->net = net;
	a->cfg = cfg;
	a->cbs = *cbs;
	a->arg = arg;
	a->status = ACCOUNT_STOPPED;
	xasprintf(&a->prefix, "account %s", cfg->name);
	a->requests = requests_new(base);
	a->retry = evtimer_new(base, account_retry_cb, a);
	a->stopped_ev = event_new(base, -1, 0, account_stopped_cb, a);
	if (a->retry == NULL || a->stopped_ev == NULL)
		fatalx("libevent: cannot create account events");
	a->state_dir = xstrdup(state_dir);
	return a;
}

void
account_start(struct account *a)
{
	a->stopping = false;
	a->delay_ms = a->cfg->tuning.backoff_initial_ms;
	account_connect(a);
}

void
account_stop(struct account *a)
{
	a->stopping = true;
	evtimer_del(a->retry);
	credentials_cancel(a->cred);
	a->cred = NULL;
	http_cancel(a->http);
	a->http = NULL;
	account_wipe_authorization(a);
	if (a->ws != NULL)
		ws_close(a->ws, 1000);
	else
		event_active(a->stopped_ev, EV_TIMEOUT, 0);
}

void
account_reconnect(struct account *a)
{
	if (a->stopping)
		return;
	log_info("%s: reconnecting now", a->prefix);
	a->delay_ms = 0;
	if (a->ws != NULL) {
		a->reconnect_now = true;
		ws_close(a->ws, 1000);
		return;
	}
	if (a->cred != NULL || a->http != NULL)
		return;
	evtimer_del(a->retry);
	account_connect(a);
}

void
account_set_config(struct account *a, const struct config_account *cfg)
{
	a->cfg = cfg;
}

void
account_free(struct account *a)
{
	if (a == NULL)
		return;
	credentials_cancel(a->cred);
	http_cancel(a->http);
	account_wipe_authorization(a);
	requests_free(a->requests);
	if (a->have_session)
		session_clear(&a->session);
	store_free(a->store);
	event_free(a->retry);
	event_free(a->stopped_ev);
	free(a->error);
	free(a->prefix);
	free(a->state_dir);
	free(a);
}

int
account_request(struct account *a, struct json_object *using,
    struct json_object *method_calls, uint64_t timeout_ms,
    request_cb cb, void *arg)
{
	const char *id;
	char *text;

	if (a->ws == NULL || !ws_is_open(a->ws))
		return -1;
	id = requests_add(a->requests, timeout_ms, cb, arg);
	text = frame_request(id, using, method_calls);
	if (ws_send(a->ws, text, strlen(text)) == -1) {
		requests_forget(a->requests, id);
		free(text);
		return -1;
	}
	free(text);
	return 0;
}
