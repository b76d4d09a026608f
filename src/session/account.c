/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "config/config.h"
#include "session/account.h"
#include "session/backoff.h"
#include "session/channel.h"
#include "session/closepolicy.h"
#include "session/credentials.h"
#include "session/discovery.h"
#include "session/frame.h"
#include "session/jmapurl.h"
#include "session/pacer.h"
#include "session/request.h"
#include "session/resync.h"
#include "session/session.h"
#include "state/store.h"
#include "transport/endpoint.h"
#include "transport/http.h"
#include "transport/net.h"
#include "transport/ws.h"
#include "util/log.h"
#include "util/secret.h"
#include "util/timeutil.h"
#include "util/xevent.h"
#include "util/xmalloc.h"

#define ACCOUNT_RESYNC_TIMEOUT_MS	30000
/* After a resume a connection proves itself within 5 s (jmap-pushd(8)). */
#define ACCOUNT_PROBE_MS		5000

struct account {
	struct net *net;
	const struct config_account *cfg;	/* its config: referenced */
	struct account_callbacks cbs;
	void *arg;
	char *prefix;		/* "account personal" for logs */
	char *state_dir;

	enum account_state state;
	enum account_status status;	/* shown: derived from state */
	time_t since;
	time_t last_push;
	char *error;
	enum channel_close_why close_why;	/* of account_stop() */
	uint64_t retry_ms;	/* the wait entering a waiting state arms */

	struct store *store;
	struct credentials_req *cred;
	struct secret *auth;	/* only between credentials and connect */
	struct http_request *http;
	char *session_url;	/* where the Session came from, after redirects */
	struct discovery *refresh;	/* the Session in the background */
	struct jmap_session session;
	bool have_session;
	struct channel *ch;
	char *channel_url;
	enum channel_kind kind;		/* of the current or next channel */
	bool es_fallback;		/* the WebSocket endpoint was missing */

	struct event *retry;		/* armed while waiting */
	struct pacer_ticket *ticket;	/* a slot while an attempt is on */
	struct backoff backoff;
	uint64_t retry_at_ms;	/* monotonic */
	bool auth_retried;	/* credentials re-read once after a 401 */
	bool synced_once;	/* sync_on_start done */
	struct event *resync_timer;	/* resync_interval */
	bool resync_busy;	/* a state comparison is in flight */
	bool resync_periodic;	/* and resync_interval sent it */
	/* {accountId: {Type: true}} pushed while it was in flight (NULL
	 * when none is): its answer may be older for those. */
	struct json_object *resync_pushed;
	struct event *stopped_ev;
};

static void account_connect(struct account *);
static void account_resync(struct account *, bool periodic);
static void account_credentials_fetch(struct account *);
static void account_session_fetch(struct account *);
static void account_open_channel(struct account *);
static void account_connected(struct account *);
static void account_stopping(struct account *);

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

static const char *
account_state_names[] = {
	[ACCOUNT_S_STOPPED] = "stopped",
	[ACCOUNT_S_QUEUED] = "queued",
	[ACCOUNT_S_CREDENTIALS] = "credentials",
	[ACCOUNT_S_SESSION] = "session",
	[ACCOUNT_S_OPENING] = "opening",
	[ACCOUNT_S_CONNECTED] = "connected",
	[ACCOUNT_S_RECONNECTING] = "reconnecting",
	[ACCOUNT_S_RETRY_NOW] = "retry_now",
	[ACCOUNT_S_BACKOFF] = "backoff",
	[ACCOUNT_S_AUTH_FAILED] = "auth_failed",
	[ACCOUNT_S_DISABLED] = "disabled",
	[ACCOUNT_S_STOPPING] = "stopping",
};

const char *
account_state_name(enum account_state s)
{
	return account_state_names[s];
}

/* Every phase of an attempt shows as connecting, the wait for a slot and
 * a reconnect at once too. */
