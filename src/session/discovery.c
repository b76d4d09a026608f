/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/event.h>

#include "config/config.h"
#include "session/backoff.h"
#include "session/credentials.h"
#include "session/discovery.h"
#include "session/session.h"
#include "transport/endpoint.h"
#include "transport/net.h"
#include "util/log.h"
#include "util/secret.h"
#include "util/timeutil.h"
#include "util/xevent.h"
#include "util/xmalloc.h"

#define DISCOVERY_TIMEOUT_MS		30000
#define DISCOVERY_MAX_REDIRECTS		5
/* A server inventing accountIds must not make us fetch the Session (and
 * run password_command) back to back (issue 12): at most this often. */
#define DISCOVERY_REFRESH_MS		60000

struct discovery {
	struct net *net;
	const struct config_account *cfg;	/* borrowed */
	char *prefix;
	discovery_fresh_cb fresh;
	void *arg;
	char *session_url;	/* the account's last; NULL: none yet */
	struct credentials_req *cred;
	struct http_request *http;
	struct secret *auth;	/* the credentials the server last accepted */
	struct secret *read;	/* read for the refresh in flight */
	uint64_t at_ms;		/* monotonic; 0: never refreshed */
	struct event *later;
};

struct http_request *
discovery_get(struct net *net, const struct config_account *cfg,
    const char *log_prefix, const char *url, struct secret *authorization,
    http_done_cb done, void *arg)
{
	struct endpoint *ep;
	struct http_request *req;
	struct http_opts o;

	ep = endpoint_new(url, authorization, cfg->ca_file, cfg->insecure);
	memset(&o, 0, sizeof(o));
	o.endpoint = ep;
	o.accept = "application/json";
	o.max_redirects = DISCOVERY_MAX_REDIRECTS;
	o.max_body = SESSION_MAX_LEN;
	o.timeout_ms = DISCOVERY_TIMEOUT_MS;
	o.log_prefix = log_prefix;
	req = http_get(net, &o, done, arg);
	endpoint_unref(ep);
	return req;
}

int
discovery_check_plain(const struct config_account *cfg,
    const char *log_prefix, const struct jmap_session *s,
    const char *session_url, char **err)
{
	const char *what, *plain;

	if (strncasecmp(session_url, "https:", 6) != 0 ||
	    (plain = session_plain_url(s, &what)) == NULL)
		return 0;
	if (cfg->insecure) {
		log_warnx("%s: insecure = yes: the Session from %s names %s "
		    "%s, which is not encrypted; the credentials travel in "
		    "clear",
		    log_prefix, session_url, what, plain);
		return 0;
	}
	xasprintf(err, "refused the Session from %s: it names %s %s, which "
	    "is not encrypted, and the credentials would travel in clear; "
	    "ask the server's administrator to fix it, or set insecure = yes "
	    "to accept it", session_url, what, plain);
	return -1;
}

/* Lets go of a credential and forgets it. */
static void
discovery_drop(struct secret **s)
{
	secret_unref(*s);
	*s = NULL;
}

static void
discovery_done(const struct http_response *resp, const char *error,
    void *arg)
{
	struct discovery *d = arg;
	struct jmap_session fresh;
	char *perr = NULL;

	d->http = NULL;
	/* The next refresh reads them again. */
	if (error == NULL && (resp->status == 401 || resp->status == 403))
		discovery_drop(&d->auth);
	/* Read again and accepted: the next refresh reuses them. */
	if (error == NULL && resp->status == 200 && d->read != NULL) {
		discovery_drop(&d->auth);
		d->auth = d->read;
		d->read = NULL;
	}
	discovery_drop(&d->read);
	if (error == NULL && resp->status != 200)
		log_warnx("%s: refreshing the Session failed with HTTP %d",
		    d->prefix, resp->status);
	else if (error != NULL)
		log_warnx("%s: refreshing the Session failed: %s", d->prefix,
		    error);
	else if (session_parse(resp->body, resp->body_len, resp->final_url,
	    &fresh, &perr) == -1) {
		log_warnx("%s: the refreshed Session is invalid: %s",
		    d->prefix, perr);
		free(perr);
	} else if (discovery_check_plain(d->cfg, d->prefix, &fresh,
	    resp->final_url, &perr) == -1) {
		log_warnx("%s: the refreshed Session is not used: %s",
		    d->prefix, perr);
		free(perr);
		session_clear(&fresh);
	} else
		d->fresh(&fresh, d->arg);
}

