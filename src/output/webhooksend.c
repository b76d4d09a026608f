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
#include "output/webhook-int.h"
#include "output/webhooksign.h"
#include "session/backoff.h"
#include "session/credentials.h"
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

static struct wh_acct *
webhooksend_acct_find(struct webhook *w, const char *name)
{
	struct wh_acct *a;

	TAILQ_FOREACH(a, &w->accts, entry)
		if (strcmp(a->name, name) == 0)
			return a;
	return NULL;
}

static void
webhooksend_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct wh_acct *a = arg;

	webhooksend_kick(a->w, a->name);
}

static struct wh_acct *
webhooksend_acct_get(struct webhook *w, const char *name)
{
	struct wh_acct *a = webhooksend_acct_find(w, name);

	if (a != NULL)
		return a;
	a = xcalloc(1, sizeof(*a));
	a->w = w;
	a->name = xstrdup(name);
	a->timer = xevtimer_new(w->ws->base, webhooksend_retry_cb, a);
	backoff_init(&a->bo, w->cw->backoff_initial_ms, w->cw->backoff_max_ms,
	    0, backoff_seed(name));
	TAILQ_INSERT_TAIL(&w->accts, a, entry);
	return a;
}

/* Ends the account's request in flight, if any: its event stays first
 * and will be sent again with the same id. */
void
webhooksend_acct_halt(struct wh_acct *a)
{
	if (a->req != NULL) {
		http_cancel(a->req);
		a->req = NULL;
		evqueue_release(a->w->q, a->name);
	}
	event_del(a->timer);
}

void
webhooksend_acct_free(struct wh_acct *a)
{
	webhooksend_acct_halt(a);
	event_free(a->timer);
	free(a->name);
	free(a);
}

/* The pushState of an event for the log, "-" when it has none. */
static const char *
webhooksend_push_state(struct json_object *ev)
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
webhooksend_head_too_large(struct webhook *w, struct wh_acct *a,
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
	webhooksend_kick(w, a->name);
}

static void
webhooksend_done(const struct http_response *resp, const char *error, void *arg)
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
		webhooksend_head_too_large(w, a, it);
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
		    webhooksend_push_state(it->event), resp->status,
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
	webhooksend_kick(w, a->name);
}

/* Sends the account's first event unless one is in flight or waits for
 * its retry, or the key is not read yet. */
void
webhooksend_kick(struct webhook *w, const char *account)
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
	a = webhooksend_acct_get(w, account);
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
	a->req = http_get(w->ws->net, &o, webhooksend_done, a);
	free(prefix);
	free(hdrs);
	free(line);
}

static void
webhooksend_kick_account(const char *account, void *arg)
{
	webhooksend_kick(arg, account);
}

/* The key arrived: whatever waited for it goes. */
static void
webhooksend_key_set(struct webhook *w, char *key)
{
	secret_unref(w->key);
	w->key = secret_new(key);
	explicit_bzero(key, strlen(key));
	free(key);
	log_debug("%s: signing key read", w->log);
	evqueue_foreach_account(w->q, webhooksend_kick_account, w);
}

static void
webhooksend_key_failed(struct webhook *w, const char *what, const char *error)
{
	struct timeval tv = timeutil_tv_ms(WEBHOOK_SECRET_RETRY_MS);

	log_errx("%s: cannot read the signing key: %s: %s; events wait "
	    "(trying again in %ds, or at a reload)", w->log, what, error,
	    WEBHOOK_SECRET_RETRY_MS / 1000);
	evtimer_add(w->key_timer, &tv);
}

static void
webhooksend_key_proc_done(struct proc *p, int wstatus, bool timed_out,
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
		webhooksend_key_failed(w, "secret_command", why);
		return;
	}
	while (n < outlen && out[n] != '\n' && out[n] != '\r' && out[n] != '\0')
		n++;
	if (n == 0) {
		webhooksend_key_failed(w, "secret_command", "it printed "
		    "nothing on its first line");
		return;
	}
	webhooksend_key_set(w, xstrndup(out, n));
}

void
webhooksend_read_key(struct webhook *w)
{
	const struct config_webhook *cw = w->cw;
	struct proc_spec spec;
	char *key = NULL, *error = NULL, *argv[4], *name;

	event_del(w->key_timer);
	if (w->keyreq != NULL)
		return;
	if (cw->secret_kind == WEBHOOK_SECRET_FILE) {
		if (credentials_read_file(cw->secret, &key, &error) == -1) {
			webhooksend_key_failed(w, "secret_file", error);
			free(error);
			return;
		}
		webhooksend_key_set(w, key);
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
	spec.done = webhooksend_key_proc_done;
	w->keyreq = xcalloc(1, sizeof(*w->keyreq));
	w->keyreq->w = w;
	spec.arg = w->keyreq;
	if (proc_spawn(&spec) == NULL) {
		free(w->keyreq);
		w->keyreq = NULL;
		webhooksend_key_failed(w, "secret_command", "cannot run it");
	}
	free(name);
}

void
webhooksend_key_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	webhooksend_read_key(arg);
}