enum account_status
account_state_status(enum account_state s, enum account_status shown)
{
	switch (s) {
	case ACCOUNT_S_STOPPED:
		return ACCOUNT_STOPPED;
	case ACCOUNT_S_QUEUED:
	case ACCOUNT_S_CREDENTIALS:
	case ACCOUNT_S_SESSION:
	case ACCOUNT_S_OPENING:
	case ACCOUNT_S_RETRY_NOW:
		return ACCOUNT_CONNECTING;
	case ACCOUNT_S_CONNECTED:
		return ACCOUNT_CONNECTED;
	case ACCOUNT_S_BACKOFF:
		return ACCOUNT_BACKOFF;
	case ACCOUNT_S_AUTH_FAILED:
		return ACCOUNT_AUTH_FAILED;
	case ACCOUNT_S_DISABLED:
		return ACCOUNT_DISABLED;
	default:
		return shown;
	}
}

enum account_state
account_state(const struct account *a)
{
	return a->state;
}

/* Neither stopping nor stopped: it may connect. */
static bool
account_running(const struct account *a)
{
	return a->state != ACCOUNT_S_STOPPING && a->state != ACCOUNT_S_STOPPED;
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
	return channel_kind_name(a->kind);
}

struct store *
account_store(const struct account *a)
{
	return a->store;
}

bool
account_lists_id(const struct account *a, const char *account_id)
{
	return a->have_session &&
	    session_account_name(&a->session, account_id) != NULL;
}

const char *
account_error(const struct account *a)
{
	return a->error;
}

double
account_retry_in(const struct account *a)
{
	uint64_t now = backoff_now_ms();

	if (a->state != ACCOUNT_S_BACKOFF &&
	    a->state != ACCOUNT_S_AUTH_FAILED &&
	    a->state != ACCOUNT_S_DISABLED)
		return 0;
	return a->retry_at_ms > now ? (double)(a->retry_at_ms - now) / 1000 : 0;
}

/*
 * The one way into a state: the state's entry actions run and its status
 * is announced when it changed.  A result (connected, a wait) is announced
 * once in place: the comparison after connecting is on its way, the retry
 * time set.  The other states announce first: an attempt's step may move
 * on at once (a pacer slot free), and stopped() may free the account.
 * The state is set before the actions, so a state an action enters wins.
 */
static void
account_announce(struct account *a)
{
	enum account_status status = account_state_status(a->state,
	    a->status);

	if (a->status == status)
		return;
	a->status = status;
	a->since = time(NULL);
	if (a->cbs.status != NULL)
		a->cbs.status(a, a->arg);
}

static void
account_enter(struct account *a, enum account_state s)
{
	bool result = s == ACCOUNT_S_CONNECTED || s == ACCOUNT_S_RETRY_NOW ||
	    s == ACCOUNT_S_BACKOFF || s == ACCOUNT_S_AUTH_FAILED ||
	    s == ACCOUNT_S_DISABLED;
	struct timeval tv;

	a->state = s;
	if (!result)
		account_announce(a);
	switch (s) {
	case ACCOUNT_S_STOPPED:
		if (a->cbs.stopped != NULL)
			a->cbs.stopped(a, a->arg);
		break;
	case ACCOUNT_S_QUEUED:
		pacer_acquire(a->ticket);
		break;
	case ACCOUNT_S_CREDENTIALS:
		account_credentials_fetch(a);
		break;
	case ACCOUNT_S_SESSION:
		account_session_fetch(a);
		break;
	case ACCOUNT_S_OPENING:
		account_open_channel(a);
		break;
	case ACCOUNT_S_CONNECTED:
		account_connected(a);
		break;
	case ACCOUNT_S_RECONNECTING:
		channel_close(a->ch, CHANNEL_CLOSE_NORMAL);
		break;
	case ACCOUNT_S_STOPPING:
		account_stopping(a);
		break;
	default:
		/* Waiting: RETRY_NOW, BACKOFF, AUTH_FAILED, DISABLED. */
		tv = timeutil_tv_ms(a->retry_ms);
		evtimer_add(a->retry, &tv);
		break;
	}
	if (result && a->state == s)
		account_announce(a);
}

static void
account_drop_auth(struct account *a)
{
	secret_unref(a->auth);
	a->auth = NULL;
}

static void
account_stopped_cb(evutil_socket_t fd, short what, void *arg)
{
	account_enter(arg, ACCOUNT_S_STOPPED);
}

