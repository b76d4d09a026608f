/* SPDX-License-Identifier: ISC */
/*
 * The Mailbox cache of one JMAP account (RFC 8621 section 2), without any
 * I/O: what Mailbox/get and Mailbox/changes said, each mailbox's path, and
 * the Mailbox and Email states the cache reflects, saved to and restored
 * from a json_object so that a restart goes on from there.  Part of the
 * mail view (mailview.h), which owns the cache and feeds it.
 */
#ifndef JP_MAILBOX_H
#define JP_MAILBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_object;

/* Every server string kept here is at most this many bytes (cut on a
 * character boundary), valid UTF-8 and free of NUL. */
#define MAILBOX_STR_MAX		(16 * 1024)
/* The largest count kept: JMAP's UnsignedInt bound, 2^53 - 1. */
#define MAILBOX_COUNT_MAX	INT64_C(9007199254740991)
/* Ancestors walked for a path; deeper ones are left out as if missing. */
#define MAILBOX_DEPTH_MAX	256

struct mailbox {
	char		*id;
	char		*name;		/* "" when the server sent none */
	char		*parent_id;	/* NULL: top level */
	char		*role;		/* NULL: none */
	char		*path;		/* see mailbox_cache_paths() */
	int64_t		 total;		/* totalEmails, 0 until known,
					 * 0..MAILBOX_COUNT_MAX */
	int64_t		 unread;	/* unreadEmails, likewise */
	size_t		 mark;		/* scratch for the path walk */
};

/* Zeroed is an empty cache; all of it owned by the cache. */
struct mailbox_cache {
	struct mailbox	*v;		/* sorted by id (strcmp) */
	size_t		 n;
	size_t		*by_path;	/* indexes into v, in path order */
	char		*state;		/* Mailbox state; NULL: get them all */
	char		*email_state;	/* Email state; NULL: learn it */
};

void	 mailbox_cache_clear(struct mailbox_cache *);
/* A deep copy of src into dst (which is overwritten, not freed). */
void	 mailbox_cache_copy(struct mailbox_cache *dst,
	    const struct mailbox_cache *src);
/* The mailbox with that id, NULL when none; borrowed from the cache until
 * it next changes. */
struct mailbox *mailbox_find(const struct mailbox_cache *, const char *id);
/* Index of that id in c->v, or (size_t)-1. */
size_t	 mailbox_index(const struct mailbox_cache *, const char *id);

/*
 * Applies one object of a Mailbox/get list (borrowed): a new id is added,
 * a known one gets the properties present in m (absent ones stay as they
 * were, which is what a get limited to updatedProperties returns).  false
 * when m has no id that is a non-empty valid UTF-8 string of at most
 * MAILBOX_STR_MAX bytes.  Paths are stale until mailbox_cache_paths().
 */
bool	 mailbox_update(struct mailbox_cache *, struct json_object *m);
/* Forgets the mailbox with that id, if any. */
void	 mailbox_remove(struct mailbox_cache *, const char *id);
/* Recomputes every path and by_path: the names of the ancestors and of the
 * mailbox, top down, joined with '/' exactly as the server gave them.  A
 * missing parent ends the walk as if the mailbox were at the top; so does
 * a parent already on the walk (a cycle) and depth MAILBOX_DEPTH_MAX. */
void	 mailbox_cache_paths(struct mailbox_cache *);
/* Sets the Mailbox or Email state (NULL clears) as a copy. */
void	 mailbox_set_state(struct mailbox_cache *, const char *state);
void	 mailbox_set_email_state(struct mailbox_cache *, const char *state);

/*
 * o's string made safe for every output: each ill-formed byte and each NUL
 * becomes U+FFFD, then it is cut to MAILBOX_STR_MAX bytes on a character
 * boundary.  NULL when o is not a string.  Caller frees.
 */
char	*mailbox_string(struct json_object *o);

/* {"version":1,"mailboxState":S|null,"emailState":S|null,"mailboxes":
 * [{"id","name","parentId","role","totalEmails","unreadEmails"}]}; the
 * caller owns the object. */
struct json_object *mailbox_cache_save(const struct mailbox_cache *);
/* Replaces c with what mailbox_cache_save() wrote (saved is borrowed).
 * -1 and an empty cache (both states NULL) when saved is not that. */
int	 mailbox_cache_restore(struct mailbox_cache *, struct json_object *);

#endif
