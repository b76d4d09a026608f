/* SPDX-License-Identifier: ISC */
/*
 * A state file's text checked and taken apart, without I/O: every member
 * has the shape the store writes, so that what it gives back is safe to
 * use without more checks (a hostile or damaged file is refused whole).
 */
#include "autoconf.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "state/storeparse.h"
#include "util/log.h"
#include "util/xmalloc.h"

static bool
storeparse_valid_states(struct json_object *states)
{
	if (!json_object_is_type(states, json_type_object))
		return false;
	json_object_object_foreach(states, id, types) {
		(void)id;
		if (!json_object_is_type(types, json_type_object))
			return false;
		json_object_object_foreach(types, type, state) {
			(void)type;
			if (!json_object_is_type(state, json_type_string))
				return false;
		}
	}
	return true;
}

/* Whether o's key is a string (or absent, unless required). */
static bool
storeparse_valid_string(struct json_object *o, const char *key, bool required)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return !required;
	return json_object_is_type(v, json_type_string);
}

/* The shape store_set_pending() writes, so that a run given back is safe
 * to read without more checks. */
static bool
storeparse_valid_pending(struct json_object *pending)
{
	struct json_object *changed;

	if (!json_object_is_type(pending, json_type_object))
		return false;
	json_object_object_foreach(pending, hook, runs) {
		(void)hook;
		if (!json_object_is_type(runs, json_type_object))
			return false;
		json_object_object_foreach(runs, id, run) {
			(void)id;
			if (!json_object_is_type(run, json_type_object) ||
			    !json_object_object_get_ex(run, "changed",
			    &changed) || !json_object_is_type(changed,
			    json_type_object) ||
			    !storeparse_valid_string(run, "reason", true) ||
			    !storeparse_valid_string(run, "pushState", false))
				return false;
			json_object_object_foreach(changed, type, state) {
				(void)type;
				if (!json_object_is_type(state,
				    json_type_string))
					return false;
			}
		}
	}
	return true;
}

/* Only the outline: mailbox_cache_restore() checks each view's content
 * and starts an empty view from anything else. */
static bool
storeparse_valid_mail(struct json_object *mail)
{
	if (!json_object_is_type(mail, json_type_object))
		return false;
	json_object_object_foreach(mail, id, view) {
		(void)id;
		if (!json_object_is_type(view, json_type_object))
			return false;
	}
	return true;
}

/* The members of a document of the right version into out (references
 * taken); the reason it is unusable otherwise. */
static const char *
storeparse_fields(struct json_object *root, struct storeparse *out)
{
	struct json_object *v;

	if (json_object_object_get_ex(root, "pushState", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		if (!json_object_is_type(v, json_type_string)) {
			return "\"pushState\" is not a string";
		}
		out->push_state = xstrdup(json_object_get_string(v));
	}
	if (json_object_object_get_ex(root, "eventId", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		if (!json_object_is_type(v, json_type_string)) {
			return "\"eventId\" is not a string";
		}
		out->event_id = xstrdup(json_object_get_string(v));
	}
	if (json_object_object_get_ex(root, "states", &v)) {
		if (!storeparse_valid_states(v)) {
			return "\"states\" is not an object of objects of "
			    "strings";
		}
		out->states = json_object_get(v);
		json_object_object_foreach(v, id, types) {
			(void)id;
			out->nstates += json_object_object_length(types);
		}
	}
	if (json_object_object_get_ex(root, "pending", &v)) {
		if (!storeparse_valid_pending(v)) {
			return "\"pending\" is not an object of hook runs";
		}
		out->pending = json_object_get(v);
	}
	/* Files from before the mail view have none: an empty view. */
	if (json_object_object_get_ex(root, "mail", &v)) {
		if (!storeparse_valid_mail(v)) {
			return "\"mail\" is not an object of objects";
		}
		out->mail = json_object_get(v);
	}
	/* Only the outline: notifyfollow checks each entry. */
	if (json_object_object_get_ex(root, "notify", &v)) {
		if (!json_object_is_type(v, json_type_array)) {
			return "\"notify\" is not an array";
		}
		out->notify = json_object_get(v);
	}
	return NULL;
}

void
storeparse_clear(struct storeparse *d)
{
	free(d->push_state);
	free(d->event_id);
	json_object_put(d->states);
	json_object_put(d->pending);
	json_object_put(d->mail);
	json_object_put(d->notify);
	memset(d, 0, sizeof(*d));
}

const char *
storeparse_doc(const char *buf, size_t len, char *why, size_t whylen,
    struct storeparse *out)
{
	struct json_tokener *tok;
	struct json_object *root, *v;
	enum json_tokener_error jerr;
	const char *bad;
	size_t end;

	memset(out, 0, sizeof(*out));
	if (len == 0)
		return "the file is empty";
	tok = json_tokener_new();
	if (tok == NULL)
		fatalx("out of memory");
	root = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (root == NULL) {
		if (jerr == json_tokener_continue)
			return "truncated JSON";
		snprintf(why, whylen, "invalid JSON at byte %zu: %s", end,
		    json_tokener_error_desc(jerr));
		return why;
	}
	for (; end < len; end++) {
		if (strchr(" \t\r\n", buf[end]) == NULL) {
			json_object_put(root);
			snprintf(why, whylen, "unexpected data at byte %zu",
			    end);
			return why;
		}
	}
	if (!json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return "not a JSON object";
	}
	if (!json_object_object_get_ex(root, "version", &v) ||
	    !json_object_is_type(v, json_type_int)) {
		json_object_put(root);
		return "no \"version\"";
	}
	if (json_object_get_int64(v) != STOREPARSE_VERSION) {
		snprintf(why, whylen,
		    "unknown version %" PRId64 ", expected %d",
		    json_object_get_int64(v), STOREPARSE_VERSION);
		json_object_put(root);
		return why;
	}
	bad = storeparse_fields(root, out);
	json_object_put(root);
	if (bad != NULL)
		storeparse_clear(out);
	return bad;
}
