/* SPDX-License-Identifier: ISC */
/*
 * What hook.c (the runs: batches, debounce, one run at a time) and
 * hookowed.c (the runs owed, in the accounts' stores) share.  Private to
 * them.
 */
#ifndef JP_HOOK_INT_H
#define JP_HOOK_INT_H

#include <sys/queue.h>

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "output/hook.h"
#include "session/mailresult.h"

struct event;
struct json_object;
struct namemap;
struct proc;

/* One pending run: the changes of one (hook, account, accountId) merged,
 * the latest state of each type winning, and for a mail-aware hook its
 * mail events merged (mailresult_merge); with per_mailbox, the mail of
 * each mailbox is a run of its own. */
struct hook_batch {
	TAILQ_ENTRY(hook_batch) entry;
	struct hook_rt *h;
	char *account;
	char *account_id;		/* NULL for an on_start run */
	char *box_id;			/* per_mailbox: its mailbox, else NULL */
	struct json_object *changed;	/* {Type: state}, filtered */
	bool has_mail;			/* mail holds events */
	struct mailresult mail;		/* filtered for the hook */
	char *push_state;
	char *reason;
	unsigned nchanges;
	uint64_t first_ms;		/* monotonic: its first change */
	bool due;			/* debounce over, waits for its turn */
	struct event *timer;
};
TAILQ_HEAD(hook_batches, hook_batch);

/* A configured hook and its runs: one at a time, batches in order. */
struct hook_rt {
	TAILQ_ENTRY(hook_rt) entry;
	struct hooks *hs;
	struct config *config;		/* referenced: cfg lives in it */
	const struct config_hook *cfg;	/* the current definition */
	struct hook_batches batches;
	struct proc *running;
	struct hook_batch *run;		/* what running runs, until it ends */
	bool removed;			/* gone by a reload; freed once idle */
	bool overflow_logged;		/* since the last run started */
};
TAILQ_HEAD(hook_rts, hook_rt);

struct hooks {
	struct event_base *base;
	struct hook_rts live;
	struct hook_rts removed;
	hook_store_fn store_of;
	void *store_arg;
	bool stopping;
	/* Accounts whose stores were read (hookowed_attach): the names, and
	 * a map of them for the lookup at each attach. */
	char **attached;
	size_t nattached;
	struct namemap *attached_map;
};

/* Equal strings, NULL equal only to NULL (the accountId of on_start). */
static inline bool
hook_str_eq(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/* Whether b (may be NULL) is the run of (account, accountId). */
static inline bool
hook_batch_is(const struct hook_batch *b, const char *account,
    const char *account_id)
{
	return b != NULL && strcmp(b->account, account) == 0 &&
	    hook_str_eq(b->account_id, account_id);
}

/* Merges ev's changes into h's batch for its account and accountId,
 * debounced; the owed run is written to the store. */
void hook_add(struct hook_rt *h, const struct push_event *ev);
/* Merges the filtered mail f (borrowed) into the batch of (account,
 * accountId, box_id), debounced as hook_add does. */
void hook_add_mail(struct hook_rt *h, const char *account,
    const char *account_id, const char *box_id, const struct mailresult *f,
    const char *reason);

/*
 * Writes into the account's store what h still owes (account, account_id):
 * the running run and the batches waiting, merged as a batch merges, or
 * nothing.  No-op for an on_start run (account_id NULL) or an account
 * without an open store.
 */
void hookowed_persist(struct hook_rt *h, const char *account,
    const char *account_id);
/* hook_attach(): see hook.h. */
void hookowed_attach(struct hooks *hs, const char *account);

#endif
