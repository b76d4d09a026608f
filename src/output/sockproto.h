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
struct push_event;

/* Longest line a client may send, without its newline. */
#define SOCKPROTO_MAX_LINE	(64 * 1024)

#define SOCKPROTO_EV_STATE	0x1
#define SOCKPROTO_EV_CONNECTION	0x2
#define SOCKPROTO_EV_ALL	(SOCKPROTO_EV_STATE | SOCKPROTO_EV_CONNECTION)


/* A subscription; the zero value after sockproto_sub_all() means
 * everything. */
struct sockproto_sub {
	char **accounts;
	size_t naccounts;
	char **types;
	size_t ntypes;
	unsigned events;
	bool all_accounts;
	bool all_types;
};
void sockproto_sub_all(struct sockproto_sub *);
/* Moves the filters out of c into sub (replacing its old ones). */
void sockproto_sub_set(struct sockproto_sub *, struct sockcmd *c);
void sockproto_sub_clear(struct sockproto_sub *);
/* changed: the event's {Type: state}, NULL for a connection event. */
bool sockproto_sub_wants(const struct sockproto_sub *, unsigned ev,
    const char *account, struct json_object *changed);

/* Each result is one malloc'd line ending in '\n'. */
char *sockproto_error(const char *msg, const char *cmd);
char *sockproto_ok(const char *cmd);
char *sockproto_state(const struct push_event *, time_t now);
char *sockproto_connection(const char *account, const char *status,
    double retry_in, bool has_retry, const char *error);
char *sockproto_overflow(size_t dropped);
/* accounts: the array of status objects, taken. */
char *sockproto_status(struct json_object *accounts);
/* The connection event of the account as it is now. */
char *sockproto_account_connection(struct account *);
/* Adds the account's status object to arg, a JSON array: an
 * outputs_account_fn, for the status reply. */
void sockproto_account_status(struct account *, void *arg);
/* A time for a reply: its ISO 8601 string, or null when t is 0. */
struct json_object *sockproto_time_json(time_t t);
/* Seconds with one decimal, as 12.5. */
struct json_object *sockproto_seconds_json(double s);

/* "2026-11-25T22:00:00Z"; buf of at least 21 bytes. */
void sockproto_time(time_t t, char *buf, size_t len);

#endif
