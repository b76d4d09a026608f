/* SPDX-License-Identifier: ISC */
/*
 * The mail view's event rules (see mailview.h), apart from the request and
 * the answer's shape: which mailbox an email change touches and how, what
 * counts say where emails cannot, and the bounded memory of the mailboxes
 * of emails seen that tells a move or a destroy where it happened.  Used by
 * mailview.c only; no I/O.
 */
#ifndef JP_MAILTALLY_H
#define JP_MAILTALLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "session/mailbox.h"
#include "session/mailresult.h"

struct json_object;

/* Emails whose mailboxIds are remembered, the newest kept. */
#define MAILTALLY_SEEN_MAX	1024
/* Mailbox ids remembered per email; an email in more is not remembered. */
#define MAILTALLY_BOXES		64
/* Senders kept per new email. */
#define MAILTALLY_FROM_MAX	16

struct mailtally_seen;

/* What one round found, per mailbox (indexes of the cache after it). */
struct mailtally {
	unsigned	*events;	/* enum mailmatch_event bits */
	uint64_t	*nnew;
	uint64_t	*unfetched;	/* new, seen only as growth */
	int64_t		*delta;		/* the totalEmails change that the
					 * known email changes explain */
	uint64_t	 unknown_before;	/* updated, prior boxes unknown */
	uint64_t	 unknown_destroyed;	/* destroyed, boxes unknown */
	uint64_t	 unfetched_total;	/* created but not in Email/get */
};

struct mailtally_seen *mailtally_seen_new(void);
void	 mailtally_seen_free(struct mailtally_seen *);

/* A tally for a cache of n mailboxes; mailtally_clear() frees it. */
void	 mailtally_init(struct mailtally *, size_t n);
void	 mailtally_clear(struct mailtally *);

/* Email/get of the created ids (get borrowed; ncreated: how many ids
 * Email/changes listed): new or changed in each mailbox of c, and every
 * new email appended to r->news. */
void	 mailtally_created(struct mailtally_seen *, const struct mailbox_cache *c,
	    struct json_object *get, size_t ncreated, struct mailtally *,
	    struct mailresult *r);
/* Email/get of the updated ids: changed before and after. */
void	 mailtally_updated(struct mailtally_seen *, const struct mailbox_cache *c,
	    struct json_object *get, struct mailtally *);
/* Email/changes destroyed (an array, borrowed): deleted where known. */
void	 mailtally_destroyed(struct mailtally_seen *,
	    const struct mailbox_cache *c, struct json_object *ids,
	    struct mailtally *);
/* Email/get of updated (get) and Email/changes destroyed (ids), both
 * borrowed and either NULL: each email into r->touched. */
void	 mailtally_touched(struct json_object *get, struct json_object *ids,
	    struct mailresult *r);
/* The count rules, old the cache before the round and c after; emails:
 * Email/changes was read; reload: every mailbox was fetched again. */
void	 mailtally_counts(const struct mailbox_cache *old,
	    const struct mailbox_cache *c, struct mailtally *, bool emails,
	    bool reload);
/* r's mailboxes (those with events or changed properties, path order),
 * list_changed, each new email's mailbox path and new_count. */
void	 mailtally_result(const struct mailbox_cache *old,
	    const struct mailbox_cache *c, const struct mailtally *,
	    struct mailresult *r);

/* The "list" array of a get answer (*listp NULL when absent); its length. */
size_t	 mailtally_list(struct json_object *args, struct json_object **listp);
/* Whether obj's member key is JSON true. */
bool	 mailtally_true(struct json_object *obj, const char *key);

#endif
