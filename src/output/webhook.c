/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <sys/queue.h>
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "config/config.h"
#include "config/values.h"
#include "output/evqueue.h"
#include "output/sockproto.h"
#include "output/webhook.h"
#include "output/webhooksign.h"
#include "session/account.h"
#include "session/backoff.h"
#include "session/credentials.h"
#include "state/queuefile.h"
#include "state/statedir.h"
#include "transport/endpoint.h"
#include "transport/http.h"
#include "util/log.h"
#include "util/proc.h"
#include "util/secret.h"
#include "util/strv.h"
#include "util/timeutil.h"
#include "util/xevent.h"
#include "util/xmalloc.h"

/* A receiver's answer is read only to be logged: keep it small. */
#define WEBHOOK_MAX_BODY	(16 * 1024)
/* secret_command gets as long as password_command. */
#define WEBHOOK_SECRET_TIMEOUT_MS	(30 * 1000)
/* After secret_file or secret_command failed: try again this much later
 * (a reload tries at once). */
#define WEBHOOK_SECRET_RETRY_MS		(60 * 1000)

/* A webhook's events = is a socket subscription's events. */
_Static_assert(CONFIG_WEBHOOK_EV_STATE == SOCKPROTO_EV_STATE &&
    CONFIG_WEBHOOK_EV_CONNECTION == SOCKPROTO_EV_CONNECTION &&
    CONFIG_WEBHOOK_EV_MAILBOX == SOCKPROTO_EV_MAILBOX &&
    CONFIG_WEBHOOK_EV_MAIL == SOCKPROTO_EV_MAIL,
    "webhook event bits are the socket's");

struct webhook;

/* One account's delivery to one webhook: at most one request. */
struct wh_acct {
	struct webhook		*w;
	char			*name;
	struct http_request	*req;
	struct event		*timer;		/* the wait before a retry */
	uint64_t		 retry_ms;	/* when it ends (monotonic) */
	struct backoff		 bo;
	TAILQ_ENTRY(wh_acct)	 entry;
};

/* A secret_command run; outlives its webhook when that goes first. */
struct wh_keyreq {
	struct webhook		*w;		/* NULL: nobody waits */
};

struct webhook {
	struct webhooks		*ws;
	char			*name;
	char			*log;		/* "webhook NAME" */
	char			*file;		/* webhook-NAME.queue */
	struct config		*cfg;		/* a reference */
	const struct config_webhook *cw;	/* in cfg */
	struct sockproto_sub	 sub;
	struct evqueue		*q;
	struct endpoint		*ep;
	struct secret		*key;		/* NULL until read */
	struct wh_keyreq	*keyreq;	/* secret_command running */
	struct event		*key_timer;	/* the next try to read it */
	char			*last_error;	/* of the last failed attempt;
						 * NULL after a delivery */
	bool			 head_warned;	/* headers too large, said */
	TAILQ_HEAD(, wh_acct)	 accts;
	TAILQ_ENTRY(webhook)	 entry;
};

struct webhooks {
	struct event_base	*base;
	struct net		*net;
	char			*state_dir;
	bool			 stopped;
	TAILQ_HEAD(, webhook)	 list;
};

static void wh_kick(struct webhook *, const char *account);
static void wh_read_key(struct webhook *);

/* The filter of cw as a socket subscription (the same semantics). */
static void
wh_set_sub(struct webhook *w)
{
	const struct config_webhook *cw = w->cw;

	sockproto_sub_clear(&w->sub);
	w->sub.events = cw->events;
	if (cw->accounts != NULL) {
		w->sub.all_accounts = false;
		w->sub.accounts = xcalloc(cw->naccounts + 1, sizeof(char *));
		for (size_t i = 0; i < cw->naccounts; i++)
			w->sub.accounts[i] = xstrdup(cw->accounts[i]);
		w->sub.naccounts = cw->naccounts;
	}
	if (cw->types != NULL) {
		w->sub.all_types = false;
		w->sub.types = xcalloc(cw->ntypes + 1, sizeof(char *));
		for (size_t i = 0; i < cw->ntypes; i++)
			w->sub.types[i] = xstrdup(cw->types[i]);
		w->sub.ntypes = cw->ntypes;
	}
}

