/* SPDX-License-Identifier: ISC */
/*
 * Which mailboxes and which mail events a user asked for: the `mailboxes =`
 * syntax (hooks, notify, the socket's subscribe, jmap-pushctl watch) and
 * the `events =` list, parsed without I/O, errors as enums plus a message
 * for --check-config.
 */
#ifndef JP_MAILMATCH_H
#define JP_MAILMATCH_H

#include <stdbool.h>
#include <stddef.h>

/* Mail events, as bits; printed in this order. */
enum mailmatch_event {
	MAILMATCH_NEW		= 1 << 0,
	MAILMATCH_CHANGED	= 1 << 1,
	MAILMATCH_DELETED	= 1 << 2,
};
#define MAILMATCH_ALL_EVENTS \
	(MAILMATCH_NEW | MAILMATCH_CHANGED | MAILMATCH_DELETED)

enum mailmatch_error {
	MAILMATCH_OK,
	MAILMATCH_EMPTY_LIST,		/* nothing but blanks */
	MAILMATCH_EMPTY_ITEM,		/* "inbox,,Work" or a trailing comma */
	MAILMATCH_UNKNOWN_EVENT,
};

/* A parsed `mailboxes =` value; owns its items. */
struct mailmatch {
	char	**items;
	bool	 *is_role;
	size_t	  n;
};

/*
 * Parses spec: comma-separated, blanks trimmed around each item.  An item
 * that is an RFC 8621 role name in lower case matches that role; any other
 * is a path, compared case-sensitively, where '*' matches any characters,
 * '/' included.  0 with *out set (free with mailmatch_free), or -1 with
 * *errp set and a message in err such as "empty item in mailboxes 'a,,b';
 * separate mailbox names with single commas".
 */
int	 mailmatch_parse(const char *spec, struct mailmatch **out,
	    enum mailmatch_error *errp, char *err, size_t errlen);
void	 mailmatch_free(struct mailmatch *);
/* Whether a mailbox with this path and role (NULL: none) is selected. */
bool	 mailmatch_mailbox(const struct mailmatch *, const char *path,
	    const char *role);
/* Whether role (lower case) is an RFC 8621 / IANA mailbox role. */
bool	 mailmatch_is_role(const char *name);
/* Whether path matches the glob pattern ('*' any characters, '/' too). */
bool	 mailmatch_glob(const char *pattern, const char *path);

/*
 * Parses `events =`: new, changed, deleted separated by blanks or commas,
 * into a mask of enum mailmatch_event.  0, or -1 with *errp and err such
 * as "unknown event 'foo'; use new, changed or deleted".
 */
int	 mailmatch_events(const char *spec, unsigned *mask,
	    enum mailmatch_error *errp, char *err, size_t errlen);
/* The events in mask, space-separated in the order new changed deleted,
 * into buf (at least 20 bytes).  Returns buf. */
char	*mailmatch_events_string(unsigned mask, char *buf, size_t size);

#endif
