/* SPDX-License-Identifier: ISC */
/* Finding changes by comparing states: what a push actually changed
 * (duplicate suppression after a replay overlap) and what changed while
 * nobody listened (servers that cannot replay from a pushState). */
#ifndef JP_RESYNC_H
#define JP_RESYNC_H

#include <stddef.h>

struct jmap_session;
struct json_object;
struct store;

enum resync_mode {
	/* A server push: types never seen before count as changed. */
	RESYNC_PUSH,
	/* States fetched after connecting: a type never seen before is
	 * recorded silently (a first start has nothing to compare with). */
	RESYNC_COMPARE,
	/* sync_on_start: every type counts. */
	RESYNC_ALL,
};

/* The request asking the current state of every type for every account
 * of the session: `Foo/get` with "ids": [] (cheap: no objects).  Types
 * without a /get method (EmailDelivery) are left out.  Sets *using; NULL
 * when there is nothing to ask. */
struct json_object *resync_request(const struct jmap_session *,
    char *const *types, size_t ntypes, struct json_object **using);
/* {accountId: {Type: state}} from the methodResponses of that request;
 * error responses (a type an account lacks) are skipped. */
struct json_object *resync_states(struct json_object *method_responses);
/* The part of current ({accountId: {Type: state}}) that is a change
 * against the store under mode, or NULL when nothing changed.  Records
 * every state of current in the store (not saved). */
struct json_object *resync_diff(struct store *, struct json_object *current,
    enum resync_mode mode);

/*
 * A push and the answer to a state comparison travel apart (the event
 * stream and a POST), so a comparison answered before a change may arrive
 * after that change's push.  Its states for what was pushed meanwhile are
 * then older than the store's: they must not count as a change, nor
 * overwrite the pushed states.  Whatever the order, a pushed state is never
 * older than what the comparison saw for that type unless a newer push is
 * still on its way, so dropping those types loses nothing.
 *
 * resync_note_pushed: adds every (accountId, type) of a StateChange's
 * `changed` object (borrowed) to pushed ({accountId: {Type: true}},
 * borrowed).
 */
void resync_note_pushed(struct json_object *pushed,
    struct json_object *changed);
/* Removes from current ({accountId: {Type: state}}) every (accountId, type)
 * in pushed; returns how many it removed. */
size_t resync_drop_pushed(struct json_object *current,
    struct json_object *pushed);

#endif
