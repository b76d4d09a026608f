/* SPDX-License-Identifier: ISC */
/* New mail for desktop notifications, without any I/O: the JMAP request
 * that finds it, reading the server's answer, and the notifications it
 * makes (summary, escaped body, bursts). */
#ifndef JP_NEWMAIL_H
#define JP_NEWMAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

struct json_object;

struct newmail_mailbox {
	char	*id;
	char	*name;
	char	*role;		/* NULL when none */
};

/* The account's mailboxes, from Mailbox/get; kept between rounds. */
struct newmail_mailboxes {
	struct newmail_mailbox	*v;
	size_t			 n;
	bool			 valid;
};

struct newmail {
	char	*id;
	char	*from_name;	/* NULL when none */
	char	*from_email;	/* NULL when none */
	char	*subject;	/* NULL when none */
	char	*received_at;	/* UTCDate as the server wrote it, or NULL */
};

enum newmail_status {
	NEWMAIL_OK,
	NEWMAIL_CANNOT_CALCULATE,	/* ask again with Email/query */
	NEWMAIL_ERROR,
};

struct newmail_result {
	enum newmail_status	 status;
	char			*state;		/* Email state now known */
	bool			 more;		/* hasMoreChanges */
	struct newmail		*mails;		/* new ones, oldest first */
	size_t			 nmails;
	char			 error[160];
};

/* Up to this many created emails are looked at per round. */
#define NEWMAIL_MAX_CHANGES	256

/* The methodCalls of one round: Mailbox/get when the cache is not valid,
 * then Email/changes from since_state, or, when since_state is NULL,
 * Email/query for mail received after `after` (a UTCDate), each
 * back-referenced into Email/get. */
struct json_object *newmail_request(const char *account_id,
    const char *since_state, const char *after, bool want_mailboxes);
/* The `using` array for that request. */
struct json_object *newmail_using(void);

/* Reads methodResponses: refreshes mbx from a Mailbox/get answer and keeps
 * the emails that are new: created, in one of the selected mailboxes
 * (names or roles, cfg->mailboxes), without $seen. */
void newmail_parse(struct json_object *responses,
    const struct config_notify *cfg, struct newmail_mailboxes *mbx,
    struct newmail_result *);
void newmail_result_clear(struct newmail_result *);
void newmail_mailboxes_clear(struct newmail_mailboxes *);

/* One Notify call's text. */
struct newmail_note {
	char	*summary;	/* plain text: "Alice <alice@example.com>" */
	char	*body;		/* markup-escaped */
};

/* Up to max_per_burst emails: one note each; more: one "N new messages"
 * note whose body lists the senders, newest first.  Returns the count. */
size_t newmail_notes(const struct newmail *, size_t n, unsigned max_per_burst,
    struct newmail_note **out);
void newmail_notes_free(struct newmail_note *, size_t n);

/* The Notify arguments besides the text. */
struct newmail_notify_args {
	const char	*app_name;	/* "jmap-pushd" */
	const char	*app_icon;
	const char	*category;	/* "email.arrived" */
	const char	*desktop_entry;	/* "jmap-pushd" */
	uint8_t		 urgency;	/* 0 low, 1 normal, 2 critical */
	int32_t		 expire_timeout;
};
void newmail_notify_args(const struct config_notify *,
    struct newmail_notify_args *);

/* Valid UTF-8 (bad bytes become U+FFFD), control characters as spaces,
 * cut at max bytes; with markup, & < > " ' become entities.  Caller frees. */
char *newmail_text(const char *s, size_t max, bool markup);
/* "Name <email>", or the one of them that is there. Caller frees. */
char *newmail_sender(const struct newmail *);
/* UTCDate "YYYY-MM-DDTHH:MM:SSZ" of t into buf (at least 21 bytes). */
void newmail_utcdate(int64_t t, char *buf, size_t len);

#endif
