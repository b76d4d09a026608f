/* SPDX-License-Identifier: ISC */
/*
 * One batched round of the mail view and what its answer means per
 * mailbox.  Every value comes from a server: types are checked before use,
 * strings go through mailbox_string(), and an answer that is not what was
 * asked changes nothing, so a bad round can be retried from the same
 * states.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "config/mailmatch.h"
#include "session/mailtally.h"
#include "session/mailview.h"
#include "util/json.h"
#include "util/xmalloc.h"

/* The calls of a round, by call id. */
enum mailview_call {
	MV_MC,		/* Mailbox/changes */
	MV_MGC,		/* Mailbox/get of created */
	MV_MGU,		/* Mailbox/get of updated */
	MV_MGA,		/* Mailbox/get of all */
	MV_EC,		/* Email/changes */
	MV_EGC,		/* Email/get of created */
	MV_EGU,		/* Email/get of updated */
	MV_ES,		/* Email/get of no ids: the state */
	MV_NCALLS,
};

static const struct {
	const char	*id;
	const char	*name;
} mailview_calls[MV_NCALLS] = {
	[MV_MC] = { "mc", "Mailbox/changes" },
	[MV_MGC] = { "mgc", "Mailbox/get" },
	[MV_MGU] = { "mgu", "Mailbox/get" },
	[MV_MGA] = { "mga", "Mailbox/get" },
	[MV_EC] = { "ec", "Email/changes" },
	[MV_EGC] = { "egc", "Email/get" },
	[MV_EGU] = { "egu", "Email/get" },
	[MV_ES] = { "es", "Email/get" },
};

static const char *const mailview_mailbox_props[] = {
	"id", "name", "parentId", "role", "totalEmails", "unreadEmails",
};
static const char *const mailview_created_props[] = {
	"id", "mailboxIds", "keywords", "from", "subject", "receivedAt",
	"messageId", "threadId", "preview",
};
static const char *const mailview_updated_props[] = {
	"id", "mailboxIds", "keywords",
};

#define MV_NELEM(a)	(sizeof(a) / sizeof((a)[0]))

struct mailview {
	struct mailbox_cache	 cache;
	struct mailtally_seen	*seen;		/* mailboxIds of emails seen */
	unsigned		 asked;		/* 1 << enum mailview_call */
	bool			 no_props_ref;	/* the server refused
						 * #properties: get all */
};

struct mailview *
mailview_new(void)
{
	struct mailview *v = xcalloc(1, sizeof(*v));

	v->seen = mailtally_seen_new();
	return v;
}

void
mailview_free(struct mailview *v)
{
	if (v == NULL)
		return;
	mailbox_cache_clear(&v->cache);
	mailtally_seen_free(v->seen);
	free(v);
}

const struct mailbox_cache *
mailview_cache(const struct mailview *v)
{
	return &v->cache;
}

struct json_object *
mailview_save(const struct mailview *v)
{
	return mailbox_cache_save(&v->cache);
}

int
mailview_restore(struct mailview *v, struct json_object *saved)
{
	v->asked = 0;
	return mailbox_cache_restore(&v->cache, saved);
}

static struct json_object *
mailview_args(const char *account_id)
{
	struct json_object *a = json_object_new_object();

	json_object_object_add(a, "accountId",
	    json_object_new_string(account_id));
	return a;
}

static void
mailview_call(struct mailview *v, struct json_object *calls,
    enum mailview_call c, struct json_object *args)
{
	struct json_object *call = json_object_new_array();

	json_object_array_add(call,
	    json_object_new_string(mailview_calls[c].name));
	json_object_array_add(call, args);
	json_object_array_add(call, json_object_new_string(mailview_calls[c].id));
	json_object_array_add(calls, call);
	v->asked |= 1u << c;
}

/* {"resultOf": id of c, "name": its method, "path": path} */
static struct json_object *
mailview_ref(enum mailview_call c, const char *path)
{
	struct json_object *r = json_object_new_object();

	json_object_object_add(r, "resultOf",
	    json_object_new_string(mailview_calls[c].id));
	json_object_object_add(r, "name",
	    json_object_new_string(mailview_calls[c].name));
	json_object_object_add(r, "path", json_object_new_string(path));
	return r;
}

static struct json_object *
mailview_strings(const char *const *v, size_t n)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