/* Takes cw (of cfg, a new reference) as the webhook's section. */
static void
wh_configure(struct webhook *w, struct config *cfg,
    const struct config_webhook *cw)
{
	struct wh_acct *a;

	config_ref(cfg);
	config_unref(w->cfg);
	w->cfg = cfg;
	w->cw = cw;
	wh_set_sub(w);
	endpoint_unref(w->ep);
	w->ep = endpoint_new(cw->url, NULL, cw->ca_file, cw->insecure);
	evqueue_set_max(w->q, cw->queue);
	TAILQ_FOREACH(a, &w->accts, entry) {
		a->bo.initial_ms = cw->backoff_initial_ms;
		a->bo.max_ms = cw->backoff_max_ms;
	}
}

static struct wh_acct *
wh_acct_find(struct webhook *w, const char *name)
{
	struct wh_acct *a;

	TAILQ_FOREACH(a, &w->accts, entry)
		if (strcmp(a->name, name) == 0)
			return a;
	return NULL;
}

static void
wh_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct wh_acct *a = arg;

	wh_kick(a->w, a->name);
}

static struct wh_acct *
wh_acct_get(struct webhook *w, const char *name)
{
	struct wh_acct *a = wh_acct_find(w, name);

	if (a != NULL)
		return a;
	a = xcalloc(1, sizeof(*a));
	a->w = w;
	a->name = xstrdup(name);
	a->timer = xevtimer_new(w->ws->base, wh_retry_cb, a);
	backoff_init(&a->bo, w->cw->backoff_initial_ms, w->cw->backoff_max_ms,
	    0, backoff_seed(name));
	TAILQ_INSERT_TAIL(&w->accts, a, entry);
	return a;
}

/* Ends the account's request in flight, if any: its event stays first
 * and will be sent again with the same id. */
static void
wh_acct_halt(struct wh_acct *a)
{
	if (a->req != NULL) {
		http_cancel(a->req);
		a->req = NULL;
		evqueue_release(a->w->q, a->name);
	}
	event_del(a->timer);
}

static void
wh_acct_free(struct wh_acct *a)
{
	wh_acct_halt(a);
	event_free(a->timer);
	free(a->name);
	free(a);
}

