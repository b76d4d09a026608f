/* SPDX-License-Identifier: ISC */
/* One configured account: credentials, Session discovery, the push channel
 * (a WebSocket or an event stream), durable resume state, and reconnecting,
 * as a state machine (enum account_state) that closepolicy.h advises.
 * account.c runs the machine; attempt.c and deliver.c (account-int.h) do
 * a connection attempt and what an open channel brings. */
#ifndef JP_ACCOUNT_H
#define JP_ACCOUNT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "session/request.h"

struct account;
struct config_account;
struct json_object;
struct net;
struct pacer;
struct store;

/* A change for one JMAP accountId, after its state was saved: what an
 * account hands to the outputs (callbacks.change), all borrowed for the
 * call. */
struct push_event {
	const char *account;		/* config name, e.g. "personal" */
	const char *account_id;		/* JMAP accountId this change is for */
	struct json_object *changed;	/* {TypeName: "state", ...} for it */
	const char *push_state;		/* NULL when none */
	const char *reason;		/* "push", "resync" or "start" */
};

struct mailbox_cache;
struct mailresult;

/* One round of the mail view of one JMAP account (accountId) of an
 * account, handed to the outputs before the view's new state is recorded
 * in the store (saved together with the hook runs it owes, so a crash
 * replays the round rather than losing it); all borrowed for the call. */
struct mail_event {
	const char *account;		/* config name */
	const char *account_id;		/* JMAP accountId */
	const struct mailresult *result;/* the round's, unfiltered */
	const struct mailbox_cache *cache; /* the mailboxes after it */
	const char *reason;		/* "push" or "resync" */
	bool primary;			/* account_id is the user's own
					 * (account_is_primary_mail) */
};

/* What the user sees (status, the socket, D-Bus, sd_notify). */
enum account_status {
	ACCOUNT_CONNECTING,
	ACCOUNT_CONNECTED,
	ACCOUNT_BACKOFF,
	ACCOUNT_AUTH_FAILED,
	ACCOUNT_DISABLED,
	ACCOUNT_STOPPED,
};

/* Where an account is: exactly one phase at a time, entered through one
 * function in account.c that does the phase's entry actions. */
enum account_state {
	ACCOUNT_S_STOPPED,	/* not started yet, or stopped() ran */
	ACCOUNT_S_QUEUED,	/* waiting for a slot of the pacer */
	ACCOUNT_S_CREDENTIALS,	/* reading them (password_command...) */
	ACCOUNT_S_SESSION,	/* fetching the Session */
	ACCOUNT_S_OPENING,	/* the push channel's handshake */
	ACCOUNT_S_CONNECTED,	/* the push channel is open */
	ACCOUNT_S_RECONNECTING,	/* the user asked: closing the channel to
				 * connect again at once */
	ACCOUNT_S_RETRY_NOW,	/* the next attempt on the next loop turn */
	ACCOUNT_S_BACKOFF,	/* waiting out the backoff */
	ACCOUNT_S_AUTH_FAILED,	/* waiting backoff_max: credentials rejected */
	ACCOUNT_S_DISABLED,	/* waiting backoff_max: for the user to fix */
	ACCOUNT_S_STOPPING,	/* closing; stopped() follows */
};

struct account_callbacks {
	/* A change, after its state was saved. */
	void (*change)(struct account *, const struct push_event *, void *arg);
	/* The status changed (for STATUS=, the socket, D-Bus). */
	void (*status)(struct account *, void *arg);
	/* account_stop() finished: the account may be freed now. */
	void (*stopped)(struct account *, void *arg);
	/* A round of the mail view (only while it is wanted). */
	void (*mail)(struct account *, const struct mail_event *, void *arg);
};

/* Every connection attempt waits for a slot of the pacer.  The account
 * holds a reference to the config its section belongs to (ca->config)
 * until account_free or the next account_set_config. */
struct account *account_new(struct net *, struct pacer *,
    const struct config_account *ca, const char *state_dir,
    const struct account_callbacks *, void *arg);
void account_free(struct account *);
void account_start(struct account *);
/* Why an account stops, which its server is told. */
enum account_stop_why {
	ACCOUNT_STOP_RECONFIGURED,	/* a reload removed or changed it */
	ACCOUNT_STOP_SHUTDOWN,		/* the daemon is stopping */
};

/* Closes cleanly (close frame, bounded wait); stopped() follows. */
void account_stop(struct account *, enum account_stop_why);
/* Swaps in an equal section of a newer config (after a reload), moving
 * the reference from the old config to ca->config. */
void account_set_config(struct account *, const struct config_account *);

const char *account_name(const struct account *);
const struct config_account *account_config(const struct account *);
enum account_status account_status(const struct account *);
const char *account_status_name(enum account_status);
enum account_state account_state(const struct account *);
const char *account_state_name(enum account_state);
/* The status shown in state s: closing (to stop or to reconnect) keeps
 * shown, the status shown before. */
enum account_status account_state_status(enum account_state s,
    enum account_status shown);
/* Last error, NULL when none. */
const char *account_error(const struct account *);
/* Seconds until the next attempt while in backoff. */
double account_retry_in(const struct account *);
/* Wall-clock time of the last status change, and of the last change
 * pushed by the server (0: none yet). */
time_t account_since(const struct account *);
time_t account_last_push(const struct account *);
/* "websocket" or "eventsource": the current or next channel. */
const char *account_transport(const struct account *);
/* The durable state (last seen states); NULL before the first connect. */
struct store *account_store(const struct account *);
/* Whether the current Session lists this JMAP accountId. */
bool account_lists_id(const struct account *, const char *account_id);
/* Whether this JMAP accountId is the current Session's primary account
 * for mail (primaryAccounts): the user's own, not one shared with them.
 * False before the Session is known or when it names none. */
bool account_is_primary_mail(const struct account *, const char *account_id);
/* Gives up the current connection or wait and connects again now (the
 * user asked: SIGHUP, the socket's reconnect). */
void account_reconnect(struct account *);
/* After a resume, a clock jump or a network change: an open connection must
 * answer a ping within a few seconds; one waiting out a backoff tries now. */
void account_revalidate(struct account *);

/* Sends a JMAP request over the push connection: using and method_calls
 * are referenced, not taken.  The callback gets the methodResponses array
 * or an error.  -1 (and no callback) when the account is not connected. */
int account_request(struct account *, struct json_object *using,
    struct json_object *method_calls, uint64_t timeout_ms,
    request_cb cb, void *arg);

/* Whether any output needs the mail view now (no Mailbox or Email
 * request at all while false).  Becoming true while connected starts a
 * round for each JMAP account with mail, from the saved states. */
void account_set_mail_wanted(struct account *, bool);
/* Each JMAP account's mailboxes the view knows (for status and
 * GetMailboxes), fetched or restored from the state file (once the
 * Session is known), wanted or not; cache borrowed for the call. */
void account_foreach_mailboxes(struct account *,
    void (*fn)(const char *account_id, const struct mailbox_cache *,
    void *arg), void *arg);

#endif