void
mailview_request(struct mailview *v, const char *account_id,
    struct json_object **usingp, struct json_object **callsp)
{
	struct json_object *calls = json_object_new_array(), *a;
	static const char *const using[] = {
		"urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail",
	};

	v->asked = 0;
	if (v->cache.state == NULL) {
		a = mailview_args(account_id);
		json_object_object_add(a, "ids", NULL);
		json_object_object_add(a, "properties", mailview_strings(
		    mailview_mailbox_props, MV_NELEM(mailview_mailbox_props)));
		mailview_call(v, calls, MV_MGA, a);
	} else {
		a = mailview_args(account_id);
		json_object_object_add(a, "sinceState",
		    json_object_new_string(v->cache.state));
		mailview_call(v, calls, MV_MC, a);
		a = mailview_args(account_id);
		json_object_object_add(a, "#ids", mailview_ref(MV_MC,
		    "/created"));
		json_object_object_add(a, "properties", mailview_strings(
		    mailview_mailbox_props, MV_NELEM(mailview_mailbox_props)));
		mailview_call(v, calls, MV_MGC, a);
		/* RFC 8621 2.2: null updatedProperties asks for them all. */
		a = mailview_args(account_id);
		json_object_object_add(a, "#ids", mailview_ref(MV_MC,
		    "/updated"));
		if (v->no_props_ref)
			json_object_object_add(a, "properties",
			    mailview_strings(mailview_mailbox_props,
			    MV_NELEM(mailview_mailbox_props)));
		else
			json_object_object_add(a, "#properties",
			    mailview_ref(MV_MC, "/updatedProperties"));
		mailview_call(v, calls, MV_MGU, a);
	}
	if (v->cache.email_state == NULL) {
		a = mailview_args(account_id);
		json_object_object_add(a, "ids", json_object_new_array());
		mailview_call(v, calls, MV_ES, a);
	} else {
		a = mailview_args(account_id);
		json_object_object_add(a, "sinceState",
		    json_object_new_string(v->cache.email_state));
		json_object_object_add(a, "maxChanges",
		    json_object_new_int(MAILVIEW_MAX_CHANGES));
		mailview_call(v, calls, MV_EC, a);
		a = mailview_args(account_id);
		json_object_object_add(a, "#ids", mailview_ref(MV_EC,
		    "/created"));
		json_object_object_add(a, "properties", mailview_strings(
		    mailview_created_props, MV_NELEM(mailview_created_props)));
		mailview_call(v, calls, MV_EGC, a);
		a = mailview_args(account_id);
		json_object_object_add(a, "#ids", mailview_ref(MV_EC,
		    "/updated"));
		json_object_object_add(a, "properties", mailview_strings(
		    mailview_updated_props, MV_NELEM(mailview_updated_props)));
		mailview_call(v, calls, MV_EGU, a);
	}
	*usingp = mailview_strings(using, MV_NELEM(using));
	*callsp = calls;
}

/* A member that must be a string; NULL (and err set) when it is not. */
static const char *
mailview_need_string(struct json_object *args, const char *key,
    enum mailview_call c, char *err, size_t errlen)
{
	const char *s = jsonu_string_of(jsonu_member(args, key));

	if (s == NULL)
		snprintf(err, errlen, "%s answer without %s",
		    mailview_calls[c].name, key);
	return s;
}

/* A member that must be an array of ids (absent counts as empty). */
static bool
mailview_need_ids(struct json_object *args, const char *key,
    enum mailview_call c, char *err, size_t errlen)
{
	struct json_object *a = jsonu_member(args, key);

	if (a == NULL || json_object_is_type(a, json_type_array))
		return true;
	snprintf(err, errlen, "%s answer with %s not an array",
	    mailview_calls[c].name, key);
	return false;
}

/* Whether a method error says the server lost the history asked for. */
static bool
mailview_lost(const char *type)
{
	return type != NULL && strcmp(type, "cannotCalculateChanges") == 0;
}

/*
 * Sorts the answers by call id into slot (the arguments) and failed (the
 * error type, "" when it has none).  MAILVIEW_OK, or the status that ends
 * the round with err set.
 */
