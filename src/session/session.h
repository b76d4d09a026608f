/* SPDX-License-Identifier: ISC */
/* The RFC 8620 Session object: what the daemon needs from it, validated. */
#ifndef JP_SESSION_H
#define JP_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#define SESSION_MAX_LEN		(4 * 1024 * 1024)
#define SESSION_MAX_ACCOUNTS	10000
#define SESSION_MAX_DEPTH	64
#define SESSION_CAP_MAIL	"urn:ietf:params:jmap:mail"

struct jmap_session_account {
	char *id;
	char *name;		/* "name" from the Session, else the id */
	bool is_personal;
	bool has_mail;		/* urn:ietf:params:jmap:mail in its
				 * accountCapabilities */
};

struct jmap_session {
	char *api_url;			/* absolute (resolved) */
	/* Resolved, {templates} kept; NULL if absent. */
	char *event_source_url;
	/* ws:// or wss://; NULL without the websocket capability. */
	char *ws_url;
	bool ws_supports_push;
	char *state;			/* may be NULL */
	char *username;			/* may be NULL */
	/* The user's own mail account: primaryAccounts[urn:ietf:params:
	 * jmap:mail], else (Apache James sends primaryAccounts empty) the
	 * first personal account with mail; NULL when neither is there. */
	char *primary_mail;
	struct jmap_session_account *accounts;	/* in the Session's order */
	size_t naccounts;
	char **push_types;		/* the capabilities' types, sorted */
	size_t npush_types;
	char **capabilities;		/* top-level capability URIs, sorted */
	size_t ncapabilities;
};

/* Parse a Session body fetched from session_url (the final URL after
 * redirects).  0, or -1 with an allocated message in *err (the caller frees
 * it), e.g. "session: apiUrl is not a string"; *out is then zeroed. */
int session_parse(const char *json, size_t len, const char *session_url,
    struct jmap_session *out, char **err);
void session_clear(struct jmap_session *);

/* The first of apiUrl, eventSourceUrl and the WebSocket url that is not
 * encrypted (http:, ws:), its name ("apiUrl") in *what; NULL when every
 * one the Session has uses TLS.  Borrowed from the session. */
const char *session_plain_url(const struct jmap_session *, const char **what);

/* The account's name for an accountId, NULL if unknown. */
const char *session_account_name(const struct jmap_session *,
    const char *account_id);

#endif
