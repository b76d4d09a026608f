/* SPDX-License-Identifier: ISC */
/*
 * One connection attempt of an account, once the pacer gave it a slot:
 * the credentials, the Session GET, the choice of transport, the push
 * channel's opening, and what its end means (closepolicy.h) for the next
 * attempt.  Each step's result moves the account on through
 * account_enter() (account-int.h).
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "config/config.h"
#include "session/account-int.h"
#include "session/backoff.h"
#include "session/channel.h"
#include "session/closepolicy.h"
#include "session/credentials.h"
#include "session/discovery.h"
#include "session/jmapurl.h"
#include "session/pacer.h"
#include "session/session.h"
#include "state/store.h"
#include "transport/endpoint.h"
#include "transport/http.h"
#include "transport/net.h"
#include "util/log.h"
#include "util/secret.h"
#include "util/xmalloc.h"

static int attempt_choose(struct account *);

/* Whether this attempt opens the channel with the Session it has
 * (account-int.h, session_reuse). */
static bool
attempt_reuse_session(const struct account *a)
{
	return a->have_session && a->session_reuse &&
	    backoff_now_ms() < a->session_reuse_until;
}

static void
attempt_credentials_done(const char *authorization, const char *error,
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
	if (!attempt_reuse_session(a)) {
		account_enter(a, ACCOUNT_S_SESSION);
		return;
	}
	log_debug("%s: opening the push channel with the Session fetched "
	    "before", a->prefix);
	if (attempt_choose(a) == -1)
		return;
	account_enter(a, ACCOUNT_S_OPENING);
}

void
attempt_credentials(struct account *a)
{
	a->cred = credentials_get(net_base(a->net), a->cfg,
	    attempt_credentials_done, a);
}

/* Which transport: "auto" takes the WebSocket when the Session offers it
 * with push, else the event stream (jmap-pushd.conf(5), transport). */
static int
attempt_choose(struct account *a)
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
attempt_ch_established(struct channel *ch, void *arg)
{
	struct account *a = arg;

	/* Too late: the user asked for a new connection, and this one is
	 * being closed for it. */
	if (a->state == ACCOUNT_S_RECONNECTING)
		return;
	account_enter(a, ACCOUNT_S_CONNECTED);
}

static void
attempt_ch_closed(struct channel *ch, const struct close_info *info,
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

void
attempt_open(struct account *a)
{
	struct channel_callbacks cbs = {
		.established = attempt_ch_established,
		.state = deliver_ch_state,
		.resume = deliver_ch_resume,
		.session = deliver_ch_session,
		.closed = attempt_ch_closed,
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
attempt_session_done(const struct http_response *resp, const char *error,
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
	if (attempt_choose(a) == -1)
		return;
	account_enter(a, ACCOUNT_S_OPENING);
}

void
attempt_session(struct account *a)
{
	char *url;

	if ((url = jmapurl_from_config(a->cfg->url)) == NULL) {
		account_retry(a, ACCOUNT_DISABLED, CLOSEPOLICY_MAX,
		    "url = %s is neither a host name nor an http(s) URL",
		    a->cfg->url);
		return;
	}
	a->http = discovery_get(a->net, a->cfg, a->prefix, url,
	    a->auth, attempt_session_done, a);
	free(url);
}
