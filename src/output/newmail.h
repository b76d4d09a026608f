/* SPDX-License-Identifier: ISC */
/* New mail for desktop notifications, without any I/O: which new emails
 * of a mail view round [notify] announces, and the notifications they
 * make (summary, escaped body, bursts). */
#ifndef JP_NEWMAIL_H
#define JP_NEWMAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

struct mailbox;
struct mailbox_cache;
struct mailmatch;
struct mailresult;

/* A new email as a notification shows it; the strings are borrowed from
 * the round's struct mailresult (valid UTF-8 already). */
struct newmail {
	const char	*id;
	const char	*from_name;	/* NULL when none */
	const char	*from_email;	/* NULL when none */
	const char	*subject;	/* NULL when none */
	const char	*received_at;	/* UTCDate as the server wrote it, or
					 * NULL */
	const char	*box_id;	/* the selected mailbox it is new in */
	const char	*thread_id;	/* NULL when none */
	const char	*message_id;	/* the first Message-ID, or NULL */
	const char	*box_path;	/* box_id's path (the cache's) */
};

/* Why [notify] announces mail of a mailbox. */
enum newmail_match {
	NEWMAIL_NO,
	NEWMAIL_YES,		/* mailboxes = as every output reads it */
	NEWMAIL_OLD_ROLE,	/* only as [notify] read it before issue 14:
				 * the role in other letter case */
	NEWMAIL_OLD_NAME,	/* likewise: the mailbox's own name */
};

/*
 * Whether [notify]'s mailboxes (mm, from config_notify.mailboxes) selects
 * m: as mailmatch_mailbox() says (a role in lower case, a path, '*'), or,
 * so that configs written for the old meaning keep working, an item that
 * equals m's role in any case or m's own name at any depth; then
 * NEWMAIL_OLD_ROLE or NEWMAIL_OLD_NAME with *item the index of the first
 * such item.
 */
enum newmail_match newmail_selects(const struct mailmatch *mm,
    const struct mailbox *m, size_t *item);

/* cfg's mailboxes = (a list the config checked: at least one item, none
 * empty) as mailmatch_parse() reads it; free with mailmatch_free(). */
struct mailmatch *newmail_mailmatch(const struct config_notify *cfg);

/*
 * What one round of the mail view (r, with the cache after it) brings to
 * [notify]: the emails new in a mailbox mm selects, oldest first by
 * receivedAt (server order among equals), into *out (the caller frees the
 * array; the strings stay r's).  Returns how many; *count is that plus the
 * new emails of selected mailboxes seen only as growth of totalEmails.
 * old (mm->n entries, NEWMAIL_NO on entry; may be NULL) gets, for each
 * item that selected a mailbox with new mail only by the old meaning, how.
 */
size_t newmail_collect(const struct mailresult *r,
    const struct mailbox_cache *cache, const struct mailmatch *mm,
    struct newmail **out, uint64_t *count, enum newmail_match *old);

/* One Notify call's text. */
struct newmail_note {
	char	*summary;	/* plain text: "Alice <alice@example.com>" */
	char	*body;		/* markup-escaped */
};

/* count new emails, n of them known (mails, oldest first): up to
 * max_per_burst, all known, one note each; else one "count new messages"
 * note whose body names the first senders, newest first ("and others"
 * when some emails are only counted).  Returns the count of notes. */
size_t newmail_notes(const struct newmail *, size_t n, uint64_t count,
    unsigned max_per_burst, struct newmail_note **out);
void newmail_notes_free(struct newmail_note *, size_t n);

/* The Notify arguments besides the text. */
struct newmail_notify_args {
	const char	*app_name;	/* "jmap-pushd" */
	const char	*app_icon;
	const char	*category;	/* "email.arrived" */
	const char	*desktop_entry;	/* "jmap-pushd": the installed
					 * jmap-pushd.desktop names it */
	const char	*sound_name;	/* "message-new-email" */
	uint8_t		 urgency;	/* 0 low, 1 normal, 2 critical */
	int32_t		 expire_timeout;
};
void newmail_notify_args(const struct config_notify *,
    struct newmail_notify_args *);

/* Valid UTF-8 (bad bytes become U+FFFD), control characters as spaces,
 * cut at max bytes; with markup, & < > " ' become entities.  Caller frees. */
char *newmail_text(const char *s, size_t max, bool markup);
/* The summary of a thread's notification that replaced the one before:
 * "Name (n)" (the name, else the address), plain text.  Caller frees. */
char *newmail_thread_summary(const struct newmail *, unsigned n);
/* "Name <email>", or the one of them that is there. Caller frees. */
char *newmail_sender(const struct newmail *);

#endif