/* The pushState of an event for the log, "-" when it has none. */
static const char *
wh_push_state(struct json_object *ev)
{
	struct json_object *v;

	if (json_object_object_get_ex(ev, "pushState", &v) &&
	    json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return "-";
}

/* A POST whose headers did not fit lws's buffer was never sent, and
 * its retries would not be either: dropped, said once per webhook.
 * config/keys.c refuses such a headers_file, so this is a safety net
 * (a longer Content-Length than its margin allows). */
static void
wh_head_too_large(struct webhook *w, struct wh_acct *a,
    const struct evqueue_item *it)
{
	if (!w->head_warned)
		log_warnx("%s: account %s: the request headers do not fit "
		    "libwebsockets' buffer: delivery %s dropped, and every "
		    "one that does not fit after it; shorten headers_file "
		    "or the url", w->log, a->name, it->id);
	else
		log_debug("%s: account %s: headers too large: dropped "
		    "delivery %s", w->log, a->name, it->id);
	w->head_warned = true;
	free(w->last_error);
	xasprintf(&w->last_error, "account %s: headers too large: dropped",
	    a->name);
	evqueue_done(w->q, a->name);
	wh_kick(w, a->name);
}

static void
wh_done(const struct http_response *resp, const char *error, void *arg)
{
	struct wh_acct *a = arg;
	struct webhook *w = a->w;
	const struct evqueue_item *it = evqueue_peek(w->q, a->name);
	enum webhooksign_outcome out = webhooksign_outcome(resp->status);
	uint64_t delay, floor;
	char why[64], secs[32];
	struct timeval tv;

	a->req = NULL;
	if (resp->head_too_large) {
		wh_head_too_large(w, a, it);
		return;
	}
	if (resp->tls_failed)
		out = WEBHOOKSIGN_RETRY;
	switch (out) {
	case WEBHOOKSIGN_DELIVERED:
		log_debug("%s: account %s: delivered %s (HTTP %d)", w->log,
		    a->name, it->id, resp->status);
		backoff_reset(&a->bo);
		evqueue_done(w->q, a->name);
		free(w->last_error);
		w->last_error = NULL;
		break;
	case WEBHOOKSIGN_DROP:
		log_warnx("%s: account %s: the receiver refused the event "
		    "(pushState %s) with HTTP %d%s: dropped delivery %s; fix "
		    "the receiver or the url", w->log, a->name,
		    wh_push_state(it->event), resp->status,
		    resp->status >= 300 && resp->status < 400 ?
		    " (redirects are not followed)" : "", it->id);
		free(w->last_error);
		xasprintf(&w->last_error, "account %s: HTTP %d: dropped",
		    a->name, resp->status);
		/* A refusal is an answer from a live receiver, as a 2xx
		 * is: the next event's retries start from the beginning. */
		backoff_reset(&a->bo);
		evqueue_done(w->q, a->name);
		break;
	case WEBHOOKSIGN_RETRY:
		evqueue_release(w->q, a->name);
		floor = webhooksign_retry_after(resp->retry_after, time(NULL));
		delay = backoff_next(&a->bo, floor);
		if (resp->status != 0)
			snprintf(why, sizeof(why), "HTTP %d", resp->status);
		value_format_ms(delay, secs, sizeof(secs));
		free(w->last_error);
		xasprintf(&w->last_error, "account %s: %s", a->name,
		    resp->status != 0 ? why : error != NULL ? error :
		    "no response");
		log_warnx("%s: account %s: delivery %s failed: %s; retrying "
		    "in %s", w->log, a->name, it->id, resp->status != 0 ? why :
		    error != NULL ? error : "no response", secs);
		tv = timeutil_tv_ms(delay);
		/* libevent counts a timeout from the time it cached when this
		 * loop turn began, which may be milliseconds ago: Retry-After
		 * is a lower bound, so count from now. */
		event_base_update_cache_time(w->ws->base);
		evtimer_add(a->timer, &tv);
		a->retry_ms = backoff_now_ms() + delay;
		return;
	}
	wh_kick(w, a->name);
}

/* Sends the account's first event unless one is in flight or waits for
 * its retry, or the key is not read yet. */
static void
wh_kick(struct webhook *w, const char *account)
{
	const struct evqueue_item *it;
	struct wh_acct *a;
	struct http_opts o;
	const char **hdrs;
	char *line, ts[32], sig[WEBHOOKSIGN_LEN], *prefix;
	size_t n = 0, nextra = strv_len(w->cw->headers);
	const char *key;

	if (w->ws->stopped || w->key == NULL)
		return;
	a = wh_acct_get(w, account);
	if (a->req != NULL || evtimer_pending(a->timer, NULL) ||
	    (it = evqueue_peek(w->q, account)) == NULL)
		return;
	/* The body is the socket's line: re-made, byte for byte the same,
	 * for each attempt, and signed afresh with this attempt's time. */
	line = sockproto_line(json_object_get(it->event));
	line[strlen(line) - 1] = '\0';
	snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
	key = secret_value(w->key);
	webhooksign_signature(key, strlen(key), ts, line, strlen(line), sig);

	hdrs = xcalloc(6 + nextra + 1, sizeof(*hdrs));
	hdrs[n++] = "x-jmap-pushd-delivery:";
	hdrs[n++] = it->id;
	hdrs[n++] = "x-jmap-pushd-timestamp:";
	hdrs[n++] = ts;
	hdrs[n++] = "x-jmap-pushd-signature:";
	hdrs[n++] = sig;
	for (size_t i = 0; i < nextra; i++)
		hdrs[n++] = w->cw->headers[i];
	xasprintf(&prefix, "%s: account %s", w->log, account);
	memset(&o, 0, sizeof(o));
	o.endpoint = w->ep;
	o.content_type = "application/json";
	o.body = line;
	o.body_len = strlen(line);
	o.headers = hdrs;
	o.max_redirects = 0;
	o.max_body = WEBHOOK_MAX_BODY;
	o.timeout_ms = w->cw->timeout_ms;
	o.log_prefix = prefix;
	a->req = http_get(w->ws->net, &o, wh_done, a);
	free(prefix);
	free(hdrs);
	free(line);
}

static void
wh_kick_account(const char *account, void *arg)
{
	wh_kick(arg, account);
}

/* The key arrived: whatever waited for it goes. */
static void
wh_key_set(struct webhook *w, char *key)
{
	secret_unref(w->key);
	w->key = secret_new(key);
	explicit_bzero(key, strlen(key));
	free(key);
	log_debug("%s: signing key read", w->log);
	evqueue_foreach_account(w->q, wh_kick_account, w);
}

static void
wh_key_failed(struct webhook *w, const char *what, const char *error)
{
	struct timeval tv = timeutil_tv_ms(WEBHOOK_SECRET_RETRY_MS);

	log_errx("%s: cannot read the signing key: %s: %s; events wait "
	    "(trying again in %ds, or at a reload)", w->log, what, error,
	    WEBHOOK_SECRET_RETRY_MS / 1000);
	evtimer_add(w->key_timer, &tv);
}

static void
wh_key_proc_done(struct proc *p, int wstatus, bool timed_out,
    const char *out, size_t outlen, void *arg)
{
	struct wh_keyreq *r = arg;
	struct webhook *w = r->w;
	size_t n = 0;
	char why[64];

	free(r);
	if (w == NULL)
		return;
	w->keyreq = NULL;
	if (timed_out || !WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
		snprintf(why, sizeof(why), timed_out ? "it timed out" :
		    "it failed (%s %d); run it by hand to see why",
		    WIFEXITED(wstatus) ? "exit status" : "signal",
		    WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) :
		    WTERMSIG(wstatus));
		wh_key_failed(w, "secret_command", why);
		return;
	}
	while (n < outlen && out[n] != '\n' && out[n] != '\r' && out[n] != '\0')
		n++;
	if (n == 0) {
		wh_key_failed(w, "secret_command", "it printed nothing on its "
		    "first line");
		return;
	}
	wh_key_set(w, xstrndup(out, n));
}

