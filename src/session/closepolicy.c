/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include "session/backoff.h"
#include "session/closepolicy.h"
#include "util/xmalloc.h"

static void
closepolicy_set(struct closepolicy_decision *d, enum account_status status,
    enum closepolicy_wait wait, enum closepolicy_msg msg)
{
	d->status = status;
	d->wait = wait;
	d->msg = msg;
}

/* Tokens expire: a first rejection reads the credentials again and tries
 * once more at once; a second one needs the user, and hammering the
 * server could lock the account. */
static void
closepolicy_auth(const struct closepolicy_in *in,
    struct closepolicy_decision *d)
{
	d->forget_auth = true;
	if (!in->auth_retried) {
		d->auth_retry = true;
		closepolicy_set(d, ACCOUNT_CONNECTING, CLOSEPOLICY_NOW,
		    CLOSEPOLICY_MSG_AUTH_AGAIN);
	} else
		closepolicy_set(d, ACCOUNT_AUTH_FAILED, CLOSEPOLICY_MAX,
		    CLOSEPOLICY_MSG_AUTH_FAILED);
}

/* 429 and 503 may say how long to stay away. */
static uint64_t
closepolicy_retry_after(const struct closepolicy_in *in)
{
	if (in->http_status != 429 && in->http_status != 503)
		return 0;
	return backoff_retry_after(in->retry_after, in->now);
}

static void
closepolicy_session(const struct closepolicy_in *in,
    struct closepolicy_decision *d)
{
	if (in->error != NULL && in->redirect_refused)
		closepolicy_set(d, ACCOUNT_DISABLED, CLOSEPOLICY_MAX,
		    CLOSEPOLICY_MSG_REDIRECT);
	else if (in->error != NULL)
		closepolicy_set(d, ACCOUNT_BACKOFF, in->tls_failed ?
		    CLOSEPOLICY_MAX : CLOSEPOLICY_GROW, CLOSEPOLICY_MSG_ERROR);
	else if (in->http_status == 401 || in->http_status == 403)
		closepolicy_auth(in, d);
	/* Not a passing failure: the URL is wrong, and asking again every
	 * few seconds will not fix it. */
	else if (in->http_status == 404)
		closepolicy_set(d, ACCOUNT_DISABLED, CLOSEPOLICY_MAX,
		    CLOSEPOLICY_MSG_SESSION_404);
	else {
		closepolicy_set(d, ACCOUNT_BACKOFF, CLOSEPOLICY_GROW,
		    CLOSEPOLICY_MSG_SESSION_HTTP);
		d->floor_ms = closepolicy_retry_after(in);
	}
}

static void
closepolicy_channel(const struct closepolicy_in *in,
    struct closepolicy_decision *d)
{
	if (in->step == CLOSEPOLICY_WEBSOCKET && !in->was_established &&
	    (in->http_status == 404 || in->http_status == 400) &&
	    in->can_fall_back) {
		d->fall_back = true;
		closepolicy_set(d, ACCOUNT_CONNECTING, CLOSEPOLICY_NOW,
		    CLOSEPOLICY_MSG_FALL_BACK);
	} else if (in->http_status == 401 || in->http_status == 403)
		closepolicy_auth(in, d);
	/* As for the Session's redirect: asking again every few seconds
	 * would only be sent the same way. */
	else if (in->redirect_refused)
		closepolicy_set(d, ACCOUNT_DISABLED, CLOSEPOLICY_MAX,
		    CLOSEPOLICY_MSG_REDIRECT);
	else if (in->tls_failed || in->wrong_content_type)
		closepolicy_set(d, ACCOUNT_BACKOFF, CLOSEPOLICY_MAX,
		    CLOSEPOLICY_MSG_ERROR);
	else if (in->error != NULL) {
		closepolicy_set(d, ACCOUNT_BACKOFF, CLOSEPOLICY_GROW,
		    CLOSEPOLICY_MSG_ERROR);
		d->floor_ms = closepolicy_retry_after(in);
		/* Refused, reset, timed out: the server or the network is
		 * down, and its Session is as good as before.  Any HTTP
		 * answer may be the server saying the URL is no longer
		 * right. */
		d->keep_session = in->http_status == 0;
	} else if (in->long_lived) {
		/* A server's idle timeout or restart ends long-lived
		 * connections cleanly: that is normal, not a failure. */
		closepolicy_set(d, ACCOUNT_CONNECTING, CLOSEPOLICY_NOW,
		    CLOSEPOLICY_MSG_CLOSED);
		d->keep_session = true;
	} else
		closepolicy_set(d, ACCOUNT_BACKOFF, CLOSEPOLICY_GROW,
		    CLOSEPOLICY_MSG_CLOSED_SOON);
}

