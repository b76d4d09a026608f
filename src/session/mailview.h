/* SPDX-License-Identifier: ISC */
/*
 * The mail view of one JMAP account, without any I/O: which mailbox had
 * new, changed or deleted mail, with the server's counts and the new
 * messages themselves, shared by every output (issue 14).  The caller owns
 * the loop: mailview_request() gives ONE batched request, the caller sends
 * it (WebSocket, or POST to apiUrl) and hands the methodResponses to
 * mailview_parse(), which updates the cache and fills a struct mailresult.
 * At most one round may be in flight per view.
 *
 * Event rules ("Semantics, settled"): an email created in a mailbox is
 * `new` there unless it has $seen or $draft (then `changed`); an update
 * is `changed` in every mailbox it was in before or after; a destroyed
 * email is `deleted` in the mailboxes it was in.  "Before" comes from a
 * bounded memory of the mailboxIds of the emails this view has seen
 * (MAILTALLY_SEEN_MAX, not saved across restarts); for an email not in it
 * the mailboxes' counts stand in: with unknown destroyed emails, a
 * mailbox whose totalEmails fell more than the known changes explain is
 * `deleted`; with unknown prior mailboxes, one whose counts moved
 * unexplained and had no event is `changed`; created emails the server did
 * not return in Email/get count as new where totalEmails grew beyond the
 * known changes.  Counts that follow known changes add nothing.  After
 * cannotCalculateChanges the next round reloads every mailbox: `changed`
 * where counts, name, role or parent differ, never `new` or `deleted`.  A
 * first round (nothing cached) only learns the states: no events.
 */
#ifndef JP_MAILVIEW_H
#define JP_MAILVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "session/mailbox.h"
#include "session/mailresult.h"

struct json_object;
struct mailview;

/* Email/changes maxChanges: created ids fetched per round are bounded by
 * it; the server pages the rest with hasMoreChanges. */
#define MAILVIEW_MAX_CHANGES	256

enum mailview_status {
	MAILVIEW_OK,		/* out filled, the cache updated */
	MAILVIEW_RELOAD,	/* cannotCalculateChanges: the cache will be
				 * reloaded by the next round; no events */
	MAILVIEW_ERROR,		/* a method failed: nothing changed */
	MAILVIEW_MALFORMED,	/* not the answer to what was asked:
				 * nothing changed */
};

struct mailview *mailview_new(void);
void	 mailview_free(struct mailview *);

/* The Mailbox cache, borrowed until the next mailview_parse() or
 * mailview_restore(). */
const struct mailbox_cache *mailview_cache(const struct mailview *);

/* What the state store keeps for this view (mailbox_cache_save()'s
 * object: mailboxes and the last Mailbox and Email states processed); the
 * caller owns it. */
struct json_object *mailview_save(const struct mailview *);
/* Restores that (saved borrowed); -1 leaves an empty view, whose first
 * round then announces nothing. */
int	 mailview_restore(struct mailview *, struct json_object *saved);

/*
 * The next round, for JMAP accountId account_id: *usingp (the capability
 * URIs) and *callsp (methodCalls with back-references), both owned by the
 * caller.  Mailbox/changes with Mailbox/get of created and updated ids
 * (updatedProperties honoured through #properties, unless the server
 * once failed that get: then all properties), or Mailbox/get of all when
 * nothing is cached; Email/changes (maxChanges MAILVIEW_MAX_CHANGES) with Email/get
 * of created ids (mailboxIds, keywords, from, subject, receivedAt,
 * messageId, threadId, preview) and of updated ids (mailboxIds,
 * keywords), or Email/get of no ids to learn the state when none is known.
 */
void	 mailview_request(struct mailview *, const char *account_id,
	    struct json_object **usingp, struct json_object **callsp);

/*
 * Reads the methodResponses (borrowed) of the last mailview_request().
 * Fills out (overwritten; clear it with mailresult_clear()) and sets *more
 * when another round is needed now (hasMoreChanges, a reload after
 * cannotCalculateChanges, or a retry without #properties).  Anything but
 * MAILVIEW_OK leaves out empty and says why in err; MAILVIEW_ERROR and
 * MAILVIEW_MALFORMED change nothing else, so the caller may retry later
 * from the same states.
 */
enum mailview_status mailview_parse(struct mailview *,
	    struct json_object *responses, struct mailresult *out,
	    bool *more, char *err, size_t errlen);

#endif