static enum mailview_status
mailview_sort(struct mailview *v, unsigned asked,
    struct json_object *responses, struct json_object **slot,
    const char **failed, char *err, size_t errlen)
{
	struct json_object	*r, *args;
	const char		*name, *id, *type;
	char			 q[JSONU_QUOTE_SIZE(64)];
	size_t			 c;
	bool			 email_lost;

	if (!json_object_is_type(responses, json_type_array)) {
		snprintf(err, errlen, "no methodResponses array");
		return MAILVIEW_MALFORMED;
	}
	for (size_t i = 0; i < json_object_array_length(responses); i++) {
		r = json_object_array_get_idx(responses, i);
		if (!json_object_is_type(r, json_type_array) ||
		    json_object_array_length(r) != 3 ||
		    (name = jsonu_string_of(json_object_array_get_idx(r,
		    0))) == NULL ||
		    !json_object_is_type(args = json_object_array_get_idx(r, 1),
		    json_type_object) ||
		    (id = jsonu_string_of(json_object_array_get_idx(r,
		    2))) == NULL)
			continue;
		for (c = 0; c < MV_NCALLS; c++)
			if (strcmp(id, mailview_calls[c].id) == 0)
				break;
		if (c == MV_NCALLS || (asked & (1u << c)) == 0 ||
		    slot[c] != NULL || failed[c] != NULL)
			continue;
		if (strcmp(name, "error") == 0) {
			type = jsonu_string_of(jsonu_member(args, "type"));
			failed[c] = type != NULL ? type : "";
		} else if (strcmp(name, mailview_calls[c].name) == 0)
			slot[c] = args;
	}
	/* A lost history makes the gets that refer to it fail too. */
	email_lost = mailview_lost(failed[MV_EC]);
	if (email_lost || mailview_lost(failed[MV_MC])) {
		if (email_lost)
			mailbox_set_email_state(&v->cache, NULL);
		mailbox_set_state(&v->cache, NULL);
		snprintf(err, errlen, "%s: cannotCalculateChanges; reloading",
		    mailview_calls[email_lost ? MV_EC : MV_MC].name);
		return MAILVIEW_RELOAD;
	}
	for (c = 0; c < MV_NCALLS; c++) {
		if (failed[c] == NULL)
			continue;
		snprintf(err, errlen, "%s (%s) failed: %s",
		    mailview_calls[c].name, mailview_calls[c].id,
		    *failed[c] != '\0' ? jsonu_quote(q, sizeof(q), failed[c]) :
		    "(no type)");
		return MAILVIEW_ERROR;
	}
	for (c = 0; c < MV_NCALLS; c++) {
		if ((asked & (1u << c)) != 0 && slot[c] == NULL) {
			snprintf(err, errlen, "no %s (%s) answer",
			    mailview_calls[c].name, mailview_calls[c].id);
			return MAILVIEW_MALFORMED;
		}
	}
	return MAILVIEW_OK;
}

/* Checks the answers' shapes before anything changes. */
static bool
mailview_check(unsigned asked, struct json_object **slot, char *err,
    size_t errlen)
{
	if ((asked & 1u << MV_MGA) != 0 && mailview_need_string(slot[MV_MGA],
	    "state", MV_MGA, err, errlen) == NULL)
		return false;
	if ((asked & 1u << MV_MC) != 0 &&
	    (mailview_need_string(slot[MV_MC], "newState", MV_MC, err,
	    errlen) == NULL ||
	    !mailview_need_ids(slot[MV_MC], "destroyed", MV_MC, err, errlen)))
		return false;
	if ((asked & 1u << MV_ES) != 0 && mailview_need_string(slot[MV_ES],
	    "state", MV_ES, err, errlen) == NULL)
		return false;
	if ((asked & 1u << MV_EC) != 0 &&
	    (mailview_need_string(slot[MV_EC], "newState", MV_EC, err,
	    errlen) == NULL ||
	    !mailview_need_ids(slot[MV_EC], "created", MV_EC, err, errlen) ||
	    !mailview_need_ids(slot[MV_EC], "destroyed", MV_EC, err, errlen)))
		return false;
	return true;
}

/* Applies the Mailbox answers to c (a copy of the cache). */
static void
mailview_apply_mailboxes(unsigned asked, struct json_object **slot,
    struct mailbox_cache *c)
{
	struct json_object	*list, *ids;
	size_t			 n;