/* Schedules the next attempt; never gives up.  error is taken: the
 * account's last error, which the log line starts with. */
static void
account_retry_msg(struct account *a, enum account_status status,
    enum closepolicy_wait wait, uint64_t at_least_ms, char *error)
{
	static const enum account_state wait_in[] = {
		[ACCOUNT_CONNECTING] = ACCOUNT_S_RETRY_NOW,
		[ACCOUNT_BACKOFF] = ACCOUNT_S_BACKOFF,
		[ACCOUNT_AUTH_FAILED] = ACCOUNT_S_AUTH_FAILED,
		[ACCOUNT_DISABLED] = ACCOUNT_S_DISABLED,
	};
	uint64_t delay;

	pacer_release(a->ticket);
	account_drop_auth(a);
	if (!account_running(a)) {
		free(error);
		event_active(a->stopped_ev, EV_TIMEOUT, 0);
		return;
	}
	free(a->error);
	a->error = error;

	switch (wait) {
	case CLOSEPOLICY_NOW:
		delay = 0;
		log_info("%s: %s; reconnecting now", a->prefix, a->error);
		break;
	case CLOSEPOLICY_MAX:
		delay = a->cfg->tuning.backoff_max_ms;
		log_errx("%s: %s; retrying in %.0fs", a->prefix, a->error,
		    (double)delay / 1000);
		break;
	default:
		delay = backoff_next(&a->backoff, at_least_ms);
		if (at_least_ms > 0 && delay == at_least_ms)
			log_warnx("%s: %s; retrying in %.1fs as the server "
			    "asked (Retry-After)", a->prefix, a->error,
			    (double)delay / 1000);
		else
			log_warnx("%s: %s; retrying in %.1fs", a->prefix,
			    a->error, (double)delay / 1000);
		break;
	}
	/* Before the status is announced, which shows the retry time. */
	a->retry_at_ms = backoff_now_ms() + delay;
	a->retry_ms = delay;
	account_enter(a, wait_in[status]);
}