/* The first row that matches wins; the order is the policy. */
void
closepolicy_decide(const struct closepolicy_in *in,
    struct closepolicy_decision *d)
{
	memset(d, 0, sizeof(*d));
	if (in->step == CLOSEPOLICY_SESSION)
		closepolicy_session(in, d);
	else
		closepolicy_channel(in, d);
}

static const char *
closepolicy_what(enum closepolicy_step step)
{
	switch (step) {
	case CLOSEPOLICY_SESSION:
		return "Session";
	case CLOSEPOLICY_WEBSOCKET:
		return "WebSocket";
	default:
		return "event stream";
	}
}

/* The messages name what to do where the user can do something. */
char *
closepolicy_message(const struct closepolicy_in *in,
    const struct closepolicy_decision *d)
{
	const char *what = closepolicy_what(in->step);
	char closed[48], *s;

	if (in->step == CLOSEPOLICY_EVENTSOURCE)
		snprintf(closed, sizeof(closed), "event stream");
	else
		snprintf(closed, sizeof(closed), "connection (code %d)",
		    in->close_code);
	switch (d->msg) {
	case CLOSEPOLICY_MSG_FALL_BACK:
		xasprintf(&s, "the WebSocket endpoint answered HTTP %d; "
		    "falling back to EventSource", in->http_status);
		break;
	case CLOSEPOLICY_MSG_AUTH_AGAIN:
		xasprintf(&s, "the server rejected the credentials for the %s "
		    "(HTTP %d); reading them again", what, in->http_status);
		break;
	case CLOSEPOLICY_MSG_AUTH_FAILED:
		xasprintf(&s, "the server rejected the credentials for the %s "
		    "(HTTP %d); check username and the password or token "
		    "setting, then send SIGHUP or run jmap-pushctl reconnect",
		    what, in->http_status);
		break;
	case CLOSEPOLICY_MSG_REDIRECT:
		if (in->step == CLOSEPOLICY_SESSION)
			xasprintf(&s, "session request failed: %s; if you "
			    "trust that address, set url = to it, then send "
			    "SIGHUP or run jmap-pushctl reconnect", in->error);
		else
			xasprintf(&s, "%s request failed: %s; ask the server's "
			    "administrator to fix it, then send SIGHUP or run "
			    "jmap-pushctl reconnect", what, in->error);
		break;
	case CLOSEPOLICY_MSG_ERROR:
		if (in->step == CLOSEPOLICY_SESSION)
			xasprintf(&s, "session request failed: %s", in->error);
		else
			s = xstrdup(in->error);
		break;
	case CLOSEPOLICY_MSG_SESSION_404:
		xasprintf(&s, "the Session URL %s answered HTTP 404: there is "
		    "no JMAP Session there; set url = to the server's host "
		    "name (for autodiscovery) or to its Session URL, then "
		    "send SIGHUP or run jmap-pushctl reconnect", in->url);
		break;
	case CLOSEPOLICY_MSG_SESSION_HTTP:
		xasprintf(&s, "session request to %s failed with HTTP %d",
		    in->url, in->http_status);
		break;
	case CLOSEPOLICY_MSG_CLOSED:
		xasprintf(&s, "the server closed the %s", closed);
		break;
	default:
		xasprintf(&s, "the server closed the %s soon after it opened",
		    closed);
		break;
	}
	return s;
}
