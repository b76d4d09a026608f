/* SPDX-License-Identifier: ISC */
/* What an ended connection attempt means for the next one: which status
 * the account shows, how long it waits, and what it tells the user.  A pure
 * decision table (no I/O, no clock: the caller passes the time and how long
 * the connection lived), so that every row is unit-tested; account.c
 * gathers the facts and carries the decision out. */
#ifndef JP_CLOSEPOLICY_H
#define JP_CLOSEPOLICY_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "session/account.h"

/* Which step of the attempt ended. */
enum closepolicy_step {
	CLOSEPOLICY_SESSION,		/* the Session GET */
	CLOSEPOLICY_WEBSOCKET,		/* the push channel, a WebSocket */
	CLOSEPOLICY_EVENTSOURCE,	/* the push channel, an event stream */
};

/* The facts, all borrowed for the call. */
struct closepolicy_in {
	enum closepolicy_step step;
	/* What failed (DNS, connect, TLS, a refused upgrade, a ping timeout,
	 * max_frame, garbage...); NULL: the Session answered with an HTTP
	 * status, or the server closed the channel cleanly. */
	const char *error;
	int http_status;		/* 0: none */
	const char *retry_after;	/* the header; NULL: none */
	time_t now;			/* wall clock, for an HTTP-date one */
	int close_code;			/* WebSocket close code, else 0 */
	bool tls_failed;
	bool wrong_content_type;	/* an event stream that is not one */
	bool redirect_refused;		/* to http or another origin */
	bool was_established;
	bool long_lived;	/* the channel lived backoff_reset or longer */
	bool auth_retried;	/* an earlier 401/403 read the credentials
				 * again since the last connection */
	bool can_fall_back;	/* transport = auto and the Session has an
				 * eventSourceUrl */
	const char *url;	/* Session: the URL asked, after redirects */
};

/* How long to wait before the next attempt. */
enum closepolicy_wait {
	CLOSEPOLICY_NOW,	/* at once, not counted as a failure */
	CLOSEPOLICY_GROW,	/* the next step of the backoff, which grows */
	CLOSEPOLICY_MAX,	/* backoff_max: only the user can fix it */
};

/* What the user is told: one kind per row of the table. */
enum closepolicy_msg {
	CLOSEPOLICY_MSG_FALL_BACK,	/* WebSocket endpoint missing */
	CLOSEPOLICY_MSG_AUTH_AGAIN,	/* first 401/403: read them again */
	CLOSEPOLICY_MSG_AUTH_FAILED,	/* second 401/403: fix the config */
	CLOSEPOLICY_MSG_REDIRECT,	/* a redirect not followed */
	CLOSEPOLICY_MSG_ERROR,		/* the failure's own text */
	CLOSEPOLICY_MSG_SESSION_404,	/* no Session at that URL */
	CLOSEPOLICY_MSG_SESSION_HTTP,	/* the Session GET's HTTP status */
	CLOSEPOLICY_MSG_CLOSED,		/* a long-lived channel closed */
	CLOSEPOLICY_MSG_CLOSED_SOON,	/* closed soon after it opened */
};

struct closepolicy_decision {
	enum account_status status;	/* CONNECTING: reconnecting now */
	enum closepolicy_wait wait;
	uint64_t floor_ms;	/* a Retry-After the wait respects; 0: none */
	enum closepolicy_msg msg;
	bool fall_back;		/* the next channel is an event stream */
	bool auth_retry;	/* a first rejection: set auth_retried */
	bool forget_auth;	/* the credentials kept for Session refreshes
				 * were rejected: drop them */
	/* The push channel ended for a reason that says nothing against
	 * the Session (a clean close after a long life, a network error
	 * without an HTTP answer): the next attempt may open a channel
	 * with the Session it has, without fetching it again. */
	bool keep_session;
};

void closepolicy_decide(const struct closepolicy_in *,
    struct closepolicy_decision *);
/* The message for the user (without what follows: "retrying in ..."),
 * allocated; the caller frees. */
char *closepolicy_message(const struct closepolicy_in *,
    const struct closepolicy_decision *);

#endif