static void
account_retry(struct account *a, enum account_status status,
    enum closepolicy_wait wait, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* account_retry_msg() with a message formatted here. */
static void
account_retry(struct account *a, enum account_status status,
    enum closepolicy_wait wait, const char *fmt, ...)
{
	char *error;
	va_list ap;

	va_start(ap, fmt);
	xvasprintf(&error, fmt, ap);
	va_end(ap);
	account_retry_msg(a, status, wait, 0, error);
}

/* Carries out what closepolicy decided about an ended attempt. */
static void
account_ended(struct account *a, const struct closepolicy_in *in)
{
	struct closepolicy_decision d;

	closepolicy_decide(in, &d);
	if (d.forget_auth)
		discovery_forget_auth(a->refresh);
	if (d.auth_retry)
		a->auth_retried = true;
	if (d.fall_back)
		a->es_fallback = true;
	account_retry_msg(a, d.status, d.wait, d.floor_ms,
	    closepolicy_message(in, &d));
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

/*
 * A push channel can go quiet while pings still flow (a server whose push
 * broke, Cyrus with a long jmap_pushpoll): compare states every
 * resync_interval as after a reconnect.  The timer lands on the ticks the
 * pings use (ws_ping_delay, same clock), so that it wakes the daemon when
 * the pings do.
 */
static void
account_resync_arm(struct account *a)
{
	uint64_t interval = a->cfg->tuning.resync_interval_ms, now_ms, ms;
	struct timeval now, tv;

	if (interval == 0)
		return;
	event_base_gettimeofday_cached(net_base(a->net), &now);
	now_ms = timeutil_tv_to_ms(&now);
	ms = ws_ping_delay(now_ms, interval);
	tv = timeutil_tv_ms(ms);
	evtimer_add(a->resync_timer, &tv);
}

static void
account_resync_cb(evutil_socket_t fd, short what, void *arg)
{
	struct account *a = arg;

	/* Not over a connection that is being closed either. */
	if (a->state != ACCOUNT_S_CONNECTED)
		return;
	/* A comparison still waiting for its answer is as good. */
	if (!a->resync_busy) {
		log_debug("%s: comparing states (resync_interval)", a->prefix);
		account_resync(a, true);
	}
	account_resync_arm(a);
}

static void
account_ch_established(struct channel *ch, void *arg)
{
	struct account *a = arg;

	/* Too late: the user asked for a new connection, and this one is
	 * being closed for it. */
	if (a->state == ACCOUNT_S_RECONNECTING)
		return;
	account_enter(a, ACCOUNT_S_CONNECTED);
}

static void
account_connected(struct account *a)
{
	const char *resume = a->kind == CHANNEL_WEBSOCKET ?
	    store_push_state(a->store) : store_event_id(a->store);

	/* An event stream's requests need the credentials later; the
	 * channel holds a reference.  Session refreshes take ours. */
	discovery_keep_auth(a->refresh, a->auth);
	a->auth = NULL;
	pacer_release(a->ticket);
	free(a->error);
	a->error = NULL;
	a->auth_retried = false;
	backoff_connected(&a->backoff, backoff_now_ms());
	account_resync(a, false);
	account_resync_arm(a);
	log_info("%s: connected to %s over %s%s%s", a->prefix, a->channel_url,
	    channel_kind_name(a->kind), resume ? ", resuming from " : "",
	    resume ? resume : "");
}

static void
account_log_change(struct account *a, const char *account_id,
    struct json_object *types, const char *push_state, const char *reason)
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
	log_info("%s: %s in %s%s%s%s: %s%s%s", a->prefix,
	    strcmp(reason, "push") == 0 ? "change" : "change found by resync",
	    account_id, name ? " (" : "", name ? name : "", name ? ")" : "",
	    list, push_state ? ", pushState " : "", push_state ? push_state : "");
}

/* Hands each accountId's changes to the outputs, then saves soon after:
 * the saved resume point never runs ahead of what was delivered, so a crash
 * may replay a change (we resume from an older pushState) but never loses
 * one, and a push does not wait for the disk. */
static void
account_deliver(struct account *a, struct json_object *changed,
    const char *push_state, const char *reason)
{
	struct push_event ev;

	a->last_push = time(NULL);
	json_object_object_foreach(changed, id, types) {
		if (a->have_session &&
		    session_account_name(&a->session, id) == NULL) {
			log_info("%s: a change for account %s, which the "
			    "Session does not list; fetching it again",
			    a->prefix, id);
			if (account_running(a))
				discovery_refresh(a->refresh);
		}
		account_log_change(a, id, types, push_state, reason);
		if (a->cbs.change == NULL)
			continue;
		memset(&ev, 0, sizeof(ev));
		ev.account = a->cfg->name;
		ev.account_id = id;
		ev.changed = types;
		ev.push_state = push_state;
		ev.reason = reason;
		a->cbs.change(a, &ev, a->arg);
	}
	store_save_later(a->store, net_base(a->net));
}

/* A refresh brought the Session up to date. */
static void
account_fresh(struct jmap_session *fresh, void *arg)
{
	struct account *a = arg;

	session_clear(&a->session);
	a->session = *fresh;
	log_info("%s: Session refreshed: %zu account(s)", a->prefix,
	    a->session.naccounts);
}

/* resume: the EventSource event id (NULL over WebSocket, where the frame's
 * pushState is the resume token). */
static void
account_state_change(struct account *a, const struct frame *f,
    const char *resume)
{
	struct json_object *changed;
	/* Over EventSource JMAP_PUSH_STATE is the event id, or a pushState
	 * in the data (jmap-pushd.conf(5), HOOKS). */
	const char *push_state = resume != NULL ? resume : f->push_state;

	if (a->kind == CHANNEL_WEBSOCKET && f->push_state != NULL)
		store_set_push_state(a->store, f->push_state);
	if (a->resync_pushed != NULL)
		resync_note_pushed(a->resync_pushed, f->changed);
	/* After a replay overlaps what a resync already delivered (or the
	 * server repeats itself), only types whose state moved count. */
	changed = resync_diff(a->store, f->changed, RESYNC_PUSH);
	if (changed == NULL) {
		log_debug("%s: a StateChange repeating known states%s%s; "
		    "nothing to deliver", a->prefix, push_state ?
		    ", pushState " : "", push_state ? push_state : "");
		store_save(a->store);
		return;
	}
	account_deliver(a, changed, push_state, "push");
	json_object_put(changed);
}

static void
account_resync_done(struct json_object *responses, enum request_error why,
    const char *error, void *arg)
{
	struct account *a = arg;
	struct json_object *current, *changed, *pushed;
	enum resync_mode mode = RESYNC_COMPARE;

	size_t stale;

	pushed = a->resync_pushed;
	a->resync_pushed = NULL;
	a->resync_busy = false;
	if (why != REQUEST_OK) {
		json_object_put(pushed);
		/* The next connection compares again. */
		if (why == REQUEST_CLOSED || why == REQUEST_SHUTDOWN)
			return;
		if (a->resync_periodic)
			log_warnx("%s: cannot compare states (resync_interval): "
			    "%s; trying again in the next interval", a->prefix,
			    error);
		else
			log_warnx("%s: cannot compare states after connecting: "
			    "%s; changes made while disconnected may be "
			    "missed until the next push", a->prefix, error);
		return;
	}
	if (a->cfg->tuning.sync_on_start && !a->synced_once)
		mode = RESYNC_ALL;
	a->synced_once = true;
	current = resync_states(responses);
	stale = resync_drop_pushed(current, pushed);
	json_object_put(pushed);
	if (stale > 0)
		log_debug("%s: the state comparison predates %zu pushed "
		    "state(s); those stand", a->prefix, stale);
	changed = resync_diff(a->store, current, mode);
	json_object_put(current);
	if (changed == NULL) {
		log_debug("%s: states unchanged since last seen", a->prefix);
		store_save(a->store);
		return;
	}
	account_deliver(a, changed, NULL, "resync");
	json_object_put(changed);
}

/* Servers that cannot replay from a pushState (Stalwart, or any after
 * losing its history) would leave changes made while we were away
 * unnoticed: ask every current state and compare. */
static void
account_resync(struct account *a, bool periodic)
{
	struct json_object *using, *calls;
	char **types;
	size_t ntypes;

	types = account_types(a, &ntypes);
	if ((calls = resync_request(&a->session, types, ntypes, &using)) ==
	    NULL)
		return;
	if (account_request(a, using, calls, ACCOUNT_RESYNC_TIMEOUT_MS,
	    account_resync_done, a) == -1) {
		log_warnx("%s: cannot send the state comparison request",
		    a->prefix);
	} else {
		a->resync_busy = true;
		a->resync_periodic = periodic;
		a->resync_pushed = json_object_new_object();
	}
	json_object_put(using);
	json_object_put(calls);
}

static void
account_ch_state(struct channel *ch, const struct frame *f, const char *resume,
    void *arg)
{
	account_state_change(arg, f, resume);
}

/* The event stream's last event ID string, kept as the spec keeps it (an
 * empty one clears it), and saved with the changes it came with. */
static void
account_ch_resume(struct channel *ch, const char *resume, void *arg)
{
	struct account *a = arg;

	store_set_event_id(a->store, resume);
	store_save_later(a->store, net_base(a->net));
}

static void
account_ch_closed(struct channel *ch, const struct close_info *info,
    void *arg)
{
	struct account *a = arg;
	struct closepolicy_in in = {
		.step = a->kind == CHANNEL_WEBSOCKET ? CLOSEPOLICY_WEBSOCKET :
		    CLOSEPOLICY_EVENTSOURCE,
		.error = info->error,
		.http_status = info->http_status,
		.retry_after = info->retry_after,
		.now = time(NULL),
		.close_code = info->close_code,
		.tls_failed = info->tls_failed,
		.wrong_content_type = info->wrong_content_type,
		.redirect_refused = info->redirect_refused,
		.was_established = info->was_established,
		.auth_retried = a->auth_retried,
		.can_fall_back = a->cfg->tuning.transport == TRANSPORT_AUTO &&
		    a->session.event_source_url != NULL,
	};

	a->ch = NULL;
	evtimer_del(a->resync_timer);
	if (a->state == ACCOUNT_S_STOPPING) {
		event_active(a->stopped_ev, EV_TIMEOUT, 0);
		return;
	}
	if (a->state == ACCOUNT_S_RECONNECTING) {
		account_connect(a);
		pacer_hurry(a->ticket);
		return;
	}
	in.long_lived = backoff_disconnected(&a->backoff, backoff_now_ms());
	account_ended(a, &in);
}

/* Which transport: "auto" takes the WebSocket when the Session offers it
 * with push, else the event stream (jmap-pushd.conf(5), transport). */
static int
account_choose(struct account *a)
{
	bool ws = a->session.ws_url != NULL && a->session.ws_supports_push;
	bool es = a->session.event_source_url != NULL;

	switch (a->cfg->tuning.transport) {
	case TRANSPORT_WEBSOCKET:
		if (!ws) {
			account_retry(a, ACCOUNT_DISABLED, CLOSEPOLICY_MAX,
			    "the server offers no WebSocket push (%s); set "
			    "transport = auto or eventsource",
			    a->session.ws_url == NULL ? "no "
			    "urn:ietf:params:jmap:websocket capability" :
			    "supportsPush is false");
			return -1;
		}
		a->kind = CHANNEL_WEBSOCKET;
		return 0;
	case TRANSPORT_EVENTSOURCE:
		if (!es) {
			account_retry(a, ACCOUNT_DISABLED, CLOSEPOLICY_MAX,
			    "the Session has no eventSourceUrl; set "
			    "transport = auto or websocket");
			return -1;
		}
		a->kind = CHANNEL_EVENTSOURCE;
		return 0;
	default:
		if (!ws && !es) {
			account_retry(a, ACCOUNT_DISABLED, CLOSEPOLICY_MAX,
			    "the server offers neither WebSocket push nor an "
			    "eventSourceUrl");
			return -1;
		}
		a->kind = ws && !a->es_fallback ? CHANNEL_WEBSOCKET :
		    CHANNEL_EVENTSOURCE;
		return 0;
	}
}

static void
account_open_channel(struct account *a)
{
	struct channel_callbacks cbs = {
		.established = account_ch_established,
		.state = account_ch_state,
		.resume = account_ch_resume,
		.closed = account_ch_closed,
	};
	struct channel_opts o;
	struct endpoint *ep;
	char **types, ping[24], *list = NULL;
	size_t ntypes, len = 0;

	types = account_types(a, &ntypes);
	free(a->channel_url);
	if (a->kind == CHANNEL_WEBSOCKET) {
		a->channel_url = xstrdup(a->session.ws_url);
	} else {
		/* The account's own types, or every type: "*". */
		for (size_t i = 0; a->cfg->tuning.types != NULL && i < ntypes;
		    i++) {
			list = xrealloc(list, len + strlen(types[i]) + 2);
			len += (size_t)sprintf(list + len, "%s%s",
			    i ? "," : "", types[i]);
		}
		snprintf(ping, sizeof(ping), "%llu", (unsigned long long)
		    (a->cfg->tuning.ping_interval_ms / 1000));
		a->channel_url = jmapurl_expand_eventsource(
		    a->session.event_source_url, list ? list : "*", "no",
		    ping);
		free(list);
		if (a->channel_url == NULL) {
			account_retry(a, ACCOUNT_DISABLED, CLOSEPOLICY_MAX,
			    "the eventSourceUrl %s is not a valid template",
			    a->session.event_source_url);
			return;
		}
	}
	log_debug("%s: session at %s, %s %s", a->prefix, a->session_url,
	    channel_kind_name(a->kind), a->channel_url);

	ep = endpoint_new(a->channel_url, a->auth, a->cfg->ca_file,
	    a->cfg->insecure);
	memset(&o, 0, sizeof(o));
	o.kind = a->kind;
	o.endpoint = ep;
	o.api_url = a->session.api_url;
	o.resume = a->kind == CHANNEL_WEBSOCKET ? store_push_state(a->store) :
	    store_event_id(a->store);
	o.types = types;
	o.ntypes = ntypes;
	o.max_frame = a->cfg->tuning.max_frame;
	o.ping_interval_ms = a->cfg->tuning.ping_interval_ms;
	o.ping_timeout_ms = a->cfg->tuning.ping_timeout_ms;
	o.log_prefix = a->prefix;
	a->ch = channel_open(a->net, &o, &cbs, a);
	endpoint_unref(ep);
}

static void
account_session_done(const struct http_response *resp, const char *error,
    void *arg)
{
	struct account *a = arg;
	char *perr = NULL;

	a->http = NULL;
	if (error != NULL || resp->status != 200) {
		struct closepolicy_in in = {
			.step = CLOSEPOLICY_SESSION,
			.error = error,
			.http_status = resp->status,
			.retry_after = resp->retry_after,
			.now = time(NULL),
			.tls_failed = resp->tls_failed,
			.redirect_refused = resp->redirect_refused,
			.auth_retried = a->auth_retried,
			.url = resp->final_url,
		};

		account_ended(a, &in);
		return;
	}
	if (a->have_session)
		session_clear(&a->session);
	a->have_session = false;
	if (session_parse(resp->body, resp->body_len, resp->final_url,
	    &a->session, &perr) == -1) {
		account_retry(a, ACCOUNT_BACKOFF, CLOSEPOLICY_GROW,
		    "invalid Session from %s: %s",
		    resp->final_url, perr);
		free(perr);
		return;
	}
	a->have_session = true;
	free(a->session_url);
	a->session_url = xstrdup(resp->final_url);
	discovery_set_url(a->refresh, a->session_url);
	if (discovery_check_plain(a->cfg, a->prefix, &a->session,
	    resp->final_url, &perr) == -1) {
		account_retry(a, ACCOUNT_DISABLED, CLOSEPOLICY_MAX, "%s", perr);
		free(perr);
		return;
	}
	if (account_choose(a) == -1)
		return;
	account_enter(a, ACCOUNT_S_OPENING);
}

static void
account_credentials_done(const char *authorization, const char *error,
    void *arg)
{
	struct account *a = arg;

	a->cred = NULL;
	if (error != NULL) {
		account_retry(a, ACCOUNT_AUTH_FAILED, CLOSEPOLICY_MAX, "cannot "
		    "get the "
		    "credentials: %s", error);
		return;
	}
	a->auth = secret_new(authorization);
	account_enter(a, ACCOUNT_S_SESSION);
}

static void
account_session_fetch(struct account *a)
{
	char *url;

	if ((url = jmapurl_from_config(a->cfg->url)) == NULL) {
		account_retry(a, ACCOUNT_DISABLED, CLOSEPOLICY_MAX,
		    "url = %s is neither a host name nor an http(s) URL",
		    a->cfg->url);
		return;
	}
	a->http = discovery_get(a->net, a->cfg, a->prefix, url,
	    a->auth, account_session_done, a);
	free(url);
}

/* From STOPPED (a start), a wait that ended, or a channel closed for
 * reconnecting; never while stopping (the retry timer is off then). */
static void
account_connect(struct account *a)
{
	if (a->cfg->insecure)
		log_warnx("%s: insecure = yes: TLS certificates are not "
		    "verified; anyone on the network path can read this "
		    "account's mail", a->prefix);
	/* Without its resume state an account would silently lose changes
	 * across restarts: better to say so and wait. */
	if (a->store == NULL &&
	    (a->store = store_open(a->state_dir, a->cfg->name)) == NULL) {
		account_retry(a, ACCOUNT_DISABLED, CLOSEPOLICY_MAX,
		    "cannot use the state directory %s; fix its permissions "
		    "or set state_dir", a->state_dir);
		return;
	}
	account_enter(a, ACCOUNT_S_QUEUED);
}

/* The pacer gave a slot. */
static void
account_attempt(void *arg)
{
	account_enter(arg, ACCOUNT_S_CREDENTIALS);
}

static void
account_credentials_fetch(struct account *a)
{
	a->cred = credentials_get(net_base(a->net), a->cfg,
	    account_credentials_done, a);
}

struct account *
account_new(struct net *net, struct pacer *pacer,
    const struct config_account *cfg, const char *state_dir,
    const struct account_callbacks *cbs, void *arg)
{
	struct account *a = xcalloc(1, sizeof(*a));
	struct event_base *base = net_base(net);

	a->net = net;
	a->cfg = cfg;
	config_ref(cfg->config);
	a->cbs = *cbs;
	a->arg = arg;
	a->state = ACCOUNT_S_STOPPED;
	a->status = ACCOUNT_STOPPED;
	xasprintf(&a->prefix, "account %s", cfg->name);
	a->refresh = discovery_new(net, cfg, a->prefix, account_fresh, a);
	a->retry = xevtimer_new(base, account_retry_cb, a);
	a->stopped_ev = xevent_new(base, -1, 0, account_stopped_cb, a);
	a->resync_timer = xevtimer_new(base, account_resync_cb, a);
	a->ticket = pacer_ticket_new(pacer, account_attempt, a);
	a->state_dir = xstrdup(state_dir);
	backoff_init(&a->backoff, cfg->tuning.backoff_initial_ms,
	    cfg->tuning.backoff_max_ms, cfg->tuning.backoff_reset_ms,
	    backoff_seed(cfg->name));
	return a;
}

void
account_start(struct account *a)
{
	backoff_reset(&a->backoff);
	account_connect(a);
}

void
account_stop(struct account *a, enum account_stop_why why)
{
	a->close_why = why == ACCOUNT_STOP_SHUTDOWN ?
	    CHANNEL_CLOSE_GOING_AWAY : CHANNEL_CLOSE_NORMAL;
	account_enter(a, ACCOUNT_S_STOPPING);
}

/* Gives up whatever is in flight; the channel's close, or the next loop
 * turn, brings stopped(). */
static void
account_stopping(struct account *a)
{
	evtimer_del(a->retry);
	evtimer_del(a->resync_timer);
	pacer_release(a->ticket);
	credentials_cancel(a->cred);
	a->cred = NULL;
	http_cancel(a->http);
	a->http = NULL;
	discovery_cancel(a->refresh);
	account_drop_auth(a);
	if (a->ch != NULL)
		channel_close(a->ch, a->close_why);
	else
		event_active(a->stopped_ev, EV_TIMEOUT, 0);
}

void
account_reconnect(struct account *a)
{
	if (!account_running(a))
		return;
	log_info("%s: reconnecting now", a->prefix);
	switch (a->state) {
	case ACCOUNT_S_OPENING:
	case ACCOUNT_S_CONNECTED:
	case ACCOUNT_S_RECONNECTING:
		account_enter(a, ACCOUNT_S_RECONNECTING);
		return;
	case ACCOUNT_S_CREDENTIALS:
	case ACCOUNT_S_SESSION:
		/* An attempt is on already. */
		return;
	default:
		break;
	}
	evtimer_del(a->retry);
	account_connect(a);
	pacer_hurry(a->ticket);
}

void
account_revalidate(struct account *a)
{
	if (a->state == ACCOUNT_S_CONNECTED) {
		log_debug("%s: asking the server for a sign of life", a->prefix);
		channel_probe(a->ch, ACCOUNT_PROBE_MS);
	} else if (a->state == ACCOUNT_S_BACKOFF) {
		account_reconnect(a);
	}
}

void
account_set_config(struct account *a, const struct config_account *cfg)
{
	config_ref(cfg->config);
	config_unref(a->cfg->config);
	a->cfg = cfg;
	discovery_set_config(a->refresh, cfg);
}

void
account_free(struct account *a)
{
	if (a == NULL)
		return;
	credentials_cancel(a->cred);
	http_cancel(a->http);
	discovery_free(a->refresh);
	account_drop_auth(a);
	if (a->have_session)
		session_clear(&a->session);
	store_free(a->store);
	pacer_ticket_free(a->ticket);
	event_free(a->retry);
	event_free(a->stopped_ev);
	event_free(a->resync_timer);
	json_object_put(a->resync_pushed);
	free(a->error);
	free(a->prefix);
	free(a->state_dir);
	free(a->session_url);
	free(a->channel_url);
	config_unref(a->cfg->config);
	free(a);
}

int
account_request(struct account *a, struct json_object *using,
    struct json_object *method_calls, uint64_t timeout_ms,
    request_cb cb, void *arg)
{
	if (a->ch == NULL)
		return -1;
	return channel_request(a->ch, using, method_calls, timeout_ms, cb,
	    arg);
}
