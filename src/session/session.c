/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "session/session.h"
#include "transport/url.h"
#include "util/json.h"
#include "util/xmalloc.h"

#define CAP_WEBSOCKET	"urn:ietf:params:jmap:websocket"

/* A server's string in an error message keeps this many characters. */
#define QUOTE_MAX	100

/* The data types each capability brings, sorted by type name. */
static const struct {
	const char *type;
	const char *capability;
} push_type_table[] = {
	{ "AddressBook", "urn:ietf:params:jmap:contacts" },
	{ "Calendar", "urn:ietf:params:jmap:calendars" },
	{ "CalendarEvent", "urn:ietf:params:jmap:calendars" },
	{ "ContactCard", "urn:ietf:params:jmap:contacts" },
	{ "Email", "urn:ietf:params:jmap:mail" },
	{ "EmailDelivery", "urn:ietf:params:jmap:mail" },
	{ "EmailSubmission", "urn:ietf:params:jmap:submission" },
	{ "Identity", "urn:ietf:params:jmap:submission" },
	{ "Mailbox", "urn:ietf:params:jmap:mail" },
	{ "Thread", "urn:ietf:params:jmap:mail" },
	{ "VacationResponse", "urn:ietf:params:jmap:vacationresponse" },
};
#define NPUSH_TYPES (sizeof(push_type_table) / sizeof(push_type_table[0]))

static int
fail(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
fail(char **err, const char *fmt, ...)
{
	va_list ap;
	char *m;

	va_start(ap, fmt);
	xvasprintf(&m, fmt, ap);
	va_end(ap);
	xasprintf(err, "session: %s", m);
	free(m);
	return -1;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
mark_capabilities(struct json_object *caps, bool present[NPUSH_TYPES])
{
	for (size_t i = 0; i < NPUSH_TYPES; i++)
		if (json_object_object_get_ex(caps,
		    push_type_table[i].capability, NULL))
			present[i] = true;
}

/* Resolves a URL of the Session; -1 unless the result is http(s). */
static int
resolve_http(const char *session_url, const char *ref, char **out)
{
	struct url u;
	bool ok;

	if ((*out = url_resolve(session_url, ref)) == NULL)
		return -1;
	if (url_parse(*out, &u) == -1) {
		free(*out);
		*out = NULL;
		return -1;
	}
	ok = strcmp(u.scheme, "http") == 0 || strcmp(u.scheme, "https") == 0;
	url_clear(&u);
	if (!ok) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

/* Whether a URI reference names its own host ("//" after any scheme). */
static bool
has_authority(const char *ref)
{
	size_t n = strcspn(ref, ":/?#");

	if (ref[n] == ':')
		ref += n + 1;
	return ref[0] == '/' && ref[1] == '/';
}

/*
 * The WebSocket URL of RFC 8887, coping with Cyrus: "wss:/jmap/ws/" has no
 * authority (take the Session's) and says wss even when the Session came
 * over plain http.  So a host-less wss, or one naming the very host and port
 * of an http Session, means ws; http(s) URLs map to ws(s).
 */
static int
resolve_ws(const struct url *su, const char *session_url, const char *ref,
    char **out)
{
	struct url u;
	const char *scheme;
	char *resolved;

	*out = NULL;
	if ((resolved = url_resolve(session_url, ref)) == NULL)
		return -1;
	if (url_parse(resolved, &u) == -1) {
		free(resolved);
		return -1;
	}
	if (u.tls && !su->tls && (!has_authority(ref) ||
	    (u.port == su->port && strcmp(u.host, su->host) == 0)))
		scheme = "ws";
	else
		scheme = u.tls ? "wss" : "ws";
	/* url_resolve lowercased the scheme, so its length is known. */
	xasprintf(out, "%s%s", scheme, resolved + strlen(u.scheme));
	free(resolved);
	url_clear(&u);
	return 0;
}

static int
parse_accounts(struct json_object *accounts, struct jmap_session *s,
    bool present[NPUSH_TYPES], char **err)
{
	struct json_object_iterator it, end;
	size_t n = (size_t)json_object_object_length(accounts);

	if (n > SESSION_MAX_ACCOUNTS)
		return fail(err, "too many accounts (%zu, at most %d)", n,
		    SESSION_MAX_ACCOUNTS);
	s->accounts = xcalloc(n, sizeof(*s->accounts));
	it = json_object_iter_begin(accounts);
	end = json_object_iter_end(accounts);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		const char *id = json_object_iter_peek_name(&it);
		struct json_object *a = json_object_iter_peek_value(&it);
		struct json_object *v;
		struct jmap_session_account *acct;
		const char *name;
		char q[JSONU_QUOTE_SIZE(QUOTE_MAX)];

		if (*id == '\0')
			return fail(err, "an account has an empty id");
		if (!json_object_is_type(a, json_type_object))
			return fail(err, "account %s is not an object",
			    jsonu_quote(q, sizeof(q), id));
		acct = &s->accounts[s->naccounts++];
		acct->id = xstrdup(id);
		name = jsonu_string_of(jsonu_member(a, "name"));
		acct->name = xstrdup(name != NULL && *name != '\0' ? name : id);
		v = jsonu_member(a, "isPersonal");
		acct->is_personal = json_object_is_type(v, json_type_boolean) &&
		    json_object_get_boolean(v);
		v = jsonu_member(a, "accountCapabilities");
		if (json_object_is_type(v, json_type_object)) {
			mark_capabilities(v, present);
			acct->has_mail = json_object_object_get_ex(v,
			    SESSION_CAP_MAIL, NULL);
		}
	}
	return 0;
}

static void
parse_capabilities(struct json_object *caps, struct jmap_session *s)
{
	struct json_object_iterator it, end;
	size_t n = (size_t)json_object_object_length(caps);

	s->capabilities = xcalloc(n, sizeof(*s->capabilities));
	it = json_object_iter_begin(caps);
	end = json_object_iter_end(caps);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it))
		s->capabilities[s->ncapabilities++] =
		    xstrdup(json_object_iter_peek_name(&it));
	qsort(s->capabilities, s->ncapabilities, sizeof(char *), cmp_str);
}

