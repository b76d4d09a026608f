/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "config/config.h"
#include "output/evqueue.h"
#include "output/sockproto.h"
#include "output/webhook.h"
#include "output/webhook-int.h"
#include "session/account.h"
#include "session/backoff.h"
#include "state/queuefile.h"
#include "state/statedir.h"
#include "transport/endpoint.h"
#include "util/log.h"
#include "util/secret.h"
#include "util/xevent.h"
#include "util/xmalloc.h"

/* A webhook's events = is a socket subscription's events. */
_Static_assert(CONFIG_WEBHOOK_EV_STATE == SOCKPROTO_EV_STATE &&
    CONFIG_WEBHOOK_EV_CONNECTION == SOCKPROTO_EV_CONNECTION &&
    CONFIG_WEBHOOK_EV_MAILBOX == SOCKPROTO_EV_MAILBOX &&
    CONFIG_WEBHOOK_EV_MAIL == SOCKPROTO_EV_MAIL,
    "webhook event bits are the socket's");

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
	w->key_timer = xevtimer_new(ws->base, webhooksend_key_timer_cb, w);
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
	webhooksend_read_key(w);
	return w;
}

static void
wh_free(struct webhook *w)
{
	struct wh_acct *a;

	while ((a = TAILQ_FIRST(&w->accts)) != NULL) {
		TAILQ_REMOVE(&w->accts, a, entry);
		webhooksend_acct_free(a);
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
		webhooksend_read_key(w);
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
			webhooksend_acct_halt(a);
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
		webhooksend_kick(w, account);
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
