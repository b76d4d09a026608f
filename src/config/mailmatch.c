/* SPDX-License-Identifier: ISC */
/*
 * `mailboxes =` and `events =`.  The same text means the same mailboxes in
 * a hook, [notify], a socket subscription and jmap-pushctl, so all of them
 * parse it here.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/mailmatch.h"
#include "util/json.h"
#include "util/xmalloc.h"

/* RFC 8621 2: "inbox" and the IANA IMAP Mailbox Name Attributes that name
 * a purpose, in lower case. */
static const char *const mailmatch_roles[] = {
	"all", "archive", "drafts", "flagged", "important", "inbox", "junk",
	"memos", "scheduled", "sent", "snoozed", "trash",
};

static const struct {
	const char		*name;
	enum mailmatch_event	 bit;
} mailmatch_event_names[] = {
	{ "new", MAILMATCH_NEW },
	{ "changed", MAILMATCH_CHANGED },
	{ "deleted", MAILMATCH_DELETED },
};

#define MAILMATCH_NROLES \
	(sizeof(mailmatch_roles) / sizeof(mailmatch_roles[0]))
#define MAILMATCH_NEVENTS \
	(sizeof(mailmatch_event_names) / sizeof(mailmatch_event_names[0]))

bool
mailmatch_is_role(const char *name)
{
	for (size_t i = 0; i < MAILMATCH_NROLES; i++)
		if (strcmp(mailmatch_roles[i], name) == 0)
			return true;
	return false;
}

static bool
mailmatch_blank(char c)
{
	return c == ' ' || c == '\t';
}

int
mailmatch_parse(const char *spec, struct mailmatch **out,
    enum mailmatch_error *errp, char *err, size_t errlen)
{
	struct mailmatch	*mm = xcalloc(1, sizeof(*mm));
	const char		*p = spec, *end, *b, *e;
	char			 q[JSONU_QUOTE_SIZE(64)];
	bool			 blank = true;

	for (const char *s = spec; *s != '\0'; s++)
		blank = blank && mailmatch_blank(*s);
	if (blank) {
		*errp = MAILMATCH_EMPTY_LIST;
		snprintf(err, errlen, "mailboxes is empty; name a role such as "
		    "inbox or a path such as Work/*");
		free(mm);
		return -1;
	}
	for (;;) {
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		for (b = p; b < end && mailmatch_blank(*b); b++)
			;
		for (e = end; e > b && mailmatch_blank(e[-1]); e--)
			;
		if (b == e) {
			*errp = MAILMATCH_EMPTY_ITEM;
			snprintf(err, errlen, "empty item in mailboxes '%s'; "
			    "separate mailbox names with single commas",
			    jsonu_quote(q, sizeof(q), spec));
			mailmatch_free(mm);
			return -1;
		}
		mm->items = xreallocarray(mm->items, mm->n + 1,
		    sizeof(*mm->items));
		mm->is_role = xreallocarray(mm->is_role, mm->n + 1,
		    sizeof(*mm->is_role));
		mm->items[mm->n] = xstrndup(b, (size_t)(e - b));
		mm->is_role[mm->n] = mailmatch_is_role(mm->items[mm->n]);
		mm->n++;
		if (*end == '\0')
			break;
		p = end + 1;
	}
	*errp = MAILMATCH_OK;
	*out = mm;
	return 0;
}

void
mailmatch_free(struct mailmatch *mm)
{
	if (mm == NULL)
		return;
	for (size_t i = 0; i < mm->n; i++)
		free(mm->items[i]);
	free(mm->items);
	free(mm->is_role);
	free(mm);
}

/* Iterative, with one backtracking point (the last '*'): linear in the
 * common cases and never worse than pattern length times path length. */
bool
mailmatch_glob(const char *pat, const char *s)
{
	const char *star = NULL, *resume = NULL;

	while (*s != '\0') {
		if (*pat == '*') {
			star = pat++;
			resume = s;
		} else if (*pat == *s) {
			pat++;
			s++;
		} else if (star != NULL) {
			pat = star + 1;
			s = ++resume;
		} else
			return false;
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

bool
mailmatch_mailbox(const struct mailmatch *mm, const char *path,
    const char *role)
{
	for (size_t i = 0; i < mm->n; i++) {
		if (mm->is_role[i]) {
			/* Roles are lower case in RFC 8621; a server that
			 * capitalises one still means it. */
			if (role != NULL && strcasecmp(role, mm->items[i]) == 0)
				return true;
		} else if (path != NULL && mailmatch_glob(mm->items[i], path))
			return true;
	}
	return false;
}

int
mailmatch_events(const char *spec, unsigned *mask,
    enum mailmatch_error *errp, char *err, size_t errlen)
{
	const char	*p = spec, *e;
	char		 q[JSONU_QUOTE_SIZE(32)], *word;
	size_t		 i;

	*mask = 0;
	for (;;) {
		while (mailmatch_blank(*p) || *p == ',')
			p++;
		if (*p == '\0')
			break;
		for (e = p; *e != '\0' && !mailmatch_blank(*e) && *e != ',';
		    e++)
			;
		word = xstrndup(p, (size_t)(e - p));
		for (i = 0; i < MAILMATCH_NEVENTS; i++)
			if (strcmp(word, mailmatch_event_names[i].name) == 0)
				break;
		if (i == MAILMATCH_NEVENTS) {
			*errp = MAILMATCH_UNKNOWN_EVENT;
			snprintf(err, errlen, "unknown event '%s'; use new, "
			    "changed or deleted", jsonu_quote(q, sizeof(q),
			    word));
			free(word);
			*mask = 0;
			return -1;
		}
		free(word);
		*mask |= mailmatch_event_names[i].bit;
		p = e;
	}
	if (*mask == 0) {
		*errp = MAILMATCH_EMPTY_LIST;
		snprintf(err, errlen, "events is empty; use new, changed or "
		    "deleted");
		return -1;
	}
	*errp = MAILMATCH_OK;
	return 0;
}

char *
mailmatch_events_string(unsigned mask, char *buf, size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < MAILMATCH_NEVENTS; i++) {
		if ((mask & mailmatch_event_names[i].bit) == 0)
			continue;
		o += (size_t)snprintf(buf + o, o < size ? size - o : 0, "%s%s",
		    o > 0 ? " " : "", mailmatch_event_names[i].name);
		if (o >= size)
			break;
	}
	return buf;
}
