/* SPDX-License-Identifier: ISC */
/* The control socket's protocol: newline-delimited JSON.  Formats every
 * line the daemon sends and filters events by a client's subscription; the
 * lines clients send are parsed in output/sockcmd.h.  No I/O here. */
#ifndef JP_SOCKPROTO_H
#define JP_SOCKPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "output/sockcmd.h"

struct account;
struct json_object;
struct mailbox_cache;
struct mailmatch;
struct mailresult;
struct push_event;

/* Longest line a client may send, without its newline. */
#define SOCKPROTO_MAX_LINE	(64 * 1024)

#define SOCKPROTO_EV_STATE	0x1
#define SOCKPROTO_EV_CONNECTION	0x2
/* Mail events go only to clients whose subscribe names them. */
#define SOCKPROTO_EV_MAILBOX	0x4
#define SOCKPROTO_EV_MAIL	0x8
/* The mute's changes, too, only to clients that name them. */
#define SOCKPROTO_EV_MUTE	0x10
/* What a client gets before it subscribes, and with no "events". */
#define SOCKPROTO_EV_ALL	(SOCKPROTO_EV_STATE | SOCKPROTO_EV_CONNECTION)


/* A subscription; the zero value after sockproto_sub_all() means
 * everything. */
struct sockproto_sub {
	char **accounts;
	size_t naccounts;
	char **types;
	size_t ntypes;
	unsigned events;
	struct mailmatch *mailboxes;	/* NULL: every mailbox */
	bool all_accounts;
	bool all_types;
};
void sockproto_sub_all(struct sockproto_sub *);
/* Moves the filters out of c into sub (replacing its old ones). */
void sockproto_sub_set(struct sockproto_sub *, struct sockcmd *c);
void sockproto_sub_clear(struct sockproto_sub *);
/* Whether the subscription takes mailbox or mail events. */
bool sockproto_sub_mail(const struct sockproto_sub *);
/* Whether it takes them for the account named so. */
bool sockproto_sub_mail_of(const struct sockproto_sub *, const char *account);
/* changed: the event's {Type: state}, NULL for a connection event. */
bool sockproto_sub_wants(const struct sockproto_sub *, unsigned ev,
    const char *account, struct json_object *changed);

/* o as one line ending in '\n', any invalid UTF-8 repaired; o taken.
 * The event functions below have a _json form that returns the object
 * (the caller owns it) which the line is made of: what webhooks and
 * MQTT send. */
char *sockproto_line(struct json_object *o);
struct json_object *sockproto_state_json(const struct push_event *,
    time_t now);
struct json_object *sockproto_connection_json(const char *account,
    const char *status, double retry_in, bool has_retry, const char *error);
struct json_object *sockproto_account_connection_json(struct account *);
struct json_object *sockproto_mailbox_json(const char *account,
    const char *account_id, const struct mailresult *r,
    const struct mailbox_cache *cache, const struct mailmatch *mm);
struct json_object *sockproto_mail_json(const char *account,
    const char *account_id, const struct mailresult *r,
    const struct mailbox_cache *cache, const struct mailmatch *mm);

/* Each result is one malloc'd line ending in '\n'. */
char *sockproto_error(const char *msg, const char *cmd);
char *sockproto_ok(const char *cmd);
char *sockproto_state(const struct push_event *, time_t now);
char *sockproto_connection(const char *account, const char *status,
    double retry_in, bool has_retry, const char *error);
char *sockproto_overflow(size_t dropped);
/* {"event":"mute","muted":B,"mutedUntil":T}: as in the status reply. */
char *sockproto_mute(bool muted, time_t until);
/*
 * The mailbox event of one round of an account's mail view (account its
 * config name; r and cache borrowed): the mailboxes matching mm (NULL:
 * all) whose counts, name, parent or role changed, or, when mailboxes
 * were created, renamed or destroyed (r->list_changed), every matching
 * mailbox of cache with "complete":true.  NULL when there is none.
 */
char *sockproto_mailbox(const char *account, const char *account_id,
    const struct mailresult *r, const struct mailbox_cache *cache,
    const struct mailmatch *mm);
/* The mail event of that round: the new emails in mailboxes matching mm,
 * as on a hook's stdin (at most MAILRESULT_NEW_MAX, and no more than fit
 * in 64 KiB of JSON; the rest counted in newTruncated).  NULL when there
 * is none. */
char *sockproto_mail(const char *account, const char *account_id,
    const struct mailresult *r, const struct mailbox_cache *cache,
    const struct mailmatch *mm);
/* Appends the status entries {accountId, id, path, role, unread, total}
 * of cache's mailboxes matching mm (NULL: all), in path order, to arr. */
void sockproto_mailboxes_add(struct json_object *arr, const char *account_id,
    const struct mailbox_cache *cache, const struct mailmatch *mm);
/* accounts: the array of status objects, taken; muted and until (0: until
 * unmuted) as outputs_muted() says; outputs (taken; NULL: left out) as
 * outputs_remote_status() makes it. */
char *sockproto_status(struct json_object *accounts, bool muted,
    time_t until, struct json_object *outputs);
/* The connection event of the account as it is now. */
char *sockproto_account_connection(struct account *);
/* What the status reply is built into: the accounts array, and the
 * mailboxes asked for (NULL: all). */
struct sockproto_status_arg {
	struct json_object	*accounts;
	const struct mailmatch	*mailboxes;
};
/* Adds the account's status object, its mailboxes included, to arg, a
 * struct sockproto_status_arg: an outputs_account_fn, for the status
 * reply. */
void sockproto_account_status(struct account *, void *arg);
/* A time for a reply: its ISO 8601 string, or null when t is 0. */
struct json_object *sockproto_time_json(time_t t);
/* Seconds with one decimal, as 12.5. */
struct json_object *sockproto_seconds_json(double s);

/* "2026-11-25T22:00:00Z"; buf of at least 21 bytes. */
void sockproto_time(time_t t, char *buf, size_t len);

#endif
