/* SPDX-License-Identifier: ISC */
/* Hooks: shell commands run for each StateChange, or for the mail view's
 * events (mail-aware hooks: mailboxes = or events =). */
#ifndef JP_HOOK_H
#define JP_HOOK_H

#include "config/config.h"
#include "output/outputs.h"

struct json_object;


struct hooks;

struct event_base;
struct store;

/* The durable store of the account named so, borrowed for the call; NULL
 * when it has none open (not started, or stopped). */
typedef struct store *(*hook_store_fn)(const char *account, void *arg);

/*
 * Each hook holds a reference to cfg (config_ref) while it lives, a
 * removed one until its run ends.  Every run owed for a change (debounced,
 * queued, or running) is kept in the store of its account
 * (store_set_pending), in the same file as the states it was recorded
 * with, until the run ends; store_of finds that store (NULL: runs are kept
 * in memory only).
 */
struct hooks *hook_new(struct event_base *, struct config *cfg,
    hook_store_fn store_of, void *arg);
/* On reload, matched by name: a kept hook keeps its pending changes and its
 * running run and references cfg instead of the old config; a removed one
 * loses its pending changes, its run goes on. */
void hook_set_config(struct hooks *, struct config *cfg);
/*
 * The store of account was opened.  The first time in this process, the
 * runs it keeps from before a stop or crash are queued again (debounced
 * anew, with their reason and pushState; runs of a hook no longer
 * configured or no longer matching are dropped, logged).  Always, the store
 * is then made to hold exactly the runs pending in memory for account.
 */
void hook_attach(struct hooks *, const char *account);
/* The daemon is stopping: no run starts any more, pending runs stay in the
 * stores for the next start.  A running run that then dies by a signal (the
 * daemon terminates it) stays pending too. */
void hook_stop(struct hooks *);
/* Does not kill running procs; the daemon uses proc_terminate_all. */
void hook_free(struct hooks *);
/* Queues ev for every matching hook: account filter (hook account NULL or
 * == ev->account) and types filter (at least one changed type in the hook's
 * types, or hook has no types; for a mail-aware hook, a type in its types
 * other than Email, Mailbox, EmailDelivery and Thread).  Changes are merged per (hook, account,
 * accountId) and run `debounce` after the last one, at most `max_delay`
 * after the first; a hook never runs twice at once (a batch that becomes
 * due meanwhile waits, and keeps merging).  Each run: /bin/sh -c COMMAND
 * or the exec = argv via proc_spawn, name "hook NAME", with `timeout`. */
void hook_dispatch(struct hooks *, const struct push_event *ev);
/* A round of the mail view, for the mail-aware hooks (those with
 * `mailboxes` or `events`) of its account: filtered by their mailboxes and
 * events (mailresult_filter), merged into their batches as hook_dispatch
 * merges changes, with per_mailbox one batch per mailbox; a run with
 * mail data gets mailresult_env's variables (each at most 64 KiB) and
 * stdin "mail" (mailresult_json) within 1 MiB. */
void hook_mail(struct hooks *, const struct mail_event *ev);
/* Whether a mail-aware hook covers the account named so. */
bool hook_mail_wanted(const struct hooks *, const char *account);
/* Once at daemon start: each on_start hook runs at once for every account
 * it matches, JMAP_REASON=start, no JMAP_ACCOUNT_ID, JMAP_TYPES empty, stdin
 * {"@type":"StateChange","changed":{}}.  cfg gives the accounts. */
void hook_start(struct hooks *, const struct config *cfg);

#endif