	if ((asked & 1u << MV_MGA) != 0) {
		char *email_state = c->email_state;

		c->email_state = NULL;
		mailbox_cache_clear(c);
		c->email_state = email_state;
		n = mailtally_list(slot[MV_MGA], &list);
		for (size_t i = 0; i < n; i++)
			mailbox_update(c, json_object_array_get_idx(list, i));
		mailbox_set_state(c, jsonu_string_of(jsonu_member(slot[MV_MGA],
		    "state")));
	}
	if ((asked & 1u << MV_MC) != 0) {
		ids = jsonu_member(slot[MV_MC], "destroyed");
		for (size_t i = 0; ids != NULL &&
		    i < json_object_array_length(ids); i++)
			mailbox_remove(c, jsonu_string_of(
			    json_object_array_get_idx(ids, i)));
		n = mailtally_list(slot[MV_MGC], &list);
		for (size_t i = 0; i < n; i++)
			mailbox_update(c, json_object_array_get_idx(list, i));
		n = mailtally_list(slot[MV_MGU], &list);
		for (size_t i = 0; i < n; i++)
			mailbox_update(c, json_object_array_get_idx(list, i));
		mailbox_set_state(c, jsonu_string_of(jsonu_member(slot[MV_MC],
		    "newState")));
	}
	mailbox_cache_paths(c);
}

enum mailview_status
mailview_parse(struct mailview *v, struct json_object *responses,
    struct mailresult *out, bool *more, char *err, size_t errlen)
{
	struct json_object	*slot[MV_NCALLS] = { 0 }, *ids;
	const char		*failed[MV_NCALLS] = { 0 };
	struct mailbox_cache	 c;
	struct mailtally	 t;
	enum mailview_status	 st;
	char			 q[JSONU_QUOTE_SIZE(64)];
	unsigned		 asked = v->asked;

	memset(out, 0, sizeof(*out));
	*more = false;
	*err = '\0';
	v->asked = 0;
	if (asked == 0) {
		snprintf(err, errlen, "no request in flight");
		return MAILVIEW_MALFORMED;
	}
	st = mailview_sort(v, asked, responses, slot, failed, err, errlen);
	if (st == MAILVIEW_RELOAD)
		*more = true;
	/* A server that cannot resolve a null updatedProperties (or any):
	 * updated mailboxes are fetched whole from now on. */
	if (st == MAILVIEW_ERROR && failed[MV_MGU] != NULL &&
	    slot[MV_MC] != NULL && !v->no_props_ref) {
		v->no_props_ref = true;
		*more = true;
		snprintf(err, errlen, "Mailbox/get (mgu) failed: %s; asking "
		    "again without #properties", *failed[MV_MGU] != '\0' ?
		    jsonu_quote(q, sizeof(q), failed[MV_MGU]) : "(no type)");
	}
	if (st != MAILVIEW_OK)
		return st;
	if (!mailview_check(asked, slot, err, errlen))
		return MAILVIEW_MALFORMED;

	mailbox_cache_copy(&c, &v->cache);
	mailview_apply_mailboxes(asked, slot, &c);
	mailtally_init(&t, c.n);
	if ((asked & 1u << MV_ES) != 0)
		mailbox_set_email_state(&c, jsonu_string_of(jsonu_member(
		    slot[MV_ES], "state")));
	if ((asked & 1u << MV_EC) != 0) {
		ids = jsonu_member(slot[MV_EC], "created");
		mailtally_created(v->seen, &c, slot[MV_EGC], ids != NULL ?
		    json_object_array_length(ids) : 0, &t, out);
		mailtally_updated(v->seen, &c, slot[MV_EGU], &t);
		if ((ids = jsonu_member(slot[MV_EC], "destroyed")) != NULL)
			mailtally_destroyed(v->seen, &c, ids, &t);
		mailtally_touched(slot[MV_EGU], ids, out);
		mailbox_set_email_state(&c, jsonu_string_of(jsonu_member(
		    slot[MV_EC], "newState")));
		*more = mailtally_true(slot[MV_EC], "hasMoreChanges");
	}
	if ((asked & 1u << MV_MC) != 0 &&
	    mailtally_true(slot[MV_MC], "hasMoreChanges"))
		*more = true;
	mailtally_counts(&v->cache, &c, &t, (asked & 1u << MV_EC) != 0,
	    (asked & 1u << MV_MGA) != 0);
	mailtally_result(&v->cache, &c, &t, out);
	mailbox_cache_clear(&v->cache);
	v->cache = c;
	mailtally_clear(&t);
	return MAILVIEW_OK;
}
