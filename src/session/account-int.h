/* SPDX-License-Identifier: ISC */
/*
 * The account's insides, private to the three files that make one
 * account: account.c (the state machine: account_enter() and the
 * waits), attempt.c (a connection attempt: credentials, the Session,
 * the choice of transport, the channel's opening and its end) and
 * deliver.c (what an open channel brings: StateChanges, state
 * comparisons, the Session refresh).  Nothing outside src/session/
 * includes this.
 */
#ifndef JP_ACCOUNT_INT_H
#define JP_ACCOUNT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <event2/util.h>

#include "session/account.h"
#include "session/backoff.h"
#include "session/channel.h"
#include "session/closepolicy.h"
#include "session/session.h"

struct channel;
struct credentials_req;
struct discovery;
struct event;
struct http_request;
struct mailsync;
struct pacer_ticket;
struct secret;

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
	char *session_url;	/* the Session's, after redirects */
	struct discovery *refresh;	/* the Session in the background */
	struct jmap_session session;
	bool have_session;
	/*
	 * The Session opened a channel, and nothing since spoke against it
	 * (closepolicy's keep_session): attempts skip the Session GET until
	 * session_reuse_until (monotonic ms; 0 while the channel is up).  A
	 * reconnect storm then costs one connection per account, not three
	 * (bench/README.md, figure 5).
	 */
	bool session_reuse;
	uint64_t session_reuse_until;
	/* The last Response sessionState that differed from the Session's
	 * and had it fetched again; NULL: none. */
	char *session_asked;
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
	struct mailsync *mail;		/* the mail view's driver */
};

/* account.c */
/* Neither stopping nor stopped: it may connect. */
bool account_running(const struct account *);
/* The one way into a state (account.c says how). */
void account_enter(struct account *, enum account_state);
/* From STOPPED (a start), a wait that ended, or a channel closed for
 * reconnecting; never while stopping (the retry timer is off then). */
void account_connect(struct account *);
/* Schedules the next attempt after the error formatted here, which
 * becomes the account's last error; never gives up. */
void account_retry(struct account *, enum account_status,
    enum closepolicy_wait, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Carries out what closepolicy decides about an ended attempt (in is
 * borrowed for the call). */
void account_ended(struct account *, const struct closepolicy_in *in);
/* The types to push and compare: the account's own, else the Session's
 * (borrowed from either); *n gets their number. */
char **account_types(struct account *, size_t *n);

/* attempt.c: the entry actions of ACCOUNT_S_CREDENTIALS, _SESSION and
 * _OPENING.  Each ends in account_enter() of the next phase or in
 * account_retry()/account_ended(), on a later loop turn. */
void attempt_credentials(struct account *);
void attempt_session(struct account *);
void attempt_open(struct account *);

/* deliver.c */
/* Compares every state with the store after connecting (periodic: for
 * resync_interval), delivering what moved. */
void deliver_resync(struct account *, bool periodic);
/* Arms resync_timer for the next resync_interval, if one is set. */
void deliver_resync_arm(struct account *);
/* resync_timer's callback (arg: the account). */
void deliver_resync_cb(evutil_socket_t, short, void *arg);
/* discovery's callback: a refreshed Session (taken). */
void deliver_fresh(struct jmap_session *fresh, void *arg);
/* The channel's state, resume and session callbacks (arg: the
 * account). */
void deliver_ch_state(struct channel *, const struct frame *,
    const char *resume, void *arg);
void deliver_ch_resume(struct channel *, const char *resume, void *arg);
void deliver_ch_session(struct channel *, const char *session_state,
    void *arg);

#endif
