/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "session/resync.h"
#include "session/session.h"
#include "state/store.h"

/* Push-only types: they have a state but no Foo/get. */
static bool
resync_has_get(const char *type)
{
	return strcmp(type, "EmailDelivery") != 0;
}

struct json_object *
resync_request(const struct jmap_session *s, char *const *types,
    size_t ntypes, struct json_object **using)
{
	struct json_object *calls = json_object_new_array(), *call, *args;
	char name[128], id[64];
	int n = 0;

	for (size_t a = 0; a < s->naccounts; a++) {
		for (size_t t = 0; t < ntypes; t++) {
			if (!resync_has_get(types[t]))
				continue;
			args = json_object_new_object();
			json_object_object_add(args, "accountId",
			    json_object_new_string(s->accounts[a].id));
			json_object_object_add(args, "ids",
			    json_object_new_array());
			snprintf(name, sizeof(name), "%s/get", types[t]);
			snprintf(id, sizeof(id), "s%d", n++);
			call = json_object_new_array();
			json_object_array_add(call,
			    json_object_new_string(name));
			json_object_array_add(call, args);
			json_object_array_add(call, json_object_new_string(id));
			json_object_array_add(calls, call);
		}
	}
	if (n == 0) {
		json_object_put(calls);
		*using = NULL;
		return NULL;
	}
	*using = json_object_new_array();
	for (size_t i = 0; i < s->ncapabilities; i++)
		json_object_array_add(*using,
		    json_object_new_string(s->capabilities[i]));
	return calls;
}

struct json_object *
resync_states(struct json_object *responses)
{
	struct json_object *out = json_object_new_object(), *r, *v, *acct;
	const char *name, *slash, *account_id;
	char type[128];
	size_t n;

	if (!json_object_is_type(responses, json_type_array))
		return out;
	n = json_object_array_length(responses);
	for (size_t i = 0; i < n; i++) {
		r = json_object_array_get_idx(responses, i);
		if (!json_object_is_type(r, json_type_array) ||
		    json_object_array_length(r) < 2)
			continue;
		v = json_object_array_get_idx(r, 0);
		if (!json_object_is_type(v, json_type_string))
			continue;
		name = json_object_get_string(v);
		if ((slash = strchr(name, '/')) == NULL ||
		    strcmp(slash, "/get") != 0 || slash == name)
			continue;
		r = json_object_array_get_idx(r, 1);
		if (!json_object_object_get_ex(r, "accountId", &v) ||
		    !json_object_is_type(v, json_type_string))
			continue;
		account_id = json_object_get_string(v);
		if (!json_object_object_get_ex(r, "state", &v) ||
		    !json_object_is_type(v, json_type_string))
			continue;
		if (!json_object_object_get_ex(out, account_id, &acct)) {
			acct = json_object_new_object();
			json_object_object_add(out, account_id, acct);
		}
		snprintf(type, sizeof(type), "%.*s", (int)(slash - name), name);
		json_object_object_add(acct, type, json_object_get(v));
	}
	return out;
}

struct json_object *
resync_diff(struct store *st, struct json_object *current,
    enum resync_mode mode)
{
	struct json_object *out = NULL, *acct;
	const char *old, *now;
	bool changed;

	json_object_object_foreach(current, account_id, types) {
		acct = NULL;
		json_object_object_foreach(types, type, state) {
			now = json_object_get_string(state);
			old = store_type_state(st, account_id, type);
			switch (mode) {
			case RESYNC_PUSH:
				changed = old == NULL || strcmp(old, now) != 0;
				break;
			case RESYNC_COMPARE:
				changed = old != NULL && strcmp(old, now) != 0;
				break;
			default:
				changed = true;
				break;
			}
			store_set_type_state(st, account_id, type, now);
			if (!changed)
				continue;
			if (out == NULL)
				out = json_object_new_object();
			if (acct == NULL) {
				acct = json_object_new_object();
				json_object_object_add(out, account_id, acct);
			}
			json_object_object_add(acct, type,
			    json_object_new_string(now));
		}
	}
	return out;
}

void
resync_note_pushed(struct json_object *pushed, struct json_object *changed)
{
	struct json_object *acct;

	if (!json_object_is_type(changed, json_type_object))
		return;
	json_object_object_foreach(changed, account_id, types) {
		if (!json_object_is_type(types, json_type_object))
			continue;
		if (!json_object_object_get_ex(pushed, account_id, &acct)) {
			acct = json_object_new_object();
			json_object_object_add(pushed, account_id, acct);
		}
		json_object_object_foreach(types, type, state) {
			(void)state;
			json_object_object_add(acct, type,
			    json_object_new_boolean(1));
		}
	}
}

size_t
resync_drop_pushed(struct json_object *current, struct json_object *pushed)
{
	struct json_object *types;
	size_t n = 0;

	json_object_object_foreach(pushed, account_id, acct) {
		if (!json_object_object_get_ex(current, account_id, &types))
			continue;
		json_object_object_foreach(acct, type, v) {
			(void)v;
			if (json_object_object_get_ex(types, type, NULL)) {
				json_object_object_del(types, type);
				n++;
			}
		}
		if (json_object_object_length(types) == 0)
			json_object_object_del(current, account_id);
	}
	return n;
}
