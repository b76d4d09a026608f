/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "config/mailmatch.h"
#include "output/outputs.h"
#include "output/sockproto.h"
#include "session/account.h"
#include "session/mailbox.h"
#include "session/mailresult.h"
#include "state/store.h"
#include "util/log.h"
#include "util/strv.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

/* A mail event's new entries stop before its JSON text would pass this,
 * the rest counted in newTruncated: well within the default socket_queue
 * (256 KiB), so that a server's long subjects cannot get a client
 * dropped. */
#define SOCKPROTO_MAX_MAIL	(64 * 1024)

#define SOCKPROTO_JSON \
	(JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/*
 * Serializes and frees o.  Server text was repaired when parsed, but an
 * error message may quote a peer (a client's "cmd", a TLS library's
 * certificate text): json-c writes bytes >= 0x80 back unchecked, and
 * invalid ones, only ever inside strings, get the same repair here.
 */
char *
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
	/* Every state event of one second has the same time: its text is
	 * made once (gmtime_r and strftime were 2% of the daemon's user
	 * time per push, bench figure 1). */
	static time_t last = -1;
	static char text[64];
	struct tm tm;

	if (t != last) {
		if (gmtime_r(&t, &tm) == NULL || strftime(text, sizeof(text),
		    "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
			snprintf(text, sizeof(text), "1970-01-01T00:00:00Z");
		last = t;
	}
	snprintf(buf, len, "%s", text);
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
	return sockproto_line(sockproto_state_json(ev, now));
}

struct json_object *
sockproto_state_json(const struct push_event *ev, time_t now)
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
	return o;
}

char *
sockproto_connection(const char *account, const char *status,
    double retry_in, bool has_retry, const char *error)
{
	return sockproto_line(sockproto_connection_json(account, status,
	    retry_in, has_retry, error));
}

struct json_object *
sockproto_connection_json(const char *account, const char *status,
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
	return o;
}

char *
sockproto_mute(bool muted, time_t until)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "event", json_object_new_string("mute"));
	json_object_object_add(o, "muted", json_object_new_boolean(muted));
	json_object_object_add(o, "mutedUntil", muted && until != 0 ?
	    json_object_new_int64((int64_t)until) : NULL);
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

/* A mailbox as the mailbox event and the status list show it; accountId
 * only when account_id is not NULL (status). */
static struct json_object *
sockproto_box_json(const char *account_id, const char *id, const char *path,
    const char *role, int64_t unread, int64_t total)
{
	struct json_object *o = json_object_new_object();

	if (account_id != NULL)
		json_object_object_add(o, "accountId",
		    json_object_new_string(account_id));
	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "path", json_object_new_string(path));
	json_object_object_add(o, "role", role != NULL ?
	    json_object_new_string(role) : NULL);
	json_object_object_add(o, "unread", json_object_new_int64(unread));
	json_object_object_add(o, "total", json_object_new_int64(total));
	return o;
}

/* {"event":kind,"account","accountId"}, the start of a mail line. */
static struct json_object *
sockproto_mail_start(const char *kind, const char *account,
    const char *account_id)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "event", json_object_new_string(kind));
	json_object_object_add(o, "account", json_object_new_string(account));
	json_object_object_add(o, "accountId",
	    json_object_new_string(account_id));
	return o;
}

char *
sockproto_mailbox(const char *account, const char *account_id,
    const struct mailresult *r, const struct mailbox_cache *cache,
    const struct mailmatch *mm)
{
	struct json_object *o = sockproto_mailbox_json(account, account_id, r,
	    cache, mm);

	return o != NULL ? sockproto_line(o) : NULL;
}

struct json_object *
sockproto_mailbox_json(const char *account, const char *account_id,
    const struct mailresult *r, const struct mailbox_cache *cache,
    const struct mailmatch *mm)
{
	struct json_object *o, *arr = json_object_new_array();

	if (r->list_changed)
		for (size_t i = 0; i < cache->n; i++) {
			const struct mailbox *m = &cache->v[cache->by_path != NULL ?
			    cache->by_path[i] : i];

			if (mm == NULL || mailmatch_mailbox(mm, m->path,
			    m->role))
				json_object_array_add(arr, sockproto_box_json(
				    NULL, m->id, m->path, m->role, m->unread,
				    m->total));
		}
	else
		for (size_t i = 0; i < r->nboxes; i++) {
			const struct mailresult_box *b = &r->boxes[i];

			if (b->props_changed && (mm == NULL ||
			    mailmatch_mailbox(mm, b->path, b->role)))
				json_object_array_add(arr, sockproto_box_json(
				    NULL, b->id, b->path, b->role, b->unread,
				    b->total));
		}
	if (json_object_array_length(arr) == 0 && !r->list_changed) {
		json_object_put(arr);
		return NULL;
	}
	o = sockproto_mail_start("mailbox", account, account_id);
	json_object_object_add(o, "mailboxes", arr);
	if (r->list_changed)
		json_object_object_add(o, "complete",
		    json_object_new_boolean(1));
	return o;
}