static int
parse_websocket(struct json_object *caps, const struct url *su,
    const char *session_url, struct jmap_session *s, char **err)
{
	struct json_object *ws = jsonu_member(caps, CAP_WEBSOCKET), *v;
	const char *ref;
	char q[JSONU_QUOTE_SIZE(QUOTE_MAX)];

	if (ws == NULL)
		return 0;
	if (!json_object_is_type(ws, json_type_object))
		return fail(err, "capability %s is not an object",
		    CAP_WEBSOCKET);
	if ((ref = jsonu_string_of(jsonu_member(ws, "url"))) == NULL)
		return fail(err, "WebSocket url is not a string");
	if (resolve_ws(su, session_url, ref, &s->ws_url) == -1)
		return fail(err, "WebSocket url '%s' is not a valid URL",
		    jsonu_quote(q, sizeof(q), ref));
	v = jsonu_member(ws, "supportsPush");
	s->ws_supports_push = json_object_is_type(v, json_type_boolean) &&
	    json_object_get_boolean(v);
	return 0;
}

static int
parse_urls(struct json_object *root, const char *session_url,
    struct jmap_session *s, char **err)
{
	struct json_object *v;
	const char *ref;
	char q[JSONU_QUOTE_SIZE(QUOTE_MAX)];

	if ((v = jsonu_member(root, "apiUrl")) == NULL)
		return fail(err, "apiUrl is missing");
	if ((ref = jsonu_string_of(v)) == NULL)
		return fail(err, "apiUrl is not a string");
	if (resolve_http(session_url, ref, &s->api_url) == -1)
		return fail(err, "apiUrl '%s' is not a valid http(s) URL",
		    jsonu_quote(q, sizeof(q), ref));
	if ((v = jsonu_member(root, "eventSourceUrl")) == NULL)
		return 0;
	if ((ref = jsonu_string_of(v)) == NULL)
		return fail(err, "eventSourceUrl is not a string");
	if (resolve_http(session_url, ref, &s->event_source_url) == -1)
		return fail(err,
		    "eventSourceUrl '%s' is not a valid http(s) URL",
		    jsonu_quote(q, sizeof(q), ref));
	return 0;
}

static void
collect_push_types(const bool present[NPUSH_TYPES], struct jmap_session *s)
{
	s->push_types = xcalloc(NPUSH_TYPES, sizeof(*s->push_types));
	for (size_t i = 0; i < NPUSH_TYPES; i++)
		if (present[i])
			s->push_types[s->npush_types++] =
			    xstrdup(push_type_table[i].type);
}

