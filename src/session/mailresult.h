/* SPDX-License-Identifier: ISC */
/*
 * What one round of the mail view found (mailview_parse()), and what one
 * output sees of it: filtered by a `mailboxes =`/`events =` pair, merged
 * over a debounced batch, and rendered as a hook's environment and the
 * stdin "mail" object.  No I/O.  Every string in a result is a copy the
 * result owns, valid UTF-8 without NUL, at most MAILBOX_STR_MAX bytes.
 */
#ifndef JP_MAILRESULT_H
#define JP_MAILRESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_object;
struct mailbox_cache;
struct mailmatch;

/* At most this many new-mail entries reach an output; the rest are only
 * counted (newTruncated). */
#define MAILRESULT_NEW_MAX	256

/* A mailbox that had events or whose counts, name, parent or role changed
 * in the round. */
struct mailresult_box {
	char		*id;
	char		*path;
	char		*role;		/* NULL: none */
	int64_t		 unread;	/* after the change */
	int64_t		 total;
	unsigned	 events;	/* enum mailmatch_event bits */
	uint64_t	 nnew;		/* distinct new emails in it */
	uint64_t	 unfetched;	/* of those, seen only as growth
					 * of totalEmails (not in news) */
	bool		 props_changed;	/* counts, name, parent or role */
};

struct mailresult_addr {
	char	*name;			/* NULL when none */
	char	*email;			/* NULL when none */
};

/* An email that is new in at least one mailbox. */
struct mailresult_new {
	char			*id;
	char			*mailbox;	/* path of the (first matching)
						 * mailbox it is new in */
	char			**box_ids;	/* every mailbox it is new in */
	size_t			 nbox_ids;
	struct mailresult_addr	*from;
	size_t			 nfrom;
	char			*subject;	/* each NULL when none */
	char			*received_at;
	char			*message_id;	/* the first Message-ID */
	char			*thread_id;
	char			*preview;
};

/* An email the round saw updated or destroyed, as it is after the round
 * (what notifications need to close themselves). */
struct mailresult_touched {
	char			*id;
	bool			 destroyed;
	bool			 seen;		/* keywords/$seen */
	char			**box_ids;	/* its mailboxes, none when
						 * destroyed */
	size_t			 nbox_ids;
};

/*
 * Zeroed is empty.  A round's result (mailview_parse) lists every new
 * email in news (its memory is bounded by the response); a filtered or
 * merged one at most MAILRESULT_NEW_MAX.
 */
struct mailresult {
	struct mailresult_box	*boxes;		/* in path order */
	size_t			 nboxes;
	struct mailresult_new	*news;		/* oldest round first */
	size_t			 nnews;
	uint64_t		 new_count;	/* distinct new emails, news
						 * included, plus growth seen
						 * in totalEmails only */
	int64_t			 unread;	/* filtered: unread in every
						 * matching mailbox */
	unsigned		 wanted;	/* filtered: the events asked */
	bool			 list_changed;	/* mailboxes created, destroyed
						 * or renamed: lists to resend */
	struct mailresult_touched *touched;	/* a round's only (never
						 * filtered nor merged) */
	size_t			 ntouched;
};

void	 mailresult_clear(struct mailresult *);

/* The box with that id, NULL when none. */
struct mailresult_box *mailresult_box(const struct mailresult *,
    const char *id);

/*
 * What one output asks for: the mailboxes of r that match mm (all when mm
 * is NULL) and had an event in events (a mask), each with all its events;
 * only the one with id only when only is not NULL (per_mailbox).  The new
 * emails are those new in a kept mailbox (at most MAILRESULT_NEW_MAX kept,
 * each with the path of the first kept mailbox in path order), new_count
 * their distinct count; unread sums unreadEmails over every mailbox of
 * cache that matches mm (or the one mailbox).  Fills out (overwritten);
 * out->nboxes == 0 means this output has nothing to run for.
 */
void	 mailresult_filter(const struct mailresult *r,
	    const struct mailbox_cache *cache, const struct mailmatch *mm,
	    unsigned events, const char *only, struct mailresult *out);

/*
 * Merges the later filtered result src into dst (a debounced batch): boxes
 * by id with the latest counts, path and role and the union of events;
 * new entries appended under MAILRESULT_NEW_MAX; new_count summed; unread
 * the latest.  src is unchanged.
 */
void	 mailresult_merge(struct mailresult *dst, const struct mailresult *src);

/*
 * The hook variables of a filtered result, "NAME=value" each, NULL-ended,
 * in this order: JMAP_MAILBOXES (the paths, '\n' between, no trailing
 * newline), JMAP_MAILBOX (only with exactly one box), JMAP_EVENTS (events
 * of the boxes that are in wanted, "new changed deleted" order),
 * JMAP_NEW_COUNT, JMAP_UNREAD.  Free with strv_free().
 */
char	**mailresult_env(const struct mailresult *);

/*
 * The stdin "mail" object of a filtered result: {"accountId","mailboxes":
 * [{"id","path","role","unread","total","events":[...]}],"new":[{"id",
 * "mailbox","from":[{"name","email"}],"subject","receivedAt","messageId",
 * "threadId","preview"}],"newTruncated":N}, absent strings as null.  New
 * entries stop where their JSON text would pass max_bytes (the mailboxes
 * are always all there), the rest counted in newTruncated.  Caller owns.
 */
struct json_object *mailresult_json(const struct mailresult *,
    const char *account_id, size_t max_bytes);

/* One "new" entry of that object: {"id","mailbox","from":[{"name",
 * "email"}],"subject","receivedAt","messageId","threadId","preview"},
 * absent strings as null.  Caller owns. */
struct json_object *mailresult_new_json(const struct mailresult_new *);

#endif