char *
sockproto_mail(const char *account, const char *account_id,
    const struct mailresult *r, const struct mailbox_cache *cache,
    const struct mailmatch *mm)
{
	struct json_object *o = sockproto_mail_json(account, account_id, r,
	    cache, mm);

	return o != NULL ? sockproto_line(o) : NULL;
}

struct json_object *
sockproto_mail_json(const char *account, const char *account_id,
    const struct mailresult *r, const struct mailbox_cache *cache,
    const struct mailmatch *mm)
{
	struct json_object *o, *mail, *v;
	struct mailresult f;

	memset(&f, 0, sizeof(f));
	mailresult_filter(r, cache, mm, MAILMATCH_NEW, NULL, &f);
	if (f.new_count == 0) {
		mailresult_clear(&f);
		return NULL;
	}
	mail = mailresult_json(&f, account_id, SOCKPROTO_MAX_MAIL);
	mailresult_clear(&f);
	o = sockproto_mail_start("mail", account, account_id);
	if (json_object_object_get_ex(mail, "new", &v))
		json_object_object_add(o, "new", json_object_get(v));
	if (json_object_object_get_ex(mail, "newTruncated", &v))
		json_object_object_add(o, "newTruncated", json_object_get(v));
	json_object_put(mail);
	return o;
}

void
sockproto_mailboxes_add(struct json_object *arr, const char *account_id,
    const struct mailbox_cache *cache, const struct mailmatch *mm)
{
	for (size_t i = 0; i < cache->n; i++) {
		const struct mailbox *m = &cache->v[cache->by_path != NULL ?
			    cache->by_path[i] : i];

		if (mm == NULL || mailmatch_mailbox(mm, m->path, m->role))
			json_object_array_add(arr, sockproto_box_json(
			    account_id, m->id, m->path, m->role, m->unread,
			    m->total));
	}
}

char *
sockproto_status(struct json_object *accounts, bool muted, time_t until,
    struct json_object *outputs)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "reply", json_object_new_string("status"));
	json_object_object_add(o, "accounts", accounts);
	json_object_object_add(o, "muted", json_object_new_boolean(muted));
	json_object_object_add(o, "mutedUntil", muted && until != 0 ?
	    json_object_new_int64((int64_t)until) : NULL);
	if (outputs != NULL)
		json_object_object_add(o, "outputs", outputs);
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
	return sockproto_line(sockproto_account_connection_json(a));
}

struct json_object *
sockproto_account_connection_json(struct account *a)
{
	enum account_status st = account_status(a);

	return sockproto_connection_json(account_name(a),
	    account_status_name(st), account_retry_in(a), sockproto_waits(st),
	    account_error(a));
}

/* Adds the status entries of one JMAP account's mailboxes. */
static void
sockproto_status_boxes(const char *account_id, const struct mailbox_cache *c,
    void *arg)
{
	struct sockproto_status_arg *sa = arg;

	sockproto_mailboxes_add(sa->accounts, account_id, c, sa->mailboxes);
}

void
sockproto_account_status(struct account *a, void *arg)
{
	struct sockproto_status_arg *sa = arg, boxes;
	struct json_object *o = json_object_new_object();
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
	boxes.accounts = json_object_new_array();
	boxes.mailboxes = sa->mailboxes;
	account_foreach_mailboxes(a, sockproto_status_boxes, &boxes);
	json_object_object_add(o, "mailboxes", boxes.accounts);
	json_object_array_add(sa->accounts, o);
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
	mailmatch_free(sub->mailboxes);
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
	sub->mailboxes = c->mailboxes;
	c->mailboxes = NULL;
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
sockproto_sub_mail(const struct sockproto_sub *sub)
{
	return (sub->events & (SOCKPROTO_EV_MAILBOX | SOCKPROTO_EV_MAIL)) != 0;
}

bool
sockproto_sub_mail_of(const struct sockproto_sub *sub, const char *account)
{
	return sockproto_sub_mail(sub) && (sub->all_accounts ||
	    sockproto_strings_has(sub->accounts, sub->naccounts, account));
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
	/* Mail events are filtered by mailboxes when they are formatted. */
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