static void
wh_read_key(struct webhook *w)
{
	const struct config_webhook *cw = w->cw;
	struct proc_spec spec;
	char *key = NULL, *error = NULL, *argv[4], *name;

	event_del(w->key_timer);
	if (w->keyreq != NULL)
		return;
	if (cw->secret_kind == WEBHOOK_SECRET_FILE) {
		if (credentials_read_file(cw->secret, &key, &error) == -1) {
			wh_key_failed(w, "secret_file", error);
			free(error);
			return;
		}
		wh_key_set(w, key);
		return;
	}
	argv[0] = "/bin/sh";
	argv[1] = "-c";
	argv[2] = cw->secret;
	argv[3] = NULL;
	xasprintf(&name, "secret_command of %s", w->log);
	memset(&spec, 0, sizeof(spec));
	spec.name = name;
	spec.argv = argv;
	spec.capture_stdout = true;
	spec.timeout_ms = WEBHOOK_SECRET_TIMEOUT_MS;
	spec.done = wh_key_proc_done;
	w->keyreq = xcalloc(1, sizeof(*w->keyreq));
	w->keyreq->w = w;
	spec.arg = w->keyreq;
	if (proc_spawn(&spec) == NULL) {
		free(w->keyreq);
		w->keyreq = NULL;
		wh_key_failed(w, "secret_command", "cannot run it");
	}
	free(name);
}

static void
wh_key_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	wh_read_key(arg);
}