int
session_parse(const char *json, size_t len, const char *session_url,
    struct jmap_session *out, char **err)
{
	struct json_object *root, *caps, *accounts;
	bool present[NPUSH_TYPES] = { false };
	struct url su;
	const char *str;
	char jerr[128];
	int rc = -1;

	memset(out, 0, sizeof(*out));
	*err = NULL;
	if (len > SESSION_MAX_LEN)
		return fail(err, "document too large (%zu bytes, at most %d)",
		    len, SESSION_MAX_LEN);
	if (url_parse(session_url, &su) == -1)
		return fail(err, "the session URL is not a valid URL");
	if (jsonu_parse_buffer(json, len, SESSION_MAX_DEPTH, &root, jerr,
	    sizeof(jerr)) == -1) {
		url_clear(&su);
		return fail(err, "%s", jerr);
	}
	if (!json_object_is_type(root, json_type_object)) {
		fail(err, "not a JSON object");
		goto done;
	}
	if ((caps = jsonu_member(root, "capabilities")) == NULL) {
		fail(err, "capabilities is missing");
		goto done;
	}
	if (!json_object_is_type(caps, json_type_object)) {
		fail(err, "capabilities is not an object");
		goto done;
	}
	if ((accounts = jsonu_member(root, "accounts")) == NULL) {
		fail(err, "accounts is missing");
		goto done;
	}
	if (!json_object_is_type(accounts, json_type_object)) {
		fail(err, "accounts is not an object");
		goto done;
	}
	if (parse_accounts(accounts, out, present, err) == -1 ||
	    parse_urls(root, session_url, out, err) == -1 ||
	    parse_websocket(caps, &su, session_url, out, err) == -1)
		goto done;
	parse_capabilities(caps, out);
	mark_capabilities(caps, present);
	collect_push_types(present, out);
	if ((str = jsonu_string_of(jsonu_member(root, "state"))) != NULL)
		out->state = xstrdup(str);
	if ((str = jsonu_string_of(jsonu_member(root, "username"))) != NULL)
		out->username = xstrdup(str);
	if ((str = jsonu_string_of(jsonu_member(jsonu_member(root,
	    "primaryAccounts"), SESSION_CAP_MAIL))) != NULL && *str != '\0')
		out->primary_mail = xstrdup(str);
	for (size_t i = 0; out->primary_mail == NULL && i < out->naccounts;
	    i++)
		if (out->accounts[i].is_personal && out->accounts[i].has_mail)
			out->primary_mail = xstrdup(out->accounts[i].id);
	rc = 0;
done:
	json_object_put(root);
	url_clear(&su);
	if (rc == -1)
		session_clear(out);
	return rc;
}

void
session_clear(struct jmap_session *s)
{
	free(s->api_url);
	free(s->event_source_url);
	free(s->ws_url);
	free(s->state);
	free(s->username);
	free(s->primary_mail);
	for (size_t i = 0; i < s->naccounts; i++) {
		free(s->accounts[i].id);
		free(s->accounts[i].name);
	}
	free(s->accounts);
	for (size_t i = 0; i < s->npush_types; i++)
		free(s->push_types[i]);
	free(s->push_types);
	for (size_t i = 0; i < s->ncapabilities; i++)
		free(s->capabilities[i]);
	free(s->capabilities);
	memset(s, 0, sizeof(*s));
}

/* The Session's URLs are absolute (resolved) by now. */
static bool
is_plain(const char *url)
{
	return url != NULL && (strncasecmp(url, "http:", 5) == 0 ||
	    strncasecmp(url, "ws:", 3) == 0);
}

/* In the order a user would look for them: the API first. */
const char *
session_plain_url(const struct jmap_session *s, const char **what)
{
	if (is_plain(s->api_url)) {
		*what = "apiUrl";
		return s->api_url;
	}
	if (is_plain(s->event_source_url)) {
		*what = "eventSourceUrl";
		return s->event_source_url;
	}
	if (is_plain(s->ws_url)) {
		*what = "the WebSocket url";
		return s->ws_url;
	}
	*what = NULL;
	return NULL;
}

const char *
session_account_name(const struct jmap_session *s, const char *account_id)
{
	for (size_t i = 0; i < s->naccounts; i++)
		if (strcmp(s->accounts[i].id, account_id) == 0)
			return s->accounts[i].name;
	return NULL;
}