static void
discovery_credentials(const char *authorization, const char *error,
    void *arg)
{
	struct discovery *d = arg;

	d->cred = NULL;
	if (error != NULL) {
		log_warnx("%s: cannot refresh the Session: %s", d->prefix,
		    error);
		return;
	}
	d->read = secret_new(authorization);
	d->http = discovery_get(d->net, d->cfg, d->prefix, d->session_url,
	    d->read, discovery_done, d);
}

/* A change for an accountId the Session did not list (an account shared
 * with us since): the account delivers it all the same, and learns its
 * name here in the background without touching the push connection. */
static void
discovery_run(struct discovery *d)
{
	uint64_t now = backoff_now_ms(), wait;
	struct timeval tv;

	if (d->at_ms != 0 && now - d->at_ms < DISCOVERY_REFRESH_MS) {
		wait = d->at_ms + DISCOVERY_REFRESH_MS - now;
		log_debug("%s: the Session was fetched %.0fs ago; fetching it "
		    "again in %.0fs", d->prefix, (double)(now - d->at_ms) /
		    1000, (double)wait / 1000);
		tv = timeutil_tv_ms(wait);
		evtimer_add(d->later, &tv);
		return;
	}
	d->at_ms = now;
	if (d->auth != NULL)
		d->http = discovery_get(d->net, d->cfg, d->prefix,
		    d->session_url, d->auth, discovery_done, d);
	else
		d->cred = credentials_get(net_base(d->net), d->cfg,
		    discovery_credentials, d);
}

static void
discovery_later_cb(evutil_socket_t fd, short what, void *arg)
{
	discovery_refresh(arg);
}

void
discovery_set_url(struct discovery *d, const char *session_url)
{
	free(d->session_url);
	d->session_url = xstrdup(session_url);
}

void
discovery_refresh(struct discovery *d)
{
	if (d->session_url == NULL || d->cred != NULL || d->http != NULL ||
	    evtimer_pending(d->later, NULL))
		return;
	discovery_run(d);
}

struct discovery *
discovery_new(struct net *net, const struct config_account *cfg,
    const char *log_prefix, discovery_fresh_cb fresh, void *arg)
{
	struct discovery *d = xcalloc(1, sizeof(*d));

	d->net = net;
	d->cfg = cfg;
	d->prefix = xstrdup(log_prefix);
	d->fresh = fresh;
	d->arg = arg;
	d->later = xevtimer_new(net_base(net), discovery_later_cb, d);
	return d;
}

void
discovery_set_config(struct discovery *d, const struct config_account *cfg)
{
	d->cfg = cfg;
}

void
discovery_keep_auth(struct discovery *d, struct secret *authorization)
{
	discovery_drop(&d->auth);
	d->auth = authorization;
}

void
discovery_forget_auth(struct discovery *d)
{
	discovery_drop(&d->auth);
}

void
discovery_cancel(struct discovery *d)
{
	credentials_cancel(d->cred);
	d->cred = NULL;
	http_cancel(d->http);
	d->http = NULL;
	evtimer_del(d->later);
	discovery_drop(&d->auth);
	discovery_drop(&d->read);
}

void
discovery_free(struct discovery *d)
{
	if (d == NULL)
		return;
	discovery_cancel(d);
	event_free(d->later);
	free(d->session_url);
	free(d->prefix);
	free(d);
}
