/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "config/config.h"
#include "session/account.h"
#include "session/account-int.h"
#include "session/backoff.h"
#include "session/channel.h"
#include "session/closepolicy.h"
#include "session/credentials.h"
#include "session/discovery.h"
#include "session/mailsync.h"
#include "session/pacer.h"
#include "session/session.h"
#include "state/store.h"
#include "transport/http.h"
#include "transport/net.h"
#include "util/log.h"
#include "util/secret.h"
#include "util/timeutil.h"
#include "util/xevent.h"
#include "util/xmalloc.h"

/* After a resume a connection proves itself within 5 s (jmap-pushd(8)). */
#define ACCOUNT_PROBE_MS		5000
/* How long after a working channel ended its Session is used without
 * fetching it again, while the attempts fail without an HTTP answer (the
 * server or the network down); jmap-pushd(8), RECONNECTING. */
#define ACCOUNT_SESSION_REUSE_MS	(5 * 60 * 1000)

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
bool
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

bool
account_is_primary_mail(const struct account *a, const char *account_id)
{
	return a->have_session && a->session.primary_mail != NULL &&
	    strcmp(a->session.primary_mail, account_id) == 0;
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

void
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
		attempt_credentials(a);
		break;
	case ACCOUNT_S_SESSION:
		attempt_session(a);
		break;
	case ACCOUNT_S_OPENING:
		attempt_open(a);
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

/* The attempt is over: the credentials go (discovery may keep them). */
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

/* account_retry_msg() with a message formatted here. */
void
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
void
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
	if (!d.keep_session)
		a->session_reuse = false;
	else if (in->was_established)
		a->session_reuse_until = backoff_now_ms() +
		    ACCOUNT_SESSION_REUSE_MS;
	account_retry_msg(a, d.status, d.wait, d.floor_ms,
	    closepolicy_message(in, &d));
}

static void
account_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	account_connect(arg);
}

char **
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
	a->session_reuse = true;
	a->session_reuse_until = 0;
	backoff_connected(&a->backoff, backoff_now_ms());
	deliver_resync(a, false);
	deliver_resync_arm(a);
	mailsync_connected(a->mail);
	log_info("%s: connected to %s over %s%s%s", a->prefix, a->channel_url,
	    channel_kind_name(a->kind), resume ? ", resuming from " : "",
	    resume ? resume : "");
}

/* From STOPPED (a start), a wait that ended, or a channel closed for
 * reconnecting; never while stopping (the retry timer is off then). */
void
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
	a->refresh = discovery_new(net, cfg, a->prefix, deliver_fresh, a);
	a->retry = xevtimer_new(base, account_retry_cb, a);
	a->stopped_ev = xevent_new(base, -1, 0, account_stopped_cb, a);
	a->resync_timer = xevtimer_new(base, deliver_resync_cb, a);
	a->ticket = pacer_ticket_new(pacer, account_attempt, a);
	a->state_dir = xstrdup(state_dir);
	a->mail = mailsync_new(a);
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
	/* Asked by the user (or a resume): start afresh, Session and all. */
	a->session_reuse = false;
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
		log_debug("%s: asking the server for a sign of life",
		    a->prefix);
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
	mailsync_free(a->mail);
	store_free(a->store);
	pacer_ticket_free(a->ticket);
	event_free(a->retry);
	event_free(a->stopped_ev);
	event_free(a->resync_timer);
	json_object_put(a->resync_pushed);
	free(a->session_asked);
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

void
account_set_mail_wanted(struct account *a, bool wanted)
{
	mailsync_set_wanted(a->mail, wanted);
}

void
account_foreach_mailboxes(struct account *a,
    void (*fn)(const char *account_id, const struct mailbox_cache *,
    void *arg), void *arg)
{
	mailsync_foreach(a->mail, fn, arg);
}
