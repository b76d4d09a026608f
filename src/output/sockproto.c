/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "output/outputs.h"
#include "output/sockproto.h"
#include "session/account.h"
#include "state/store.h"
#include "util/log.h"
#include "util/strv.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

#define SOCKPROTO_JSON \
	(JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/*
 * Serializes and frees o.  Server text was repaired when parsed, but an
 * error message may quote a peer (a client's "cmd", a TLS library's
 * certificate text): json-c writes bytes >= 0x80 back unchecked, and
 * invalid ones, only ever inside strings, get the same repair here.
 */
static char *
sockproto_line(struct json_object *o)
{
	const char *json = json_object_to_json_string_ext(o, SOCKPROTO_JSON);
	char *s, *fixed = NULL;

	if (!utf8_valid(json, strlen(json)))
		json = fixed = utf8_sanitize(json, strlen(json), NULL);
	xasprintf(&s, "%s\n", json);
	free(fixed);
	json_object_put(o);
	return s;
}

char *
sockproto_error(const char *msg, const char *cmd)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "error", json_object_new_string(msg));
	json_object_object_add(o, "cmd", cmd != NULL ?
	    json_object_new_string(cmd) : NULL);
	return sockproto_line(o);
}

char *
sockproto_ok(const char *cmd)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "reply", json_object_new_string(cmd));
	json_object_object_add(o, "ok", json_object_new_boolean(1));
	return sockproto_line(o);
}

void
sockproto_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "1970-01-01T00:00:00Z");
}

struct json_object *
sockproto_time_json(time_t t)
{
	char buf[64];

	if (t == 0)
		return NULL;
	sockproto_time(t, buf, sizeof(buf));
	return json_object_new_string(buf);
}

struct json_object *
sockproto_seconds_json(double s)
{
	char buf[64];

	if (s < 0)
		s = 0;
	snprintf(buf, sizeof(buf), "%.1f", s);
	return json_object_new_double_s(s, buf);
}

char *
sockproto_state(const struct push_event *ev, time_t now)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "event", json_object_new_string("state"));
	json_object_object_add(o, "account",
	    json_object_new_string(ev->account));
	json_object_object_add(o, "accountId",
	    json_object_new_string(ev->account_id));
	json_object_object_add(o, "changed", ev->changed != NULL ?
	    json_object_get(ev->changed) : json_object_new_object());
	if (ev->push_state != NULL)
		json_object_object_add(o, "pushState",
		    json_object_new_string(ev->push_state));
	json_object_object_add(o, "reason", json_object_new_string(ev->reason));
	json_object_object_add(o, "time", sockproto_time_json(now));
	return sockproto_line(o);
}

char *
sockproto_connection(const char *account, const char *status,
    double retry_in, bool has_retry, const char *error)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "event",
	    json_object_new_string("connection"));
	json_object_object_add(o, "account", json_object_new_string(account));
	json_object_object_add(o, "status", json_object_new_string(status));
	if (has_retry)
		json_object_object_add(o, "retryIn",
		    sockproto_seconds_json(retry_in));
	if (error != NULL)
		json_object_object_add(o, "error",
		    json_object_new_string(error));
	return sockproto_line(o);
}

char *
sockproto_overflow(size_t dropped)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "event", json_object_new_string("overflow"));
	json_object_object_add(o, "dropped",
	    json_object_new_int64((int64_t)dropped));
	return sockproto_line(o);
}

char *
sockproto_status(struct json_object *accounts)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "reply", json_object_new_string("status"));
	json_object_object_add(o, "accounts", accounts);
	return sockproto_line(o);
}

/* Whether an account in st waits to retry: then its retryIn is shown. */
static bool
sockproto_waits(enum account_status st)
{
	return st == ACCOUNT_BACKOFF || st == ACCOUNT_AUTH_FAILED ||
	    st == ACCOUNT_DISABLED;
}

char *
sockproto_account_connection(struct account *a)
{
	enum account_status st = account_status(a);

	return sockproto_connection(account_name(a), account_status_name(st),
	    account_retry_in(a), sockproto_waits(st), account_error(a));
}

void
sockproto_account_status(struct account *a, void *arg)
{
	struct json_object *arr = arg, *o = json_object_new_object();
	enum account_status st = account_status(a);
	const struct store *store = account_store(a);
	struct json_object *states;

	json_object_object_add(o, "account",
	    json_object_new_string(account_name(a)));
	json_object_object_add(o, "status",
	    json_object_new_string(account_status_name(st)));
	json_object_object_add(o, "transport",
	    json_object_new_string(account_transport(a)));
	json_object_object_add(o, "since",
	    sockproto_time_json(account_since(a)));
	json_object_object_add(o, "lastPush",
	    sockproto_time_json(account_last_push(a)));
	states = store != NULL ? store_states(store) : NULL;
	json_object_object_add(o, "states", states != NULL ?
	    json_object_get(states) : json_object_new_object());
	if (sockproto_waits(st))
		json_object_object_add(o, "retryIn",
		    sockproto_seconds_json(account_retry_in(a)));
	if (account_error(a) != NULL)
		json_object_object_add(o, "error",
		    json_object_new_string(account_error(a)));
	json_object_array_add(arr, o);
}

void
sockproto_sub_all(struct sockproto_sub *sub)
{
	memset(sub, 0, sizeof(*sub));
	sub->events = SOCKPROTO_EV_ALL;
	sub->all_accounts = true;
	sub->all_types = true;
}

void
sockproto_sub_clear(struct sockproto_sub *sub)
{
	strv_free(sub->accounts);
	strv_free(sub->types);
	sockproto_sub_all(sub);
}

void
sockproto_sub_set(struct sockproto_sub *sub, struct sockcmd *c)
{
	sockproto_sub_clear(sub);
	sub->events = c->events;
	sub->all_accounts = c->accounts == NULL;
	sub->accounts = c->accounts;
	sub->naccounts = c->naccounts;
	sub->all_types = c->types == NULL;
	sub->types = c->types;
	sub->ntypes = c->ntypes;
	c->accounts = c->types = NULL;
	c->naccounts = c->ntypes = 0;
}

/* Whether s is one of the n strings of v. */
static bool
sockproto_strings_has(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

bool
sockproto_sub_wants(const struct sockproto_sub *sub, unsigned ev,
    const char *account, struct json_object *changed)
{
	if ((sub->events & ev) == 0)
		return false;
	if (!sub->all_accounts && !sockproto_strings_has(sub->accounts,
	    sub->naccounts, account))
		return false;
	if (ev != SOCKPROTO_EV_STATE || sub->all_types)
		return true;
	if (changed == NULL || !json_object_is_type(changed, json_type_object))
		return false;
	json_object_object_foreach(changed, type, state) {
		(void)state;
		if (sockproto_strings_has(sub->types, sub->ntypes, type))
			return true;
	}
	return false;
}
