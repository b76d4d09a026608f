/* SPDX-License-Identifier: ISC */
/* Durable per-account state: what was seen last, to resume after a restart. */
#ifndef JP_STORE_H
#define JP_STORE_H

struct event_base;
struct json_object;
struct store;

/* Loads STATE_DIR/<account>.state (JSON {"version":1,"pushState":"..",
 * "states":{ACCOUNT_ID:{TYPE:STATE}},"eventId":"..","pending":{..},
 * "mail":{..},"notify":[..]}),
 * creating state_dir
 * (mode 0700, with its parents) if missing.  A missing file is an empty
 * store; a corrupt one is logged, moved aside to <file>.corrupt-<unixtime>
 * and treated as empty.  NULL only when state_dir cannot be created or used,
 * or the file cannot be read (logged).  An account name that is not
 * [A-Za-z0-9._-]+ or starts with '.' is percent-encoded in the file name. */
struct store *store_open(const char *state_dir, const char *account);
void store_free(struct store *);
/* The file this store saves to. */
const char *store_path(const struct store *);

const char *store_push_state(const struct store *);	/* NULL if none */
/* NULL clears. */
void store_set_push_state(struct store *, const char *);
/* The EventSource Last-Event-ID. */
const char *store_event_id(const struct store *);
void store_set_event_id(struct store *, const char *);	/* NULL clears */
/* NULL if none; valid until the next store_set_type_state(). */
const char *store_type_state(const struct store *, const char *account_id,
    const char *type);
/* A NULL state forgets the type. */
void store_set_type_state(struct store *, const char *account_id,
    const char *type, const char *state);

/* Atomic: writes STATE_DIR/.<file>.tmp-<pid>, fsync, rename over, fsync the
 * directory.  -1 on error (logged, the old file intact).  A no-op returning
 * 0 when nothing changed since the last save or load. */
int store_save(struct store *);
/*
 * store_save() within STORE_SAVE_DELAY_MS, once for every change made
 * meanwhile: two fsyncs per push would cost milliseconds of latency and cap
 * a burst at a few hundred changes a second.  Every store waiting is saved
 * together when the first one's delay is over (store_flush), with two
 * syncs for all of them.  The stores of a process share one timer, on the
 * base of the first call (the daemon has one base).  store_free() saves
 * what is still waiting.
 */
#define STORE_SAVE_DELAY_MS	1000
void store_save_later(struct store *, struct event_base *);
/* Saves every store waiting for store_save_later() now, together: the
 * daemon calls it once its loop has ended, before freeing the accounts, so
 * that a stop of many accounts does not sync once per account. */
void store_flush(void);
/* Every last seen state, {ACCOUNT_ID: {TYPE: STATE}}; borrowed, valid until
 * the next store_set_type_state. */
struct json_object *store_states(const struct store *);

/*
 * Hook runs owed for changes whose states are recorded above: saved in the
 * same file, so that a state is never on disk as seen while the run it owes
 * is lost.  {HOOK: {ACCOUNT_ID: {"changed": {TYPE: STATE}, "pushState": P,
 * "reason": R}}}, pushState optional.  run is taken; NULL forgets the run.
 */
void store_set_pending(struct store *, const char *hook,
    const char *account_id, struct json_object *run);
/* Every pending run, taken (NULL when there is none): the store keeps none
 * afterwards. */
struct json_object *store_take_pending(struct store *);

/*
 * The mail view of each JMAP accountId (mailview_save()'s object), under
 * "mail": {ACCOUNT_ID: VIEW}; a file without it loads as before.
 * store_mail: borrowed until the next store_set_mail, NULL when none.
 * store_set_mail: view taken; NULL forgets it.
 */
struct json_object *store_mail(const struct store *, const char *account_id);
void store_set_mail(struct store *, const char *account_id,
    struct json_object *view);

/*
 * The desktop notifications of this account that [notify] follows
 * (notifyfollow's array), under "notify", so that they are still closed
 * after a restart.  store_notify: borrowed until the next
 * store_set_notify, NULL when none.  store_set_notify: list taken; NULL
 * or empty forgets them.
 */
struct json_object *store_notify(const struct store *);
void store_set_notify(struct store *, struct json_object *list);

#endif