/* A webhook for cw, with the events its last run saved. */
static struct webhook *
wh_new(struct webhooks *ws, struct config *cfg,
    const struct config_webhook *cw)
{
	struct webhook *w = xcalloc(1, sizeof(*w));
	struct json_object *saved;

	w->ws = ws;
	w->name = xstrdup(cw->name);
	xasprintf(&w->log, "webhook %s", cw->name);
	w->file = statedir_file_name("webhook-", cw->name, ".queue");
	TAILQ_INIT(&w->accts);
	sockproto_sub_all(&w->sub);
	w->q = evqueue_new(cw->queue);
	w->key_timer = xevtimer_new(ws->base, wh_key_timer_cb, w);
	wh_configure(w, cfg, cw);
	if ((saved = queuefile_take(ws->state_dir, w->file)) != NULL) {
		if (evqueue_from_json(w->q, saved) == -1)
			log_warnx("%s: the saved events in %s/%s are not "
			    "usable: dropped", w->log, ws->state_dir, w->file);
		else if (evqueue_len(w->q) > 0)
			log_info("%s: sending the events saved at the last "
			    "stop (%zu)", w->log, evqueue_len(w->q));
		json_object_put(saved);
	}
	TAILQ_INSERT_TAIL(&ws->list, w, entry);
	wh_read_key(w);
	return w;
}

static void
wh_free(struct webhook *w)
{
	struct wh_acct *a;

	while ((a = TAILQ_FIRST(&w->accts)) != NULL) {
		TAILQ_REMOVE(&w->accts, a, entry);
		wh_acct_free(a);
	}
	if (w->keyreq != NULL)
		w->keyreq->w = NULL;
	event_free(w->key_timer);
	secret_unref(w->key);
	endpoint_unref(w->ep);
	evqueue_free(w->q);
	sockproto_sub_clear(&w->sub);
	config_unref(w->cfg);
	free(w->last_error);
	free(w->name);
	free(w->log);
	free(w->file);
	free(w);
}

struct webhooks *
webhook_new(struct event_base *base, struct net *net, struct config *cfg)
{
	struct webhooks *ws = xcalloc(1, sizeof(*ws));
	const struct config_webhook *cw;

	ws->base = base;
	ws->net = net;
	ws->state_dir = xstrdup(cfg->state_dir);
	TAILQ_INIT(&ws->list);
	TAILQ_FOREACH(cw, &cfg->webhooks, entry)
		wh_new(ws, cfg, cw);
	return ws;
}

void
webhook_set_config(struct webhooks *ws, struct config *cfg)
{
	const struct config_webhook *cw;
	struct webhook *w, *next;
	bool found;

	for (w = TAILQ_FIRST(&ws->list); w != NULL; w = next) {
		next = TAILQ_NEXT(w, entry);
		found = false;
		TAILQ_FOREACH(cw, &cfg->webhooks, entry)
			if (strcmp(cw->name, w->name) == 0)
				found = true;
		if (found)
			continue;
		if (evqueue_len(w->q) > 0)
			log_warnx("%s: removed from the configuration; "
			    "dropped the events not delivered (%zu)", w->log,
			    evqueue_len(w->q));
		TAILQ_REMOVE(&ws->list, w, entry);
		wh_free(w);
	}
	TAILQ_FOREACH(cw, &cfg->webhooks, entry) {
		TAILQ_FOREACH(w, &ws->list, entry)
			if (strcmp(cw->name, w->name) == 0)
				break;
		if (w == NULL) {
			wh_new(ws, cfg, cw);
			continue;
		}
		wh_configure(w, cfg, cw);
		wh_read_key(w);
	}
	free(ws->state_dir);
	ws->state_dir = xstrdup(cfg->state_dir);
}

void
webhook_stop(struct webhooks *ws)
{
	struct webhook *w;
	struct wh_acct *a;
	struct json_object *arr;

	if (ws == NULL || ws->stopped)
		return;
	ws->stopped = true;
	TAILQ_FOREACH(w, &ws->list, entry) {
		TAILQ_FOREACH(a, &w->accts, entry)
			wh_acct_halt(a);
		arr = evqueue_to_json(w->q);
		if (queuefile_save(ws->state_dir, w->file, arr) == 0 &&
		    json_object_array_length(arr) > 0)
			log_info("%s: saved the events not delivered yet "
			    "(%zu) for the next start", w->log,
			    json_object_array_length(arr));
		json_object_put(arr);
	}
}

