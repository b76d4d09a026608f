/* SPDX-License-Identifier: ISC */
/*
 * Events waiting to leave the machine (a webhook's POSTs, MQTT messages
 * while the broker is away), in order per account, bounded, coalescing on
 * overflow.  The events are the control socket's event objects
 * ({"event":"state"|"connection"|"mailbox"|"mail",...}, sockproto.h).
 * Pure: no I/O, no event loop.
 *
 * Each account's first item is the only one an output may send; from
 * evqueue_peek() on it is pinned: never merged or dropped, its id and
 * event unchanged, until evqueue_done().
 *
 * Over max, the queue coalesces, one step at a time until it fits again,
 * taking the first of these that applies:
 *  1. the oldest state event that has a later state event of the same
 *     (account, accountId) merges into that later one: "changed" holds
 *     both, the later state of a type winning; pushState, reason and time
 *     are the later event's; the later item keeps its place and id;
 *  2. the oldest connection event of an account that has a later one is
 *     dropped (the latest status is what counts);
 *  3. the oldest mailbox or mail event is dropped and counted;
 *  4. the oldest event at all is dropped and counted.
 * Counted drops of an account become one item
 * {"event":"overflow","account":A,"dropped":N} with its own id, in that
 * account's order at its earliest drop; later drops add to it until it is
 * pinned.  Overflow items are not counted against max (there is at most
 * one unpinned per account), so every step makes room; pinned items are
 * never touched, so a queue whose every item is pinned may stay over max.
 */
#ifndef JP_EVQUEUE_H
#define JP_EVQUEUE_H

#include <stdbool.h>
#include <stddef.h>

struct json_object;
struct evqueue;

/* Length of a delivery id: 32 lowercase hex digits, random. */
#define EVQUEUE_ID_LEN	32

struct evqueue_item {
	const char		*account;	/* [account NAME] */
	/* Made at push, unchanged across retries, reloads and restarts
	 * (evqueue_to_json() saves it); an item merged into a later one
	 * leaves with its id, the later one keeps its own. */
	const char		*id;
	struct json_object	*event;		/* owned by the queue */
};

/* max: events in all, at least 1 (0 counts as 1). */
struct evqueue *evqueue_new(size_t max);
/* A reload: coalesces at once when the queue is now over max. */
void evqueue_set_max(struct evqueue *, size_t max);
void evqueue_free(struct evqueue *);

/* event taken (its reference); account borrowed (copied).  Events that
 * are not objects with a string "event" are dropped (they cannot be
 * sent); a state event without a string "accountId" coalesces with
 * nothing. */
void evqueue_push(struct evqueue *, const char *account,
    struct json_object *event);
/* The account's first item, NULL when it has none; from here on it is
 * pinned (see above) and in flight.  Borrowed: valid until
 * evqueue_done() for this account, or evqueue_free(). */
const struct evqueue_item *evqueue_peek(struct evqueue *,
    const char *account);
/* Whether the account's first item is in flight (peeked, not released). */
bool evqueue_in_flight(const struct evqueue *, const char *account);
/* The account's first item was delivered or dropped for good: it goes. */
void evqueue_done(struct evqueue *, const char *account);
/* The account's first item is no longer in flight (an attempt failed and
 * will be retried): it stays first and pinned, with its id. */
void evqueue_release(struct evqueue *, const char *account);

/* Items in all, overflow items included. */
size_t evqueue_len(const struct evqueue *);
/* Items of one account. */
size_t evqueue_account_len(const struct evqueue *, const char *account);
/* Calls fn for each account with items, in the order of their oldest
 * item.  fn may call evqueue_peek(), evqueue_in_flight() and
 * evqueue_release(), nothing that adds or removes items. */
void evqueue_foreach_account(struct evqueue *,
    void (*fn)(const char *account, void *arg), void *arg);

/* [{"account":A,"id":I,"event":{...}}, ...] in queue order (oldest
 * first); the caller owns it. */
struct json_object *evqueue_to_json(const struct evqueue *);
/* Appends such an array's items (o borrowed), with their ids, as pushed
 * (so coalescing when over max).  -1 when o is not such an array: then
 * nothing was added. */
int evqueue_from_json(struct evqueue *, struct json_object *o);

#endif