void
webhook_free(struct webhooks *ws)
{
	struct webhook *w;

	if (ws == NULL)
		return;
	while ((w = TAILQ_FIRST(&ws->list)) != NULL) {
		TAILQ_REMOVE(&ws->list, w, entry);
		wh_free(w);
	}
	free(ws->state_dir);
	free(ws);
}

/* Queues ev (borrowed) for every webhook whose filter takes it. */
static void
wh_push(struct webhooks *ws, unsigned kind, const char *account,
    struct json_object *changed, struct json_object *ev)
{
	struct webhook *w;

	if (ws->stopped || ev == NULL)
		return;
	TAILQ_FOREACH(w, &ws->list, entry) {
		if (!sockproto_sub_wants(&w->sub, kind, account, changed))
			continue;
		evqueue_push(w->q, account, json_object_get(ev));
		wh_kick(w, account);
	}
}

void
webhook_state(struct webhooks *ws, const struct push_event *pe)
{
	struct json_object *ev;

	if (TAILQ_EMPTY(&ws->list))
		return;
	ev = sockproto_state_json(pe, time(NULL));
	wh_push(ws, SOCKPROTO_EV_STATE, pe->account, pe->changed, ev);
	json_object_put(ev);
}

void
webhook_connection(struct webhooks *ws, struct account *acct)
{
	struct json_object *ev;

	if (TAILQ_EMPTY(&ws->list))
		return;
	ev = sockproto_account_connection_json(acct);
	wh_push(ws, SOCKPROTO_EV_CONNECTION, account_name(acct), NULL, ev);
	json_object_put(ev);
}

void
webhook_mail(struct webhooks *ws, const struct mail_event *me)
{
	struct json_object *ev;

	if (!webhook_mail_wanted(ws, me->account))
		return;
	ev = sockproto_mailbox_json(me->account, me->account_id, me->result,
	    me->cache, NULL);
	wh_push(ws, SOCKPROTO_EV_MAILBOX, me->account, NULL, ev);
	json_object_put(ev);
	ev = sockproto_mail_json(me->account, me->account_id, me->result,
	    me->cache, NULL);
	wh_push(ws, SOCKPROTO_EV_MAIL, me->account, NULL, ev);
	json_object_put(ev);
}

bool
webhook_mail_wanted(const struct webhooks *ws, const char *account)
{
	const struct webhook *w;

	TAILQ_FOREACH(w, &ws->list, entry)
		if (sockproto_sub_mail_of(&w->sub, account))
			return true;
	return false;
}

/* One webhook's entry of the status reply. */
static struct json_object *
wh_status(const struct webhook *w)
{
	struct json_object	*o = json_object_new_object();
	const struct wh_acct	*a;
	uint64_t		 now = backoff_now_ms(), soonest = 0;
	int			 inflight = 0;
	bool			 waits = false;

	TAILQ_FOREACH(a, &w->accts, entry) {
		if (a->req != NULL)
			inflight++;
		else if (evtimer_pending(a->timer, NULL) && (!waits ||
		    a->retry_ms < soonest)) {
			soonest = a->retry_ms;
			waits = true;
		}
	}
	json_object_object_add(o, "name", json_object_new_string(w->name));
	json_object_object_add(o, "queued",
	    json_object_new_int64((int64_t)evqueue_len(w->q)));
	json_object_object_add(o, "inFlight", json_object_new_int(inflight));
	json_object_object_add(o, "lastError", w->last_error != NULL ?
	    json_object_new_string(w->last_error) : NULL);
	json_object_object_add(o, "retryIn", waits ? sockproto_seconds_json(
	    soonest > now ? (double)(soonest - now) / 1000 : 0) : NULL);
	return o;
}

struct json_object *
webhook_status(const struct webhooks *ws)
{
	struct json_object	*arr;
	const struct webhook	*w;

	if (TAILQ_EMPTY(&ws->list))
		return NULL;
	arr = json_object_new_array();
	TAILQ_FOREACH(w, &ws->list, entry)
		json_object_array_add(arr, wh_status(w));
	return arr;
}
